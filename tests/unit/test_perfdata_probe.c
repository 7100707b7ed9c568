/*
 * test_perfdata_probe.c: fg_perfdata_probe() on perf.data headers built
 * here (frame pointers, DWARF stack copies, branch stacks, two events,
 * pipe mode, the other byte order) and on damaged ones (short, wrong
 * magic, header size, attribute size, attributes past the end, missing
 * file), and the source fg_process_source() picks from them.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flamegraph.h"
#include "check.h"

#define ST_IP		(1ULL << 0)
#define ST_TID		(1ULL << 1)
#define ST_TIME		(1ULL << 2)
#define ST_CALLCHAIN	(1ULL << 5)
#define ST_PERIOD	(1ULL << 8)
#define ST_BRANCH	(1ULL << 11)
#define ST_REGS_USER	(1ULL << 12)
#define ST_STACK_USER	(1ULL << 13)
#define ST_FP		(ST_IP | ST_TID | ST_TIME | ST_CALLCHAIN | ST_PERIOD)

#define ATTR_SIZE	(128 + 16)	/* perf_event_attr v7 + id section */

static char dir[] = "/tmp/fg-probe-XXXXXX";
static char file[512];

static void
put64(unsigned char *p, uint64_t v)
{
	for (int i = 0; i < 8; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

static void
put32(unsigned char *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}

/*
 * A file-mode perf.data header with nev attributes of the given
 * sample types (stack copy size stack for those with a stack), and
 * len bytes of it written (0: all).
 */
static const char *
write_rec(const uint64_t *types, size_t nev, uint32_t stack, size_t len)
{
	unsigned char buf[104 + 4 * ATTR_SIZE];
	size_t total = 104 + nev * ATTR_SIZE;
	FILE *fp;

	memset(buf, 0, sizeof(buf));
	memcpy(buf, "PERFILE2", 8);
	put64(buf + 8, 104);
	put64(buf + 16, ATTR_SIZE);
	put64(buf + 24, 104);
	put64(buf + 32, nev * ATTR_SIZE);
	put64(buf + 40, total);	/* data: empty */
	for (size_t i = 0; i < nev; i++) {
		unsigned char *a = buf + 104 + i * ATTR_SIZE;
		put32(a + 4, 128);
		put64(a + 24, types[i]);
		if (types[i] & ST_STACK_USER)
			put32(a + 88, stack);
		put64(a + 128, total);	/* ids: none */
	}
	snprintf(file, sizeof(file), "%s/perf.data", dir);
	if ((fp = fopen(file, "wb")) == NULL) {
		perror(file);
		exit(1);
	}
	fwrite(buf, 1, len ? len : total, fp);
	fclose(fp);
	return file;
}

static const char *
write_raw(const void *p, size_t n)
{
	FILE *fp;

	snprintf(file, sizeof(file), "%s/perf.data", dir);
	if ((fp = fopen(file, "wb")) == NULL) {
		perror(file);
		exit(1);
	}
	fwrite(p, 1, n, fp);
	fclose(fp);
	return file;
}

static enum fg_source
source_of(const char *path, enum fg_source asked, char *why, size_t len)
{
	struct fg_process_opts o;

	fg_process_opts_init(&o);
	o.perfdata = path;
	o.source = asked;
	return fg_process_source(&o, why, len);
}

static void
test_kinds(void)
{
	struct fg_perfdata_info in;
	struct fg_error err;
	char why[256];
	uint64_t t[2];

	/* frame pointers: native */
	t[0] = ST_FP;
	fg_error_clear(&err);
	CHECK(fg_perfdata_probe(write_rec(t, 1, 0, 0), &in, &err) == 0);
	CHECK(in.nevents == 1 && in.sample_type == ST_FP);
	CHECK(in.callchain && !in.user_stack && !in.branch_stack);
	CHECK(!in.pipe && !in.foreign_endian);
	CHECK(source_of(file, FG_SOURCE_AUTO, why, sizeof(why)) ==
	    FG_SOURCE_NATIVE);
	CHECK(strcmp(why, "frame-pointer call chains") == 0);
	CHECK(source_of(file, FG_SOURCE_PERF_SCRIPT, why, sizeof(why)) ==
	    FG_SOURCE_PERF_SCRIPT);
	CHECK(strcmp(why, "--perf-script") == 0);

	/* DWARF stack copies: native (unwound in process), unless told */
	t[0] = ST_FP | ST_REGS_USER | ST_STACK_USER;
	CHECK(fg_perfdata_probe(write_rec(t, 1, 32768, 0), &in, &err) == 0);
	CHECK(in.user_stack && in.stack_size == 32768);
	CHECK(source_of(file, FG_SOURCE_AUTO, why, sizeof(why)) ==
	    FG_SOURCE_NATIVE);
	CHECK(strstr(why, "DWARF") != NULL);
	CHECK(source_of(file, FG_SOURCE_PERF_SCRIPT, NULL, 0) ==
	    FG_SOURCE_PERF_SCRIPT);

	/* a second event with stack copies counts too */
	t[0] = ST_FP;
	t[1] = ST_FP | ST_REGS_USER | ST_STACK_USER;
	CHECK(fg_perfdata_probe(write_rec(t, 2, 8192, 0), &in, &err) == 0);
	CHECK(in.nevents == 2 && in.sample_type == ST_FP);
	CHECK(in.user_stack && in.stack_size == 8192);

	/* branch stacks (lbr): perf script */
	t[0] = ST_FP | ST_BRANCH;
	CHECK(fg_perfdata_probe(write_rec(t, 1, 0, 0), &in, &err) == 0);
	CHECK(in.branch_stack);
	CHECK(source_of(file, FG_SOURCE_AUTO, why, sizeof(why)) ==
	    FG_SOURCE_PERF_SCRIPT);
	CHECK(strstr(why, "lbr") != NULL);

	/* no call chains at all: native */
	t[0] = ST_IP | ST_TID | ST_PERIOD;
	CHECK(fg_perfdata_probe(write_rec(t, 1, 0, 0), &in, &err) == 0);
	CHECK(!in.callchain);
	CHECK(source_of(file, FG_SOURCE_AUTO, NULL, 0) == FG_SOURCE_NATIVE);

	/* pipe mode and the other byte order: flagged, perf script */
	{
		unsigned char p[16];
		memcpy(p, "PERFILE2", 8);
		put64(p + 8, 16);
		CHECK(fg_perfdata_probe(write_raw(p, sizeof(p)), &in, &err) == 0);
		CHECK(in.pipe);
		CHECK(source_of(file, FG_SOURCE_AUTO, NULL, 0) ==
		    FG_SOURCE_PERF_SCRIPT);
		memcpy(p, "2ELIFREP", 8);
		CHECK(fg_perfdata_probe(write_raw(p, sizeof(p)), &in, &err) == 0);
		CHECK(in.foreign_endian);
		CHECK(source_of(file, FG_SOURCE_AUTO, NULL, 0) ==
		    FG_SOURCE_PERF_SCRIPT);
	}
	CHECK(err.code == 0);
}

static void
expect_err(int code, const char *where)
{
	struct fg_perfdata_info in;
	struct fg_error err;

	fg_error_clear(&err);
	CHECK(fg_perfdata_probe(file, &in, &err) == code);
	CHECK(err.code == code);
	CHECK_MSG(strstr(err.msg, where) != NULL,
	    "message \"%s\" lacks \"%s\"", err.msg, where);
}

static void
test_damage(void)
{
	unsigned char h[104 + ATTR_SIZE];
	uint64_t t = ST_FP;
	FILE *fp;

	write_raw("PERF", 4);
	expect_err(FG_EPARSE, "header at 0x0");
	write_raw("NOTPERF!\x68\0\0\0\0\0\0\0", 16);
	expect_err(FG_EPARSE, "no PERFILE2 magic");
	write_rec(&t, 1, 0, 60);	/* cut inside the header */
	expect_err(FG_EPARSE, "shorter than its header");
	write_rec(&t, 1, 0, 104 + 20);	/* cut inside the attribute */
	expect_err(FG_EPARSE, "attribute 0 at 0x68");

	write_rec(&t, 1, 0, 0);
	if ((fp = fopen(file, "rb")) == NULL || fread(h, 1, sizeof(h), fp) !=
	    sizeof(h)) {
		perror(file);
		exit(1);
	}
	fclose(fp);
	put64(h + 8, 200);
	write_raw(h, sizeof(h));
	expect_err(FG_EPARSE, "header at 0x8");
	put64(h + 8, 104);
	put64(h + 16, 40);
	write_raw(h, sizeof(h));
	expect_err(FG_EPARSE, "header at 0x10");
	put64(h + 16, ATTR_SIZE);
	put64(h + 32, 0);
	write_raw(h, sizeof(h));
	expect_err(FG_EPARSE, "header at 0x18");
	put64(h + 32, ATTR_SIZE);
	put64(h + 24, 1u << 20);	/* attributes past the end */
	write_raw(h, sizeof(h));
	expect_err(FG_EPARSE, "past the end of the file");

	snprintf(file, sizeof(file), "%s/missing.data", dir);
	expect_err(FG_EIO, "missing.data");
	/* the native reader reports a missing file in its own words */
	CHECK(source_of(file, FG_SOURCE_AUTO, NULL, 0) == FG_SOURCE_NATIVE);
}

int
main(void)
{
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	test_kinds();
	test_damage();
	snprintf(file, sizeof(file), "%s/perf.data", dir);
	unlink(file);
	rmdir(dir);
	return check_done("test_perfdata_probe");
}
