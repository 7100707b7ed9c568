/*
 * dwarfidx-cache.c: the on-disk cache of what is costly to make again:
 * inflated sections, the per-unit indexes and the units' own ranges,
 * kept by build id under the cache directory.  Every file is checked
 * against what names its source (sizes, hashes) and its own checksum
 * before it is used; a stale, short or bad file is ignored and
 * replaced.  Files are written whole under a temporary name and
 * renamed, so concurrent runs never see half of one.
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

#include "base.h"
#include "dwarfidx.h"
#include "dwarfidx-int.h"

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

	return base_hash(raw, k) ^ (base_hash(raw + n - k, k) * 31) ^ n;
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
		v[3] = base_checksum(body, (size_t)size);
	memcpy(h, CACHE_MAGIC, 8);
	memcpy(h + 8, v, sizeof(v));
}

/*
 * The cache file name of this file's directory (its path in path[],
 * PATH_MAX bytes), open, a regular file at least hlen bytes long whose
 * first hlen bytes are now in hdr (and its stat in *sb): the
 * descriptor, or -1.
 */
static int
cache_open(const struct fg_dw *dw, const char *name, void *hdr, size_t hlen,
    struct stat *sb, char *path)
{
	int fd, r;

	if (dw->cache == NULL)
		return -1;
	r = snprintf(path, PATH_MAX, "%s/%s", dw->cache, name);
	if (r < 0 || (size_t)r >= PATH_MAX ||
	    (fd = open_regular(path, sb)) < 0)
		return -1;
	if ((uint64_t)sb->st_size < hlen ||
	    pread(fd, hdr, hlen, 0) != (ssize_t)hlen) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Section i (raw: n compressed bytes, size inflated) from the cache. */
int
dw_cache_map(struct fg_dw *dw, int i, const uint8_t *raw, size_t n,
    uint64_t size, struct sect *s)
{
	uint8_t want[CACHE_HDR], got[CACHE_HDR];
	char path[PATH_MAX];
	struct stat sb;
	uint64_t sum;
	void *m;
	int fd, ok;

	if (size < CACHE_MIN || (fd = cache_open(dw, dw_sect_names[i] + 1, got,
	    CACHE_HDR, &sb, path)) < 0)
		return -1;
	cache_header(want, raw, n, size, NULL);
	memcpy(&sum, got + CACHE_KEY, 8);
	/* the bytes are what was written: checked whole before any use,
	 * or on an earlier run and unchanged since (stamped) */
	if ((uint64_t)sb.st_size != CACHE_HDR + size ||
	    memcmp(got, want, CACHE_KEY) != 0 ||
	    (m = stamp_map(fd, path, &sb, CACHE_HDR, sum, &ok)) == NULL) {
		close(fd);
		return -1;
	}
	close(fd);
	if (!ok)
		stamp_put(path, &sb, sum);
	s->map = m;
	s->maplen = (size_t)sb.st_size;
	s->p = (const uint8_t *)m + CACHE_HDR;
	s->n = (size_t)size;
	return 0;
}

/* mkdir -p of dir (its parents made with mode 0755 less the umask). */
/*
 * Write the cache file name (in this file's directory, made if need be)
 * from n pieces, whole or not at all.
 */
static void
cache_put(const struct fg_dw *dw, const char *name, const void *const *part,
    const size_t *len, int n)
{
	char path[PATH_MAX], dir[PATH_MAX];
	int r;

	r = snprintf(path, sizeof(path), "%s/%s", dw->cache, name);
	if (r < 0 || (size_t)r >= sizeof(path) ||
	    strlcpy(dir, dw->cache, sizeof(dir)) >= sizeof(dir) ||
	    base_mkdirs(dir) != 0)
		return;
	(void)put_file(path, part, len, n);
}

/* Keep what section i inflated to; on any failure, nothing is kept. */
void
dw_cache_store(const struct fg_dw *dw, int i, const uint8_t *raw, size_t n,
    const void *data, uint64_t size)
{
	uint8_t h[CACHE_HDR];
	const void *part[2] = { h, data };
	size_t len[2] = { sizeof(h), (size_t)size };

	if (dw->cache == NULL || size < CACHE_MIN || size > CACHE_MAX)
		return;
	cache_header(h, raw, n, size, data);
	cache_put(dw, dw_sect_names[i] + 1, part, len, 2);
}

/*
 * The unit indexes (dw_index, funcs sorted by the caller) are kept
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
	uint64_t sum;		/* base_checksum of all that follows */
};

struct cux_rec {
	uint64_t off;
	uint64_t nfuncs;
	uint64_t ninls;
	uint64_t failed;
};

