/*
 * fuzz_render.c: libFuzzer target for the folded reader and the renderer.
 * The first input byte picks the path (a memory file, mapped, or a pipe,
 * streamed) and renderer options (reverse, flame chart with the line
 * order kept, no-sort, inverted, --base, minwidth 0, factor, hash); the
 * rest is folded text.  The SVG goes to a memory stream.
 */
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
	struct fg_folded_opts fo;
	struct fg_render_opts *ro;
	struct fg_stacks *st;
	struct fg_error err;
	unsigned char f;
	char *buf = NULL;
	size_t len = 0;
	FILE *fp;
	int fd = -1, fds[2];

	if (size == 0)
		return 0;
	f = data[0];
	data++;
	size--;
	if ((st = fg_stacks_new()) == NULL)
		return 0;
	if ((ro = fg_render_opts_new()) == NULL) {
		fg_stacks_free(st);
		return 0;
	}
	fg_folded_opts_init(&fo);
	fg_error_clear(&err);
	fo.keep_order = (f >> 2) & 1;
	if ((f & 1) && size < 60000 && pipe(fds) == 0) {
		/* a pipe holds 64 KB: write everything, then read */
		if (write(fds[1], data, size) == (ssize_t)size) {
			close(fds[1]);
			(void)fg_folded_read_fd(fds[0], "fuzz", &fo, st, &err);
		} else
			close(fds[1]);
		close(fds[0]);
	} else if ((fd = memfd_create("fuzz", 0)) != -1) {
		if (write(fd, data, size) == (ssize_t)size)
			(void)fg_folded_read_fd(fd, "fuzz", &fo, st, &err);
		close(fd);
	}
	if ((f >> 1) & 1)
		(void)fg_render_opts_set(ro, "reverse", NULL, &err);
	if ((f >> 2) & 1)
		(void)fg_render_opts_set(ro, "flamechart", NULL, &err);
	if ((f >> 3) & 1)
		(void)fg_render_opts_set(ro, "no-sort", NULL, &err);
	if ((f >> 4) & 1)
		(void)fg_render_opts_set(ro, "inverted", NULL, &err);
	if ((f >> 5) & 1)
		(void)fg_render_opts_set(ro, "base", "a", &err);
	if ((f >> 6) & 1)
		(void)fg_render_opts_set(ro, "minwidth", "0", &err);
	if ((f >> 7) & 1) {
		(void)fg_render_opts_set(ro, "factor", "0.37", &err);
		(void)fg_render_opts_set(ro, "hash", NULL, &err);
	}
	if ((fp = open_memstream(&buf, &len)) != NULL) {
		fg_error_clear(&err);
		(void)fg_render_svg(st, ro, fp, &err);
		fclose(fp);
		free(buf);
	}
	fg_render_opts_free(ro);
	fg_stacks_free(st);
	return 0;
}
