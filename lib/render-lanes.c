/*
 * render-lanes.c: the sample log (fg_stacks_keep_samples) as one lane per
 * thread: a flame chart whose x is time (FG_THREADS_TIME), or a flame
 * graph per thread (the stacks of each thread merged, in folded order),
 * lanes by first sample or heaviest first (FG_THREADS_BY_WEIGHT); drawn
 * by render_lanes() or written as folded text.  docs/internals/
 * timechart.md says what is decided here.
 *
 * Guarantees: the lanes and their contents depend only on the log (ties
 * broken by pid, tid and recording order), so output is deterministic;
 * every sample's weight is in exactly one lane, so a lane's total is its
 * thread's share of the folded total.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "render.h"
#include "render-int.h"
#include "stacks.h"

#define GAP_NUM		3	/* a gap: more than 3/2 of the interval */
#define GAP_DEN		2
#define INTERVAL_NONE	1000000	/* ns, when no two samples tell it */

struct lane {
	uint32_t pid, tid;
	uint32_t thread;	/* name id of its last named sample's command */
	size_t first, n;	/* its steps: idx[first .. first + n) */
	uint64_t t0;		/* its first sample's time */
	uint64_t weight;
};

struct lanes {
	const struct fg_stacks *st;
	const struct fg_stacks_step *seq;
	size_t nseq;
	size_t *idx;		/* step indexes by (pid, tid, time, order) */
	struct lane *v;
	size_t n;
	uint64_t total;		/* of every step's weight */
};

static int
step_cmp(const void *a, const void *b, void *seq)
{
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	const struct fg_stacks_step *x = (const struct fg_stacks_step *)seq + i;
	const struct fg_stacks_step *y = (const struct fg_stacks_step *)seq + j;

	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return i < j ? -1 : i > j;
}

static int
lane_cmp(const void *a, const void *b, void *by_weight)
{
	const struct lane *x = a, *y = b;

	if (*(int *)by_weight && x->weight != y->weight)
		return x->weight > y->weight ? -1 : 1;
	if (!*(int *)by_weight && x->t0 != y->t0)
		return x->t0 < y->t0 ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	return x->tid < y->tid ? -1 : x->tid > y->tid;
}

static void
lanes_free(struct lanes *l)
{
	free(l->idx);
	free(l->v);
}

/* The lanes of st's sample log in the order how asks for. */
static int
lanes_make(const struct fg_stacks *st, int how, struct lanes *l,
    struct fg_error *err)
{
	size_t i, k;
	int by_weight = (how & FG_THREADS_BY_WEIGHT) != 0;

	memset(l, 0, sizeof(*l));
	l->st = st;
	if (!stacks_has_samples(st))
		return seterr(err, FG_EINVAL, "threads: the stacks hold no "
		    "sample log (a recording read with the sample log kept)");
	l->seq = stacks_sequence(st, &l->nseq);
	if ((l->idx = reallocarray(NULL, l->nseq, sizeof(*l->idx))) == NULL ||
	    (l->v = reallocarray(NULL, l->nseq, sizeof(*l->v))) == NULL) {
		lanes_free(l);
		return seterr(err, FG_ENOMEM, "threads: out of memory");
	}
	for (i = 0; i < l->nseq; i++)
		l->idx[i] = i;
	if (base_sort(l->idx, l->nseq, sizeof(*l->idx), step_cmp,
	    (void *)(uintptr_t)l->seq) != 0) {
		lanes_free(l);
		return seterr(err, FG_ENOMEM, "threads: out of memory");
	}
	for (i = 0; i < l->nseq; i = k) {
		const struct fg_stacks_step *s = &l->seq[l->idx[i]];
		struct lane *ln = &l->v[l->n++];
		ln->pid = s->pid;
		ln->tid = s->tid;
		ln->first = i;
		ln->t0 = s->time;
		ln->weight = 0;
		ln->thread = UINT32_MAX;
		for (k = i; k < l->nseq && l->seq[l->idx[k]].pid == s->pid &&
		    l->seq[l->idx[k]].tid == s->tid; k++) {
			ln->weight += l->seq[l->idx[k]].weight;
			if (l->seq[l->idx[k]].thread != UINT32_MAX)
				ln->thread = l->seq[l->idx[k]].thread;
		}
		ln->n = k - i;
		l->total += ln->weight;
	}
	if (base_sort(l->v, l->n, sizeof(*l->v), lane_cmp, &by_weight) != 0) {
		lanes_free(l);
		return seterr(err, FG_ENOMEM, "threads: out of memory");
	}
	return 0;
}

