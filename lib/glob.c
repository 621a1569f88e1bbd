/*
 * glob.c — shell-pattern matching with exactly fnmatch(3)'s meaning for
 * flags 0, done in a fast byte loop for the patterns module aliases use
 * (ASCII with *, ? and simple [...] sets).  Anything else — backslash
 * escapes, [:class:], [=equiv=], [.coll.] or non-ASCII bytes — goes to
 * fnmatch itself.
 */
#include "config.h"

#include <fnmatch.h>
#include "internal.h"

/* Match one [...] set at `p` (just past '[') against `c`.  Returns the
 * position after the closing ']', or NULL when the set has no ']' (then
 * '[' is an ordinary character).  *hit tells whether c is in the set. */
static const char *match_set(const char *p, unsigned char c, bool *hit)
{
	bool negate = *p == '!' || *p == '^', in = false;

	if (negate)
		p++;
	/* a ']' right after the opening (and negation) is a member */
	for (bool first = true; first || *p != ']'; first = false) {
		unsigned char lo = (unsigned char)*p, hi = lo;

		if (!*p)
			return NULL;
		if (p[1] == '-' && p[2] && p[2] != ']') {
			hi = (unsigned char)p[2];
			p += 3;
		} else {
			p++;
		}
		if (c >= lo && c <= hi)
			in = true;
	}
	*hit = in != negate;
	return p + 1;
}

/* fnmatch's treatment of an unterminated '[' depends on what precedes it,
 * so such patterns go to fnmatch along with the rarer syntax. */
static bool needs_fnmatch(const char *pattern)
{
	bool hit;

	for (const unsigned char *p = (const unsigned char *)pattern; *p; p++) {
		if (*p == '\\' || *p >= 0x80)
			return true;
		if (*p == '[' && (p[1] == ':' || p[1] == '=' || p[1] == '.' ||
				  !match_set((const char *)p + 1, 0, &hit)))
			return true;
	}
	return false;
}

/* With `prefix`, the pattern is taken as followed by a '*'. */
static bool match(const char *pattern, const char *string, bool prefix)
{
	const char *p = pattern, *s = string, *star_p = NULL, *star_s = NULL;

	for (;;) {
		if (prefix && !*p)
			return true;
		if (*p == '*') {
			while (*p == '*')
				p++;
			if (!*p)
				return true;
			star_p = p;
			star_s = s;
			continue;
		}
		if (*s) {
			const char *next = NULL;
			bool hit = false;

			if (*p == '?') {
				next = p + 1;
				hit = true;
			} else if (*p == '[') {
				next = match_set(p + 1, (unsigned char)*s, &hit);
			}
			if (!next && *p) {
				next = p + 1;
				hit = *p == *s;
			}
			if (hit) {
				p = next;
				s++;
				continue;
			}
		} else if (!*p) {
			return true;
		}
		/* mismatch: let the last '*' swallow one more character */
		if (!star_p || !*star_s)
			return false;
		p = star_p;
		s = ++star_s;
	}
}

int mt_glob_match(const char *pattern, const char *string)
{
	if (needs_fnmatch(pattern))
		return fnmatch(pattern, string, 0) == 0;
	return match(pattern, string, false);
}

int mt_glob_could_match(const char *prefix, const char *string)
{
	/* a prefix may end inside a [...] set: then it cannot be judged */
	return needs_fnmatch(prefix) || match(prefix, string, true);
}
