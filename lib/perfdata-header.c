/*
 * perfdata-header.c: the file header, the event attributes and the
 * feature sections the reader uses (event names, build ids), and where
 * the per-record fields the layout fixes are (a record's event, its
 * time).  Every offset and size is checked against the file; a header
 * that cannot be trusted is FG_EPARSE naming its offset, an unfinished
 * recording (no data size, no features) is read with one warning.
 * perfdata_probe.c reads the same header through pd_fhdr_decode() and
 * pd_attr_decode().
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perfdata-int.h"

#define FEAT_BUILD_ID		2
#define FEAT_EVENT_DESC		12

/* [off, off + size) within the file */
static int
in_file(const struct pd *pd, uint64_t off, uint64_t size)
{
	return off <= pd->len && size <= pd->len - off;
}

int
pd_magic(const uint8_t *b)
{
	if (memcmp(b, "PERFILE2", 8) == 0)
		return MAGIC_FILE;
	if (memcmp(b, "2ELIFREP", 8) == 0)
		return MAGIC_SWAPPED;
	return MAGIC_NONE;
}

void
pd_fhdr_decode(const uint8_t *b, struct fhdr *h)
{
	size_t i;

	h->size = rd64(b + 8);
	h->attr_size = rd64(b + 16);
	h->attr_off = rd64(b + 24);
	h->attr_len = rd64(b + 32);
	h->data_off = rd64(b + 40);
	h->data_size = rd64(b + 48);
	for (i = 0; i < 4; i++)
		h->feat[i] = rd64(b + 72 + 8 * i);
}

int
pd_attrs_count(const char *name, uint64_t asz, uint64_t alen, size_t *n,
    struct fg_error *err)
{
	if (asz < ATTR_SIZE_MIN || asz > ATTR_SIZE_MAX)
		return seterr(err, FG_EPARSE, "%s: header at 0x10: "
		    "attribute size %llu out of range", name,
		    (unsigned long long)asz);
	*n = alen / asz;
	if (*n == 0 || *n > MAX_EVENTS)
		return seterr(err, FG_EPARSE, "%s: header at 0x18: %zu "
		    "event attributes", name, *n);
	return 0;
}

static uint64_t
attr_u64(const uint8_t *a, size_t alen, size_t at)
{
	return at + 8 <= alen ? rd64(a + at) : 0;
}

void
pd_attr_decode(const uint8_t *a, size_t alen, struct attr *t)
{
	t->type = alen >= 4 ? rd32(a) : 0;
	t->config = attr_u64(a, alen, 8);
	t->sample_type = attr_u64(a, alen, 24);
	t->read_format = attr_u64(a, alen, 32);
	t->flags = attr_u64(a, alen, 40);
	t->branch_type = attr_u64(a, alen, 72);
	t->regs_user = attr_u64(a, alen, 80);
	t->stack_user = alen >= 92 ? rd32(a + 88) : 0;
	/*
	 * perf record -c N records no period with each sample: perf takes
	 * the attribute's sample_period (evsel__parse_sample), and so do we
	 */
	t->period = attr_u64(a, alen, 16);
	if (t->period == 0)
		t->period = 1;
}

static int
read_attrs(struct pd *pd, const struct fhdr *h)
{
	size_t i, n = 0;
	int r;

	if ((r = pd_attrs_count(pd->name, h->attr_size, h->attr_len, &n,
	    pd->err)) != 0)
		return r;
	if ((pd->ev.attrs = calloc(n, sizeof(*pd->ev.attrs))) == NULL)
		return seterr(pd->err, FG_ENOMEM, "%s: out of memory",
		    pd->name);
	pd->ev.nattrs = n;
	for (i = 0; i < n; i++) {
		uint64_t at = h->attr_off + i * h->attr_size;
		const uint8_t *a = pd->buf + at;
		size_t al = h->attr_size - 16;
		struct attr *t = &pd->ev.attrs[i];
		uint64_t ioff = rd64(a + al), isz = rd64(a + al + 8);

		pd_attr_decode(a, al, t);
		if (!in_file(pd, ioff, isz))
			return seterr(pd->err, FG_EPARSE, "%s: attribute %zu "
			    "at 0x%llx: id section out of the file", pd->name,
			    i, (unsigned long long)at);
		t->ids = pd->buf + ioff;
		t->nids = isz / 8;
	}
	return 0;
}

