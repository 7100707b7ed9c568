/*
 * perfdata-sample.c: a SAMPLE record parsed (every field up to
 * PERF_SAMPLE_STACK_USER, each bounded by the record), its event
 * selected and filtered, the user stack unwound for DWARF recordings
 * (lib/unwind.c, through the thread's maps); then on to the chain
 * cache and the caller's hook (perfdata-chains.c).
 */
#include <stdlib.h>
#include <string.h>

#include "perfdata-int.h"

/* The file the unwinder reads for path: as the symbolizer does. */
static const char *
uw_file(void *arg, const char *path, char *buf, size_t len)
{
	struct pd *pd = arg;

	return sym_recorded_file(pd->sym, path, buf, len);
}

/* The unwinder's view of a thread's maps. */
static int
uw_map(void *arg, uint64_t addr, struct fg_unwind_map *out)
{
	struct pd *pd = arg;
	struct map *m;

	if (pd->o->recording_only || pd->sm.uw_thread == NULL ||
	    pd->sm.uw_thread->proc == NULL ||
	    (m = pd_map_find(pd->sm.uw_thread->proc, addr)) == NULL ||
	    m->dso == NULL)
		return -1;
	memset(out, 0, sizeof(*out));
	out->path = m->fname;
	out->key = m->dso;
	out->start = m->start;
	out->end = m->end;
	out->pgoff = m->pgoff;
	out->file = uw_file;
	out->file_arg = pd;
	if (m->fname[0] == '[' && strcmp(m->fname, "[vdso]") == 0) {
		out->image = sym_vdso_image(pd->sym, &out->image_len);
		if (out->image == NULL)
			return -1;
	}
	return 0;
}

/*
 * The user chain of a sample recorded with --call-graph dwarf: 0 and
 * *n entries in pd->sm.uips, or no chain (*n = 0) when the sample has no
 * registers.  Only allocation failures fail.
 */
static int
unwind_user(struct pd *pd, struct thread *t, const struct fg_pd_sample *s,
    size_t *n)
{
	struct fg_unwind_sample us;
	struct fg_unwind_opts uo;

	*n = 0;
	memset(&us, 0, sizeof(us));
	if (s->regs == NULL || unwind_regs_from_perf(&us.regs, s->regs_abi,
	    s->regs_mask, s->regs, s->nregs) != 0)
		return 0;
	if (pd->sm.uw == NULL) {
		memset(&uo, 0, sizeof(uo));
		uo.warn = pd->df.wwarn;
		if ((pd->sm.uw = unwinder_new(&uo)) == NULL)
			return seterr(pd->err, FG_ENOMEM, "%s: out of memory",
			    pd->name);
	}
	us.stack = s->stack;
	us.stack_len = s->stack_size;
	if (s->stack_len < s->stack_size) {
		us.stack_held = s->stack_len;
		us.fetch = pd_stack_fetch;
		us.fetch_arg = pd;
	}
	us.stack_addr = us.regs.r[FG_UW_RSP];
	pd->sm.uw_thread = t;
	return unwind_stack(pd->sm.uw, &us, uw_map, pd, pd->sm.uips,
	    sizeof(pd->sm.uips) / sizeof(pd->sm.uips[0]), n, NULL, pd->err);
}

/*
 * Whether a sample of event a is one of the selected event (the filter's,
 * else the first sample's); the others are dropped, with one warning.
 */
static int
selected(struct pd *pd, struct attr *a)
{
	if (pd->sm.attr_sel == SIZE_MAX) {
		size_t i;
		const char *want = pd->o->naming.event_filter ? pd->o->naming.event_filter :
		    pd_attr_name(pd, a);
		for (i = 0; i < pd->ev.nattrs; i++)
			if (strcmp(pd_attr_name(pd, &pd->ev.attrs[i]), want) == 0)
				break;
		pd->sm.attr_sel = i;	/* nattrs: no event has that name */
		if (i < pd->ev.nattrs && pd->st != NULL) {
			/* out of memory, the stacks only lack the name */
			want = pd_attr_name(pd, &pd->ev.attrs[i]);
			(void)stacks_set_event(pd->st, want, strlen(want));
		}
	}
	if (a == &pd->ev.attrs[pd->sm.attr_sel])
		return 1;
	if (!pd->sm.filter_warned && pd->sm.attr_sel < pd->ev.nattrs) {
		pd->sm.filter_warned = 1;
		warnf(&pd->df.wwarn, "%s: filtering for events of type: %s",
		    pd->name, pd_attr_name(pd, &pd->ev.attrs[pd->sm.attr_sel]));
	}
	return 0;
}

