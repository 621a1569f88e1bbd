// SPDX-License-Identifier: GPL-2.0
/*
 * hello.c — modtool test module with an int and a string parameter,
 * both readable under /sys/module/hello/parameters/.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

static int greeting;
module_param(greeting, int, 0444);
MODULE_PARM_DESC(greeting, "Number printed when loaded (default 0)");

static char *name = "world";
module_param(name, charp, 0444);
MODULE_PARM_DESC(name, "Name printed when loaded (default \"world\")");

static int __init hello_init(void)
{
	pr_info("loaded, greeting=%d name=%s\n", greeting, name);
	return 0;
}

static void __exit hello_exit(void)
{
	pr_info("unloaded\n");
}

module_init(hello_init);
module_exit(hello_exit);

MODULE_DESCRIPTION("modtool test module with parameters");
MODULE_AUTHOR("modtool tests");
MODULE_LICENSE("GPL");
MODULE_ALIAS("hello-alias");
