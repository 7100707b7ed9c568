/*
 * cli.c: the engine shared by cargo-flamegraph and flamegraph: parse the
 * command line, build the target with cargo (cargo mode), record it with
 * perf, turn the recording into flamegraph.svg, and decide the exit
 * status.  Signals: Ctrl-C while recording is forwarded to perf (which
 * stops the workload) and the graph of what was recorded is still drawn;
 * Ctrl-C while processing raises the cancel flag, stops the running child
 * and leaves the recording and any old graph untouched; a second one
 * ends the program at once (temporary files removed).  SIGTERM and SIGHUP
 * do the same as SIGINT; the exit status is then 128 + the signal.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "flamegraph.h"
#include "cleanup.h"
#include "cli.h"
#include "optmsg.h"
#include "render_args.h"
#include "status.h"

enum phase { PHASE_IDLE, PHASE_RECORD, PHASE_PROCESS };

static volatile sig_atomic_t g_phase;
static volatile sig_atomic_t g_interrupted;	/* the signal, 0: none */
static volatile sig_atomic_t g_record_pid;
static volatile sig_atomic_t g_running_pid;
static fg_cancel_flag g_cancel;

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
	int verbose, quiet;
	const char *perfdata;
	const char *pids;
	char **args;		/* after options / "--" */
	int nargs;
	int freq_set;
	struct fg_render_opts *ro;
	struct rarg { int code; const char *arg; } *rargs;	/* as given */
	size_t nrargs;
};

static void
on_signal(int sig)
{
	g_interrupted = sig;
	switch (g_phase) {
	case PHASE_RECORD:
		/* perf stops the workload and writes what it has */
		fg_child_signal(g_record_pid, SIGINT);
		break;
	case PHASE_PROCESS:
		if (g_cancel)	/* the second one: no more waiting */
			cleanup_die(sig);
		g_cancel = 1;
		fg_child_signal(g_running_pid, SIGTERM);
		break;
	default:
		cleanup_die(sig);
		break;
	}
}

static void
signals_install(void)
{
	cleanup_install(on_signal);	/* no SA_RESTART: reads see EINTR */
	signal(SIGPIPE, SIG_IGN);
}

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
		    "      --pid PID[,PID...]     record running processes until Ctrl-C\n"
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
	    "  -z, --compression-level N  perf record --compression-level\n"
	    "      --ignore-status        exit 0 even when the program fails\n"
	    "      --no-inline            no inline frames\n"
	    "      --perf-script          process with perf script (the reference path),\n"
	    "                             not the native perf.data reader\n"
	    "      --skip-after NAME      drop frames below NAME (repeatable)\n"
	    "      --post-process CMD     filter the folded stacks through CMD\n"
	    "      --folded-output PATH   also write the folded stacks\n"
	    "  -v, --verbose              show commands and overrides\n"
	    "  -q, --quiet                only warnings and errors\n"
	    "      --version, -h --help\n\n", fp);
	render_args_usage(fp);
	fputs("\nEnvironment: PERF (perf binary), CARGO (cargo binary), NO_COLOR.\n",
	    fp);
}

