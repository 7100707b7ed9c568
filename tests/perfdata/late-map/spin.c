/*
 * spin.c: the library late-map.sh's program opens late.  Built twice
 * with a different function name (-DLATE_NAME=...), so that the second
 * build is another file with another build id at the same path.
 */
#include <time.h>

void LATE_NAME(double secs);

volatile unsigned long late_sink;

__attribute__((noinline)) void
LATE_NAME(double secs)
{
	struct timespec a, b;
	int i;

	clock_gettime(CLOCK_MONOTONIC, &a);
	do {
		for (i = 0; i < 100000; i++)
			late_sink += (unsigned long)i * 7;
		clock_gettime(CLOCK_MONOTONIC, &b);
	} while ((double)(b.tv_sec - a.tv_sec) +
	    (double)(b.tv_nsec - a.tv_nsec) / 1e9 < secs);
}
