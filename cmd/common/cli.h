/*
 * cli.h: the shared engine of the cargo-flamegraph and flamegraph
 * programs: argument parsing, the build/record/process sequence, signal
 * handling, messages and exit codes (documented in the man pages).
 */
#ifndef FG_CLI_H
#define FG_CLI_H

/* Exit codes besides 0 and the workload's or cargo's own status. */
#define CLI_EXIT_ERROR 1	/* the tool failed (message on stderr) */
#define CLI_EXIT_USAGE 2	/* bad command line */
#define CLI_EXIT_GATE 3		/* a --fail-on-* gate tripped (outputs written) */
/* A signal (SIGINT, SIGTERM, SIGHUP) while building, recording or
 * processing: 128 + its number, 130 for Ctrl-C (see cleanup.h). */

/*
 * Run the program: cargo_mode selects cargo-flamegraph (argv[1] ==
 * "flamegraph" is skipped, as cargo passes it) or flamegraph.  Returns
 * the exit status.
 */
int cli_main(int argc, char **argv, int cargo_mode);

#endif /* FG_CLI_H */
