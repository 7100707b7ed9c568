/*
 * test_lanes.c: the sample log drawn one lane per thread
 * (lib/render-lanes.c): lane order, gaps, the folded text of both charts,
 * the lanes' attributes and frames in the SVG, determinism, and the
 * refusal without a log.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flamegraph.h"
#include "stacks.h"
#include "check.h"

#define MS 1000000ull

/* One sample of thread tid (pid 1) named comm at t ns: stack "a;b;..." */
static void
sample(struct fg_stacks *st, uint64_t t, uint32_t tid, const char *comm,
    const char *stack)
{
	uint32_t ids[8];
	size_t n = 0;
	char buf[64], *p, *save = NULL;
	struct fg_error err = {0};

	strlcpy(buf, stack, sizeof(buf));
	for (p = strtok_r(buf, ";", &save); p != NULL && n < 8;
	    p = strtok_r(NULL, ";", &save))
		CHECK(stacks_intern(st, p, strlen(p), &ids[n++]) == 0);
	CHECK(stacks_add_ids(st, ids, n, 1000, 0, &err) == 0);
	CHECK(stacks_step_sample(st, t, 1, tid, comm, strlen(comm), 1) == 0);
}

/*
 * Thread 10 "proc": 1..4 ms, then asleep, 10..11 ms.  Thread 11
 * "worker": 2.5..8.5 ms, heavier.  The interval is 1 ms.
 */
static struct fg_stacks *
recording(void)
{
	struct fg_stacks *st = fg_stacks_new();
	uint64_t t;

	CHECK(st != NULL);
	fg_stacks_keep_samples(st);
	sample(st, 1 * MS, 10, "proc", "proc;main;a");
	for (t = 2; t <= 8; t++) {
		if (t <= 4)
			sample(st, t * MS, 10, "proc", t == 4 ? "proc;main;b" :
			    "proc;main;a");
		sample(st, t * MS + MS / 2, 11, "worker", "proc;w");
	}
	sample(st, 10 * MS, 10, "proc", "proc;main;a");
	sample(st, 11 * MS, 10, "proc", "proc;main;a");
	return st;
}

static char *
folded(const struct fg_stacks *st, int how)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	struct fg_error err = {0};

	CHECK(fp != NULL);
	CHECK(fg_stacks_write_threads_folded(st, how, fp, &err) == 0);
	fclose(fp);
	return buf;
}

static char *
svg(const struct fg_stacks *st, int how)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	struct fg_error err = {0};

	CHECK(fp != NULL);
	CHECK_MSG(fg_render_threads_svg(st, NULL, how, fp, &err) == 0, "%s",
	    err.msg);
	fclose(fp);
	return buf;
}

static void
has(const char *doc, const char *s)
{
	CHECK_MSG(strstr(doc, s) != NULL, "no %s", s);
}

static void
test_folded(void)
{
	struct fg_stacks *st = recording();
	char *f;

	f = folded(st, FG_THREADS_TIME);
	CHECK_STR(f, "proc-1/10;main;a 3000\nproc-1/10;main;b 1000\n"
	    "proc-1/10;main;a 2000\nworker-1/11;w 7000\n");
	free(f);
	f = folded(st, FG_THREADS_BY_WEIGHT);
	CHECK_STR(f, "worker-1/11;w 7000\nproc-1/10;main;a 5000\n"
	    "proc-1/10;main;b 1000\n");
	free(f);
	f = folded(st, FG_THREADS_TIME | FG_THREADS_BY_WEIGHT);
	CHECK_STR(f, "worker-1/11;w 7000\nproc-1/10;main;a 3000\n"
	    "proc-1/10;main;b 1000\nproc-1/10;main;a 2000\n");
	free(f);
	fg_stacks_free(st);
}

static void
test_time_svg(void)
{
	struct fg_stacks *st = recording();
	char *a = svg(st, FG_THREADS_TIME), *b = svg(st, FG_THREADS_TIME);
	const char *p, *q;

	CHECK_STR(a, b);
	has(a, "fg:timeline=\"1\"");
	has(a, "<svg id=\"axis\"");
	has(a, ">0 ms</text>");
	/* proc: 0..4 ms (the first sample from one interval before it),
	   nothing from 4 to 9 ms, 9..11 ms; worker: 1.5..8.5 ms */
	has(a, "fg:x=\"0\" fg:w=\"4000\"");
	has(a, "fg:x=\"9000\" fg:w=\"2000\"");
	has(a, "fg:x=\"1500\" fg:w=\"7000\"");
	has(a, " 6000 ");	/* proc's running time, in fg:lanes */
	p = strstr(a, "proc (tid 10) \xe2\x80\x94 6 samples, 46.15%");
	q = strstr(a, "worker (tid 11) \xe2\x80\x94 7 samples, 53.85%");
	CHECK(p != NULL && q != NULL && p < q);	/* by first sample */
	free(a);
	free(b);
	fg_stacks_free(st);
}

static void
test_threads_svg(void)
{
	struct fg_stacks *st = recording();
	char *a = svg(st, FG_THREADS_BY_WEIGHT);
	const char *p, *q;

	has(a, "fg:timeline=\"0\"");
	CHECK(strstr(a, "id=\"axis\"") == NULL);
	has(a, "fg:x=\"0\" fg:w=\"7000\"");	/* worker's lane, full */
	has(a, "fg:x=\"0\" fg:w=\"6000\"");	/* proc's */
	has(a, "fg:x=\"0\" fg:w=\"5000\"");	/* a, merged */
	p = strstr(a, "worker (tid 11)");
	q = strstr(a, "proc (tid 10)");
	CHECK(p != NULL && q != NULL && p < q);	/* heaviest first */
	free(a);
	fg_stacks_free(st);
}

static void
test_no_log(void)
{
	struct fg_stacks *st = fg_stacks_new();
	struct fg_error err = {0};
	FILE *fp = fopen("/dev/null", "w");
	uint32_t id;

	CHECK(stacks_intern(st, "a", 1, &id) == 0);
	CHECK(stacks_add_ids(st, &id, 1, 1, 0, &err) == 0);
	CHECK(fg_render_threads_svg(st, NULL, FG_THREADS_TIME, fp, &err) ==
	    FG_EINVAL);
	CHECK(strstr(err.msg, "sample log") != NULL);
	fclose(fp);
	fg_stacks_free(st);
}

int
main(void)
{
	test_folded();
	test_time_svg();
	test_threads_svg();
	test_no_log();
	return check_done("test_lanes");
}
