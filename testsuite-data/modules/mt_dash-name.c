// SPDX-License-Identifier: GPL-2.0
/*
 * mt_dash-name.c — trivial modtool test module whose file name has a dash
 * (mt_dash-name.ko) while its module name is mt_dash_name.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>

static int __init mt_dash_name_init(void)
{
	pr_info("loaded\n");
	return 0;
}

static void __exit mt_dash_name_exit(void)
{
	pr_info("unloaded\n");
}

module_init(mt_dash_name_init);
module_exit(mt_dash_name_exit);

MODULE_DESCRIPTION("modtool test module with a dash in its file name");
MODULE_AUTHOR("modtool tests");
MODULE_LICENSE("GPL");
