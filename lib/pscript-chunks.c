/*
 * pscript-chunks.c: a large mapped `perf script` input collapsed by two
 * threads.  It is cut after blank lines, where one pass keeps no state
 * but the event type followed (found first by a probe), so the merged
 * models of the two are what one pass gives; the chunks' warnings are
 * given out at the end in input order, numbered in the whole input.
 */
#include <sys/mman.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pscript-int.h"

/*
 * A large mapped input is cut into chunks of about PS_CHUNK bytes, each
 * starting right after a blank line (where one pass has no state left
 * but the event filter, found first by a probe).  Two workers take chunks
 * in turn from a shared counter, so a worker that gets less CPU does
 * fewer; each collapses into its own model (the caller's for the first
 * worker) with its own cache.  Warnings are kept per chunk and given out
 * at the end, in input order, numbered with the chunks' line counts.
 */
#define PS_CHUNK	(4u << 20)

struct ps_chunk {
	const char *buf;
	size_t len;
	size_t lines;		/* lines in this chunk, once done */
	int rc;			/* its failure, 0 when it did not fail */
	struct fg_error err;
	struct ps_warnbuf wbuf;
};

struct ps_pool {
	struct ps_chunk *chunks;
	size_t nchunks;
	size_t next;		/* taken with __atomic_fetch_add */
	int failed;		/* set when a chunk fails: the others stop */
	int drop;
};

struct ps_worker {
	struct ps ps;
	struct fg_stacks *st;
	struct ps_pool *pool;
};

static void *
ps_worker_run(void *arg)
{
	struct ps_worker *w = arg;
	struct ps_pool *pool = w->pool;
	size_t k;

	while ((k = __atomic_fetch_add(&pool->next, 1, __ATOMIC_RELAXED)) <
	    pool->nchunks) {
		struct ps_chunk *c = &pool->chunks[k];
		uintptr_t a, b;
		int r;

		if (__atomic_load_n(&pool->failed, __ATOMIC_RELAXED))
			break;
		w->ps.lineno = 0;
		w->ps.in_event = 0;
		w->ps.filter = PS_KEEP;
		w->ps.nframes = 0;
		w->ps.wbuf = &c->wbuf;
		w->ps.err = &c->err;
		r = ps_run(&w->ps, c->buf, c->len, pool->drop);
		if (r == 0)
			r = ps_finish(&w->ps);
		c->lines = w->ps.lineno;
		if (r != 0) {
			c->rc = r;
			__atomic_store_n(&pool->failed, 1, __ATOMIC_RELAXED);
		}
		/* what ps_run kept mapped of this chunk goes now */
		a = ((uintptr_t)c->buf + 4095) & ~(uintptr_t)4095;
		b = ((uintptr_t)c->buf + c->len) & ~(uintptr_t)4095;
		if (pool->drop && b > a)
			madvise((void *)a, b - a, MADV_DONTNEED);
	}
	return NULL;
}

/* The end of the first blank line at or after buf + from (the start of
 * the line that follows it); len when there is none. */
static size_t
blank_after(const char *buf, size_t len, size_t from)
{
	const char *p = buf + from, *end = buf + len, *nl;

	/* from the start of a line */
	if (from > 0 && buf[from - 1] != '\n') {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return len;
		p = nl + 1;
	}
	while (p < end) {
		size_t n;

		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			return len;
		n = (size_t)(nl - p);
		if (!(n > 0 && p[0] == '#')) {
			base_trim_end(p, &n);
			if (n == 0)
				return (size_t)(nl + 1 - buf);
		}
		p = nl + 1;
	}
	return len;
}

/* Give out the kept warnings of the chunks, numbered in the whole input. */
static void
chunk_warnings(struct ps_pool *pool, const struct fg_collapse_opts *o,
    const char *name)
{
	size_t k, i, base = 0;
	char msg[FG_ERRMSG_MAX];

	for (k = 0; k < pool->nchunks; k++) {
		struct ps_chunk *c = &pool->chunks[k];

		for (i = 0; i < c->wbuf.n; i++) {
			snprintf(msg, sizeof(msg), "%s: line %zu: %s", name,
			    base + c->wbuf.lines[i], c->wbuf.msgs[i]);
			if (o->warn.fn != NULL)
				o->warn.fn(o->warn.arg, msg);
		}
		if (c->wbuf.dropped > 0 && o->warn.fn != NULL) {
			snprintf(msg, sizeof(msg),
			    "%s: %zu more warnings in lines %zu to %zu", name,
			    c->wbuf.dropped, base + 1, base + c->lines);
			o->warn.fn(o->warn.arg, msg);
		}
		base += c->lines;
	}
}

