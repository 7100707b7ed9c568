/*
 * collapse_cli.h: the one main of the two collapse programs,
 * flamegraph-collapse-perf (`perf script` text) and
 * flamegraph-collapse-perfdata (perf.data read natively).  They share the
 * options of inferno-collapse-perf, the warning policy and the output;
 * only the source of the stacks differs.
 */
#ifndef FG_COLLAPSE_CLI_H
#define FG_COLLAPSE_CLI_H

enum collapse_source {
	COLLAPSE_PERF_SCRIPT,	/* text from INFILE or standard input */
	COLLAPSE_PERFDATA	/* a perf.data file, ./perf.data by default */
};

/*
 * Parse argv, read the input, write folded stacks to standard output.
 * Returns the exit status: 0 on success (also for input without stacks,
 * then the output is empty), 1 on any error.
 */
int collapse_cli_main(int argc, char *argv[], enum collapse_source src);

#endif /* FG_COLLAPSE_CLI_H */
