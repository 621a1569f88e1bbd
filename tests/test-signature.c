/*
 * test-signature.c — mt_signature_parse: synthetic PGP/X509 trailers and
 * every invalid info block, PKCS#7 messages signed here the way the kernel's
 * sign-file does (OpenSSL builds only), and a sample of the installed
 * kernel's modules compared with kmod's modinfo.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "libmodtool.h"
#include "module-tree.h"
#include "tap.h"

#ifdef ENABLE_OPENSSL
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pkcs7.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#endif

#define MAGIC "~Module signature appended~\n"
#define MAGIC_LEN (sizeof(MAGIC) - 1)
#define INFO_LEN 12
#define TRAILER_LEN (INFO_LEN + MAGIC_LEN)
#define MODINFO "/usr/sbin/modinfo"
#define REAL_SAMPLE 20

enum { ID_PGP, ID_X509, ID_PKCS7 };

/* ---- building images ---------------------------------------------------- */

struct image {
	unsigned char *data;
	size_t len;
};

static void put(struct image *img, const void *bytes, size_t len)
{
	unsigned char *grown = realloc(img->data, img->len + len + 1);

	if (!grown) {
		perror("realloc");
		exit(99);
	}
	img->data = grown;
	if (len)
		memcpy(img->data + img->len, bytes, len);
	img->len += len;
}

static void set_be32(unsigned char *p, uint32_t v)
{
	p[0] = (unsigned char)(v >> 24);
	p[1] = (unsigned char)(v >> 16);
	p[2] = (unsigned char)(v >> 8);
	p[3] = (unsigned char)v;
}

static void put_trailer(struct image *img, unsigned algo, unsigned hash, unsigned id_type,
			unsigned signer_len, unsigned key_id_len, uint32_t sig_len)
{
	unsigned char info[INFO_LEN] = {
		(unsigned char)algo, (unsigned char)hash, (unsigned char)id_type,
		(unsigned char)signer_len, (unsigned char)key_id_len,
	};

	set_be32(info + 8, sig_len);
	put(img, info, sizeof(info));
	put(img, MAGIC, MAGIC_LEN);
}

static const char module_bytes[] = "\177ELF pretend module contents";
static const char raw_signer[] = "Raw test signer";
static const unsigned char raw_key_id[] = { 0x00, 0x1f, 0xa0, 0xff };
static const unsigned char raw_sig[] = { 0xde, 0xad, 0xbe, 0xef, 0x00, 0x01, 0x7f, 0x80, 0xc3 };

/* A valid PGP/X509 image: [module][signer][key id][signature][info][magic]. */
static struct image raw_image(const char *module, unsigned id_type, unsigned hash)
{
	struct image img = { NULL, 0 };

	put(&img, module, strlen(module));
	put(&img, raw_signer, strlen(raw_signer));
	put(&img, raw_key_id, sizeof(raw_key_id));
	put(&img, raw_sig, sizeof(raw_sig));
	put_trailer(&img, 1, hash, id_type, (unsigned)strlen(raw_signer),
		    sizeof(raw_key_id), sizeof(raw_sig));
	return img;
}

static unsigned char *info_of(struct image *img)
{
	return img->data + img->len - TRAILER_LEN;
}

static bool same_bytes(const unsigned char *got, size_t got_len,
		       const unsigned char *want, size_t want_len)
{
	return got && got_len == want_len && (want_len == 0 || memcmp(got, want, want_len) == 0);
}

/* ---- PGP / X509 ------------------------------------------------------------ */

