/*
 * test_perfdata.c: unit tests of the perf.data reader on recordings built
 * in memory (no perf needed): samples whose callchains point into this
 * program's own functions, mapped with MMAP2 as perf would; time order
 * across a FINISHED_ROUND; the same records zstd-compressed; an unknown
 * record type, a callchain longer than its record and a record shorter
 * than its header; the progress callback; a file loaded ahead on the
 * helper thread, its warning on the caller's; symbol lookups deferred
 * past the walk against the walk doing them (frames and the order of
 * warnings); and the demangler on C++, Rust legacy and v0 names.
 */
#include <link.h>
#include <pthread.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zstd.h>

#include "demangle.h"
#include "flamegraph.h"
#include "check.h"

/* ---- the program's own functions, the frames of the samples ---------- */

__attribute__((noinline)) static int
fg_test_leaf(int x)
{
	return x * 3 + 1;
}

__attribute__((noinline)) static int
fg_test_mid(int x)
{
	return fg_test_leaf(x) + 2;
}

/* ---- building a recording -------------------------------------------- */

struct rec {
	unsigned char *d;
	size_t len, cap;
};

static void
put(struct rec *r, const void *p, size_t n)
{
	if (r->len + n > r->cap) {
		r->cap = (r->len + n) * 2 + 1024;
		r->d = realloc(r->d, r->cap);
		if (r->d == NULL)
			abort();
	}
	memcpy(r->d + r->len, p, n);
	r->len += n;
}

static void
put64(struct rec *r, uint64_t v)
{
	put(r, &v, 8);
}

static void
put32(struct rec *r, uint32_t v)
{
	put(r, &v, 4);
}

static void
hdr(struct rec *r, uint32_t type, uint16_t misc, size_t size)
{
	uint16_t sz = (uint16_t)size;

	put32(r, type);
	put(r, &misc, 2);
	put(r, &sz, 2);
}

/* A NUL-terminated string padded to 8 bytes. */
static size_t
strsize(const char *s)
{
	return (strlen(s) + 1 + 7) & ~(size_t)7;
}

static void
putstr(struct rec *r, const char *s)
{
	size_t n = strsize(s), l = strlen(s);
	char pad[8] = {0};

	put(r, s, l);
	put(r, pad, n - l);
}

#define PID 4242
#define TID 4243

/* the process the records name (test_defer names its own, for its JIT map) */
static uint32_t rpid = PID, rtid = TID;

static void
trailer(struct rec *r, uint64_t time)
{
	put32(r, rpid);
	put32(r, rtid);
	put64(r, time);
}

static void
comm(struct rec *r, const char *name, uint64_t time)
{
	hdr(r, 3, 0, 8 + 8 + strsize(name) + 16);
	put32(r, rpid);
	put32(r, rtid);
	putstr(r, name);
	trailer(r, time);
}

static void
mmap2(struct rec *r, uint64_t start, uint64_t len, uint64_t pgoff,
    const char *path, uint64_t time)
{
	hdr(r, 10, 2, 8 + 8 + 24 + 24 + 8 + strsize(path) + 16);
	put32(r, rpid);
	put32(r, rtid);
	put64(r, start);
	put64(r, len);
	put64(r, pgoff);
	put64(r, 0);
	put64(r, 0);
	put64(r, 0);
	put32(r, 5);		/* PROT_READ | PROT_EXEC */
	put32(r, 2);
	putstr(r, path);
	trailer(r, time);
}

/* ip, tid, time, period, callchain of n entries (nr_claimed in the count) */
static void
sample(struct rec *r, const uint64_t *chain, size_t n, uint64_t nr_claimed,
    uint64_t time, uint64_t period)
{
	size_t i;

	hdr(r, 9, 2, 8 + 8 * 4 + 8 + 8 * n);
	put64(r, chain[1]);
	put32(r, rpid);
	put32(r, rtid);
	put64(r, time);
	put64(r, period);
	put64(r, nr_claimed);
	for (i = 0; i < n; i++)
		put64(r, chain[i]);
}

struct self {
	char path[PATH_MAX];
	uint64_t start[8], len[8], pgoff[8];
	int n;
};

static int
phdr_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct self *s = arg;
	int i;

	(void)size;
	for (i = 0; i < info->dlpi_phnum && s->n < 8; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		uint64_t va = info->dlpi_addr + ph->p_vaddr;
		if (ph->p_type != PT_LOAD || !(ph->p_flags & PF_X))
			continue;
		s->start[s->n] = va & ~(uint64_t)4095;
		s->len[s->n] = ph->p_memsz + (va & 4095);
		s->pgoff[s->n] = ph->p_offset & ~(uint64_t)4095;
		s->n++;
	}
	return 1;	/* the main program only */
}

/*
 * A sample with a user stack copy (PERF_SAMPLE_STACK_USER after the
 * callchain) of ssz bytes, dyn of them valid, for recording_st() with
 * ST_STACK.
 */
#define ST_BASE (1 | 2 | 4 | 32 | 256)	/* IP TID TIME CALLCHAIN PERIOD */
#define ST_STACK (ST_BASE | 1 << 13)

static void
sample_stack(struct rec *r, const uint64_t *chain, size_t n, uint64_t time,
    size_t ssz, uint64_t dyn)
{
	size_t i;

	hdr(r, 9, 2, 8 + 8 * 4 + 8 + 8 * n + 8 + ssz + (ssz ? 8 : 0));
	put64(r, chain[1]);
	put32(r, rpid);
	put32(r, rtid);
	put64(r, time);
	put64(r, 1);
	put64(r, n);
	for (i = 0; i < n; i++)
		put64(r, chain[i]);
	put64(r, ssz);
	for (i = 0; i < ssz / 8; i++)
		put64(r, i * 0x0101010101010101ULL);
	if (ssz != 0)
		put64(r, dyn);
}

