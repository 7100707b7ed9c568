/*
 * cli_int.h: the two halves of cli_main: cli_opts.c turns argv into a
 * struct cli (nothing runs), cli_run.c runs what it says (locate, build,
 * record, process, open) and decides the exit status.
 */
#ifndef FG_CLI_INT_H
#define FG_CLI_INT_H

#include <stddef.h>
#include <stdint.h>

#include "flamegraph.h"

/* One renderer flag as given, applied again over the manifest's. */
struct rarg {
	int code;
	const char *arg;
};

/* --fail-on-share-growth PATTERN:PCT */
struct share_gate {
	const char *arg;	/* as given */
	char *pattern;		/* owned */
	double points;
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
	const char *speedscope_output;	/* --speedscope-output */
	const char *pprof_output;	/* --pprof-output */
	int per_thread;		/* --per-thread */
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
	const char *diff_against;	/* --diff-against BASE */
	int diff_absolute;	/* --diff-absolute */
	double fail_growth;	/* --fail-on-growth PCT; < 0: none */
	struct share_gate *share_gates;	/* --fail-on-share-growth, as given */
	size_t nshare_gates;
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

/*
 * --diff-against and its gates (cli_diff.c).  diff_option: the options
 * --fail-on-growth and --fail-on-share-growth (code 'g' or 's') into c;
 * 0, or -1 after a message.  diff_check: those without --diff-against;
 * -1 to go on, else the exit status.  diff_report: the change table on
 * stderr (unless -q) and the gates; the number of gates tripped, each
 * said in one line.  diff_free: what diff_option allocated.
 */
int diff_option(struct cli *c, int which, const char *arg);
int diff_check(const struct cli *c);
size_t diff_report(const struct cli *c, const struct fg_stacks *base,
    const struct fg_stacks *diff, uint64_t nsamples);
void diff_free(struct cli *c);

#endif /* FG_CLI_INT_H */
