/*
 * stacks.c: interned frame names and unique stacks with 64-bit weights.
 *
 * Guarantees: every name is stored once; every distinct stack once, with
 * the sum of its weights; the total never wraps (an add that would exceed
 * UINT64_MAX fails with FG_EOVERFLOW and changes nothing); iteration in
 * folded order is deterministic (byte order of the joined lines).
 *
 * Both tables are open-addressing hash tables of 64-bit slots holding
 * (high 32 bits of the hash, index + 1), so a probe touches one cache line
 * before any string or id array is compared.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "stacks.h"

struct stack {
	uint64_t weight;
	uint64_t weight2;
	size_t off;		/* first id in st->ids */
	uint32_t n;
	uint32_t hash32;
};

struct fg_stacks {
	struct fg_arena names_arena;
	const char **names;
	uint32_t *name_lens;
	size_t nnames, names_cap;
	uint64_t *name_tab;	/* slots: hash32 << 32 | (id + 1) */
	size_t name_mask;

	uint32_t *ids;
	size_t nids, ids_cap;
	struct stack *stacks;
	size_t nstacks, stacks_cap;
	uint64_t *stack_tab;
	size_t stack_mask;

	uint64_t total;
	int differential;

	/* Order of additions, kept only on request (flame charts). */
	struct fg_stacks_step *seq;
	size_t nseq, seq_cap;
	int keep_seq;
	int has_samples;	/* a step was given its thread */
	char *event;		/* the sampled event's name; NULL: unknown */
	uint64_t *inl_tab;	/* inline pairs: outer << 32 | inner, + 1 */
	size_t inl_mask, ninl;
};

#define MAX_STACK_DEPTH (1u << 24)

struct fg_stacks *
fg_stacks_new(void)
{
	struct fg_stacks *st;

	if ((st = calloc(1, sizeof(*st))) == NULL)
		return NULL;
	arena_init(&st->names_arena);
	st->name_mask = 1023;
	st->stack_mask = 1023;
	st->name_tab = base_zalloc(st->name_mask + 1, sizeof(uint64_t));
	st->stack_tab = base_zalloc(st->stack_mask + 1, sizeof(uint64_t));
	if (st->name_tab == NULL || st->stack_tab == NULL) {
		fg_stacks_free(st);
		return NULL;
	}
	return st;
}

void
fg_stacks_free(struct fg_stacks *st)
{
	if (st == NULL)
		return;
	arena_free(&st->names_arena);
	free(st->names);
	free(st->name_lens);
	free(st->name_tab);
	free(st->ids);
	free(st->stacks);
	free(st->stack_tab);
	free(st->seq);
	free(st->event);
	free(st->inl_tab);
	free(st);
}


static int
grow(void *pp, size_t *cap, size_t need, size_t elsize)
{
	void *np = base_grow(*(void **)pp, cap, need, elsize, 256);

	if (np == NULL)
		return FG_ENOMEM;
	*(void **)pp = np;
	return 0;
}

void
stacks_keep_sequence(struct fg_stacks *st)
{
	st->keep_seq = 1;
}

void
fg_stacks_keep_samples(struct fg_stacks *st)
{
	if (st != NULL)
		st->keep_seq = 1;
}

int
stacks_keeps_sequence(const struct fg_stacks *st)
{
	return st->keep_seq;
}

int
stacks_set_event(struct fg_stacks *st, const char *name, size_t len)
{
	if (st->event != NULL)
		return 0;
	if ((st->event = strndup(name, len)) == NULL)
		return FG_ENOMEM;
	return 0;
}

/* The event's name, set again (a followed recording's, known at its end). */
int
stacks_rename_event(struct fg_stacks *st, const char *name, size_t len)
{
	char *n;

	if ((n = strndup(name, len)) == NULL)
		return FG_ENOMEM;
	free(st->event);
	st->event = n;
	return 0;
}