static struct rec recording_st(const struct rec *, uint64_t);

/* The file: header, one attribute (id 1), the data records. */
static struct rec
recording(const struct rec *data)
{
	return recording_st(data, ST_BASE);
}

static struct rec
recording_st(const struct rec *data, uint64_t st)
{
	struct rec f = {0};
	uint64_t zero[8] = {0};
	size_t data_off = 104 + 80 + 8;

	put(&f, "PERFILE2", 8);
	put64(&f, 104);
	put64(&f, 80);			/* attr_size: 64-byte attr + ids */
	put64(&f, 104);			/* attrs */
	put64(&f, 80);
	put64(&f, data_off);		/* data */
	put64(&f, data->len);
	put64(&f, 0);			/* event types */
	put64(&f, 0);
	put(&f, zero, 32);		/* no feature sections */
	/* perf_event_attr, PERF_ATTR_SIZE_VER0 */
	put32(&f, 1);			/* PERF_TYPE_SOFTWARE */
	put32(&f, 64);
	put64(&f, 0);			/* cpu-clock */
	put64(&f, 4000);
	put64(&f, st);
	put64(&f, 0);
	put64(&f, 1ULL << 18);		/* sample_id_all */
	put(&f, zero, 16);		/* wakeup .. config2: 64 bytes */
	put64(&f, 104 + 80);		/* ids */
	put64(&f, 8);
	put64(&f, 1);
	put(&f, data->d, data->len);
	return f;
}

struct warns {
	int n;
	char last[512];
};

static void
on_warn(void *arg, const char *msg)
{
	struct warns *w = arg;

	w->n++;
	snprintf(w->last, sizeof(w->last), "%s", msg);
}

/* f written to a temporary file: its path in path (unlink it). */
static void
write_temp(const struct rec *f, char *path)
{
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	CHECK(write(fd, f->d, f->len) == (ssize_t)f->len);
	close(fd);
}

/*
 * Read f from memory, or (as_file) written to a file; 0 and the folded
 * text in *out, or the error code.
 */
static int
fold_via(const struct rec *f, int no_inline, int as_file, char **out,
    struct warns *w, struct fg_error *err)
{
	struct fg_perfdata_opts o;
	struct fg_stacks *st = fg_stacks_new();
	char path[] = "/tmp/fg-test-perfdata-XXXXXX";
	size_t len = 0;
	FILE *fp;
	int r;

	fg_perfdata_opts_init(&o);
	o.naming.no_inline = no_inline;
	o.buildid_dir = "";
	o.warn.fn = on_warn;
	o.warn.arg = w;
	fg_error_clear(err);
	*out = NULL;
	if (as_file) {
		write_temp(f, path);
		r = fg_perfdata_read_file(path, &o, st, err);
		unlink(path);
	} else
		r = fg_perfdata_read_mem(f->d, f->len, "mem.data", &o, st,
		    err);
	if (r == 0) {
		fp = open_memstream(out, &len);
		CHECK(fg_stacks_write_folded(st, fp, err) == 0);
		fclose(fp);
	}
	fg_stacks_free(st);
	return r;
}

static int
fold(const struct rec *f, int no_inline, char **out, struct warns *w,
    struct fg_error *err)
{
	return fold_via(f, no_inline, 0, out, w, err);
}

static void
lost(struct rec *r, uint64_t n, uint64_t time)
{
	hdr(r, 2, 0, 8 + 16 + 16);		/* LOST: id, lost */
	put64(r, 1);
	put64(r, n);
	trailer(r, time);
}

static void
lost_samples(struct rec *r, uint16_t misc, uint64_t n, uint64_t time)
{
	hdr(r, 13, misc, 8 + 8 + 16);		/* LOST_SAMPLES: lost */
	put64(r, n);
	trailer(r, time);
}

/*
 * Lost samples counted as perf report counts them (issue 13: they were
 * twice perf's count): perf record writes LOST_SAMPLES at the end for
 * the losses its LOST records announced, so only those are counted, not
 * the ones a BPF filter dropped; without LOST_SAMPLES (an older perf),
 * the LOST records' sum, as events.
 */
static void
test_lost(void)
{
	struct rec data = {0}, old = {0}, f;
	struct warns w = {0};
	struct fg_error err;
	uint64_t chain[2] = { (uint64_t)-512, 0x10 };
	char *out;

	comm(&data, "fg test", 100);
	sample(&data, chain, 2, 2, 200, 1);
	lost(&data, 30, 210);
	lost(&data, 12, 220);
	sample(&data, chain, 2, 2, 300, 1);
	lost_samples(&data, 0, 42, 400);
	lost_samples(&data, 1u << 15, 1000, 400);	/* BPF: not lost */
	f = recording(&data);
	CHECK(fold(&f, 1, &out, &w, &err) == 0);
	CHECK(w.n == 1 && strcmp(w.last, "mem.data: 42 samples lost") == 0);
	if (w.n != 1 || strcmp(w.last, "mem.data: 42 samples lost") != 0)
		fprintf(stderr, "lost: %d warnings, last %s\n", w.n, w.last);
	free(out);
	free(f.d);

	comm(&old, "fg test", 100);
	sample(&old, chain, 2, 2, 200, 1);
	lost(&old, 30, 210);
	lost(&old, 12, 220);
	f = recording(&old);
	w.n = 0;
	CHECK(fold(&f, 1, &out, &w, &err) == 0);
	CHECK(w.n == 1 && strcmp(w.last, "mem.data: 42 events lost in 2 "
	    "chunks (the ring buffer was full)") == 0);
	if (w.n != 1)
		fprintf(stderr, "lost (old perf): %d warnings, last %s\n",
		    w.n, w.last);
	free(out);
	free(f.d);
	free(data.d);
	free(old.d);
}

