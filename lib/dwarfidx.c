/*
 * dwarfidx.c: a compact DWARF 2-5 reader, just enough for inline chains.
 * Sections are read straight from the ELF mapping; compressed ones
 * (SHF_COMPRESSED, zlib or zstd) are inflated here, only the nine this
 * reader uses.  Units are found from .debug_aranges, else from the unit
 * DIEs' own ranges; a unit's DIEs are parsed front to back once, with
 * every form skippable, to index its subprograms and the inlined
 * subroutines under them.  Names follow abstract origins and
 * specifications.  Every read is bounds-checked: bad data fails the
 * unit or the name, never more.  The semantics follow libdw's
 * (dwarf_addrdie, dwarf_ranges, dwarf_attr_integrate) so that output
 * matches what it gave.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <dwarf.h>
#include <gelf.h>
#include <libelf.h>
#include <zstd.h>
#ifdef FG_HAVE_LIBDEFLATE
#include <libdeflate.h>
#else
#include <zlib.h>
#endif

#include "base.h"
#include "dwarfidx.h"

#ifndef ELFCOMPRESS_ZSTD
#define ELFCOMPRESS_ZSTD 2
#endif

enum {
	S_INFO, S_ABBREV, S_STR, S_LINE_STR, S_STR_OFFSETS, S_ADDR,
	S_RANGES, S_RNGLISTS, S_ARANGES, S_N
};

static const char *const sect_names[S_N] = {
	".debug_info", ".debug_abbrev", ".debug_str", ".debug_line_str",
	".debug_str_offsets", ".debug_addr", ".debug_ranges",
	".debug_rnglists", ".debug_aranges"
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
	uint8_t slot;		/* SL_*: where die_read keeps it */
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

static const struct sect *sect(struct fg_dw *, int);

/* A value read for one attribute. */
struct val {
	uint32_t form;
	uint64_t u;
	const uint8_t *str;	/* DW_FORM_string */
};

/* ---- sections --------------------------------------------------------- */

static int
inflate_sect(int is64, const uint8_t *raw, size_t n, struct sect *s)
{
	uint32_t type;
	uint64_t size;
	size_t hdr;
	uint8_t *out;

	if (is64) {
		if (n < 24)
			return -1;
		memcpy(&type, raw, 4);
		memcpy(&size, raw + 8, 8);
		hdr = 24;
	} else {
		uint32_t sz;
		if (n < 12)
			return -1;
		memcpy(&type, raw, 4);
		memcpy(&sz, raw + 4, 4);
		size = sz;
		hdr = 12;
	}
	/* a bound on what a header may claim: no huge allocation */
	if (size == 0 || size > ((uint64_t)1 << 32) ||
	    size / 2048 > n)
		return -1;
	if ((out = malloc(size)) == NULL)
		return -1;
	if (type == ELFCOMPRESS_ZLIB) {
#ifdef FG_HAVE_LIBDEFLATE
		struct libdeflate_decompressor *z;
		size_t got;
		int r;

		if ((z = libdeflate_alloc_decompressor()) == NULL)
			goto bad;
		r = libdeflate_zlib_decompress(z, raw + hdr, n - hdr, out, size,
		    &got);
		libdeflate_free_decompressor(z);
		if (r != LIBDEFLATE_SUCCESS || got != size)
			goto bad;
#else
		uLongf got = size;

		if (uncompress(out, &got, raw + hdr, n - hdr) != Z_OK ||
		    got != size)
			goto bad;
#endif
	} else if (type == ELFCOMPRESS_ZSTD) {
		size_t got = ZSTD_decompress(out, size, raw + hdr, n - hdr);
		if (ZSTD_isError(got) || got != size)
			goto bad;
	} else
		goto bad;
	s->own = out;
	s->p = out;
	s->n = size;
	return 0;
bad:
	free(out);
	return -1;
}

/* ---- the cache of inflated sections ---------------------------------- */

/*
 * Inflating is most of the cost of a distribution's debug file (libc6's
 * .debug_info: 5.8 MB, ~12 ms here), paid again on every run; like
 * gdb's index cache, what was inflated is kept, keyed by build id, as
 * DIR/BUILD-ID/SECTION (without the dot): a header, then the bytes.
 * The header holds the compressed section's size and a hash of its
 * ends, so a stale or foreign file is not used; a bad or short file is
 * ignored (and replaced).  Files are written whole under a temporary
 * name and renamed, so concurrent runs never see a half-written one.
 * Only sections of CACHE_MIN bytes or more: small ones inflate faster
 * than a file is opened.
 */
#define CACHE_MAGIC	"FGDWSEC2"
#define CACHE_HDR	40	/* magic, n, size, check; the body's sum */
#define CACHE_KEY	32	/* what names the source: all but the sum */
#define CACHE_MIN	(64u << 10)
/*
 * Nor past CACHE_MAX: the file is written on the helper that inflated
 * it, which a run then waits for; a debug file that big (a C++ library's)
 * would cost the first run as much again and fill the disk.
 */
#define CACHE_MAX	((uint64_t)256 << 20)

static uint64_t
cache_check(const uint8_t *raw, size_t n)
{
	size_t k = n < 4096 ? n : 4096;

	return fg_hash(raw, k) ^ (fg_hash(raw + n - k, k) * 31) ^ n;
}

/*
 * The header: what names the source (its first CACHE_KEY bytes), then
 * the checksum of the body (when body is not NULL).
 */
static void
cache_header(uint8_t *h, const uint8_t *raw, size_t n, uint64_t size,
    const void *body)
{
	uint64_t v[4] = { n, size, cache_check(raw, n), 0 };

	if (body != NULL)
		v[3] = fg_checksum(body, (size_t)size);
	memcpy(h, CACHE_MAGIC, 8);
	memcpy(h + 8, v, sizeof(v));
}

/*
 * The cache file name of this file's directory, open, a regular file at
 * least hlen bytes long whose first hlen bytes are now in hdr (and its
 * stat in *sb): the descriptor, or -1.
 */
static int
cache_open(const struct fg_dw *dw, const char *name, void *hdr, size_t hlen,
    struct stat *sb)
{
	char path[PATH_MAX];
	int fd, r;

	if (dw->cache == NULL)
		return -1;
	r = snprintf(path, sizeof(path), "%s/%s", dw->cache, name);
	if (r < 0 || (size_t)r >= sizeof(path) ||
	    (fd = fg_open_regular(path, sb)) < 0)
		return -1;
	if ((uint64_t)sb->st_size < hlen ||
	    pread(fd, hdr, hlen, 0) != (ssize_t)hlen) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Section i (raw: n compressed bytes, size inflated) from the cache. */
static int
cache_map(struct fg_dw *dw, int i, const uint8_t *raw, size_t n,
    uint64_t size, struct sect *s)
{
	uint8_t want[CACHE_HDR], got[CACHE_HDR];
	struct stat sb;
	void *m;
	int fd;

	if (size < CACHE_MIN || (fd = cache_open(dw, sect_names[i] + 1, got,
	    CACHE_HDR, &sb)) < 0)
		return -1;
	cache_header(want, raw, n, size, NULL);
	if ((uint64_t)sb.st_size != CACHE_HDR + size ||
	    memcmp(got, want, CACHE_KEY) != 0 ||
	    (m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd,
	    0)) == MAP_FAILED) {
		close(fd);
		return -1;
	}
	close(fd);
	/* the bytes are what was written: checked whole before any use */
	if (memcmp(got + CACHE_KEY, &(uint64_t){ fg_checksum(
	    (const uint8_t *)m + CACHE_HDR, (size_t)size) }, 8) != 0) {
		munmap(m, (size_t)sb.st_size);
		return -1;
	}
	s->map = m;
	s->maplen = (size_t)sb.st_size;
	s->p = (const uint8_t *)m + CACHE_HDR;
	s->n = (size_t)size;
	return 0;
}

/* mkdir -p of dir (its parents made with mode 0755 less the umask). */
static int
mkdirs(char *dir)
{
	char *p;

	for (p = dir + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
			*p = '/';
			return -1;
		}
		*p = '/';
	}
	return mkdir(dir, 0755) != 0 && errno != EEXIST ? -1 : 0;
}

