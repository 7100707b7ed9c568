/*
 * symbolize.c: ELF symbols, DWARF inline chains, kallsyms, vdso and JIT
 * maps behind one cache per file.  Symbol tables follow perf's rules so
 * names match `perf script`: function symbols of executable sections
 * from the best table (separate debug file, .symtab, .dynsym), aliases
 * at one address resolved by perf's preferences, zero-sized symbols
 * reaching to the next one.  Inline chains come from an index built once
 * per compilation unit that a looked-up address falls in: the ranges of
 * its subprograms, and under each the ranges of its inlined subroutines
 * in tree order, so a lookup is a binary search and a short scan, never
 * a walk of the DIE tree.  Every name is demangled once.  Files a
 * recording names by build id can be loaded ahead by one helper thread
 * (sym_prefetch); each object is then used by one thread at a time,
 * except that symbol lookups may go on while one other thread works on
 * the same file's DWARF (PF_SYMS, dso_inlines).
 *
 * The family: this file keeps the file objects, their symbol tables and
 * lookups (and JIT maps); symbolize-elf.c reads ELF and debug files,
 * symbolize-kallsyms.c the kernel's symbols, symbolize-dwarf.c names and
 * inline chains, symbolize-prefetch.c runs the helper threads
 * (symbolize-int.h: what they share).
 */

#include <sys/mman.h>
#include <sys/stat.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gelf.h>
#include <libelf.h>

#include "base.h"
#include "demangle.h"
#include "dwarfidx.h"
#include "frame.h"
#include "symbolize.h"
#include "symbolize-int.h"

struct fg_symbolizer *
sym_new(const struct fg_warn *warn)
{
	struct fg_symbolizer *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
	atomic_init(&s->bids, NULL);
	if (warn != NULL)
		s->warn = *warn;
	elf_version(EV_CURRENT);
	return s;
}

static void
dso_free(struct fg_dso *d)
{
	size_t i;

	/* units indexed this run: kept with the ones from the cache */
	if (d->ncus > d->ncached)
		dw_cache_store_cus(d->dw, d->cus, d->ncus);
	sym_dwarf_keep_names(d);	/* and the names made */
	sym_cache_store(d);		/* and the symbol table made */
	dw_free(d->dw);
	if (d->delf != NULL)
		elf_end(d->delf);
	if (d->elf != NULL)
		elf_end(d->elf);
	if (d->dfd >= 0)
		close(d->dfd);
	if (d->fd >= 0)
		close(d->fd);
	for (i = d->ncached; i < d->ncus; i++) {
		free(d->cus[i].funcs);
		free(d->cus[i].inls);
	}
	free(d->cus);
	free(d->names);
	free(d->loads);
	free(d->syms);
	free(d->plts);
	free(d->path);
	if (d->kmap != NULL)
		munmap(d->kmap, d->kmaplen);
	else
		free((void *)(uintptr_t)d->kbuf);
	if (!d->kidx_mapped) {
		free(d->koffs);
		free(d->kstarts);
	}
	free(d->knames);
	free(d->pf_msgs);
	arena_free(&d->arena);
	arena_free(&d->dwarena);
	free(d);
}

void
sym_free(struct fg_symbolizer *s)
{
	struct fg_dso *d, *n;
	struct buildid *b, *bn;

	if (s == NULL)
		return;
	if (s->pf_running) {
		pthread_mutex_lock(&s->pf_mu);
		s->pf_stop = 1;
		pthread_mutex_unlock(&s->pf_mu);
		pthread_join(s->pf_th, NULL);
	}
	/* the second helper takes pf_mu too (the kernel's symbols) */
	if (s->pfi_running) {
		pthread_join(s->pfi_th, NULL);
		dw_info_free(&s->pfi_info);
	}
	if (s->pf_running) {
		pthread_mutex_destroy(&s->pf_mu);
		pthread_cond_destroy(&s->pf_cv);
	}
	free(s->pf_q);
	for (d = s->dsos; d != NULL; d = n) {
		n = d->next;
		dso_free(d);
	}
	for (b = sym_bids(s); b != NULL; b = bn) {
		bn = b->next;
		free(b->path);
		free(b);
	}
	free(s);
}

