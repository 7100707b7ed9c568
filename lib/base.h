/*
 * base.h: what every module of lib/ shares: error filling, a fast hash,
 * a growable byte buffer with a hard cap, and a bump arena for strings.
 * Nothing here prints or exits; allocation failures come back as
 * FG_ENOMEM.
 */
#ifndef FG_BASE_H
#define FG_BASE_H

#include <sys/mman.h>

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "flamegraph.h"

#if defined(__GNUC__) || defined(__clang__)
#define FG_PRINTF(a, b) __attribute__((format(printf, a, b)))
#define FG_LIKELY(x) __builtin_expect(!!(x), 1)
#define FG_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define FG_PRINTF(a, b)
#define FG_LIKELY(x) (x)
#define FG_UNLIKELY(x) (x)
#endif

/* a + b, or UINT64_MAX when that does not fit (sums of weights). */
static inline uint64_t
base_sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/*
 * Bit counts and a cache hint: the compilers' builtins where they have
 * them, plain C otherwise (the same results; base_ctz64 wants x != 0).
 */
#if defined(__GNUC__) || defined(__clang__)
#define FG_PREFETCH(p) __builtin_prefetch(p)
static inline unsigned
base_ctz64(uint64_t x)
{
	return (unsigned)__builtin_ctzll(x);
}
static inline unsigned
base_popcount64(uint64_t x)
{
	return (unsigned)__builtin_popcountll(x);
}
#else
#define FG_PREFETCH(p) ((void)(p))
static inline unsigned
base_ctz64(uint64_t x)
{
	unsigned n = 0;

	while (!(x & 1)) {
		x >>= 1;
		n++;
	}
	return n;
}
static inline unsigned
base_popcount64(uint64_t x)
{
	unsigned n = 0;

	for (; x != 0; x &= x - 1)
		n++;
	return n;
}
#endif

/*
 * Fill err (when non-NULL and still clear) with code and a printf-style
 * message; returns code so callers can write `return seterr(...)`.
 */
int seterr(struct fg_error *err, int code, const char *fmt, ...)
    FG_PRINTF(3, 4);
/* Same, with sys = errno value and ": strerror" appended. */
int seterr_sys(struct fg_error *err, int code, int sys,
    const char *fmt, ...) FG_PRINTF(4, 5);

/* Send a printf-style warning to w (nothing when w or w->fn is NULL). */
void warnf(const struct fg_warn *w, const char *fmt, ...) FG_PRINTF(2, 3);

/* 64-bit hash of len bytes; not cryptographic, stable across runs. */
uint64_t base_hash(const void *p, size_t len);

/*
 * 64-bit checksum of len bytes, for files kept between runs (the DWARF
 * cache): four lanes of 8-byte words, each step injective in the word,
 * so a changed word always changes its lane.  Not cryptographic; stable
 * across runs and builds (a change of it makes old files mismatch, which
 * only costs their rebuilding).
 */
uint64_t base_checksum(const void *p, size_t len);
/* base_checksum of part[0..n) one after the other, as of one file. */
uint64_t base_checksum_parts(const void *const *part, const size_t *len,
    size_t n);
/*
 * Cache files keep names as offsets into a block of NUL-terminated
 * strings (which itself ends with a NUL, checked once): whether off
 * starts one of them.
 */
static inline int
base_name_at(const char *blob, uint64_t blen, uint64_t off)
{
	return off < blen && (off == 0 || blob[off - 1] == '\0');
}

/* The same over pieces: init, update with each in order, final. */
struct fg_ck {
	uint64_t h[4];
	uint64_t len;
	unsigned char buf[32];
	size_t nbuf;
};
void ck_init(struct fg_ck *);
void ck_update(struct fg_ck *, const void *p, size_t n);
uint64_t ck_final(const struct fg_ck *);

/* Overflow-checked size arithmetic: 0 on success, -1 on overflow. */
static inline int
add_ovf(size_t a, size_t b, size_t *r)
{
	if (a > SIZE_MAX - b)
		return -1;
	*r = a + b;
	return 0;
}

/*
 * Whether path names something other than a regular file (a device such
 * as /dev/null, a FIFO): output goes to it as it is, never by a rename
 * over it, which would replace /dev/null with a file when run as root.
 */
int base_is_special(const char *path);

/*
 * Open path (a name read from a recording, a cache or the command line)
 * for reading without ever blocking: O_NONBLOCK while opening, so a FIFO
 * with no writer does not hang the run, then cleared.  Only a regular
 * file is kept.  The descriptor (close-on-exec) and its stat in *sb; -1
 * with errno set when it could not be opened; FG_OPEN_SPECIAL when it is
 * something else (*sb says what: file_kind()).
 */
#define FG_OPEN_SPECIAL (-2)
struct stat;
int open_regular(const char *path, struct stat *sb);

/* What a non-regular file is, for a message: "a directory", "a FIFO"... */
const char *file_kind(unsigned mode);

/* The value of hex digit c, or -1. */
static inline int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Whether p[0..len) starts (ends) with the NUL-terminated lit. */
static inline int
base_starts(const char *p, size_t len, const char *lit)
{
	size_t n = strlen(lit);

	return len >= n && memcmp(p, lit, n) == 0;
}

static inline int
base_ends(const char *p, size_t len, const char *lit)
{
	size_t n = strlen(lit);

	return len >= n && memcmp(p + len - n, lit, n) == 0;
}

/*
 * Unicode White_Space (ASCII and UTF-8) trimmed from the end of p (its
 * length updated), from its start (both updated), from both.
 */
void base_trim_end(const char *p, size_t *len);
void base_trim_start(const char **p, size_t *len);
void base_trim(const char **p, size_t *len);
/* The last lit in p[0..len), or NULL. */
const char *base_rfind(const char *p, size_t len, const char *lit);

