/*
 * symbolize-dwarf.c: the name addr2line gives an address and the chain of
 * functions inlined there, from dwarfidx's per-unit index: a unit is
 * indexed once, on the first address that falls in it, then a lookup is
 * a binary search and a short scan.  Names are demangled once and cached
 * by DIE offset in their own arena (dwarena), apart from the symbol
 * tables, so one thread may look up symbols while another reads DWARF.
 */

#include <link.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "demangle.h"
#include "dwarfidx.h"
#include "symbolize.h"
#include "symbolize-int.h"

/* ---- DWARF inline chains ------------------------------------------- */

/*
 * Who names DIEs: the build id of the object this code is in (the
 * library, or a program it is linked into), hashed; 0 when it has none.
 * Kept names are used only by the same namer: another build may
 * demangle or pick names otherwise.
 */
static uint64_t namer;
static pthread_once_t namer_once = PTHREAD_ONCE_INIT;

/* The build id in the notes of the object holding namer (dl_iterate_phdr). */
static int
namer_note(struct dl_phdr_info *info, size_t size, void *arg)
{
	uintptr_t self = (uintptr_t)arg;
	const ElfW(Phdr) *ph = info->dlpi_phdr;
	int i, mine = 0;

	(void)size;
	for (i = 0; i < info->dlpi_phnum && !mine; i++)
		mine = ph[i].p_type == PT_LOAD &&
		    self - (info->dlpi_addr + ph[i].p_vaddr) < ph[i].p_memsz;
	for (i = 0; i < info->dlpi_phnum && mine; i++) {
		const unsigned char *p, *end;

		if (ph[i].p_type != PT_NOTE)
			continue;
		p = (const unsigned char *)(info->dlpi_addr + ph[i].p_vaddr);
		end = p + ph[i].p_memsz;
		while (end - p >= 12) {
			uint32_t nsz, dsz, type;
			size_t na, da;

			memcpy(&nsz, p, 4);
			memcpy(&dsz, p + 4, 4);
			memcpy(&type, p + 8, 4);
			na = ((size_t)nsz + 3) & ~(size_t)3;
			da = ((size_t)dsz + 3) & ~(size_t)3;
			if (na > (size_t)(end - p - 12) ||
			    da > (size_t)(end - p - 12) - na)
				break;
			if (type == NT_GNU_BUILD_ID && nsz == 4 &&
			    memcmp(p + 12, "GNU", 4) == 0 && dsz > 0) {
				namer = base_hash(p + 12 + na, dsz) | 1;
				return 1;
			}
			p += 12 + na + da;
		}
	}
	return mine;
}

static void
namer_init(void)
{
	(void)dl_iterate_phdr(namer_note, (void *)&namer);
}

uint64_t
sym_namer(void)
{
	if (pthread_once(&namer_once, namer_init) != 0)
		return 0;
	return namer;
}

/* The reader is dwarfidx.c; the debug file first, else the file. */
void
sym_dwarf_open(struct fg_dso *d)
{
	if (d->dwarf_tried)
		return;
	d->dwarf_tried = 1;
	sym_dso_load(d);
	if (d->delf != NULL)
		d->dw = dw_open(d->delf);
	if (d->dw == NULL && d->elf != NULL)
		d->dw = dw_open(d->elf);
	/*
	 * The second helper's .debug_info first: the unit index's key
	 * (dw_cache_load_cus) reads it, which would otherwise inflate or
	 * map and check it here a second time.
	 */
	sym_pfi_take(d);
	if (d->dw != NULL && d->s->cache_dir[0] != '\0') {
		char bid[2 * 64 + 1];

		sym_elf_bid_hex(d->delf != NULL && dw_elf(d->dw) == d->delf ?
		    d->delf : d->elf, bid, sizeof(bid));
		dw_set_cache(d->dw, d->s->cache_dir, bid);
		d->ncus = d->capcus = d->ncached =
		    dw_cache_load_cus(d->dw, &d->cus);
		dw_units_known(d->dw, d->cus, d->ncached);
		dw_cache_load_names(d->dw, sym_namer(), &d->kept);
	}
}

