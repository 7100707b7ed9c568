/*
 * flamegraph.c: `flamegraph -- CMD ARGS`, `flamegraph --pid PID` and
 * `flamegraph --perfdata FILE`: record any command or process with perf
 * (or read a recording) and write flamegraph.svg in the current
 * directory.  The engine is cmd/common/cli.c.
 */
#include "cli.h"

int
main(int argc, char **argv)
{
	return cli_main(argc, argv, 0);
}
