/*
 * perf_agree.c: checks lib/unwind.c against perf itself on a real
 * `perf record --call-graph dwarf` recording.  A minimal perf.data
 * reader of its own (test code only: header, first attribute, MMAP,
 * MMAP2, COMM, FORK and SAMPLE records) feeds each sample's user
 * registers and stack copy to the unwinder; the chains are compared with
 * the user part of `perf script -F tid,time,ip --ns` for the same
 * samples (matched by thread and time).  Prints the fraction of samples
 * whose chains are identical, the samples that differ, and the speed.
 *
 *   unwind_perf_agree PERF.DATA PERF-SCRIPT.TXT [MIN-PERCENT [REPEAT]]
 *
 * Exit 0 when the agreement is at least MIN-PERCENT (default 98).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <time.h>

#include "flamegraph.h"
#include "unwind.h"

#define KERNEL_START 0xffff800000000000ULL
#define MAXCHAIN 512

struct mapping {
	uint32_t pid;
	uint64_t t0, t1;	/* valid from its record's time to an exec */
	uint64_t start, end, pgoff;
	char *path;
};

struct sample {
	uint32_t pid, tid;
	uint64_t time;
	struct fg_unwind_sample s;
	int have_regs;
};

struct pchain {			/* one sample of perf script's output */
	uint32_t tid;
	uint64_t time;
	uint64_t ips[MAXCHAIN];
	size_t n;
};

static struct mapping *maps;
static size_t nmaps, capmaps;
static struct sample *samples;
static size_t nsamples, capsamples;
static struct pchain *pch;
static size_t npch;
static const void *vdso_image;
static unsigned char *filedata;
static size_t vdso_len;

static void *
xrealloc(void *p, size_t n, size_t sz)
{
	if ((p = reallocarray(p, n, sz)) == NULL) {
		fprintf(stderr, "out of memory\n");
		exit(2);
	}
	return p;
}

