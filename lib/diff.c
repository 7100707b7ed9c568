/*
 * diff.c: two profiles -> one differential profile, and what changed
 * between them.  fg_diff_stacks is the one implementation of combining
 * a before and an after profile (flamegraph-diff-folded and the
 * --diff-against graphs of cargo-flamegraph and flamegraph use it):
 * each stack carries the before count as its first weight and the after
 * count as its second, as inferno-diff-folded writes them.
 * fg_diff_changes and fg_diff_share read such a model back as shares of
 * samples, for the change table and the CI gates.  Deterministic: the
 * same inputs give the same model and the same lists.
 */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "stacks.h"

/* Changes smaller than this (percentage points) print as 0.00. */
#define CHANGE_MIN 0.005

void
fg_diff_opts_init(struct fg_diff_opts *o)
{
	memset(o, 0, sizeof(*o));
}

/* The count of one stack as a side of a diff. */
static uint64_t
side_count(const struct fg_stacks *st, uint64_t w1, uint64_t w2)
{
	return fg_stacks_differential(st) ? w2 : w1;
}

uint64_t
fg_diff_total(const struct fg_stacks *st)
{
	uint64_t t = 0, w1, w2;
	size_t i, n;

	if (!fg_stacks_differential(st))
		return fg_stacks_total(st);
	n = fg_stacks_count(st);
	for (i = 0; i < n; i++) {
		stacks_get(st, i, NULL, NULL, &w1, &w2);
		t = base_sat_add(t, w2);
	}
	return t;
}

struct combine {
	struct fg_stacks *dst;
	const struct fg_stacks *src;
	int second;		/* adding the after profile */
	int strip_hex;
	double scale;		/* before counts times this (normalize) */
	char *buf;
	size_t cap;
	struct fg_error *err;
};

/* Append name to c->buf, with hex numbers cut to "0x..." if asked. */
static int
put_frame(struct combine *c, size_t *len, const char *s, size_t n)
{
	size_t i = 0;

	if (*len + n + 8 > c->cap) {
		size_t ncap = (*len + n + 8) * 2;
		char *nb = realloc(c->buf, ncap);
		if (nb == NULL)
			return -1;
		c->buf = nb;
		c->cap = ncap;
	}
	while (i < n) {
		if (c->strip_hex && i + 1 < n && s[i] == '0' && s[i + 1] == 'x') {
			size_t j = i + 2;
			while (j < n && isxdigit((unsigned char)s[j]))
				j++;
			memcpy(c->buf + *len, "0x", 2);
			*len += 2;
			if (j > i + 2) {
				memcpy(c->buf + *len, "...", 3);
				*len += 3;
			}
			i = j;
			continue;
		}
		c->buf[(*len)++] = s[i++];
	}
	return 0;
}

static int
add_one(void *arg, const char *const *frames, const size_t *lens, size_t n,
    uint64_t w1, uint64_t w2)
{
	struct combine *c = arg;
	uint64_t count = side_count(c->src, w1, w2);
	size_t len = 0, i;

	for (i = 0; i < n; i++) {
		if ((i > 0 && put_frame(c, &len, ";", 1) != 0) ||
		    put_frame(c, &len, frames[i], lens[i]) != 0)
			return seterr(c->err, FG_ENOMEM, "out of memory");
	}
	if (!c->second && c->scale != 1.0)
		count = (uint64_t)((double)count * c->scale);
	return fg_stacks_add_folded(c->dst, c->buf, len,
	    c->second ? 0 : count, c->second ? count : 0, c->err);
}

int
fg_diff_stacks(const struct fg_stacks *before, const struct fg_stacks *after,
    const struct fg_diff_opts *o, struct fg_stacks *out, struct fg_error *err)
{
	struct combine c;
	uint64_t t1 = fg_diff_total(before), t2 = fg_diff_total(after);
	int rc;

	memset(&c, 0, sizeof(c));
	c.dst = out;
	c.strip_hex = o != NULL && o->strip_hex;
	c.err = err;
	c.scale = o != NULL && o->normalize && t1 != 0 && t1 != t2 ?
	    (double)t2 / (double)t1 : 1.0;
	c.src = before;
	rc = fg_stacks_foreach_sorted(before, add_one, &c, err);
	if (rc == 0) {
		c.second = 1;
		c.src = after;
		rc = fg_stacks_foreach_sorted(after, add_one, &c, err);
	}
	free(c.buf);
	return rc;
}

/* The two sides' totals of a differential model. */
static void
diff_totals(const struct fg_stacks *d, uint64_t *t1, uint64_t *t2)
{
	uint64_t w1, w2;
	size_t i, n = fg_stacks_count(d);

	*t1 = *t2 = 0;
	for (i = 0; i < n; i++) {
		stacks_get(d, i, NULL, NULL, &w1, &w2);
		*t1 = base_sat_add(*t1, w1);
		*t2 = base_sat_add(*t2, w2);
	}
}