/*
 * A recording whose perf was killed before it finished its header (issue
 * 13): data size 0, feature sections never written.  Read to the end,
 * as before, but no longer without a word.
 */
static void
test_unfinished(void)
{
	struct rec data = {0}, f;
	struct warns w = {0};
	struct fg_error err;
	uint64_t chain[2] = { (uint64_t)-512, 0x10 }, zero = 0, bit = 1 << 2;
	char *out, *want = NULL;

	comm(&data, "fg test", 100);
	sample(&data, chain, 2, 2, 200, 3);
	sample(&data, chain, 2, 2, 300, 4);
	f = recording(&data);
	CHECK(fold(&f, 1, &want, &w, &err) == 0 && w.n == 0);
	memcpy(f.d + 48, &zero, 8);		/* data size 0 */
	CHECK(fold(&f, 1, &out, &w, &err) == 0);
	CHECK(out != NULL && want != NULL && strcmp(out, want) == 0);
	CHECK(w.n == 1 && strstr(w.last, "mem.data: the recording was not "
	    "finished (perf was killed?): its header at 0x30 gives no data "
	    "size") != NULL);
	if (w.n != 1)
		fprintf(stderr, "unfinished: %d warnings, last %s\n", w.n,
		    w.last);
	free(out);
	free(f.d);

	/* the data size written, the feature sections not (or cut) */
	f = recording(&data);
	memcpy(f.d + 72, &bit, 8);		/* HEADER_BUILD_ID */
	w.n = 0;
	CHECK(fold(&f, 1, &out, &w, &err) == 0);
	CHECK(out != NULL && want != NULL && strcmp(out, want) == 0);
	CHECK(w.n == 1 && strstr(w.last, "the recording was not finished "
	    "(perf was killed?): its feature section table at ") != NULL);
	free(out);
	free(f.d);
	free(want);
	free(data.d);
}