struct fg_dso *
sym_dso_new(struct fg_symbolizer *s, enum fg_dso_kind kind, const char *path)
{
	struct fg_dso *d;

	if ((d = calloc(1, sizeof(*d))) == NULL)
		return NULL;
	if ((d->path = strdup(path)) == NULL) {
		free(d);
		return NULL;
	}
	d->s = s;
	d->wp = &s->warn;
	d->kind = kind;
	d->fd = d->dfd = -1;
	arena_init(&d->arena);
	arena_init(&d->dwarena);
	d->next = s->dsos;
	s->dsos = d;
	return d;
}

enum fg_dso_kind
dso_kind(const struct fg_dso *d)
{
	return d->kind;
}

const char *
dso_path(const struct fg_dso *d)
{
	return d->path;
}

/* ---- symbol tables ------------------------------------------------- */

static int
sym_cmp(const void *a, const void *b)
{
	const struct sym *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->order < y->order ? -1 : x->order > y->order;
}

const char *
sym_name(struct fg_dso *d, struct sym *y)
{
	char *dm;

	if (y->name != NULL)
		return y->name;
	y->name = y->raw;
	if (d->kind != FG_DSO_KERNEL && (dm = dm_demangle(y->raw)) != NULL) {
		const char *c = arena_strndup(&d->arena, dm, strlen(dm));
		free(dm);
		if (c != NULL)
			y->name = c;
	}
	return y->name;
}

/*
 * Of the aliases a and b at one address (a first in the table), 1 when
 * b is the better name: perf's choice (choose_best_symbol, on demangled
 * names) with perf set, else binutils' (names not compared).
 */
static int
alias_b(struct fg_dso *d, struct sym *a, struct sym *b, int perf)
{
	struct frame_alias x[2];
	struct sym *y[2] = { a, b };
	int i;

	for (i = 0; i < 2; i++) {
		x[i].name = perf ? sym_name(d, y[i]) : y[i]->raw;
		x[i].size = y[i]->end - y[i]->start;
		x[i].bind = y[i]->bind;
		x[i].notype = y[i]->notype;
	}
	return perf ? frame_alias_perf(&x[0], &x[1]) :
	    frame_alias_a2l(&x[0], &x[1]);
}

/* A symbol's sort key: where it starts, where it stood in the table. */
struct skey {
	uint64_t start;
	uint32_t order;
	uint32_t idx;
};

/* Byte j of k's key, least significant first: order's 4, start's 8. */
static inline unsigned
skey_byte(const struct skey *k, unsigned j)
{
	return j < 4 ? (k->order >> (8 * j)) & 0xff :
	    (unsigned)(k->start >> (8 * (j - 4))) & 0xff;
}

/*
 * y[0..n) in sym_cmp's order (start, then place in the table: each
 * pair is unique, so this is the order qsort gives): an LSD radix sort
 * of small keys over the bytes that differ (a table's addresses share
 * their high bytes), then one move of the entries.  libc's 6,818
 * symbols: 0.56 ms with qsort.  0, or -1 when out of memory (y as it
 * was).
 */
static int
sym_sort(struct sym *y, size_t n)
{
	struct skey *k, *t, *x;
	struct sym *out;
	size_t cnt[256], i, sum;
	unsigned j, b;

	if ((k = reallocarray(NULL, n, 2 * sizeof(*k))) == NULL)
		return -1;
	if ((out = reallocarray(NULL, n, sizeof(*out))) == NULL) {
		free(k);
		return -1;
	}
	t = k + n;
	for (i = 0; i < n; i++) {
		k[i].start = y[i].start;
		k[i].order = y[i].order;
		k[i].idx = (uint32_t)i;
	}
	for (j = 0; j < 12; j++) {
		memset(cnt, 0, sizeof(cnt));
		for (i = 0; i < n; i++)
			cnt[skey_byte(&k[i], j)]++;
		if (cnt[skey_byte(&k[0], j)] == n)
			continue;	/* one value: the order holds */
		for (b = 0, sum = 0; b < 256; b++) {
			size_t c = cnt[b];
			cnt[b] = sum;
			sum += c;
		}
		for (i = 0; i < n; i++)
			t[cnt[skey_byte(&k[i], j)]++] = k[i];
		x = k;
		k = t;
		t = x;
	}
	for (i = 0; i < n; i++)
		out[i] = y[k[i].idx];
	memcpy(y, out, n * sizeof(*y));
	free(k < t ? k : t);
	free(out);
	return 0;
}