/* The lane's command name. */
static const char *
lane_comm(const struct lanes *l, const struct lane *ln, size_t *len)
{
	if (ln->thread == UINT32_MAX) {
		*len = 9;
		return "[unknown]";
	}
	return stacks_name(l->st, ln->thread, len);
}

/* "comm (tid N) — X samples, Y%" in a new string, or NULL. */
static char *
lane_label(const struct lanes *l, const struct lane *ln)
{
	size_t len;
	const char *c = lane_comm(l, ln, &len);
	char *s;

	if (asprintf(&s, "%.*s (tid %u) \xe2\x80\x94 %zu sample%s, %.2f%%",
	    (int)len, c, ln->tid, ln->n, ln->n == 1 ? "" : "s",
	    l->total ? (double)ln->weight * 100.0 / (double)l->total :
	    0.0) == -1)
		return NULL;
	return s;
}

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* The sampling interval (ns): the median time between two samples of
 * one thread. */
static int
interval(const struct lanes *l, uint64_t *out)
{
	uint64_t *d;
	size_t i, j, nd = 0;

	*out = INTERVAL_NONE;
	if ((d = reallocarray(NULL, l->nseq ? l->nseq : 1,
	    sizeof(*d))) == NULL)
		return -1;
	for (i = 0; i < l->n; i++)
		for (j = 1; j < l->v[i].n; j++) {
			uint64_t a = l->seq[l->idx[l->v[i].first + j - 1]].time;
			uint64_t b = l->seq[l->idx[l->v[i].first + j]].time;
			if (b > a)
				d[nd++] = b - a;
		}
	if (nd > 0) {
		qsort(d, nd, sizeof(*d), u64_cmp);
		*out = d[nd / 2];
	}
	free(d);
	return 0;
}

/* Entries of one lane being built. */
struct ents {
	struct ent *v;
	size_t n, cap;
};

static int
ents_add(struct ents *e, size_t stack, const struct fg_stacks *st,
    uint64_t count)
{
	struct ent *x;
	uint64_t w1, w2;
	size_t n;

	if (e->n > 0 && stack != SIZE_MAX && e->v[e->n - 1].n > 0) {
		const uint32_t *ids;
		stacks_get(st, stack, &ids, &n, &w1, &w2);
		if (ids == e->v[e->n - 1].ids) {	/* a run goes on */
			e->v[e->n - 1].count += count;
			return 0;
		}
	}
	if (e->n == e->cap) {
		if ((x = base_grow(e->v, &e->cap, e->n + 1, sizeof(*x),
		    64)) == NULL)
			return -1;
		e->v = x;
	}
	x = &e->v[e->n++];
	memset(x, 0, sizeof(*x));
	if (stack != SIZE_MAX) {
		stacks_get(st, stack, &x->ids, &n, &w1, &w2);
		x->n = (uint32_t)n;
	}
	x->count = count;
	return 0;
}

/* The time chart's entries of lane ln: its samples at their times (µs
 * from origin), gaps between; *active: the time its samples cover. */
static int
lane_time(const struct lanes *l, const struct lane *ln, uint64_t origin,
    uint64_t iv, uint64_t span, struct ents *e, uint64_t *active)
{
	uint64_t p = 0, prev = 0, s, t, a, b;
	size_t j;

	*active = 0;
	for (j = 0; j < ln->n; j++) {
		const struct fg_stacks_step *sp = &l->seq[l->idx[ln->first + j]];
		t = sp->time;
		if (j > 0 && t - prev <= iv / GAP_DEN * GAP_NUM)
			s = prev;
		else
			s = t - origin > iv ? t - iv : origin;
		a = (s - origin) / 1000;
		b = (t - origin) / 1000;
		if (a > p && ents_add(e, SIZE_MAX, l->st, a - p) != 0)
			return -1;
		if (a < p)
			a = p;
		if (b < a)
			b = a;
		if (ents_add(e, sp->stack, l->st, b - a) != 0)
			return -1;
		*active += b - a;
		p = b;
		prev = t;
	}
	if (span > p && ents_add(e, SIZE_MAX, l->st, span - p) != 0)
		return -1;
	return 0;
}

/* A step of a per-thread graph: its stack's place in folded order. */
struct ranked {
	size_t rank, stack;
	uint64_t weight;
	uint32_t root;
};