static void
test_reader(void)
{
	struct self self = {0};
	struct rec data = {0}, bad = {0}, z = {0}, f;
	struct warns w = {0};
	struct fg_error err;
	uint64_t chain[4], longchain[3];
	char *out;
	ssize_t n;
	int i;

	CHECK(fg_test_mid(1) == 6);
	n = readlink("/proc/self/exe", self.path, sizeof(self.path) - 1);
	CHECK(n > 0);
	self.path[n > 0 ? n : 0] = '\0';
	dl_iterate_phdr(phdr_cb, &self);
	CHECK(self.n > 0);

	/* leaf in fg_test_leaf, return address inside fg_test_mid */
	chain[0] = (uint64_t)-512;		/* PERF_CONTEXT_USER */
	chain[1] = (uint64_t)(uintptr_t)fg_test_leaf + 1;
	chain[2] = (uint64_t)(uintptr_t)fg_test_mid + 4;
	chain[3] = 0x10;			/* no map there */

	/* the sample comes first in the file, its map and name later:
	   time order puts them first */
	sample(&data, chain, 4, 4, 300, 7);
	hdr(&data, 68, 0, 8);			/* FINISHED_ROUND */
	comm(&data, "fg test", 100);
	for (i = 0; i < self.n; i++)
		mmap2(&data, self.start[i], self.len[i], self.pgoff[i],
		    self.path, 110);
	sample(&data, chain, 4, 4, 400, 5);
	hdr(&data, 68, 0, 8);

	f = recording(&data);
	CHECK(fold(&f, 1, &out, &w, &err) == 0);
	if (out != NULL) {
		CHECK(strcmp(out, "fg_test;[unknown];fg_test_mid;fg_test_leaf 12\n") == 0);
		if (strcmp(out, "fg_test;[unknown];fg_test_mid;fg_test_leaf 12\n") != 0)
			fprintf(stderr, "got: %s", out);
	}
	free(out);
	CHECK(w.n == 0);
	free(f.d);

	/* the same records inside a zstd COMPRESSED record */
	{
		size_t cap = ZSTD_compressBound(data.len), cl;
		unsigned char *c = malloc(cap);
		cl = ZSTD_compress(c, cap, data.d, data.len, 3);
		CHECK(!ZSTD_isError(cl));
		/* perf 6.1: the record is as long as its data, unpadded,
		   so the next record is not 8-byte aligned */
		hdr(&z, 81, 0, 8 + cl);
		put(&z, c, cl);
		sample(&z, chain, 4, 4, 500, 5);
		/* perf 6.13's COMPRESSED2: size, data, padding */
		hdr(&z, 83, 0, 16 + ((cl + 7) & ~(size_t)7));
		put64(&z, cl);
		put(&z, c, cl);
		{
			char pad[8] = {0};
			put(&z, pad, ((cl + 7) & ~(size_t)7) - cl);
		}
		free(c);
		f = recording(&z);
		w.n = 0;
		CHECK(fold(&f, 1, &out, &w, &err) == 0);
		CHECK(out != NULL && strcmp(out,
		    "fg_test;[unknown];fg_test_mid;fg_test_leaf 29\n") == 0);
		if (out != NULL && strcmp(out,
		    "fg_test;[unknown];fg_test_mid;fg_test_leaf 29\n") != 0)
			fprintf(stderr, "compressed: got %s (%s)", out, w.last);
		CHECK(w.n == 0);
		free(out);
		free(f.d);
	}

	/*
	 * A block that inflates to many times its size, so the output buffer
	 * grows while decoding (6,000 samples of weight 7).
	 */
	{
		struct rec big = {0}, zb = {0};
		size_t cap, cl;
		unsigned char *c;

		comm(&big, "fg test", 100);
		for (i = 0; i < self.n; i++)
			mmap2(&big, self.start[i], self.len[i], self.pgoff[i],
			    self.path, 110);
		for (i = 0; i < 6000; i++) {
			/* poorly compressible: random roots (no map there) */
			uint64_t c2[4] = { chain[0], chain[1], chain[2],
			    0x10 + ((uint64_t)i * 2654435761u % 65521) };
			sample(&big, c2, 4, 4, 300 + (uint64_t)i, 7);
		}
		cap = ZSTD_compressBound(big.len);
		c = malloc(cap);
		cl = ZSTD_compress(c, cap, big.d, big.len, 3);
		CHECK(!ZSTD_isError(cl) && cl + 8 < 65536);
		hdr(&zb, 81, 0, 8 + cl);
		put(&zb, c, cl);
		free(c);
		f = recording(&zb);
		w.n = 0;
		CHECK(fold(&f, 1, &out, &w, &err) == 0);
		CHECK(out != NULL && strcmp(out,
		    "fg_test;[unknown];fg_test_mid;fg_test_leaf 42000\n") == 0);
		CHECK(w.n == 0);
		free(out);
		free(f.d);
		free(big.d);
		free(zb.d);
	}

	/* an unknown type and a callchain longer than its record: skipped */
	put(&bad, data.d, data.len);
	hdr(&bad, 50, 0, 16);
	put64(&bad, 0);
	longchain[0] = (uint64_t)-512;
	longchain[1] = chain[1];
	longchain[2] = chain[2];
	sample(&bad, longchain, 3, 1000, 500, 1);
	f = recording(&bad);
	w.n = 0;
	CHECK(fold(&f, 1, &out, &w, &err) == 0);
	CHECK(out != NULL && strcmp(out,
	    "fg_test;[unknown];fg_test_mid;fg_test_leaf 12\n") == 0);
	CHECK(w.n == 2);
	CHECK(strstr(w.last, "callchain of 1000 entries") != NULL);
	CHECK(strstr(w.last, "record at 0x") != NULL);
	free(out);
	free(f.d);

	/* a record shorter than its header: an error naming its offset */
	hdr(&bad, 9, 0, 4);
	f = recording(&bad);
	CHECK(fold(&f, 1, &out, &w, &err) == FG_EPARSE);
	{
		char want[64];
		snprintf(want, sizeof(want), "record at 0x%zx: size 4",
		    104 + 80 + 8 + bad.len - 8);
		CHECK(strstr(err.msg, want) != NULL);
		if (strstr(err.msg, want) == NULL)
			fprintf(stderr, "got: %s (want %s)\n", err.msg, want);
	}
	free(f.d);

	/* not a recording at all; a truncated header */
	f.d = (unsigned char *)"hello";
	f.len = 5;
	CHECK(fold(&f, 1, &out, &w, &err) == FG_EPARSE);
	CHECK(strstr(err.msg, "0x0") != NULL);
	f = recording(&data);
	f.len = 60;
	CHECK(fold(&f, 1, &out, &w, &err) == FG_EPARSE);
	free(f.d);

	free(data.d);
	free(bad.d);
	free(z.d);
}

static void
test_demangle(void)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
		{ "_RNvNvMs0_NtNtNtCsjrHSEGnQ3l9_3std3sys6thread4unixNtB7_6Thread3new12thread_start",
		  "<std::sys::thread::unix::Thread>::new::thread_start" },
		{ "_ZN4core3ops8function6FnOnce40call_once$u7b$$u7b$vtable.shim$u7d$$u7d$17h2a16f77655f68176E",
		  "core::ops::function::FnOnce::call_once{{vtable.shim}}" },
		{ "_ZNSt6vectorIiSaIiEE9push_backERKi",
		  "std::vector<int, std::allocator<int> >::push_back" },
		{ "_ZN6fpwork9hash_work17h0123456789abcdefE", "fpwork::hash_work" },
	};
	size_t i;
	char *d;

	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		d = dm_demangle(cases[i].in);
		CHECK(d != NULL && strcmp(d, cases[i].out) == 0);
		if (d != NULL && strcmp(d, cases[i].out) != 0)
			fprintf(stderr, "demangle %s: got %s\n", cases[i].in, d);
		free(d);
	}
	CHECK(dm_demangle("main") == NULL);
	CHECK(dm_demangle("_start") == NULL);
	CHECK(dm_demangle(NULL) == NULL);
}

/* ---- loading ahead: a build id with a debug file on this machine ----- */

struct bidfind {
	const char *want;
	unsigned char id[20];
	int found;
};

static int
bid_cb(struct dl_phdr_info *info, size_t size, void *arg)
{
	struct bidfind *b = arg;
	int i;

	(void)size;
	if (info->dlpi_name == NULL || strstr(info->dlpi_name, b->want) == NULL)
		return 0;
	for (i = 0; i < info->dlpi_phnum; i++) {
		const ElfW(Phdr) *ph = &info->dlpi_phdr[i];
		const unsigned char *p, *end;

		if (ph->p_type != PT_NOTE)
			continue;
		p = (const unsigned char *)(info->dlpi_addr + ph->p_vaddr);
		end = p + ph->p_memsz;
		while (p + 12 <= end) {
			uint32_t nsz, dsz, type;
			memcpy(&nsz, p, 4);
			memcpy(&dsz, p + 4, 4);
			memcpy(&type, p + 8, 4);
			p += 12;
			if (type == 3 && nsz == 4 && dsz == 20 &&
			    memcmp(p, "GNU", 4) == 0) {
				memcpy(b->id, p + 4, 20);
				b->found = 1;
				return 1;
			}
			p += ((nsz + 3) & ~3u) + ((dsz + 3) & ~3u);
		}
	}
	return 0;
}

