/*
 * flamegraph-diff-folded: two folded-stack files (before, after) -> one
 * differential folded file, "stack BEFORE AFTER" per line, in folded
 * order, as inferno-diff-folded makes them.  --normalize scales the
 * before counts to the after total; --strip-hex turns "0x1f2e" into
 * "0x...".  Exit status: 0 written, 1 an error, 2 bad usage; SIGINT,
 * SIGTERM and SIGHUP end it with the signal (128 + its number), also
 * when started with SIGINT ignored, as the other programs.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "flamegraph.h"
#include "optmsg.h"

static const char *progname = "flamegraph-diff-folded";

struct combine {
	struct fg_stacks *dst;
	int second;		/* adding the after profile */
	int src_diff;		/* source lines had two counts */
	int strip_hex;
	double scale;		/* before counts times this (normalize) */
	char *buf;
	size_t cap;
	struct fg_error *err;
};

static void
on_warn(void *arg, const char *msg)
{
	(void)arg;
	fprintf(stderr, "%s: warning: %s\n", progname, msg);
}

/* Append name to c->buf, with hex numbers cut to "0x..." if asked. */
static int
put_frame(struct combine *c, size_t *len, const char *s, size_t n)
{
	size_t i = 0;

	if (*len + n + 8 > c->cap) {
		size_t ncap = (*len + n + 8) * 2;
		char *nb = realloc(c->buf, ncap);
		if (nb == NULL)
			return -1;
		c->buf = nb;
		c->cap = ncap;
	}
	while (i < n) {
		if (c->strip_hex && i + 1 < n && s[i] == '0' && s[i + 1] == 'x') {
			size_t j = i + 2;
			while (j < n && isxdigit((unsigned char)s[j]))
				j++;
			memcpy(c->buf + *len, "0x", 2);
			*len += 2;
			if (j > i + 2) {
				memcpy(c->buf + *len, "...", 3);
				*len += 3;
			}
			i = j;
			continue;
		}
		c->buf[(*len)++] = s[i++];
	}
	return 0;
}

static int
add_one(void *arg, const char *const *frames, const size_t *lens, size_t n,
    uint64_t w1, uint64_t w2)
{
	struct combine *c = arg;
	uint64_t count = c->src_diff ? w2 : w1;
	size_t len = 0, i;

	for (i = 0; i < n; i++) {
		if ((i > 0 && put_frame(c, &len, ";", 1) != 0) ||
		    put_frame(c, &len, frames[i], lens[i]) != 0)
			return FG_ENOMEM;
	}
	if (!c->second && c->scale != 1.0)
		count = (uint64_t)((double)count * c->scale);
	return fg_stacks_add_folded(c->dst, c->buf, len,
	    c->second ? 0 : count, c->second ? count : 0, c->err);
}

static int
write_line(void *arg, const char *const *frames, const size_t *lens,
    size_t n, uint64_t w1, uint64_t w2)
{
	FILE *fp = arg;
	size_t i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			putc(';', fp);
		fwrite(frames[i], 1, lens[i], fp);
	}
	fprintf(fp, " %llu %llu\n", (unsigned long long)w1,
	    (unsigned long long)w2);
	return ferror(fp) ? FG_EIO : 0;
}

static int
sum_last(void *arg, const char *const *frames, const size_t *lens, size_t n,
    uint64_t w1, uint64_t w2)
{
	uint64_t *t = arg;

	(void)frames;
	(void)lens;
	(void)n;
	(void)w1;
	*t += w2;
	return 0;
}

static void
usage(FILE *fp)
{
	fprintf(fp, "usage: %s [-n] [-s] BEFORE AFTER\n"
	    "Merge two folded-stack files into differential folded stacks "
	    "(\"stack BEFORE AFTER\").\n"
	    "  -n, --normalize   scale BEFORE's counts to AFTER's total\n"
	    "  -s, --strip-hex   replace hex numbers 0x1a2b by 0x...\n"
	    "  -h, --help        this help\n", progname);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "normalize", no_argument, NULL, 'n' },
		{ "strip-hex", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct fg_stacks *a = NULL, *b = NULL, *out = NULL;
	struct fg_folded_opts fo;
	struct fg_error err = { 0 };
	struct combine c;
	uint64_t t1 = 0, t2 = 0;
	int ch, normalize = 0, strip = 0, r, status = 0;

	cleanup_install(NULL);	/* nothing to remove: die of the signal */
	while ((ch = getopt_long(argc, argv, ":nshV", longopts, NULL)) != -1) {
		switch (ch) {
		case 'n':
			normalize = 1;
			break;
		case 's':
			strip = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("%s %s\n", progname, FG_VERSION);
			return 0;
		default: {	/* ':' and '?' */
			char m[256];
			fprintf(stderr, "%s: %s\n", progname,
			    optmsg(ch, argv, longopts, m, sizeof(m)));
			usage(stderr);
			return 2;
		}
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return 2;
	}
	memset(&c, 0, sizeof(c));
	if ((a = fg_stacks_new()) == NULL || (b = fg_stacks_new()) == NULL ||
	    (out = fg_stacks_new()) == NULL) {
		fprintf(stderr, "%s: out of memory\n", progname);
		status = 1;
		goto done;
	}
	fg_folded_opts_init(&fo);
	fo.warn.fn = on_warn;
	if ((r = fg_folded_read_file(argv[optind], &fo, a, &err)) != 0 ||
	    (r = fg_folded_read_file(argv[optind + 1], &fo, b, &err)) != 0) {
		fprintf(stderr, "%s: %s\n", progname, err.msg);
		status = 1;
		goto done;
	}
	t1 = fg_stacks_total(a);
	t2 = fg_stacks_total(b);
	if (fg_stacks_differential(a)) {
		t1 = 0;
		(void)fg_stacks_foreach_sorted(a, sum_last, &t1, &err);
	}
	if (fg_stacks_differential(b)) {
		t2 = 0;
		(void)fg_stacks_foreach_sorted(b, sum_last, &t2, &err);
	}
	c.dst = out;
	c.strip_hex = strip;
	c.err = &err;
	c.scale = normalize && t1 != 0 && t1 != t2 ?
	    (double)t2 / (double)t1 : 1.0;
	c.src_diff = fg_stacks_differential(a);
	r = fg_stacks_foreach_sorted(a, add_one, &c, &err);
	if (r == 0) {
		c.second = 1;
		c.src_diff = fg_stacks_differential(b);
		r = fg_stacks_foreach_sorted(b, add_one, &c, &err);
	}
	if (r == 0)
		r = fg_stacks_foreach_sorted(out, write_line, stdout, &err);
	if (r == 0 && (fflush(stdout) != 0 || ferror(stdout))) {
		fprintf(stderr, "%s: write: %s\n", progname, strerror(errno));
		status = 1;
	} else if (r != 0) {
		fprintf(stderr, "%s: %s\n", progname, err.msg[0] ? err.msg :
		    fg_strerror(r));
		status = 1;
	}
done:
	free(c.buf);
	fg_stacks_free(a);
	fg_stacks_free(b);
	fg_stacks_free(out);
	return status;
}
