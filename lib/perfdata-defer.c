/*
 * perfdata-defer.c: symbol lookups deferred past the walk.  Reading
 * into a model with inline frames, a new address becomes a pending
 * entry that a lookup worker thread resolves while the walk goes on
 * (it is then the only thread using the symbolizer's files); after
 * the walk, or before a sample that cannot wait, finish_defer() makes
 * the frames and sends each new chain to the model in the order the
 * chains were made.  Warnings, the worker's and the walk's, are held
 * and merged into the order the walk alone would have sent them.
 */
#include <stdlib.h>
#include <string.h>

#include "perfdata-int.h"

/* Pending lookups are kept in chunks that never move (see lw_main). */
#define PEND_SHIFT	12
#define PEND_CHUNK	(1u << PEND_SHIFT)
#define PEND_CHUNKS	16384u	/* 64M addresses */
#define PEND(pd, i)	(&(pd)->df.pend[(i) >> PEND_SHIFT][(i) & (PEND_CHUNK - 1)])
#define PEND_BATCH	64	/* a sleeping worker is woken this often */

/* msg held back under tag in b (lost when out of memory). */
static void
warn_hold(struct fg_buf *b, size_t tag, const char *msg)
{
	uint64_t t = tag;
	size_t n = strlen(msg) + 1;

	if (buf_reserve(b, 8 + n) == 0) {
		(void)buf_append(b, &t, 8);
		(void)buf_append(b, msg, n);
	}
}

/*
 * The symbolizer's warnings.  Deferring, the thread doing the lookups
 * meets them (the worker during the walk): held, tagged with the
 * pending entry being looked up.
 */
void
pd_sym_warn(void *arg, const char *msg)
{
	struct pd *pd = arg;

	if (pd->df.whold)
		warn_hold(&pd->lw.wsym, pd->lw.wcur, msg);
	else
		pd_warn_pass(pd, msg);
}

/*
 * The walk's warnings: held while a lookup is pending (its warnings,
 * not yet met, would have come first), tagged with the entries made.
 */
void
pd_walk_warn(void *arg, const char *msg)
{
	struct pd *pd = arg;

	if (pd->df.whold && pd->df.npend > 0)
		warn_hold(&pd->df.wwalk, pd->df.npend, msg);
	else
		pd_warn_pass(pd, msg);
}

/*
 * Deferring ends, every pending entry looked up: the held warnings, in
 * the order they would have come without deferring (the walk's made
 * with k entries after the warnings of entries 0 .. k - 1).
 */
void
pd_warn_flush(struct pd *pd)
{
	struct fg_buf *ws = &pd->lw.wsym, *ww = &pd->df.wwalk;
	size_t i = 0, j = 0;

	pd->df.whold = 0;
	while (i < ws->len || j < ww->len) {
		uint64_t ts = 0, tw = 0;
		const char *m;

		if (i < ws->len)
			memcpy(&ts, ws->d + i, 8);
		if (j < ww->len)
			memcpy(&tw, ww->d + j, 8);
		if (j < ww->len && (i == ws->len || tw <= ts)) {
			m = ww->d + j + 8;
			j += 8 + strlen(m) + 1;
		} else {
			m = ws->d + i + 8;
			i += 8 + strlen(m) + 1;
		}
		pd_warn_pass(pd, m);
	}
	buf_free(ws);
	buf_free(ww);
}

/* Pending entry i's names (its function's, n inline ones) kept in l. */
static void
lookup_put(struct pd *pd, struct lookup *l, size_t i, const char **names,
    size_t n)
{
	struct dpend *p = PEND(pd, i);

	if (l->nnames + 1 + n > l->cap) {
		const char **t;
		if (l->nnames + 1 + n > UINT32_MAX || (t = base_grow(l->names,
		    &l->cap, l->nnames + 1 + n, sizeof(*t), 4096)) == NULL) {
			l->nomem = 1;
			return;
		}
		l->names = t;
	}
	memcpy(l->names + l->nnames, names, (1 + n) * sizeof(*names));
	p->noff = (uint32_t)l->nnames;
	p->nn = (uint32_t)n;
	l->nnames += 1 + n;
}

