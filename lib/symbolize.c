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
 * (fg_sym_prefetch); each object is then used by one thread at a time,
 * except that symbol lookups may go on while one other thread works on
 * the same file's DWARF (PF_SYMS, fg_dso_inlines).
 */
#include <sys/auxv.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gelf.h>
#include <libelf.h>

#include "base.h"
#include "demangle.h"
#include "dwarfidx.h"
#include "symbolize.h"

struct sym {
	uint64_t start;
	uint64_t end;
	const char *raw;	/* as in the table */
	const char *name;	/* demangled, on first use */
	const char *module;	/* kallsyms: "[mod]" or NULL */
	uint32_t order;
	uint8_t bind;
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
	uint64_t klo, khi;	/* the last lookup's entry holds [klo, khi) */
	size_t kidx;		/* that entry + 1; 0: none */
	struct kname *knames;	/* cut out on first use, by index */
	size_t knmask;
	size_t nknames;
	struct namecache *names;
	size_t namecap;
	size_t nnames;
	struct fg_arena arena;
	/*
	 * Inline names: their own arena, so that one thread may look up
	 * symbols while another looks up inline chains (fg_dso_inlines).
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
enum { PF_QUEUED = 1, PF_RUNNING, PF_SYMS, PF_DONE, PF_TAKEN };

static void dso_ready(struct fg_dso *);

struct buildid {
	struct buildid *next;
	char *path;
	char hex[2 * 64 + 1];
};

struct fg_symbolizer {
	struct fg_warn warn;
	struct fg_dso *dsos;
	struct fg_dso *kernel;
	struct fg_dso *vdso;
	struct buildid *bids;
	char kernel_bid[2 * 64 + 1];
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
	void *pfi_buf;
	size_t pfi_len;
};

struct fg_symbolizer *
fg_sym_new(const struct fg_warn *warn)
{
	struct fg_symbolizer *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return NULL;
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
		fg_dw_cache_store_cus(d->dw, d->cus, d->ncus);
	fg_dw_free(d->dw);
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
	free(d->koffs);
	free(d->kstarts);
	free(d->knames);
	free(d->pf_msgs);
	fg_arena_free(&d->arena);
	fg_arena_free(&d->dwarena);
	free(d);
}

void
fg_sym_free(struct fg_symbolizer *s)
{
	struct fg_dso *d, *n;

	if (s == NULL)
		return;
	if (s->pf_running) {
		pthread_mutex_lock(&s->pf_mu);
		s->pf_stop = 1;
		pthread_mutex_unlock(&s->pf_mu);
		pthread_join(s->pf_th, NULL);
		pthread_mutex_destroy(&s->pf_mu);
		pthread_cond_destroy(&s->pf_cv);
	}
	if (s->pfi_running) {
		pthread_join(s->pfi_th, NULL);
		free(s->pfi_buf);
	}
	free(s->pf_q);
	for (d = s->dsos; d != NULL; d = n) {
		n = d->next;
		dso_free(d);
	}
	while (s->bids != NULL) {
		struct buildid *b = s->bids;
		s->bids = b->next;
		free(b->path);
		free(b);
	}
	free(s);
}

static struct fg_dso *
dso_new(struct fg_symbolizer *s, enum fg_dso_kind kind, const char *path)
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
	fg_arena_init(&d->arena);
	fg_arena_init(&d->dwarena);
	d->next = s->dsos;
	s->dsos = d;
	return d;
}

enum fg_dso_kind
fg_dso_kind(const struct fg_dso *d)
{
	return d->kind;
}

const char *
fg_dso_path(const struct fg_dso *d)
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

static const char *
sym_name(struct fg_dso *d, struct sym *y)
{
	char *dm;

	if (y->name != NULL)
		return y->name;
	y->name = y->raw;
	if (d->kind != FG_DSO_KERNEL && (dm = fg_demangle(y->raw)) != NULL) {
		const char *c = fg_arena_strndup(&d->arena, dm, strlen(dm));
		free(dm);
		if (c != NULL)
			y->name = c;
	}
	return y->name;
}

static size_t
underscores(const char *p)
{
	size_t n = 0;

	while (p[n] == '_')
		n++;
	return n;
}

/* perf's choose_best_symbol(): 0 keeps a, 1 keeps b. */
static int
choose_b(struct fg_dso *d, struct sym *a, struct sym *b)
{
	int aw, bw, ag, bg;
	size_t na, nb;
	const char *an, *bn;

	if (a->end == a->start && b->end > b->start)
		return 1;
	if (b->end == b->start && a->end > a->start)
		return 0;
	aw = a->bind == STB_WEAK;
	bw = b->bind == STB_WEAK;
	if (bw && !aw)
		return 0;
	if (aw && !bw)
		return 1;
	ag = a->bind == STB_GLOBAL;
	bg = b->bind == STB_GLOBAL;
	if (ag && !bg)
		return 0;
	if (bg && !ag)
		return 1;
	an = sym_name(d, a);
	bn = sym_name(d, b);
	na = underscores(an);
	nb = underscores(bn);
	if (nb > na)
		return 0;
	if (na > nb)
		return 1;
	na = strlen(an);
	nb = strlen(bn);
	return na < nb;
}

/*
 * Sort, give zero-sized symbols the room up to the next one, drop
 * aliases.  kallsyms: ends first, then duplicates (perf's order there).
 */
static void
syms_finish(struct fg_dso *d, int kallsyms, int sorted)
{
	size_t i, o;
	struct sym *y = d->syms;

	if (d->nsyms == 0)
		return;
	if (!sorted)
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
			if (choose_b(d, &y[o - 1], &y[i]))
				y[o - 1] = y[i];
			continue;
		}
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

static int
syms_push(struct fg_dso *d, size_t *cap, uint64_t start, uint64_t size,
    const char *raw, const char *module, int bind)
{
	struct sym *y;

	if (d->nsyms == *cap) {
		size_t nc = *cap ? *cap * 2 : 1024;
		if ((y = reallocarray(d->syms, nc, sizeof(*y))) == NULL)
			return -1;
		d->syms = y;
		*cap = nc;
	}
	y = &d->syms[d->nsyms];
	y->start = start;
	y->end = start + size;
	y->raw = raw;
	y->name = NULL;
	y->module = module;
	y->order = (uint32_t)d->nsyms;
	y->bind = (uint8_t)bind;
	d->nsyms++;
	return 0;
}

static int
elf_has_section(Elf *e, Elf64_Word type, const char *name)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	size_t shstr;

