/*
 * dwarfidx-int.h: what the dwarfidx*.c family shares and no one else
 * sees: the reader's state (struct fg_dw), units, abbreviation tables,
 * attribute values, bounded reads (inline: they are the inner loop), and
 * the steps one file of the family does for the others.  Every function
 * here bounds-checks what it reads; bad data fails the unit or the
 * name, never more.
 */
#ifndef FG_DWARFIDX_INT_H
#define FG_DWARFIDX_INT_H

#include <stddef.h>
#include <stdint.h>

#include <gelf.h>
#include <libelf.h>

#include "base.h"
#include "dwarfidx.h"

#ifndef ELFCOMPRESS_ZSTD
#define ELFCOMPRESS_ZSTD 2
#endif

enum {
	S_INFO, S_ABBREV, S_STR, S_LINE_STR, S_STR_OFFSETS, S_ADDR,
	S_RANGES, S_RNGLISTS, S_ARANGES, S_N
};


struct sect {
	Elf_Scn *scn;
	const uint8_t *p;
	size_t n;
	void *own;		/* inflated */
	void *map;		/* or mapped from the cache, maplen bytes */
	size_t maplen;
	int state;		/* 0 unread, 1 read, -1 absent or bad */
};

/* One attribute of an abbreviation. */
struct spec {
	uint32_t name;
	uint32_t form;
	int64_t ic;		/* DW_FORM_implicit_const */
	int8_t size;		/* of a fixed-size value, else -1 */
	uint8_t slot;		/* SL_*: where dw_die_read keeps it */
};

/* The attributes this reader looks at. */
enum {
	SL_NONE, SL_SIBLING, SL_DECL, SL_LOW, SL_HIGH, SL_RANGES, SL_NAME,
	SL_LINK, SL_MLINK, SL_ORIGIN, SL_SPEC, SL_N
};

struct abbrev {
	uint64_t code;
	uint32_t tag;
	uint32_t first;		/* in atab specs */
	uint32_t n;
	int32_t fixed;		/* size of its attributes, or -1 */
	uint8_t children;
};

/* One abbreviation table, for one address and offset size. */
struct atab {
	uint64_t key;
	struct abbrev *ab;
	size_t nab;
	struct abbrev **dense;	/* by code, codes 1..ndense-1 */
	size_t ndense;
	struct spec *specs;
	int sorted;
	int bad;		/* did not parse: remembered, not retried */
};

struct unit {
	uint64_t off;		/* header */
	uint64_t end;
	uint64_t die;		/* first DIE */
	uint64_t abbrev;
	uint16_t version;
	uint8_t asize;
	uint8_t osize;
	uint8_t type;
	int attrs;		/* 0 unread, 1 read, -1 bad */
	int die_ok;		/* unit DIE parses: 0 unknown, 1, -1 */
	struct atab *at;
	uint64_t base;
	uint64_t addr_base;
	uint64_t stroff_base;
	uint64_t rng_base;
};

struct arange {
	uint64_t addr;
	uint64_t len;
	size_t unit;
};

struct curange {
	uint64_t lo;
	uint64_t hi;
	size_t unit;
};

struct fg_dw {
	Elf *e;
	int is64;
	struct sect s[S_N];
	struct unit *units;
	size_t nunits;
	int units_built;
	struct atab **atabs;	/* open hash by key */
	size_t atcap;
	size_t natabs;
	struct fg_dw_stats st;	/* abbrev_bytes: the budget spent */
	struct arange *ar;
	size_t nar;
	int ar_built;		/* 1 built, -1 unusable */
	struct curange *cr;
	size_t ncr;
	int cr_built;
	char *cache;		/* this file's cache directory, or NULL */
	void *cux;		/* its unit indexes, mapped (cuxlen bytes) */
	size_t cuxlen;
};


/* A value read for one attribute. */
struct val {
	uint32_t form;
	uint64_t u;
	const uint8_t *str;	/* DW_FORM_string */
};

/* The section names, by S_*. */
extern const char *const dw_sect_names[S_N];

/* ---- bounded reads ---------------------------------------------------- */

struct cur {
	const uint8_t *p;
	const uint8_t *end;
	int bad;
};

