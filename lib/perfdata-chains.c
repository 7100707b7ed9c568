/*
 * perfdata-chains.c: a parsed sample's way to the caller's hook: its
 * frame ids by its whole chain from the chain cache (below), else
 * built (perfdata-frames.c), and the weights summed in it: reading
 * into a model, a chain's later samples only add their period to its
 * entry, which goes to the model at the end of the walk, or earlier
 * when a total would overflow.
 */
#include <sys/mman.h>

#include <stdlib.h>
#include <string.h>

#include "perfdata-int.h"

/*
 * The chain cache: (process name, process, maps generation, cpumode,
 * raw callchain, unwound user chain) -> the sample's frame ids, so a
 * chain seen before costs one hash and one compare, not a probe per
 * frame.  An entry is three words in ckeys (the offset of its ids in
 * cids, not kept when summing; their count << 32 | the entry's number;
 * the weight summed for it and not yet delivered) and then its key
 * (the callchain in it, or with CH_REF a pointer to the callchain in
 * the recording); the table's
 * slots hold (hash >> 32) << 32 | (entry offset + 1), so a probe reads
 * the entry only when 32 bits of the hash match.  Entries are numbered
 * densely in order of first use: the number is the sample's stack_key.
 */
#define CHAIN_MAX_WORDS	(8u << 20)	/* 64 MB of keys: then no more */
#define CH_META		3	/* words before an entry's key */
#define CH_REF		(1ULL << 31)	/* in hd[3]: the chain is pointed at */
#define CHAIN_MAX_IDS	(16u << 20)	/* 64 MB of ids */

static uint64_t
chain_hash(uint64_t h, const uint64_t *w, size_t n)
{
	uint64_t g = 0x452821e638d01377ULL;
	size_t i;

	/* two lanes: half the multiply latency of one chain */
	for (i = 0; i + 1 < n; i += 2) {
		h = (h ^ w[i]) * 0x9e3779b97f4a7c15ULL;
		g = (g ^ w[i + 1]) * 0xbf58476d1ce4e5b9ULL;
	}
	if (i < n)
		h = (h ^ w[i]) * 0x9e3779b97f4a7c15ULL;
	return h ^ (g >> 7) ^ (g << 29);
}

/*
 * A sample's chain key: hd[4] (process name, cpumode, process, maps
 * generation, lengths), then the callchain (or the ip), then the unwound
 * user chain; k->n words in all.
 */
struct ckey {
	uint64_t hd[4];
	const uint64_t *chain;
	size_t nchain;
	const uint64_t *u;
	size_t nu;
	size_t n;
	uint64_t hash;
};

static void
chain_key(struct ckey *k, struct thread *t, const struct fg_pd_sample *s,
    uint32_t pname, const uint64_t *uips, size_t nu)
{
	uint64_t h;

	k->chain = s->chain;
	k->nchain = s->nchain;
	if (k->chain == NULL) {
		k->chain = &s->ip;
		k->nchain = 1;
	}
	k->u = uips;
	k->nu = nu;
	k->n = 4 + k->nchain + nu;
	k->hd[0] = (uint64_t)pname << 32 |
	    (uint64_t)(s->misc & MISC_CPUMODE_MASK) << 1 | (uips != NULL);
	k->hd[1] = (uint64_t)(uintptr_t)t->proc;
	k->hd[2] = t->proc != NULL ? t->proc->gen : 0;
	k->hd[3] = (uint64_t)k->nchain << 32 | (uint64_t)nu;
	h = chain_hash(0x243f6a8885a308d3ULL, k->hd, 4);
	h = chain_hash(h, k->chain, k->nchain);
	if (nu > 0)
		h = chain_hash(h, uips, nu);
	h ^= h >> 32;
	h *= 0xbf58476d1ce4e5b9ULL;
	k->hash = h ^ (h >> 29);
}

static size_t
chain_slot(uint64_t hash, size_t mask)
{
	return (size_t)((hash >> 32) * 0x9e3779b97f4a7c15ULL >> 20) & mask;
}