const char *
stacks_event(const struct fg_stacks *st)
{
	return st->event;
}

int
stacks_event_is_clock(const char *ev)
{
	static const char *const names[] = { "cpu-clock", "task-clock",
		"event-1-0", "event-1-1" };
	size_t i, n;

	if (ev == NULL)
		return 0;
	n = strcspn(ev, ":/");
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i]) == n && strncmp(ev, names[i], n) == 0)
			return 1;
	return 0;
}

static size_t
inl_slot(uint64_t key, size_t mask)
{
	return (size_t)(base_hash(&key, sizeof(key)) & mask);
}

int
stacks_mark_inline(struct fg_stacks *st, uint32_t outer, uint32_t inner)
{
	uint64_t key = ((uint64_t)outer << 32 | inner) + 1;
	size_t h, i;

	if (st->inl_tab == NULL || (st->ninl + 1) * 2 > st->inl_mask + 1) {
		size_t nmask = st->inl_tab == NULL ? 255 : st->inl_mask * 2 + 1;
		uint64_t *t = calloc(nmask + 1, sizeof(*t));

		if (t == NULL)
			return FG_ENOMEM;
		for (i = 0; st->inl_tab != NULL && i <= st->inl_mask; i++)
			if (st->inl_tab[i] != 0) {
				for (h = inl_slot(st->inl_tab[i], nmask);
				    t[h] != 0; h = (h + 1) & nmask)
					;
				t[h] = st->inl_tab[i];
			}
		free(st->inl_tab);
		st->inl_tab = t;
		st->inl_mask = nmask;
	}
	for (h = inl_slot(key, st->inl_mask); st->inl_tab[h] != 0;
	    h = (h + 1) & st->inl_mask)
		if (st->inl_tab[h] == key)
			return 0;
	st->inl_tab[h] = key;
	st->ninl++;
	return 0;
}

int
stacks_is_inline(const struct fg_stacks *st, uint32_t outer, uint32_t inner)
{
	uint64_t key = ((uint64_t)outer << 32 | inner) + 1;
	size_t h;

	if (st->inl_tab == NULL)
		return 0;
	for (h = inl_slot(key, st->inl_mask); st->inl_tab[h] != 0;
	    h = (h + 1) & st->inl_mask)
		if (st->inl_tab[h] == key)
			return 1;
	return 0;
}

const struct fg_stacks_step *
stacks_sequence(const struct fg_stacks *st, size_t *n)
{
	*n = st->nseq;
	return st->seq;
}

static int
seq_push(struct fg_stacks *st, size_t idx, uint64_t w, uint64_t w2,
    struct fg_error *err)
{
	struct fg_stacks_step *sp;

	if (!st->keep_seq)
		return 0;
	if (grow(&st->seq, &st->seq_cap, st->nseq + 1, sizeof(*st->seq)) != 0)
		return seterr(err, FG_ENOMEM, "stacks: out of memory");
	sp = &st->seq[st->nseq++];
	sp->stack = idx;
	sp->weight = w;
	sp->weight2 = w2;
	sp->time = 0;
	sp->pid = sp->tid = 0;
	sp->thread = UINT32_MAX;
	sp->root = 0;
	return 0;
}

int
stacks_step_sample(struct fg_stacks *st, uint64_t time, uint32_t pid,
    uint32_t tid, const char *comm, size_t clen, uint32_t root)
{
	struct fg_stacks_step *sp;
	uint32_t id;
	int r;

	if (!st->keep_seq || st->nseq == 0)
		return 0;
	if ((r = stacks_intern(st, comm, clen, &id)) != 0)
		return r;
	sp = &st->seq[st->nseq - 1];
	sp->time = time;
	sp->pid = pid;
	sp->tid = tid;
	sp->thread = id;
	sp->root = root;
	st->has_samples = 1;
	return 0;
}

int
stacks_has_samples(const struct fg_stacks *st)
{
	return st->has_samples;
}

