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
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perfdata-int.h"

static int
sect(struct pd *pd, size_t at, uint64_t *off, uint64_t *size)
{
	*off = rd64(pd->buf + at);
	*size = rd64(pd->buf + at + 8);
	if (*off > pd->len || *size > pd->len - *off)
		return -1;
	return 0;
}

static uint64_t
attr_u64(const uint8_t *a, size_t alen, size_t at)
{
	return at + 8 <= alen ? rd64(a + at) : 0;
}

static int
read_attrs(struct pd *pd, uint64_t asz, uint64_t aoff, uint64_t alen)
{
	size_t i, n;

	if (asz < 16 + 64 || asz > 4096)
		return fg_seterr(pd->err, FG_EPARSE, "%s: header at 0x10: "
		    "attribute size %llu out of range", pd->name,
		    (unsigned long long)asz);
	n = alen / asz;
	if (n == 0 || n > 4096)
		return fg_seterr(pd->err, FG_EPARSE, "%s: header at 0x18: %zu "
		    "event attributes", pd->name, n);
	if ((pd->ev.attrs = calloc(n, sizeof(*pd->ev.attrs))) == NULL)
		return fg_seterr(pd->err, FG_ENOMEM, "%s: out of memory",
		    pd->name);
	pd->ev.nattrs = n;
	for (i = 0; i < n; i++) {
		const uint8_t *a = pd->buf + aoff + i * asz;
		size_t al = asz - 16;
		struct attr *t = &pd->ev.attrs[i];
		uint64_t ioff, isz;

		t->type = rd32(a);
		t->config = attr_u64(a, al, 8);
		t->sample_type = attr_u64(a, al, 24);
		t->read_format = attr_u64(a, al, 32);
		t->flags = attr_u64(a, al, 40);
		t->branch_type = attr_u64(a, al, 72);
		t->regs_user = attr_u64(a, al, 80);
		if (sect(pd, (size_t)(a + al - pd->buf), &ioff, &isz) != 0)
			return fg_seterr(pd->err, FG_EPARSE, "%s: attribute %zu "
			    "at 0x%llx: id section out of the file", pd->name,
			    i, (unsigned long long)(aoff + i * asz));
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
	s = fg_arena_strndup(&pd->arena, (const char *)*p, strnlen((const char *)*p, l));
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
		fn = fg_arena_strndup(&pd->arena, (const char *)p + 36,
		    strnlen((const char *)p + 36, hs - 36u));
		if (fn == NULL || fg_sym_add_buildid(pd->sym, fn, p + 12,
		    blen) != 0)
			return fg_seterr(pd->err, FG_ENOMEM, "%s: out of "
			    "memory", pd->name);
		p += hs;
	}
	return 0;
}

