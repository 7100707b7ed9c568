/*
 * symbolize-int.h: what the symbolize-*.c family shares and no one
 * else sees: the per-file object (struct fg_dso), the symbolizer, and the
 * steps one file of the family does for the others.  Which thread may
 * touch which field is said at the fields and in symbolize-prefetch.c.
 */
#ifndef FG_SYMBOLIZE_INT_H
#define FG_SYMBOLIZE_INT_H

#include <sys/types.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include <gelf.h>
#include <libelf.h>

#include "base.h"
#include "dwarfidx.h"
#include "symbolize.h"

struct sym {
	uint64_t start;
	uint64_t end;
	const char *raw;	/* as in the table */
	const char *name;	/* demangled, on first use */
	const char *module;	/* kallsyms: "[mod]" or NULL */
	const char *a2l;	/* binutils' pick of the aliases here (raw) */
	uint32_t order;
	uint8_t bind;
	uint8_t notype;		/* STT_NOTYPE: a label */
};

struct load {
	uint64_t off;
	uint64_t vaddr;
	uint64_t filesz;
};

struct kent {			/* for sorting an unsorted kallsyms */
	uint64_t start;
	uint32_t off;
};

#define KMOD	0x80000000u	/* in koffs: a module's symbol */
#define KSTEP	4		/* kstarts: the address of every 4th */

struct kname {
	size_t idx;
	const char *name;
};

struct namecache {
	uint64_t off;
	const char *name;
};

struct fg_dso {
	struct fg_dso *next;
	struct fg_symbolizer *s;
	enum fg_dso_kind kind;
	char *path;
	uint32_t pid;
	int loaded;
	int fd;
	int dfd;
	Elf *elf;
	Elf *delf;
	struct fg_dw *dw;
	int dwarf_tried;
	struct load *loads;
	size_t nloads;
	struct sym *syms;
	size_t nsyms;
	struct sym *plts;	/* synthesized NAME@plt entries, in order */
	size_t nplts;
	struct fg_dw_cu *cus;
	size_t ncus;
	size_t capcus;
	size_t ncached;		/* cus[0..ncached) from the cache: mapped */
	const char *kbuf;	/* kallsyms text (read, or kmap) */
	size_t kbuflen;
	void *kmap;
	size_t kmaplen;
	uint32_t *koffs;	/* line offsets in kbuf, | KMOD */
	size_t nkents;
	uint64_t *kstarts;	/* kaddr(i * KSTEP) */
	int kidx_mapped;	/* koffs and kstarts lie in kmap (our copy) */
	uint64_t klo, khi;	/* the last lookup's entry holds [klo, khi) */
	size_t kidx;		/* that entry + 1; 0: none */
	struct kname *knames;	/* cut out on first use, by index */
	size_t knmask;
	size_t nknames;
	struct namecache *names;
	size_t namecap;
	size_t nnames;
	struct dw_names kept;	/* names of earlier runs (dwarfidx-cache.c) */
	size_t nmade;		/* names made this run, not kept ones */
	/* the symbol table's cache file (symbolize-symcache.c) */
	void *stmap;		/* the table came from it: mapped */
	size_t stmaplen;
	int stsrc;		/* made this run from table ST_SRC_*: keep it */
	int stfail;		/* out of memory while made: not kept */
	char stbid[2 * 64 + 1];
	struct fg_arena arena;
	/*
	 * Inline names: their own arena, so that one thread may look up
	 * symbols while another looks up inline chains (dso_inlines).
	 */
	struct fg_arena dwarena;

	const struct fg_warn *wp;	/* where warnings go */
	int pf;			/* queued for the helper (main's view) */
	int pf_state;		/* PF_*, under s->pf_mu */
	int pfi;		/* its .debug_info is inflated ahead */
	int pf_dw;		/* the helper may still be on its DWARF */
	struct fg_warn pf_warn;	/* the helper's: keeps them for later */
	char *pf_msgs;		/* NUL-separated held warnings */
	size_t pf_len;
};

/*
 * PF_SYMS: the helper loaded the symbols and is on the DWARF sections:
 * the main thread may look up symbols (the two use disjoint fields;
 * the DWARF steps warn about nothing), not inline chains.
 */
#define A2L_KEY	(UINT64_C(1) << 63)	/* name cache keys of symbols */

enum { PF_QUEUED = 1, PF_RUNNING, PF_SYMS, PF_DONE, PF_TAKEN };

struct buildid {
	struct buildid *next;
	char *path;
	char hex[2 * 64 + 1];
};

/*
 * The recording's build ids: a list the thread that reads the recording
 * prepends to (sym_add_buildid), also while the lookup worker and the
 * prefetch helper read it (an MMAP2 record met late in the walk), so the
 * head is atomic and an entry is never changed once in the list.
 */
typedef _Atomic(struct buildid *) fg_bid_list;

struct fg_symbolizer {
	struct fg_warn warn;
	struct fg_dso *dsos;
	struct fg_dso *kernel;
	struct fg_dso *vdso;
	fg_bid_list bids;
	char kernel_bid[2 * 64 + 1];
	uint64_t ktext;		/* the recording's _text address; 0: unknown */
	char debug_dir[2048];
	char cache_dir[2048];	/* inflated DWARF sections (dwarfidx.c) */
	int recording_only;	/* no file, no vdso image is read */

