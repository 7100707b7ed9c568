/*
 * cli_run.c: what cargo-flamegraph and flamegraph do once the command
 * line is parsed, as named stages: prepare, manifest and locate (cargo
 * mode, with the build policy of lib/buildpolicy.c), build, the paths,
 * record with perf, process the recording into flamegraph.svg, open it,
 * and the exit status.  Signals: Ctrl-C while recording is forwarded to
 * perf (which stops the workload) and the graph of what was recorded is
 * still drawn; Ctrl-C while processing raises the cancel flag, stops the
 * running child and leaves the recording and any old graph untouched; a
 * second one ends the program at once (temporary files removed).
 * SIGTERM and SIGHUP do the same as SIGINT; the exit status is then 128 +
 * the signal.  Each stage returns -1 to go on, else the exit status.
 */
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "flamegraph.h"
#include "cleanup.h"
#include "cli.h"
#include "cli_int.h"
#include "render_args.h"
#include "status.h"

enum phase { PHASE_IDLE, PHASE_RECORD, PHASE_PROCESS };

static volatile sig_atomic_t g_phase;
static volatile sig_atomic_t g_interrupted;	/* the signal, 0: none */
static volatile sig_atomic_t g_record_pid;
static volatile sig_atomic_t g_running_pid;
static fg_cancel_flag g_cancel;

/* What the stages share; owned here, freed by cli_run. */
struct run {
	struct cli *c;
	const char *perf;
	char **sudo, **pp;	/* --root and --post-process as words */
	size_t nsudo, npp;
	struct fg_manifest *man;
	struct fg_cargo *cg;
	char *out, *perfdata, *exe, *what;
	const char **wargv;	/* the workload */
	size_t wargc;
	int wstatus;		/* the workload's status */
	int recorded;
	struct fg_perf_caps caps;	/* probed before the build */
	struct fg_stacks *base;	/* --diff-against, read before recording */
	struct fg_stacks *diff;	/* base and this run, raw counts */
	uint64_t nsamples;	/* drawn */
	struct fg_follow *follow;	/* the recording read as perf writes it */
};

static void process_opts(const struct run *r, struct fg_process_opts *po);

static int
nomem(void)
{
	status_error("out of memory");
	return CLI_EXIT_ERROR;
}

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

/*
 * The -o FILE (--output FILE, -oFILE, --output=FILE) of the -c words, as
 * flamegraph-rs honours it: taken out of the words (fg_record_argv adds
 * the output) and made the recording read.  0, or -1 after a message.
 */
static int
custom_output(struct run *r, char **w, size_t *n)
{
	const char *path = NULL;
	size_t k = 0, i;
	char *p;

	for (i = 0; i < *n; i++) {
		if (strcmp(w[i], "-o") == 0 || strcmp(w[i], "--output") == 0) {
			if (i + 1 == *n) {
				status_error("-c/--cmd: %s needs a file", w[i]);
				return -1;
			}
			path = w[++i];
		} else if (strncmp(w[i], "--output=", 9) == 0) {
			path = w[i] + 9;
		} else if (strncmp(w[i], "-o", 2) == 0) {
			path = w[i] + 2;
		} else {
			w[k++] = w[i];
		}
	}
	*n = k;
	w[k] = NULL;
	if (path == NULL)
		return 0;
	if ((p = strdup(path)) == NULL) {
		nomem();
		return -1;
	}
	free(r->perfdata);
	r->perfdata = p;
	return 0;
}

