/*
 * probe.c: a test driver for the perf.data reader's internal API.
 *
 *   probe inlines PERF.DATA BIN   print, for every distinct address of BIN
 *                                 that a sample resolved, "ADDR\tNAMES"
 *                                 with the DWARF names innermost first,
 *                                 '|'-joined (the order of addr2line -i)
 *   probe order PERF.DATA         check samples come in time order with
 *                                 a thread; print "samples N threads T"
 *   probe corrupt PERF.DATA       read many damaged copies in memory:
 *                                 each must succeed or fail with a message
 *                                 naming an offset, never crash
 *   probe demangle                each line of standard input demangled
 *                                 as perf demangles names (or as it is)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demangle.h"
#include "perfdata.h"
#include "stacks.h"
#include "symbolize.h"

static unsigned char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	unsigned char *b = NULL;
	long n;

	if (fp == NULL || fseek(fp, 0, SEEK_END) != 0 || (n = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) != 0 || (b = malloc((size_t)n + 1)) == NULL ||
	    fread(b, 1, (size_t)n, fp) != (size_t)n) {
		fprintf(stderr, "probe: %s: %s\n", path, strerror(errno));
		exit(2);
	}
	fclose(fp);
	*len = (size_t)n;
	return b;
}

struct addrs {
	const char *bin;
	uint64_t *a;
	size_t n, cap;
};

static int
on_sample_nop(void *arg, const struct fg_pd_sample *s, const uint32_t *ids,
    size_t n, struct fg_error *err)
{
	return 0;
}

static void
on_frame(void *arg, const char *path, uint64_t addr, const uint32_t *ids,
    size_t n)
{
	struct addrs *A = arg;

	if (strcmp(path, A->bin) != 0)
		return;
	if (A->n == A->cap) {
		A->cap = A->cap ? A->cap * 2 : 1024;
		if ((A->a = realloc(A->a, A->cap * sizeof(*A->a))) == NULL)
			exit(2);
	}
	A->a[A->n++] = addr;
}

static int
do_inlines(const char *file, const char *bin)
{
	struct addrs A = { bin, NULL, 0, 0 };
	struct fg_pd_hooks h = { on_sample_nop, on_frame, &A };
	struct fg_perfdata_opts o;
	struct fg_error err;
	struct fg_stacks *st = fg_stacks_new();
	struct fg_symbolizer *sym = sym_new(NULL);
	struct fg_dso *d;
	unsigned char *buf;
	size_t len, i, k;

	fg_perfdata_opts_init(&o);
	o.naming.no_inline = 1;
	fg_error_clear(&err);
	buf = slurp(file, &len);
	if (pd_walk_mem(buf, len, file, &o, st, &h, &err) != 0) {
		fprintf(stderr, "probe: %s\n", err.msg);
		return 1;
	}
	d = sym_dso(sym, bin);
	for (i = 0; i < A.n; i++) {
		const char *names[64], *func;
		size_t n = dso_inlines(d, A.a[i], &func, names, 64);

		printf("%llx\t", (unsigned long long)A.a[i]);
		for (k = n; k > 0; k--)
			printf("%s|", names[k - 1]);
		/* Like addr2line: the ELF symbol where no DWARF covers addr. */
		if (func == NULL)
			func = dso_symbol(d, A.a[i], NULL);
		printf("%s\n", func ? func : "??");
	}
	sym_free(sym);
	fg_stacks_free(st);
	free(A.a);
	free(buf);
	return 0;
}

struct order {
	uint64_t last, n, bad;
	uint32_t tids[256];
	size_t ntids;
};

static int
on_sample_order(void *arg, const struct fg_pd_sample *s, const uint32_t *ids,
    size_t n, struct fg_error *err)
{
	struct order *O = arg;
	size_t i;

	if (s->time < O->last)
		O->bad++;
	O->last = s->time;
	O->n++;
	for (i = 0; i < O->ntids; i++)
		if (O->tids[i] == s->tid)
			break;
	if (i == O->ntids && O->ntids < 256)
		O->tids[O->ntids++] = s->tid;
	return 0;
}

static int
do_order(const char *file)
{
	struct order O;
	struct fg_pd_hooks h = { on_sample_order, NULL, &O };
	struct fg_perfdata_opts o;
	struct fg_error err;
	struct fg_stacks *st = fg_stacks_new();
	unsigned char *buf;
	size_t len;

	memset(&O, 0, sizeof(O));
	fg_perfdata_opts_init(&o);
	o.naming.no_inline = 1;
	fg_error_clear(&err);
	buf = slurp(file, &len);
	if (pd_walk_mem(buf, len, file, &o, st, &h, &err) != 0) {
		fprintf(stderr, "probe: %s\n", err.msg);
		return 1;
	}
	printf("samples %llu threads %zu out-of-order %llu\n",
	    (unsigned long long)O.n, O.ntids, (unsigned long long)O.bad);
	fg_stacks_free(st);
	free(buf);
	return O.bad != 0 || O.n == 0 || O.ntids < 2;
}

struct warncount {
	unsigned long n;
};

