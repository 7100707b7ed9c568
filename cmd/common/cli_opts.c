/*
 * cli_opts.c: the command lines of cargo-flamegraph and flamegraph, argv
 * to a struct cli: getopt_long over the tool's options and the renderer's
 * (render_args.c), each option handled by the table or the small handler
 * of its group, then the checks of combinations.  Nothing runs here;
 * messages go to stderr through status.c.
 */
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flamegraph.h"
#include "cli.h"
#include "cli_int.h"
#include "complete.h"
#include "optmsg.h"
#include "render_args.h"
#include "status.h"

static void
usage(FILE *fp, int cargo_mode)
{
	if (cargo_mode)
		fputs("usage: cargo flamegraph [OPTIONS] [--bin NAME | --example NAME |\n"
		    "         --test NAME | --bench NAME | --unit-test [NAME] |\n"
		    "         --unit-bench [NAME]] [-- ARGS...]\n\n"
		    "Build a Cargo target with symbols, run it under perf record and\n"
		    "write flamegraph.svg in the workspace root.\n\n"
		    "Cargo options:\n"
		    "      --dev                  build with the dev profile (test for tests)\n"
		    "      --profile NAME         build with this profile (default: release, bench for benches)\n"
		    "  -p, --package NAME         package of the target\n"
		    "  -b, --bin NAME             binary target\n"
		    "      --example NAME         example target\n"
		    "      --test NAME            integration test target\n"
		    "      --bench NAME           bench target (run with --bench)\n"
		    "      --unit-test [NAME]     unit tests of a lib or bin target\n"
		    "      --unit-test-kind KIND  bin or lib, when both have NAME\n"
		    "      --unit-bench [NAME]    benches inside a lib or bin target\n"
		    "      --manifest-path PATH   Cargo.toml to use\n"
		    "  -f, --features LIST        features to activate\n"
		    "      --all-features, --no-default-features\n"
		    "      --target TRIPLE        build for TRIPLE\n"
		    "      --target-dir DIR       Cargo's target directory\n"
		    "      --offline, --locked, --frozen   passed to cargo\n"
		    "  -r, --release              accepted, no effect (release is the default)\n"
		    "      --perfdata FILE        draw an existing recording, no build\n\n",
		    fp);
	else
		fputs("usage: flamegraph [OPTIONS] [--] COMMAND [ARGS...]\n"
		    "       flamegraph [OPTIONS] --pid PID[,PID...]\n"
		    "       flamegraph [OPTIONS] --perfdata FILE\n\n"
		    "Run COMMAND (or attach to PIDs) under perf record and write\n"
		    "flamegraph.svg in the current directory.\n\n"
		    "  -p, --pid PID[,PID...]     record running processes until Ctrl-C\n"
		    "      --perfdata FILE        draw an existing recording\n\n",
		    fp);
	fputs("Options:\n"
	    "  -o, --output PATH          the SVG to write\n"
	    "      --open                 open it with xdg-open\n"
	    "      --root[=SUDO-FLAGS]    run perf through sudo (flags split as words)\n"
	    "  -F, --freq HZ              sampling frequency (default 997)\n"
	    "      --call-graph MODE      fp (cargo: rebuilt with frame pointers), dwarf[,SIZE]\n"
	    "                             or lbr (default dwarf,32768)\n"
	    "  -c, --cmd ARGS             perf arguments replacing \"record -F HZ --call-graph ...\"\n"
	    "                             (its -o FILE names the recording; not with -F)\n"
	    "  -z, --compression-level[=N] perf record --compression-level (bare -z: 1;\n"
	    "                             a separate N is taken when it is all digits)\n"
	    "      --ignore-status        exit 0 even when the program fails\n"
	    "      --no-inline            no inline frames\n"
	    "      --perf-script          process with perf script (the reference path),\n"
	    "                             not the native perf.data reader\n"
	    "      --skip-after NAME      drop frames below NAME (repeatable)\n"
	    "      --post-process CMD     filter the folded stacks through CMD\n"
	    "      --folded-output PATH   also write the folded stacks\n"
	    "      --speedscope-output PATH  also write a speedscope file (JSON,\n"
	    "                             one profile per thread)\n"
	    "      --diff-against BASE    a differential graph against BASE (folded stacks\n"
	    "                             or a perf.data): red grew, blue shrank\n"
	    "      --diff-absolute        BASE's raw counts, not scaled to this run's total\n"
	    "      --fail-on-growth PCT   exit 3 when the samples grew more than PCT%\n"
	    "      --fail-on-share-growth PATTERN:PCT  exit 3 when the share of stacks\n"
	    "                             with a frame containing PATTERN grew by more\n"
	    "                             than PCT percentage points (repeatable)\n"
	    "      --pprof-output PATH    also write a pprof profile (gzipped protobuf)\n"
	    "      --per-thread           one flame graph per thread, heaviest first\n"
	    "  -v, --verbose              show commands and overrides\n"
	    "  -q, --quiet                only warnings and errors (cargo too)\n"
	    "      --color WHEN           auto, always or never (cargo too)\n"
	    "      --completions SHELL    print the bash, zsh or fish completion script\n"
	    "  -V, --version, -h, --help\n"
	    "  -i                         --inverted\n\n", fp);
	render_args_usage(fp);
	fputs("\nEnvironment: PERF (perf binary), CARGO (cargo binary),\n"
	    "CARGO_TERM_COLOR (as --color), NO_COLOR (no colour unless asked).\n",
	    fp);
}

