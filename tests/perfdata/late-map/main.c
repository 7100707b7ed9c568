/*
 * main.c: late-map.sh's program: busy for EARLY seconds, then opens the
 * library named by its argument and spends 0.3 s in late_spin_a.  The
 * library's map record comes long after the recording's first samples.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

volatile unsigned long early_sink;

static __attribute__((noinline)) void
early_spin(double secs)
{
	struct timespec a, b;
	int i;

	clock_gettime(CLOCK_MONOTONIC, &a);
	do {
		for (i = 0; i < 100000; i++)
			early_sink += (unsigned long)i * 3;
		clock_gettime(CLOCK_MONOTONIC, &b);
	} while ((double)(b.tv_sec - a.tv_sec) +
	    (double)(b.tv_nsec - a.tv_nsec) / 1e9 < secs);
}

int
main(int argc, char **argv)
{
	void (*f)(double);
	void *h;

	if (argc < 3)
		return 2;
	early_spin(atof(argv[2]));
	if ((h = dlopen(argv[1], RTLD_NOW)) == NULL ||
	    (*(void **)&f = dlsym(h, "late_spin_a")) == NULL) {
		fprintf(stderr, "late: %s\n", dlerror());
		return 1;
	}
	f(0.3);
	return 0;
}
