/*
 * flamegraph.h: the one public header of libflamegraph.
 *
 * libflamegraph turns profiler output (perf script text, perf.data, folded
 * stacks) into folded stacks and interactive flame graph SVGs, and drives
 * cargo and perf for the cargo-flamegraph tools.  Everything public has the
 * fg_ prefix, and every function is declared with FG_API: the shared
 * library exports exactly those (docs/internals/api.md).  The library
 * never prints and never exits: functions return 0 on success or a
 * negative FG_E* code, and fill a struct fg_error whose message names the
 * file, line or record at fault.  Warnings go to a
 * callback the caller sets.  No third-party type appears here.
 *
 * Memory: fg_X_new() returns an object the caller owns and releases with
 * fg_X_free(), which accepts NULL.  Pointers passed in are borrowed for the
 * duration of the call unless a contract says otherwise.
 *
 * Each module owns one section below, in dependency order.
 */
#ifndef FLAMEGRAPH_H
#define FLAMEGRAPH_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Marks a function the shared library exports; a no-op where the
 * compiler has no visibility attribute (the version script still hides
 * what is not fg_). */
#ifndef FG_API
#if defined(__GNUC__) || defined(__clang__)
#define FG_API __attribute__((visibility("default")))
#else
#define FG_API
#endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------ */
/* Errors, warnings, cancellation                                      */
/* ------------------------------------------------------------------ */

#define FG_VERSION "0.1.0"

enum fg_code {
	FG_OK = 0,
	FG_ENOMEM = -1,		/* out of memory */
	FG_EIO = -2,		/* read or write failed (errno in fg_error.sys) */
	FG_EPARSE = -3,		/* malformed input */
	FG_EOVERFLOW = -4,	/* a count or size would not fit */
	FG_EINVAL = -5,		/* bad argument or option */
	FG_ECANCELED = -6,	/* the cancel flag was raised */
	FG_ENODATA = -7,	/* the input held nothing to draw */
	FG_ECHILD = -8,		/* a child process failed to start or failed */
	FG_ELIMIT = -9,		/* a hard limit on untrusted input was hit */
	FG_EUNSUPPORTED = -10	/* valid input this version cannot handle */
};

#define FG_ERRMSG_MAX 512

/*
 * The error of a failed call.  The first error set wins: a function that
 * fails after a callee has already filled it keeps the callee's message.
 * fg_error_clear() resets it.
 */
struct fg_error {
	int code;		/* enum fg_code, 0 when no error */
	int sys;		/* errno at the failure, 0 when not a system error */
	char msg[FG_ERRMSG_MAX];	/* one line, no trailing newline */
};

FG_API void fg_error_clear(struct fg_error *err);

/* A short fixed text for an fg_code ("out of memory", ...). */
FG_API const char *fg_strerror(int code);

/*
 * Warnings (a line skipped, samples lost).  msg is one line without a
 * newline, valid only during the call.
 */
typedef void fg_warn_fn(void *arg, const char *msg);

struct fg_warn {
	fg_warn_fn *fn;		/* NULL: warnings are dropped */
	void *arg;
};

/*
 * Long operations poll *cancel (when non-NULL) and return FG_ECANCELED
 * soon after it becomes non-zero.  A signal handler may set it.
 */
typedef volatile sig_atomic_t fg_cancel_flag;

/*
 * Temporary files.  A function that replaces a file (fg_process's SVG and
 * folded output, the palette file of --cp) writes a temporary file beside
 * it and renames it into place.  When fn is set it is called with the
 * temporary's path right after the file is created (created = 1) and
 * again once it has been renamed or removed (created = 0), so that a
 * program can remove it when a signal ends the program in between.  path
 * is valid only during the call.
 */
typedef void fg_tempfile_fn(void *arg, const char *path, int created);

struct fg_tempfile {
	fg_tempfile_fn *fn;	/* NULL: not reported */
	void *arg;
};

/* ------------------------------------------------------------------ */
/* Stacks: the folded-stack model every source fills and sinks read   */
/* ------------------------------------------------------------------ */

struct fg_stacks;

/* A new empty model, or NULL when out of memory. */
FG_API struct fg_stacks *fg_stacks_new(void);
FG_API void fg_stacks_free(struct fg_stacks *st);

/*
 * Add weight to the stack frames[0] (root) .. frames[n - 1] (leaf).  Frame
 * names are copied; lens[i] is the length of frames[i] (NULL lens: the
 * names are NUL-terminated).  A second weight (weight2) is kept for
 * differential graphs; pass 0 when unused.  A sum that would exceed
 * UINT64_MAX fails with FG_EOVERFLOW and leaves the model unchanged.
 */
FG_API int fg_stacks_add(struct fg_stacks *st, const char *const *frames,
    const size_t *lens, size_t n, uint64_t weight, uint64_t weight2,
    struct fg_error *err);

/*
 * Add weight to a stack given in folded form, frames joined by ';'
 * ("main;work;leaf"), len bytes, not NUL-terminated necessarily.
 */
FG_API int fg_stacks_add_folded(struct fg_stacks *st, const char *stack,
    size_t len, uint64_t weight, uint64_t weight2, struct fg_error *err);

/* Merge every stack of src into dst (src is unchanged). */
FG_API int fg_stacks_merge(struct fg_stacks *dst, const struct fg_stacks *src,
    struct fg_error *err);

/*
 * Keep every addition in order from now on (off by default: memory per
 * sample).  Reading a recording (perf.data or `perf script` text) into
 * st then keeps one entry per sample, in the recording's order, with its
 * time and thread: the sample log that time-ordered flame charts,
 * per-thread views and the speedscope and pprof outputs need.  Call
 * before anything is added.
 */
FG_API void fg_stacks_keep_samples(struct fg_stacks *st);
FG_API size_t fg_stacks_count(const struct fg_stacks *st);	/* unique stacks */
FG_API size_t fg_stacks_nframes(const struct fg_stacks *st);	/* unique names */
/* Sum of the weights; saturates at UINT64_MAX (see fg_stacks_add). */
FG_API uint64_t fg_stacks_total(const struct fg_stacks *st);
/* True when any stack has a non-zero second weight. */
FG_API int fg_stacks_differential(const struct fg_stacks *st);

/*
 * Visit the stacks in folded order: byte order of the joined
 * "a;b;c" strings, as `sort` with LC_ALL=C (and inferno) order them.
 * frames[] holds n borrowed names root first, valid during the call only.
 * The callback returns 0 to go on, non-zero to stop (that value is
 * returned).
 */
typedef int fg_stack_visit_fn(void *arg, const char *const *frames,
    const size_t *lens, size_t n, uint64_t weight, uint64_t weight2);
