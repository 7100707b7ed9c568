/*
 * base.c: error filling, hashing, growable buffers and the bump arena
 * shared by every module.  Guarantees: no output, no exit, every
 * allocation failure reported as FG_ENOMEM.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "base.h"

void
fg_error_clear(struct fg_error *err)
{
	if (err == NULL)
		return;
	err->code = 0;
	err->sys = 0;
	err->msg[0] = '\0';
}

const char *
fg_strerror(int code)
{
	switch (code) {
	case FG_OK: return "success";
	case FG_ENOMEM: return "out of memory";
	case FG_EIO: return "input/output error";
	case FG_EPARSE: return "malformed input";
	case FG_EOVERFLOW: return "value too large";
	case FG_EINVAL: return "invalid argument";
	case FG_ECANCELED: return "interrupted";
	case FG_ENODATA: return "no data";
	case FG_ECHILD: return "child process failed";
	case FG_ELIMIT: return "limit exceeded";
	case FG_EUNSUPPORTED: return "unsupported";
	default: return "unknown error";
	}
}

static void seterr_v(struct fg_error *, int, int, const char *, va_list)
    FG_PRINTF(4, 0);

static void
seterr_v(struct fg_error *err, int code, int sys, const char *fmt, va_list ap)
{
	size_t n;

	if (err == NULL || err->code != 0)
		return;
	err->code = code;
	err->sys = sys;
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	if (sys != 0) {
		n = strlen(err->msg);
		snprintf(err->msg + n, sizeof(err->msg) - n, ": %s",
		    strerror(sys));
	}
	/* One line: fold any newline the input smuggled into the message. */
	for (char *p = err->msg; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
}

int
seterr(struct fg_error *err, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	seterr_v(err, code, 0, fmt, ap);
	va_end(ap);
	return code;
}

int
seterr_sys(struct fg_error *err, int code, int sys, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	seterr_v(err, code, sys, fmt, ap);
	va_end(ap);
	return code;
}