static int
write_all(int fd, const void *buf, size_t n)
{
	const uint8_t *p = buf;

	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

/*
 * Write the cache file name (in this file's directory, made if need be)
 * from n pieces, whole or not at all.
 */
static void
cache_put(const struct fg_dw *dw, const char *name, const void *const *part,
    const size_t *len, int n)
{
	char path[PATH_MAX], tmp[PATH_MAX + 8], dir[PATH_MAX];
	int fd, ok, i, r;

	r = snprintf(path, sizeof(path), "%s/%s", dw->cache, name);
	if (r < 0 || (size_t)r >= sizeof(path) ||
	    strlcpy(dir, dw->cache, sizeof(dir)) >= sizeof(dir) ||
	    mkdirs(dir) != 0)
		return;
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	if ((fd = mkstemp(tmp)) < 0)
		return;
	for (i = 0, ok = 1; i < n && ok; i++)
		ok = write_all(fd, part[i], len[i]) == 0;
	if (close(fd) != 0)
		ok = 0;
	if (!ok || rename(tmp, path) != 0)
		unlink(tmp);
}

/* Keep what section i inflated to; on any failure, nothing is kept. */
static void
cache_store(const struct fg_dw *dw, int i, const uint8_t *raw, size_t n,
    const void *data, uint64_t size)
{
	uint8_t h[CACHE_HDR];
	const void *part[2] = { h, data };
	size_t len[2] = { sizeof(h), (size_t)size };

	if (dw->cache == NULL || size < CACHE_MIN || size > CACHE_MAX)
		return;
	cache_header(h, raw, n, size, data);
	cache_put(dw, sect_names[i] + 1, part, len, 2);
}

/*
 * The unit indexes (fg_dw_index, funcs sorted by the caller) are kept
 * too, as DIR/BUILD-ID/cu-index: walking a unit's DIEs is most of what
 * a run still costs once the sections come from the cache.  A header
 * (the format, the sizes of the records, .debug_info's size and the
 * hash of its ends), a record per unit, then every unit's funcs, then
 * every unit's inls.  Checked whole when mapped: any count or offset
 * that does not fit and the file is not used.
 */
#define CUX_NAME	"cu-index"
#define CUX_MAGIC	"FGDWCUX2"

struct cux_hdr {
	char magic[8];
	uint32_t version;
	uint32_t fsize;		/* sizeof(struct fg_dw_func) */
	uint32_t isize;		/* sizeof(struct fg_dw_inl) */
	uint32_t pad;
	uint64_t info_size;
	uint64_t info_check;
	uint64_t ncus;
	uint64_t nfuncs;
	uint64_t ninls;
	uint64_t sum;		/* fg_checksum of all that follows */
};

struct cux_rec {
	uint64_t off;
	uint64_t nfuncs;
	uint64_t ninls;
	uint64_t failed;
};

/* The checksum of n pieces, as of one file. */
static uint64_t
parts_sum(const void *const *part, const size_t *len, size_t n)
{
	struct fg_ck ck;
	size_t i;

	fg_ck_init(&ck);
	for (i = 0; i < n; i++)
		fg_ck_update(&ck, part[i], len[i]);
	return fg_ck_final(&ck);
}

/* What names this .debug_info in an index file: its size and hash. */
static int
info_id(struct fg_dw *dw, uint64_t *size, uint64_t *check)
{
	const struct sect *si = sect(dw, S_INFO);

	if (si == NULL || si->n == 0)
		return -1;
	*size = si->n;
	*check = cache_check(si->p, si->n);
	return 0;
}

static int
cux_header(struct fg_dw *dw, struct cux_hdr *h)
{
	memset(h, 0, sizeof(*h));
	if (info_id(dw, &h->info_size, &h->info_check) != 0)
		return -1;
	memcpy(h->magic, CUX_MAGIC, 8);
	h->version = 2;
	h->fsize = sizeof(struct fg_dw_func);
	h->isize = sizeof(struct fg_dw_inl);
	return 0;
}

size_t
fg_dw_cache_load_cus(struct fg_dw *dw, struct fg_dw_cu **out)
{
	struct cux_hdr want, h;
	const struct cux_rec *rec;
	struct fg_dw_cu *cus = NULL;
	struct stat sb;
	uint64_t nf = 0, ni = 0, need;
	const uint8_t *m = NULL, *fp, *ip;
	size_t i, j;
	int fd;

	*out = NULL;
	if (dw == NULL || dw->cache == NULL || dw->cux != NULL ||
	    cux_header(dw, &want) != 0 ||
	    (fd = cache_open(dw, CUX_NAME, &h, sizeof(h), &sb)) < 0)
		return 0;
	if (memcmp(h.magic, want.magic, 8) != 0 || h.version != want.version ||
	    h.fsize != want.fsize || h.isize != want.isize ||
	    h.info_size != want.info_size || h.info_check != want.info_check ||
	    h.ncus == 0 || h.ncus > (uint64_t)sb.st_size / sizeof(*rec) ||
	    h.nfuncs > (uint64_t)sb.st_size / h.fsize ||
	    h.ninls > (uint64_t)sb.st_size / h.isize)
		goto bad;
	need = sizeof(h) + h.ncus * sizeof(*rec) + h.nfuncs * h.fsize +
	    h.ninls * h.isize;
	if (need != (uint64_t)sb.st_size ||
	    (m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd,
	    0)) == MAP_FAILED) {
		m = NULL;
		goto bad;
	}
	if (fg_checksum(m + sizeof(h), (size_t)sb.st_size - sizeof(h)) !=
	    h.sum)
		goto bad;
	rec = (const struct cux_rec *)(const void *)(m + sizeof(h));
	for (i = 0; i < h.ncus; i++) {
		if (rec[i].nfuncs > h.nfuncs - nf || rec[i].ninls > h.ninls - ni)
			goto bad;
		nf += rec[i].nfuncs;
		ni += rec[i].ninls;
	}
	if (nf != h.nfuncs || ni != h.ninls ||
	    (cus = calloc((size_t)h.ncus, sizeof(*cus))) == NULL)
		goto bad;
	fp = m + sizeof(h) + h.ncus * sizeof(*rec);
	ip = fp + h.nfuncs * h.fsize;
	for (i = 0; i < h.ncus; i++) {
		struct fg_dw_cu *c = &cus[i];

		c->off = rec[i].off;
		c->failed = rec[i].failed != 0;
		c->funcs = (struct fg_dw_func *)(uintptr_t)fp;
		c->nfuncs = (size_t)rec[i].nfuncs;
		c->inls = (struct fg_dw_inl *)(uintptr_t)ip;
		c->ninls = (size_t)rec[i].ninls;
		for (j = 0; j < c->nfuncs; j++)
			if (c->funcs[j].inl_first > c->ninls ||
			    c->funcs[j].inl_n > c->ninls - c->funcs[j].inl_first)
				goto bad;
		fp += c->nfuncs * h.fsize;
		ip += c->ninls * h.isize;
	}
	close(fd);
	dw->cux = (void *)(uintptr_t)m;
	dw->cuxlen = (size_t)sb.st_size;
	*out = cus;
	return (size_t)h.ncus;
bad:
	free(cus);
	if (m != NULL)
		munmap((void *)(uintptr_t)m, (size_t)sb.st_size);
	close(fd);
	return 0;
}

void
fg_dw_cache_store_cus(struct fg_dw *dw, const struct fg_dw_cu *cus, size_t n)
{
	struct cux_hdr h;
	struct cux_rec *rec = NULL;
	const void **part = NULL;
	size_t *len = NULL, i, k = 0;

	if (dw == NULL || dw->cache == NULL || n == 0 || n > INT_MAX / 2 - 2 ||
	    cux_header(dw, &h) != 0 ||
	    (rec = calloc(n, sizeof(*rec))) == NULL ||
	    (part = calloc(2 * n + 2, sizeof(*part))) == NULL ||
	    (len = calloc(2 * n + 2, sizeof(*len))) == NULL)
		goto out;
	h.ncus = n;
	part[k] = &h;
	len[k++] = sizeof(h);
	part[k] = rec;
	len[k++] = n * sizeof(*rec);
	for (i = 0; i < n; i++) {
		rec[i].off = cus[i].off;
		rec[i].failed = cus[i].failed != 0;
		rec[i].nfuncs = cus[i].failed ? 0 : cus[i].nfuncs;
		rec[i].ninls = cus[i].failed ? 0 : cus[i].ninls;
		h.nfuncs += rec[i].nfuncs;
		h.ninls += rec[i].ninls;
		if (rec[i].nfuncs > 0) {
			part[k] = cus[i].funcs;
			len[k++] = (size_t)rec[i].nfuncs * sizeof(*cus[i].funcs);
		}
	}
	for (i = 0; i < n; i++)
		if (rec[i].ninls > 0) {
			part[k] = cus[i].inls;
			len[k++] = (size_t)rec[i].ninls * sizeof(*cus[i].inls);
		}
	h.sum = parts_sum(part + 1, len + 1, k - 1);
	cache_put(dw, CUX_NAME, part, len, (int)k);
out:
	free(rec);
	free(part);
	free(len);
}

Elf *
fg_dw_elf(const struct fg_dw *dw)
{
	return dw->e;
}

void
fg_dw_set_cache(struct fg_dw *dw, const char *root, const char *bid)
{
	size_t n;

	if (dw == NULL || root == NULL || root[0] == '\0' || bid == NULL ||
	    strlen(bid) < 2 || strspn(bid, "0123456789abcdef") != strlen(bid))
		return;
	n = strlen(root) + strlen(bid) + 2;
	free(dw->cache);
	if ((dw->cache = malloc(n)) != NULL)
		snprintf(dw->cache, n, "%s/%s", root, bid);
}

/* The inflated size a compressed section's header claims, or 0. */
static uint64_t
chdr_size(int is64, const uint8_t *raw, size_t n)
{
	uint64_t size;
	uint32_t sz;

	if (is64) {
		if (n < 24)
			return 0;
		memcpy(&size, raw + 8, 8);
		return size;
	}
	if (n < 12)
		return 0;
	memcpy(&sz, raw + 4, 4);
	return sz;
}