/* perf's string: u32 length, then that many bytes, NUL-padded. */
static const char *
feat_string(struct pd *pd, const uint8_t **p, const uint8_t *end)
{
	uint32_t l;
	const char *s;

	if (end - *p < 4)
		return NULL;
	l = rd32(*p);
	*p += 4;
	if ((size_t)(end - *p) < l)
		return NULL;
	s = arena_strndup(&pd->arena, (const char *)*p, strnlen((const char *)*p, l));
	*p += l;
	return s;
}

static void
read_event_desc(struct pd *pd, uint64_t off, uint64_t size)
{
	const uint8_t *p = pd->buf + off, *end = p + size;
	uint32_t nre, sz, i;

	if (size < 8)
		return;
	nre = rd32(p);
	sz = rd32(p + 4);
	p += 8;
	for (i = 0; i < nre; i++) {
		uint32_t nr;
		const char *name;

		if ((size_t)(end - p) < (size_t)sz + 4)
			return;
		p += sz;
		nr = rd32(p);
		p += 4;
		if ((name = feat_string(pd, &p, end)) == NULL)
			return;
		if ((size_t)(end - p) / 8 < nr)
			return;
		p += (size_t)nr * 8;
		if (i < pd->ev.nattrs)
			pd->ev.attrs[i].name = name;
	}
}

/* Build ids of the files the samples hit, as perf record stored them. */
static int
read_build_ids(struct pd *pd, uint64_t off, uint64_t size)
{
	const uint8_t *p = pd->buf + off, *end = p + size;

	while (end - p >= 36) {
		uint16_t misc = rd16(p + 4), hs = rd16(p + 6);
		size_t blen = 20;
		char *fn;

		if (hs < 36 || hs > end - p)
			break;
		if (misc & (1 << 15))
			blen = p[32] <= 20 ? p[32] : 20;
		fn = arena_strndup(&pd->arena, (const char *)p + 36,
		    strnlen((const char *)p + 36, hs - 36u));
		if (fn == NULL || sym_add_buildid(pd->sym, fn, p + 12,
		    blen) != 0)
			return seterr(pd->err, FG_ENOMEM, "%s: out of "
			    "memory", pd->name);
		p += hs;
	}
	return 0;
}

/* The magic and the header's size: file mode, this byte order. */
static int
check_header(struct pd *pd, struct fhdr *h)
{
	if (pd->len < PIPE_HEADER_SIZE || pd_magic(pd->buf) != MAGIC_FILE) {
		if (pd->len >= 8 && pd_magic(pd->buf) == MAGIC_SWAPPED)
			return seterr(pd->err, FG_EUNSUPPORTED, "%s: "
			    "big-endian recording not supported", pd->name);
		return seterr(pd->err, FG_EPARSE, "%s: not a perf.data "
		    "file (no PERFILE2 magic at 0x0)", pd->name);
	}
	h->size = rd64(pd->buf + 8);
	if (h->size == PIPE_HEADER_SIZE)
		return seterr(pd->err, FG_EUNSUPPORTED, "%s: pipe-mode "
		    "recording not supported (record to a file)", pd->name);
	if (h->size < HEADER_SIZE || pd->len < HEADER_SIZE)
		return seterr(pd->err, FG_EPARSE, "%s: header at 0x0: size "
		    "%llu, file %zu bytes: truncated header", pd->name,
		    (unsigned long long)h->size, pd->len);
	pd_fhdr_decode(pd->buf, h);
	return 0;
}

/*
 * The data section, [*doff, *doff + *dsize); 1 when the recording was
 * not finished (no data size, or one past the end of the file: read to
 * the end, with a warning), and then without feature sections.
 */
