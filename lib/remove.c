/*
 * remove.c — removing modules as rmmod and modprobe -r do: rmmod's checks
 * before delete_module, and modprobe's cascade through soft dependencies,
 * holders, remove commands and unused modules.dep dependencies, with the
 * -w retry of a busy module.  What happens is reported as events for the
 * caller to word.  Within one cascade no module is removed twice, as in
 * kmod's main branch.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <syslog.h>
#include <time.h>
#include "internal.h"

/* One modprobe -r: what every module of the cascade shares. */
struct removal {
	struct mt_ctx *ctx;
	const struct mt_config *cfg;
	unsigned flags;
	unsigned long wait_msec;
	mt_remove_show_fn show;
	void *data;
	/* The modules this cascade removed (or, in a dry run, showed removed):
	 * reached again, through a holder's dependencies or soft dependencies,
	 * they are skipped, where kmod 34.2 failed on a second delete_module. */
	char **removed;
	int nremoved;
};

/* The modules whose removal is under way, innermost first. */
struct in_progress {
	const char *name;
	const struct in_progress *outer;
};

static bool was_removed(const struct removal *r, const char *name)
{
	for (int i = 0; i < r->nremoved; i++)
		if (strcmp(r->removed[i], name) == 0)
			return true;
	return false;
}

static int mark_removed(struct removal *r, const char *name)
{
	return mt_strv_push(&r->removed, &r->nremoved, name) < 0 ? -ENOMEM : 0;
}

static bool under_way(const struct in_progress *p, const char *name)
{
	for (; p; p = p->outer)
		if (strcmp(p->name, name) == 0)
			return true;
	return false;
}

/* Tell the caller about `event` and return err. */
static int report(mt_remove_show_fn show, void *data, struct mt_remove_event *event,
		  enum mt_remove_event_kind kind, int err)
{
	event->kind = kind;
	event->err = err;
	if (show)
		show(event, data);
	return err;
}

int mt_remove_check(struct mt_ctx *ctx, const char *name, mt_remove_show_fn show, void *data)
{
	struct mt_remove_event event = { .name = name };
	char **holders;
	long refcnt;
	int state, n, err;

	state = mt_module_initstate(ctx, name);
	if (state == MT_INITSTATE_BUILTIN)
		return report(show, data, &event, MT_REMOVE_BUILTIN, -ENOENT);
	if (state <= MT_INITSTATE_NONE) {
		if (state < 0)
			mt_log(ctx, LOG_ERR, "%s\n", mt_last_error());
		return report(show, data, &event, MT_REMOVE_NOT_LOADED, -ENOENT);
	}
	n = mt_module_holders(name, &holders);
	if (n < 0)
		mt_log(ctx, LOG_ERR, "%s\n", mt_last_error());
	if (n > 0) {
		event.holders = (const char *const *)holders;
		event.nholders = n;
		report(show, data, &event, MT_REMOVE_HELD, -EBUSY);
		mt_strv_free(holders, n);
		return -EBUSY;
	}
	err = mt_module_refcnt(name, &refcnt);
	if (err == -EINVAL)
		mt_log(ctx, LOG_ERR, "%s\n", mt_last_error());
	if (err == -ENOENT)
		return report(show, data, &event, MT_REMOVE_UNSUPPORTED, err);
	if (err < 0)
		return err;
	if (refcnt > 0)
		return report(show, data, &event, MT_REMOVE_IN_USE, -EBUSY);
	return 0;
}

static unsigned long msec_since(const struct timespec *start)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (unsigned long)((now.tv_sec - start->tv_sec) * 1000 +
			       (now.tv_nsec - start->tv_nsec) / 1000000);
}

/* delete_module, with MT_PROBE_WAIT retrying a busy module after 2, 4,
 * 8... ms until the deadline; nothing for a module already removed. */
static int delete_waiting(struct removal *r, const char *name)
{
	struct mt_remove_event event = { .name = name };
	unsigned force = r->flags & MT_REMOVE_FORCE;
	bool wait = r->flags & MT_PROBE_WAIT;
	unsigned long delay_ms = 2, elapsed;
	struct timespec start, sleep;
	int err;

	if (was_removed(r, name))
		return 0;
	report(r->show, r->data, &event, MT_REMOVE_DELETING, 0);
	if (r->flags & MT_PROBE_DRY_RUN)
		return mark_removed(r, name);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		err = mt_remove_module(r->ctx, name, force | (wait ? MT_REMOVE_QUIET : 0));
		if (err != -EAGAIN || !wait)
			break;
		elapsed = msec_since(&start);
		if (elapsed >= r->wait_msec)
			break;
		if (delay_ms > r->wait_msec - elapsed)
			delay_ms = r->wait_msec - elapsed;
		sleep = (struct timespec){ (time_t)(delay_ms / 1000), (long)(delay_ms % 1000) * 1000000 };
		if (nanosleep(&sleep, NULL) < 0) {
			report(r->show, r->data, &event, MT_REMOVE_SLEEP_FAILED, -errno);
			break;
		}
		delay_ms *= 2;
	}
	/* the message mt_remove_module() recorded but did not log */
	if (err < 0 && wait)
		mt_log(r->ctx, LOG_ERR, "%s\n", mt_last_error());
	if (err == 0)
		return mark_removed(r, name);
	if (err == -EEXIST) {
		if (!(r->flags & MT_PROBE_FAIL_ON_LOADED))
			return 0;
		report(r->show, r->data, &event, MT_REMOVE_NOT_LOADED, err);
	}
	return err;
}

/* Names of NAME's modules.dep dependencies in line order; none when one
 * of them cannot be named (as kmod gives up on such a line). */
