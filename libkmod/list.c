/*
 * list.c — kmod's lists: circular, doubly linked, a list being its first
 * entry, with kmod_list_next/prev/last walking them as kmod's do (NULL past
 * either end).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include "internal.h"

static struct kmod_list *new_entry(void *data)
{
	struct kmod_list *e = malloc(sizeof(*e));

	if (e) {
		e->next = e->prev = e;
		e->data = data;
	}
	return e;
}

int lk_list_append(struct kmod_list **list, void *data)
{
	struct kmod_list *e = new_entry(data), *first = *list;

	if (!e)
		return -ENOMEM;
	if (first) {
		e->prev = first->prev;
		e->next = first;
		first->prev->next = e;
		first->prev = e;
	} else {
		*list = e;
	}
	return 0;
}

int lk_list_prepend(struct kmod_list **list, void *data)
{
	int err = lk_list_append(list, data);

	if (err == 0)
		*list = (*list)->prev;
	return err;
}

struct kmod_list *lk_list_remove_first(struct kmod_list *list)
{
	struct kmod_list *rest = list->next == list ? NULL : list->next;

	list->prev->next = list->next;
	list->next->prev = list->prev;
	free(list);
	return rest;
}

void lk_list_free(struct kmod_list *list, void (*free_data)(void *data))
{
	while (list) {
		if (free_data)
			free_data(list->data);
		list = lk_list_remove_first(list);
	}
}

struct kmod_list *kmod_list_next(const struct kmod_list *list, const struct kmod_list *curr)
{
	if (!list || !curr || curr->next == list)
		return NULL;
	return curr->next;
}

struct kmod_list *kmod_list_prev(const struct kmod_list *list, const struct kmod_list *curr)
{
	if (!list || !curr || curr == list)
		return NULL;
	return curr->prev;
}

struct kmod_list *kmod_list_last(const struct kmod_list *list)
{
	return list ? list->prev : NULL;
}