enum {
	O_DEV = 1000, O_PROFILE, O_EXAMPLE, O_TEST, O_BENCH, O_UNIT_TEST,
	O_UNIT_TEST_KIND, O_UNIT_BENCH, O_MANIFEST, O_ALL_FEATURES,
	O_NO_DEFAULT, O_TARGET, O_TARGET_DIR, O_OFFLINE, O_LOCKED, O_FROZEN,
	O_OPEN, O_ROOT, O_IGNORE_STATUS, O_NO_INLINE, O_SKIP_AFTER,
	O_POST_PROCESS, O_FOLDED, O_VERSION, O_PERFDATA, O_PID, O_CALL_GRAPH,
	O_PERF_SCRIPT, O_COLOR, O_COMPLETIONS,
	O_DIFF_AGAINST, O_DIFF_ABSOLUTE, O_FAIL_GROWTH, O_FAIL_SHARE,
	O_SPEEDSCOPE, O_PPROF,
	O_PER_THREAD
};

static const struct option own_options[] = {
	{ "dev", no_argument, NULL, O_DEV },
	{ "profile", required_argument, NULL, O_PROFILE },
	{ "package", required_argument, NULL, 'p' },
	{ "bin", required_argument, NULL, 'b' },
	{ "example", required_argument, NULL, O_EXAMPLE },
	{ "test", required_argument, NULL, O_TEST },
	{ "bench", required_argument, NULL, O_BENCH },
	{ "unit-test", optional_argument, NULL, O_UNIT_TEST },
	{ "unit-test-kind", required_argument, NULL, O_UNIT_TEST_KIND },
	{ "unit-bench", optional_argument, NULL, O_UNIT_BENCH },
	{ "manifest-path", required_argument, NULL, O_MANIFEST },
	{ "features", required_argument, NULL, 'f' },
	{ "all-features", no_argument, NULL, O_ALL_FEATURES },
	{ "no-default-features", no_argument, NULL, O_NO_DEFAULT },
	{ "target", required_argument, NULL, O_TARGET },
	{ "target-dir", required_argument, NULL, O_TARGET_DIR },
	{ "offline", no_argument, NULL, O_OFFLINE },
	{ "locked", no_argument, NULL, O_LOCKED },
	{ "frozen", no_argument, NULL, O_FROZEN },
	{ "release", no_argument, NULL, 'r' },
	{ "output", required_argument, NULL, 'o' },
	{ "open", no_argument, NULL, O_OPEN },
	{ "root", optional_argument, NULL, O_ROOT },
	{ "freq", required_argument, NULL, 'F' },
	{ "cmd", required_argument, NULL, 'c' },
	{ "compression-level", optional_argument, NULL, 'z' },
	{ "ignore-status", no_argument, NULL, O_IGNORE_STATUS },
	{ "no-inline", no_argument, NULL, O_NO_INLINE },
	{ "skip-after", required_argument, NULL, O_SKIP_AFTER },
	{ "post-process", required_argument, NULL, O_POST_PROCESS },
	{ "folded-output", required_argument, NULL, O_FOLDED },
	{ "pprof-output", required_argument, NULL, O_PPROF },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "version", no_argument, NULL, O_VERSION },
	{ "help", no_argument, NULL, 'h' },
	{ "perfdata", required_argument, NULL, O_PERFDATA },
	{ "pid", required_argument, NULL, O_PID },
	{ "call-graph", required_argument, NULL, O_CALL_GRAPH },
	{ "perf-script", no_argument, NULL, O_PERF_SCRIPT },
	{ "color", required_argument, NULL, O_COLOR },
	{ "completions", required_argument, NULL, O_COMPLETIONS },
	{ "diff-against", required_argument, NULL, O_DIFF_AGAINST },
	{ "diff-absolute", no_argument, NULL, O_DIFF_ABSOLUTE },
	{ "fail-on-growth", required_argument, NULL, O_FAIL_GROWTH },
	{ "fail-on-share-growth", required_argument, NULL, O_FAIL_SHARE },
	{ "speedscope-output", required_argument, NULL, O_SPEEDSCOPE },
	{ "per-thread", no_argument, NULL, O_PER_THREAD },
};

