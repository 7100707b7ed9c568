/*
 * perfdata-frames.c: a sample's addresses to interned frames.  Each
 * distinct (file, address) is resolved once (the symbolizer, the
 * names of lib/frame.c) and cached as its ids; in front of that a
 * direct-mapped cache of (process, maps generation, ip); deferring,
 * a new address becomes a pending lookup instead (perfdata-defer.c).
 * The stack is built root first after the process name: kernel part,
 * user part (the callchain's or the unwinder's).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perfdata-int.h"

/* the front cache's slot of (owner, ip, ret) */
#define FRONT_SLOT(owner, ip, ret) \
	(((((ip) ^ (uint64_t)(uintptr_t)(owner)) * 0x9e3779b97f4a7c15ULL) ^ \
	    (uint64_t)(ret)) >> (64 - FRONT_BITS))

int
pd_push_id(struct pd *pd, uint32_t id)
{
	if (pd->fc.nids == pd->fc.capids) {
		uint32_t *n = base_grow(pd->fc.ids, &pd->fc.capids,
		    pd->fc.nids + 1, sizeof(*n), 256);
		if (n == NULL)
			return FG_ENOMEM;
		pd->fc.ids = n;
	}
	pd->fc.ids[pd->fc.nids++] = id;
	return 0;
}

/* frame_names_native()' emit: one frame onto the pool. */
static int
pool_emit(void *arg, const char *name, size_t len)
{
	struct pd *pd = arg;
	uint32_t id;
	int r;

	if ((r = stacks_intern(pd->st, name, len, &id)) != 0)
		return r;
	return pd_pool_push(pd, id);
}

/*
 * Push onto the pool the frames the perf-script path makes of the line
 * `perf script` prints for func in mod at pc (frame.h: the same code):
 * usually one; none for a name starting with '('.
 */
int
pd_intern_push(struct pd *pd, const char *func, const char *mod, uint64_t pc)
{
	struct frame_opts fo;

	fo.kernel = pd->o->naming.kernel;
	fo.jit = pd->o->naming.jit;
	fo.addrs = pd->o->naming.addrs;
	fo.java = 0;
	return frame_names_native(func, mod, pc, &fo, &pd->fc.fb, pool_emit, pd);
}

static int
skip_match(struct pd *pd, const char *name)
{
	size_t k;

	if (name == NULL)
		name = "[unknown]";
	for (k = 0; k < pd->o->naming.nskip_after; k++)
		if (strcmp(pd->o->naming.skip_after[k], name) == 0)
			return 1;
	return 0;
}

struct centry *
pd_cache_slot(struct pd *pd, const void *dso, uint64_t addr)
{
	size_t h, mask;
	uint64_t k[2];

	if (pd->fc.cused * 2 >= pd->fc.ccap) {
		size_t nc = pd->fc.ccap ? pd->fc.ccap * 2 : 4096, i;
		struct centry *t = base_zalloc(nc, sizeof(*t));
		if (t == NULL)
			return NULL;
		for (i = 0; i < pd->fc.ccap; i++) {
			struct centry *e = &pd->fc.cache[i];
			if (!e->used)
				continue;
			k[0] = (uint64_t)(uintptr_t)e->dso;
			k[1] = e->addr;
			for (h = base_hash(k, sizeof(k)) & (nc - 1); t[h].used;
			    h = (h + 1) & (nc - 1))
				;
			t[h] = *e;
		}
		free(pd->fc.cache);
		pd->fc.cache = t;
		pd->fc.ccap = nc;
	}
	mask = pd->fc.ccap - 1;
	k[0] = (uint64_t)(uintptr_t)dso;
	k[1] = addr;
	for (h = base_hash(k, sizeof(k)) & mask; pd->fc.cache[h].used;
	    h = (h + 1) & mask)
		if (pd->fc.cache[h].dso == dso && pd->fc.cache[h].addr == addr)
			return &pd->fc.cache[h];
	return &pd->fc.cache[h];
}

