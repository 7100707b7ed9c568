/*
 * fuzz_perfdata.c: libFuzzer target for the perf.data reader.  Any input
 * must be read or rejected with an error, never crash or read out of
 * bounds.  Seed it with small real recordings (perf record -e cpu-clock:u
 * --call-graph fp, with and without -z).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "flamegraph.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fg_perfdata_opts o;
	struct fg_error err;
	struct fg_stacks *st;
	uint8_t *copy;

	/* The reader expects 8-aligned records, as a mapped file gives. */
	if ((copy = malloc(size ? size : 1)) == NULL)
		return 0;
	memcpy(copy, data, size);
	if ((st = fg_stacks_new()) == NULL) {
		free(copy);
		return 0;
	}
	fg_perfdata_opts_init(&o);
	o.no_inline = size & 1;
	fg_error_clear(&err);
	(void)fg_perfdata_read_mem(copy, size, "fuzz", &o, st, &err);
	fg_stacks_free(st);
	free(copy);
	return 0;
}