/* What parse_sample() found wrong. */
enum { PARSED, SHORT_FIELDS, LONG_CHAIN };

#define NEED(n) do { if ((size_t)(end - p) < (size_t)(n)) return SHORT_FIELDS; } while (0)

/* PERF_SAMPLE_READ's values at *pp, skipped. */
static int
skip_read(const struct attr *a, const uint8_t **pp, const uint8_t *end)
{
	const uint8_t *p = *pp;
	uint64_t rf = a->read_format, per = 1 + !!(rf & RF_ID) +
	    !!(rf & RF_LOST);

	if (rf & RF_GROUP) {
		uint64_t nr;
		NEED(8);
		nr = rd64(p);
		p += 8;
		NEED(8 * (!!(rf & RF_ENABLED) + !!(rf & RF_RUNNING)));
		p += 8 * (!!(rf & RF_ENABLED) + !!(rf & RF_RUNNING));
		if (nr > (uint64_t)(end - p) / 8 / per)
			return SHORT_FIELDS;
		p += nr * per * 8;
	} else {
		size_t k = 8 * (1 + !!(rf & RF_ENABLED) +
		    !!(rf & RF_RUNNING) + !!(rf & RF_ID) + !!(rf & RF_LOST));
		NEED(k);
		p += k;
	}
	*pp = p;
	return PARSED;
}

/*
 * The fields after the callchain at *pp: raw data and the branch stack
 * skipped, the user registers and stack copy into s.
 */
static int
parse_user(struct pd *pd, const struct attr *a, const uint8_t **pp,
    const uint8_t *end, struct fg_pd_sample *s)
{
	const uint8_t *p = *pp;
	uint64_t st = a->sample_type;

	if (st & ST_RAW) {
		uint32_t sz;
		NEED(4);
		sz = rd32(p);
		NEED((size_t)sz + 4);
		p += 4 + sz;
	}
	if (st & ST_BRANCH_STACK) {
		uint64_t nr;
		NEED(8);
		nr = rd64(p);
		p += 8;
		if (a->branch_type & (1ULL << 17)) {
			NEED(8);
			p += 8;
		}
		if (nr > (uint64_t)(end - p) / 24)
			return SHORT_FIELDS;
		p += nr * 24;
	}
	if (st & ST_REGS_USER) {
		NEED(8);
		s->regs_abi = rd64(p);
		p += 8;
		if (s->regs_abi != 0) {
			size_t nr = (size_t)base_popcount64(a->regs_user);
			NEED(nr * 8);
			s->regs = (const uint64_t *)(const void *)p;
			s->nregs = nr;
			p += nr * 8;
		}
	}
	if (st & ST_STACK_USER) {
		uint64_t sz;
		NEED(8);
		sz = rd64(p);
		p += 8;
		if (sz > (uint64_t)(end - p))
			return SHORT_FIELDS;
		s->stack = p;
		s->stack_len = s->stack_size = (size_t)sz;
		p += sz;
		if (sz != 0) {
			uint64_t dyn;
			NEED(8);
			dyn = rd64(p);
			if (dyn < sz)
				s->stack_len = s->stack_size = (size_t)dyn;
			if (pd->sm.lz != NULL)	/* compact: sz bytes held */
				s->stack_size = (size_t)(dyn < pd->sm.lz->ssz ?
				    dyn : pd->sm.lz->ssz);
		}
	}
	*pp = p;
	return PARSED;
}

/*
 * The sample's fields into s, each checked against the record (pointers
 * into it): PARSED, or what is wrong (the callchain's length in *nr).
 */
