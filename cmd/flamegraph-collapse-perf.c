/*
 * flamegraph-collapse-perf: `perf script` text to folded stacks, with the
 * options and output of inferno-collapse-perf.  Reads INFILE (standard
 * input when absent or "-"), writes "a;b;c COUNT" lines to standard output.
 * Exit status: 0 on success (also when the input held no stacks: the
 * output is then empty), 1 on an error (bad option, unreadable input,
 * write failure, a limit hit, a usage error), 128 + the signal when
 * SIGINT, SIGTERM or SIGHUP stops it (130 for Ctrl-C).
 */
#include "collapse_cli.h"

int
main(int argc, char *argv[])
{
	return collapse_cli_main(argc, argv, COLLAPSE_PERF_SCRIPT);
}