static void test_raw_layouts(void)
{
	static const char *const hash_names[] = {
		"md4", "md5", "sha1", "rmd160", "sha256", "sha384", "sha512", "sha224", "sm3",
	};
	struct mt_signature sig;
	struct image img = raw_image(module_bytes, ID_X509, 4);
	int rc = mt_signature_parse(NULL, img.data, img.len, &sig);

	tap_is_int(rc, 0, "X509 trailer parses");
	tap_is_str(sig.id_type, "X509", "X509: id type");
	tap_is_str(sig.hash_algo, "sha256", "X509: hash 4 is sha256");
	tap_is_str(sig.signer, raw_signer, "X509: signer bytes");
	tap_ok(same_bytes(sig.key_id, sig.key_id_len, raw_key_id, sizeof(raw_key_id)),
	       "X509: key id bytes");
	tap_ok(same_bytes(sig.signature, sig.signature_len, raw_sig, sizeof(raw_sig)),
	       "X509: signature bytes");
	mt_signature_release(&sig);
	tap_ok(sig.signer == NULL && sig.id_type == NULL, "release clears the struct");
	free(img.data);

	/* Empty module part: the signature pieces fill everything before the info. */
	img = raw_image("", ID_PGP, 0);
	rc = mt_signature_parse(NULL, img.data, img.len, &sig);
	tap_is_int(rc, 0, "PGP trailer with no module bytes before it parses");
	tap_is_str(sig.id_type, "PGP", "PGP: id type");
	tap_ok(same_bytes(sig.signature, sig.signature_len, raw_sig, sizeof(raw_sig)),
	       "PGP: signature bytes");
	mt_signature_release(&sig);

	/* Padding is ignored. */
	memset(info_of(&img) + 5, 0xff, 3);
	rc = mt_signature_parse(NULL, img.data, img.len, &sig);
	tap_is_int(rc, 0, "non-zero padding is ignored");
	mt_signature_release(&sig);
	free(img.data);

	img = (struct image){ NULL, 0 };
	put(&img, module_bytes, sizeof(module_bytes));
	put(&img, "S", 1);
	put_trailer(&img, 0, 8, ID_PGP, 0, 0, 1);
	rc = mt_signature_parse(NULL, img.data, img.len, &sig);
	tap_is_int(rc, 0, "PGP trailer without signer or key id parses");
	tap_is_str(sig.signer, "", "empty signer is \"\"");
	tap_ok(sig.key_id != NULL && sig.key_id_len == 0, "empty key id is allocated, length 0");
	tap_ok(same_bytes(sig.signature, sig.signature_len, (const unsigned char *)"S", 1),
	       "one-byte signature");
	tap_is_str(sig.hash_algo, "sm3", "hash 8 is sm3");
	mt_signature_release(&sig);
	free(img.data);

	for (unsigned hash = 0; hash < sizeof(hash_names) / sizeof(hash_names[0]); hash++) {
		img = raw_image(module_bytes, ID_X509, hash);
		rc = mt_signature_parse(NULL, img.data, img.len, &sig);
		tap_is_str(rc == 0 ? sig.hash_algo : NULL, hash_names[hash], "hash %u name", hash);
		mt_signature_release(&sig);
		free(img.data);
	}
}

/* ---- invalid trailers ------------------------------------------------------ */

static void expect_unsigned(const void *data, size_t size, const char *what)
{
	struct mt_signature sig;
	int rc = mt_signature_parse(NULL, data, size, &sig);

	tap_is_int(rc, -ENODATA, "%s -> ENODATA", what);
	tap_ok(sig.id_type == NULL && sig.signer == NULL && sig.key_id == NULL &&
	       sig.signature == NULL && mt_last_error()[0] != '\0',
	       "%s: nothing returned, error recorded", what);
	mt_signature_release(&sig);
}

enum mutation {
	SET_BYTE,		/* byte at `offset` from the end := value */
	SET_SIG_LEN,		/* sig_len := value */
	SIG_LEN_BEFORE_INFO_PLUS_1,
	SIG_LEN_FILE_PLUS_1,
};

struct bad_case {
	const char *what;
	enum mutation kind;
	long offset;
	uint32_t value;
};