/*
 * Sort, give zero-sized symbols the room up to the next one, drop
 * aliases.  kallsyms: ends first, then duplicates (perf's order there).
 */
void
sym_finish(struct fg_dso *d, int kallsyms, int sorted)
{
	size_t i, o;
	struct sym *y = d->syms, a2lbest;

	if (d->nsyms == 0)
		return;
	if (!sorted && (d->nsyms > UINT32_MAX || sym_sort(y, d->nsyms) != 0))
		qsort(y, d->nsyms, sizeof(*y), sym_cmp);
	if (kallsyms) {
		for (i = 0; i + 1 < d->nsyms; i++) {
			if (y[i].end != y[i].start)
				continue;
			if ((y[i].module == NULL) != (y[i + 1].module == NULL))
				y[i].end = ((y[i].end + 4096) + 4095) & ~(uint64_t)4095;
			else
				y[i].end = y[i + 1].start;
		}
	}
	for (i = 0, o = 0; i < d->nsyms; i++) {
		if (o > 0 && y[o - 1].start == y[i].start) {
			const char *a2l = y[o - 1].a2l;

			if (!kallsyms && alias_b(d, &a2lbest, &y[i], 0)) {
				a2l = y[i].raw;
				a2lbest = y[i];
			}
			if (alias_b(d, &y[o - 1], &y[i], 1))
				y[o - 1] = y[i];
			y[o - 1].a2l = a2l;
			continue;
		}
		a2lbest = y[i];
		y[o++] = y[i];
	}
	d->nsyms = o;
	if (!kallsyms) {
		for (i = 0; i + 1 < d->nsyms; i++)
			if (y[i].end == y[i].start)
				y[i].end = y[i + 1].start;
	}
	i = d->nsyms - 1;
	if (y[i].end == y[i].start)
		y[i].end = (y[i].start & ~(uint64_t)4095) + 4096;
}

int
sym_push(struct fg_dso *d, size_t *cap, uint64_t start, uint64_t size,
    const char *raw, const char *module, int bind, int notype)
{
	struct sym *y;

	if (d->nsyms == *cap) {
		if ((y = base_grow(d->syms, cap, d->nsyms + 1, sizeof(*y),
		    1024)) == NULL)
			return -1;
		d->syms = y;
	}
	y = &d->syms[d->nsyms];
	y->start = start;
	y->end = start + size;
	y->raw = raw;
	y->name = NULL;
	y->module = module;
	y->a2l = raw;
	y->order = (uint32_t)d->nsyms;
	y->bind = (uint8_t)bind;
	y->notype = (uint8_t)notype;
	d->nsyms++;
	return 0;
}

static void
load_jitmap(struct fg_dso *d)
{
	FILE *fp;
	char *line = NULL;
	size_t cap = 0, scap = 0;
	struct stat sb;
	int fd;

	/* /tmp/perf-PID.map, named by the recording: a regular file only */
	if ((fd = open_regular(d->path, &sb)) < 0)
		return;
	if ((fp = fdopen(fd, "r")) == NULL) {
		close(fd);
		return;
	}
	while (getline(&line, &cap, fp) > 0) {
		char *p = line, *e;
		unsigned long long start, size;
		size_t l;

		start = strtoull(p, &e, 16);
		if (e == p || *e != ' ')
			continue;
		p = e + 1;
		size = strtoull(p, &e, 16);
		if (e == p || *e != ' ')
			continue;
		p = e + 1;
		l = strcspn(p, "\n");
		if ((p = arena_strndup(&d->arena, p, l)) == NULL)
			break;
		if (sym_push(d, &scap, start, size, p, NULL, STB_GLOBAL, 0) != 0)
			break;
	}
	free(line);
	fclose(fp);
	for (size_t i = 0; i < d->nsyms; i++)
		d->syms[i].name = d->syms[i].raw;
	sym_finish(d, 0, 0);
}