/* What names this .debug_info in an index file: its size and hash. */
static int
info_id(struct fg_dw *dw, uint64_t *size, uint64_t *check)
{
	const struct sect *si = dw_sect(dw, S_INFO);

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
dw_cache_load_cus(struct fg_dw *dw, struct fg_dw_cu **out)
{
	struct cux_hdr want, h;
	const struct cux_rec *rec;
	struct fg_dw_cu *cus = NULL;
	struct stat sb;
	uint64_t nf = 0, ni = 0, need;
	const uint8_t *m = NULL, *fp, *ip;
	char path[PATH_MAX];
	size_t i, j;
	int fd, ok;

	*out = NULL;
	if (dw == NULL || dw->cache == NULL || dw->cux != NULL ||
	    cux_header(dw, &want) != 0 ||
	    (fd = cache_open(dw, CUX_NAME, &h, sizeof(h), &sb, path)) < 0)
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
	    (m = stamp_map(fd, path, &sb, sizeof(h), h.sum, &ok)) == NULL)
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
		for (j = 0; !ok && j < c->nfuncs; j++)
			if (c->funcs[j].inl_first > c->ninls ||
			    c->funcs[j].inl_n > c->ninls - c->funcs[j].inl_first)
				goto bad;
		fp += c->nfuncs * h.fsize;
		ip += c->ninls * h.isize;
	}
	if (!ok)	/* the sum and every range: so it was written */
		stamp_put(path, &sb, h.sum);
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
dw_cache_store_cus(struct fg_dw *dw, const struct fg_dw_cu *cus, size_t n)
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
	h.sum = base_checksum_parts(part + 1, len + 1, k - 1);
	cache_put(dw, CUX_NAME, part, len, (int)k);
out:
	free(rec);
	free(part);
	free(len);
}

void
dw_set_cache(struct fg_dw *dw, const char *root, const char *bid)
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
	uint64_t sum;		/* base_checksum of the entries */
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

int
dw_cr_load(struct fg_dw *dw)
{
	struct cr_hdr want, h;
	struct curange *cr = NULL;
	char path[PATH_MAX];
	struct stat sb;
	size_t i;
	int fd;

	if (dw->cache == NULL || cr_header(dw, &want) != 0 ||
	    (fd = cache_open(dw, CR_NAME, &h, sizeof(h), &sb, path)) < 0)
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
	    base_checksum(cr, (size_t)h.ncr * sizeof(*cr)) != h.sum)
		goto bad;
	for (i = 0; i < h.ncr; i++)
		if (cr[i].unit >= dw->nunits || cr[i].lo > cr[i].hi ||
		    (i > 0 && dw_curange_cmp(&cr[i - 1], &cr[i]) > 0))
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

void
dw_cr_store(struct fg_dw *dw)
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
	h.sum = base_checksum(dw->cr, len[1]);
	cache_put(dw, CR_NAME, part, len, 2);
}


/*
 * The names of the DIEs looked up are kept too, as DIR/BUILD-ID/names:
 * once the unit indexes come from the cache, naming a frame was most of
 * a lookup (the unit's abbreviations parsed, the DIE and its abstract
 * origin read, the name demangled), every run again for the same
 * offsets.  A header (format, entry size, .debug_info's size and hash,
 * the namer's identity, the counts, base_checksum of all that follows),
 * the entries sorted by key, then the names, each NUL-terminated.
 * Used only when the sum holds (or a stamp says it held), the keys
 * rise and every name lies in the file and ends there; written back
 * whole, with the names of this run, when the symbolizer is freed.
 */
#define NAMES_NAME	"names"
#define NAMES_MAGIC	"FGDWNAM1"

struct names_hdr {
	char magic[8];
	uint32_t version;
	uint32_t esize;		/* sizeof(struct dw_name_ent) */
	uint64_t info_size;
	uint64_t info_check;
	uint64_t salt;		/* the namer's identity */
	uint64_t n;		/* entries */
	uint64_t blen;		/* bytes of names */
	uint64_t sum;		/* base_checksum of all that follows */
};

static int
names_header(struct fg_dw *dw, uint64_t salt, struct names_hdr *h)
{
	memset(h, 0, sizeof(*h));
	if (info_id(dw, &h->info_size, &h->info_check) != 0)
		return -1;
	memcpy(h->magic, NAMES_MAGIC, 8);
	h->version = 1;
	h->esize = sizeof(struct dw_name_ent);
	h->salt = salt;
	return 0;
}