	if (elf_getshdrstrndx(e, &shstr) != 0)
		return 0;
	while ((scn = elf_nextscn(e, scn)) != NULL) {
		const char *n;
		if (gelf_getshdr(scn, &sh) == NULL)
			continue;
		if (type != SHT_NULL && sh.sh_type == type)
			return 1;
		if (name != NULL && (n = elf_strptr(e, shstr, sh.sh_name)) &&
		    strcmp(n, name) == 0 && sh.sh_type != SHT_NOBITS)
			return 1;
	}
	return 0;
}

static void
load_elf_syms(struct fg_dso *d, Elf *e, Elf64_Word type)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	size_t cap = 0;

	while ((scn = elf_nextscn(e, scn)) != NULL) {
		Elf_Data *data;
		size_t i, n;

		if (gelf_getshdr(scn, &sh) == NULL || sh.sh_type != type ||
		    sh.sh_entsize == 0)
			continue;
		if ((data = elf_getdata(scn, NULL)) == NULL)
			continue;
		n = sh.sh_size / sh.sh_entsize;
		for (i = 0; i < n; i++) {
			GElf_Sym st;
			GElf_Shdr ss;
			Elf_Scn *sec;
			const char *nm;
			int t;

			if (gelf_getsym(data, (int)i, &st) == NULL)
				continue;
			t = GELF_ST_TYPE(st.st_info);
			/* functions, and labels (NOTYPE) as perf keeps them */
			if ((t != STT_FUNC && t != STT_GNU_IFUNC &&
			    t != STT_NOTYPE) ||
			    st.st_name == 0 || st.st_shndx == SHN_UNDEF ||
			    st.st_shndx >= SHN_LORESERVE)
				continue;
			if ((sec = elf_getscn(e, st.st_shndx)) == NULL ||
			    gelf_getshdr(sec, &ss) == NULL ||
			    !(ss.sh_flags & SHF_EXECINSTR))
				continue;
			if ((nm = elf_strptr(e, sh.sh_link, st.st_name)) == NULL)
				continue;
			if (syms_push(d, &cap, st.st_value, st.st_size, nm, NULL,
			    GELF_ST_BIND(st.st_info)) != 0)
				return;
		}
		break;
	}
}

static void
load_phdrs(struct fg_dso *d, Elf *e)
{
	size_t n, i;

	if (elf_getphdrnum(e, &n) != 0 || n == 0)
		return;
	if ((d->loads = calloc(n, sizeof(*d->loads))) == NULL)
		return;
	for (i = 0; i < n; i++) {
		GElf_Phdr ph;
		if (gelf_getphdr(e, (int)i, &ph) == NULL || ph.p_type != PT_LOAD)
			continue;
		d->loads[d->nloads].off = ph.p_offset;
		d->loads[d->nloads].vaddr = ph.p_vaddr;
		d->loads[d->nloads].filesz = ph.p_filesz;
		d->nloads++;
	}
}

static int
open_elf(const char *path, int *fdp, Elf **ep)
{
	int fd;
	Elf *e;

	struct stat sb;

	/* Paths come from the recording: only regular files, never block
	   on a FIFO or read a device. */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return -1;
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return -1;
	}
	if ((e = elf_begin(fd, ELF_C_READ_MMAP, NULL)) == NULL ||
	    elf_kind(e) != ELF_K_ELF) {
		if (e != NULL)
			elf_end(e);
		close(fd);
		return -1;
	}
	*fdp = fd;
	*ep = e;
	return 0;
}

/* The GNU build id of e as lowercase hex in hex[] (empty when none). */
static void
elf_bid_hex(Elf *e, char *hex, size_t cap)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;

	hex[0] = '\0';
	while ((scn = elf_nextscn(e, scn)) != NULL) {
		Elf_Data *data;
		size_t off = 0, noff, doff, k;
		GElf_Nhdr nh;

		if (gelf_getshdr(scn, &sh) == NULL || sh.sh_type != SHT_NOTE ||
		    (data = elf_getdata(scn, NULL)) == NULL)
			continue;
		while ((off = gelf_getnote(data, off, &nh, &noff, &doff)) > 0) {
			const uint8_t *b = (const uint8_t *)data->d_buf + doff;
			if (nh.n_type != NT_GNU_BUILD_ID || nh.n_descsz < 2 ||
			    nh.n_descsz * 2 + 1 > cap || nh.n_namesz != 4 ||
			    memcmp((const char *)data->d_buf + noff, "GNU", 4) != 0)
				continue;
			for (k = 0; k < nh.n_descsz; k++)
				snprintf(hex + 2 * k, 3, "%02x", b[k]);
			return;
		}
	}
}

/* The separate debug file: by build id, then by .gnu_debuglink. */
static void
open_debug(struct fg_dso *d, const char *bid)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	size_t shstr;
	char path[4096];

	if (bid[0] != '\0') {
		snprintf(path, sizeof(path), "/usr/lib/debug/.build-id/%.2s/%s.debug",
		    bid, bid + 2);
		if (open_elf(path, &d->dfd, &d->delf) == 0)
			return;
	}
	if (elf_getshdrstrndx(d->elf, &shstr) != 0)
		return;
	while ((scn = elf_nextscn(d->elf, scn)) != NULL) {
		const char *n, *link, *slash;
		Elf_Data *data;
		int dl;

		if (gelf_getshdr(scn, &sh) == NULL ||
		    (n = elf_strptr(d->elf, shstr, sh.sh_name)) == NULL ||
		    strcmp(n, ".gnu_debuglink") != 0 ||
		    (data = elf_getdata(scn, NULL)) == NULL || data->d_size == 0)
			continue;
		link = data->d_buf;
		if (memchr(link, '\0', data->d_size) == NULL)
			return;
		slash = strrchr(d->path, '/');
		dl = slash ? (int)(slash - d->path) : 0;
		snprintf(path, sizeof(path), "%.*s/.debug/%s", dl, d->path, link);
		if (open_elf(path, &d->dfd, &d->delf) == 0)
			return;
		snprintf(path, sizeof(path), "/usr/lib/debug%.*s/%s", dl, d->path,
		    link);
		if (open_elf(path, &d->dfd, &d->delf) == 0)
			return;
		return;
	}
}

void
fg_sym_set_debug_dir(struct fg_symbolizer *s, const char *dir)
{
	strlcpy(s->debug_dir, dir != NULL ? dir : "", sizeof(s->debug_dir));
}