/* The inline chain at ia of pending entry i, whose function is func. */
static void
lookup_inl(struct pd *pd, struct lookup *l, size_t i, const char *func,
    uint64_t ia)
{
	const char *names[1 + MAX_INLINE], *dfunc;
	size_t n;

	n = dso_inlines(PEND(pd, i)->dso, ia, &dfunc, names + 1,
	    MAX_INLINE);
	names[0] = dfunc != NULL ? dfunc : func;
	lookup_put(pd, l, i, names, n);
}

/*
 * Pending entry i looked up, its names kept in l: what resolve() does
 * for an address up to interning, in the thread that takes it: the
 * segment of the file offset, the symbol, and where one holds the
 * address, addr2line's frames at it (at the call, addr - 1, for a
 * return address).  The only place a deferring walk's symbolizer is used.
 * With nowait (the worker), an inline chain in a file whose DWARF the
 * helper still loads is left in pd->lw.later for lw_later().
 */
static void
lookup_one(struct pd *pd, struct lookup *l, size_t i, int nowait)
{
	struct dpend *p = PEND(pd, i);
	const char *func = NULL, *kmod = NULL;
	uint64_t a, ia;

	p->nn = 0;
	if (l->nomem)
		return;
	pd->lw.wcur = i;
	if (dso_addr(p->dso, p->addr, 0, 0, &a) == 0) {
		ia = p->ret ? a - 1 : a;
		func = dso_symbol(p->dso, a, &kmod);
		p->mod = kmod != NULL ? kmod : dso_path(p->dso);
		if (func != NULL) {
			if (nowait && !dso_inlines_ready(p->dso)) {
				struct dlater *t;

				if ((t = base_grow(pd->lw.later, &pd->lw.caplater,
				    pd->lw.nlater + 1, sizeof(*t), 256)) != NULL) {
					pd->lw.later = t;
					t[pd->lw.nlater].i = i;
					t[pd->lw.nlater].func = func;
					t[pd->lw.nlater++].ia = ia;
					return;
				}
			}
			lookup_inl(pd, l, i, func, ia);
			return;
		}
	}
	lookup_put(pd, l, i, &func, 0);
}

/*
 * The worker's entries left for DWARF: those whose DWARF is ready (all,
 * waiting for it, with wait), in the order they came.  Looking inline
 * chains up in another order gives the same names, and warns of nothing.
 */
static void
lw_later(struct pd *pd, int wait)
{
	struct fg_dso *notyet = NULL;
	size_t k, o = 0;

	for (k = 0; k < pd->lw.nlater; k++) {
		struct dlater *t = &pd->lw.later[k];
		struct fg_dso *d = PEND(pd, t->i)->dso;

		if (!wait && (d == notyet || !dso_inlines_ready(d))) {
			notyet = d;
			pd->lw.later[o++] = *t;
			continue;
		}
		lookup_inl(pd, &pd->lw.out, t->i, t->func, t->ia);
	}
	pd->lw.nlater = o;
}

/*
 * The lookup worker: the pending entries in order as the walk
 * publishes them (they never move), until told to stop.  While it runs
 * it is the only user of the symbolizer's files (the walk only makes
 * their objects: sym_dso, sym_kernel, sym_jitmap), so it may
 * wait for the prefetch helper, load a file or kallsyms itself, and look
 * up symbols and inline chains.
 */
static void *
lw_main(void *arg)
{
	struct pd *pd = arg;
	size_t i = 0;

	for (;;) {
		size_t n = atomic_load(&pd->lw.pub);

		for (; i < n; i++)
			lookup_one(pd, &pd->lw.out, i, 1);
		if (pd->lw.nlater > 0)
			lw_later(pd, 0);
		pthread_mutex_lock(&pd->lw.mu);
		atomic_store(&pd->lw.wait, 1);
		while (!pd->lw.stop && atomic_load(&pd->lw.pub) == i)
			pthread_cond_wait(&pd->lw.cv, &pd->lw.mu);
		atomic_store(&pd->lw.wait, 0);
		if (pd->lw.stop && atomic_load(&pd->lw.pub) == i) {
			pthread_mutex_unlock(&pd->lw.mu);
			break;
		}
		pthread_mutex_unlock(&pd->lw.mu);
	}
	lw_later(pd, 1);
	pd->lw.done = i;
	return NULL;
}

