/*
 * collapse_cli.c: the shared main of flamegraph-collapse-perf and
 * flamegraph-collapse-perfdata (see collapse_cli.h).  Warnings go to
 * stderr prefixed with the program's name, the first ten in full and the
 * rest as a count.  SIGINT, SIGTERM and SIGHUP while reading raise the
 * library's cancel flag and the program exits with 128 + the signal (130
 * for Ctrl-C) after saying so; later (writing the output) they end it at
 * once with the signal (cleanup.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "collapse_cli.h"
#include "complete.h"
#include "flamegraph.h"
#include "optmsg.h"

#define WARN_SHOWN 10

static fg_cancel_flag cancel;
static volatile sig_atomic_t reading;	/* a signal cancels, not kills */
static volatile sig_atomic_t got_signal;

struct warnstate {
	const char *prog;
	unsigned long n;
	int quiet;
};

static void
on_signal(int sig)
{
	if (!reading)
		cleanup_die(sig);
	got_signal = sig;
	cancel = 1;
}

static void
on_warn(void *arg, const char *msg)
{
	struct warnstate *w = arg;

	if (w->quiet)
		return;
	if (w->n++ < WARN_SHOWN)
		fprintf(stderr, "%s: %s\n", w->prog, msg);
}

static void
usage(FILE *fp, const char *prog, enum collapse_source src)
{
	fprintf(fp, "usage: %s [OPTIONS] [INFILE]\n", prog);
	if (src == COLLAPSE_PERF_SCRIPT)
		fputs(
"Collapse `perf script` output into folded stacks (one \"a;b;c COUNT\" line\n"
"per unique stack) on standard output; INFILE \"-\" or none is stdin.\n", fp);
	else
		fputs(
"Read a perf.data recording (default ./perf.data) and write its folded\n"
"stacks (one \"a;b;c COUNT\" line per unique stack) on standard output.\n",
		    fp);
	fputs("\n"
"  --pid                 append the PID to the process name\n"
"  --tid                 append PID/TID to the process name\n"
"  --kernel              annotate kernel functions with _[k]\n"
"  --jit                 annotate JIT functions with _[j]\n"
"  --all                 --kernel and --jit\n"
"  --addrs               keep raw addresses where symbols are missing\n",
	    fp);
	if (src == COLLAPSE_PERFDATA)
		fputs(
"  --no-inline           no frames for inlined functions\n", fp);
	fputs(
"  --event-filter EVENT  only samples of EVENT (default: the first seen)\n"
"  --skip-after FUNC     drop the frames below FUNC (repeatable)\n"
"  --format FORMAT       folded (the default), speedscope (JSON, one profile\n"
"                        per thread, for https://www.speedscope.app) or\n"
"                        pprof (gzipped profile.proto)\n", fp);
	if (src == COLLAPSE_PERF_SCRIPT)
		fputs(
"  -n, --nthreads N      threads to use (default: up to 2)\n", fp);
	fputs(
"  -q, --quiet           no warnings\n"
"  -h, --help            this help\n"
"  -V, --version         the version\n"
"  --completions SHELL   print the bash, zsh or fish completion script\n", fp);
}

enum {
	OPT_PID = 256, OPT_TID, OPT_KERNEL, OPT_JIT, OPT_ALL, OPT_ADDRS,
	OPT_COMPLETIONS,
	OPT_EVENT, OPT_SKIP, OPT_NOINLINE,
	OPT_FORMAT
};

/* The options both readers understand, as parsed. */
struct naming {
	struct fg_naming_opts o;	/* o.skip_after is skips */
	const char **skips;
	unsigned nthreads;
};

static int
read_stacks(enum collapse_source src, const char *path,
    const struct naming *nm, struct fg_warn warn, struct fg_stacks *st,
    struct fg_error *err)
{
	struct fg_collapse_opts co;
	struct fg_perfdata_opts po;
	int fd = STDIN_FILENO, r;

