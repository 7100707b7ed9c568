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
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "base.h"
#include "frame.h"
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

/* ---- small string helpers (inferno's Rust str semantics on bytes) ---- */

/* Bytes of a valid UTF-8 sequence starting at s, 0 when invalid there;
 * *bad gets the length of the maximal invalid prefix to replace. */
static size_t
utf8_seq(const unsigned char *s, size_t len, size_t *bad)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t need, i;

	*bad = 1;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 1;
	else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	for (i = 1; i <= need; i++) {
		unsigned char d;

		if (i >= len)
			return 0;
		d = s[i];
		if (d < lo || d > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
		*bad = i + 1;
	}
	return need + 1;
}

/*
 * Make p[0..len) valid UTF-8 the way Rust's from_utf8_lossy does (each
 * maximal invalid prefix becomes U+FFFD).  Returns 1 and fills out when
 * something was replaced, 0 when the bytes were valid, <0 on error.
 */
static int
utf8_lossy(const char *p, size_t len, struct fg_buf *out)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0, start = 0, bad, n;
	int changed = 0, r;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((n = utf8_seq(s + i, len - i, &bad)) != 0) {
			i += n;
			continue;
		}
		if (!changed) {
			fg_buf_reset(out);
			changed = 1;
		}
		if ((r = fg_buf_append(out, p + start, i - start)) != 0 ||
		    (r = fg_buf_append(out, "\xef\xbf\xbd", 3)) != 0)
			return r;
		i += bad;
		start = i;
	}
	if (!changed)
		return 0;
	if ((r = fg_buf_append(out, p + start, len - start)) != 0)
		return r;
	return 1;
}

static int
has_high(const char *p, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if ((unsigned char)p[i] >= 0x80)
			return 1;
	return 0;
}

/* ---- warnings ----------------------------------------------------------- */

static void
ps_warn(struct ps *ps, const char *what, const char *line, size_t len)
{
	char msg[FG_ERRMSG_MAX], text[168];
	size_t n, i;

	if (ps->probe || ps->o->warn.fn == NULL)
		return;
	/* A short copy; control bytes (NUL, CR, ESC) would garble a
	 * terminal or cut the message. */
	n = len > 160 ? 160 : len;
	for (i = 0; i < n; i++)
		text[i] = ((unsigned char)line[i] < 0x20 || line[i] == 0x7f) ?
		    '?' : line[i];
	text[n] = '\0';
	if (ps->wbuf != NULL) {
		/* a chunk: keep "what: text", numbered when emitted */
		struct ps_warnbuf *w = ps->wbuf;

		snprintf(msg, sizeof(msg), "%s: %s%s", what, text,
		    n < len ? "..." : "");
		if (w->n < PS_WARN_KEEP &&
		    (w->msgs[w->n] = strdup(msg)) != NULL) {
			w->lines[w->n] = ps->lineno;
			w->n++;
		} else
			w->dropped++;
		return;
	}
	snprintf(msg, sizeof(msg), "%s: line %zu: %s: %s%s", ps->name,
	    ps->lineno, what, text, n < len ? "..." : "");
	ps->o->warn.fn(ps->o->warn.arg, msg);
}

/* ---- frame names ------------------------------------------------------ */

static int
push_cid(struct ps *ps, uint32_t id)
{
	if (ps->ncids == ps->cids_cap) {
		size_t cap = ps->cids_cap ? ps->cids_cap * 2 : 1024;
		uint32_t *n;

		if (cap > UINT32_MAX / 2 ||
		    (n = reallocarray(ps->cids, cap, sizeof(*n))) == NULL)
			return FG_ENOMEM;
		ps->cids = n;
		ps->cids_cap = cap;
	}
	ps->cids[ps->ncids++] = id;
	return 0;
}

