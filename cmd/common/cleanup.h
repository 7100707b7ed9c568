/*
 * cleanup.h: what the programs do when SIGINT, SIGTERM or SIGHUP ends
 * them: remove the temporary files registered here (an output being
 * written beside its final name), then die of the signal, so that the
 * exit status a shell sees is 128 + its number (130 for Ctrl-C, 143 for
 * SIGTERM, 129 for SIGHUP).  Every function here may run in a signal
 * handler or in any thread.
 */
#ifndef FG_CLEANUP_H
#define FG_CLEANUP_H

#include "flamegraph.h"

/* How many temporary files can be registered at once. */
#define CLEANUP_MAX 8

/*
 * Register path (copied) for removal: 0, or -1 when it cannot be (the
 * table is full or the path longer than PATH_MAX); it is then not removed
 * on a signal.
 */
int cleanup_add(const char *path);
/* Forget path (after it was renamed or removed). */
void cleanup_remove(const char *path);
/* Remove every registered file (async-signal-safe). */
void cleanup_run(void);
/*
 * Remove the registered files and end the process with sig: its default
 * action, or _exit(128 + sig) if that returns.  Async-signal-safe.
 */
void cleanup_die(int sig);
/*
 * Handlers for SIGINT, SIGTERM and SIGHUP that call cleanup_die() (each
 * blocks the other two while it runs).  handler NULL: cleanup_die;
 * otherwise the program's own, installed the same way.  SIGHUP ignored
 * when the program started (nohup) stays ignored.
 */
void cleanup_install(void (*handler)(int));
/* A struct fg_tempfile callback: cleanup_add or cleanup_remove. */
void cleanup_tempfile(void *arg, const char *path, int created);
/* The struct fg_tempfile to give the library. */
struct fg_tempfile cleanup_hook(void);

#endif /* FG_CLEANUP_H */
