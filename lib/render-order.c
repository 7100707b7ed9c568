/*
 * render-order.c: the stacks in drawing order: folded order (the byte
 * order of the joined lines, from name ranks and a radix sort, not from
 * strings), stack-reversed with --reverse, cut at the last base frame
 * with --base, order of appearance for --flamechart, as read with
 * --no-sort; weights as drawn (differential: the second count, and the
 * delta).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "render.h"
#include "render-int.h"
#include "stacks.h"

/*
 * Sorting in folded order.  Comparing the joined "a;b;c" strings byte by
 * byte is the same as comparing, frame by frame, each name followed by
 * its terminator (';' when more frames follow, the end otherwise, which
 * sorts first): so every name gets two ranks, one per terminator, and
 * stacks compare as arrays of ranks.  Stacks are then radix-sorted on a
 * 64-bit key packing the ranks of the first frames after the prefix all
 * stacks share, and only runs with equal keys are compared in full.
 */
struct rankitem {
	uint64_t key;		/* the first 8 bytes, as rank_key */
	const unsigned char *name;
	uint32_t len;
	uint32_t id;
	uint32_t semi;		/* 1: followed by ';' */
};

/*
 * The first 8 bytes of a name and its terminator, big-endian, the end
 * and what follows it as 0: a smaller key is a smaller item (after the
 * end only zeros follow, which nothing passes), equal keys are
 * compared in full.
 */
static uint64_t
rank_key(const unsigned char *s, size_t len, int semi)
{
	uint64_t k = 0;
	size_t i;

	for (i = 0; i < 8; i++) {
		unsigned b = i < len ? s[i] : i == len && semi ? ';' : 0;
		k = k << 8 | b;
	}
	return k;
}

static int
rankitem_cmp(const struct rankitem *a, const struct rankitem *b)
{
	size_t la, lb, i;
	const unsigned char *na, *nb;
	int ca, cb, c;

	if (a->key != b->key)
		return a->key < b->key ? -1 : 1;
	if (a->id == b->id)
		return (int)a->semi - (int)b->semi;
	na = a->name;
	la = a->len;
	nb = b->name;
	lb = b->len;
	/* names share long prefixes ("core::iter::..."): one memcmp */
	i = la < lb ? la : lb;
	if ((c = memcmp(na, nb, i)) != 0)
		return c < 0 ? -1 : 1;
	ca = i < la ? na[i] : (a->semi ? ';' : -1);
	cb = i < lb ? nb[i] : (b->semi ? ';' : -1);
	if (ca != cb)
		return ca < cb ? -1 : 1;
	/* Equal up to here: a name holding ';' itself; order by id. */
	return a->id < b->id ? -1 : 1;
}

static int
rankitem_cmp_ctx(const void *a, const void *b, void *unused)
{
	(void)unused;
	return rankitem_cmp(a, b);
}

/* rank2[2 * id + semi], from 1; NULL when out of memory. */
static uint32_t *
make_ranks(const struct fg_stacks *st)
{
	size_t nn = fg_stacks_nframes(st), i;
	struct rankitem *v;
	uint32_t *rank2;

	if ((v = reallocarray(NULL, 2 * nn + 1, sizeof(*v))) == NULL)
		return NULL;
	if ((rank2 = reallocarray(NULL, 2 * nn + 1, sizeof(*rank2))) == NULL) {
		free(v);
		return NULL;
	}
	for (i = 0; i < nn; i++) {
		size_t len;
		const unsigned char *s = (const unsigned char *)stacks_name(st,
		    (uint32_t)i, &len);
		int k;

		for (k = 0; k < 2; k++) {
			struct rankitem *r = &v[2 * i + (size_t)k];

			r->name = s;
			r->len = (uint32_t)len;
			r->id = (uint32_t)i;
			r->semi = (uint32_t)k;
			r->key = rank_key(s, len, k);
		}
	}
	if (base_sort(v, 2 * nn, sizeof(*v), rankitem_cmp_ctx, NULL) != 0) {
		free(v);
		free(rank2);
		return NULL;
	}
	for (i = 0; i < 2 * nn; i++)
		rank2[2 * (size_t)v[i].id + v[i].semi] = (uint32_t)i + 1;
	free(v);
	return rank2;
}

static inline uint32_t
key_at(const uint32_t *rank2, const struct ent *e, size_t k)
{
	return rank2[2 * (size_t)ent_id(e, k) + (k + 1 < e->n)];
}

