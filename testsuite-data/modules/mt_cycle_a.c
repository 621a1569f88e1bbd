// SPDX-License-Identifier: GPL-2.0
/*
 * mt_cycle_a.c — one half of a modtool test dependency cycle: exports
 * mt_cycle_a_value() and uses mt_cycle_b_value() from mt_cycle_b.
 * The pair cannot be loaded; it exists to test depmod's cycle detection.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>

int mt_cycle_b_value(void);

int mt_cycle_a_value(void)
{
	return 1;
}
EXPORT_SYMBOL_GPL(mt_cycle_a_value);

static int __init mt_cycle_a_init(void)
{
	pr_info("loaded, other value=%d\n", mt_cycle_b_value());
	return 0;
}

static void __exit mt_cycle_a_exit(void)
{
	pr_info("unloaded\n");
}

module_init(mt_cycle_a_init);
module_exit(mt_cycle_a_exit);

MODULE_DESCRIPTION("modtool test module, half of a dependency cycle");
MODULE_AUTHOR("modtool tests");
MODULE_LICENSE("GPL");
