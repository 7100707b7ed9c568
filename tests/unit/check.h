/*
 * check.h: the checks every unit test (tests/unit/test_*.c) uses.  A
 * failed check prints "FILE:LINE: check failed: WHAT" (and the values
 * or a message where it has them) on stderr, is counted, and the test
 * goes on; main() ends with `return check_done("NAME");`, which prints
 * "NAME: ok" or "NAME: N checks failed" and gives the exit status (0, or
 * 1 when any check failed).  The count is atomic: a check may run on any
 * thread.  In a forked child, checks count in the child only: end it
 * with _exit(check_failures != 0) and check its status in the parent.
 *
 *   CHECK(cond)                  cond holds
 *   CHECK_MSG(cond, fmt, ...)    cond holds; else fmt (printf) says more
 *   CHECK_EQ_INT(a, b)           a == b as integers; else both printed
 *   CHECK_STR(a, b)              equal strings, or both NULL
 *   CHECK_FAIL(fmt, ...)         a failure found otherwise, said by fmt
 *   check_folded(st)             st's folded text (with flamegraph.h)
 */
#ifndef FG_TEST_CHECK_H
#define FG_TEST_CHECK_H

#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

static atomic_int check_failures;

#define CHECK(c) do { if (!(c)) check_failed(__FILE__, __LINE__, #c); \
	} while (0)
#define CHECK_MSG(c, ...) do { if (!(c)) check_fail(__FILE__, __LINE__, \
	#c, __VA_ARGS__); } while (0)
#define CHECK_FAIL(...) check_fail(__FILE__, __LINE__, NULL, __VA_ARGS__)
#define CHECK_EQ_INT(a, b) check_eq_int(__FILE__, __LINE__, #a, #b, \
	(intmax_t)(a), (intmax_t)(b))
#define CHECK_STR(a, b) check_str(__FILE__, __LINE__, #a, (a), (b))

/* Count a failure: what failed (may be NULL) and fmt's message, on one
   line written at once (checks may fail on any thread). */
static inline void
#if defined(__GNUC__)
__attribute__((format(printf, 4, 0)))
#endif
check_vfail(const char *file, int line, const char *what, const char *fmt,
    va_list ap)
{
	char msg[1024];
	size_t n;

	n = (size_t)snprintf(msg, sizeof(msg), "%s:%d: check failed%s%s",
	    file, line, what != NULL ? ": " : "", what != NULL ? what : "");
	if (n + 2 < sizeof(msg)) {
		memcpy(msg + n, ": ", 3);
		vsnprintf(msg + n + 2, sizeof(msg) - n - 2, fmt, ap);
	}
	fprintf(stderr, "%s\n", msg);
	check_failures++;
}

static inline void
check_failed(const char *file, int line, const char *what)
{
	fprintf(stderr, "%s:%d: check failed: %s\n", file, line, what);
	check_failures++;
}

static inline void
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
check_fail(const char *file, int line, const char *what, const char *fmt,
    ...)
{
	va_list ap;

	va_start(ap, fmt);
	check_vfail(file, line, what, fmt, ap);
	va_end(ap);
}

static inline void
check_eq_int(const char *file, int line, const char *an, const char *bn,
    intmax_t a, intmax_t b)
{
	if (a != b)
		check_fail(file, line, NULL, "%s == %s: %jd, expected %jd",
		    an, bn, a, b);
}

static inline void
check_str(const char *file, int line, const char *an, const char *a,
    const char *b)
{
	if (a == NULL || b == NULL ? a != b : strcmp(a, b) != 0)
		check_fail(file, line, NULL, "%s is \"%s\", expected \"%s\"",
		    an, a != NULL ? a : "(null)", b != NULL ? b : "(null)");
}

/* The end of main(): the summary line and the exit status. */
static inline int
check_done(const char *name)
{
	int n = check_failures;

	if (n != 0) {
		fprintf(stderr, "%s: %d check%s failed\n", name, n,
		    n == 1 ? "" : "s");
		return 1;
	}
	printf("%s: ok\n", name);
	return 0;
}

#ifdef FLAMEGRAPH_H
/* st's folded text (fg_stacks_write_folded), malloc'd; flamegraph.h
   included first. */
static inline char *
check_folded(const struct fg_stacks *st)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	struct fg_error err = {0};

	CHECK(fp != NULL);
	CHECK(fg_stacks_write_folded(st, fp, &err) == 0);
	fclose(fp);
	return buf;
}
#endif

#endif