/* The callchain of a stored key: in the entry, or where it points. */
static const uint64_t *
chain_words(const uint64_t *w, size_t *skip)
{
	if (w[3] & CH_REF) {
		*skip = 1;
		return (const uint64_t *)(uintptr_t)w[4];
	}
	*skip = (size_t)(w[3] >> 32);
	return w + 4;
}

static int
chain_eq(const uint64_t *w, const struct ckey *k)
{
	const uint64_t *c;
	size_t skip;

	if (w[0] != k->hd[0] || w[1] != k->hd[1] || w[2] != k->hd[2] ||
	    (w[3] & ~CH_REF) != k->hd[3])
		return 0;
	c = chain_words(w, &skip);
	return memcmp(c, k->chain, k->nchain * sizeof(uint64_t)) == 0 &&
	    (k->nu == 0 || memcmp(w + 4 + skip, k->u,
	    k->nu * sizeof(uint64_t)) == 0);
}

/* The entry of the key (its offset in ckeys), or SIZE_MAX and the slot. */
static size_t
chain_find(struct pd *pd, const struct ckey *k, size_t *slot)
{
	uint64_t tag = k->hash >> 32 << 32;
	size_t i;

	*slot = SIZE_MAX;
	if (pd->ch.chtab == NULL)
		return SIZE_MAX;
	for (i = chain_slot(k->hash, pd->ch.chmask); pd->ch.chtab[i] != 0;
	    i = (i + 1) & pd->ch.chmask) {
		uint64_t v = pd->ch.chtab[i];
		size_t e = (size_t)(uint32_t)v - 1;
		if ((v & 0xffffffff00000000ULL) == tag &&
		    chain_eq(pd->ch.ckeys + e + CH_META, k))
			return e;
	}
	*slot = i;
	return SIZE_MAX;
}

/*
 * Room in the table for one more entry (grown at half full): the slot
 * of hash, moved when the table grew.  0, or -1 out of memory.
 */
static int
table_room(struct pd *pd, uint64_t hash, size_t *slot)
{
	size_t nm = pd->ch.chtab == NULL ? 4095 : pd->ch.chmask * 2 + 1, i, j;
	uint64_t *nt;

	if (pd->ch.chtab != NULL && (pd->ch.nch + 1) * 2 <= pd->ch.chmask + 1)
		return 0;
	if ((nt = base_zalloc(nm + 1, sizeof(*nt))) == NULL)
		return -1;
	for (i = 0; pd->ch.chtab != NULL && i <= pd->ch.chmask; i++) {
		uint64_t v = pd->ch.chtab[i];
		if (v == 0)
			continue;
		for (j = chain_slot(v, nm); nt[j] != 0; j = (j + 1) & nm)
			;
		nt[j] = v;
	}
	free(pd->ch.chtab);
	pd->ch.chtab = nt;
	pd->ch.chmask = nm;
	for (*slot = chain_slot(hash, nm); nt[*slot] != 0;
	    *slot = (*slot + 1) & nm)
		;
	return 0;
}

/*
 * Both pools are reserved address space, touched as they fill: a page
 * costs its first write only, where doubling arrays would copy into
 * fresh pages each time.  0, or -1 when they cannot be reserved.
 */
static int
pools_reserve(struct pd *pd)
{
	void *a, *b;

	if (pd->ch.ckeys != NULL)
		return 0;
	a = mmap(NULL, (size_t)CHAIN_MAX_WORDS * sizeof(uint64_t),
	    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
	    MAP_NORESERVE, -1, 0);
	b = mmap(NULL, (size_t)CHAIN_MAX_IDS * sizeof(uint32_t),
	    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
	    MAP_NORESERVE, -1, 0);
	if (a == MAP_FAILED || b == MAP_FAILED) {
		if (a != MAP_FAILED)
			munmap(a, (size_t)CHAIN_MAX_WORDS * sizeof(uint64_t));
		if (b != MAP_FAILED)
			munmap(b, (size_t)CHAIN_MAX_IDS * sizeof(uint32_t));
		return -1;
	}
	pd->ch.ckeys = a;
	pd->ch.cids = b;
	return 0;
}

