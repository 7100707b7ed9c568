/*
 * unwind.h: the x86-64 DWARF unwinder for perf's user stack copies
 * (PERF_SAMPLE_REGS_USER + PERF_SAMPLE_STACK_USER).  Internal API of
 * lib/; the perf.data reader calls it once per sample.
 *
 * Given the sampled user registers, the copy of the stack that starts at
 * the sampled stack pointer, and a callback that maps an address to the
 * ELF file mapped there, it returns the chain of instruction addresses,
 * leaf first, the way perf (with libunwind) reports it: the first entry
 * is the sampled ip, every later entry is a return address minus one
 * (inside the call instruction: look it up as is, do not subtract one
 * again), except the frame a signal interrupted (the one after the
 * signal trampoline), whose ip is exact.
 *
 * Guarantees: bounded work per sample (at most max_frames steps, each a
 * table lookup and a few reads); every read of the stack copy is checked
 * against its bounds; nothing the copy does not hold is invented (the
 * chain ends instead).  Call-frame information is read once per ELF
 * file through libdw and each address range's rule is kept in a compact
 * form (docs/internals/unwind.md).  One unwinder is not safe to use
 * from two threads at once; distinct unwinders are independent.
 */
#ifndef FG_UNWIND_H
#define FG_UNWIND_H

#include <stddef.h>
#include <stdint.h>

#include "flamegraph.h"

/* DWARF register numbers of x86-64 (the numbering the rules use). */
enum {
	FG_UW_RAX, FG_UW_RDX, FG_UW_RCX, FG_UW_RBX, FG_UW_RSI, FG_UW_RDI,
	FG_UW_RBP, FG_UW_RSP, FG_UW_R8, FG_UW_R9, FG_UW_R10, FG_UW_R11,
	FG_UW_R12, FG_UW_R13, FG_UW_R14, FG_UW_R15, FG_UW_RIP,
	FG_UW_NREGS
};

/* Registers of the sampled thread: r[] by DWARF number, valid bit i. */
struct fg_unwind_regs {
	uint64_t r[FG_UW_NREGS];
	uint32_t valid;
};

/*
 * Fill regs from a sample's PERF_SAMPLE_REGS_USER block: abi (1 = 32
 * bit, 2 = 64 bit), the attribute's sample_regs_user mask (perf's
 * PERF_REG_X86_* bit numbers) and the packed values, one per set bit
 * below 24 in mask order.  Returns 0, or FG_EUNSUPPORTED for an abi
 * other than 64 bit (no registers: ABI_NONE, or a 32-bit task), or
 * FG_EPARSE when nvals is smaller than the mask says.
 */
int unwind_regs_from_perf(struct fg_unwind_regs *regs, uint64_t abi,
    uint64_t mask, const uint64_t *vals, size_t nvals);

/*
 * What the map callback reports for an address: the file mapped there
 * (path, borrowed until the callback is called again) and the mapping
 * [start, end) at file offset pgoff.  image/image_len, when image is
 * non-NULL, is the file's bytes in memory (for "[vdso]"), used instead
 * of opening path; it must stay valid as long as the unwinder lives.
 */
struct fg_unwind_map {
	const char *path;
	const void *key;	/* NULL, or the file's identity: one key is
				   one path for the unwinder's life */
	const void *image;
	size_t image_len;
	uint64_t start, end, pgoff;
	/*
	 * Optional: called once, when the file is first opened, for the
	 * file to read in path's place (perf's build-id cache copy of one
	 * rebuilt or gone since the recording): its path, which may be
	 * written to buf[0 .. len), or NULL to read path itself.
	 */
	const char *(*file)(void *arg, const char *path, char *buf,
	    size_t len);
	void *file_arg;
};

/* 0 and *m filled when addr is inside a mapping, non-zero when not. */
typedef int fg_unwind_map_fn(void *arg, uint64_t addr,
    struct fg_unwind_map *m);

/* Why a chain ended. */
enum fg_unwind_end {
	FG_UNWIND_END_OUTERMOST,	/* rules say: no caller (_start, clone) */
	FG_UNWIND_END_ZERO_RA,		/* return address 0 */
	FG_UNWIND_END_MAX,		/* max_frames reached */
	FG_UNWIND_END_TRUNCATED,	/* a read fell outside the stack copy */
	FG_UNWIND_END_NO_RULE,		/* no rule, frame-pointer step unsafe */
	FG_UNWIND_END_BAD_RULE,		/* a rule this unwinder cannot evaluate */
	FG_UNWIND_END_NOT_INCREASING,	/* the CFA did not grow */
	FG_UNWIND_END_NO_REGS,		/* ip or sp missing from the sample */
	FG_UNWIND_END__COUNT
};