FG_API int fg_stacks_foreach_sorted(const struct fg_stacks *st,
    fg_stack_visit_fn *fn, void *arg, struct fg_error *err);

/*
 * Write "a;b;c WEIGHT\n" lines in folded order ("a;b;c W1 W2\n" when the
 * model is differential).  FG_EIO on a write error.
 */
FG_API int fg_stacks_write_folded(const struct fg_stacks *st, FILE *fp,
    struct fg_error *err);

/* ------------------------------------------------------------------ */
/* Collapse: perf script text -> stacks                                */
/* ------------------------------------------------------------------ */

/*
 * How samples become named stacks, shared by the perf-script collapser
 * (struct fg_collapse_opts), the native perf.data reader (struct
 * fg_perfdata_opts) and processing (struct fg_process_opts), with
 * inferno-collapse-perf's meanings, so that every source names the same
 * recording the same way.  All off (zero) by default: inline frames on,
 * the first event, no annotations.
 */
struct fg_naming_opts {
	int pid;		/* --pid: append "-PID" to the process name */
	int tid;		/* --tid: append "-PID/TID" */
	int kernel;		/* --kernel: annotate kernel frames "_[k]" */
	int jit;		/* --jit: annotate JIT frames "_[j]" */
	int addrs;		/* --addrs: keep raw addresses of unknown frames */
	int no_inline;		/* --no-inline: no DWARF inline frames */
	const char *event_filter;	/* NULL: the first event sampled */
	const char *const *skip_after;	/* drop frames below these names */
	size_t nskip_after;
};

/*
 * Options of the perf-script collapser, with inferno-collapse-perf's
 * meanings.  fg_collapse_opts_init() sets the defaults (all off, first
 * event only, automatic threads).
 */
struct fg_collapse_opts {
	/* naming.no_inline is not used: perf script names the frames */
	struct fg_naming_opts naming;
	unsigned nthreads;	/* 0: as many as pay off (at most 2 now) */
	fg_cancel_flag *cancel;	/* optional */
	struct fg_warn warn;	/* skipped lines, with their line numbers;
				 * called from the calling thread only */
};

FG_API void fg_collapse_opts_init(struct fg_collapse_opts *o);

/*
 * Read `perf script` text from fd until end of file and add every sample
 * to out, weighted by its period.  name labels messages ("perf script:
 * line 12: ..."; NULL: "perf script").  The input is streamed: memory
 * grows with the number of unique stacks, not with the input.  A regular
 * file may be mapped and split across threads (same result as one); a
 * pipe is read in order.  Lines that cannot be parsed, and lines longer
 * than 16 MiB, are skipped with a warning; only I/O errors, limits,
 * cancellation (FG_ECANCELED) and FG_ENOMEM fail the call, and out may
 * then hold part of the input.  o NULL: the defaults.
 */
FG_API int fg_collapse_perf_fd(int fd, const char *name,
    const struct fg_collapse_opts *o, struct fg_stacks *out,
    struct fg_error *err);

/* Same for a file path ("-" is standard input); messages name the path. */
FG_API int fg_collapse_perf_file(const char *path,
    const struct fg_collapse_opts *o, struct fg_stacks *out,
    struct fg_error *err);

/* Same for a memory buffer (fuzzing, tests). */
FG_API int fg_collapse_perf_mem(const char *buf, size_t len, const char *name,
    const struct fg_collapse_opts *o, struct fg_stacks *out,
    struct fg_error *err);

/* ------------------------------------------------------------------ */
/* Folded text reader                                                  */
/* ------------------------------------------------------------------ */

struct fg_folded_opts {
	fg_cancel_flag *cancel;	/* optional */
	struct fg_warn warn;	/* skipped lines, with their line numbers */
	int keep_order;		/* also record the line order, so that
				   --flamechart and --no-sort draw equal
				   stacks that are not adjacent apart */
};

FG_API void fg_folded_opts_init(struct fg_folded_opts *o);

/*
 * Read folded stacks ("a;b;c COUNT" or "a;b;c COUNT1 COUNT2" lines) from
 * fd and add them to out.  Lines that do not parse are skipped with a
 * warning naming "NAME:LINE".
 */
FG_API int fg_folded_read_fd(int fd, const char *name,
    const struct fg_folded_opts *o, struct fg_stacks *out,
    struct fg_error *err);
FG_API int fg_folded_read_file(const char *path, const struct fg_folded_opts *o,
    struct fg_stacks *out, struct fg_error *err);

/* ------------------------------------------------------------------ */
/* Diff: two profiles -> one differential profile                      */
/* ------------------------------------------------------------------ */

struct fg_diff_opts {
	int normalize;		/* scale the before counts to the after total */
	int strip_hex;		/* frame names: "0x1f2e" becomes "0x..." */
};

FG_API void fg_diff_opts_init(struct fg_diff_opts *o);

/*
 * The total of st as one side of a diff: the sum of its weights, or of
 * its second weights when st is differential (the "after" column of a
 * differential folded file).  Saturates at UINT64_MAX.
 */
FG_API uint64_t fg_diff_total(const struct fg_stacks *st);

/*
 * Add to out every stack of before with its count as the first weight,
 * then every stack of after with its count as the second weight, as
 * inferno-diff-folded combines two folded files.  A side's count of a
 * stack is its weight, or its second weight when that side is
 * differential.  o->normalize multiplies the before counts by
 * after total / before total (fg_diff_total), truncated.  o NULL: no
 * option.  out is usually new; FG_ENOMEM, FG_EOVERFLOW.
 */
FG_API int fg_diff_stacks(const struct fg_stacks *before,
    const struct fg_stacks *after, const struct fg_diff_opts *o,
    struct fg_stacks *out, struct fg_error *err);

/*
 * A function's share of the samples on each side of a differential
 * model: the weights of the stacks holding a frame of that name (once
 * per stack, recursion or not) in percent of the side's total.
 */
struct fg_diff_change {
	const char *name;	/* owned by the model */
	double before, after;	/* percent */
};

/*
 * The at most k functions of diff whose share grew the most (grew[],
 * *ngrew) and shrank the most (shrank[], *nshrank), largest change
 * first, equal changes by name; changes under 0.005 percentage points
 * are left out.  The arrays hold k entries each.  0 or FG_ENOMEM.
 */
FG_API int fg_diff_changes(const struct fg_stacks *diff, size_t k,
    struct fg_diff_change *grew, size_t *ngrew,
    struct fg_diff_change *shrank, size_t *nshrank, struct fg_error *err);

/*
 * The share of each side's samples (percent) whose stack holds a frame
 * whose name contains pattern (a plain substring, case-sensitive).
 * 0 or FG_ENOMEM.
 */
FG_API int fg_diff_share(const struct fg_stacks *diff, const char *pattern,
    double *before, double *after, struct fg_error *err);