/* Section i's bytes, read or inflated on first use; NULL when none. */
static const struct sect *
sect(struct fg_dw *dw, int i)
{
	struct sect *s = &dw->s[i];
	GElf_Shdr sh;
	Elf_Data *d;

	if (s->state == 1)
		return s;
	if (s->state == -1)
		return NULL;
	s->state = -1;
	if (s->scn == NULL || gelf_getshdr(s->scn, &sh) == NULL ||
	    sh.sh_type == SHT_NOBITS ||
	    (d = elf_rawdata(s->scn, NULL)) == NULL || d->d_buf == NULL)
		return NULL;
	if (sh.sh_flags & SHF_COMPRESSED) {
		if (cache_map(dw, i, d->d_buf, d->d_size, chdr_size(dw->is64,
		    d->d_buf, d->d_size), s) == 0) {
			s->state = 1;
			return s;
		}
		if (inflate_sect(dw->is64, d->d_buf, d->d_size, s) != 0)
			return NULL;
		cache_store(dw, i, d->d_buf, d->d_size, s->p, s->n);
	} else {
		s->p = d->d_buf;
		s->n = d->d_size;
	}
	s->state = 1;
	return s;
}

struct fg_dw *
fg_dw_open(Elf *e)
{
	struct fg_dw *dw;
	const char *ident;
	Elf_Scn *scn = NULL;
	GElf_Shdr sh;
	size_t shstr, k;

	if (e == NULL || (ident = elf_getident(e, NULL)) == NULL ||
	    ident[EI_DATA] != ELFDATA2LSB ||
	    (ident[EI_CLASS] != ELFCLASS32 && ident[EI_CLASS] != ELFCLASS64) ||
	    elf_getshdrstrndx(e, &shstr) != 0)
		return NULL;
	if ((dw = calloc(1, sizeof(*dw))) == NULL)
		return NULL;
	dw->e = e;
	dw->is64 = ident[EI_CLASS] == ELFCLASS64;
	while ((scn = elf_nextscn(e, scn)) != NULL) {
		const char *n;

		if (gelf_getshdr(scn, &sh) == NULL ||
		    sh.sh_type == SHT_NOBITS ||
		    (n = elf_strptr(e, shstr, sh.sh_name)) == NULL ||
		    strncmp(n, ".debug_", 7) != 0)
			continue;
		for (k = 0; k < S_N; k++)
			if (strcmp(n, sect_names[k]) == 0 &&
			    dw->s[k].scn == NULL)
				dw->s[k].scn = scn;
	}
	if (dw->s[S_INFO].scn == NULL || dw->s[S_ABBREV].scn == NULL) {
		free(dw);
		return NULL;
	}
	return dw;
}

int
fg_dw_inflate_info(Elf *e, const char *cache_root, const char *bid,
    void **buf, size_t *len)
{
	struct fg_dw *dw = fg_dw_open(e);
	struct sect *s;
	GElf_Shdr sh;
	Elf_Data *d;
	int r = -1;

	if (dw == NULL)
		return -1;
	fg_dw_set_cache(dw, cache_root, bid);
	s = &dw->s[S_INFO];
	if (gelf_getshdr(s->scn, &sh) == NULL ||
	    !(sh.sh_flags & SHF_COMPRESSED) ||
	    (d = elf_rawdata(s->scn, NULL)) == NULL || d->d_buf == NULL)
		goto out;
	if (cache_map(dw, S_INFO, d->d_buf, d->d_size, chdr_size(dw->is64,
	    d->d_buf, d->d_size), s) == 0) {
		r = 1;		/* its owner maps it too */
		goto out;
	}
	if (inflate_sect(dw->is64, d->d_buf, d->d_size, s) == 0) {
		cache_store(dw, S_INFO, d->d_buf, d->d_size, s->p, s->n);
		*buf = s->own;
		*len = s->n;
		s->own = NULL;
		r = 0;
	}
out:
	fg_dw_free(dw);
	return r;
}

int
fg_dw_adopt_info(struct fg_dw *dw, void *buf, size_t len)
{
	struct sect *s = &dw->s[S_INFO];
	GElf_Shdr sh;
	Elf_Data *d;
	uint64_t want;

	/* only in place of what inflating this file's own would give */
	if (s->state != 0 || gelf_getshdr(s->scn, &sh) == NULL ||
	    !(sh.sh_flags & SHF_COMPRESSED) ||
	    (d = elf_rawdata(s->scn, NULL)) == NULL || d->d_buf == NULL ||
	    d->d_size < (dw->is64 ? 24 : 12))
		return -1;
	if (dw->is64)
		memcpy(&want, (const uint8_t *)d->d_buf + 8, 8);
	else {
		uint32_t w32;
		memcpy(&w32, (const uint8_t *)d->d_buf + 4, 4);
		want = w32;
	}
	if (want != len)
		return -1;
	s->own = buf;
	s->p = buf;
	s->n = len;
	s->state = 1;
	return 0;
}

void
fg_dw_prepare_small(struct fg_dw *dw)
{
	int i;

	if (dw == NULL)
		return;
	for (i = 0; i < S_N; i++)
		if (i != S_INFO)
			(void)sect(dw, i);
}

void
fg_dw_free(struct fg_dw *dw)
{
	size_t i;

	if (dw == NULL)
		return;
	for (i = 0; i < S_N; i++) {
		free(dw->s[i].own);
		if (dw->s[i].map != NULL)
			munmap(dw->s[i].map, dw->s[i].maplen);
	}
	free(dw->cache);
	if (dw->cux != NULL)
		munmap(dw->cux, dw->cuxlen);
	for (i = 0; i < dw->atcap; i++) {
		struct atab *t = dw->atabs[i];
		if (t == NULL)
			continue;
		free(t->ab);
		free(t->dense);
		free(t->specs);
		free(t);
	}
	free(dw->atabs);
	free(dw->units);
	free(dw->ar);
	free(dw->cr);
	free(dw);
}

/* ---- bounded reads ---------------------------------------------------- */

struct cur {
	const uint8_t *p;
	const uint8_t *end;
	int bad;
};

static uint64_t
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

static uint64_t
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

static int64_t
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

static void
skip(struct cur *c, uint64_t n)
{
	if (c->bad || (uint64_t)(c->end - c->p) < n) {
		c->bad = 1;
		c->p = c->end;
		return;
	}
	c->p += n;
}

/* ---- units and abbreviations ---------------------------------------- */

/* Every unit header of .debug_info, up to the first bad one. */
static int
units_build(struct fg_dw *dw)
{
	const struct sect *si;
	size_t cap = 0;
	uint64_t off = 0;

	if (dw->units_built)
		return dw->nunits > 0 ? 0 : -1;
	dw->units_built = 1;
	if ((si = sect(dw, S_INFO)) == NULL)
		return -1;
	while (off + 11 <= si->n) {
		struct cur c = { si->p + off, si->p + si->n, 0 };
		struct unit u;
		uint64_t len;

		memset(&u, 0, sizeof(u));
		u.off = off;
		len = rd_n(&c, 4);
		u.osize = 4;
		if (len == 0xffffffff) {
			len = rd_n(&c, 8);
			u.osize = 8;
		} else if (len >= 0xfffffff0)
			break;
		if (c.bad || len > (uint64_t)(c.end - c.p) || len < 7)
			break;
		u.end = (uint64_t)(c.p - si->p) + len;
		c.end = si->p + u.end;
		u.version = rd_n(&c, 2);
		if (u.version < 2 || u.version > 5)
			break;
		if (u.version >= 5) {
			u.type = rd_n(&c, 1);
			u.asize = rd_n(&c, 1);
			u.abbrev = rd_n(&c, u.osize);
			switch (u.type) {
			case DW_UT_type:
			case DW_UT_split_type:
				skip(&c, 8 + u.osize);
				break;
			case DW_UT_skeleton:
			case DW_UT_split_compile:
				skip(&c, 8);
				break;
			}
		} else {
			u.type = DW_UT_compile;
			u.abbrev = rd_n(&c, u.osize);
			u.asize = rd_n(&c, 1);
		}
		if (c.bad || (u.asize != 4 && u.asize != 8))
			break;
		u.die = (uint64_t)(c.p - si->p);
		if (dw->nunits == cap) {
			struct unit *t = fg_grow(dw->units, &cap, cap + 1,
			    sizeof(*t), 256);
			if (t == NULL)
				break;
			dw->units = t;
		}
		dw->units[dw->nunits++] = u;
		off = u.end;
	}
	return dw->nunits > 0 ? 0 : -1;
}

/* The unit holding .debug_info offset off, or NULL. */
static struct unit *
unit_of(struct fg_dw *dw, uint64_t off)
{
	size_t lo = 0, hi;

	if (units_build(dw) != 0)
		return NULL;
	hi = dw->nunits;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (dw->units[mid].off <= off)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || off >= dw->units[lo - 1].end)
		return NULL;
	return &dw->units[lo - 1];
}

static int
form_size(uint32_t form, const struct unit *u)
{
	switch (form) {
	case DW_FORM_flag_present:
	case DW_FORM_implicit_const:
		return 0;
	case DW_FORM_data1: case DW_FORM_ref1: case DW_FORM_flag:
	case DW_FORM_strx1: case DW_FORM_addrx1:
		return 1;
	case DW_FORM_data2: case DW_FORM_ref2: case DW_FORM_strx2:
	case DW_FORM_addrx2:
		return 2;
	case DW_FORM_strx3: case DW_FORM_addrx3:
		return 3;
	case DW_FORM_data4: case DW_FORM_ref4: case DW_FORM_strx4:
	case DW_FORM_addrx4: case DW_FORM_ref_sup4:
		return 4;
	case DW_FORM_data8: case DW_FORM_ref8: case DW_FORM_ref_sig8:
	case DW_FORM_ref_sup8:
		return 8;
	case DW_FORM_data16:
		return 16;
	case DW_FORM_addr:
		return u->asize;
	case DW_FORM_ref_addr:
		return u->version <= 2 ? u->asize : u->osize;
	case DW_FORM_strp: case DW_FORM_sec_offset: case DW_FORM_line_strp:
	case DW_FORM_strp_sup: case DW_FORM_GNU_ref_alt:
	case DW_FORM_GNU_strp_alt:
		return u->osize;
	}
	return -1;
}

