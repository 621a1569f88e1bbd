/*
 * test-devname.c — reading modules.devname: entries in file order, comments,
 * a missing last newline, CR line ends, the number range, every kind of bad
 * line reported with file and line and skipped, NUL bytes, a long file, and
 * files that are missing or cannot be read.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>
#include "libmodtool.h"
#include "tap.h"

static char dir[4096];
static char path[4200];
static char messages[16384];
static struct mt_ctx *ctx;

static void collect(int priority, const char *msg, void *data)
{
	(void)data;
	if (priority == LOG_ERR && strlen(messages) + strlen(msg) < sizeof(messages))
		strcat(messages, msg);
}

static void write_file(const char *text, size_t len)
{
	FILE *fp = fopen(path, "w");

	if (!fp || fwrite(text, 1, len, fp) != len || fclose(fp) != 0) {
		perror(path);
		exit(1);
	}
}

/* Read `text` as modules.devname; the entries, count of bad lines and
 * messages are left in the arguments and `messages`. */
static int read_text(const char *text, struct mt_devname **list, int *bad)
{
	write_file(text, strlen(text));
	messages[0] = '\0';
	return mt_devnames_read(ctx, path, list, bad);
}

static void check_one_bad(const char *line, const char *why)
{
	struct mt_devname *list = NULL;
	char want[8192];
	int bad, n = read_text(line, &list, &bad);

	snprintf(want, sizeof(want), "%s:1: invalid devname entry: %s\n", path, why);
	tap_ok(n == 0 && bad == 1, "'%.*s' is a bad line", (int)strcspn(line, "\n"), line);
	tap_is_str(messages, want, "'%.*s': reported with file and line",
		   (int)strcspn(line, "\n"), line);
	mt_devnames_free(list, n > 0 ? n : 0);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	struct mt_devname *list = NULL;
	char *big, *p;
	int n, bad;

	snprintf(dir, sizeof(dir), "%s/test-devname.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(path, sizeof(path), "%s/modules.devname", dir);
	if (mt_ctx_new(dir, &ctx) < 0) {
		printf("Bail out! %s\n", mt_last_error());
		return 1;
	}
	mt_ctx_set_log_fn(ctx, collect, NULL);

	n = read_text("# Device nodes to trigger on-demand module loading.\n"
		      "fuse fuse c10:229\n"
		      "tun net/tun c10:200\n"
		      "\tdm_mod  mapper/control\tc10:236  \n"
		      "loop loop-control b7:0\r\n"
		      "big big c4294967295:4294967295", &list, &bad);
	tap_is_int(n, 5, "five entries");
	tap_is_int(bad, 0, "no bad line");
	tap_is_str(messages, "", "no message");
	if (n == 5) {
		tap_is_str(list[0].module, "fuse", "first module");
		tap_is_str(list[0].devname, "fuse", "first node");
		tap_ok(list[0].type == 'c' && list[0].major == 10 && list[0].minor == 229,
		       "first: c 10:229");
		tap_is_str(list[1].devname, "net/tun", "a node in a subdirectory");
		tap_is_str(list[2].module, "dm_mod", "tabs and runs of blanks separate fields");
		tap_is_str(list[2].devname, "mapper/control", "third node");
		tap_ok(list[3].type == 'b' && list[3].major == 7 && list[3].minor == 0,
		       "a block device, on a CR LF line");
		tap_ok(list[4].major == 4294967295u && list[4].minor == 4294967295u,
		       "numbers up to 4294967295, on a last line without newline");
	}
	mt_devnames_free(list, n > 0 ? n : 0);

	n = read_text("", &list, &bad);
	tap_ok(n == 0 && bad == 0, "an empty file has no entries");
	mt_devnames_free(list, n > 0 ? n : 0);
	n = read_text("# only a comment\n", &list, &bad);
	tap_ok(n == 0 && bad == 0, "a comment is no entry");
	mt_devnames_free(list, n > 0 ? n : 0);

	check_one_bad("\n", "0 fields instead of 3 (MODULE DEVNAME TYPEMAJOR:MINOR)");
	check_one_bad("fuse fuse\n", "2 fields instead of 3 (MODULE DEVNAME TYPEMAJOR:MINOR)");
	check_one_bad(" # not at the start\n", "more than 3 fields");
	check_one_bad("fuse fuse c10:229 x\n", "more than 3 fields");
	check_one_bad("a b x1:2\n", "device 'x1:2' is neither c(haracter) nor b(lock)");
	check_one_bad("a b C1:2\n", "device 'C1:2' is neither c(haracter) nor b(lock)");
	check_one_bad("a b c\n", "device 'c' is not TYPEMAJOR:MINOR with decimal numbers");
	check_one_bad("a b c:1\n", "device 'c:1' is not TYPEMAJOR:MINOR with decimal numbers");
	check_one_bad("a b c1:\n", "device 'c1:' is not TYPEMAJOR:MINOR with decimal numbers");
	check_one_bad("a b c1:2:3\n", "device 'c1:2:3' is not TYPEMAJOR:MINOR with decimal numbers");
	check_one_bad("a b c+1:2\n", "device 'c+1:2' is not TYPEMAJOR:MINOR with decimal numbers");
	check_one_bad("a b c0x1:2\n", "device 'c0x1:2' is not TYPEMAJOR:MINOR with decimal numbers");
	check_one_bad("a b c1:4294967296\n",
		      "device 'c1:4294967296' is not TYPEMAJOR:MINOR with decimal numbers");
	check_one_bad("a b c99999999999999999999:1\n",
		      "device 'c99999999999999999999:1' is not TYPEMAJOR:MINOR with decimal numbers");
	check_one_bad("a /b c1:2\n", "device name '/b' does not stay below /dev");
	check_one_bad("a .. c1:2\n", "device name '..' does not stay below /dev");
	check_one_bad("a x/../../b c1:2\n", "device name 'x/../../b' does not stay below /dev");
	check_one_bad("a x/. c1:2\n", "device name 'x/.' does not stay below /dev");
	check_one_bad("a x//y c1:2\n", "device name 'x//y' does not stay below /dev");
	check_one_bad("a x/ c1:2\n", "device name 'x/' does not stay below /dev");

	/* Dots inside names are fine. */
	n = read_text("a .x/..y c1:2\n", &list, &bad);
	tap_ok(n == 1 && bad == 0 && strcmp(list[0].devname, ".x/..y") == 0,
	       "components '.x' and '..y' are names");
	mt_devnames_free(list, n > 0 ? n : 0);

	/* Bad lines are skipped; line numbers count comments and bad lines. */
	n = read_text("# c\na b c1:1\nbad\nc d b2:2\n", &list, &bad);
	tap_ok(n == 2 && bad == 1 && strcmp(list[1].module, "c") == 0,
	       "the entries around a bad line are kept");
	{
		char want[8192];

		snprintf(want, sizeof(want), "%s:3: invalid devname entry: 1 field instead of 3 "
			 "(MODULE DEVNAME TYPEMAJOR:MINOR)\n", path);
		tap_is_str(messages, want, "the bad line's number");
	}
	mt_devnames_free(list, n > 0 ? n : 0);

	{
		static const char text[] = "a b c1:1\nx\0y z c1:1\nc d c2:2\n";

		write_file(text, sizeof(text) - 1);
	}
	messages[0] = '\0';
	n = mt_devnames_read(ctx, path, &list, &bad);
	tap_ok(n == 2 && bad == 1, "a line with a NUL byte is bad, the others are kept");
	{
		char want[8192];

		snprintf(want, sizeof(want), "%s:2: invalid devname entry: a NUL byte in the line\n",
			 path);
		tap_is_str(messages, want, "the NUL byte is reported");
	}
	mt_devnames_free(list, n > 0 ? n : 0);

	/* Many entries (the array grows) and a long line. */
	big = malloc(20000 * 32 + 100000);
	p = big;
	for (int i = 0; i < 20000; i++)
		p += sprintf(p, "m%d n%d c%d:%d\n", i, i, i % 4096, i);
	p += sprintf(p, "long ");
	memset(p, 'x', 90000);
	p += 90000;
	strcpy(p, " c1:1\n");
	n = read_text(big, &list, &bad);
	tap_ok(n == 20001 && bad == 0, "20000 entries and one with a 90000-byte node name");
	if (n == 20001)
		tap_ok(strcmp(list[19999].devname, "n19999") == 0 && list[19999].minor == 19999 &&
		       strlen(list[20000].devname) == 90000, "the last entries are intact");
	mt_devnames_free(list, n > 0 ? n : 0);
	free(big);

	unlink(path);
	n = mt_devnames_read(ctx, path, &list, &bad);
	tap_is_int(n, -ENOENT, "a missing file: -ENOENT");
	mkdir(path, 0755);
	n = mt_devnames_read(ctx, path, &list, &bad);
	tap_is_int(n, -EISDIR, "a directory: -EISDIR");
	{
		char want[8192];

		snprintf(want, sizeof(want), "could not read %s: Is a directory", path);
		tap_is_str(mt_last_error(), want, "a directory: the read error names the file");
	}
	rmdir(path);
	rmdir(dir);
	mt_ctx_free(ctx);
	return tap_done();
}