/* ------------------------------------------------------------------ */
/* Render: stacks -> flame graph SVG                                   */
/* ------------------------------------------------------------------ */

/*
 * Renderer options, with inferno-flamegraph's meanings.  The renderer
 * module defines the fields; fg_render_opts_new() sets inferno's
 * defaults.
 */
struct fg_render_opts;

/*
 * A new options object with the defaults, or NULL when out of memory.
 * Setting options goes through fg_render_opts_set(), so that programs
 * can pass renderer flags through by name.
 */
FG_API struct fg_render_opts *fg_render_opts_new(void);
FG_API void fg_render_opts_free(struct fg_render_opts *o);

/*
 * Set option name (the long flag without "--", e.g. "title", "minwidth",
 * "colors", "inverted") to value (NULL for a flag without value).
 * FG_EINVAL with a message for an unknown name or a bad value.  Names:
 * title subtitle notes countname nametype width height fontsize fonttype
 * fontwidth minwidth (percent, or "Npx") colors hash deterministic cp
 * palette-file inverted reverse flamechart no-sort factor base
 * (repeatable) negate search-color stroke-color uicolor bgcolors
 * truncate-text-right nameattr (a file, read now: FG_EIO or FG_EPARSE);
 * image-width, min-width and palette are other names of width, minwidth
 * and colors.  --cp reads and rewrites the palette file when rendering.
 */
FG_API int fg_render_opts_set(struct fg_render_opts *o, const char *name,
    const char *value, struct fg_error *err);

/* Poll *cancel (NULL: never) while rendering: FG_ECANCELED soon after it
 * becomes non-zero.  The flag is borrowed for the options' lifetime. */
FG_API void fg_render_opts_cancel(struct fg_render_opts *o,
    fg_cancel_flag *cancel);

/* Report the temporary file of --cp's palette file to t (see struct
 * fg_tempfile); t.arg is borrowed for the options' lifetime. */
FG_API void fg_render_opts_tempfile(struct fg_render_opts *o,
    struct fg_tempfile t);

/*
 * Render st as a flame graph SVG to fp (o NULL: the defaults).
 * FG_ENODATA (after writing a valid SVG that says so) when st holds no
 * samples; FG_EIO when a write fails.  The same st and o give the same
 * bytes.  Memory: one entry per unique stack plus the frames kept.
 */
FG_API int fg_render_svg(const struct fg_stacks *st,
    const struct fg_render_opts *o, FILE *fp, struct fg_error *err);

/*
 * Charts of the sample log (fg_stacks_keep_samples), one lane per thread
 * (docs/internals/timechart.md).  how: FG_THREADS_TIME, a flame chart
 * whose x is time (µs from one sampling interval before the first
 * sample), a thread's lane empty where it did not run, lanes in order of
 * their first sample; without it, each thread's stacks merged into a
 * flame graph as wide as the document.  FG_THREADS_BY_WEIGHT: lanes
 * heaviest first.  Each lane is headed "comm (tid N) — X samples, Y%".
 * FG_EINVAL when st holds no sample log; else as fg_render_svg().
 * --reverse, --base and --no-sort do not apply.
 */
#define FG_THREADS_TIME		1
#define FG_THREADS_BY_WEIGHT	2
FG_API int fg_render_threads_svg(const struct fg_stacks *st,
    const struct fg_render_opts *o, int how, FILE *fp, struct fg_error *err);

/*
 * The same lanes as folded text, each stack's process frame replaced by
 * (or, when it has none, rooted at) the thread's "comm-PID/TID" (the
 * --tid naming): FG_THREADS_TIME, one line per run of equal stacks of a
 * thread in time order; else each thread's stacks merged, in folded
 * order.  Lanes in the order of fg_render_threads_svg().  FG_EINVAL
 * without a sample log, FG_EIO on a write error.
 */
FG_API int fg_stacks_write_threads_folded(const struct fg_stacks *st,
    int how, FILE *fp, struct fg_error *err);

/* ------------------------------------------------------------------ */
/* Speedscope: stacks -> a speedscope JSON file                        */
/* ------------------------------------------------------------------ */

struct fg_speedscope_opts {
	const char *name;	/* the file's name (the recording's path);
				   NULL: "flamegraph" */
	const char *event;	/* the event the weights count when st does
				   not say ("cpu-clock": nanoseconds);
				   NULL: unknown (unit "none") */
};

FG_API void fg_speedscope_opts_init(struct fg_speedscope_opts *o);

/*
 * Write st as a speedscope file (https://www.speedscope.app, its JSON
 * file format) to fp (o NULL: the defaults).  With a sample log
 * (fg_stacks_keep_samples) one sampled profile per thread, "COMM (tid
 * N)", its samples in the recording's order, the heaviest thread shown
 * first; without one, a single profile of the unique stacks in folded
 * order.  Each sample is its stack root first, process name included,
 * weighted by its period: in nanoseconds for cpu-clock and task-clock,
 * else unit "none".  Any frame name gives valid JSON (bytes that are not
 * UTF-8 become U+FFFD).  The same st gives the same bytes.  FG_EIO on a
 * write error, FG_ENOMEM.  docs/internals/speedscope.md.
 */
FG_API int fg_write_speedscope(const struct fg_stacks *st, FILE *fp,
    const struct fg_speedscope_opts *o, struct fg_error *err);
/* pprof: stacks -> gzipped profile.proto                              */
/* ------------------------------------------------------------------ */

/*
 * Options of fg_write_pprof(); fg_pprof_opts_init() sets the defaults
 * (the recording's event, thread labels on, no start time).
 */
struct fg_pprof_opts {
	/* The event the weights count ("cpu-clock": cpu/nanoseconds, any
	 * other: NAME/count); NULL: the one the reader recorded. */
	const char *event;
	int no_labels;		/* no thread, tid, pid, process labels */
	int64_t time_nanos;	/* start, ns since the epoch; 0: unset */
};

FG_API void fg_pprof_opts_init(struct fg_pprof_opts *o);

/*
 * Write st to fp as a pprof profile (profile.proto, gzipped; o NULL: the
 * defaults).  With a sample log (fg_stacks_keep_samples) each distinct
 * stack and thread is one sample with the values [samples/count, the
 * event's weight], labeled with its thread's name, tid, pid and process
 * name, and the process-name frame at the root becomes the label;
 * without one each stack is one sample of its weight.  Each frame name
 * is a function; a function and the frames the native reader found
 * inlined into it at one address are one location.  No addresses, files
 * or lines.  The same st and o give the same bytes.  FG_EIO when a write
 * fails, FG_ENOMEM.
 */
FG_API int fg_write_pprof(const struct fg_stacks *st, FILE *fp,
    const struct fg_pprof_opts *o, struct fg_error *err);

