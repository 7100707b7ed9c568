/*
 * fuzz_perfdata.c: libFuzzer target for the perf.data reader.  Any input
 * must be read or rejected with an error, never crash or read out of
 * bounds.  The reader looks at nothing but the input (recording_only: no
 * ELF, debug or kallsyms file of this machine), so that an input gives
 * the same run everywhere and runs fast.  Seeds: tests/fuzz/corpus/
 * perfdata/, made by tests/fuzz/make-corpus.py.  One input in four is
 * also read as a file (through a memfd), the path with pread, big
 * samples read in parts and the reader thread.
 */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <sys/mman.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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
	/* the input alone: no file of this machine is read */
	o.recording_only = 1;
	o.buildid_dir = "";
	o.cache_dir = "";
	o.naming.no_inline = size & 1;
	fg_error_clear(&err);
	(void)fg_perfdata_read_mem(copy, size, "fuzz", &o, st, &err);
	fg_stacks_free(st);
	if ((size & 6) == 6 && (st = fg_stacks_new()) != NULL) {
		int fd = memfd_create("fuzz", MFD_CLOEXEC);
		char path[64];

		if (fd >= 0 && write(fd, data, size) == (ssize_t)size) {
			snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
			fg_error_clear(&err);
			(void)fg_perfdata_read_file(path, &o, st, &err);
		}
		if (fd >= 0)
			close(fd);
		fg_stacks_free(st);
	}
	free(copy);
	return 0;
}
