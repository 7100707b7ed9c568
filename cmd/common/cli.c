/*
 * cli.c: the engine shared by cargo-flamegraph and flamegraph: the
 * command line to a struct cli (cli_opts.c), then the run (cli_run.c).
 */
#include <stdlib.h>
#include <string.h>

#include "flamegraph.h"
#include "cli.h"
#include "cli_int.h"
#include "status.h"

int
cli_main(int argc, char **argv, int cargo_mode)
{
	struct cli c;
	int ret;

	memset(&c, 0, sizeof(c));
	c.cargo_mode = cargo_mode;
	fg_cargo_opts_init(&c.co);
	c.freq = FG_RECORD_DEFAULT_FREQ;
	c.compression = -1;
	c.fail_growth = -1;
	if (cargo_mode && argc > 1 && strcmp(argv[1], "flamegraph") == 0) {
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	status_init(0, NULL);
	if ((c.ro = fg_render_opts_new()) == NULL) {
		status_error("out of memory");
		return CLI_EXIT_ERROR;
	}
	ret = cli_parse(&c, argc, argv);
	if (ret < 0) {
		status_init(c.quiet, c.color);
		ret = cli_run(&c);
	}
	fg_render_opts_free(c.ro);
	free(c.skip_after);
	free(c.rargs);
	free(c.output_owned);
	diff_free(&c);
	return ret;
}