static uint8_t
attr_slot(uint32_t name)
{
	switch (name) {
	case DW_AT_sibling:		return SL_SIBLING;
	case DW_AT_declaration:		return SL_DECL;
	case DW_AT_low_pc:		return SL_LOW;
	case DW_AT_high_pc:		return SL_HIGH;
	case DW_AT_ranges:		return SL_RANGES;
	case DW_AT_name:		return SL_NAME;
	case DW_AT_linkage_name:	return SL_LINK;
	case DW_AT_MIPS_linkage_name:	return SL_MLINK;
	case DW_AT_abstract_origin:	return SL_ORIGIN;
	case DW_AT_specification:	return SL_SPEC;
	}
	return SL_NONE;
}

static int
abbrev_cmp(const void *a, const void *b)
{
	const struct abbrev *x = a, *y = b;

	return (x->code > y->code) - (x->code < y->code);
}

/*
 * Bad data must not make the work grow with the lookups: a table that
 * does not parse is remembered as bad (atab_get), a unit DIE that does
 * not parse too (unit_die_ok), and the bytes all tables of a file may
 * cost are bounded, so overlapping tables that each run to the end of a
 * damaged section cannot make it quadratic.  A sound file parses each
 * table once, once per address and offset size at most: a few times
 * the section in all.
 */
#define ABBREV_BUDGET(n)	(4 * (uint64_t)(n) + ((uint64_t)1 << 20))

static int
abbrev_over(struct fg_dw *dw, const struct sect *sa)
{
	if (dw->st.abbrev_bytes <= ABBREV_BUDGET(sa->n))
		return 0;
	dw->st.abbrev_budget_hit = 1;
	return 1;
}

/* Whether a parse that has read n bytes so far takes it past the budget. */
static int
abbrev_spent(struct fg_dw *dw, const struct sect *sa, size_t n)
{
	if (dw->st.abbrev_bytes + n <= ABBREV_BUDGET(sa->n))
		return 0;
	dw->st.abbrev_budget_hit = 1;
	return 1;
}

void
fg_dw_get_stats(const struct fg_dw *dw, struct fg_dw_stats *st)
{
	*st = dw->st;
}

