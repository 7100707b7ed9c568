/*
 * dwarfidx-cu.c: the unit holding an address, as dwarf_addrdie finds it:
 * .debug_aranges as one sorted table when it is usable, else the units'
 * own ranges (DW_AT_low_pc/high_pc or DW_AT_ranges of each unit DIE),
 * built once, sorted, and kept in the cache.
 */
#include <stdlib.h>
#include <string.h>

#include <dwarf.h>

#include "base.h"
#include "dwarfidx.h"
#include "dwarfidx-int.h"

/* ---- the CU table ----------------------------------------------------- */

static int
arange_cmp(const void *a, const void *b)
{
	const struct arange *x = a, *y = b;

	return (x->addr > y->addr) - (x->addr < y->addr);
}

/* .debug_aranges as one sorted table; any bad set makes it unusable. */
static void
aranges_build(struct fg_dw *dw)
{
	const struct sect *s;
	const uint8_t *p, *end;
	size_t cap = 0;

	if (dw->ar_built)
		return;
	dw->ar_built = -1;
	if ((s = dw_sect(dw, S_ARANGES)) == NULL) {
		dw->ar_built = 1;	/* none: nothing found there */
		return;
	}
	p = s->p;
	end = s->p + s->n;
	while (p < end) {
		struct cur c = { p, end, 0 };
		uint64_t len, info;
		unsigned osz = 4, asz;
		const struct unit *u;
		size_t hdr;

		len = rd_n(&c, 4);
		if (len == 0xffffffff) {
			len = rd_n(&c, 8);
			osz = 8;
		} else if (len >= 0xfffffff0)
			goto bad;
		if (c.bad || len > (uint64_t)(end - c.p))
			goto bad;
		c.end = c.p + len;
		if (rd_n(&c, 2) != 2)
			goto bad;
		info = rd_n(&c, osz);
		asz = rd_n(&c, 1);
		if (c.bad || (asz != 4 && asz != 8) || rd_n(&c, 1) != 0 ||
		    c.bad)
			goto bad;
		if ((u = dw_unit_of(dw, info)) == NULL)
			goto bad;
		hdr = (size_t)(c.p - p);
		skip(&c, (2 * asz - hdr % (2 * asz)) % (2 * asz));
		for (;;) {
			uint64_t a = rd_n(&c, asz), l = rd_n(&c, asz);

			if (c.bad)
				goto bad;
			if (a == 0 && l == 0) {
				if (c.p >= c.end)
					break;
				continue;
			}
			if (dw->nar == cap) {
				struct arange *n = base_grow(dw->ar, &cap, cap + 1,
				    sizeof(*n), 1024);
				if (n == NULL)
					goto bad;
				dw->ar = n;
			}
			dw->ar[dw->nar].addr = a;
			dw->ar[dw->nar].len = l;
			dw->ar[dw->nar].unit = (size_t)(u - dw->units);
			dw->nar++;
		}
		p = c.end;
	}
	if (dw->nar > 1)
		qsort(dw->ar, dw->nar, sizeof(*dw->ar), arange_cmp);
	dw->ar_built = 1;
	return;
bad:
	free(dw->ar);
	dw->ar = NULL;
	dw->nar = 0;
}

int
dw_curange_cmp(const void *a, const void *b)
{
	const struct curange *x = a, *y = b;

	return (x->lo > y->lo) - (x->lo < y->lo);
}

struct cr_push {
	struct fg_dw *dw;
	size_t unit;
	size_t cap;
};

static int
cr_push(void *arg, uint64_t lo, uint64_t hi)
{
	struct cr_push *p = arg;
	struct fg_dw *dw = p->dw;

	if (lo >= hi)
		return 0;
	if (dw->ncr == p->cap) {
		struct curange *n = base_grow(dw->cr, &p->cap,
		    p->cap + 1, sizeof(*n), 256);
		if (n == NULL)
			return -1;
		dw->cr = n;
	}
	dw->cr[dw->ncr].lo = lo;
	dw->cr[dw->ncr].hi = hi;
	dw->cr[dw->ncr].unit = p->unit;
	dw->ncr++;
	return 0;
}

