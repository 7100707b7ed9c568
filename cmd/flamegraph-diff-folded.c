/*
 * flamegraph-diff-folded: two folded-stack files (before, after) -> one
 * differential folded file, "stack BEFORE AFTER" per line, in folded
 * order, as inferno-diff-folded makes them.  --normalize scales the
 * before counts to the after total; --strip-hex turns "0x1f2e" into
 * "0x...".  Exit status: 0 written, 1 an error, 2 bad usage; SIGINT,
 * SIGTERM and SIGHUP end it with the signal (128 + its number), also
 * when started with SIGINT ignored, as the other programs.
 */
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "flamegraph.h"
#include "optmsg.h"

static const char *progname = "flamegraph-diff-folded";

static void
on_warn(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "%s: warning: %s\n", progname, msg);
}

static int
write_line(void *arg, const char *const *frames, const size_t *lens,
    size_t n, uint64_t w1, uint64_t w2)
{
	FILE *fp = arg;
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			putc(';', fp);
		fwrite(frames[i], 1, lens[i], fp);
	}
	fprintf(fp, " %llu %llu\n", (unsigned long long)w1,
	    (unsigned long long)w2);
	return ferror(fp) ? FG_EIO : 0;
}

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: %s [-n] [-s] BEFORE AFTER\n"
	    "Merge two folded-stack files into differential folded stacks "
	    "(\"stack BEFORE AFTER\").\n"
	    "  -n, --normalize   scale BEFORE's counts to AFTER's total\n"
	    "  -s, --strip-hex   replace hex numbers 0x1a2b by 0x...\n"
	    "  -h, --help        this help\n", progname);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "normalize", no_argument, NULL, 'n' },
		{ "strip-hex", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct fg_stacks *a = NULL, *b = NULL, *out = NULL;
	struct fg_folded_opts fo;
	struct fg_error err = { 0 };
	struct fg_diff_opts dopts;
	int ch, normalize = 0, strip = 0, r, status = 0;

	cleanup_install(NULL);	/* nothing to remove: die of the signal */
	while ((ch = getopt_long(argc, argv, ":nshV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			normalize = 1;
			break;
		case 's':
			strip = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("%s %s\n", progname, FG_VERSION);
			return 0;
		default: {	/* ':' and '?' */
			char m[256];
			fprintf(stderr, "%s: %s\n", progname,
			    optmsg(ch, argv, longopts, m, sizeof(m)));
			usage(stderr);
			return 2;
		}
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return 2;
	}
	if ((a = fg_stacks_new()) == NULL || (b = fg_stacks_new()) == NULL ||
	    (out = fg_stacks_new()) == NULL) {
		fprintf(stderr, "%s: out of memory\n", progname);
		status = 1;
		goto done;
	}
	fg_folded_opts_init(&fo);
	fo.warn.fn = on_warn;
	if ((r = fg_folded_read_file(argv[optind], &fo, a, &err)) != 0 ||
	    (r = fg_folded_read_file(argv[optind + 1], &fo, b, &err)) != 0) {
		fprintf(stderr, "%s: %s\n", progname, err.msg);
		status = 1;
		goto done;
	}
	fg_diff_opts_init(&dopts);
	dopts.normalize = normalize;
	dopts.strip_hex = strip;
	r = fg_diff_stacks(a, b, &dopts, out, &err);
	if (r == 0)
		r = fg_stacks_foreach_sorted(out, write_line, stdout, &err);
	if (r == 0 && (fflush(stdout) != 0 || ferror(stdout))) {
		fprintf(stderr, "%s: write: %s\n", progname, strerror(errno));
		status = 1;
	} else if (r != 0) {
		fprintf(stderr, "%s: %s\n", progname, err.msg[0] ? err.msg :
		    fg_strerror(r));
		status = 1;
	}
done:
	fg_stacks_free(a);
	fg_stacks_free(b);
	fg_stacks_free(out);
	return status;
}