static void test_invalid(void)
{
	const long info = -(long)TRAILER_LEN;
	static const struct bad_case cases[] = {
		{ "last magic byte wrong", SET_BYTE, -1, 'x' },
		{ "first magic byte wrong", SET_BYTE, -(long)MAGIC_LEN, '#' },
		{ "algo 2", SET_BYTE, -(long)TRAILER_LEN + 0, 2 },
		{ "algo 255", SET_BYTE, -(long)TRAILER_LEN + 0, 255 },
		{ "hash 9", SET_BYTE, -(long)TRAILER_LEN + 1, 9 },
		{ "hash 255", SET_BYTE, -(long)TRAILER_LEN + 1, 255 },
		{ "id_type 3", SET_BYTE, -(long)TRAILER_LEN + 2, 3 },
		{ "signer length one too many", SET_BYTE, -(long)TRAILER_LEN + 3,
		  sizeof(raw_signer) - 1 + 1 },
		{ "key id length one too many", SET_BYTE, -(long)TRAILER_LEN + 4,
		  sizeof(raw_key_id) + 1 },
		{ "key id length 255", SET_BYTE, -(long)TRAILER_LEN + 4, 255 },
		{ "sig_len 0", SET_SIG_LEN, 0, 0 },
		{ "sig_len one more than the bytes before the info block",
		  SIG_LEN_BEFORE_INFO_PLUS_1, 0, 0 },
		{ "sig_len larger than the file", SIG_LEN_FILE_PLUS_1, 0, 0 },
		{ "sig_len 0xffffffff", SET_SIG_LEN, 0, 0xffffffffu },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		/* Empty module part, so any extra length runs past the start. */
		struct image img = raw_image("", ID_X509, 4);
		unsigned char *sig_len = img.data + img.len + info + 8;

		switch (cases[i].kind) {
		case SET_BYTE:
			img.data[img.len + cases[i].offset] = (unsigned char)cases[i].value;
			break;
		case SET_SIG_LEN:
			set_be32(sig_len, cases[i].value);
			break;
		case SIG_LEN_BEFORE_INFO_PLUS_1:
			set_be32(sig_len, (uint32_t)(img.len - TRAILER_LEN) + 1);
			break;
		case SIG_LEN_FILE_PLUS_1:
			set_be32(sig_len, (uint32_t)img.len + 1);
			break;
		}
		expect_unsigned(img.data, img.len, cases[i].what);
		free(img.data);
	}

	struct image img = { NULL, 0 };
	put(&img, MAGIC, MAGIC_LEN);
	expect_unsigned(img.data, img.len, "magic without an info block");
	put(&img, "0123456789a", INFO_LEN - 1);
	put(&img, MAGIC, MAGIC_LEN);
	expect_unsigned(img.data + MAGIC_LEN, img.len - MAGIC_LEN, "info block one byte short");
	expect_unsigned(img.data, 0, "empty input");
	free(img.data);

	img = raw_image(module_bytes, ID_X509, 4);
	expect_unsigned(img.data, img.len - 1, "trailer cut by one byte");
	free(img.data);
	expect_unsigned(module_bytes, sizeof(module_bytes), "no trailer at all");
}

/* ---- PKCS#7 ---------------------------------------------------------------- */

static const char signed_content[] = "\177ELF module bytes covered by the PKCS#7 signature";

static struct image pkcs7_image(const unsigned char *der, size_t der_len)
{
	struct image img = { NULL, 0 };

	put(&img, signed_content, sizeof(signed_content));
	put(&img, der, der_len);
	put_trailer(&img, 0, 0, ID_PKCS7, 0, 0, (uint32_t)der_len);
	return img;
}

#ifdef ENABLE_OPENSSL

struct name_entry {
	const char *field, *value;
};

static void ossl_check(bool ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "OpenSSL: %s failed\n", what);
		ERR_print_errors_fp(stderr);
		exit(99);
	}
}

static EVP_PKEY *make_rsa_key(void)
{
	EVP_PKEY_CTX *ctx = EVP_PKEY_CTX_new_id(EVP_PKEY_RSA, NULL);
	EVP_PKEY *key = NULL;

	ossl_check(ctx && EVP_PKEY_keygen_init(ctx) > 0 &&
		   EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 2048) > 0 &&
		   EVP_PKEY_keygen(ctx, &key) > 0, "RSA key generation");
	EVP_PKEY_CTX_free(ctx);
	return key;
}

