/*
 * test_samplelog.c: the sample log (fg_stacks_keep_samples): both readers
 * keep one step per sample in the recording's order with its time and
 * thread, and keeping it changes nothing in the folded stacks.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flamegraph.h"
#include "stacks.h"
#include "check.h"

/* The steps' weights add up to the total; each has its thread. */
static void
check_log(const struct fg_stacks *st, int timed)
{
	const struct fg_stacks_step *sq;
	uint64_t sum = 0, last = 0;
	size_t n, i;

	sq = stacks_sequence(st, &n);
	CHECK(n > 0);
	CHECK(stacks_has_samples(st));
	for (i = 0; i < n; i++) {
		CHECK(sq[i].stack < fg_stacks_count(st));
		CHECK(sq[i].thread != UINT32_MAX);
		CHECK(sq[i].root == 1);
		sum += sq[i].weight;
		if (timed) {
			CHECK(sq[i].time >= last);
			CHECK(sq[i].time != 0);
			last = sq[i].time;
		}
	}
	CHECK(sum == fg_stacks_total(st));
}

static void
test_native(const char *file)
{
	const char *src = getenv("FG_SOURCE_DIR");
	char path[4096];
	struct fg_perfdata_opts o;
	struct fg_stacks *a = fg_stacks_new(), *b = fg_stacks_new();
	struct fg_error err = {0};
	char *fa, *fb;

	snprintf(path, sizeof(path), "%s/tests/data/perfdata/%s",
	    src ? src : ".", file);
	fg_perfdata_opts_init(&o);
	o.recording_only = 1;
	fg_stacks_keep_samples(b);
	CHECK(fg_perfdata_read_file(path, &o, a, &err) == 0 ||
	    (fprintf(stderr, "%s\n", err.msg), 0));
	CHECK(fg_perfdata_read_file(path, &o, b, &err) == 0);
	fa = check_folded(a);
	fb = check_folded(b);
	CHECK(strcmp(fa, fb) == 0);
	check_log(b, 1);
	free(fa);
	free(fb);
	fg_stacks_free(a);
	fg_stacks_free(b);
}

static const char script[] =
    "app 100/100 [000] 10.000001000:     250000 cpu-clock:\n"
    "\t    1000 leaf+0x1 (/bin/app)\n"
    "\t    2000 main+0x2 (/bin/app)\n"
    "\n"
    "app 100/101 [001] 10.000002500:     250000 cpu-clock:\n"
    "\t    3000 other+0x1 (/bin/app)\n"
    "\n"
    "my worker 100/101 [001] 10.000003:     250000 cpu-clock:\n"
    "\t    1000 leaf+0x1 (/bin/app)\n"
    "\t    2000 main+0x2 (/bin/app)\n"
    "\n";

static void
test_script(void)
{
	struct fg_stacks *st = fg_stacks_new();
	struct fg_error err = {0};
	const struct fg_stacks_step *sq;
	size_t n, len;

	fg_stacks_keep_samples(st);
	CHECK(fg_collapse_perf_mem(script, sizeof(script) - 1, NULL, NULL,
	    st, &err) == 0);
	check_log(st, 1);
	sq = stacks_sequence(st, &n);
	CHECK(n == 3);
	CHECK(sq[0].time == 10000001000ULL && sq[0].pid == 100 &&
	    sq[0].tid == 100);
	CHECK(sq[1].time == 10000002500ULL && sq[1].tid == 101);
	CHECK(sq[2].time == 10000003000ULL && sq[2].tid == 101);
	CHECK(strcmp(stacks_name(st, sq[2].thread, &len), "my worker") == 0);
	CHECK(sq[0].stack != sq[2].stack);	/* "app" vs "my_worker" */
	CHECK(strcmp(stacks_name(st, sq[0].thread, &len), "app") == 0);
	fg_stacks_free(st);
}

int
main(void)
{
	test_native("fp.data");
	test_native("dwarf.data");
	test_script();
	return check_done("test_samplelog");
}