void
sym_dso_load(struct fg_dso *d)
{
	if (d->loaded)
		return;
	d->loaded = 1;
	if (d->s->recording_only)
		return;
	switch (d->kind) {
	case FG_DSO_KERNEL:
		sym_load_kallsyms(d);
		return;
	case FG_DSO_JITMAP:
		load_jitmap(d);
		return;
	case FG_DSO_VDSO:
		sym_load_vdso(d);
		return;
	case FG_DSO_FILE:
		sym_load_file(d);
		return;
	}
}

struct fg_dso *
sym_dso(struct fg_symbolizer *s, const char *path)
{
	struct fg_dso *d;

	for (d = s->dsos; d != NULL; d = d->next)
		if ((d->kind == FG_DSO_FILE || d->kind == FG_DSO_VDSO) &&
		    strcmp(d->path, path) == 0)
			return d;
	return sym_dso_new(s, strcmp(path, "[vdso]") == 0 ? FG_DSO_VDSO :
	    FG_DSO_FILE, path);
}

struct fg_dso *
sym_kernel(struct fg_symbolizer *s)
{
	if (s->kernel == NULL)
		s->kernel = sym_dso_new(s, FG_DSO_KERNEL, "[kernel.kallsyms]");
	return s->kernel;
}

struct fg_dso *
sym_jitmap(struct fg_symbolizer *s, uint32_t pid)
{
	struct fg_dso *d;
	char path[64];
	struct stat sb;

	snprintf(path, sizeof(path), "/tmp/perf-%u.map", pid);
	for (d = s->dsos; d != NULL; d = d->next)
		if (d->kind == FG_DSO_JITMAP && d->pid == pid)
			return d->path[0] != '\0' ? d : NULL;
	if (s->recording_only || stat(path, &sb) != 0 || !S_ISREG(sb.st_mode))
		path[0] = '\0';
	if ((d = sym_dso_new(s, FG_DSO_JITMAP, path)) == NULL)
		return NULL;
	d->pid = pid;
	return d->path[0] != '\0' ? d : NULL;
}

int
dso_addr(struct fg_dso *d, uint64_t ip, uint64_t map_start,
    uint64_t pgoff, uint64_t *addr)
{
	uint64_t off;
	size_t i;

	if (d->kind == FG_DSO_KERNEL || d->kind == FG_DSO_JITMAP) {
		*addr = ip;
		return 0;
	}
	sym_dso_ready(d);
	sym_dso_load(d);
	off = ip - map_start + pgoff;
	for (i = 0; i < d->nloads; i++) {
		const struct load *l = &d->loads[i];
		if (off >= l->off && off - l->off < l->filesz) {
			*addr = off - l->off + l->vaddr;
			return 0;
		}
	}
	return -1;
}

/* The index + 1 of the symbol with the greatest start <= addr, or 0. */
size_t
sym_before(const struct fg_dso *d, uint64_t addr)
{
	size_t lo = 0, hi = d->nsyms;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->syms[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

const char *
dso_symbol(struct fg_dso *d, uint64_t addr, const char **module)
{
	size_t lo;
	struct sym *y;

	sym_dso_ready(d);
	sym_dso_load(d);
	if (module != NULL)
		*module = NULL;
	if (d->kind == FG_DSO_KERNEL)
		return sym_kernel_symbol(d, addr, module);
	/* PLT entries first: a zero-sized symbol before .plt may reach over it */
	if (sym_in_plt(d, addr)) {
		size_t k = (size_t)((addr - d->plts[0].start) /
		    (d->plts[0].end - d->plts[0].start));
		if (k < d->nplts)
			return d->plts[k].name;
	}
	if ((lo = sym_before(d, addr)) == 0)
		return NULL;
	y = &d->syms[lo - 1];
	if (addr >= y->end)
		return NULL;
	if (module != NULL)
		*module = y->module;
	return sym_name(d, y);
}
