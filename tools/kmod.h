/*
 * kmod.h — the programs inside the kmod binary.  kmod.c runs one of them by
 * the name it is called as (a symlink named insmod runs insmod_main) or, as
 * `kmod COMMAND`, by the command; each takes its argc/argv as a main() does.
 */
#ifndef MT_TOOLS_KMOD_H
#define MT_TOOLS_KMOD_H

int insmod_main(int argc, char *argv[]);
int rmmod_main(int argc, char *argv[]);
int lsmod_main(int argc, char *argv[]);
int modinfo_main(int argc, char *argv[]);
int modprobe_main(int argc, char *argv[]);
int depmod_main(int argc, char *argv[]);
int static_nodes_main(int argc, char *argv[]);
int closure_main(int argc, char *argv[]);

#endif