/* The perf record options for c, sudo and the workload wargv. */
static int
record_opts(struct run *r, struct fg_record_opts *ro, char ***custom)
{
	const struct cli *c = r->c;
	size_t ncustom = 0;

	*custom = NULL;
	fg_record_opts_init(ro);
	ro->perf = r->perf;
	if (r->sudo != NULL) {
		ro->sudo = (const char *const *)r->sudo;
		ro->nsudo = r->nsudo;
	}
	ro->freq = c->freq;
	if (c->call_graph != NULL)
		ro->call_graph = c->call_graph;
	if (c->custom != NULL) {
		if (split("-c/--cmd", c->custom, custom, &ncustom) != 0 ||
		    custom_output(r, *custom, &ncustom) != 0)
			return CLI_EXIT_USAGE;
		ro->custom = (const char *const *)*custom;
		ro->ncustom = ncustom;
	}
	ro->compression = c->compression;
	ro->output = r->perfdata;
	ro->pids = c->pids;
	ro->argv = r->wargv;
	ro->argc = r->wargc;
	ro->quiet = c->quiet;
	ro->extra = c->perf_options;
	ro->nextra = c->nperf_options;
	ro->caps = r->caps;
	return -1;
}

/* "Profiling ..." and, with -v, the perf command line. */
static int
record_announce(const struct run *r, const struct fg_record_opts *ro)
{
	const struct cli *c = r->c;
	struct fg_error err;
	char **pargv = NULL;
	size_t pargc = 0;

	fg_error_clear(&err);
	if (fg_record_argv(ro, &pargv, &pargc, &err) != 0) {
		status_error("%s", err.msg);
		return CLI_EXIT_ERROR;
	}
	if (c->custom != NULL)
		status_line("Profiling", "%s with perf %s", r->what, c->custom);
	else if (c->call_graph != NULL)
		status_line("Profiling", "%s with perf (%u Hz, --call-graph %s)",
		    r->what, c->freq, c->call_graph);
	else
		status_line("Profiling", "%s with perf (%u Hz)", r->what,
		    c->freq);
	if (c->verbose) {
		fprintf(stderr, "%12s", "");
		for (size_t i = 0; i < pargc; i++)
			fprintf(stderr, " %s", pargv[i]);
		fputc('\n', stderr);
	}
	free(pargv);
	return -1;
}

static void *
warm_main(void *arg)
{
	struct fg_perfdata_opts po;

	(void)arg;
	fg_perfdata_opts_init(&po);	/* the cache the reader will use */
	fg_perfdata_warm(&po);
	return NULL;
}

/*
 * While perf records: a thread at the lowest priority (SCHED_IDLE) makes
 * what processing the recording will need (fg_perfdata_warm), so that it
 * is ready when the program ends.  1 when started; nothing depends on it.
 */
static int
warm_start(pthread_t *t)
{
	struct sched_param sp;
	pthread_attr_t attr;
	int idle = 0;

	memset(&sp, 0, sizeof(sp));
	if (pthread_attr_init(&attr) != 0)
		return 0;
#ifdef SCHED_IDLE
	idle = pthread_attr_setinheritsched(&attr,
	    PTHREAD_EXPLICIT_SCHED) == 0 &&
	    pthread_attr_setschedpolicy(&attr, SCHED_IDLE) == 0 &&
	    pthread_attr_setschedparam(&attr, &sp) == 0;
#endif
	if (pthread_create(t, idle ? &attr : NULL, warm_main, NULL) != 0 &&
	    (!idle || pthread_create(t, NULL, warm_main, NULL) != 0)) {
		pthread_attr_destroy(&attr);
		return 0;
	}
	pthread_attr_destroy(&attr);
	return 1;
}

/*
 * Read the recording while perf writes it (fg_follow_start), so that
 * the graph is drawn soon after the program ends; not through sudo,
 * nor for perf script, nor with FLAMEGRAPH_FOLLOW=0 (the environment
 * switch of docs/internals/recording.md).  The reading thread and its
 * helpers leave the signals to the main thread.
 */