/*
 * A callchain in the recording's buffer is pointed at, not copied, when
 * that buffer stays whole for the walk (a mapped file is given back
 * behind the walk only past DROP_STEP): most of an entry is its chain,
 * and every page the pool touches costs a fault.
 */
static int
chain_pointed(const struct pd *pd, const struct ckey *k)
{
	const uint8_t *c = (const uint8_t *)k->chain;

	return k->nchain > 1 && c >= pd->buf &&
	    (size_t)(c - pd->buf) <= pd->len &&
	    k->nchain <= (pd->len - (size_t)(c - pd->buf)) /
	    sizeof(uint64_t) && (pd->in.fd < 0 || pd->len <= DROP_STEP);
}

/*
 * Remember the ids pd->fc.ids[0..nids) for the key k, at slot (free) of
 * the table; *key is its entry's number and *ent its offset, or
 * UINT32_MAX and SIZE_MAX when it is not kept (out of memory or past
 * the cap: the sample is still right, only not cached).
 */
static void
chain_add(struct pd *pd, const struct ckey *k, size_t slot, uint32_t *key,
    size_t *ent)
{
	uint64_t *w;
	size_t n;

	*key = UINT32_MAX;
	*ent = SIZE_MAX;
	if (k->n > CHAIN_MAX_WORDS ||
	    pd->ch.nckeys + CH_META + k->n > CHAIN_MAX_WORDS ||
	    pd->fc.nids > CHAIN_MAX_IDS ||
	    pd->ch.ncids + pd->fc.nids > CHAIN_MAX_IDS)
		return;
	if (table_room(pd, k->hash, &slot) != 0 || pools_reserve(pd) != 0)
		return;
	w = pd->ch.ckeys + pd->ch.nckeys;
	w[0] = pd->ch.ncids;
	w[1] = (uint64_t)pd->fc.nids << 32 | pd->ch.nch;
	w[2] = 0;
	memcpy(w + CH_META, k->hd, sizeof(k->hd));
	if (chain_pointed(pd, k)) {
		w[CH_META + 3] |= CH_REF;
		w[CH_META + 4] = (uint64_t)(uintptr_t)k->chain;
		n = CH_META + 5;
	} else {
		memcpy(w + CH_META + 4, k->chain,
		    k->nchain * sizeof(uint64_t));
		n = CH_META + 4 + k->nchain;
	}
	if (k->nu > 0)
		memcpy(w + n, k->u, k->nu * sizeof(uint64_t));
	pd->ch.chtab[slot] = k->hash >> 32 << 32 |
	    (uint64_t)(pd->ch.nckeys + 1);
	*ent = pd->ch.nckeys;
	pd->ch.nckeys += n + k->nu;
	/* summing needs no ids after the first, unless deferring */
	if (!pd->ch.sum || pd->df.on) {
		if (pd->fc.nids > 0)
			memcpy(pd->ch.cids + pd->ch.ncids, pd->fc.ids,
			    pd->fc.nids * sizeof(uint32_t));
		pd->ch.ncids += pd->fc.nids;
	}
	*key = (uint32_t)pd->ch.nch++;
}

static int
pname_id(struct pd *pd, struct thread *t, uint32_t *id)
{
	char tmp[64];
	struct fg_buf *w = &pd->fc.work;
	size_t i;
	int r;

	if (t->pname_ok) {
		*id = t->pname_id;
		return 0;
	}
	buf_reset(w);
	if (t->comm != NULL)
		r = buf_append(w, t->comm, strlen(t->comm));
	else if (t->tid == 0)	/* the idle task, as perf names it */
		r = buf_append(w, "swapper", 7);
	else {
		snprintf(tmp, sizeof(tmp), ":%u", t->tid);
		r = buf_append(w, tmp, strlen(tmp));
	}
	for (i = 0; i < w->len; i++)
		if (w->d[i] == ' ')
			w->d[i] = '_';
	if (r == 0 && pd->o->naming.tid)
		r = buf_printf(w, "-%u/%u", t->pid, t->tid);
	else if (r == 0 && pd->o->naming.pid)
		r = buf_printf(w, "-%u", t->pid);
	if (r != 0 || (r = stacks_intern(pd->st, w->d, w->len, id)) != 0)
		return FG_ENOMEM;
	t->pname_id = *id;
	t->pname_ok = 1;
	return 0;
}

