/*
 * fuzz_collapse.c: libFuzzer target for the perf-script collapser.  The
 * first input byte picks options (pid, tid, kernel, jit, addrs, one
 * thread or two, a skip-after name); the rest is perf script text given
 * to fg_collapse_perf_mem.  The result is also written out as folded text
 * so the sorted writer runs over whatever the parser produced.
 */
#include <stdint.h>
#include <stdio.h>

#include "flamegraph.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const skips[] = { "main", "[unknown]" };
	struct fg_collapse_opts o;
	struct fg_stacks *st;
	struct fg_error err;
	unsigned char f;
	FILE *fp;

	if (size == 0)
		return 0;
	f = data[0];
	fg_collapse_opts_init(&o);
	o.naming.pid = f & 1;
	o.naming.tid = (f >> 1) & 1;
	o.naming.kernel = (f >> 2) & 1;
	o.naming.jit = (f >> 3) & 1;
	o.naming.addrs = (f >> 4) & 1;
	o.nthreads = (f >> 5) & 1 ? 2 : 1;
	if ((f >> 6) & 1) {
		o.naming.skip_after = skips;
		o.naming.nskip_after = 2;
	}
	if ((f >> 7) & 1)
		o.naming.event_filter = "cycles";
	if ((st = fg_stacks_new()) == NULL)
		return 0;
	fg_error_clear(&err);
	if (fg_collapse_perf_mem((const char *)data + 1, size - 1, "fuzz", &o,
	    st, &err) == 0 && (fp = fopen("/dev/null", "w")) != NULL) {
		fg_stacks_write_folded(st, fp, &err);
		fclose(fp);
	}
	fg_stacks_free(st);
	return 0;
}
