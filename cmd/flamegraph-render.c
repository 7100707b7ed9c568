/*
 * flamegraph-render: folded stacks (files or standard input) -> flame
 * graph SVG on standard output or, with -o, a file replaced atomically.
 * Exit status: 0 drawn, 1 no data (a valid SVG saying so is still
 * written) or an error, 2 bad usage; SIGINT, SIGTERM and SIGHUP remove
 * the temporary files (-o, --cp's palette file) and end the program with
 * the signal (a shell sees 128 + its number: 130 for Ctrl-C).
 */
#include <sys/stat.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "complete.h"
#include "flamegraph.h"
#include "optmsg.h"
#include "render_args.h"

#define MAX_WARNINGS 20

static const char *progname = "flamegraph-render";

struct warnstate {
	unsigned long n;
};

static void
on_warn(void *arg, const char *msg)
{
	struct warnstate *ws = arg;

	if (++ws->n <= MAX_WARNINGS)
		fprintf(stderr, "%s: warning: %s\n", progname, msg);
}

/* Whether path is something other than a regular file (/dev/null). */
static int
is_special(const char *path)
{
	struct stat sb;

	return stat(path, &sb) == 0 && !S_ISREG(sb.st_mode);
}

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: %s [-o FILE] [OPTIONS] [FILE ...]\n"
	    "Draw folded stacks (\"a;b;c COUNT\" lines; \"- \" or none: standard "
	    "input) as a flame graph SVG.\n"
	    "  -o, --output FILE        write FILE (atomically) instead of "
	    "standard output\n"
	    "  -h, --help               this help\n"
	    "  -V, --version            the version\n"
	    "      --completions SHELL  print the bash, zsh or fish completion "
	    "script\n", progname);
	render_args_usage(fp);
}

