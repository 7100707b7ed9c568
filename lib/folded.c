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
#include <pthread.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base.h"
#include "folded.h"
#include "stacks.h"

#define READ_BLOCK	(1u << 20)		/* pipe reads */
#define MAP_WINDOW	((size_t)16 << 20)	/* file mapping window */
#define LINE_MAX_LEN	((size_t)1 << 30)	/* longest line accepted */
#define PAR_MIN		((off_t)64 << 20)	/* files split in two from here */
#define DEFER_MAX	((size_t)4 << 20)	/* warnings held back, bytes */

/*
 * A cache in front of the model's name table: names are looked up by a
 * hash of their length and first and last 8 bytes (checked with memcmp),
 * so a frame costs a few loads instead of a hash of every byte.  Probes
 * are bounded: names that collide too much go to the model directly.
 */
struct nslot {
	uint64_t key;		/* 0: empty */
	const char *name;	/* the model's copy */
	uint32_t len;
	uint32_t id;
};

#define NCACHE_PROBES 8

struct reader {
	const char *name;
	const struct fg_folded_opts *o;
	const struct fg_warn *warn;
	struct fg_stacks *out;
	struct fg_error *err;
	uint64_t lineno;
	int warned_fraction;
	uint64_t skipped;
	struct nslot *cache;
	size_t cmask, cused;
	uint32_t *ids;		/* the previous stack's names ... */
	uint32_t *ends;		/* ... and where each ended in its text */
	size_t idcap;
	const char *prev;	/* previous stack text, while still mapped */
	size_t prevlen, prevn;
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
 * 0 when the line does not end in a count; COUNT_TOO_LARGE when it ends
 * in one that does not fit in 64 bits (*len cut as on success).
 */
#define COUNT_TOO_LARGE (-1)

static int
take_count(struct reader *rd, const char *p, size_t *len, uint64_t *v)
{
	size_t end = *len, i, dot = SIZE_MAX, sp, start;
	uint64_t n = 0;
	int frac_nonzero = 0;

	/* The count is the text after the last space: digits, at most one
	 * '.', so scan back over those only. */
	for (i = end; i > 0; i--) {
		unsigned char c = (unsigned char)p[i - 1];
		if (c == ' ')
			break;
		if (c == '.') {
			if (dot != SIZE_MAX)
				return 0;
			dot = i - 1;
		} else if (c < '0' || c > '9')
			return 0;
	}
	if (i == 0)
		return 0;
	sp = i - 1;
	start = i;
	/* The integer part must not be empty ("x .5" is not a count). */
	if ((dot == SIZE_MAX ? end : dot) == start)
		return 0;
	for (i = start; i < (dot == SIZE_MAX ? end : dot); i++) {
		unsigned c = (unsigned char)p[i] - '0';
		if (n > (UINT64_MAX - c) / 10) {
			*len = sp;
			return COUNT_TOO_LARGE;
		}
		n = n * 10 + c;
	}
	if (dot != SIZE_MAX)
		for (i = dot + 1; i < end; i++)
			if (p[i] != '0')
				frac_nonzero = 1;
	if (frac_nonzero && !rd->warned_fraction) {
		rd->warned_fraction = 1;
		warnf(rd->warn, "%s:%llu: fractional sample counts are "
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

static uint64_t
cache_key(const char *s, size_t len)
{
	uint64_t a = 0, b = 0, h;

	if (len >= 8) {
		memcpy(&a, s, 8);
		memcpy(&b, s + len - 8, 8);
	} else
		memcpy(&a, s, len);
	h = (a ^ (uint64_t)len * 0x9e3779b97f4a7c15ULL) * 0xbf58476d1ce4e5b9ULL;
	h ^= h >> 31;
	h = (h ^ b) * 0x94d049bb133111ebULL;
	h ^= h >> 29;
	return h | 1;
}

static int
cache_grow(struct reader *rd)
{
	size_t nmask = rd->cmask ? rd->cmask * 2 + 1 : 4095, i, j, k;
	struct nslot *nc = calloc(nmask + 1, sizeof(*nc));

	if (nc == NULL)
		return FG_ENOMEM;
	for (i = 0; rd->cache != NULL && i <= rd->cmask; i++) {
		if (rd->cache[i].key == 0)
			continue;
		for (j = (rd->cache[i].key >> 17) & nmask, k = 0;
		    nc[j].key != 0 && k < NCACHE_PROBES;
		    j = (j + 1) & nmask, k++)
			;
		if (nc[j].key == 0)
			nc[j] = rd->cache[i];
	}
	free(rd->cache);
	rd->cache = nc;
	rd->cmask = nmask;
	return 0;
}

static int
intern(struct reader *rd, const char *s, size_t len, uint32_t *id)
{
	uint64_t key;
	size_t j, k;
	struct nslot *e;
	int r;

	if (FG_LIKELY(rd->cache != NULL)) {
		key = cache_key(s, len);
		for (j = (key >> 17) & rd->cmask, k = 0; k < NCACHE_PROBES;
		    j = (j + 1) & rd->cmask, k++) {
			e = &rd->cache[j];
			if (e->key == 0)
				break;
			if (e->key == key && e->len == len &&
			    memcmp(e->name, s, len) == 0) {
				*id = e->id;
				return 0;
			}
		}
	}
	if ((r = stacks_intern(rd->out, s, len, id)) != 0)
		return seterr(rd->err, r, "%s:%llu: cannot keep frame name",
		    rd->name, (unsigned long long)rd->lineno);
	if (len > UINT32_MAX)
		return 0;
	if ((rd->cused + 1) * 2 > rd->cmask && cache_grow(rd) != 0)
		return 0;	/* the cache is only an accelerator */
	key = cache_key(s, len);
	for (j = (key >> 17) & rd->cmask, k = 0; k < NCACHE_PROBES;
	    j = (j + 1) & rd->cmask, k++) {
		e = &rd->cache[j];
		if (e->key == 0) {
			size_t nl;
			e->key = key;
			e->name = stacks_name(rd->out, *id, &nl);
			e->len = (uint32_t)len;
			e->id = *id;
			rd->cused++;
			break;
		}
	}
	return 0;
}

/* The length of the common prefix of a and b (n bytes at most). */
static size_t
common_prefix(const char *a, const char *b, size_t n)
{
	size_t i = 0;
	uint64_t x, y;

	while (i + 8 <= n) {
		memcpy(&x, a + i, 8);
		memcpy(&y, b + i, 8);
		if (x != y)
			return i + (size_t)(base_ctz64(x ^ y) >> 3);
		i += 8;
	}
	while (i < n && a[i] == b[i])
		i++;
	return i;
}

/*
 * Split stack p[0..len) at ';' and add it with weights w1, w2.  Frames
 * the stack shares, byte for byte, with the one before (sorted input
 * shares most) keep their ids without a lookup.
 */
static int
add_stack(struct reader *rd, const char *p, size_t len, uint64_t w1,
    uint64_t w2)
{
	const char *q = p, *end = p + len, *sc;
	size_t n = 0, m;
	int r;

	if (rd->prev != NULL) {
		m = common_prefix(p, rd->prev, len < rd->prevlen ? len :
		    rd->prevlen);
		if (m == len && len == rd->prevlen)
			return stacks_add_ids(rd->out, rd->ids, rd->prevn,
			    w1, w2, rd->err);
		/* Frames ending inside the common prefix are the same; so is
		 * the previous stack's last frame when this stack goes on
		 * from it ("a;b" then "a;b;c"). */
		while (n < rd->prevn && rd->ends[n] < m)
			n++;
		if (n + 1 == rd->prevn && m == rd->prevlen &&
		    (m == len || p[m] == ';'))
			n++;
		if (n > 0)
			q = p + rd->ends[n - 1] + 1;
	}
	for (;;) {
		if (n == rd->idcap) {
			size_t ci = rd->idcap, ce = rd->idcap;
			uint32_t *ni, *ne;
			if (n >= ((size_t)1 << 24))
				return seterr(rd->err, FG_ELIMIT, "%s:%llu: "
				    "stack deeper than %zu frames", rd->name,
				    (unsigned long long)rd->lineno,
				    (size_t)1 << 24);
			if ((ni = base_grow(rd->ids, &ci, n + 1, sizeof(*ni),
			    256)) == NULL)
				return seterr(rd->err, FG_ENOMEM,
				    "%s: out of memory", rd->name);
			rd->ids = ni;
			if ((ne = base_grow(rd->ends, &ce, n + 1, sizeof(*ne),
			    256)) == NULL)
				return seterr(rd->err, FG_ENOMEM,
				    "%s: out of memory", rd->name);
			rd->ends = ne;
			rd->idcap = ci;
		}
		sc = memchr(q, ';', (size_t)(end - q));
		if (sc == NULL)
			sc = end;
		if ((r = intern(rd, q, (size_t)(sc - q), &rd->ids[n])) != 0) {
			rd->prev = NULL;
			return r;
		}
		rd->ends[n] = (uint32_t)(sc - p);
		n++;
		if (sc == end)
			break;
		q = sc + 1;
	}
	rd->prev = len <= UINT32_MAX ? p : NULL;
	rd->prevlen = len;
	rd->prevn = n;
	return stacks_add_ids(rd->out, rd->ids, n, w1, w2, rd->err);
}

/* Skip a line whose count p[from..to) does not fit in 64 bits. */
static int
count_too_large(struct reader *rd, const char *p, size_t from, size_t to)
{
	int n = to - from > 40 ? 40 : (int)(to - from);

	rd->skipped++;
	warnf(rd->warn, "%s:%llu: sample count %.*s%s is too large (more "
	    "than %llu); skipped", rd->name, (unsigned long long)rd->lineno,
	    n, p + from, (size_t)n < to - from ? "..." : "",
	    (unsigned long long)UINT64_MAX);
	return 0;
}

static int
parse_line(struct reader *rd, const char *p, size_t len)
{
	uint64_t c1, c2;
	size_t full;
	int r;

	while (len > 0 && is_space((unsigned char)p[len - 1]))
		len--;
	while (len > 0 && is_space((unsigned char)*p)) {
		p++;
		len--;
	}
	if (len == 0 || (len >= 2 && p[0] == '#' && p[1] == ' '))
		return 0;
	full = len;
	if ((r = take_count(rd, p, &len, &c2)) == COUNT_TOO_LARGE)
		return count_too_large(rd, p, len + 1, full);
	if (r == 0) {
		rd->skipped++;
		warnf(rd->warn, "%s:%llu: no sample count at the end "
		    "of the line; skipped", rd->name,
		    (unsigned long long)rd->lineno);
		return 0;
	}
	/* A second count before the last makes the line differential:
	 * "stack BEFORE AFTER" is stored as weights (BEFORE, AFTER). */
	full = len;
	if ((r = take_count(rd, p, &len, &c1)) == COUNT_TOO_LARGE)
		return count_too_large(rd, p, len + 1, full);
	if (r == 1) {
		if (len == 0)
			goto nostack;
		return add_stack(rd, p, len, c1, c2);
	}
	if (len == 0)
		goto nostack;
	return add_stack(rd, p, len, c2, 0);
nostack:
	rd->skipped++;
	warnf(rd->warn, "%s:%llu: no stack before the sample count; "
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

	rd->prev = NULL;	/* the text before this block may be gone */
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
			return seterr(rd->err, FG_ECANCELED,
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

/* Parse the lines of fd's bytes [start, end), a window at a time. */
static int
read_mapped(struct reader *rd, int fd, off_t start, off_t end)
{
	long pg = sysconf(_SC_PAGESIZE);
	size_t win = MAP_WINDOW, used, maplen, skip;
	off_t pos = start, off;
	void *m;
	int r, final;

	if (pg <= 0)
		pg = 4096;
	while (pos < end) {
		off = pos - pos % pg;
		skip = (size_t)(pos - off);
		maplen = (size_t)(end - off) < win + skip ?
		    (size_t)(end - off) : win + skip;
		final = off + (off_t)maplen == end;
		m = mmap(NULL, maplen, PROT_READ, MAP_PRIVATE | MAP_POPULATE,
		    fd, off);
		if (m == MAP_FAILED)
			return seterr_sys(rd->err, FG_EIO, errno,
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
				return seterr(rd->err, FG_ELIMIT,
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

/*
 * Splitting a big file in two: the second half is read by a thread into
 * its own model, merged afterwards, so the stacks keep their order of
 * first appearance.  Its warnings are held back and replayed after the
 * first half's, with exact line numbers (the thread first counts the
 * lines before its half).
 */
struct deferred {
	struct fg_buf buf;	/* messages, each ending in '\0' */
	unsigned long dropped;
};

static void
defer_warning(void *arg, const char *msg)
{
	struct deferred *d = arg;

	if (buf_append(&d->buf, msg, strlen(msg) + 1) != 0)
		d->dropped++;
}

struct half {
	struct reader rd;
	struct fg_error err;
	struct deferred warns;
	struct fg_warn warn;
	int fd;
	off_t start, end;
	int r;
};

static int
count_lines(int fd, off_t end, uint64_t *n)
{
	long pg = sysconf(_SC_PAGESIZE);
	off_t off = 0;
	size_t len;
	const char *m, *p, *q;

	*n = 0;
	(void)pg;
	while (off < end) {
		len = (size_t)(end - off) < MAP_WINDOW ? (size_t)(end - off) :
		    MAP_WINDOW;
		if ((m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, off)) ==
		    MAP_FAILED)
			return -1;
		(void)madvise((void *)m, len, MADV_SEQUENTIAL);
		for (p = m; (q = memchr(p, '\n', len - (size_t)(p - m))) != NULL;
		    p = q + 1)
			(*n)++;
		munmap((void *)m, len);
		off += (off_t)len;
	}
	return 0;
}

static void *
half_main(void *arg)
{
	struct half *h = arg;

	if (count_lines(h->fd, h->start, &h->rd.lineno) != 0)
		h->r = seterr_sys(&h->err, FG_EIO, errno, "%s: cannot map",
		    h->rd.name);
	else
		h->r = read_mapped(&h->rd, h->fd, h->start, h->end);
	return NULL;
}

/* The offset just after the first newline at or after size / 2, or 0. */
static off_t
split_point(int fd, off_t size)
{
	long pg = sysconf(_SC_PAGESIZE);
	off_t mid = size / 2, off;
	size_t len;
	const char *m, *nl;
	off_t r = 0;

	if (pg <= 0)
		pg = 4096;
	off = mid - mid % pg;
	len = (size_t)(size - off) < ((size_t)1 << 20) ? (size_t)(size - off) :
	    ((size_t)1 << 20);
	if ((m = mmap(NULL, len, PROT_READ, MAP_PRIVATE, fd, off)) ==
	    MAP_FAILED)
		return 0;
	nl = memchr(m + (mid - off), '\n', len - (size_t)(mid - off));
	if (nl != NULL && off + (nl - m) + 1 < size)
		r = off + (nl - m) + 1;
	munmap((void *)m, len);
	return r;
}

static int
read_split(struct reader *rd, int fd, off_t size, off_t split)
{
	struct half h;
	pthread_t t;
	const char *p, *end;
	int r;

	memset(&h, 0, sizeof(h));
	h.rd = *rd;
	h.rd.err = &h.err;
	h.rd.cache = NULL;
	h.rd.cmask = h.rd.cused = 0;
	h.rd.ids = NULL;
	h.rd.ends = NULL;
	h.rd.idcap = 0;
	h.rd.prev = NULL;
	h.rd.warned_fraction = 0;
	buf_init(&h.warns.buf, DEFER_MAX);
	h.warn.fn = defer_warning;
	h.warn.arg = &h.warns;
	h.rd.warn = &h.warn;
	h.fd = fd;
	h.start = split;
	h.end = size;
	if ((h.rd.out = fg_stacks_new()) == NULL) {
		buf_free(&h.warns.buf);
		return read_mapped(rd, fd, 0, size);
	}
	(void)cache_grow(&h.rd);
	if (pthread_create(&t, NULL, half_main, &h) != 0) {
		fg_stacks_free(h.rd.out);
		free(h.rd.cache);
		buf_free(&h.warns.buf);
		return read_mapped(rd, fd, 0, size);
	}
	r = read_mapped(rd, fd, 0, split);
	pthread_join(t, NULL);
	/* The second half's warnings, after the first half's. */
	if (h.warns.buf.d != NULL)
		for (p = h.warns.buf.d, end = p + h.warns.buf.len; p < end;
		    p += strlen(p) + 1) {
			if (rd->warned_fraction &&
			    strstr(p, "fractional sample counts") != NULL)
				continue;
			warnf(rd->warn, "%s", p);
		}
	if (h.warns.dropped > 0)
		warnf(rd->warn, "%s: %lu more warnings not shown", rd->name,
		    h.warns.dropped);
	if (r == 0 && h.r != 0)
		r = seterr(rd->err, h.r, "%s", h.err.msg);
	if (r == 0)
		r = fg_stacks_merge(rd->out, h.rd.out, rd->err);
	fg_stacks_free(h.rd.out);
	free(h.rd.cache);
	free(h.rd.ids);
	free(h.rd.ends);
	buf_free(&h.warns.buf);
	return r;
}

static int
read_stream(struct reader *rd, int fd)
{
	struct fg_buf b;
	size_t used;
	ssize_t n;
	int r = 0, eof = 0;

	buf_init(&b, LINE_MAX_LEN + READ_BLOCK);
	while (!eof) {
		if ((r = buf_reserve(&b, READ_BLOCK)) != 0) {
			r = seterr(rd->err, r, "%s:%llu: line too long or "
			    "out of memory", rd->name,
			    (unsigned long long)rd->lineno + 1);
			break;
		}
		n = read(fd, b.d + b.len, READ_BLOCK);
		if (n < 0) {
			if (errno == EINTR) {
				if (rd->o->cancel != NULL && *rd->o->cancel) {
					r = seterr(rd->err, FG_ECANCELED,
					    "%s: canceled", rd->name);
					break;
				}
				continue;
			}
			r = seterr_sys(rd->err, FG_EIO, errno,
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
	buf_free(&b);
	return r;
}

int
fg_folded_read_fd(int fd, const char *name, const struct fg_folded_opts *o,
    struct fg_stacks *out, struct fg_error *err)
{
	return folded_read_fd_tuned(fd, name, o, out, PAR_MIN, err);
}

int
folded_read_fd_tuned(int fd, const char *name,
    const struct fg_folded_opts *o, struct fg_stacks *out, off_t split_min,
    struct fg_error *err)
{
	struct fg_folded_opts defaults;
	struct reader rd;
	struct stat sb;
	int r;

	if (o == NULL) {
		fg_folded_opts_init(&defaults);
		o = &defaults;
	}
	memset(&rd, 0, sizeof(rd));
	rd.name = name != NULL ? name : "folded";
	rd.o = o;
	rd.warn = &o->warn;
	rd.out = out;
	rd.err = err;
	if (out == NULL)
		return seterr(err, FG_EINVAL, "%s: no stacks model", rd.name);
	if (o->keep_order)
		stacks_keep_sequence(out);
	(void)cache_grow(&rd);
	/* A regular file read from its start is mapped (and left at its
	 * end, as if read); anything else is streamed from where it is. */
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_size > 0 &&
	    lseek(fd, 0, SEEK_CUR) == 0) {
		off_t split = 0;
		if (sb.st_size >= split_min && !o->keep_order &&
		    sysconf(_SC_NPROCESSORS_ONLN) >= 2)
			split = split_point(fd, sb.st_size);
		if (split > 0)
			r = read_split(&rd, fd, sb.st_size, split);
		else
			r = read_mapped(&rd, fd, 0, sb.st_size);
		(void)lseek(fd, 0, SEEK_END);
	} else
		r = read_stream(&rd, fd);
	free(rd.cache);
	free(rd.ids);
	free(rd.ends);
	return r;
}

int
fg_folded_read_file(const char *path, const struct fg_folded_opts *o,
    struct fg_stacks *out, struct fg_error *err)
{
	int fd, r;

	if (path == NULL || strcmp(path, "-") == 0)
		return fg_folded_read_fd(STDIN_FILENO, "<stdin>", o, out, err);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return seterr_sys(err, FG_EIO, errno, "%s", path);
	r = fg_folded_read_fd(fd, path, o, out, err);
	close(fd);
	return r;
}
