/*
 * pscript-stack.c: the stack lines of a `perf script` event.  A raw line
 * (as read, untrimmed) is looked up in a cache from raw bytes to the
 * interned ids of its frames; a line that misses it is repaired (UTF-8),
 * cleaned up by frame.c (the native reader's rules too) and cached, so
 * the costly clean-up runs once per distinct raw line.  The cache is
 * flushed, not grown without end, past PS_CACHE_BYTES of keys or
 * PS_CACHE_LINES lines; comments and blank lines are never cached.
 */
#include <stdlib.h>
#include <string.h>

#include "frame.h"
#include "pscript-int.h"

/* ---- frame names ------------------------------------------------------ */

static int
push_cid(struct ps *ps, uint32_t id)
{
	if (ps->ncids == ps->cids_cap) {
		uint32_t *n;

		if (ps->cids_cap > UINT32_MAX / 4 || (n = base_grow(ps->cids,
		    &ps->cids_cap, ps->ncids + 1, sizeof(*n), 1024)) == NULL)
			return FG_ENOMEM;
		ps->cids = n;
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

	if ((r = stacks_intern(ps->st, name, len, &id)) != 0 ||
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
	fo.kernel = ps->o->naming.kernel;
	fo.jit = ps->o->naming.jit;
	fo.addrs = ps->o->naming.addrs;
	fo.java = ps->java;
	ps->fill = e;
	if ((r = frame_names(&fl, &fo, &ps->work, emit_frame, ps)) != 0)
		return r;
	for (k = 0; k < ps->o->naming.nskip_after; k++) {
		const char *s = ps->o->naming.skip_after[k];
		if (strlen(s) == fl.flen && memcmp(s, fl.func, fl.flen) == 0) {
			e->skip_rest = 1;
			break;
		}
	}
	return 0;
}

/* ---- the cache ---------------------------------------------------------- */

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

static void
cache_clear(struct ps *ps)
{
	if (ps->tab != NULL)
		memset(ps->tab, 0, (ps->mask + 1) * sizeof(*ps->tab));
	ps->used = 0;
	buf_reset(&ps->keys);
	ps->ncids = 0;
}

int
ps_cache_grow(struct ps *ps)
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


/* Add n frames (line order) to the event's, rootward of what it has. */
static int
push_frames(struct ps *ps, const uint32_t *ids, size_t n)
{
	size_t i;

	if (ps->nframes + n > ps->frames_cap) {
		uint32_t *nf;

		if (ps->nframes + n > (1u << 24))
			return FG_ELIMIT;
		if ((nf = base_grow(ps->frames, &ps->frames_cap, ps->nframes + n,
		    sizeof(*nf), 256)) == NULL)
			return FG_ENOMEM;
		ps->frames = nf;
	}
	/* line order a, b, c goes rootward of what we have: store c, b, a */
	for (i = n; i-- > 0;)
		ps->frames[ps->nframes++] = ids[i];
	return 0;
}

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

	if (ps_has_high(line, len)) {
		if ((r = ps_utf8_lossy(line, len, &ps->scratch)) < 0)
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


/* The cached entry of raw line raw[0..len) with hash h, or NULL. */
static inline struct ps_centry *
cache_find(struct ps *ps, const char *raw, size_t len, uint64_t h)
{
	struct ps_centry *e;
	size_t i;

	for (i = h & ps->mask;; i = (i + 1) & ps->mask) {
		e = &ps->tab[i];
		if (e->hash == 0)
			return NULL;
		if (e->hash == h && e->key_len == len &&
		    e->java == ps->java &&
		    ps_same(ps->keys.d + e->key_off, raw, len))
			return e;
	}
}

/*
 * Key e (just processed) by raw line raw[0..len) with hash h and cache
 * it; a line too long for the cache, or for what is left of its keys,
 * is not cached (not an error).
 */
static int
cache_put(struct ps *ps, struct ps_centry *e, const char *raw, size_t len,
    uint64_t h)
{
	size_t i;
	int r;

	e->hash = h;
	e->java = (uint8_t)ps->java;
	e->key_off = (uint32_t)ps->keys.len;
	e->key_len = (uint32_t)len;
	if (len > PS_KEY_MAX)
		return 0;	/* not worth a place in the cache */
	if ((r = buf_append(&ps->keys, raw, len)) != 0)
		return r == FG_ELIMIT ? 0 : r;
	if ((ps->used + 1) * 4 > (ps->mask + 1) * 3 &&
	    (r = ps_cache_grow(ps)) != 0)
		return r;
	for (i = h & ps->mask; ps->tab[i].hash != 0; i = (i + 1) & ps->mask)
		;
	ps->tab[i] = *e;
	ps->used++;
	return 0;
}

/*
 * A line inside an event, raw (not trimmed, without its newline), and
 * ps_hash() of it.  The cache maps raw lines that are stack lines to
 * their frames; comments and blank lines are never cached.
 */
int
ps_body_line(struct ps *ps, const char *raw, size_t len, uint64_t h)
{
	struct ps_centry *e, tmp;
	size_t tl;
	int r;

	if (ps->filter != PS_KEEP) {
		if (len > 0 && raw[0] == '#')
			return 0;
		tl = len;
		base_trim_end(raw, &tl);
		return tl == 0 ? ps_after_event(ps) : 0;
	}
	h ^= (uint64_t)ps->java;
	if (h == 0)
		h = 1;
	if ((e = cache_find(ps, raw, len, h)) != NULL)
		return apply_entry(ps, e, raw, len);
	if (len > 0 && raw[0] == '#')
		return 0;
	tl = len;
	base_trim_end(raw, &tl);
	if (tl == 0)
		return ps_after_event(ps);
	if ((r = fresh_stack_line(ps, raw, tl, &tmp)) != 0 ||
	    (r = cache_put(ps, &tmp, raw, len, h)) != 0)
		return r;
	return apply_entry(ps, &tmp, raw, tl);
}

/* The one-frame stack at the end of an event line (not cached). */
int
ps_inline_stack(struct ps *ps, const char *line, size_t len)
{
	struct ps_centry tmp;
	int r;

	if (ps->filter != PS_KEEP)
		return 0;
	if ((r = fresh_stack_line(ps, line, len, &tmp)) != 0)
		return r;
	return apply_entry(ps, &tmp, line, len);
}
