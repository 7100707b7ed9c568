/*
 * pprof.c: stacks to a pprof profile, profile.proto (google/pprof's
 * proto/profile.proto) gzipped.  The wire format is written here: keys,
 * varints, length-delimited fields and packed repeated varints are all
 * the profile needs, so no generated code and no protobuf library.  The
 * top-level message has no length of its own: each of its fields is made
 * in a buffer and handed to zlib at once, and the profile is never whole
 * in memory.  zlib's gzip header has mtime 0: the same stacks give the
 * same bytes.  Strings are numbered in the order the writer first uses
 * them, which is fixed: the header's, then the samples' in folded order.
 * See docs/internals/pprof.md.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base.h"
#include "pprof.h"
#include "stacks.h"

/* profile.proto's field numbers, by message. */
enum {
	PROFILE_SAMPLE_TYPE = 1, PROFILE_SAMPLE = 2, PROFILE_MAPPING = 3,
	PROFILE_LOCATION = 4, PROFILE_FUNCTION = 5, PROFILE_STRING = 6,
	PROFILE_TIME_NANOS = 9, PROFILE_DURATION_NANOS = 10,
	PROFILE_PERIOD_TYPE = 11, PROFILE_PERIOD = 12
};
enum { VALUE_TYPE_TYPE = 1, VALUE_TYPE_UNIT = 2 };
enum { SAMPLE_LOCATION_ID = 1, SAMPLE_VALUE = 2, SAMPLE_LABEL = 3 };
enum { LABEL_KEY = 1, LABEL_STR = 2, LABEL_NUM = 3 };
enum {
	MAPPING_ID = 1, MAPPING_FILENAME = 5, MAPPING_HAS_FUNCTIONS = 7,
	MAPPING_HAS_INLINE_FRAMES = 10
};
enum { LOCATION_ID = 1, LOCATION_MAPPING_ID = 2, LOCATION_LINE = 4 };
enum { LINE_FUNCTION_ID = 1 };
enum { FUNCTION_ID = 1, FUNCTION_NAME = 2 };

#define ZCHUNK		(64u * 1024)	/* deflate's output, a field batch */

int
pb_varint(struct fg_buf *b, uint64_t v)
{
	char t[10];
	size_t n = 0;

	while (v >= 0x80) {
		t[n++] = (char)((v & 0x7f) | 0x80);
		v >>= 7;
	}
	t[n++] = (char)v;
	return buf_append(b, t, n);
}

int
pb_key(struct fg_buf *b, unsigned field, unsigned wt)
{
	return pb_varint(b, (uint64_t)field << 3 | wt);
}

int
pb_uint(struct fg_buf *b, unsigned field, uint64_t v)
{
	int r;

	if (v == 0)
		return 0;
	if ((r = pb_key(b, field, PB_VARINT)) != 0)
		return r;
	return pb_varint(b, v);
}

int
pb_bytes(struct fg_buf *b, unsigned field, const void *p, size_t len)
{
	int r;

	if ((r = pb_key(b, field, PB_LEN)) != 0 ||
	    (r = pb_varint(b, len)) != 0)
		return r;
	return len == 0 ? 0 : buf_append(b, p, len);
}

/* The bytes of v as varints. */
static size_t
varints_len(const uint64_t *v, size_t n)
{
	size_t len = 0, i;
	uint64_t x;

	for (i = 0; i < n; i++)
		for (x = v[i], len++; x >= 0x80; x >>= 7)
			len++;
	return len;
}

int
pb_packed(struct fg_buf *b, unsigned field, const uint64_t *v, size_t n)
{
	size_t i;
	int r;

	if (n == 0)
		return 0;
	if ((r = pb_key(b, field, PB_LEN)) != 0 ||
	    (r = pb_varint(b, varints_len(v, n))) != 0)
		return r;
	for (i = 0; i < n; i++)
		if ((r = pb_varint(b, v[i])) != 0)
			return r;
	return 0;
}

/* The strings of the header, numbered so in the string table. */
enum {
	S_EMPTY, S_SAMPLES, S_COUNT, S_WTYPE, S_WUNIT, S_THREAD, S_TID,
	S_PID, S_PROCESS, S_FIXED
};