/* The short options; -p is --package for cargo, --pid for flamegraph. */
static const char shorts[] = "+:p:b:f:ro:F:c:z::vqhiV";

/* The values offered by the completions. */
static const struct complete_values values[] = {
	{ "color", "auto always never" },
	{ "completions", COMPLETE_SHELLS },
	{ "call-graph", "fp dwarf lbr" },
	{ "unit-test-kind", "bin lib" },
	{ "colors", COMPLETE_PALETTES },
	{ "palette", COMPLETE_PALETTES },
	{ NULL, NULL }
};

static const char *cargo_only[] = { "dev", "profile", "package", "bin",
	"example", "test", "bench", "unit-test", "unit-test-kind",
	"unit-bench", "manifest-path", "features", "all-features",
	"no-default-features", "target", "target-dir", "offline", "locked",
	"frozen", "release", NULL };

static int
set_target(struct cli *c, enum fg_target_kind k, const char *name)
{
	if (c->co.kind != FG_TARGET_DEFAULT && (c->co.kind != k ||
	    (name != NULL && c->co.name != NULL &&
	    strcmp(name, c->co.name) != 0))) {
		status_error("only one target can be profiled at a time");
		return -1;
	}
	c->co.kind = k;
	if (name != NULL)
		c->co.name = name;
	return 0;
}

int
cli_number(const char *opt, const char *s, long long lo, long long hi,
    long long *v)
{
	const char *e = NULL;

	*v = strtonum(s, lo, hi, &e);
	if (e != NULL) {
		status_error("%s %s: the number is %s (expected %lld..%lld)",
		    opt, s, e, lo, hi);
		return -1;
	}
	return 0;
}

/*
 * --call-graph MODE: fp, dwarf[,SIZE] (perf's limits: 8..65528 bytes), or
 * lbr where the CPU has branch records.  0, or -1 after a message.
 */
static int
call_graph(struct cli *c, const char *mode)
{
	long long v;

	c->fp = 0;
	if (strcmp(mode, "fp") == 0) {
		c->fp = 1;
	} else if (strcmp(mode, "dwarf") == 0) {
		;
	} else if (strncmp(mode, "dwarf,", 6) == 0) {
		if (cli_number("--call-graph dwarf,SIZE", mode + 6, 8, 65528,
		    &v) != 0)
			return -1;
	} else if (strcmp(mode, "lbr") == 0) {
		if (access("/sys/bus/event_source/devices/cpu/caps/branches",
		    F_OK) == -1) {
			status_error("--call-graph lbr: this CPU has no last "
			    "branch records that perf can use (Intel only, "
			    "not in most virtual machines); use fp or dwarf");
			return -1;
		}
	} else {
		status_error("--call-graph %s: expected fp, dwarf[,SIZE] or "
		    "lbr", mode);
		return -1;
	}
	c->call_graph = mode;
	return 0;
}


/* What an option handler did; values >= 0 are exit codes. */
enum {
	OPT_DONE = -1,		/* taken */
	OPT_NOT_MINE = -2,	/* another group's */
	OPT_BAD = -3		/* a message was printed: usage error */
};

