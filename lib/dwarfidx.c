/*
 * dwarfidx.c: a compact DWARF 2-5 reader, just enough for inline chains.
 * Sections are read straight from the ELF mapping; compressed ones
 * (SHF_COMPRESSED, zlib or zstd) are inflated here, only the nine this
 * reader uses.  Units are found from .debug_aranges, else from the unit
 * DIEs' own ranges; a unit's DIEs are parsed front to back once, with
 * every form skippable, to index its subprograms and the inlined
 * subroutines under them.  Names follow abstract origins and
 * specifications.  Every read is bounds-checked: bad data fails the
 * unit or the name, never more.  The semantics follow libdw's
 * (dwarf_addrdie, dwarf_ranges, dwarf_attr_integrate) so that output
 * matches what it gave.
 *
 * The family: dwarfidx-sect.c reads and inflates the sections,
 * dwarfidx-cache.c keeps what is costly on disk, dwarfidx-cu.c finds the
 * unit of an address; this file reads units, abbreviations, forms and
 * ranges, indexes a unit and follows names (dwarfidx-int.h: what they
 * share).
 */
#include <stdlib.h>
#include <string.h>

#include <dwarf.h>
#include <gelf.h>
#include <libelf.h>

#include "base.h"
#include "dwarfidx.h"
#include "dwarfidx-int.h"

/* ---- units and abbreviations ---------------------------------------- */

/* Every unit header of .debug_info, up to the first bad one. */
int
dw_units_build(struct fg_dw *dw)
{
	const struct sect *si;
	size_t cap = 0;
	uint64_t off = 0;

	if (dw->units_built)
		return dw->nunits > 0 ? 0 : -1;
	dw->units_built = 1;
	if ((si = dw_sect(dw, S_INFO)) == NULL)
		return -1;
	while (off + 11 <= si->n) {
		struct cur c = { si->p + off, si->p + si->n, 0 };
		struct unit u;
		uint64_t len;

		memset(&u, 0, sizeof(u));
		u.off = off;
		len = rd_n(&c, 4);
		u.osize = 4;
		if (len == 0xffffffff) {
			len = rd_n(&c, 8);
			u.osize = 8;
		} else if (len >= 0xfffffff0)
			break;
		if (c.bad || len > (uint64_t)(c.end - c.p) || len < 7)
			break;
		u.end = (uint64_t)(c.p - si->p) + len;
		c.end = si->p + u.end;
		u.version = rd_n(&c, 2);
		if (u.version < 2 || u.version > 5)
			break;
		if (u.version >= 5) {
			u.type = rd_n(&c, 1);
			u.asize = rd_n(&c, 1);
			u.abbrev = rd_n(&c, u.osize);
			switch (u.type) {
			case DW_UT_type:
			case DW_UT_split_type:
				skip(&c, 8 + u.osize);
				break;
			case DW_UT_skeleton:
			case DW_UT_split_compile:
				skip(&c, 8);
				break;
			}
		} else {
			u.type = DW_UT_compile;
			u.abbrev = rd_n(&c, u.osize);
			u.asize = rd_n(&c, 1);
		}
		if (c.bad || (u.asize != 4 && u.asize != 8))
			break;
		u.die = (uint64_t)(c.p - si->p);
		if (dw->nunits == cap) {
			struct unit *t = base_grow(dw->units, &cap, cap + 1,
			    sizeof(*t), 256);
			if (t == NULL)
				break;
			dw->units = t;
		}
		dw->units[dw->nunits++] = u;
		off = u.end;
	}
	return dw->nunits > 0 ? 0 : -1;
}

/* The unit holding .debug_info offset off, or NULL. */
struct unit *
dw_unit_of(struct fg_dw *dw, uint64_t off)
{
	size_t lo = 0, hi;

	if (dw_units_build(dw) != 0)
		return NULL;
	hi = dw->nunits;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (dw->units[mid].off <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || off >= dw->units[lo - 1].end)
		return NULL;
	return &dw->units[lo - 1];
}

static int
form_size(uint32_t form, const struct unit *u)
{
	switch (form) {
	case DW_FORM_flag_present:
	case DW_FORM_implicit_const:
		return 0;
	case DW_FORM_data1: case DW_FORM_ref1: case DW_FORM_flag:
	case DW_FORM_strx1: case DW_FORM_addrx1:
		return 1;
	case DW_FORM_data2: case DW_FORM_ref2: case DW_FORM_strx2:
	case DW_FORM_addrx2:
		return 2;
	case DW_FORM_strx3: case DW_FORM_addrx3:
		return 3;
	case DW_FORM_data4: case DW_FORM_ref4: case DW_FORM_strx4:
	case DW_FORM_addrx4: case DW_FORM_ref_sup4:
		return 4;
	case DW_FORM_data8: case DW_FORM_ref8: case DW_FORM_ref_sig8:
	case DW_FORM_ref_sup8:
		return 8;
	case DW_FORM_data16:
		return 16;
	case DW_FORM_addr:
		return u->asize;
	case DW_FORM_ref_addr:
		return u->version <= 2 ? u->asize : u->osize;
	case DW_FORM_strp: case DW_FORM_sec_offset: case DW_FORM_line_strp:
	case DW_FORM_strp_sup: case DW_FORM_GNU_ref_alt:
	case DW_FORM_GNU_strp_alt:
		return u->osize;
	}
	return -1;
}

