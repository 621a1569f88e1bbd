/*
 * test-glob.c — mt_glob_match against fnmatch(3) with flags 0: hand-picked
 * edge cases of sets, ranges and stars, then many random patterns and
 * strings over a small alphabet so that matches are frequent.
 */
#include <fnmatch.h>
#include <stdlib.h>
#include "internal.h"
#include "tap.h"

static int disagreements;

static void check(const char *pattern, const char *string)
{
	int want = fnmatch(pattern, string, 0) == 0, got = mt_glob_match(pattern, string);

	if (want != got && disagreements++ < 10)
		printf("# '%s' vs '%s': fnmatch %d, ours %d\n", pattern, string, want, got);
}

static const char alphabet[] = "ab-]![^*?.";

/* A random pattern (up to 10 bytes) and string (up to 8 bytes, from the
 * alphabet's first 7 characters); returns the pattern's length. */
static int random_case(char pattern[12], char string[10])
{
	int plen = rand() % 11, slen = rand() % 9;

	for (int i = 0; i < plen; i++)
		pattern[i] = alphabet[rand() % (sizeof(alphabet) - 1)];
	pattern[plen] = '\0';
	for (int i = 0; i < slen; i++)
		string[i] = alphabet[rand() % 7];
	string[slen] = '\0';
	return plen;
}

int main(void)
{
	static const char *const cases[][2] = {
		{ "", "" }, { "", "a" }, { "*", "" }, { "a*", "a" }, { "*a", "ba" },
		{ "a*b*c", "axxbyyc" }, { "a*b*c", "axxbyy" }, { "**a", "a" },
		{ "?", "" }, { "?", "/" }, { "*", ".hidden" }, { "a?c", "a.c" },
		{ "[abc]", "b" }, { "[!abc]", "b" }, { "[^abc]", "d" }, { "[]]", "]" },
		{ "[!]]", "a" }, { "[]a]", "a" }, { "[a-c]", "b" }, { "[a-]", "-" },
		{ "[-a]", "-" }, { "[z-a]", "m" }, { "[a", "[a" }, { "a[", "a[" },
		{ "[", "[" }, { "[!", "[!" }, { "[]", "[]" }, { "[]-a]", "^" },
		{ "pci:v00008086d*sv*sd*bc*sc*i*", "pci:v00008086d000010D3sv0sd0bc02sc00i00" },
		{ "usb:v*p*d*dc*dsc*dp*ic03isc01ip02in*", "usb:v046Dp0001d0100dc00dsc00dp00ic03isc01ip02in00" },
		{ "of:N*T*Cfoo,bar", "of:NnameTtypeCfoo,bar" }, { "cpu:type:x86,ven*fam*mod*:feature:*0081*",
		  "cpu:type:x86,ven0000fam0006mod008D:feature:,0081,0082" },
		{ "a\\*", "a*" }, { "[[:digit:]]", "5" }, { "\\", "\\" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		check(cases[i][0], cases[i][1]);
	tap_is_int(disagreements, 0, "%zu edge cases agree with fnmatch", sizeof(cases) / sizeof(cases[0]));

	srand(42);
	for (int n = 0; n < 300000; n++) {
		char pattern[12], string[10];

		random_case(pattern, string);
		check(pattern, string);
	}
	tap_is_int(disagreements, 0, "300000 random patterns agree with fnmatch");

	/* pruning must be sound: every prefix of a matching pattern could match */
	int unsound = 0, pruned = 0;
	for (int n = 0; n < 100000; n++) {
		char pattern[12], prefix[12], string[10];
		int plen = random_case(pattern, string);

		for (int k = 0; k <= plen; k++) {
			memcpy(prefix, pattern, (size_t)k);
			prefix[k] = '\0';
			if (!mt_glob_could_match(prefix, string))
				pruned++;
			else
				continue;
			if (fnmatch(pattern, string, 0) == 0 && unsound++ < 10)
				printf("# prefix '%s' of matching '%s' vs '%s' was pruned\n", prefix,
				       pattern, string);
		}
	}
	tap_is_int(unsound, 0, "no prefix of a matching pattern is pruned (%d prunes checked)", pruned);
	return tap_done();
}
