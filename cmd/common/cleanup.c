/*
 * cleanup.c: temporary files removed when a signal ends the program (see
 * cleanup.h).  A fixed table of paths, each slot claimed with an atomic
 * compare-and-swap, filled, then published; the handler only reads
 * published slots and calls unlink(), which is async-signal-safe.  A
 * temporary created just before a signal and not yet registered (the
 * few instructions between mkstemp and the callback) can still be left.
 */
#include <limits.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"

#if ATOMIC_INT_LOCK_FREE != 2
#error "cleanup.c needs lock-free atomic int (used from signal handlers)"
#endif

enum { SLOT_FREE, SLOT_FILLING, SLOT_SET };

static atomic_int slot_state[CLEANUP_MAX];
static char slot_path[CLEANUP_MAX][PATH_MAX];

int
cleanup_add(const char *path)
{
	size_t n = strlen(path);

	if (n >= PATH_MAX)
		return -1;
	for (int i = 0; i < CLEANUP_MAX; i++) {
		int want = SLOT_FREE;

		if (!atomic_compare_exchange_strong(&slot_state[i], &want,
		    SLOT_FILLING))
			continue;
		memcpy(slot_path[i], path, n + 1);
		atomic_store(&slot_state[i], SLOT_SET);
		return 0;
	}
	return -1;
}

void
cleanup_remove(const char *path)
{
	for (int i = 0; i < CLEANUP_MAX; i++)
		if (atomic_load(&slot_state[i]) == SLOT_SET &&
		    strcmp(slot_path[i], path) == 0) {
			atomic_store(&slot_state[i], SLOT_FREE);
			return;
		}
}

void
cleanup_run(void)
{
	for (int i = 0; i < CLEANUP_MAX; i++)
		if (atomic_load(&slot_state[i]) == SLOT_SET)
			unlink(slot_path[i]);
}

void
cleanup_die(int sig)
{
	struct sigaction sa;
	sigset_t set;

	cleanup_run();
	sa.sa_handler = SIG_DFL;
	sa.sa_flags = 0;
	sigemptyset(&sa.sa_mask);
	sigaction(sig, &sa, NULL);
	sigemptyset(&set);
	sigaddset(&set, sig);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	raise(sig);
	_exit(128 + sig);
}

void
cleanup_install(void (*handler)(int))
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP };
	struct sigaction sa, old;

	sa.sa_handler = handler != NULL ? handler : cleanup_die;
	sa.sa_flags = 0;	/* no SA_RESTART: blocking reads see EINTR */
	sigemptyset(&sa.sa_mask);
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		sigaddset(&sa.sa_mask, sigs[i]);
	/* SIGHUP ignored from the start (nohup) stays ignored; SIGINT is
	 * handled even when ignored (a script's background job), so that
	 * `kill -INT` stops it as Ctrl-C would */
	for (size_t i = 0; i < sizeof(sigs) / sizeof(sigs[0]); i++)
		if (sigs[i] != SIGHUP || (sigaction(sigs[i], NULL, &old) ==
		    0 && old.sa_handler != SIG_IGN))
			sigaction(sigs[i], &sa, NULL);
}

void
cleanup_tempfile(void *arg, const char *path, int created)
{
	(void)arg;
	if (created)
		(void)cleanup_add(path);
	else
		cleanup_remove(path);
}

struct fg_tempfile
cleanup_hook(void)
{
	struct fg_tempfile t = { cleanup_tempfile, NULL };

	return t;
}