static X509 *make_cert(EVP_PKEY *key, const struct name_entry *names, size_t count,
		       const char *serial_hex)
{
	X509 *cert = X509_new();
	BIGNUM *serial = NULL;
	X509_NAME *name;

	ossl_check(cert && X509_set_version(cert, 2) && BN_hex2bn(&serial, serial_hex) &&
		   BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert)) &&
		   X509_gmtime_adj(X509_getm_notBefore(cert), 0) &&
		   X509_gmtime_adj(X509_getm_notAfter(cert), 3600) &&
		   X509_set_pubkey(cert, key), "certificate setup");
	BN_free(serial);
	name = X509_get_subject_name(cert);
	for (size_t i = 0; i < count; i++)
		ossl_check(X509_NAME_add_entry_by_txt(name, names[i].field, MBSTRING_UTF8,
						      (const unsigned char *)names[i].value,
						      -1, -1, 0), "name entry");
	ossl_check(X509_set_issuer_name(cert, name) && X509_sign(cert, key, EVP_sha256()),
		   "certificate signing");
	return cert;
}

/* Detached signature of signed_content, as scripts/sign-file makes it. */
static PKCS7 *sign_content(X509 *cert, EVP_PKEY *key, const EVP_MD *md)
{
	const int flags = PKCS7_NOATTR | PKCS7_DETACHED | PKCS7_BINARY | PKCS7_NOCERTS;
	BIO *in = BIO_new_mem_buf(signed_content, sizeof(signed_content));
	PKCS7 *p7 = PKCS7_sign(NULL, NULL, NULL, NULL, flags | PKCS7_PARTIAL);

	ossl_check(in && p7 && PKCS7_sign_add_signer(p7, cert, key, md, flags) &&
		   PKCS7_final(p7, in, flags), "PKCS#7 signing");
	BIO_free(in);
	return p7;
}

static struct image der_of(PKCS7 *p7)
{
	unsigned char *der = NULL;
	int len = i2d_PKCS7(p7, &der);
	struct image img;

	ossl_check(len > 0, "PKCS#7 encoding");
	img = pkcs7_image(der, (size_t)len);
	OPENSSL_free(der);
	return img;
}

static const ASN1_OCTET_STRING *enc_digest_of(PKCS7 *p7)
{
	return sk_PKCS7_SIGNER_INFO_value(PKCS7_get_signer_info(p7), 0)->enc_digest;
}

static bool signature_verifies(EVP_PKEY *key, const EVP_MD *md, const struct mt_signature *sig)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = ctx && EVP_DigestVerifyInit(ctx, NULL, md, NULL, key) == 1 &&
		  EVP_DigestVerify(ctx, sig->signature, sig->signature_len,
				   (const unsigned char *)signed_content,
				   sizeof(signed_content)) == 1;

	EVP_MD_CTX_free(ctx);
	return ok;
}

struct pkcs7_case {
	const char *what;
	struct name_entry names[3];
	size_t name_count;
	const char *serial_hex;
	const unsigned char serial[8];
	size_t serial_len;
	const char *digest;
	const char *want_signer;
};

static void test_pkcs7_case(EVP_PKEY *key, const struct pkcs7_case *c)
{
	const EVP_MD *md = EVP_get_digestbyname(c->digest);
	X509 *cert = make_cert(key, c->names, c->name_count, c->serial_hex);
	PKCS7 *p7 = sign_content(cert, key, md);
	struct image img = der_of(p7);
	const ASN1_OCTET_STRING *enc = enc_digest_of(p7);
	struct mt_signature sig;
	int rc = mt_signature_parse(NULL, img.data, img.len, &sig);

	tap_is_int(rc, 0, "%s: parses", c->what);
	tap_is_str(sig.id_type, "PKCS#7", "%s: id type", c->what);
	tap_is_str(sig.signer, c->want_signer, "%s: signer", c->what);
	tap_ok(same_bytes(sig.key_id, sig.key_id_len, c->serial, c->serial_len),
	       "%s: key id is the minimal serial", c->what);
	tap_is_str(sig.hash_algo, c->digest, "%s: hash algorithm", c->what);
	tap_ok(same_bytes(sig.signature, sig.signature_len, ASN1_STRING_get0_data(enc),
			  (size_t)ASN1_STRING_length(enc)), "%s: signature is the encrypted digest",
	       c->what);
	tap_ok(signature_verifies(key, md, &sig), "%s: signature verifies over the content",
	       c->what);
	mt_signature_release(&sig);
	free(img.data);
	PKCS7_free(p7);
	X509_free(cert);
}

