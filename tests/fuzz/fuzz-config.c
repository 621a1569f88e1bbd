/*
 * fuzz-config.c — fuzz target of the configuration parsers: the input is a
 * modprobe.d file (read by mt_config_read for the context, then queried for
 * every name it mentions and dumped as `modprobe -c` does), the kernel command line (its
 * first KERNEL_CMDLINE_MAX bytes, as /proc/cmdline is read) and a depmod.d
 * file.
 *
 * The command line parser is internal to config.c, which reads it from
 * /proc/cmdline only: the target compiles config.c into itself to call it
 * on the input.  (The library's own copy of config.c is then not linked.)
 */
#include "fuzz.h"
#include "../../lib/config.c"
#include "depmod-config.h"

static void query(const struct mt_config *cfg, const char *name, const char *pattern)
{
	const char *const *pre, *const *post;
	int npre, npost;
	char *options;

	options = mt_config_options(cfg, name, pattern);
	fuzz_use_str(options);
	free(options);
	fuzz_use_str(mt_config_install(cfg, name, false));
	fuzz_use_str(mt_config_install(cfg, name, true));
	fuzz_use_str(mt_config_remove(cfg, name, false));
	fuzz_use_str(mt_config_remove(cfg, name, true));
	fuzz_sink += mt_config_blacklisted(cfg, name);
	if (mt_config_softdeps(cfg, name, &pre, &npre, &post, &npost) == 1) {
		for (int i = 0; i < npre; i++)
			fuzz_use_str(pre[i]);
		for (int i = 0; i < npost; i++)
			fuzz_use_str(post[i]);
	}
}

/* Every name the configuration holds, queried. */
static void query_all(const struct mt_config *cfg)
{
	const struct mt_config_alias *aliases;
	const struct option *options = cfg->options.data;
	const struct command *installs = cfg->installs.data, *removes = cfg->removes.data;
	const struct dep *softdeps = cfg->softdeps.data;
	char *const *blacklist = cfg->blacklist.data;
	int n;

	aliases = mt_config_aliases(cfg, &n);
	for (int i = 0; i < n; i++) {
		query(cfg, aliases[i].modname, aliases[i].pattern);
		query(cfg, aliases[i].pattern, NULL);
	}
	for (int i = 0; i < cfg->options.count; i++)
		query(cfg, options[i].name, NULL);
	for (int i = 0; i < cfg->installs.count; i++)
		query(cfg, installs[i].name, NULL);
	for (int i = 0; i < cfg->removes.count; i++)
		query(cfg, removes[i].name, NULL);
	for (int i = 0; i < cfg->softdeps.count; i++)
		query(cfg, softdeps[i].name, NULL);
	for (int i = 0; i < cfg->blacklist.count; i++)
		query(cfg, blacklist[i], NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[PATH_MAX], cmdline[KERNEL_CMDLINE_MAX + 1];
	const char *paths[2] = { path, NULL };
	const struct dm_log log = { .ctx = fuzz_ctx() };
	struct mt_config *cfg;
	struct dm_config dcfg;
	size_t len = size < KERNEL_CMDLINE_MAX ? size : KERNEL_CMDLINE_MAX;

	fuzz_write(fuzz_path(path, sizeof(path), "fuzz.conf"), data, size);
	if (mt_config_read(fuzz_ctx(), paths, 1, &cfg) == 0) {
		memcpy(cmdline, data, len);
		cmdline[len] = '\0';
		if (cmdline_parse(cfg, cmdline) == 0) {
			query_all(cfg);
			query(cfg, "absent", NULL);
			mt_config_dump(cfg, fuzz_null());
		}
		mt_config_free(cfg);
	}
	if (dm_config_load(&dcfg, paths, "6.1.0-fuzz", &log) == 0)
		dm_config_release(&dcfg);
	return 0;
}