void
warnf(const struct fg_warn *w, const char *fmt, ...)
{
	char msg[FG_ERRMSG_MAX];
	va_list ap;

	if (w == NULL || w->fn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	for (char *p = msg; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	w->fn(w->arg, msg);
}

/*
 * A multiply-xorshift hash over 8-byte words.  Unaligned loads go through
 * memcpy, which compilers turn into single moves.
 */
static inline uint64_t
mix(uint64_t a, uint64_t b)
{
	a ^= b;
	a *= 0x9e3779b97f4a7c15ULL;
	a ^= a >> 29;
	a *= 0xbf58476d1ce4e5b9ULL;
	return a ^ (a >> 32);
}

static inline uint64_t
rotl64(uint64_t x, int r)
{
	return x << r | x >> (64 - r);
}

static inline uint64_t
ck_word(const unsigned char *s)
{
	uint64_t w;

	memcpy(&w, s, 8);
	return w * 0xc2b2ae3d27d4eb4fULL;
}

#define CK_K1 0x9e3779b185ebca87ULL
#define CK_K2 0xc2b2ae3d27d4eb4fULL
#define CK_STEP(h, s) ((h) = rotl64((h) ^ ck_word(s), 31) * CK_K1)

void
ck_init(struct fg_ck *ck)
{
	ck->h[0] = CK_K1;
	ck->h[1] = CK_K2;
	ck->h[2] = ~CK_K1;
	ck->h[3] = ~CK_K2;
	ck->len = 0;
	ck->nbuf = 0;
}

/* Whole 32-byte blocks of s[0..n): four chains in registers. */
static size_t
ck_blocks(struct fg_ck *ck, const unsigned char *s, size_t n)
{
	uint64_t a = ck->h[0], b = ck->h[1], c = ck->h[2], d = ck->h[3];
	size_t done = 0;

	for (; n - done >= 32; done += 32) {
		CK_STEP(a, s + done);
		CK_STEP(b, s + done + 8);
		CK_STEP(c, s + done + 16);
		CK_STEP(d, s + done + 24);
	}
	ck->h[0] = a;
	ck->h[1] = b;
	ck->h[2] = c;
	ck->h[3] = d;
	return done;
}

void
ck_update(struct fg_ck *ck, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t k;

	ck->len += n;
	if (ck->nbuf > 0) {
		k = 32 - ck->nbuf < n ? 32 - ck->nbuf : n;
		memcpy(ck->buf + ck->nbuf, s, k);
		ck->nbuf += k;
		s += k;
		n -= k;
		if (ck->nbuf < 32)
			return;
		ck_blocks(ck, ck->buf, 32);
		ck->nbuf = 0;
	}
	k = ck_blocks(ck, s, n);
	memcpy(ck->buf, s + k, n - k);
	ck->nbuf = n - k;
}

uint64_t
ck_final(const struct fg_ck *ck)
{
	uint64_t r = ck->len * CK_K1;
	int i;

	for (i = 0; i < 4; i++)
		r = mix(r ^ ck->h[i], CK_K2);
	return mix(r ^ base_hash(ck->buf, ck->nbuf), CK_K1);
}

uint64_t
base_checksum(const void *p, size_t len)
{
	struct fg_ck ck;

	ck_init(&ck);
	ck_update(&ck, p, len);
	return ck_final(&ck);
}

uint64_t
base_checksum_parts(const void *const *part, const size_t *len, size_t n)
{
	struct fg_ck ck;
	size_t i;

	ck_init(&ck);
	for (i = 0; i < n; i++)
		if (len[i] > 0)
			ck_update(&ck, part[i], len[i]);
	return ck_final(&ck);
}

uint64_t
base_hash(const void *p, size_t len)
{
	const unsigned char *s = p;
	uint64_t h = 0x243f6a8885a308d3ULL ^ (len * 0x9e3779b97f4a7c15ULL);
	uint64_t w;

	while (len >= 16) {
		uint64_t w2;
		memcpy(&w, s, 8);
		memcpy(&w2, s + 8, 8);
		h = mix(h ^ w, w2 + 0x632be59bd9b4e019ULL);
		s += 16;
		len -= 16;
	}
	if (len >= 8) {
		memcpy(&w, s, 8);
		h = mix(h, w);
		s += 8;
		len -= 8;
	}
	if (len > 0) {
		w = 0;
		memcpy(&w, s, len);
		h = mix(h, w ^ ((uint64_t)len << 56));
	}
	return mix(h, 0x8ebc6af09c88c6e3ULL);
}

void
buf_init(struct fg_buf *b, size_t cap_max)
{
	b->d = NULL;
	b->len = 0;
	b->cap = 0;
	b->cap_max = cap_max ? cap_max : SIZE_MAX / 2;
}

void
buf_free(struct fg_buf *b)
{
	free(b->d);
	b->d = NULL;
	b->len = b->cap = 0;
}

void *
grow_slow(void *p, size_t *cap, size_t need, size_t elsize,
    size_t first)
{
	size_t nc = *cap ? *cap : first;
	void *n;

	if (need <= *cap)
		return p;
	while (nc < need) {
		if (nc > SIZE_MAX / 2 / elsize)
			return NULL;
		nc *= 2;
	}
	if ((n = reallocarray(p, nc, elsize)) == NULL)
		return NULL;
	*cap = nc;
	return n;
}

int
buf_reserve(struct fg_buf *b, size_t n)
{
	size_t need, ncap;
	char *nd;

	if (add_ovf(b->len, n, &need) != 0 || add_ovf(need, 1, &need))
		return FG_ELIMIT;
	if (need <= b->cap)
		return 0;
	if (need > b->cap_max)
		return FG_ELIMIT;
	ncap = b->cap ? b->cap : 64;
	while (ncap < need)
		ncap = ncap > b->cap_max / 2 ? b->cap_max : ncap * 2;
	if ((nd = realloc(b->d, ncap)) == NULL)
		return FG_ENOMEM;
	b->d = nd;
	b->cap = ncap;
	return 0;
}

int
buf_append(struct fg_buf *b, const void *p, size_t n)
{
	int r;

	if ((r = buf_reserve(b, n)) != 0)
		return r;
	if (n > 0)
		memcpy(b->d + b->len, p, n);
	b->len += n;
	b->d[b->len] = '\0';
	return 0;
}

int
buf_putc(struct fg_buf *b, char c)
{
	return buf_append(b, &c, 1);
}

int
buf_printf(struct fg_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n, r;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return FG_EINVAL;
	if ((r = buf_reserve(b, (size_t)n)) != 0)
		return r;
	va_start(ap, fmt);
	vsnprintf(b->d + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
	return 0;
}

struct fg_arena_block {
	struct fg_arena_block *next;
	size_t size;
	/* data follows, 16-byte aligned by the header's size */
	max_align_t data[];
};

void *
base_zalloc(size_t n, size_t size)
{
	void *p = reallocarray(NULL, n, size);

	if (p != NULL)
		memset(p, 0, n * size);
	return p;
}

void
arena_init(struct fg_arena *a)
{
	a->head = NULL;
	a->cur = NULL;
	a->left = 0;
	a->next_size = 64 * 1024;
	a->used = 0;
}

void
arena_free(struct fg_arena *a)
{
	struct fg_arena_block *b, *next;

	for (b = a->head; b != NULL; b = next) {
		next = b->next;
		free(b);
	}
	arena_init(a);
}

void *
arena_alloc(struct fg_arena *a, size_t n)
{
	struct fg_arena_block *b;
	size_t sz, total;
	void *p;

	if (n > SIZE_MAX / 2)
		return NULL;
	n = (n + 7) & ~(size_t)7;
	if (n > a->left) {
		sz = a->next_size;
		if (n > sz / 4) {
			/* A big allocation gets a block of its own. */
			sz = n;
		} else if (a->next_size < 16 * 1024 * 1024)
			a->next_size *= 2;
		total = sizeof(*b) + sz;
		if ((b = malloc(total)) == NULL)
			return NULL;
		b->size = sz;
		if (sz == n && a->head != NULL) {
			/* Keep the current block for later small allocations. */
			b->next = a->head->next;
			a->head->next = b;
			a->used += n;
			return (void *)b->data;
		}
		b->next = a->head;
		a->head = b;
		a->cur = (char *)b->data;
		a->left = sz;
	}
	p = a->cur;
	a->cur += n;
	a->left -= n;
	a->used += n;
	return p;
}

char *
arena_strndup(struct fg_arena *a, const char *p, size_t n)
{
	char *s;

	if (n == SIZE_MAX || (s = arena_alloc(a, n + 1)) == NULL)
		return NULL;
	if (n > 0)
		memcpy(s, p, n);
	s[n] = '\0';
	return s;
}

/*
 * Merge sort over bytes: runs under 12 elements by insertion (the
 * element being placed waits in tmp, free at the leaves), then merges
 * through tmp, which holds the left half.
 */
static void
msort_bytes(char *v, char *tmp, size_t n, size_t size, fg_cmp_fn *cmp,
    void *ctx)
{
	size_t h, i, j, k;

	if (n < 12) {
		for (i = 1; i < n; i++) {
			memcpy(tmp, v + i * size, size);
			for (j = i; j > 0 && cmp(v + (j - 1) * size, tmp,
			    ctx) > 0; j--)
				memcpy(v + j * size, v + (j - 1) * size, size);
			memcpy(v + j * size, tmp, size);
		}
		return;
	}
	h = n / 2;
	msort_bytes(v, tmp, h, size, cmp, ctx);
	msort_bytes(v + h * size, tmp, n - h, size, cmp, ctx);
	if (cmp(v + (h - 1) * size, v + h * size, ctx) <= 0)
		return;
	memcpy(tmp, v, h * size);
	for (i = 0, j = h, k = 0; i < h && j < n; k++) {
		if (cmp(tmp + i * size, v + j * size, ctx) <= 0)
			memcpy(v + k * size, tmp + i++ * size, size);
		else
			memcpy(v + k * size, v + j++ * size, size);
	}
	if (i < h)
		memcpy(v + k * size, tmp + i * size, (h - i) * size);
}

int
base_sort(void *base, size_t n, size_t size, fg_cmp_fn *cmp, void *ctx)
{
	char *tmp;

	if (n < 2 || size == 0)
		return 0;
	if ((tmp = reallocarray(NULL, n / 2 + 1, size)) == NULL)
		return FG_ENOMEM;
	msort_bytes(base, tmp, n, size, cmp, ctx);
	free(tmp);
	return 0;
}

int
base_is_special(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && !S_ISREG(sb.st_mode);
}

/* ---- text: inferno's Rust str semantics on bytes -------------------- */

/* Length of a Unicode White_Space character ending at p[len-1], or 0. */
static size_t
ws_tail(const char *p, size_t len)
{
	const unsigned char *s = (const unsigned char *)p;
	unsigned char c;

	if (len == 0)
		return 0;
	c = s[len - 1];
	if (c == ' ' || (c >= '\t' && c <= '\r'))
		return 1;
	if (c < 0x80)
		return 0;
	if (len >= 2 && s[len - 2] == 0xc2 && (c == 0x85 || c == 0xa0))
		return 2;
	if (len >= 3) {
		unsigned a = s[len - 3], b = s[len - 2];
		if (a == 0xe1 && b == 0x9a && c == 0x80)
			return 3;
		if (a == 0xe2 && b == 0x80 && (c <= 0x8a || c == 0xa8 ||
		    c == 0xa9 || c == 0xaf))
			return 3;
		if (a == 0xe2 && b == 0x81 && c == 0x9f)
			return 3;
		if (a == 0xe3 && b == 0x80 && c == 0x80)
			return 3;
	}
	return 0;
}

/* Length of a Unicode White_Space character starting at p, or 0. */
static size_t
ws_head(const char *p, size_t len)
{
	const unsigned char *s = (const unsigned char *)p;
	unsigned char c;

	if (len == 0)
		return 0;
	c = s[0];
	if (c == ' ' || (c >= '\t' && c <= '\r'))
		return 1;
	if (c < 0x80)
		return 0;
	if (len >= 2 && c == 0xc2 && (s[1] == 0x85 || s[1] == 0xa0))
		return 2;
	if (len >= 3) {
		unsigned b = s[1], d = s[2];
		if (c == 0xe1 && b == 0x9a && d == 0x80)
			return 3;
		if (c == 0xe2 && b == 0x80 && (d <= 0x8a || d == 0xa8 ||
		    d == 0xa9 || d == 0xaf))
			return 3;
		if (c == 0xe2 && b == 0x81 && d == 0x9f)
			return 3;
		if (c == 0xe3 && b == 0x80 && d == 0x80)
			return 3;
	}
	return 0;
}

void
base_trim_end(const char *p, size_t *len)
{
	size_t n;

	while ((n = ws_tail(p, *len)) != 0)
		*len -= n;
}

void
base_trim_start(const char **p, size_t *len)
{
	size_t n;

	while ((n = ws_head(*p, *len)) != 0) {
		*p += n;
		*len -= n;
	}
}

void
base_trim(const char **p, size_t *len)
{
	base_trim_start(p, len);
	base_trim_end(*p, len);
}

const char *
base_rfind(const char *p, size_t len, const char *lit)
{
	size_t n = strlen(lit), i;

	if (len < n)
		return NULL;
	for (i = len - n + 1; i-- > 0;)
		if (memcmp(p + i, lit, n) == 0)
			return p + i;
	return NULL;
}


int
open_regular(const char *path, struct stat *sb)
{
	int fd, fl, e;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return -1;
	if (fstat(fd, sb) != 0) {
		e = errno;
		close(fd);
		errno = e;
		return -1;
	}
	if (!S_ISREG(sb->st_mode)) {
		close(fd);
		return FG_OPEN_SPECIAL;
	}
	if ((fl = fcntl(fd, F_GETFL)) != -1)
		(void)fcntl(fd, F_SETFL, fl & ~O_NONBLOCK);
	return fd;
}

const char *
file_kind(unsigned mode)
{
	if (S_ISDIR(mode))
		return "a directory";
	if (S_ISFIFO(mode))
		return "a FIFO";
	if (S_ISCHR(mode))
		return "a character device";
	if (S_ISBLK(mode))
		return "a block device";
	if (S_ISSOCK(mode))
		return "a socket";
	if (S_ISREG(mode))
		return "a regular file";
	return "not a regular file";
}

int
base_mkdirs(char *dir)
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

int
put_file(const char *path, const void *const *part, const size_t *len,
    int n)
{
	char tmp[PATH_MAX + 8];
	int fd, ok, i;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp) ||
	    (fd = mkstemp(tmp)) < 0)
		return -1;
	for (i = 0, ok = 1; i < n && ok; i++)
		ok = write_all(fd, part[i], len[i]) == 0;
	if (close(fd) != 0)
		ok = 0;
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return -1;
	}
	return 0;
}

