/*
 * flamegraph-collapse-perfdata: a perf.data recording to folded stacks,
 * read natively (no `perf script`), with the options of
 * flamegraph-collapse-perf plus --no-inline.  Reads INFILE (perf.data
 * when absent), writes "a;b;c COUNT" lines to standard output.  Exit
 * status: 0 on success (also when the recording held no samples), 1 on
 * an error (bad option, unreadable or malformed recording, write error),
 * 128 + the signal when SIGINT, SIGTERM or SIGHUP stops it (130 for
 * Ctrl-C).
 */
#include "collapse_cli.h"

int
main(int argc, char *argv[])
{
	return collapse_cli_main(argc, argv, COLLAPSE_PERFDATA);
}