struct pw {
	const struct fg_stacks *st;
	const struct fg_pprof_opts *o;
	FILE *fp;
	z_stream z;
	unsigned char zout[ZCHUNK];
	struct fg_buf top;	/* top-level fields not yet deflated */
	struct fg_buf msg, sub;	/* a field's message, one inside it */
	const char *fixed[S_FIXED];
	uint32_t *sid;		/* name id -> string index (0: none yet) */
	uint32_t *fid;		/* name id -> function id (0: none yet) */
	uint32_t *sorder;	/* name ids in string order */
	uint32_t *forder;	/* name ids in function order */
	size_t nstr, nfun;
	uint64_t *locs;		/* a sample's location ids */
	size_t locs_cap;
	/* Locations: the name ids of each, outermost first, in lpool. */
	struct loc {
		uint32_t off, n;
	} *locv;
	size_t nloc, locv_cap;
	uint32_t *lpool;
	size_t nlpool, lpool_cap;
	uint32_t *ltab;		/* location index + 1 by its names' hash */
	size_t lmask;
	int inlined;		/* a location has several frames */
	int counted;		/* values [count, weight], else [weight] */
	uint32_t mapname;	/* name id of the mapping's; UINT32_MAX */
	int mapmain;		/* mapname is the main thread's */
	struct fg_error *err;
};

/* Deflate the buffered fields (all of them when finishing). */
static int
pw_flush(struct pw *w, int finish)
{
	int zr;

	w->z.next_in = (unsigned char *)w->top.d;
	w->z.avail_in = (uInt)w->top.len;
	do {
		w->z.next_out = w->zout;
		w->z.avail_out = sizeof(w->zout);
		zr = deflate(&w->z, finish ? Z_FINISH : Z_NO_FLUSH);
		if (zr == Z_STREAM_ERROR)
			return seterr(w->err, FG_EIO, "pprof: deflate failed");
		if (fwrite(w->zout, 1, sizeof(w->zout) - w->z.avail_out,
		    w->fp) != sizeof(w->zout) - w->z.avail_out)
			return seterr_sys(w->err, FG_EIO, errno,
			    "pprof: write");
	} while (w->z.avail_out == 0 || (finish && zr != Z_STREAM_END));
	buf_reset(&w->top);
	return 0;
}

static int
nomem(struct pw *w, int r)
{
	return seterr(w->err, r, "pprof: out of memory");
}

/* msg as top-level field (number) field; deflated once enough is kept. */
static int
pw_field(struct pw *w, unsigned field, const struct fg_buf *m)
{
	int r;

	if ((r = pb_bytes(&w->top, field, m->d, m->len)) != 0)
		return nomem(w, r);
	return w->top.len >= ZCHUNK ? pw_flush(w, 0) : 0;
}

/* The string index of name id (numbered on first use). */
static uint32_t
pw_sid(struct pw *w, uint32_t id)
{
	if (w->sid[id] == 0) {
		w->sorder[w->nstr - S_FIXED] = id;
		w->sid[id] = (uint32_t)w->nstr++;
	}
	return w->sid[id];
}

/* The function id of name id (numbered on first use). */
static uint32_t
pw_fid(struct pw *w, uint32_t id)
{
	if (w->fid[id] == 0) {
		w->forder[w->nfun] = id;
		w->fid[id] = (uint32_t)++w->nfun;
	}
	return w->fid[id];
}

static uint64_t
loc_hash(const uint32_t *ids, size_t n)
{
	return base_hash(ids, n * sizeof(*ids));
}

/*
 * The id of the location of the frames ids[0..n) (outermost first: a
 * function and the ones inlined into it at one address), numbered on
 * first use, its functions too; 0 when out of memory.
 */