	if (src == COLLAPSE_PERFDATA) {
		fg_perfdata_opts_init(&po);
		po.naming = nm->o;
		po.cancel = &cancel;
		po.warn = warn;
		return fg_perfdata_read_file(path, &po, st, err);
	}
	fg_collapse_opts_init(&co);
	co.naming = nm->o;
	co.nthreads = nm->nthreads;
	co.cancel = &cancel;
	co.warn = warn;
	if (strcmp(path, "-") != 0 &&
	    (fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		snprintf(err->msg, sizeof(err->msg), "%s: %s", path,
		    strerror(errno));
		err->code = FG_EIO;
		return FG_EIO;
	}
	r = fg_collapse_perf_fd(fd, "perf script", &co, st, err);
	if (fd != STDIN_FILENO)
		close(fd);
	return r;
}

static const struct option longopts[] = {
	{ "pid", no_argument, NULL, OPT_PID },
	{ "tid", no_argument, NULL, OPT_TID },
	{ "kernel", no_argument, NULL, OPT_KERNEL },
	{ "jit", no_argument, NULL, OPT_JIT },
	{ "all", no_argument, NULL, OPT_ALL },
	{ "addrs", no_argument, NULL, OPT_ADDRS },
	{ "no-inline", no_argument, NULL, OPT_NOINLINE },
	{ "event-filter", required_argument, NULL, OPT_EVENT },
	{ "skip-after", required_argument, NULL, OPT_SKIP },
	{ "nthreads", required_argument, NULL, 'n' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ "completions", required_argument, NULL, OPT_COMPLETIONS },
	{ "format", required_argument, NULL, OPT_FORMAT },
	{ NULL, 0, NULL, 0 }
};

/* The command line, as parsed. */
struct args {
	const char *prog;
	enum collapse_source src;
	const char *path;
	struct naming nm;
	struct warnstate ws;
	int speedscope;		/* --format speedscope */
	int pprof;		/* --format pprof */
};

/* What parsing says: go on, or exit with a status (after the usage). */
enum { ARGS_OK = -1, ARGS_USAGE = -2 };

/* The naming flags: set a field to 1. */
static int
naming_flag(struct naming *nm, int ch)
{
	switch (ch) {
	case OPT_PID: nm->o.pid = 1; return 1;
	case OPT_TID: nm->o.tid = 1; return 1;
	case OPT_KERNEL: nm->o.kernel = 1; return 1;
	case OPT_JIT: nm->o.jit = 1; return 1;
	case OPT_ALL: nm->o.kernel = nm->o.jit = 1; return 1;
	case OPT_ADDRS: nm->o.addrs = 1; return 1;
	}
	return 0;
}

/*
 * --completions SHELL: the script from longopts, less the other
 * collapser's own option.  The exit status.
 */
static int
completions(const struct args *a, const char *shell)
{
	static const struct complete_values values[] = {
		{ "completions", COMPLETE_SHELLS },
		{ "format", "folded speedscope pprof" }, { NULL, NULL } };
	const char *other = a->src == COLLAPSE_PERFDATA ? "nthreads" :
	    "no-inline";
	struct option mine[sizeof(longopts) / sizeof(longopts[0])];
	struct complete_spec spec;
	size_t k = 0;

	for (const struct option *o = longopts; o->name != NULL; o++)
		if (strcmp(o->name, other) != 0)
			mine[k++] = *o;
	memset(&mine[k], 0, sizeof(mine[k]));
	spec.prog = a->prog;
	spec.longopts = mine;
	spec.shorts = a->src == COLLAPSE_PERFDATA ? "qvhV" : "n:qvhV";
	spec.values = values;
	spec.command = 0;
	if (complete_print(stdout, shell, &spec) != 0) {
		fprintf(stderr, "%s: --completions %s: expected one of "
		    COMPLETE_SHELLS "\n", a->prog, shell);
		return 2;
	}
	return 0;
}

/* One option: ARGS_OK, ARGS_USAGE, or an exit status. */
static int
args_one(struct args *a, int ch, char **argv)
{
	const char *errstr;

	if (naming_flag(&a->nm, ch))
		return ARGS_OK;
	switch (ch) {
	case OPT_NOINLINE:
		if (a->src != COLLAPSE_PERFDATA) {	/* perf script inlines */
			fprintf(stderr, "%s: --no-inline is an option of "
			    "flamegraph-collapse-perfdata\n", a->prog);
			return ARGS_USAGE;
		}
		a->nm.o.no_inline = 1;
		return ARGS_OK;
	case OPT_EVENT: a->nm.o.event_filter = optarg; return ARGS_OK;
	case OPT_SKIP: a->nm.skips[a->nm.o.nskip_after++] = optarg; return ARGS_OK;
	case 'n':
		if (a->src != COLLAPSE_PERF_SCRIPT) {
			fprintf(stderr, "%s: -n/--nthreads is an option of "
			    "flamegraph-collapse-perf\n", a->prog);
			return ARGS_USAGE;
		}
		a->nm.nthreads = (unsigned)strtonum(optarg, 1, 1024, &errstr);
		if (errstr != NULL) {
			fprintf(stderr, "%s: --nthreads %s: %s\n", a->prog,
			    optarg, errstr);
			return 1;
		}
		return ARGS_OK;
	case 'q': a->ws.quiet = 1; return ARGS_OK;
	case 'v': return ARGS_OK;
	case 'h':
		usage(stdout, a->prog, a->src);
		return 0;
	case 'V':
		printf("%s %s\n", a->prog, FG_VERSION);
		return 0;
	case OPT_COMPLETIONS:
		return completions(a, optarg);
	case OPT_FORMAT:
		if (strcmp(optarg, "folded") != 0 &&
		    strcmp(optarg, "speedscope") != 0 &&
		    strcmp(optarg, "pprof") != 0) {
			fprintf(stderr, "%s: --format %s: expected folded, "
			    "speedscope or pprof\n", a->prog, optarg);
			return ARGS_USAGE;
		}
		a->speedscope = strcmp(optarg, "speedscope") == 0;
		a->pprof = strcmp(optarg, "pprof") == 0;
		return ARGS_OK;
	}
	{	/* ':' and '?' */
		char m[256];
		fprintf(stderr, "%s: %s\n", a->prog, optmsg(ch, argv, longopts,
		    m, sizeof(m)));
	}
	return ARGS_USAGE;
}

/* argv into a: ARGS_OK, ARGS_USAGE, or an exit status. */
static int
args_parse(struct args *a, int argc, char **argv)
{
	int ch, r;

	while ((ch = getopt_long(argc, argv, ":n:qvhV", longopts, NULL)) != -1)
		if ((r = args_one(a, ch, argv)) != ARGS_OK)
			return r;
	argc -= optind;
	argv += optind;
	if (argc > 1) {
		fprintf(stderr, "%s: one input at most (%s, %s)\n", a->prog,
		    argv[0], argv[1]);
		return ARGS_USAGE;
	}
	if (argc == 1)
		a->path = argv[0];
	return ARGS_OK;
}

/* The stacks on standard output in the --format asked for. */
static int
write_output(const struct args *a, const struct fg_stacks *st,
    struct fg_error *err)
{
	struct fg_speedscope_opts so;

