/*
 * symbolize-symcache.c: a file's finished symbol table kept in the cache
 * directory by the file's build id (DIR/BUILD-ID/symtab, beside the
 * DWARF cache's files of the same build), so that a later run maps it
 * instead of reading the ELF symbol table, sorting it and choosing
 * among aliases again: libc6-dbg's table is ~1 ms of a helper's time
 * on every run (docs/internals/performance-log.md), for the handful of
 * its addresses a Rust program's samples hold.
 *
 * The file: a header (format, which table the symbols came from, the
 * namer: the build id of this code, whose alias rules and demangler
 * made the table, the counts, base_checksum of all that follows), the
 * symbols in address order as sym_finish() left them (start, end, the
 * name and binutils' pick among its aliases as offsets of names, the
 * binding and whether a label), the synthesized NAME@plt entries, then
 * the names, each NUL-terminated.  Used only when everything matches
 * this run (build id, table, namer), the sum holds (or a stamp says it
 * held, base.h), starts rise, ends do not fall below starts, PLT
 * entries are not empty and every offset starts a name inside the
 * file; otherwise the table is made from the ELF file and the cache
 * file written again.  A table made while memory ran out is not kept.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base.h"
#include "symbolize.h"
#include "symbolize-int.h"

#define ST_NAME		"symtab"
#define ST_MAGIC	"FGSYMTB1"

struct st_hdr {
	char magic[8];
	uint32_t version;
	uint32_t src;		/* ST_SRC_* */
	uint64_t namer;
	uint64_t nsyms;
	uint64_t nplts;
	uint64_t blen;		/* bytes of names */
	uint64_t sum;		/* base_checksum of all that follows */
};

struct st_sym {
	uint64_t start;
	uint64_t end;
	uint32_t raw;		/* offsets in the names */
	uint32_t a2l;
	uint8_t bind;
	uint8_t notype;
	uint8_t pad[6];
};

struct st_plt {
	uint64_t start;
	uint64_t end;
	uint64_t name;
};

static int
st_path(const struct fg_dso *d, const char *bid, char *path, size_t len)
{
	int r;

	if (d->s->cache_dir[0] == '\0' || bid[0] == '\0' ||
	    strspn(bid, "0123456789abcdef") != strlen(bid))
		return -1;
	r = snprintf(path, len, "%s/%s/%s", d->s->cache_dir, bid, ST_NAME);
	return r < 0 || (size_t)r >= len ? -1 : 0;
}

/* The mapped file's parts checked (unless stamped): 0, or -1. */
static int
st_check(const struct st_hdr *h, const struct st_sym *y,
    const struct st_plt *p, const char *blob)
{
	uint64_t i;

	if (h->blen == 0 || blob[h->blen - 1] != '\0')
		return -1;
	for (i = 0; i < h->nsyms; i++)
		if ((i > 0 && y[i].start <= y[i - 1].start) ||
		    y[i].end < y[i].start ||
		    !base_name_at(blob, h->blen, y[i].raw) ||
		    !base_name_at(blob, h->blen, y[i].a2l))
			return -1;
	for (i = 0; i < h->nplts; i++)
		if (p[i].end <= p[i].start ||
		    !base_name_at(blob, h->blen, p[i].name))
			return -1;
	return 0;
}

