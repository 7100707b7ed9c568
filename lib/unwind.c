/*
 * unwind.c: x86-64 DWARF unwinding of perf's user stack copies.
 *
 * Call-frame information comes from each ELF file's .eh_frame (or
 * .debug_frame when .eh_frame has no entry) through libdw.  The first
 * time an address is seen, libdw's rule row for it is turned into a
 * compact rule covering the row's whole address range (struct rule:
 * CFA = register + offset, return address at CFA + offset, rbp saved at
 * CFA + offset or unchanged) and kept in a per-file sorted array; every
 * later frame in that range is a binary search plus two or three reads
 * from the stack copy.  Guarantees: no read outside the copy, at most
 * max_frames steps per sample, the CFA grows at every ordinary step, and
 * the library's rule of no output and no global state.
 */
#include <sys/stat.h>

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base.h"
#include "unwind.h"

/* How a rule computes the caller's frame. */
enum rule_kind {
	RK_CFA,		/* CFA = reg + cfa_off */
	RK_CFA_DEREF,	/* CFA = *(reg + cfa_off) (stack realignment) */
	RK_PLT,		/* CFA = rsp + 8 + ((rip & 15) >= cfa_reg ? 8 : 0) */
	RK_OUTERMOST,	/* the return address is undefined: last frame */
	RK_SIGNAL,	/* a signal trampoline: registers in the ucontext */
	RK_NONE,	/* no call-frame information: frame-pointer fallback */
	RK_BAD		/* a rule not representable here */
};

/* Where the caller's rbp is. */
enum bp_kind {
	BP_SAME,	/* unchanged */
	BP_UNDEF,	/* unknown */
	BP_AT_CFA,	/* saved at CFA + bp_off */
	BP_AT_REG,	/* saved at bp_reg + bp_off */
	BP_VAL_CFA	/* equal to CFA + bp_off */
};

/* One row of the call-frame table, for file addresses [lo, hi). */
struct rule {
	uint64_t lo, hi;
	int32_t cfa_off;
	int32_t ra_off;		/* return address saved at CFA + ra_off */
	int32_t bp_off;
	uint8_t kind;
	uint8_t cfa_reg;
	uint8_t bp_kind;
	uint8_t bp_reg;
};

struct seg {			/* a PT_LOAD header */
	uint64_t off, filesz, vaddr;
};

struct module {
	char *path;
	uint64_t hash;
	int fd;
	Elf *elf;
	Dwarf_CFI *eh;		/* owned by elf */
	Dwarf *dw;		/* for .debug_frame, opened on first need */
	Dwarf_CFI *dbg;		/* owned by dw */
	int dw_tried;
	int broken;		/* could not be read: every rule is RK_NONE */
	struct seg *segs;
	size_t nsegs;
	struct rule *rules;	/* sorted by lo, disjoint */
	size_t nrules, caprules;
};

#define UW_KEYS 64
#define UW_RC_BITS 12
#define UW_RC (1u << UW_RC_BITS)

/*
 * A direct-mapped cache of (file, address) -> rule in front of the
 * binary search of each file's sorted rules: a sample's frames are
 * mostly the same few addresses, the sorted rules many cache lines.
 */
struct rcent {
	const struct module *m;
	uint64_t va;
	struct rule r;
};

struct fg_unwinder {
	struct fg_unwind_opts o;
	struct module **mods;	/* open-addressing table by path hash */
	size_t nmods, capmods;
	struct module *last;	/* the file of the last frame */
	struct {		/* the files of recent map keys */
		const void *key;
		struct module *m;
	} keys[UW_KEYS];
	size_t nrules;		/* cached rules, all files */
	struct rcent *rc;	/* recent lookups, UW_RC entries */
	struct fg_unwind_stats st;
};

#define UW_MAX_FRAMES_DEFAULT 127
#define UW_MAX_RULES_DEFAULT ((size_t)1 << 21)
#define UW_MAX_MODULES 4096
/* libunwind's sanity bound on a frame-pointer guess (bytes). */
#define UW_FP_MAX_GAP 0x4000
/* struct ucontext: uc_mcontext.gregs[] at 40; rbp, rsp, rip slots. */
#define UC_RBP (40 + 10 * 8)
#define UC_RSP (40 + 15 * 8)
#define UC_RIP (40 + 16 * 8)