static inline size_t
slot_of(uint32_t h32, size_t mask)
{
	return (size_t)((uint64_t)h32 * 0x9e3779b97f4a7c15ULL) & mask;
}

/* Double a table and reinsert its slots (the hash bits are in the slot). */
static int
rehash(uint64_t **tab, size_t *mask)
{
	size_t nmask = (*mask << 1) | 1, i, j;
	uint64_t *nt;

	if ((nt = base_zalloc(nmask + 1, sizeof(uint64_t))) == NULL)
		return FG_ENOMEM;
	for (i = 0; i <= *mask; i++) {
		uint64_t s = (*tab)[i];
		if (s == 0)
			continue;
		j = slot_of((uint32_t)(s >> 32), nmask);
		while (nt[j] != 0)
			j = (j + 1) & nmask;
		nt[j] = s;
	}
	free(*tab);
	*tab = nt;
	*mask = nmask;
	return 0;
}

int
stacks_intern_hashed(struct fg_stacks *st, const char *name, size_t len,
    uint64_t hash, uint32_t *id)
{
	uint32_t h32 = (uint32_t)(hash >> 32);
	size_t i;
	char *copy;
	int r;

	for (i = slot_of(h32, st->name_mask);; i = (i + 1) & st->name_mask) {
		uint64_t s = st->name_tab[i];
		if (s == 0)
			break;
		if ((uint32_t)(s >> 32) == h32) {
			uint32_t k = (uint32_t)s - 1;
			if (st->name_lens[k] == len &&
			    memcmp(st->names[k], name, len) == 0) {
				*id = k;
				return 0;
			}
		}
	}
	if (st->nnames >= UINT32_MAX - 1 || len > UINT32_MAX)
		return FG_ELIMIT;
	if (st->nnames + 1 > st->names_cap) {
		size_t cap = st->names_cap, capl = st->names_cap;
		uint32_t *nl;

		if ((r = grow(&st->names, &cap, st->nnames + 1,
		    sizeof(*st->names))) != 0)
			return r;
		/* name_lens always has as many entries as names. */
		if ((nl = base_grow(st->name_lens, &capl, st->nnames + 1,
		    sizeof(*nl), 256)) == NULL)
			return FG_ENOMEM;
		st->name_lens = nl;
		st->names_cap = cap;
	}
	if ((copy = arena_strndup(&st->names_arena, name, len)) == NULL)
		return FG_ENOMEM;
	*id = (uint32_t)st->nnames;
	st->names[st->nnames] = copy;
	st->name_lens[st->nnames] = (uint32_t)len;
	st->nnames++;
	st->name_tab[i] = ((uint64_t)h32 << 32) | (uint64_t)(*id + 1);
	if (st->nnames * 4 > st->name_mask * 3)
		return rehash(&st->name_tab, &st->name_mask);
	return 0;
}

int
stacks_intern(struct fg_stacks *st, const char *name, size_t len,
    uint32_t *id)
{
	return stacks_intern_hashed(st, name, len, base_hash(name, len), id);
}

const char *
stacks_name(const struct fg_stacks *st, uint32_t id, size_t *len)
{
	if (len != NULL)
		*len = st->name_lens[id];
	return st->names[id];
}

int
stacks_add_ids(struct fg_stacks *st, const uint32_t *ids, size_t n,
    uint64_t weight, uint64_t weight2, struct fg_error *err)
{
	size_t idx;

	return stacks_add_ids_idx(st, ids, n, weight, weight2, &idx, err);
}

