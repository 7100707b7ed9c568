/*
 * speedscope.c: the stacks as a speedscope file (the JSON format of
 * https://www.speedscope.app/file-format-schema.json), streamed by hand:
 * one "sampled" profile per thread of the sample log, in the order the
 * threads first sampled, each sample's frames root first in the
 * recording's order with its weight; without a sample log, one profile
 * of the unique stacks in folded order.  Frames are shared, numbered in
 * order of first use.  Names are written as valid JSON whatever their
 * bytes: control characters escaped, bytes that are not UTF-8 replaced
 * by U+FFFD.  The same stacks give the same bytes.  See
 * docs/internals/speedscope.md.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "stacks.h"

/* One profile: a thread of the sample log, or every stack. */
struct ss_prof {
	uint32_t pid, tid;
	uint32_t thread;	/* its command's name id; UINT32_MAX: none */
	size_t first, n;	/* its steps: ss.order[first .. first + n) */
	uint64_t total;		/* sum of its weights (saturating) */
	uint64_t tstart, tend;	/* the interval its samples cover */
};

struct ss {
	const struct fg_stacks *st;
	FILE *fp;
	const struct fg_stacks_step *seq;
	size_t nseq;
	size_t *order;		/* step (or stack) indexes, profile by profile */
	struct ss_prof *prof;
	size_t nprof;
	uint32_t *frame_of;	/* name id -> frame index + 1; 0: unused */
	uint32_t *frames;	/* frame index -> name id */
	size_t nframes;
	const char *unit;
};

void
fg_speedscope_opts_init(struct fg_speedscope_opts *o)
{
	memset(o, 0, sizeof(*o));
}

/* The length of the UTF-8 sequence at p[0..len), 0 when not valid. */
static size_t
utf8_len(const unsigned char *p, size_t len)
{
	unsigned c = p[0];
	size_t n, i;
	uint32_t cp;

	if (c < 0xc2 || c > 0xf4)	/* continuation, overlong or too big */
		return 0;
	n = c < 0xe0 ? 2 : c < 0xf0 ? 3 : 4;
	if (len < n)
		return 0;
	cp = c & (0x7f >> n);
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) ||
	    (cp >= 0xd800 && cp <= 0xdfff) || cp > 0x10ffff)
		return 0;
	return n;
}

/* s[0..len) as the inside of a JSON string. */
static void
put_escaped(FILE *fp, const char *s, size_t len)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, run = 0, n;

	while (i < len) {
		unsigned c = p[i];

		if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
			i++;
			continue;
		}
		if (c >= 0x80 && (n = utf8_len(p + i, len - i)) > 0) {
			i += n;
			continue;
		}
		fwrite(p + run, 1, i - run, fp);
		if (c == '"' || c == '\\')
			fprintf(fp, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", fp);
		else if (c == '\t')
			fputs("\\t", fp);
		else if (c == '\r')
			fputs("\\r", fp);
		else if (c < 0x20)
			fprintf(fp, "\\u%04x", c);
		else			/* not UTF-8 */
			fputs("\\ufffd", fp);
		run = ++i;
	}
	fwrite(p + run, 1, len - run, fp);
}

static void
put_string(FILE *fp, const char *s, size_t len)
{
	putc('"', fp);
	put_escaped(fp, s, len);
	putc('"', fp);
}

