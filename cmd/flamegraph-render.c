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

/* One run: what the options said, and the output being written. */
struct run {
	struct option *longopts;
	size_t nown;
	struct fg_render_opts *ro;
	struct fg_stacks *st;
	struct fg_error err;
	struct warnstate ws;
	const char *output;	/* -o; NULL or "-": standard output */
	char *tmp;		/* the temporary file renamed to output */
	FILE *fp;
	int direct;		/* output is special: written in place */
	int keep_order;
};

/* Whether option c (of the table's render options) keeps input order. */
static int
keeps_order(const struct run *rn, int c)
{
	const char *name;

	if (c < RENDER_ARGS_FIRST)
		return 0;
	name = rn->longopts[c - RENDER_ARGS_FIRST + rn->nown].name;
	return strcmp(name, "flamechart") == 0 || strcmp(name, "no-sort") == 0;
}

#define OPT_COMPLETIONS 0x100	/* below RENDER_ARGS_FIRST */

/* --completions SHELL: the script from the option table; exit status. */
static int
completions(const struct run *rn, const char *shell)
{
	static const struct complete_values values[] = {
		{ "colors", COMPLETE_PALETTES },
		{ "palette", COMPLETE_PALETTES },
		{ "completions", COMPLETE_SHELLS },
		{ NULL, NULL }
	};
	struct complete_spec spec = { progname, NULL, ":o:hV", values, 0 };

	spec.longopts = rn->longopts;
	if (complete_print(stdout, shell, &spec) != 0) {
		fprintf(stderr, "%s: --completions %s: expected one of "
		    COMPLETE_SHELLS "\n", progname, shell);
		return 2;
	}
	return 0;
}

/* The command line: -1 to go on, else the exit status (help: 0). */
static int
parse_args(struct run *rn, int argc, char **argv)
{
	int c, r;

	while ((c = getopt_long(argc, argv, ":o:hV", rn->longopts,
	    NULL)) != -1) {
		switch (c) {
		case 'o':
			rn->output = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("%s %s\n", progname, FG_VERSION);
			return 0;
		case OPT_COMPLETIONS:
			return completions(rn, optarg);
		case ':':
		case '?': {
			char m[256];
			fprintf(stderr, "%s: %s\n", progname,
			    optmsg(c, argv, rn->longopts, m, sizeof(m)));
			usage(stderr);
			return 2;
		}
		default:
			if (keeps_order(rn, c))
				rn->keep_order = 1;
			r = render_args_apply(rn->ro, c, optarg, &rn->err);
			if (r == 1) {
				usage(stderr);
				return 2;
			}
			if (r != 0) {
				fprintf(stderr, "%s: %s\n", progname,
				    rn->err.msg);
				return 2;
			}
		}
	}
	return -1;
}

/* The folded stacks of the files (none: standard input): 0 or 1. */
static int
read_input(struct run *rn, int argc, char **argv)
{
	struct fg_folded_opts fo;
	int r, i;

	fg_folded_opts_init(&fo);
	fo.keep_order = rn->keep_order;
	fo.warn.fn = on_warn;
	fo.warn.arg = &rn->ws;
	if (optind == argc)
		r = fg_folded_read_file("-", &fo, rn->st, &rn->err);
	else
		for (r = 0, i = optind; i < argc && r == 0; i++)
			r = fg_folded_read_file(argv[i], &fo, rn->st,
			    &rn->err);
	if (r != 0) {
		fprintf(stderr, "%s: %s\n", progname, rn->err.msg);
		return 1;
	}
	if (rn->ws.n > MAX_WARNINGS)
		fprintf(stderr, "%s: warning: %lu more lines skipped\n",
		    progname, rn->ws.n - MAX_WARNINGS);
	return 0;
}

/* A temporary file beside rn->output, with the usual mode: 0 or 1. */
static int
open_temp(struct run *rn)
{
	mode_t um;
	int fd;

	if (asprintf(&rn->tmp, "%s.XXXXXX", rn->output) == -1) {
		fprintf(stderr, "%s: out of memory\n", progname);
		rn->tmp = NULL;
		return 1;
	}
	if ((fd = mkstemp(rn->tmp)) != -1)
		(void)cleanup_add(rn->tmp);
	if (fd == -1 || (rn->fp = fdopen(fd, "w")) == NULL) {
		fprintf(stderr, "%s: %s: %s\n", progname, rn->tmp,
		    strerror(errno));
		if (fd != -1) {
			close(fd);
			unlink(rn->tmp);
			cleanup_remove(rn->tmp);
		}
		free(rn->tmp);
		rn->tmp = NULL;
		return 1;
	}
	/* mkstemp makes 0600; give the graph the usual mode. */
	um = umask(022);
	umask(um);
	(void)fchmod(fd, 0666 & ~um);
	return 0;
}

