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
 *
 * This file holds the public API and the walk, one named step per kind
 * of rule; the files are unwind-module.c's, the rules unwind-rule.c's.
 */
#include <stdlib.h>
#include <string.h>

#include "unwind-int.h"

/* struct ucontext: uc_mcontext.gregs[] at 40; rbp, rsp, rip slots. */
#define UC_RBP (40 + 10 * 8)
#define UC_RSP (40 + 15 * 8)
#define UC_RIP (40 + 16 * 8)

static const char *const end_names[FG_UNWIND_END__COUNT] = {
	"outermost", "zero return address", "max frames", "truncated",
	"no rule", "bad rule", "cfa not increasing", "no registers",
};

const char *
unwind_end_name(enum fg_unwind_end why)
{
	if ((unsigned)why >= FG_UNWIND_END__COUNT)
		return "unknown";
	return end_names[why];
}

int
unwind_regs_from_perf(struct fg_unwind_regs *regs, uint64_t abi,
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
unwind_sample_from_perf(struct fg_unwind_sample *s, uint64_t abi,
    uint64_t mask, const uint64_t *vals, size_t nvals,
    const unsigned char *stack, size_t stack_len)
{
	int r;

	memset(s, 0, sizeof(*s));
	if ((r = unwind_regs_from_perf(&s->regs, abi, mask, vals,
	    nvals)) != 0)
		return r;
	s->stack = stack;
	s->stack_len = stack != NULL ? stack_len : 0;
	s->stack_addr = s->regs.r[FG_UW_RSP];
	return 0;
}

struct fg_unwinder *
unwinder_new(const struct fg_unwind_opts *o)
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
	u->rc = base_zalloc(UW_RC, sizeof(*u->rc));	/* NULL: no cache */
	elf_version(EV_CURRENT);
	return u;
}

void
unwinder_free(struct fg_unwinder *u)
{
	if (u == NULL)
		return;
	for (size_t i = 0; i < u->capmods; i++)
		uw_module_free(u->mods[i]);
	free(u->mods);
	free(u->rc);
	free(u);
}