/* Options that only store their argument, or set a flag to 1. */
static const struct {
	int code;
	size_t off;
} str_opts[] = {
	{ O_PROFILE, offsetof(struct cli, co.profile) },
	{ O_MANIFEST, offsetof(struct cli, co.manifest_path) },
	{ O_TARGET, offsetof(struct cli, co.triple) },
	{ O_TARGET_DIR, offsetof(struct cli, co.target_dir) },
	{ 'o', offsetof(struct cli, output) },
	{ 'c', offsetof(struct cli, custom) },
	{ O_POST_PROCESS, offsetof(struct cli, post_process) },
	{ O_FOLDED, offsetof(struct cli, folded_output) },
	{ O_PPROF, offsetof(struct cli, pprof_output) },
	{ O_PERFDATA, offsetof(struct cli, perfdata) },
	{ O_DIFF_AGAINST, offsetof(struct cli, diff_against) },
	{ O_SPEEDSCOPE, offsetof(struct cli, speedscope_output) },
}, flag_opts[] = {
	{ O_DEV, offsetof(struct cli, co.dev) },
	{ O_ALL_FEATURES, offsetof(struct cli, co.all_features) },
	{ O_NO_DEFAULT, offsetof(struct cli, co.no_default_features) },
	{ O_OFFLINE, offsetof(struct cli, co.offline) },
	{ O_LOCKED, offsetof(struct cli, co.locked) },
	{ O_FROZEN, offsetof(struct cli, co.frozen) },
	{ O_OPEN, offsetof(struct cli, open) },
	{ O_PERF_SCRIPT, offsetof(struct cli, perf_script) },
	{ O_IGNORE_STATUS, offsetof(struct cli, ignore_status) },
	{ O_NO_INLINE, offsetof(struct cli, no_inline) },
	{ 'q', offsetof(struct cli, quiet) },
	{ O_DIFF_ABSOLUTE, offsetof(struct cli, diff_absolute) },
	{ O_PER_THREAD, offsetof(struct cli, per_thread) },
};

static int
opt_table(struct cli *c, int ch, const char *arg)
{
	for (size_t i = 0; i < sizeof(str_opts) / sizeof(str_opts[0]); i++)
		if (str_opts[i].code == ch) {
			*(const char **)(void *)((char *)c + str_opts[i].off) =
			    arg;
			return OPT_DONE;
		}
	for (size_t i = 0; i < sizeof(flag_opts) / sizeof(flag_opts[0]); i++)
		if (flag_opts[i].code == ch) {
			*(int *)(void *)((char *)c + flag_opts[i].off) = 1;
			return OPT_DONE;
		}
	return OPT_NOT_MINE;
}

/* A cargo flag given to flamegraph in its short form. */
static int
cargo_short(const struct cli *c, const char *name)
{
	if (c->cargo_mode)
		return 0;
	status_error("%s is an option of cargo flamegraph", name);
	return 1;
}

/* Which target: --bin, --example, --test, --bench, --unit-*. */
static int
opt_target(struct cli *c, int ch, int argc, char **argv)
{
	const char *name = optarg;
	enum fg_target_kind k;

	switch (ch) {
	case 'b':
		if (cargo_short(c, "-b/--bin"))
			return OPT_BAD;
		k = FG_TARGET_BIN;
		break;
	case O_EXAMPLE: k = FG_TARGET_EXAMPLE; break;
	case O_TEST: k = FG_TARGET_TEST; break;
	case O_BENCH: k = FG_TARGET_BENCH; break;
	case O_UNIT_TEST:
	case O_UNIT_BENCH:
		/* "--unit-test NAME" as well as "--unit-test=NAME" */
		if (name == NULL && optind < argc && argv[optind][0] != '-')
			name = argv[optind++];
		k = ch == O_UNIT_TEST ? FG_TARGET_UNIT_TEST :
		    FG_TARGET_UNIT_BENCH;
		break;
	default:
		return OPT_NOT_MINE;
	}
	return set_target(c, k, name) != 0 ? OPT_BAD : OPT_DONE;
}

/* How cargo builds it: --unit-test-kind, -f, -r. */
static int
opt_build(struct cli *c, int ch, const char *arg)
{
	switch (ch) {
	case O_UNIT_TEST_KIND:
		if (strcmp(arg, "bin") != 0 && strcmp(arg, "lib") != 0) {
			status_error("--unit-test-kind %s: expected bin or lib",
			    arg);
			return OPT_BAD;
		}
		c->co.unit_kind = arg;
		return OPT_DONE;
	case 'f':
		if (cargo_short(c, "-f/--features"))
			return OPT_BAD;
		c->co.features = arg;
		return OPT_DONE;
	case 'r':
		return cargo_short(c, "-r/--release") ? OPT_BAD : OPT_DONE;
	}
	return OPT_NOT_MINE;
}

