/*
 * test_pscript.c: unit tests of the perf-script collapser that the data
 * cases cannot reach: one thread and two threads give the same model and
 * the same warnings (with whole-input line numbers), the first event type
 * is found before the split, cancellation, several --skip-after names,
 * the event filter, and argument checks.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flamegraph.h"
#include "check.h"

struct warns {
	char *text;
	size_t len, n;
};

static void
collect(void *arg, const char *msg)
{
	struct warns *w = arg;
	size_t n = strlen(msg);
	char *t = realloc(w->text, w->len + n + 2);

	if (t == NULL)
		return;
	memcpy(t + w->len, msg, n);
	t[w->len + n] = '\n';
	t[w->len + n + 1] = '\0';
	w->text = t;
	w->len += n + 1;
	w->n++;
}

static char *
folded(struct fg_stacks *st)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	struct fg_error err;

	if (fp == NULL)
		return NULL;
	fg_error_clear(&err);
	fg_stacks_write_folded(st, fp, &err);
	fclose(fp);
	return buf;
}

/* A large input: a first event of another type than most (so the filter
 * must be found before the split), then many samples, with a weird line
 * in each half. */
static char *
make_input(size_t *lenp, size_t *weird1, size_t *weird2)
{
	char *buf = NULL;
	size_t len = 0, line = 0, i;
	FILE *fp = open_memstream(&buf, &len);

	if (fp == NULL)
		return NULL;
	fprintf(fp, "# header\n");
	line++;
	for (i = 0; i < 120000; i++) {
		fprintf(fp, "work %zu/%zu [001] 1.%06zu: %zu cycles:\n",
		    100 + i % 3, 200 + i % 5, i, 1 + i % 7);
		fprintf(fp, "\t%zx leaf_%zu+0x10 (/bin/work)\n", i % 97,
		    i % 13);
		fprintf(fp, "\t%zx std::rt::lang_start::h0123456789abcdef"
		    " (/bin/work)\n", i % 11);
		fprintf(fp, "\tffffffff81000000 do_%zu ([kernel.kallsyms])\n",
		    i % 3);
		line += 4;
		if (i == 10 || i == 110000) {
			fprintf(fp, "\tWEIRD\n");
			line++;
			*(i == 10 ? weird1 : weird2) = line;
		}
		fprintf(fp, "\n");
		line++;
		if (i % 1000 == 5) {
			fprintf(fp,
			    "work 1 2.0: 5 instructions:\n\t1 x (/b)\n\n");
			line += 3;
		}
	}
	fclose(fp);
	*lenp = len;
	return buf;
}

static void
test_threads(void)
{
	struct fg_collapse_opts o;
	struct fg_stacks *a = fg_stacks_new(), *b = fg_stacks_new();
	struct fg_error err;
	struct warns wa = { NULL, 0, 0 }, wb = { NULL, 0, 0 };
	size_t len = 0, w1 = 0, w2 = 0;
	char *in = make_input(&len, &w1, &w2), *fa, *fb, want[64];

	CHECK(in != NULL && a != NULL && b != NULL);
	CHECK(len > (8u << 20));
	fg_collapse_opts_init(&o);
	o.naming.kernel = 1;
	o.naming.tid = 1;
	o.nthreads = 1;
	o.warn.fn = collect;
	o.warn.arg = &wa;
	fg_error_clear(&err);
	CHECK(fg_collapse_perf_mem(in, len, "t", &o, a, &err) == 0);
	o.nthreads = 2;
	o.warn.arg = &wb;
	CHECK(fg_collapse_perf_mem(in, len, "t", &o, b, &err) == 0);
	fa = folded(a);
	fb = folded(b);
	CHECK(fa != NULL && fb != NULL && strcmp(fa, fb) == 0);
	CHECK(fg_stacks_total(a) == fg_stacks_total(b));
	CHECK(strstr(fa, "instructions") == NULL && strstr(fa, ";x ") == NULL);
	CHECK(strstr(fa, "work-100/200;std::rt::lang_start;do_0_[k]") != NULL ||
	    strstr(fa, "work-100/200;do_0_[k]") != NULL);
	if (wa.n != 2 || wb.n != 2)
		fprintf(stderr, "warnings:\n%s--\n%s",
		    wa.text ? wa.text : "", wb.text ? wb.text : "");
	CHECK(wa.n == 2 && wb.n == 2);
	CHECK(wa.text != NULL && wb.text != NULL &&
	    strcmp(wa.text, wb.text) == 0);
	snprintf(want, sizeof(want), "t: line %zu: weird stack line", w2);
	CHECK(wb.text != NULL && strstr(wb.text, want) != NULL);
	snprintf(want, sizeof(want), "t: line %zu: weird stack line", w1);
	CHECK(wb.text != NULL && strstr(wb.text, want) != NULL);
	free(fa);
	free(fb);
	free(wa.text);
	free(wb.text);
	free(in);
	fg_stacks_free(a);
	fg_stacks_free(b);
}