static pthread_t main_thread;
static int warn_elsewhere;

static void
on_warn_thread(void *arg, const char *msg)
{
	if (!pthread_equal(pthread_self(), main_thread))
		warn_elsewhere++;
	on_warn(arg, msg);
}

/*
 * A recording whose build ids name libc's build id (its debug file is on
 * this machine when libc6-dbg is installed) for a file that does not
 * exist: the helper thread loads it ahead and meets the warning, which
 * must come out on the main thread, and the frame as without the helper.
 */
static void
test_prefetch(void)
{
	struct bidfind b = { "libc.so.6", {0}, 0 };
	struct rec data = {0}, f = {0}, feat = {0};
	struct fg_perfdata_opts o;
	struct fg_error err;
	struct fg_stacks *st;
	struct warns w = {0};
	const char *path = "/nonexistent/fg-test/libc.so.6";
	char dbg[256], *out = NULL;
	uint64_t chain[2];
	size_t len = 0, k, data_off = 104 + 80 + 8;
	uint64_t bits[4] = { 1u << 2, 0, 0, 0 };	/* HEADER_BUILD_ID */
	unsigned char zero[8] = {0};
	FILE *fp;
	int i;

	main_thread = pthread_self();
	dl_iterate_phdr(bid_cb, &b);
	if (!b.found) {
		printf("test_prefetch: no build id of libc.so.6: skipped\n");
		return;
	}
	k = (size_t)snprintf(dbg, sizeof(dbg), "/usr/lib/debug/.build-id/%02x/",
	    b.id[0]);
	for (i = 1; i < 20; i++)
		k += (size_t)snprintf(dbg + k, sizeof(dbg) - k, "%02x", b.id[i]);
	snprintf(dbg + k, sizeof(dbg) - k, ".debug");
	if (access(dbg, R_OK) != 0)
		printf("test_prefetch: no %s: the main thread loads it\n", dbg);

	comm(&data, "fg test", 100);
	mmap2(&data, 0x7000000000ULL, 0x200000, 0, path, 110);
	chain[0] = (uint64_t)-512;
	chain[1] = 0x7000001000ULL;
	sample(&data, chain, 2, 2, 300, 3);
	hdr(&data, 68, 0, 8);

	/* HEADER_BUILD_ID: pid, 20-byte id padded to 24, file name */
	hdr(&feat, 67, 0, 36 + strsize(path));
	put32(&feat, (uint32_t)-1);
	put(&feat, b.id, 20);
	put(&feat, zero, 4);
	putstr(&feat, path);

	f = recording(&data);
	memcpy(f.d + 72, bits, sizeof(bits));	/* the features bitmap */
	CHECK(f.len == data_off + data.len);
	put64(&f, f.len + 16);			/* its section */
	put64(&f, feat.len);
	put(&f, feat.d, feat.len);

	fg_perfdata_opts_init(&o);
	o.buildid_dir = "";
	o.warn.fn = on_warn_thread;
	o.warn.arg = &w;
	st = fg_stacks_new();
	CHECK(fg_perfdata_read_mem(f.d, f.len, "mem.data", &o, st, &err) == 0);
	fp = open_memstream(&out, &len);
	CHECK(fg_stacks_write_folded(st, fp, &err) == 0);
	fclose(fp);
	CHECK(out != NULL && strcmp(out, "fg_test;[libc.so.6] 3\n") == 0);
	if (out != NULL && strcmp(out, "fg_test;[libc.so.6] 3\n") != 0)
		fprintf(stderr, "prefetch: got %s", out);
	CHECK(w.n == 1);
	CHECK(strstr(w.last, path) != NULL &&
	    strstr(w.last, "cannot read ELF file") != NULL);
	CHECK(warn_elsewhere == 0);
	free(out);
	fg_stacks_free(st);
	free(f.d);
	free(feat.d);
	free(data.d);
}

struct prog {
	int n;
	int bad;
	uint64_t last, total;
};

static void
on_progress(void *arg, uint64_t done, uint64_t total)
{
	struct prog *p = arg;

	if ((p->n == 0 && done != 0) || (p->n > 0 && (done < p->last ||
	    total != p->total)) || done > total)
		p->bad++;
	p->n++;
	p->last = done;
	p->total = total;
}

