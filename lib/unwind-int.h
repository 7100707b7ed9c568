/*
 * unwind-int.h: what the files of the DWARF unwinder share (lib/
 * unwind*.c; not installed, not for other modules): the compact rule a
 * row of call-frame information becomes, the per-file object (struct
 * module), the unwinder (owned by one thread: its caller's), and the
 * steps one file does for the others.
 *
 *   unwind.c          the public API and the walk up a sample's stack;
 *   unwind-module.c   the ELF files: opened once, found by map key or path,
 *                     file offsets turned into addresses;
 *   unwind-rule.c     the rules: libdw's row for an address made compact,
 *                     kept per file (sorted) behind a direct-mapped cache.
 */
#ifndef FG_UNWIND_INT_H
#define FG_UNWIND_INT_H

#include <stddef.h>
#include <stdint.h>

#include <elfutils/libdw.h>
#include <libelf.h>

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

/* unwind-module.c */
/*
 * The cached module for map->path into *mp, opened on first use; *mp is
 * NULL past UW_MAX_MODULES files (their frames have no rules).  0 or
 * FG_ENOMEM.
 */
int uw_module_get(struct fg_unwinder *u, const struct fg_unwind_map *map,
    struct module **mp);
/* File offset -> ELF virtual address through the PT_LOAD headers: 0, -1. */
int uw_module_vaddr(const struct module *m, uint64_t off, uint64_t *va);
/* Close m and free it (NULL is fine). */
void uw_module_free(struct module *m);

/* unwind-rule.c */
/*
 * The rule for file address va (file offset off) of m into *out, from
 * the cache or from libdw (RK_NONE when there is none).  0, FG_ENOMEM.
 */
int uw_rule_find(struct fg_unwinder *u, struct module *m, uint64_t va,
    uint64_t off, struct rule *out);

#endif /* FG_UNWIND_INT_H */