static double
percent(uint64_t part, uint64_t total)
{
	return total == 0 ? 0.0 : (double)part * 100.0 / (double)total;
}

/* Most grown first; equal changes by name. */
static int
cmp_grew(const void *a, const void *b)
{
	const struct fg_diff_change *x = a, *y = b;
	double dx = x->after - x->before, dy = y->after - y->before;

	if (dx != dy)
		return dx > dy ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Most shrunk first; equal changes by name. */
static int
cmp_shrank(const void *a, const void *b)
{
	const struct fg_diff_change *x = a, *y = b;
	double dx = x->after - x->before, dy = y->after - y->before;

	if (dx != dy)
		return dx < dy ? -1 : 1;
	return strcmp(x->name, y->name);
}

/* Sum per name the weights of the stacks holding it, once per stack. */
static void
name_sums(const struct fg_stacks *d, uint64_t *s1, uint64_t *s2,
    size_t *seen)
{
	const uint32_t *ids;
	uint64_t w1, w2;
	size_t i, j, n, ns = fg_stacks_count(d);

	for (i = 0; i < ns; i++) {
		stacks_get(d, i, &ids, &n, &w1, &w2);
		for (j = 0; j < n; j++) {
			if (seen[ids[j]] == i + 1)	/* recursion */
				continue;
			seen[ids[j]] = i + 1;
			s1[ids[j]] += w1;
			s2[ids[j]] += w2;
		}
	}
}

int
fg_diff_changes(const struct fg_stacks *diff, size_t k,
    struct fg_diff_change *grew, size_t *ngrew,
    struct fg_diff_change *shrank, size_t *nshrank, struct fg_error *err)
{
	size_t nn = fg_stacks_nframes(diff), i, ng = 0, nsh = 0;
	uint64_t *s1, *s2, t1, t2;
	size_t *seen;
	struct fg_diff_change *g, *s;
	int rc = 0;

	*ngrew = *nshrank = 0;
	diff_totals(diff, &t1, &t2);
	s1 = calloc(nn + 1, sizeof(*s1));
	s2 = calloc(nn + 1, sizeof(*s2));
	seen = calloc(nn + 1, sizeof(*seen));
	g = calloc(nn + 1, sizeof(*g));
	s = calloc(nn + 1, sizeof(*s));
	if (s1 == NULL || s2 == NULL || seen == NULL || g == NULL ||
	    s == NULL) {
		rc = seterr(err, FG_ENOMEM, "out of memory");
		goto out;
	}
	name_sums(diff, s1, s2, seen);
	for (i = 0; i < nn; i++) {
		struct fg_diff_change c;

		c.name = stacks_name(diff, (uint32_t)i, NULL);
		c.before = percent(s1[i], t1);
		c.after = percent(s2[i], t2);
		if (c.after - c.before >= CHANGE_MIN)
			g[ng++] = c;
		else if (c.before - c.after >= CHANGE_MIN)
			s[nsh++] = c;
	}
	qsort(g, ng, sizeof(*g), cmp_grew);
	qsort(s, nsh, sizeof(*s), cmp_shrank);
	*ngrew = ng < k ? ng : k;
	*nshrank = nsh < k ? nsh : k;
	memcpy(grew, g, *ngrew * sizeof(*g));
	memcpy(shrank, s, *nshrank * sizeof(*s));
out:
	free(s1);
	free(s2);
	free(seen);
	free(g);
	free(s);
	return rc;
}

int
fg_diff_share(const struct fg_stacks *diff, const char *pattern,
    double *before, double *after, struct fg_error *err)
{
	size_t nn = fg_stacks_nframes(diff), ns = fg_stacks_count(diff), i, j;
	const uint32_t *ids;
	uint64_t w1, w2, t1, t2, m1 = 0, m2 = 0;
	unsigned char *match;
	size_t n;

	*before = *after = 0;
	if ((match = calloc(nn + 1, 1)) == NULL)
		return seterr(err, FG_ENOMEM, "out of memory");
	for (i = 0; i < nn; i++)
		match[i] = strstr(stacks_name(diff, (uint32_t)i, NULL),
		    pattern) != NULL;
	for (i = 0; i < ns; i++) {
		stacks_get(diff, i, &ids, &n, &w1, &w2);
		for (j = 0; j < n && !match[ids[j]]; j++)
			;
		if (j == n)
			continue;
		m1 = base_sat_add(m1, w1);
		m2 = base_sat_add(m2, w2);
	}
	free(match);
	diff_totals(diff, &t1, &t2);
	*before = percent(m1, t1);
	*after = percent(m2, t2);
	return 0;
}