/* The progress callback: 0 first, never down, the total last, rate-bound. */
static void
test_progress(void)
{
	struct rec data = {0}, f;
	struct fg_perfdata_opts o;
	struct fg_error err;
	struct fg_stacks *st;
	struct prog p = {0};
	struct timespec t0, t1;
	uint64_t chain[3], ms;
	int i;

	chain[0] = (uint64_t)-512;		/* PERF_CONTEXT_USER */
	chain[1] = 0x1000;
	chain[2] = 0x2000;
	comm(&data, "prog", 1);
	for (i = 0; i < 20000; i++) {
		sample(&data, chain, 3, 3, 10 + (uint64_t)i, 1);
		if (i % 1000 == 999)
			hdr(&data, 68, 0, 8);	/* FINISHED_ROUND */
	}
	f = recording(&data);
	fg_perfdata_opts_init(&o);
	o.buildid_dir = "";
	o.progress = on_progress;
	o.progress_arg = &p;
	st = fg_stacks_new();
	clock_gettime(CLOCK_MONOTONIC, &t0);
	CHECK(fg_perfdata_read_mem(f.d, f.len, "mem.data", &o, st, &err) == 0);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (uint64_t)(t1.tv_sec - t0.tv_sec) * 1000 +
	    (uint64_t)(t1.tv_nsec / 1000000) - (uint64_t)(t0.tv_nsec / 1000000);
	CHECK(p.n >= 2);
	CHECK(p.bad == 0);
	CHECK(p.total == data.len);
	CHECK(p.last == p.total);
	CHECK((uint64_t)p.n <= 2 + ms / 100 + 1);
	fg_stacks_free(st);
	free(f.d);
	free(data.d);

	/* no callback: nothing changes */
	fg_perfdata_opts_init(&o);
	CHECK(o.progress == NULL && o.progress_arg == NULL);
}

/* fg_perfdata_read_file() on f written to a file, as fold() reads it. */
static int
fold_file(const struct rec *f, char **out, struct warns *w,
    struct fg_error *err)
{
	return fold_via(f, 1, 1, out, w, err);
}

/*
 * The file reader (small records through the mapping, then from the
 * first big sample on pread, big samples read in parts, on a thread)
 * gives what the memory reader gives: records of every size, out of
 * time order across rounds, more of them than the reader's ring holds,
 * and the file cut inside a small or a big sample.
 */
static void
test_file(void)
{
	struct self self = {0};
	struct rec data = {0}, f;
	struct warns wm = {0}, wf = {0};
	struct fg_error err;
	uint64_t chain[3];
	char *om, *of;
	size_t cut = 0, first = 0;
	ssize_t n;
	int i;

	n = readlink("/proc/self/exe", self.path, sizeof(self.path) - 1);
	CHECK(n > 0);
	self.path[n > 0 ? n : 0] = '\0';
	dl_iterate_phdr(phdr_cb, &self);
	chain[0] = (uint64_t)-512;
	chain[1] = (uint64_t)(uintptr_t)fg_test_leaf + 1;
	chain[2] = (uint64_t)(uintptr_t)fg_test_mid + 4;
	sample_stack(&data, chain, 3, 300, 64, 5000);
	hdr(&data, 68, 0, 8);
	comm(&data, "fg file", 100);
	for (i = 0; i < self.n; i++)
		mmap2(&data, self.start[i], self.len[i], self.pgoff[i],
		    self.path, 110);
	for (i = 0; i < 3000; i++) {
		/* two by two out of order within a round */
		uint64_t t = 1000 + (uint64_t)i * 10 + (i & 1 ? 0 : 15);
		if (i == 1007)
			first = data.len;
		if (i >= 1000 && i % 500 == 7)
			cut = data.len;
		if (i >= 1000 && i % 500 == 7)
			sample_stack(&data, chain, i % 3 + 1, t, 16384 + 8 *
			    (size_t)i, i % 2 ? 100 : 40000);
		else
			sample_stack(&data, chain, i % 3 + 1, t,
			    i % 5 == 0 ? 0 : 64, 64);
		if (i % 100 == 99)
			hdr(&data, 68, 0, 8);
	}
	f = recording_st(&data, ST_STACK);
	CHECK(fold(&f, 1, &om, &wm, &err) == 0);
	CHECK(fold_file(&f, &of, &wf, &err) == 0);
	CHECK(om != NULL && of != NULL && strcmp(om, of) == 0);
	CHECK(wm.n == 0 && wf.n == 0);
	free(om);
	free(of);

	/* only small records (read through the mapping), cut in one */
	f.len = 104 + 80 + 8 + first - 20;
	wm.n = wf.n = 0;
	CHECK(fold(&f, 1, &om, &wm, &err) == 0);
	CHECK(fold_file(&f, &of, &wf, &err) == 0);
	CHECK(om != NULL && of != NULL && strcmp(om, of) == 0);
	CHECK(wm.n == 2 && wf.n == 2);
	free(om);
	free(of);

	/* cut inside the last big sample's stack: the same warnings */
	f.len = 104 + 80 + 8 + cut + 5000;
	wm.n = wf.n = 0;
	CHECK(fold(&f, 1, &om, &wm, &err) == 0);
	CHECK(fold_file(&f, &of, &wf, &err) == 0);
	CHECK(om != NULL && of != NULL && strcmp(om, of) == 0);
	CHECK(wm.n == 2 && wf.n == 2 && strstr(wf.last, "file truncated?"));
	free(om);
	free(of);
	free(f.d);
	free(data.d);
}

static fg_cancel_flag cancel_flag;

static void
on_progress_cancel(void *arg, uint64_t done, uint64_t total)
{
	(void)arg;
	(void)done;
	(void)total;
	cancel_flag = 1;
}

/*
 * Ctrl-C while reading: the cancel flag, raised from the first progress
 * call, stops the walk with FG_ECANCELED from memory and from a file
 * whose big samples are read on the reader thread (which must stop too:
 * ASan reports what it leaks, a hang never returns).
 */
