/*
 * pscript.c: the perf-script collapser.  Turns `perf script` text into
 * folded stacks in a struct fg_stacks with the semantics of inferno
 * 0.12.8's inferno-collapse-perf run with one thread: the first event type
 * seen (or --event-filter) is kept, counts are weighted by the sample
 * period, frame names get inferno's clean-ups (symbol offsets, Rust hashes
 * and $-escapes, argument lists, Java "L" prefixes, "->" inline chains,
 * [unknown] fallbacks) and optional _[k] _[j] _[i] annotations.
 *
 * Guarantees: the input is read once, in order, through a bounded window
 * (a mapped regular file is released behind the reader, a pipe is read in
 * 1 MiB blocks); the costly clean-up runs once per distinct raw stack line
 * (a cache from raw bytes to interned ids); a large mapped file is split at
 * a blank line and collapsed by two threads whose models are merged, which
 * gives the same result as one thread.  Bad lines are skipped with a
 * warning naming their line number; the library never prints.
 *
 * This file holds the public API and the driver that cuts the input into
 * lines; the rest of the family is listed in pscript-int.h.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pscript-int.h"

/* ---- one collapser ------------------------------------------------------ */

int
ps_init(struct ps *ps, const struct fg_collapse_opts *o,
    struct fg_stacks *st, const char *name, struct fg_error *err)
{
	memset(ps, 0, sizeof(*ps));
	ps->o = o;
	ps->st = st;
	ps->name = name ? name : "perf script";
	ps->err = err;
	buf_init(&ps->pname, PS_LINE_MAX + 64);
	buf_init(&ps->last_pname, PS_LINE_MAX + 64);
	buf_init(&ps->ev_comm, PS_LINE_MAX + 64);
	buf_init(&ps->keys, (size_t)PS_CACHE_BYTES + PS_KEY_MAX);
	buf_init(&ps->scratch, PS_LINE_MAX * 3 + 16);
	buf_init(&ps->evline, PS_LINE_MAX * 3 + 16);
	buf_init(&ps->work, PS_LINE_MAX * 3 + 64);
	buf_init(&ps->work2, PS_LINE_MAX * 3 + 64);
	if (ps_cache_grow(ps) != 0)
		return FG_ENOMEM;
	if (o->naming.event_filter != NULL) {
		if ((ps->event = strdup(o->naming.event_filter)) == NULL)
			return FG_ENOMEM;
		ps->event_len = strlen(ps->event);
		ps->have_event = 1;
	}
	return 0;
}

void
ps_free(struct ps *ps)
{
	free(ps->event);
	free(ps->frames);
	free(ps->emit);
	free(ps->tab);
	free(ps->cids);
	buf_free(&ps->pname);
	buf_free(&ps->last_pname);
	buf_free(&ps->ev_comm);
	buf_free(&ps->keys);
	buf_free(&ps->scratch);
	buf_free(&ps->evline);
	buf_free(&ps->work);
	buf_free(&ps->work2);
}

/* Turn an internal failure into the error the caller sees. */
static int
ps_fail(struct ps *ps, int r)
{
	if (r == FG_ENOMEM)
		return seterr(ps->err, r, "%s: line %zu: out of memory",
		    ps->name, ps->lineno);
	if (r == FG_ECANCELED)
		return seterr(ps->err, r, "%s: line %zu: canceled",
		    ps->name, ps->lineno);
	return seterr(ps->err, r, "%s: line %zu: %s", ps->name,
	    ps->lineno, fg_strerror(r));
}

/*
 * Map the next PS_POPULATE bytes of a mapped input in one call instead of
 * a page fault every few pages.  Turned off where the kernel cannot.
 */
static void
populate_ahead(const char **ready, const char *buf, const char *end,
    int *on)
{
#ifdef MADV_POPULATE_READ
	uintptr_t a = (uintptr_t)*ready & ~(uintptr_t)4095;
	size_t n = (size_t)(end - *ready);

	(void)buf;
	if (n == 0)
		return;
	if (n > PS_POPULATE)
		n = PS_POPULATE;
	if (madvise((void *)a, (uintptr_t)*ready + n - a,
	    MADV_POPULATE_READ) != 0)
		*on = 0;
	*ready += n;
#else
	(void)ready;
	(void)buf;
	(void)end;
	*on = 0;
#endif
}

/*
 * Collapse the lines of buf[0..len).  A final line without newline counts.
 * When drop is set, buf is a mapping and consumed pages are released.
 */