/* ------------------------------------------------------------------ */
/* TOML and manifests                                                  */
/* ------------------------------------------------------------------ */

/*
 * Check that buf[0..len) is a valid TOML 1.0 document.  name labels
 * messages ("Cargo.toml:3:7: duplicate key \"name\"").  0, FG_EPARSE
 * (the message is "NAME:LINE:COL: what is wrong"), FG_ELIMIT (a hard
 * limit: 8 MiB document, 1 MiB string, 128 levels of nesting) or
 * FG_ENOMEM.  The document model itself is internal (lib/toml.h).
 */
FG_API int fg_toml_check(const char *buf, size_t len, const char *name,
    struct fg_error *err);

/*
 * The project as cargo will see it before any cargo command runs: the
 * workspace and package (Cargo.toml files), the .cargo/config.toml files
 * cargo would read, and the CARGO_* environment.  See
 * docs/internals/manifest.md for what is read and the precedence.
 */
struct fg_manifest;

struct fg_manifest_opts {
	const char *dir;	/* where cargo runs; NULL: "." */
	const char *manifest_path;	/* --manifest-path; NULL: search up */
	/*
	 * The environment to consult, "KEY=VALUE" strings ending with a
	 * NULL (programs pass environ).  NULL: an empty environment.  Read:
	 * CARGO_HOME, HOME, CARGO_TARGET_DIR, CARGO_BUILD_TARGET_DIR,
	 * CARGO_BUILD_TARGET, RUSTFLAGS, CARGO_ENCODED_RUSTFLAGS,
	 * CARGO_BUILD_RUSTFLAGS, CARGO_TARGET_<TRIPLE>_{LINKER,RUSTFLAGS},
	 * CARGO_PROFILE_<NAME>_<KEY>.
	 */
	const char *const *env;
	const char *target;	/* --target triple; NULL: build.target or host */
	const char *package;	/* -p/--package; NULL: the one at dir */
	struct fg_warn warn;	/* unknown metadata keys, ignored settings */
};

FG_API void fg_manifest_opts_init(struct fg_manifest_opts *o);

/*
 * Find and read the manifests and configs for o->dir.  The package
 * manifest is the nearest Cargo.toml at or above dir (or
 * o->manifest_path); the workspace root is found as cargo does
 * (package.workspace, or the nearest parent manifest with [workspace]
 * whose exclude does not cover the package).  o may be NULL (the
 * defaults of fg_manifest_opts_init).  Errors: FG_EINVAL
 * (no Cargo.toml found, unknown -p package), FG_EPARSE with
 * "PATH:LINE:COL: ..." for an invalid manifest or config, FG_EIO,
 * FG_ENOMEM, FG_ELIMIT.
 */
FG_API int fg_manifest_load(const struct fg_manifest_opts *o,
    struct fg_manifest **out, struct fg_error *err);
FG_API void fg_manifest_free(struct fg_manifest *m);

/* Absolute paths, owned by m.  The root is the workspace root directory
 * (the package's directory when there is no workspace). */
FG_API const char *fg_manifest_root(const struct fg_manifest *m);
FG_API const char *fg_manifest_root_manifest(const struct fg_manifest *m);
/* The package at dir (or o->package): name and Cargo.toml; NULL for a
 * virtual workspace manifest with no package chosen. */
FG_API const char *fg_manifest_package(const struct fg_manifest *m);
FG_API const char *fg_manifest_package_manifest(const struct fg_manifest *m);
/* Workspace members (directories and package names, NULL name when the
 * member's manifest has no [package]), in the order cargo lists them. */
FG_API size_t fg_manifest_nmembers(const struct fg_manifest *m);
FG_API const char *fg_manifest_member_dir(const struct fg_manifest *m,
    size_t i);
FG_API const char *fg_manifest_member_name(const struct fg_manifest *m,
    size_t i);

/*
 * The target directory cargo will use (absolute): CARGO_TARGET_DIR,
 * CARGO_BUILD_TARGET_DIR, build.target-dir (relative to the directory
 * holding that .cargo/), else ROOT/target.  origin (may be NULL) names
 * where it came from ("CARGO_TARGET_DIR", "/p/.cargo/config.toml:3:1",
 * "default").
 */
FG_API const char *fg_manifest_target_dir(const struct fg_manifest *m,
    const char **origin);
/* The --target triple in effect (o->target, CARGO_BUILD_TARGET,
 * build.target), or NULL when building for the host. */
FG_API const char *fg_manifest_build_target(const struct fg_manifest *m);
/* The effective rustflags for the target (cargo's order: CARGO_ENCODED_
 * RUSTFLAGS, RUSTFLAGS, target.<triple>/cfg rustflags, build.rustflags),
 * as n words owned by m; origin as above. */
FG_API size_t fg_manifest_rustflags(const struct fg_manifest *m,
    const char *const **flags, const char **origin);
/* target.<triple>.linker (or its CARGO_TARGET_* variable), or NULL. */
FG_API const char *fg_manifest_linker(const struct fg_manifest *m,
    const char **origin);

/*
 * The effective settings of profile name ("dev", "release", "test",
 * "bench" or a custom profile; NULL: "release").  Cargo's built-in
 * defaults, then [profile.*] of the root manifest, overridden by the
 * configs, overridden by CARGO_PROFILE_<NAME>_<KEY>, following inherits.
 * FG_EINVAL for an unknown custom profile or an inherits cycle; FG_EPARSE
 * (with PATH:LINE:COL) for a setting of the wrong type.
 */
struct fg_profile;

FG_API int fg_manifest_profile(const struct fg_manifest *m, const char *name,
    struct fg_profile **out, struct fg_error *err);
FG_API void fg_profile_free(struct fg_profile *p);

FG_API const char *fg_profile_name(const struct fg_profile *p);
/* The target subdirectory: "debug" for dev/test, "release" for
 * release/bench, else the profile's name. */
FG_API const char *fg_profile_dir(const struct fg_profile *p);

/*
 * A setting in cargo's canonical spelling, owned by p, and (origin, may
 * be NULL) where it came from: "PATH:LINE:COL", "CARGO_PROFILE_..." or
 * "default".  Keys and values:
 *   debug            "none" "line-directives-only" "line-tables-only"
 *                    "limited" "full"
 *   strip            "none" "debuginfo" "symbols"
 *   split-debuginfo  "off" "packed" "unpacked"
 *   lto              "false" "thin" "fat" "off"
 *   panic            "unwind" "abort"
 *   opt-level        "0" "1" "2" "3" "s" "z"
 *   codegen-units, debug-assertions, overflow-checks, incremental
 *                    as written ("true"/"false", numbers in decimal)
 *   inherits         the parent profile, or NULL for dev and release
 * NULL for an unknown key.
 */