/* The walk made a pending entry: the worker may take it (started here). */
static void
lw_publish(struct pd *pd)
{
	if (!pd->lw.running && pd->df.npend == 1) {
		if (pthread_mutex_init(&pd->lw.mu, NULL) != 0)
			return;
		if (pthread_cond_init(&pd->lw.cv, NULL) != 0) {
			pthread_mutex_destroy(&pd->lw.mu);
			return;
		}
		if (pthread_create(&pd->lw.th, NULL, lw_main, pd) != 0) {
			pthread_cond_destroy(&pd->lw.cv);
			pthread_mutex_destroy(&pd->lw.mu);
			return;
		}
		pd->lw.running = 1;
	}
	if (!pd->lw.running || pd->df.npend % PEND_BATCH != 0)
		return;
	atomic_store(&pd->lw.pub, pd->df.npend);
	if (atomic_load(&pd->lw.wait)) {
		pthread_mutex_lock(&pd->lw.mu);
		pthread_cond_signal(&pd->lw.cv);
		pthread_mutex_unlock(&pd->lw.mu);
	}
}

/* The worker takes all that is pending, finishes and is joined. */
void
pd_lw_join(struct pd *pd)
{
	if (!pd->lw.running)
		return;
	pthread_mutex_lock(&pd->lw.mu);
	atomic_store(&pd->lw.pub, pd->df.npend);
	pd->lw.stop = 1;
	pthread_cond_signal(&pd->lw.cv);
	pthread_mutex_unlock(&pd->lw.mu);
	pthread_join(pd->lw.th, NULL);
	pthread_cond_destroy(&pd->lw.cv);
	pthread_mutex_destroy(&pd->lw.mu);
	pd->lw.running = 0;
}

/*
 * Deferring: make the new cache entry e a dent (its ids_off becomes the
 * dent's number) with the ids e has, and when pend is not NULL, a
 * pending lookup: the frames are made after the lookup (finish_defer).
 */
int
pd_dent_add(struct pd *pd, struct centry *e, const struct dpend *pend)
{
	if (pd->df.ndents == pd->df.capdents) {
		struct dent *n;
		if (pd->df.capdents > UINT32_MAX / 2 || (n = base_grow(pd->df.dents,
		    &pd->df.capdents, pd->df.capdents + 1, sizeof(*n), 4096)) == NULL)
			return FG_ENOMEM;
		pd->df.dents = n;
	}
	if (pend != NULL) {
		struct dpend *p;
		size_t c = pd->df.npend >> PEND_SHIFT;

		if (c >= PEND_CHUNKS)
			return FG_ENOMEM;
		if (pd->df.pend == NULL && (pd->df.pend = calloc(PEND_CHUNKS,
		    sizeof(*pd->df.pend))) == NULL)
			return FG_ENOMEM;
		if (pd->df.pend[c] == NULL && (pd->df.pend[c] = malloc(PEND_CHUNK *
		    sizeof(**pd->df.pend))) == NULL)
			return FG_ENOMEM;
		p = PEND(pd, pd->df.npend);
		*p = *pend;
		p->dent = (uint32_t)pd->df.ndents;
		p->noff = 0;
		p->nn = 0;
		pd->df.npend++;
		lw_publish(pd);
	}
	pd->df.dents[pd->df.ndents].ids_off = e->ids_off;
	pd->df.dents[pd->df.ndents].nids = e->nids;
	e->ids_off = (uint32_t)pd->df.ndents++;
	e->nids = 1;
	return 0;
}

/*
 * Deferring: the cache entry of an address in dso, a dent with a
 * pending lookup (lookup_one does what resolve() would): the walk
 * itself uses nothing of the symbolizer's files.  addr is the file
 * offset, or for the kernel and JIT maps the ip: resolve()'s key is
 * the address dso_addr() makes of the offset, a function of it, so
 * the entries give the same frames.  Their keys are not resolve()'s
 * (dso + 2, + 3 for a return address): when deferring ends early,
 * resolve() must not take an offset for an address.  fname: the
 * frame's module when no segment holds the offset.
 */