int
stacks_add_to(struct fg_stacks *st, size_t idx, uint64_t weight,
    uint64_t weight2, struct fg_error *err)
{
	struct stack *sk = &st->stacks[idx];

	if (weight > UINT64_MAX - st->total)
		return seterr(err, FG_EOVERFLOW,
		    "total weight would exceed %llu",
		    (unsigned long long)UINT64_MAX);
	if (weight2 > UINT64_MAX - sk->weight2)
		return seterr(err, FG_EOVERFLOW,
		    "second weight would exceed %llu",
		    (unsigned long long)UINT64_MAX);
	sk->weight += weight;
	sk->weight2 += weight2;
	st->total += weight;
	if (weight2 != 0)
		st->differential = 1;
	return seq_push(st, idx, weight, weight2, err);
}

int
stacks_add_ids_idx(struct fg_stacks *st, const uint32_t *ids, size_t n,
    uint64_t weight, uint64_t weight2, size_t *idx, struct fg_error *err)
{
	uint64_t h = base_hash(ids, n * sizeof(*ids));
	uint32_t h32 = (uint32_t)(h >> 32);
	struct stack *sk;
	size_t i;
	int r;

	if (n > MAX_STACK_DEPTH)
		return seterr(err, FG_ELIMIT,
		    "stack of %zu frames is deeper than %u", n,
		    MAX_STACK_DEPTH);
	if (weight > UINT64_MAX - st->total)
		return seterr(err, FG_EOVERFLOW,
		    "total weight would exceed %llu",
		    (unsigned long long)UINT64_MAX);
	for (i = slot_of(h32, st->stack_mask);; i = (i + 1) & st->stack_mask) {
		uint64_t s = st->stack_tab[i];
		if (s == 0)
			break;
		if ((uint32_t)(s >> 32) != h32)
			continue;
		sk = &st->stacks[(uint32_t)s - 1];
		if (sk->n == n &&
		    memcmp(st->ids + sk->off, ids, n * sizeof(*ids)) == 0) {
			*idx = (uint32_t)s - 1;
			return stacks_add_to(st, *idx, weight, weight2,
			    err);
		}
	}
	if (st->nstacks >= UINT32_MAX - 1)
		return seterr(err, FG_ELIMIT, "more than 2^32 stacks");
	if ((r = grow(&st->stacks, &st->stacks_cap, st->nstacks + 1,
	    sizeof(*st->stacks))) != 0 ||
	    (r = grow(&st->ids, &st->ids_cap, st->nids + n + 1,
	    sizeof(*st->ids))) != 0)
		return seterr(err, r, "stacks: out of memory");
	sk = &st->stacks[st->nstacks];
	sk->weight = weight;
	sk->weight2 = weight2;
	sk->off = st->nids;
	sk->n = (uint32_t)n;
	sk->hash32 = h32;
	if (n > 0)
		memcpy(st->ids + st->nids, ids, n * sizeof(*ids));
	st->nids += n;
	st->nstacks++;
	st->stack_tab[i] = ((uint64_t)h32 << 32) | (uint64_t)st->nstacks;
	*idx = st->nstacks - 1;
	st->total += weight;
	if (weight2 != 0)
		st->differential = 1;
	if (st->nstacks * 4 > st->stack_mask * 3 &&
	    (r = rehash(&st->stack_tab, &st->stack_mask)) != 0)
		return seterr(err, r, "stacks: out of memory");
	return seq_push(st, st->nstacks - 1, weight, weight2, err);
}

int
fg_stacks_add(struct fg_stacks *st, const char *const *frames,
    const size_t *lens, size_t n, uint64_t weight, uint64_t weight2,
    struct fg_error *err)
{
	uint32_t small[256], *ids = small;
	size_t i;
	int r = 0;

	if (n > MAX_STACK_DEPTH)
		return seterr(err, FG_ELIMIT,
		    "stack of %zu frames is deeper than %u", n,
		    MAX_STACK_DEPTH);
	if (n > 256 && (ids = reallocarray(NULL, n, sizeof(*ids))) == NULL)
		return seterr(err, FG_ENOMEM, "stacks: out of memory");
	for (i = 0; i < n; i++) {
		size_t len = lens ? lens[i] : strlen(frames[i]);
		if ((r = stacks_intern(st, frames[i], len, &ids[i])) != 0) {
			seterr(err, r, "stacks: cannot intern frame name");
			goto out;
		}
	}
	r = stacks_add_ids(st, ids, n, weight, weight2, err);
out:
	if (ids != small)
		free(ids);
	return r;
}

