// SPDX-License-Identifier: GPL-2.0
/*
 * mt_provider.c — modtool test module exporting mt_provider_value(),
 * used by mt_consumer.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>

int mt_provider_value(void)
{
	return 42;
}
EXPORT_SYMBOL_GPL(mt_provider_value);

static int __init mt_provider_init(void)
{
	pr_info("loaded\n");
	return 0;
}

static void __exit mt_provider_exit(void)
{
	pr_info("unloaded\n");
}

module_init(mt_provider_init);
module_exit(mt_provider_exit);

MODULE_DESCRIPTION("modtool test module exporting a symbol");
MODULE_AUTHOR("modtool tests");
MODULE_LICENSE("GPL");
