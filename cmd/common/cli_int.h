/*
 * cli_int.h: the two halves of cli_main: cli_opts.c turns argv into a
 * struct cli (nothing runs), cli_run.c runs what it says (locate, build,
 * record, process, open) and decides the exit status.
 */
#ifndef FG_CLI_INT_H
#define FG_CLI_INT_H

#include <stddef.h>

#include "flamegraph.h"

/* One renderer flag as given, applied again over the manifest's. */
struct rarg {
	int code;
	const char *arg;
};

struct cli {
	int cargo_mode;
	struct fg_cargo_opts co;
	const char *output;
	int open;
	const char *root;	/* non-NULL: --root (value: sudo flags) */
	unsigned freq;
	const char *custom;
	const char *call_graph;	/* --call-graph, NULL: the default */
	int fp;			/* --call-graph fp */
	int perf_script;	/* --perf-script */
	int compression;
	int ignore_status;
	int no_inline;
	const char **skip_after;
	size_t nskip_after;
	const char *const *perf_options;	/* the manifest's, for perf record */
	size_t nperf_options;
	char *output_owned;	/* output from the manifest, made absolute */
	const char *post_process;
	const char *folded_output;
	const char *pprof_output;	/* --pprof-output */
	int verbose, quiet;
	const char *perfdata;
	const char *pids;
	int custom_pid;		/* flamegraph: -c has its own -p/--pid */
	char **args;		/* after options / "--" */
	int nargs;
	int freq_set;		/* -F given */
	const char *completions;	/* --completions SHELL */
	const char *color;	/* --color auto|always|never, NULL: not given */
	struct fg_render_opts *ro;
	struct rarg *rargs;	/* as given */
	size_t nrargs;
};

/*
 * Parse argv into c (set up by cli_main).  -1 to go on, else the exit
 * code (0 after --help or --version), messages printed.
 */
int cli_parse(struct cli *c, int argc, char **argv);
/*
 * A number from the command line or the manifest within lo..hi, the
 * message naming opt.  0, or -1 after a message.
 */
int cli_number(const char *opt, const char *s, long long lo, long long hi,
    long long *v);
/* Run what c says; the exit status. */
int cli_run(struct cli *c);

#endif /* FG_CLI_INT_H */
