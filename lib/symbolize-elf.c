/*
 * symbolize-elf.c: an ELF file's symbols as perf reads them: the file as
 * recorded (perf's build-id cache copy when the one on disk was rebuilt),
 * the best symbol table (separate debug file by build id or debuglink,
 * .symtab, .dynsym), function symbols of executable sections only, the
 * PT_LOAD headers for file offsets, PLT entries as NAME@plt, and the
 * [vdso] image of this machine.  Bounds come from libelf; nothing is
 * trusted from the file beyond what libelf checks.
 */

#include <sys/auxv.h>
#include <sys/stat.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <gelf.h>
#include <libelf.h>

#include "base.h"
#include "demangle.h"
#include "symbolize.h"
#include "symbolize-int.h"

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

/*
 * Whether each section of e holds code (SHF_EXECINSTR), by index, in a
 * new array of *n; NULL when there are none or no memory (then every
 * symbol is looked up the slow way).
 */
static uint8_t *
exec_sections(Elf *e, size_t *n)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	uint8_t *x;

	if (elf_getshdrnum(e, n) != 0 || *n == 0 ||
	    (x = calloc(*n, 1)) == NULL)
		return NULL;
	while ((scn = elf_nextscn(e, scn)) != NULL) {
		size_t i = elf_ndxscn(scn);
		if (i < *n && gelf_getshdr(scn, &sh) != NULL)
			x[i] = (sh.sh_flags & SHF_EXECINSTR) != 0;
	}
	return x;
}

/* Whether section i of e holds code (x: exec_sections', of nx). */
static int
exec_section(Elf *e, const uint8_t *x, size_t nx, size_t i)
{
	Elf_Scn *sec;
	GElf_Shdr ss;

	if (x != NULL)
		return i < nx && x[i];
	return (sec = elf_getscn(e, i)) != NULL &&
	    gelf_getshdr(sec, &ss) != NULL && (ss.sh_flags & SHF_EXECINSTR);
}

static void
load_elf_syms(struct fg_dso *d, Elf *e, Elf64_Word type)
{
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	size_t cap = 0, nx = 0;
	uint8_t *x = exec_sections(e, &nx);

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
			if (!exec_section(e, x, nx, st.st_shndx))
				continue;
			if ((nm = elf_strptr(e, sh.sh_link, st.st_name)) == NULL)
				continue;
			if (sym_push(d, &cap, st.st_value, st.st_size, nm, NULL,
			    GELF_ST_BIND(st.st_info), t == STT_NOTYPE) != 0) {
				d->stfail = 1;
				break;
			}
		}
		break;
	}
	free(x);
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
	if ((fd = open_regular(path, &sb)) < 0)
		return -1;
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
void
sym_elf_bid_hex(Elf *e, char *hex, size_t cap)
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
sym_set_debug_dir(struct fg_symbolizer *s, const char *dir)
{
	strlcpy(s->debug_dir, dir != NULL ? dir : "", sizeof(s->debug_dir));
}

void
sym_set_cache_dir(struct fg_symbolizer *s, const char *dir)
{
	if (dir == NULL || strlcpy(s->cache_dir, dir, sizeof(s->cache_dir)) >=
	    sizeof(s->cache_dir))
		s->cache_dir[0] = '\0';
}

void
sym_set_recording_only(struct fg_symbolizer *s)
{
	s->recording_only = 1;
}

int
sym_has_buildid(const struct fg_symbolizer *s, const char *path)
{
	const struct buildid *b;

	if (strcmp(path, "[kernel.kallsyms]") == 0)
		return s->kernel_bid[0] != '\0';
	for (b = sym_bids(s); b != NULL; b = b->next)
		if (strcmp(b->path, path) == 0)
			return 1;
	return 0;
}