int
pd_pool_push(struct pd *pd, uint32_t id)
{
	if (pd->fc.npool == pd->fc.cappool) {
		uint32_t *n;
		if (pd->fc.npool >= (size_t)1 << 31 || (n = base_grow(
		    pd->fc.pool, &pd->fc.cappool, pd->fc.npool + 1,
		    sizeof(*n), 4096)) == NULL)
			return FG_ENOMEM;
		pd->fc.pool = n;
	}
	pd->fc.pool[pd->fc.npool++] = id;
	return 0;
}

int
pd_mark_inline(struct pd *pd, size_t off, size_t n)
{
	size_t i;

	if (n < 2 || !stacks_keeps_sequence(pd->st))
		return 0;
	for (i = off + 1; i < off + n; i++)
		if (stacks_mark_inline(pd->st, pd->fc.pool[i - 1],
		    pd->fc.pool[i]) != 0)
			return FG_ENOMEM;
	return 0;
}

/*
 * The frames of one callchain entry, outermost first, as a cache entry.
 * key: what the address resolves in (a DSO, a fake key for no map).
 * With --no-inline the frame is the symbol at addr, as perf looks up
 * frame-pointer return addresses.  With inline frames, where a symbol
 * holds addr, the frames are what addr2line says of the call, addr - 1
 * for a return address (ret): the DWARF subprogram and its inline chain,
 * else its pick of the symbol's aliases (docs/internals/naming.md).
 * Deferring, an address in a DSO goes to pd_resolve_later() instead.
 */
static struct centry *
resolve(struct pd *pd, const void *key, struct fg_dso *dso,
    const char *mod, uint64_t addr, int have_addr, uint64_t pc, int ret)
{
	static const char nomap;
	struct centry *e;
	const char *names[MAX_INLINE], *func = NULL, *dfunc, *kmod = NULL;
	size_t n = 0, i;
	uint64_t ia = ret ? addr - 1 : addr;
	int skip;

	if (key == NULL)
		key = &nomap;
	if (ret)	/* a distinct key: the same address, another chain */
		key = (const char *)key + 1;
	if ((e = pd_cache_slot(pd, key, pd->o->naming.addrs ? pc : addr)) == NULL)
		return NULL;
	if (e->used)
		return e;
	if (dso != NULL && have_addr) {
		func = dso_symbol(dso, addr, &kmod);
		if (func != NULL && !pd->o->naming.no_inline) {
			n = dso_inlines(dso, ia, &dfunc, names, MAX_INLINE);
			if (dfunc != NULL)
				func = dfunc;
		}
	}
	if (kmod != NULL)
		mod = kmod;
	e->dso = key;
	e->addr = pd->o->naming.addrs ? pc : addr;
	e->ids_off = (uint32_t)pd->fc.npool;
	/*
	 * A name starting with '(' gives no frame (stackcollapse-perf's rule
	 * for process names, which also drops C++ "(anonymous namespace)::f"
	 * frames), as on the perf-script path: frame.c.
	 */
	skip = skip_match(pd, func);
	if (pd_intern_push(pd, func, mod, pc) != 0)
		return NULL;
	for (i = 0; i < n; i++) {
		skip |= skip_match(pd, names[i]);
		if (pd_intern_push(pd, names[i], mod, pc) != 0)
			return NULL;
	}
	e->nids = (uint16_t)(pd->fc.npool - e->ids_off);
	e->skip = (uint8_t)skip;
	if (pd_mark_inline(pd, e->ids_off, e->nids) != 0)
		return NULL;
	if (pd->df.on && pd_dent_add(pd, e, NULL) != 0)
		return NULL;
	e->used = 1;
	pd->fc.cused++;
	if (pd->h->frame != NULL && dso != NULL && have_addr)
		pd->h->frame(pd->h->arg, dso_path(dso), ia,
		    pd->fc.pool + e->ids_off, e->nids);
	return e;
}