static uint64_t
pw_loc(struct pw *w, const uint32_t *ids, size_t n)
{
	struct loc *l;
	uint32_t *lp;
	size_t h, i;

	if (w->ltab == NULL || (w->nloc + 1) * 2 > w->lmask + 1) {
		size_t nmask = w->ltab == NULL ? 1023 : w->lmask * 2 + 1;
		uint32_t *t = calloc(nmask + 1, sizeof(*t));

		if (t == NULL)
			return 0;
		for (i = 0; i < w->nloc; i++) {
			l = &w->locv[i];
			for (h = loc_hash(w->lpool + l->off, l->n) & nmask;
			    t[h] != 0; h = (h + 1) & nmask)
				;
			t[h] = (uint32_t)i + 1;
		}
		free(w->ltab);
		w->ltab = t;
		w->lmask = nmask;
	}
	for (h = loc_hash(ids, n) & w->lmask; w->ltab[h] != 0;
	    h = (h + 1) & w->lmask) {
		l = &w->locv[w->ltab[h] - 1];
		if (l->n == n && memcmp(w->lpool + l->off, ids,
		    n * sizeof(*ids)) == 0)
			return w->ltab[h];
	}
	if (w->nloc >= UINT32_MAX - 1 || w->nlpool + n >= UINT32_MAX ||
	    (l = base_grow(w->locv, &w->locv_cap, w->nloc + 1,
	    sizeof(*w->locv), 256)) == NULL)
		return 0;
	w->locv = l;
	if ((lp = base_grow(w->lpool, &w->lpool_cap, w->nlpool + n,
	    sizeof(*w->lpool), 1024)) == NULL)
		return 0;
	w->lpool = lp;
	l = &w->locv[w->nloc];
	l->off = (uint32_t)w->nlpool;
	l->n = (uint32_t)n;
	memcpy(w->lpool + w->nlpool, ids, n * sizeof(*ids));
	w->nlpool += n;
	for (i = 0; i < n; i++)
		pw_fid(w, ids[i]);
	if (n > 1)
		w->inlined = 1;
	w->ltab[h] = (uint32_t)++w->nloc;
	return w->nloc;
}

static int
value_type(struct pw *w, unsigned field, uint64_t type, uint64_t unit)
{
	int r;

	buf_reset(&w->msg);
	if ((r = pb_uint(&w->msg, VALUE_TYPE_TYPE, type)) != 0 ||
	    (r = pb_uint(&w->msg, VALUE_TYPE_UNIT, unit)) != 0)
		return nomem(w, r);
	return pw_field(w, field, &w->msg);
}

/* A label: a string (str non-zero) or a number. */
static int
label(struct pw *w, uint64_t key, uint64_t str, uint64_t num, int isnum)
{
	int r;

	buf_reset(&w->sub);
	if ((r = pb_uint(&w->sub, LABEL_KEY, key)) != 0 ||
	    (r = isnum ? pb_key(&w->sub, LABEL_NUM, PB_VARINT) : pb_uint(
	    &w->sub, LABEL_STR, str)) != 0 ||
	    (isnum && (r = pb_varint(&w->sub, num)) != 0) ||
	    (r = pb_bytes(&w->msg, SAMPLE_LABEL, w->sub.d, w->sub.len)) != 0)
		return r;
	return 0;
}

/*
 * One sample of stack idx with its values (count unused unless
 * counted) and, from step s (NULL: none), its labels.
 */