void
fg_sym_set_cache_dir(struct fg_symbolizer *s, const char *dir)
{
	if (dir == NULL || strlcpy(s->cache_dir, dir, sizeof(s->cache_dir)) >=
	    sizeof(s->cache_dir))
		s->cache_dir[0] = '\0';
}

void
fg_sym_set_recording_only(struct fg_symbolizer *s)
{
	s->recording_only = 1;
}

int
fg_sym_add_buildid(struct fg_symbolizer *s, const char *path,
    const uint8_t *id, size_t len)
{
	struct buildid *b;
	size_t k;

	if (len == 0 || len > 64)
		return 0;
	if (strcmp(path, "[kernel.kallsyms]") == 0) {
		for (k = 0; k < len; k++)
			snprintf(s->kernel_bid + 2 * k, 3, "%02x", id[k]);
		return 0;
	}
	if ((b = calloc(1, sizeof(*b))) == NULL ||
	    (b->path = strdup(path)) == NULL) {
		free(b);
		return FG_ENOMEM;
	}
	for (k = 0; k < len; k++)
		snprintf(b->hex + 2 * k, 3, "%02x", id[k]);
	b->next = s->bids;
	s->bids = b;
	return 0;
}

static Elf_Scn *
section_by_name(Elf *e, const char *name, GElf_Shdr *sh)
{
	Elf_Scn *scn = NULL;
	size_t shstr;
	const char *n;

	if (elf_getshdrstrndx(e, &shstr) != 0)
		return NULL;
	while ((scn = elf_nextscn(e, scn)) != NULL)
		if (gelf_getshdr(scn, sh) != NULL &&
		    (n = elf_strptr(e, shstr, sh->sh_name)) != NULL &&
		    strcmp(n, name) == 0)
			return scn;
	return NULL;
}

/*
 * perf's (6.1) PLT symbols: one "NAME@plt" per .rela.plt entry, in
 * relocation order, after a header entry, each sh_entsize bytes of .plt.
 * Always from the file itself: debug files have no PLT data.
 */
static void
load_plt(struct fg_dso *d)
{
	GElf_Shdr rsh, psh, dsh;
	Elf_Scn *rs, *ds;
	Elf_Data *rdata, *ddata;
	uint64_t off, ent;
	size_t i, n;

	if ((rs = section_by_name(d->elf, ".rela.plt", &rsh)) == NULL ||
	    rsh.sh_type != SHT_RELA || rsh.sh_entsize == 0 ||
	    section_by_name(d->elf, ".plt", &psh) == NULL ||
	    (ds = elf_getscn(d->elf, rsh.sh_link)) == NULL ||
	    gelf_getshdr(ds, &dsh) == NULL ||
	    (rdata = elf_getdata(rs, NULL)) == NULL ||
	    (ddata = elf_getdata(ds, NULL)) == NULL)
		return;
	ent = psh.sh_entsize ? psh.sh_entsize : 16;
	n = rsh.sh_size / rsh.sh_entsize;
	if (n == 0 || n > psh.sh_size / ent ||
	    (d->plts = calloc(n, sizeof(*d->plts))) == NULL)
		return;
	off = psh.sh_addr + ent;
	for (i = 0; i < n; i++, off += ent) {
		GElf_Rela r;
		GElf_Sym y;
		const char *nm = NULL;
		char *dm = NULL, *full;
		size_t l;

		if (gelf_getrela(rdata, (int)i, &r) == NULL)
			break;
		if (gelf_getsym(ddata, (int)GELF_R_SYM(r.r_info), &y) != NULL)
			nm = elf_strptr(d->elf, dsh.sh_link, y.st_name);
		if (nm == NULL)
			nm = "";
		if ((dm = fg_demangle(nm)) != NULL)
			nm = dm;
		l = strlen(nm);
		full = fg_arena_alloc(&d->arena, l + 5);
		if (full != NULL) {
			memcpy(full, nm, l);
			memcpy(full + l, "@plt", 5);
		}
		free(dm);
		if (full == NULL)
			break;
		d->plts[d->nplts].start = off;
		d->plts[d->nplts].end = off + ent;
		d->plts[d->nplts].raw = d->plts[d->nplts].name = full;
		d->nplts++;
	}
}

static void
load_jitmap(struct fg_dso *d)
{
	FILE *fp;
	char *line = NULL;
	size_t cap = 0, scap = 0;

	if ((fp = fopen(d->path, "re")) == NULL)
		return;
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
		if ((p = fg_arena_strndup(&d->arena, p, l)) == NULL)
			break;
		if (syms_push(d, &scap, start, size, p, NULL, STB_GLOBAL) != 0)
			break;
	}
	free(line);
	fclose(fp);
	for (size_t i = 0; i < d->nsyms; i++)
		d->syms[i].name = d->syms[i].raw;
	syms_finish(d, 0, 0);
}