static int
parse_sample(struct pd *pd, struct attr *a, const uint8_t *rec,
    size_t len, uint64_t off, struct fg_pd_sample *s, uint64_t *nr)
{
	const uint8_t *p = rec + 8, *end = rec + len;
	uint64_t st = a->sample_type;
	int r;

	/* field by field: a memset of the struct is a slow "rep stos" */
	s->ip = s->time = s->id = s->regs_abi = 0;
	s->pid = s->tid = s->cpu = 0;
	s->comm = NULL;
	s->chain = s->regs = NULL;
	s->stack = NULL;
	s->nchain = s->nregs = s->stack_len = 0;
	s->period = a->period;
	s->stack_key = UINT32_MAX;
	s->offset = off;
	s->misc = rd16(rec + 4);
	s->event = pd_attr_name(pd, a);
	s->regs_mask = a->regs_user;
	if (st & ST_IDENTIFIER) { NEED(8); s->id = rd64(p); p += 8; }
	if (st & ST_IP) { NEED(8); s->ip = rd64(p); p += 8; }
	if (st & ST_TID) { NEED(8); s->pid = rd32(p); s->tid = rd32(p + 4); p += 8; }
	if (st & ST_TIME) { NEED(8); s->time = rd64(p); p += 8; }
	if (st & ST_ADDR) { NEED(8); p += 8; }
	if (st & ST_ID) { NEED(8); s->id = rd64(p); p += 8; }
	if (st & ST_STREAM_ID) { NEED(8); p += 8; }
	if (st & ST_CPU) { NEED(8); s->cpu = rd32(p); p += 8; }
	if (st & ST_PERIOD) { NEED(8); s->period = rd64(p); p += 8; }
	if ((st & ST_READ) && (r = skip_read(a, &p, end)) != PARSED)
		return r;
	if (st & ST_CALLCHAIN) {
		NEED(8);
		*nr = rd64(p);
		p += 8;
		if (*nr > (uint64_t)(end - p) / 8)
			return LONG_CHAIN;
		s->chain = (const uint64_t *)(const void *)p;
		s->nchain = (size_t)*nr;
		p += *nr * 8;
	}
	return parse_user(pd, a, &p, end, s);
}

#undef NEED

/*
 * The chain and registers are read in place as u64 arrays; a record
 * after a perf 6.1 COMPRESSED record (whose size is not a multiple of
 * 8) is not aligned: copy them then.
 */
static int
align_arrays(struct pd *pd, struct fg_pd_sample *s)
{
	size_t need = s->nchain + s->nregs;

	if ((s->chain == NULL || ((uintptr_t)s->chain & 7) == 0) &&
	    (s->regs == NULL || ((uintptr_t)s->regs & 7) == 0))
		return 0;
	if (need > pd->sm.nalign) {
		uint64_t *n = reallocarray(pd->sm.align, need, 8);
		if (n == NULL)
			return seterr(pd->err, FG_ENOMEM, "%s: out of "
			    "memory", pd->name);
		pd->sm.align = n;
		pd->sm.nalign = need;
	}
	/* an empty array is not read: left where it is (align may be NULL) */
	if (s->chain != NULL && s->nchain > 0) {
		memcpy(pd->sm.align, s->chain, s->nchain * 8);
		s->chain = pd->sm.align;
	}
	if (s->regs != NULL && s->nregs > 0) {
		memcpy(pd->sm.align + s->nchain, s->regs, s->nregs * 8);
		s->regs = pd->sm.align + s->nchain;
	}
	return 0;
}

/*
 * A DWARF recording's user chain (the event samples registers and the
 * stack, not the user callchain): *uips and *nu, and in s the stack
 * bytes fetched for the unwinder.
 */
static int
user_chain(struct pd *pd, const struct attr *a, struct thread *t,
    struct fg_pd_sample *s, const uint64_t **uips, size_t *nu)
{
	uint64_t st = a->sample_type;
	int r;

	*uips = NULL;
	*nu = 0;
	if (!(st & ST_REGS_USER) || !(st & ST_STACK_USER) ||
	    !(a->flags & ATTR_EXCLUDE_CALLCHAIN_USER))
		return 0;
	pd->sm.stkheld = 0;
	if ((r = unwind_user(pd, t, s, nu)) != 0)
		return r;
	*uips = pd->sm.uips;
	if (pd->sm.stkheld > s->stack_len) {	/* fetched more */
		s->stack = pd->sm.stk;
		s->stack_len = pd->sm.stkheld < s->stack_size ?
		    pd->sm.stkheld : s->stack_size;
	}
	return 0;
}