/*
 * The frame ids of a sample (the process name first): from the chain
 * cache, else built and cached.  *ids stays valid until the next call;
 * *ent is the chain entry's offset in ckeys, SIZE_MAX when not cached,
 * *made whether this sample made it.  Summing, a cached sample's ids
 * are not kept: NULL and 0 (its stack_key stands for them).
 */
static int
sample_ids(struct pd *pd, struct thread *t, const struct fg_pd_sample *s,
    const uint64_t *uips, size_t nu, const uint32_t **ids, size_t *n,
    uint32_t *key, size_t *ent, int *made)
{
	struct ckey k;
	size_t e, slot;
	uint32_t pn;
	int r;

	*key = UINT32_MAX;
	*ent = SIZE_MAX;
	*made = 0;
	if ((r = pname_id(pd, t, &pn)) != 0)
		return r;
	chain_key(&k, t, s, pn, uips, nu);
	if ((e = chain_find(pd, &k, &slot)) != SIZE_MAX) {
		*ids = pd->ch.sum ? NULL : pd->ch.cids + pd->ch.ckeys[e];
		*n = pd->ch.sum ? 0 : (size_t)(pd->ch.ckeys[e + 1] >> 32);
		*key = (uint32_t)pd->ch.ckeys[e + 1];
		*ent = e;
		return 0;
	}
	pd->fc.nids = 0;
	if ((r = pd_push_id(pd, pn)) != 0 ||
	    (r = pd_build_stack(pd, t, s, uips, nu)) != 0)
		return r;
	chain_add(pd, &k, slot, key, ent);
	*made = *ent != SIZE_MAX;
	*ids = pd->fc.ids;
	*n = pd->fc.nids;
	return 0;
}

int
pd_send_entry(struct pd *pd, size_t e, const uint32_t *ids, size_t n)
{
	struct fg_pd_sample s;
	struct fg_error cerr;
	uint64_t *w = pd->ch.ckeys + e;
	int r;

	memset(&s, 0, sizeof(s));
	s.period = w[2];
	s.stack_key = (uint32_t)w[1];
	pd->ch.pend_total -= w[2];
	w[2] = 0;
	fg_error_clear(&cerr);
	if ((r = pd->h->sample(pd->h->arg, &s, ids, n, &cerr)) != 0)
		return seterr(pd->err, r, "%s: %s", pd->name, cerr.code ?
		    cerr.msg : fg_strerror(r));
	return 0;
}

/* One call of the sample hook for entry e with its summed weight. */
static int
deliver_one(struct pd *pd, size_t e)
{
	if (pd->ch.ckeys[e + 2] == 0)	/* went with the entry's first add */
		return 0;
	return pd_send_entry(pd, e, NULL, 0);
}

/*
 * Summing (pd->ch.sum): deliver what the chain entries hold, one sample
 * hook call per entry that gained weight since the last delivery, with
 * no ids: the entry's first sample went to the hook with them, so its
 * stack is in the model (in the order first samples came, as without
 * summing) and its stack_key names it.
 */
int
pd_deliver(struct pd *pd)
{
	size_t i;
	int r;

	for (i = 0; i < pd->ch.ndirty; i++)
		if ((r = deliver_one(pd, pd->ch.dirty[i])) != 0)
			return r;
	pd->ch.ndirty = 0;
	return 0;
}

/*
 * Summing: add the weight of a sample of an existing entry e to it, or
 * tell the caller to call the hook itself (*direct), after delivering
 * what is pending when its weight with what the model and the entries
 * hold would pass UINT64_MAX (the model then fails it with the sample's
 * offset, as without summing).
 */