static struct centry *
resolve_user(struct pd *pd, struct thread *t, uint64_t ip, int exact)
{
	static const char unk;
	struct map *m;
	uint64_t a;
	int ret = !exact && ip != 0;

	if (t->proc == NULL || (m = pd_map_find(t->proc, ip)) == NULL)
		return resolve(pd, &unk, NULL, "[unknown]", 0, 0, ip, 0);
	if (m->dso == NULL)
		return resolve(pd, m->fname, NULL, m->fname, 0, 0,
		    ip - m->start + m->pgoff, 0);
	if (pd->df.on) {
		enum fg_dso_kind k = dso_kind(m->dso);
		uint64_t off = ip - m->start + m->pgoff;

		return pd_resolve_later(pd, m->dso, m->fname, k == FG_DSO_KERNEL ||
		    k == FG_DSO_JITMAP ? ip : off, off, ret);
	}
	if (dso_addr(m->dso, ip, m->start, m->pgoff, &a) != 0)
		return resolve(pd, m->dso, NULL, m->fname, 0, 0,
		    ip - m->start + m->pgoff, 0);
	return resolve(pd, m->dso, m->dso, dso_path(m->dso), a, 1,
	    ip - m->start + m->pgoff, ret);
}

static int
push_frame(struct pd *pd, const struct centry *e)
{
	if (pd->fc.nfr == pd->fc.capfr) {
		struct centry *n = base_grow(pd->fc.fr, &pd->fc.capfr,
		    pd->fc.nfr + 1, sizeof(*n), 256);
		if (n == NULL)
			return FG_ENOMEM;
		pd->fc.fr = n;
	}
	pd->fc.fr[pd->fc.nfr++] = *e;	/* a copy: the cache may move */
	return 0;
}

/*
 * The front cache's slot for (owner, ip, return address?), and whether
 * it holds them for maps generation gen: then front_push() pushes its
 * frames, else front_fill() fills it once resolved.
 */
static struct fent *
front_slot(struct pd *pd, const void *owner, uint64_t ip, int ret)
{
	return &pd->fc.front[FRONT_SLOT(owner, ip, ret)];
}

static int
front_hit(const struct fent *fe, const void *owner, uint32_t gen,
    uint64_t ip, int ret)
{
	return fe->valid && fe->owner == owner && fe->ip == ip &&
	    fe->gen == gen && fe->ret == ret;
}

static int
front_push(struct pd *pd, const struct fent *fe)
{
	struct centry c;

	c.ids_off = fe->ids_off;
	c.nids = fe->nids;
	c.skip = fe->skip;
	return push_frame(pd, &c);
}

static void
front_fill(struct fent *fe, const void *owner, uint32_t gen, uint64_t ip,
    int ret, const struct centry *e)
{
	fe->owner = owner;
	fe->ip = ip;
	fe->gen = gen;
	fe->ret = (uint8_t)ret;
	fe->ids_off = e->ids_off;
	fe->nids = e->nids;
	fe->skip = e->skip;
	fe->valid = 1;
}

/*
 * One address of a callchain's kernel or user part (mode), through the
 * front cache; exact: the interrupted ip, else a return address.  *k is
 * the kernel's object, made at its first address.
 */
static int
context_frame(struct pd *pd, struct thread *t, uint64_t ip, int mode,
    int exact, struct fg_dso **k)
{
	const void *owner = mode == MISC_KERNEL ? (const void *)pd :
	    (const void *)t->proc;
	uint32_t gen = mode == MISC_KERNEL || t->proc == NULL ? 0 :
	    t->proc->gen;
	int ret = !exact && ip != 0;
	struct fent *fe;
	struct centry *e;

	fe = front_slot(pd, owner, ip, ret);
	if (front_hit(fe, owner, gen, ip, ret))
		return front_push(pd, fe) != 0 ? FG_ENOMEM : 0;
	if (mode == MISC_KERNEL) {
		if (*k == NULL && (*k = sym_kernel(pd->sym)) == NULL)
			return FG_ENOMEM;
		if (pd->df.on)
			e = pd_resolve_later(pd, *k, "[kernel.kallsyms]", ip,
			    ip, !exact);
		else
			e = resolve(pd, *k, *k, "[kernel.kallsyms]", ip, 1, ip,
			    !exact);
	} else
		e = resolve_user(pd, t, ip, exact);
	if (e == NULL)
		return FG_ENOMEM;
	front_fill(fe, owner, gen, ip, ret, e);
	return push_frame(pd, e) != 0 ? FG_ENOMEM : 0;
}