int
pd_on_sample(struct pd *pd, const uint8_t *rec, size_t len, uint64_t off)
{
	struct fg_pd_sample s;
	struct attr *a;
	struct thread *t;
	const uint64_t *uips;
	size_t nu;
	uint64_t nr = 0;
	int r;

	if ((a = pd_rec_attr(pd, rec, len, REC_SAMPLE)) == NULL) {
		pd_warn_rec(pd, off, "sample of no known event");
		return 0;
	}
	if (!selected(pd, a))
		return 0;
	switch (parse_sample(pd, a, rec, len, off, &s, &nr)) {
	case PARSED:
		break;
	case LONG_CHAIN:
		pd_warn_rec(pd, off, "callchain of %llu entries runs past the "
		    "record (%zu bytes)", (unsigned long long)nr, len);
		return 0;
	default:
		pd_warn_rec(pd, off, "sample of %zu bytes shorter than its "
		    "fields", len);
		return 0;
	}
	if ((r = align_arrays(pd, &s)) != 0)
		return r;
	if ((t = pd_thread_get(pd, s.pid, s.tid)) == NULL)
		return seterr(pd->err, FG_ENOMEM, "%s: out of memory",
		    pd->name);
	s.comm = t->comm;
	if ((r = user_chain(pd, a, t, &s, &uips, &nu)) != 0)
		return r;
	return pd_chain_sample(pd, t, &s, uips, nu, off);
}

/*
 * Where a sample's PERF_SAMPLE_STACK_USER size is (the layout pd_on_sample()
 * parses), when the fields before it lie in rec[0 .. len): 0, else -1.
 */
int
pd_stack_field(const struct attr *a, const uint8_t *rec, size_t len,
    size_t *pos)
{
	uint64_t st = a->sample_type, rf = a->read_format, nr;
	size_t p = 8 + 8 * (!!(st & ST_IDENTIFIER) + !!(st & ST_IP) +
	    !!(st & ST_TID) + !!(st & ST_TIME) + !!(st & ST_ADDR) +
	    !!(st & ST_ID) + !!(st & ST_STREAM_ID) + !!(st & ST_CPU) +
	    !!(st & ST_PERIOD));

	if ((st & ST_READ) && (rf & RF_GROUP)) {
		if (p + 8 > len || (nr = rd64(rec + p)) > len)
			return -1;
		p += 8 + 8 * (!!(rf & RF_ENABLED) + !!(rf & RF_RUNNING)) +
		    (size_t)nr * 8 * (1 + !!(rf & RF_ID) + !!(rf & RF_LOST));
	} else if (st & ST_READ)
		p += 8 * (1 + !!(rf & RF_ENABLED) + !!(rf & RF_RUNNING) +
		    !!(rf & RF_ID) + !!(rf & RF_LOST));
	if (st & ST_CALLCHAIN) {
		if (p + 8 > len || (nr = rd64(rec + p)) > len)
			return -1;
		p += 8 + (size_t)nr * 8;
	}
	if (st & ST_RAW) {
		if (p + 4 > len)
			return -1;
		p += 4 + (size_t)rd32(rec + p);
	}
	if (st & ST_BRANCH_STACK) {
		if (p + 8 > len || (nr = rd64(rec + p)) > len)
			return -1;
		p += 8 + ((a->branch_type & (1ULL << 17)) ? 8 : 0) +
		    (size_t)nr * 24;
	}
	if (st & ST_REGS_USER) {
		if (p + 8 > len)
			return -1;
		if (rd64(rec + p) != 0)
			p += 8 * (size_t)base_popcount64(a->regs_user);
		p += 8;
	}
	if (!(st & ST_STACK_USER) || p > len || len - p < 8)
		return -1;
	*pos = p;
	return 0;
}

/* The sample's buffers (not the unwinder: see pd_free). */
void
pd_samples_free(struct pd *pd)
{
	free(pd->sm.stk);
	free(pd->sm.align);
}