	pthread_mutex_t pf_mu;
	pthread_cond_t pf_cv;
	pthread_t pf_th;
	int pf_running;
	int pf_stop;
	int pf_dwarf;		/* the helper opens DWARF too */
	int pf_late;		/* ... after all the symbols */
	struct fg_dso **pf_q;
	size_t pf_n;

	/*
	 * A second helper inflates the biggest debug file's .debug_info on
	 * its own Elf while the first loads symbols and the small sections:
	 * its fields are its own until it is joined (pfi_take).
	 */
	pthread_t pfi_th;
	int pfi_running;	/* started, not joined */
	char pfi_path[4096];
	dev_t pfi_dev;
	ino_t pfi_ino;
	struct dw_info pfi_info;
};

/* The first entry of s's build-id list (any thread). */
static inline struct buildid *
sym_bids(const struct fg_symbolizer *s)
{
	return atomic_load_explicit((fg_bid_list *)(uintptr_t)&s->bids,
	    memory_order_acquire);
}


/* ---- symbolize.c: the file objects and their symbol tables ------------ */

/* A new file object of kind for path, on s's list; NULL: no memory. */
struct fg_dso *sym_dso_new(struct fg_symbolizer *s, enum fg_dso_kind kind,
    const char *path);
/* Load d's symbols (and program headers) once, by its kind. */
void sym_dso_load(struct fg_dso *d);
/* y's name, demangled on first use into d's arena (y->raw without memory). */
const char *sym_name(struct fg_dso *d, struct sym *y);
/* Append a symbol to d->syms (cap: its capacity): 0, or -1 out of memory. */
int sym_push(struct fg_dso *d, size_t *cap, uint64_t start, uint64_t size,
    const char *raw, const char *module, int bind, int notype);
/* The index + 1 of the symbol with the greatest start <= addr, or 0. */
size_t sym_before(const struct fg_dso *d, uint64_t addr);
/* Whether addr lies in d's synthesized NAME@plt entries. */
static inline int
sym_in_plt(const struct fg_dso *d, uint64_t addr)
{
	return d->nplts > 0 && addr >= d->plts[0].start &&
	    addr < d->plts[d->nplts - 1].end;
}
/*
 * Sort d->syms (unless sorted), give zero-sized symbols the room up to
 * the next one, resolve aliases (kallsyms: perf's rules for it).
 */
void sym_finish(struct fg_dso *d, int kallsyms, int sorted);

/* ---- symbolize-elf.c: ELF files, debug files, PLT, vdso -------------- */

/* Load an FG_DSO_FILE: the file (or perf's cached copy), its debug file. */
void sym_load_file(struct fg_dso *d);
/* Load the [vdso] image of this machine. */
void sym_load_vdso(struct fg_dso *d);
/* e's build id as hex into hex (cap bytes); "" when it has none. */
void sym_elf_bid_hex(Elf *e, char *hex, size_t cap);

/* ---- symbolize-kallsyms.c: the kernel's symbols ---------------------- */

/* Index kallsyms (perf's cached copy, else /proc/kallsyms); warns. */
void sym_load_kallsyms(struct fg_dso *d);
/* The kernel symbol holding addr (its module in *module), or NULL. */
const char *sym_kernel_symbol(struct fg_dso *d, uint64_t addr,
    const char **module);

/* ---- symbolize-dwarf.c: inline chains -------------------------------- */

/* Open d's DWARF (debug file first) once, with its cached unit index. */
void sym_dwarf_open(struct fg_dso *d);
/*
 * Before d is freed: the names of DIEs made this run, with the kept
 * ones, back to the cache; the kept ones let go.
 */
void sym_dwarf_keep_names(struct fg_dso *d);
/*
 * Who names things (symbols' aliases, demangled names): a hash of the
 * build id of the object this code is in, 0 when it has none (then
 * nothing named is kept in the cache).
 */
uint64_t sym_namer(void);

/* ---- symbolize-symcache.c: finished symbol tables kept ---------------- */

/* Which table a file's symbols come from. */
enum { ST_SRC_DEBUG = 1, ST_SRC_SYMTAB, ST_SRC_DYNSYM };
/*
 * d's finished symbol table and PLT entries from the cache (the file
 * whose build id is bid, its symbols from table src): 0 with d->syms,
 * d->nsyms, d->plts, d->nplts set, or -1 (d untouched).
 */
int sym_cache_load(struct fg_dso *d, const char *bid, int src);
/* Before d is freed: keep the table made this run (d->stsrc != 0). */
void sym_cache_store(struct fg_dso *d);

/* ---- symbolize-prefetch.c: the helper threads ------------------------ */

/* Before the main thread uses d's symbols: take it back from the helper. */
void sym_dso_ready(struct fg_dso *d);
/* Before the main thread uses d's DWARF: as sym_dso_ready, and its DWARF. */
void sym_dso_ready_dw(struct fg_dso *d);
/* By the thread that has d with its DWARF open: adopt what was inflated. */
void sym_pfi_take(struct fg_dso *d);

#endif