static int
ranked_cmp(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;

	return x->rank < y->rank ? -1 : x->rank > y->rank;
}

/* Lane ln's steps sorted by their stack's rank (its place in folded
 * order), in a new array of ln->n; NULL when out of memory. */
static struct ranked *
lane_ranked(const struct lanes *l, const struct lane *ln, const size_t *rank)
{
	struct ranked *v;
	size_t j;

	if ((v = reallocarray(NULL, ln->n ? ln->n : 1, sizeof(*v))) == NULL)
		return NULL;
	for (j = 0; j < ln->n; j++) {
		const struct fg_stacks_step *sp = &l->seq[l->idx[ln->first + j]];
		v[j].stack = sp->stack;
		v[j].rank = rank[sp->stack];
		v[j].weight = sp->weight;
		v[j].root = sp->root;
	}
	qsort(v, ln->n, sizeof(*v), ranked_cmp);
	return v;
}

/* The per-thread graph's entries of lane ln: its stacks merged, in
 * folded order. */
static int
lane_merged(const struct lanes *l, const struct lane *ln,
    const size_t *rank, struct ents *e)
{
	struct ranked *v;
	size_t j, i;
	int r = 0;

	if ((v = lane_ranked(l, ln, rank)) == NULL)
		return -1;
	for (j = 0; j < ln->n && r == 0; j = i) {
		uint64_t w = 0;
		for (i = j; i < ln->n && v[i].rank == v[j].rank; i++)
			w += v[i].weight;
		r = ents_add(e, v[j].stack, l->st, w);
	}
	free(v);
	return r;
}

/* rank[stack]: its place in folded order, in a new array; NULL when out
 * of memory. */
static size_t *
folded_ranks(const struct fg_stacks *st)
{
	size_t n = fg_stacks_count(st), *order, *rank, i;

	if ((order = stacks_sorted(st)) == NULL)
		return NULL;
	if ((rank = reallocarray(NULL, n ? n : 1, sizeof(*rank))) != NULL)
		for (i = 0; i < n; i++)
			rank[order[i]] = i;
	free(order);
	return rank;
}

/* The chart's origin, end and interval: time 0 is one interval before
 * the first sample; the end, the last sample. */
static int
time_frame(const struct lanes *l, uint64_t *origin, uint64_t *iv,
    uint64_t *span)
{
	uint64_t lo = UINT64_MAX, hi = 0;
	size_t i;

	if (interval(l, iv) != 0)
		return -1;
	for (i = 0; i < l->nseq; i++) {
		if (l->seq[i].time < lo)
			lo = l->seq[i].time;
		if (l->seq[i].time > hi)
			hi = l->seq[i].time;
	}
	*origin = lo > *iv ? lo - *iv : 0;
	*span = (hi - *origin) / 1000;
	return 0;
}

/* Each lane's entries, label, scale and weight into rl[0..l->n). */
static int
lanes_build(const struct lanes *l, int how, struct render_lane *rl,
    struct ents *ev)
{
	uint64_t origin = 0, iv = 0, span = 0, active;
	size_t *rank = NULL, k;
	int r = 0;

	if ((how & FG_THREADS_TIME) && time_frame(l, &origin, &iv, &span) != 0)
		return -1;
	if (!(how & FG_THREADS_TIME) && (rank = folded_ranks(l->st)) == NULL)
		return -1;
	for (k = 0; k < l->n && r == 0; k++) {
		const struct lane *ln = &l->v[k];
		if ((rl[k].label = lane_label(l, ln)) == NULL)
			r = -1;
		else if (how & FG_THREADS_TIME) {
			r = lane_time(l, ln, origin, iv, span, &ev[k], &active);
			rl[k].scale = span > 0 ? span : 1;
			rl[k].weight = active;
			if (span == 0 && r == 0)	/* one instant: 1 µs */
				r = ents_add(&ev[k], SIZE_MAX, l->st, 1);
		} else {
			r = lane_merged(l, ln, rank, &ev[k]);
			rl[k].scale = ln->weight;
			rl[k].weight = ln->weight;
		}
		rl[k].v = ev[k].v;
		rl[k].n = ev[k].n;
	}
	free(rank);
	return r;
}

int
fg_render_threads_svg(const struct fg_stacks *st,
    const struct fg_render_opts *opt, int how, FILE *fp,
    struct fg_error *err)
{
	struct fg_render_opts *defaults = NULL;
	const struct fg_render_opts *o = opt;
	struct render_lane *rl = NULL;
	struct ents *ev = NULL;
	struct lanes l;
	size_t k;
	int r;

