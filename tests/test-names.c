/*
 * test-names.c — name, module-name and alias normalization.
 */
#include <errno.h>
#include "libmodtool.h"
#include "tap.h"

static void check_modname(const char *in, const char *want, int want_ret)
{
	char buf[64];
	int ret = mt_modname_normalize(in, buf, sizeof(buf));

	if (want) {
		tap_is_int(ret, (int)strlen(want), "modname '%s' length", in);
		tap_is_str(ret >= 0 ? buf : NULL, want, "modname '%s'", in);
	} else {
		tap_is_int(ret, want_ret, "modname '%s' is rejected", in);
	}
}

static void check_name(const char *in, const char *want)
{
	char buf[64];
	int ret = mt_name_normalize(in, buf, sizeof(buf));

	tap_is_int(ret, (int)strlen(want), "name '%s' length", in);
	tap_is_str(ret >= 0 ? buf : NULL, want, "name '%s'", in);
}

static void check_alias(const char *in, const char *want, int want_ret)
{
	char buf[64];
	int ret = mt_alias_normalize(in, buf, sizeof(buf));

	if (want)
		tap_is_str(ret >= 0 ? buf : NULL, want, "alias '%s'", in);
	else
		tap_is_int(ret, want_ret, "alias '%s' is rejected", in);
}

int main(void)
{
	char small[4];

	check_modname("snd-hda-intel.ko", "snd_hda_intel", 0);
	check_modname("/lib/modules/x/kernel/a.ko.gz.x.ko", "a", 0);
	check_modname("dir.d/foo-bar", "foo_bar", 0);
	check_modname("ext4", "ext4", 0);
	check_modname("/", NULL, -EINVAL);
	check_modname(".ko", NULL, -EINVAL);
	tap_is_int(mt_modname_normalize("abcdef", small, sizeof(small)), -ENAMETOOLONG,
		   "modname longer than the buffer");

	check_name("snd-hda-intel.ko", "snd_hda_intel");
	check_name("a/b-c", "a/b_c");
	check_name("/ext4", "/ext4");
	check_name("..", "");
	check_name("", "");
	check_name("foo[-]", "foo[_]");
	tap_is_int(mt_name_normalize("abcdef", small, sizeof(small)), -ENAMETOOLONG,
		   "name longer than the buffer");
	tap_is_int(mt_name_normalize("abc", small, sizeof(small)), 3, "name filling the buffer");
	tap_is_int(mt_name_normalize("", small, 0), -ENAMETOOLONG, "no buffer");

	check_alias("pci:v00008086d*sv*", "pci:v00008086d*sv*", 0);
	check_alias("foo-bar[0-9-]*", "foo_bar[0-9-]*", 0);
	check_alias("snd-hda.x-y", "snd_hda.x_y", 0);
	check_alias("a]b", NULL, -EINVAL);
	check_alias("a[b", NULL, -EINVAL);
	tap_is_int(mt_alias_normalize("abcdef", small, sizeof(small)), -ENAMETOOLONG,
		   "alias longer than the buffer");
	tap_is_int(mt_alias_normalize("[abcdef]", small, sizeof(small)), -ENAMETOOLONG,
		   "bracket longer than the buffer");
	return tap_done();
}