	if (a->pprof)
		return fg_write_pprof(st, stdout, NULL, err);
	if (!a->speedscope)
		return fg_stacks_write_folded(st, stdout, err);
	fg_speedscope_opts_init(&so);
	so.name = strcmp(a->path, "-") == 0 ? "stdin" : a->path;
	return fg_write_speedscope(st, stdout, &so, err);
}

/*
 * Read the stacks (cancellable) and write them folded, as a speedscope
 * file or as a pprof profile (these two with the sample log, for their
 * threads): the exit status.
 */
static int
collapse_run(struct args *a)
{
	struct fg_warn warn = { on_warn, &a->ws };
	struct fg_error err;
	struct fg_stacks *st;
	int r, status = 1;

	fg_error_clear(&err);
	if (a->pprof && isatty(STDOUT_FILENO)) {
		fprintf(stderr, "%s: --format pprof: standard output is a "
		    "terminal (redirect it to a file)\n", a->prog);
		return 1;
	}
	reading = 1;
	cleanup_install(on_signal);
	if ((st = fg_stacks_new()) == NULL) {
		fprintf(stderr, "%s: out of memory\n", a->prog);
		return 1;
	}
	if (a->speedscope || a->pprof)
		fg_stacks_keep_samples(st);
	r = read_stacks(a->src, a->path, &a->nm, warn, st, &err);
	reading = 0;
	if (got_signal) {	/* whatever r says: the user stopped it */
		fprintf(stderr, "%s: interrupted\n", a->prog);
		fg_stacks_free(st);
		return 128 + got_signal;
	}
	if (a->ws.n > WARN_SHOWN)
		fprintf(stderr, "%s: %s%lu more warnings\n", a->prog,
		    a->src == COLLAPSE_PERF_SCRIPT ? "perf script: " : "",
		    a->ws.n - WARN_SHOWN);
	if (r != 0)
		fprintf(stderr, "%s: %s\n", a->prog, err.msg);
	else if (write_output(a, st, &err) != 0 ||
	    fflush(stdout) != 0 || ferror(stdout))
		fprintf(stderr, "%s: standard output: %s\n", a->prog,
		    err.code ? err.msg : strerror(errno));
	else
		status = 0;
	fg_stacks_free(st);
	return status;
}

int
collapse_cli_main(int argc, char *argv[], enum collapse_source src)
{
	struct args a;
	int status;

	memset(&a, 0, sizeof(a));
	a.src = src;
	a.prog = src == COLLAPSE_PERFDATA ? "flamegraph-collapse-perfdata" :
	    "flamegraph-collapse-perf";
	a.path = src == COLLAPSE_PERFDATA ? "perf.data" : "-";
	a.ws.prog = a.prog;
	if ((a.nm.skips = calloc((size_t)argc + 1, sizeof(*a.nm.skips))) ==
	    NULL) {
		fprintf(stderr, "%s: out of memory\n", a.prog);
		return 1;
	}
	a.nm.o.skip_after = a.nm.skips;
	status = args_parse(&a, argc, argv);
	if (status == ARGS_USAGE) {
		usage(stderr, a.prog, src);
		status = 1;
	} else if (status == ARGS_OK) {
		status = collapse_run(&a);
	}
	free(a.nm.skips);
	return status;
}