static int
ent_cmp(const uint32_t *rank2, const struct ent *a, const struct ent *b,
    size_t from)
{
	size_t k, n = a->n < b->n ? a->n : b->n;

	for (k = from; k < n; k++) {
		uint32_t ka = key_at(rank2, a, k), kb = key_at(rank2, b, k);
		if (ka != kb)
			return ka < kb ? -1 : 1;
	}
	return a->n < b->n ? -1 : a->n > b->n;
}

/*
 * The tie-breaking sort of the hot path stays typed (base_sort moves
 * elements with memcpy of a run-time size, measurably slower here).
 */
static void
ent_msort(const uint32_t *rank2, size_t from, struct ent *v, struct ent *tmp,
    size_t n)
{
	size_t h, i, j, k;

	if (n < 12) {
		for (i = 1; i < n; i++) {
			struct ent x = v[i];
			for (j = i; j > 0 &&
			    ent_cmp(rank2, &v[j - 1], &x, from) > 0; j--)
				v[j] = v[j - 1];
			v[j] = x;
		}
		return;
	}
	h = n / 2;
	ent_msort(rank2, from, v, tmp, h);
	ent_msort(rank2, from, v + h, tmp, n - h);
	if (ent_cmp(rank2, &v[h - 1], &v[h], from) <= 0)
		return;
	memcpy(tmp, v, h * sizeof(*v));
	for (i = 0, j = h, k = 0; i < h && j < n;)
		v[k++] = ent_cmp(rank2, &tmp[i], &v[j], from) <= 0 ? tmp[i++] :
		    v[j++];
	while (i < h)
		v[k++] = tmp[i++];
}

/* Frame k's rank in e, 0 past its end (before every frame). */
static inline uint32_t
key_or_end(const uint32_t *rank2, const struct ent *e, size_t k)
{
	return k < e->n ? key_at(rank2, e, k) : 0;
}

/*
 * Sort v[0..n), equal before frame k, by frames k on: a multikey
 * quicksort (three-way partitions on one frame's rank, the equal part
 * going on to the next frame), so that each frame of a stack is looked
 * at about once per level instead of once per comparison; deep Rust
 * stacks share long prefixes, where comparing from k on each time cost
 * most of the render.  Past a depth budget (bad pivots), the merge sort.
 */
static void
ent_mkqs(const uint32_t *rank2, struct ent *v, size_t n, size_t k,
    struct ent *tmp, int budget)
{
	while (n > 1) {
		size_t lt = 0, i = 0, gt = n, a, b, c;
		uint32_t p, ka, kb, kc;

		if (n < 12 || budget-- <= 0) {
			ent_msort(rank2, k, v, tmp, n);
			return;
		}
		a = 0;
		b = n / 2;
		c = n - 1;
		ka = key_or_end(rank2, &v[a], k);
		kb = key_or_end(rank2, &v[b], k);
		kc = key_or_end(rank2, &v[c], k);
		/* the median of three */
		if ((ka <= kb && kb <= kc) || (kc <= kb && kb <= ka))
			p = kb;
		else if ((kb <= ka && ka <= kc) || (kc <= ka && ka <= kb))
			p = ka;
		else
			p = kc;
		while (i < gt) {
			uint32_t x = key_or_end(rank2, &v[i], k);
			struct ent t;

			if (x < p) {
				t = v[lt];
				v[lt++] = v[i];
				v[i++] = t;
			} else if (x > p) {
				t = v[--gt];
				v[gt] = v[i];
				v[i] = t;
			} else
				i++;
		}
		ent_mkqs(rank2, v, lt, k, tmp, budget);
		ent_mkqs(rank2, v + gt, n - gt, k, tmp, budget);
		if (p == 0)	/* all ended here: equal */
			return;
		v += lt;
		n = gt - lt;
		k++;
	}
}

struct keyed {
	uint64_t key;
	size_t idx;
};

/* How many frames every stack of v[0..n) (n >= 2) shares with the
 * first. */
static size_t
common_prefix(const uint32_t *rank2, const struct ent *v, size_t n)
{
	size_t lcp = SIZE_MAX, i, k;

	for (i = 1; i < n && lcp > 0; i++) {
		size_t lim = v[0].n < v[i].n ? v[0].n : v[i].n;
		if (lim > lcp)
			lim = lcp;
		for (k = 0; k < lim &&
		    key_at(rank2, &v[0], k) == key_at(rank2, &v[i], k); k++)
			;
		lcp = k;
	}
	return lcp == SIZE_MAX ? 0 : lcp;
}

/* a[0..n) sorted by key (LSD radix, a byte at a time, skipping bytes
 * that are the same everywhere), b the scratch: the sorted one of the
 * two. */
