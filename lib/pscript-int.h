/*
 * pscript-int.h: what the files of the perf-script collapser share
 * (lib/pscript*.c; not installed, not for other modules): its limits,
 * the collapser's state (struct ps: one per thread, owned by it), the
 * raw line hash, and the steps one file does for the others.
 *
 *   pscript.c         the public API and the driver: a mapped buffer or a
 *                     pipe read in blocks, cut into lines (ps_run);
 *   pscript-event.c   event lines (comm pid/tid: time: period event: ...)
 *                     and the end of an event, which adds its stack;
 *   pscript-stack.c   stack lines: the cache from raw lines to frames, and
 *                     the frames of a line that missed it (frame.c);
 *   pscript-text.c    UTF-8 repair as Rust's from_utf8_lossy, warnings;
 *   pscript-chunks.c  a large mapped input collapsed by two threads.
 */
#ifndef FG_PSCRIPT_INT_H
#define FG_PSCRIPT_INT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "base.h"
#include "stacks.h"

#define PS_LINE_MAX	(16u << 20)	/* longer lines are skipped */
#define PS_READ_BLOCK	(1u << 20)	/* pipe reads */
#define PS_CACHE_BYTES	(4u << 20)	/* raw line cache flushed past this */
#define PS_KEY_MAX	(64u << 10)	/* longer lines are not cached */
#define PS_CACHE_LINES	(1u << 16)	/* or past this many lines (the
					 * table stays within 4 MiB) */
#define PS_DROP_WINDOW	(4u << 20)	/* mapped bytes released behind us */
#define PS_POPULATE	(2u << 20)	/* mapped bytes prefaulted ahead */
#define PS_SPLIT_MIN	(8u << 20)	/* smaller inputs use one thread */
#define PS_WARN_KEEP	64		/* warnings a helper thread keeps */
#define PS_CANCEL_EVERY	4096		/* lines between cancel polls */

enum ps_filter { PS_KEEP, PS_SKIP, PS_SKIP_REST };

/* One cached raw stack line: its frames (line order) and flags. */
struct ps_centry {
	uint64_t hash;		/* 0: empty slot */
	uint32_t key_off;	/* raw bytes in cache keys */
	uint32_t key_len;
	uint32_t ids_off;	/* frames in cache ids */
	uint32_t id0;		/* the first of them, kept here too */
	uint32_t nids;
	uint8_t java;		/* processed for a "java" process */
	uint8_t weird;		/* not a stack line */
	uint8_t skip_rest;	/* matched --skip-after */
};

struct ps_warnbuf {
	char *msgs[PS_WARN_KEEP];
	size_t lines[PS_WARN_KEEP];
	size_t n;
	size_t dropped;
};

struct ps {
	const struct fg_collapse_opts *o;
	struct fg_stacks *st;
	const char *name;
	struct fg_error *err;
	struct ps_warnbuf *wbuf;	/* helper thread: warnings kept here */
	size_t lineno;

	/* event filter: opts, or the first event seen */
	char *event;
	size_t event_len;
	int have_event;
	int probe;		/* only looking for the first event */

	int in_event;
	enum ps_filter filter;
	uint64_t weight;
	int java;		/* the process name is exactly "java" */
	uint32_t pname_id;
	struct fg_buf pname;
	struct fg_buf last_pname;
	int have_last_pname;
	/* keeping a sample log: the event's time (ns), ids and command */
	uint64_t ev_time;
	uint32_t ev_pid, ev_tid;
	struct fg_buf ev_comm;

	uint32_t *frames;	/* this event's frames, leaf first */
	size_t nframes, frames_cap;
	uint32_t *emit;
	size_t emit_cap;

	/* raw line -> frames cache */
	struct ps_centry *tab;
	size_t mask, used;
	struct fg_buf keys;
	uint32_t *cids;
	size_t ncids, cids_cap;

	struct fg_buf scratch;	/* lossy UTF-8 copy of a stack line */
	struct fg_buf evline;	/* lossy UTF-8 copy of an event line */
	struct fg_buf work;	/* one frame being built */
	struct fg_buf work2;
	struct ps_centry *fill;	/* the entry process_stack_line() fills */
};

/* ---- the raw line hash (the cache's; ps_scan() finds lines with it) --- */

/* 64x64->128 multiply folded to 64 bits. */
static inline uint64_t
ps_mum(uint64_t a, uint64_t b)
{
	__uint128_t r = (__uint128_t)a * b;

	return (uint64_t)r ^ (uint64_t)(r >> 64);
}