int
fg_stacks_add_folded(struct fg_stacks *st, const char *stack, size_t len,
    uint64_t weight, uint64_t weight2, struct fg_error *err)
{
	uint32_t small[256], *ids = small, *nids;
	size_t n = 0, cap = 256, hcap = 0, start = 0, i;
	int r = 0;

	for (i = 0; i <= len; i++) {
		if (i < len && stack[i] != ';')
			continue;
		if (n == cap) {
			if (cap >= MAX_STACK_DEPTH) {
				r = seterr(err, FG_ELIMIT,
				    "stack deeper than %u frames",
				    MAX_STACK_DEPTH);
				goto out;
			}
			/* on the heap from twice the small array's size */
			nids = base_grow(ids == small ? NULL : ids, &hcap, n + 1,
			    sizeof(*ids), 2 * 256);
			if (nids == NULL) {
				r = seterr(err, FG_ENOMEM,
				    "stacks: out of memory");
				goto out;
			}
			if (ids == small)
				memcpy(nids, small, sizeof(small));
			ids = nids;
			cap = hcap;
		}
		if ((r = stacks_intern(st, stack + start, i - start,
		    &ids[n])) != 0) {
			seterr(err, r, "stacks: cannot intern frame name");
			goto out;
		}
		n++;
		start = i + 1;
	}
	r = stacks_add_ids(st, ids, len == 0 ? 0 : n, weight, weight2,
	    err);
out:
	if (ids != small)
		free(ids);
	return r;
}

int
fg_stacks_merge(struct fg_stacks *dst, const struct fg_stacks *src,
    struct fg_error *err)
{
	uint32_t *map, *tmp = NULL;
	size_t i, j, tmpcap = 0;
	int r = 0;

	if (src->event != NULL && stacks_set_event(dst, src->event,
	    strlen(src->event)) != 0)
		return seterr(err, FG_ENOMEM, "stacks: out of memory");
	if (src->nnames == 0 && src->nstacks == 0)
		return 0;
	if ((map = reallocarray(NULL, src->nnames ? src->nnames : 1,
	    sizeof(*map))) == NULL)
		return seterr(err, FG_ENOMEM, "stacks: out of memory");
	for (i = 0; i < src->nnames; i++)
		if ((r = stacks_intern(dst, src->names[i],
		    src->name_lens[i], &map[i])) != 0) {
			seterr(err, r, "stacks: cannot intern frame name");
			goto out;
		}
	for (i = 0; i < src->nstacks; i++) {
		const struct stack *sk = &src->stacks[i];
		if ((r = grow(&tmp, &tmpcap, sk->n + 1, sizeof(*tmp))) != 0) {
			seterr(err, r, "stacks: out of memory");
			goto out;
		}
		for (j = 0; j < sk->n; j++)
			tmp[j] = map[src->ids[sk->off + j]];
		if ((r = stacks_add_ids(dst, tmp, sk->n, sk->weight,
		    sk->weight2, err)) != 0)
			goto out;
	}
out:
	free(map);
	free(tmp);
	return r;
}

size_t
fg_stacks_count(const struct fg_stacks *st)
{
	return st->nstacks;
}

size_t
fg_stacks_nframes(const struct fg_stacks *st)
{
	return st->nnames;
}

uint64_t
fg_stacks_total(const struct fg_stacks *st)
{
	return st->total;
}

int
fg_stacks_differential(const struct fg_stacks *st)
{
	return st->differential;
}