int
main(int argc, char **argv)
{
	static const struct option own[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "completions", required_argument, NULL, 0x100 },
	};
	static const struct complete_values values[] = {
		{ "colors", COMPLETE_PALETTES },
		{ "palette", COMPLETE_PALETTES },
		{ "completions", COMPLETE_SHELLS },
		{ NULL, NULL }
	};
	struct complete_spec spec = { progname, NULL, ":o:hV", values, 0 };
	struct option *longopts;
	struct fg_render_opts *ro;
	struct fg_folded_opts fo;
	struct fg_stacks *st;
	struct fg_error err = { 0 };
	struct warnstate ws = { 0 };
	const char *output = NULL;
	char *tmp = NULL;
	FILE *fp = stdout;
	int direct = 0;
	size_t nown = sizeof(own) / sizeof(own[0]);
	int c, r, i, fd, status = 0, keep_order = 0;

	if ((longopts = calloc(nown + render_args_count + 1,
	    sizeof(*longopts))) == NULL ||
	    (ro = fg_render_opts_new()) == NULL ||
	    (st = fg_stacks_new()) == NULL) {
		fprintf(stderr, "%s: out of memory\n", progname);
		return 1;
	}
	cleanup_install(NULL);
	fg_render_opts_tempfile(ro, cleanup_hook());
	memcpy(longopts, own, sizeof(own));
	memcpy(longopts + nown, render_args_options,
	    render_args_count * sizeof(*longopts));
	while ((c = getopt_long(argc, argv, ":o:hV", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			output = optarg;
			break;
		case 'h':
			usage(stdout);
			goto done;
		case 'V':
			printf("%s %s\n", progname, FG_VERSION);
			goto done;
		case 0x100:	/* --completions SHELL */
			spec.longopts = longopts;
			if (complete_print(stdout, optarg, &spec) != 0) {
				fprintf(stderr, "%s: --completions %s: expected "
				    "one of " COMPLETE_SHELLS "\n", progname,
				    optarg);
				status = 2;
			}
			goto done;
		case ':':
		case '?': {
			char m[256];
			fprintf(stderr, "%s: %s\n", progname,
			    optmsg(c, argv, longopts, m, sizeof(m)));
			usage(stderr);
			status = 2;
			goto done;
		}
		default:
			if (c >= RENDER_ARGS_FIRST && (strcmp(longopts[c -
			    RENDER_ARGS_FIRST + nown].name, "flamechart") == 0 ||
			    strcmp(longopts[c - RENDER_ARGS_FIRST + nown].name,
			    "no-sort") == 0))
				keep_order = 1;
			r = render_args_apply(ro, c, optarg, &err);
			if (r == 1) {
				usage(stderr);
				status = 2;
				goto done;
			}
			if (r != 0) {
				fprintf(stderr, "%s: %s\n", progname, err.msg);
				status = 2;
				goto done;
			}
		}
	}
	fg_folded_opts_init(&fo);
	fo.keep_order = keep_order;
	fo.warn.fn = on_warn;
	fo.warn.arg = &ws;
	if (optind == argc)
		r = fg_folded_read_file("-", &fo, st, &err);
	else
		for (r = 0, i = optind; i < argc && r == 0; i++)
			r = fg_folded_read_file(argv[i], &fo, st, &err);
	if (r != 0) {
		fprintf(stderr, "%s: %s\n", progname, err.msg);
		status = 1;
		goto done;
	}
	if (ws.n > MAX_WARNINGS)
		fprintf(stderr, "%s: warning: %lu more lines skipped\n",
		    progname, ws.n - MAX_WARNINGS);

	if (output != NULL && strcmp(output, "-") != 0 &&
	    is_special(output)) {
		/* /dev/null, a FIFO: written as it is, never renamed over */
		if ((fp = fopen(output, "w")) == NULL) {
			fprintf(stderr, "%s: %s: %s\n", progname, output,
			    strerror(errno));
			status = 1;
			goto done;
		}
		direct = 1;
	} else if (output != NULL && strcmp(output, "-") != 0) {
		if (asprintf(&tmp, "%s.XXXXXX", output) == -1) {
			fprintf(stderr, "%s: out of memory\n", progname);
			tmp = NULL;
			status = 1;
			goto done;
		}
		if ((fd = mkstemp(tmp)) != -1)
			(void)cleanup_add(tmp);
		if (fd == -1 || (fp = fdopen(fd, "w")) == NULL) {
			fprintf(stderr, "%s: %s: %s\n", progname, tmp,
			    strerror(errno));
			if (fd != -1) {
				close(fd);
				unlink(tmp);
				cleanup_remove(tmp);
			}
			free(tmp);
			status = 1;
			goto done;
		}
		{
			/* mkstemp makes 0600; give the graph the usual mode. */
			mode_t um = umask(022);
			umask(um);
			(void)fchmod(fd, 0666 & ~um);
		}
	}
	r = fg_render_svg(st, ro, fp, &err);
	if (r == FG_ENODATA) {
		fprintf(stderr, "%s: no stack counts found\n", progname);
		status = 1;
	} else if (r != 0) {
		fprintf(stderr, "%s: %s\n", progname, err.msg);
		status = 1;
	}
	if (fflush(fp) != 0 || ferror(fp)) {
		fprintf(stderr, "%s: write: %s\n", progname, strerror(errno));
		status = 1;
		r = FG_EIO;
	}
	if (tmp != NULL) {
		/* A failed run keeps an existing graph; "no data" is only
		 * written where there was nothing. */
		int keep = r == 0 || (r == FG_ENODATA &&
		    access(output, F_OK) != 0);
		if (fclose(fp) != 0) {
			fprintf(stderr, "%s: %s: %s\n", progname, tmp,
			    strerror(errno));
			keep = 0;
			status = 1;
		}
		if (keep && rename(tmp, output) != 0) {
			fprintf(stderr, "%s: %s: %s\n", progname, output,
			    strerror(errno));
			status = 1;
			keep = 0;
		}
		if (!keep)
			unlink(tmp);
		cleanup_remove(tmp);
		free(tmp);
	}
done:
	if (direct && fp != NULL && fp != stdout && fclose(fp) != 0 &&
	    status == 0) {
		fprintf(stderr, "%s: %s: %s\n", progname, output,
		    strerror(errno));
		status = 1;
	}
	fg_stacks_free(st);
	fg_render_opts_free(ro);
	free(longopts);
	return status;
}
