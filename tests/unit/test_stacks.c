/*
 * test_stacks.c: unit tests of the stacks model: interning, merging of
 * equal stacks, folded order, overflow refusal, merge of two models.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flamegraph.h"
#include "stacks.h"
#include "check.h"

static void
test_basic(void)
{
	struct fg_stacks *st = fg_stacks_new();
	struct fg_error err = {0};
	const char *a[] = { "main", "work", "leaf" };
	char *out;

	CHECK(fg_stacks_add(st, a, NULL, 3, 5, 0, &err) == 0);
	CHECK(fg_stacks_add_folded(st, "main;work;leaf", 14, 2, 0, &err) == 0);
	CHECK(fg_stacks_add_folded(st, "main;work", 9, 1, 0, &err) == 0);
	CHECK(fg_stacks_add_folded(st, "main;work 2;x", 13, 1, 0, &err) == 0);
	CHECK(fg_stacks_add_folded(st, "main;a", 6, 1, 0, &err) == 0);
	CHECK(fg_stacks_count(st) == 4);
	CHECK(fg_stacks_nframes(st) == 6);
	CHECK(fg_stacks_total(st) == 10);
	out = check_folded(st);
	/* byte order of whole lines: ' ' < ';' so "main;work 2" first */
	CHECK(strcmp(out, "main;a 1\nmain;work 1\nmain;work 2;x 1\n"
	    "main;work;leaf 7\n") == 0 ||
	    (fprintf(stderr, "got:\n%s", out), 0));
	free(out);
	fg_stacks_free(st);
}

static void
test_order_prefix(void)
{
	struct fg_stacks *st = fg_stacks_new();
	struct fg_error err = {0};
	char *out;

	/* "ab" vs "a;b": ';' (0x3b) < 'b' so "a;b" sorts first. */
	CHECK(fg_stacks_add_folded(st, "ab", 2, 1, 0, &err) == 0);
	CHECK(fg_stacks_add_folded(st, "a;b", 3, 1, 0, &err) == 0);
	CHECK(fg_stacks_add_folded(st, "a", 1, 1, 0, &err) == 0);
	CHECK(fg_stacks_add_folded(st, "a:", 2, 1, 0, &err) == 0);
	CHECK(fg_stacks_add_folded(st, "a;", 2, 1, 0, &err) == 0);
	out = check_folded(st);
	CHECK(strcmp(out, "a 1\na: 1\na; 1\na;b 1\nab 1\n") == 0 ||
	    (fprintf(stderr, "got:\n%s", out), 0));
	free(out);
	fg_stacks_free(st);
}

static void
test_overflow(void)
{
	struct fg_stacks *st = fg_stacks_new();
	struct fg_error err = {0};

	CHECK(fg_stacks_add_folded(st, "a", 1, UINT64_MAX - 1, 0, &err) == 0);
	CHECK(fg_stacks_add_folded(st, "b", 1, 2, 0, &err) == FG_EOVERFLOW);
	CHECK(err.code == FG_EOVERFLOW && err.msg[0] != '\0');
	CHECK(fg_stacks_total(st) == UINT64_MAX - 1);
	CHECK(fg_stacks_count(st) == 1);
	fg_stacks_free(st);
}

static void
test_many_and_merge(void)
{
	struct fg_stacks *a = fg_stacks_new(), *b = fg_stacks_new();
	struct fg_error err = {0};
	char name[64];
	int i;

	for (i = 0; i < 50000; i++) {
		int n = snprintf(name, sizeof(name), "root;f%d;g%d", i % 977,
		    i);
		CHECK(fg_stacks_add_folded(i % 2 ? a : b, name, (size_t)n, 1,
		    0, &err) == 0);
	}
	CHECK(fg_stacks_merge(a, b, &err) == 0);
	CHECK(fg_stacks_count(a) == 50000);
	CHECK(fg_stacks_total(a) == 50000);
	CHECK(fg_stacks_merge(a, b, &err) == 0);
	CHECK(fg_stacks_count(a) == 50000);
	CHECK(fg_stacks_total(a) == 75000);
	fg_stacks_free(a);
	fg_stacks_free(b);
	fg_stacks_free(NULL);
}

static void
test_differential(void)
{
	struct fg_stacks *st = fg_stacks_new();
	struct fg_error err = {0};
	char *out;

	CHECK(fg_stacks_add_folded(st, "a;b", 3, 1, 4, &err) == 0);
	CHECK(fg_stacks_differential(st));
	out = check_folded(st);
	CHECK(strcmp(out, "a;b 1 4\n") == 0);
	free(out);
	fg_stacks_free(st);
}

int
main(void)
{
	test_basic();
	test_order_prefix();
	test_overflow();
	test_many_and_merge();
	test_differential();
	return check_done("test_stacks");
}