static inline uint64_t
rd64(const char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

#define PS_K1 0xe7037ed1a0b428dbULL
#define PS_K2 0x8ebc6af09c88c6e3ULL
#define PS_K0 0xa0761d6478bd642fULL

/* The end of the hash: the zero-padded tail (under 16 bytes) and len. */
static inline uint64_t
ps_hash_end(uint64_t s, uint64_t a, uint64_t b, size_t len)
{
	return ps_mum(a ^ PS_K1 ^ len, ps_mum(b ^ PS_K2, s ^ PS_K1));
}

/*
 * The cache's hash of a raw line: one 128-bit multiply per 16-byte chunk,
 * then the zero-padded tail.  ps_scan() computes the same value while it
 * looks for the newline.  Not stable across versions; the cache never
 * leaves the process.
 */
static inline uint64_t
ps_hash(const char *p, size_t len)
{
	uint64_t s = PS_K0, a = 0, b = 0;
	size_t i = len, r;

	while (i >= 16) {
		s = ps_mum(rd64(p) ^ PS_K1, rd64(p + 8) ^ s);
		p += 16;
		i -= 16;
	}
	if (i > 0) {
		unsigned char t[16];

		memset(t, 0, sizeof(t));
		r = i;
		memcpy(t, p, r);
		a = rd64((const char *)t);
		b = rd64((const char *)t + 8);
	}
	return ps_hash_end(s, a, b, len);
}

/*
 * Find the end of the line at p (the newline, or end) and hash the line
 * in the same pass.  With SSE2 (every x86-64) 16 bytes at a time while
 * 16 bytes remain; the rest through memchr and ps_hash.
 */
static inline const char *
ps_scan(const char *p, const char *end, uint64_t *hp)
{
#ifdef __SSE2__
	const __m128i nl = _mm_set1_epi8('\n');
	const char *start = p;
	uint64_t s = PS_K0;

	while (end - p >= 16) {
		__m128i v = _mm_loadu_si128((const void *)p);
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_cmpeq_epi8(v, nl));

		if (m == 0) {
			s = ps_mum(rd64(p) ^ PS_K1, rd64(p + 8) ^ s);
			p += 16;
			continue;
		} else {
			unsigned r = base_ctz64(m);
			uint64_t a = rd64(p), b = rd64(p + 8);

			if (r == 0)
				a = b = 0;
			else if (r < 8) {
				a &= ((uint64_t)1 << (8 * r)) - 1;
				b = 0;
			} else if (r == 8)
				b = 0;
			else
				b &= ((uint64_t)1 << (8 * (r - 8))) - 1;
			*hp = ps_hash_end(s, a, b, (size_t)(p + r - start));
			return p + r;
		}
	}
	{
		const char *q = memchr(p, '\n', (size_t)(end - p));

		if (q == NULL)
			q = end;
		*hp = ps_hash(start, (size_t)(q - start));
		return q;
	}
#else
	const char *q = memchr(p, '\n', (size_t)(end - p));

	if (q == NULL)
		q = end;
	*hp = ps_hash(p, (size_t)(q - p));
	return q;
#endif
}


static inline int
ps_has_high(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)p[i] >= 0x80)
			return 1;
	return 0;
}

/*
 * Every int step returns 0 or an FG_ code; the caller turns it into a
 * message naming the line (ps_fail() in pscript.c).
 */

/* pscript-text.c */
/*
 * Make p[0..len) valid UTF-8 the way Rust's from_utf8_lossy does: 1 with
 * the repaired text in out, 0 when it was valid (out untouched), <0.
 */
int ps_utf8_lossy(const char *p, size_t len, struct fg_buf *out);
/* Warn about line[0..len) with its line number (kept in ps->wbuf when
 * set); nothing while probing or without a warning callback. */
void ps_warn(struct ps *ps, const char *what, const char *line, size_t len);

/* pscript-stack.c */
/* The cache's table twice as large (4,096 slots at first). */
int ps_cache_grow(struct ps *ps);
/* A line inside an event, raw (untrimmed) with its ps_hash(). */
int ps_body_line(struct ps *ps, const char *raw, size_t len, uint64_t h);
/* The one-frame stack at the end of an event line (trimmed). */
int ps_inline_stack(struct ps *ps, const char *line, size_t len);

/* pscript-event.c */
/* The end of an event: its stack to the model, the state reset. */
int ps_after_event(struct ps *ps);
/* One input line, without its newline. */
int ps_line(struct ps *ps, const char *line, size_t len);
/* The end of input: the last event's stack when it had no blank line. */
int ps_finish(struct ps *ps);

/* pscript.c */
/* A collapser into st; ps_free() it whatever this returns. */
int ps_init(struct ps *ps, const struct fg_collapse_opts *o,
    struct fg_stacks *st, const char *name, struct fg_error *err);
void ps_free(struct ps *ps);
/*
 * The lines of buf[0..len) (a last line without newline counts); with
 * drop, buf is a mapping whose read pages are given back.
 */
int ps_run(struct ps *ps, const char *buf, size_t len, int drop);

/* pscript-chunks.c */
/*
 * Collapse a mapped buf[0..len) with two threads into out: 0, an FG_
 * code with err filled, or 1 when the input is too small to split.
 */
int ps_collapse_chunks(const char *buf, size_t len, const char *name,
    const struct fg_collapse_opts *o, struct fg_stacks *out,
    struct fg_error *err, int drop);

#endif /* FG_PSCRIPT_INT_H */