static void
pool_free(struct ps_pool *pool)
{
	size_t k, i;

	for (k = 0; k < pool->nchunks; k++)
		for (i = 0; i < pool->chunks[k].wbuf.n; i++)
			free(pool->chunks[k].wbuf.msgs[i]);
	free(pool->chunks);
}

/* Find the first event type the way one pass would (for the workers). */
static int
probe_event(const char *buf, size_t len, const char *name,
    const struct fg_collapse_opts *o, struct ps *into)
{
	struct ps probe;
	struct fg_stacks *scratch;
	int r;

	if (into->have_event)
		return 0;
	if ((scratch = fg_stacks_new()) == NULL)
		return FG_ENOMEM;
	if ((r = ps_init(&probe, o, scratch, name, NULL)) == 0) {
		probe.probe = 1;
		r = ps_run(&probe, buf, len, 0);
		if (r == 0 && probe.have_event) {
			into->event = probe.event;
			into->event_len = probe.event_len;
			into->have_event = 1;
			probe.event = NULL;
		}
	}
	ps_free(&probe);
	fg_stacks_free(scratch);
	return r;
}

/* Collapse buf with two workers over chunks; 1 when not worth it. */
int
ps_collapse_chunks(const char *buf, size_t len, const char *name,
    const struct fg_collapse_opts *o, struct fg_stacks *out,
    struct fg_error *err, int drop)
{
	struct ps_pool pool;
	struct ps_worker w[2];
	pthread_t th;
	size_t k, at, cap, line_base;
	int r = 0, started = 0, inited = 0;

	memset(&pool, 0, sizeof(pool));
	memset(w, 0, sizeof(w));
	pool.drop = drop;
	cap = len / PS_CHUNK + 2;
	if ((pool.chunks = calloc(cap, sizeof(*pool.chunks))) == NULL)
		return seterr(err, FG_ENOMEM, "%s: out of memory",
		    name ? name : "perf script");
	for (at = 0; at < len && pool.nchunks < cap;) {
		size_t end = len - at <= PS_CHUNK + PS_CHUNK / 2 ? len :
		    blank_after(buf, len, at + PS_CHUNK);

		if (pool.nchunks == cap - 1)
			end = len;
		pool.chunks[pool.nchunks].buf = buf + at;
		pool.chunks[pool.nchunks].len = end - at;
		pool.nchunks++;
		at = end;
	}
	if (pool.nchunks < 2) {
		pool_free(&pool);
		return 1;
	}
	for (k = 0; k < 2; k++) {
		if ((w[k].st = k == 0 ? out : fg_stacks_new()) == NULL) {
			r = FG_ENOMEM;
			goto out;
		}
		r = ps_init(&w[k].ps, o, w[k].st, name, err);
		inited = (int)k + 1;
		if (r != 0)
			goto out;
		w[k].pool = &pool;
	}
	if ((r = probe_event(buf, len, name, o, &w[0].ps)) != 0)
		goto out;
	if (w[0].ps.have_event && !w[1].ps.have_event) {
		if ((w[1].ps.event = strdup(w[0].ps.event)) == NULL) {
			r = FG_ENOMEM;
			goto out;
		}
		w[1].ps.event_len = w[0].ps.event_len;
		w[1].ps.have_event = 1;
	}
	if (pthread_create(&th, NULL, ps_worker_run, &w[1]) == 0)
		started = 1;
	ps_worker_run(&w[0]);
	if (started)
		pthread_join(th, NULL);
	chunk_warnings(&pool, o, w[0].ps.name);
	/* the first chunk that failed names the error */
	for (k = 0, line_base = 0; k < pool.nchunks; k++) {
		struct ps_chunk *c = &pool.chunks[k];

		if (c->rc != 0) {
			if (c->err.code != 0)
				r = seterr(err, c->err.code, "%s",
				    c->err.msg);
			else
				r = seterr(err, c->rc, "%s: line %zu: %s",
				    w[0].ps.name, line_base + c->lines,
				    fg_strerror(c->rc));
			goto out;
		}
		line_base += c->lines;
	}
	r = fg_stacks_merge(out, w[1].st, err);
out:
	for (k = 0; k < (size_t)inited; k++)
		ps_free(&w[k].ps);
	if (w[1].st != NULL)
		fg_stacks_free(w[1].st);
	pool_free(&pool);
	if (r != 0 && (err == NULL || err->code == 0))
		return seterr(err, r, "%s: %s", name ? name : "perf script",
		    fg_strerror(r));
	return r;
}

