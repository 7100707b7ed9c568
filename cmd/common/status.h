/*
 * status.h: cargo-style messages on stderr for the programs: a verb
 * right-aligned in 12 columns ("   Profiling bin `x`"), "warning:",
 * "error:" and "note:" prefixes; colour as cargo decides it: --color
 * WHEN, else CARGO_TERM_COLOR, else auto: only when stderr is a terminal,
 * TERM is not "dumb" and NO_COLOR is unset or empty.
 */
#ifndef FG_STATUS_H
#define FG_STATUS_H

#include <stdint.h>

#if defined(__GNUC__) || defined(__clang__)
#define STATUS_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define STATUS_PRINTF(a, b)
#endif

/*
 * Decide on colour once (color: "auto", "always", "never" or NULL for
 * CARGO_TERM_COLOR's choice, auto when unset or not one of those); quiet
 * drops status lines and notes.
 */
void status_init(int quiet, const char *color);
/* "%12s MESSAGE" with the verb in bold green. */
void status_line(const char *verb, const char *fmt, ...) STATUS_PRINTF(2, 3);
void status_note(const char *fmt, ...) STATUS_PRINTF(1, 2);
void status_warn(const char *fmt, ...) STATUS_PRINTF(1, 2);
void status_error(const char *fmt, ...) STATUS_PRINTF(1, 2);
/* A warning callback for struct fg_warn (arg unused). */
void status_warn_cb(void *arg, const char *msg);
/*
 * Progress callback for fg_process_opts: on a terminal (and not quiet),
 * once processing has taken a second, a "Processing NN%" line that is
 * rewritten in place and cleared when done.  Elsewhere it prints nothing.
 */
void status_progress_cb(void *arg, uint64_t done, uint64_t total);

#endif /* FG_STATUS_H */