FG_API const char *fg_profile_get(const struct fg_profile *p, const char *key,
    const char **origin);

/*
 * The environment the tool adds to `cargo build` so that the built
 * binary keeps symbols and line tables (at least debug = "limited",
 * strip = "none", split-debuginfo = "off"; see
 * docs/internals/manifest.md).  Entry i is "KEY=VALUE" and *reason (may
 * be NULL) a one-line explanation for -v.  Owned by p.
 */
FG_API size_t fg_profile_noverrides(const struct fg_profile *p);
FG_API const char *fg_profile_override(const struct fg_profile *p, size_t i,
    const char **reason);

/*
 * Send w one warning per setting known to break stacks in a build of p
 * that the overrides do not fix (rustflags dropping frame pointers,
 * unwind tables or symbols, a linker stripping), each naming where it
 * was set and the fix.  Returns the number of warnings.
 */
FG_API size_t fg_manifest_check_stacks(const struct fg_manifest *m,
    const struct fg_profile *p, const struct fg_warn *w);

/*
 * The default of the tool's option key from [package.metadata.flamegraph]
 * over [workspace.metadata.flamegraph] (command-line flags win: the
 * caller applies these first).  Keys: freq, palette, title, subtitle,
 * min-width, image-width, output, bin, example, test, bench, notes,
 * deterministic, inverted, reverse, flamechart, no-inline, ignore-status,
 * root, cmd (booleans as "true"/"false", numbers in decimal).  Unknown or
 * mistyped keys were warned about at load ("PATH:LINE:COL: ...").
 * Returns NULL when unset; origin as above.  skip-after and
 * perf-options are lists: fg_manifest_option_list.
 */
FG_API const char *fg_manifest_option(const struct fg_manifest *m,
    const char *key, const char **origin);
FG_API size_t fg_manifest_option_list(const struct fg_manifest *m,
    const char *key, const char *const **items, const char **origin);

/* ------------------------------------------------------------------ */
/* Cargo, record, spawn                                                */
/* ------------------------------------------------------------------ */

/*
 * Spawn: children started from argv arrays (never a shell).  A field of
 * struct fg_spawn_opts set to FG_SPAWN_INHERIT keeps the parent's
 * descriptor, FG_SPAWN_PIPE makes a pipe whose parent end is returned in
 * struct fg_child, FG_SPAWN_NULL opens /dev/null, any other value >= 0 is
 * a descriptor of the caller given to the child.  The child starts with
 * the default disposition of every signal and an empty signal mask.
 * death_signal (Linux) makes the child get that signal when the calling
 * thread ends, however it ends (even SIGKILL), so that a recorder never
 * outlives the program; it is not kept across a set-user-ID program
 * (sudo).
 */
#define FG_SPAWN_INHERIT (-1)
#define FG_SPAWN_PIPE (-2)
#define FG_SPAWN_NULL (-3)

struct fg_spawn_opts {
	int in, out, errfd;	/* FG_SPAWN_* or a descriptor */
	const char *cwd;	/* NULL: the caller's */
	/* "NAME=VALUE" entries set on top of the caller's environment */
	const char *const *setenv;
	size_t nsetenv;
	int death_signal;	/* 0: none; else PR_SET_PDEATHSIG's signal */
};

FG_API void fg_spawn_opts_init(struct fg_spawn_opts *o);	/* all inherited */

struct fg_child {
	int pid;		/* 0 when not running */
	int in, out, errfd;	/* parent ends of FG_SPAWN_PIPE, else -1 */
};

/*
 * Start argv[0] (searched in PATH when it has no '/') with argv.  On
 * success *ch describes the child; the caller closes the pipe ends it
 * was given and reaps the child with fg_child_wait().  FG_ECHILD with
 * errno in err->sys (ENOENT: not installed) when it cannot start.
 */
FG_API int fg_spawn(const char *const *argv, const struct fg_spawn_opts *o,
    struct fg_child *ch, struct fg_error *err);

/*
 * Wait for the child to end (retrying when a signal interrupts) and store
 * its raw wait status in *status.  Closes the parent's pipe ends still
 * open and sets ch->pid to 0.
 */
FG_API int fg_child_wait(struct fg_child *ch, int *status,
    struct fg_error *err);

/* Send sig to a running child; async-signal-safe (for forwarding). */
FG_API void fg_child_signal(int pid, int sig);

/*
 * A raw wait status as a shell reports it: the exit status, or 128 + the
 * signal number.  fg_status_describe() writes "exit status 3" or
 * "signal 11 (SIGSEGV)" into buf.
 */
FG_API int fg_status_code(int status);
FG_API void fg_status_describe(int status, char *buf, size_t len);

/*
 * Split s into words as a POSIX shell would without expansions: blanks
 * separate words, '...' and "..." quote, backslash escapes.  *words is a
 * NULL-terminated array in one allocation (free(*words) releases it all),
 * *n its length.  FG_EINVAL for an unterminated quote.
 */
FG_API int fg_split_words(const char *s, char ***words, size_t *n,
    struct fg_error *err);

/*
 * Cargo: find the target the user asked for with `cargo metadata`, build
 * it with symbols and line tables guaranteed, and return the executable.
 */
enum fg_target_kind {
	FG_TARGET_DEFAULT = 0,	/* the single binary, honouring default-run */
	FG_TARGET_BIN,
	FG_TARGET_EXAMPLE,
	FG_TARGET_TEST,		/* integration test (tests/NAME.rs) */
	FG_TARGET_BENCH,	/* bench target (benches/NAME.rs) */
	FG_TARGET_UNIT_TEST,	/* unit tests of a lib or bin target */
	FG_TARGET_UNIT_BENCH	/* benches inside a lib or bin target */
};

struct fg_cargo_opts {
	const char *cargo;	/* cargo binary; NULL: "cargo" */
	const char *cwd;	/* where cargo runs; NULL: current directory */
	const char *manifest_path;
	const char *package;	/* -p */
	enum fg_target_kind kind;
	const char *name;	/* target name; NULL: the only one */
	const char *unit_kind;	/* "bin", "lib" or NULL (unit tests) */
	const char *profile;	/* NULL: release (bench for benches) */
	int dev;		/* the dev profile (test for tests) */
	const char *features;
	int all_features, no_default_features;
	const char *triple;	/* --target */
	const char *target_dir;	/* --target-dir */
	int offline, locked, frozen;
	int verbose;		/* pass -v to cargo build */
	struct fg_warn warn;
};

FG_API void fg_cargo_opts_init(struct fg_cargo_opts *o);

struct fg_cargo;