/* The whole of a file in a new buffer (a /proc file has no size). */
static char *
slurp(const char *path, size_t *len)
{
	char *b = NULL, *n;
	size_t cap = 0, l = 0;
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return NULL;
	for (;;) {
		if (cap - l < 65536) {
			cap = cap ? cap * 2 : 1 << 20;
			if (cap > (256u << 20) || (n = realloc(b, cap)) == NULL)
				goto fail;
			b = n;
		}
		if ((r = read(fd, b + l, cap - l - 1)) < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (r == 0)
			break;
		l += (size_t)r;
	}
	close(fd);
	b[l] = '\0';
	*len = l;
	return b;
fail:
	free(b);
	close(fd);
	return NULL;
}

static int
kent_cmp(const void *a, const void *b)
{
	const struct kent *x = a, *y = b;
	uint32_t xo = x->off & ~KMOD, yo = y->off & ~KMOD;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return xo < yo ? -1 : xo > yo;
}

/* The address of the kallsyms line at off (checked when indexed). */
static uint64_t
kline_addr(const char *p, const char *end)
{
	uint64_t a = 0;
	int n, v;

	/* the usual line: 16 hex digits and a space, without a branch each */
	if (end - p > 16 && fg_hexval((unsigned char)p[16]) < 0) {
		unsigned ok = 1;

		for (n = 0; n < 16; n++) {
			unsigned c = (unsigned char)p[n];
			ok &= (c - '0' < 10u) | ((c | 0x20) - 'a' < 6u);
			a = a << 4 | ((c & 0xf) + 9 * (c >> 6));
		}
		if (ok)
			return a;
		a = 0;
	}
	for (n = 0; n < 16 && p < end && (v = fg_hexval((unsigned char)*p)) >= 0;
	    n++, p++)
		a = a << 4 | (uint64_t)v;
	return a;
}

static uint64_t
kaddr(const struct fg_dso *d, size_t i)
{
	return kline_addr(d->kbuf + (d->koffs[i] & ~KMOD),
	    d->kbuf + d->kbuflen);
}

/*
 * kallsyms from perf's build-id cache when the recording names the
 * kernel's build id (the symbols as they were when recorded, and a plain
 * file maps in no time where /proc/kallsyms costs tens of milliseconds
 * of kernel time), else /proc/kallsyms.  Only an index is built: the
 * address and line offset of each text or data symbol (T W D B, as
 * perf); names are cut out of the text when a lookup returns them.
 */
static void
load_kallsyms(struct fg_dso *d)
{
	char path[4096];
	int8_t hexv[256];
	uint8_t keep[256];
	const char *src = "/proc/kallsyms", *p, *end;
	size_t len = 0, cap = 0, scap = 0, i;
	int sorted = 1, fd, t;
	uint64_t prev = 0;
	struct stat sb;

	d->kbuf = NULL;
	if (d->s->kernel_bid[0] != '\0' && d->s->debug_dir[0] != '\0') {
		snprintf(path, sizeof(path), "%s/[kernel.kallsyms]/%s/kallsyms",
		    d->s->debug_dir, d->s->kernel_bid);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) >= 0) {
			if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
			    sb.st_size > 0 &&
			    (d->kmap = mmap(NULL, (size_t)sb.st_size, PROT_READ,
			    MAP_PRIVATE, fd, 0)) != MAP_FAILED) {
				d->kmaplen = (size_t)sb.st_size;
				d->kbuf = d->kmap;
				len = d->kmaplen;
				src = path;
			} else
				d->kmap = NULL;
			close(fd);
		}
	}
	if (d->kbuf == NULL && (d->kbuf = slurp(src, &len)) == NULL) {
		fg_warnf(d->wp, "%s: %s: kernel frames stay unresolved",
		    src, strerror(errno));
		return;
	}
	d->kbuflen = len;
	for (i = 0; i < 256; i++) {
		hexv[i] = (int8_t)fg_hexval((int)i);
		t = toupper((int)i);
		keep[i] = t == 'T' || t == 'W' || t == 'D' || t == 'B';
	}
	/*
	 * The index is 4 bytes a symbol (the line's offset; its address is
	 * read again from the text by a lookup), in one allocation of about
	 * the right size: lines are ~45 bytes.  Every page of it costs a
	 * fault, so small matters.
	 */
	cap = len / 32 + 1024;
	if ((d->koffs = reallocarray(NULL, cap, sizeof(*d->koffs))) == NULL)
		cap = 0;
	for (p = d->kbuf, end = d->kbuf + len; p < end;) {
		const char *nl, *line = p;
		uint64_t a = 0;
		int n = 0;

		/* the usual line: 16 hex digits, then not a hex digit */
		if (end - p > 16) {
			const unsigned char *u = (const unsigned char *)p;
			uint64_t hi = 0, lo = 0;
			int bad = 0;

			for (i = 0; i < 16; i++)
				bad |= hexv[u[i]];
			if (bad >= 0 && hexv[u[16]] < 0) {
				for (i = 0; i < 8; i++) {
					hi |= (uint64_t)hexv[u[i]] << (28 - 4 * i);
					lo |= (uint64_t)hexv[u[8 + i]] <<
					    (28 - 4 * i);
				}
				a = hi << 32 | lo;
				n = 16;
				p += 16;
			}
		}
		for (; n < 16 && p < end && hexv[(unsigned char)*p] >= 0;
		    n++, p++)
			a = a << 4 | (uint64_t)hexv[(unsigned char)*p];
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (n == 0 || nl - p < 4 || p[0] != ' ' || p[2] != ' ' ||
		    !keep[(unsigned char)p[1]])
			goto next;
		if ((size_t)(line - d->kbuf) >= KMOD)
			break;
		if (d->nkents == cap) {
			size_t nc = cap ? cap * 2 : 65536;
			uint32_t *k = reallocarray(d->koffs, nc, sizeof(*k));
			if (k == NULL)
				break;
			d->koffs = k;
			cap = nc;
		}
		/*
		 * The address of every KSTEP-th while it is at hand (parsing
		 * it again from the text was a third of the load); sorting
		 * (rare: the kernel lists them in order) makes them again.
		 */
		if (d->nkents % KSTEP == 0 && sorted) {
			if (d->nkents / KSTEP == scap) {
				uint64_t *k = fg_grow(d->kstarts, &scap,
				    scap + 1, sizeof(*k), cap / KSTEP + 1);
				if (k == NULL)
					break;
				d->kstarts = k;
			}
			d->kstarts[d->nkents / KSTEP] = a;
		}
		/* a module's line ends "\t[module]": look for the tab then */
		d->koffs[d->nkents++] = (uint32_t)(line - d->kbuf) |
		    (nl[-1] == ']' && memchr(p + 3, '\t',
		    (size_t)(nl - p - 3)) != NULL ? KMOD : 0);
		if (a < prev)
			sorted = 0;
		prev = a;
next:
		p = nl + 1;
	}
	if (d->nkents > 0 && kaddr(d, d->nkents - 1) == 0)
		fg_warnf(d->wp, "%s: addresses hidden (kptr_restrict): "
		    "kernel frames stay unresolved", src);
	if (!sorted) {
		struct kent *k = reallocarray(NULL, d->nkents, sizeof(*k));

		if (k == NULL) {
			d->nkents = 0;
			return;
		}
		for (i = 0; i < d->nkents; i++) {
			k[i].start = kaddr(d, i);
			k[i].off = d->koffs[i];
		}
		qsort(k, d->nkents, sizeof(*k), kent_cmp);
		for (i = 0; i < d->nkents; i++)
			d->koffs[i] = k[i].off;
		free(k);
	}
	if (sorted && d->kstarts != NULL)
		return;
	free(d->kstarts);
	if ((d->kstarts = reallocarray(NULL, d->nkents / KSTEP + 1,
	    sizeof(*d->kstarts))) == NULL) {
		d->nkents = 0;
		return;
	}
	for (i = 0; i < d->nkents; i += KSTEP)
		d->kstarts[i / KSTEP] = kaddr(d, i);
}