static uint8_t
attr_slot(uint32_t name)
{
	switch (name) {
	case DW_AT_sibling:		return SL_SIBLING;
	case DW_AT_declaration:		return SL_DECL;
	case DW_AT_low_pc:		return SL_LOW;
	case DW_AT_high_pc:		return SL_HIGH;
	case DW_AT_ranges:		return SL_RANGES;
	case DW_AT_name:		return SL_NAME;
	case DW_AT_linkage_name:	return SL_LINK;
	case DW_AT_MIPS_linkage_name:	return SL_MLINK;
	case DW_AT_abstract_origin:	return SL_ORIGIN;
	case DW_AT_specification:	return SL_SPEC;
	}
	return SL_NONE;
}

static int
abbrev_cmp(const void *a, const void *b)
{
	const struct abbrev *x = a, *y = b;

	return (x->code > y->code) - (x->code < y->code);
}

/*
 * Bad data must not make the work grow with the lookups: a table that
 * does not parse is remembered as bad (dw_atab_get), a unit DIE that does
 * not parse too (unit_die_ok), and the bytes all tables of a file may
 * cost are bounded, so overlapping tables that each run to the end of a
 * damaged section cannot make it quadratic.  A sound file parses each
 * table once, once per address and offset size at most: a few times
 * the section in all.
 */
#define ABBREV_BUDGET(n)	(4 * (uint64_t)(n) + ((uint64_t)1 << 20))

static int
abbrev_over(struct fg_dw *dw, const struct sect *sa)
{
	if (dw->st.abbrev_bytes <= ABBREV_BUDGET(sa->n))
		return 0;
	dw->st.abbrev_budget_hit = 1;
	return 1;
}

/* Whether a parse that has read n bytes so far takes it past the budget. */
static int
abbrev_spent(struct fg_dw *dw, const struct sect *sa, size_t n)
{
	if (dw->st.abbrev_bytes + n <= ABBREV_BUDGET(sa->n))
		return 0;
	dw->st.abbrev_budget_hit = 1;
	return 1;
}

void
dw_get_stats(const struct fg_dw *dw, struct fg_dw_stats *st)
{
	*st = dw->st;
}

/* atab_parse()'s state: the table being made, where it reads, the
 * capacities of its arrays. */
struct abparse {
	struct atab *t;
	const struct unit *u;
	struct cur c;
	size_t nsp, capsp, capab;
};

/* The spec (name, form, ic) appended to p's table, its size in *sz
 * (form_size()'s): 0, or -1 when out of room. */
static int
atab_spec(struct abparse *p, uint64_t name, uint64_t form, int64_t ic,
    int *sz)
{
	struct spec *sp;

	if (p->nsp == p->capsp) {
		struct spec *s;
		if (p->nsp >= (size_t)1 << 30 || (s = base_grow(p->t->specs,
		    &p->capsp, p->nsp + 1, sizeof(*s), 256)) == NULL)
			return -1;
		p->t->specs = s;
	}
	sp = &p->t->specs[p->nsp++];
	sp->name = name > UINT32_MAX ? UINT32_MAX : (uint32_t)name;
	sp->form = form > UINT32_MAX ? UINT32_MAX : (uint32_t)form;
	sp->ic = ic;
	*sz = form_size(sp->form, p->u);
	sp->size = (int8_t)(form == DW_FORM_implicit_const ? -1 : *sz);
	sp->slot = attr_slot(sp->name);
	return 0;
}

/* The attribute specs of abbreviation a, read at p->c: its first, n and
 * fixed size (-1: not fixed); 0, or -1 when bad. */
static int
atab_attrs(struct abparse *p, struct abbrev *a)
{
	int32_t fixed = 0;

	a->first = p->nsp;
	for (;;) {
		uint64_t name = rd_uleb(&p->c), form = rd_uleb(&p->c);
		int64_t ic = 0;
		int sz;

		if (p->c.bad)
			return -1;
		if (name == 0 && form == 0)
			break;
		if (form == DW_FORM_implicit_const)
			ic = rd_sleb(&p->c);
		if (atab_spec(p, name, form, ic, &sz) != 0)
			return -1;
		if (sz < 0 || fixed < 0)
			fixed = -1;
		else
			fixed += sz;
	}
	a->n = p->nsp - a->first;
	a->fixed = fixed;
	return 0;
}

/* a appended to p's table (which stays sorted while the codes rise):
 * 0, or -1 when out of memory. */
static int
atab_push(struct abparse *p, const struct abbrev *a)
{
	struct atab *t = p->t;

	if (t->nab == p->capab) {
		struct abbrev *n = base_grow(t->ab, &p->capab, p->capab + 1,
		    sizeof(*n), 64);
		if (n == NULL)
			return -1;
		t->ab = n;
	}
	if (t->nab > 0 && t->ab[t->nab - 1].code >= a->code)
		t->sorted = 0;
	t->ab[t->nab++] = *a;
	return 0;
}

/* t's lookup by code, when its codes (up to maxcode) are dense enough:
 * 0, or -1 when out of memory. */
static int
atab_dense(struct atab *t, uint64_t maxcode)
{
	size_t i;

	if (maxcode >= 4 * t->nab + 64)
		return 0;
	t->ndense = maxcode + 1;
	if ((t->dense = calloc(t->ndense, sizeof(*t->dense))) == NULL)
		return -1;
	/* the first of a duplicated code wins */
	for (i = t->nab; i > 0; i--)
		t->dense[t->ab[i - 1].code] = &t->ab[i - 1];
	return 0;
}

/* The abbreviation table of unit u (key: its cache key), or NULL when it
 * does not parse or memory runs out. */