static int dependency_names(const struct removal *r, const char *name, char ***out)
{
	struct mt_modref ref = { .name = (char *)name };
	char **names = NULL, buf[PATH_MAX];
	int count = 0, err = 0;

	if (mt_module_dep(r->ctx, &ref) > 0) {
		for (int i = 0; i < ref.ndeps && err >= 0; i++) {
			err = mt_modname_normalize(ref.deps[i], buf, sizeof(buf));
			if (err >= 0)
				err = mt_strv_push(&names, &count, buf);
		}
	}
	free(ref.path);
	mt_strv_free(ref.deps, ref.ndeps);
	if (err < 0) {
		mt_strv_free(names, count);
		names = NULL;
		count = 0;
	}
	*out = names;
	return count;
}

/* kmod's REMOVE(name); only the module's own failure is returned, those of
 * its soft dependencies and dependencies are ignored.  A module removed
 * earlier in the cascade is skipped, and so is one reached again while its
 * own removal is under way: soft dependencies can form a loop, which kmod
 * follows until the stack overflows when nothing gets removed on the way
 * (a loop of post dependencies, or any loop in a dry run). */
static int remove_module(struct removal *r, const struct in_progress *outer, const char *name,
			 bool recursive, bool holders)
{
	const struct in_progress self = { name, outer };
	const char *const *pre_names = NULL, *const *post_names = NULL;
	struct mt_remove_event event = { .name = name };
	struct mt_modref *pre = NULL, *post = NULL;
	char **deps = NULL, **holder_names = NULL;
	int npre = 0, npost = 0, npre_names = 0, npost_names = 0, ndeps = 0, nholders = 0;
	int err = 0;

	if (was_removed(r, name) || under_way(outer, name))
		return 0;
	if (!(r->flags & MT_PROBE_IGNORE_COMMAND) && r->cfg) {
		if (mt_config_softdeps(r->cfg, name, &pre_names, &npre_names, &post_names,
				       &npost_names) > 0) {
			npre = mt_lookup_softdeps(r->ctx, pre_names, npre_names, &pre);
			npost = npre < 0 ? 0 : mt_lookup_softdeps(r->ctx, post_names, npost_names, &post);
			if (npre < 0 || npost < 0) {
				err = -ENOMEM;
				goto done;
			}
		}
		event.command = mt_config_remove(r->cfg, name, false);
	}
	if (!event.command && !(r->flags & MT_PROBE_IGNORE_LOADED)) {
		int state = mt_module_initstate(r->ctx, name);

		if (state == MT_INITSTATE_BUILTIN) {
			if (!recursive)
				err = report(r->show, r->data, &event, MT_REMOVE_BUILTIN, -ENOENT);
			goto done;
		}
		if (state <= MT_INITSTATE_NONE) {
			if (r->flags & MT_PROBE_FAIL_ON_LOADED)
				err = report(r->show, r->data, &event, MT_REMOVE_NOT_LOADED, -ENOENT);
			goto done;
		}
	}
	for (int i = npost - 1; i >= 0; i--)
		remove_module(r, &self, post[i].name, true, false);
	if (holders) {
		nholders = mt_module_holders(name, &holder_names);
		for (int i = nholders - 1; i >= 0 && err >= 0; i--)
			err = remove_module(r, &self, holder_names[i], true, false);
		if (err < 0)
			goto done;
	}
	if (!event.command && !(r->flags & (MT_PROBE_IGNORE_LOADED | MT_PROBE_WAIT))) {
		long refcnt;

		if (mt_module_refcnt(name, &refcnt) >= 0 && refcnt > 0) {
			err = report(r->show, r->data, &event, MT_REMOVE_IN_USE, -EBUSY);
			goto done;
		}
	}
	if (event.command) {
		report(r->show, r->data, &event, MT_REMOVE_RUNNING_COMMAND, 0);
		if (!(r->flags & MT_PROBE_DRY_RUN) &&
		    mt_run_command(r->ctx, "remove", event.command, name, "") < 0) {
			err = report(r->show, r->data, &event, MT_REMOVE_COMMAND_FAILED, -EINVAL);
			goto done;
		}
		err = mark_removed(r, name);
		if (err < 0)
			goto done;
	} else {
		err = delete_waiting(r, name);
		if (err < 0)
			goto done;
		ndeps = dependency_names(r, name, &deps);
		for (int i = ndeps - 1; i >= 0; i--) {
			long refcnt;

			if ((r->flags & MT_PROBE_IGNORE_LOADED) ||
			    (mt_module_refcnt(deps[i], &refcnt) >= 0 && refcnt == 0))
				delete_waiting(r, deps[i]);
		}
	}
	for (int i = npre - 1; i >= 0; i--)
		remove_module(r, &self, pre[i].name, true, false);
done:
	mt_modrefs_free(pre, npre);
	mt_modrefs_free(post, npost);
	mt_strv_free(deps, ndeps);
	mt_strv_free(holder_names, nholders > 0 ? nholders : 0);
	return err;
}

int mt_probe_remove(struct mt_ctx *ctx, const char *name, unsigned flags,
		    unsigned long wait_msec, mt_remove_show_fn show, void *data)
{
	struct removal r = {
		.ctx = ctx,
		.cfg = mt_ctx_config(ctx),
		.flags = flags,
		.wait_msec = wait_msec,
		.show = show,
		.data = data,
	};
	int err = remove_module(&r, NULL, name, false, flags & MT_PROBE_REMOVE_HOLDERS);

	mt_strv_free(r.removed, r.nremoved);
	return err;
}