/* The cached name of kallsyms entry i: a slot in d->knames. */
static struct kname *
kname_slot(struct fg_dso *d, size_t i)
{
	size_t h;

	if (d->knames == NULL || (d->nknames + 1) * 2 > d->knmask + 1) {
		size_t nm = d->knames == NULL ? 1023 : d->knmask * 2 + 1, j;
		struct kname *t = fg_zalloc(nm + 1, sizeof(*t));

		if (t == NULL)
			return NULL;
		for (j = 0; d->knames != NULL && j <= d->knmask; j++) {
			if (d->knames[j].name == NULL)
				continue;
			for (h = (d->knames[j].idx * 0x9e3779b97f4a7c15ULL >> 32) &
			    nm; t[h].name != NULL; h = (h + 1) & nm)
				;
			t[h] = d->knames[j];
		}
		free(d->knames);
		d->knames = t;
		d->knmask = nm;
	}
	for (h = (i * 0x9e3779b97f4a7c15ULL >> 32) & d->knmask;
	    d->knames[h].name != NULL; h = (h + 1) & d->knmask)
		if (d->knames[h].idx == i)
			break;
	return &d->knames[h];
}

/*
 * The kallsyms symbol holding addr with perf's fix-ups: every symbol
 * reaches to the next address (to the next page when it is the last of
 * the core kernel or of the modules), and of aliases at one address the
 * last in the file wins (the others are left zero-sized).
 */
static const char *
kernel_symbol(struct fg_dso *d, uint64_t addr, const char **module)
{
	size_t lo = 0, hi = (d->nkents + KSTEP - 1) / KSTEP, i;
	struct kname *kn;
	uint64_t start, end;
	uint32_t mod;

	/*
	 * The entry is the last one starting at or before addr: the same
	 * for every address up to the next entry's start (a return address
	 * and its call, ip - 1, usually ask twice).
	 */
	if (d->kidx != 0 && addr >= d->klo && addr < d->khi) {
		i = d->kidx - 1;
		goto found;
	}
	/* the block of KSTEP entries, then the entry in it */
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->kstarts[mid] <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	hi = lo * KSTEP < d->nkents ? lo * KSTEP : d->nkents;
	lo = (lo - 1) * KSTEP + 1;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (kaddr(d, mid) <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	i = lo - 1;
	d->kidx = lo;
	d->klo = kaddr(d, i);
	d->khi = i + 1 < d->nkents ? kaddr(d, i + 1) : UINT64_MAX;
found:
	start = d->klo;
	mod = d->koffs[i] & KMOD;
	if (i + 1 < d->nkents && mod == (d->koffs[i + 1] & KMOD))
		end = d->khi;
	else
		end = ((start + 4096) + 4095) & ~(uint64_t)4095;
	if (addr >= end)
		return NULL;
	if ((kn = kname_slot(d, i)) == NULL)
		return NULL;
	if (kn->name == NULL) {
		const char *p = d->kbuf + (d->koffs[i] & ~KMOD);
		const char *e = d->kbuf + d->kbuflen;
		const char *nl = memchr(p, '\n', (size_t)(e - p)), *name, *tab;
		char *c;

		if (nl == NULL)
			nl = e;
		name = (const char *)memchr(p, ' ', (size_t)(nl - p)) + 3;
		tab = memchr(name, '\t', (size_t)(nl - name));
		c = fg_arena_strndup(&d->arena, name,
		    (size_t)((tab ? tab : nl) - name));
		if (c == NULL)
			return NULL;
		kn->idx = i;
		kn->name = c;
		d->nknames++;
		if (tab != NULL && module != NULL)
			*module = fg_arena_strndup(&d->arena, tab + 1,
			    (size_t)(nl - tab - 1));
	} else if (module != NULL && mod) {
		const char *p = d->kbuf + (d->koffs[i] & ~KMOD);
		const char *e = d->kbuf + d->kbuflen;
		const char *nl = memchr(p, '\n', (size_t)(e - p));
		const char *tab = memchr(p, '\t', (size_t)((nl ? nl : e) - p));
		*module = fg_arena_strndup(&d->arena, tab + 1,
		    (size_t)((nl ? nl : e) - tab - 1));
	}
	return kn->name;
}

const void *
fg_sym_vdso_image(struct fg_symbolizer *s, size_t *len)
{
	const unsigned char *img = (const void *)getauxval(AT_SYSINFO_EHDR);
	const Elf64_Ehdr *eh = (const void *)img;
	size_t size;

	(void)s;
	if (img == NULL || memcmp(img, ELFMAG, SELFMAG) != 0 ||
	    eh->e_ident[EI_CLASS] != ELFCLASS64)
		return NULL;
	size = eh->e_shoff + (size_t)eh->e_shnum * eh->e_shentsize;
	if (size < sizeof(*eh) || size > 1 << 20)
		return NULL;
	*len = size;
	return img;
}

static void
load_vdso(struct fg_dso *d)
{
	const unsigned char *img;
	size_t size;

	if ((img = fg_sym_vdso_image(d->s, &size)) == NULL)
		return;
	/* Copy: libelf may not write, and the image is read-only. */
	{
		char *copy = fg_arena_alloc(&d->arena, size);
		if (copy == NULL)
			return;
		memcpy(copy, img, size);
		if ((d->elf = elf_memory(copy, size)) == NULL)
			return;
	}
	load_phdrs(d, d->elf);
	if (elf_has_section(d->elf, SHT_SYMTAB, NULL))
		load_elf_syms(d, d->elf, SHT_SYMTAB);
	else
		load_elf_syms(d, d->elf, SHT_DYNSYM);
	syms_finish(d, 0, 0);
}

static void
dso_load(struct fg_dso *d)
{
	struct buildid *b;
	char bid[2 * 64 + 1] = "", cpath[4096];

	if (d->loaded)
		return;
	d->loaded = 1;
	if (d->s->recording_only)
		return;
	switch (d->kind) {
	case FG_DSO_KERNEL:
		load_kallsyms(d);
		return;
	case FG_DSO_JITMAP:
		load_jitmap(d);
		return;
	case FG_DSO_VDSO:
		load_vdso(d);
		return;
	case FG_DSO_FILE:
		break;
	}
	/*
	 * The file as recorded: when the recording names its build id and
	 * the file on disk differs (rebuilt since) or is gone, the copy in
	 * perf's build-id cache.
	 */
	for (b = d->s->bids; b != NULL; b = b->next)
		if (strcmp(b->path, d->path) == 0)
			break;
	if (open_elf(d->path, &d->fd, &d->elf) == 0) {
		elf_bid_hex(d->elf, bid, sizeof(bid));
		if (b != NULL && bid[0] != '\0' && strcmp(bid, b->hex) != 0) {
			elf_end(d->elf);
			close(d->fd);
			d->elf = NULL;
			d->fd = -1;
		}
	}
	if (d->elf == NULL && b != NULL && d->s->debug_dir[0] != '\0') {
		snprintf(cpath, sizeof(cpath), "%s/.build-id/%.2s/%s/elf",
		    d->s->debug_dir, b->hex, b->hex + 2);
		if (open_elf(cpath, &d->fd, &d->elf) == 0)
			strlcpy(bid, b->hex, sizeof(bid));
	}
	if (d->elf == NULL) {
		fg_warnf(d->wp, "%s: cannot read ELF file%s: its frames "
		    "show as [%s]", d->path, b != NULL ? " of the recorded build "
		    "id" : "",
		    strrchr(d->path, '/') ? strrchr(d->path, '/') + 1 : d->path);
		return;
	}
	load_phdrs(d, d->elf);
	open_debug(d, bid);
	if (d->delf != NULL && elf_has_section(d->delf, SHT_SYMTAB, NULL))
		load_elf_syms(d, d->delf, SHT_SYMTAB);
	else if (elf_has_section(d->elf, SHT_SYMTAB, NULL))
		load_elf_syms(d, d->elf, SHT_SYMTAB);
	else
		load_elf_syms(d, d->elf, SHT_DYNSYM);
	load_plt(d);
	if (d->nsyms == 0 && d->nplts == 0)
		fg_warnf(d->wp, "%s: no function symbols", d->path);
	syms_finish(d, 0, 0);
}

struct fg_dso *
fg_sym_dso(struct fg_symbolizer *s, const char *path)
{
	struct fg_dso *d;

	for (d = s->dsos; d != NULL; d = d->next)
		if ((d->kind == FG_DSO_FILE || d->kind == FG_DSO_VDSO) &&
		    strcmp(d->path, path) == 0)
			return d;
	return dso_new(s, strcmp(path, "[vdso]") == 0 ? FG_DSO_VDSO :
	    FG_DSO_FILE, path);
}

struct fg_dso *
fg_sym_kernel(struct fg_symbolizer *s)
{
	if (s->kernel == NULL)
		s->kernel = dso_new(s, FG_DSO_KERNEL, "[kernel.kallsyms]");
	return s->kernel;
}

struct fg_dso *
fg_sym_jitmap(struct fg_symbolizer *s, uint32_t pid)
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
	if ((d = dso_new(s, FG_DSO_JITMAP, path)) == NULL)
		return NULL;
	d->pid = pid;
	return d->path[0] != '\0' ? d : NULL;
}