void
dw_cache_load_names(struct fg_dw *dw, uint64_t salt, struct dw_names *nm)
{
	struct names_hdr want, h;
	const struct dw_name_ent *e;
	const char *blob;
	char path[PATH_MAX];
	struct stat sb;
	uint8_t *m = NULL;
	size_t i;
	int fd, ok;

	memset(nm, 0, sizeof(*nm));
	if (dw == NULL || dw->cache == NULL || salt == 0 ||
	    names_header(dw, salt, &want) != 0 ||
	    (fd = cache_open(dw, NAMES_NAME, &h, sizeof(h), &sb, path)) < 0)
		return;
	if (memcmp(&h, &want, offsetof(struct names_hdr, n)) != 0 ||
	    h.n > ((uint64_t)sb.st_size - sizeof(h)) / sizeof(*e) ||
	    h.blen != (uint64_t)sb.st_size - sizeof(h) - h.n * sizeof(*e) ||
	    h.blen == 0)
		goto out;
	if ((m = stamp_map(fd, path, &sb, sizeof(h), h.sum, &ok)) == NULL)
		goto out;
	e = (const struct dw_name_ent *)(const void *)(m + sizeof(h));
	blob = (const char *)(m + sizeof(h) + h.n * sizeof(*e));
	if (!ok) {
		if (blob[h.blen - 1] != '\0')
			goto bad;
		for (i = 0; i < h.n; i++)
			if ((i > 0 && e[i].key <= e[i - 1].key) ||
			    !base_name_at(blob, h.blen, e[i].off))
				goto bad;
		stamp_put(path, &sb, h.sum);
	}
	nm->e = e;
	nm->n = (size_t)h.n;
	nm->blob = blob;
	nm->map = m;
	nm->maplen = (size_t)sb.st_size;
	goto out;
bad:
	munmap(m, (size_t)sb.st_size);
out:
	close(fd);
}

const char *
dw_names_find(const struct dw_names *nm, uint64_t key)
{
	size_t lo = 0, hi = nm->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (nm->e[mid].key < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < nm->n && nm->e[lo].key == key ? nm->blob + nm->e[lo].off :
	    NULL;
}

struct name_new {
	uint64_t key;
	const char *name;
};

static int
name_new_cmp(const void *a, const void *b)
{
	const struct name_new *x = a, *y = b;

	return (x->key > y->key) - (x->key < y->key);
}

void
dw_cache_store_names(struct fg_dw *dw, uint64_t salt,
    const struct dw_names *old, const uint64_t *keys,
    const char *const *names, size_t n)
{
	struct names_hdr h;
	struct name_new *v = NULL;
	struct dw_name_ent *e = NULL;
	struct fg_buf b;
	const void *part[3];
	size_t len[3], i, j, k, total;

	buf_init(&b, (size_t)1 << 30);
	if (dw == NULL || dw->cache == NULL || salt == 0 || n == 0 ||
	    names_header(dw, salt, &h) != 0 ||
	    (v = reallocarray(NULL, n, sizeof(*v))) == NULL ||
	    (e = reallocarray(NULL, n + old->n, sizeof(*e))) == NULL)
		goto out;
	for (i = 0; i < n; i++) {
		v[i].key = keys[i];
		v[i].name = names[i];
	}
	qsort(v, n, sizeof(*v), name_new_cmp);
	for (i = j = k = 0; i < old->n || j < n;) {
		const char *s;
		uint64_t key;

		if (j == n || (i < old->n && old->e[i].key <= v[j].key)) {
			key = old->e[i].key;
			s = old->blob + old->e[i].off;
			if (j < n && v[j].key == key)
				j++;
			i++;
		} else {
			key = v[j].key;
			s = v[j].name;
			j++;
		}
		if (k > 0 && e[k - 1].key == key)
			continue;	/* a key twice in keys: the first */
		e[k].key = key;
		e[k++].off = b.len;
		if (buf_append(&b, s, strlen(s) + 1) != 0)
			goto out;
	}
	total = k;
	h.n = total;
	h.blen = b.len;
	part[0] = &h;
	len[0] = sizeof(h);
	part[1] = e;
	len[1] = total * sizeof(*e);
	part[2] = b.d;
	len[2] = b.len;
	h.sum = base_checksum_parts(part + 1, len + 1, 2);
	cache_put(dw, NAMES_NAME, part, len, 3);
out:
	buf_free(&b);
	free(v);
	free(e);
}

void
dw_names_free(struct dw_names *nm)
{
	if (nm->map != NULL)
		munmap(nm->map, nm->maplen);
	memset(nm, 0, sizeof(*nm));
}