static int
data_section(struct pd *pd, const struct fhdr *h, uint64_t *doff,
    uint64_t *dsize)
{
	*doff = h->data_off;
	*dsize = h->data_size;
	if (*doff > pd->len)
		return seterr(pd->err, FG_EPARSE, "%s: header at 0x28: data "
		    "offset 0x%llx past the end of the file", pd->name,
		    (unsigned long long)*doff);
	if (*dsize != 0 && *dsize <= pd->len - *doff)
		return 0;
	/*
	 * perf writes the data size and the feature sections when it
	 * finishes: a perf killed before (SIGKILL, a crash, the disk full)
	 * leaves 0 there.  What was written is still read.
	 */
	if (*dsize != 0)
		warnf(&pd->o->warn, "%s: data section at 0x%llx runs past "
		    "the end of the file: file truncated?", pd->name,
		    (unsigned long long)*doff);
	else
		warnf(&pd->o->warn, "%s: the recording was not finished "
		    "(perf was killed?): its header at 0x30 gives no data "
		    "size and it has no feature sections; reading the %llu "
		    "bytes from 0x%llx on", pd->name,
		    (unsigned long long)(pd->len - *doff),
		    (unsigned long long)*doff);
	*dsize = pd->len - *doff;
	return 1;
}

/*
 * The feature sections: one perf_file_section per set bit, in order.
 * strict (a followed recording's end): a table cut short or a build-id
 * table with entries is PD_RETRY (the whole file is read again, with
 * the warning), not read.
 */
static int
read_features(struct pd *pd, const struct fhdr *h, uint64_t foff, int strict)
{
	size_t bit, k = 0;
	int r;

	for (bit = 0; bit < 256; bit++) {
		uint64_t so, ss;

		if (!(h->feat[bit / 64] >> (bit % 64) & 1))
			continue;
		if (foff + 16 * (k + 1) > pd->len) {
			if (strict)
				return PD_RETRY;
			warnf(&pd->o->warn, "%s: the recording was not "
			    "finished (perf was killed?): its feature section "
			    "table at 0x%llx is cut short (feature %zu and "
			    "later missing)", pd->name,
			    (unsigned long long)foff, bit);
			break;
		}
		so = rd64(pd->buf + foff + 16 * k);
		ss = rd64(pd->buf + foff + 16 * k + 8);
		if (strict && bit == FEAT_BUILD_ID && ss > 0)
			return PD_RETRY;
		if (in_file(pd, so, ss)) {
			if (bit == FEAT_EVENT_DESC)
				read_event_desc(pd, so, ss);
			else if (bit == FEAT_BUILD_ID &&
			    (r = read_build_ids(pd, so, ss)) != 0)
				return r;
		}
		k++;
	}
	return 0;
}

/*
 * Following a recording being written (pd_read_follow): its header has
 * the attributes and the data's offset, not yet its size nor features.
 * Followed are the recordings whose walk needs neither: one event (its
 * name, a feature, is taken at the end) and no filter by name, in a
 * file whose data section perf has not yet ended.  The data section
 * starts empty; the reader extends it as perf writes (follow_more()).
 */
static int
header_follow(struct pd *pd, const struct fhdr *h, uint64_t *doff,
    uint64_t *dsize)
{
	if (pd->ev.nattrs != 1 || h->data_size != 0 ||
	    (pd->ev.attrs[0].sample_type & ST_BRANCH_STACK) ||
	    pd->o->naming.event_filter != NULL || h->data_off > pd->len)
		return PD_RETRY;
	*doff = pd->in.fl_doff = h->data_off;
	*dsize = 0;
	return 0;
}

/*
 * The end of a followed recording: the feature sections of the header
 * perf wrote last (pd->in.fl_hdr, taken by the reader: follow_more()),
 * read from the finished file mapped for them.  They must hold no
 * build-id table (ids the walk would have used from the start: a
 * recording made without --buildid-mmap); the event's name replaces the
 * one made up in the walk.  PD_RETRY when anything differs.
 */
