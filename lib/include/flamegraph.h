/*
 * flamegraph.h: the one public header of libflamegraph.
 *
 * libflamegraph turns profiler output (perf script text, perf.data, folded
 * stacks) into folded stacks and interactive flame graph SVGs, and drives
 * cargo and perf for the cargo-flamegraph tools.  Everything public has the
 * fg_ prefix.  The library never prints and never exits: functions return 0
 * on success or a negative FG_E* code, and fill a struct fg_error whose
 * message names the file, line or record at fault.  Warnings go to a
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

void fg_error_clear(struct fg_error *err);

/* A short fixed text for an fg_code ("out of memory", ...). */
const char *fg_strerror(int code);

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

/* ------------------------------------------------------------------ */
/* Stacks: the folded-stack model every source fills and sinks read   */
/* ------------------------------------------------------------------ */

struct fg_stacks;

/* A new empty model, or NULL when out of memory. */
struct fg_stacks *fg_stacks_new(void);
void fg_stacks_free(struct fg_stacks *st);

/*
 * Add weight to the stack frames[0] (root) .. frames[n - 1] (leaf).  Frame
 * names are copied; lens[i] is the length of frames[i] (NULL lens: the
 * names are NUL-terminated).  A second weight (weight2) is kept for
 * differential graphs; pass 0 when unused.  A sum that would exceed
 * UINT64_MAX fails with FG_EOVERFLOW and leaves the model unchanged.
 */
int fg_stacks_add(struct fg_stacks *st, const char *const *frames,
    const size_t *lens, size_t n, uint64_t weight, uint64_t weight2,
    struct fg_error *err);

/*
 * Add weight to a stack given in folded form, frames joined by ';'
 * ("main;work;leaf"), len bytes, not NUL-terminated necessarily.
 */
int fg_stacks_add_folded(struct fg_stacks *st, const char *stack,
    size_t len, uint64_t weight, uint64_t weight2, struct fg_error *err);

/* Merge every stack of src into dst (src is unchanged). */
int fg_stacks_merge(struct fg_stacks *dst, const struct fg_stacks *src,
    struct fg_error *err);

size_t fg_stacks_count(const struct fg_stacks *st);	/* unique stacks */
size_t fg_stacks_nframes(const struct fg_stacks *st);	/* unique names */
/* Sum of the weights; saturates at UINT64_MAX (see fg_stacks_add). */
uint64_t fg_stacks_total(const struct fg_stacks *st);
/* True when any stack has a non-zero second weight. */
int fg_stacks_differential(const struct fg_stacks *st);

/*
 * Visit the stacks in folded order: byte order of the joined
 * "a;b;c" strings, as `sort` with LC_ALL=C (and inferno) order them.
 * frames[] holds n borrowed names root first, valid during the call only.
 * The callback returns 0 to go on, non-zero to stop (that value is
 * returned).
 */
typedef int fg_stack_visit_fn(void *arg, const char *const *frames,
    const size_t *lens, size_t n, uint64_t weight, uint64_t weight2);
int fg_stacks_foreach_sorted(const struct fg_stacks *st,
    fg_stack_visit_fn *fn, void *arg, struct fg_error *err);

/*
 * Write "a;b;c WEIGHT\n" lines in folded order ("a;b;c W1 W2\n" when the
 * model is differential).  FG_EIO on a write error.
 */
int fg_stacks_write_folded(const struct fg_stacks *st, FILE *fp,
    struct fg_error *err);

/* ------------------------------------------------------------------ */
/* Collapse: perf script text -> stacks                                */
/* ------------------------------------------------------------------ */

/*
 * Options of the perf-script collapser, with inferno-collapse-perf's
 * meanings.  fg_collapse_opts_init() sets the defaults (all off, first
 * event only, automatic threads).
 */
struct fg_collapse_opts {
	int pid;		/* --pid: append "-PID" to the process name */
	int tid;		/* --tid: append "-PID/TID" */
	int kernel;		/* --kernel: annotate kernel frames "_[k]" */
	int jit;		/* --jit: annotate JIT frames "_[j]" */
	int addrs;		/* --addrs: keep raw addresses of unknown frames */
	const char *event_filter;	/* NULL: the first event seen */
	const char *const *skip_after;	/* drop frames below these names */
	size_t nskip_after;
	int include_inline;	/* reserved; perf script already inlines */
	unsigned nthreads;	/* 0: as many as pay off (at most 2 now) */
	fg_cancel_flag *cancel;	/* optional */
	struct fg_warn warn;	/* skipped lines, with their line numbers */
};

