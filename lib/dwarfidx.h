/*
 * dwarfidx.h: a small DWARF 2-5 reader for inline chains (internal).
 * It finds the compilation unit holding an address, indexes a unit's
 * subprograms and inlined subroutines, and names a DIE the way
 * addr2line does.  Sections come straight from the ELF mapping, or are
 * inflated by us when compressed; nothing else of libdw is needed.
 */
#ifndef FG_DWARFIDX_H
#define FG_DWARFIDX_H

#include <stddef.h>
#include <stdint.h>

#include <libelf.h>

struct fg_dw;

/* An inlined subroutine's range, at depth under its subprogram. */
struct fg_dw_inl {
	uint64_t lo;
	uint64_t hi;
	uint64_t die;		/* .debug_info offset */
	uint64_t origin;	/* what its abstract origin names, or die */
	uint32_t depth;
};

/* A subprogram's range and its inlined subroutines inls[first..+n). */
struct fg_dw_func {
	uint64_t lo;
	uint64_t hi;
	uint64_t die;
	uint64_t origin;
	size_t inl_first;
	size_t inl_n;
};

/* The index of one unit: funcs as found (the caller sorts them). */
struct fg_dw_cu {
	uint64_t off;		/* of the unit header */
	struct fg_dw_func *funcs;
	size_t nfuncs;
	size_t capfuncs;
	struct fg_dw_inl *inls;
	size_t ninls;
	size_t capinls;
	int failed;
};

/* NULL when e has no .debug_info we can read (or no memory). */
struct fg_dw	*dw_open(Elf *e);
void		 dw_free(struct fg_dw *);
/* Do the costly part now: inflate the sections, build the CU table. */
void		 dw_prepare(struct fg_dw *);
/* Only the sections other than .debug_info. */
void		 dw_prepare_small(struct fg_dw *);
/*
 * Keep inflated sections in, and take them from, cache_root/bid/ (see
 * dwarfidx.c); nothing when cache_root is NULL or "" or bid is not a
 * lowercase hex build id.
 */
/* The ELF it reads. */
Elf		*dw_elf(const struct fg_dw *);
void		 dw_set_cache(struct fg_dw *, const char *cache_root,
		    const char *bid);
/*
 * A .debug_info made ready by another thread: inflated (own, malloc'd)
 * or mapped from the cache and checked (map, maplen bytes); its bytes
 * are p[0..n).
 */
struct dw_info {
	void *own;
	void *map;
	size_t maplen;
	const uint8_t *p;
	size_t n;
};
/*
 * e's compressed .debug_info into *out, for a second thread to do ahead
 * on its own Elf of the same file: from the cache as dw_set_cache says
 * (mapped and checked), else inflated and kept in the cache: 0; -1
 * (also when it is not compressed).
 */
int		 dw_inflate_info(Elf *e, const char *cache_root,
		    const char *bid, struct dw_info *out);
/*
 * Take *in as .debug_info if it is not read yet and the size fits: 0
 * (*in is then the reader's: emptied), -1 (*in left as it was).
 */
int		 dw_adopt_info(struct fg_dw *, struct dw_info *in);
/* What *in holds, let go; *in emptied. */
void		 dw_info_free(struct dw_info *in);
/*
 * The unit indexes kept in the cache (see dw_set_cache) for this
 * file: their number, and *cus (malloc'd; the funcs and inls in them
 * are read-only, mapped, and live as long as the fg_dw).  0 and NULL
 * when none.
 */
size_t		 dw_cache_load_cus(struct fg_dw *, struct fg_dw_cu **cus);
/* Keep cus[0..n) (funcs sorted) in the cache, in place of what was. */
void		 dw_cache_store_cus(struct fg_dw *, const struct fg_dw_cu *cus,
		    size_t n);
/*
 * Units the cached index holds (not failed) parsed their unit DIE when
 * they were indexed: noted so, dw_cu_at() does not parse their
 * abbreviations again only to check that DIE.
 */
void		 dw_units_known(struct fg_dw *, const struct fg_dw_cu *cus,
		    size_t n);

/*
 * Names of DIEs kept from earlier runs (DIR/BUILD-ID/names): what the
 * caller made of a DIE offset (key), as of the namer `salt` identifies.
 * Entries sorted by key, each name NUL-terminated in blob.
 */
struct dw_name_ent {
	uint64_t key;
	uint64_t off;		/* of the name in blob */
};
struct dw_names {
	const struct dw_name_ent *e;
	size_t n;
	const char *blob;
	void *map;
	size_t maplen;
};
/* Map the file into *nm (zeroed when there is none fit to use). */
void		 dw_cache_load_names(struct fg_dw *, uint64_t salt,
		    struct dw_names *nm);
/* The name kept under key, or NULL. */
const char	*dw_names_find(const struct dw_names *nm, uint64_t key);
/*
 * Keep old's entries and keys[0..n) with their names (sorted by the
 * callee; a key in both keeps old's), whole, in place of what was.
 */
void		 dw_cache_store_names(struct fg_dw *, uint64_t salt,
		    const struct dw_names *old, const uint64_t *keys,
		    const char *const *names, size_t n);
void		 dw_names_free(struct dw_names *nm);

/* The unit holding addr: 0 and *cu (a unit offset), or -1. */
int		 dw_cu_at(struct fg_dw *, uint64_t addr, uint64_t *cu);
/* Fill c (zeroed by the caller) for the unit at cu: 0, or -1. */
int		 dw_index(struct fg_dw *, uint64_t cu, struct fg_dw_cu *c);
/*
 * What the reader did, for tests: abbreviation tables parsed (each at
 * most once, failed ones too) and the bytes that cost; and whether the
 * file's budget for them ran out (then no more are parsed: bad data
 * bounds the work, see dwarfidx.c).
 */
struct fg_dw_stats {
	uint64_t abbrev_parses;
	uint64_t abbrev_bytes;
	int abbrev_budget_hit;
};
void		 dw_get_stats(const struct fg_dw *, struct fg_dw_stats *);
/* The DIE naming die: its abstract origin, else die itself. */
uint64_t	 dw_origin(struct fg_dw *, uint64_t die);
/*
 * die's linkage name (1), else its name (2), following abstract
 * origins and specifications; 0 and NULL when none.  The string lives
 * as long as the fg_dw.
 */
int		 dw_name(struct fg_dw *, uint64_t die, const char **name);

#endif
