/*
 * symbolize-kallsyms.c: the kernel's symbols from kallsyms (perf's
 * build-id cache copy first, else /proc/kallsyms) with perf's fix-ups.
 * Only an index of line offsets is built; a lookup reads the address
 * again from the text and cuts the name out on first use, cached.
 */

#include <sys/mman.h>
#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base.h"
#include "symbolize.h"
#include "symbolize-int.h"

/* The whole of a file in a new buffer (a /proc file has no size). */
static char *
slurp(const char *path, size_t *len)
{
	char *b = NULL, *n;
	size_t cap = 0, l = 0;
	ssize_t r;
	struct stat sb;
	int fd;

	/* a /proc file is regular (of size 0): nothing else is read */
	if ((fd = open_regular(path, &sb)) < 0) {
		if (fd == FG_OPEN_SPECIAL)
			errno = EINVAL;
		return NULL;
	}
	for (;;) {
		if (cap - l < 65536) {
			if (l + 65536 > (256u << 20) || (n = base_grow(b, &cap,
			    l + 65536, 1, 1 << 20)) == NULL)
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
	if (end - p > 16 && hexval((unsigned char)p[16]) < 0) {
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
	for (n = 0; n < 16 && p < end && (v = hexval((unsigned char)*p)) >= 0;
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

static int kcopy_map(struct fg_dso *, const char *);

/*
 * perf's build-id cache copy of kallsyms, mapped into d->kbuf: 0/-1.
 * Its path in path[cap] and, in idx[icap], the path of our indexed copy
 * of it (kcopy_map), named by the file's build id, size and time, under
 * the cache directory (idx[0] is '\0' without one).
 */
static int
kallsyms_map(struct fg_dso *d, char *path, size_t cap, char *idx,
    size_t icap)
{
	struct stat sb;
	int fd, n;

	idx[0] = '\0';
	if (d->s->kernel_bid[0] == '\0' || d->s->debug_dir[0] == '\0')
		return -1;
	snprintf(path, cap, "%s/[kernel.kallsyms]/%s/kallsyms",
	    d->s->debug_dir, d->s->kernel_bid);
	if ((fd = open_regular(path, &sb)) < 0)
		return -1;
	if (d->s->cache_dir[0] != '\0') {
		n = snprintf(idx, icap, "%s/kallsyms/perf-%s-%llx-%llx.idx",
		    d->s->cache_dir, d->s->kernel_bid,
		    (unsigned long long)sb.st_size,
		    (unsigned long long)sb.st_mtime);
		if (n < 0 || (size_t)n >= icap)
			idx[0] = '\0';
	}
	if (idx[0] != '\0' && kcopy_map(d, idx) == 0) {
		close(fd);
		return 0;
	}
	if (sb.st_size > 0 &&
	    (d->kmap = mmap(NULL, (size_t)sb.st_size, PROT_READ,
	    MAP_PRIVATE | FG_MAP_WHOLE, fd, 0)) != MAP_FAILED) {
		d->kmaplen = (size_t)sb.st_size;
		d->kbuf = d->kmap;
		d->kbuflen = d->kmaplen;
	} else
		d->kmap = NULL;
	close(fd);
	return d->kbuf != NULL ? 0 : -1;
}

/*
 * Our own copy of /proc/kallsyms, for when perf kept none (perf record
 * --buildid-mmap fills no build-id cache): reading /proc/kallsyms costs
 * tens of milliseconds of kernel time, a copy maps in no time.  A copy
 * is named by what makes /proc/kallsyms change: the kernel (the
 * recording's build id of it), the boot (KASLR moves the kernel each
 * boot) and the loaded modules (a hash of /proc/modules), as
 * DIR/kallsyms/BUILDID-BOOTID-MODULES, under the DWARF cache directory.
 * The copy keeps the index too (building it from the text was most of
 * the kernel's cost, ~6 ms a run here): the file is a header (KC_MAGIC,
 * a checksum, the text's length, the entry and start counts, a hash of
 * the text's ends), the text, then koffs and kstarts, each at an
 * 8-byte boundary.  The checksum covers the header's counts and the
 * index; the text is checked by its length and the hash of its ends,
 * and every line offset is checked to lie in it, so that a run maps
 * the file and touches only the pages its lookups read.  A file of
 * another format (an older copy) is made again.
 */
#define KC_MAGIC	"FGKSYMS2"
#define KC_HDR		48
#define KC_ALIGN(n)	(((n) + 7) & ~(size_t)7)

struct kc_hdr {
	char magic[8];
	uint64_t sum;		/* base_checksum of what follows it and the index */
	uint64_t textlen;
	uint64_t nkents;
	uint64_t nstarts;
	uint64_t ends;		/* kc_ends() of the text */
};

/* A hash of the text's length and its first and last 4 KiB. */
static uint64_t
kc_ends(const char *text, size_t len)
{
	size_t k = len < 4096 ? len : 4096;

	return base_hash(text, k) ^ (base_hash(text + len - k, k) * 31) ^ len;
}

/* The checksum of a header's counts and of the index. */
static uint64_t
kc_sum(const struct kc_hdr *h, const uint32_t *koffs,
    const uint64_t *kstarts)
{
	return base_checksum(&h->textlen, KC_HDR - 16) ^
	    (base_checksum(koffs, h->nkents * sizeof(*koffs)) * 31) ^
	    (base_checksum(kstarts, h->nstarts * sizeof(*kstarts)) * 7);
}

/* Up to len - 1 bytes of a small /proc file, NUL-ended: its length. */
static size_t
read_small(const char *path, char *buf, size_t len)
{
	ssize_t r;
	size_t n = 0;
	int fd;

	buf[0] = '\0';
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return 0;
	while (n + 1 < len && ((r = read(fd, buf + n, len - 1 - n)) > 0 ||
	    (r < 0 && errno == EINTR)))
		if (r > 0)
			n += (size_t)r;
	close(fd);
	buf[n] = '\0';
	return n;
}

/* The copy's path in path[cap]: 0, or -1 when there is no cache. */
static int
kcopy_path(const char *cache_dir, char *path, size_t cap)
{
	char boot[64], *mods;
	size_t n;
	uint64_t mh = 0;
	int r;

	if (cache_dir[0] == '\0' ||
	    read_small("/proc/sys/kernel/random/boot_id", boot,
	    sizeof(boot)) < 32)
		return -1;
	boot[strcspn(boot, "\n")] = '\0';
	if ((mods = malloc(1 << 20)) != NULL) {
		n = read_small("/proc/modules", mods, 1 << 20);
		mh = base_hash(mods, n);
		free(mods);
	}
	r = snprintf(path, cap, "%s/kallsyms/%s-%016llx.idx", cache_dir, boot,
	    (unsigned long long)mh);
	return r < 0 || (size_t)r >= cap ? -1 : 0;
}

/* Whether the header h of a file of size bytes describes it. */
static int
kc_fits(const struct kc_hdr *h, size_t size)
{
	uint64_t room = size - KC_HDR;

	if (memcmp(h->magic, KC_MAGIC, 8) != 0 || h->textlen == 0 ||
	    h->textlen > room || h->textlen > KMOD ||
	    h->nkents > room / 4 || h->nstarts > room / 8 ||
	    h->nstarts != (h->nkents + KSTEP - 1) / KSTEP)
		return 0;
	return KC_ALIGN(h->textlen) + KC_ALIGN(h->nkents * 4) +
	    h->nstarts * 8 == room;
}

/*
 * Our copy (kcopy_path), checked and mapped: the text into d->kbuf, the
 * index into d->koffs and d->kstarts (d->kidx_mapped).  0/-1.
 */
static int
kcopy_map(struct fg_dso *d, const char *path)
{
	const struct kc_hdr *h;
	const char *base;
	const uint32_t *koffs;
	struct stat sb;
	uint64_t i;
	void *m;
	int fd;

	if ((fd = open_regular(path, &sb)) < 0)
		return -1;
	if (sb.st_size <= KC_HDR || (m = mmap(NULL, (size_t)sb.st_size,
	    PROT_READ, MAP_PRIVATE, fd, 0)) == MAP_FAILED) {
		close(fd);
		return -1;
	}
	close(fd);
	h = m;
	base = (const char *)m + KC_HDR;
	if (!kc_fits(h, (size_t)sb.st_size))
		goto bad;
	koffs = (const void *)(base + KC_ALIGN(h->textlen));
	d->kstarts = (uint64_t *)(uintptr_t)(base + KC_ALIGN(h->textlen) +
	    KC_ALIGN(h->nkents * 4));
	if (h->ends != kc_ends(base, h->textlen))
		goto bad;
	/* checked whole on an earlier run and unchanged since (base.h) */
	if (!stamp_ok(path, &sb, h->sum)) {
		if (h->sum != kc_sum(h, koffs, d->kstarts))
			goto bad;
		for (i = 0; i < h->nkents; i++)
			if ((koffs[i] & ~KMOD) >= h->textlen)
				goto bad;
		stamp_put(path, &sb, h->sum);
	}
	d->kmap = m;
	d->kmaplen = (size_t)sb.st_size;
	d->kbuf = base;
	d->kbuflen = h->textlen;
	d->koffs = (uint32_t *)(uintptr_t)koffs;
	d->nkents = h->nkents;
	d->kidx_mapped = 1;
	return 0;
bad:
	d->kstarts = NULL;
	munmap(m, (size_t)sb.st_size);
	return -1;
}

/* Keep d's kallsyms text and its finished index as our copy at path. */
static void
kcopy_put(const char *path, const struct fg_dso *d)
{
	static const char zero[8];
	char dir[PATH_MAX], *slash;
	struct kc_hdr h;
	const void *part[6];
	size_t plen[6];

	if (d->nkents == 0 || d->kstarts == NULL ||
	    strlcpy(dir, path, sizeof(dir)) >= sizeof(dir) ||
	    (slash = strrchr(dir, '/')) == NULL)
		return;
	*slash = '\0';
	if (base_mkdirs(dir) != 0)
		return;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, KC_MAGIC, 8);
	h.textlen = d->kbuflen;
	h.nkents = d->nkents;
	h.nstarts = (d->nkents + KSTEP - 1) / KSTEP;
	h.ends = kc_ends(d->kbuf, d->kbuflen);
	h.sum = kc_sum(&h, d->koffs, d->kstarts);
	part[0] = &h;
	plen[0] = KC_HDR;
	part[1] = d->kbuf;
	plen[1] = d->kbuflen;
	part[2] = zero;
	plen[2] = KC_ALIGN(d->kbuflen) - d->kbuflen;
	part[3] = d->koffs;
	plen[3] = d->nkents * 4;
	part[4] = zero;
	plen[4] = KC_ALIGN(d->nkents * 4) - d->nkents * 4;
	part[5] = d->kstarts;
	plen[5] = h.nstarts * 8;
	(void)put_file(path, part, plen, 6);
}

/* What the index loop reads a byte as: its hex value, a kept type. */
struct ktabs {
	int8_t hexv[256];
	uint8_t keep[256];
};

static void
ktabs_init(struct ktabs *t)
{
	int i, c;

	for (i = 0; i < 256; i++) {
		t->hexv[i] = (int8_t)hexval(i);
		c = toupper(i);
		t->keep[i] = c == 'T' || c == 'W' || c == 'D' || c == 'B';
	}
}

/*
 * The address at the start of a line, *pp moved past its hex digits;
 * *np: how many there were (0: none).
 */
static uint64_t
kline_scan(const struct ktabs *t, const char **pp, const char *end, int *np)
{
	const char *p = *pp;
	uint64_t a = 0;
	int n = 0;
	size_t i;

	/* the usual line: 16 hex digits, then not a hex digit */
	if (end - p > 16) {
		const unsigned char *u = (const unsigned char *)p;
		uint64_t hi = 0, lo = 0;
		int bad = 0;

		for (i = 0; i < 16; i++)
			bad |= t->hexv[u[i]];
		if (bad >= 0 && t->hexv[u[16]] < 0) {
			for (i = 0; i < 8; i++) {
				hi |= (uint64_t)t->hexv[u[i]] << (28 - 4 * i);
				lo |= (uint64_t)t->hexv[u[8 + i]] <<
				    (28 - 4 * i);
			}
			a = hi << 32 | lo;
			n = 16;
			p += 16;
		}
	}
	for (; n < 16 && p < end && t->hexv[(unsigned char)*p] >= 0;
	    n++, p++)
		a = a << 4 | (uint64_t)t->hexv[(unsigned char)*p];
	*pp = p;
	*np = n;
	return a;
}

/* Where the index grows: its capacity and that of d->kstarts. */
struct kgrow {
	size_t cap;
	size_t scap;
};

/*
 * Append the line at line (p: past its address a, nl: its end) to the
 * index; 0, or -1 to stop (out of memory, or past what an offset holds).
 */
static int
kindex_push(struct fg_dso *d, struct kgrow *g, const char *line,
    const char *p, const char *nl, uint64_t a, int sorted)
{
	if ((size_t)(line - d->kbuf) >= KMOD)
		return -1;
	if (d->nkents == g->cap) {
		uint32_t *k = base_grow(d->koffs, &g->cap, d->nkents + 1,
		    sizeof(*k), 65536);
		if (k == NULL)
			return -1;
		d->koffs = k;
	}
	/*
	 * The address of every KSTEP-th while it is at hand (parsing
	 * it again from the text was a third of the load); sorting
	 * (rare: the kernel lists them in order) makes them again.
	 */
	if (d->nkents % KSTEP == 0 && sorted) {
		if (d->nkents / KSTEP == g->scap) {
			uint64_t *k = base_grow(d->kstarts, &g->scap,
			    g->scap + 1, sizeof(*k), g->cap / KSTEP + 1);
			if (k == NULL)
				return -1;
			d->kstarts = k;
		}
		d->kstarts[d->nkents / KSTEP] = a;
	}
	/* a module's line ends "\t[module]": look for the tab then */
	d->koffs[d->nkents++] = (uint32_t)(line - d->kbuf) |
	    (nl[-1] == ']' && memchr(p + 3, '\t',
	    (size_t)(nl - p - 3)) != NULL ? KMOD : 0);
	return 0;
}

/* Index the text and data symbols of d->kbuf: 1 when they were in order. */
static int
kindex_build(struct fg_dso *d)
{
	struct ktabs t;
	struct kgrow g = { 0, 0 };
	const char *p, *end;
	int sorted = 1;
	uint64_t prev = 0;

	ktabs_init(&t);
	/*
	 * The index is 4 bytes a symbol (the line's offset; its address is
	 * read again from the text by a lookup), in one allocation of about
	 * the right size: lines are ~45 bytes.  Every page of it costs a
	 * fault, so small matters.
	 */
	g.cap = d->kbuflen / 32 + 1024;
	if ((d->koffs = reallocarray(NULL, g.cap, sizeof(*d->koffs))) == NULL)
		g.cap = 0;
	for (p = d->kbuf, end = d->kbuf + d->kbuflen; p < end;) {
		const char *nl, *line = p;
		uint64_t a;
		int n;

		a = kline_scan(&t, &p, end, &n);
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		if (n == 0 || nl - p < 4 || p[0] != ' ' || p[2] != ' ' ||
		    !t.keep[(unsigned char)p[1]])
			goto next;
		if (kindex_push(d, &g, line, p, nl, a, sorted) != 0)
			break;
		if (a < prev)
			sorted = 0;
		prev = a;
next:
		p = nl + 1;
	}
	return sorted;
}

/*
 * After kindex_build: an index out of order sorted by address (perf's
 * order for equal ones), and the KSTEP table made when it was not.
 */
static void
kindex_finish(struct fg_dso *d, int sorted)
{
	size_t i;

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

/*
 * kallsyms from perf's build-id cache when the recording names the
 * kernel's build id (the symbols as they were when recorded, and a plain
 * file maps in no time where /proc/kallsyms costs tens of milliseconds
 * of kernel time), else /proc/kallsyms.  Only an index is built: the
 * address and line offset of each text or data symbol (T W D B, as
 * perf); names are cut out of the text when a lookup returns them.
 */
/* The address of _text (else _stext) in a kallsyms text; 0: none. */
static uint64_t
ktext_of(const char *buf, size_t len)
{
	static const char *const pat[] = { " T _text\n", " T _stext\n" };
	const char *p, *line;
	size_t k;

	for (k = 0; k < 2; k++) {
		if ((p = memmem(buf, len, pat[k], strlen(pat[k]))) == NULL)
			continue;
		for (line = p; line > buf && line[-1] != '\n'; line--)
			;
		return kline_addr(line, p);
	}
	return 0;
}

/*
 * Whether the text in d->kbuf is of the recording's boot: its _text
 * where the recording's kernel map says it was (KASLR moves it each
 * boot); yes when either is not known.
 */
static int
kboot_ok(const struct fg_dso *d)
{
	uint64_t t;

	if (d->s->ktext == 0 || (t = ktext_of(d->kbuf, d->kbuflen)) == 0)
		return 1;
	return t == d->s->ktext;
}

/* Forget the kallsyms text and index of d (one that was not used). */
static void
kdrop(struct fg_dso *d)
{
	if (d->kmap != NULL)
		munmap(d->kmap, d->kmaplen);
	else
		free((void *)(uintptr_t)d->kbuf);
	if (!d->kidx_mapped) {
		free(d->koffs);
		free(d->kstarts);
	}
	d->kmap = NULL;
	d->kmaplen = 0;
	d->kbuf = NULL;
	d->kbuflen = 0;
	d->koffs = NULL;
	d->kstarts = NULL;
	d->nkents = 0;
	d->kidx_mapped = 0;
}

/* /proc/kallsyms or perf's copy (path) read and indexed: 0/-1. */
static int
kload_text(struct fg_dso *d, const char *src)
{
	size_t len = 0;

	if ((d->kbuf = slurp(src, &len)) == NULL)
		return -1;
	d->kbuflen = len;
	kindex_finish(d, kindex_build(d));
	return 0;
}

/*
 * kallsyms of the recording's boot, the first of: perf's build-id cache
 * copy when the recording names the kernel's build id (the symbols as
 * they were when recorded; through our indexed copy of it once made);
 * our copy for this boot; /proc/kallsyms, which costs tens of
 * milliseconds of kernel time, and of which our copy is then made.  A source of another
 * boot (kboot_ok) is passed over; when none is of it, the kernel frames
 * stay unresolved, with a warning.  The index holds the address and
 * line offset of each text or data symbol (T W D B, as perf); names
 * are cut out of the text when a lookup returns them.
 */
void
sym_load_kallsyms(struct fg_dso *d)
{
	char perfcopy[4096], copy[PATH_MAX], pidx[PATH_MAX];
	int have_copy, hidden, copy_ok = 0;

	if (kallsyms_map(d, perfcopy, sizeof(perfcopy), pidx,
	    sizeof(pidx)) == 0) {
		if (!d->kidx_mapped) {
			kindex_finish(d, kindex_build(d));
			if (pidx[0] != '\0' && kboot_ok(d))
				kcopy_put(pidx, d);
		}
		if (kboot_ok(d))
			return;
		kdrop(d);
	}
	have_copy = kcopy_path(d->s->cache_dir, copy, sizeof(copy)) == 0;
	if (have_copy && kcopy_map(d, copy) == 0) {
		if (kboot_ok(d))
			return;
		kdrop(d);
		copy_ok = 1;	/* this boot's, as /proc/kallsyms is */
	}
	if (kload_text(d, "/proc/kallsyms") != 0) {
		warnf(d->wp, "/proc/kallsyms: %s: kernel frames stay "
		    "unresolved", strerror(errno));
		return;
	}
	hidden = d->nkents > 0 && kaddr(d, d->nkents - 1) == 0;
	if (hidden) {
		warnf(d->wp, "/proc/kallsyms: addresses hidden "
		    "(kptr_restrict): kernel frames stay unresolved");
		return;
	}
	if (have_copy && !copy_ok)
		kcopy_put(copy, d);
	if (!kboot_ok(d)) {
		warnf(d->wp, "the kernel's symbols as of the recording's "
		    "boot are not at hand (its _text was at 0x%llx): kernel "
		    "frames stay unresolved",
		    (unsigned long long)d->s->ktext);
		kdrop(d);
	}
}

/* The cached name of kallsyms entry i: a slot in d->knames. */
static struct kname *
kname_slot(struct fg_dso *d, size_t i)
{
	size_t h;

	if (d->knames == NULL || (d->nknames + 1) * 2 > d->knmask + 1) {
		size_t nm = d->knames == NULL ? 1023 : d->knmask * 2 + 1, j;
		struct kname *t = base_zalloc(nm + 1, sizeof(*t));

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
 * The index of the entry holding addr (the last one starting at or
 * before it: the same for every address up to the next entry's start, so
 * remembered, as a return address and its call, ip - 1, usually ask
 * twice), its start and the next one's in d->klo, d->khi: 0, or -1 when
 * addr is before the first.
 */
static int
kentry_find(struct fg_dso *d, uint64_t addr, size_t *i)
{
	size_t lo = 0, hi = (d->nkents + KSTEP - 1) / KSTEP;

	if (d->kidx != 0 && addr >= d->klo && addr < d->khi) {
		*i = d->kidx - 1;
		return 0;
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
		return -1;
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
		return -1;
	*i = lo - 1;
	d->kidx = lo;
	d->klo = kaddr(d, *i);
	d->khi = *i + 1 < d->nkents ? kaddr(d, *i + 1) : UINT64_MAX;
	return 0;
}

/* kn made entry i's name, its module (when it has one) in *module:
 * 0, or -1 when out of memory. */
static int
kname_fill(struct fg_dso *d, struct kname *kn, size_t i,
    const char **module)
{
	const char *p = d->kbuf + (d->koffs[i] & ~KMOD);
	const char *e = d->kbuf + d->kbuflen;
	const char *nl = memchr(p, '\n', (size_t)(e - p)), *name, *tab;
	char *c;

	if (nl == NULL)
		nl = e;
	name = (const char *)memchr(p, ' ', (size_t)(nl - p)) + 3;
	tab = memchr(name, '\t', (size_t)(nl - name));
	c = arena_strndup(&d->arena, name,
	    (size_t)((tab ? tab : nl) - name));
	if (c == NULL)
		return -1;
	kn->idx = i;
	kn->name = c;
	d->nknames++;
	if (tab != NULL && module != NULL)
		*module = arena_strndup(&d->arena, tab + 1,
		    (size_t)(nl - tab - 1));
	return 0;
}

/* The module of entry i (one of a module's), from its line. */
static const char *
kmodule(struct fg_dso *d, size_t i)
{
	const char *p = d->kbuf + (d->koffs[i] & ~KMOD);
	const char *e = d->kbuf + d->kbuflen;
	const char *nl = memchr(p, '\n', (size_t)(e - p));
	const char *tab = memchr(p, '\t', (size_t)((nl ? nl : e) - p));

	return arena_strndup(&d->arena, tab + 1,
	    (size_t)((nl ? nl : e) - tab - 1));
}

/*
 * The kallsyms symbol holding addr with perf's fix-ups: every symbol
 * reaches to the next address (to the next page when it is the last of
 * the core kernel or of the modules), and of aliases at one address the
 * last in the file wins (the others are left zero-sized).
 */
const char *
sym_kernel_symbol(struct fg_dso *d, uint64_t addr, const char **module)
{
	struct kname *kn;
	uint64_t start, end;
	uint32_t mod;
	size_t i;

	if (kentry_find(d, addr, &i) != 0)
		return NULL;
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
		if (kname_fill(d, kn, i, module) != 0)
			return NULL;
	} else if (module != NULL && mod)
		*module = kmodule(d, i);
	return kn->name;
}

void
sym_set_kernel_text(struct fg_symbolizer *s, uint64_t addr)
{
	s->ktext = addr;
}

void
sym_kallsyms_warm(const char *cache_dir)
{
	char path[PATH_MAX];
	struct fg_dso d;
	struct stat sb;
	size_t len;
	char *text;

	if (cache_dir == NULL || kcopy_path(cache_dir, path, sizeof(path)) != 0)
		return;
	memset(&d, 0, sizeof(d));
	if (stat(path, &sb) == 0 && kcopy_map(&d, path) == 0) {
		munmap(d.kmap, d.kmaplen);
		return;
	}
	if ((text = slurp("/proc/kallsyms", &len)) == NULL)
		return;
	d.kbuf = text;
	d.kbuflen = len;
	/* hidden addresses (kptr_restrict) are all zeros: nothing to keep */
	if (len > 17 && strspn(text, "0") < 16) {
		kindex_finish(&d, kindex_build(&d));
		if (d.nkents > 0 && kaddr(&d, d.nkents - 1) != 0)
			kcopy_put(path, &d);
	}
	free(d.koffs);
	free(d.kstarts);
	free(text);
}