static const char *const end_names[FG_UNWIND_END__COUNT] = {
	"outermost", "zero return address", "max frames", "truncated",
	"no rule", "bad rule", "cfa not increasing", "no registers",
};

const char *
fg_unwind_end_name(enum fg_unwind_end why)
{
	if ((unsigned)why >= FG_UNWIND_END__COUNT)
		return "unknown";
	return end_names[why];
}

int
fg_unwind_regs_from_perf(struct fg_unwind_regs *regs, uint64_t abi,
    uint64_t mask, const uint64_t *vals, size_t nvals)
{
	/* perf's PERF_REG_X86_* order -> DWARF number (-1: not used). */
	static const int8_t todw[24] = {
		FG_UW_RAX, FG_UW_RBX, FG_UW_RCX, FG_UW_RDX, FG_UW_RSI,
		FG_UW_RDI, FG_UW_RBP, FG_UW_RSP, FG_UW_RIP,
		-1, -1, -1, -1, -1, -1, -1,
		FG_UW_R8, FG_UW_R9, FG_UW_R10, FG_UW_R11, FG_UW_R12,
		FG_UW_R13, FG_UW_R14, FG_UW_R15,
	};
	size_t k = 0;

	memset(regs, 0, sizeof(*regs));
	if (abi != 2)
		return FG_EUNSUPPORTED;
	for (int bit = 0; bit < 64; bit++) {
		if ((mask & ((uint64_t)1 << bit)) == 0)
			continue;
		if (k >= nvals)
			return FG_EPARSE;
		if (bit < 24 && todw[bit] >= 0) {
			regs->r[todw[bit]] = vals[k];
			regs->valid |= (uint32_t)1 << todw[bit];
		}
		k++;
	}
	return 0;
}

int
fg_unwind_sample_from_perf(struct fg_unwind_sample *s, uint64_t abi,
    uint64_t mask, const uint64_t *vals, size_t nvals,
    const unsigned char *stack, size_t stack_len)
{
	int r;

	memset(s, 0, sizeof(*s));
	if ((r = fg_unwind_regs_from_perf(&s->regs, abi, mask, vals,
	    nvals)) != 0)
		return r;
	s->stack = stack;
	s->stack_len = stack != NULL ? stack_len : 0;
	s->stack_addr = s->regs.r[FG_UW_RSP];
	return 0;
}

struct fg_unwinder *
fg_unwinder_new(const struct fg_unwind_opts *o)
{
	struct fg_unwinder *u;

	if ((u = calloc(1, sizeof(*u))) == NULL)
		return NULL;
	if (o != NULL)
		u->o = *o;
	if (u->o.max_frames == 0)
		u->o.max_frames = UW_MAX_FRAMES_DEFAULT;
	if (u->o.max_rules == 0)
		u->o.max_rules = UW_MAX_RULES_DEFAULT;
	u->rc = fg_zalloc(UW_RC, sizeof(*u->rc));	/* NULL: no cache */
	elf_version(EV_CURRENT);
	return u;
}

static void
module_free(struct module *m)
{
	if (m == NULL)
		return;
	if (m->dw != NULL)
		dwarf_end(m->dw);
	if (m->eh != NULL)
		dwarf_cfi_end(m->eh);
	if (m->elf != NULL)
		elf_end(m->elf);
	if (m->fd >= 0)
		close(m->fd);
	free(m->segs);
	free(m->rules);
	free(m->path);
	free(m);
}

void
fg_unwinder_free(struct fg_unwinder *u)
{
	if (u == NULL)
		return;
	for (size_t i = 0; i < u->capmods; i++)
		module_free(u->mods[i]);
	free(u->mods);
	free(u->rc);
	free(u);
}

void
fg_unwind_get_stats(const struct fg_unwinder *u, struct fg_unwind_stats *st)
{
	*st = u->st;
}

