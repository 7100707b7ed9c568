/*
 * test_follow.c: reading a recording while it is written
 * (fg_follow_start), without perf: a thread writes the suite's
 * recordings (tests/data/perfdata) as perf record writes a file, the
 * header with no data size first, then the records in chunks that cut
 * records in two, then the feature sections past a hole, the table of
 * them and the final header last; an older file at the path is renamed
 * away as perf does.  The build-id table is left out (the tools record
 * with --buildid-mmap, which has none).  What fg_process() draws from
 * the followed read must equal reading the finished file: folded
 * output, SVG and warnings.  Then a writer that stops early (perf
 * killed: no final header), a recording abandoned, one that never
 * came, and a recording with a build-id table: read again after the
 * end, with the same result as reading the file alone, and no hang.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "flamegraph.h"
#include "check.h"

static char dir[] = "/tmp/fg-test-follow.XXXXXX";

struct bytes {
	unsigned char *d;
	size_t len;
};

static struct bytes
slurp(const char *path)
{
	struct bytes b = { NULL, 0 };
	FILE *f = fopen(path, "rb");
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 ||
	    fseek(f, 0, SEEK_SET) != 0 || (b.d = malloc((size_t)n + 1)) == NULL ||
	    fread(b.d, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "test_follow: cannot read %s\n", path);
		exit(1);
	}
	b.len = (size_t)n;
	b.d[n] = 0;
	fclose(f);
	return b;
}

static uint64_t
get64(const unsigned char *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static void
set64(unsigned char *p, uint64_t v)
{
	memcpy(p, &v, 8);
}

/*
 * The recording r without its build-id table (feature bit 2, the first
 * entry of the section table when set): what perf record --buildid-mmap
 * writes.  With keep, r as it is.
 */
static struct bytes
finished(struct bytes r, int keep)
{
	struct bytes o;
	uint64_t doff = get64(r.d + 40), dsz = get64(r.d + 48), foff, feat;
	size_t k = 0, bit, nsec = 0;

	o.len = r.len;
	o.d = malloc(r.len);
	if (o.d == NULL)
		abort();
	memcpy(o.d, r.d, r.len);
	feat = get64(r.d + 72);
	if (keep || !(feat & 4))
		return o;
	foff = doff + dsz;
	for (bit = 0; bit < 256; bit++)
		if (get64(r.d + 72 + bit / 64 * 8) >> (bit % 64) & 1)
			nsec++;
	for (bit = 0; bit < 2; bit++)
		if (feat >> bit & 1)
			k++;
	/* drop entry k: the later entries move up, the last is zeroed */
	memmove(o.d + foff + 16 * k, r.d + foff + 16 * (k + 1),
	    16 * (nsec - k - 1));
	memset(o.d + foff + 16 * (nsec - 1), 0, 16);
	set64(o.d + 72, feat & ~(uint64_t)4);
	return o;
}

/* ---- the writer, as perf record writes ------------------------------- */

struct writer {
	const char *path;
	struct bytes f;		/* the finished file */
	size_t stop;		/* > 0: stop after this many data bytes */
	unsigned seed;
	long wait_us;		/* after the first header */
};

static void
pw(int fd, const unsigned char *p, size_t n, uint64_t off)
{
	while (n > 0) {
		ssize_t k = pwrite(fd, p, n, (off_t)off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			perror("test_follow: pwrite");
			exit(1);
		}
		p += k;
		n -= (size_t)k;
		off += (uint64_t)k;
	}
}

static void
nap(long us)
{
	struct timespec ts = { 0, us * 1000 };

	nanosleep(&ts, NULL);
}