int
pd_follow_header(struct pd *pd)
{
	const uint8_t *buf = pd->buf;
	size_t len = pd->len;
	struct stat sb;
	int r;

	if (fstat(pd->in.fd, &sb) != 0 || (uint64_t)sb.st_size < pd->in.dend ||
	    (uint64_t)sb.st_size > SIZE_MAX)
		return PD_RETRY;
	pd->in.fl_map = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE,
	    pd->in.fd, 0);
	if (pd->in.fl_map == MAP_FAILED) {
		pd->in.fl_map = NULL;
		return PD_RETRY;
	}
	pd->in.fl_maplen = (size_t)sb.st_size;
	pd->buf = pd->in.fl_map;
	pd->len = pd->in.fl_maplen;
	pd->ev.attrs[0].name = NULL;
	if ((r = read_features(pd, &pd->in.fl_hdr, pd->in.dend, 1)) == 0 &&
	    pd->st != NULL && pd->sm.attr_sel == 0) {
		const char *n = pd_attr_name(pd, &pd->ev.attrs[0]);
		r = stacks_rename_event(pd->st, n, strlen(n));
	}
	pd->buf = buf;
	pd->len = len;
	return r;
}

int
pd_read_header(struct pd *pd, uint64_t *doff, uint64_t *dsize)
{
	struct fhdr h;
	int r;

	memset(&h, 0, sizeof(h));
	if ((r = check_header(pd, &h)) != 0)
		return r;
	if (!in_file(pd, h.attr_off, h.attr_len))
		return seterr(pd->err, FG_EPARSE, "%s: header at 0x18: "
		    "attribute section runs past the end of the file", pd->name);
	if ((r = read_attrs(pd, &h)) != 0)
		return r;
	if (pd->in.fl != NULL)
		return header_follow(pd, &h, doff, dsize);
	if ((r = data_section(pd, &h, doff, dsize)) != 0)
		return r < 0 ? r : 0;	/* unfinished: no features to trust */
	return read_features(pd, &h, *doff + *dsize, 0);
}

const char *
pd_attr_name(struct pd *pd, struct attr *a)
{
	char tmp[64];

	if (a->name == NULL) {
		snprintf(tmp, sizeof(tmp), "event-%llu-%llu",
		    (unsigned long long)a->type, (unsigned long long)a->config);
		a->name = arena_strndup(&pd->arena, tmp, strlen(tmp));
		if (a->name == NULL)
			a->name = "event";
	}
	return a->name;
}

static struct attr *
attr_by_id(struct pd *pd, uint64_t id)
{
	size_t i, k;

	if (pd->ev.nattrs == 1)
		return &pd->ev.attrs[0];
	for (i = 0; i < pd->ev.nattrs; i++)
		for (k = 0; k < pd->ev.attrs[i].nids; k++)
			if (rd64(pd->ev.attrs[i].ids + k * 8) == id)
				return &pd->ev.attrs[i];
	return NULL;
}

/* The attribute of a record, from the id where the layout puts it. */
struct attr *
pd_rec_attr(struct pd *pd, const uint8_t *rec, size_t len, uint32_t type)
{
	uint64_t st = pd->ev.attrs[0].sample_type;
	size_t pos;

	if (pd->ev.nattrs == 1)
		return &pd->ev.attrs[0];
	if (type == REC_SAMPLE) {
		if (st & ST_IDENTIFIER)
			pos = 8;
		else if (st & ST_ID)
			pos = 8 + 8 * (!!(st & ST_IP) + !!(st & ST_TID) +
			    !!(st & ST_TIME) + !!(st & ST_ADDR));
		else
			return &pd->ev.attrs[0];
	} else {
		if (!(pd->ev.attrs[0].flags & (1ULL << 18)))
			return &pd->ev.attrs[0];
		if (st & ST_IDENTIFIER)
			pos = len - 8;
		else if (st & ST_ID) {
			size_t back = 8 * (1 + !!(st & ST_STREAM_ID) +
			    !!(st & ST_CPU));
			if (back > len)
				return NULL;
			pos = len - back;
		} else
			return &pd->ev.attrs[0];
	}
	if (pos < 8 || pos + 8 > len)
		return NULL;
	return attr_by_id(pd, rd64(rec + pos));
}