/* ---- stamps of cache files checked once ------------------------------ */

#define STAMP_MAGIC	"FGSTAMP1"
#define STAMP_N		8	/* words of what the stamp says */

struct stamp {
	char magic[8];
	uint64_t v[STAMP_N];
	uint64_t hash;		/* base_hash of magic and v */
};

static void
stamp_fill(struct stamp *t, const struct stat *sb, uint64_t sum)
{
	memset(t, 0, sizeof(*t));
	memcpy(t->magic, STAMP_MAGIC, 8);
	t->v[0] = (uint64_t)sb->st_dev;
	t->v[1] = (uint64_t)sb->st_ino;
	t->v[2] = (uint64_t)sb->st_size;
	t->v[3] = (uint64_t)sb->st_mtim.tv_sec;
	t->v[4] = (uint64_t)sb->st_mtim.tv_nsec;
	t->v[5] = (uint64_t)sb->st_ctim.tv_sec;
	t->v[6] = (uint64_t)sb->st_ctim.tv_nsec;
	t->v[7] = sum;
	t->hash = base_hash(t, offsetof(struct stamp, hash));
}

static int
stamp_path(char *buf, size_t len, const char *path)
{
	int r = snprintf(buf, len, "%s.ok", path);

	return r < 0 || (size_t)r >= len ? -1 : 0;
}