/* Where the SVG goes: standard output, a special file, a temporary: 0/1. */
static int
open_output(struct run *rn)
{
	if (rn->output == NULL || strcmp(rn->output, "-") == 0)
		return 0;
	if (is_special(rn->output)) {
		/* /dev/null, a FIFO: written as it is, never renamed over */
		if ((rn->fp = fopen(rn->output, "w")) == NULL) {
			fprintf(stderr, "%s: %s: %s\n", progname, rn->output,
			    strerror(errno));
			rn->fp = stdout;
			return 1;
		}
		rn->direct = 1;
		return 0;
	}
	return open_temp(rn);
}

/*
 * Rename the temporary into place, or drop it: a failed run keeps an
 * existing graph; "no data" is only written where there was nothing.
 * r is the render's result; the exit status so far is returned updated.
 */
static int
commit_temp(struct run *rn, int r, int status)
{
	int keep = r == 0 || (r == FG_ENODATA &&
	    access(rn->output, F_OK) != 0);

	if (fclose(rn->fp) != 0) {
		fprintf(stderr, "%s: %s: %s\n", progname, rn->tmp,
		    strerror(errno));
		keep = 0;
		status = 1;
	}
	rn->fp = NULL;
	if (keep && rename(rn->tmp, rn->output) != 0) {
		fprintf(stderr, "%s: %s: %s\n", progname, rn->output,
		    strerror(errno));
		status = 1;
		keep = 0;
	}
	if (!keep)
		unlink(rn->tmp);
	cleanup_remove(rn->tmp);
	free(rn->tmp);
	rn->tmp = NULL;
	return status;
}

/* Draw and write the graph: the exit status. */
static int
write_graph(struct run *rn)
{
	int r, status = 0;

	r = fg_render_svg(rn->st, rn->ro, rn->fp, &rn->err);
	if (r == FG_ENODATA) {
		fprintf(stderr, "%s: no stack counts found\n", progname);
		status = 1;
	} else if (r != 0) {
		fprintf(stderr, "%s: %s\n", progname, rn->err.msg);
		status = 1;
	}
	if (fflush(rn->fp) != 0 || ferror(rn->fp)) {
		fprintf(stderr, "%s: write: %s\n", progname, strerror(errno));
		status = 1;
		r = FG_EIO;
	}
	if (rn->tmp != NULL)
		status = commit_temp(rn, r, status);
	return status;
}

/* The option table: ours, then the render options'.  0 or -1. */
static int
make_options(struct run *rn)
{
	static const struct option own[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ "completions", required_argument, NULL, OPT_COMPLETIONS },
	};

	rn->nown = sizeof(own) / sizeof(own[0]);
	if ((rn->longopts = calloc(rn->nown + render_args_count + 1,
	    sizeof(*rn->longopts))) == NULL)
		return -1;
	memcpy(rn->longopts, own, sizeof(own));
	memcpy(rn->longopts + rn->nown, render_args_options,
	    render_args_count * sizeof(*rn->longopts));
	return 0;
}

int
main(int argc, char **argv)
{
	struct run rn;
	int status;

	memset(&rn, 0, sizeof(rn));
	rn.fp = stdout;
	if (make_options(&rn) != 0 || (rn.ro = fg_render_opts_new()) == NULL ||
	    (rn.st = fg_stacks_new()) == NULL) {
		fprintf(stderr, "%s: out of memory\n", progname);
		return 1;
	}
	cleanup_install(NULL);
	fg_render_opts_tempfile(rn.ro, cleanup_hook());
	if ((status = parse_args(&rn, argc, argv)) < 0 &&
	    (status = read_input(&rn, argc, argv)) == 0 &&
	    (status = open_output(&rn)) == 0)
		status = write_graph(&rn);
	if (rn.direct && rn.fp != NULL && rn.fp != stdout &&
	    fclose(rn.fp) != 0 && status == 0) {
		fprintf(stderr, "%s: %s: %s\n", progname, rn.output,
		    strerror(errno));
		status = 1;
	}
	fg_stacks_free(rn.st);
	fg_render_opts_free(rn.ro);
	free(rn.longopts);
	return status;
}