/* The SignerInfo's digest OID (the last sha256 OID) replaced by an unknown one. */
static void test_unknown_digest(EVP_PKEY *key)
{
	static const unsigned char sha256_oid[] = {
		0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01,
	};
	struct name_entry cn = { "CN", "oid test" };
	X509 *cert = make_cert(key, &cn, 1, "01");
	PKCS7 *p7 = sign_content(cert, key, EVP_sha256());
	struct image img = der_of(p7);
	unsigned char *last = NULL;
	struct mt_signature sig;
	int rc;

	for (size_t i = 0; i + sizeof(sha256_oid) <= img.len; i++)
		if (memcmp(img.data + i, sha256_oid, sizeof(sha256_oid)) == 0)
			last = img.data + i;
	tap_ok(last != NULL, "unknown digest: sha256 OID found in the DER");
	if (last)
		last[sizeof(sha256_oid) - 1] = 0x7f;
	rc = mt_signature_parse(NULL, img.data, img.len, &sig);
	tap_is_int(rc, 0, "unknown digest: parses");
	tap_is_str(sig.hash_algo, "2.16.840.1.101.3.4.2.127",
		   "unknown digest: hash algorithm is the dotted OID");
	tap_is_str(sig.signer, "oid test", "unknown digest: signer intact");
	mt_signature_release(&sig);
	free(img.data);
	PKCS7_free(p7);
	X509_free(cert);
}

/* Signed data without signers (a certificates-only message) → unsigned. */
static void test_no_signer(void)
{
	PKCS7 *p7 = PKCS7_sign(NULL, NULL, NULL, NULL, PKCS7_PARTIAL);
	struct image img;

	ossl_check(p7 != NULL, "empty signed data");
	img = der_of(p7);
	expect_unsigned(img.data, img.len, "PKCS#7 without SignerInfo");
	free(img.data);
	PKCS7_free(p7);
}

/* Every truncation and many corruptions of a real message: never a crash,
 * and any result is either a complete signature or ENODATA. */
static void test_hostile_der(EVP_PKEY *key)
{
	static const unsigned char flips[] = { 0xff, 0x80, 0x01 };
	struct name_entry cn = { "CN", "fuzz" };
	X509 *cert = make_cert(key, &cn, 1, "0102030405");
	PKCS7 *p7 = sign_content(cert, key, EVP_sha256());
	unsigned char *der = NULL;
	int der_len = i2d_PKCS7(p7, &der);
	unsigned runs = 0, bad = 0, parsed = 0;
	unsigned long sentinel;

	ossl_check(der_len > 0, "PKCS#7 encoding");
	/* A pending error of the caller's that parsing must leave in place. */
	ERR_clear_error();
	X509_NAME_add_entry_by_txt(X509_get_subject_name(cert), "no such field",
				   MBSTRING_UTF8, (const unsigned char *)"x", -1, -1, 0);
	sentinel = ERR_peek_last_error();
	for (int cut = 1; cut < der_len; cut++) {
		struct image img = pkcs7_image(der, (size_t)cut);
		struct mt_signature sig;
		int rc = mt_signature_parse(NULL, img.data, img.len, &sig);

		runs++;
		bad += rc != -ENODATA && !(rc == 0 && sig.signer && sig.key_id && sig.signature);
		parsed += rc == 0;
		mt_signature_release(&sig);
		free(img.data);
	}
	for (int pos = 0; pos < der_len; pos++) {
		for (size_t f = 0; f < sizeof(flips); f++) {
			struct image img = pkcs7_image(der, (size_t)der_len);
			struct mt_signature sig;
			int rc;

			img.data[sizeof(signed_content) + (size_t)pos] ^= flips[f];
			rc = mt_signature_parse(NULL, img.data, img.len, &sig);
			runs++;
			bad += rc != -ENODATA &&
			       !(rc == 0 && sig.signer && sig.hash_algo && sig.key_id && sig.signature);
			parsed += rc == 0;
			mt_signature_release(&sig);
			free(img.data);
		}
	}
	printf("# hostile DER: %u runs, %u parsed as signed\n", runs, parsed);
	tap_is_int(bad, 0, "hostile DER: %u truncations/corruptions give a signature or ENODATA",
		   runs);
	tap_ok(sentinel != 0 && ERR_peek_last_error() == sentinel,
	       "hostile DER: OpenSSL error queue left as it was");
	ERR_clear_error();
	OPENSSL_free(der);
	PKCS7_free(p7);
	X509_free(cert);
}