int
stamp_ok(const char *path, const struct stat *sb, uint64_t sum)
{
	struct stamp want, got;
	char sp[PATH_MAX];
	ssize_t r;
	int fd;

	if ((uint64_t)sb->st_size < STAMP_MIN ||
	    stamp_path(sp, sizeof(sp), path) != 0 ||
	    (fd = open(sp, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) < 0)
		return 0;
	r = read(fd, &got, sizeof(got));
	close(fd);
	stamp_fill(&want, sb, sum);
	return r == (ssize_t)sizeof(got) &&
	    memcmp(&got, &want, sizeof(got)) == 0;
}

void *
stamp_map(int fd, const char *path, const struct stat *sb, size_t hdr,
    uint64_t sum, int *stamped)
{
	size_t len = (size_t)sb->st_size;
	void *m;

	*stamped = stamp_ok(path, sb, sum);
	if (len < hdr)
		return NULL;
	if ((m = mmap(NULL, len, PROT_READ, MAP_PRIVATE |
	    (*stamped ? 0 : FG_MAP_WHOLE), fd, 0)) == MAP_FAILED)
		return NULL;
	if (!*stamped &&
	    base_checksum((const uint8_t *)m + hdr, len - hdr) != sum) {
		munmap(m, len);
		return NULL;
	}
	return m;
}

void
stamp_put(const char *path, const struct stat *sb, uint64_t sum)
{
	struct stamp t;
	struct timespec now;
	char sp[PATH_MAX];
	const void *part[1] = { &t };
	size_t len[1] = { sizeof(t) };

	if ((uint64_t)sb->st_size < STAMP_MIN ||
	    clock_gettime(CLOCK_REALTIME, &now) != 0 ||
	    now.tv_sec - sb->st_ctim.tv_sec < STAMP_SETTLE + 1 ||
	    stamp_path(sp, sizeof(sp), path) != 0)
		return;
	stamp_fill(&t, sb, sum);
	(void)put_file(sp, part, len, 1);
}
