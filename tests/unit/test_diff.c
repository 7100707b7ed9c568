/*
 * test_diff.c: unit tests of lib/diff.c: combining two profiles (plain
 * and differential sides, normalised or not), the functions whose share
 * changed most (recursion counted once per stack, order, ties, the
 * limit) and the share of a pattern.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flamegraph.h"
#include "check.h"

static struct fg_stacks *
model(const char *const *lines)
{
	struct fg_stacks *st = fg_stacks_new();
	struct fg_error err = {0};

	CHECK(st != NULL);
	for (; *lines != NULL; lines += 3)
		CHECK(fg_stacks_add_folded(st, lines[0], strlen(lines[0]),
		    strtoull(lines[1], NULL, 10), strtoull(lines[2], NULL, 10),
		    &err) == 0);
	return st;
}

static int
near(double a, double b)
{
	return fabs(a - b) < 1e-9;
}

static void
test_combine(void)
{
	static const char *const before[] = { "m;a", "10", "0", "m;b", "30",
		"0", "m;0x1f", "5", "0", NULL };
	static const char *const after[] = { "m;a", "40", "0", "m;c", "40",
		"0", NULL };
	/* a differential after: its second column counts */
	static const char *const dafter[] = { "m;a", "7", "40", "m;c", "1",
		"40", NULL };
	struct fg_stacks *b = model(before), *a = model(after),
	    *da = model(dafter), *o;
	struct fg_diff_opts dopts;
	struct fg_error err = {0};
	char *s;

	CHECK_EQ_INT(fg_diff_total(b), 45);
	CHECK_EQ_INT(fg_diff_total(da), 80);
	fg_diff_opts_init(&dopts);
	o = fg_stacks_new();
	CHECK(fg_diff_stacks(b, a, &dopts, o, &err) == 0);
	s = check_folded(o);
	CHECK_STR(s, "m;0x1f 5 0\nm;a 10 40\nm;b 30 0\nm;c 0 40\n");
	free(s);
	fg_stacks_free(o);

	dopts.normalize = 1;	/* 80 / 45 */
	dopts.strip_hex = 1;
	o = fg_stacks_new();
	CHECK(fg_diff_stacks(b, da, &dopts, o, &err) == 0);
	s = check_folded(o);
	CHECK_STR(s, "m;0x... 8 0\nm;a 17 40\nm;b 53 0\nm;c 0 40\n");
	free(s);
	fg_stacks_free(o);
	fg_stacks_free(b);
	fg_stacks_free(a);
	fg_stacks_free(da);
}

static void
test_changes(void)
{
	/* before total 100, after total 200 */
	static const char *const lines[] = {
		"m;f;f;f", "20", "100",	/* f: 20% -> 50%, counted once */
		"m;g", "50", "40",	/* g: 50% -> 20% */
		"m;h", "30", "60",	/* h: 30% -> 30% */
		"m;y", "0", "0",
		NULL };
	struct fg_stacks *d = model(lines);
	struct fg_diff_change g[5], s[5];
	struct fg_error err = {0};
	size_t ng, ns;
	double b, a;

	CHECK(fg_diff_changes(d, 5, g, &ng, s, &ns, &err) == 0);
	CHECK_EQ_INT(ng, 1);
	CHECK_EQ_INT(ns, 1);
	CHECK_STR(g[0].name, "f");
	CHECK(near(g[0].before, 20) && near(g[0].after, 50));
	CHECK_STR(s[0].name, "g");
	CHECK(near(s[0].before, 50) && near(s[0].after, 20));
	CHECK(fg_diff_changes(d, 0, g, &ng, s, &ns, &err) == 0);
	CHECK_EQ_INT(ng + ns, 0);

	CHECK(fg_diff_share(d, "f", &b, &a, &err) == 0);
	CHECK(near(b, 20) && near(a, 50));
	CHECK(fg_diff_share(d, "m", &b, &a, &err) == 0);	/* every stack */
	CHECK(near(b, 100) && near(a, 100));
	CHECK(fg_diff_share(d, "nothing", &b, &a, &err) == 0);
	CHECK(near(b, 0) && near(a, 0));
	fg_stacks_free(d);
}

static void
test_order(void)
{
	/* equal growth: by name; more growth first */
	static const char *const lines[] = {
		"r;b", "10", "20", "r;a", "10", "20", "r;c", "10", "40",
		"r;z", "70", "20", NULL };
	struct fg_stacks *d = model(lines);
	struct fg_diff_change g[2], s[2];
	struct fg_error err = {0};
	size_t ng, ns;

	CHECK(fg_diff_changes(d, 2, g, &ng, s, &ns, &err) == 0);
	CHECK_EQ_INT(ng, 2);
	CHECK_STR(g[0].name, "c");
	CHECK_STR(g[1].name, "a");
	CHECK_EQ_INT(ns, 1);
	CHECK_STR(s[0].name, "z");
	fg_stacks_free(d);
}

int
main(void)
{
	test_combine();
	test_changes();
	test_order();
	return check_done("test_diff");
}