static void test_pkcs7(void)
{
	static const struct pkcs7_case cases[] = {
		{ "sha256, CN", { { "O", "modtool" }, { "CN", "modtool test signing key" },
				  { "OU", "tests" } }, 3,
		  "66F54E1566A043CC", { 0x66, 0xf5, 0x4e, 0x15, 0x66, 0xa0, 0x43, 0xcc }, 8,
		  "sha256", "modtool test signing key" },
		{ "sha384, no CN, high-bit serial", { { "O", "modtool org" }, { "OU", "unit" } }, 2,
		  "80ABCDEF01", { 0x80, 0xab, 0xcd, 0xef, 0x01 }, 5, "sha384", "unit" },
		{ "sha512, empty issuer, serial 0", { { NULL, NULL } }, 0,
		  "0", { 0 }, 0, "sha512", "" },
	};
	EVP_PKEY *key = make_rsa_key();
	static const unsigned char garbage[] = { 0x30, 0x82, 0xff, 0xff, 0x06, 0x09 };
	struct image img;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		test_pkcs7_case(key, &cases[i]);
	test_unknown_digest(key);
	img = pkcs7_image(garbage, sizeof(garbage));
	expect_unsigned(img.data, img.len, "unparsable PKCS#7");
	free(img.data);
	test_no_signer();
	test_hostile_der(key);
	EVP_PKEY_free(key);
}

#else

static void test_pkcs7(void)
{
	static const unsigned char not_der[] = { 0x01, 0x02, 0x03 };
	struct image img = pkcs7_image(not_der, sizeof(not_der));
	struct mt_signature sig;
	int rc = mt_signature_parse(NULL, img.data, img.len, &sig);

	tap_is_int(rc, 0, "PKCS#7 without OpenSSL: accepted unparsed");
	tap_is_str(sig.id_type, "PKCS#7", "PKCS#7 without OpenSSL: id type");
	tap_is_str(sig.hash_algo, "unknown", "PKCS#7 without OpenSSL: hash unknown");
	tap_is_str(sig.signer, "", "PKCS#7 without OpenSSL: empty signer");
	tap_ok(sig.key_id && sig.key_id_len == 0 && sig.signature && sig.signature_len == 0,
	       "PKCS#7 without OpenSSL: empty key id and signature");
	mt_signature_release(&sig);
	free(img.data);
	tap_skip("PKCS#7 signing checks", "built without OpenSSL");
}

#endif

/* ---- real modules against modinfo ----------------------------------------- */

#ifdef ENABLE_OPENSSL
/* kmod's rendering: uppercase bytes joined by ':', a line break every 20. */
static char *kmod_hex(const unsigned char *bytes, size_t len)
{
	char *text = malloc(len * 5 + 1), *p = text;

	if (!text) {
		perror("malloc");
		exit(99);
	}
	for (size_t i = 0; i < len; i++) {
		p += sprintf(p, "%02X", bytes[i]);
		if (i + 1 < len) {
			*p++ = ':';
			if ((i + 1) % 20 == 0)
				p += sprintf(p, "\n\t\t");
		}
	}
	*p = '\0';
	return text;
}
#endif

/* Output of `modinfo -F field path` without its final newline. */
static char *modinfo_field(const char *field, const char *path)
{
	char cmd[PATH_MAX + 64];
	struct image out = { NULL, 0 };
	char chunk[4096];
	size_t got;
	FILE *pipe;

	snprintf(cmd, sizeof(cmd), MODINFO " -F %s '%s' 2>/dev/null", field, path);
	pipe = popen(cmd, "r");
	if (!pipe) {
		perror("popen");
		exit(99);
	}
	put(&out, "", 0);
	while ((got = fread(chunk, 1, sizeof(chunk), pipe)) > 0)
		put(&out, chunk, got);
	pclose(pipe);
	if (out.len && out.data[out.len - 1] == '\n')
		out.len--;
	out.data[out.len] = '\0';
	return (char *)out.data;
}