void fg_collapse_opts_init(struct fg_collapse_opts *o);

/*
 * Read `perf script` text from fd until end of file and add every sample
 * to out.  name labels messages ("perf script: line 12: ...").  The input
 * is streamed: memory grows with the number of unique stacks, not with
 * the input.  A regular file may be mapped and split across threads; a
 * pipe is read in order.  Lines that cannot be parsed are skipped with a
 * warning; only I/O errors, limits and cancellation fail the call.
 */
int fg_collapse_perf_fd(int fd, const char *name,
    const struct fg_collapse_opts *o, struct fg_stacks *out,
    struct fg_error *err);

/* Same for a file path ("-" is standard input). */
int fg_collapse_perf_file(const char *path,
    const struct fg_collapse_opts *o, struct fg_stacks *out,
    struct fg_error *err);

/* Same for a memory buffer (fuzzing, tests). */
int fg_collapse_perf_mem(const char *buf, size_t len, const char *name,
    const struct fg_collapse_opts *o, struct fg_stacks *out,
    struct fg_error *err);

/* ------------------------------------------------------------------ */
/* Folded text reader                                                  */
/* ------------------------------------------------------------------ */

struct fg_folded_opts {
	fg_cancel_flag *cancel;	/* optional */
	struct fg_warn warn;	/* skipped lines, with their line numbers */
};

void fg_folded_opts_init(struct fg_folded_opts *o);

/*
 * Read folded stacks ("a;b;c COUNT" or "a;b;c COUNT1 COUNT2" lines) from
 * fd and add them to out.  Lines that do not parse are skipped with a
 * warning naming "NAME:LINE".
 */
int fg_folded_read_fd(int fd, const char *name,
    const struct fg_folded_opts *o, struct fg_stacks *out,
    struct fg_error *err);
int fg_folded_read_file(const char *path, const struct fg_folded_opts *o,
    struct fg_stacks *out, struct fg_error *err);

/* ------------------------------------------------------------------ */
/* Render: stacks -> flame graph SVG                                   */
/* ------------------------------------------------------------------ */

/*
 * Renderer options, with inferno-flamegraph's meanings.  The renderer
 * module defines the fields; fg_render_opts_init() sets inferno's
 * defaults.
 */
struct fg_render_opts;

/*
 * A new options object with the defaults, or NULL when out of memory.
 * Setting options goes through fg_render_opts_set(), so that programs
 * can pass renderer flags through by name.
 */
struct fg_render_opts *fg_render_opts_new(void);
void fg_render_opts_free(struct fg_render_opts *o);

/*
 * Set option name (the long flag without "--", e.g. "title", "minwidth",
 * "colors", "inverted") to value (NULL for a flag without value).
 * FG_EINVAL with a message for an unknown name or a bad value.
 */
int fg_render_opts_set(struct fg_render_opts *o, const char *name,
    const char *value, struct fg_error *err);

/* Render st as a flame graph SVG to fp.  FG_ENODATA (after writing a
 * valid SVG that says so) when st holds no samples. */
int fg_render_svg(const struct fg_stacks *st,
    const struct fg_render_opts *o, FILE *fp, struct fg_error *err);

/* ------------------------------------------------------------------ */
/* TOML: TOML 1.0 reader                                               */
/* ------------------------------------------------------------------ */

/* (section owned by the TOML reader) */

/* ------------------------------------------------------------------ */
/* Cargo, record, spawn                                                */
/* ------------------------------------------------------------------ */

/* (section owned by the cargo and record modules) */

/* ------------------------------------------------------------------ */
/* perf.data native reader, symbolizer, unwinder                       */
/* ------------------------------------------------------------------ */

/* (section owned by the perfdata modules) */

#ifdef __cplusplus
}
#endif

#endif /* FLAMEGRAPH_H */