/* Read the program headers and the .eh_frame CFI of a freshly opened m. */
static void
module_load(struct fg_unwinder *u, struct module *m,
    const struct fg_unwind_map *map)
{
	GElf_Ehdr eh;
	struct stat sb;
	size_t phnum;
	char why[128];

	why[0] = '\0';
	if (map->image != NULL)
		m->elf = elf_memory((char *)(uintptr_t)map->image,
		    map->image_len);
	else {
		/* a path from the recording: never wait on a FIFO there */
		char copy[4096];
		const char *p = map->file != NULL ? map->file(map->file_arg,
		    map->path, copy, sizeof(copy)) : NULL;
		int fd = fg_open_regular(p != NULL ? p : map->path, &sb);

		if (fd == FG_OPEN_SPECIAL)
			snprintf(why, sizeof(why), "%s, not a regular file",
			    fg_file_kind(sb.st_mode));
		else if (fd < 0)
			snprintf(why, sizeof(why), "%s", strerror(errno));
		else {
			m->fd = fd;
			m->elf = elf_begin(m->fd, ELF_C_READ_MMAP, NULL);
		}
	}
	if (m->elf == NULL || gelf_getehdr(m->elf, &eh) == NULL ||
	    eh.e_machine != EM_X86_64 || elf_getphdrnum(m->elf, &phnum) != 0) {
		m->broken = 1;
		fg_warnf(&u->o.warn, "%s: no call-frame information read "
		    "(%s); its frames use frame pointers", map->path,
		    why[0] != '\0' ? why : "not an x86-64 ELF file");
		return;
	}
	if (phnum > 0 && (m->segs = calloc(phnum, sizeof(*m->segs))) != NULL) {
		for (size_t i = 0; i < phnum; i++) {
			GElf_Phdr ph;

			if (gelf_getphdr(m->elf, (int)i, &ph) == NULL ||
			    ph.p_type != PT_LOAD)
				continue;
			m->segs[m->nsegs].off = ph.p_offset;
			m->segs[m->nsegs].filesz = ph.p_filesz;
			m->segs[m->nsegs].vaddr = ph.p_vaddr;
			m->nsegs++;
		}
	}
	m->eh = dwarf_getcfi_elf(m->elf);
	/* The file is mapped: no descriptor is kept per file. */
	if (m->fd >= 0 && elf_cntl(m->elf, ELF_C_FDDONE) == 0) {
		close(m->fd);
		m->fd = -1;
	}
}

static int module_find(struct fg_unwinder *, const struct fg_unwind_map *,
    struct module **);

/*
 * The cached module for map->path into *mp, opened on first use; *mp is
 * NULL past UW_MAX_MODULES files (their frames have no rules).  0 or
 * FG_ENOMEM.
 */
static int
module_get(struct fg_unwinder *u, const struct fg_unwind_map *map,
    struct module **mp)
{
	size_t i;
	int r;

	/* A file seen under its key, then: consecutive frames mostly in one. */
	if (map->key != NULL) {
		i = ((uintptr_t)map->key >> 4) % UW_KEYS;
		if (u->keys[i].key == map->key) {
			*mp = u->last = u->keys[i].m;
			return 0;
		}
		if ((r = module_find(u, map, mp)) == 0 && *mp != NULL) {
			u->keys[i].key = map->key;
			u->keys[i].m = *mp;
		}
		return r;
	}
	if (u->last != NULL && strcmp(u->last->path, map->path) == 0) {
		*mp = u->last;
		return 0;
	}
	return module_find(u, map, mp);
}

/* module_get() by path. */
static int
module_find(struct fg_unwinder *u, const struct fg_unwind_map *map,
    struct module **mp)
{
	size_t len, i;
	uint64_t h;
	struct module *m;