/*
 * Growable buffer.  cap_max bounds what untrusted input can make it grow
 * to (0: no bound beyond SIZE_MAX / 2).  d is NUL-terminated after every
 * append (the NUL is not counted in len).
 */
struct fg_buf {
	char *d;
	size_t len;
	size_t cap;
	size_t cap_max;
};

void buf_init(struct fg_buf *b, size_t cap_max);
void buf_free(struct fg_buf *b);
static inline void buf_reset(struct fg_buf *b) { b->len = 0; if (b->d) b->d[0] = '\0'; }
/* Make room for n more bytes: 0, FG_ENOMEM, or FG_ELIMIT past cap_max. */
int buf_reserve(struct fg_buf *b, size_t n);
int buf_append(struct fg_buf *b, const void *p, size_t n);
int buf_putc(struct fg_buf *b, char c);
int buf_printf(struct fg_buf *b, const char *fmt, ...) FG_PRINTF(2, 3);

/*
 * An array of *cap elements of elsize bytes made to hold need: doubled
 * (from first when empty) until it does.  The array (p itself when it
 * already holds need), *cap updated; NULL when out of memory, with p and
 * *cap as they were.  Every array of lib/ grows through it.  Arrays kept
 * in step (one count, one capacity) each grow from a copy of the
 * capacity: the same need and first make the same new capacity.  Inline
 * where the room is already there; grow_slow() does the growing.
 */
void *grow_slow(void *p, size_t *cap, size_t need, size_t elsize,
    size_t first);
static inline void *
base_grow(void *p, size_t *cap, size_t need, size_t elsize, size_t first)
{
	if (FG_LIKELY(need <= *cap))
		return p;
	return grow_slow(p, cap, need, elsize, first);
}

/*
 * Bump arena: many small allocations freed at once.  Blocks grow
 * geometrically; an allocation larger than a block gets its own block.
 */
struct fg_arena_block;
struct fg_arena {
	struct fg_arena_block *head;
	char *cur;
	size_t left;
	size_t next_size;
	size_t used;		/* bytes handed out, for accounting */
};

/*
 * calloc() for tables that are probed (read) before they are written:
 * the pages are written now, so none is first mapped as the shared zero
 * page and then copied on its first write (a second fault, and a TLB
 * flush that interrupts the process's other threads).
 */
void *base_zalloc(size_t n, size_t size);

void arena_init(struct fg_arena *a);
void arena_free(struct fg_arena *a);
/* n bytes aligned to 8, or NULL when out of memory. */
void *arena_alloc(struct fg_arena *a, size_t n);
/* Copy of p[0..n) plus a NUL, or NULL. */
char *arena_strndup(struct fg_arena *a, const char *p, size_t n);

/*
 * Stable merge sort of n elements of size bytes with a context pointer
 * for the comparison (qsort_r is not C11, and qsort is not stable).
 * 0, or FG_ENOMEM when the scratch buffer cannot be had (base is then
 * unchanged).
 */
typedef int fg_cmp_fn(const void *a, const void *b, void *ctx);
int base_sort(void *base, size_t n, size_t size, fg_cmp_fn *cmp, void *ctx);

/*
 * mmap flag for a file read whole right after it is mapped (checksummed
 * caches): its pages mapped in one go instead of a fault per few pages.
 * Linux only; elsewhere nothing.
 */
#ifdef MAP_POPULATE
#define FG_MAP_WHOLE MAP_POPULATE
#else
#define FG_MAP_WHOLE 0
#endif

/*
 * Cache files.  base_mkdirs: mkdir -p of dir (modified while it runs, then
 * restored), parents made 0755 less the umask: 0/-1.  put_file: the
 * file path from n pieces, whole or not at all (a temporary file beside
 * it renamed into place): 0/-1.
 */
int base_mkdirs(char *dir);
int put_file(const char *path, const void *const *part, const size_t *len,
    int n);

/*
 * Cache files checked once.  A cache file of STAMP_MIN bytes or more
 * whose checksum was computed over all of it and found to be the one it
 * states (sum) need not be checked again while it is the same file,
 * unchanged: stamp_put() (after stamp_ok() said no) leaves a stamp
 * beside it (PATH.ok) of what says so (device, inode, size, modification and change times to the
 * nanosecond, sum), stamp_ok() is 1 when sb (the file's fstat) and sum
 * are what a stamp there holds.  Any write to the file changes its
 * times, a file renamed or copied over it has another inode; the change
 * time cannot be set back from user space.  A stamp is written only
 * when the file's last change is STAMP_SETTLE seconds old, so that a
 * write within the clock tick of the one that was checked cannot hide
 * behind an equal time (git's "racily clean" entries); a damaged stamp
 * fails its own hash and is ignored.  Failures only mean no stamp.
 */
#define STAMP_MIN	((uint64_t)512 << 10)
#define STAMP_SETTLE	2
int stamp_ok(const char *path, const struct stat *sb, uint64_t sum);
void stamp_put(const char *path, const struct stat *sb, uint64_t sum);
/*
 * A cache file open on fd (sb: its fstat, path: its name, sum: the
 * checksum its header states of all past its first hdr bytes) mapped
 * read-only, whole: NULL when it cannot be, or its sum is wrong.  With
 * a stamp (*stamped = 1) it is neither read nor checked here; else it is
 * mapped populated and its sum checked, and the caller checks the rest
 * of what it must (counts, offsets) before stamp_put().
 */
void *stamp_map(int fd, const char *path, const struct stat *sb,
    size_t hdr, uint64_t sum, int *stamped);

#endif /* FG_BASE_H */