/* How perf records and the stacks are processed. */
static int
opt_record(struct cli *c, int ch, const char *arg)
{
	const char **n;
	long long v;

	switch (ch) {
	case O_ROOT: c->root = arg != NULL ? arg : ""; return OPT_DONE;
	case 'F':
		if (cli_number("-F/--freq", arg, 1, 1000000, &v) != 0)
			return OPT_BAD;
		c->freq = (unsigned)v;
		c->freq_set = 1;
		return OPT_DONE;
	case O_CALL_GRAPH:
		return call_graph(c, arg) != 0 ? OPT_BAD : OPT_DONE;
	case 'z':
		if (arg == NULL) {
			c->compression = 1;
			return OPT_DONE;
		}
		if (cli_number("-z/--compression-level", arg, 0, 22, &v) != 0)
			return OPT_BAD;
		c->compression = (int)v;
		return OPT_DONE;
	case O_PID:
		if (c->cargo_mode) {
			status_error("--pid is an option of flamegraph");
			return OPT_BAD;
		}
		c->pids = arg;
		return OPT_DONE;
	case 'p':	/* cargo's --package, flamegraph-rs's --pid */
		if (c->cargo_mode)
			c->co.package = arg;
		else
			c->pids = arg;
		return OPT_DONE;
	case O_SKIP_AFTER:
		n = reallocarray(c->skip_after, c->nskip_after + 1, sizeof(*n));
		if (n == NULL) {
			status_error("out of memory");
			return CLI_EXIT_ERROR;
		}
		c->skip_after = n;
		n[c->nskip_after++] = arg;
		return OPT_DONE;
	case 'v': c->verbose++; return OPT_DONE;
	case O_FAIL_GROWTH:
	case O_FAIL_SHARE:
		return diff_option(c, ch == O_FAIL_GROWTH ? 'g' : 's',
		    arg) != 0 ? OPT_BAD : OPT_DONE;
	}
	return OPT_NOT_MINE;
}

/* --version and --help: print and exit 0. */
static int
opt_info(const struct cli *c, int ch)
{
	switch (ch) {
	case 'V':
	case O_VERSION:
		printf("%s %s\n", c->cargo_mode ? "cargo-flamegraph" :
		    "flamegraph", FG_VERSION);
		return 0;
	case 'h':
		usage(stdout, c->cargo_mode);
		return 0;
	}
	return OPT_NOT_MINE;
}

/* --color WHEN and --completions SHELL: checked here, used later. */
static int
opt_term(struct cli *c, int ch, const char *arg)
{
	switch (ch) {
	case O_COLOR:
		if (strcmp(arg, "auto") != 0 && strcmp(arg, "always") != 0 &&
		    strcmp(arg, "never") != 0) {
			status_error("--color %s: expected auto, always or never",
			    arg);
			return OPT_BAD;
		}
		c->color = arg;
		return OPT_DONE;
	case O_COMPLETIONS:
		if (strcmp(arg, "bash") != 0 && strcmp(arg, "zsh") != 0 &&
		    strcmp(arg, "fish") != 0) {
			status_error("--completions %s: expected one of "
			    COMPLETE_SHELLS, arg);
			return OPT_BAD;
		}
		c->completions = arg;
		return OPT_DONE;
	}
	return OPT_NOT_MINE;
}

/*
 * The value of -z given as its own word ("-z 3"): taken when it is all
 * digits, so that "-z -o x.svg" and "-z COMMAND" mean level 1.
 */
static const char *
opt_z_value(int argc, char **argv)
{
	const char *w;

	if (optind >= argc)
		return NULL;
	w = argv[optind];
	if (*w == '\0' || strspn(w, "0123456789") != strlen(w))
		return NULL;
	optind++;
	return w;
}

/* The renderer's code of its option called name. */
static int
render_code(const char *name)
{
	for (size_t i = 0; i < render_args_count; i++)
		if (strcmp(render_args_options[i].name, name) == 0)
			return render_args_options[i].val;
	return -1;
}

