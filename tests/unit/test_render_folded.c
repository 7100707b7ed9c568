/*
 * test_render_folded.c: unit tests of the folded reader: counts (one,
 * two, fractional), comments and blank lines, warnings naming FILE:LINE,
 * pipes and files giving the same model, a line longer than the mapping
 * window, and a file big enough to be read in two halves on two threads
 * (same stacks, same order, same warnings as the one-thread pipe path).
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flamegraph.h"
#include "folded.h"
#include "stacks.h"
#include "check.h"

struct warns {
	char buf[8192];
	size_t len;
	int n;
};

static void
on_warn(void *arg, const char *msg)
{
	struct warns *w = arg;
	int k = snprintf(w->buf + w->len, sizeof(w->buf) - w->len, "%s\n", msg);

	if (k > 0 && w->len + (size_t)k < sizeof(w->buf))
		w->len += (size_t)k;
	w->n++;
}

static char *
folded(const struct fg_stacks *st)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	struct fg_error err = { 0 };

	CHECK(fg_stacks_write_folded(st, fp, &err) == 0);
	fclose(fp);
	return buf;
}

static char *
tmpfile_with(const char *data, size_t len)
{
	char *path = strdup("/tmp/test_render_folded.XXXXXX");
	int fd = mkstemp(path);

	CHECK(fd != -1);
	CHECK(write(fd, data, len) == (ssize_t)len);
	close(fd);
	return path;
}

/* Read data from a file (mapped) and through a pipe (streamed). */
static off_t split_min = (off_t)64 << 20;

static void
read_both(const char *data, size_t len, struct fg_stacks **pf,
    struct fg_stacks **pp, struct warns *wf, struct warns *wp, int *rf,
    int *rp)
{
	struct fg_folded_opts o;
	struct fg_error err = { 0 };
	char *path = tmpfile_with(data, len);
	int fds[2];
	pid_t pid;

	*pf = fg_stacks_new();
	*pp = fg_stacks_new();
	fg_folded_opts_init(&o);
	o.warn.fn = on_warn;
	o.warn.arg = wf;
	{
		int fd = open(path, O_RDONLY);
		CHECK(fd != -1);
		*rf = folded_read_fd_tuned(fd, path, &o, *pf, split_min, &err);
		close(fd);
	}
	unlink(path);
	free(path);

	CHECK(pipe(fds) == 0);
	pid = fork();
	if (pid == 0) {
		size_t off = 0;
		close(fds[0]);
		while (off < len) {
			ssize_t k = write(fds[1], data + off, len - off);
			if (k <= 0)
				_exit(1);
			off += (size_t)k;
		}
		_exit(0);
	}
	close(fds[1]);
	o.warn.arg = wp;
	fg_error_clear(&err);
	*rp = fg_folded_read_fd(fds[0], "t.folded", &o, *pp, &err);
	close(fds[0]);
	while (wait(NULL) > 0)
		;
}

static void
test_lines(void)
{
	static const char in[] =
	    "main;a 5\n"
	    "  main;b 1.75  \r\n"
	    "# main;comment 9\n"
	    "\n"
	    "main;a 2\n"
	    "THIS IS A BAD LINE\n"
	    "main;c 12V.43\n"
	    " 7\n"
	    "x .5\n"
	    "main;d 99999999999999999999999\n"
	    "main;e 3.";
	struct fg_stacks *f, *p;
	struct warns wf = { .len = 0 }, wp = { .len = 0 };
	char *a, *b;
	int rf, rp;

	read_both(in, sizeof(in) - 1, &f, &p, &wf, &wp, &rf, &rp);
	CHECK(rf == 0 && rp == 0);
	a = folded(f);
	b = folded(p);
	CHECK(strcmp(a, "main;a 7\nmain;b 1\nmain;e 3\n") == 0);
	CHECK(strcmp(a, b) == 0);
	CHECK(strstr(wf.buf, ":2: fractional") != NULL);
	CHECK(strstr(wp.buf, "t.folded:6: no sample count") != NULL);
	CHECK(strstr(wp.buf, "t.folded:7: no sample count") != NULL);
	CHECK(strstr(wp.buf, "t.folded:8: ") != NULL);
	CHECK(strstr(wp.buf, "t.folded:9: ") != NULL);
	CHECK(strstr(wp.buf, "t.folded:10: ") != NULL);
	CHECK(wf.n == 6 && wp.n == 6);
	free(a);
	free(b);
	fg_stacks_free(f);
	fg_stacks_free(p);
}

static void
test_differential(void)
{
	static const char in[] = "a;b 10 5\na;c 3 0\na;b 1 1\n";
	struct fg_stacks *f, *p;
	struct warns wf = { .len = 0 }, wp = { .len = 0 };
	char *a;
	int rf, rp;

	read_both(in, sizeof(in) - 1, &f, &p, &wf, &wp, &rf, &rp);
	CHECK(rf == 0 && rp == 0);
	CHECK(fg_stacks_differential(f));
	a = folded(f);
	CHECK(strcmp(a, "a;b 11 6\na;c 3 0\n") == 0);
	free(a);
	fg_stacks_free(f);
	fg_stacks_free(p);
}