int
pd_read_header(struct pd *pd, uint64_t *doff, uint64_t *dsize)
{
	uint64_t hsz, asz, aoff, alen, foff;
	size_t bit, k = 0;
	int r;

	if (pd->len < 16 || memcmp(pd->buf, "PERFILE2", 8) != 0) {
		if (pd->len >= 8 && memcmp(pd->buf, "2ELIFREP", 8) == 0)
			return fg_seterr(pd->err, FG_EUNSUPPORTED, "%s: "
			    "big-endian recording not supported", pd->name);
		return fg_seterr(pd->err, FG_EPARSE, "%s: not a perf.data "
		    "file (no PERFILE2 magic at 0x0)", pd->name);
	}
	hsz = rd64(pd->buf + 8);
	if (hsz == 16)
		return fg_seterr(pd->err, FG_EUNSUPPORTED, "%s: pipe-mode "
		    "recording not supported (record to a file)", pd->name);
	if (hsz < HEADER_SIZE || pd->len < HEADER_SIZE)
		return fg_seterr(pd->err, FG_EPARSE, "%s: header at 0x0: size "
		    "%llu, file %zu bytes: truncated header", pd->name,
		    (unsigned long long)hsz, pd->len);
	asz = rd64(pd->buf + 16);
	if (sect(pd, 24, &aoff, &alen) != 0)
		return fg_seterr(pd->err, FG_EPARSE, "%s: header at 0x18: "
		    "attribute section runs past the end of the file", pd->name);
	if ((r = read_attrs(pd, asz, aoff, alen)) != 0)
		return r;
	*doff = rd64(pd->buf + 40);
	*dsize = rd64(pd->buf + 48);
	if (*doff > pd->len)
		return fg_seterr(pd->err, FG_EPARSE, "%s: header at 0x28: data "
		    "offset 0x%llx past the end of the file", pd->name,
		    (unsigned long long)*doff);
	if (*dsize == 0 || *dsize > pd->len - *doff) {
		/*
		 * perf writes the data size and the feature sections when it
		 * finishes: a perf killed before (SIGKILL, a crash, the disk
		 * full) leaves 0 there.  What was written is still read.
		 */
		if (*dsize != 0)
			fg_warnf(&pd->o->warn, "%s: data section at 0x%llx "
			    "runs past the end of the file: file truncated?",
			    pd->name, (unsigned long long)*doff);
		else
			fg_warnf(&pd->o->warn, "%s: the recording was not "
			    "finished (perf was killed?): its header at 0x30 "
			    "gives no data size and it has no feature "
			    "sections; reading the %llu bytes from 0x%llx on",
			    pd->name, (unsigned long long)(pd->len - *doff),
			    (unsigned long long)*doff);
		*dsize = pd->len - *doff;
		return 0;	/* no feature sections to trust */
	}
	/* feature sections: one perf_file_section per set bit, in order */
	foff = *doff + *dsize;
	for (bit = 0; bit < 256; bit++) {
		uint64_t so, ss;

		if (!(rd64(pd->buf + 72 + (bit / 64) * 8) >> (bit % 64) & 1))
			continue;
		if (foff + 16 * (k + 1) > pd->len) {
			fg_warnf(&pd->o->warn, "%s: the recording was not "
			    "finished (perf was killed?): its feature section "
			    "table at 0x%llx is cut short (feature %zu and "
			    "later missing)", pd->name,
			    (unsigned long long)foff, bit);
			break;
		}
		if (sect(pd, foff + 16 * k, &so, &ss) == 0) {
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

const char *
pd_attr_name(struct pd *pd, struct attr *a)
{
	char tmp[64];

	if (a->name == NULL) {
		snprintf(tmp, sizeof(tmp), "event-%llu-%llu",
		    (unsigned long long)a->type, (unsigned long long)a->config);
		a->name = fg_arena_strndup(&pd->arena, tmp, strlen(tmp));
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

size_t
pd_id_trailer_size(uint64_t st)
{
	return 8 * (!!(st & ST_TID) + !!(st & ST_TIME) + !!(st & ST_ID) +
	    !!(st & ST_STREAM_ID) + !!(st & ST_CPU) + !!(st & ST_IDENTIFIER));
}

/* The time of a record for ordering; 0 when it has none. */
int
pd_rec_time(struct pd *pd, const uint8_t *rec, size_t len, uint32_t type,
    uint64_t *t)
{
	uint64_t st = pd->ev.attrs[0].sample_type;
	size_t pos;

	if (!(st & ST_TIME))
		return 0;
	if (type == REC_SAMPLE) {
		pos = 8 + 8 * (!!(st & ST_IDENTIFIER) + !!(st & ST_IP) +
		    !!(st & ST_TID));
	} else if (type <= REC_KERNEL_MAX) {
		size_t ts = pd_id_trailer_size(st);
		if (!(pd->ev.attrs[0].flags & (1ULL << 18)) || ts + 8 > len)
			return 0;
		pos = len - ts + 8 * !!(st & ST_TID);
	} else
		return 0;
	if (pos + 8 > len)
		return 0;
	*t = rd64(rec + pos);
	return 1;
}