void
unwind_get_stats(const struct fg_unwinder *u, struct fg_unwind_stats *st)
{
	*st = u->st;
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

/* A step's result when the walk goes on (else an enum fg_unwind_end). */
#define STEP_ON (-1)

/* A walk up one sample's stack. */
struct walk {
	struct fg_unwinder *u;
	struct fg_unwind_sample view;	/* the copy as the walk reads it */
	struct fg_unwind_regs rg;	/* the frame's known registers */
	int activation;			/* its ip is exact (no call) */
};

/*
 * The walk's start: the sample's registers and its stack copy, without
 * the last byte unless FG_UNWIND_WHOLE_COPY.  STEP_ON, or why there is
 * no frame past the first (or none at all).
 */
static int
walk_init(struct walk *w, struct fg_unwinder *u,
    const struct fg_unwind_sample *s, size_t limit)
{
	w->u = u;
	w->view = *s;
	w->rg = s->regs;
	w->activation = 1;
	if (!HAVE(&w->rg, FG_UW_RIP) || !HAVE(&w->rg, FG_UW_RSP))
		return FG_UNWIND_END_NO_REGS;
	if (s->stack == NULL || s->stack_len == 0)
		/* Nothing copied: perf shows no user frame at all. */
		return FG_UNWIND_END_TRUNCATED;
	if ((u->o.flags & FG_UNWIND_WHOLE_COPY) == 0)
		w->view.stack_len--;
	if (w->view.fetch == NULL)
		w->view.stack_held = w->view.stack_len;
	if (limit == 0)
		return FG_UNWIND_END_MAX;
	return STEP_ON;
}

/*
 * The rule for the code at look: RK_NONE when no file is mapped there or
 * its file has none.  0, or FG_ENOMEM with err filled.
 */
static int
frame_rule(struct walk *w, fg_unwind_map_fn *map, void *map_arg,
    uint64_t look, struct rule *r, struct fg_error *err)
{
	struct fg_unwind_map mp;
	struct module *m = NULL;
	uint64_t off, va;
	int rc;

	memset(r, 0, sizeof(*r));
	r->kind = RK_NONE;
	memset(&mp, 0, sizeof(mp));
	if (map(map_arg, look, &mp) != 0 || mp.path == NULL ||
	    look < mp.start || look >= mp.end)
		return 0;
	if ((rc = uw_module_get(w->u, &mp, &m)) != 0)
		return seterr(err, rc, "unwind: %s: out of memory opening "
		    "it", mp.path);
	off = look - mp.start + mp.pgoff;
	if (m != NULL && uw_module_vaddr(m, off, &va) == 0 &&
	    (rc = uw_rule_find(w->u, m, va, off, r)) != 0)
		return seterr(err, rc, "unwind: %s: out of memory for its "
		    "frame rules", mp.path);
	return 0;
}

/*
 * Through a signal frame: sp points at the ucontext the kernel pushed.
 * The interrupted frame's ip is exact (no call): reported and looked up
 * as is, as perf does.
 */
static int
step_signal(struct walk *w, uint64_t sp, uint64_t *next)
{
	uint64_t ra, cfa, v;

	if (stack_read(&w->view, sp + UC_RIP, &ra) != 0 ||
	    stack_read(&w->view, sp + UC_RSP, &cfa) != 0 ||
	    stack_read(&w->view, sp + UC_RBP, &v) != 0)
		return FG_UNWIND_END_TRUNCATED;
	if (ra == 0)
		return FG_UNWIND_END_ZERO_RA;
	caller_regs(&w->rg, ra, cfa, v, 1);
	w->activation = 1;
	*next = ra;
	return STEP_ON;
}

/*
 * No rule: the frame-pointer step libunwind (and so perf) takes: rbp
 * must not lie below sp nor more than 16 KiB above it; the caller's rbp
 * and return address are the two words it points at.
 */
static int
step_fp(struct walk *w, uint64_t sp, uint64_t *next)
{
	uint64_t v = w->rg.r[FG_UW_RBP], cfa, ra;

	if (!HAVE(&w->rg, FG_UW_RBP) || v == 0 || v < sp ||
	    v - sp > UW_FP_MAX_GAP || (v & 7) != 0)
		return FG_UNWIND_END_NO_RULE;
	cfa = v + 16;
	if (stack_read(&w->view, v, &v) != 0 ||
	    stack_read(&w->view, cfa - 8, &ra) != 0)
		return FG_UNWIND_END_TRUNCATED;
	w->u->st.fp_steps++;
	if (cfa <= sp)
		return FG_UNWIND_END_NOT_INCREASING;
	if (ra == 0)
		return FG_UNWIND_END_ZERO_RA;
	caller_regs(&w->rg, ra, cfa, v, 1);
	w->activation = 0;
	*next = ra - 1;
	return STEP_ON;
}

/* The CFA by a rule of kind RK_CFA, RK_CFA_DEREF or RK_PLT. */
static int
rule_cfa(struct walk *w, const struct rule *r, uint64_t ip, uint64_t sp,
    uint64_t *cfa)
{
	if (r->kind == RK_PLT) {
		*cfa = sp + 8 + ((ip & 15) >= r->cfa_reg ? 8 : 0);
		return STEP_ON;
	}
	if (!HAVE(&w->rg, r->cfa_reg))
		return FG_UNWIND_END_BAD_RULE;
	*cfa = w->rg.r[r->cfa_reg] + (uint64_t)(int64_t)r->cfa_off;
	if (r->kind == RK_CFA_DEREF && stack_read(&w->view, *cfa, cfa) != 0)
		return FG_UNWIND_END_TRUNCATED;
	return STEP_ON;
}

/* The caller's rbp by rule r into *v: whether it is known. */
static int
caller_rbp(struct walk *w, const struct rule *r, uint64_t cfa, uint64_t *v)
{
	switch (r->bp_kind) {
	case BP_SAME:
		*v = w->rg.r[FG_UW_RBP];
		return HAVE(&w->rg, FG_UW_RBP);
	case BP_AT_CFA:
		return stack_read(&w->view, cfa + (uint64_t)(int64_t)r->bp_off,
		    v) == 0;
	case BP_AT_REG:
		return HAVE(&w->rg, r->bp_reg) && stack_read(&w->view,
		    w->rg.r[r->bp_reg] + (uint64_t)(int64_t)r->bp_off, v) == 0;
	case BP_VAL_CFA:
		*v = cfa + (uint64_t)(int64_t)r->bp_off;
		return 1;
	default:
		return 0;
	}
}

/* The step a CFA rule says: the return address at CFA + ra_off. */
static int
step_rule(struct walk *w, const struct rule *r, uint64_t ip, uint64_t sp,
    uint64_t *next)
{
	uint64_t cfa, ra, v = 0;
	int e, bp_ok;

	if ((e = rule_cfa(w, r, ip, sp, &cfa)) != STEP_ON)
		return e;
	if (cfa <= sp)
		return FG_UNWIND_END_NOT_INCREASING;
	if (stack_read(&w->view, cfa + (uint64_t)(int64_t)r->ra_off,
	    &ra) != 0)
		return FG_UNWIND_END_TRUNCATED;
	bp_ok = caller_rbp(w, r, cfa, &v);
	if (ra == 0)
		return FG_UNWIND_END_ZERO_RA;
	caller_regs(&w->rg, ra, cfa, v, bp_ok);
	w->activation = 0;
	*next = ra - 1;
	return STEP_ON;
}

/* One frame up by rule r: STEP_ON (the caller's ip in *next) or why not. */
static int
step(struct walk *w, const struct rule *r, uint64_t *next)
{
	uint64_t ip = w->rg.r[FG_UW_RIP], sp = w->rg.r[FG_UW_RSP];

	switch (r->kind) {
	case RK_CFA:
	case RK_CFA_DEREF:
	case RK_PLT:
		return step_rule(w, r, ip, sp, next);
	case RK_OUTERMOST:
		return FG_UNWIND_END_OUTERMOST;
	case RK_SIGNAL:
		return step_signal(w, sp, next);
	case RK_NONE:
		return step_fp(w, sp, next);
	default:
		return FG_UNWIND_END_BAD_RULE;
	}
}

int
unwind_stack(struct fg_unwinder *u, const struct fg_unwind_sample *s,
    fg_unwind_map_fn *map, void *map_arg, uint64_t *ips, size_t max_ips,
    size_t *n, enum fg_unwind_end *why, struct fg_error *err)
{
	struct walk w;
	struct rule r;
	size_t cnt = 0, limit = max_ips < u->o.max_frames ? max_ips :
	    u->o.max_frames;
	uint64_t ip;
	int end, rc = 0;

	u->st.samples++;
	if ((end = walk_init(&w, u, s, limit)) == STEP_ON)
		ips[cnt++] = w.rg.r[FG_UW_RIP];
	while (end == STEP_ON) {
		if (cnt >= limit) {
			end = FG_UNWIND_END_MAX;
			break;
		}
		ip = w.rg.r[FG_UW_RIP];
		if ((rc = frame_rule(&w, map, map_arg, w.activation ? ip :
		    ip - 1, &r, err)) != 0) {
			end = FG_UNWIND_END_NO_RULE;
			break;
		}
		if ((end = step(&w, &r, &ip)) == STEP_ON)
			ips[cnt++] = ip;
	}
	u->st.frames += cnt;
	u->st.ends[end]++;
	*n = cnt;
	if (why != NULL)
		*why = (enum fg_unwind_end)end;
	return rc;
}