static int
func_cmp(const void *a, const void *b)
{
	const struct fg_dw_func *x = a, *y = b;

	if (x->lo != y->lo)
		return x->lo < y->lo ? -1 : 1;
	return (x->hi > y->hi) - (x->hi < y->hi);
}

static struct fg_dw_cu *
cu_index(struct fg_dso *d, uint64_t off)
{
	struct fg_dw_cu *c;
	size_t i;

	for (i = 0; i < d->ncus; i++)
		if (d->cus[i].off == off)
			return d->cus[i].failed ? NULL : &d->cus[i];
	if (d->ncus == d->capcus) {
		if ((c = base_grow(d->cus, &d->capcus, d->ncus + 1, sizeof(*c),
		    16)) == NULL)
			return NULL;
		d->cus = c;
	}
	c = &d->cus[d->ncus++];
	memset(c, 0, sizeof(*c));
	if (dw_index(d->dw, off, c) != 0) {
		c->failed = 1;
		c->nfuncs = c->ninls = 0;
		return NULL;
	}
	if (c->nfuncs > 1)
		qsort(c->funcs, c->nfuncs, sizeof(*c->funcs), func_cmp);
	return c;
}

/* The name cached under key (DIE offsets; symbols: A2L_KEY | index). */
static const char *
name_find(const struct fg_dso *d, uint64_t key)
{
	size_t h;

	if (d->namecap == 0)
		return NULL;
	for (h = (size_t)(key * 0x9e3779b97f4a7c15ULL) & (d->namecap - 1);
	    d->names[h].name != NULL; h = (h + 1) & (d->namecap - 1))
		if (d->names[h].off == key)
			return d->names[h].name;
	return NULL;
}

/* Keep n under key (not there yet); n is returned. */
static const char *
name_put(struct fg_dso *d, uint64_t key, const char *n)
{
	size_t h, i;

	if (d->nnames * 2 >= d->namecap) {
		size_t nc = d->namecap ? d->namecap * 2 : 1024;
		struct namecache *t = base_zalloc(nc, sizeof(*t));
		if (t == NULL)
			return n;
		for (i = 0; i < d->namecap; i++) {
			if (d->names[i].name == NULL)
				continue;
			for (h = (size_t)(d->names[i].off * 0x9e3779b97f4a7c15ULL) &
			    (nc - 1); t[h].name != NULL; h = (h + 1) & (nc - 1))
				;
			t[h] = d->names[i];
		}
		free(d->names);
		d->names = t;
		d->namecap = nc;
	}
	for (h = (size_t)(key * 0x9e3779b97f4a7c15ULL) & (d->namecap - 1);
	    d->names[h].name != NULL; h = (h + 1) & (d->namecap - 1))
		;
	d->names[h].off = key;
	d->names[h].name = n;
	d->nnames++;
	return n;
}

/* raw demangled into dwarena (raw itself when not mangled, or no memory). */
static const char *
dw_demangle(struct fg_dso *d, const char *raw)
{
	const char *n = raw;
	char *dm;

	if ((dm = dm_demangle(raw)) != NULL) {
		if ((n = arena_strndup(&d->dwarena, dm, strlen(dm))) == NULL)
			n = raw;
		free(dm);
	}
	return n;
}

/*
 * The name of die, whose abstract origin reference (or itself) the index
 * noted as key: the name lives on the origin, cached by its offset.
 */
static const char *
die_name(struct fg_dso *d, uint64_t die, uint64_t key)
{
	const char *n = NULL;

	if ((n = name_find(d, key)) != NULL)
		return n;
	if ((n = dw_names_find(&d->kept, key)) != NULL)
		return name_put(d, key, n);
	/* a reference to no DIE: die's own name, as libdw would */
	if (dw_name(d->dw, dw_origin(d->dw, die), &n) == 1)
		n = dw_demangle(d, n);
	if (n == NULL)
		n = "[unknown]";
	d->nmade++;
	return name_put(d, key, n);
}