static struct atab *
atab_parse(struct fg_dw *dw, const struct unit *u, uint64_t key)
{
	const struct sect *sa = dw_sect(dw, S_ABBREV);
	struct abparse p;
	struct atab *t;
	uint64_t maxcode = 0;

	if (sa == NULL || u->abbrev >= sa->n || abbrev_over(dw, sa) ||
	    (t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	dw->st.abbrev_parses++;
	t->key = key;
	t->sorted = 1;
	/* never NULL: &specs[first] of an attribute-less table stays valid */
	if ((t->specs = calloc(16, sizeof(*t->specs))) == NULL) {
		free(t);
		return NULL;
	}
	memset(&p, 0, sizeof(p));
	p.t = t;
	p.u = u;
	p.capsp = 16;
	p.c.p = sa->p + u->abbrev;
	p.c.end = sa->p + sa->n;
	p.c.bad = 0;
	for (;;) {
		struct abbrev a;

		memset(&a, 0, sizeof(a));
		a.code = rd_uleb(&p.c);
		if (p.c.bad || a.code == 0)
			break;
		/* the budget, checked per abbreviation: a table that runs on
		   (its end flipped) stops at it */
		if (abbrev_spent(dw, sa,
		    (size_t)(p.c.p - (sa->p + u->abbrev))))
			goto bad;
		a.tag = (uint32_t)rd_uleb(&p.c);
		a.children = rd_n(&p.c, 1) != 0;
		if (atab_attrs(&p, &a) != 0 || atab_push(&p, &a) != 0)
			goto bad;
		if (a.code > maxcode)
			maxcode = a.code;
	}
	if (p.c.bad)
		goto bad;
	dw->st.abbrev_bytes += (size_t)(p.c.p - (sa->p + u->abbrev));
	if (!t->sorted && t->nab > 1)
		qsort(t->ab, t->nab, sizeof(*t->ab), abbrev_cmp);
	if (atab_dense(t, maxcode) != 0)
		goto bad;
	return t;
bad:
	dw->st.abbrev_bytes += (size_t)(p.c.p - (sa->p + u->abbrev));
	free(t->ab);
	free(t->specs);
	free(t);
	return NULL;
}

struct atab *
dw_atab_get(struct fg_dw *dw, struct unit *u)
{
	uint64_t key;
	size_t h, i;
	struct atab *t;

	if (u->at != NULL)
		return u->at;
	key = u->abbrev << 3 | (u->asize == 8) | (u->osize == 8) << 1 |
	    (u->version <= 2) << 2;
	if (dw->atcap > 0)
		for (h = (size_t)(key * 0x9e3779b97f4a7c15ULL) &
		    (dw->atcap - 1); dw->atabs[h] != NULL;
		    h = (h + 1) & (dw->atcap - 1))
			if (dw->atabs[h]->key == key)
				return dw->atabs[h]->bad ? NULL :
				    (u->at = dw->atabs[h]);
	if ((dw->natabs + 1) * 2 > dw->atcap) {
		size_t nc = dw->atcap ? dw->atcap * 2 : 64;
		struct atab **n = calloc(nc, sizeof(*n));
		if (n == NULL)
			return NULL;
		for (i = 0; i < dw->atcap; i++) {
			if (dw->atabs[i] == NULL)
				continue;
			for (h = (size_t)(dw->atabs[i]->key *
			    0x9e3779b97f4a7c15ULL) & (nc - 1); n[h] != NULL;
			    h = (h + 1) & (nc - 1))
				;
			n[h] = dw->atabs[i];
		}
		free(dw->atabs);
		dw->atabs = n;
		dw->atcap = nc;
	}
	/* a table that does not parse stays in the hash, marked bad */
	if ((t = atab_parse(dw, u, key)) == NULL) {
		if ((t = calloc(1, sizeof(*t))) == NULL)
			return NULL;
		t->key = key;
		t->bad = 1;
	}
	for (h = (size_t)(key * 0x9e3779b97f4a7c15ULL) & (dw->atcap - 1);
	    dw->atabs[h] != NULL; h = (h + 1) & (dw->atcap - 1))
		;
	dw->atabs[h] = t;
	dw->natabs++;
	return t->bad ? NULL : (u->at = t);
}

const struct abbrev *
dw_abbrev_find(const struct atab *t, uint64_t code)
{
	size_t lo = 0, hi = t->nab;

	if (code < t->ndense)
		return t->dense[code];
	if (t->dense != NULL)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->ab[mid].code < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->nab && t->ab[lo].code == code ? &t->ab[lo] : NULL;
}

/* ---- forms ------------------------------------------------------------ */

/* Read one attribute value of form (DW_FORM_indirect resolved): 0/-1. */
static int
form_read(struct cur *c, const struct unit *u, uint32_t form, int64_t ic,
    struct val *v)
{
	int sz;

	if (form == DW_FORM_indirect) {
		uint64_t f = rd_uleb(c);
		if (c->bad || f == DW_FORM_indirect || f > UINT32_MAX)
			return -1;
		form = (uint32_t)f;
		if (form == DW_FORM_implicit_const)
			return -1;
	}
	v->form = form;
	v->str = NULL;
	switch (form) {
	case DW_FORM_implicit_const:
		v->u = (uint64_t)ic;
		return 0;
	case DW_FORM_sdata:
		v->u = (uint64_t)rd_sleb(c);
		return c->bad ? -1 : 0;
	case DW_FORM_udata: case DW_FORM_ref_udata: case DW_FORM_strx:
	case DW_FORM_addrx: case DW_FORM_loclistx: case DW_FORM_rnglistx:
	case DW_FORM_GNU_addr_index: case DW_FORM_GNU_str_index:
		v->u = rd_uleb(c);
		return c->bad ? -1 : 0;
	case DW_FORM_string: {
		const uint8_t *z = memchr(c->p, 0, (size_t)(c->end - c->p));
		if (z == NULL)
			return -1;
		v->str = c->p;
		c->p = z + 1;
		return 0;
	}
	case DW_FORM_block1:
		skip(c, rd_n(c, 1));
		return c->bad ? -1 : 0;
	case DW_FORM_block2:
		skip(c, rd_n(c, 2));
		return c->bad ? -1 : 0;
	case DW_FORM_block4:
		skip(c, rd_n(c, 4));
		return c->bad ? -1 : 0;
	case DW_FORM_block: case DW_FORM_exprloc:
		skip(c, rd_uleb(c));
		return c->bad ? -1 : 0;
	case DW_FORM_data16:
		skip(c, 16);
		v->u = 0;
		return c->bad ? -1 : 0;
	}
	if ((sz = form_size(form, u)) < 0)
		return -1;
	v->u = rd_n(c, (size_t)sz);
	return c->bad ? -1 : 0;
}

/* Skip n attribute values as in specs: 0/-1. */
static int
attrs_skip(struct cur *c, const struct unit *u, const struct spec *sp,
    uint32_t n)
{
	struct val v;
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (sp[i].size >= 0) {
			if ((size_t)(c->end - c->p) < (size_t)sp[i].size) {
				c->bad = 1;
				return -1;
			}
			c->p += sp[i].size;
		} else if (form_read(c, u, sp[i].form, sp[i].ic, &v) != 0)
			return -1;
	}
	return 0;
}

static int
is_addr_form(uint32_t f)
{
	return f == DW_FORM_addr || f == DW_FORM_addrx ||
	    f == DW_FORM_addrx1 || f == DW_FORM_addrx2 ||
	    f == DW_FORM_addrx3 || f == DW_FORM_addrx4 ||
	    f == DW_FORM_GNU_addr_index;
}

static int
is_const_form(uint32_t f)
{
	return f == DW_FORM_data1 || f == DW_FORM_data2 ||
	    f == DW_FORM_data4 || f == DW_FORM_data8 || f == DW_FORM_udata ||
	    f == DW_FORM_sdata || f == DW_FORM_implicit_const;
}

/* Entry idx of .debug_addr for u: 0/-1. */
static int
addr_at(struct fg_dw *dw, const struct unit *u, uint64_t idx, uint64_t *a)
{
	const struct sect *s = dw_sect(dw, S_ADDR);
	uint64_t off;
	struct cur c;

	if (s == NULL || u->addr_base > s->n ||
	    idx > (s->n - u->addr_base) / u->asize)
		return -1;
	off = u->addr_base + idx * u->asize;
	c.p = s->p + off;
	c.end = s->p + s->n;
	c.bad = 0;
	*a = rd_n(&c, u->asize);
	return c.bad ? -1 : 0;
}

static int
form_addr(struct fg_dw *dw, const struct unit *u, const struct val *v,
    uint64_t *a)
{
	if (v->form == DW_FORM_addr) {
		*a = v->u;
		return 0;
	}
	if (is_addr_form(v->form))
		return addr_at(dw, u, v->u, a);
	return -1;
}

/* A NUL-terminated string at off of section i, or NULL. */
static const char *
sect_str(struct fg_dw *dw, int i, uint64_t off)
{
	const struct sect *s = dw_sect(dw, i);

	if (s == NULL || off >= s->n ||
	    memchr(s->p + off, 0, s->n - off) == NULL)
		return NULL;
	return (const char *)s->p + off;
}

static const char *
form_str(struct fg_dw *dw, const struct unit *u, const struct val *v)
{
	const struct sect *s;
	uint64_t idx;
	struct cur c;

	switch (v->form) {
	case DW_FORM_string:
		return (const char *)v->str;
	case DW_FORM_strp:
		return sect_str(dw, S_STR, v->u);
	case DW_FORM_line_strp:
		return sect_str(dw, S_LINE_STR, v->u);
	case DW_FORM_strx: case DW_FORM_strx1: case DW_FORM_strx2:
	case DW_FORM_strx3: case DW_FORM_strx4: case DW_FORM_GNU_str_index:
		idx = v->u;
		if ((s = dw_sect(dw, S_STR_OFFSETS)) == NULL ||
		    u->stroff_base > s->n ||
		    idx > (s->n - u->stroff_base) / u->osize)
			return NULL;
		c.p = s->p + u->stroff_base + idx * u->osize;
		c.end = s->p + s->n;
		c.bad = 0;
		idx = rd_n(&c, u->osize);
		return c.bad ? NULL : sect_str(dw, S_STR, idx);
	}
	return NULL;
}

/* The .debug_info offset a reference names, or -1 (unsupported form). */
static int
form_ref(const struct unit *u, const struct val *v, uint64_t *off)
{
	switch (v->form) {
	case DW_FORM_ref1: case DW_FORM_ref2: case DW_FORM_ref4:
	case DW_FORM_ref8: case DW_FORM_ref_udata:
		if (v->u >= u->end - u->off)
			return -1;
		*off = u->off + v->u;
		return 0;
	case DW_FORM_ref_addr:
		*off = v->u;
		return 0;
	}
	return -1;
}

/* ---- unit attributes -------------------------------------------------- */

static uint64_t
rnglists_first_table(struct fg_dw *dw)
{
	const struct sect *s = dw_sect(dw, S_RNGLISTS);
	struct cur c;
	uint64_t len, cnt;
	unsigned osz = 4;

	if (s == NULL)
		return 0;
	c.p = s->p;
	c.end = s->p + s->n;
	c.bad = 0;
	len = rd_n(&c, 4);
	if (len == 0xffffffff) {
		len = rd_n(&c, 8);
		osz = 8;
	}
	if (c.bad || (size_t)(c.end - c.p) < 8 || len < 8 ||
	    len > (uint64_t)(c.end - c.p))
		return 0;
	if (rd_n(&c, 2) != 5)
		return 0;
	cnt = rd_n(&c, 1);
	if (cnt != 4 && cnt != 8)
		return 0;
	if (rd_n(&c, 1) != 0)
		return 0;
	cnt = rd_n(&c, 4);
	if (cnt == 0 || len - 8 < cnt * osz)
		return 0;
	return (uint64_t)(c.p - s->p);
}

static uint64_t
stroff_default(struct fg_dw *dw)
{
	const struct sect *s = dw_sect(dw, S_STR_OFFSETS);
	struct cur c;

	if (s == NULL)
		return 0;
	c.p = s->p;
	c.end = s->p + s->n;
	c.bad = 0;
	if (rd_n(&c, 4) == 0xffffffff) {
		rd_n(&c, 8);
		rd_n(&c, 4);
		return c.bad ? 0 : 16;
	}
	rd_n(&c, 4);
	return c.bad ? 0 : 8;
}

/* The unit DIE's bases: read once.  0/-1. */
int
dw_unit_attrs(struct fg_dw *dw, struct unit *u)
{
	const struct sect *si = dw_sect(dw, S_INFO);
	const struct abbrev *a;
	const struct atab *t;
	struct val low = { 0, 0, NULL }, entry = { 0, 0, NULL }, v;
	struct cur c;
	int has_addr_base = 0, has_str_base = 0, has_rng_base = 0;
	uint32_t i;

	if (u->attrs != 0)
		return u->attrs > 0 ? 0 : -1;
	u->attrs = -1;
	if (si == NULL || (t = dw_atab_get(dw, u)) == NULL)
		return -1;
	c.p = si->p + u->die;
	c.end = si->p + u->end;
	c.bad = 0;
	if ((a = dw_abbrev_find(t, rd_uleb(&c))) == NULL || c.bad)
		return -1;
	for (i = 0; i < a->n; i++) {
		const struct spec *sp = &t->specs[a->first + i];

		if (form_read(&c, u, sp->form, sp->ic, &v) != 0)
			return -1;
		switch (sp->name) {
		case DW_AT_low_pc:
			if (low.form == 0)
				low = v;
			break;
		case DW_AT_entry_pc:
			if (entry.form == 0)
				entry = v;
			break;
		case DW_AT_addr_base:
		case DW_AT_GNU_addr_base:
			if (!has_addr_base && (is_const_form(v.form) ||
			    v.form == DW_FORM_sec_offset)) {
				u->addr_base = v.u;
				has_addr_base = 1;
			}
			break;
		case DW_AT_str_offsets_base:
			if (!has_str_base && (is_const_form(v.form) ||
			    v.form == DW_FORM_sec_offset)) {
				u->stroff_base = v.u;
				has_str_base = 1;
			}
			break;
		case DW_AT_rnglists_base:
			if (!has_rng_base && (is_const_form(v.form) ||
			    v.form == DW_FORM_sec_offset)) {
				u->rng_base = v.u;
				has_rng_base = 1;
			}
			break;
		}
	}
	if (!has_str_base && u->version >= 5)
		u->stroff_base = stroff_default(dw);
	if (u->version >= 5 && u->rng_base == 0)
		u->rng_base = rnglists_first_table(dw);
	if (u->version < 5)
		u->rng_base = 0;
	u->attrs = 1;
	if ((low.form == 0 || form_addr(dw, u, &low, &u->base) != 0) &&
	    (entry.form == 0 || form_addr(dw, u, &entry, &u->base) != 0))
		u->base = 0;
	return 0;
}

/* fn for each range of a DWARF 4 .debug_ranges list (pc's DW_AT_ranges,
 * from base): 0 at its end (or a bad list), -1 when fn says so. */
static int
ranges_v4(struct fg_dw *dw, const struct unit *u, const struct pcs *pc,
    range_fn fn, void *arg)
{
	uint64_t esc = u->asize == 8 ? ~(uint64_t)0 : 0xffffffffu;
	uint64_t lo, hi, base = u->base;
	const struct sect *s;
	struct cur c;

	if ((pc->ranges.form != DW_FORM_sec_offset &&
	    pc->ranges.form != DW_FORM_data4 &&
	    pc->ranges.form != DW_FORM_data8) ||
	    (s = dw_sect(dw, S_RANGES)) == NULL || pc->ranges.u >= s->n)
		return 0;
	c.p = s->p + pc->ranges.u;
	c.end = s->p + s->n;
	c.bad = 0;
	for (;;) {
		lo = rd_n(&c, u->asize);
		hi = rd_n(&c, u->asize);
		if (c.bad)
			return 0;
		if (lo == esc) {
			if (hi == esc)
				return 0;
			base = hi;
			continue;
		}
		if (lo == 0 && hi == 0)
			return 0;
		if (fn(arg, lo + base, hi + base) != 0)
			return -1;
	}
}

/* Where in .debug_rnglists s pc's list starts (an offset, or an index
 * into u's table): 0, or -1 when out of it. */
static int
rnglist_off(const struct unit *u, const struct pcs *pc,
    const struct sect *s, uint64_t *off)
{
	struct cur c;

	if (pc->ranges.form == DW_FORM_rnglistx) {
		uint64_t idx = pc->ranges.u;

		if (u->osize > s->n || u->rng_base > s->n - u->osize ||
		    idx > (s->n - u->osize - u->rng_base) / u->osize)
			return -1;
		c.p = s->p + u->rng_base + idx * u->osize;
		c.end = s->p + s->n;
		c.bad = 0;
		*off = rd_n(&c, u->osize) + u->rng_base;
	} else if (pc->ranges.form == DW_FORM_sec_offset)
		*off = pc->ranges.u;
	else
		return -1;
	return *off < s->n ? 0 : -1;
}

/* The rnglists entry at c: 1 with a range in *lo, *hi; 0 when it set
 * *base; -1 at the end of the list or when bad. */
static int
rnglist_entry(struct fg_dw *dw, const struct unit *u, struct cur *c,
    uint64_t *base, uint64_t *lo, uint64_t *hi)
{
	uint64_t a, b;

	switch (rd_n(c, 1)) {
	case DW_RLE_base_addressx:
		a = rd_uleb(c);
		return c->bad || addr_at(dw, u, a, base) != 0 ? -1 : 0;
	case DW_RLE_startx_endx:
		a = rd_uleb(c);
		b = rd_uleb(c);
		if (c->bad || addr_at(dw, u, a, lo) != 0 ||
		    addr_at(dw, u, b, hi) != 0)
			return -1;
		break;
	case DW_RLE_startx_length:
		a = rd_uleb(c);
		b = rd_uleb(c);
		if (c->bad || addr_at(dw, u, a, lo) != 0)
			return -1;
		*hi = *lo + b;
		break;
	case DW_RLE_offset_pair:
		a = rd_uleb(c);
		b = rd_uleb(c);
		*lo = *base + a;
		*hi = *base + b;
		break;
	case DW_RLE_base_address:
		*base = rd_n(c, u->asize);
		return c->bad ? -1 : 0;
	case DW_RLE_start_end:
		*lo = rd_n(c, u->asize);
		*hi = rd_n(c, u->asize);
		break;
	case DW_RLE_start_length:
		*lo = rd_n(c, u->asize);
		*hi = *lo + rd_uleb(c);
		break;
	default:	/* DW_RLE_end_of_list, or unknown */
		return -1;
	}
	return c->bad ? -1 : 1;
}

/* fn for each range of a DWARF 5 .debug_rnglists list (pc's
 * DW_AT_ranges): 0 at its end (or a bad list), -1 when fn says so. */
static int
ranges_v5(struct fg_dw *dw, const struct unit *u, const struct pcs *pc,
    range_fn fn, void *arg)
{
	uint64_t lo = 0, hi = 0, off, base = u->base;
	const struct sect *s;
	struct cur c;
	int k;

	if ((s = dw_sect(dw, S_RNGLISTS)) == NULL ||
	    rnglist_off(u, pc, s, &off) != 0)
		return 0;
	c.p = s->p + off;
	c.end = s->p + s->n;
	c.bad = 0;
	while ((k = rnglist_entry(dw, u, &c, &base, &lo, &hi)) >= 0)
		if (k == 1 && fn(arg, lo, hi) != 0)
			return -1;
	return 0;
}

/*
 * Call fn for each range of a DIE, as dwarf_ranges gives them: low and
 * high pc, else DW_AT_ranges.  A bad list ends early.  fn's -1 is ours.
 */
int
dw_ranges_each(struct fg_dw *dw, const struct unit *u, const struct pcs *pc,
    range_fn fn, void *arg)
{
	uint64_t lo, hi;

	if (pc->low.form != 0 && pc->high.form != 0 &&
	    form_addr(dw, u, &pc->low, &lo) == 0) {
		if (form_addr(dw, u, &pc->high, &hi) == 0)
			return fn(arg, lo, hi);
		if (is_const_form(pc->high.form))
			return fn(arg, lo, lo + pc->high.u);
	}
	if (pc->ranges.form == 0)
		return 0;
	if (u->version < 5)
		return ranges_v4(dw, u, pc, fn, arg);
	return ranges_v5(dw, u, pc, fn, arg);
}

/* Read the attributes of a DIE whose code (a) was just read at c. */
int
dw_die_read(struct cur *c, const struct unit *u, const struct atab *t,
    const struct abbrev *a, struct die *d)
{
	const struct spec *sp = &t->specs[a->first];
	uint32_t i;

	d->a = a;
	d->pc.low.form = d->pc.high.form = d->pc.ranges.form = 0;
	d->name.form = d->link.form = d->mlink.form = 0;
	d->origin.form = d->spec.form = 0;
	d->sibling = 0;
	d->decl = 0;
	for (i = 0; i < a->n; i++, sp++) {
		struct val v, *to;

		if (sp->size >= 0) {
			if ((size_t)(c->end - c->p) < (size_t)sp->size) {
				c->bad = 1;
				return -1;
			}
			if (sp->slot == SL_NONE) {
				c->p += sp->size;
				continue;
			}
			v.form = sp->form;
			v.u = rd_n(c, (size_t)sp->size);
			v.str = NULL;
		} else if (form_read(c, u, sp->form, sp->ic, &v) != 0)
			return -1;
		switch (sp->slot) {
		case SL_SIBLING:
			if (d->sibling == 0 && form_ref(u, &v, &d->sibling) != 0)
				d->sibling = 0;
			continue;
		case SL_DECL:
			d->decl = 1;
			continue;
		case SL_LOW:	to = &d->pc.low; break;
		case SL_HIGH:	to = &d->pc.high; break;
		case SL_RANGES:	to = &d->pc.ranges; break;
		case SL_NAME:	to = &d->name; break;
		case SL_LINK:	to = &d->link; break;
		case SL_MLINK:	to = &d->mlink; break;
		case SL_ORIGIN:	to = &d->origin; break;
		case SL_SPEC:	to = &d->spec; break;
		default:
			continue;
		}
		if (to->form == 0)
			*to = v;
	}
	return 0;
}

/* ---- the unit index --------------------------------------------------- */

struct walk {
	struct fg_dw *dw;
	struct unit *u;
	const struct atab *t;
	const uint8_t *base;	/* .debug_info */
	struct cur c;
	struct fg_dw_cu *cu;
	uint64_t die;		/* the DIE being pushed */
	uint64_t origin;	/* its abstract origin, or itself */
	size_t first;
	uint32_t depth;
};

static int
leaf_tag(uint32_t tag)
{
	switch (tag) {
	case DW_TAG_variable:
	case DW_TAG_formal_parameter:
	case DW_TAG_member:
	case DW_TAG_base_type:
	case DW_TAG_pointer_type:
	case DW_TAG_template_type_parameter:
	case DW_TAG_template_value_parameter:
	case DW_TAG_enumerator:
	case DW_TAG_call_site:
	case DW_TAG_GNU_call_site:
	case DW_TAG_label:
	/* Types: code is defined at namespace level, not inside them. */
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
	case DW_TAG_class_type:
	case DW_TAG_enumeration_type:
	case DW_TAG_array_type:
	case DW_TAG_subroutine_type:
	case DW_TAG_variant_part:
	case DW_TAG_typedef:
		return 1;
	}
	return 0;
}

static int
push_func(void *arg, uint64_t lo, uint64_t hi)
{
	struct walk *w = arg;
	struct fg_dw_cu *c = w->cu;

	if (lo >= hi)
		return 0;
	if (c->nfuncs == c->capfuncs) {
		struct fg_dw_func *f = base_grow(c->funcs, &c->capfuncs,
		    c->capfuncs + 1, sizeof(*f), 64);
		if (f == NULL)
			return -1;
		c->funcs = f;
	}
	c->funcs[c->nfuncs].lo = lo;
	c->funcs[c->nfuncs].hi = hi;
	c->funcs[c->nfuncs].die = w->die;
	c->funcs[c->nfuncs].origin = w->origin;
	c->funcs[c->nfuncs].inl_first = w->first;
	c->funcs[c->nfuncs].inl_n = c->ninls - w->first;
	c->nfuncs++;
	return 0;
}

static int
push_inl(void *arg, uint64_t lo, uint64_t hi)
{
	struct walk *w = arg;
	struct fg_dw_cu *c = w->cu;

	if (lo >= hi)
		return 0;
	if (c->ninls == c->capinls) {
		struct fg_dw_inl *f = base_grow(c->inls, &c->capinls,
		    c->capinls + 1, sizeof(*f), 256);
		if (f == NULL)
			return -1;
		c->inls = f;
	}
	c->inls[c->ninls].lo = lo;
	c->inls[c->ninls].hi = hi;
	c->inls[c->ninls].die = w->die;
	c->inls[c->ninls].origin = w->origin;
	c->inls[c->ninls].depth = w->depth;
	c->ninls++;
	return 0;
}

/*
 * Skip the children of the DIE just read, to the end of their list:
 * through DW_AT_sibling where it points forward, else DIE by DIE.
 */
static int
skip_children(struct walk *w)
{
	uint64_t level = 1;

	while (level > 0) {
		const struct abbrev *a;
		uint64_t code;

		if (w->c.p >= w->c.end)
			return 0;	/* the unit ends: so do its lists */
		code = rd_uleb(&w->c);
		if (w->c.bad)
			return -1;
		if (code == 0) {
			level--;
			continue;
		}
		if ((a = dw_abbrev_find(w->t, code)) == NULL)
			return -1;
		if (!a->children && a->fixed >= 0) {
			skip(&w->c, (uint64_t)a->fixed);
			if (w->c.bad)
				return -1;
			continue;
		}
		if (a->children) {
			const uint8_t *at = w->c.p;
			struct die d;

			if (dw_die_read(&w->c, w->u, w->t, a, &d) != 0)
				return -1;
			if (d.sibling > (uint64_t)(at - w->base) &&
			    d.sibling <= (uint64_t)(w->c.end - w->base))
				w->c.p = w->base + d.sibling;
			else
				level++;
			continue;
		}
		if (attrs_skip(&w->c, w->u, &w->t->specs[a->first], a->n) != 0)
			return -1;
	}
	return 0;
}

/* Past the subtree of a DIE just read (d): its sibling, or its children. */
static int
skip_subtree(struct walk *w, const struct die *d, const uint8_t *at)
{
	if (!d->a->children)
		return 0;
	if (d->sibling > (uint64_t)(at - w->base) &&
	    d->sibling <= (uint64_t)(w->c.end - w->base)) {
		w->c.p = w->base + d->sibling;
		return 0;
	}
	return skip_children(w);
}

/* Past the attributes of the DIE of abbreviation a, unread: 0/-1. */
static inline int
skip_attrs(struct walk *w, const struct abbrev *a)
{
	if (a->fixed >= 0)
		skip(&w->c, (uint64_t)a->fixed);
	else if (attrs_skip(&w->c, w->u, &w->t->specs[a->first], a->n) != 0)
		return -1;
	return w->c.bad ? -1 : 0;
}

static int walk(struct walk *, int, uint32_t, int);

/* The DIE at off (its attributes at at) of abbreviation a, a subprogram
 * or an inlined subroutine inside one: its ranges pushed, its children
 * walked.  0/-1. */
static int
walk_scope(struct walk *w, const struct abbrev *a, const uint8_t *at,
    uint64_t off, uint32_t depth, int level)
{
	uint64_t origin;
	struct die d;

	if (dw_die_read(&w->c, w->u, w->t, a, &d) != 0)
		return -1;
	if (d.origin.form == 0 || form_ref(w->u, &d.origin, &origin) != 0)
		origin = off;
	if (a->tag == DW_TAG_subprogram) {
		size_t first = w->cu->ninls;

		if (d.decl)
			return skip_subtree(w, &d, at) != 0 ? -1 : 0;
		if (a->children && walk(w, 1, 0, level + 1) != 0)
			return -1;
		w->die = off;
		w->origin = origin;
		w->first = first;
		return dw_ranges_each(w->dw, w->u, &d.pc, push_func, w) != 0 ?
		    -1 : 0;
	}
	w->die = off;
	w->origin = origin;
	w->depth = depth;
	if (dw_ranges_each(w->dw, w->u, &d.pc, push_inl, w) != 0)
		return -1;
	if (a->children && walk(w, 1, depth + 1, level + 1) != 0)
		return -1;
	return 0;
}

/* Walk the children of the DIE just read; infunc: inside a subprogram. */
static int
walk(struct walk *w, int infunc, uint32_t depth, int level)
{
	if (level > 256)
		return skip_children(w);
	for (;;) {
		const struct abbrev *a;
		const uint8_t *at;
		uint64_t code, off;
		struct die d;

		if (w->c.p >= w->c.end)
			return 0;
		off = (uint64_t)(w->c.p - w->base);
		code = rd_uleb(&w->c);
		if (w->c.bad)
			return -1;
		if (code == 0)
			return 0;
		if ((a = dw_abbrev_find(w->t, code)) == NULL)
			return -1;
		at = w->c.p;
		if (leaf_tag(a->tag)) {
			if (!a->children) {
				if (skip_attrs(w, a) != 0)
					return -1;
				continue;
			}
			if (dw_die_read(&w->c, w->u, w->t, a, &d) != 0 ||
			    skip_subtree(w, &d, at) != 0)
				return -1;
			continue;
		}
		if (a->tag == DW_TAG_subprogram ||
		    (a->tag == DW_TAG_inlined_subroutine && infunc)) {
			if (walk_scope(w, a, at, off, depth, level) != 0)
				return -1;
			continue;
		}
		if (skip_attrs(w, a) != 0)
			return -1;
		if (a->children && walk(w, infunc, depth, level + 1) != 0)
			return -1;
	}
}

int
dw_index(struct fg_dw *dw, uint64_t cu, struct fg_dw_cu *c)
{
	const struct sect *si = dw_sect(dw, S_INFO);
	const struct abbrev *a;
	struct walk w;
	struct die d;

	c->off = cu;
	if (si == NULL || (w.u = dw_unit_of(dw, cu)) == NULL || w.u->off != cu ||
	    dw_unit_attrs(dw, w.u) != 0 || (w.t = dw_atab_get(dw, w.u)) == NULL)
		return -1;
	w.dw = dw;
	w.base = si->p;
	w.cu = c;
	w.c.p = si->p + w.u->die;
	w.c.end = si->p + w.u->end;
	w.c.bad = 0;
	if ((a = dw_abbrev_find(w.t, rd_uleb(&w.c))) == NULL || w.c.bad ||
	    dw_die_read(&w.c, w.u, w.t, a, &d) != 0)
		return -1;
	if (!a->children)
		return 0;
	return walk(&w, 0, 0, 0);
}

/* ---- names ------------------------------------------------------------ */

/* Read the DIE at off: 0 with *up and d, or -1. */
static int
die_at(struct fg_dw *dw, uint64_t off, struct unit **up, struct die *d)
{
	const struct sect *si = dw_sect(dw, S_INFO);
	const struct abbrev *a;
	const struct atab *t;
	struct unit *u;
	struct cur c;

	if (si == NULL || (u = dw_unit_of(dw, off)) == NULL || off < u->die ||
	    dw_unit_attrs(dw, u) != 0 || (t = dw_atab_get(dw, u)) == NULL)
		return -1;
	c.p = si->p + off;
	c.end = si->p + u->end;
	c.bad = 0;
	if ((a = dw_abbrev_find(t, rd_uleb(&c))) == NULL || c.bad ||
	    dw_die_read(&c, u, t, a, d) != 0)
		return -1;
	*up = u;
	return 0;
}

uint64_t
dw_origin(struct fg_dw *dw, uint64_t die)
{
	struct unit *u;
	struct die d;
	uint64_t to;

	if (die_at(dw, die, &u, &d) == 0 && d.origin.form != 0 &&
	    form_ref(u, &d.origin, &to) == 0 && die_at(dw, to, &u, &d) == 0)
		return to;
	return die;
}

enum { N_LINK, N_MLINK, N_NAME };

/* Like dwarf_attr_integrate: which says which attribute. */
static int
integrate(struct fg_dw *dw, uint64_t die, int which, struct unit **up,
    struct val *v)
{
	int chain = 16;
	struct unit *u;
	struct die d;

	if (die_at(dw, die, &u, &d) != 0)
		return -1;
	for (;;) {
		const struct val *f = which == N_LINK ? &d.link :
		    which == N_MLINK ? &d.mlink : &d.name;
		const struct val *r;

		if (f->form != 0) {
			*v = *f;
			*up = u;
			return 0;
		}
		r = d.origin.form != 0 ? &d.origin : &d.spec;
		if (r->form == 0 || form_ref(u, r, &die) != 0 ||
		    die_at(dw, die, &u, &d) != 0 || chain-- == 0)
			return -1;
	}
}

int
dw_name(struct fg_dw *dw, uint64_t die, const char **name)
{
	struct unit *u;
	struct val v;

	*name = NULL;
	if (integrate(dw, die, N_LINK, &u, &v) == 0 ||
	    integrate(dw, die, N_MLINK, &u, &v) == 0) {
		if ((*name = form_str(dw, u, &v)) != NULL)
			return 1;
	}
	if (integrate(dw, die, N_NAME, &u, &v) == 0 &&
	    (*name = form_str(dw, u, &v)) != NULL)
		return 2;
	return 0;
}