static void
count_warn(void *arg, const char *msg)
{
	((struct warncount *)arg)->n++;
}

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* One damaged copy: 0 when the reader behaved. */
static int
try_copy(const unsigned char *b, size_t len, const char *what,
    unsigned long *nerr, unsigned long *nwarn)
{
	struct fg_perfdata_opts o;
	struct fg_error err;
	struct warncount wc = { 0 };
	struct fg_stacks *st = fg_stacks_new();
	int r;

	fg_perfdata_opts_init(&o);
	/* PROBE_INLINE: with inline frames (looked up after the walk) */
	o.naming.no_inline = getenv("PROBE_INLINE") == NULL;
	o.warn.fn = count_warn;
	o.warn.arg = &wc;
	fg_error_clear(&err);
	r = fg_perfdata_read_mem(b, len, "perf.data", &o, st, &err);
	fg_stacks_free(st);
	*nwarn += wc.n;
	if (r == 0)
		return 0;
	(*nerr)++;
	if ((r == FG_EPARSE || r == FG_EOVERFLOW) &&
	    strstr(err.msg, "0x") == NULL) {
		fprintf(stderr, "probe: %s: error names no offset: %s\n", what,
		    err.msg);
		return 1;
	}
	/* EOVERFLOW: a damaged period can make the total overflow */
	if (r != FG_EPARSE && r != FG_EUNSUPPORTED && r != FG_ELIMIT &&
	    r != FG_EOVERFLOW) {
		fprintf(stderr, "probe: %s: unexpected code %d: %s\n", what, r,
		    err.msg);
		return 1;
	}
	return 0;
}

static uint64_t
get64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static int
do_corrupt(const char *file)
{
	unsigned char *orig, *b;
	size_t len, i, doff, dend, nrec = 0;
	size_t recs[4096];
	unsigned long nerr = 0, nwarn = 0;
	int bad = 0;
	char what[128];

	orig = slurp(file, &len);
	if ((b = malloc(len)) == NULL)
		return 2;
	doff = (size_t)get64(orig + 40);
	dend = doff + (size_t)get64(orig + 48);
	if (dend > len)
		dend = len;
	for (i = doff; i + 8 <= dend && nrec < 4096;) {
		uint16_t sz;
		memcpy(&sz, orig + i + 6, 2);
		if (sz < 8)
			break;
		recs[nrec++] = i;
		i += sz;
	}
	/* truncated files */
	for (i = 0; i < 64; i++) {
		size_t cut = i < 16 ? i * 13 : (size_t)(rnd() % len);
		snprintf(what, sizeof(what), "truncated at %zu", cut);
		bad |= try_copy(orig, cut, what, &nerr, &nwarn);
	}
	/* record headers damaged: sizes, types */
	for (i = 0; i < 400 && nrec > 0; i++) {
		size_t r = recs[rnd() % nrec];
		uint16_t sz;
		uint32_t ty;

		memcpy(b, orig, len);
		switch (i % 5) {
		case 0:
			sz = (uint16_t)(rnd() % 8);
			memcpy(b + r + 6, &sz, 2);
			break;
		case 1:
			sz = (uint16_t)rnd();
			memcpy(b + r + 6, &sz, 2);
			break;
		case 2:
			ty = (uint32_t)(rnd() % 200);
			memcpy(b + r, &ty, 4);
			break;
		case 3: {
			/* a sample's callchain longer than its record */
			uint64_t nr = rnd() % 2 ? UINT64_MAX / 4 : 1000 + rnd() % 100;
			memcpy(&ty, b + r, 4);
			if (ty == 9 && r + 8 + 40 + 8 <= len) {
				/* IP|TID|TIME|PERIOD|CALLCHAIN (perf record's
				   layout): the callchain count is the 5th u64 */
				memcpy(b + r + 8 + 32, &nr, 8);
			}
			break;
		}
		default:
			for (int k = 0; k < 8; k++)
				b[r + 8 + rnd() % 32 % (len - r - 8 ? len - r - 8 : 1)] =
				    (unsigned char)rnd();
		}
		snprintf(what, sizeof(what), "record at 0x%zx damaged (%zu)", r,
		    i % 5);
		bad |= try_copy(b, len, what, &nerr, &nwarn);
	}
	/* header fields */
	for (i = 0; i < 200; i++) {
		size_t at = (size_t)(rnd() % 104);
		memcpy(b, orig, len);
		b[at] = (unsigned char)rnd();
		snprintf(what, sizeof(what), "header byte %zu", at);
		bad |= try_copy(b, len, what, &nerr, &nwarn);
	}
	/* random bytes anywhere */
	for (i = 0; i < 200; i++) {
		memcpy(b, orig, len);
		for (int k = 0; k < 16; k++)
			b[rnd() % len] = (unsigned char)rnd();
		snprintf(what, sizeof(what), "random bytes %zu", i);
		bad |= try_copy(b, len, what, &nerr, &nwarn);
	}
	printf("damaged copies: %lu failed with an error, %lu warnings\n",
	    nerr, nwarn);
	free(b);
	free(orig);
	return bad;
}

static int
do_demangle(void)
{
	char *line = NULL, *dm;
	size_t cap = 0;
	ssize_t n;

	while ((n = getline(&line, &cap, stdin)) > 0) {
		if (line[n - 1] == '\n')
			line[n - 1] = '\0';
		dm = dm_demangle(line);
		printf("%s\n", dm != NULL ? dm : line);
		free(dm);
	}
	free(line);
	return ferror(stdout) || fflush(stdout) != 0;
}

int
main(int argc, char *argv[])
{
	if (argc == 2 && strcmp(argv[1], "demangle") == 0)
		return do_demangle();
	if (argc == 4 && strcmp(argv[1], "inlines") == 0)
		return do_inlines(argv[2], argv[3]);
	if (argc == 3 && strcmp(argv[1], "order") == 0)
		return do_order(argv[2]);
	if (argc == 3 && strcmp(argv[1], "corrupt") == 0)
		return do_corrupt(argv[2]);
	fprintf(stderr, "usage: probe inlines|order|corrupt PERF.DATA [BIN] | demangle\n");
	return 2;
}
