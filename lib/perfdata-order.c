/*
 * perfdata-order.c: perf's time order and zstd.  Records with a time
 * are queued and delivered in (time, file order) with perf's two-round
 * rule: at each FINISHED_ROUND the records up to the previous round's
 * largest time go out; the queue is bounded in entries and in the
 * bytes its records hold (then its older half goes).  COMPRESSED
 * records are inflated through one stream for the whole file, a record
 * cut at the end of a block completed by the next.
 */
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "perfdata-int.h"

#define MAX_DECOMP		(256u << 20)
#define PIN_MAX		(64u << 20)	/* bytes queued records may hold */

static int
qent_cmp(const void *a, const void *b)
{
	const struct qent *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static inline int
qent_before(const struct qent *x, const struct qent *y)
{
	return x->time < y->time || (x->time == y->time && x->seq < y->seq);
}

/* The end of the ascending run that starts at i. */
static size_t
qrun_end(const struct qent *q, size_t i, size_t n)
{
	for (i++; i < n && !qent_before(&q[i], &q[i - 1]); i++)
		;
	return i;
}

/*
 * Sort the queue by (time, file order).  The queue is a few ascending
 * runs (what the last flush left, then each CPU's buffer of this round
 * in turn): merge neighbouring runs, pass after pass, through a second
 * array that then swaps with the queue; O(n log runs).  (time, seq) is
 * a total order, so the result is what any sort gives.
 */
static int
qsort_runs(struct pd *pd)
{
	struct qent *src = pd->od.q, *dst, *t;
	size_t n = pd->od.nq, i, a, b, x, y, k;
	size_t nruns;

	if (n < 2 || qrun_end(src, 0, n) == n)
		return 0;
	if (pd->od.capqt < pd->od.capq) {
		free(pd->od.qt);
		pd->od.capqt = 0;
		if ((pd->od.qt = reallocarray(NULL, pd->od.capq,
		    sizeof(*pd->od.qt))) == NULL) {
			qsort(pd->od.q, n, sizeof(*pd->od.q), qent_cmp);
			return 0;
		}
		pd->od.capqt = pd->od.capq;
	}
	dst = pd->od.qt;
	do {
		nruns = 0;
		for (i = 0; i < n; i = b, nruns++) {
			a = qrun_end(src, i, n);
			b = a < n ? qrun_end(src, a, n) : n;
			for (x = i, y = a, k = i; x < a && y < b; k++)
				dst[k] = qent_before(&src[y], &src[x]) ?
				    src[y++] : src[x++];
			if (x < a)
				memcpy(dst + k, src + x, (a - x) * sizeof(*dst));
			else if (y < b)
				memcpy(dst + k, src + y, (b - y) * sizeof(*dst));
		}
		t = src;
		src = dst;
		dst = t;
	} while (nruns > 1);
	if (src != pd->od.q) {	/* the sorted array becomes the queue */
		size_t c = pd->od.capq;
		pd->od.qt = pd->od.q;
		pd->od.q = src;
		pd->od.capq = pd->od.capqt;
		pd->od.capqt = c;
	}
	return 0;
}

/* Deliver the queued records with time <= limit, in time order. */
int
pd_flush(struct pd *pd, uint64_t limit)
{
	size_t i, o;
	int r = 0;

	if (pd->od.nq == 0)
		return 0;
	qsort_runs(pd);
	for (i = 0; i < pd->od.nq && pd->od.q[i].time <= limit; i++) {
		if (r == 0)
			r = pd_dispatch(pd, pd->od.q[i].rec, pd->od.q[i].len,
			    pd->od.q[i].off, pd->od.q[i].db);
		pd_db_release(pd, pd->od.q[i].db);
	}
	for (o = 0; i < pd->od.nq; i++)
		pd->od.q[o++] = pd->od.q[i];
	pd->od.nq = o;
	return r;
}

int
pd_queue(struct pd *pd, const uint8_t *rec, size_t len, uint64_t off,
    struct dbuf *db)
{
	uint64_t t;
	uint32_t type = rd32(rec);

	if (!pd->ev.ordered || !pd_rec_time(pd, rec, len, type, &t))
		return pd_dispatch(pd, rec, len, off, db);
	if (atomic_load_explicit(&pd->in.pinned, memory_order_relaxed) >
	    PIN_MAX && pd->od.nq > 1) {
		/* bounded memory: the same for the bytes queued */
		int r;
		qsort(pd->od.q, pd->od.nq, sizeof(*pd->od.q), qent_cmp);
		if ((r = pd_flush(pd, pd->od.q[pd->od.nq / 2].time)) != 0)
			return r;
	}
	if (pd->od.nq == pd->od.capq) {
		struct qent *q;
		if (pd->od.nq >= (4u << 20)) {
			/* bounded memory: deliver the older half now */
			int r;
			qsort_runs(pd);
			if ((r = pd_flush(pd, pd->od.q[pd->od.nq / 2].time)) != 0)
				return r;
		} else {
			if ((q = base_grow(pd->od.q, &pd->od.capq, pd->od.nq + 1,
			    sizeof(*q), 4096)) == NULL)
				return seterr(pd->err, FG_ENOMEM, "%s: out "
				    "of memory", pd->name);
			pd->od.q = q;
		}
	}
	pd->od.q[pd->od.nq].time = t;
	pd->od.q[pd->od.nq].seq = pd->od.seq++;
	pd->od.q[pd->od.nq].off = off;
	pd->od.q[pd->od.nq].rec = rec;
	pd->od.q[pd->od.nq].len = (uint32_t)len;
	pd->od.q[pd->od.nq].db = db;
	pd_db_ref(db);
	pd->od.nq++;
	if (t > pd->od.max_ts)
		pd->od.max_ts = t;
	return 0;
}

/*
 * The compressed bytes of a COMPRESSED record into *in: 0, or 1 when
 * the record is skipped (warned).
 */
static int
zstd_input(struct pd *pd, const uint8_t *rec, size_t len, uint64_t off,
    ZSTD_inBuffer *in)
{
	in->src = rec + 8;
	in->size = len - 8;
	in->pos = 0;
	if (rd32(rec) == REC_COMPRESSED2) {
		/* perf >= 6.13: the compressed size, then 8-byte padding */
		uint64_t dsz = len >= 16 ? rd64(rec + 8) : UINT64_MAX;
		if (dsz > len - 16) {
			pd_warn_rec(pd, off, "compressed size %llu past the record",
			    (unsigned long long)dsz);
			return 1;
		}
		in->src = rec + 16;
		in->size = (size_t)dsz;
	}
	return 0;
}

/*
 * Inflate *in after the db->len bytes db holds, growing it up to
 * MAX_DECOMP: 0, 1 when the block is skipped (a zstd error, warned; the
 * stream is reset), or an FG_E* code.  Until the input is used up and
 * the decoder has stopped filling the output: with a full output
 * buffer it may hold back data even when all the input is read.
 */
static int
inflate(struct pd *pd, struct dbuf *db, ZSTD_inBuffer *in, uint64_t off)
{
	size_t r;

	for (;;) {
		ZSTD_outBuffer out;

		if (db->len == db->cap) {
			uint8_t *n;
			if (db->cap >= MAX_DECOMP)
				return seterr(pd->err, FG_ELIMIT, "%s: "
				    "compressed record at 0x%llx inflates past "
				    "%u MiB", pd->name, (unsigned long long)off,
				    MAX_DECOMP >> 20);
			if ((n = base_grow(db->d, &db->cap, db->len + 1, 1,
			    64)) == NULL)
				return seterr(pd->err, FG_ENOMEM, "%s: out "
				    "of memory", pd->name);
			db->d = n;
		}
		out.dst = db->d;
		out.size = db->cap;
		out.pos = db->len;
		r = ZSTD_decompressStream(pd->od.zs, &out, in);
		db->len = out.pos;
		if (r == 0 && !ZSTD_isError(r)) {
			/* a frame ended: zero bytes after it are padding */
			const uint8_t *q = (const uint8_t *)in->src + in->pos;
			size_t k = in->size - in->pos;
			while (k > 0 && q[k - 1] == 0)
				k--;
			if (k == 0)
				return 0;
		}
		if (ZSTD_isError(r)) {
			pd_warn_rec(pd, off, "zstd: %s", ZSTD_getErrorName(r));
			ZSTD_initDStream(pd->od.zs);
			return 1;
		}
		if (in->pos == in->size && out.pos < out.size)
			return 0;
	}
}

/*
 * The records inflated into db, handled in turn; a record cut at the
 * end is kept (od.left) for the next block to complete.
 */
static int
handle_inflated(struct pd *pd, struct dbuf *db, uint64_t off)
{
	size_t pos;
	uint8_t *n;
	int r;

	for (pos = 0; pos + 8 <= db->len;) {
		uint16_t sz = rd16(db->d + pos + 6);
		if (sz < 8) {
			pd_warn_rec(pd, off, "record inside compressed data: "
			    "size %u shorter than its header", sz);
			db->len = pos;
			break;
		}
		if (sz > db->len - pos)
			break;
		if ((r = pd_handle(pd, db->d + pos, sz, off, db, 1)) != 0)
			return r;
		pos += sz;
	}
	if (pos == db->len)
		return 0;
	if ((n = realloc(pd->od.left, db->len - pos)) == NULL)
		return seterr(pd->err, FG_ENOMEM, "%s: out of memory",
		    pd->name);
	pd->od.left = n;
	memcpy(pd->od.left, db->d + pos, db->len - pos);
	pd->od.nleft = db->len - pos;
	return 0;
}

int
pd_on_compressed(struct pd *pd, const uint8_t *rec, size_t len, uint64_t off)
{
	ZSTD_inBuffer in;
	struct dbuf *db;
	int r;

	if (pd->od.zs == NULL) {
		if ((pd->od.zs = ZSTD_createDStream()) == NULL)
			return seterr(pd->err, FG_ENOMEM, "%s: out of "
			    "memory", pd->name);
		ZSTD_initDStream(pd->od.zs);
	}
	if ((db = pd_db_new(pd->od.nleft + (len - 8) * 4 + 65536)) == NULL)
		return seterr(pd->err, FG_ENOMEM, "%s: out of memory",
		    pd->name);
	if (pd->od.nleft > 0)
		memcpy(db->d, pd->od.left, pd->od.nleft);
	db->len = pd->od.nleft;
	pd->od.nleft = 0;
	if ((r = zstd_input(pd, rec, len, off, &in)) == 0 &&
	    (r = inflate(pd, db, &in, off)) == 0)
		r = handle_inflated(pd, db, off);
	pd_db_close(pd, db);
	return r < 0 ? r : 0;
}

void
pd_order_free(struct pd *pd)
{
	size_t i;

	for (i = 0; i < pd->od.nq; i++)
		pd_db_release(pd, pd->od.q[i].db);
	free(pd->od.q);
	free(pd->od.qt);
	if (pd->od.zs != NULL)
		ZSTD_freeDStream(pd->od.zs);
	free(pd->od.left);
}
