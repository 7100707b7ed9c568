/*
 * use.c: a consumer of the installed libflamegraph, built through
 * pkg-config by tests/lint/api-pkgconfig.sh and tests/package/run.sh.
 */
#include <flamegraph.h>
#include <stdio.h>
#include <string.h>

int
main(void)
{
	struct fg_error err;
	struct fg_stacks *st;
	const char *stack = "main;work;leaf";

	fg_error_clear(&err);
	if ((st = fg_stacks_new()) == NULL)
		return 1;
	if (fg_stacks_add_folded(st, stack, strlen(stack), 3, 0, &err) != 0 ||
	    fg_stacks_write_folded(st, stdout, &err) != 0) {
		fprintf(stderr, "use: %s\n", err.msg);
		fg_stacks_free(st);
		return 1;
	}
	fg_stacks_free(st);
	puts(fg_strerror(FG_ENOMEM));
	return 0;
}