	len = strlen(map->path);
	h = fg_hash(map->path, len);
	*mp = NULL;
	if (u->capmods > 0) {
		for (i = h & (u->capmods - 1); u->mods[i] != NULL;
		    i = (i + 1) & (u->capmods - 1)) {
			m = u->mods[i];
			if (m->hash == h && strcmp(m->path, map->path) == 0) {
				*mp = u->last = m;
				return 0;
			}
		}
	}
	if (u->nmods >= UW_MAX_MODULES)
		return 0;
	if ((u->nmods + 1) * 2 > u->capmods) {
		size_t ncap = u->capmods ? u->capmods * 2 : 16;
		struct module **nm = calloc(ncap, sizeof(*nm));

		if (nm == NULL)
			return FG_ENOMEM;
		for (size_t j = 0; j < u->capmods; j++) {
			if (u->mods[j] == NULL)
				continue;
			for (i = u->mods[j]->hash & (ncap - 1); nm[i] != NULL;
			    i = (i + 1) & (ncap - 1))
				;
			nm[i] = u->mods[j];
		}
		free(u->mods);
		u->mods = nm;
		u->capmods = ncap;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return FG_ENOMEM;
	m->fd = -1;
	if ((m->path = strdup(map->path)) == NULL) {
		free(m);
		return FG_ENOMEM;
	}
	m->hash = h;
	module_load(u, m, map);
	u->st.files++;
	for (i = h & (u->capmods - 1); u->mods[i] != NULL;
	    i = (i + 1) & (u->capmods - 1))
		;
	u->mods[i] = m;
	u->nmods++;
	*mp = u->last = m;
	return 0;
}

/* File offset -> ELF virtual address through the PT_LOAD headers. */
static int
module_vaddr(const struct module *m, uint64_t off, uint64_t *va)
{
	for (size_t i = 0; i < m->nsegs; i++) {
		const struct seg *s = &m->segs[i];

		if (off >= s->off && off - s->off < s->filesz) {
			*va = off - s->off + s->vaddr;
			return 0;
		}
	}
	return -1;
}

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
 * The rule for file address va (file offset off) of m, from the cache or
 * from libdw.
 */
static int
rule_find(struct fg_unwinder *u, struct module *m, uint64_t va,
    uint64_t off, struct rule *out)
{
	size_t lo = 0, hi = m->nrules;
	Dwarf_Frame *f = NULL;
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
	u->st.rule_misses++;
	memset(out, 0, sizeof(*out));
	out->kind = RK_NONE;
	out->lo = va;
	out->hi = va + 1;
	if (!m->broken) {
		if (m->eh == NULL || dwarf_cfi_addrframe(m->eh, va, &f) != 0) {
			f = NULL;
			if (!m->dw_tried) {
				m->dw_tried = 1;
				m->dw = dwarf_begin_elf(m->elf, DWARF_C_READ,
				    NULL);
				if (m->dw != NULL)
					m->dbg = dwarf_getcfi(m->dw);
			}
			if (m->dbg != NULL &&
			    dwarf_cfi_addrframe(m->dbg, va, &f) != 0)
				f = NULL;
		}
	}
	if (f != NULL) {
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
	/* Insert, unless the cache is full; ranges from libdw are disjoint. */
	if (u->nrules >= u->o.max_rules)
		return 0;
	if (lo < m->nrules && m->rules[lo].lo < out->hi)
		out->hi = m->rules[lo].lo;
	if (lo > 0 && m->rules[lo - 1].hi > out->lo)
		out->lo = m->rules[lo - 1].hi;
	if (out->lo > va || out->hi <= va) {
		out->lo = va;
		out->hi = va + 1;
	}
	if (m->nrules == m->caprules) {
		size_t ncap = m->caprules ? m->caprules * 2 : 64;
		struct rule *nr = reallocarray(m->rules, ncap, sizeof(*nr));

		if (nr == NULL)
			return FG_ENOMEM;
		m->rules = nr;
		m->caprules = ncap;
	}
	memmove(&m->rules[lo + 1], &m->rules[lo],
	    (m->nrules - lo) * sizeof(*m->rules));
	m->rules[lo] = *out;
	m->nrules++;
	u->nrules++;
	return 0;
}

/*
 * Read 8 bytes at address a from the stack copy; -1 outside it (or when
 * the bytes past what is held cannot be fetched).
 */
static inline int
stack_read(struct fg_unwind_sample *s, uint64_t a, uint64_t *v)
{
	uint64_t off = a - s->stack_addr;

	if (a < s->stack_addr || s->stack_len < 8 || off > s->stack_len - 8)
		return -1;
	if (off + 8 > s->stack_held && (s->fetch == NULL ||
	    s->fetch(s->fetch_arg, (size_t)off + 8, &s->stack,
	    &s->stack_held) != 0 || off + 8 > s->stack_held))
		return -1;
	memcpy(v, s->stack + off, 8);
	return 0;
}

/*
 * The registers known in the caller's frame: its ip (the return address),
 * its sp (the CFA) and, when recovered, its rbp; nothing else survives.
 */
static inline void
caller_regs(struct fg_unwind_regs *rg, uint64_t ra, uint64_t cfa,
    uint64_t rbp, int have_rbp)
{
	rg->valid = (1u << FG_UW_RIP) | (1u << FG_UW_RSP);
	rg->r[FG_UW_RIP] = ra;
	rg->r[FG_UW_RSP] = cfa;
	if (have_rbp) {
		rg->r[FG_UW_RBP] = rbp;
		rg->valid |= 1u << FG_UW_RBP;
	}
}

#define HAVE(rg, i) (((rg)->valid >> (i)) & 1u)

int
fg_unwind(struct fg_unwinder *u, const struct fg_unwind_sample *s,
    fg_unwind_map_fn *map, void *map_arg, uint64_t *ips, size_t max_ips,
    size_t *n, enum fg_unwind_end *why, struct fg_error *err)
{
	struct fg_unwind_sample view = *s;
	struct fg_unwind_regs rg = s->regs;
	enum fg_unwind_end end = FG_UNWIND_END_NO_REGS;
	size_t cnt = 0, limit = max_ips < u->o.max_frames ? max_ips :
	    u->o.max_frames;
	int activation = 1, rc = 0;

	u->st.samples++;
	if (!HAVE(&rg, FG_UW_RIP) || !HAVE(&rg, FG_UW_RSP))
		goto out;
	if (s->stack == NULL || s->stack_len == 0) {
		/* Nothing copied: perf shows no user frame at all. */
		end = FG_UNWIND_END_TRUNCATED;
		goto out;
	}
	if ((u->o.flags & FG_UNWIND_WHOLE_COPY) == 0)
		view.stack_len--;
	if (view.fetch == NULL)
		view.stack_held = view.stack_len;
	if (limit == 0) {
		end = FG_UNWIND_END_MAX;
		goto out;
	}
	ips[cnt++] = rg.r[FG_UW_RIP];
	for (;;) {
		struct fg_unwind_map mp;
		struct module *m = NULL;
		struct rule r;
		uint64_t ip = rg.r[FG_UW_RIP], sp = rg.r[FG_UW_RSP];
		uint64_t look = activation ? ip : ip - 1, va, off, cfa, ra, v;
		int bp_ok;

		if (cnt >= limit) {
			end = FG_UNWIND_END_MAX;
			break;
		}
		memset(&r, 0, sizeof(r));
		r.kind = RK_NONE;
		memset(&mp, 0, sizeof(mp));
		if (map(map_arg, look, &mp) == 0 && mp.path != NULL &&
		    look >= mp.start && look < mp.end) {
			if ((rc = module_get(u, &mp, &m)) != 0) {
				fg_seterr(err, rc, "unwind: %s: out of memory "
				    "opening it", mp.path);
				end = FG_UNWIND_END_NO_RULE;
				break;
			}
			off = look - mp.start + mp.pgoff;
			if (m != NULL && module_vaddr(m, off, &va) == 0 &&
			    (rc = rule_find(u, m, va, off, &r)) != 0) {
				fg_seterr(err, rc, "unwind: %s: out of memory "
				    "for its frame rules", mp.path);
				end = FG_UNWIND_END_NO_RULE;
				break;
			}
		}
		switch (r.kind) {
		case RK_CFA:
		case RK_CFA_DEREF:
			if (!HAVE(&rg, r.cfa_reg)) {
				end = FG_UNWIND_END_BAD_RULE;
				goto out;
			}
			cfa = rg.r[r.cfa_reg] + (uint64_t)(int64_t)r.cfa_off;
			if (r.kind == RK_CFA_DEREF &&
			    stack_read(&view, cfa, &cfa) != 0) {
				end = FG_UNWIND_END_TRUNCATED;
				goto out;
			}
			break;
		case RK_PLT:
			cfa = sp + 8 + ((ip & 15) >= r.cfa_reg ? 8 : 0);
			break;
		case RK_OUTERMOST:
			end = FG_UNWIND_END_OUTERMOST;
			goto out;
		case RK_SIGNAL:
			/* sp points at the ucontext the kernel pushed. */
			if (stack_read(&view, sp + UC_RIP, &ra) != 0 ||
			    stack_read(&view, sp + UC_RSP, &cfa) != 0 ||
			    stack_read(&view, sp + UC_RBP, &v) != 0) {
				end = FG_UNWIND_END_TRUNCATED;
				goto out;
			}
			if (ra == 0) {
				end = FG_UNWIND_END_ZERO_RA;
				goto out;
			}
			/*
			 * The interrupted frame's ip is exact (no call):
			 * reported and looked up as is, as perf does.
			 */
			caller_regs(&rg, ra, cfa, v, 1);
			activation = 1;
			ips[cnt++] = ra;
			continue;
		case RK_NONE:
			/*
			 * No rule: the frame-pointer step libunwind (and so
			 * perf) takes: rbp must not lie below sp nor more
			 * than 16 KiB above it; the caller's rbp and return
			 * address are the two words it points at.
			 */
			v = rg.r[FG_UW_RBP];
			if (!HAVE(&rg, FG_UW_RBP) || v == 0 || v < sp ||
			    v - sp > UW_FP_MAX_GAP || (v & 7) != 0) {
				end = FG_UNWIND_END_NO_RULE;
				goto out;
			}
			cfa = v + 16;
			if (stack_read(&view, v, &v) != 0 ||
			    stack_read(&view, cfa - 8, &ra) != 0) {
				end = FG_UNWIND_END_TRUNCATED;
				goto out;
			}
			u->st.fp_steps++;
			if (cfa <= sp) {
				end = FG_UNWIND_END_NOT_INCREASING;
				goto out;
			}
			if (ra == 0) {
				end = FG_UNWIND_END_ZERO_RA;
				goto out;
			}
			caller_regs(&rg, ra, cfa, v, 1);
			activation = 0;
			ips[cnt++] = ra - 1;
			continue;
		default:
			end = FG_UNWIND_END_BAD_RULE;
			goto out;
		}
		if (cfa <= sp) {
			end = FG_UNWIND_END_NOT_INCREASING;
			goto out;
		}
		if (stack_read(&view, cfa + (uint64_t)(int64_t)r.ra_off,
		    &ra) != 0) {
			end = FG_UNWIND_END_TRUNCATED;
			goto out;
		}
		bp_ok = 0;
		switch (r.bp_kind) {
		case BP_SAME:
			bp_ok = HAVE(&rg, FG_UW_RBP);
			v = rg.r[FG_UW_RBP];
			break;
		case BP_AT_CFA:
			bp_ok = stack_read(&view, cfa +
			    (uint64_t)(int64_t)r.bp_off, &v) == 0;
			break;
		case BP_AT_REG:
			bp_ok = HAVE(&rg, r.bp_reg) && stack_read(&view,
			    rg.r[r.bp_reg] + (uint64_t)(int64_t)r.bp_off,
			    &v) == 0;
			break;
		case BP_VAL_CFA:
			bp_ok = 1;
			v = cfa + (uint64_t)(int64_t)r.bp_off;
			break;
		default:
			break;
		}
		if (ra == 0) {
			end = FG_UNWIND_END_ZERO_RA;
			goto out;
		}
		caller_regs(&rg, ra, cfa, v, bp_ok);
		activation = 0;
		ips[cnt++] = ra - 1;
	}
out:
	u->st.frames += cnt;
	u->st.ends[end]++;
	*n = cnt;
	if (why != NULL)
		*why = end;
	return rc;
}