static int
sample(struct pw *w, size_t idx, uint64_t count, uint64_t weight,
    const struct fg_stacks_step *s)
{
	const uint32_t *ids;
	uint64_t v[2], *locs;
	size_t n, i, j, skip, nl = 0;
	int r;

	stacks_get(w->st, idx, &ids, &n, NULL, NULL);
	/* the process name frame: a label, unless it is all there is */
	skip = s != NULL && s->root && n > 1 ? 1 : 0;
	if ((locs = base_grow(w->locs, &w->locs_cap, n + 1, sizeof(*w->locs),
	    64)) == NULL)
		return nomem(w, FG_ENOMEM);
	w->locs = locs;
	/* leaf first: each run of a function and its inline frames */
	for (j = n; j > skip; j = i) {
		for (i = j - 1; i > skip && stacks_is_inline(w->st, ids[i - 1],
		    ids[i]); i--)
			;
		if ((w->locs[nl++] = pw_loc(w, ids + i, j - i)) == 0)
			return nomem(w, FG_ENOMEM);
	}
	buf_reset(&w->msg);
	v[0] = count;
	v[1] = weight;
	if ((r = pb_packed(&w->msg, SAMPLE_LOCATION_ID, w->locs, nl)) != 0 ||
	    (r = pb_packed(&w->msg, SAMPLE_VALUE, w->counted ? v : v + 1,
	    w->counted ? 2 : 1)) != 0)
		return nomem(w, r);
	if (s != NULL && !w->o->no_labels) {
		if (s->thread != UINT32_MAX &&
		    ((r = label(w, S_THREAD, pw_sid(w, s->thread), 0,
		    0)) != 0 || (r = label(w, S_TID, 0, s->tid, 1)) != 0))
			return nomem(w, r);
		/* pid 0 of a thread other than 0: not known (perf script
		   prints the tid alone by default) */
		if (s->thread != UINT32_MAX && (s->pid != 0 || s->tid == 0) &&
		    (r = label(w, S_PID, 0, s->pid, 1)) != 0)
			return nomem(w, r);
		if (s->root && n > 0 &&
		    (r = label(w, S_PROCESS, pw_sid(w, ids[0]), 0, 0)) != 0)
			return nomem(w, r);
	}
	/* the mapping is named after the process: the root frame of its
	   main thread's samples (tid = pid), else of the first sample */
	if (s != NULL && s->root && n > 0 && !w->mapmain &&
	    (w->mapname == UINT32_MAX || (s->pid != 0 && s->tid == s->pid))) {
		w->mapname = ids[0];
		w->mapmain = s->pid != 0 && s->tid == s->pid;
	}
	return pw_field(w, PROFILE_SAMPLE, &w->msg);
}

/* What orders the sample log: the stack in folded order, the thread. */
struct step_order {
	const struct fg_stacks_step *seq;
	const size_t *rank;
	int threads;
};

static int
same_thread(const struct fg_stacks_step *a, const struct fg_stacks_step *b)
{
	return a->pid == b->pid && a->tid == b->tid && a->thread == b->thread;
}

static int
cmp_step(const void *pa, const void *pb, void *ctx)
{
	const struct step_order *so = ctx;
	const struct fg_stacks_step *a = &so->seq[*(const size_t *)pa];
	const struct fg_stacks_step *b = &so->seq[*(const size_t *)pb];

	if (so->rank[a->stack] != so->rank[b->stack])
		return so->rank[a->stack] < so->rank[b->stack] ? -1 : 1;
	if (!so->threads)
		return 0;
	if (a->pid != b->pid)
		return a->pid < b->pid ? -1 : 1;
	if (a->tid != b->tid)
		return a->tid < b->tid ? -1 : 1;
	if (a->thread != b->thread)
		return a->thread < b->thread ? -1 : 1;
	return 0;
}

/*
 * The samples: from the sample log, one per stack and thread (in folded
 * order, then by pid, tid, thread name); else one per stack.  The total
 * count and weight, and the first and last sample times, for the header.
 */
static int
samples(struct pw *w, uint64_t *tcount, uint64_t *tweight, uint64_t *t0,
    uint64_t *t1)
{
	const struct fg_stacks_step *seq;
	struct step_order so;
	size_t nseq, nst = fg_stacks_count(w->st), i, j, *sorted = NULL,
	    *rank = NULL, *order = NULL;
	uint64_t c, wt;
	int r = 0;

	*tcount = *tweight = *t0 = *t1 = 0;
	seq = stacks_sequence(w->st, &nseq);
	if (nst == 0)
		return 0;
	if ((sorted = stacks_sorted(w->st)) == NULL)
		return nomem(w, FG_ENOMEM);
	if (!w->counted) {
		for (i = 0; i < nst && r == 0; i++) {
			stacks_get(w->st, sorted[i], NULL, NULL, &wt, NULL);
			*tweight += wt;
			r = sample(w, sorted[i], 0, wt, NULL);
		}
		free(sorted);
		return r;
	}
	rank = reallocarray(NULL, nst, sizeof(*rank));
	order = reallocarray(NULL, nseq, sizeof(*order));
	if (rank == NULL || order == NULL) {
		r = nomem(w, FG_ENOMEM);
		goto out;
	}
	for (i = 0; i < nst; i++)
		rank[sorted[i]] = i;
	for (i = 0; i < nseq; i++) {
		order[i] = i;
		if (seq[i].time != 0 && (*t0 == 0 || seq[i].time < *t0))
			*t0 = seq[i].time;
		if (seq[i].time > *t1)
			*t1 = seq[i].time;
	}
	so.seq = seq;
	so.rank = rank;
	so.threads = !w->o->no_labels;
	if ((r = base_sort(order, nseq, sizeof(*order), cmp_step, &so)) != 0) {
		r = nomem(w, r);
		goto out;
	}
	for (i = 0; i < nseq && r == 0; i = j) {
		const struct fg_stacks_step *s = &seq[order[i]];

		c = wt = 0;
		for (j = i; j < nseq && seq[order[j]].stack == s->stack &&
		    (!so.threads || same_thread(&seq[order[j]], s)); j++) {
			c++;
			wt += seq[order[j]].weight;
		}
		*tcount += c;
		*tweight += wt;
		r = sample(w, s->stack, c, wt, s);
	}
out:
	free(order);
	free(rank);
	free(sorted);
	return r;
}

