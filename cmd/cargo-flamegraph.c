/*
 * cargo-flamegraph.c: `cargo flamegraph`: build a Cargo target with
 * symbols, record it with perf and write flamegraph.svg in the workspace
 * root.  Cargo runs it as `cargo-flamegraph flamegraph ARGS`; it also runs
 * directly as `cargo-flamegraph ARGS`.  The engine is cmd/common/cli.c.
 */
#include "cli.h"

int
main(int argc, char **argv)
{
	return cli_main(argc, argv, 1);
}
