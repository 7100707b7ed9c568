/*
 * render_args.c: the renderer's long options for getopt_long and their
 * help text.  Each option is passed to fg_render_opts_set() under its
 * long name, so the library validates every value in one place.
 */
#include <stddef.h>
#include <stdio.h>

#include "render_args.h"

/*
 * The order below is the code order: code = RENDER_ARGS_FIRST + index.
 * Keep help[] in the same order.
 */
const struct option render_args_options[] = {
	{ "title", required_argument, NULL, RENDER_ARGS_FIRST + 0 },
	{ "subtitle", required_argument, NULL, RENDER_ARGS_FIRST + 1 },
	{ "notes", required_argument, NULL, RENDER_ARGS_FIRST + 2 },
	{ "countname", required_argument, NULL, RENDER_ARGS_FIRST + 3 },
	{ "nametype", required_argument, NULL, RENDER_ARGS_FIRST + 4 },
	{ "width", required_argument, NULL, RENDER_ARGS_FIRST + 5 },
	{ "height", required_argument, NULL, RENDER_ARGS_FIRST + 6 },
	{ "fontsize", required_argument, NULL, RENDER_ARGS_FIRST + 7 },
	{ "fonttype", required_argument, NULL, RENDER_ARGS_FIRST + 8 },
	{ "fontwidth", required_argument, NULL, RENDER_ARGS_FIRST + 9 },
	{ "minwidth", required_argument, NULL, RENDER_ARGS_FIRST + 10 },
	{ "colors", required_argument, NULL, RENDER_ARGS_FIRST + 11 },
	{ "hash", no_argument, NULL, RENDER_ARGS_FIRST + 12 },
	{ "deterministic", no_argument, NULL, RENDER_ARGS_FIRST + 13 },
	{ "cp", no_argument, NULL, RENDER_ARGS_FIRST + 14 },
	{ "palette-file", required_argument, NULL, RENDER_ARGS_FIRST + 15 },
	{ "inverted", no_argument, NULL, RENDER_ARGS_FIRST + 16 },
	{ "reverse", no_argument, NULL, RENDER_ARGS_FIRST + 17 },
	{ "flamechart", no_argument, NULL, RENDER_ARGS_FIRST + 18 },
	{ "factor", required_argument, NULL, RENDER_ARGS_FIRST + 19 },
	{ "base", required_argument, NULL, RENDER_ARGS_FIRST + 20 },
	{ "negate", no_argument, NULL, RENDER_ARGS_FIRST + 21 },
	{ "search-color", required_argument, NULL, RENDER_ARGS_FIRST + 22 },
	{ "stroke-color", required_argument, NULL, RENDER_ARGS_FIRST + 23 },
	{ "uicolor", required_argument, NULL, RENDER_ARGS_FIRST + 24 },
	{ "bgcolors", required_argument, NULL, RENDER_ARGS_FIRST + 25 },
	{ "truncate-text-right", no_argument, NULL, RENDER_ARGS_FIRST + 26 },
	{ "no-sort", no_argument, NULL, RENDER_ARGS_FIRST + 27 },
	{ "nameattr", required_argument, NULL, RENDER_ARGS_FIRST + 28 },
	/* flamegraph-rs spellings of the same options */
	{ "image-width", required_argument, NULL, RENDER_ARGS_FIRST + 29 },
	{ "min-width", required_argument, NULL, RENDER_ARGS_FIRST + 30 },
	{ "palette", required_argument, NULL, RENDER_ARGS_FIRST + 31 },
	{ NULL, 0, NULL, 0 }
};

const size_t render_args_count =
    sizeof(render_args_options) / sizeof(render_args_options[0]) - 1;

static const char *const help[] = {
	"--title TEXT", "title (default \"Flame Graph\")",
	"--subtitle TEXT", "second line under the title",
	"--notes TEXT", "notes kept in the document's source",
	"--countname TEXT", "unit of the counts (default \"samples\")",
	"--nametype TEXT", "label before a frame's details (\"Function:\")",
	"--width PIXELS", "fixed width (default: fluid, drawn at 1200)",
	"--height PIXELS", "frame height (default 16)",
	"--fontsize N", "font size (default 12)",
	"--fonttype FONT", "font family (default monospace)",
	"--fontwidth F", "average character width / font size (0.59)",
	"--minwidth PCT", "omit frames narrower than PCT% (0.01); NNpx: pixels",
	"--colors PALETTE", ("hot mem io wakeup java js perl python red green "
	    "blue aqua yellow purple orange rust"),
	"--hash", "colours by name hash, similar names alike",
	"--deterministic", "colours by a hash of the whole name (the default)",
	"--cp", "consistent palette: keep colours in palette.map",
	"--palette-file FILE", "the palette map for --cp (palette.map)",
	"--inverted", "icicle graph: roots at the top",
	"--reverse", "reverse every stack (leaves become roots)",
	"--flamechart", "flame chart: input order is time, nothing sorted",
	"--factor F", "multiply counts by F in the labels",
	"--base NAME", "cut stacks below the last NAME frame (repeatable)",
	"--negate", "differential: swap the meaning of red and blue",
	"--search-color #RRGGBB", "colour of search matches (#e600e6)",
	"--stroke-color #RRGGBB", "frame outline colour (default none)",
	"--uicolor #RRGGBB", "colour of the interface text (#000000)",
	"--bgcolors COLOR", "yellow blue green grey or #RRGGBB",
	"--truncate-text-right", "cut long labels on the right",
	"--no-sort", "draw stacks in input order (input already sorted)",
	"--nameattr FILE", "extra attributes per name: NAME<TAB>k=v<TAB>...",
};

static const char *const setname[] = {
	"title", "subtitle", "notes", "countname", "nametype", "width",
	"height", "fontsize", "fonttype", "fontwidth", "minwidth", "colors",
	"hash", "deterministic", "cp", "palette-file", "inverted", "reverse",
	"flamechart", "factor", "base", "negate", "search-color",
	"stroke-color", "uicolor", "bgcolors", "truncate-text-right",
	"no-sort", "nameattr", "width", "minwidth", "colors"
};

int
render_args_apply(struct fg_render_opts *o, int code, const char *arg,
    struct fg_error *err)
{
	size_t i;

	if (code < RENDER_ARGS_FIRST)
		return 1;
	i = (size_t)(code - RENDER_ARGS_FIRST);
	if (i >= sizeof(setname) / sizeof(setname[0]))
		return 1;
	return fg_render_opts_set(o, setname[i],
	    render_args_options[i].has_arg == no_argument ? NULL : arg,
	    err);
}

void
render_args_usage(FILE *fp)
{
	size_t i;

	fputs("Flame graph options:\n", fp);
	for (i = 0; i + 1 < sizeof(help) / sizeof(help[0]); i += 2)
		fprintf(fp, "  %-24s %s\n", help[i], help[i + 1]);
}
