/*
 * sigwork.c: a C workload for the unwinder's perf agreement test whose
 * samples fall inside a signal handler: SIGALRM every 2 ms runs a handler
 * that burns CPU, interrupting a recursion, so the chains go through the
 * kernel's signal frame (__restore_rt) back into the interrupted code.
 * Usage: sigwork [MILLISECONDS] (default 500).
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>

static volatile unsigned long sink;

static __attribute__((noinline)) void
burn(int n)
{
	for (int i = 0; i < n; i++)
		sink = sink * 31 + (unsigned long)i;
}

static void
on_alarm(int sig)
{
	burn(300000 + sig);
	sink++;		/* no tail call: the handler keeps its frame */
}

static __attribute__((noinline)) void
work(int depth)
{
	if (depth > 0) {
		work(depth - 1);
		sink++;
	} else
		burn(50000);
}

int
main(int argc, char **argv)
{
	struct sigaction sa;
	struct itimerval it = { { 0, 2000 }, { 0, 2000 } };
	struct timespec a, b;
	long ms = argc > 1 ? strtol(argv[1], NULL, 10) : 500;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigaction(SIGALRM, &sa, NULL);
	setitimer(ITIMER_REAL, &it, NULL);
	clock_gettime(CLOCK_MONOTONIC, &a);
	do {
		work(6);
		clock_gettime(CLOCK_MONOTONIC, &b);
	} while ((b.tv_sec - a.tv_sec) * 1000 +
	    (b.tv_nsec - a.tv_nsec) / 1000000 < ms);
	printf("%lu\n", sink & 1);
	return 0;
}