/* The mapping, the locations (lines innermost first), the functions. */
static int
functions(struct pw *w)
{
	uint64_t mid = w->mapname != UINT32_MAX ? 1 : 0;
	size_t i, j;
	int r;

	if (mid != 0) {
		buf_reset(&w->msg);
		if ((r = pb_uint(&w->msg, MAPPING_ID, 1)) != 0 ||
		    (r = pb_uint(&w->msg, MAPPING_FILENAME,
		    pw_sid(w, w->mapname))) != 0 ||
		    (r = pb_uint(&w->msg, MAPPING_HAS_FUNCTIONS, 1)) != 0 ||
		    (r = pb_uint(&w->msg, MAPPING_HAS_INLINE_FRAMES,
		    (uint64_t)w->inlined)) != 0)
			return nomem(w, r);
		if ((r = pw_field(w, PROFILE_MAPPING, &w->msg)) != 0)
			return r;
	}
	for (i = 0; i < w->nloc; i++) {
		const struct loc *l = &w->locv[i];

		buf_reset(&w->msg);
		if ((r = pb_uint(&w->msg, LOCATION_ID, i + 1)) != 0 ||
		    (r = pb_uint(&w->msg, LOCATION_MAPPING_ID, mid)) != 0)
			return nomem(w, r);
		for (j = l->n; j-- > 0;) {
			buf_reset(&w->sub);
			if ((r = pb_uint(&w->sub, LINE_FUNCTION_ID,
			    w->fid[w->lpool[l->off + j]])) != 0 ||
			    (r = pb_bytes(&w->msg, LOCATION_LINE, w->sub.d,
			    w->sub.len)) != 0)
				return nomem(w, r);
		}
		if ((r = pw_field(w, PROFILE_LOCATION, &w->msg)) != 0)
			return r;
	}
	for (i = 0; i < w->nfun; i++) {
		uint32_t s = pw_sid(w, w->forder[i]);

		buf_reset(&w->msg);
		/* no system_name: the names are demangled already, and
		   pprof would shorten a name that is its own system name */
		if ((r = pb_uint(&w->msg, FUNCTION_ID, i + 1)) != 0 ||
		    (r = pb_uint(&w->msg, FUNCTION_NAME, s)) != 0)
			return nomem(w, r);
		if ((r = pw_field(w, PROFILE_FUNCTION, &w->msg)) != 0)
			return r;
	}
	return 0;
}

static int
strings(struct pw *w)
{
	const char *p;
	size_t i, len;
	int r;

	for (i = 0; i < w->nstr; i++) {
		if (i < S_FIXED) {
			p = w->fixed[i];
			len = strlen(p);
		} else
			p = stacks_name(w->st, w->sorder[i - S_FIXED], &len);
		if ((r = pb_bytes(&w->top, PROFILE_STRING, p, len)) != 0)
			return nomem(w, r);
		if (w->top.len >= ZCHUNK && (r = pw_flush(w, 0)) != 0)
			return r;
	}
	return 0;
}