static void
test_cancel(void)
{
	struct rec data = {0}, f;
	struct fg_perfdata_opts o;
	struct fg_error err;
	struct fg_stacks *st;
	char path[] = "/tmp/fg-test-cancel-XXXXXX";
	uint64_t chain[2];
	int i, pass;

	chain[0] = (uint64_t)-512;		/* PERF_CONTEXT_USER */
	chain[1] = 0x1000;
	comm(&data, "prog", 1);
	for (i = 0; i < 4000; i++) {
		sample_stack(&data, chain, 2, 10 + (uint64_t)i,
		    i % 2 ? 9216 : 64, 64);
		if (i % 100 == 99)
			hdr(&data, 68, 0, 8);	/* FINISHED_ROUND */
	}
	f = recording_st(&data, ST_STACK);
	write_temp(&f, path);
	for (pass = 0; pass < 2; pass++) {
		fg_perfdata_opts_init(&o);
		o.naming.no_inline = 1;
		o.buildid_dir = "";
		o.progress = on_progress_cancel;
		o.cancel = &cancel_flag;
		cancel_flag = 0;
		st = fg_stacks_new();
		fg_error_clear(&err);
		if (pass == 0)
			CHECK(fg_perfdata_read_mem(f.d, f.len, "mem.data", &o,
			    st, &err) == FG_ECANCELED);
		else
			CHECK(fg_perfdata_read_file(path, &o, st, &err) ==
			    FG_ECANCELED);
		CHECK(strstr(err.msg, "canceled") != NULL);
		fg_stacks_free(st);
	}
	unlink(path);
	free(f.d);
	free(data.d);
}

/* Every warning, in order, and how many came on another thread. */
struct wlog {
	char buf[8192];
	size_t len;
	int n;
	int elsewhere;
};

static void
on_wlog(void *arg, const char *msg)
{
	struct wlog *w = arg;

	if (!pthread_equal(pthread_self(), main_thread))
		w->elsewhere++;
	w->n++;
	w->len += (size_t)snprintf(w->buf + w->len, sizeof(w->buf) - w->len,
	    "%s\n", msg);
	if (w->len >= sizeof(w->buf))
		w->len = sizeof(w->buf) - 1;
}

static char *
fold_opts(const struct rec *f, const struct fg_perfdata_opts *o,
    struct wlog *w)
{
	struct fg_perfdata_opts oo = *o;
	struct fg_stacks *st = fg_stacks_new();
	struct fg_error err;
	char *out = NULL;
	size_t len = 0;
	FILE *fp;

	oo.warn.fn = on_wlog;
	oo.warn.arg = w;
	CHECK(fg_perfdata_read_mem(f->d, f->len, "mem.data", &oo, st,
	    &err) == 0);
	fp = open_memstream(&out, &len);
	CHECK(fg_stacks_write_folded(st, fp, &err) == 0);
	fclose(fp);
	fg_stacks_free(st);
	return out;
}

/*
 * Inline lookups deferred past the walk (reading into a model with
 * inline frames): every symbol lookup goes to the lookup worker, and
 * the result must be what the walk resolving each address itself gives
 * (fg_perfdata_opts.no_defer): kernel frames (and kallsyms' warning when its addresses
 * are hidden), this program's functions at an exact ip and as return
 * addresses, a file offset no segment holds, a JIT map, files that
 * cannot be read, with --addrs, --kernel and --jit too; and the
 * warnings, the symbolizer's (met on the worker) and the walk's, in the
 * same order, all on the caller's thread.
 */
