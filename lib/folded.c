/*
 * folded.c: the folded-stack text reader ("a;b;c COUNT" and differential
 * "a;b;c COUNT1 COUNT2" lines) filling a stacks model.
 *
 * Guarantees, with inferno-flamegraph's reading of the format: lines are
 * trimmed; empty lines and "# " comments are ignored silently; a count may
 * carry a fractional part, which is truncated (one warning per input); a
 * line without a count or without a stack is skipped with a warning that
 * names "NAME:LINE".  The input is streamed: regular files are mapped a
 * window at a time and pipes read in large blocks, so memory grows with
 * the model, not with the input.  Only I/O errors, limits and
 * cancellation fail a read.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base.h"
#include "stacks.h"

#define READ_BLOCK	(1u << 20)		/* pipe reads */
#define MAP_WINDOW	((size_t)16 << 20)	/* file mapping window */
#define LINE_MAX_LEN	((size_t)1 << 30)	/* longest line accepted */

struct reader {
	const char *name;
	const struct fg_folded_opts *o;
	struct fg_stacks *out;
	struct fg_error *err;
	uint64_t lineno;
	int warned_fraction;
	uint64_t skipped;
};

void
fg_folded_opts_init(struct fg_folded_opts *o)
{
	memset(o, 0, sizeof(*o));
}

static int
is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n' ||
	    c == '\v' || c == '\f';
}

/*
 * Take the count at the end of p[0..*len): digits, optionally followed by
 * '.' and digits, after the last space.  On success *len is cut back to
 * the text before the count (trailing blanks removed) and 1 returned;
 * 0 when the line does not end in a count.
 */
static int
take_count(struct reader *rd, const char *p, size_t *len, uint64_t *v)
{
	size_t end = *len, i, dot = SIZE_MAX, sp;
	uint64_t n = 0;
	int frac_nonzero = 0;

	for (i = end; i > 0 && p[i - 1] != ' '; i--)
		;
	if (i == 0)
		return 0;
	sp = i - 1;
	for (; i < end; i++) {
		unsigned char c = (unsigned char)p[i];
		if (c == '.' && dot == SIZE_MAX) {
			dot = i;
			continue;
		}
		if (c < '0' || c > '9')
			return 0;
		if (dot != SIZE_MAX) {
			if (c != '0')
				frac_nonzero = 1;
			continue;
		}
		if (n > (UINT64_MAX - (uint64_t)(c - '0')) / 10)
			return 0;
		n = n * 10 + (uint64_t)(c - '0');
	}
	/* The integer part must not be empty ("x .5" is not a count). */
	if ((dot == SIZE_MAX ? end : dot) == sp + 1)
		return 0;
	if (frac_nonzero && !rd->warned_fraction) {
		rd->warned_fraction = 1;
		fg_warnf(&rd->o->warn, "%s:%llu: fractional sample counts are "
		    "truncated to integers (scale the input up and use "
		    "--factor to keep the precision)", rd->name,
		    (unsigned long long)rd->lineno);
	}
	while (sp > 0 && is_space((unsigned char)p[sp - 1]))
		sp--;
	*len = sp;
	*v = n;
	return 1;
}

static int
parse_line(struct reader *rd, const char *p, size_t len)
{
	uint64_t c1, c2;

	while (len > 0 && is_space((unsigned char)p[len - 1]))
		len--;
	while (len > 0 && is_space((unsigned char)*p)) {
		p++;
		len--;
	}
	if (len == 0 || (len >= 2 && p[0] == '#' && p[1] == ' '))
		return 0;
	if (!take_count(rd, p, &len, &c2)) {
		rd->skipped++;
		fg_warnf(&rd->o->warn, "%s:%llu: no sample count at the end "
		    "of the line; skipped", rd->name,
		    (unsigned long long)rd->lineno);
		return 0;
	}
	/* A second count before the last makes the line differential:
	 * "stack BEFORE AFTER" is stored as weights (BEFORE, AFTER). */
	if (take_count(rd, p, &len, &c1)) {
		if (len == 0)
			goto nostack;
		return fg_stacks_add_folded(rd->out, p, len, c1, c2, rd->err);
	}
	if (len == 0)
		goto nostack;
	return fg_stacks_add_folded(rd->out, p, len, c2, 0, rd->err);
nostack:
	rd->skipped++;
	fg_warnf(&rd->o->warn, "%s:%llu: no stack before the sample count; "
	    "skipped", rd->name, (unsigned long long)rd->lineno);
	return 0;
}

/*
 * Parse the complete lines of p[0..len) (all of it when final) and
 * return in *used how many bytes were consumed.
 */
