/*
 * test_speedscope.c: fg_write_speedscope.  Frame names of every kind of
 * byte come out as valid JSON strings (quotes, backslashes and control
 * characters escaped, UTF-8 kept, each byte that is not UTF-8 one
 * U+FFFD); the unit follows the event; without a sample log one profile
 * of the stacks in folded order; the same stacks give the same bytes.
 * With FG_BUILD_DIR set it leaves speedscope/unit.json and unit.folded
 * there for tests/speedscope/check.py (the test speedscope-unit-json).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "flamegraph.h"
#include "stacks.h"
#include "check.h"

static char *
write_ss(const struct fg_stacks *st, const struct fg_speedscope_opts *o)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	struct fg_error err = {0};

	CHECK(fp != NULL);
	CHECK_MSG(fg_write_speedscope(st, fp, o, &err) == 0, "%s", err.msg);
	fclose(fp);
	return buf;
}

static void
add(struct fg_stacks *st, const char *a, const char *b, uint64_t w)
{
	const char *fr[2] = { a, b };
	struct fg_error err = {0};

	CHECK(fg_stacks_add(st, fr, NULL, b != NULL ? 2 : 1, w, 0, &err) ==
	    0);
}

#define HAS(s, lit) CHECK_MSG(strstr((s), (lit)) != NULL, "no %s in:\n%s", \
	(lit), (s))

/* Hostile names, no sample log: the fallback profile. */
static struct fg_stacks *
hostile(void)
{
	struct fg_stacks *st = fg_stacks_new();

	add(st, "proc", "q\"uote", 5);
	add(st, "proc", "back\\slash", 7);
	add(st, "proc", "ctl\x01\x1f\t\r", 1);
	add(st, "proc", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\xa5", 2);
	add(st, "proc", "bad\xff", 3);
	add(st, "proc", "cut\xe2\x82", 4);
	add(st, "proc", "surrogate\xed\xa0\x80", 1);
	add(st, "proc", "overlong\xc0\x80", 1);
	add(st, "proc", "big\xf4\x90\x80\x80", 1);
	add(st, "proc", "del\x7f", 1);
	add(st, "other", NULL, 9);
	return st;
}

static void
test_escapes(void)
{
	struct fg_stacks *st = hostile();
	char *a, *b;

	add(st, "proc", "nl\n", 1);	/* not in the folded file of check.py */
	a = write_ss(st, NULL);
	HAS(a, "{\"name\":\"q\\\"uote\"}");
	HAS(a, "{\"name\":\"back\\\\slash\"}");
	HAS(a, "{\"name\":\"ctl\\u0001\\u001f\\t\\r\"}");
	HAS(a, "{\"name\":\"nl\\n\"}");
	HAS(a, "{\"name\":\"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\xa5\"}");
	HAS(a, "{\"name\":\"bad\\ufffd\"}");
	HAS(a, "{\"name\":\"cut\\ufffd\\ufffd\"}");
	HAS(a, "{\"name\":\"surrogate\\ufffd\\ufffd\\ufffd\"}");
	HAS(a, "{\"name\":\"overlong\\ufffd\\ufffd\"}");
	HAS(a, "{\"name\":\"big\\ufffd\\ufffd\\ufffd\\ufffd\"}");
	HAS(a, "{\"name\":\"del\x7f\"}");
	HAS(a, "\"$schema\":\"https://www.speedscope.app/"
	    "file-format-schema.json\"");
	HAS(a, "\"exporter\":\"cargo-flamegraph " FG_VERSION "\"");
	HAS(a, "\"name\":\"flamegraph\"");
	HAS(a, "\"name\":\"all samples\",\"unit\":\"none\","
	    "\"startValue\":0,\"endValue\":36,");
	HAS(a, "\"activeProfileIndex\":0");
	/* folded order: "other" first, then "proc;back\\slash" .. */
	HAS(a, "\"weights\":[9,7,3,1,2,1,4,1,1,1,5,1]}");
	b = write_ss(st, NULL);
	CHECK(strcmp(a, b) == 0);
	free(a);
	free(b);
	fg_stacks_free(st);
}

/* Which events count nanoseconds. */
static void
test_units(void)
{
	static const struct {
		const char *ev;
		const char *unit;
	} cases[] = {
		{ "cpu-clock", "nanoseconds" }, { "cpu-clock:ppp", "nanoseconds" },
		{ "task-clock", "nanoseconds" }, { "task-clock:u", "nanoseconds" },
		{ "event-1-0", "nanoseconds" }, { "cycles", "none" },
		{ "cpu-clocks", "none" }, { "instructions:u", "none" },
		{ NULL, "none" },
	};
	struct fg_speedscope_opts o;
	struct fg_stacks *st = fg_stacks_new();
	char want[64], *s;

	add(st, "p", "f", 3);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fg_speedscope_opts_init(&o);
		o.event = cases[i].ev;
		o.name = "rec \"x\"";
		s = write_ss(st, &o);
		snprintf(want, sizeof(want), "\"unit\":\"%s\"", cases[i].unit);
		CHECK_MSG(strstr(s, want) != NULL, "%s: want %s",
		    cases[i].ev ? cases[i].ev : "(none)", want);
		HAS(s, "\"name\":\"rec \\\"x\\\"\"");
		free(s);
	}
	fg_stacks_free(st);
}