/* frame_names()' emit: one frame of the entry being filled (ps->fill). */
static int
emit_frame(void *arg, const char *name, size_t len)
{
	struct ps *ps = arg;
	struct ps_centry *e = ps->fill;
	uint32_t id;
	int r;

	if ((r = fg_stacks_intern(ps->st, name, len, &id)) != 0 ||
	    (r = push_cid(ps, id)) != 0)
		return r;
	if (e->nids++ == 0)
		e->id0 = id;
	return 0;
}

/*
 * Process a stack line that missed the cache: fill e (ids appended to
 * cids).  line is trimmed at its end.  The frames are frame.c's, the
 * native reader's rules too.
 */
static int
process_stack_line(struct ps *ps, const char *line, size_t len,
    struct ps_centry *e)
{
	struct frame_line fl;
	struct frame_opts fo;
	size_t k;
	int r;

	e->ids_off = (uint32_t)ps->ncids;
	e->nids = 0;
	e->weird = 0;
	e->skip_rest = 0;
	if ((r = frame_parse_line(line, len, &ps->work2, &fl)) < 0)
		return r;
	if (r == 0) {
		e->weird = 1;
		return 0;
	}
	if (fl.flen > 0 && fl.func[0] == '(')
		return 0;
	fo.kernel = ps->o->kernel;
	fo.jit = ps->o->jit;
	fo.addrs = ps->o->addrs;
	fo.java = ps->java;
	ps->fill = e;
	if ((r = frame_names(&fl, &fo, &ps->work, emit_frame, ps)) != 0)
		return r;
	for (k = 0; k < ps->o->nskip_after; k++) {
		const char *s = ps->o->skip_after[k];
		if (strlen(s) == fl.flen && memcmp(s, fl.func, fl.flen) == 0) {
			e->skip_rest = 1;
			break;
		}
	}
	return 0;
}

/* ---- the cache ---------------------------------------------------------- */

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

