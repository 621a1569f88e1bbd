// SPDX-License-Identifier: GPL-2.0
/*
 * mt_decl.c — modtool test module carrying declarations for modprobe and
 * depmod: plain, PCI and devname aliases, a misc-device alias
 * (char-major-10-250), a soft dependency and a bool parameter.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/init.h>
#include <linux/miscdevice.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

static bool verbose;
module_param(verbose, bool, 0444);
MODULE_PARM_DESC(verbose, "Print more when loaded (default N)");

static int __init mt_decl_init(void)
{
	pr_info("loaded, verbose=%c\n", verbose ? 'Y' : 'N');
	return 0;
}

static void __exit mt_decl_exit(void)
{
	pr_info("unloaded\n");
}

module_init(mt_decl_init);
module_exit(mt_decl_exit);

MODULE_DESCRIPTION("modtool test module with aliases and a softdep");
MODULE_AUTHOR("modtool tests");
MODULE_LICENSE("GPL");
MODULE_ALIAS("mt-decl-alias");
MODULE_ALIAS("pci:v0000ABCDd*sv*sd*bc*sc*i*");
MODULE_ALIAS("devname:mt_decl");
MODULE_ALIAS_MISCDEV(250);
MODULE_SOFTDEP("pre: mt_provider post: hello");
