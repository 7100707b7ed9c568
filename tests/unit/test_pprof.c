/*
 * test_pprof.c: the protocol buffers encoder of lib/pprof.c on known
 * bytes (the protobuf documentation's examples and the varint limits),
 * and fg_write_pprof() on a small sample log: a gzip stream with mtime 0,
 * the same bytes twice, and a profile whose samples, values, labels and
 * strings are read back here by a minimal decoder.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "flamegraph.h"
#include "base.h"
#include "pprof.h"
#include "stacks.h"
#include "check.h"

static int
bytes_are(const struct fg_buf *b, const char *hex)
{
	char got[256];
	size_t i;

	if (b->len * 2 + 1 > sizeof(got))
		return 0;
	for (i = 0; i < b->len; i++)
		snprintf(got + 2 * i, 3, "%02x", (unsigned char)b->d[i]);
	got[2 * b->len] = '\0';
	if (strcmp(got, hex) != 0) {
		fprintf(stderr, "got %s, want %s\n", got, hex);
		return 0;
	}
	return 1;
}

static void
test_encoder(void)
{
	static const uint64_t packed[] = { 3, 270, 86942 };
	struct fg_buf b;

	buf_init(&b, 0);
	CHECK(pb_varint(&b, 0) == 0 && bytes_are(&b, "00"));
	buf_reset(&b);
	CHECK(pb_varint(&b, 127) == 0 && bytes_are(&b, "7f"));
	buf_reset(&b);
	CHECK(pb_varint(&b, 128) == 0 && bytes_are(&b, "8001"));
	buf_reset(&b);
	CHECK(pb_varint(&b, 300) == 0 && bytes_are(&b, "ac02"));
	buf_reset(&b);
	CHECK(pb_varint(&b, UINT64_MAX) == 0 &&
	    bytes_are(&b, "ffffffffffffffffff01"));
	buf_reset(&b);
	CHECK(pb_uint(&b, 1, 150) == 0 && bytes_are(&b, "089601"));
	buf_reset(&b);
	CHECK(pb_uint(&b, 1, 0) == 0 && b.len == 0);
	CHECK(pb_bytes(&b, 2, "testing", 7) == 0 &&
	    bytes_are(&b, "120774657374696e67"));
	buf_reset(&b);
	CHECK(pb_bytes(&b, 6, "", 0) == 0 && bytes_are(&b, "3200"));
	buf_reset(&b);
	CHECK(pb_packed(&b, 4, packed, 3) == 0 &&
	    bytes_are(&b, "2206038e029ea705"));
	buf_reset(&b);
	CHECK(pb_packed(&b, 4, packed, 0) == 0 && b.len == 0);
	CHECK(pb_key(&b, 16, PB_LEN) == 0 && bytes_are(&b, "8201"));
	buf_free(&b);
}

/* A minimal reader of the wire format. */
struct rd {
	const unsigned char *p, *end;
	int bad;
};

static uint64_t
rd_varint(struct rd *r)
{
	uint64_t v = 0;
	int s = 0;

	while (r->p < r->end && s < 64) {
		unsigned char c = *r->p++;
		v |= (uint64_t)(c & 0x7f) << s;
		if (!(c & 0x80))
			return v;
		s += 7;
	}
	r->bad = 1;
	return 0;
}

/* The next field: 1 with its number, and its value or bytes; 0 at end. */
static int
rd_field(struct rd *r, unsigned *field, uint64_t *v, struct rd *sub)
{
	uint64_t key, len;

	if (r->p >= r->end || r->bad)
		return 0;
	key = rd_varint(r);
	*field = (unsigned)(key >> 3);
	if ((key & 7) == 0) {
		*v = rd_varint(r);
		return !r->bad;
	}
	if ((key & 7) != 2 || (len = rd_varint(r)) > (uint64_t)(r->end -
	    r->p)) {
		r->bad = 1;
		return 0;
	}
	sub->p = r->p;
	sub->end = r->p + len;
	sub->bad = 0;
	r->p += len;
	return 1;
}

