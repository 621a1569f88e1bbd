// SPDX-License-Identifier: GPL-2.0
/*
 * mt_consumer.c — modtool test module that depends on mt_provider by
 * calling mt_provider_value() at init.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>

int mt_provider_value(void);

static int __init mt_consumer_init(void)
{
	pr_info("loaded, provider value=%d\n", mt_provider_value());
	return 0;
}

static void __exit mt_consumer_exit(void)
{
	pr_info("unloaded\n");
}

module_init(mt_consumer_init);
module_exit(mt_consumer_exit);

MODULE_DESCRIPTION("modtool test module using a symbol of mt_provider");
MODULE_AUTHOR("modtool tests");
MODULE_LICENSE("GPL");
