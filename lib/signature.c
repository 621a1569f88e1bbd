/*
 * signature.c — the "~Module signature appended~" trailer of a module: the
 * info block, the raw PGP/X509 layout and, when built with OpenSSL and
 * libcrypto can be loaded, the signer details of a PKCS#7 (DER) signature.
 *
 * Layout at the end of the decompressed module:
 *   [module][signer][key id][signature][12-byte info block][magic, 28 bytes]
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#define MT_OPTIONAL_LIBS
#include "internal.h"

static const char sig_magic[] = "~Module signature appended~\n";
#define SIG_MAGIC_LEN (sizeof(sig_magic) - 1)
#define SIG_INFO_LEN 12

enum { ID_PGP, ID_X509, ID_PKCS7 };
static const char *const id_type_names[] = { "PGP", "X509", "PKCS#7" };
static const char *const hash_names[] = {
	"md4", "md5", "sha1", "rmd160", "sha256", "sha384", "sha512", "sha224", "sm3",
};
#define ALGO_COUNT 2	/* the kernel's public-key algorithms: DSA, RSA */

struct sig_info {
	uint8_t algo, hash, id_type, signer_len, key_id_len;
	uint32_t sig_len;
};

static void read_info(const uint8_t *p, struct sig_info *info)
{
	info->algo = p[0];
	info->hash = p[1];
	info->id_type = p[2];
	info->signer_len = p[3];
	info->key_id_len = p[4];
	/* p[5..7] is padding */
	info->sig_len = mt_get32(p + 8, true);
}

/* Copy of `len` bytes; never NULL on success, even for len 0. */
static unsigned char *dup_bytes(const void *src, size_t len)
{
	unsigned char *copy = malloc(len ? len : 1);

	if (copy && len)
		memcpy(copy, src, len);
	return copy;
}

static char *dup_string(const void *src, size_t len)
{
	char *copy = malloc(len + 1);

	if (copy) {
		memcpy(copy, src, len);
		copy[len] = '\0';
	}
	return copy;
}

static int out_of_memory(void)
{
	return mt_fail(ENOMEM, "module signature: out of memory");
}

static int fill_raw(const uint8_t *signer, const struct sig_info *info,
		    struct mt_signature *sig)
{
	const uint8_t *key_id = signer + info->signer_len;
	const uint8_t *signature = key_id + info->key_id_len;

	sig->hash_algo = hash_names[info->hash];
	sig->signer = dup_string(signer, info->signer_len);
	sig->key_id = dup_bytes(key_id, info->key_id_len);
	sig->key_id_len = info->key_id_len;
	sig->signature = dup_bytes(signature, info->sig_len);
	sig->signature_len = info->sig_len;
	if (!sig->signer || !sig->key_id || !sig->signature)
		return out_of_memory();
	return 0;
}

/* A PKCS#7 signature whose details are unknown: built without OpenSSL, or
 * libcrypto cannot be loaded. */
static int fill_pkcs7_unknown(struct mt_signature *sig)
{
	sig->hash_algo = "unknown";
	sig->signer = dup_string("", 0);
	sig->key_id = dup_bytes(NULL, 0);
	sig->signature = dup_bytes(NULL, 0);
	if (!sig->signer || !sig->key_id || !sig->signature)
		return out_of_memory();
	return 0;
}

#ifdef ENABLE_OPENSSL

/* The issuer's CN; without one the last entry; "" for an empty name. */
static const ASN1_STRING *signer_name(const struct mt_crypto *crypto, const X509_NAME *issuer)
{
	int count = crypto->X509_NAME_entry_count(issuer);
	int index = crypto->X509_NAME_get_index_by_NID(issuer, NID_commonName, -1);

	if (count <= 0)
		return NULL;
	if (index < 0)
		index = count - 1;
	return crypto->X509_NAME_ENTRY_get_data(crypto->X509_NAME_get_entry(issuer, index));
}