static void
follow_start(struct run *r)
{
	struct fg_process_opts po;
	const char *e = getenv("FLAMEGRAPH_FOLLOW");
	sigset_t all, old;

	if (r->sudo != NULL || r->c->perf_script ||
	    (e != NULL && strcmp(e, "0") == 0))
		return;
	process_opts(r, &po);
	sigfillset(&all);
	if (pthread_sigmask(SIG_BLOCK, &all, &old) != 0)
		return;
	r->follow = fg_follow_start(&po);
	(void)pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Run perf record to its end; Ctrl-C goes to perf (on_signal). */
static int
record_run(struct run *r, const struct fg_record_opts *ro)
{
	struct fg_child ch;
	struct fg_error err;
	pthread_t warm;
	int status = 0, rc, warmed;

	g_phase = PHASE_RECORD;
	fg_error_clear(&err);
	follow_start(r);
	rc = fg_record_start(ro, &ch, &err);
	if (rc != 0) {
		g_phase = PHASE_IDLE;
		if (err.sys == ENOENT && r->sudo != NULL)
			status_error("--root: sudo was not found (Debian: "
			    "`apt-get install sudo`); as root, drop --root");
		else if (err.sys == ENOENT)
			perf_missing(r->perf);
		else
			status_error("%s", err.msg);
		return CLI_EXIT_ERROR;
	}
	g_record_pid = ch.pid;
	if (g_interrupted)	/* Ctrl-C came before the pid was known */
		fg_child_signal(ch.pid, SIGINT);
	warmed = warm_start(&warm);
	rc = fg_child_wait(&ch, &status, &err);
	if (warmed)
		pthread_join(warm, NULL);
	g_record_pid = 0;
	g_phase = PHASE_IDLE;
	if (rc != 0) {
		status_error("%s", err.msg);
		return CLI_EXIT_ERROR;
	}
	r->wstatus = status;
	return -1;
}

/* Stage: record into r->perfdata.  -1 to go on, else the exit code. */
static int
stage_record(struct run *r)
{
	struct fg_record_opts ro;
	struct stat sb;
	char **custom;
	time_t start;
	int rc;

	if ((rc = record_opts(r, &ro, &custom)) >= 0)
		return rc;
	if ((rc = record_announce(r, &ro)) >= 0) {
		free(custom);
		return rc;
	}
	start = time(NULL);
	rc = record_run(r, &ro);
	free(custom);
	if (rc >= 0)
		return rc;
	if (stat(r->perfdata, &sb) == -1 || sb.st_size == 0 ||
	    sb.st_mtime < start - 1) {
		char d[64];
		fg_status_describe(r->wstatus, d, sizeof(d));
		status_error("perf record failed (%s) and wrote no recording; "
		    "its message is above", d);
		paranoid_hint(r->sudo != NULL);
		r->wstatus = 0;
		return CLI_EXIT_ERROR;
	}
	r->recorded = 1;
	fg_follow_end(r->follow, 1);
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
 * The renderer's defaults from the manifest, with the renderer flags
 * given on the command line applied again on top.
 */
static int
metadata_render(struct cli *c, const struct fg_manifest *m)
{
	static const struct { const char *key, *render; int flag; } rk[] = {
		{ "palette", "colors", 0 }, { "title", "title", 0 },
		{ "subtitle", "subtitle", 0 }, { "notes", "notes", 0 },
		{ "min-width", "minwidth", 0 }, { "image-width", "width", 0 },
		{ "deterministic", "deterministic", 1 },
		{ "inverted", "inverted", 1 }, { "reverse", "reverse", 1 },
		{ "flamechart", "flamechart", 1 } };
	struct fg_render_opts *ro;
	struct fg_error err;
	const char *v, *origin;

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
	return -1;
}

/* A boolean manifest option that is "true". */
static int
metadata_true(const struct fg_manifest *m, const char *key)
{
	const char *v = fg_manifest_option(m, key, NULL);

	return v != NULL && strcmp(v, "true") == 0;
}

/* The recording's defaults from the manifest where argv said nothing. */
static int
metadata_record(struct cli *c, const struct fg_manifest *m)
{
	const char *v, *origin;
	const char *const *items;
	long long num;
	size_t n;

	if (!c->freq_set && (v = fg_manifest_option(m, "freq", &origin)) != NULL) {
		if (cli_number(origin, v, 1, 1000000, &num) != 0)
			return CLI_EXIT_ERROR;
		c->freq = (unsigned)num;
	}
	/* -F or --call-graph on the command line win over the manifest's cmd */
	if (c->custom == NULL && c->call_graph == NULL && !c->freq_set)
		c->custom = fg_manifest_option(m, "cmd", NULL);
	if (metadata_true(m, "no-inline"))
		c->no_inline = 1;
	if (metadata_true(m, "ignore-status"))
		c->ignore_status = 1;
	if (c->root == NULL && metadata_true(m, "root"))
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
	return -1;
}

/* The target and the output from the manifest where argv said nothing. */
static void
metadata_target(struct cli *c, const struct fg_manifest *m)
{
	static const struct { const char *key; enum fg_target_kind kind; } tk[] = {
		{ "bin", FG_TARGET_BIN }, { "example", FG_TARGET_EXAMPLE },
		{ "test", FG_TARGET_TEST }, { "bench", FG_TARGET_BENCH } };
	const char *v;

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
}

/*
 * Stage (cargo mode): the manifests, and the defaults of
 * [package/workspace.metadata.flamegraph] applied where the command line
 * said nothing.  No manifest is not an error: cargo will say what is
 * wrong, if anything.
 */
static int
stage_manifest(struct run *r)
{
	struct cli *c = r->c;
	struct fg_manifest_opts mo;
	struct fg_error err;
	int rc;

	fg_manifest_opts_init(&mo);
	mo.manifest_path = c->co.manifest_path;
	mo.env = (const char *const *)environ;
	mo.target = c->co.triple;
	mo.package = c->co.package;
	mo.warn.fn = status_warn_cb;
	fg_error_clear(&err);
	if (fg_manifest_load(&mo, &r->man, &err) != 0) {
		r->man = NULL;
		if (err.code == FG_EPARSE) {
			status_error("%s", err.msg);
			return CLI_EXIT_ERROR;
		}
		/* not about a file too large for us but not for cargo */
		if (err.code == FG_ELIMIT)
			status_warn("%s (a limit of this tool, not of cargo): "
			    "[package.metadata.flamegraph] is not applied and "
			    "the profiles are not read; the build gets the "
			    "default debug-info overrides", err.msg);
		else if (c->verbose)
			status_note("manifest: %s", err.msg);
		return -1;
	}
	if ((rc = metadata_render(c, r->man)) >= 0 ||
	    (rc = metadata_record(c, r->man)) >= 0)
		return rc;
	metadata_target(c, r->man);
	return -1;
}

static void
note_cb(void *arg, const char *msg)
{
	(void)arg;
	status_note("%s", msg);
}

/* Stage (cargo mode): locate the target and apply the build policy. */
static int
stage_locate(struct run *r)
{
	struct cli *c = r->c;
	struct fg_build_opts bo;
	struct fg_build *b = NULL;
	struct fg_error err;
	int cstatus = 0, rc;

	fg_error_clear(&err);
	if (fg_cargo_locate(&c->co, &r->cg, &cstatus, &err) != 0) {
		status_error("%s", err.msg);
		return cstatus != 0 ? cstatus : CLI_EXIT_ERROR;
	}
	fg_build_opts_init(&bo);
	bo.manifest = r->man;
	bo.cargo = r->cg;
	bo.env = (const char *const *)environ;
	bo.frame_pointers = c->fp;
	bo.verbose = c->verbose;
	bo.warn.fn = status_warn_cb;
	bo.note.fn = note_cb;
	rc = fg_build_policy(&bo, &b, &err);
	if (rc == 0)
		rc = fg_cargo_set_build(r->cg, b, &err);
	fg_build_free(b);
	if (rc != 0) {
		status_error("%s", err.msg);
		return CLI_EXIT_ERROR;
	}
	return -1;
}

/* A warning when the executable lost what the graph needs. */
static void
check_debug_info(const struct fg_cargo *cg)
{
	struct fg_error err;
	int dbg = 1, sym = 1;

	fg_error_clear(&err);
	if (fg_elf_debug_info(fg_cargo_executable(cg), &dbg, &sym, &err) != 0)
		status_warn("%s", err.msg);
	else if (!dbg || !sym)
		status_warn("%s has no %s although profile `%s` was built to "
		    "keep it: check [profile.%s] in Cargo.toml and "
		    ".cargo/config.toml (debug, strip, split-debuginfo) and "
		    "RUSTFLAGS; frames may show as addresses",
		    fg_cargo_executable(cg), !sym ? "symbol table" :
		    "debug info", fg_cargo_profile(cg), fg_cargo_profile(cg));
}

/* Stage (cargo mode): build the target. */
static int
stage_build(struct run *r)
{
	const struct cli *c = r->c;
	struct fg_error err;
	int cstatus = 0;

	fg_error_clear(&err);
	if (fg_cargo_build(r->cg, &cstatus, &err) != 0) {
		if (c->verbose)
			status_note("%s", fg_cargo_build_cmdline(r->cg));
		status_error("%s", err.msg);
		return cstatus != 0 ? cstatus : CLI_EXIT_ERROR;
	}
	if (*fg_cargo_overrides(r->cg) != '\0')
		status_note("built profile `%s` with %s so that the graph has "
		    "function names and lines", fg_cargo_profile(r->cg),
		    fg_cargo_overrides(r->cg));
	if (c->verbose)
		status_note("%s", fg_cargo_build_cmdline(r->cg));
	check_debug_info(r->cg);
	return -1;
}

/*
 * Stage (cargo mode): TARGET/flamegraph/perf.data, the SVG in the
 * workspace root, the executable with the arguments.
 */
static int
stage_cargo_paths(struct run *r)
{
	const struct cli *c = r->c;
	const char *tdir = fg_cargo_target_dir(r->cg);

	if (asprintf(&r->perfdata, "%s/flamegraph", tdir) == -1 ||
	    mkdirs(r->perfdata) != 0) {
		status_error("cannot create %s: %s", r->perfdata != NULL ?
		    r->perfdata : "the target directory", strerror(errno));
		return CLI_EXIT_ERROR;
	}
	free(r->perfdata);
	if (asprintf(&r->perfdata, "%s/flamegraph/perf.data", tdir) == -1) {
		r->perfdata = NULL;
		return nomem();
	}
	if (c->output == NULL && asprintf(&r->out, "%s/flamegraph.svg",
	    fg_cargo_workspace_root(r->cg)) == -1) {
		r->out = NULL;
		return nomem();
	}
	if ((r->wargv = calloc((size_t)c->nargs + 3, sizeof(*r->wargv))) ==
	    NULL)
		return nomem();
	r->wargv[r->wargc++] = fg_cargo_executable(r->cg);
	for (int i = 0; i < c->nargs; i++)
		r->wargv[r->wargc++] = c->args[i];
	if (c->co.kind == FG_TARGET_BENCH || c->co.kind == FG_TARGET_UNIT_BENCH)
		r->wargv[r->wargc++] = "--bench";
	if ((r->what = strdup(fg_cargo_target_desc(r->cg))) == NULL)
		return nomem();
	return -1;
}

/* Stage (flamegraph): ./perf.data, the command found in PATH or pids. */
static int
stage_command_paths(struct run *r)
{
	const struct cli *c = r->c;

	if ((r->perfdata = strdup("perf.data")) == NULL)
		return nomem();
	if (c->custom_pid) {
		if ((r->what = strdup("the processes of -c (Ctrl-C to stop)")) ==
		    NULL)
			return nomem();
		return -1;
	}
	if (c->pids != NULL) {
		if (asprintf(&r->what, "pid %s (Ctrl-C to stop)", c->pids) == -1) {
			r->what = NULL;
			return nomem();
		}
		return -1;
	}
	if ((r->exe = which(c->args[0])) == NULL) {
		status_error("%s: command not found", c->args[0]);
		return 127;
	}
	if ((r->wargv = calloc((size_t)c->nargs + 1, sizeof(*r->wargv))) ==
	    NULL)
		return nomem();
	r->wargv[r->wargc++] = r->exe;
	for (int i = 1; i < c->nargs; i++)
		r->wargv[r->wargc++] = c->args[i];
	if (asprintf(&r->what, "`%s`", c->args[0]) == -1) {
		r->what = NULL;
		return nomem();
	}
	return -1;
}

/* The SVG when neither -o nor the manifest named it. */
static int
default_output(struct run *r)
{
	if (r->c->output != NULL || r->out != NULL)
		return -1;
	/* cargo flamegraph --perfdata: the workspace root */
	if (r->man != NULL && asprintf(&r->out, "%s/flamegraph.svg",
	    fg_manifest_root(r->man)) == -1) {
		r->out = NULL;
		return nomem();
	}
	if (r->out == NULL && (r->out = strdup("flamegraph.svg")) == NULL)
		return nomem();
	return -1;
}

/* The processing options for r. */
static void
process_opts(const struct run *r, struct fg_process_opts *po)
{
	const struct cli *c = r->c;

	fg_process_opts_init(po);
	po->perf = r->perf;
	if (r->sudo != NULL) {
		po->sudo = (const char *const *)r->sudo;
		po->nsudo = r->nsudo;
	}
	po->perfdata = c->perfdata != NULL ? c->perfdata : r->perfdata;
	po->source = c->perf_script ? FG_SOURCE_PERF_SCRIPT : FG_SOURCE_AUTO;
	po->naming.no_inline = c->no_inline;
	po->naming.skip_after = c->skip_after;
	po->naming.nskip_after = c->nskip_after;
	po->post_process = (const char *const *)r->pp;
	po->folded_output = c->folded_output;
	po->speedscope_output = c->speedscope_output;
	po->pprof_output = c->pprof_output;
	po->threads = c->per_thread ? FG_THREADS_BY_WEIGHT : 0;
	po->output = c->output != NULL ? c->output : r->out;
	po->render = c->ro;
	po->quiet = c->quiet;
	po->cancel = &g_cancel;
	po->running_pid = &g_running_pid;
	po->warn.fn = status_warn_cb;
	po->tempfile = cleanup_hook();
	fg_render_opts_tempfile(c->ro, po->tempfile);
	fg_render_opts_cancel(c->ro, &g_cancel);	/* a long render stops */
	po->progress = status_progress_cb;
	po->diff_base = r->base;
	po->diff_absolute = c->diff_absolute;
	po->diff_result = r->diff;
}

/* -v: which path the stacks take. */
static void
process_note(const struct run *r, const struct fg_process_opts *po)
{
	const struct cli *c = r->c;
	const char *pp = r->pp != NULL ? c->post_process : "";
	const char *bar = r->pp != NULL ? " | " : "";
	char why[FG_ERRMSG_MAX];

	if (fg_process_source(po, why, sizeof(why)) == FG_SOURCE_NATIVE)
		status_note("native perf.data reader (%s): %s%s%s%s | render",
		    why, po->perfdata, po->naming.no_inline ? " --no-inline" : "",
		    bar, pp);
	else
		status_note("perf script path (%s): %s%s script -i %s%s | "
		    "collapse%s%s | render", why, r->sudo != NULL ?
		    "sudo ... " : "", r->perf, po->perfdata, po->naming.no_inline ?
		    " --no-inline" : "", bar, pp);
}

/* Stage: the recording to the SVG.  -1 to go on, else the exit code. */
static int
stage_process(struct run *r, struct fg_process_opts *po)
{
	struct fg_error err;
	int rc;

	process_opts(r, po);
	po->follow = r->follow;
	if (r->c->verbose)
		process_note(r, po);
	g_phase = PHASE_PROCESS;
	fg_error_clear(&err);
	rc = fg_process(po, &r->nsamples, &err);
	g_phase = PHASE_IDLE;
	if (r->c->verbose && r->follow != NULL)
		status_note(fg_follow_taken(r->follow) ? "the recording was "
		    "read while perf wrote it" : "the recording was read after "
		    "perf ended (it could not be followed)");
	if (rc == FG_ECANCELED) {
		status_error("interrupted while processing; %s and any old "
		    "%s are left as they were", po->perfdata, po->output);
		return 128 + (g_interrupted != 0 ? g_interrupted : SIGINT);
	}
	if (rc == FG_ENODATA) {
		status_error("no samples were recorded in %s: run the program "
		    "longer or raise the frequency (-F)%s", po->perfdata,
		    r->c->skip_after != NULL || r->pp != NULL ?
		    ", or check --skip-after and --post-process" : "");
		if (r->recorded)
			paranoid_hint(r->sudo != NULL);
		return CLI_EXIT_ERROR;
	}
	if (rc != 0) {
		if (rc == FG_ECHILD && err.sys == ENOENT)
			perf_missing(r->perf);
		else
			status_error("%s", err.msg);
		return CLI_EXIT_ERROR;
	}
	return -1;
}

/* Stage: say what was written, open it, and the exit status. */
static int
stage_finish(const struct run *r, const struct fg_process_opts *po)
{
	const struct cli *c = r->c;
	char d[64];
	int ok;

	if (c->folded_output != NULL)
		status_line("Writing", "%s", c->folded_output);
	if (c->speedscope_output != NULL)
		status_line("Writing", "%s", c->speedscope_output);
	if (c->pprof_output != NULL)
		status_line("Writing", "%s", c->pprof_output);
	status_line("Writing", "%s", po->output);
	if (c->open)
		open_svg(po->output);
	/* a tripped gate is the status when the program's is not */
	ok = r->base != NULL && diff_report(c, r->base, r->diff,
	    r->nsamples) > 0 ? CLI_EXIT_GATE : 0;
	if (!r->recorded || c->pids != NULL || c->custom_pid ||
	    r->wstatus == 0)
		return ok;
	fg_status_describe(r->wstatus, d, sizeof(d));
	if (g_interrupted) {
		status_note("interrupted: the graph shows what was recorded "
		    "until then");
		return c->ignore_status ? ok : 128 + g_interrupted;
	}
	if (!c->ignore_status)
		status_warn("the profiled program failed (%s); the graph was "
		    "written anyway (--ignore-status exits 0)", d);
	return c->ignore_status ? ok : fg_status_code(r->wstatus);
}

/* Stage: perf and cargo binaries, --post-process as words. */
static int
stage_prepare(struct run *r)
{
	struct cli *c = r->c;
	const char *cargo = getenv("CARGO");

	r->perf = getenv("PERF");
	if (r->perf == NULL || *r->perf == '\0')
		r->perf = "perf";
	if (cargo == NULL || *cargo == '\0' || !c->cargo_mode)
		cargo = "cargo";
	c->co.cargo = cargo;
	c->co.verbose = c->verbose > 1;
	/* cargo's own settings for --color and -q (cargo reads them) */
	if (c->color != NULL && setenv("CARGO_TERM_COLOR", c->color, 1) != 0)
		return nomem();
	if (c->quiet && !c->co.verbose &&
	    setenv("CARGO_TERM_QUIET", "true", 1) != 0)
		return nomem();
	c->co.warn.fn = status_warn_cb;
	if (c->post_process != NULL && split("--post-process",
	    c->post_process, &r->pp, &r->npp) != 0)
		return CLI_EXIT_USAGE;
	if (r->pp != NULL && r->npp == 0) {
		status_error("--post-process: empty command");
		return CLI_EXIT_USAGE;
	}
	return -1;
}

/*
 * Stage: --root (or the manifest's root = true, known only once the
 * manifest is read) as the sudo words perf runs under.
 */
static int
stage_sudo(struct run *r)
{
	const struct cli *c = r->c;

	if (c->root == NULL)
		return -1;
	if (split("--root", c->root, &r->sudo, &r->nsudo) != 0)
		return CLI_EXIT_USAGE;
	return r->sudo == NULL ? CLI_EXIT_ERROR : -1;
}

/*
 * Stage (recording): perf installed and the kernel letting us record,
 * checked before anything is built.  The probed capabilities go to the
 * recorder.  Through sudo, perf may be in root's PATH only: not found is
 * then left to the recording to say.
 */
static int
stage_perf_check(struct run *r)
{
	struct fg_error err;

	if (r->c->root == NULL && geteuid() != 0 && paranoid_level() > 2) {
		status_error("kernel.perf_event_paranoid is %d: perf cannot "
		    "record as a user", paranoid_level());
		paranoid_hint(0);
		return CLI_EXIT_ERROR;
	}
	fg_error_clear(&err);
	if (fg_perf_probe(r->perf, &r->caps, &err) != 0 && err.sys == ENOENT &&
	    r->sudo == NULL) {
		perf_missing(r->perf);
		return CLI_EXIT_ERROR;
	}
	return -1;
}

/*
 * Stage: --diff-against's base read now, before anything is built or
 * recorded, with the options the recording will be read with.
 */
static int
stage_base(struct run *r)
{
	struct fg_process_opts po;
	struct fg_error err;
	int rc;

	if ((r->base = fg_stacks_new()) == NULL ||
	    (r->diff = fg_stacks_new()) == NULL)
		return nomem();
	process_opts(r, &po);
	if (r->c->verbose)
		status_note("base of the differential graph: %s",
		    r->c->diff_against);
	g_phase = PHASE_PROCESS;
	fg_error_clear(&err);
	rc = fg_process_read_base(&po, r->c->diff_against, r->base, &err);
	g_phase = PHASE_IDLE;
	if (rc == FG_ECANCELED || (rc != 0 && g_interrupted))
		return 128 + (g_interrupted != 0 ? g_interrupted : SIGINT);
	if (rc == FG_ECHILD && err.sys == ENOENT) {
		perf_missing(r->perf);
		return CLI_EXIT_ERROR;
	}
	if (rc != 0) {
		status_error("--diff-against: %s", err.msg);
		return CLI_EXIT_ERROR;
	}
	g_cancel = 0;
	return -1;
}

/* Stages up to a recording (or the one given): -1, else the exit code. */
static int
stages_to_recording(struct run *r)
{
	const struct cli *c = r->c;
	int rc;

	if ((rc = stage_prepare(r)) >= 0)
		return rc;
	if (c->cargo_mode && (rc = stage_manifest(r)) >= 0)
		return rc;
	if ((rc = stage_sudo(r)) >= 0)
		return rc;
	if (c->diff_against != NULL && (rc = stage_base(r)) >= 0)
		return rc;
	if (c->perfdata == NULL && (rc = stage_perf_check(r)) >= 0)
		return rc;
	if (c->cargo_mode && c->perfdata == NULL) {
		if ((rc = stage_locate(r)) >= 0 ||
		    (rc = stage_build(r)) >= 0 ||
		    (rc = stage_cargo_paths(r)) >= 0)
			return rc;
	} else if (c->perfdata == NULL &&
	    (rc = stage_command_paths(r)) >= 0) {
		return rc;
	}
	if ((rc = default_output(r)) >= 0)
		return rc;
	if (c->perfdata == NULL && (rc = stage_record(r)) >= 0)
		return rc;
	return -1;
}

int
cli_run(struct cli *c)
{
	struct run r;
	struct fg_process_opts po;
	int rc;

	memset(&r, 0, sizeof(r));
	r.c = c;
	signals_install();
	if ((rc = stages_to_recording(&r)) < 0 &&
	    (rc = stage_process(&r, &po)) < 0)
		rc = stage_finish(&r, &po);
	fg_follow_free(r.follow);
	fg_cargo_free(r.cg);
	fg_manifest_free(r.man);
	fg_stacks_free(r.base);
	fg_stacks_free(r.diff);
	free(r.sudo);
	free(r.pp);
	free(r.out);
	free(r.perfdata);
	free(r.exe);
	free(r.what);
	free(r.wargv);
	return rc;
}