static uint64_t
rd64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static uint32_t
rd32(const unsigned char *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static uint64_t rec_time;	/* time of the record being processed */

static void
add_map(uint32_t pid, uint64_t start, uint64_t len, uint64_t pgoff,
    const char *path, size_t maxlen)
{
	if (nmaps == capmaps) {
		capmaps = capmaps ? capmaps * 2 : 64;
		maps = xrealloc(maps, capmaps, sizeof(*maps));
	}
	maps[nmaps].pid = pid;
	maps[nmaps].t0 = rec_time;
	maps[nmaps].t1 = UINT64_MAX;
	maps[nmaps].start = start;
	maps[nmaps].end = start + len;
	maps[nmaps].pgoff = pgoff;
	maps[nmaps].path = strndup(path, maxlen);
	nmaps++;
}

/* The latest mapping of pid at time t that holds addr. */
static const struct mapping *
find_map(uint32_t pid, uint64_t addr, uint64_t t)
{
	for (size_t i = nmaps; i-- > 0;)
		if (maps[i].pid == pid && addr >= maps[i].start &&
		    addr < maps[i].end && maps[i].t0 <= t && t < maps[i].t1)
			return &maps[i];
	return NULL;
}

static int
map_cb(void *arg, uint64_t addr, struct fg_unwind_map *out)
{
	const struct sample *sm = arg;
	const struct mapping *m = find_map(sm->pid, addr, sm->time);

	if (m == NULL)
		return -1;
	out->path = m->path;
	out->start = m->start;
	out->end = m->end;
	out->pgoff = m->pgoff;
	if (strcmp(m->path, "[vdso]") == 0 && vdso_image != NULL) {
		/* The recording was made on this kernel: same vDSO. */
		out->image = vdso_image;
		out->image_len = vdso_len;
	}
	return 0;
}

struct rec {
	uint64_t time, off;
	size_t seq;
};

static int
cmp_rec(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static int
read_perfdata(const char *path)
{
	struct rec *recs = NULL;
	size_t nrecs = 0, caprecs = 0;
	int id_all;
	FILE *fp = fopen(path, "rb");
	unsigned char *d;
	long sz;
	uint64_t attr_size, attrs_off, data_off, data_size;
	uint64_t st, regs_mask, read_fmt, off, end;

	if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (sz = ftell(fp)) < 104) {
		fprintf(stderr, "%s: cannot read\n", path);
		return -1;
	}
	rewind(fp);
	d = filedata = xrealloc(NULL, (size_t)sz, 1);
	if (fread(d, 1, (size_t)sz, fp) != (size_t)sz ||
	    memcmp(d, "PERFILE2", 8) != 0) {
		fprintf(stderr, "%s: not a perf.data file\n", path);
		return -1;
	}
	fclose(fp);
	attr_size = rd64(d + 16);
	attrs_off = rd64(d + 24);
	data_off = rd64(d + 40);
	data_size = rd64(d + 48);
	if (attrs_off + 96 > (uint64_t)sz || attr_size < 96 ||
	    data_off + data_size > (uint64_t)sz) {
		fprintf(stderr, "%s: bad header\n", path);
		return -1;
	}
	st = rd64(d + attrs_off + 24);
	read_fmt = rd64(d + attrs_off + 32);
	regs_mask = rd64(d + attrs_off + 80);
	if ((st & (1u << 12)) == 0 || (st & (1u << 13)) == 0 ||
	    (st & (1u << 11)) != 0 || (read_fmt & 8) != 0) {
		fprintf(stderr, "%s: not a --call-graph dwarf recording\n", path);
		return -1;
	}
	/*
	 * Records are in per-CPU buffer order, not time order: take them in
	 * time order, as perf does, so that a sample sees the mappings of
	 * its moment (exec replaces them).  Non-sample records carry their
	 * time at the end (sample_id_all).
	 */
	id_all = (rd64(d + attrs_off + 40) >> 18) & 1;
	for (off = data_off, end = data_off + data_size; off + 8 <= end;) {
		const unsigned char *r = d + off;
		uint32_t type = rd32(r);
		uint16_t size;
		uint64_t t = 0;

		memcpy(&size, r + 6, 2);
		if (size < 8 || off + size > end)
			break;
		if (type == 9 && (st & (1u << 2))) {
			size_t at = 8 + 8 * (!!(st & (1u << 16)) +
			    !!(st & (1u << 0)) + !!(st & (1u << 1)));

			if (at + 8 <= size)
				t = rd64(r + at);
		} else if (type < 64 && id_all && (st & (1u << 2))) {
			size_t after = 8 * (1 + !!(st & (1u << 6)) +
			    !!(st & (1u << 9)) + !!(st & (1u << 7)) +
			    !!(st & (1u << 16)));

			if (after + 8 <= size)
				t = rd64(r + size - after);
		}
		if (type < 64) {
			if (nrecs == caprecs) {
				caprecs = caprecs ? caprecs * 2 : 4096;
				recs = xrealloc(recs, caprecs, sizeof(*recs));
			}
			recs[nrecs].time = t;
			recs[nrecs].off = off;
			recs[nrecs].seq = nrecs;
			nrecs++;
		}
		off += size;
	}
	qsort(recs, nrecs, sizeof(*recs), cmp_rec);
	for (size_t ri = 0; ri < nrecs; ri++) {
		const unsigned char *r = d + recs[ri].off;
		uint32_t type = rd32(r);
		uint16_t misc, size;

		memcpy(&misc, r + 4, 2);
		memcpy(&size, r + 6, 2);
		rec_time = recs[ri].time;
		if (type == 1 && size > 40)		/* MMAP */
			add_map(rd32(r + 8), rd64(r + 16), rd64(r + 24),
			    rd64(r + 32), (const char *)r + 40, size - 40);
		else if (type == 10 && size > 72 &&	/* MMAP2, executable */
		    (rd32(r + 64) & 4) != 0)
			add_map(rd32(r + 8), rd64(r + 16), rd64(r + 24),
			    rd64(r + 32), (const char *)r + 72, size - 72);
		else if (type == 3 && (misc & 0x2000) != 0) {	/* COMM exec */
			for (size_t i = 0; i < nmaps; i++)
				if (maps[i].pid == rd32(r + 8) &&
				    maps[i].t1 == UINT64_MAX)
					maps[i].t1 = rec_time;
		} else if (type == 7 && rd32(r + 8) != rd32(r + 12)) {
			/* FORK of a new process: it inherits the mappings. */
			uint32_t child = rd32(r + 8), parent = rd32(r + 12);
			size_t n = nmaps;

			for (size_t i = 0; i < n; i++)
				if (maps[i].pid == parent &&
				    maps[i].t1 == UINT64_MAX)
					add_map(child, maps[i].start,
					    maps[i].end - maps[i].start,
					    maps[i].pgoff, maps[i].path,
					    strlen(maps[i].path));
		} else if (type == 9) {
			const unsigned char *p = r + 8, *e = r + size;
			struct sample sm;
			uint64_t abi, nr, ssz;
			size_t nregs = (size_t)__builtin_popcountll(regs_mask);

			memset(&sm, 0, sizeof(sm));
#define NEED(n) do { if ((size_t)(e - p) < (size_t)(n)) goto next; } while (0)
			if (st & (1u << 16)) { NEED(8); p += 8; }
			if (st & (1u << 0)) { NEED(8); p += 8; }
			if (st & (1u << 1)) {
				NEED(8);
				sm.pid = rd32(p);
				sm.tid = rd32(p + 4);
				p += 8;
			}
			if (st & (1u << 2)) { NEED(8); sm.time = rd64(p); p += 8; }
			if (st & (1u << 3)) { NEED(8); p += 8; }
			if (st & (1u << 6)) { NEED(8); p += 8; }
			if (st & (1u << 9)) { NEED(8); p += 8; }
			if (st & (1u << 7)) { NEED(8); p += 8; }
			if (st & (1u << 8)) { NEED(8); p += 8; }
			if (st & (1u << 4)) {
				size_t k = 1 + !!(read_fmt & 1) +
				    !!(read_fmt & 2) + !!(read_fmt & 4) +
				    !!(read_fmt & 16);
				NEED(8 * k);
				p += 8 * k;
			}
			if (st & (1u << 5)) {
				NEED(8);
				nr = rd64(p);
				p += 8;
				if (nr > (uint64_t)(e - p) / 8)
					goto next;
				p += 8 * nr;
			}
			if (st & (1u << 10)) {
				NEED(4);
				ssz = rd32(p);
				NEED(4 + ssz);
				p += 4 + ssz;
			}
			NEED(8);
			abi = rd64(p);
			p += 8;
			if (abi != 0) {
				const unsigned char *stk = NULL;
				uint64_t vals[64], dyn = 0;

				NEED(8 * nregs);
				memcpy(vals, p, 8 * nregs);
				p += 8 * nregs;
				NEED(8);
				ssz = rd64(p);
				p += 8;
				if (ssz > 0) {
					NEED(ssz + 8);
					stk = p;
					dyn = rd64(p + ssz);
				}
				sm.have_regs = unwind_sample_from_perf(&sm.s,
				    abi, regs_mask, vals, nregs, stk,
				    dyn < ssz ? dyn : ssz) == 0;
			}
			if (nsamples == capsamples) {
				capsamples = capsamples ? capsamples * 2 : 1024;
				samples = xrealloc(samples, capsamples,
				    sizeof(*samples));
			}
			samples[nsamples++] = sm;
		}
next:
		;
	}
	free(recs);
	return 0;
}

static int
read_script(const char *path)
{
	FILE *fp = fopen(path, "r");
	char line[1024];
	struct pchain *cur = NULL;
	size_t cap = 0;

	if (fp == NULL) {
		fprintf(stderr, "%s: cannot read\n", path);
		return -1;
	}
	while (fgets(line, sizeof(line), fp) != NULL) {
		unsigned long tid;
		unsigned long long sec, ns, ip;

		if (line[0] != '\t' &&
		    sscanf(line, "%lu %llu.%llu:", &tid, &sec, &ns) == 3) {
			if (npch == cap) {
				cap = cap ? cap * 2 : 1024;
				pch = xrealloc(pch, cap, sizeof(*pch));
			}
			cur = &pch[npch++];
			cur->tid = (uint32_t)tid;
			cur->time = sec * 1000000000ULL + ns;
			cur->n = 0;
		} else if (cur != NULL && sscanf(line, " %llx", &ip) == 1 &&
		    line[0] != '\n') {
			if (ip >= KERNEL_START || cur->n >= MAXCHAIN)
				continue;
			cur->ips[cur->n++] = ip;
		}
	}
	fclose(fp);
	return 0;
}

static int
cmp_pch(const void *a, const void *b)
{
	const struct pchain *x = a, *y = b;

	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	return x->time < y->time ? -1 : x->time > y->time;
}

static void
load_vdso(void)
{
	FILE *fp = fopen("/proc/self/maps", "r");
	char line[512];
	unsigned long long s, e;

	vdso_image = (const void *)getauxval(AT_SYSINFO_EHDR);
	while (fp != NULL && fgets(line, sizeof(line), fp) != NULL)
		if (strstr(line, "[vdso]") != NULL &&
		    sscanf(line, "%llx-%llx", &s, &e) == 2)
			vdso_len = e - s;
	if (fp != NULL)
		fclose(fp);
	if (vdso_len == 0)
		vdso_image = NULL;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	struct fg_unwinder *u;
	struct fg_unwind_stats stats;
	static uint64_t ips[MAXCHAIN];
	double minpct = argc > 3 ? atof(argv[3]) : 98.0, t0, t1, t2, pct;
	int repeat = argc > 4 ? atoi(argv[4]) : 3, shown = 0;
	size_t agree = 0, compared = 0, nomatch = 0, frames_warm = 0;

	if (argc < 3) {
		fprintf(stderr, "usage: %s PERF.DATA PERF-SCRIPT.TXT "
		    "[MIN-PERCENT [REPEAT]]\n", argv[0]);
		return 2;
	}
	load_vdso();
	if (read_perfdata(argv[1]) != 0 || read_script(argv[2]) != 0)
		return 2;
	qsort(pch, npch, sizeof(*pch), cmp_pch);
	if ((u = unwinder_new(NULL)) == NULL)
		return 2;

	t0 = now();
	for (size_t i = 0; i < nsamples; i++) {
		struct sample *sm = &samples[i];
		struct pchain key, *pc;
		struct fg_error err = {0};
		size_t n = 0, k;
		enum fg_unwind_end why = FG_UNWIND_END_NO_REGS;

		if (sm->have_regs && unwind_stack(u, &sm->s, map_cb, sm, ips,
		    MAXCHAIN, &n, &why, &err) != 0) {
			fprintf(stderr, "unwind: %s\n", err.msg);
			return 1;
		}
		/* perf script shows addresses relative to their mapping. */
		for (k = 0; k < n; k++) {
			const struct mapping *m = find_map(sm->pid, ips[k],
			    sm->time);

			if (m != NULL)
				ips[k] = ips[k] - m->start + m->pgoff;
		}
		key.tid = sm->tid;
		key.time = sm->time;
		pc = bsearch(&key, pch, npch, sizeof(*pch), cmp_pch);
		if (pc == NULL) {
			nomatch++;
			continue;
		}
		compared++;
		if (pc->n == n && memcmp(pc->ips, ips, n * 8) == 0) {
			agree++;
			continue;
		}
		if (shown++ < 5) {
			printf("differs: tid %u time %llu (ours %zu frames, "
			    "end: %s; perf %zu)\n", sm->tid,
			    (unsigned long long)sm->time, n,
			    unwind_end_name(why), pc->n);
			for (k = 0; k < n || k < pc->n; k++)
				printf("  %2zu %16llx %16llx%s\n", k,
				    k < n ? (unsigned long long)ips[k] : 0ULL,
				    k < pc->n ? (unsigned long long)pc->ips[k] :
				    0ULL, k < n && k < pc->n &&
				    ips[k] == pc->ips[k] ? "" : "  <--");
		}
	}
	t1 = now();
	unwind_get_stats(u, &stats);
	/* Warm passes: the rules are cached, this is the steady speed. */
	for (int r = 0; r < repeat; r++)
		for (size_t i = 0; i < nsamples; i++) {
			size_t n = 0;

			if (samples[i].have_regs)
				unwind_stack(u, &samples[i].s, map_cb,
				    &samples[i], ips, MAXCHAIN, &n, NULL, NULL);
			frames_warm += n;
		}
	t2 = now();
	/*
	 * Cold: a new unwinder each time, files opened and rules computed
	 * on the way; the best of three runs (the machine may be busy).
	 */
	for (int r = 0, best = 1; r < 3 && repeat > 0; r++) {
		struct fg_unwinder *cold = unwinder_new(NULL);
		size_t frames_cold = 0;
		double t3, t4;
		static double tbest;

		if (cold == NULL)
			return 2;
		t3 = now();
		for (size_t i = 0; i < nsamples; i++) {
			size_t n = 0;

			if (samples[i].have_regs)
				unwind_stack(cold, &samples[i].s, map_cb,
				    &samples[i], ips, MAXCHAIN, &n, NULL, NULL);
			frames_cold += n;
		}
		t4 = now();
		unwinder_free(cold);
		if (r == 0 || t4 - t3 < tbest)
			tbest = t4 - t3;
		if (r == 2 && best)
			printf("cold (best of 3): %zu samples, %zu frames in "
			    "%.4f s = %.0f frames/s\n", nsamples, frames_cold,
			    tbest, (double)frames_cold /
			    (tbest > 0 ? tbest : 1e-9));
	}

	pct = compared ? 100.0 * (double)agree / (double)compared : 0.0;
	printf("samples %zu, compared with perf script %zu (unmatched %zu), "
	    "identical chains %zu = %.2f%%\n", nsamples, compared, nomatch,
	    agree, pct);
	printf("first pass: %llu frames, %llu rules from libdw, %llu files, "
	    "%llu fp steps, %.3f s (%.0f frames/s, includes comparison)\n",
	    (unsigned long long)stats.frames,
	    (unsigned long long)stats.rule_misses,
	    (unsigned long long)stats.files,
	    (unsigned long long)stats.fp_steps, t1 - t0,
	    (double)stats.frames / (t1 - t0 > 0 ? t1 - t0 : 1e-9));
	if (repeat > 0)
		printf("cached: %zu frames in %.3f s = %.0f frames/s\n",
		    frames_warm, t2 - t1,
		    (double)frames_warm / (t2 - t1 > 0 ? t2 - t1 : 1e-9));
	printf("chain ends:");
	for (int e = 0; e < FG_UNWIND_END__COUNT; e++)
		if (stats.ends[e] != 0)
			printf(" %s %llu;", unwind_end_name(e),
			    (unsigned long long)stats.ends[e]);
	printf("\n");
	unwinder_free(u);
	for (size_t i = 0; i < nmaps; i++)
		free(maps[i].path);
	free(maps);
	free(samples);
	free(pch);
	free(filedata);
	if (compared < 100) {
		fprintf(stderr, "too few samples compared (%zu)\n", compared);
		return 1;
	}
	return pct >= minpct ? 0 : 1;
}