/* memcmp(a, b, n) == 0 for the short keys of the cache, inline. */
static inline int
ps_same(const char *a, const char *b, size_t n)
{
#ifdef __SSE2__
	if (n >= 16) {
		size_t i = 0;

		for (;;) {
			__m128i x, y;

			if (i + 16 > n)
				i = n - 16;	/* the last, overlapping */
			x = _mm_loadu_si128((const void *)(a + i));
			y = _mm_loadu_si128((const void *)(b + i));
			if (_mm_movemask_epi8(_mm_cmpeq_epi8(x, y)) != 0xffff)
				return 0;
			if (i + 16 == n)
				return 1;
			i += 16;
		}
	}
#endif
	return memcmp(a, b, n) == 0;
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
			unsigned r = (unsigned)__builtin_ctz(m);
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

static void
cache_clear(struct ps *ps)
{
	if (ps->tab != NULL)
		memset(ps->tab, 0, (ps->mask + 1) * sizeof(*ps->tab));
	ps->used = 0;
	fg_buf_reset(&ps->keys);
	ps->ncids = 0;
}

static int
cache_grow(struct ps *ps)
{
	size_t ncap = ps->tab ? (ps->mask + 1) * 2 : 4096, i;
	struct ps_centry *nt;

	if ((nt = calloc(ncap, sizeof(*nt))) == NULL)
		return FG_ENOMEM;
	for (i = 0; ps->tab != NULL && i <= ps->mask; i++) {
		size_t j;

		if (ps->tab[i].hash == 0)
			continue;
		for (j = ps->tab[i].hash & (ncap - 1); nt[j].hash != 0;
		    j = (j + 1) & (ncap - 1))
			;
		nt[j] = ps->tab[i];
	}
	free(ps->tab);
	ps->tab = nt;
	ps->mask = ncap - 1;
	return 0;
}

static int
push_frames(struct ps *ps, const uint32_t *ids, size_t n)
{
	size_t i;

	if (ps->nframes + n > ps->frames_cap) {
		size_t cap = ps->frames_cap ? ps->frames_cap : 256;
		uint32_t *nf;

		while (cap < ps->nframes + n)
			cap *= 2;
		if (cap > (1u << 24))
			return FG_ELIMIT;
		if ((nf = reallocarray(ps->frames, cap, sizeof(*nf))) == NULL)
			return FG_ENOMEM;
		ps->frames = nf;
		ps->frames_cap = cap;
	}
	/* line order a, b, c goes rootward of what we have: store c, b, a */
	for (i = n; i-- > 0;)
		ps->frames[ps->nframes++] = ids[i];
	return 0;
}

static int after_event(struct ps *);

/* Add the frames of a processed stack line to the event. */
static int
apply_entry(struct ps *ps, const struct ps_centry *e, const char *line,
    size_t len)
{
	int r;

	if (e->weird) {
		ps_warn(ps, "weird stack line", line, len);
		return 0;
	}
	if (e->nids == 1 && ps->nframes < ps->frames_cap)
		ps->frames[ps->nframes++] = e->id0;	/* the common case */
	else if (e->nids > 0 &&
	    (r = push_frames(ps, ps->cids + e->ids_off, e->nids)) != 0)
		return r;
	if (e->skip_rest)
		ps->filter = PS_SKIP_REST;
	return 0;
}

/* Clean up a stack line (trimmed at its end) that is not cached. */
static int
fresh_stack_line(struct ps *ps, const char *line, size_t len,
    struct ps_centry *e)
{
	int r;

	if (has_high(line, len)) {
		if ((r = utf8_lossy(line, len, &ps->scratch)) < 0)
			return r;
		if (r > 0) {
			line = ps->scratch.d;
			len = ps->scratch.len;
		}
	}
	if (ps->keys.len + len > PS_CACHE_BYTES ||
	    ps->used >= PS_CACHE_LINES || ps->ncids > PS_CACHE_BYTES / 4)
		cache_clear(ps);
	memset(e, 0, sizeof(*e));
	return process_stack_line(ps, line, len, e);
}

/*
 * A line inside an event, raw (not trimmed, without its newline), and
 * ps_hash() of it.  The cache maps raw lines that are stack lines to
 * their frames; comments and blank lines are never cached.
 */
static int
on_event_body_line(struct ps *ps, const char *raw, size_t len, uint64_t h)
{
	struct ps_centry *e, tmp;
	size_t i, tl;
	int r;

	if (ps->filter != PS_KEEP) {
		if (len > 0 && raw[0] == '#')
			return 0;
		tl = len;
		fg_trim_end(raw, &tl);
		return tl == 0 ? after_event(ps) : 0;
	}
	h ^= (uint64_t)ps->java;
	if (h == 0)
		h = 1;
	for (i = h & ps->mask;; i = (i + 1) & ps->mask) {
		e = &ps->tab[i];
		if (e->hash == 0)
			break;
		if (e->hash == h && e->key_len == len &&
		    e->java == ps->java &&
		    ps_same(ps->keys.d + e->key_off, raw, len))
			return apply_entry(ps, e, raw, len);
	}
	if (len > 0 && raw[0] == '#')
		return 0;
	tl = len;
	fg_trim_end(raw, &tl);
	if (tl == 0)
		return after_event(ps);
	if ((r = fresh_stack_line(ps, raw, tl, &tmp)) != 0)
		return r;
	tmp.hash = h;
	tmp.java = (uint8_t)ps->java;
	tmp.key_off = (uint32_t)ps->keys.len;
	tmp.key_len = (uint32_t)len;
	if (len > PS_KEY_MAX)
		r = FG_ELIMIT;	/* not worth a place in the cache */
	else if ((r = fg_buf_append(&ps->keys, raw, len)) == 0) {
		if ((ps->used + 1) * 4 > (ps->mask + 1) * 3 &&
		    (r = cache_grow(ps)) != 0)
			return r;
		for (i = h & ps->mask; ps->tab[i].hash != 0;
		    i = (i + 1) & ps->mask)
			;
		ps->tab[i] = tmp;
		ps->used++;
	} else if (r != FG_ELIMIT)
		return r;
	return apply_entry(ps, &tmp, raw, tl);
}

/* The one-frame stack at the end of an event line (not cached). */
static int
on_inline_stack(struct ps *ps, const char *line, size_t len)
{
	struct ps_centry tmp;
	int r;

	if (ps->filter != PS_KEEP)
		return 0;
	if ((r = fresh_stack_line(ps, line, len, &tmp)) != 0)
		return r;
	return apply_entry(ps, &tmp, line, len);
}

/* ---- events ------------------------------------------------------------- */

static int
after_event(struct ps *ps)
{
	size_t n = 0, i;
	int r = 0;

	if (ps->nframes > 0) {
		if (ps->nframes + 1 > ps->emit_cap) {
			uint32_t *ne;
			size_t cap = ps->nframes + 64;

			if ((ne = reallocarray(ps->emit, cap,
			    sizeof(*ne))) == NULL)
				return fg_seterr(ps->err, FG_ENOMEM,
				    "%s: out of memory", ps->name);
			ps->emit = ne;
			ps->emit_cap = cap;
		}
		if (ps->filter != PS_SKIP_REST)
			ps->emit[n++] = ps->pname_id;
		for (i = ps->nframes; i-- > 0;)
			ps->emit[n++] = ps->frames[i];
		if (!ps->probe)
			r = fg_stacks_add_ids(ps->st, ps->emit, n, ps->weight,
			    0, ps->err);
	}
	ps->in_event = 0;
	ps->filter = PS_KEEP;
	ps->nframes = 0;
	return r;
}

/*
 * Parse the decimal period into *v: 1, 0 when it is not one, -1 when it
 * does not fit in 64 bits.
 */
static int
parse_period(const char *p, size_t len, uint64_t *v)
{
	uint64_t n = 0;
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	for (i = 0; i < len; i++) {
		unsigned d = (unsigned char)p[i] - '0';
		if (n > (UINT64_MAX - d) / 10)
			return -1;
		n = n * 10 + d;
	}
	*v = n;
	return 1;
}

static int
set_pname(struct ps *ps, const char *comm, size_t clen, const char *pid,
    size_t plen, const char *tid, size_t tlen)
{
	struct fg_buf *b = &ps->pname;
	size_t i;
	int r = 0;

	fg_buf_reset(b);
	for (i = 0; i < clen && r == 0; i++)
		r = fg_buf_putc(b, comm[i] == ' ' ? '_' : comm[i]);
	/* inferno tidies Java names by the bare process name */
	ps->java = r == 0 && b->len == 4 && memcmp(b->d, "java", 4) == 0;
	if (r == 0 && (ps->o->tid || ps->o->pid)) {
		r |= fg_buf_putc(b, '-');
		r |= fg_buf_append(b, pid, plen);
		if (ps->o->tid) {
			r |= fg_buf_putc(b, '/');
			r |= fg_buf_append(b, tid, tlen);
		}
	}
	if (r != 0)
		return FG_ENOMEM;
	/* an empty name ("" comm, no --pid) has no buffer to compare */
	if (ps->have_last_pname && ps->last_pname.len == b->len &&
	    (b->len == 0 || memcmp(ps->last_pname.d, b->d, b->len) == 0))
		return 0;
	if ((r = fg_stacks_intern(ps->st, b->d, b->len, &ps->pname_id)) != 0)
		return r;
	fg_buf_reset(&ps->last_pname);
	if ((r = fg_buf_append(&ps->last_pname, b->d, b->len)) != 0)
		return r;
	ps->have_last_pname = 1;
	return 0;
}

static int
on_event_line(struct ps *ps, const char *line, size_t len)
{
	size_t i, word = 0, slash = SIZE_MAX, end = 0;
	int digits = 0, last_space = 0, found = 0, r;
	const char *comm, *pid, *tid, *rest, *c1, *c2, *ev, *stack = NULL;
	size_t clen, plen, tlen, rlen, evlen, slen = 0;

	ps->in_event = 1;
	for (i = 0; i < len; i++) {
		char c = line[i];

		if (c == ' ') {
			if (digits && !last_space) {
				found = 1;
				end = i + 1;
				break;
			}
			word = i + 1;
			digits = 1;
		} else if (c == '/') {
			if (digits)
				slash = i;
		} else if (c < '0' || c > '9') {
			digits = 0;
			slash = SIZE_MAX;
		}
		last_space = c == ' ';
	}
	if (!found) {
		ps_warn(ps, "weird event line", line, len);
		ps->in_event = 0;
		return 0;
	}
	if (slash != SIZE_MAX) {
		pid = line + word;
		plen = slash - word;
		tid = line + slash + 1;
		tlen = i - slash - 1;
	} else {
		pid = "?";
		plen = 1;
		tid = line + word;
		tlen = i - word;
	}
	comm = line;
	clen = word - 1;
	fg_trim(&comm, &clen);

	/* splitn(3, ':') of the rest: [0] time, [1] "period event", [2] ... */
	rest = line + end;
	rlen = len - end;
	ev = NULL;
	evlen = 0;
	ps->weight = 1;
	if ((c1 = memchr(rest, ':', rlen)) != NULL) {
		const char *p1 = c1 + 1, *sp;
		size_t n1;

		c2 = memchr(p1, ':', (size_t)(rest + rlen - p1));
		n1 = (size_t)((c2 ? c2 : rest + rlen) - p1);
		for (sp = p1 + n1; sp > p1 && sp[-1] != ' '; sp--)
			;
		ev = sp;
		evlen = (size_t)(p1 + n1 - sp);
		if (sp > p1) {
			const char *pp = p1;
			size_t pl = (size_t)(sp - 1 - p1);
			uint64_t period = 0;
			int pr;

			fg_trim(&pp, &pl);
			if ((pr = parse_period(pp, pl, &period)) == 1 &&
			    period != 0)
				ps->weight = period;
			else if (pr < 0)	/* inferno counts it as 1 */
				ps_warn(ps, "sample period too large, counted "
				    "as 1", pp, pl);
		}
		if (c2 != NULL) {
			const char *p2 = c2 + 1, *q;
			size_t n2 = (size_t)(rest + rlen - p2);

			for (q = p2; q < p2 + n2 && *q != ':' && *q != ' '; q++)
				;
			if (q < p2 + n2) {
				stack = q + 1;
				slen = (size_t)(p2 + n2 - stack);
			} else {
				stack = p2;
				slen = n2;
			}
			fg_trim(&stack, &slen);
			if (slen == 0)
				stack = NULL;
		}
	}
	if (ev != NULL) {
		if (ps->have_event) {
			if (evlen != ps->event_len ||
			    memcmp(ev, ps->event, evlen) != 0) {
				ps->filter = PS_SKIP;
				return 0;
			}
		} else {
			free(ps->event);
			if ((ps->event = malloc(evlen + 1)) == NULL)
				return FG_ENOMEM;
			memcpy(ps->event, ev, evlen);
			ps->event[evlen] = '\0';
			ps->event_len = evlen;
			ps->have_event = 1;
		}
	}
	if ((r = set_pname(ps, comm, clen, pid, plen, tid, tlen)) != 0)
		return r;
	if (stack != NULL) {
		if ((r = on_inline_stack(ps, stack, slen)) != 0)
			return r;
		ps->in_event = 0;
	}
	return 0;
}

/* One input line (without its newline). */
static int
on_line(struct ps *ps, const char *line, size_t len)
{
	int r;

	ps->lineno++;
	if (ps->in_event)
		return on_event_body_line(ps, line, len, ps_hash(line, len));
	if (len > 0 && line[0] == '#')
		return 0;
	fg_trim_end(line, &len);
	if (len == 0)
		return after_event(ps);
	if (has_high(line, len)) {
		if ((r = utf8_lossy(line, len, &ps->evline)) < 0)
			return r;
		if (r > 0) {
			line = ps->evline.d;
			len = ps->evline.len;
		}
	}
	if ((r = on_event_line(ps, line, len)) != 0)
		return r;
	if (ps->nframes > 0)
		return after_event(ps);
	return 0;
}

static int
ps_finish(struct ps *ps)
{
	if (ps->nframes > 0)
		return after_event(ps);
	return 0;
}

static int
ps_init(struct ps *ps, const struct fg_collapse_opts *o,
    struct fg_stacks *st, const char *name, struct fg_error *err)
{
	memset(ps, 0, sizeof(*ps));
	ps->o = o;
	ps->st = st;
	ps->name = name ? name : "perf script";
	ps->err = err;
	fg_buf_init(&ps->pname, PS_LINE_MAX + 64);
	fg_buf_init(&ps->last_pname, PS_LINE_MAX + 64);
	fg_buf_init(&ps->keys, (size_t)PS_CACHE_BYTES + PS_KEY_MAX);
	fg_buf_init(&ps->scratch, PS_LINE_MAX * 3 + 16);
	fg_buf_init(&ps->evline, PS_LINE_MAX * 3 + 16);
	fg_buf_init(&ps->work, PS_LINE_MAX * 3 + 64);
	fg_buf_init(&ps->work2, PS_LINE_MAX * 3 + 64);
	if (cache_grow(ps) != 0)
		return FG_ENOMEM;
	if (o->event_filter != NULL) {
		if ((ps->event = strdup(o->event_filter)) == NULL)
			return FG_ENOMEM;
		ps->event_len = strlen(ps->event);
		ps->have_event = 1;
	}
	return 0;
}

static void
ps_free(struct ps *ps)
{
	free(ps->event);
	free(ps->frames);
	free(ps->emit);
	free(ps->tab);
	free(ps->cids);
	fg_buf_free(&ps->pname);
	fg_buf_free(&ps->last_pname);
	fg_buf_free(&ps->keys);
	fg_buf_free(&ps->scratch);
	fg_buf_free(&ps->evline);
	fg_buf_free(&ps->work);
	fg_buf_free(&ps->work2);
}

/* Turn an internal failure into the error the caller sees. */
static int
ps_fail(struct ps *ps, int r)
{
	if (r == FG_ENOMEM)
		return fg_seterr(ps->err, r, "%s: line %zu: out of memory",
		    ps->name, ps->lineno);
	if (r == FG_ECANCELED)
		return fg_seterr(ps->err, r, "%s: line %zu: canceled",
		    ps->name, ps->lineno);
	return fg_seterr(ps->err, r, "%s: line %zu: %s", ps->name,
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
static int
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
			else if ((r = on_event_body_line(ps, p, n, h)) != 0)
				return r;
		} else {
			if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
				nl = end;
			n = (size_t)(nl - p);
			if (n > PS_LINE_MAX) {
				ps->lineno++;
				ps_warn(ps, "line longer than 16 MiB skipped",
				    p, 64);
			} else if ((r = on_line(ps, p, n)) != 0)
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

/* ---- threads ------------------------------------------------------------ */

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
			fg_trim_end(p, &n);
			if (n == 0)
				return (size_t)(nl + 1 - buf);
		}
		p = nl + 1;
	}
	return len;
}

