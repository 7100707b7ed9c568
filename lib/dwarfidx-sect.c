/*
 * dwarfidx-sect.c: the DWARF sections a reader uses, found by name in an
 * ELF file and read straight from its mapping, or inflated on first use
 * when compressed (SHF_COMPRESSED: zlib through libdeflate or zlib, or
 * zstd), from the cache of inflated sections when it holds them.  Also
 * the reader's lifetime (dw_open, dw_free) and the helpers' entry
 * points (dw_inflate_info, dw_adopt_info).  An inflated size is
 * checked against the header's claim; a bad section reads as absent.
 */
#include <sys/mman.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>

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
#include "dwarfidx-int.h"

const char *const dw_sect_names[S_N] = {
	".debug_info", ".debug_abbrev", ".debug_str", ".debug_line_str",
	".debug_str_offsets", ".debug_addr", ".debug_ranges",
	".debug_rnglists", ".debug_aranges"
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

Elf *
dw_elf(const struct fg_dw *dw)
{
	return dw->e;
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
const struct sect *
dw_sect(struct fg_dw *dw, int i)
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
		if (dw_cache_map(dw, i, d->d_buf, d->d_size, chdr_size(dw->is64,
		    d->d_buf, d->d_size), s) == 0) {
			s->state = 1;
			return s;
		}
		if (inflate_sect(dw->is64, d->d_buf, d->d_size, s) != 0)
			return NULL;
		dw_cache_store(dw, i, d->d_buf, d->d_size, s->p, s->n);
	} else {
		s->p = d->d_buf;
		s->n = d->d_size;
	}
	s->state = 1;
	return s;
}

struct fg_dw *
dw_open(Elf *e)
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
			if (strcmp(n, dw_sect_names[k]) == 0 &&
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
dw_inflate_info(Elf *e, const char *cache_root, const char *bid,
    struct dw_info *out)
{
	struct fg_dw *dw = dw_open(e);
	struct sect *s;
	GElf_Shdr sh;
	Elf_Data *d;
	int r = -1;

	if (dw == NULL)
		return -1;
	dw_set_cache(dw, cache_root, bid);
	s = &dw->s[S_INFO];
	if (gelf_getshdr(s->scn, &sh) == NULL ||
	    !(sh.sh_flags & SHF_COMPRESSED) ||
	    (d = elf_rawdata(s->scn, NULL)) == NULL || d->d_buf == NULL)
		goto out;
	if (dw_cache_map(dw, S_INFO, d->d_buf, d->d_size, chdr_size(dw->is64,
	    d->d_buf, d->d_size), s) != 0) {
		if (inflate_sect(dw->is64, d->d_buf, d->d_size, s) != 0)
			goto out;
		dw_cache_store(dw, S_INFO, d->d_buf, d->d_size, s->p, s->n);
	}
	/* mapped (and checked) or inflated: its owner need not again */
	out->own = s->own;
	out->map = s->map;
	out->maplen = s->maplen;
	out->p = s->p;
	out->n = s->n;
	s->own = s->map = NULL;
	r = 0;
out:
	dw_free(dw);
	return r;
}

int
dw_adopt_info(struct fg_dw *dw, struct dw_info *in)
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
	if (want != in->n)
		return -1;
	s->own = in->own;
	s->map = in->map;
	s->maplen = in->maplen;
	s->p = in->p;
	s->n = in->n;
	s->state = 1;
	memset(in, 0, sizeof(*in));
	return 0;
}

void
dw_info_free(struct dw_info *in)
{
	free(in->own);
	if (in->map != NULL)
		munmap(in->map, in->maplen);
	memset(in, 0, sizeof(*in));
}

void
dw_prepare_small(struct fg_dw *dw)
{
	int i;

	if (dw == NULL)
		return;
	for (i = 0; i < S_N; i++)
		if (i != S_INFO)
			(void)dw_sect(dw, i);
}

void
dw_free(struct fg_dw *dw)
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

