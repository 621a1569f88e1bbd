// SPDX-License-Identifier: GPL-2.0
/*
 * mt_chain_c.c — end of the modtool test dependency chain
 * mt_chain_a -> mt_chain_b -> mt_chain_c; exports mt_chain_c_value().
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>

int mt_chain_c_value(void)
{
	return 3;
}
EXPORT_SYMBOL_GPL(mt_chain_c_value);

static int __init mt_chain_c_init(void)
{
	pr_info("loaded\n");
	return 0;
}

static void __exit mt_chain_c_exit(void)
{
	pr_info("unloaded\n");
}

module_init(mt_chain_c_init);
module_exit(mt_chain_c_exit);

MODULE_DESCRIPTION("modtool test module, last link of a dependency chain");
MODULE_AUTHOR("modtool tests");
MODULE_LICENSE("GPL");