/* Past 64 warnings in a chunk the rest are counted in one warning. */
static void
test_many_warnings(void)
{
	struct fg_collapse_opts o;
	struct fg_stacks *st = fg_stacks_new();
	struct fg_error err;
	struct warns w = { NULL, 0, 0 };
	char *buf = NULL;
	size_t len = 0, i;
	FILE *fp = open_memstream(&buf, &len);

	CHECK(fp != NULL && st != NULL);
	fprintf(fp, "p 1 1.0: 1 ev:\n");
	for (i = 0; i < 100; i++)
		fprintf(fp, "\tweird%zu\n", i);
	fprintf(fp, "\n");
	for (i = 0; i < 400000; i++)
		fprintf(fp, "p 1 1.0: 1 ev:\n\t1 f%zu (/b)\n\n", i % 50);
	fclose(fp);
	fg_collapse_opts_init(&o);
	o.nthreads = 2;
	o.warn.fn = collect;
	o.warn.arg = &w;
	fg_error_clear(&err);
	CHECK(len > (8u << 20));
	CHECK(fg_collapse_perf_mem(buf, len, "t", &o, st, &err) == 0);
	CHECK(w.n == 65);
	CHECK(w.text != NULL &&
	    strstr(w.text, "t: line 65: weird stack line: ?weird63\n") != NULL &&
	    strstr(w.text, "t: 36 more warnings in lines 1 to ") != NULL);
	CHECK(fg_stacks_total(st) == 400000);
	free(w.text);
	free(buf);
	fg_stacks_free(st);
}

static void
test_cancel(void)
{
	struct fg_collapse_opts o;
	struct fg_stacks *st = fg_stacks_new();
	struct fg_error err;
	fg_cancel_flag stop = 1;
	size_t len = 0, w1, w2;
	char *in = make_input(&len, &w1, &w2);

	fg_collapse_opts_init(&o);
	o.cancel = &stop;
	fg_error_clear(&err);
	CHECK(fg_collapse_perf_mem(in, len, "t", &o, st, &err) ==
	    FG_ECANCELED);
	CHECK(err.code == FG_ECANCELED && strstr(err.msg, "t: line") != NULL);
	free(in);
	fg_stacks_free(st);
}

static void
test_skip_after(void)
{
	static const char in[] =
	    "p 1 1.0: 2 ev:\n"
	    "\t1 leaf (/b)\n"
	    "\t2 inner::h0123456789abcdef (/b)\n"
	    "\t3 outer (/b)\n"
	    "\t4 main (/b)\n"
	    "\n"
	    "p 1 1.0: 3 ev:\n"
	    "\t1 leaf (/b)\n"
	    "\t3 outer (/b)\n"
	    "\t4 main (/b)\n";
	static const char *const skips[] = { "inner", "nothing" };
	struct fg_collapse_opts o;
	struct fg_stacks *st = fg_stacks_new();
	struct fg_error err;
	char *f;

	fg_collapse_opts_init(&o);
	o.naming.skip_after = skips;
	o.naming.nskip_after = 2;
	fg_error_clear(&err);
	CHECK(fg_collapse_perf_mem(in, sizeof(in) - 1, NULL, &o, st,
	    &err) == 0);
	f = folded(st);
	CHECK(f != NULL && strcmp(f, "inner;leaf 2\np;main;outer;leaf 3\n")
	    == 0);
	free(f);
	fg_stacks_free(st);
}

static void
test_event_filter(void)
{
	static const char in[] =
	    "p 1 1.0: 2 cycles:\n\t1 a (/b)\n\n"
	    "p 1 1.0: 3 instructions:u:\n\t1 b (/b)\n\n"
	    "p 1 1.0: instructions: \n\t1 c (/b)\n\n"
	    "p 1 1.0: 5 cycles:\n\t1 a (/b)\n";
	struct fg_collapse_opts o;
	struct fg_stacks *st = fg_stacks_new();
	struct fg_error err;
	char *f;

	fg_collapse_opts_init(&o);
	fg_error_clear(&err);
	CHECK(fg_collapse_perf_mem(in, sizeof(in) - 1, NULL, &o, st,
	    &err) == 0);
	f = folded(st);
	CHECK(f != NULL && strcmp(f, "p;a 7\n") == 0);
	free(f);
	fg_stacks_free(st);
	st = fg_stacks_new();
	o.naming.event_filter = "instructions";
	CHECK(fg_collapse_perf_mem(in, sizeof(in) - 1, NULL, &o, st,
	    &err) == 0);
	f = folded(st);
	CHECK(f != NULL && strcmp(f, "p;b 3\np;c 1\n") == 0);
	free(f);
	fg_stacks_free(st);
}

static void
test_args(void)
{
	struct fg_error err;
	struct fg_stacks *st = fg_stacks_new();

	fg_error_clear(&err);
	CHECK(fg_collapse_perf_mem("x", 1, NULL, NULL, NULL, &err) ==
	    FG_EINVAL);
	fg_error_clear(&err);
	CHECK(fg_collapse_perf_mem(NULL, 0, NULL, NULL, st, &err) == 0);
	CHECK(fg_stacks_count(st) == 0);
	fg_error_clear(&err);
	CHECK(fg_collapse_perf_file("/nonexistent/perf.txt", NULL, st,
	    &err) == FG_EIO);
	CHECK(strstr(err.msg, "/nonexistent/perf.txt") != NULL);
	fg_stacks_free(st);
}

int
main(void)
{
	test_threads();
	test_many_warnings();
	test_cancel();
	test_skip_after();
	test_event_filter();
	test_args();
	return check_done("test_pscript");
}