static unsigned
want_threads(const struct fg_collapse_opts *o)
{
	long n;

	if (o->nthreads != 0)
		return o->nthreads;
	n = sysconf(_SC_NPROCESSORS_ONLN);
	return n >= 2 ? 2 : 1;
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
static int
collapse_chunks(const char *buf, size_t len, const char *name,
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
		return fg_seterr(err, FG_ENOMEM, "%s: out of memory",
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
				r = fg_seterr(err, c->err.code, "%s",
				    c->err.msg);
			else
				r = fg_seterr(err, c->rc, "%s: line %zu: %s",
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
		return fg_seterr(err, r, "%s: %s", name ? name : "perf script",
		    fg_strerror(r));
	return r;
}

static int
collapse_buf(const char *buf, size_t len, const char *name,
    const struct fg_collapse_opts *o, struct fg_stacks *out,
    struct fg_error *err, int drop)
{
	struct ps ps;
	int r;

	if (want_threads(o) >= 2 && len >= PS_SPLIT_MIN &&
	    (r = collapse_chunks(buf, len, name, o, out, err, drop)) != 1)
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

/* ---- public API --------------------------------------------------------- */

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
		return fg_seterr(err, FG_EINVAL, "%s: no input or output",
		    name ? name : "perf script");
	if (buf == NULL)	/* no input: no NULL + 0 below */
		buf = "";
	return collapse_buf(buf, len, name, o, out, err, 0);
}

/* Read a pipe in blocks, keeping the unfinished last line. */
static int
collapse_stream(int fd, const char *name, const struct fg_collapse_opts *o,
    struct fg_stacks *out, struct fg_error *err)
{
	struct ps ps;
	struct fg_buf b;
	size_t start = 0;
	int r, eof = 0;

	if ((r = ps_init(&ps, o, out, name, err)) != 0) {
		ps_free(&ps);
		return ps_fail(&ps, r);
	}
	fg_buf_init(&b, PS_LINE_MAX + PS_READ_BLOCK + 1);
	while (!eof) {
		ssize_t n;
		char *p, *end, *nl;

		if (start > 0) {
			memmove(b.d, b.d + start, b.len - start);
			b.len -= start;
			start = 0;
		}
		if ((r = fg_buf_reserve(&b, PS_READ_BLOCK)) != 0) {
			r = ps_fail(&ps, r);
			goto out;
		}
		n = read(fd, b.d + b.len, PS_READ_BLOCK);
		if (n < 0) {
			/* a signal: see the cancel flag before reading again */
			if (errno == EINTR && !(o->cancel != NULL &&
			    *o->cancel))
				continue;
			if (errno == EINTR) {
				r = ps_fail(&ps, FG_ECANCELED);
				goto out;
			}
			r = fg_seterr_sys(err, FG_EIO, errno,
			    "%s: read after line %zu", ps.name, ps.lineno);
			goto out;
		}
		if (n == 0)
			eof = 1;
		b.len += (size_t)n;
		p = b.d;
		end = b.d + b.len;
		/* the complete lines (all of it at the end of input) */
		if (!eof) {
			if ((nl = memrchr(p, '\n', (size_t)(end - p))) == NULL)
				nl = p - 1;
			end = nl + 1;
		}
		if (end > p && (r = ps_run(&ps, p, (size_t)(end - p), 0)) != 0) {
			r = ps_fail(&ps, r);
			goto out;
		}
		p = end;
		start = (size_t)(p - b.d);
		if (b.len - start > PS_LINE_MAX) {
			/* an overlong line: skip up to its newline */
			ps.lineno++;
			ps_warn(&ps, "line longer than 16 MiB skipped",
			    b.d + start, 64);
			start = b.len;
			/* the skipped line's rest arrives next; drop it */
			while (!eof) {
				n = read(fd, b.d, PS_READ_BLOCK);
				if (n < 0 && errno == EINTR &&
				    o->cancel != NULL && *o->cancel) {
					r = ps_fail(&ps, FG_ECANCELED);
					goto out;
				}
				if (n < 0 && errno == EINTR)
					continue;
				if (n <= 0) {
					eof = 1;
					b.len = 0;
					start = 0;
					break;
				}
				if ((nl = memchr(b.d, '\n', (size_t)n)) != NULL) {
					b.len = (size_t)n;
					start = (size_t)(nl + 1 - b.d);
					break;
				}
			}
			if (eof)
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
	fg_buf_free(&b);
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
		return fg_seterr(err, FG_EINVAL, "%s: no output model", name);
	if (fstat(fd, &sb) == -1)
		return fg_seterr_sys(err, FG_EIO, errno, "%s", name);
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
		return fg_seterr_sys(err, FG_EIO, errno, "%s", path);
	r = fg_collapse_perf_fd(fd, path, o, out, err);
	close(fd);
	return r;
}
