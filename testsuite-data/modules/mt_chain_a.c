// SPDX-License-Identifier: GPL-2.0
/*
 * mt_chain_a.c — head of the modtool test dependency chain
 * mt_chain_a -> mt_chain_b -> mt_chain_c; calls mt_chain_b_value() at init.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>

int mt_chain_b_value(void);

static int __init mt_chain_a_init(void)
{
	pr_info("loaded, chain value=%d\n", mt_chain_b_value());
	return 0;
}

static void __exit mt_chain_a_exit(void)
{
	pr_info("unloaded\n");
}

module_init(mt_chain_a_init);
module_exit(mt_chain_a_exit);

MODULE_DESCRIPTION("modtool test module, first link of a dependency chain");
MODULE_AUTHOR("modtool tests");
MODULE_LICENSE("GPL");