/*
 * Run `cargo metadata --format-version 1 --no-deps` and pick the target.
 * FG_EINVAL with a message listing the candidates (`--bin a`,
 * `--example b`, ...) when the choice is ambiguous or the target unknown;
 * FG_ECHILD when cargo fails (its status in *cargo_status when non-NULL).
 * The options are copied.
 */
FG_API int fg_cargo_locate(const struct fg_cargo_opts *o, struct fg_cargo **out,
    int *cargo_status, struct fg_error *err);
FG_API void fg_cargo_free(struct fg_cargo *c);

/*
 * Build the chosen target (`cargo build`, `cargo test --no-run` or
 * `cargo bench --no-run`, --message-format=json-render-diagnostics),
 * reading the compiler-artifact messages as they stream.  Cargo's own
 * diagnostics go to the caller's stderr unchanged.  FG_ECHILD with cargo's
 * exit status in *cargo_status when the build fails.
 */
FG_API int fg_cargo_build(struct fg_cargo *c, int *cargo_status,
    struct fg_error *err);

/* Facts about the located/built target; strings owned by c. */
FG_API const char *fg_cargo_workspace_root(const struct fg_cargo *c);
FG_API const char *fg_cargo_target_dir(const struct fg_cargo *c);
/* The profile cargo will build ("release", "bench", "dev", ...). */
FG_API const char *fg_cargo_profile(const struct fg_cargo *c);
/* "bin `x`" */
FG_API const char *fg_cargo_target_desc(const struct fg_cargo *c);
FG_API const char *fg_cargo_package(const struct fg_cargo *c);
/* The build argv as one line, for -v. */
FG_API const char *fg_cargo_build_cmdline(const struct fg_cargo *c);
/*
 * The environment overrides the build gets, joined by spaces: by default
 * "CARGO_PROFILE_<NAME>_DEBUG=true CARGO_PROFILE_<NAME>_STRIP=none" for
 * the profile built (NAME upper-cased, '-' as '_'); "" when none.
 */
FG_API const char *fg_cargo_overrides(const struct fg_cargo *c);
/*
 * The build policy: how the target is built so that the graph has
 * names, decided in one call from the manifest facts, the located target
 * and the user's choices.  The result is the environment overrides (the
 * manifests' minimal list, or the default pair of fg_cargo_overrides()),
 * the rustflags with CARGO_ENCODED_RUSTFLAGS composed from them (only
 * for --call-graph fp: cargo's own rustflags plus -C
 * force-frame-pointers=yes) and the build directory (for fp,
 * TARGET/flamegraph-fp, so the normal build cache is untouched).
 */
struct fg_build_opts {
	const struct fg_manifest *manifest;	/* NULL: none loaded */
	const struct fg_cargo *cargo;	/* the located target (required) */
	const char *const *env;	/* NULL-terminated environment, read for
				   the rustflags when manifest is NULL */
	int frame_pointers;	/* --call-graph fp */
	int verbose;		/* a note for each override's reason */
	struct fg_warn warn;	/* settings no override can fix */
	struct fg_warn note;	/* what the policy chose, one line each */
};

FG_API void fg_build_opts_init(struct fg_build_opts *o);

struct fg_build;

/*
 * Decide the build.  FG_EINVAL for a rustflag holding the separator
 * 0x1f or an unterminated quote in RUSTFLAGS, FG_ENOMEM.  *out is the
 * caller's (fg_build_free); the options are not kept.
 */
FG_API int fg_build_policy(const struct fg_build_opts *o, struct fg_build **out,
    struct fg_error *err);
FG_API void fg_build_free(struct fg_build *b);
/* The environment overrides, "NAME=VALUE" each; owned by b. */
FG_API size_t fg_build_env(const struct fg_build *b, const char *const **env);
/* The rustflags the build sets (0: cargo's own); owned by b. */
FG_API size_t fg_build_rustflags(const struct fg_build *b,
    const char *const **flags);
/* "CARGO_ENCODED_RUSTFLAGS=..." of those, or NULL; owned by b. */
FG_API const char *fg_build_encoded_rustflags(const struct fg_build *b);
/* The --target-dir of the build, or NULL for Cargo's; owned by b. */
FG_API const char *fg_build_dir(const struct fg_build *b);

/*
 * Build c as b says (copied): its environment replaces the default
 * overrides (fg_cargo_overrides() shows it; the rustflags are not part
 * of that), its directory is the build's --target-dir while
 * fg_cargo_target_dir() still names the workspace's.  Call between
 * fg_cargo_locate and fg_cargo_build.  0 or FG_ENOMEM.
 */
FG_API int fg_cargo_set_build(struct fg_cargo *c, const struct fg_build *b,
    struct fg_error *err);
/* Absolute path of the built executable; NULL before fg_cargo_build. */
FG_API const char *fg_cargo_executable(const struct fg_cargo *c);

/*
 * Look at an ELF file: *has_debug is set when it has DWARF line or info
 * sections, *has_symtab when it has a .symtab.  FG_EPARSE when not ELF.
 */
FG_API int fg_elf_debug_info(const char *path, int *has_debug, int *has_symtab,
    struct fg_error *err);

/*
 * Record: the `perf record` command line, and its run.
 */
#define FG_RECORD_DEFAULT_FREQ 997
#define FG_RECORD_DEFAULT_CALL_GRAPH "dwarf,32768"	/* docs/internals/recording.md */

/*
 * What the installed perf and the running kernel support, as far as the
 * options fg_record_argv adds by itself are concerned
 * (docs/internals/recording.md, "Ending the recording quickly").
 */
struct fg_perf_caps {
	int known;		/* filled by fg_perf_probe */
	unsigned major, minor;	/* perf's version, 0.0 when unknown */
	int no_bpf_event;	/* --no-bpf-event: perf >= 5.1 */
	int buildid_mmap;	/* --buildid-mmap: perf and kernel >= 5.12 */
};

/*
 * Run `PERF version` (perf NULL: "perf") and read the kernel's release
 * to fill *caps.  FG_ECHILD with err->sys ENOENT when perf is not
 * installed; any other failure leaves caps->known set with no options.
 */
FG_API int fg_perf_probe(const char *perf, struct fg_perf_caps *caps,
    struct fg_error *err);

