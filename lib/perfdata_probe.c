/*
 * perfdata_probe.c: what kind of recording a perf.data file is, from its
 * header and event attributes only (a few preads, nothing mapped): file or
 * pipe mode, byte order, and per event whether samples carry kernel-walked
 * call chains, user register and stack copies (--call-graph dwarf) or
 * branch stacks (--call-graph lbr).  The processing step uses it to pick
 * the native reader or `perf script`.  Never reads past what the header
 * declares; every bad size is FG_EPARSE naming the offset.  The header
 * and the attributes are decoded as the reader decodes them
 * (perfdata-header.c).
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "base.h"
#include "perfdata-int.h"

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
pd_open_input(const char *path, struct stat *sb, struct fg_error *err)
{
	int fd;

	/* perf's "-i -" is its pipe mode, which neither reader here reads */
	if (strcmp(path, "-") == 0)
		return seterr(err, FG_EUNSUPPORTED, "-: reading a recording "
		    "from standard input is not supported: record to a file "
		    "and give its path");
	if ((fd = open_regular(path, sb)) == FG_OPEN_SPECIAL)
		return S_ISDIR(sb->st_mode) ? seterr(err, FG_EIO, "%s: is "
		    "a directory, not a recording", path) : seterr(err,
		    FG_EUNSUPPORTED, "%s: not a regular file (%s): a "
		    "recording is read from a file, not a stream", path,
		    file_kind(sb->st_mode));
	if (fd < 0)
		return seterr_sys(err, FG_EIO, errno, "%s", path);
	if (sb->st_size == 0) {
		close(fd);
		return seterr(err, FG_EPARSE, "%s: empty file", path);
	}
	return fd;
}

/* The attributes: what call chains and stack copies the events take. */
static int
probe_attrs(int fd, const char *path, const struct fhdr *fh,
    struct fg_perfdata_info *info, struct fg_error *err)
{
	unsigned char a[128];
	struct attr t;
	size_t i, n;
	int r;

	if ((r = pd_attrs_count(path, fh->attr_size, fh->attr_len, &n,
	    err)) != 0)
		return r;
	info->nevents = n;
	for (i = 0; i < n; i++) {
		uint64_t at = fh->attr_off + i * fh->attr_size;
		size_t want = fh->attr_size - 16 < sizeof(a) ?
		    (size_t)(fh->attr_size - 16) : sizeof(a);

		memset(a, 0, sizeof(a));
		if ((r = readat(fd, a, want, at)) != 1)
			return r == 0 ? seterr(err, FG_EPARSE, "%s: "
			    "attribute %zu at 0x%llx: past the end of the "
			    "file", path, i, (unsigned long long)at) :
			    seterr_sys(err, FG_EIO, errno, "%s", path);
		pd_attr_decode(a, want, &t);
		if (i == 0)
			info->sample_type = t.sample_type;
		if (t.sample_type & ST_CALLCHAIN)
			info->callchain = 1;
		if ((t.sample_type & ST_REGS_USER) &&
		    (t.sample_type & ST_STACK_USER)) {
			info->user_stack = 1;
			if (t.stack_user > info->stack_size)
				info->stack_size = t.stack_user;
		}
		if (t.sample_type & ST_BRANCH_STACK)
			info->branch_stack = 1;
	}
	return 0;
}

int
fg_perfdata_probe(const char *path, struct fg_perfdata_info *info,
    struct fg_error *err)
{
	unsigned char h[HEADER_SIZE];
	struct fhdr fh;
	struct stat sb;
	int fd, r;

	memset(info, 0, sizeof(*info));
	if ((fd = pd_open_input(path, &sb, err)) < 0)
		return fd;
	if ((r = readat(fd, h, PIPE_HEADER_SIZE, 0)) != 1) {
		r = r == 0 ? seterr(err, FG_EPARSE, "%s: header at 0x0: "
		    "shorter than 16 bytes", path) : seterr_sys(err, FG_EIO,
		    errno, "%s", path);
		goto out;
	}
	if (pd_magic(h) == MAGIC_SWAPPED) {
		info->foreign_endian = 1;
		r = 0;
		goto out;
	}
	if (pd_magic(h) != MAGIC_FILE) {
		r = seterr(err, FG_EPARSE, "%s: header at 0x0: not a "
		    "perf.data file (no PERFILE2 magic)", path);
		goto out;
	}
	fh.size = rd64(h + 8);
	if (fh.size == PIPE_HEADER_SIZE) {
		info->pipe = 1;
		r = 0;
		goto out;
	}
	if (fh.size != HEADER_SIZE) {
		r = seterr(err, FG_EPARSE, "%s: header at 0x8: header size "
		    "%llu (expected 104)", path, (unsigned long long)fh.size);
		goto out;
	}
	if ((r = readat(fd, h, sizeof(h), 0)) != 1) {
		r = r == 0 ? seterr(err, FG_EPARSE, "%s: header at 0x0: "
		    "file shorter than its header", path) :
		    seterr_sys(err, FG_EIO, errno, "%s", path);
		goto out;
	}
	pd_fhdr_decode(h, &fh);
	r = probe_attrs(fd, path, &fh, info, err);
out:
	close(fd);
	return r;
}