static struct atab *
atab_parse(struct fg_dw *dw, const struct unit *u, uint64_t key)
{
	const struct sect *sa = sect(dw, S_ABBREV);
	struct atab *t;
	struct cur c;
	size_t capab = 0, capsp = 0, nsp = 0, i;
	uint64_t maxcode = 0;

	if (sa == NULL || u->abbrev >= sa->n || abbrev_over(dw, sa) ||
	    (t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	dw->st.abbrev_parses++;
	t->key = key;
	t->sorted = 1;
	/* never NULL: &specs[first] of an attribute-less table stays valid */
	capsp = 16;
	if ((t->specs = calloc(capsp, sizeof(*t->specs))) == NULL) {
		free(t);
		return NULL;
	}
	c.p = sa->p + u->abbrev;
	c.end = sa->p + sa->n;
	c.bad = 0;
	for (;;) {
		struct abbrev a;
		int32_t fixed = 0;

		memset(&a, 0, sizeof(a));
		a.code = rd_uleb(&c);
		if (c.bad || a.code == 0)
			break;
		/* the budget, checked per abbreviation: a table that runs on
		   (its end flipped) stops at it */
		if (abbrev_spent(dw, sa, (size_t)(c.p - (sa->p + u->abbrev))))
			goto bad;
		a.tag = (uint32_t)rd_uleb(&c);
		a.children = rd_n(&c, 1) != 0;
		a.first = nsp;
		for (;;) {
			uint64_t name = rd_uleb(&c), form = rd_uleb(&c);
			int64_t ic = 0;
			int sz;

			if (c.bad)
				goto bad;
			if (name == 0 && form == 0)
				break;
			if (form == DW_FORM_implicit_const)
				ic = rd_sleb(&c);
			if (nsp == capsp) {
				struct spec *s;
				capsp = capsp ? capsp * 2 : 256;
				if (capsp > UINT32_MAX / 2 || (s = reallocarray(
				    t->specs, capsp, sizeof(*s))) == NULL)
					goto bad;
				t->specs = s;
			}
			t->specs[nsp].name = name > UINT32_MAX ? UINT32_MAX :
			    (uint32_t)name;
			t->specs[nsp].form = form > UINT32_MAX ? UINT32_MAX :
			    (uint32_t)form;
			t->specs[nsp].ic = ic;
			sz = form_size(t->specs[nsp].form, u);
			t->specs[nsp].size = (int8_t)(form == DW_FORM_implicit_const ?
			    -1 : sz);
			t->specs[nsp].slot = attr_slot(t->specs[nsp].name);
			nsp++;
			if (sz < 0 || fixed < 0)
				fixed = -1;
			else
				fixed += sz;
		}
		a.n = nsp - a.first;
		a.fixed = fixed;
		if (t->nab == capab) {
			struct abbrev *n = fg_grow(t->ab, &capab, capab + 1,
			    sizeof(*n), 64);
			if (n == NULL)
				goto bad;
			t->ab = n;
		}
		if (t->nab > 0 && t->ab[t->nab - 1].code >= a.code)
			t->sorted = 0;
		t->ab[t->nab++] = a;
		if (a.code > maxcode)
			maxcode = a.code;
	}
	if (c.bad)
		goto bad;
	dw->st.abbrev_bytes += (size_t)(c.p - (sa->p + u->abbrev));
	if (!t->sorted && t->nab > 1)
		qsort(t->ab, t->nab, sizeof(*t->ab), abbrev_cmp);
	if (maxcode < 4 * t->nab + 64) {
		t->ndense = maxcode + 1;
		if ((t->dense = calloc(t->ndense, sizeof(*t->dense))) == NULL)
			goto bad;
		/* the first of a duplicated code wins */
		for (i = t->nab; i > 0; i--)
			t->dense[t->ab[i - 1].code] = &t->ab[i - 1];
	}
	return t;
bad:
	dw->st.abbrev_bytes += (size_t)(c.p - (sa->p + u->abbrev));
	free(t->ab);
	free(t->specs);
	free(t);
	return NULL;
}

static struct atab *
atab_get(struct fg_dw *dw, struct unit *u)
{
	uint64_t key;
	size_t h, i;
	struct atab *t;

	if (u->at != NULL)
		return u->at;
	key = u->abbrev << 3 | (u->asize == 8) | (u->osize == 8) << 1 |
	    (u->version <= 2) << 2;
	if (dw->atcap > 0)
		for (h = (size_t)(key * 0x9e3779b97f4a7c15ULL) &
		    (dw->atcap - 1); dw->atabs[h] != NULL;
		    h = (h + 1) & (dw->atcap - 1))
			if (dw->atabs[h]->key == key)
				return dw->atabs[h]->bad ? NULL :
				    (u->at = dw->atabs[h]);
	if ((dw->natabs + 1) * 2 > dw->atcap) {
		size_t nc = dw->atcap ? dw->atcap * 2 : 64;
		struct atab **n = calloc(nc, sizeof(*n));
		if (n == NULL)
			return NULL;
		for (i = 0; i < dw->atcap; i++) {
			if (dw->atabs[i] == NULL)
				continue;
			for (h = (size_t)(dw->atabs[i]->key *
			    0x9e3779b97f4a7c15ULL) & (nc - 1); n[h] != NULL;
			    h = (h + 1) & (nc - 1))
				;
			n[h] = dw->atabs[i];
		}
		free(dw->atabs);
		dw->atabs = n;
		dw->atcap = nc;
	}
	/* a table that does not parse stays in the hash, marked bad */
	if ((t = atab_parse(dw, u, key)) == NULL) {
		if ((t = calloc(1, sizeof(*t))) == NULL)
			return NULL;
		t->key = key;
		t->bad = 1;
	}
	for (h = (size_t)(key * 0x9e3779b97f4a7c15ULL) & (dw->atcap - 1);
	    dw->atabs[h] != NULL; h = (h + 1) & (dw->atcap - 1))
		;
	dw->atabs[h] = t;
	dw->natabs++;
	return t->bad ? NULL : (u->at = t);
}

static const struct abbrev *
abbrev_find(const struct atab *t, uint64_t code)
{
	size_t lo = 0, hi = t->nab;

	if (code < t->ndense)
		return t->dense[code];
	if (t->dense != NULL)
		return NULL;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (t->ab[mid].code < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < t->nab && t->ab[lo].code == code ? &t->ab[lo] : NULL;
}

/* ---- forms ------------------------------------------------------------ */

/* Read one attribute value of form (DW_FORM_indirect resolved): 0/-1. */
static int
form_read(struct cur *c, const struct unit *u, uint32_t form, int64_t ic,
    struct val *v)
{
	int sz;

	if (form == DW_FORM_indirect) {
		uint64_t f = rd_uleb(c);
		if (c->bad || f == DW_FORM_indirect || f > UINT32_MAX)
			return -1;
		form = (uint32_t)f;
		if (form == DW_FORM_implicit_const)
			return -1;
	}
	v->form = form;
	v->str = NULL;
	switch (form) {
	case DW_FORM_implicit_const:
		v->u = (uint64_t)ic;
		return 0;
	case DW_FORM_sdata:
		v->u = (uint64_t)rd_sleb(c);
		return c->bad ? -1 : 0;
	case DW_FORM_udata: case DW_FORM_ref_udata: case DW_FORM_strx:
	case DW_FORM_addrx: case DW_FORM_loclistx: case DW_FORM_rnglistx:
	case DW_FORM_GNU_addr_index: case DW_FORM_GNU_str_index:
		v->u = rd_uleb(c);
		return c->bad ? -1 : 0;
	case DW_FORM_string: {
		const uint8_t *z = memchr(c->p, 0, (size_t)(c->end - c->p));
		if (z == NULL)
			return -1;
		v->str = c->p;
		c->p = z + 1;
		return 0;
	}
	case DW_FORM_block1:
		skip(c, rd_n(c, 1));
		return c->bad ? -1 : 0;
	case DW_FORM_block2:
		skip(c, rd_n(c, 2));
		return c->bad ? -1 : 0;
	case DW_FORM_block4:
		skip(c, rd_n(c, 4));
		return c->bad ? -1 : 0;
	case DW_FORM_block: case DW_FORM_exprloc:
		skip(c, rd_uleb(c));
		return c->bad ? -1 : 0;
	case DW_FORM_data16:
		skip(c, 16);
		v->u = 0;
		return c->bad ? -1 : 0;
	}
	if ((sz = form_size(form, u)) < 0)
		return -1;
	v->u = rd_n(c, (size_t)sz);
	return c->bad ? -1 : 0;
}

/* Skip n attribute values as in specs: 0/-1. */
static int
attrs_skip(struct cur *c, const struct unit *u, const struct spec *sp,
    uint32_t n)
{
	struct val v;
	uint32_t i;

	for (i = 0; i < n; i++) {
		if (sp[i].size >= 0) {
			if ((size_t)(c->end - c->p) < (size_t)sp[i].size) {
				c->bad = 1;
				return -1;
			}
			c->p += sp[i].size;
		} else if (form_read(c, u, sp[i].form, sp[i].ic, &v) != 0)
			return -1;
	}
	return 0;
}

static int
is_addr_form(uint32_t f)
{
	return f == DW_FORM_addr || f == DW_FORM_addrx ||
	    f == DW_FORM_addrx1 || f == DW_FORM_addrx2 ||
	    f == DW_FORM_addrx3 || f == DW_FORM_addrx4 ||
	    f == DW_FORM_GNU_addr_index;
}

static int
is_const_form(uint32_t f)
{
	return f == DW_FORM_data1 || f == DW_FORM_data2 ||
	    f == DW_FORM_data4 || f == DW_FORM_data8 || f == DW_FORM_udata ||
	    f == DW_FORM_sdata || f == DW_FORM_implicit_const;
}

/* Entry idx of .debug_addr for u: 0/-1. */
static int
addr_at(struct fg_dw *dw, const struct unit *u, uint64_t idx, uint64_t *a)
{
	const struct sect *s = sect(dw, S_ADDR);
	uint64_t off;
	struct cur c;

	if (s == NULL || u->addr_base > s->n ||
	    idx > (s->n - u->addr_base) / u->asize)
		return -1;
	off = u->addr_base + idx * u->asize;
	c.p = s->p + off;
	c.end = s->p + s->n;
	c.bad = 0;
	*a = rd_n(&c, u->asize);
	return c.bad ? -1 : 0;
}

static int
form_addr(struct fg_dw *dw, const struct unit *u, const struct val *v,
    uint64_t *a)
{
	if (v->form == DW_FORM_addr) {
		*a = v->u;
		return 0;
	}
	if (is_addr_form(v->form))
		return addr_at(dw, u, v->u, a);
	return -1;
}

/* A NUL-terminated string at off of section i, or NULL. */
static const char *
sect_str(struct fg_dw *dw, int i, uint64_t off)
{
	const struct sect *s = sect(dw, i);

	if (s == NULL || off >= s->n ||
	    memchr(s->p + off, 0, s->n - off) == NULL)
		return NULL;
	return (const char *)s->p + off;
}

static const char *
form_str(struct fg_dw *dw, const struct unit *u, const struct val *v)
{
	const struct sect *s;
	uint64_t idx;
	struct cur c;

	switch (v->form) {
	case DW_FORM_string:
		return (const char *)v->str;
	case DW_FORM_strp:
		return sect_str(dw, S_STR, v->u);
	case DW_FORM_line_strp:
		return sect_str(dw, S_LINE_STR, v->u);
	case DW_FORM_strx: case DW_FORM_strx1: case DW_FORM_strx2:
	case DW_FORM_strx3: case DW_FORM_strx4: case DW_FORM_GNU_str_index:
		idx = v->u;
		if ((s = sect(dw, S_STR_OFFSETS)) == NULL ||
		    u->stroff_base > s->n ||
		    idx > (s->n - u->stroff_base) / u->osize)
			return NULL;
		c.p = s->p + u->stroff_base + idx * u->osize;
		c.end = s->p + s->n;
		c.bad = 0;
		idx = rd_n(&c, u->osize);
		return c.bad ? NULL : sect_str(dw, S_STR, idx);
	}
	return NULL;
}

/* The .debug_info offset a reference names, or -1 (unsupported form). */
static int
form_ref(const struct unit *u, const struct val *v, uint64_t *off)
{
	switch (v->form) {
	case DW_FORM_ref1: case DW_FORM_ref2: case DW_FORM_ref4:
	case DW_FORM_ref8: case DW_FORM_ref_udata:
		if (v->u >= u->end - u->off)
			return -1;
		*off = u->off + v->u;
		return 0;
	case DW_FORM_ref_addr:
		*off = v->u;
		return 0;
	}
	return -1;
}

/* ---- unit attributes -------------------------------------------------- */

static uint64_t
rnglists_first_table(struct fg_dw *dw)
{
	const struct sect *s = sect(dw, S_RNGLISTS);
	struct cur c;
	uint64_t len, cnt;
	unsigned osz = 4;

	if (s == NULL)
		return 0;
	c.p = s->p;
	c.end = s->p + s->n;
	c.bad = 0;
	len = rd_n(&c, 4);
	if (len == 0xffffffff) {
		len = rd_n(&c, 8);
		osz = 8;
	}
	if (c.bad || (size_t)(c.end - c.p) < 8 || len < 8 ||
	    len > (uint64_t)(c.end - c.p))
		return 0;
	if (rd_n(&c, 2) != 5)
		return 0;
	cnt = rd_n(&c, 1);
	if (cnt != 4 && cnt != 8)
		return 0;
	if (rd_n(&c, 1) != 0)
		return 0;
	cnt = rd_n(&c, 4);
	if (cnt == 0 || len - 8 < cnt * osz)
		return 0;
	return (uint64_t)(c.p - s->p);
}

static uint64_t
stroff_default(struct fg_dw *dw)
{
	const struct sect *s = sect(dw, S_STR_OFFSETS);
	struct cur c;

	if (s == NULL)
		return 0;
	c.p = s->p;
	c.end = s->p + s->n;
	c.bad = 0;
	if (rd_n(&c, 4) == 0xffffffff) {
		rd_n(&c, 8);
		rd_n(&c, 4);
		return c.bad ? 0 : 16;
	}
	rd_n(&c, 4);
	return c.bad ? 0 : 8;
}

/* The unit DIE's bases: read once.  0/-1. */
static int
unit_attrs(struct fg_dw *dw, struct unit *u)
{
	const struct sect *si = sect(dw, S_INFO);
	const struct abbrev *a;
	const struct atab *t;
	struct val low = { 0, 0, NULL }, entry = { 0, 0, NULL }, v;
	struct cur c;
	int has_addr_base = 0, has_str_base = 0, has_rng_base = 0;
	uint32_t i;

	if (u->attrs != 0)
		return u->attrs > 0 ? 0 : -1;
	u->attrs = -1;
	if (si == NULL || (t = atab_get(dw, u)) == NULL)
		return -1;
	c.p = si->p + u->die;
	c.end = si->p + u->end;
	c.bad = 0;
	if ((a = abbrev_find(t, rd_uleb(&c))) == NULL || c.bad)
		return -1;
	for (i = 0; i < a->n; i++) {
		const struct spec *sp = &t->specs[a->first + i];

		if (form_read(&c, u, sp->form, sp->ic, &v) != 0)
			return -1;
		switch (sp->name) {
		case DW_AT_low_pc:
			if (low.form == 0)
				low = v;
			break;
		case DW_AT_entry_pc:
			if (entry.form == 0)
				entry = v;
			break;
		case DW_AT_addr_base:
		case DW_AT_GNU_addr_base:
			if (!has_addr_base && (is_const_form(v.form) ||
			    v.form == DW_FORM_sec_offset)) {
				u->addr_base = v.u;
				has_addr_base = 1;
			}
			break;
		case DW_AT_str_offsets_base:
			if (!has_str_base && (is_const_form(v.form) ||
			    v.form == DW_FORM_sec_offset)) {
				u->stroff_base = v.u;
				has_str_base = 1;
			}
			break;
		case DW_AT_rnglists_base:
			if (!has_rng_base && (is_const_form(v.form) ||
			    v.form == DW_FORM_sec_offset)) {
				u->rng_base = v.u;
				has_rng_base = 1;
			}
			break;
		}
	}
	if (!has_str_base && u->version >= 5)
		u->stroff_base = stroff_default(dw);
	if (u->version >= 5 && u->rng_base == 0)
		u->rng_base = rnglists_first_table(dw);
	if (u->version < 5)
		u->rng_base = 0;
	u->attrs = 1;
	if ((low.form == 0 || form_addr(dw, u, &low, &u->base) != 0) &&
	    (entry.form == 0 || form_addr(dw, u, &entry, &u->base) != 0))
		u->base = 0;
	return 0;
}

/* ---- ranges ----------------------------------------------------------- */

/* What a DIE says about its addresses. */
struct pcs {
	struct val low;
	struct val high;
	struct val ranges;
};

typedef int (*range_fn)(void *, uint64_t, uint64_t);

/*
 * Call fn for each range of a DIE, as dwarf_ranges gives them: low and
 * high pc, else DW_AT_ranges.  A bad list ends early.  fn's -1 is ours.
 */
static int
ranges_each(struct fg_dw *dw, const struct unit *u, const struct pcs *pc,
    range_fn fn, void *arg)
{
	const struct sect *s;
	uint64_t lo, hi, off, base;
	struct cur c;

	if (pc->low.form != 0 && pc->high.form != 0 &&
	    form_addr(dw, u, &pc->low, &lo) == 0) {
		if (form_addr(dw, u, &pc->high, &hi) == 0)
			return fn(arg, lo, hi);
		if (is_const_form(pc->high.form))
			return fn(arg, lo, lo + pc->high.u);
	}
	if (pc->ranges.form == 0)
		return 0;
	base = u->base;
	if (u->version < 5) {
		uint64_t esc = u->asize == 8 ? ~(uint64_t)0 : 0xffffffffu;

		if ((pc->ranges.form != DW_FORM_sec_offset &&
		    pc->ranges.form != DW_FORM_data4 &&
		    pc->ranges.form != DW_FORM_data8) ||
		    (s = sect(dw, S_RANGES)) == NULL || pc->ranges.u >= s->n)
			return 0;
		c.p = s->p + pc->ranges.u;
		c.end = s->p + s->n;
		c.bad = 0;
		for (;;) {
			lo = rd_n(&c, u->asize);
			hi = rd_n(&c, u->asize);
			if (c.bad)
				return 0;
			if (lo == esc) {
				if (hi == esc)
					return 0;
				base = hi;
				continue;
			}
			if (lo == 0 && hi == 0)
				return 0;
			if (fn(arg, lo + base, hi + base) != 0)
				return -1;
		}
	}
	if ((s = sect(dw, S_RNGLISTS)) == NULL)
		return 0;
	if (pc->ranges.form == DW_FORM_rnglistx) {
		uint64_t idx = pc->ranges.u;

		if (u->osize > s->n || u->rng_base > s->n - u->osize ||
		    idx > (s->n - u->osize - u->rng_base) / u->osize)
			return 0;
		c.p = s->p + u->rng_base + idx * u->osize;
		c.end = s->p + s->n;
		c.bad = 0;
		off = rd_n(&c, u->osize) + u->rng_base;
	} else if (pc->ranges.form == DW_FORM_sec_offset)
		off = pc->ranges.u;
	else
		return 0;
	if (off >= s->n)
		return 0;
	c.p = s->p + off;
	c.end = s->p + s->n;
	c.bad = 0;
	for (;;) {
		uint64_t a, b;

		switch (rd_n(&c, 1)) {
		case DW_RLE_end_of_list:
			return 0;
		case DW_RLE_base_addressx:
			a = rd_uleb(&c);
			if (c.bad || addr_at(dw, u, a, &base) != 0)
				return 0;
			continue;
		case DW_RLE_startx_endx:
			a = rd_uleb(&c);
			b = rd_uleb(&c);
			if (c.bad || addr_at(dw, u, a, &lo) != 0 ||
			    addr_at(dw, u, b, &hi) != 0)
				return 0;
			break;
		case DW_RLE_startx_length:
			a = rd_uleb(&c);
			b = rd_uleb(&c);
			if (c.bad || addr_at(dw, u, a, &lo) != 0)
				return 0;
			hi = lo + b;
			break;
		case DW_RLE_offset_pair:
			a = rd_uleb(&c);
			b = rd_uleb(&c);
			lo = base + a;
			hi = base + b;
			break;
		case DW_RLE_base_address:
			base = rd_n(&c, u->asize);
			if (c.bad)
				return 0;
			continue;
		case DW_RLE_start_end:
			lo = rd_n(&c, u->asize);
			hi = rd_n(&c, u->asize);
			break;
		case DW_RLE_start_length:
			lo = rd_n(&c, u->asize);
			hi = lo + rd_uleb(&c);
			break;
		default:
			return 0;
		}
		if (c.bad)
			return 0;
		if (fn(arg, lo, hi) != 0)
			return -1;
	}
}

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

/* Read the attributes of a DIE whose code (a) was just read at c. */
static int
die_read(struct cur *c, const struct unit *u, const struct atab *t,
    const struct abbrev *a, struct die *d)
{
	const struct spec *sp = &t->specs[a->first];
	uint32_t i;

	d->a = a;
	d->pc.low.form = d->pc.high.form = d->pc.ranges.form = 0;
	d->name.form = d->link.form = d->mlink.form = 0;
	d->origin.form = d->spec.form = 0;
	d->sibling = 0;
	d->decl = 0;
	for (i = 0; i < a->n; i++, sp++) {
		struct val v, *to;

		if (sp->size >= 0) {
			if ((size_t)(c->end - c->p) < (size_t)sp->size) {
				c->bad = 1;
				return -1;
			}
			if (sp->slot == SL_NONE) {
				c->p += sp->size;
				continue;
			}
			v.form = sp->form;
			v.u = rd_n(c, (size_t)sp->size);
			v.str = NULL;
		} else if (form_read(c, u, sp->form, sp->ic, &v) != 0)
			return -1;
		switch (sp->slot) {
		case SL_SIBLING:
			if (d->sibling == 0 && form_ref(u, &v, &d->sibling) != 0)
				d->sibling = 0;
			continue;
		case SL_DECL:
			d->decl = 1;
			continue;
		case SL_LOW:	to = &d->pc.low; break;
		case SL_HIGH:	to = &d->pc.high; break;
		case SL_RANGES:	to = &d->pc.ranges; break;
		case SL_NAME:	to = &d->name; break;
		case SL_LINK:	to = &d->link; break;
		case SL_MLINK:	to = &d->mlink; break;
		case SL_ORIGIN:	to = &d->origin; break;
		case SL_SPEC:	to = &d->spec; break;
		default:
			continue;
		}
		if (to->form == 0)
			*to = v;
	}
	return 0;
}

/* ---- the CU table ----------------------------------------------------- */

static int
arange_cmp(const void *a, const void *b)
{
	const struct arange *x = a, *y = b;

	return (x->addr > y->addr) - (x->addr < y->addr);
}

/* .debug_aranges as one sorted table; any bad set makes it unusable. */
static void
aranges_build(struct fg_dw *dw)
{
	const struct sect *s;
	const uint8_t *p, *end;
	size_t cap = 0;

	if (dw->ar_built)
		return;
	dw->ar_built = -1;
	if ((s = sect(dw, S_ARANGES)) == NULL) {
		dw->ar_built = 1;	/* none: nothing found there */
		return;
	}
	p = s->p;
	end = s->p + s->n;
	while (p < end) {
		struct cur c = { p, end, 0 };
		uint64_t len, info;
		unsigned osz = 4, asz;
		const struct unit *u;
		size_t hdr;

		len = rd_n(&c, 4);
		if (len == 0xffffffff) {
			len = rd_n(&c, 8);
			osz = 8;
		} else if (len >= 0xfffffff0)
			goto bad;
		if (c.bad || len > (uint64_t)(end - c.p))
			goto bad;
		c.end = c.p + len;
		if (rd_n(&c, 2) != 2)
			goto bad;
		info = rd_n(&c, osz);
		asz = rd_n(&c, 1);
		if (c.bad || (asz != 4 && asz != 8) || rd_n(&c, 1) != 0 ||
		    c.bad)
			goto bad;
		if ((u = unit_of(dw, info)) == NULL)
			goto bad;
		hdr = (size_t)(c.p - p);
		skip(&c, (2 * asz - hdr % (2 * asz)) % (2 * asz));
		for (;;) {
			uint64_t a = rd_n(&c, asz), l = rd_n(&c, asz);

			if (c.bad)
				goto bad;
			if (a == 0 && l == 0) {
				if (c.p >= c.end)
					break;
				continue;
			}
			if (dw->nar == cap) {
				struct arange *n = fg_grow(dw->ar, &cap, cap + 1,
				    sizeof(*n), 1024);
				if (n == NULL)
					goto bad;
				dw->ar = n;
			}
			dw->ar[dw->nar].addr = a;
			dw->ar[dw->nar].len = l;
			dw->ar[dw->nar].unit = (size_t)(u - dw->units);
			dw->nar++;
		}
		p = c.end;
	}
	if (dw->nar > 1)
		qsort(dw->ar, dw->nar, sizeof(*dw->ar), arange_cmp);
	dw->ar_built = 1;
	return;
bad:
	free(dw->ar);
	dw->ar = NULL;
	dw->nar = 0;
}

static int
curange_cmp(const void *a, const void *b)
{
	const struct curange *x = a, *y = b;

	return (x->lo > y->lo) - (x->lo < y->lo);
}

struct cr_push {
	struct fg_dw *dw;
	size_t unit;
	size_t cap;
};

static int
cr_push(void *arg, uint64_t lo, uint64_t hi)
{
	struct cr_push *p = arg;
	struct fg_dw *dw = p->dw;

	if (lo >= hi)
		return 0;
	if (dw->ncr == p->cap) {
		struct curange *n = fg_grow(dw->cr, &p->cap,
		    p->cap + 1, sizeof(*n), 256);
		if (n == NULL)
			return -1;
		dw->cr = n;
	}
	dw->cr[dw->ncr].lo = lo;
	dw->cr[dw->ncr].hi = hi;
	dw->cr[dw->ncr].unit = p->unit;
	dw->ncr++;
	return 0;
}

/* The units' own ranges, for files without (usable) .debug_aranges. */
/*
 * The units' own ranges are kept in the cache too (DIR/BUILD-ID/
 * cu-ranges): building them reads every unit's DIE and abbreviations
 * (libc6-dbg: 4,126 units, ~8 ms and 16 MB), which a single sampled
 * address that .debug_aranges does not cover makes every run pay.  A
 * header (format, entry size, .debug_info's size and hash, the number
 * of units, of entries) and the sorted entries; used only when every
 * entry names a unit there is and the order holds.
 */
#define CR_NAME		"cu-ranges"
#define CR_MAGIC	"FGDWCUR2"

struct cr_hdr {
	char magic[8];
	uint32_t version;
	uint32_t esize;
	uint64_t info_size;
	uint64_t info_check;
	uint64_t nunits;
	uint64_t ncr;
	uint64_t sum;		/* fg_checksum of the entries */
};

static int
cr_header(struct fg_dw *dw, struct cr_hdr *h)
{
	memset(h, 0, sizeof(*h));
	if (info_id(dw, &h->info_size, &h->info_check) != 0)
		return -1;
	memcpy(h->magic, CR_MAGIC, 8);
	h->version = 2;
	h->esize = sizeof(struct curange);
	h->nunits = dw->nunits;
	h->ncr = dw->ncr;
	return 0;
}

static int
cr_load(struct fg_dw *dw)
{
	struct cr_hdr want, h;
	struct curange *cr = NULL;
	struct stat sb;
	size_t i;
	int fd;

	if (dw->cache == NULL || cr_header(dw, &want) != 0 ||
	    (fd = cache_open(dw, CR_NAME, &h, sizeof(h), &sb)) < 0)
		return -1;
	if (memcmp(h.magic, want.magic, 8) != 0 || h.version != want.version ||
	    h.esize != want.esize || h.info_size != want.info_size ||
	    h.info_check != want.info_check || h.nunits != want.nunits ||
	    h.ncr == 0 || h.ncr > ((uint64_t)sb.st_size - sizeof(h)) /
	    sizeof(*cr) ||
	    (uint64_t)sb.st_size != sizeof(h) + h.ncr * sizeof(*cr) ||
	    (cr = reallocarray(NULL, (size_t)h.ncr, sizeof(*cr))) == NULL ||
	    pread(fd, cr, (size_t)h.ncr * sizeof(*cr), sizeof(h)) !=
	    (ssize_t)(h.ncr * sizeof(*cr)) ||
	    fg_checksum(cr, (size_t)h.ncr * sizeof(*cr)) != h.sum)
		goto bad;
	for (i = 0; i < h.ncr; i++)
		if (cr[i].unit >= dw->nunits || cr[i].lo > cr[i].hi ||
		    (i > 0 && curange_cmp(&cr[i - 1], &cr[i]) > 0))
			goto bad;
	close(fd);
	free(dw->cr);
	dw->cr = cr;
	dw->ncr = (size_t)h.ncr;
	return 0;
bad:
	free(cr);
	close(fd);
	return -1;
}

static void
cr_store(struct fg_dw *dw)
{
	struct cr_hdr h;
	const void *part[2];
	size_t len[2];

	if (dw->cache == NULL || dw->ncr == 0 || cr_header(dw, &h) != 0)
		return;
	part[0] = &h;
	len[0] = sizeof(h);
	part[1] = dw->cr;
	len[1] = dw->ncr * sizeof(*dw->cr);
	h.sum = fg_checksum(dw->cr, len[1]);
	cache_put(dw, CR_NAME, part, len, 2);
}

static void
curanges_build(struct fg_dw *dw)
{
	const struct sect *si;
	struct cr_push pp = { dw, 0, 0 };
	size_t i;

	if (dw->cr_built)
		return;
	dw->cr_built = 1;
	if (units_build(dw) != 0 || (si = sect(dw, S_INFO)) == NULL ||
	    cr_load(dw) == 0)
		return;
	for (i = 0; i < dw->nunits; i++) {
		struct unit *u = &dw->units[i];
		const struct atab *t;
		const struct abbrev *a;
		struct die d;
		struct cur c;

		if (unit_attrs(dw, u) != 0 || (t = atab_get(dw, u)) == NULL)
			continue;
		c.p = si->p + u->die;
		c.end = si->p + u->end;
		c.bad = 0;
		if ((a = abbrev_find(t, rd_uleb(&c))) == NULL || c.bad ||
		    die_read(&c, u, t, a, &d) != 0)
			continue;
		pp.unit = i;
		if (ranges_each(dw, u, &d.pc, cr_push, &pp) != 0)
			return;
	}
	if (dw->ncr > 1)
		qsort(dw->cr, dw->ncr, sizeof(*dw->cr), curange_cmp);
	cr_store(dw);
}

void
fg_dw_prepare(struct fg_dw *dw)
{
	int i;

	if (dw == NULL)
		return;
	for (i = 0; i < S_N; i++)
		(void)sect(dw, i);
	aranges_build(dw);
}

/* The unit DIE of u parses: what dwarf_offdie checks. */
static int
unit_die_ok(struct fg_dw *dw, struct unit *u)
{
	const struct sect *si = sect(dw, S_INFO);
	const struct atab *t;
	struct cur c;

	if (u->die_ok != 0)
		return u->die_ok > 0;
	u->die_ok = -1;
	if (si == NULL || (t = atab_get(dw, u)) == NULL)
		return 0;
	c.p = si->p + u->die;
	c.end = si->p + u->end;
	c.bad = 0;
	if (abbrev_find(t, rd_uleb(&c)) == NULL || c.bad)
		return 0;
	u->die_ok = 1;
	return 1;
}

int
fg_dw_cu_at(struct fg_dw *dw, uint64_t addr, uint64_t *cu)
{
	size_t lo = 0, hi;

	aranges_build(dw);
	hi = dw->nar;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const struct arange *r = &dw->ar[mid];

		if (addr < r->addr)
			hi = mid;
		else if (addr > r->addr && addr - r->addr >= r->len)
			lo = mid + 1;
		else {
			struct unit *u = &dw->units[r->unit];
			if (unit_die_ok(dw, u)) {
				*cu = u->off;
				return 0;
			}
			break;
		}
	}
	curanges_build(dw);
	lo = 0;
	hi = dw->ncr;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (dw->cr[mid].lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	for (hi = lo; lo > 0 && hi - lo < 8; lo--) {
		const struct curange *r = &dw->cr[lo - 1];
		if (addr < r->hi) {
			struct unit *u = &dw->units[r->unit];
			if (!unit_die_ok(dw, u))
				return -1;
			*cu = u->off;
			return 0;
		}
	}
	return -1;
}

/* ---- the unit index --------------------------------------------------- */

struct walk {
	struct fg_dw *dw;
	struct unit *u;
	const struct atab *t;
	const uint8_t *base;	/* .debug_info */
	struct cur c;
	struct fg_dw_cu *cu;
	uint64_t die;		/* the DIE being pushed */
	uint64_t origin;	/* its abstract origin, or itself */
	size_t first;
	uint32_t depth;
};

static int
leaf_tag(uint32_t tag)
{
	switch (tag) {
	case DW_TAG_variable:
	case DW_TAG_formal_parameter:
	case DW_TAG_member:
	case DW_TAG_base_type:
	case DW_TAG_pointer_type:
	case DW_TAG_template_type_parameter:
	case DW_TAG_template_value_parameter:
	case DW_TAG_enumerator:
	case DW_TAG_call_site:
	case DW_TAG_GNU_call_site:
	case DW_TAG_label:
	/* Types: code is defined at namespace level, not inside them. */
	case DW_TAG_structure_type:
	case DW_TAG_union_type:
	case DW_TAG_class_type:
	case DW_TAG_enumeration_type:
	case DW_TAG_array_type:
	case DW_TAG_subroutine_type:
	case DW_TAG_variant_part:
	case DW_TAG_typedef:
		return 1;
	}
	return 0;
}

static int
push_func(void *arg, uint64_t lo, uint64_t hi)
{
	struct walk *w = arg;
	struct fg_dw_cu *c = w->cu;

	if (lo >= hi)
		return 0;
	if (c->nfuncs == c->capfuncs) {
		struct fg_dw_func *f = fg_grow(c->funcs, &c->capfuncs,
		    c->capfuncs + 1, sizeof(*f), 64);
		if (f == NULL)
			return -1;
		c->funcs = f;
	}
	c->funcs[c->nfuncs].lo = lo;
	c->funcs[c->nfuncs].hi = hi;
	c->funcs[c->nfuncs].die = w->die;
	c->funcs[c->nfuncs].origin = w->origin;
	c->funcs[c->nfuncs].inl_first = w->first;
	c->funcs[c->nfuncs].inl_n = c->ninls - w->first;
	c->nfuncs++;
	return 0;
}

static int
push_inl(void *arg, uint64_t lo, uint64_t hi)
{
	struct walk *w = arg;
	struct fg_dw_cu *c = w->cu;

	if (lo >= hi)
		return 0;
	if (c->ninls == c->capinls) {
		struct fg_dw_inl *f = fg_grow(c->inls, &c->capinls,
		    c->capinls + 1, sizeof(*f), 256);
		if (f == NULL)
			return -1;
		c->inls = f;
	}
	c->inls[c->ninls].lo = lo;
	c->inls[c->ninls].hi = hi;
	c->inls[c->ninls].die = w->die;
	c->inls[c->ninls].origin = w->origin;
	c->inls[c->ninls].depth = w->depth;
	c->ninls++;
	return 0;
}

/*
 * Skip the children of the DIE just read, to the end of their list:
 * through DW_AT_sibling where it points forward, else DIE by DIE.
 */
static int
skip_children(struct walk *w)
{
	uint64_t level = 1;

	while (level > 0) {
		const struct abbrev *a;
		uint64_t code;

		if (w->c.p >= w->c.end)
			return 0;	/* the unit ends: so do its lists */
		code = rd_uleb(&w->c);
		if (w->c.bad)
			return -1;
		if (code == 0) {
			level--;
			continue;
		}
		if ((a = abbrev_find(w->t, code)) == NULL)
			return -1;
		if (!a->children && a->fixed >= 0) {
			skip(&w->c, (uint64_t)a->fixed);
			if (w->c.bad)
				return -1;
			continue;
		}
		if (a->children) {
			const uint8_t *at = w->c.p;
			struct die d;

			if (die_read(&w->c, w->u, w->t, a, &d) != 0)
				return -1;
			if (d.sibling > (uint64_t)(at - w->base) &&
			    d.sibling <= (uint64_t)(w->c.end - w->base))
				w->c.p = w->base + d.sibling;
			else
				level++;
			continue;
		}
		if (attrs_skip(&w->c, w->u, &w->t->specs[a->first], a->n) != 0)
			return -1;
	}
	return 0;
}

/* Past the subtree of a DIE just read (d): its sibling, or its children. */
static int
skip_subtree(struct walk *w, const struct die *d, const uint8_t *at)
{
	if (!d->a->children)
		return 0;
	if (d->sibling > (uint64_t)(at - w->base) &&
	    d->sibling <= (uint64_t)(w->c.end - w->base)) {
		w->c.p = w->base + d->sibling;
		return 0;
	}
	return skip_children(w);
}

/* Walk the children of the DIE just read; infunc: inside a subprogram. */
static int
walk(struct walk *w, int infunc, uint32_t depth, int level)
{
	if (level > 256)
		return skip_children(w);
	for (;;) {
		const struct abbrev *a;
		const uint8_t *at;
		uint64_t code, off, origin;
		struct die d;

		if (w->c.p >= w->c.end)
			return 0;
		off = (uint64_t)(w->c.p - w->base);
		code = rd_uleb(&w->c);
		if (w->c.bad)
			return -1;
		if (code == 0)
			return 0;
		if ((a = abbrev_find(w->t, code)) == NULL)
			return -1;
		at = w->c.p;
		if (leaf_tag(a->tag)) {
			if (!a->children) {
				if (a->fixed >= 0)
					skip(&w->c, (uint64_t)a->fixed);
				else if (attrs_skip(&w->c, w->u,
				    &w->t->specs[a->first], a->n) != 0)
					return -1;
				if (w->c.bad)
					return -1;
				continue;
			}
			if (die_read(&w->c, w->u, w->t, a, &d) != 0 ||
			    skip_subtree(w, &d, at) != 0)
				return -1;
			continue;
		}
		if (a->tag != DW_TAG_subprogram &&
		    (a->tag != DW_TAG_inlined_subroutine || !infunc)) {
			if (a->fixed >= 0)
				skip(&w->c, (uint64_t)a->fixed);
			else if (attrs_skip(&w->c, w->u,
			    &w->t->specs[a->first], a->n) != 0)
				return -1;
			if (w->c.bad)
				return -1;
			if (a->children && walk(w, infunc, depth, level + 1) != 0)
				return -1;
			continue;
		}
		if (die_read(&w->c, w->u, w->t, a, &d) != 0)
			return -1;
		if (d.origin.form == 0 || form_ref(w->u, &d.origin, &origin) != 0)
			origin = off;
		if (a->tag == DW_TAG_subprogram) {
			size_t first = w->cu->ninls;

			if (d.decl) {
				if (skip_subtree(w, &d, at) != 0)
					return -1;
				continue;
			}
			if (a->children && walk(w, 1, 0, level + 1) != 0)
				return -1;
			w->die = off;
			w->origin = origin;
			w->first = first;
			if (ranges_each(w->dw, w->u, &d.pc, push_func, w) != 0)
				return -1;
			continue;
		}
		if (a->tag == DW_TAG_inlined_subroutine && infunc) {
			w->die = off;
			w->origin = origin;
			w->depth = depth;
			if (ranges_each(w->dw, w->u, &d.pc, push_inl, w) != 0)
				return -1;
			if (a->children && walk(w, 1, depth + 1, level + 1) != 0)
				return -1;
			continue;
		}
		if (a->children && walk(w, infunc, depth, level + 1) != 0)
			return -1;
	}
}

int
fg_dw_index(struct fg_dw *dw, uint64_t cu, struct fg_dw_cu *c)
{
	const struct sect *si = sect(dw, S_INFO);
	const struct abbrev *a;
	struct walk w;
	struct die d;

	c->off = cu;
	if (si == NULL || (w.u = unit_of(dw, cu)) == NULL || w.u->off != cu ||
	    unit_attrs(dw, w.u) != 0 || (w.t = atab_get(dw, w.u)) == NULL)
		return -1;
	w.dw = dw;
	w.base = si->p;
	w.cu = c;
	w.c.p = si->p + w.u->die;
	w.c.end = si->p + w.u->end;
	w.c.bad = 0;
	if ((a = abbrev_find(w.t, rd_uleb(&w.c))) == NULL || w.c.bad ||
	    die_read(&w.c, w.u, w.t, a, &d) != 0)
		return -1;
	if (!a->children)
		return 0;
	return walk(&w, 0, 0, 0);
}

/* ---- names ------------------------------------------------------------ */

/* Read the DIE at off: 0 with *up and d, or -1. */
static int
die_at(struct fg_dw *dw, uint64_t off, struct unit **up, struct die *d)
{
	const struct sect *si = sect(dw, S_INFO);
	const struct abbrev *a;
	const struct atab *t;
	struct unit *u;
	struct cur c;

	if (si == NULL || (u = unit_of(dw, off)) == NULL || off < u->die ||
	    unit_attrs(dw, u) != 0 || (t = atab_get(dw, u)) == NULL)
		return -1;
	c.p = si->p + off;
	c.end = si->p + u->end;
	c.bad = 0;
	if ((a = abbrev_find(t, rd_uleb(&c))) == NULL || c.bad ||
	    die_read(&c, u, t, a, d) != 0)
		return -1;
	*up = u;
	return 0;
}

uint64_t
fg_dw_origin(struct fg_dw *dw, uint64_t die)
{
	struct unit *u;
	struct die d;
	uint64_t to;

	if (die_at(dw, die, &u, &d) == 0 && d.origin.form != 0 &&
	    form_ref(u, &d.origin, &to) == 0 && die_at(dw, to, &u, &d) == 0)
		return to;
	return die;
}

enum { N_LINK, N_MLINK, N_NAME };

/* Like dwarf_attr_integrate: which says which attribute. */
static int
integrate(struct fg_dw *dw, uint64_t die, int which, struct unit **up,
    struct val *v)
{
	int chain = 16;
	struct unit *u;
	struct die d;

	if (die_at(dw, die, &u, &d) != 0)
		return -1;
	for (;;) {
		const struct val *f = which == N_LINK ? &d.link :
		    which == N_MLINK ? &d.mlink : &d.name;
		const struct val *r;

		if (f->form != 0) {
			*v = *f;
			*up = u;
			return 0;
		}
		r = d.origin.form != 0 ? &d.origin : &d.spec;
		if (r->form == 0 || form_ref(u, r, &die) != 0 ||
		    die_at(dw, die, &u, &d) != 0 || chain-- == 0)
			return -1;
	}
}

int
fg_dw_name(struct fg_dw *dw, uint64_t die, const char **name)
{
	struct unit *u;
	struct val v;

	*name = NULL;
	if (integrate(dw, die, N_LINK, &u, &v) == 0 ||
	    integrate(dw, die, N_MLINK, &u, &v) == 0) {
		if ((*name = form_str(dw, u, &v)) != NULL)
			return 1;
	}
	if (integrate(dw, die, N_NAME, &u, &v) == 0 &&
	    (*name = form_str(dw, u, &v)) != NULL)
		return 2;
	return 0;
}