static void
test_defer(void)
{
	struct self self = {0};
	struct rec data = {0}, f;
	struct fg_perfdata_opts o;
	char jpath[64];
	uint64_t kaddr = 0, jit = 0x5000000000ULL;
	FILE *fp;
	ssize_t n;
	int i, pass;

	main_thread = pthread_self();
	n = readlink("/proc/self/exe", self.path, sizeof(self.path) - 1);
	CHECK(n > 0);
	self.path[n > 0 ? n : 0] = '\0';
	dl_iterate_phdr(phdr_cb, &self);
	CHECK(self.n > 0);
	/* a kernel text address, when kallsyms shows them */
	if ((fp = fopen("/proc/kallsyms", "re")) != NULL) {
		char line[512], t;
		unsigned long long a;
		while (fgets(line, sizeof(line), fp) != NULL)
			if (sscanf(line, "%llx %c", &a, &t) == 2 && a != 0 &&
			    (t == 'T' || t == 't')) {
				kaddr = a;
				break;
			}
		fclose(fp);
	}
	if (kaddr == 0)
		kaddr = 0xffffffff81000000ULL;

	rpid = (uint32_t)getpid();
	rtid = rpid;
	snprintf(jpath, sizeof(jpath), "/tmp/perf-%u.map", rpid);
	if ((fp = fopen(jpath, "we")) != NULL) {
		fprintf(fp, "%llx 100 jitted_fn\n", (unsigned long long)jit);
		fclose(fp);
	}

	comm(&data, "fg defer", 100);
	for (i = 0; i < self.n; i++)
		mmap2(&data, self.start[i], self.len[i], self.pgoff[i],
		    self.path, 110);
	/* this program again, at an offset past its segments */
	mmap2(&data, 0x6000000000ULL, 0x1000, 0x40000000, self.path, 110);
	mmap2(&data, 0x7000000000ULL, 0x10000, 0, "/nonexistent/fg-test/a.so",
	    110);
	mmap2(&data, jit, 0x1000, 0, "//anon", 110);
	hdr(&data, 68, 0, 8);
	for (pass = 0; pass < 2; pass++) {
		uint64_t t = 200 + (uint64_t)pass * 1000;
		uint64_t c1[] = { (uint64_t)-128, kaddr + 0x10 + pass,
		    kaddr + 0x20, (uint64_t)-512,
		    (uint64_t)(uintptr_t)fg_test_leaf + 1,
		    (uint64_t)(uintptr_t)fg_test_mid + 4, 0x6000000010ULL,
		    0x10 };
		/* the leaf's address as a return address, then exact */
		uint64_t c2[] = { (uint64_t)-512,
		    (uint64_t)(uintptr_t)fg_test_mid + 4,
		    (uint64_t)(uintptr_t)fg_test_leaf + 1, 0x7000001000ULL };
		uint64_t c3[] = { (uint64_t)-512, jit + 0x10, jit + 0x20,
		    0x6000000010ULL, 0x7000002000ULL + (uint64_t)pass };

		sample(&data, c1, 8, 8, t, 3);
		sample(&data, c2, 4, 4, t + 1, 5);
		hdr(&data, 68, 0, 8);	/* the samples go before the next */
		hdr(&data, 68, 0, 8);
		/* the walk's own warning, between the two files' */
		hdr(&data, 50, 0, 16);
		put64(&data, 0);
		if (pass == 0)
			mmap2(&data, 0x7100000000ULL, 0x10000, 0,
			    "/nonexistent/fg-test/b.so", t + 10);
		{
			uint64_t c4[] = { (uint64_t)-512, 0x7100000100ULL,
			    jit + 0x30 };
			sample(&data, c4, 3, 3, t + 20, 7);
		}
		sample(&data, c3, 5, 5, t + 30, 11);
		hdr(&data, 68, 0, 8);
	}
	f = recording(&data);

	/* with deferring ended early at the first, 2nd, 3rd new chain too */
	for (i = 0; i < 16; i++) {
		struct wlog wd, wn;
		char *od, *on;

		memset(&wd, 0, sizeof(wd));
		memset(&wn, 0, sizeof(wn));
		fg_perfdata_opts_init(&o);
		o.buildid_dir = "";
		o.naming.addrs = i & 1;
		o.naming.kernel = o.naming.jit = (i & 2) != 0;
		o.defer_end = (uint64_t)(i >> 2);
		od = fold_opts(&f, &o, &wd);
		o.defer_end = 0;
		o.no_defer = 1;
		on = fold_opts(&f, &o, &wn);
		CHECK(od != NULL && on != NULL && strcmp(od, on) == 0);
		CHECK(wd.n == wn.n && strcmp(wd.buf, wn.buf) == 0);
		if (od != NULL && on != NULL && (strcmp(od, on) != 0 ||
		    strcmp(wd.buf, wn.buf) != 0))
			fprintf(stderr, "defer %d:\n%s%s-- not deferred:\n%s%s",
			    i, od, wd.buf, on, wn.buf);
		CHECK(wd.elsewhere == 0 && wn.elsewhere == 0);
		/* a.so's, the walk's, b.so's, the walk's */
		{
			const char *a = strstr(wd.buf, "a.so: cannot read");
			const char *u = strstr(wd.buf, "unknown record type");
			const char *b = strstr(wd.buf, "b.so: cannot read");
			CHECK(a != NULL && u != NULL && b != NULL && a < u &&
			    u < b && strstr(b, "unknown record type") != NULL);
		}
		if ((i & 3) == 3 && od != NULL) {
			CHECK(strstr(od, "fg_test_leaf") != NULL);
			CHECK(strstr(od, "jitted_fn_[j]") != NULL);
			CHECK(strstr(od, "[test_perfdata <40000010>]") != NULL);
			CHECK(strstr(od, "_[k]") != NULL);
		}
		free(od);
		free(on);
	}
	unlink(jpath);
	rpid = PID;
	rtid = TID;
	free(f.d);
	free(data.d);
}

/*
 * recording_only: this program's own mapping, which test_reader() names
 * by its symbols, reads as a file without symbols; no warning, since no
 * file was tried.
 */
static void
test_recording_only(void)
{
	struct self self = {0};
	struct rec data = {0}, f;
	struct fg_perfdata_opts o;
	struct wlog w = {0};
	uint64_t chain[3];
	const char *base;
	char want[2 * PATH_MAX + 16], *out;
	ssize_t n;
	int i;

	n = readlink("/proc/self/exe", self.path, sizeof(self.path) - 1);
	CHECK(n > 0);
	self.path[n > 0 ? n : 0] = '\0';
	dl_iterate_phdr(phdr_cb, &self);
	CHECK(self.n > 0);
	base = strrchr(self.path, '/') ? strrchr(self.path, '/') + 1 : self.path;
	chain[0] = (uint64_t)-512;		/* PERF_CONTEXT_USER */
	chain[1] = (uint64_t)(uintptr_t)fg_test_leaf + 1;
	chain[2] = (uint64_t)(uintptr_t)fg_test_mid + 4;
	comm(&data, "prog", 100);
	for (i = 0; i < self.n; i++)
		mmap2(&data, self.start[i], self.len[i], self.pgoff[i],
		    self.path, 110);
	sample(&data, chain, 3, 3, 200, 3);
	f = recording(&data);
	fg_perfdata_opts_init(&o);
	o.recording_only = 1;
	o.buildid_dir = "";
	o.cache_dir = "";
	out = fold_opts(&f, &o, &w);
	snprintf(want, sizeof(want), "prog;[%s];[%s] 3\n", base, base);
	CHECK(out != NULL && strcmp(out, want) == 0);
	if (out != NULL && strcmp(out, want) != 0)
		fprintf(stderr, "recording_only: got %s", out);
	CHECK(w.len == 0);
	free(out);
	free(f.d);
	free(data.d);
}

int
main(void)
{
	test_demangle();
	test_reader();
	test_lost();
	test_unfinished();
	test_file();
	test_progress();
	test_cancel();
	test_prefetch();
	test_defer();
	test_recording_only();
	return check_done("test_perfdata");
}
