/*
 * unwind-rule.c: the DWARF unwinder's rules.  The first time an address
 * of a file is seen, libdw's row of call-frame information for it
 * (.eh_frame, else .debug_frame) becomes a compact rule (struct rule)
 * covering the row's range, kept in the file's sorted array; a PLT stub
 * without CFI gets the rule its bytes call for.  Later addresses in that
 * range are a binary search, or a hit in a direct-mapped cache in front
 * of it.  At most max_rules rules are kept in all.
 */
#include <dwarf.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "unwind-int.h"

static int
fits32(int64_t v)
{
	return v >= INT32_MIN && v <= INT32_MAX;
}

/* A location expression "CFA + n" (libdw's form of offset(n)). */
static int
expr_cfa_plus(const Dwarf_Op *ops, size_t n, int64_t *off)
{
	if (n == 1 && ops[0].atom == DW_OP_call_frame_cfa) {
		*off = 0;
		return 0;
	}
	if (n == 2 && ops[0].atom == DW_OP_call_frame_cfa &&
	    (ops[1].atom == DW_OP_plus_uconst || ops[1].atom == DW_OP_consts ||
	    ops[1].atom == DW_OP_constu)) {
		*off = (int64_t)ops[1].number;
		return 0;
	}
	return -1;
}

/* A single "register + n" operation: DW_OP_bregN or DW_OP_bregx. */
static int
expr_breg(const Dwarf_Op *op, int *reg, int64_t *off)
{
	if (op->atom >= DW_OP_breg0 && op->atom <= DW_OP_breg31) {
		*reg = op->atom - DW_OP_breg0;
		*off = (int64_t)op->number;
	} else if (op->atom == DW_OP_bregx) {
		if (op->number >= FG_UW_NREGS)
			return -1;
		*reg = (int)op->number;
		*off = (int64_t)op->number2;
	} else
		return -1;
	return *reg < FG_UW_NREGS ? 0 : -1;
}

/* Turn libdw's row for one address into a compact rule. */
static void
rule_from_frame(Dwarf_Frame *f, struct rule *r)
{
	Dwarf_Addr lo, hi;
	bool sig;
	Dwarf_Op mem[3], *ops;
	size_t n;
	int reg, rareg;
	int64_t off;

	r->kind = RK_BAD;
	r->bp_kind = BP_UNDEF;
	rareg = dwarf_frame_info(f, &lo, &hi, &sig);
	r->lo = lo;
	r->hi = hi;
	if (sig) {
		r->kind = RK_SIGNAL;
		return;
	}
	if (rareg != FG_UW_RIP)
		return;
	/* The return address: saved at CFA + n, or undefined (outermost). */
	if (dwarf_frame_register(f, FG_UW_RIP, mem, &ops, &n) != 0)
		return;
	if (n == 0) {
		if (ops != NULL)
			r->kind = RK_OUTERMOST;
		return;
	}
	if (expr_cfa_plus(ops, n, &off) != 0 || !fits32(off))
		return;
	r->ra_off = (int32_t)off;
	/* The CFA. */
	if (dwarf_frame_cfa(f, &ops, &n) != 0 || n == 0)
		return;
	if (n == 1 && expr_breg(&ops[0], &reg, &off) == 0 && fits32(off)) {
		r->kind = RK_CFA;
		r->cfa_reg = (uint8_t)reg;
		r->cfa_off = (int32_t)off;
	} else if (n == 2 && expr_breg(&ops[0], &reg, &off) == 0 &&
	    fits32(off) && ops[1].atom == DW_OP_deref) {
		r->kind = RK_CFA_DEREF;
		r->cfa_reg = (uint8_t)reg;
		r->cfa_off = (int32_t)off;
	} else if (n == 9 && ops[0].atom == DW_OP_breg7 && ops[0].number == 8 &&
	    ops[1].atom == DW_OP_breg16 && ops[1].number == 0 &&
	    ops[2].atom == DW_OP_lit15 && ops[3].atom == DW_OP_and &&
	    ops[4].atom >= DW_OP_lit0 && ops[4].atom <= DW_OP_lit15 &&
	    ops[5].atom == DW_OP_ge && ops[6].atom == DW_OP_lit3 &&
	    ops[7].atom == DW_OP_shl && ops[8].atom == DW_OP_plus) {
		/* The lazy-binding PLT's rule, as linkers write it. */
		r->kind = RK_PLT;
		r->cfa_reg = (uint8_t)(ops[4].atom - DW_OP_lit0);
		r->cfa_off = 8;
	} else
		return;
	/* The caller's rbp. */
	if (dwarf_frame_register(f, FG_UW_RBP, mem, &ops, &n) != 0) {
		r->bp_kind = BP_UNDEF;
	} else if (n == 0) {
		r->bp_kind = ops == NULL ? BP_SAME : BP_UNDEF;
	} else if (expr_cfa_plus(ops, n, &off) == 0 && fits32(off)) {
		r->bp_kind = BP_AT_CFA;
		r->bp_off = (int32_t)off;
	} else if (expr_cfa_plus(ops, n - 1, &off) == 0 && fits32(off) &&
	    ops[n - 1].atom == DW_OP_stack_value) {
		r->bp_kind = BP_VAL_CFA;
		r->bp_off = (int32_t)off;
	} else if ((n == 1 && expr_breg(&ops[0], &reg, &off) == 0 &&
	    fits32(off)) || (n == 2 &&
	    ops[0].atom == DW_OP_call_frame_cfa &&
	    expr_breg(&ops[1], &reg, &off) == 0 && fits32(off))) {
		/* DW_CFA_expression: libdw pushes the CFA first. */
		r->bp_kind = BP_AT_REG;
		r->bp_reg = (uint8_t)reg;
		r->bp_off = (int32_t)off;
	} else
		r->bp_kind = BP_UNDEF;
}

