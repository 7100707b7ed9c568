/*
 * flamegraph-collapse-perfdata: a perf.data recording to folded stacks,
 * read natively (no `perf script`), with the options of
 * flamegraph-collapse-perf plus --no-inline.  Reads INFILE (perf.data
 * when absent), writes "a;b;c COUNT" lines to standard output.  Exit
 * status: 0 on success (also when the recording held no samples), 1 on
 * an error (bad option, unreadable or malformed recording, write error).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flamegraph.h"

#define PROG "flamegraph-collapse-perfdata"
#define WARN_SHOWN 10

struct warnstate {
	unsigned long n;
	int quiet;
};

static fg_cancel_flag cancel;

static void
on_signal(int sig)
{
	(void)sig;
	cancel = 1;
}

static void
on_warn(void *arg, const char *msg)
{
	struct warnstate *w = arg;

	if (w->quiet)
		return;
	if (w->n++ < WARN_SHOWN)
		fprintf(stderr, "%s: %s\n", PROG, msg);
}

static void
usage(FILE *fp)
{
	fprintf(fp,
"usage: " PROG " [OPTIONS] [INFILE]\n"
"Read a perf.data recording (default ./perf.data) and write its folded\n"
"stacks (one \"a;b;c COUNT\" line per unique stack) on standard output.\n"
"\n"
"  --pid                 append the PID to the process name\n"
"  --tid                 append PID/TID to the process name\n"
"  --kernel              annotate kernel functions with _[k]\n"
"  --jit                 annotate JIT functions with _[j]\n"
"  --all                 --kernel and --jit\n"
"  --addrs               keep raw addresses where symbols are missing\n"
"  --no-inline           no frames for inlined functions\n"
"  --event-filter EVENT  only samples of EVENT (default: the first seen)\n"
"  --skip-after FUNC     drop the frames below FUNC (repeatable)\n"
"  -q, --quiet           no warnings\n"
"  -h, --help            this help\n"
"  -V, --version         the version\n");
}

enum {
	OPT_PID = 256, OPT_TID, OPT_KERNEL, OPT_JIT, OPT_ALL, OPT_ADDRS,
	OPT_EVENT, OPT_SKIP, OPT_NOINLINE
};

int
main(int argc, char *argv[])
{
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
		{ "quiet", no_argument, NULL, 'q' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct fg_perfdata_opts o;
	struct fg_error err;
	struct fg_stacks *st;
	struct warnstate ws = { 0, 0 };
	struct sigaction sa;
	const char **skips;
	const char *path = "perf.data";
	size_t nskips = 0;
	int ch, r, status = 0;

	fg_perfdata_opts_init(&o);
	fg_error_clear(&err);
	if ((skips = calloc((size_t)argc + 1, sizeof(*skips))) == NULL) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		return 1;
	}
	while ((ch = getopt_long(argc, argv, "qvhV", longopts, NULL)) != -1) {
		switch (ch) {
		case OPT_PID:
			o.pid = 1;
			break;
		case OPT_TID:
			o.tid = 1;
			break;
		case OPT_KERNEL:
			o.kernel = 1;
			break;
		case OPT_JIT:
			o.jit = 1;
			break;
		case OPT_ALL:
			o.kernel = o.jit = 1;
			break;
		case OPT_ADDRS:
			o.addrs = 1;
			break;
		case OPT_NOINLINE:
			o.no_inline = 1;
			break;
		case OPT_EVENT:
			o.event_filter = optarg;
			break;
		case OPT_SKIP:
			skips[nskips++] = optarg;
			break;
		case 'q':
			ws.quiet = 1;
			break;
		case 'v':
			break;
		case 'h':
			usage(stdout);
			free(skips);
			return 0;
		case 'V':
			printf("%s %s\n", PROG, FG_VERSION);
			free(skips);
			return 0;
		default:
			usage(stderr);
			free(skips);
			return 1;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc > 1) {
		usage(stderr);
		free(skips);
		return 1;
	}
	if (argc == 1)
		path = argv[0];
	o.skip_after = skips;
	o.nskip_after = nskips;
	o.warn.fn = on_warn;
	o.warn.arg = &ws;
	o.cancel = &cancel;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if ((st = fg_stacks_new()) == NULL) {
		fprintf(stderr, "%s: out of memory\n", PROG);
		free(skips);
		return 1;
	}
	r = fg_perfdata_read_file(path, &o, st, &err);
	if (ws.n > WARN_SHOWN)
		fprintf(stderr, "%s: %lu more warnings\n", PROG,
		    ws.n - WARN_SHOWN);
	if (r != 0) {
		fprintf(stderr, "%s: %s\n", PROG, err.msg);
		status = 1;
	} else if (fg_stacks_write_folded(st, stdout, &err) != 0 ||
	    fflush(stdout) != 0 || ferror(stdout)) {
		fprintf(stderr, "%s: standard output: %s\n", PROG,
		    err.code ? err.msg : strerror(errno));
		status = 1;
	}
	fg_stacks_free(st);
	free(skips);
	return status;
}