static int
sum_sample(struct pd *pd, size_t e, uint64_t period, int *direct)
{
	uint64_t *w;

	*direct = 0;
	if (period > UINT64_MAX - pd->ch.pend_total - fg_stacks_total(pd->st)) {
		int r;
		*direct = 1;
		if ((r = pd_finish_defer(pd)) != 0)
			return r;
		return pd_deliver(pd);
	}
	w = pd->ch.ckeys + e;
	if (w[2] == 0 && period != 0) {
		if (pd->ch.ndirty == pd->ch.capdirty) {
			size_t *n = base_grow(pd->ch.dirty, &pd->ch.capdirty,
			    pd->ch.ndirty + 1, sizeof(*n), 1024);
			if (n == NULL) {
				*direct = 1;
				return 0;
			}
			pd->ch.dirty = n;
		}
		pd->ch.dirty[pd->ch.ndirty++] = e;
	}
	w[2] += period;
	pd->ch.pend_total += period;
	return 0;
}

/* Deferring: a new chain entry e, its first sample's weight summed. */
static int
fresh_add(struct pd *pd, size_t e, uint64_t period)
{
	if (pd->ch.nfresh == pd->ch.capfresh) {
		size_t *n = base_grow(pd->ch.fresh, &pd->ch.capfresh, pd->ch.nfresh + 1,
		    sizeof(*n), 4096);
		if (n == NULL)
			return FG_ENOMEM;
		pd->ch.fresh = n;
	}
	pd->ch.fresh[pd->ch.nfresh++] = e;
	pd->ch.ckeys[e + 2] += period;
	pd->ch.pend_total += period;
	return 0;
}

/*
 * The sample's frames (through the chain cache) to the caller's hook;
 * reading into a model, a known chain only adds to its entry, and
 * deferring, a new one waits for the walk's end when it can.
 */
int
pd_chain_sample(struct pd *pd, struct thread *t, struct fg_pd_sample *s,
    const uint64_t *uips, size_t nu, uint64_t off)
{
	const uint32_t *ids;
	size_t nids, ent;
	int r, direct, made;
	struct fg_error cerr;

	if ((r = sample_ids(pd, t, s, uips, nu, &ids, &nids,
	    &s->stack_key, &ent, &made)) != 0)
		return seterr(pd->err, r, "%s: out of memory", pd->name);
	s->pname_id = t->pname_id;
	if (pd->ch.sum && ent != SIZE_MAX && !made) {
		if ((r = sum_sample(pd, ent, s->period, &direct)) != 0)
			return r;
		if (!direct)
			return 0;
	} else if (pd->df.on) {
		/* a new chain: to the model after the walk, if it can wait */
		if (++pd->df.nnew != pd->df.end_at && ent != SIZE_MAX &&
		    s->period <= UINT64_MAX - pd->ch.pend_total -
		    fg_stacks_total(pd->st) &&
		    fresh_add(pd, ent, s->period) == 0)
			return 0;
		if ((r = pd_finish_defer(pd)) != 0 ||
		    (r = pd_deliver(pd)) != 0)
			return r;
		if (pd_expand_ids(pd, ids, nids, &nids) != 0)
			return seterr(pd->err, FG_ENOMEM, "%s: out of "
			    "memory", pd->name);
		ids = pd->ch.xids;
	}
	fg_error_clear(&cerr);
	if ((r = pd->h->sample(pd->h->arg, s, ids, nids, &cerr)) != 0)
		return seterr(pd->err, r, "%s: sample at 0x%llx: %s",
		    pd->name, (unsigned long long)off, cerr.code ?
		    cerr.msg : fg_strerror(r));
	return 0;
}

void
pd_chains_free(struct pd *pd)
{
	free(pd->ch.chtab);
	free(pd->ch.dirty);
	free(pd->ch.fresh);
	free(pd->ch.xids);
	if (pd->ch.ckeys != NULL) {
		munmap(pd->ch.ckeys, (size_t)CHAIN_MAX_WORDS * sizeof(uint64_t));
		munmap(pd->ch.cids, (size_t)CHAIN_MAX_IDS * sizeof(uint32_t));
	}
}