int
ps_run(struct ps *ps, const char *buf, size_t len, int drop)
{
	const char *p = buf, *end, *nl;
	const char *dropped = buf, *ready = buf, *polled = buf;
	unsigned poll = 0;
	int r, populate = drop;

	if (len == 0)
		return 0;	/* buf may be NULL: no buf + 0 */
	end = buf + len;
	if (populate)
		populate_ahead(&ready, buf, end, &populate);

	while (p < end) {
		size_t n;

		if (ps->in_event) {
			/* the hot path: find the end and hash in one pass */
			uint64_t h;

			nl = ps_scan(p, end, &h);
			n = (size_t)(nl - p);
			ps->lineno++;
			if (n > PS_LINE_MAX)
				ps_warn(ps, "line longer than 16 MiB skipped",
				    p, 64);
			else if ((r = ps_body_line(ps, p, n, h)) != 0)
				return r;
		} else {
			if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
				nl = end;
			n = (size_t)(nl - p);
			if (n > PS_LINE_MAX) {
				ps->lineno++;
				ps_warn(ps, "line longer than 16 MiB skipped",
				    p, 64);
			} else if ((r = ps_line(ps, p, n)) != 0)
				return r;
		}
		if (ps->probe && ps->have_event)
			return 0;
		p = nl + 1;
		if (++poll == PS_CANCEL_EVERY ||
		    (size_t)(p - polled) >= PS_POPULATE / 4) {
			poll = 0;
			polled = p;
			if (ps->o->cancel != NULL && *ps->o->cancel)
				return FG_ECANCELED;
			if (populate && ready - p < (ptrdiff_t)PS_POPULATE / 2)
				populate_ahead(&ready, buf, end, &populate);
			if (drop && p < end &&
			    (size_t)(p - dropped) >= PS_DROP_WINDOW) {
				uintptr_t a = (uintptr_t)dropped;
				uintptr_t b = (uintptr_t)p & ~(uintptr_t)4095;

				if (b > a) {
					madvise((void *)a, b - a,
					    MADV_DONTNEED);
					dropped = (const char *)b;
				}
			}
		}
	}
	return 0;
}

/* ---- the public API ----------------------------------------------------- */

/* Threads to collapse a large mapped input with: --threads, else 2 or 1. */
static unsigned
want_threads(const struct fg_collapse_opts *o)
{
	long n;

	if (o->nthreads != 0)
		return o->nthreads;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n >= 2 ? 2 : 1;
}

static int
collapse_buf(const char *buf, size_t len, const char *name,
    const struct fg_collapse_opts *o, struct fg_stacks *out,
    struct fg_error *err, int drop)
{
	struct ps ps;
	int r;

	/* a sample log is kept in input order: one thread reads it all */
	if (want_threads(o) >= 2 && len >= PS_SPLIT_MIN &&
	    !stacks_keeps_sequence(out) &&
	    (r = ps_collapse_chunks(buf, len, name, o, out, err, drop)) != 1)
		return r;
	if ((r = ps_init(&ps, o, out, name, err)) == 0) {
		r = ps_run(&ps, buf, len, drop);
		if (r == 0)
			r = ps_finish(&ps);
	}
	ps_free(&ps);
	if (r != 0 && (err == NULL || err->code == 0))
		return ps_fail(&ps, r);
	return r;
}


void
fg_collapse_opts_init(struct fg_collapse_opts *o)
{
	memset(o, 0, sizeof(*o));
}

int
fg_collapse_perf_mem(const char *buf, size_t len, const char *name,
    const struct fg_collapse_opts *o, struct fg_stacks *out,
    struct fg_error *err)
{
	struct fg_collapse_opts def;

	if (o == NULL) {
		fg_collapse_opts_init(&def);
		o = &def;
	}
	if (out == NULL || (buf == NULL && len > 0))
		return seterr(err, FG_EINVAL, "%s: no input or output",
		    name ? name : "perf script");
	if (buf == NULL)	/* no input: no NULL + 0 below */
		buf = "";
	return collapse_buf(buf, len, name, o, out, err, 0);
}

/* A pipe being read: what was read, and where its unread lines start. */
struct stream {
	int fd;
	struct fg_buf b;
	size_t start;
	int eof;
};

/* The next block, after what is left of the last one. */
static int
stream_read(struct ps *ps, struct stream *s, const struct fg_collapse_opts *o,
    struct fg_error *err)
{
	ssize_t n;
	int r;

	if (s->start > 0) {
		memmove(s->b.d, s->b.d + s->start, s->b.len - s->start);
		s->b.len -= s->start;
		s->start = 0;
	}
	if ((r = buf_reserve(&s->b, PS_READ_BLOCK)) != 0)
		return ps_fail(ps, r);
	while ((n = read(s->fd, s->b.d + s->b.len, PS_READ_BLOCK)) < 0) {
		/* a signal: see the cancel flag before reading again */
		if (errno == EINTR && !(o->cancel != NULL && *o->cancel))
			continue;
		if (errno == EINTR)
			return ps_fail(ps, FG_ECANCELED);
		return seterr_sys(err, FG_EIO, errno,
		    "%s: read after line %zu", ps->name, ps->lineno);
	}
	if (n == 0)
		s->eof = 1;
	s->b.len += (size_t)n;
	return 0;
}