int
sym_add_buildid(struct fg_symbolizer *s, const char *path,
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
	/* published whole: a reader on another thread sees all of it */
	b->next = atomic_load_explicit(&s->bids, memory_order_relaxed);
	atomic_store_explicit(&s->bids, b, memory_order_release);
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
	if (n == 0 || n > psh.sh_size / ent)
		return;
	if ((d->plts = calloc(n, sizeof(*d->plts))) == NULL) {
		d->stfail = 1;
		return;
	}
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
		if ((dm = dm_demangle(nm)) != NULL)
			nm = dm;
		l = strlen(nm);
		full = arena_alloc(&d->arena, l + 5);
		if (full != NULL) {
			memcpy(full, nm, l);
			memcpy(full + l, "@plt", 5);
		}
		free(dm);
		if (full == NULL) {
			d->stfail = 1;
			break;
		}
		d->plts[d->nplts].start = off;
		d->plts[d->nplts].end = off + ent;
		d->plts[d->nplts].raw = d->plts[d->nplts].name = full;
		d->nplts++;
	}
}

const void *
sym_vdso_image(struct fg_symbolizer *s, size_t *len)
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

void
sym_load_vdso(struct fg_dso *d)
{
	const unsigned char *img;
	size_t size;

	if ((img = sym_vdso_image(d->s, &size)) == NULL)
		return;
	/* Copy: libelf may not write, and the image is read-only. */
	{
		char *copy = arena_alloc(&d->arena, size);
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
	sym_finish(d, 0, 0);
}

const char *
sym_recorded_file(const struct fg_symbolizer *s, const char *path,
    char *buf, size_t len)
{
	const struct buildid *b;
	char bid[2 * 64 + 1] = "";
	Elf *e;
	int fd, n;

	for (b = sym_bids(s); b != NULL; b = b->next)
		if (strcmp(b->path, path) == 0)
			break;
	if (b == NULL || s->debug_dir[0] == '\0')
		return NULL;
	if (open_elf(path, &fd, &e) == 0) {
		sym_elf_bid_hex(e, bid, sizeof(bid));
		elf_end(e);
		close(fd);
		if (bid[0] == '\0' || strcmp(bid, b->hex) == 0)
			return NULL;
	}
	n = snprintf(buf, len, "%s/.build-id/%.2s/%s/elf", s->debug_dir,
	    b->hex, b->hex + 2);
	if (n < 0 || (size_t)n >= len || access(buf, R_OK) != 0)
		return NULL;
	return buf;
}

void
sym_load_file(struct fg_dso *d)
{
	struct buildid *b;
	char bid[2 * 64 + 1] = "", cpath[4096];
	int src;

	/*
	 * The file as recorded: when the recording names its build id and
	 * the file on disk differs (rebuilt since) or is gone, the copy in
	 * perf's build-id cache.
	 */
	for (b = sym_bids(d->s); b != NULL; b = b->next)
		if (strcmp(b->path, d->path) == 0)
			break;
	if (open_elf(d->path, &d->fd, &d->elf) == 0) {
		sym_elf_bid_hex(d->elf, bid, sizeof(bid));
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
		warnf(d->wp, "%s: cannot read ELF file%s: its frames "
		    "show as [%s]", d->path, b != NULL ? " of the recorded build "
		    "id" : "",
		    strrchr(d->path, '/') ? strrchr(d->path, '/') + 1 : d->path);
		return;
	}
	load_phdrs(d, d->elf);
	open_debug(d, bid);
	if (d->delf != NULL && elf_has_section(d->delf, SHT_SYMTAB, NULL))
		src = ST_SRC_DEBUG;
	else if (elf_has_section(d->elf, SHT_SYMTAB, NULL))
		src = ST_SRC_SYMTAB;
	else
		src = ST_SRC_DYNSYM;
	/* the table as an earlier run finished it, or made and kept */
	if (sym_cache_load(d, bid, src) != 0) {
		load_elf_syms(d, src == ST_SRC_DEBUG ? d->delf : d->elf,
		    src == ST_SRC_DYNSYM ? SHT_DYNSYM : SHT_SYMTAB);
		load_plt(d);
		sym_finish(d, 0, 0);
		d->stsrc = src;
		strlcpy(d->stbid, bid, sizeof(d->stbid));
	}
	if (d->nsyms == 0 && d->nplts == 0)
		warnf(d->wp, "%s: no function symbols", d->path);
}