/* A renderer option: applied now, and kept to apply over the manifest's. */
static int
opt_render(struct cli *c, int ch, const char *arg)
{
	struct fg_error err;
	struct rarg *nr;
	int rc;

	if (ch < RENDER_ARGS_FIRST)
		return OPT_NOT_MINE;
	fg_error_clear(&err);
	rc = render_args_apply(c->ro, ch, arg, &err);
	if (rc < 0) {
		status_error("%s", err.msg);
		return OPT_BAD;
	}
	if (rc > 0)
		return OPT_NOT_MINE;
	if ((nr = reallocarray(c->rargs, c->nrargs + 1, sizeof(*nr))) == NULL) {
		status_error("out of memory");
		return CLI_EXIT_ERROR;
	}
	c->rargs = nr;
	nr[c->nrargs].code = ch;
	nr[c->nrargs++].arg = arg;
	return OPT_DONE;
}

/* Is name a cargo option (not flamegraph's)? */
static int
is_cargo_only(const char *name)
{
	for (size_t i = 0; cargo_only[i] != NULL; i++)
		if (strcmp(name, cargo_only[i]) == 0)
			return 1;
	return 0;
}

/* A long cargo option given to flamegraph. */
static int
cargo_only_long(const struct cli *c, const struct option *opts, int idx,
    size_t nown)
{
	if (idx < 0 || c->cargo_mode || (size_t)idx >= nown ||
	    !is_cargo_only(opts[idx].name))
		return 0;
	status_error("--%s is an option of cargo flamegraph", opts[idx].name);
	return 1;
}

/* One option through the groups: OPT_DONE, OPT_BAD or an exit code. */
static int
opt_one(struct cli *c, int ch, int argc, char **argv,
    const struct option *opts)
{
	const char *arg = optarg;
	int rc;

	if (ch == 'i')		/* flamegraph-rs's short --inverted */
		ch = render_code("inverted");
	if (ch == 'z' && arg == NULL)
		arg = opt_z_value(argc, argv);
	if ((rc = opt_render(c, ch, optarg)) != OPT_NOT_MINE ||
	    (rc = opt_term(c, ch, optarg)) != OPT_NOT_MINE ||
	    (rc = opt_table(c, ch, optarg)) != OPT_NOT_MINE ||
	    (rc = opt_target(c, ch, argc, argv)) != OPT_NOT_MINE ||
	    (rc = opt_build(c, ch, optarg)) != OPT_NOT_MINE ||
	    (rc = opt_record(c, ch, arg)) != OPT_NOT_MINE ||
	    (rc = opt_info(c, ch)) != OPT_NOT_MINE)
		return rc;
	{	/* ':' and '?' */
		char m[256];
		status_error("%s", optmsg(ch, argv, opts, m, sizeof(m)));
	}
	return OPT_BAD;
}

/*
 * Does -c attach to processes itself (-p PID, --pid PID, -pPID,
 * --pid=PID)?  Then, as in flamegraph-rs, no command is needed.
 */
static int
custom_has_pid(const char *custom)
{
	struct fg_error err;
	char **w;
	size_t n;
	int found = 0;

	fg_error_clear(&err);
	if (custom == NULL || fg_split_words(custom, &w, &n, &err) != 0)
		return 0;	/* a bad -c is reported when it is used */
	for (size_t i = 0; i < n && !found; i++)
		found = strncmp(w[i], "-p", 2) == 0 ||
		    strcmp(w[i], "--pid") == 0 ||
		    strncmp(w[i], "--pid=", 6) == 0;
	free(w);
	return found;
}

/* flamegraph: exactly one of a command, --pid (or -c's), --perfdata. */
static int
check_mode(struct cli *c)
{
	int modes;

	if (c->cargo_mode)
		return -1;
	c->custom_pid = custom_has_pid(c->custom);
	modes = (c->nargs > 0) + (c->pids != NULL) + (c->perfdata != NULL) +
	    c->custom_pid;
	if (modes == 1)
		return -1;
	status_error(modes == 0 ? "nothing to profile: give a command, --pid "
	    "or --perfdata" : "give only one of: a command, --pid (or -p "
	    "inside -c), --perfdata");
	return CLI_EXIT_USAGE;
}