/*
 * signer and the digest name are stored in one allocation ("CN\0sha256\0")
 * so that hash_algo, which may be a dotted OID built here, is released
 * together with signer.
 */
static int set_signer_and_hash(const struct mt_crypto *crypto, const ASN1_STRING *name,
			       const ASN1_OBJECT *digest, struct mt_signature *sig)
{
	int raw_name_len = name ? crypto->ASN1_STRING_length(name) : 0;
	size_t name_len = raw_name_len > 0 ? (size_t)raw_name_len : 0;
	int hash_len = crypto->OBJ_obj2txt(NULL, 0, digest, 0);
	char *both;

	if (hash_len < 0 || hash_len == INT_MAX)
		return mt_fail(ENODATA, "module signature: bad PKCS#7 digest algorithm");
	both = malloc(name_len + 1 + (size_t)hash_len + 1);
	if (!both)
		return out_of_memory();
	if (name_len)
		memcpy(both, crypto->ASN1_STRING_get0_data(name), name_len);
	both[name_len] = '\0';
	crypto->OBJ_obj2txt(both + name_len + 1, hash_len + 1, digest, 0);
	sig->signer = both;
	sig->hash_algo = both + name_len + 1;
	return 0;
}

static int fill_serial(const struct mt_crypto *crypto, const ASN1_INTEGER *serial,
		       struct mt_signature *sig)
{
	BIGNUM *bn = crypto->ASN1_INTEGER_to_BN(serial, NULL);
	int len;

	if (!bn)
		return out_of_memory();
	len = (crypto->BN_num_bits(bn) + 7) / 8;
	sig->key_id = malloc(len > 0 ? (size_t)len : 1);
	if (sig->key_id)
		sig->key_id_len = (size_t)crypto->BN_bn2bin(bn, sig->key_id);
	crypto->BN_free(bn);
	return sig->key_id ? 0 : out_of_memory();
}

static int fill_pkcs7_from(const struct mt_crypto *crypto, PKCS7 *p7, struct mt_signature *sig)
{
	STACK_OF(PKCS7_SIGNER_INFO) *signers = crypto->PKCS7_get_signer_info(p7);
	/* sk_PKCS7_SIGNER_INFO_value(), without linking libcrypto */
	PKCS7_SIGNER_INFO *si = signers ?
		crypto->OPENSSL_sk_value((const OPENSSL_STACK *)signers, 0) : NULL;
	X509_ALGOR *digest_alg = NULL;
	const ASN1_OBJECT *digest = NULL;
	int err;

	if (!si || !si->issuer_and_serial || !si->enc_digest)
		return mt_fail(ENODATA, "module signature: PKCS#7 message without a usable signer");
	crypto->PKCS7_SIGNER_INFO_get0_algs(si, NULL, &digest_alg, NULL);
	if (digest_alg)
		crypto->X509_ALGOR_get0(&digest, NULL, NULL, digest_alg);
	if (!digest)
		return mt_fail(ENODATA, "module signature: PKCS#7 signer without a digest algorithm");

	err = set_signer_and_hash(crypto, signer_name(crypto, si->issuer_and_serial->issuer),
				  digest, sig);
	if (err == 0)
		err = fill_serial(crypto, si->issuer_and_serial->serial, sig);
	if (err == 0) {
		sig->signature_len = (size_t)crypto->ASN1_STRING_length(si->enc_digest);
		sig->signature = dup_bytes(crypto->ASN1_STRING_get0_data(si->enc_digest),
					   sig->signature_len);
		if (!sig->signature)
			err = out_of_memory();
	}
	return err;
}

/* Without libcrypto, the signature is reported as if built without OpenSSL
 * and the caller's log function is told why. */