void
sym_dwarf_keep_names(struct fg_dso *d)
{
	uint64_t *keys = NULL;
	const char **names = NULL;
	size_t i, n = 0;

	if (d->nmade > 0 && d->dw != NULL &&
	    (keys = reallocarray(NULL, d->nnames, sizeof(*keys))) != NULL &&
	    (names = reallocarray(NULL, d->nnames, sizeof(*names))) != NULL) {
		for (i = 0; i < d->namecap; i++)
			if (d->names[i].name != NULL &&
			    !(d->names[i].off & A2L_KEY)) {
				keys[n] = d->names[i].off;
				names[n++] = d->names[i].name;
			}
		dw_cache_store_names(d->dw, sym_namer(), &d->kept, keys,
		    names, n);
	}
	free(keys);
	free(names);
	dw_names_free(&d->kept);
}

/* The symbol at index k's binutils pick, demangled and cached. */
static const char *
a2l_name(struct fg_dso *d, size_t k)
{
	const char *n;

	if ((n = name_find(d, A2L_KEY | k)) != NULL)
		return n;
	return name_put(d, A2L_KEY | k, dw_demangle(d, d->syms[k].a2l));
}

/*
 * addr2line's name for addr when no DWARF subprogram holds it: binutils'
 * pick of the aliases of the nearest symbol at or before it, which need
 * not reach it (NULL: none, or a PLT entry, whose synthesized name
 * stands).
 */
static const char *
a2l_symbol(struct fg_dso *d, uint64_t addr)
{
	size_t k;

	if (sym_in_plt(d, addr) || (k = sym_before(d, addr)) == 0)
		return NULL;
	return a2l_name(d, k - 1);
}

/*
 * The subprogram of unit c holding addr, or NULL.  Ranges rarely
 * overlap; of the few before that hold addr, the smallest, and of equal
 * ones (gas gives each alias of an assembler function its own
 * subprogram) the last in the unit, as binutils.
 */
static struct fg_dw_func *
dw_func_at(struct fg_dw_cu *c, uint64_t addr)
{
	struct fg_dw_func *f = NULL;
	size_t lo = 0, hi = c->nfuncs, i;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->funcs[mid].lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (i = lo; i > 0 && lo - i < 8; i--) {
		struct fg_dw_func *g = &c->funcs[i - 1];

		if (addr >= g->hi)
			continue;
		if (f == NULL || g->hi - g->lo < f->hi - f->lo ||
		    (g->hi - g->lo == f->hi - f->lo && g->die > f->die))
			f = g;
	}
	return f;
}

size_t
dso_inlines(struct fg_dso *d, uint64_t addr, const char **func,
    const char **names, size_t max)
{
	struct fg_dw_cu *c = NULL;
	struct fg_dw_func *f = NULL;
	uint64_t cu;
	size_t i, n = 0;

	*func = NULL;
	if (d->kind != FG_DSO_FILE)
		return 0;
	sym_dso_ready_dw(d);
	sym_dwarf_open(d);
	sym_pfi_take(d);
	if (d->dw != NULL && dw_cu_at(d->dw, addr, &cu) == 0 &&
	    (c = cu_index(d, cu)) != NULL)
		f = dw_func_at(c, addr);
	if (f == NULL) {
		*func = a2l_symbol(d, addr);
		return 0;
	}
	*func = die_name(d, f->die, f->origin);
	for (i = f->inl_first; i < f->inl_first + f->inl_n; i++) {
		struct fg_dw_inl *e = &c->inls[i];
		if (addr < e->lo || addr >= e->hi || e->depth > n ||
		    e->depth >= max)
			continue;
		names[e->depth] = die_name(d, e->die, e->origin);
		n = e->depth + 1;
	}
	return n;
}