static void
put_u64(FILE *fp, uint64_t v)
{
	char b[24];
	size_t i = sizeof(b);

	do {
		b[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	fwrite(b + i, 1, sizeof(b) - i, fp);
}

/* Order steps by thread (unknown threads apart), then by position. */
static int
cmp_thread(const void *a, const void *b, void *ctx)
{
	const struct fg_stacks_step *seq = ctx, *x, *y;
	size_t i = *(const size_t *)a, j = *(const size_t *)b;
	int ux, uy;

	x = &seq[i];
	y = &seq[j];
	ux = x->thread == UINT32_MAX;
	uy = y->thread == UINT32_MAX;
	if (ux != uy)
		return ux - uy;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->tid != y->tid)
		return x->tid < y->tid ? -1 : 1;
	return i < j ? -1 : i > j;
}

static int
cmp_first(const void *a, const void *b, void *ctx)
{
	const struct ss_prof *x = a, *y = b;
	const size_t *order = ctx;

	return order[x->first] < order[y->first] ? -1 :
	    order[x->first] > order[y->first];
}

static int
same_thread(const struct fg_stacks_step *x, const struct fg_stacks_step *y)
{
	return (x->thread == UINT32_MAX) == (y->thread == UINT32_MAX) &&
	    x->pid == y->pid && x->tid == y->tid;
}

/* The interval a thread's samples cover, in the unit of the weights. */
static void
prof_interval(struct ss *s, struct ss_prof *p)
{
	const struct fg_stacks_step *a, *z;

	p->tstart = 0;
	p->tend = p->total;
	if (strcmp(s->unit, "nanoseconds") != 0 || p->n == 0)
		return;
	a = &s->seq[s->order[p->first]];
	z = &s->seq[s->order[p->first + p->n - 1]];
	if (a->time == 0 || z->time < a->time)
		return;
	/* a sample's period ends at its time */
	p->tstart = a->time > a->weight ? a->time - a->weight : 0;
	p->tend = z->time;
}

/* One profile per thread of the sample log, by first sample. */
static int
group_threads(struct ss *s, struct fg_error *err)
{
	size_t i, k, cap = 0;

	if ((s->order = reallocarray(NULL, s->nseq, sizeof(size_t))) == NULL)
		return seterr(err, FG_ENOMEM, "speedscope: out of memory");
	for (i = 0; i < s->nseq; i++)
		s->order[i] = i;
	if (base_sort(s->order, s->nseq, sizeof(size_t), cmp_thread,
	    (void *)(uintptr_t)s->seq) != 0)
		return seterr(err, FG_ENOMEM, "speedscope: out of memory");
	for (i = 0; i < s->nseq; i = k) {
		const struct fg_stacks_step *f = &s->seq[s->order[i]];
		struct ss_prof *p;

		if ((p = base_grow(s->prof, &cap, s->nprof + 1,
		    sizeof(*p), 16)) == NULL)
			return seterr(err, FG_ENOMEM,
			    "speedscope: out of memory");
		s->prof = p;
		p = &s->prof[s->nprof++];
		memset(p, 0, sizeof(*p));
		p->pid = f->pid;
		p->tid = f->tid;
		p->thread = f->thread;
		p->first = i;
		for (k = i; k < s->nseq && same_thread(f,
		    &s->seq[s->order[k]]); k++)
			p->total = base_sat_add(p->total, s->seq[s->order[k]].weight);
		p->n = k - i;
	}
	if (base_sort(s->prof, s->nprof, sizeof(*s->prof), cmp_first,
	    s->order) != 0)
		return seterr(err, FG_ENOMEM, "speedscope: out of memory");
	for (i = 0; i < s->nprof; i++)
		prof_interval(s, &s->prof[i]);
	return 0;
}

/* No sample log: one profile of the unique stacks in folded order. */
static int
group_all(struct ss *s, struct fg_error *err)
{
	size_t n = fg_stacks_count(s->st);

	if (n > 0 && (s->order = stacks_sorted(s->st)) == NULL)
		return seterr(err, FG_ENOMEM, "speedscope: out of memory");
	if ((s->prof = calloc(1, sizeof(*s->prof))) == NULL)
		return seterr(err, FG_ENOMEM, "speedscope: out of memory");
	s->nprof = 1;
	s->prof->thread = UINT32_MAX;
	s->prof->n = n;
	s->prof->total = fg_stacks_total(s->st);
	s->prof->tend = s->prof->total;
	return 0;
}

/* The stack index and weight of the k-th sample of the order. */
static size_t
sample_at(const struct ss *s, size_t k, uint64_t *w)
{
	const uint32_t *ids;
	uint64_t w2;
	size_t n, idx = s->order[k];

	if (s->seq != NULL) {
		*w = s->seq[idx].weight;
		return s->seq[idx].stack;
	}
	stacks_get(s->st, idx, &ids, &n, w, &w2);
	return idx;
}

/* Number the frames in order of first use, profile by profile. */
static int
number_frames(struct ss *s, struct fg_error *err)
{
	size_t nnames = fg_stacks_nframes(s->st), nst = fg_stacks_count(s->st);
	size_t k, j, n;
	unsigned char *seen;
	const uint32_t *ids;
	uint64_t w, w2;

	s->frame_of = calloc(nnames + 1, sizeof(uint32_t));
	s->frames = reallocarray(NULL, nnames + 1, sizeof(uint32_t));
	seen = calloc(nst + 1, 1);
	if (s->frame_of == NULL || s->frames == NULL || seen == NULL) {
		free(seen);
		return seterr(err, FG_ENOMEM, "speedscope: out of memory");
	}
	for (k = 0; k < s->nseq || (s->seq == NULL && k < nst); k++) {
		size_t si = sample_at(s, k, &w);

		if (seen[si])
			continue;
		seen[si] = 1;
		stacks_get(s->st, si, &ids, &n, &w, &w2);
		for (j = 0; j < n; j++)
			if (s->frame_of[ids[j]] == 0) {
				s->frames[s->nframes] = ids[j];
				s->frame_of[ids[j]] = (uint32_t)++s->nframes;
			}
	}
	free(seen);
	return 0;
}

static void
put_name(const struct ss *s, uint32_t id)
{
	size_t len;
	const char *nm = stacks_name(s->st, id, &len);

	put_string(s->fp, nm, len);
}

static void
put_frames(const struct ss *s)
{
	size_t i;

	fputs("\"shared\":{\"frames\":[", s->fp);
	for (i = 0; i < s->nframes; i++) {
		fputs(i > 0 ? ",\n{\"name\":" : "\n{\"name\":", s->fp);
		put_name(s, s->frames[i]);
		putc('}', s->fp);
	}
	fputs("]},\n", s->fp);
}

/* "comm (tid N)"; without a thread, the fallback's name. */
static void
put_prof_name(const struct ss *s, const struct ss_prof *p)
{
	const char *nm;
	size_t len;

	if (p->thread == UINT32_MAX) {
		fputs(s->seq != NULL ? "\"unknown thread\"" : "\"all samples\"",
		    s->fp);
		return;
	}
	nm = stacks_name(s->st, p->thread, &len);
	putc('"', s->fp);
	put_escaped(s->fp, nm, len);
	fputs(" (tid ", s->fp);
	put_u64(s->fp, p->tid);
	fputs(")\"", s->fp);
}

static void
put_profile(const struct ss *s, const struct ss_prof *p)
{
	size_t k, j, n;
	const uint32_t *ids;
	uint64_t w, sw, sw2;

	fputs("{\"type\":\"sampled\",\"name\":", s->fp);
	put_prof_name(s, p);
	fprintf(s->fp, ",\"unit\":\"%s\",\"startValue\":", s->unit);
	put_u64(s->fp, p->tstart);
	fputs(",\"endValue\":", s->fp);
	put_u64(s->fp, p->tend);
	fputs(",\n\"samples\":[", s->fp);
	for (k = p->first; k < p->first + p->n; k++) {
		stacks_get(s->st, sample_at(s, k, &w), &ids, &n, &sw, &sw2);
		fputs(k > p->first ? ",\n[" : "\n[", s->fp);
		for (j = 0; j < n; j++) {
			if (j > 0)
				putc(',', s->fp);
			put_u64(s->fp, s->frame_of[ids[j]] - 1);
		}
		putc(']', s->fp);
	}
	fputs("],\n\"weights\":[", s->fp);
	for (k = p->first; k < p->first + p->n; k++) {
		if (k > p->first)
			putc(',', s->fp);
		sample_at(s, k, &w);
		put_u64(s->fp, w);
	}
	fputs("]}", s->fp);
}

/* The heaviest profile (the first of equals): the one shown first. */
static size_t
heaviest(const struct ss *s)
{
	size_t i, best = 0;

	for (i = 1; i < s->nprof; i++)
		if (s->prof[i].total > s->prof[best].total)
			best = i;
	return best;
}

static void
put_doc(const struct ss *s, const struct fg_speedscope_opts *o)
{
	size_t i;

	fputs("{\"$schema\":\"https://www.speedscope.app/"
	    "file-format-schema.json\",\n\"exporter\":\"cargo-flamegraph "
	    FG_VERSION "\",\n\"name\":", s->fp);
	put_string(s->fp, o->name != NULL ? o->name : "flamegraph",
	    o->name != NULL ? strlen(o->name) : 10);
	fputs(",\n\"activeProfileIndex\":", s->fp);
	put_u64(s->fp, heaviest(s));
	fputs(",\n", s->fp);
	put_frames(s);
	fputs("\"profiles\":[", s->fp);
	for (i = 0; i < s->nprof; i++) {
		fputs(i > 0 ? ",\n" : "\n", s->fp);
		put_profile(s, &s->prof[i]);
	}
	fputs("]}\n", s->fp);
}

int
fg_write_speedscope(const struct fg_stacks *st, FILE *fp,
    const struct fg_speedscope_opts *o, struct fg_error *err)
{
	struct fg_speedscope_opts defo;
	struct ss s;
	const char *ev;
	int rc;

	if (o == NULL) {
		fg_speedscope_opts_init(&defo);
		o = &defo;
	}
	memset(&s, 0, sizeof(s));
	s.st = st;
	s.fp = fp;
	ev = stacks_event(st) != NULL ? stacks_event(st) : o->event;
	s.unit = stacks_event_is_clock(ev) ? "nanoseconds" : "none";
	if (stacks_has_samples(st)) {
		s.seq = stacks_sequence(st, &s.nseq);
		rc = group_threads(&s, err);
	} else
		rc = group_all(&s, err);
	if (rc == 0)
		rc = number_frames(&s, err);
	if (rc == 0) {
		put_doc(&s, o);
		if (ferror(fp))
			rc = seterr_sys(err, FG_EIO, errno,
			    "speedscope: write");
	}
	free(s.order);
	free(s.prof);
	free(s.frame_of);
	free(s.frames);
	return rc;
}