enum {
	O_DEV = 1000, O_PROFILE, O_EXAMPLE, O_TEST, O_BENCH, O_UNIT_TEST,
	O_UNIT_TEST_KIND, O_UNIT_BENCH, O_MANIFEST, O_ALL_FEATURES,
	O_NO_DEFAULT, O_TARGET, O_TARGET_DIR, O_OFFLINE, O_LOCKED, O_FROZEN,
	O_OPEN, O_ROOT, O_IGNORE_STATUS, O_NO_INLINE, O_SKIP_AFTER,
	O_POST_PROCESS, O_FOLDED, O_VERSION, O_PERFDATA, O_PID, O_CALL_GRAPH,
	O_PERF_SCRIPT
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
	{ "compression-level", required_argument, NULL, 'z' },
	{ "ignore-status", no_argument, NULL, O_IGNORE_STATUS },
	{ "no-inline", no_argument, NULL, O_NO_INLINE },
	{ "skip-after", required_argument, NULL, O_SKIP_AFTER },
	{ "post-process", required_argument, NULL, O_POST_PROCESS },
	{ "folded-output", required_argument, NULL, O_FOLDED },
	{ "verbose", no_argument, NULL, 'v' },
	{ "quiet", no_argument, NULL, 'q' },
	{ "version", no_argument, NULL, O_VERSION },
	{ "help", no_argument, NULL, 'h' },
	{ "perfdata", required_argument, NULL, O_PERFDATA },
	{ "pid", required_argument, NULL, O_PID },
	{ "call-graph", required_argument, NULL, O_CALL_GRAPH },
	{ "perf-script", no_argument, NULL, O_PERF_SCRIPT },
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

static int
number(const char *opt, const char *s, long long lo, long long hi,
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
		if (number("--call-graph dwarf,SIZE", mode + 6, 8, 65528,
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

/* Parse argv into c; returns -1 to go on, else an exit code. */
static int
parse(struct cli *c, int argc, char **argv)
{
	struct option *opts;
	size_t nown = sizeof(own_options) / sizeof(own_options[0]);
	size_t nrender = render_args_count;
	struct fg_error err;
	long long v;
	int ch, idx, rc;

	opts = calloc(nown + nrender + 1, sizeof(*opts));
	if (opts == NULL) {
		status_error("out of memory");
		return CLI_EXIT_ERROR;
	}
	memcpy(opts, own_options, sizeof(own_options));
	memcpy(opts + nown, render_args_options, nrender * sizeof(*opts));
	opterr = 0;
	optind = 1;
	for (;;) {
		idx = -1;
		ch = getopt_long(argc, argv, "+:p:b:f:ro:F:c:z:vqh", opts, &idx);
		if (ch == -1)
			break;
		if (idx >= 0 && !c->cargo_mode && (size_t)idx < nown) {
			for (size_t i = 0; cargo_only[i] != NULL; i++)
				if (strcmp(opts[idx].name, cargo_only[i]) == 0) {
					status_error("--%s is an option of "
					    "cargo flamegraph", cargo_only[i]);
					goto usage;
				}
		}
		if (ch >= RENDER_ARGS_FIRST) {
			fg_error_clear(&err);
			rc = render_args_apply(c->ro, ch, optarg, &err);
			if (rc == 0) {
				struct rarg *nr = reallocarray(c->rargs,
				    c->nrargs + 1, sizeof(*nr));
				if (nr == NULL) {
					status_error("out of memory");
					free(opts);
					return CLI_EXIT_ERROR;
				}
				c->rargs = nr;
				nr[c->nrargs].code = ch;
				nr[c->nrargs++].arg = optarg;
				continue;
			}
			if (rc < 0) {
				status_error("%s", err.msg);
				goto usage;
			}
		}
		switch (ch) {
		case O_DEV: c->co.dev = 1; break;
		case O_PROFILE: c->co.profile = optarg; break;
		case 'p': c->co.package = optarg; break;
		case 'b':
			if (!c->cargo_mode) {
				status_error("-b/--bin is an option of cargo "
				    "flamegraph");
				goto usage;
			}
			if (set_target(c, FG_TARGET_BIN, optarg) != 0)
				goto usage;
			break;
		case O_EXAMPLE:
			if (set_target(c, FG_TARGET_EXAMPLE, optarg) != 0)
				goto usage;
			break;
		case O_TEST:
			if (set_target(c, FG_TARGET_TEST, optarg) != 0)
				goto usage;
			break;
		case O_BENCH:
			if (set_target(c, FG_TARGET_BENCH, optarg) != 0)
				goto usage;
			break;
		case O_UNIT_TEST:
		case O_UNIT_BENCH: {
			const char *name = optarg;
			/* "--unit-test NAME" as well as "--unit-test=NAME" */
			if (name == NULL && optind < argc &&
			    argv[optind][0] != '-')
				name = argv[optind++];
			if (set_target(c, ch == O_UNIT_TEST ?
			    FG_TARGET_UNIT_TEST : FG_TARGET_UNIT_BENCH, name) != 0)
				goto usage;
			break;
		}
		case O_UNIT_TEST_KIND:
			if (strcmp(optarg, "bin") != 0 &&
			    strcmp(optarg, "lib") != 0) {
				status_error("--unit-test-kind %s: expected bin "
				    "or lib", optarg);
				goto usage;
			}
			c->co.unit_kind = optarg;
			break;
		case O_MANIFEST: c->co.manifest_path = optarg; break;
		case 'f':
			if (!c->cargo_mode) {
				status_error("-f/--features is an option of "
				    "cargo flamegraph");
				goto usage;
			}
			c->co.features = optarg;
			break;
		case O_ALL_FEATURES: c->co.all_features = 1; break;
		case O_NO_DEFAULT: c->co.no_default_features = 1; break;
		case O_TARGET: c->co.triple = optarg; break;
		case O_TARGET_DIR: c->co.target_dir = optarg; break;
		case O_OFFLINE: c->co.offline = 1; break;
		case O_LOCKED: c->co.locked = 1; break;
		case O_FROZEN: c->co.frozen = 1; break;
		case 'r':
			if (!c->cargo_mode) {
				status_error("-r/--release is an option of "
				    "cargo flamegraph");
				goto usage;
			}
			break;
		case 'o': c->output = optarg; break;
		case O_OPEN: c->open = 1; break;
		case O_ROOT: c->root = optarg != NULL ? optarg : ""; break;
		case 'F':
			if (number("-F/--freq", optarg, 1, 1000000, &v) != 0)
				goto usage;
			c->freq = (unsigned)v;
			c->freq_set = 1;
			break;
		case 'c': c->custom = optarg; break;
		case O_CALL_GRAPH:
			if (call_graph(c, optarg) != 0)
				goto usage;
			break;
		case O_PERF_SCRIPT: c->perf_script = 1; break;
		case 'z':
			if (number("-z/--compression-level", optarg, 0, 22,
			    &v) != 0)
				goto usage;
			c->compression = (int)v;
			break;
		case O_IGNORE_STATUS: c->ignore_status = 1; break;
		case O_NO_INLINE: c->no_inline = 1; break;
		case O_SKIP_AFTER: {
			const char **n = reallocarray(c->skip_after,
			    c->nskip_after + 1, sizeof(*n));
			if (n == NULL) {
				status_error("out of memory");
				free(opts);
				return CLI_EXIT_ERROR;
			}
			c->skip_after = n;
			n[c->nskip_after++] = optarg;
			break;
		}
		case O_POST_PROCESS: c->post_process = optarg; break;
		case O_FOLDED: c->folded_output = optarg; break;
		case 'v': c->verbose++; break;
		case 'q': c->quiet = 1; break;
		case O_VERSION:
			printf("%s %s\n", c->cargo_mode ? "cargo-flamegraph" :
			    "flamegraph", FG_VERSION);
			free(opts);
			return 0;
		case 'h':
			usage(stdout, c->cargo_mode);
			free(opts);
			return 0;
		case O_PERFDATA: c->perfdata = optarg; break;
		case O_PID:
			if (c->cargo_mode) {
				status_error("--pid is an option of flamegraph");
				goto usage;
			}
			c->pids = optarg;
			break;
		default: {	/* ':' and '?' */
			char m[256];
			status_error("%s", optmsg(ch, argv, opts, m, sizeof(m)));
			goto usage;
		}
		}
	}
	free(opts);
	c->args = argv + optind;
	c->nargs = argc - optind;
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
	if (c->call_graph != NULL && c->perfdata != NULL) {
		status_error("--call-graph is for recording; --perfdata reads "
		    "a recording as it was made");
		return CLI_EXIT_USAGE;
	}
	if (!c->cargo_mode) {
		int modes = (c->nargs > 0) + (c->pids != NULL) +
		    (c->perfdata != NULL);
		if (modes != 1) {
			status_error(modes == 0 ? "nothing to profile: give a "
			    "command, --pid or --perfdata" : "give only one "
			    "of: a command, --pid, --perfdata");
			return CLI_EXIT_USAGE;
		}
	}
	return -1;
usage:
	free(opts);
	fprintf(stderr, "Try `%s --help`.\n", c->cargo_mode ?
	    "cargo flamegraph" : "flamegraph");
	return CLI_EXIT_USAGE;
}

/* The absolute path of a command, searched in PATH like execvp. */
static char *
which(const char *cmd)
{
	const char *path, *p, *e;
	char buf[PATH_MAX];

	if (strchr(cmd, '/') != NULL)
		return realpath(cmd, NULL);
	if ((path = getenv("PATH")) == NULL)
		path = "/usr/local/bin:/usr/bin:/bin";
	for (p = path;; p = e + 1) {
		e = strchr(p, ':');
		if (e == NULL)
			e = p + strlen(p);
		if (snprintf(buf, sizeof(buf), "%.*s/%s", (int)(e - p),
		    e == p ? "." : p, cmd) < (int)sizeof(buf) &&
		    access(buf, X_OK) == 0)
			return realpath(buf, NULL);
		if (*e == '\0')
			break;
	}
	return NULL;
}

static int
mkdirs(const char *dir)
{
	char buf[PATH_MAX];
	size_t n = strlcpy(buf, dir, sizeof(buf));

	if (n >= sizeof(buf))
		return -1;
	for (char *p = buf + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(buf, 0777) == -1 && errno != EEXIST)
			return -1;
		*p = '/';
	}
	if (mkdir(buf, 0777) == -1 && errno != EEXIST)
		return -1;
	return 0;
}

static int
paranoid_level(void)
{
	FILE *fp = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
	int v = -100;

	if (fp == NULL)
		return v;
	if (fscanf(fp, "%d", &v) != 1)
		v = -100;
	fclose(fp);
	return v;
}

static void
perf_missing(const char *perf)
{
	status_error("`%s` was not found: install perf (Debian: `apt-get "
	    "install linux-perf`; Ubuntu: `apt-get install linux-tools-common "
	    "linux-tools-$(uname -r)`; Fedora: `dnf install perf`) or point "
	    "PERF at it", perf);
}

static void
paranoid_hint(int root)
{
	int lvl = paranoid_level();

	if (root || geteuid() == 0 || lvl < 2)
		return;
	status_note("kernel.perf_event_paranoid is %d; let users record with "
	    "`sudo sysctl kernel.perf_event_paranoid=1` (or -1 for kernel "
	    "stacks too), or run perf as root with --root", lvl);
}

/* Split the --root and -c/--cmd and --post-process strings. */
static int
split(const char *what, const char *s, char ***words, size_t *n)
{
	struct fg_error err;

	fg_error_clear(&err);
	if (fg_split_words(s, words, n, &err) != 0) {
		status_error("%s: %s", what, err.msg);
		return -1;
	}
	return 0;
}

static int
record(struct cli *c, const char *perf, char **sudo, size_t nsudo,
    const char *const *wargv, size_t wargc, const char *perfdata,
    const char *what, int *workload_status)
{
	struct fg_record_opts ro;
	struct fg_child ch;
	struct fg_error err;
	struct stat sb;
	char **custom = NULL, **pargv = NULL;
	size_t ncustom = 0, pargc = 0;
	time_t start;
	int status = 0, rc;

	*workload_status = 0;
	fg_record_opts_init(&ro);
	ro.perf = perf;
	if (sudo != NULL) {
		ro.sudo = (const char *const *)sudo;
		ro.nsudo = nsudo;
	}
	ro.freq = c->freq;
	if (c->call_graph != NULL)
		ro.call_graph = c->call_graph;
	if (c->custom != NULL) {
		if (split("-c/--cmd", c->custom, &custom, &ncustom) != 0)
			return CLI_EXIT_USAGE;
		ro.custom = (const char *const *)custom;
		ro.ncustom = ncustom;
	}
	ro.compression = c->compression;
	ro.output = perfdata;
	ro.pids = c->pids;
	ro.argv = wargv;
	ro.argc = wargc;
	ro.quiet = c->quiet;
	ro.extra = c->perf_options;
	ro.nextra = c->nperf_options;
	fg_error_clear(&err);
	if (fg_record_argv(&ro, &pargv, &pargc, &err) != 0) {
		status_error("%s", err.msg);
		free(custom);
		return CLI_EXIT_ERROR;
	}
	if (c->custom != NULL)
		status_line("Profiling", "%s with perf %s", what, c->custom);
	else if (c->call_graph != NULL)
		status_line("Profiling", "%s with perf (%u Hz, --call-graph %s)",
		    what, c->freq, c->call_graph);
	else
		status_line("Profiling", "%s with perf (%u Hz)", what, c->freq);
	if (c->verbose) {
		fprintf(stderr, "%12s", "");
		for (size_t i = 0; i < pargc; i++)
			fprintf(stderr, " %s", pargv[i]);
		fputc('\n', stderr);
	}
	free(pargv);
	start = time(NULL);
	g_phase = PHASE_RECORD;
	rc = fg_record_start(&ro, &ch, &err);
	free(custom);
	if (rc != 0) {
		g_phase = PHASE_IDLE;
		if (err.sys == ENOENT && sudo != NULL)
			status_error("--root: sudo was not found (Debian: "
			    "`apt-get install sudo`); as root, drop --root");
		else if (err.sys == ENOENT)
			perf_missing(perf);
		else
			status_error("%s", err.msg);
		return CLI_EXIT_ERROR;
	}
	g_record_pid = ch.pid;
	if (g_interrupted)	/* Ctrl-C came before the pid was known */
		fg_child_signal(ch.pid, SIGINT);
	rc = fg_child_wait(&ch, &status, &err);
	g_record_pid = 0;
	g_phase = PHASE_IDLE;
	if (rc != 0) {
		status_error("%s", err.msg);
		return CLI_EXIT_ERROR;
	}
	if (stat(perfdata, &sb) == -1 || sb.st_size == 0 ||
	    sb.st_mtime < start - 1) {
		char d[64];
		fg_status_describe(status, d, sizeof(d));
		status_error("perf record failed (%s) and wrote no recording; "
		    "its message is above", d);
		paranoid_hint(sudo != NULL);
		return CLI_EXIT_ERROR;
	}
	*workload_status = status;
	return -1;
}

static void
open_svg(const char *path)
{
	const char *argv[] = { "xdg-open", path, NULL };
	struct fg_spawn_opts so;
	struct fg_child ch;
	struct fg_error err;
	int st;

	fg_spawn_opts_init(&so);
	so.in = so.out = so.errfd = FG_SPAWN_NULL;
	fg_error_clear(&err);
	if (fg_spawn(argv, &so, &ch, &err) != 0) {
		status_warn("--open: %s (xdg-open is in the xdg-utils package)",
		    err.msg);
		return;
	}
	if (fg_child_wait(&ch, &st, &err) == 0 && st != 0)
		status_warn("--open: xdg-open %s failed", path);
}

/*
 * Defaults from [package/workspace.metadata.flamegraph]: applied where the
 * command line said nothing; renderer flags given on the command line are
 * applied again on top.  Returns -1 to go on, else an exit code.
 */
static int
apply_metadata(struct cli *c, const struct fg_manifest *m)
{
	static const struct { const char *key, *render; int flag; } rk[] = {
		{ "palette", "colors", 0 }, { "title", "title", 0 },
		{ "subtitle", "subtitle", 0 }, { "notes", "notes", 0 },
		{ "min-width", "minwidth", 0 }, { "image-width", "width", 0 },
		{ "deterministic", "deterministic", 1 },
		{ "inverted", "inverted", 1 }, { "reverse", "reverse", 1 },
		{ "flamechart", "flamechart", 1 } };
	static const struct { const char *key; enum fg_target_kind kind; } tk[] = {
		{ "bin", FG_TARGET_BIN }, { "example", FG_TARGET_EXAMPLE },
		{ "test", FG_TARGET_TEST }, { "bench", FG_TARGET_BENCH } };
	struct fg_render_opts *ro;
	struct fg_error err;
	const char *v, *origin;
	const char *const *items;
	size_t n;
	long long num;

	if ((ro = fg_render_opts_new()) == NULL) {
		status_error("out of memory");
		return CLI_EXIT_ERROR;
	}
	for (size_t i = 0; i < sizeof(rk) / sizeof(rk[0]); i++) {
		if ((v = fg_manifest_option(m, rk[i].key, &origin)) == NULL)
			continue;
		if (rk[i].flag && strcmp(v, "true") != 0)
			continue;
		fg_error_clear(&err);
		if (fg_render_opts_set(ro, rk[i].render, rk[i].flag ? NULL : v,
		    &err) != 0)
			status_warn("%s: %s = \"%s\": %s", origin, rk[i].key, v,
			    err.msg);
	}
	for (size_t i = 0; i < c->nrargs; i++) {
		fg_error_clear(&err);
		render_args_apply(ro, c->rargs[i].code, c->rargs[i].arg, &err);
	}
	fg_render_opts_free(c->ro);
	c->ro = ro;

	if (!c->freq_set && (v = fg_manifest_option(m, "freq", &origin)) != NULL) {
		if (number(origin, v, 1, 1000000, &num) != 0)
			return CLI_EXIT_ERROR;
		c->freq = (unsigned)num;
	}
	if (c->custom == NULL && c->call_graph == NULL)
		c->custom = fg_manifest_option(m, "cmd", NULL);
	if ((v = fg_manifest_option(m, "no-inline", NULL)) != NULL &&
	    strcmp(v, "true") == 0)
		c->no_inline = 1;
	if ((v = fg_manifest_option(m, "ignore-status", NULL)) != NULL &&
	    strcmp(v, "true") == 0)
		c->ignore_status = 1;
	if (c->root == NULL && (v = fg_manifest_option(m, "root", NULL)) != NULL &&
	    strcmp(v, "true") == 0)
		c->root = "";
	if (c->skip_after == NULL &&
	    (n = fg_manifest_option_list(m, "skip-after", &items, NULL)) > 0) {
		if ((c->skip_after = calloc(n, sizeof(*c->skip_after))) == NULL) {
			status_error("out of memory");
			return CLI_EXIT_ERROR;
		}
		for (size_t i = 0; i < n; i++)
			c->skip_after[i] = items[i];
		c->nskip_after = n;
	}
	c->nperf_options = fg_manifest_option_list(m, "perf-options",
	    &c->perf_options, NULL);
	if (c->co.kind == FG_TARGET_DEFAULT) {
		for (size_t i = 0; i < sizeof(tk) / sizeof(tk[0]); i++)
			if ((v = fg_manifest_option(m, tk[i].key, NULL)) != NULL) {
				c->co.kind = tk[i].kind;
				c->co.name = v;
				break;
			}
	}
	if (c->output == NULL &&
	    (v = fg_manifest_option(m, "output", NULL)) != NULL) {
		if (v[0] == '/') {
			c->output = v;
		} else if (asprintf(&c->output_owned, "%s/%s",
		    fg_manifest_root(m), v) != -1) {
			c->output = c->output_owned;
		}
	}
	return -1;
}

/*
 * The overrides the manifests call for, replacing the fixed default
 * pair; warnings about settings no override can fix.
 */
static void
manifest_overrides(struct cli *c, const struct fg_manifest *m,
    struct fg_cargo *cg)
{
	struct fg_profile *p = NULL;
	struct fg_error err;
	struct fg_warn w = { status_warn_cb, NULL };
	const char **env = NULL;
	size_t n;

	fg_error_clear(&err);
	if (fg_manifest_profile(m, fg_cargo_profile(cg), &p, &err) != 0) {
		if (c->verbose)
			status_note("manifest: %s; using the default overrides",
			    err.msg);
		return;
	}
	n = fg_profile_noverrides(p);
	if (n > 0 && (env = calloc(n, sizeof(*env))) == NULL) {
		fg_profile_free(p);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const char *why;
		env[i] = fg_profile_override(p, i, &why);
		if (c->verbose && why != NULL)
			status_note("%s", why);
	}
	fg_error_clear(&err);
	if (fg_cargo_set_env(cg, env, n, &err) != 0)
		status_warn("%s", err.msg);
	fg_manifest_check_stacks(m, p, &w);
	free(env);
	fg_profile_free(p);
}

/*
 * --call-graph fp: build with frame pointers into TARGET/flamegraph-fp so
 * that the normal build cache is untouched.  The rustflags cargo would
 * use (CARGO_ENCODED_RUSTFLAGS, RUSTFLAGS or the configs' rustflags, as
 * the manifest module resolves them) get -C force-frame-pointers=yes
 * appended, and all of it goes to cargo as CARGO_ENCODED_RUSTFLAGS, since
 * setting RUSTFLAGS would make cargo drop the configs' rustflags.
 * 0, or -1 after a message.
 */
static int
fp_build(struct cli *c, const struct fg_manifest *m, struct fg_cargo *cg)
{
	const char *const *words = NULL;
	const char **flags = NULL;
	char **split_env = NULL;
	const char *origin = NULL, *e;
	char *dir = NULL;
	size_t n = 0;
	struct fg_error err;
	int rc = -1;

	if (m != NULL) {
		n = fg_manifest_rustflags(m, &words, &origin);
	} else if ((e = getenv("CARGO_ENCODED_RUSTFLAGS")) != NULL &&
	    *e != '\0') {
		/* without the manifests: the environment only */
		size_t k = 1;
		for (const char *p = e; *p != '\0'; p++)
			k += *p == '\x1f';
		if ((split_env = calloc(k + 1, sizeof(*split_env))) == NULL ||
		    (split_env[0] = strdup(e)) == NULL)
			goto nomem;
		for (char *p = split_env[0]; *p != '\0'; p++)
			if (*p == '\x1f') {
				*p = '\0';
				split_env[n++ + 1] = p + 1;
			}
		n++;
		words = (const char *const *)split_env;
		origin = "CARGO_ENCODED_RUSTFLAGS";
	} else if ((e = getenv("RUSTFLAGS")) != NULL) {
		size_t k;
		fg_error_clear(&err);
		if (fg_split_words(e, &split_env, &k, &err) != 0) {
			status_error("RUSTFLAGS: %s", err.msg);
			return -1;
		}
		n = k;
		words = (const char *const *)split_env;
		origin = "RUSTFLAGS";
	}
	if ((flags = calloc(n + 2, sizeof(*flags))) == NULL)
		goto nomem;
	for (size_t i = 0; i < n; i++)
		flags[i] = words[i];
	flags[n] = "-C";
	flags[n + 1] = "force-frame-pointers=yes";
	if (asprintf(&dir, "%s/flamegraph-fp", fg_cargo_target_dir(cg)) == -1) {
		dir = NULL;
		goto nomem;
	}
	fg_error_clear(&err);
	if (fg_cargo_set_build_dir(cg, dir, &err) != 0 ||
	    fg_cargo_set_rustflags(cg, flags, n + 2, &err) != 0) {
		status_error("%s", err.msg);
		goto out;
	}
	status_note("--call-graph fp: building with -C force-frame-pointers=yes"
	    "%s%s in %s", n > 0 ? " added to the rustflags of " : "",
	    n > 0 ? origin : "", dir);
	rc = 0;
	goto out;
nomem:
	status_error("out of memory");
out:
	if (split_env != NULL && m == NULL && origin != NULL &&
	    strcmp(origin, "CARGO_ENCODED_RUSTFLAGS") == 0)
		free(split_env[0]);
	free(split_env);
	free(flags);
	free(dir);
	return rc;
}

static int
run(struct cli *c)
{
	struct fg_cargo *cg = NULL;
	struct fg_manifest *man = NULL;
	struct fg_error err;
	struct fg_process_opts po;
	const char *perf = getenv("PERF"), *cargo = getenv("CARGO");
	char **sudo = NULL, **pp = NULL;
	size_t nsudo = 0, npp = 0;
	char *out = NULL, *perfdata = NULL, *exe = NULL, *what = NULL;
	const char **wargv = NULL;
	size_t wargc = 0;
	int ret = CLI_EXIT_ERROR, rc, cstatus = 0, wstatus = 0, recorded = 0;
	uint64_t nsamples = 0;

	if (perf == NULL || *perf == '\0')
		perf = "perf";
	if (cargo == NULL || *cargo == '\0' || !c->cargo_mode)
		cargo = "cargo";
	c->co.cargo = cargo;
	c->co.verbose = c->verbose > 1;
	c->co.warn.fn = status_warn_cb;
	if (c->root != NULL && split("--root", c->root, &sudo, &nsudo) != 0)
		return CLI_EXIT_USAGE;
	if (c->root != NULL && sudo == NULL)
		return CLI_EXIT_ERROR;
	if (c->post_process != NULL &&
	    split("--post-process", c->post_process, &pp, &npp) != 0) {
		free(sudo);
		return CLI_EXIT_USAGE;
	}
	if (pp != NULL && npp == 0) {
		status_error("--post-process: empty command");
		ret = CLI_EXIT_USAGE;
		goto out;
	}

	if (c->cargo_mode) {
		struct fg_manifest_opts mo;

		fg_manifest_opts_init(&mo);
		mo.manifest_path = c->co.manifest_path;
		mo.env = (const char *const *)environ;
		mo.target = c->co.triple;
		mo.package = c->co.package;
		mo.warn.fn = status_warn_cb;
		fg_error_clear(&err);
		if (fg_manifest_load(&mo, &man, &err) != 0) {
			if (err.code == FG_EPARSE) {
				status_error("%s", err.msg);
				goto out;
			}
			/* cargo metadata will say what is wrong, if anything;
			 * not about a file too large for us but not for cargo */
			if (err.code == FG_ELIMIT)
				status_warn("%s (a limit of this tool, not of "
				    "cargo): [package.metadata.flamegraph] is "
				    "not applied and the profiles are not read; "
				    "the build gets the default debug-info "
				    "overrides", err.msg);
			else if (c->verbose)
				status_note("manifest: %s", err.msg);
			man = NULL;
		} else if ((rc = apply_metadata(c, man)) >= 0) {
			ret = rc;
			goto out;
		}
	}
	if (c->cargo_mode && c->perfdata == NULL) {
		fg_error_clear(&err);
		if (fg_cargo_locate(&c->co, &cg, &cstatus, &err) != 0) {
			status_error("%s", err.msg);
			ret = cstatus != 0 ? cstatus : CLI_EXIT_ERROR;
			goto out;
		}
		if (man != NULL)
			manifest_overrides(c, man, cg);
		if (c->fp && fp_build(c, man, cg) != 0)
			goto out;
		if (fg_cargo_build(cg, &cstatus, &err) != 0) {
			if (c->verbose)
				status_note("%s", fg_cargo_build_cmdline(cg));
			status_error("%s", err.msg);
			ret = cstatus != 0 ? cstatus : CLI_EXIT_ERROR;
			goto out;
		}
		if (*fg_cargo_overrides(cg) != '\0')
			status_note("built profile `%s` with %s so that the "
			    "graph has function names and lines",
			    fg_cargo_profile(cg), fg_cargo_overrides(cg));
		if (c->verbose)
			status_note("%s", fg_cargo_build_cmdline(cg));
		{
			int dbg = 1, sym = 1;
			fg_error_clear(&err);
			if (fg_elf_debug_info(fg_cargo_executable(cg), &dbg,
			    &sym, &err) != 0)
				status_warn("%s", err.msg);
			else if (!dbg || !sym)
				status_warn("%s has no %s although profile "
				    "`%s` was built to keep it: check "
				    "[profile.%s] in Cargo.toml and "
				    ".cargo/config.toml (debug, strip, "
				    "split-debuginfo) and RUSTFLAGS; frames may "
				    "show as addresses", fg_cargo_executable(cg),
				    !sym ? "symbol table" : "debug info",
				    fg_cargo_profile(cg), fg_cargo_profile(cg));
		}
		if (asprintf(&perfdata, "%s/flamegraph",
		    fg_cargo_target_dir(cg)) == -1 || mkdirs(perfdata) != 0) {
			status_error("cannot create %s: %s", perfdata != NULL ?
			    perfdata : "the target directory", strerror(errno));
			goto out;
		}
		free(perfdata);
		if (asprintf(&perfdata, "%s/flamegraph/perf.data",
		    fg_cargo_target_dir(cg)) == -1) {
			perfdata = NULL;
			goto nomem;
		}
		if (c->output == NULL && asprintf(&out, "%s/flamegraph.svg",
		    fg_cargo_workspace_root(cg)) == -1) {
			out = NULL;
			goto nomem;
		}
		wargv = calloc((size_t)c->nargs + 3, sizeof(*wargv));
		if (wargv == NULL)
			goto nomem;
		wargv[wargc++] = fg_cargo_executable(cg);
		for (int i = 0; i < c->nargs; i++)
			wargv[wargc++] = c->args[i];
		if (c->co.kind == FG_TARGET_BENCH ||
		    c->co.kind == FG_TARGET_UNIT_BENCH)
			wargv[wargc++] = "--bench";
		if (asprintf(&what, "%s", fg_cargo_target_desc(cg)) == -1) {
			what = NULL;
			goto nomem;
		}
	} else if (c->perfdata == NULL) {
		if ((perfdata = strdup("perf.data")) == NULL)
			goto nomem;
		if (c->pids != NULL) {
			if (asprintf(&what, "pid %s (Ctrl-C to stop)",
			    c->pids) == -1) {
				what = NULL;
				goto nomem;
			}
		} else {
			if ((exe = which(c->args[0])) == NULL) {
				status_error("%s: command not found",
				    c->args[0]);
				ret = 127;
				goto out;
			}
			wargv = calloc((size_t)c->nargs + 1, sizeof(*wargv));
			if (wargv == NULL)
				goto nomem;
			wargv[wargc++] = exe;
			for (int i = 1; i < c->nargs; i++)
				wargv[wargc++] = c->args[i];
			if (asprintf(&what, "`%s`", c->args[0]) == -1) {
				what = NULL;
				goto nomem;
			}
		}
	}
	if (c->output == NULL && out == NULL && man != NULL &&
	    asprintf(&out, "%s/flamegraph.svg", fg_manifest_root(man)) == -1) {
		out = NULL;	/* cargo flamegraph --perfdata: the workspace root */
		goto nomem;
	}
	if (c->output == NULL && out == NULL &&
	    (out = strdup("flamegraph.svg")) == NULL)
		goto nomem;

	if (c->perfdata == NULL) {
		if (!c->root && geteuid() != 0 && paranoid_level() > 2) {
			status_error("kernel.perf_event_paranoid is %d: perf "
			    "cannot record as a user", paranoid_level());
			paranoid_hint(0);
			goto out;
		}
		rc = record(c, perf, sudo, nsudo, wargv, wargc, perfdata, what,
		    &wstatus);
		if (rc >= 0) {
			ret = rc;
			goto out;
		}
		recorded = 1;
	}

	fg_process_opts_init(&po);
	po.perf = perf;
	if (sudo != NULL) {
		po.sudo = (const char *const *)sudo;
		po.nsudo = nsudo;
	}
	po.perfdata = c->perfdata != NULL ? c->perfdata : perfdata;
	po.source = c->perf_script ? FG_SOURCE_PERF_SCRIPT : FG_SOURCE_AUTO;
	po.no_inline = c->no_inline;
	po.skip_after = c->skip_after;
	po.nskip_after = c->nskip_after;
	po.post_process = (const char *const *)pp;
	po.folded_output = c->folded_output;
	po.output = c->output != NULL ? c->output : out;
	po.render = c->ro;
	po.quiet = c->quiet;
	po.cancel = &g_cancel;
	po.running_pid = &g_running_pid;
	po.warn.fn = status_warn_cb;
	po.tempfile = cleanup_hook();
	fg_render_opts_tempfile(c->ro, po.tempfile);
	fg_render_opts_cancel(c->ro, &g_cancel);	/* a long render stops */
	po.progress = status_progress_cb;
	if (c->verbose) {
		char why[FG_ERRMSG_MAX];

		if (fg_process_source(&po, why, sizeof(why)) ==
		    FG_SOURCE_NATIVE)
			status_note("native perf.data reader (%s): %s%s%s%s | "
			    "render", why, po.perfdata, po.no_inline ?
			    " --no-inline" : "", pp != NULL ? " | " : "",
			    pp != NULL ? c->post_process : "");
		else
			status_note("perf script path (%s): %s%s script -i "
			    "%s%s | collapse%s%s | render", why,
			    sudo != NULL ? "sudo ... " : "", perf, po.perfdata,
			    po.no_inline ? " --no-inline" : "",
			    pp != NULL ? " | " : "", pp != NULL ?
			    c->post_process : "");
	}
	g_phase = PHASE_PROCESS;
	fg_error_clear(&err);
	rc = fg_process(&po, &nsamples, &err);
	g_phase = PHASE_IDLE;
	if (rc == FG_ECANCELED) {
		status_error("interrupted while processing; %s and any old "
		    "%s are left as they were", po.perfdata, po.output);
		ret = 128 + (g_interrupted != 0 ? g_interrupted : SIGINT);
		goto out;
	}
	if (rc == FG_ENODATA) {
		status_error("no samples were recorded in %s: run the program "
		    "longer or raise the frequency (-F)%s", po.perfdata,
		    c->skip_after != NULL || pp != NULL ?
		    ", or check --skip-after and --post-process" : "");
		if (recorded)
			paranoid_hint(sudo != NULL);
		goto out;
	}
	if (rc != 0) {
		if (rc == FG_ECHILD && err.sys == ENOENT)
			perf_missing(perf);
		else
			status_error("%s", err.msg);
		goto out;
	}
	if (c->folded_output != NULL)
		status_line("Writing", "%s", c->folded_output);
	status_line("Writing", "%s", po.output);
	if (c->open)
		open_svg(po.output);
	ret = 0;
	if (recorded && c->pids == NULL && wstatus != 0) {
		char d[64];
		fg_status_describe(wstatus, d, sizeof(d));
		if (g_interrupted) {
			status_note("interrupted: the graph shows what was "
			    "recorded until then");
			ret = c->ignore_status ? 0 : 128 + g_interrupted;
		} else {
			if (!c->ignore_status)
				status_warn("the profiled program failed (%s); "
				    "the graph was written anyway (--ignore-"
				    "status exits 0)", d);
			ret = c->ignore_status ? 0 : fg_status_code(wstatus);
		}
	}
	goto out;
nomem:
	status_error("out of memory");
	ret = CLI_EXIT_ERROR;
out:
	fg_cargo_free(cg);
	fg_manifest_free(man);
	free(sudo);
	free(pp);
	free(out);
	free(perfdata);
	free(exe);
	free(what);
	free(wargv);
	return ret;
}

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
	if (cargo_mode && argc > 1 && strcmp(argv[1], "flamegraph") == 0) {
		argv[1] = argv[0];
		argv++;
		argc--;
	}
	status_init(0);
	if ((c.ro = fg_render_opts_new()) == NULL) {
		status_error("out of memory");
		return CLI_EXIT_ERROR;
	}
	ret = parse(&c, argc, argv);
	if (ret < 0) {
		status_init(c.quiet);
		signals_install();
		ret = run(&c);
	}
	fg_render_opts_free(c.ro);
	free(c.skip_after);
	free(c.rargs);
	free(c.output_owned);
	return ret;
}