static int fill_pkcs7(const struct mt_ctx *ctx, const uint8_t *der, uint32_t len,
		      struct mt_signature *sig)
{
	const unsigned char *cursor = der;
	const struct mt_crypto *crypto;
	PKCS7 *p7;
	int err;

#if UINT32_MAX > LONG_MAX
	if (len > LONG_MAX)
		return mt_fail(ENODATA, "module signature: PKCS#7 message too large");
#endif
	if (mt_load_crypto("module signature", &crypto) < 0) {
		mt_log(ctx, LOG_WARNING, "%s\n", mt_last_error());
		return fill_pkcs7_unknown(sig);
	}
	/* Leave OpenSSL's error queue as we found it: a bad signature is
	 * reported as "unsigned", not as a pending libcrypto error. */
	crypto->ERR_set_mark();
	p7 = crypto->d2i_PKCS7(NULL, &cursor, (long)len);
	if (p7)
		err = fill_pkcs7_from(crypto, p7, sig);
	else
		err = mt_fail(ENODATA, "module signature: unparsable PKCS#7 message");
	crypto->PKCS7_free(p7);
	crypto->ERR_pop_to_mark();
	return err;
}

#else

static int fill_pkcs7(const struct mt_ctx *ctx, const uint8_t *der, uint32_t len,
		      struct mt_signature *sig)
{
	(void)ctx;
	(void)der;
	(void)len;
	return fill_pkcs7_unknown(sig);
}

#endif

int mt_signature_parse(const struct mt_ctx *ctx, const void *data, size_t size,
		       struct mt_signature *out)
{
	const uint8_t *bytes = data;
	struct sig_info info;
	size_t before_info;
	int err;

	memset(out, 0, sizeof(*out));
	if (size < SIG_MAGIC_LEN + SIG_INFO_LEN ||
	    memcmp(bytes + size - SIG_MAGIC_LEN, sig_magic, SIG_MAGIC_LEN) != 0)
		return mt_fail(ENODATA, "module signature: no signature trailer");

	before_info = size - SIG_MAGIC_LEN - SIG_INFO_LEN;
	read_info(bytes + before_info, &info);
	if (info.algo >= ALGO_COUNT || info.hash >= sizeof(hash_names) / sizeof(hash_names[0]) ||
	    info.id_type > ID_PKCS7 || info.sig_len == 0)
		return mt_fail(ENODATA, "module signature: invalid info block "
			       "(algo %u, hash %u, id type %u, signature length %u)",
			       info.algo, info.hash, info.id_type, (unsigned)info.sig_len);
	if (info.sig_len > before_info ||
	    (size_t)info.signer_len + info.key_id_len > before_info - info.sig_len)
		return mt_fail(ENODATA, "module signature: signer %u + key id %u + signature %u "
			       "bytes exceed the %zu bytes before the info block",
			       info.signer_len, info.key_id_len, (unsigned)info.sig_len,
			       before_info);

	out->id_type = id_type_names[info.id_type];
	if (info.id_type == ID_PKCS7)
		err = fill_pkcs7(ctx, bytes + before_info - info.sig_len, info.sig_len, out);
	else
		err = fill_raw(bytes + before_info - info.sig_len - info.key_id_len -
			       info.signer_len, &info, out);
	if (err < 0)
		mt_signature_release(out);
	return err;
}

size_t mt_signature_span(const void *data, size_t size)
{
	const uint8_t *bytes = data;
	struct sig_info info;

	if (size < SIG_MAGIC_LEN + SIG_INFO_LEN ||
	    memcmp(bytes + size - SIG_MAGIC_LEN, sig_magic, SIG_MAGIC_LEN) != 0)
		return 0;
	read_info(bytes + size - SIG_MAGIC_LEN - SIG_INFO_LEN, &info);
	return SIG_MAGIC_LEN + SIG_INFO_LEN + (size_t)info.sig_len + info.signer_len +
	       info.key_id_len;
}

void mt_signature_release(struct mt_signature *sig)
{
	free(sig->signer);
	free(sig->key_id);
	free(sig->signature);
	memset(sig, 0, sizeof(*sig));
}