/* The checks of combinations once all options are in. */
static int
check(struct cli *c, int argc, char **argv)
{
	/* getopt_long consumed a "--" that ended the options */
	if (c->cargo_mode && optind < argc &&
	    strcmp(argv[optind - 1], "--") != 0) {
		status_error("unexpected argument `%s` (the program's arguments "
		    "go after --)", argv[optind]);
		return CLI_EXIT_USAGE;
	}
	if (c->co.unit_kind != NULL && c->co.kind != FG_TARGET_UNIT_TEST &&
	    c->co.kind != FG_TARGET_UNIT_BENCH) {
		status_error("--unit-test-kind goes with --unit-test or "
		    "--unit-bench");
		return CLI_EXIT_USAGE;
	}
	if (c->co.dev && c->co.profile != NULL) {
		status_error("--dev and --profile cannot be used together");
		return CLI_EXIT_USAGE;
	}
	if (c->call_graph != NULL && c->custom != NULL) {
		status_error("--call-graph and -c/--cmd cannot be used together "
		    "(put --call-graph into -c)");
		return CLI_EXIT_USAGE;
	}
	if (c->freq_set && c->custom != NULL) {
		status_error("-F/--freq and -c/--cmd cannot be used together "
		    "(put -F into -c)");
		return CLI_EXIT_USAGE;
	}
	if (c->call_graph != NULL && c->perfdata != NULL) {
		status_error("--call-graph is for recording; --perfdata reads "
		    "a recording as it was made");
		return CLI_EXIT_USAGE;
	}
	if (diff_check(c) >= 0)
		return CLI_EXIT_USAGE;
	return check_mode(c);
}

/*
 * --completions: the script from the parser's own table, without the
 * options the program refuses (cargo's for flamegraph, --pid for cargo).
 */
static int
completions(const struct cli *c, const struct option *opts, size_t n)
{
	struct complete_spec spec;
	struct option *mine;
	size_t k = 0;

	if ((mine = calloc(n + 1, sizeof(*mine))) == NULL) {
		status_error("out of memory");
		return CLI_EXIT_ERROR;
	}
	for (size_t i = 0; i < n; i++)
		if (c->cargo_mode ? strcmp(opts[i].name, "pid") != 0 :
		    !is_cargo_only(opts[i].name))
			mine[k++] = opts[i];
	memset(&spec, 0, sizeof(spec));
	spec.prog = c->cargo_mode ? "cargo-flamegraph" : "flamegraph";
	spec.longopts = mine;
	spec.shorts = c->cargo_mode ? shorts : "+:p:o:F:c:z::vqhiV";
	spec.values = values;
	spec.command = !c->cargo_mode;
	complete_print(stdout, c->completions, &spec);
	free(mine);
	return 0;
}

/* The table getopt_long reads: ours, then the renderer's. */
static struct option *
options_table(const struct cli *c, size_t *n)
{
	size_t nown = sizeof(own_options) / sizeof(own_options[0]);
	struct option *opts;

	*n = nown + render_args_count;
	opts = calloc(*n + 1, sizeof(*opts));
	if (opts == NULL)
		return NULL;
	memcpy(opts, own_options, sizeof(own_options));
	memcpy(opts + nown, render_args_options,
	    render_args_count * sizeof(*opts));
	for (size_t i = 0; i < nown && !c->cargo_mode; i++)
		if (strcmp(opts[i].name, "pid") == 0)
			opts[i].val = 'p';	/* -p is --pid here */
	return opts;
}

int
cli_parse(struct cli *c, int argc, char **argv)
{
	struct option *opts;
	size_t nown = sizeof(own_options) / sizeof(own_options[0]), n;
	int ch, idx, rc = OPT_DONE;

	if ((opts = options_table(c, &n)) == NULL) {
		status_error("out of memory");
		return CLI_EXIT_ERROR;
	}
	opterr = 0;
	optind = 1;
	while (rc == OPT_DONE) {
		idx = -1;
		ch = getopt_long(argc, argv, shorts, opts, &idx);
		if (ch == -1)
			break;
		rc = cargo_only_long(c, opts, idx, nown) ? OPT_BAD :
		    opt_one(c, ch, argc, argv, opts);
	}
	if (rc == OPT_DONE && c->completions != NULL)
		rc = completions(c, opts, n);
	free(opts);
	if (rc == OPT_BAD) {
		fprintf(stderr, "Try `%s --help`.\n", c->cargo_mode ?
		    "cargo flamegraph" : "flamegraph");
		return CLI_EXIT_USAGE;
	}
	if (rc >= 0)
		return rc;
	c->args = argv + optind;
	c->nargs = argc - optind;
	return check(c, argc, argv);
}