/* The units' own ranges, for files without (usable) .debug_aranges. */

static void
curanges_build(struct fg_dw *dw)
{
	const struct sect *si;
	struct cr_push pp = { dw, 0, 0 };
	size_t i;

	if (dw->cr_built)
		return;
	dw->cr_built = 1;
	if (dw_units_build(dw) != 0 || (si = dw_sect(dw, S_INFO)) == NULL ||
	    dw_cr_load(dw) == 0)
		return;
	for (i = 0; i < dw->nunits; i++) {
		struct unit *u = &dw->units[i];
		const struct atab *t;
		const struct abbrev *a;
		struct die d;
		struct cur c;

		if (dw_unit_attrs(dw, u) != 0 || (t = dw_atab_get(dw, u)) == NULL)
			continue;
		c.p = si->p + u->die;
		c.end = si->p + u->end;
		c.bad = 0;
		if ((a = dw_abbrev_find(t, rd_uleb(&c))) == NULL || c.bad ||
		    dw_die_read(&c, u, t, a, &d) != 0)
			continue;
		pp.unit = i;
		if (dw_ranges_each(dw, u, &d.pc, cr_push, &pp) != 0)
			return;
	}
	if (dw->ncr > 1)
		qsort(dw->cr, dw->ncr, sizeof(*dw->cr), dw_curange_cmp);
	dw_cr_store(dw);
}

void
dw_prepare(struct fg_dw *dw)
{
	int i;

	if (dw == NULL)
		return;
	for (i = 0; i < S_N; i++)
		(void)dw_sect(dw, i);
	aranges_build(dw);
}

void
dw_units_known(struct fg_dw *dw, const struct fg_dw_cu *cus, size_t n)
{
	struct unit *u;
	size_t i;

	for (i = 0; dw != NULL && i < n; i++)
		if (!cus[i].failed && (u = dw_unit_of(dw, cus[i].off)) != NULL &&
		    u->off == cus[i].off && u->die_ok == 0)
			u->die_ok = 1;
}

/* The unit DIE of u parses: what dwarf_offdie checks. */
static int
unit_die_ok(struct fg_dw *dw, struct unit *u)
{
	const struct sect *si = dw_sect(dw, S_INFO);
	const struct atab *t;
	struct cur c;

	if (u->die_ok != 0)
		return u->die_ok > 0;
	u->die_ok = -1;
	if (si == NULL || (t = dw_atab_get(dw, u)) == NULL)
		return 0;
	c.p = si->p + u->die;
	c.end = si->p + u->end;
	c.bad = 0;
	if (dw_abbrev_find(t, rd_uleb(&c)) == NULL || c.bad)
		return 0;
	u->die_ok = 1;
	return 1;
}

int
dw_cu_at(struct fg_dw *dw, uint64_t addr, uint64_t *cu)
{
	size_t lo = 0, hi;

	aranges_build(dw);
	hi = dw->nar;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct arange *r = &dw->ar[mid];

		if (addr < r->addr)
			hi = mid;
		else if (addr > r->addr && addr - r->addr >= r->len)
			lo = mid + 1;
		else {
			struct unit *u = &dw->units[r->unit];
			if (unit_die_ok(dw, u)) {
				*cu = u->off;
				return 0;
			}
			break;
		}
	}
	curanges_build(dw);
	lo = 0;
	hi = dw->ncr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (dw->cr[mid].lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (hi = lo; lo > 0 && hi - lo < 8; lo--) {
		const struct curange *r = &dw->cr[lo - 1];
		if (addr < r->hi) {
			struct unit *u = &dw->units[r->unit];
			if (!unit_die_ok(dw, u))
				return -1;
			*cu = u->off;
			return 0;
		}
	}
	return -1;
}