struct fg_record_opts {
	const char *perf;	/* perf binary; NULL: "perf" */
	const char *const *sudo;	/* non-NULL: run perf as sudo sudo[0..] */
	size_t nsudo;
	unsigned freq;		/* -F */
	const char *call_graph;	/* --call-graph MODE */
	const char *const *custom;	/* -c: replaces "record -F .. -g" */
	size_t ncustom;
	int compression;	/* -z level; < 0: none */
	const char *output;	/* perf.data path (required) */
	const char *pids;	/* --pid PID[,PID]: attach instead of argv */
	const char *const *argv;	/* the workload; absolute argv[0];
					   may be empty with custom */
	size_t argc;
	int quiet;		/* perf record -q */
	const char *const *extra;	/* more perf record options, after
					   ours (the manifest's perf-options) */
	size_t nextra;
	/*
	 * What perf supports; fg_record_start probes it when caps.known is
	 * 0.  With caps.known set, fg_record_argv adds --no-bpf-event and
	 * --buildid-mmap where supported, unless custom replaces the options
	 * or fast_end is 0.
	 */
	struct fg_perf_caps caps;
	int fast_end;		/* 1 (default): end the recording quickly */
};

FG_API void fg_record_opts_init(struct fg_record_opts *o);

/*
 * The full argv (sudo ... perf record ... -- workload) in one allocation
 * (free(*argv)), NULL-terminated, *argc entries.
 */
FG_API int fg_record_argv(const struct fg_record_opts *o, char ***argv,
    size_t *argc, struct fg_error *err);

/*
 * Start `perf record`.  The caller forwards signals to ch->pid and reaps
 * it with fg_child_wait(); perf's status is the workload's status.  perf
 * gets SIGINT (it then ends its file and stops the workload) if the
 * calling thread ends first, killed or not (death_signal of fg_spawn),
 * except through sudo (--root).
 */
FG_API int fg_record_start(const struct fg_record_opts *o, struct fg_child *ch,
    struct fg_error *err);

/*
 * What kind of recording a perf.data file is, read from its header and
 * event attributes only (lib/perfdata_probe.c).  Flags are set when any
 * event has the property.
 */
struct fg_perfdata_info {
	size_t nevents;
	uint64_t sample_type;	/* of the first event */
	int pipe;		/* pipe-mode recording (perf record -o -) */
	int foreign_endian;	/* recorded on a machine of the other order */
	int callchain;		/* call chains walked by the kernel */
	int user_stack;		/* user regs + stack copies (dwarf mode) */
	uint32_t stack_size;	/* the largest stack copy size asked for */
	int branch_stack;	/* branch stacks (lbr mode) */
};

/*
 * Fill *info from the recording at path (a few reads).  FG_EIO (errno in
 * err->sys) when it cannot be read, FG_EPARSE naming the offset when the
 * header is not a perf.data header.  Pipe-mode and foreign-endian files
 * return 0 with that flag set and nothing else known.
 */
FG_API int fg_perfdata_probe(const char *path, struct fg_perfdata_info *info,
    struct fg_error *err);

/*
 * Processing: perf.data -> stacks -> SVG.  The stacks come from one of two
 * sources: the native reader (fg_perfdata_read_file) or the reference
 * path, `perf script` piped into the perf-script collapser.
 */
enum fg_source {
	FG_SOURCE_AUTO = 0,	/* native when it supports the recording */
	FG_SOURCE_PERF_SCRIPT,	/* `perf script` | collapser */
	FG_SOURCE_NATIVE	/* fg_perfdata_read_file */
};

struct fg_follow;	/* fg_follow_start() */

struct fg_process_opts {
	const char *perf;	/* perf binary; NULL: "perf" */
	const char *const *sudo;	/* as in fg_record_opts */
	size_t nsudo;
	const char *perfdata;	/* the recording */
	enum fg_source source;	/* FG_SOURCE_AUTO by default */
	/*
	 * How stacks are named, by either source (the perf-script path passes
	 * --no-inline to perf script for naming.no_inline).
	 */
	struct fg_naming_opts naming;
	const char *const *post_process;	/* argv; NULL: none */
	const char *folded_output;	/* also write folded stacks here */
	const char *speedscope_output;	/* also a speedscope file here
					   (fg_write_speedscope) */
	int keep_samples;	/* keep the sample log (fg_stacks_keep_samples)
				   for a renderer that needs it */
	/* FG_THREADS_*: draw (and fold) the sample log one lane per
	   thread; render's --flamechart adds FG_THREADS_TIME */
	int threads;
	const char *output;	/* the SVG path */
	const struct fg_render_opts *render;	/* NULL: defaults */
	int quiet;		/* perf script's stderr to /dev/null */
	fg_cancel_flag *cancel;
	/*
	 * Optional: holds the pid of the child running now (perf script,
	 * the post-process command), 0 when none, so that a signal handler
	 * can stop it at once.
	 */
	volatile sig_atomic_t *running_pid;
	struct fg_warn warn;
	/* Optional: the temporaries of output and folded_output (struct
	 * fg_tempfile); render's palette file reports to render's own. */
	struct fg_tempfile tempfile;
	/*
	 * Optional: progress of the native reader, as fg_perfdata_opts's
	 * progress callback (bytes of the recording read, of its total).
	 * The perf-script path does not report progress.
	 */
	void (*progress)(void *arg, uint64_t done_bytes,
	    uint64_t total_bytes);
	void *progress_arg;
	/*
	 * A differential graph: diff_base (borrowed; fg_process_read_base
	 * reads one) is the before, the current stacks the after
	 * (fg_diff_stacks); the SVG draws the current sizes coloured by
	 * change.  The folded output stays the current stacks.  diff_absolute:
	 * the base's raw counts, not scaled to the current total.
	 * diff_result (optional, the caller's, empty): receives the
	 * differential stacks with raw counts, for fg_diff_changes and
	 * fg_diff_share.
	 */
	const struct fg_stacks *diff_base;
	int diff_absolute;
	struct fg_stacks *diff_result;
	/* Also write a pprof profile here (fg_write_pprof, with the sample
	 * log; after a post-process command, of its stacks). */
	const char *pprof_output;
	/* Optional: what fg_follow_start() read of perfdata while perf
	 * recorded it (borrowed: fg_follow_free() after fg_process()). */
	struct fg_follow *follow;
};

FG_API void fg_process_opts_init(struct fg_process_opts *o);

/*
 * Reading a recording while `perf record` writes it, so that little is
 * left to do when the program ends (docs/internals/recording.md).
 * fg_follow_start(o), called before perf starts, reads o->perfdata on a
 * thread as perf writes it, with the options fg_process(o) will have;
 * the file found at that path now (an older recording, which perf
 * renames to .old) is not read.  fg_follow_end(f, ok) says how the
 * recording ended: ok nonzero, perf wrote one to draw (until then the
 * read never finishes); 0, there is none (the read is abandoned).  Then
 * fg_process() with o->follow = f takes what was read: the same stacks,
 * warnings and errors as reading the finished file (what could not be
 * followed, another kind of recording or a header that changed, is read
 * again from the finished file); called before fg_follow_end() it takes
 * the recording as ended.  fg_follow_free() after it, or instead (an
 * unended read is abandoned).  fg_follow_start() returns NULL where
 * following does not apply (perf script reads the recording, sudo) or
 * without memory: process as usual.
 */