/*
 * Is the code at file offset off of m the start of a lazy-binding PLT
 * entry (jmp *GOT; push $n; jmp PLT0)?  Linkers that write no CFI for
 * .plt (lld) leave such stubs without rules; libunwind recognises them
 * by these bytes, and so does this unwinder.
 */
static int
plt_entry_at(const struct module *m, uint64_t off)
{
	const unsigned char *raw;
	size_t size;

	if (m->elf == NULL ||
	    (raw = (const unsigned char *)elf_rawfile(m->elf, &size)) == NULL ||
	    size < 16 || off > size - 16)
		return 0;
	raw += off;
	return raw[0] == 0xff && raw[1] == 0x25 && raw[6] == 0x68 &&
	    raw[11] == 0xe9;
}

/*
 * The rule kept for va in m, from the cache or m's sorted rules: 0, or
 * -1 with *at the index a rule for va would take.
 */
static inline int
rule_cached(struct fg_unwinder *u, const struct module *m, uint64_t va,
    struct rule *out, size_t *at)
{
	size_t lo = 0, hi = m->nrules;
	struct rcent *c = NULL;

	if (u->rc != NULL) {
		c = &u->rc[((va ^ (uint64_t)(uintptr_t)m << 7) *
		    0x9e3779b97f4a7c15ULL) >> (64 - UW_RC_BITS)];
		if (c->m == m && c->va == va) {
			*out = c->r;
			return 0;
		}
	}
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (m->rules[mid].hi <= va)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < m->nrules && m->rules[lo].lo <= va) {
		*out = m->rules[lo];
		if (c != NULL) {
			c->m = m;
			c->va = va;
			c->r = *out;
		}
		return 0;
	}
	*at = lo;
	return -1;
}

/*
 * libdw's row for va: from .eh_frame, else from .debug_frame (opened on
 * first need); NULL when neither has one.  The caller frees it.
 */
static Dwarf_Frame *
rule_row(struct module *m, uint64_t va)
{
	Dwarf_Frame *f = NULL;

	if (m->broken)
		return NULL;
	if (m->eh != NULL && dwarf_cfi_addrframe(m->eh, va, &f) == 0)
		return f;
	if (!m->dw_tried) {
		m->dw_tried = 1;
		m->dw = dwarf_begin_elf(m->elf, DWARF_C_READ, NULL);
		if (m->dw != NULL)
			m->dbg = dwarf_getcfi(m->dw);
	}
	if (m->dbg != NULL && dwarf_cfi_addrframe(m->dbg, va, &f) == 0)
		return f;
	return NULL;
}

/* A new rule for va: libdw's row, a PLT stub's rule, or RK_NONE. */
static void
rule_fresh(struct module *m, uint64_t va, uint64_t off, struct rule *out)
{
	Dwarf_Frame *f;

	memset(out, 0, sizeof(*out));
	out->kind = RK_NONE;
	out->lo = va;
	out->hi = va + 1;
	if ((f = rule_row(m, va)) != NULL) {
		rule_from_frame(f, out);
		free(f);
		/*
		 * libdw's row end is exact, its start is not after a
		 * DW_CFA_restore_state (it is the remembered row's start):
		 * the rule is cached from va on only.
		 */
		out->lo = va;
		if (out->hi <= va)
			out->hi = va + 1;
	} else if (!m->broken && plt_entry_at(m, off)) {
		out->kind = RK_CFA;
		out->cfa_reg = FG_UW_RSP;
		out->cfa_off = 8;
		out->ra_off = -8;
		out->bp_kind = BP_SAME;
	}
}

/*
 * Keep the new rule r for va at index at of m's rules, its range cut to
 * fit between its neighbours (libdw's ranges are disjoint; what they
 * overlap is only va's own), unless max_rules are kept already.
 */
static int
rule_insert(struct fg_unwinder *u, struct module *m, size_t at,
    uint64_t va, struct rule *r)
{
	if (u->nrules >= u->o.max_rules)
		return 0;
	if (at < m->nrules && m->rules[at].lo < r->hi)
		r->hi = m->rules[at].lo;
	if (at > 0 && m->rules[at - 1].hi > r->lo)
		r->lo = m->rules[at - 1].hi;
	if (r->lo > va || r->hi <= va) {
		r->lo = va;
		r->hi = va + 1;
	}
	if (m->nrules == m->caprules) {
		struct rule *nr = base_grow(m->rules, &m->caprules,
		    m->nrules + 1, sizeof(*nr), 64);

		if (nr == NULL)
			return FG_ENOMEM;
		m->rules = nr;
	}
	memmove(&m->rules[at + 1], &m->rules[at],
	    (m->nrules - at) * sizeof(*m->rules));
	m->rules[at] = *r;
	m->nrules++;
	u->nrules++;
	return 0;
}

int
uw_rule_find(struct fg_unwinder *u, struct module *m, uint64_t va,
    uint64_t off, struct rule *out)
{
	size_t at = 0;

	if (rule_cached(u, m, va, out, &at) == 0)
		return 0;
	u->st.rule_misses++;
	rule_fresh(m, va, off, out);
	return rule_insert(u, m, at, va, out);
}