struct centry *
pd_resolve_later(struct pd *pd, struct fg_dso *dso, const char *fname,
    uint64_t addr, uint64_t pc, int ret)
{
	const void *key = (const char *)dso + 2 + ret;
	struct centry *e;
	struct dpend p;

	if ((e = pd_cache_slot(pd, key, pd->o->naming.addrs ? pc : addr)) == NULL)
		return NULL;
	if (e->used)
		return e;
	e->dso = key;
	e->addr = pd->o->naming.addrs ? pc : addr;
	e->ids_off = (uint32_t)pd->fc.npool;
	e->nids = 0;
	e->skip = 0;
	memset(&p, 0, sizeof(p));
	p.dso = dso;
	p.mod = fname;
	p.addr = addr;
	p.pc = pc;
	p.ret = (uint8_t)ret;
	if (pd_dent_add(pd, e, &p) != 0)
		return NULL;
	e->used = 1;
	pd->fc.cused++;
	return e;
}

/*
 * Deferring: the ids of a chain given as the process name's id and its
 * frames' dents, in pd->ch.xids.
 */
int
pd_expand_ids(struct pd *pd, const uint32_t *in, size_t n, size_t *nout)
{
	size_t i, j, k = 0, need = n > 0 ? 1 : 0;

	for (i = 1; i < n; i++)
		need += pd->df.dents[in[i]].nids;
	if (need > pd->ch.capxids) {
		uint32_t *t = base_grow(pd->ch.xids, &pd->ch.capxids, need, sizeof(*t),
		    256);
		if (t == NULL)
			return FG_ENOMEM;
		pd->ch.xids = t;
	}
	if (n > 0)
		pd->ch.xids[k++] = in[0];
	for (i = 1; i < n; i++) {
		const struct dent *d = &pd->df.dents[in[i]];
		for (j = 0; j < d->nids; j++)
			pd->ch.xids[k++] = pd->fc.pool[d->ids_off + j];
	}
	*nout = k;
	return 0;
}

/*
 * finish_defer's frame ids by name and module: the symbolizer's names
 * and modules are one pointer each, so most frames are made once.
 */
struct fid {
	const char *name;
	const char *mod;
	uint32_t id;
};

struct fids {
	struct fid *t;
	size_t mask;
	size_t n;
};

static size_t
fid_slot(const struct fids *f, const char *name, const char *mod)
{
	uint64_t h = ((uint64_t)(uintptr_t)name * 0x9e3779b97f4a7c15ULL) ^
	    ((uint64_t)(uintptr_t)mod * 0xc2b2ae3d27d4eb4fULL);
	size_t i;

	for (i = (size_t)(h >> 32) & f->mask; f->t[i].name != NULL &&
	    (f->t[i].name != name || f->t[i].mod != mod); i = (i + 1) & f->mask)
		;
	return i;
}

/*
 * pd_intern_push() through f, which keeps the frame of each (name, module)
 * pointer pair that gave one frame.  A frame's name depends on the pc
 * only for a frame without a name, or through a module name with a
 * space: those are not kept.  Out of memory for f, it interns without.
 */
static int
intern_cached(struct pd *pd, struct fids *f, const char *name,
    const char *mod, uint64_t pc)
{
	size_t i, k, before = pd->fc.npool;
	int r;

	if (name == NULL)
		return pd_intern_push(pd, name, mod, pc);
	if (f->t != NULL) {
		i = fid_slot(f, name, mod);
		if (f->t[i].name != NULL)
			return pd_pool_push(pd, f->t[i].id);
	}
	if ((r = pd_intern_push(pd, name, mod, pc)) != 0 ||
	    pd->fc.npool != before + 1 || strchr(mod, ' ') != NULL)
		return r;
	if (f->t == NULL || (f->n + 1) * 2 > f->mask + 1) {
		struct fids g;

		g.mask = f->t == NULL ? 4095 : f->mask * 2 + 1;
		g.n = f->n;
		if ((g.t = base_zalloc(g.mask + 1, sizeof(*g.t))) == NULL)
			return 0;
		for (k = 0; f->t != NULL && k <= f->mask; k++)
			if (f->t[k].name != NULL)
				g.t[fid_slot(&g, f->t[k].name,
				    f->t[k].mod)] = f->t[k];
		free(f->t);
		*f = g;
	}
	i = fid_slot(f, name, mod);
	f->t[i].name = name;
	f->t[i].mod = mod;
	f->t[i].id = pd->fc.pool[before];
	f->n++;
	return 0;
}

