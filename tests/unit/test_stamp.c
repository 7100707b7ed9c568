/*
 * test_stamp.c: cache files checked once (base.h: stamp_ok, stamp_put).
 * A stamp is written only for a big file whose last change has settled,
 * is taken only for the same file unchanged with the same stated sum,
 * and is refused after any write to the file (also one that keeps its
 * size and sets its modification time back), a copy renamed over it,
 * or damage to the stamp itself.
 */
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base.h"
#include "check.h"

static char dir[] = "/tmp/fg-stamp-XXXXXX";

/* A file of n bytes at path (its stat in *sb): 0/-1. */
static int
make(const char *path, size_t n, struct stat *sb)
{
	char *b = malloc(n);
	FILE *fp;
	size_t i;
	int ok;

	if (b == NULL || (fp = fopen(path, "wb")) == NULL) {
		free(b);
		return -1;
	}
	for (i = 0; i < n; i++)
		b[i] = (char)(i * 131 + 7);
	ok = fwrite(b, 1, n, fp) == n;
	free(b);
	if (fclose(fp) != 0 || !ok)
		return -1;
	return stat(path, sb);
}

static int
exists(const char *path)
{
	return access(path, F_OK) == 0;
}

int
main(void)
{
	char big[256], small[256], ok[256], copy[256], cmd[1200];
	struct stat sb, ssb, now, old;
	struct timespec ts[2];
	int fd;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	snprintf(big, sizeof(big), "%s/cu-index", dir);
	snprintf(ok, sizeof(ok), "%s/cu-index.ok", dir);
	snprintf(small, sizeof(small), "%s/small", dir);
	snprintf(copy, sizeof(copy), "%s/copy", dir);
	CHECK(make(big, (size_t)STAMP_MIN + 4096, &sb) == 0);
	CHECK(make(small, 4096, &ssb) == 0);

	/* just written: its change time has not settled, no stamp */
	stamp_put(big, &sb, 42);
	CHECK(!exists(ok));
	CHECK(stamp_ok(big, &sb, 42) == 0);

	sleep(STAMP_SETTLE + 2);
	stamp_put(big, &sb, 42);
	CHECK(exists(ok));
	CHECK(stamp_ok(big, &sb, 42) == 1);
	CHECK(stamp_ok(big, &sb, 43) == 0);	/* another stated sum */
	/* a small file is checked every time: never stamped */
	stamp_put(small, &ssb, 42);
	CHECK(stamp_ok(small, &ssb, 42) == 0);
	snprintf(cmd, sizeof(cmd), "%s.ok", small);
	CHECK(!exists(cmd));

	/* one byte written in place, same size, then the time set back */
	CHECK((fd = open(big, O_WRONLY)) >= 0);
	CHECK(pwrite(fd, "x", 1, 1000) == 1);
	close(fd);
	CHECK(stat(big, &now) == 0);
	CHECK(stamp_ok(big, &now, 42) == 0);
	ts[0] = sb.st_atim;
	ts[1] = sb.st_mtim;
	CHECK(utimensat(AT_FDCWD, big, ts, 0) == 0);
	CHECK(stat(big, &now) == 0);
	CHECK(now.st_size == sb.st_size &&
	    now.st_mtim.tv_sec == sb.st_mtim.tv_sec &&
	    now.st_mtim.tv_nsec == sb.st_mtim.tv_nsec);
	CHECK(stamp_ok(big, &now, 42) == 0);	/* the change time moved */

	/* the same bytes in another file renamed over it: another inode */
	old = now;
	sleep(STAMP_SETTLE + 2);
	stamp_put(big, &old, 7);
	CHECK(stamp_ok(big, &old, 7) == 1);
	snprintf(cmd, sizeof(cmd), "cp %s %s && mv %s %s", big, copy, copy,
	    big);
	CHECK(system(cmd) == 0);
	CHECK(stat(big, &now) == 0);
	CHECK(stamp_ok(big, &now, 7) == 0);

	/* a damaged or short stamp is not taken */
	CHECK(stamp_ok(big, &old, 7) == 1);	/* as the stat it was made of */
	CHECK((fd = open(ok, O_WRONLY)) >= 0);
	CHECK(pwrite(fd, "\x01", 1, 20) == 1);
	close(fd);
	CHECK(stamp_ok(big, &old, 7) == 0);
	CHECK(truncate(ok, 16) == 0);
	CHECK(stamp_ok(big, &old, 7) == 0);
	/* a stamp that is not a regular file, or none */
	CHECK(unlink(ok) == 0);
	CHECK(stamp_ok(big, &old, 7) == 0);
	CHECK(mkdir(ok, 0700) == 0);
	CHECK(stamp_ok(big, &old, 7) == 0);
	stamp_put(big, &now, 7);	/* cannot replace a directory: no harm */
	CHECK(stamp_ok(big, &now, 7) == 0);

	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
	return check_done("test_stamp");
}