static int
parse_block(struct reader *rd, const char *p, size_t len, int final,
    size_t *used)
{
	size_t pos = 0;
	const char *nl;
	int r;

	while (pos < len) {
		nl = memchr(p + pos, '\n', len - pos);
		if (nl == NULL) {
			if (!final)
				break;
			nl = p + len;
		}
		rd->lineno++;
		if ((rd->lineno & 0x3fff) == 0 && rd->o->cancel != NULL &&
		    *rd->o->cancel) {
			*used = pos;
			return fg_seterr(rd->err, FG_ECANCELED,
			    "%s:%llu: canceled", rd->name,
			    (unsigned long long)rd->lineno);
		}
		if ((r = parse_line(rd, p + pos, (size_t)(nl - (p + pos)))) !=
		    0) {
			*used = pos;
			return r;
		}
		pos = (size_t)(nl - p) + (nl < p + len ? 1 : 0);
	}
	*used = pos;
	return 0;
}

static int
read_mapped(struct reader *rd, int fd, off_t size)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t win = MAP_WINDOW, used, maplen, skip;
	off_t pos = 0, off;
	void *m;
	int r, final;

	if (pg <= 0)
		pg = 4096;
	while (pos < size) {
		off = pos - pos % pg;
		skip = (size_t)(pos - off);
		maplen = (size_t)(size - off) < win + skip ?
		    (size_t)(size - off) : win + skip;
		final = off + (off_t)maplen == size;
		m = mmap(NULL, maplen, PROT_READ, MAP_PRIVATE, fd, off);
		if (m == MAP_FAILED)
			return fg_seterr_sys(rd->err, FG_EIO, errno,
			    "%s: cannot map", rd->name);
		(void)madvise(m, maplen, MADV_SEQUENTIAL);
		r = parse_block(rd, (const char *)m + skip, maplen - skip,
		    final, &used);
		munmap(m, maplen);
		if (r != 0)
			return r;
		if (used == 0 && !final) {
			/* One line longer than the window: widen it. */
			if (win >= LINE_MAX_LEN)
				return fg_seterr(rd->err, FG_ELIMIT,
				    "%s:%llu: line longer than %zu bytes",
				    rd->name,
				    (unsigned long long)rd->lineno + 1,
				    (size_t)LINE_MAX_LEN);
			win *= 2;
			continue;
		}
		pos += (off_t)used;
		if (final)
			break;
	}
	return 0;
}

static int
read_stream(struct reader *rd, int fd)
{
	struct fg_buf b;
	size_t used;
	ssize_t n;
	int r = 0, eof = 0;

	fg_buf_init(&b, LINE_MAX_LEN + READ_BLOCK);
	while (!eof) {
		if ((r = fg_buf_reserve(&b, READ_BLOCK)) != 0) {
			r = fg_seterr(rd->err, r, "%s:%llu: line too long or "
			    "out of memory", rd->name,
			    (unsigned long long)rd->lineno + 1);
			break;
		}
		n = read(fd, b.d + b.len, READ_BLOCK);
		if (n < 0) {
			if (errno == EINTR) {
				if (rd->o->cancel != NULL && *rd->o->cancel) {
					r = fg_seterr(rd->err, FG_ECANCELED,
					    "%s: canceled", rd->name);
					break;
				}
				continue;
			}
			r = fg_seterr_sys(rd->err, FG_EIO, errno,
			    "%s: read", rd->name);
			break;
		}
		if (n == 0)
			eof = 1;
		b.len += (size_t)n;
		if ((r = parse_block(rd, b.d, b.len, eof, &used)) != 0)
			break;
		memmove(b.d, b.d + used, b.len - used);
		b.len -= used;
	}
	fg_buf_free(&b);
	return r;
}

int
fg_folded_read_fd(int fd, const char *name, const struct fg_folded_opts *o,
    struct fg_stacks *out, struct fg_error *err)
{
	struct fg_folded_opts defaults;
	struct reader rd;
	struct stat sb;

	if (o == NULL) {
		fg_folded_opts_init(&defaults);
		o = &defaults;
	}
	memset(&rd, 0, sizeof(rd));
	rd.name = name != NULL ? name : "folded";
	rd.o = o;
	rd.out = out;
	rd.err = err;
	if (out == NULL)
		return fg_seterr(err, FG_EINVAL, "%s: no stacks model", rd.name);
	if (o->keep_order)
		fg_stacks_keep_sequence(out);
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0)
		return read_mapped(&rd, fd, sb.st_size);
	return read_stream(&rd, fd);
}

int
fg_folded_read_file(const char *path, const struct fg_folded_opts *o,
    struct fg_stacks *out, struct fg_error *err)
{
	int fd, r;

	if (path == NULL || strcmp(path, "-") == 0)
		return fg_folded_read_fd(STDIN_FILENO, "<stdin>", o, out, err);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return fg_seterr_sys(err, FG_EIO, errno, "%s", path);
	r = fg_folded_read_fd(fd, path, o, out, err);
	close(fd);
	return r;
}