/*
 * Every pending entry's frames, in the order the addresses came: the
 * ones the worker did not take are looked up here first.  0 or
 * FG_ENOMEM.
 */
static int
make_frames(struct pd *pd)
{
	struct lookup own;
	struct fids fn;
	size_t i, j, done = 0;
	int r;

	if (pd->lw.running) {
		pd_lw_join(pd);
		done = pd->lw.done;
	}
	memset(&own, 0, sizeof(own));
	for (i = done; i < pd->df.npend; i++)
		lookup_one(pd, &own, i, 0);
	pd_warn_flush(pd);
	r = own.nomem || pd->lw.out.nomem ? FG_ENOMEM : 0;
	memset(&fn, 0, sizeof(fn));
	for (i = 0; i < pd->df.npend && r == 0; i++) {
		struct dpend *p = PEND(pd, i);
		struct dent *d = &pd->df.dents[p->dent];
		const char **names = (i < done ? pd->lw.out.names : own.names) +
		    p->noff;
		size_t off = pd->fc.npool;

		/*
		 * resolve()'s frames: the function's (a name starting with
		 * '(' dropped, see there), then the inline ones.
		 */
		for (j = 0; j <= p->nn && r == 0; j++) {
			if (names[j] != NULL && names[j][0] == '(')
				continue;
			r = intern_cached(pd, &fn, names[j], p->mod, p->pc);
		}
		d->ids_off = (uint32_t)off;
		d->nids = (uint32_t)(pd->fc.npool - off);
		if (r == 0)
			r = pd_mark_inline(pd, off, d->nids);
	}
	free(fn.t);
	free(own.names);
	return r;
}

/* The caches name ids again, for the rest of the walk, not dents. */
static void
caches_undefer(struct pd *pd)
{
	size_t i;

	for (i = 0; i < pd->fc.ccap; i++)
		if (pd->fc.cache[i].used) {
			const struct dent *d =
			    &pd->df.dents[pd->fc.cache[i].ids_off];
			pd->fc.cache[i].ids_off = d->ids_off;
			pd->fc.cache[i].nids = (uint16_t)d->nids;
		}
	for (i = 0; i < FRONT_SIZE; i++)
		if (pd->fc.front[i].valid) {
			const struct dent *d =
			    &pd->df.dents[pd->fc.front[i].ids_off];
			pd->fc.front[i].ids_off = d->ids_off;
			pd->fc.front[i].nids = (uint16_t)d->nids;
		}
	pd->df.npend = 0;
}

/* The new chains to the model, expanded, in the order they were made. */
static int
send_fresh(struct pd *pd)
{
	uint64_t *w;
	size_t i, nx;
	int r;

	for (i = 0; i < pd->ch.nfresh; i++) {
		w = pd->ch.ckeys + pd->ch.fresh[i];
		if (pd_expand_ids(pd, pd->ch.cids + w[0], (size_t)(w[1] >> 32),
		    &nx) != 0)
			return seterr(pd->err, FG_ENOMEM, "%s: out of "
			    "memory", pd->name);
		if ((r = pd_send_entry(pd, pd->ch.fresh[i], pd->ch.xids,
		    nx)) != 0)
			return r;
	}
	pd->ch.nfresh = 0;
	return 0;
}

/*
 * Deferring ends (after the walk, or before a sample that cannot wait):
 * the pending lookups are done (the worker joined), the held warnings
 * sent, the frames made in the order the addresses came, and each chain
 * entry not yet in the model goes to it with its ids and summed weight,
 * in the order the entries were made (the order their first samples
 * came, as without deferring).
 */
int
pd_finish_defer(struct pd *pd)
{
	if (!pd->df.on)
		return 0;
	pd->df.on = 0;
	if (make_frames(pd) != 0)
		return seterr(pd->err, FG_ENOMEM, "%s: out of memory",
		    pd->name);
	caches_undefer(pd);
	return send_fresh(pd);
}

void
pd_defer_free(struct pd *pd)
{
	size_t i;

	pd_lw_join(pd);
	pd_warn_flush(pd);
	free(pd->lw.out.names);
	free(pd->lw.later);
	for (i = 0; pd->df.pend != NULL && i < PEND_CHUNKS &&
	    pd->df.pend[i] != NULL; i++)
		free(pd->df.pend[i]);
	free(pd->df.pend);
	free(pd->df.dents);
}
