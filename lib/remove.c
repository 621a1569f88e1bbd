/*
 * remove.c — removing modules as rmmod and modprobe -r do: rmmod's checks
 * before delete_module, reported as events for the caller to word.
 */
#include "config.h"

#include <errno.h>
#include <syslog.h>
#include "internal.h"

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
			mt_log(LOG_ERR, "%s\n", mt_last_error());
		return report(show, data, &event, MT_REMOVE_NOT_LOADED, -ENOENT);
	}
	n = mt_module_holders(name, &holders);
	if (n < 0)
		mt_log(LOG_ERR, "%s\n", mt_last_error());
	if (n > 0) {
		event.holders = (const char *const *)holders;
		event.nholders = n;
		report(show, data, &event, MT_REMOVE_HELD, -EBUSY);
		mt_strv_free(holders, n);
		return -EBUSY;
	}
	err = mt_module_refcnt(name, &refcnt);
	if (err == -EINVAL)
		mt_log(LOG_ERR, "%s\n", mt_last_error());
	if (err == -ENOENT)
		return report(show, data, &event, MT_REMOVE_UNSUPPORTED, err);
	if (err < 0)
		return err;
	if (refcnt > 0)
		return report(show, data, &event, MT_REMOVE_IN_USE, -EBUSY);
	return 0;
}
