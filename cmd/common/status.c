/*
 * status.c: cargo-style status, warning and error lines on stderr (see
 * status.h).  The only state is the colour and quiet choice made once at
 * start-up by status_init().
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "status.h"

static int use_colour;
static int be_quiet;

void
status_init(int quiet, const char *color)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	be_quiet = quiet;
	if (color == NULL)
		color = getenv("CARGO_TERM_COLOR");
	if (color != NULL && strcmp(color, "always") == 0)
		use_colour = 1;
	else if (color != NULL && strcmp(color, "never") == 0)
		use_colour = 0;
	else
		use_colour = isatty(STDERR_FILENO) &&
		    (nc == NULL || *nc == '\0') &&
		    (term == NULL || strcmp(term, "dumb") != 0);
}

static void vline(const char *, const char *, int, const char *, va_list)
    STATUS_PRINTF(4, 0);

static void
vline(const char *colour, const char *prefix, int align, const char *fmt,
    va_list ap)
{
	if (use_colour)
		fprintf(stderr, "\033[%sm", colour);
	if (align)
		fprintf(stderr, "%12s", prefix);
	else
		fputs(prefix, stderr);
	if (use_colour)
		fputs("\033[0m", stderr);
	fputc(' ', stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void
status_line(const char *verb, const char *fmt, ...)
{
	va_list ap;

	if (be_quiet)
		return;
	va_start(ap, fmt);
	vline("1;32", verb, 1, fmt, ap);
	va_end(ap);
}

void
status_note(const char *fmt, ...)
{
	va_list ap;

	if (be_quiet)
		return;
	va_start(ap, fmt);
	vline("1;36", "note:", 0, fmt, ap);
	va_end(ap);
}

void
status_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline("1;33", "warning:", 0, fmt, ap);
	va_end(ap);
}

void
status_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vline("1;31", "error:", 0, fmt, ap);
	va_end(ap);
}

void
status_warn_cb(void *arg, const char *msg)
{
	(void)arg;
	status_warn("%s", msg);
}

static double
now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void
status_progress_cb(void *arg, uint64_t done, uint64_t total)
{
	static double start;
	static int shown;
	double pct;

	(void)arg;
	if (be_quiet || !isatty(STDERR_FILENO))
		return;
	if (done == 0) {
		start = now_seconds();
		shown = 0;
		return;
	}
	if (done >= total) {
		if (shown)
			fputs("\r\033[K", stderr);
		shown = 0;
		return;
	}
	if (!shown && now_seconds() - start < 1.0)
		return;
	pct = total > 0 ? 100.0 * (double)done / (double)total : 0;
	fputc('\r', stderr);
	if (use_colour)
		fputs("\033[1;36m", stderr);
	fprintf(stderr, "%12s", "Processing");
	if (use_colour)
		fputs("\033[0m", stderr);
	fprintf(stderr, " %3.0f%% (%llu of %llu MB)\033[K", pct,
	    (unsigned long long)(done >> 20),
	    (unsigned long long)(total >> 20));
	fflush(stderr);
	shown = 1;
}