static inline uint64_t
rd_n(struct cur *c, size_t n)
{
	uint64_t v = 0;
	size_t i;

	if (c->bad || (size_t)(c->end - c->p) < n) {
		c->bad = 1;
		c->p = c->end;
		return 0;
	}
	switch (n) {
	case 1:
		v = c->p[0];
		c->p += 1;
		return v;
	case 2:
		v = (uint64_t)c->p[0] | (uint64_t)c->p[1] << 8;
		c->p += 2;
		return v;
	case 4:
		v = (uint64_t)c->p[0] | (uint64_t)c->p[1] << 8 |
		    (uint64_t)c->p[2] << 16 | (uint64_t)c->p[3] << 24;
		c->p += 4;
		return v;
	}
	for (i = 0; i < n && i < 8; i++)	/* data16: its low half */
		v |= (uint64_t)c->p[i] << (8 * i);
	c->p += n;
	return v;
}

static inline uint64_t
rd_uleb(struct cur *c)
{
	uint64_t v = 0;
	unsigned sh = 0;

	while (c->p < c->end) {
		uint8_t b = *c->p++;
		if (sh < 64)
			v |= (uint64_t)(b & 0x7f) << sh;
		sh += 7;
		if (!(b & 0x80))
			return v;
	}
	c->bad = 1;
	return 0;
}

static inline int64_t
rd_sleb(struct cur *c)
{
	uint64_t v = 0;
	unsigned sh = 0;
	uint8_t b = 0;

	while (c->p < c->end) {
		b = *c->p++;
		if (sh < 64)
			v |= (uint64_t)(b & 0x7f) << sh;
		sh += 7;
		if (!(b & 0x80)) {
			if (sh < 64 && (b & 0x40))
				v |= ~(uint64_t)0 << sh;
			return (int64_t)v;
		}
	}
	c->bad = 1;
	return 0;
}

static inline void
skip(struct cur *c, uint64_t n)
{
	if (c->bad || (uint64_t)(c->end - c->p) < n) {
		c->bad = 1;
		c->p = c->end;
		return;
	}
	c->p += n;
}


/* ---- ranges ----------------------------------------------------------- */

/* What a DIE says about its addresses. */
struct pcs {
	struct val low;
	struct val high;
	struct val ranges;
};

typedef int (*range_fn)(void *, uint64_t, uint64_t);

/* A DIE's attributes that this reader uses (form 0: absent). */
struct die {
	const struct abbrev *a;
	struct pcs pc;
	uint64_t sibling;	/* 0: none */
	int decl;
	struct val name;
	struct val link;	/* linkage_name */
	struct val mlink;	/* MIPS_linkage_name */
	struct val origin;
	struct val spec;
};

/* ---- shared steps (dwarfidx-sect.c, -cache.c, -cu.c, dwarfidx.c) ---- */

/* Section i (raw: n compressed bytes, size inflated) from the cache. */
int dw_cache_map(struct fg_dw *dw, int i, const uint8_t *raw, size_t n,
    uint64_t size, struct sect *s);
/* Keep what section i inflated to; on any failure, nothing is kept. */
void dw_cache_store(const struct fg_dw *dw, int i, const uint8_t *raw,
    size_t n, const void *data, uint64_t size);
/* The units' own ranges from the cache into dw->cr: 0, or -1 (none). */
int dw_cr_load(struct fg_dw *dw);
/* Keep dw->cr (sorted) in the cache; on any failure, nothing is kept. */
void dw_cr_store(struct fg_dw *dw);
/* qsort order of struct curange: by start. */
int dw_curange_cmp(const void *a, const void *b);
/* Every unit header of .debug_info, up to the first bad one. */
int dw_units_build(struct fg_dw *dw);
/* The unit DIE's bases: read once.  0/-1. */
int dw_unit_attrs(struct fg_dw *dw, struct unit *u);
/* u's abbreviation table, parsed once and shared; NULL when bad. */
struct atab *dw_atab_get(struct fg_dw *dw, struct unit *u);
/* The abbreviation of code in t, or NULL. */
const struct abbrev *dw_abbrev_find(const struct atab *t, uint64_t code);
/* Read the attributes of a DIE whose code (a) was just read at c. */
int dw_die_read(struct cur *c, const struct unit *u, const struct atab *t,
    const struct abbrev *a, struct die *d);
/*
 * Call fn for each range of a DIE, as dwarf_ranges gives them: low and
 * high pc, else DW_AT_ranges.  A bad list ends early.  fn's -1 is ours.
 */
int dw_ranges_each(struct fg_dw *dw, const struct unit *u,
    const struct pcs *pc, range_fn fn, void *arg);
/* The unit holding .debug_info offset off, or NULL. */
struct unit *dw_unit_of(struct fg_dw *dw, uint64_t off);
/* Section i's bytes, read or inflated on first use; NULL when none. */
const struct sect *dw_sect(struct fg_dw *dw, int i);

#endif