/*
 * perf (6.1, libunwind) never reads the copy's last byte: a word that
 * ends there is treated as outside it, which ends some truncated chains
 * one frame earlier.  The unwinder does the same unless this flag is set.
 */
#define FG_UNWIND_WHOLE_COPY 0x1

struct fg_unwind_opts {
	size_t max_frames;	/* 0: 127, perf's default max stack */
	size_t max_rules;	/* cached rules (32 bytes), all files; 0: 1 << 21 */
	unsigned flags;		/* FG_UNWIND_* */
	struct fg_warn warn;	/* a file that cannot be read, once per file */
};

/*
 * Makes at least need bytes of a sample's stack copy (need <= its
 * stack_len) readable at *stack[0 .. *held): 0, or non-zero when it
 * cannot (the chain then ends there, as at the end of the copy).
 */
typedef int fg_unwind_fetch_fn(void *arg, size_t need,
    const unsigned char **stack, size_t *held);

/*
 * One sample: registers and the stack copy taken at stack_addr, of
 * stack_len bytes.  Without fetch, all of them are at stack; with it,
 * only stack[0 .. stack_held), and a read past that asks fetch for more
 * (a reader that copies only the top of each stack from a file).
 */
struct fg_unwind_sample {
	struct fg_unwind_regs regs;
	const unsigned char *stack;
	size_t stack_len;
	uint64_t stack_addr;		/* address of stack[0]: the sampled sp */
	size_t stack_held;		/* with fetch: bytes at stack */
	fg_unwind_fetch_fn *fetch;	/* NULL: stack_len bytes at stack */
	void *fetch_arg;
};

/*
 * Fill s from a perf sample's PERF_SAMPLE_REGS_USER block (as for
 * unwind_regs_from_perf) and its PERF_SAMPLE_STACK_USER copy
 * (stack[0 .. stack_len), stack_len the dyn_size), which perf takes at
 * the sampled sp.  s borrows stack.  Same return codes as
 * unwind_regs_from_perf.
 */
int unwind_sample_from_perf(struct fg_unwind_sample *s, uint64_t abi,
    uint64_t mask, const uint64_t *vals, size_t nvals,
    const unsigned char *stack, size_t stack_len);

/* Counters over the unwinder's life, for tests and measurements. */
struct fg_unwind_stats {
	uint64_t samples;
	uint64_t frames;		/* entries returned, all samples */
	uint64_t rule_misses;		/* rules computed through libdw */
	uint64_t fp_steps;		/* frame-pointer fallback steps */
	uint64_t files;			/* ELF files opened */
	uint64_t ends[FG_UNWIND_END__COUNT];
};

struct fg_unwinder;

/* A new unwinder (o may be NULL for defaults), or NULL out of memory. */
struct fg_unwinder *unwinder_new(const struct fg_unwind_opts *o);
/* Free it, its cached rules and open files; NULL is allowed. */
void unwinder_free(struct fg_unwinder *u);

/*
 * Unwind one sample into ips[0 .. *n) (leaf first, at most max_ips and
 * at most max_frames entries; the conventions are above), calling map
 * for the file of each frame.  *why (when non-NULL) says why the chain
 * ended.  A garbage sample gives a short chain, not an error; a sample
 * with no stack copy (size 0) gives none, as in perf.  Returns
 * 0, or FG_ENOMEM (with err filled; *n entries are still valid).
 */
int unwind_stack(struct fg_unwinder *u, const struct fg_unwind_sample *s,
    fg_unwind_map_fn *map, void *map_arg, uint64_t *ips, size_t max_ips,
    size_t *n, enum fg_unwind_end *why, struct fg_error *err);

/* The counters so far. */
void unwind_get_stats(const struct fg_unwinder *u,
    struct fg_unwind_stats *st);

/* A short name for an end reason ("truncated", ...). */
const char *unwind_end_name(enum fg_unwind_end why);

#endif /* FG_UNWIND_H */