static char *
gunzip(const unsigned char *in, size_t len, size_t *outlen)
{
	z_stream z;
	size_t cap = 1 << 20;
	char *out = malloc(cap);
	int zr;

	memset(&z, 0, sizeof(z));
	CHECK(inflateInit2(&z, 15 + 16) == Z_OK);
	z.next_in = (unsigned char *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = (unsigned char *)out;
	z.avail_out = (uInt)cap;
	zr = inflate(&z, Z_FINISH);
	CHECK_MSG(zr == Z_STREAM_END, "inflate: %d", zr);
	*outlen = cap - z.avail_out;
	inflateEnd(&z);
	return out;
}

static const char script[] =
    "app 100/100 [000] 10.000001000:     250000 cpu-clock:\n"
    "\t    1000 leaf+0x1 (/bin/app)\n"
    "\t    2000 main+0x2 (/bin/app)\n"
    "\n"
    "app 100/101 [001] 10.000002500:     250000 cpu-clock:\n"
    "\t    3000 other+0x1 (/bin/app)\n"
    "\n"
    "app 100/100 [000] 10.000004000:     250000 cpu-clock:\n"
    "\t    1000 leaf+0x1 (/bin/app)\n"
    "\t    2000 main+0x2 (/bin/app)\n"
    "\n";

static char *
write_mem(const struct fg_stacks *st, size_t *len)
{
	char *buf = NULL;
	FILE *fp = open_memstream(&buf, len);
	struct fg_error err = {0};

	CHECK(fp != NULL);
	CHECK_MSG(fg_write_pprof(st, fp, NULL, &err) == 0, "%s", err.msg);
	fclose(fp);
	return buf;
}

static void
test_profile(void)
{
	struct fg_stacks *st = fg_stacks_new();
	struct fg_error err = {0};
	struct rd r, m, s;
	char *a, *b, *pb, *strs[64];
	size_t alen, blen, pblen, nstr = 0, nsample = 0, nfun = 0, i;
	uint64_t v, vals[2] = {0, 0}, dur = 0, period = 0, nlabel = 0;
	unsigned f, g;

	fg_stacks_keep_samples(st);
	CHECK(fg_collapse_perf_mem(script, sizeof(script) - 1, NULL, NULL,
	    st, &err) == 0);
	a = write_mem(st, &alen);
	b = write_mem(st, &blen);
	CHECK(alen == blen && memcmp(a, b, alen) == 0);
	CHECK(alen > 10 && memcmp(a, "\x1f\x8b\x08\x00\0\0\0\0", 8) == 0);
	pb = gunzip((unsigned char *)a, alen, &pblen);
	r.p = (unsigned char *)pb;
	r.end = r.p + pblen;
	r.bad = 0;
	while (rd_field(&r, &f, &v, &m)) {
		if (f == 6 && nstr < 64)
			strs[nstr++] = strndup((const char *)m.p,
			    (size_t)(m.end - m.p));
		else if (f == 5)
			nfun++;
		else if (f == 10)
			dur = v;
		else if (f == 12)
			period = v;
		else if (f == 2) {
			nsample++;
			while (rd_field(&m, &g, &v, &s)) {
				if (g == 2) {
					vals[0] += rd_varint(&s);
					vals[1] += rd_varint(&s);
				} else if (g == 3)
					nlabel++;
			}
		}
	}
	CHECK(!r.bad);
	CHECK(nstr > 12);
	CHECK(nstr > 0 && strcmp(strs[0], "") == 0);
	CHECK(nstr > 4 && strcmp(strs[3], "cpu") == 0 &&
	    strcmp(strs[4], "nanoseconds") == 0);
	/* main;leaf of tid 100 (twice) and other of tid 101 */
	CHECK_EQ_INT(nsample, 2);
	CHECK_EQ_INT(vals[0], 3);
	CHECK_EQ_INT(vals[1], 750000);
	CHECK_EQ_INT(nlabel, 8);	/* thread, tid, pid, process */
	CHECK_EQ_INT(nfun, 3);		/* leaf, main, other: app a label */
	CHECK_EQ_INT(dur, 3000);
	CHECK_EQ_INT(period, 250000);
	for (i = 0; i < nstr; i++)
		free(strs[i]);
	free(pb);
	free(a);
	free(b);
	fg_stacks_free(st);
}

/* Without a sample log: one sample per stack, one value, no labels. */
static void
test_folded(void)
{
	struct fg_stacks *st = fg_stacks_new();
	struct fg_error err = {0};
	struct rd r, m, s;
	char *a, *pb;
	size_t alen, pblen, nvals = 0;
	uint64_t v, sum = 0;
	unsigned f, g;

	CHECK(fg_stacks_add_folded(st, "a;b", 3, 5, 0, &err) == 0);
	CHECK(fg_stacks_add_folded(st, "a;c", 3, 7, 0, &err) == 0);
	a = write_mem(st, &alen);
	pb = gunzip((unsigned char *)a, alen, &pblen);
	r.p = (unsigned char *)pb;
	r.end = r.p + pblen;
	r.bad = 0;
	while (rd_field(&r, &f, &v, &m))
		if (f == 2)
			while (rd_field(&m, &g, &v, &s))
				if (g == 2)
					while (s.p < s.end) {
						sum += rd_varint(&s);
						nvals++;
					}
	CHECK(!r.bad);
	CHECK_EQ_INT(nvals, 2);
	CHECK_EQ_INT(sum, 12);
	free(pb);
	free(a);
	fg_stacks_free(st);
}

/*
 * Frames marked inline (stacks_mark_inline) share a location, lines
 * innermost first; the process name frame at the root is a label.
 */
static void
test_inline(void)
{
	static const char *const names[] = { "app", "main", "f", "g" };
	struct fg_stacks *st = fg_stacks_new();
	struct fg_error err = {0};
	struct rd r, m, s, t;
	uint32_t ids[4];
	char *a, *pb;
	size_t alen, pblen, i, nloc = 0, nlines[4] = {0}, nfun = 0;
	uint64_t v, lfun[4][4] = {{0}};
	unsigned f, g, h;

	fg_stacks_keep_samples(st);
	for (i = 0; i < 4; i++)
		CHECK(stacks_intern(st, names[i], strlen(names[i]),
		    &ids[i]) == 0);
	CHECK(stacks_add_ids(st, ids, 4, 10, 0, &err) == 0);
	CHECK(stacks_step_sample(st, 5, 1, 1, "app", 3, 1) == 0);
	CHECK(stacks_mark_inline(st, ids[2], ids[3]) == 0);
	CHECK(stacks_is_inline(st, ids[2], ids[3]));
	CHECK(!stacks_is_inline(st, ids[1], ids[2]));
	a = write_mem(st, &alen);
	pb = gunzip((unsigned char *)a, alen, &pblen);
	r.p = (unsigned char *)pb;
	r.end = r.p + pblen;
	r.bad = 0;
	while (rd_field(&r, &f, &v, &m)) {
		if (f == 5)
			nfun++;
		if (f != 4 || nloc >= 4)
			continue;
		while (rd_field(&m, &g, &v, &s))
			if (g == 4)
				while (rd_field(&s, &h, &v, &t))
					if (h == 1 && nlines[nloc] < 4)
						lfun[nloc][nlines[nloc]++] = v;
		nloc++;
	}
	CHECK(!r.bad);
	CHECK_EQ_INT(nfun, 3);		/* main, f, g */
	CHECK_EQ_INT(nloc, 2);
	/* leaf first: the location of g inlined into f (functions 1: f,
	   2: g, numbered outermost first), its lines g, f; then main's */
	CHECK_EQ_INT(nlines[0], 2);
	CHECK_EQ_INT(nlines[1], 1);
	CHECK(lfun[0][0] == 2 && lfun[0][1] == 1 && lfun[1][0] == 3);
	free(pb);
	free(a);
	fg_stacks_free(st);
}

int
main(void)
{
	test_encoder();
	test_profile();
	test_folded();
	test_inline();
	return check_done("test_pprof");
}