/* A sample log of a `perf script` text: a profile per thread. */
static const char script[] =
    "app 100/100 [000] 10.000001000:     250000 cpu-clock:\n"
    "\t    1000 leaf+0x1 (/bin/app)\n"
    "\t    2000 main+0x2 (/bin/app)\n"
    "\n"
    "app 100/101 [001] 10.000002500:     250000 cpu-clock:\n"
    "\t    3000 other+0x1 (/bin/app)\n"
    "\n"
    "my \"worker\" 100/101 [001] 10.000003:     250000 cpu-clock:\n"
    "\t    1000 leaf+0x1 (/bin/app)\n"
    "\t    2000 main+0x2 (/bin/app)\n"
    "\n"
    "app 100/100 [000] 10.000004000:     250000 cpu-clock:\n"
    "\t    2000 main+0x2 (/bin/app)\n"
    "\n";

static void
test_threads(void)
{
	struct fg_stacks *st = fg_stacks_new();
	struct fg_error err = {0};
	char *s;

	fg_stacks_keep_samples(st);
	CHECK(fg_collapse_perf_mem(script, sizeof(script) - 1, NULL, NULL,
	    st, &err) == 0);
	s = write_ss(st, NULL);
	HAS(s, "{\"type\":\"sampled\",\"name\":\"app (tid 100)\","
	    "\"unit\":\"nanoseconds\",\"startValue\":9999751000,"
	    "\"endValue\":10000004000,\n\"samples\":[\n[0,1,2],\n[0,1]],\n"
	    "\"weights\":[250000,250000]}");
	/* a sample's period ends at its time; the thread is named by its
	   first sample's command */
	HAS(s, "\"name\":\"app (tid 101)\",\"unit\":\"nanoseconds\","
	    "\"startValue\":9999752500,\"endValue\":10000003000,\n"
	    "\"samples\":[\n[0,3],\n[4,1,2]],\n\"weights\":[250000,250000]}");
	HAS(s, "{\"name\":\"my_\\\"worker\\\"\"}");
	HAS(s, "\"activeProfileIndex\":0");
	free(s);
	fg_stacks_free(st);
}

/* unit.json and unit.folded for check.py. */
static void
leave_files(void)
{
	const char *dir = getenv("FG_BUILD_DIR");
	struct fg_stacks *st;
	struct fg_error err = {0};
	char path[4096];
	FILE *fp;

	if (dir == NULL)
		return;
	st = hostile();
	snprintf(path, sizeof(path), "%s/speedscope", dir);
	(void)mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/speedscope/unit.json", dir);
	CHECK((fp = fopen(path, "w")) != NULL);
	if (fp != NULL) {
		CHECK(fg_write_speedscope(st, fp, NULL, &err) == 0);
		CHECK(fclose(fp) == 0);
	}
	snprintf(path, sizeof(path), "%s/speedscope/unit.folded", dir);
	CHECK((fp = fopen(path, "w")) != NULL);
	if (fp != NULL) {
		CHECK(fg_stacks_write_folded(st, fp, &err) == 0);
		CHECK(fclose(fp) == 0);
	}
	fg_stacks_free(st);
}

int
main(void)
{
	test_escapes();
	test_units();
	test_threads();
	leave_files();
	return check_done("test_speedscope");
}
