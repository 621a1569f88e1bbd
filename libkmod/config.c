/*
 * config.c — kmod's configuration iterators over libmodtool's entries
 * (mt_config_entry): one kind each, before the first entry until the first
 * kmod_config_iter_next, and, as in kmod, starting over after the end.
 */
#include "config.h"

#include <stdlib.h>
#include "internal.h"

struct kmod_config_iter {
	const struct mt_config *cfg;
	enum mt_config_kind kind;
	int pos;		/* -1: before the first entry, or past the last */
	const char *key, *value;
};

static struct kmod_config_iter *iter_new(const struct kmod_ctx *ctx, enum mt_config_kind kind)
{
	struct kmod_config_iter *iter;
	const struct mt_config *cfg;

	if (!ctx)
		return NULL;
	cfg = mt_ctx_config(ctx->mt);
	if (!cfg)
		return NULL;
	iter = calloc(1, sizeof(*iter));
	if (!iter)
		return NULL;
	iter->cfg = cfg;
	iter->kind = kind;
	iter->pos = -1;
	return iter;
}

struct kmod_config_iter *kmod_config_get_blacklists(const struct kmod_ctx *ctx)
{
	return iter_new(ctx, MT_CONFIG_BLACKLIST);
}

struct kmod_config_iter *kmod_config_get_install_commands(const struct kmod_ctx *ctx)
{
	return iter_new(ctx, MT_CONFIG_INSTALL);
}

struct kmod_config_iter *kmod_config_get_remove_commands(const struct kmod_ctx *ctx)
{
	return iter_new(ctx, MT_CONFIG_REMOVE);
}

struct kmod_config_iter *kmod_config_get_aliases(const struct kmod_ctx *ctx)
{
	return iter_new(ctx, MT_CONFIG_ALIAS);
}

struct kmod_config_iter *kmod_config_get_options(const struct kmod_ctx *ctx)
{
	return iter_new(ctx, MT_CONFIG_OPTIONS);
}

struct kmod_config_iter *kmod_config_get_softdeps(const struct kmod_ctx *ctx)
{
	return iter_new(ctx, MT_CONFIG_SOFTDEP);
}

struct kmod_config_iter *kmod_config_get_weakdeps(const struct kmod_ctx *ctx)
{
	return iter_new(ctx, MT_CONFIG_WEAKDEP);
}

const char *kmod_config_iter_get_key(const struct kmod_config_iter *iter)
{
	return iter && iter->pos >= 0 ? iter->key : NULL;
}

const char *kmod_config_iter_get_value(const struct kmod_config_iter *iter)
{
	return iter && iter->pos >= 0 ? iter->value : NULL;
}

bool kmod_config_iter_next(struct kmod_config_iter *iter)
{
	if (!iter)
		return false;
	iter->pos++;
	if (!mt_config_entry(iter->cfg, iter->kind, iter->pos, &iter->key, &iter->value))
		iter->pos = -1;
	return iter->pos >= 0;
}

/* kmod crashes on NULL. */
void kmod_config_iter_free_iter(struct kmod_config_iter *iter)
{
	free(iter);
}