void
stacks_get(const struct fg_stacks *st, size_t i, const uint32_t **ids,
    size_t *n, uint64_t *weight, uint64_t *weight2)
{
	const struct stack *sk = &st->stacks[i];

	if (ids != NULL)
		*ids = st->ids + sk->off;
	if (n != NULL)
		*n = sk->n;
	if (weight != NULL)
		*weight = sk->weight;
	if (weight2 != NULL)
		*weight2 = sk->weight2;
}

/* A place in a stack's folded string: byte p of frame f's name. */
struct scur {
	const struct fg_stacks *st;
	const uint32_t *ids;
	size_t n;		/* frames */
	size_t f, p;
	const unsigned char *name;
	size_t len;
};

/* c at the start of frame f's name. */
static inline void
scur_frame(struct scur *c, size_t f)
{
	c->f = f;
	c->p = 0;
	c->name = (const unsigned char *)c->st->names[c->ids[f]];
	c->len = c->st->name_lens[c->ids[f]];
}

/* c at the start of stack i. */
static inline void
scur_init(struct scur *c, const struct fg_stacks *st, size_t i)
{
	const struct stack *sk = &st->stacks[i];

	c->st = st;
	c->ids = st->ids + sk->off;
	c->n = sk->n;
	c->f = c->p = c->len = 0;
	c->name = NULL;
	if (c->n > 0)
		scur_frame(c, 0);
}

/* The byte at c: of a name, ';' between frames, or -1 at the end. */
static inline int
scur_byte(const struct scur *c)
{
	if (c->f >= c->n)
		return -1;
	if (c->p < c->len)
		return c->name[c->p];
	return c->f + 1 < c->n ? ';' : -1;
}

/* c one byte on (not at the end). */
static inline void
scur_step(struct scur *c)
{
	if (c->p < c->len)
		c->p++;
	else
		scur_frame(c, c->f + 1);
}

/*
 * Two different names at x and y: their common length decides unless one
 * is a prefix of the other; then the longer name's next byte against
 * what follows the shorter (';' or the end) decides, unless that byte is
 * itself ';'.  -1 or 1 when decided, else 0 with both past the common
 * length.
 */
static inline int
scur_names(struct scur *x, struct scur *y)
{
	size_t m = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->name, y->name, m);

	if (c != 0)
		return c < 0 ? -1 : 1;
	if (x->len < y->len && y->name[x->len] != ';')
		return x->f + 1 < x->n && ';' > y->name[x->len] ? 1 : -1;
	if (y->len < x->len && x->name[y->len] != ';')
		return y->f + 1 < y->n && ';' > x->name[y->len] ? -1 : 1;
	x->p = y->p = m;
	return 0;
}

/*
 * Compare stacks a and b as the strings "f0;f1;...;fn" would compare
 * byte-wise (unsigned), without building them.
 */
int
stacks_cmp(const struct fg_stacks *st, size_t a, size_t b)
{
	struct scur x, y;
	size_t k;
	int ca, cb;

	scur_init(&x, st, a);
	scur_init(&y, st, b);
	/* Skip whole equal frames quickly. */
	for (k = 0; k < x.n && k < y.n && x.ids[k] == y.ids[k]; k++)
		;
	if (k > 0) {
		/* Both consumed k frames and the ';' after them, if any. */
		if (k == x.n && k == y.n)
			return 0;
		if (k == x.n)
			return -1;
		if (k == y.n)
			return 1;
		scur_frame(&x, k);
		scur_frame(&y, k);
	}
	if (x.name != NULL && y.name != NULL &&
	    (ca = scur_names(&x, &y)) != 0)
		return ca;
	for (;;) {
		ca = scur_byte(&x);
		cb = scur_byte(&y);
		if (ca != cb)
			return ca < cb ? -1 : 1;
		if (ca == -1)
			return 0;
		scur_step(&x);
		scur_step(&y);
	}
}