static void *
writer_main(void *arg)
{
	struct writer *w = arg;
	const unsigned char *f = w->f.d;
	unsigned char h[104];
	uint64_t doff = get64(f + 40), dsz = get64(f + 48), pos = 0, foff;
	size_t nsec = 0, bit;
	char old[4096];
	int fd;

	snprintf(old, sizeof(old), "%s.old", w->path);
	(void)rename(w->path, old);
	if ((fd = open(w->path, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0) {
		perror("test_follow: open");
		exit(1);
	}
	nap(2000);
	pw(fd, f + 104, (size_t)doff - 104, 104);	/* the attributes */
	memcpy(h, f, sizeof(h));
	set64(h + 48, 0);
	pw(fd, h, sizeof(h), 0);			/* then the header */
	nap(w->wait_us);	/* for the reader to find it (it looks every 5 ms) */
	while (pos < dsz && (w->stop == 0 || pos < w->stop)) {
		uint64_t n;

		w->seed = w->seed * 1103515245u + 12345u;
		n = 1 + (w->seed >> 8) % 3000;		/* records cut in two */
		if (n > dsz - pos)
			n = dsz - pos;
		if (w->stop != 0 && n > w->stop - pos)
			n = w->stop - pos;
		pw(fd, f + doff + pos, (size_t)n, doff + pos);
		pos += n;
		if ((w->seed >> 4) % 4 == 0)
			nap(1000);
	}
	if (w->stop == 0) {
		foff = doff + dsz;
		for (bit = 0; bit < 256; bit++)
			if (get64(f + 72 + bit / 64 * 8) >> (bit % 64) & 1)
				nsec++;
		/* the sections past a hole, the table, the header */
		pw(fd, f + foff + 16 * nsec, w->f.len - (size_t)foff - 16 * nsec,
		    foff + 16 * nsec);
		nap(1000);
		pw(fd, f + foff, 16 * nsec, foff);
		nap(1000);
		pw(fd, f, 104, 0);
	}
	close(fd);
	return NULL;
}

/* ---- drawing --------------------------------------------------------- */

struct warns {
	char text[8192];
	size_t len;
};

static void
on_warn(void *arg, const char *msg)
{
	struct warns *w = arg;
	int n = snprintf(w->text + w->len, sizeof(w->text) - w->len, "%s\n",
	    msg);

	if (n > 0 && (size_t)n < sizeof(w->text) - w->len)
		w->len += (size_t)n;
}

struct drawn {
	int rc;
	struct warns w;
	struct bytes folded, svg;
	char msg[FG_ERRMSG_MAX];
};

static void
opts(struct fg_process_opts *po, const char *data, const char *tag,
    struct drawn *d, char *folded, char *svg)
{
	fg_process_opts_init(po);
	po->perfdata = data;
	po->source = FG_SOURCE_NATIVE;
	snprintf(folded, 4096, "%s/%s.folded", dir, tag);
	snprintf(svg, 4096, "%s/%s.svg", dir, tag);
	po->folded_output = folded;
	po->output = svg;
	memset(d, 0, sizeof(*d));
	po->warn.fn = on_warn;
	po->warn.arg = &d->w;
}

static void
finish(struct drawn *d, const struct fg_process_opts *po, int rc,
    const struct fg_error *err)
{
	d->rc = rc;
	snprintf(d->msg, sizeof(d->msg), "%s", rc != 0 ? err->msg : "");
	if (rc == 0) {
		d->folded = slurp(po->folded_output);
		d->svg = slurp(po->output);
	}
}

/* The finished file at data, read as a whole. */
static void
draw_whole(const char *data, struct drawn *d)
{
	struct fg_process_opts po;
	struct fg_error err;
	char folded[4096], svg[4096];

	opts(&po, data, "whole", d, folded, svg);
	fg_error_clear(&err);
	finish(d, &po, fg_process(&po, NULL, &err), &err);
}

/*
 * w written at w->path while followed; *taken: whether the followed read
 * was used.  With abandon, the recording is abandoned before the end.
 */
static void
draw_followed(struct writer *w, struct drawn *d, int *taken)
{
	struct fg_process_opts po;
	struct fg_follow *f;
	struct fg_error err;
	pthread_t th;
	char folded[4096], svg[4096];

	opts(&po, w->path, "followed", d, folded, svg);
	f = fg_follow_start(&po);
	CHECK(f != NULL);
	if (f == NULL)
		return;
	if (pthread_create(&th, NULL, writer_main, w) != 0)
		abort();
	pthread_join(th, NULL);
	nap(3000);
	fg_follow_end(f, 1);
	po.follow = f;
	fg_error_clear(&err);
	finish(d, &po, fg_process(&po, NULL, &err), &err);
	*taken = fg_follow_taken(f);
	fg_follow_free(f);
}

static int
same_bytes(struct bytes a, struct bytes b)
{
	return a.len == b.len && (a.len == 0 || memcmp(a.d, b.d, a.len) == 0);
}

static void
compare(const char *what, const struct drawn *a, const struct drawn *b)
{
	CHECK_MSG(a->rc == b->rc, "%s: status %d against %d (%s | %s)", what,
	    a->rc, b->rc, a->msg, b->msg);
	CHECK_MSG(strcmp(a->msg, b->msg) == 0, "%s: error \"%s\" against "
	    "\"%s\"", what, a->msg, b->msg);
	CHECK_MSG(same_bytes(a->folded, b->folded), "%s: folded output "
	    "differs", what);
	CHECK_MSG(same_bytes(a->svg, b->svg), "%s: SVG differs", what);
	CHECK_MSG(strcmp(a->w.text, b->w.text) == 0, "%s: warnings differ:\n"
	    "%s--\n%s", what, a->w.text, b->w.text);
}

static void
free_drawn(struct drawn *d)
{
	free(d->folded.d);
	free(d->svg.d);
}

/* one recording, followed from a path where another one lies */
static void
follow_one(const char *name, const char *stale, int keep_ids, size_t stop,
    int want_taken)
{
	char path[4096], what[256];
	struct bytes r = slurp(name), s = slurp(stale);
	struct writer w;
	struct drawn a, b;
	int taken = -1;
	FILE *fp;

	snprintf(what, sizeof(what), "%s%s%s", strrchr(name, '/') + 1,
	    keep_ids ? " with build ids" : "", stop ? " cut short" : "");
	snprintf(path, sizeof(path), "%s/perf.data", dir);
	w.path = path;
	w.f = finished(r, keep_ids);
	w.stop = stop;
	w.seed = 7;
	if ((fp = fopen(path, "wb")) == NULL)	/* the older recording */
		abort();
	fwrite(s.d, 1, s.len, fp);
	fclose(fp);
	/*
	 * A writer done before the reader first looked (a thread kept off
	 * the cores that long) leaves a finished file: read whole, which
	 * is right but not what is tested; then again, waiting longer.
	 */
	for (w.wait_us = 20000; w.wait_us <= 20000 * 625; w.wait_us *= 5) {
		draw_followed(&w, &a, &taken);
		draw_whole(path, &b);	/* the file as the writer left it */
		compare(what, &a, &b);
		CHECK_MSG(a.rc == 0, "%s: %s", what, a.msg);
		free_drawn(&a);
		free_drawn(&b);
		if (taken == want_taken || want_taken == 0)
			break;
		if ((fp = fopen(path, "wb")) == NULL)	/* the older one again */
			abort();
		fwrite(s.d, 1, s.len, fp);
		fclose(fp);
	}
	CHECK_MSG(taken == want_taken, "%s: followed read %s", what,
	    taken ? "used" : "not used");
	free(w.f.d);
	free(r.d);
	free(s.d);
}

/* Abandoned (perf failed), or no recording ever came: no hang, no output. */
static void
abandoned(void)
{
	struct fg_process_opts po;
	struct fg_follow *f;
	struct fg_error err;
	struct drawn d;
	char path[4096], folded[4096], svg[4096];
	struct stat sb;

	snprintf(path, sizeof(path), "%s/never.data", dir);
	opts(&po, path, "never", &d, folded, svg);
	f = fg_follow_start(&po);
	CHECK(f != NULL);
	nap(20000);
	fg_follow_free(f);			/* abandoned before any end */
	CHECK(stat(svg, &sb) != 0);
	f = fg_follow_start(&po);		/* ended, nothing recorded */
	fg_follow_end(f, 1);
	po.follow = f;
	fg_error_clear(&err);
	CHECK(fg_process(&po, NULL, &err) != 0);
	CHECK(!fg_follow_taken(f));
	CHECK_MSG(strstr(err.msg, "never.data") != NULL, "%s", err.msg);
	fg_follow_free(f);
	CHECK(stat(svg, &sb) != 0);
	fg_follow_free(NULL);
	fg_follow_end(NULL, 1);
	CHECK(!fg_follow_taken(NULL));
}

int
main(void)
{
	const char *top = getenv("FG_SOURCE_DIR");
	char dwarf[4096], fp[4096];

	if (top == NULL) {
		fprintf(stderr, "test_follow: FG_SOURCE_DIR not set\n");
		return 1;
	}
	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	setenv("FLAMEGRAPH_CACHE_DIR", "", 1);
	snprintf(dwarf, sizeof(dwarf), "%s/tests/data/perfdata/dwarf.data", top);
	snprintf(fp, sizeof(fp), "%s/tests/data/perfdata/fp.data", top);
	follow_one(dwarf, fp, 0, 0, 1);
	follow_one(fp, dwarf, 0, 0, 1);
	follow_one(dwarf, fp, 1, 0, 0);		/* a build-id table: again */
	follow_one(dwarf, fp, 0, 100003, 0);	/* perf killed mid-record */
	abandoned();
	{
		char cmd[4200];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "test_follow: %s left\n", dir);
	}
	return check_done("test_follow");
}