int
fg_dso_addr(struct fg_dso *d, uint64_t ip, uint64_t map_start,
    uint64_t pgoff, uint64_t *addr)
{
	uint64_t off;
	size_t i;

	if (d->kind == FG_DSO_KERNEL || d->kind == FG_DSO_JITMAP) {
		*addr = ip;
		return 0;
	}
	dso_ready(d);
	dso_load(d);
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

const char *
fg_dso_symbol(struct fg_dso *d, uint64_t addr, const char **module)
{
	size_t lo = 0, hi;
	struct sym *y;

	dso_ready(d);
	dso_load(d);
	if (module != NULL)
		*module = NULL;
	if (d->kind == FG_DSO_KERNEL)
		return kernel_symbol(d, addr, module);
	/* PLT entries first: a zero-sized symbol before .plt may reach over it */
	if (d->nplts > 0 && addr >= d->plts[0].start &&
	    addr < d->plts[d->nplts - 1].end) {
		size_t k = (size_t)((addr - d->plts[0].start) /
		    (d->plts[0].end - d->plts[0].start));
		if (k < d->nplts)
			return d->plts[k].name;
	}
	hi = d->nsyms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (d->syms[mid].start <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return NULL;
	y = &d->syms[lo - 1];
	if (addr >= y->end)
		return NULL;
	if (module != NULL)
		*module = y->module;
	return sym_name(d, y);
}

/* ---- DWARF inline chains ------------------------------------------- */

/* The reader is dwarfidx.c; the debug file first, else the file. */
static void
dwarf_open(struct fg_dso *d)
{
	if (d->dwarf_tried)
		return;
	d->dwarf_tried = 1;
	dso_load(d);
	if (d->delf != NULL)
		d->dw = fg_dw_open(d->delf);
	if (d->dw == NULL && d->elf != NULL)
		d->dw = fg_dw_open(d->elf);
	if (d->dw != NULL && d->s->cache_dir[0] != '\0') {
		char bid[2 * 64 + 1];

		elf_bid_hex(d->delf != NULL && fg_dw_elf(d->dw) == d->delf ?
		    d->delf : d->elf, bid, sizeof(bid));
		fg_dw_set_cache(d->dw, d->s->cache_dir, bid);
		d->ncus = d->capcus = d->ncached =
		    fg_dw_cache_load_cus(d->dw, &d->cus);
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
		size_t nc = d->capcus ? d->capcus * 2 : 16;
		if ((c = reallocarray(d->cus, nc, sizeof(*c))) == NULL)
			return NULL;
		d->cus = c;
		d->capcus = nc;
	}
	c = &d->cus[d->ncus++];
	memset(c, 0, sizeof(*c));
	if (fg_dw_index(d->dw, off, c) != 0) {
		c->failed = 1;
		c->nfuncs = c->ninls = 0;
		return NULL;
	}
	if (c->nfuncs > 1)
		qsort(c->funcs, c->nfuncs, sizeof(*c->funcs), func_cmp);
	return c;
}

/*
 * The name of die, whose abstract origin reference (or itself) the index
 * noted as key: the name lives on the origin, cached by its offset.
 */
static const char *
die_name(struct fg_dso *d, uint64_t die, uint64_t key)
{
	uint64_t off = key;
	const char *n = NULL;
	char *dm;
	size_t h, i;

	if (d->namecap > 0) {
		for (h = (size_t)(off * 0x9e3779b97f4a7c15ULL) & (d->namecap - 1);
		    d->names[h].name != NULL; h = (h + 1) & (d->namecap - 1))
			if (d->names[h].off == off)
				return d->names[h].name;
	}
	/* a reference to no DIE: die's own name, as libdw would */
	if (fg_dw_name(d->dw, fg_dw_origin(d->dw, die), &n) == 1 &&
	    (dm = fg_demangle(n)) != NULL) {
		n = fg_arena_strndup(&d->dwarena, dm, strlen(dm));
		free(dm);
	}
	if (n == NULL)
		n = "[unknown]";
	if (d->nnames * 2 >= d->namecap) {
		size_t nc = d->namecap ? d->namecap * 2 : 1024;
		struct namecache *t = fg_zalloc(nc, sizeof(*t));
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
	for (h = (size_t)(off * 0x9e3779b97f4a7c15ULL) & (d->namecap - 1);
	    d->names[h].name != NULL; h = (h + 1) & (d->namecap - 1))
		;
	d->names[h].off = off;
	d->names[h].name = n;
	d->nnames++;
	return n;
}

/* ---- the prefetch helper ---------------------------------------------- */

/* The helper's warn callback: held until the main thread takes the file. */
static void
pf_hold(void *arg, const char *msg)
{
	struct fg_dso *d = arg;
	size_t n = strlen(msg) + 1;
	char *m;

	if ((m = realloc(d->pf_msgs, d->pf_len + n)) == NULL)
		return;
	memcpy(m + d->pf_len, msg, n);
	d->pf_msgs = m;
	d->pf_len += n;
}

/* The second helper: .debug_info of s->pfi_path, inflated. */
static void *
pfi_main(void *arg)
{
	struct fg_symbolizer *s = arg;
	struct stat sb;
	Elf *e;
	int fd;

	if ((fd = open(s->pfi_path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return NULL;
	if (fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
	    (e = elf_begin(fd, ELF_C_READ_MMAP, NULL)) != NULL) {
		char bid[2 * 64 + 1];

		elf_bid_hex(e, bid, sizeof(bid));
		if (elf_kind(e) == ELF_K_ELF && fg_dw_inflate_info(e,
		    s->cache_dir, bid, &s->pfi_buf, &s->pfi_len) == 0) {
			s->pfi_dev = sb.st_dev;
			s->pfi_ino = sb.st_ino;
		}
		elf_end(e);
	}
	close(fd);
	return NULL;
}

/*
 * By the thread that has d, once its DWARF is open: wait for the second
 * helper and take what it inflated if it is this file's.
 */
static void
pfi_take(struct fg_dso *d)
{
	struct fg_symbolizer *s = d->s;
	struct stat sb;

	if (!d->pfi)
		return;
	d->pfi = 0;
	pthread_join(s->pfi_th, NULL);
	s->pfi_running = 0;
	if (s->pfi_buf != NULL && d->dw != NULL && d->dfd >= 0 &&
	    fstat(d->dfd, &sb) == 0 && sb.st_dev == s->pfi_dev &&
	    sb.st_ino == s->pfi_ino &&
	    fg_dw_adopt_info(d->dw, s->pfi_buf, s->pfi_len) == 0)
		s->pfi_buf = NULL;
	free(s->pfi_buf);
	s->pfi_buf = NULL;
}

/* The helper's DWARF steps for d, which it has in PF_SYMS. */
static void
pf_dwarf(struct fg_symbolizer *s, struct fg_dso *d)
{
	dwarf_open(d);
	if (d->pfi)
		fg_dw_prepare_small(d->dw);
	pfi_take(d);
	fg_dw_prepare(d->dw);
	pthread_mutex_lock(&s->pf_mu);
	d->pf_state = PF_DONE;
	pthread_cond_broadcast(&s->pf_cv);
	pthread_mutex_unlock(&s->pf_mu);
}

/*
 * The helper: each queued file's symbols, then its DWARF; or, with
 * s->pf_late, every file's symbols first and the DWARF after (the file
 * whose .debug_info the second helper inflates last), for callers that
 * look up inline chains only after their walk.
 */
static void *
pf_main(void *arg)
{
	struct fg_symbolizer *s = arg;
	size_t i = 0, k;

	for (;;) {
		struct fg_dso *d;
		int dw;

		pthread_mutex_lock(&s->pf_mu);
		while (i < s->pf_n && s->pf_q[i]->pf_state != PF_QUEUED)
			i++;
		if (i == s->pf_n || s->pf_stop) {
			pthread_mutex_unlock(&s->pf_mu);
			break;
		}
		d = s->pf_q[i++];
		d->pf_state = PF_RUNNING;
		pthread_mutex_unlock(&s->pf_mu);
		dso_load(d);
		dw = d->kind == FG_DSO_FILE && s->pf_dwarf;
		pthread_mutex_lock(&s->pf_mu);
		d->pf_state = dw ? PF_SYMS : PF_DONE;
		pthread_cond_broadcast(&s->pf_cv);
		pthread_mutex_unlock(&s->pf_mu);
		if (dw && !s->pf_late)
			pf_dwarf(s, d);
	}
	/* PF_SYMS files are the helper's own until it sets PF_DONE */
	for (k = 0; s->pf_late && k < 2; k++)
		for (i = 0; i < s->pf_n; i++) {
			struct fg_dso *d = s->pf_q[i];
			int st;

			pthread_mutex_lock(&s->pf_mu);
			st = s->pf_stop ? 0 : d->pf_state;
			pthread_mutex_unlock(&s->pf_mu);
			if (st == PF_SYMS && d->pfi == (int)k)
				pf_dwarf(s, d);
		}
	return NULL;
}

/*
 * Before the main thread uses d: take it from the helper's queue, or
 * wait for the helper to finish it, then pass on what it held back.
 */
static void
dso_ready(struct fg_dso *d)
{
	struct fg_symbolizer *s = d->s;
	size_t i;

	if (!d->pf)
		return;
	pthread_mutex_lock(&s->pf_mu);
	if (d->pf_state == PF_QUEUED)
		d->pf_state = PF_TAKEN;
	while (d->pf_state == PF_RUNNING)
		pthread_cond_wait(&s->pf_cv, &s->pf_mu);
	d->pf_dw = d->pf_state == PF_SYMS;
	pthread_mutex_unlock(&s->pf_mu);
	d->pf = 0;
	d->wp = &s->warn;
	for (i = 0; i < d->pf_len; i += strlen(d->pf_msgs + i) + 1)
		fg_warnf(&s->warn, "%s", d->pf_msgs + i);
	free(d->pf_msgs);
	d->pf_msgs = NULL;
	d->pf_len = 0;
}

/* Before the main thread uses d's DWARF: as dso_ready, and its DWARF. */
static void
dso_ready_dw(struct fg_dso *d)
{
	struct fg_symbolizer *s = d->s;

	dso_ready(d);
	if (!d->pf_dw)
		return;
	pthread_mutex_lock(&s->pf_mu);
	while (d->pf_state != PF_DONE)
		pthread_cond_wait(&s->pf_cv, &s->pf_mu);
	pthread_mutex_unlock(&s->pf_mu);
	d->pf_dw = 0;
}

int
fg_dso_inlines_ready(struct fg_dso *d)
{
	struct fg_symbolizer *s = d->s;
	int st;

	if (d->pf || !d->pf_dw)
		return !d->pf;
	pthread_mutex_lock(&s->pf_mu);
	st = d->pf_state;
	pthread_mutex_unlock(&s->pf_mu);
	return st == PF_DONE;
}

struct pf_cand {
	struct fg_dso *d;
	off_t size;
	const char *hex;	/* its /usr/lib/debug/.build-id file's */
	int dbg;
};

static int
pf_cand_cmp(const void *a, const void *b)
{
	const struct pf_cand *x = a, *y = b;

	if (x->dbg != y->dbg)	/* the main executable first */
		return x->dbg - y->dbg;
	return (x->size < y->size) - (x->size > y->size);
}

int
fg_sym_prefetch(struct fg_symbolizer *s, int dwarf)
{
	struct buildid *b;
	struct fg_dso *pfi = NULL;
	struct pf_cand *c = NULL;
	size_t n = 0, cap = 0, i;
	int kernel = s->kernel_bid[0] != '\0';

	if (s->pf_running || s->pf_q != NULL || s->recording_only)
		return 0;
	for (b = s->bids; b != NULL; b = b->next) {
		char path[4096];
		struct stat sb;
		struct fg_dso *d;

		if (b->path[0] != '/')
			continue;
		int dbg = 1;

		snprintf(path, sizeof(path), "/usr/lib/debug/.build-id/"
		    "%.2s/%s.debug", b->hex, b->hex + 2);
		if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
			/* the others when the main thread would not wait */
			if (dwarf == 1)
				continue;
			dbg = 0;
			if (stat(b->path, &sb) != 0 || !S_ISREG(sb.st_mode))
				sb.st_size = 0;
		}
		if ((d = fg_sym_dso(s, b->path)) == NULL)
			goto nomem;
		if (d->loaded || d->pf)
			continue;
		if (n == cap) {
			struct pf_cand *t;
			cap = cap ? cap * 2 : 16;
			if ((t = reallocarray(c, cap, sizeof(*c))) == NULL)
				goto nomem;
			c = t;
		}
		c[n].d = d;
		c[n].hex = dbg ? b->hex : NULL;
		c[n].dbg = dbg;
		c[n++].size = sb.st_size;
	}
	/*
	 * The files without a debug file (the main executable) first, then
	 * the biggest debug files: the main thread takes the rest.
	 */
	if (n > 1)
		qsort(c, n, sizeof(*c), pf_cand_cmp);
	if (kernel && fg_sym_kernel(s) != NULL && !s->kernel->loaded) {
		if (n == cap) {
			struct pf_cand *t;
			if ((t = reallocarray(c, n + 1, sizeof(*c))) == NULL)
				goto nomem;
			c = t;
		}
		c[n].d = s->kernel;
		c[n].hex = NULL;
		c[n].dbg = 0;
		c[n++].size = 0;
	}
	if (n == 0) {
		free(c);
		return 0;
	}
	if ((s->pf_q = reallocarray(NULL, n, sizeof(*s->pf_q))) == NULL)
		goto nomem;
	for (i = 0; i < n; i++) {
		struct fg_dso *d = c[i].d;
		d->pf = 1;
		d->pf_state = PF_QUEUED;
		d->pf_warn.fn = pf_hold;
		d->pf_warn.arg = d;
		d->wp = &d->pf_warn;
		s->pf_q[i] = d;
	}
	s->pf_n = n;
	s->pf_dwarf = dwarf != 0;
	s->pf_late = dwarf == 2;
	/* the biggest debug file's .debug_info on a second helper */
	for (i = 0; i < n && c[i].hex == NULL; i++)
		continue;
	if (dwarf && i < n && c[i].d->kind == FG_DSO_FILE) {
		pfi = c[i].d;
		snprintf(s->pfi_path, sizeof(s->pfi_path),
		    "/usr/lib/debug/.build-id/%.2s/%s.debug", c[i].hex,
		    c[i].hex + 2);
	}
	free(c);
	if (pthread_mutex_init(&s->pf_mu, NULL) != 0)
		goto nothread;
	if (pthread_cond_init(&s->pf_cv, NULL) != 0) {
		pthread_mutex_destroy(&s->pf_mu);
		goto nothread;
	}
	/* before the first helper can look at pfi->pfi */
	if (pfi != NULL && pthread_create(&s->pfi_th, NULL, pfi_main, s) == 0) {
		s->pfi_running = 1;
		pfi->pfi = 1;
	}
	if (pthread_create(&s->pf_th, NULL, pf_main, s) != 0) {
		pthread_cond_destroy(&s->pf_cv);
		pthread_mutex_destroy(&s->pf_mu);
		goto nothread;
	}
	s->pf_running = 1;
	return 0;
nothread:
	/* no helper: the main thread loads them when used, as without */
	for (i = 0; i < n; i++) {
		s->pf_q[i]->pf = 0;
		s->pf_q[i]->wp = &s->warn;
	}
	return 0;
nomem:
	free(c);
	return FG_ENOMEM;
}

size_t
fg_dso_inlines(struct fg_dso *d, uint64_t addr, const char **func,
    const char **names, size_t max)
{
	struct fg_dw_cu *c;
	struct fg_dw_func *f = NULL;
	uint64_t cu;
	size_t lo = 0, hi, i, n = 0;

	*func = NULL;
	if (d->kind != FG_DSO_FILE)
		return 0;
	dso_ready_dw(d);
	dwarf_open(d);
	pfi_take(d);
	if (d->dw == NULL || fg_dw_cu_at(d->dw, addr, &cu) != 0)
		return 0;
	if ((c = cu_index(d, cu)) == NULL || c->nfuncs == 0)
		return 0;
	hi = c->nfuncs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (c->funcs[mid].lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	/* Ranges rarely overlap; look back a few for one that holds addr. */
	for (i = lo; i > 0 && lo - i < 8; i--)
		if (addr < c->funcs[i - 1].hi) {
			f = &c->funcs[i - 1];
			break;
		}
	if (f == NULL)
		return 0;
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