	if (st == NULL || fp == NULL)
		return seterr(err, FG_EINVAL, "render: no stacks or output");
	if ((r = lanes_make(st, how, &l, err)) != 0)
		return r;
	if (o == NULL && (o = defaults = fg_render_opts_new()) == NULL)
		r = seterr(err, FG_ENOMEM, "render: out of memory");
	else if ((rl = calloc(l.n ? l.n : 1, sizeof(*rl))) == NULL ||
	    (ev = calloc(l.n ? l.n : 1, sizeof(*ev))) == NULL ||
	    lanes_build(&l, how, rl, ev) != 0)
		r = seterr(err, FG_ENOMEM, "render: out of memory");
	else
		r = render_lanes(st, o, rl, l.n, (how & FG_THREADS_TIME) != 0,
		    fp, err);
	for (k = 0; rl != NULL && ev != NULL && k < l.n; k++) {
		free((char *)rl[k].label);
		free(ev[k].v);
	}
	free(ev);
	free(rl);
	fg_render_opts_free(defaults);
	lanes_free(&l);
	return r;
}

/* "comm-PID/TID;frames... W\n" for stack (its process frame replaced). */
static int
folded_line(const struct lanes *l, const struct lane *ln, size_t stack,
    uint32_t root, uint64_t w, FILE *fp)
{
	const uint32_t *ids;
	const char *s;
	size_t n, len, j;
	uint64_t w1, w2;

	s = lane_comm(l, ln, &len);
	fwrite(s, 1, len, fp);
	fprintf(fp, "-%u/%u", ln->pid, ln->tid);
	stacks_get(l->st, stack, &ids, &n, &w1, &w2);
	for (j = root < n ? root : n; j < n; j++) {
		s = stacks_name(l->st, ids[j], &len);
		fputc(';', fp);
		fwrite(s, 1, len, fp);
	}
	return fprintf(fp, " %llu\n", (unsigned long long)w) < 0 ? -1 : 0;
}

/* Lane ln's runs of equal stacks in time order. */
static int
folded_runs(const struct lanes *l, const struct lane *ln, FILE *fp)
{
	size_t j, i;
	int r = 0;

	for (j = 0; j < ln->n && r == 0; j = i) {
		const struct fg_stacks_step *a = &l->seq[l->idx[ln->first + j]];
		uint64_t w = 0;
		for (i = j; i < ln->n &&
		    l->seq[l->idx[ln->first + i]].stack == a->stack; i++)
			w += l->seq[l->idx[ln->first + i]].weight;
		r = folded_line(l, ln, a->stack, a->root, w, fp);
	}
	return r;
}

/* Lane ln's stacks merged, in folded order. */
static int
folded_merged(const struct lanes *l, const struct lane *ln,
    const size_t *rank, FILE *fp)
{
	struct ranked *v;
	size_t j, i;
	int r = 0;

	if ((v = lane_ranked(l, ln, rank)) == NULL)
		return -2;
	for (j = 0; j < ln->n && r == 0; j = i) {
		uint64_t w = 0;
		for (i = j; i < ln->n && v[i].rank == v[j].rank; i++)
			w += v[i].weight;
		r = folded_line(l, ln, v[j].stack, v[j].root, w, fp);
	}
	free(v);
	return r;
}

int
fg_stacks_write_threads_folded(const struct fg_stacks *st, int how, FILE *fp,
    struct fg_error *err)
{
	struct lanes l;
	size_t *rank = NULL, k;
	int r;

	if ((r = lanes_make(st, how, &l, err)) != 0)
		return r;
	if (!(how & FG_THREADS_TIME) && (rank = folded_ranks(st)) == NULL) {
		lanes_free(&l);
		return seterr(err, FG_ENOMEM, "threads: out of memory");
	}
	for (k = 0; k < l.n && r == 0; k++)
		r = how & FG_THREADS_TIME ? folded_runs(&l, &l.v[k], fp) :
		    folded_merged(&l, &l.v[k], rank, fp);
	free(rank);
	lanes_free(&l);
	if (r == -2)
		return seterr(err, FG_ENOMEM, "threads: out of memory");
	if (r != 0 || ferror(fp))
		return seterr_sys(err, FG_EIO, errno, "folded: write");
	return 0;
}