static struct keyed *
radix_keys(struct keyed *a, struct keyed *b, size_t n)
{
	size_t i, k, cnt[256];
	int pass;

	for (pass = 0; pass < 8; pass++) {
		int sh = pass * 8;
		size_t sum = 0;
		struct keyed *t;
		memset(cnt, 0, sizeof(cnt));
		for (i = 0; i < n; i++)
			cnt[(a[i].key >> sh) & 0xff]++;
		if (cnt[(a[0].key >> sh) & 0xff] == n)
			continue;
		for (k = 0; k < 256; k++) {
			size_t c = cnt[k];
			cnt[k] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			b[cnt[(a[i].key >> sh) & 0xff]++] = a[i];
		t = a;
		a = b;
		b = t;
	}
	return a;
}

/* The runs of out[0..n) with equal keys (a, sorted) ordered by their
 * frames from depth on, *tmp the scratch made when first needed: 0 or
 * FG_ENOMEM. */
static int
sort_runs(const uint32_t *rank2, struct ent *out, const struct keyed *a,
    size_t n, size_t depth, struct ent **tmp)
{
	size_t i, run;

	for (i = 0; i < n; i = run) {
		for (run = i + 1; run < n && a[run].key == a[i].key; run++)
			;
		if (run - i > 1) {
			if (*tmp == NULL && (*tmp = reallocarray(NULL,
			    n / 2 + 1, sizeof(**tmp))) == NULL)
				return FG_ENOMEM;
			ent_mkqs(rank2, out + i, run - i, depth, *tmp, 64);
		}
	}
	return 0;
}

/* Sort v[0..n) in folded order: 0 or FG_ENOMEM. */
static int
ent_sort(const struct fg_stacks *st, struct ent *v, size_t n)
{
	uint32_t *rank2 = NULL;
	struct keyed *a = NULL, *b = NULL, *sorted;
	struct ent *out = NULL, *tmp = NULL;
	size_t lcp, i, k, m, bits;
	int r = FG_ENOMEM;

	if (n < 2)
		return 0;
	if ((rank2 = make_ranks(st)) == NULL)
		goto out;
	lcp = common_prefix(rank2, v, n);
	for (bits = 1; ((uint64_t)1 << bits) <= 2 * (uint64_t)
	    fg_stacks_nframes(st) + 1 && bits < 64; bits++)
		;
	m = 64 / bits;
	if ((a = reallocarray(NULL, n, sizeof(*a))) == NULL ||
	    (b = reallocarray(NULL, n, sizeof(*b))) == NULL ||
	    (out = reallocarray(NULL, n, sizeof(*out))) == NULL)
		goto out;
	/* the key: m frames from lcp on, bits each */
	for (i = 0; i < n; i++) {
		uint64_t key = 0;
		for (k = lcp; k < lcp + m; k++)
			key = (bits < 64 ? key << bits : 0) |
			    (k < v[i].n ? key_at(rank2, &v[i], k) : 0);
		a[i].key = key;
		a[i].idx = i;
	}
	sorted = radix_keys(a, b, n);
	for (i = 0; i < n; i++)
		out[i] = v[sorted[i].idx];
	if ((r = sort_runs(rank2, out, sorted, n, lcp + m, &tmp)) != 0)
		goto out;
	memcpy(v, out, n * sizeof(*v));
out:
	free(rank2);
	free(a);
	free(b);
	free(out);
	free(tmp);
	return r;
}

static void
ent_weights(struct ent *e, int diff, uint64_t w1, uint64_t w2)
{
	if (diff) {
		e->count = w2;
		if (w2 >= w1)
			e->delta = w2 - w1 > (uint64_t)INT64_MAX ? INT64_MAX :
			    (int64_t)(w2 - w1);
		else
			e->delta = w1 - w2 > (uint64_t)INT64_MAX ? -INT64_MAX :
			    -(int64_t)(w1 - w2);
	} else {
		e->count = w1;
		e->delta = 0;
	}
}

static void
ent_fill(const struct fg_stacks *st, size_t i, int diff, struct ent *e)
{
	uint64_t w1, w2;
	size_t n;

	stacks_get(st, i, &e->ids, &n, &w1, &w2);
	e->n = (uint32_t)n;
	ent_weights(e, diff, w1, w2);
}

/* --reverse: v[0..n) point into reversed copies of the ids (*revids). */
static int
order_reversed(const struct fg_stacks *st, struct ent *v, size_t n, int diff,
    uint32_t **revids)
{
	size_t total = 0, off = 0, i, k;
	uint32_t *r;

	/* Reversed copies of the id arrays, in one block. */
	for (i = 0; i < n; i++) {
		ent_fill(st, i, diff, &v[i]);
		total += v[i].n;
	}
	if ((r = reallocarray(NULL, total ? total : 1, sizeof(*r))) == NULL)
		return -1;
	for (i = 0; i < n; i++) {
		for (k = 0; k < v[i].n; k++)
			r[off + k] = v[i].ids[v[i].n - 1 - k];
		v[i].ids = r + off;
		off += v[i].n;
	}
	*revids = r;
	return 0;
}

/*
 * --flamechart or --no-sort: in input order (reversed for a chart, so
 * that time runs left to right), step by step when the order was kept;
 * *vp may be reallocated, *np is the count.  0/-1 (*vp left to free).
 */
static int
order_input(const struct fg_stacks *st, const struct fg_render_opts *o,
    struct ent **vp, size_t *np, int diff)
{
	size_t ns, i, n = *np;
	const struct fg_stacks_step *seq = stacks_sequence(st, &ns);
	struct ent *v = *vp;

	if (ns == 0) {
		for (i = 0; i < n; i++)
			ent_fill(st, o->flamechart ? n - 1 - i : i, diff, &v[i]);
		return 0;
	}
	if ((v = reallocarray(v, ns, sizeof(*v))) == NULL)
		return -1;
	*vp = v;
	for (i = 0; i < ns; i++) {
		const struct fg_stacks_step *sp =
		    &seq[o->flamechart ? ns - 1 - i : i];
		ent_fill(st, sp->stack, diff, &v[i]);
		ent_weights(&v[i], diff, sp->weight, sp->weight2);
	}
	*np = ns;
	return 0;
}

/*
 * --base: each stack from its last base frame (not the root, not the
 * leaf), into v; stacks without one are dropped.  0/-1; *mp: how many.
 */
static int
order_based(const struct fg_stacks *st, const struct fg_render_opts *o,
    struct ent *v, size_t n, int diff, size_t *mp)
{
	size_t nn = fg_stacks_nframes(st), b, k, i, m = 0;
	unsigned char *isbase;

	if ((isbase = calloc(nn ? nn : 1, 1)) == NULL)
		return -1;
	for (k = 0; k < nn; k++) {
		size_t len;
		const char *s = stacks_name(st, (uint32_t)k, &len);
		for (b = 0; b < o->nbase; b++)
			if (strlen(o->base[b]) == len &&
			    memcmp(o->base[b], s, len) == 0)
				isbase[k] = 1;
	}
	for (i = 0; i < n; i++) {
		struct ent e;
		ent_fill(st, i, diff, &e);
		for (k = e.n >= 2 ? e.n - 2 : 0; k >= 1; k--)
			if (isbase[e.ids[k]])
				break;
		if (e.n < 3 || k == 0)
			continue;
		e.ids += k;
		e.n -= (uint32_t)k;
		v[m++] = e;
	}
	free(isbase);
	*mp = m;
	return 0;
}

/*
 * The entries in drawing order, in a new array (*nout entries).  --base
 * keeps the part of each stack from its last base frame (not the root,
 * not the leaf, as inferno matches names against "frame;...;leaf COUNT")
 * and drops stacks without one.
 */
int
render_build_order(const struct fg_stacks *st, const struct fg_render_opts *o,
    struct ent **out, size_t *nout, uint32_t **revids, struct fg_error *err)
{
	size_t n = fg_stacks_count(st), i, m = 0;
	int diff = fg_stacks_differential(st), rc;
	struct ent *v;

	*out = NULL;
	*nout = 0;
	if (n == 0)
		return 0;
	if ((v = reallocarray(NULL, n, sizeof(*v))) == NULL)
		return seterr(err, FG_ENOMEM, "render: out of memory");
	if (o->reverse) {
		rc = order_reversed(st, v, n, diff, revids);
		m = n;
	} else if (o->flamechart || o->no_sort) {
		if (order_input(st, o, &v, &n, diff) != 0)
			goto nomem;
		*out = v;
		*nout = n;
		return 0;
	} else if (o->nbase > 0) {
		rc = order_based(st, o, v, n, diff, &m);
	} else {
		for (i = 0; i < n; i++)
			ent_fill(st, i, diff, &v[i]);
		m = n;
		rc = 0;
	}
	if (rc != 0 || ent_sort(st, v, m) != 0)
		goto nomem;
	*out = v;
	*nout = m;
	return 0;
nomem:
	free(v);
	return seterr(err, FG_ENOMEM, "render: out of memory");
}