static int
cmp_idx(const void *a, const void *b, void *ctx)
{
	return stacks_cmp(ctx, *(const size_t *)a, *(const size_t *)b);
}

size_t *
stacks_sorted(const struct fg_stacks *st)
{
	size_t *v, i;

	if (st->nstacks == 0)
		return NULL;
	if ((v = reallocarray(NULL, st->nstacks, sizeof(*v))) == NULL)
		return NULL;
	for (i = 0; i < st->nstacks; i++)
		v[i] = i;
	if (base_sort(v, st->nstacks, sizeof(*v), cmp_idx,
	    (void *)(uintptr_t)st) != 0) {
		free(v);
		return NULL;
	}
	return v;
}

int
fg_stacks_foreach_sorted(const struct fg_stacks *st, fg_stack_visit_fn *fn,
    void *arg, struct fg_error *err)
{
	const char **names = NULL;
	size_t *lens = NULL, *order, i, j, cap = 0;
	int r = 0;

	if (st->nstacks == 0)
		return 0;
	if ((order = stacks_sorted(st)) == NULL)
		return seterr(err, FG_ENOMEM, "stacks: out of memory");
	for (i = 0; i < st->nstacks && r == 0; i++) {
		const struct stack *sk = &st->stacks[order[i]];
		if (sk->n + 1 > cap) {
			size_t capn = cap, capl = cap;
			const char **nn = base_grow(names, &capn, sk->n + 1,
			    sizeof(*names), 64);
			size_t *nl;
			if (nn != NULL)
				names = nn;
			nl = nn ? base_grow(lens, &capl, sk->n + 1,
			    sizeof(*lens), 64) : NULL;
			if (nl == NULL) {
				r = seterr(err, FG_ENOMEM,
				    "stacks: out of memory");
				break;
			}
			lens = nl;
			cap = capn;
		}
		for (j = 0; j < sk->n; j++) {
			uint32_t id = st->ids[sk->off + j];
			names[j] = st->names[id];
			lens[j] = st->name_lens[id];
		}
		r = fn(arg, names, lens, sk->n, sk->weight, sk->weight2);
	}
	free(order);
	free(names);
	free(lens);
	return r;
}

int
fg_stacks_write_folded(const struct fg_stacks *st, FILE *fp,
    struct fg_error *err)
{
	struct fg_buf b;
	size_t *order, i, j;
	int r = 0;

	if (st->nstacks == 0)
		return 0;
	if ((order = stacks_sorted(st)) == NULL)
		return seterr(err, FG_ENOMEM, "stacks: out of memory");
	/* whole lines into one buffer, written in 64 KB pieces */
	buf_init(&b, 0);
	for (i = 0; i < st->nstacks && r == 0; i++) {
		const struct stack *sk = &st->stacks[order[i]];
		char num[64];
		int nl;

		for (j = 0; j < sk->n && r == 0; j++) {
			uint32_t id = st->ids[sk->off + j];
			if (j > 0)
				r = buf_append(&b, ";", 1);
			if (r == 0)
				r = buf_append(&b, st->names[id],
				    st->name_lens[id]);
		}
		if (st->differential)
			nl = snprintf(num, sizeof(num), " %llu %llu\n",
			    (unsigned long long)sk->weight,
			    (unsigned long long)sk->weight2);
		else
			nl = snprintf(num, sizeof(num), " %llu\n",
			    (unsigned long long)sk->weight);
		if (r == 0)
			r = buf_append(&b, num, (size_t)nl);
		if (r == 0 && (b.len >= 65536 || i + 1 == st->nstacks)) {
			fwrite(b.d, 1, b.len, fp);
			buf_reset(&b);
		}
	}
	buf_free(&b);
	free(order);
	if (r != 0)
		return seterr(err, FG_ENOMEM, "stacks: out of memory");
	if (ferror(fp))
		r = seterr_sys(err, FG_EIO, errno, "write folded stacks");
	return r;
}