static bool read_whole(const char *path, struct image *img)
{
	FILE *f = fopen(path, "rb");
	char chunk[65536];
	size_t got;

	*img = (struct image){ NULL, 0 };
	if (!f)
		return false;
	while ((got = fread(chunk, 1, sizeof(chunk), f)) > 0)
		put(img, chunk, got);
	fclose(f);
	return img->data != NULL;
}

/* REAL_SAMPLE module paths spread evenly over the tree's modules.dep. */
static int sample_modules(const char *tree, char paths[REAL_SAMPLE][PATH_MAX])
{
	size_t tree_len = strlen(tree);
	char line[PATH_MAX];
	long total = 0, index = 0;
	int picked = 0;
	FILE *dep;

	snprintf(line, sizeof(line), "%s/modules.dep", tree);
	dep = fopen(line, "r");
	if (!dep)
		return 0;
	while (fgets(line, sizeof(line), dep))
		total++;
	rewind(dep);
	while (picked < REAL_SAMPLE && fgets(line, sizeof(line), dep)) {
		char *colon = strchr(line, ':');

		if (index++ != picked * total / REAL_SAMPLE)
			continue;
		if (!colon || memchr(line, '\'', (size_t)(colon - line)) ||
		    tree_len + 1 + (size_t)(colon - line) >= PATH_MAX)
			continue;
		*colon = '\0';
		memcpy(paths[picked], tree, tree_len);
		paths[picked][tree_len] = '/';
		strcpy(paths[picked++] + tree_len + 1, line);
	}
	fclose(dep);
	return picked;
}

static void test_real_modules(void)
{
	static char paths[REAL_SAMPLE][PATH_MAX];
	const char *tree = module_tree();
	int count;

	if (!tree) {
		tap_missing_input("real modules", "no module tree under /lib/modules (linux-image-amd64)");
		return;
	}
	if (access(MODINFO, X_OK) != 0) {
		tap_missing_input("real modules", "no kmod " MODINFO " (kmod)");
		return;
	}
	count = sample_modules(tree, paths);
	if (count == 0)
		tap_missing_input("real modules", "no modules listed in the tree's modules.dep");
	for (int i = 0; i < count; i++) {
		const char *path = paths[i], *name = strrchr(path, '/') + 1;
		struct mt_signature sig = { 0 };
		struct image img;
		int rc = -ENOENT;
		char *want;

		if (read_whole(path, &img))
			rc = mt_signature_parse(NULL, img.data, img.len, &sig);
		free(img.data);
		want = modinfo_field("sig_id", path);
		tap_is_str(rc == 0 ? sig.id_type : "", want, "%s: sig_id", name);
		free(want);
#ifdef ENABLE_OPENSSL
		char *key_hex = kmod_hex(sig.key_id, sig.key_id_len);
		char *sig_hex = kmod_hex(sig.signature, sig.signature_len);

		want = modinfo_field("signer", path);
		tap_is_str(rc == 0 ? sig.signer : "", want, "%s: signer", name);
		free(want);
		want = modinfo_field("sig_key", path);
		tap_is_str(key_hex, want, "%s: sig_key", name);
		free(want);
		want = modinfo_field("sig_hashalgo", path);
		tap_is_str(rc == 0 ? sig.hash_algo : "", want, "%s: sig_hashalgo", name);
		free(want);
		want = modinfo_field("signature", path);
		tap_is_str(sig_hex, want, "%s: signature", name);
		free(want);
		free(key_hex);
		free(sig_hex);
#else
		tap_is_str(rc == 0 ? sig.hash_algo : NULL, "unknown", "%s: hash unknown", name);
		tap_is_str(rc == 0 ? sig.signer : NULL, "", "%s: signer empty", name);
#endif
		mt_signature_release(&sig);
	}
}

int main(void)
{
	test_raw_layouts();
	test_invalid();
	test_pkcs7();
	test_real_modules();
	return tap_done();
}