static int
pw_write(struct pw *w)
{
	const char *ev = w->o->event != NULL ? w->o->event :
	    stacks_event(w->st);
	uint64_t count, weight, t0, t1;
	int r;

	w->fixed[S_EMPTY] = "";
	w->fixed[S_SAMPLES] = "samples";
	w->fixed[S_COUNT] = "count";
	w->fixed[S_THREAD] = "thread";
	w->fixed[S_TID] = "tid";
	w->fixed[S_PID] = "pid";
	w->fixed[S_PROCESS] = "process";
	if (ev == NULL) {	/* folded stacks: their counts */
		w->fixed[S_WTYPE] = w->counted ? "weight" : "samples";
		w->fixed[S_WUNIT] = "count";
	} else if (stacks_event_is_clock(ev)) {
		w->fixed[S_WTYPE] = "cpu";
		w->fixed[S_WUNIT] = "nanoseconds";
	} else {
		w->fixed[S_WTYPE] = ev;
		w->fixed[S_WUNIT] = "count";
	}
	w->nstr = S_FIXED;
	if ((w->counted && (r = value_type(w, PROFILE_SAMPLE_TYPE, S_SAMPLES,
	    S_COUNT)) != 0) ||
	    (r = value_type(w, PROFILE_SAMPLE_TYPE, S_WTYPE, S_WUNIT)) != 0 ||
	    (r = samples(w, &count, &weight, &t0, &t1)) != 0 ||
	    (r = functions(w)) != 0 ||
	    (r = strings(w)) != 0)
		return r;
	buf_reset(&w->msg);
	if ((r = pb_uint(&w->top, PROFILE_TIME_NANOS,
	    (uint64_t)w->o->time_nanos)) != 0 ||
	    (r = pb_uint(&w->top, PROFILE_DURATION_NANOS, t1 - t0)) != 0)
		return nomem(w, r);
	if ((r = value_type(w, PROFILE_PERIOD_TYPE, S_WTYPE, S_WUNIT)) != 0)
		return r;
	if (w->counted && count > 0 &&
	    (r = pb_uint(&w->top, PROFILE_PERIOD,
	    (weight + count / 2) / count)) != 0)
		return nomem(w, r);
	return pw_flush(w, 1);
}

void
fg_pprof_opts_init(struct fg_pprof_opts *o)
{
	memset(o, 0, sizeof(*o));
}

int
fg_write_pprof(const struct fg_stacks *st, FILE *fp,
    const struct fg_pprof_opts *o, struct fg_error *err)
{
	struct fg_pprof_opts def;
	struct pw *w;
	size_t nn = fg_stacks_nframes(st), nseq;
	int r;

	if (o == NULL) {
		fg_pprof_opts_init(&def);
		o = &def;
	}
	if ((w = calloc(1, sizeof(*w))) == NULL)
		return seterr(err, FG_ENOMEM, "pprof: out of memory");
	w->st = st;
	w->o = o;
	w->fp = fp;
	w->err = err;
	w->mapname = UINT32_MAX;
	(void)stacks_sequence(st, &nseq);
	w->counted = stacks_has_samples(st) && nseq > 0;
	buf_init(&w->top, 0);
	buf_init(&w->msg, 0);
	buf_init(&w->sub, 0);
	w->sid = calloc(nn + 1, sizeof(*w->sid));
	w->fid = calloc(nn + 1, sizeof(*w->fid));
	w->sorder = reallocarray(NULL, nn + 1, sizeof(*w->sorder));
	w->forder = reallocarray(NULL, nn + 1, sizeof(*w->forder));
	if (w->sid == NULL || w->fid == NULL || w->sorder == NULL ||
	    w->forder == NULL) {
		r = seterr(err, FG_ENOMEM, "pprof: out of memory");
		goto out;
	}
	/* gzip (window bits + 16) with zlib's header: no name, mtime 0 */
	if (deflateInit2(&w->z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16,
	    8, Z_DEFAULT_STRATEGY) != Z_OK) {
		r = seterr(err, FG_ENOMEM, "pprof: deflate: out of memory");
		goto out;
	}
	r = pw_write(w);
	deflateEnd(&w->z);
out:
	buf_free(&w->top);
	buf_free(&w->msg);
	buf_free(&w->sub);
	free(w->sid);
	free(w->fid);
	free(w->sorder);
	free(w->forder);
	free(w->locs);
	free(w->locv);
	free(w->lpool);
	free(w->ltab);
	free(w);
	return r;
}