int
sym_cache_load(struct fg_dso *d, const char *bid, int src)
{
	char path[PATH_MAX];
	struct st_hdr h;
	const struct st_sym *y;
	const struct st_plt *p;
	const char *blob;
	struct stat sb;
	struct sym *syms = NULL, *plts = NULL;
	uint8_t *m;
	uint64_t i, need, namer = sym_namer();
	int fd, ok;

	if (namer == 0 || st_path(d, bid, path, sizeof(path)) != 0 ||
	    (fd = open_regular(path, &sb)) < 0)
		return -1;
	if ((uint64_t)sb.st_size < sizeof(h) ||
	    pread(fd, &h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    memcmp(h.magic, ST_MAGIC, 8) != 0 || h.version != 1 ||
	    h.src != (uint32_t)src || h.namer != namer ||
	    h.nsyms > (uint64_t)sb.st_size / sizeof(*y) ||
	    h.nplts > (uint64_t)sb.st_size / sizeof(*p) ||
	    h.nsyms > UINT32_MAX || h.blen > (uint64_t)sb.st_size) {
		close(fd);
		return -1;
	}
	need = sizeof(h) + h.nsyms * sizeof(*y) + h.nplts * sizeof(*p) + h.blen;
	if (need != (uint64_t)sb.st_size ||
	    (m = stamp_map(fd, path, &sb, sizeof(h), h.sum, &ok)) == NULL) {
		close(fd);
		return -1;
	}
	close(fd);
	y = (const struct st_sym *)(const void *)(m + sizeof(h));
	p = (const struct st_plt *)(const void *)(m + sizeof(h) +
	    h.nsyms * sizeof(*y));
	blob = (const char *)(m + need - h.blen);
	if (!ok) {
		if (st_check(&h, y, p, blob) != 0)
			goto bad;
		stamp_put(path, &sb, h.sum);
	}
	if ((h.nsyms > 0 && (syms = calloc((size_t)h.nsyms,
	    sizeof(*syms))) == NULL) || (h.nplts > 0 &&
	    (plts = calloc((size_t)h.nplts, sizeof(*plts))) == NULL))
		goto bad;
	for (i = 0; i < h.nsyms; i++) {
		syms[i].start = y[i].start;
		syms[i].end = y[i].end;
		syms[i].raw = blob + y[i].raw;
		syms[i].a2l = blob + y[i].a2l;
		syms[i].order = (uint32_t)i;
		syms[i].bind = y[i].bind;
		syms[i].notype = y[i].notype;
	}
	for (i = 0; i < h.nplts; i++) {
		plts[i].start = p[i].start;
		plts[i].end = p[i].end;
		plts[i].raw = plts[i].name = blob + p[i].name;
	}
	d->syms = syms;
	d->nsyms = (size_t)h.nsyms;
	d->plts = plts;
	d->nplts = (size_t)h.nplts;
	d->stmap = m;
	d->stmaplen = (size_t)need;
	return 0;
bad:
	free(syms);
	free(plts);
	munmap(m, (size_t)need);
	return -1;
}

/* Append s to b, its offset in *off: 0, or -1. */
static int
put_name(struct fg_buf *b, const char *s, uint64_t *off)
{
	*off = b->len;
	return buf_append(b, s, strlen(s) + 1);
}

void
sym_cache_store(struct fg_dso *d)
{
	char path[PATH_MAX], dir[PATH_MAX], *slash;
	struct st_hdr h;
	struct st_sym *y = NULL;
	struct st_plt *p = NULL;
	struct fg_buf b;
	const void *part[4];
	size_t len[4], i;
	uint64_t off;

	buf_init(&b, (size_t)UINT32_MAX);
	memset(&h, 0, sizeof(h));
	if (d->stmap != NULL) {
		munmap(d->stmap, d->stmaplen);
		d->stmap = NULL;
	}
	if (d->stsrc == 0 || d->stfail || (d->nsyms == 0 && d->nplts == 0) ||
	    (h.namer = sym_namer()) == 0 ||
	    st_path(d, d->stbid, path, sizeof(path)) != 0 ||
	    (d->nsyms > 0 && (y = calloc(d->nsyms, sizeof(*y))) == NULL) ||
	    (d->nplts > 0 && (p = calloc(d->nplts, sizeof(*p))) == NULL))
		goto out;
	for (i = 0; i < d->nsyms; i++) {
		y[i].start = d->syms[i].start;
		y[i].end = d->syms[i].end;
		y[i].bind = d->syms[i].bind;
		y[i].notype = d->syms[i].notype;
		if (put_name(&b, d->syms[i].raw, &off) != 0)
			goto out;
		y[i].raw = (uint32_t)off;
		if (d->syms[i].a2l != d->syms[i].raw &&
		    put_name(&b, d->syms[i].a2l, &off) != 0)
			goto out;
		y[i].a2l = (uint32_t)off;
	}
	for (i = 0; i < d->nplts; i++) {
		p[i].start = d->plts[i].start;
		p[i].end = d->plts[i].end;
		if (put_name(&b, d->plts[i].name, &p[i].name) != 0)
			goto out;
	}
	if (b.len == 0)
		goto out;
	memcpy(h.magic, ST_MAGIC, 8);
	h.version = 1;
	h.src = (uint32_t)d->stsrc;
	h.nsyms = d->nsyms;
	h.nplts = d->nplts;
	h.blen = b.len;
	part[0] = &h;
	len[0] = sizeof(h);
	part[1] = y;
	len[1] = d->nsyms * sizeof(*y);
	part[2] = p;
	len[2] = d->nplts * sizeof(*p);
	part[3] = b.d;
	len[3] = b.len;
	h.sum = base_checksum_parts(part + 1, len + 1, 3);
	if (strlcpy(dir, path, sizeof(dir)) >= sizeof(dir) ||
	    (slash = strrchr(dir, '/')) == NULL)
		goto out;
	*slash = '\0';
	if (base_mkdirs(dir) == 0)
		(void)put_file(path, part, len, 4);
out:
	buf_free(&b);
	free(y);
	free(p);
}