/* The callchain's frames (or the sample's ip), leaf first, into fc.fr. */
static int
chain_frames(struct pd *pd, struct thread *t, const struct fg_pd_sample *s,
    int unwound)
{
	uint64_t one[1];
	const uint64_t *chain = s->chain;
	size_t n = s->nchain, i;
	struct fg_dso *k = NULL;
	int mode = s->misc & MISC_CPUMODE_MASK, exact = 1, r;
	struct centry *e;

	if (chain == NULL) {
		one[0] = s->ip;
		chain = one;
		n = 1;
	}
	for (i = 0; i < n; i++) {
		uint64_t ip = chain[i];

		if (ip >= CTX_MAX) {
			if (ip == CTX_KERNEL)
				mode = MISC_KERNEL;
			else if (ip == CTX_USER)
				mode = MISC_USER;
			else
				mode = 0;
			exact = 1;
			continue;
		}
		if (mode == MISC_USER && unwound)
			continue;
		if (mode == MISC_KERNEL || mode == MISC_USER) {
			if ((r = context_frame(pd, t, ip, mode, exact, &k)) != 0)
				return r;
		} else if ((e = resolve(pd, NULL, NULL, "[unknown]", 0, 0, ip,
		    0)) == NULL || push_frame(pd, e) != 0)
			return FG_ENOMEM;
		exact = 0;
	}
	return 0;
}

/* The unwound user chain's frames, through the front cache as exact ips. */
static int
unwound_frames(struct pd *pd, struct thread *t, const uint64_t *uips,
    size_t nu)
{
	const void *owner = t->proc;
	uint32_t gen = t->proc == NULL ? 0 : t->proc->gen;
	struct centry *e;
	size_t i;

	for (i = 0; i < nu; i++) {
		uint64_t ip = uips[i];
		struct fent *fe;

		fe = front_slot(pd, owner, ip, 0);
		if (front_hit(fe, owner, gen, ip, 0)) {
			if (front_push(pd, fe) != 0)
				return FG_ENOMEM;
			continue;
		}
		if ((e = resolve_user(pd, t, ip, 1)) == NULL)
			return FG_ENOMEM;
		front_fill(fe, owner, gen, ip, 0, e);
		if (push_frame(pd, e) != 0)
			return FG_ENOMEM;
	}
	return 0;
}

/*
 * The frames' ids after the process name's, root first.  skip_after:
 * keep the frames from the leaf up to the first match, which becomes
 * the root: the process name goes too, as on the perf-script path.
 * Deferring, a frame's id is its dent.
 */
static int
push_stack(struct pd *pd)
{
	size_t i, j, start = 0;
	struct centry *e;
	int r;

	for (i = 0; i < pd->fc.nfr; i++)
		if (pd->fc.fr[i].skip) {
			start = pd->fc.nfr - 1 - i;
			pd->fc.nids = 0;
			break;
		}
	for (i = pd->fc.nfr - start; i > 0; i--) {
		e = &pd->fc.fr[i - 1];
		if (pd->df.on) {
			if ((r = pd_push_id(pd, e->ids_off)) != 0)
				return r;
			continue;
		}
		for (j = 0; j < e->nids; j++)
			if ((r = pd_push_id(pd, pd->fc.pool[e->ids_off + j])) != 0)
				return r;
	}
	return 0;
}

/*
 * The frames of a sample, root first, after the process name: the
 * callchain (leaf first) or the sampled ip, and when uips is non-NULL
 * the user part from the unwinder instead of the callchain's (its
 * addresses are looked up as they are: the unwinder already moved
 * return addresses back into their call).
 */
int
pd_build_stack(struct pd *pd, struct thread *t, const struct fg_pd_sample *s,
    const uint64_t *uips, size_t nu)
{
	int r;

	pd->fc.nfr = 0;
	if ((r = chain_frames(pd, t, s, uips != NULL)) != 0 ||
	    (uips != NULL && (r = unwound_frames(pd, t, uips, nu)) != 0))
		return r;
	return push_stack(pd);
}

void
pd_frames_free(struct pd *pd)
{
	free(pd->fc.cache);
	free(pd->fc.pool);
	free(pd->fc.ids);
	free(pd->fc.fr);
	free(pd->fc.front);
	buf_free(&pd->fc.work);
	frame_bufs_free(&pd->fc.fb);
}