FG_API struct fg_follow *fg_follow_start(const struct fg_process_opts *o);
FG_API void fg_follow_end(struct fg_follow *f, int ok);
FG_API void fg_follow_free(struct fg_follow *f);
/* 1 when fg_process() used what was read while perf wrote (0: it read
   the finished file, or has not run). */
FG_API int fg_follow_taken(const struct fg_follow *f);

/*
 * The source fg_process_read() uses for o: o->source unless it is
 * FG_SOURCE_AUTO; then FG_SOURCE_NATIVE when the native reader supports
 * the recording (fg_perfdata_probe: frame-pointer and kernel call chains,
 * readable by this process), else FG_SOURCE_PERF_SCRIPT.  why (may be
 * NULL) receives a short reason for -v ("frame-pointer call chains").
 */
FG_API enum fg_source fg_process_source(const struct fg_process_opts *o,
    char *why, size_t whylen);

/*
 * Read the recording's stacks into st from the source fg_process_source()
 * picks: the native reader, or `perf script` streamed from its pipe into
 * fg_collapse_perf_fd.  Both apply no_inline and skip_after.
 */
FG_API int fg_process_read(const struct fg_process_opts *o,
    struct fg_stacks *st, struct fg_error *err);

/*
 * Read path, the base of a differential graph, into out: folded stacks
 * (plain or differential lines, taken as they are), or a perf.data
 * recording (told by its magic, file or pipe mode) read as
 * fg_process_read reads o's recording, with o's source, naming and
 * post-process command.  FG_EIO when it
 * cannot be read; FG_EPARSE when it is neither folded text nor a
 * recording (a binary file, or text with more lines that do not parse
 * than stacks that do; the message quotes the first bad line);
 * FG_ENODATA when it holds no samples.  Folded lines that do not parse
 * beside good ones give one warning to o->warn.
 */
FG_API int fg_process_read_base(const struct fg_process_opts *o,
    const char *path, struct fg_stacks *out, struct fg_error *err);

/*
 * The whole processing step: fg_process_read, the post-process command
 * (folded stacks on its stdin, its stdout read back as folded stacks),
 * the folded output, and the SVG written to a temporary file beside
 * o->output and renamed into place.  On any failure (FG_ENODATA when
 * there were no samples, FG_ECANCELED) the old output is left as it was.
 * *nsamples (when non-NULL) receives the total weight drawn.
 */
FG_API int fg_process(const struct fg_process_opts *o, uint64_t *nsamples,
    struct fg_error *err);

/* ------------------------------------------------------------------ */
/* perf.data native reader, symbolizer, unwinder                       */
/* ------------------------------------------------------------------ */

/*
 * Options of the native perf.data reader.  naming (struct
 * fg_naming_opts) is shared with the perf-script collapser, so that
 * reading a recording gives the folded stacks the perf-script path gives
 * for `perf script` of the same file.  fg_perfdata_opts_init() sets the defaults (all off, first
 * event only, inline frames on).
 */
struct fg_perfdata_opts {
	struct fg_naming_opts naming;
	/*
	 * perf's build-id cache: the kallsyms copy made when recording, and
	 * files rebuilt since.  NULL: $HOME/.debug; "": not used.
	 */
	const char *buildid_dir;
	/*
	 * Where DWARF sections that a debug file holds compressed are kept
	 * inflated, by build id, so the next run need not inflate them
	 * again.  NULL: DIR/dwarf with DIR
	 * $FLAMEGRAPH_CACHE_DIR when set (set and empty: no cache), else
	 * $XDG_CACHE_HOME/flamegraph, else $HOME/.cache/flamegraph;
	 * "": no cache.  Safe to delete at any time.
	 */
	const char *cache_dir;
	/*
	 * Read nothing but the recording: no ELF or debug file, build-id
	 * cache, kallsyms, /tmp/perf-PID.map or [vdso] image is looked at,
	 * so the result depends on the recording alone (fuzzing, tests).
	 * Frames are named as perf names those of files it cannot read.
	 */
	int recording_only;
	fg_cancel_flag *cancel;	/* optional */
	struct fg_warn warn;	/* lost samples, skipped records, DSOs */
	/*
	 * Optional progress report for long recordings: called from the
	 * walk with the bytes of the data section read so far and its size,
	 * once with done 0 at the start, then at most every 100 ms, and once
	 * with done == total when the data is read (not after an error).
	 * done never goes down.  Runs on the calling thread; it must not
	 * call back into the reader.
	 */
	void (*progress)(void *arg, uint64_t done_bytes,
	    uint64_t total_bytes);
	void *progress_arg;
	/*
	 * Test hooks (tests/unit/test_perfdata.c; 0 in the programs):
	 * no_defer looks inline chains up during the walk where they would
	 * be deferred past it; defer_end > 0 ends deferring at the
	 * defer_end-th new chain.  The output is the same either way.
	 */
	int no_defer;
	uint64_t defer_end;
};

FG_API void fg_perfdata_opts_init(struct fg_perfdata_opts *o);

/*
 * Prepare, while a recording of this machine runs, what reading it will
 * need that costs time to make: the cache's copy of the kernel's symbols
 * (reading /proc/kallsyms takes tens of milliseconds), made once per
 * boot.  Uses o->cache_dir as the reader does (o may be NULL).  Safe to
 * call from any thread; it never fails the caller.
 */
FG_API void fg_perfdata_warm(const struct fg_perfdata_opts *o);

/*
 * Read the perf.data file at path (file-mode recordings, including
 * `perf record -z`) and add every sample of the selected event to out,
 * weighted by its period (1 without one) like the perf-script path.
 * Frames are resolved in process: ELF symbols (separate debug files by build id or debuglink),
 * DWARF inline chains, /proc/kallsyms, the [vdso], /tmp/perf-PID.map;
 * what cannot be resolved is named as perf names it.  The file is
 * mapped, not read into memory.  FG_EIO when it cannot be opened,
 * FG_EPARSE with the offset of the bad record for malformed input,
 * FG_EUNSUPPORTED for pipe-mode or foreign-endian files, FG_ECANCELED.
 * Records that can be skipped are, with a warning.
 */
FG_API int fg_perfdata_read_file(const char *path,
    const struct fg_perfdata_opts *o, struct fg_stacks *out,
    struct fg_error *err);

/* Same for a recording in memory (fuzzing, tests); name labels messages. */
FG_API int fg_perfdata_read_mem(const void *buf, size_t len, const char *name,
    const struct fg_perfdata_opts *o, struct fg_stacks *out,
    struct fg_error *err);

#ifdef __cplusplus
}
#endif

#endif /* FLAMEGRAPH_H */