/* Collapse the complete lines read (all of them at the end of input). */
static int
stream_lines(struct ps *ps, struct stream *s)
{
	char *p = s->b.d, *end = s->b.d + s->b.len, *nl;
	int r;

	if (!s->eof) {
		nl = memrchr(p, '\n', (size_t)(end - p));
		end = nl != NULL ? nl + 1 : p;
	}
	if (end > p && (r = ps_run(ps, p, (size_t)(end - p), 0)) != 0)
		return ps_fail(ps, r);
	s->start = (size_t)(end - s->b.d);
	return 0;
}

/*
 * What is left after the complete lines is an overlong line: warn, and
 * drop it up to its newline, whose rest arrives in the next reads.
 */
static int
stream_skip_long(struct ps *ps, struct stream *s,
    const struct fg_collapse_opts *o)
{
	ssize_t n;
	char *nl;

	ps->lineno++;
	ps_warn(ps, "line longer than 16 MiB skipped", s->b.d + s->start, 64);
	s->start = s->b.len;
	while (!s->eof) {
		n = read(s->fd, s->b.d, PS_READ_BLOCK);
		if (n < 0 && errno == EINTR && o->cancel != NULL && *o->cancel)
			return ps_fail(ps, FG_ECANCELED);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			s->eof = 1;
			s->b.len = 0;
			s->start = 0;
			break;
		}
		if ((nl = memchr(s->b.d, '\n', (size_t)n)) != NULL) {
			s->b.len = (size_t)n;
			s->start = (size_t)(nl + 1 - s->b.d);
			break;
		}
	}
	return 0;
}

/* Read a pipe in blocks, keeping the unfinished last line. */
static int
collapse_stream(int fd, const char *name, const struct fg_collapse_opts *o,
    struct fg_stacks *out, struct fg_error *err)
{
	struct ps ps;
	struct stream s;
	int r;

	if ((r = ps_init(&ps, o, out, name, err)) != 0) {
		ps_free(&ps);
		return ps_fail(&ps, r);
	}
	memset(&s, 0, sizeof(s));
	s.fd = fd;
	buf_init(&s.b, PS_LINE_MAX + PS_READ_BLOCK + 1);
	while (!s.eof) {
		if ((r = stream_read(&ps, &s, o, err)) != 0 ||
		    (r = stream_lines(&ps, &s)) != 0)
			goto out;
		if (s.b.len - s.start > PS_LINE_MAX) {
			if ((r = stream_skip_long(&ps, &s, o)) != 0)
				goto out;
			if (s.eof)
				break;
		}
		if (o->cancel != NULL && *o->cancel) {
			r = ps_fail(&ps, FG_ECANCELED);
			goto out;
		}
	}
	if ((r = ps_finish(&ps)) != 0)
		r = ps_fail(&ps, r);
out:
	buf_free(&s.b);
	ps_free(&ps);
	return r;
}

int
fg_collapse_perf_fd(int fd, const char *name,
    const struct fg_collapse_opts *o, struct fg_stacks *out,
    struct fg_error *err)
{
	struct fg_collapse_opts def;
	struct stat sb;
	void *map;
	int r;

	if (name == NULL)
		name = "perf script";
	if (o == NULL) {
		fg_collapse_opts_init(&def);
		o = &def;
	}
	if (out == NULL)
		return seterr(err, FG_EINVAL, "%s: no output model", name);
	if (fstat(fd, &sb) == -1)
		return seterr_sys(err, FG_EIO, errno, "%s", name);
	/* map regular files read from their start; stream the rest */
	if (!S_ISREG(sb.st_mode) || sb.st_size == 0 ||
	    (uint64_t)sb.st_size > SIZE_MAX || lseek(fd, 0, SEEK_CUR) != 0)
		return collapse_stream(fd, name, o, out, err);
	map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED)
		return collapse_stream(fd, name, o, out, err);
	madvise(map, (size_t)sb.st_size, MADV_SEQUENTIAL);
	r = collapse_buf(map, (size_t)sb.st_size, name, o, out, err, 1);
	munmap(map, (size_t)sb.st_size);
	return r;
}

int
fg_collapse_perf_file(const char *path, const struct fg_collapse_opts *o,
    struct fg_stacks *out, struct fg_error *err)
{
	int fd, r;

	if (path == NULL || strcmp(path, "-") == 0)
		return fg_collapse_perf_fd(STDIN_FILENO, "perf script", o,
		    out, err);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return seterr_sys(err, FG_EIO, errno, "%s", path);
	r = fg_collapse_perf_fd(fd, path, o, out, err);
	close(fd);
	return r;
}
