/*
 * perfdata_probe.c: what kind of recording a perf.data file is, from its
 * header and event attributes only (a few preads, nothing mapped): file or
 * pipe mode, byte order, and per event whether samples carry kernel-walked
 * call chains, user register and stack copies (--call-graph dwarf) or
 * branch stacks (--call-graph lbr).  The processing step uses it to pick
 * the native reader or `perf script`.  Never reads past what the header
 * declares; every bad size is FG_EPARSE naming the offset.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "base.h"
#include "perfdata.h"

#define PROBE_HEADER_SIZE	104
#define PROBE_PIPE_SIZE		16
#define PROBE_MAX_EVENTS	4096

#define SAMPLE_CALLCHAIN	(1ULL << 5)
#define SAMPLE_BRANCH_STACK	(1ULL << 11)
#define SAMPLE_REGS_USER	(1ULL << 12)
#define SAMPLE_STACK_USER	(1ULL << 13)

static uint64_t
le64(const unsigned char *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static uint32_t
le32(const unsigned char *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
	    (uint32_t)p[3] << 24;
}

static int
readat(int fd, void *buf, size_t n, uint64_t off)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(fd, (char *)buf + got, n - got,
		    (off_t)(off + got));
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0)
			return r == 0 ? 0 : -1;
		got += (size_t)r;
	}
	return 1;
}

int
fg_pd_open_input(const char *path, struct stat *sb, struct fg_error *err)
{
	int fd;

	/* perf's "-i -" is its pipe mode, which neither reader here reads */
	if (strcmp(path, "-") == 0)
		return fg_seterr(err, FG_EUNSUPPORTED, "-: reading a recording "
		    "from standard input is not supported: record to a file "
		    "and give its path");
	if ((fd = fg_open_regular(path, sb)) == FG_OPEN_SPECIAL)
		return S_ISDIR(sb->st_mode) ? fg_seterr(err, FG_EIO, "%s: is "
		    "a directory, not a recording", path) : fg_seterr(err,
		    FG_EUNSUPPORTED, "%s: not a regular file (%s): a "
		    "recording is read from a file, not a stream", path,
		    fg_file_kind(sb->st_mode));
	if (fd < 0)
		return fg_seterr_sys(err, FG_EIO, errno, "%s", path);
	if (sb->st_size == 0) {
		close(fd);
		return fg_seterr(err, FG_EPARSE, "%s: empty file", path);
	}
	return fd;
}

int
fg_perfdata_probe(const char *path, struct fg_perfdata_info *info,
    struct fg_error *err)
{
	unsigned char h[PROBE_HEADER_SIZE], a[128];
	uint64_t hsize, asz, aoff, alen, n;
	struct stat sb;
	int fd, r;

	memset(info, 0, sizeof(*info));
	if ((fd = fg_pd_open_input(path, &sb, err)) < 0)
		return fd;
	if ((r = readat(fd, h, PROBE_PIPE_SIZE, 0)) != 1) {
		r = r == 0 ? fg_seterr(err, FG_EPARSE, "%s: header at 0x0: "
		    "shorter than 16 bytes", path) : fg_seterr_sys(err, FG_EIO,
		    errno, "%s", path);
		goto out;
	}
	if (memcmp(h, "2ELIFREP", 8) == 0) {
		info->foreign_endian = 1;
		r = 0;
		goto out;
	}
	if (memcmp(h, "PERFILE2", 8) != 0) {
		r = fg_seterr(err, FG_EPARSE, "%s: header at 0x0: not a "
		    "perf.data file (no PERFILE2 magic)", path);
		goto out;
	}
	hsize = le64(h + 8);
	if (hsize == PROBE_PIPE_SIZE) {
		info->pipe = 1;
		r = 0;
		goto out;
	}
	if (hsize != PROBE_HEADER_SIZE) {
		r = fg_seterr(err, FG_EPARSE, "%s: header at 0x8: header size "
		    "%llu (expected 104)", path, (unsigned long long)hsize);
		goto out;
	}
	if ((r = readat(fd, h, sizeof(h), 0)) != 1) {
		r = r == 0 ? fg_seterr(err, FG_EPARSE, "%s: header at 0x0: "
		    "file shorter than its header", path) :
		    fg_seterr_sys(err, FG_EIO, errno, "%s", path);
		goto out;
	}
	asz = le64(h + 16);
	aoff = le64(h + 24);
	alen = le64(h + 32);
	if (asz < 16 + 64 || asz > 4096) {
		r = fg_seterr(err, FG_EPARSE, "%s: header at 0x10: attribute "
		    "size %llu out of range", path, (unsigned long long)asz);
		goto out;
	}
	n = alen / asz;
	if (n == 0 || n > PROBE_MAX_EVENTS) {
		r = fg_seterr(err, FG_EPARSE, "%s: header at 0x18: %llu event "
		    "attributes", path, (unsigned long long)n);
		goto out;
	}
	info->nevents = (size_t)n;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t at = aoff + i * asz, st;
		size_t want = asz - 16 < sizeof(a) ? (size_t)(asz - 16) :
		    sizeof(a);

		memset(a, 0, sizeof(a));
		if ((r = readat(fd, a, want, at)) != 1) {
			r = r == 0 ? fg_seterr(err, FG_EPARSE, "%s: attribute "
			    "%llu at 0x%llx: past the end of the file", path,
			    (unsigned long long)i, (unsigned long long)at) :
			    fg_seterr_sys(err, FG_EIO, errno, "%s", path);
			goto out;
		}
		st = le64(a + 24);
		if (i == 0)
			info->sample_type = st;
		if (st & SAMPLE_CALLCHAIN)
			info->callchain = 1;
		if ((st & SAMPLE_REGS_USER) && (st & SAMPLE_STACK_USER)) {
			info->user_stack = 1;
			if (want >= 92 && le32(a + 88) > info->stack_size)
				info->stack_size = le32(a + 88);
		}
		if (st & SAMPLE_BRANCH_STACK)
			info->branch_stack = 1;
	}
	r = 0;
out:
	close(fd);
	return r;
}
