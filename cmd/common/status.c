/*
 * status.c: cargo-style status, warning and error lines on stderr (see
 * status.h).  The only state is the colour and quiet choice made once at
 * start-up by status_init().
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "status.h"

static int use_colour;
static int be_quiet;

void
status_init(int quiet)
{
	const char *nc = getenv("NO_COLOR"), *term = getenv("TERM");

	be_quiet = quiet;
	use_colour = isatty(STDERR_FILENO) && (nc == NULL || *nc == '\0') &&
	    (term == NULL || strcmp(term, "dumb") != 0);
}

static void
vline(const char *colour, const char *prefix, int align, const char *fmt,
    va_list ap)
{
	if (use_colour)
		fprintf(stderr, "\033[%sm", colour);
	fprintf(stderr, align ? "%12s" : "%s", prefix);
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