/* A name longer than the 16 MB mapping window. */
static void
test_long_line(void)
{
	size_t n = (size_t)17 << 20, len;
	char *in = malloc(n + 64), *a;
	struct fg_stacks *f, *p;
	struct warns wf = { .len = 0 }, wp = { .len = 0 };
	int rf, rp;

	memcpy(in, "x;y 1\nroot;", 11);
	memset(in + 11, 'n', n);
	len = 11 + n;
	memcpy(in + len, " 4\nx;z 2\n", 9);
	len += 9;
	read_both(in, len, &f, &p, &wf, &wp, &rf, &rp);
	CHECK(rf == 0 && rp == 0);
	CHECK(fg_stacks_count(f) == 3 && fg_stacks_count(p) == 3);
	CHECK(fg_stacks_total(f) == 7);
	a = folded(f);
	CHECK(a != NULL && strncmp(a, "root;nnn", 8) == 0);
	free(a);
	free(in);
	fg_stacks_free(f);
	fg_stacks_free(p);
}

/* A big file, read in two halves; compare with the streamed read. */
static void
test_split(void)
{
	size_t cap = (size_t)3 << 20, len = 0, i = 0;
	char *in = malloc(cap), *a, *b;
	struct fg_stacks *f, *p;
	struct warns wf = { .len = 0 }, wp = { .len = 0 };
	int rf, rp;
	uint64_t lines = 0, bad1 = 0, bad2 = 0;

	while (len + 200 < cap) {
		int k;
		if (i == 1000) {
			k = snprintf(in + len, 200, "bad line one\n");
			bad1 = lines + 1;
		} else if (len > cap - cap / 8 && bad2 == 0) {
			k = snprintf(in + len, 200, "bad line two\n");
			bad2 = lines + 1;
		} else
			k = snprintf(in + len, 200, "proc;main;work%zu;"
			    "a_fairly_long_frame_name_for_padding_%zu;leaf%zu "
			    "%zu\n", i % 97, i % 1013, i % 7, i % 5 + 1);
		len += (size_t)k;
		lines++;
		i++;
	}
	split_min = 1 << 20;
	read_both(in, len, &f, &p, &wf, &wp, &rf, &rp);
	split_min = (off_t)64 << 20;
	CHECK(rf == 0 && rp == 0);
	CHECK(fg_stacks_count(f) == fg_stacks_count(p));
	CHECK(fg_stacks_total(f) == fg_stacks_total(p));
	a = folded(f);
	b = folded(p);
	CHECK(a != NULL && b != NULL && strcmp(a, b) == 0);
	/* Same order of first appearance. */
	for (i = 0; i < fg_stacks_count(f) && i < 50; i++) {
		const uint32_t *ia, *ib;
		size_t na, nb, k;
		uint64_t w;
		stacks_get(f, i, &ia, &na, &w, NULL);
		stacks_get(p, i, &ib, &nb, &w, NULL);
		CHECK(na == nb);
		for (k = 0; k < na && k < nb; k++) {
			size_t l1, l2;
			const char *s1 = stacks_name(f, ia[k], &l1);
			const char *s2 = stacks_name(p, ib[k], &l2);
			CHECK(l1 == l2 && memcmp(s1, s2, l1) == 0);
		}
	}
	{
		char w1[64], w2[64];
		snprintf(w1, sizeof(w1), ":%llu: no sample count",
		    (unsigned long long)bad1);
		snprintf(w2, sizeof(w2), ":%llu: no sample count",
		    (unsigned long long)bad2);
		CHECK(strstr(wf.buf, w1) != NULL && strstr(wf.buf, w2) != NULL);
		CHECK(strstr(wp.buf, w1) != NULL && strstr(wp.buf, w2) != NULL);
		CHECK(strstr(wf.buf, w1) < strstr(wf.buf, w2));
	}
	CHECK(wf.n == 2 && wp.n == 2);
	free(a);
	free(b);
	free(in);
	fg_stacks_free(f);
	fg_stacks_free(p);
}

static void
test_errors(void)
{
	struct fg_stacks *st = fg_stacks_new();
	struct fg_error err = { 0 };

	CHECK(fg_folded_read_file("/nonexistent/x.folded", NULL, st, &err) ==
	    FG_EIO);
	CHECK(strstr(err.msg, "/nonexistent/x.folded") != NULL);
	fg_stacks_free(st);
}

int
main(void)
{
	test_lines();
	test_differential();
	test_long_line();
	test_split();
	test_errors();
	return check_done("test_render_folded");
}
