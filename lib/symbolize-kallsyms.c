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

/* perf's build-id cache copy of kallsyms, mapped into d->kbuf: 0/-1. */
static int
kallsyms_map(struct fg_dso *d, char *path, size_t cap)
{
	struct stat sb;
	int fd;

	if (d->s->kernel_bid[0] == '\0' || d->s->debug_dir[0] == '\0')
		return -1;
	snprintf(path, cap, "%s/[kernel.kallsyms]/%s/kallsyms",
	    d->s->debug_dir, d->s->kernel_bid);
	if ((fd = open_regular(path, &sb)) < 0)
		return -1;
	if (sb.st_size > 0 &&
	    (d->kmap = mmap(NULL, (size_t)sb.st_size, PROT_READ,
	    MAP_PRIVATE | FG_MAP_WHOLE, fd, 0)) != MAP_FAILED) {
		d->kmaplen = (size_t)sb.st_size;
		d->kbuf = d->kmap;
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
 * The file is KC_MAGIC, the checksum of the text, then the text.
 */
#define KC_MAGIC	"FGKSYMS1"
#define KC_HDR		16

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
	r = snprintf(path, cap, "%s/kallsyms/%s-%016llx", cache_dir, boot,
	    (unsigned long long)mh);
	return r < 0 || (size_t)r >= cap ? -1 : 0;
}

/* Our copy (kcopy_path), checked and mapped into d->kbuf: 0/-1. */
static int
kcopy_map(struct fg_dso *d, const char *path)
{
	struct stat sb;
	uint64_t sum;
	void *m;
	int fd;

	if ((fd = open_regular(path, &sb)) < 0)
		return -1;
	if (sb.st_size <= KC_HDR || (m = mmap(NULL, (size_t)sb.st_size,
	    PROT_READ, MAP_PRIVATE | FG_MAP_WHOLE, fd, 0)) == MAP_FAILED) {
		close(fd);
		return -1;
	}
	close(fd);
	memcpy(&sum, (const char *)m + 8, 8);
	if (memcmp(m, KC_MAGIC, 8) != 0 || sum != base_checksum((const char *)m +
	    KC_HDR, (size_t)sb.st_size - KC_HDR)) {
		munmap(m, (size_t)sb.st_size);
		return -1;
	}
	d->kmap = m;
	d->kmaplen = (size_t)sb.st_size;
	d->kbuf = (const char *)m + KC_HDR;
	d->kbuflen = (size_t)sb.st_size - KC_HDR;
	return 0;
}

/* Keep the text read from /proc/kallsyms as our copy at path. */
static void
kcopy_put(const char *path, const char *text, size_t len)
{
	char dir[PATH_MAX], hdr[KC_HDR], *slash;
	uint64_t sum = base_checksum(text, len);
	const void *part[2] = { hdr, text };
	size_t plen[2] = { KC_HDR, len };

	if (strlcpy(dir, path, sizeof(dir)) >= sizeof(dir) ||
	    (slash = strrchr(dir, '/')) == NULL)
		return;
	*slash = '\0';
	if (base_mkdirs(dir) != 0)
		return;
	memcpy(hdr, KC_MAGIC, 8);
	memcpy(hdr + 8, &sum, 8);
	(void)put_file(path, part, plen, 2);
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
void
sym_load_kallsyms(struct fg_dso *d)
{
	char path[4096], copy[PATH_MAX];
	const char *src = "/proc/kallsyms";
	size_t len = 0;
	int sorted, fresh = 0, hidden;

	d->kbuf = NULL;
	if (kallsyms_map(d, path, sizeof(path)) == 0) {
		len = d->kmaplen;
		src = path;
	} else if (kcopy_path(d->s->cache_dir, copy, sizeof(copy)) == 0) {
		if (kcopy_map(d, copy) == 0) {
			len = d->kbuflen;
			src = copy;
		} else
			fresh = 1;
	}
	if (d->kbuf == NULL && (d->kbuf = slurp(src, &len)) == NULL) {
		warnf(d->wp, "%s: %s: kernel frames stay unresolved",
		    src, strerror(errno));
		return;
	}
	d->kbuflen = len;
	sorted = kindex_build(d);
	hidden = d->nkents > 0 && kaddr(d, d->nkents - 1) == 0;
	if (hidden)
		warnf(d->wp, "%s: addresses hidden (kptr_restrict): "
		    "kernel frames stay unresolved", src);
	else if (fresh && d->nkents > 0)
		kcopy_put(copy, d->kbuf, len);
	kindex_finish(d, sorted);
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
sym_kallsyms_warm(const char *cache_dir)
{
	char path[PATH_MAX];
	struct stat sb;
	size_t len;
	char *text;

	if (cache_dir == NULL || kcopy_path(cache_dir, path, sizeof(path)) != 0 ||
	    stat(path, &sb) == 0 ||
	    (text = slurp("/proc/kallsyms", &len)) == NULL)
		return;
	/* hidden addresses (kptr_restrict) are all zeros: nothing to keep */
	if (len > 17 && strspn(text, "0") < 16)
		kcopy_put(path, text, len);
	free(text);
}
