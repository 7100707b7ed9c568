/*
 * render.c: stacks -> merged frames -> layout -> flame graph SVG, with
 * inferno-flamegraph 0.12.8's frames and options.
 *
 * The stacks are put in drawing order (folded order by default; stack-
 * reversed and sorted with --reverse; order of appearance, reversed, for
 * --flamechart; as read with --no-sort) and walked once per pass with an
 * open-frame stack: a frame opens where a stack first differs from the one
 * before and closes at the time the next differing stack starts, which is
 * how inferno merges.  Pass 1 finds the deepest frame kept by --minwidth
 * (the document's height); pass 2 writes.  Memory is one entry per
 * unique stack plus the frames open at once; no frame list is built.
 *
 * Guarantees: the document follows docs/internals/svg-format.md; every
 * text from the input or options is XML-escaped with control bytes and
 * invalid UTF-8 replaced by U+FFFD; the same stacks and options give the
 * same bytes; output goes through large buffered writes.
 *
 * The family: render-opts.c sets the options, render-order.c puts the
 * stacks in drawing order; this file merges, lays out and writes
 * (render-int.h: what they share).
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "render.h"
#include "render-int.h"
#include "stacks.h"

extern const char fg_asset_flamegraph_js[];
extern const size_t fg_asset_flamegraph_js_len;
extern const char fg_asset_lanes_js[];
extern const size_t fg_asset_lanes_js_len;

#define IMAGE_WIDTH	1200	/* drawn width of a fluid graph */
#define XPAD		10
#define OUTBUF		(1u << 20)

/* ---- output buffer and text escaping ---------------------------------- */

struct out {
	FILE *fp;
	char *buf;
	size_t len;
	int failed;
	int errnum;
};

static void
out_flush(struct out *w)
{
	if (w->len > 0 && !w->failed &&
	    fwrite(w->buf, 1, w->len, w->fp) != w->len) {
		w->failed = 1;
		w->errnum = errno;
	}
	w->len = 0;
}

static inline void
out_mem(struct out *w, const void *p, size_t n)
{
	if (w->len + n > OUTBUF) {
		out_flush(w);
		if (n > OUTBUF) {
			if (!w->failed && fwrite(p, 1, n, w->fp) != n) {
				w->failed = 1;
				w->errnum = errno;
			}
			return;
		}
	}
	memcpy(w->buf + w->len, p, n);
	w->len += n;
}

static inline void
out_str(struct out *w, const char *s)
{
	out_mem(w, s, strlen(s));
}

static inline void
out_c(struct out *w, char c)
{
	if (w->len == OUTBUF)
		out_flush(w);
	w->buf[w->len++] = c;
}

static void
out_u64(struct out *w, uint64_t v)
{
	char tmp[24];
	int i = 24;

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	out_mem(w, tmp + i, (size_t)(24 - i));
}

/* v with thousands separators, as inferno's titles. */
static void
out_u64_sep(struct out *w, uint64_t v)
{
	char tmp[32];
	int i = 32, k = 0;

	do {
		if (k > 0 && k % 3 == 0)
			tmp[--i] = ',';
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
		k++;
	} while (v != 0);
	out_mem(w, tmp + i, (size_t)(32 - i));
}

/*
 * v >= 0 with at most ndec decimals; trailing zeros dropped unless keep
 * (then exactly ndec decimals).
 */
static void
out_fixed(struct out *w, double v, int ndec, int keep)
{
	static const double pow10[] = { 1, 10, 100, 1000, 10000 };
	uint64_t scaled, ip, fp;
	char tmp[8];
	int i;

	if (!(v > 0))
		v = 0;
	if (v > 1e15) {
		/* Only a differential share of a huge count gets here. */
		char big[400];
		int k = snprintf(big, sizeof(big), "%.0f", v);
		if (k > 0 && (size_t)k < sizeof(big))
			out_mem(w, big, (size_t)k);
		return;
	}
	scaled = (uint64_t)llround(v * pow10[ndec]);
	ip = scaled / (uint64_t)pow10[ndec];
	fp = scaled % (uint64_t)pow10[ndec];
	out_u64(w, ip);
	if (ndec == 0 || (fp == 0 && !keep))
		return;
	for (i = ndec - 1; i >= 0; i--) {
		tmp[i] = (char)('0' + fp % 10);
		fp /= 10;
	}
	i = ndec;
	if (!keep)
		while (i > 0 && tmp[i - 1] == '0')
			i--;
	out_c(w, '.');
	out_mem(w, tmp, (size_t)i);
}

/*
 * Length of the valid UTF-8 sequence at p[0..n) that XML allows as a
 * character, or 0 when p[0] must be replaced (a control byte, a bad or
 * overlong sequence, a surrogate, U+FFFE/U+FFFF, beyond U+10FFFF).
 */
static size_t
xml_char(const unsigned char *p, size_t n)
{
	unsigned c = p[0];
	uint32_t cp;
	size_t len, i;

	if (c < 0x80)
		return (c < 0x20 && c != '\t') || c == 0x7f ? 0 : 1;
	if (c >= 0xc2 && c <= 0xdf)
		len = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		len = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		len = 4, cp = c & 0x07;
	else
		return 0;
	if (n < len)
		return 0;
	for (i = 1; i < len; i++) {
		if ((p[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (p[i] & 0x3f);
	}
	if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
	    cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) ||
	    cp == 0xfffe || cp == 0xffff)
		return 0;
	return len;
}

/*
 * The bytes that stand for themselves in XML text and attribute values:
 * printable ASCII but & < > " ', and the tab.  The rest go through
 * xml_char and the escapes.
 */
static const unsigned char xml_plain[256] = {
	['\t'] = 1,
	[' '] = 1, ['!'] = 1, ['#'] = 1, ['$'] = 1, ['%'] = 1, ['('] = 1,
	[')'] = 1, ['*'] = 1, ['+'] = 1, [','] = 1, ['-'] = 1, ['.'] = 1,
	['/'] = 1, ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1,
	['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1, [':'] = 1,
	[';'] = 1, ['='] = 1, ['?'] = 1, ['@'] = 1, ['A'] = 1, ['B'] = 1,
	['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1, ['H'] = 1,
	['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1,
	['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1,
	['U'] = 1, ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
	['['] = 1, ['\\'] = 1, [']'] = 1, ['^'] = 1, ['_'] = 1, ['`'] = 1,
	['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1,
	['g'] = 1, ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1,
	['m'] = 1, ['n'] = 1, ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1,
	['s'] = 1, ['t'] = 1, ['u'] = 1, ['v'] = 1, ['w'] = 1, ['x'] = 1,
	['y'] = 1, ['z'] = 1, ['{'] = 1, ['|'] = 1, ['}'] = 1, ['~'] = 1,
};

/*
 * Write s[0..n) escaped for XML text and attribute values, or only its
 * first maxchars characters (SIZE_MAX: all).  Returns the characters
 * written.
 */
static size_t
out_esc(struct out *w, const char *s, size_t n, size_t maxchars)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, k, run = 0, nch = 0;

	while (i < n && nch < maxchars) {
		unsigned char c = p[i];
		const char *rep = NULL;

		if (xml_plain[c]) {	/* most bytes of most names */
			i++;
			run++;
			nch++;
			continue;
		}
		k = xml_char(p + i, n - i);
		if (k == 1) {
			switch (c) {
			case '&': rep = "&amp;"; break;
			case '<': rep = "&lt;"; break;
			case '>': rep = "&gt;"; break;
			case '"': rep = "&quot;"; break;
			case '\'': rep = "&#39;"; break;
			default: break;
			}
			if (rep == NULL) {
				i++;
				run++;
				nch++;
				continue;
			}
		}
		out_mem(w, s + i - run, run);
		run = 0;
		if (k == 0) {
			out_mem(w, "\xef\xbf\xbd", 3);
			i++;
		} else if (rep != NULL) {
			out_str(w, rep);
			i++;
		} else {
			out_mem(w, s + i, k);
			i += k;
		}
		nch++;
	}
	out_mem(w, s + i - run, run);
	return nch;
}

/* Characters of s[0..n) as out_esc counts them. */
static size_t
nchars(const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0, c = 0, k;

	while (i < n) {
		if (xml_plain[p[i]])
			k = 1;
		else
			k = xml_char(p + i, n - i);
		i += k ? k : 1;
		c++;
	}
	return c;
}

/* Notes go in a comment: escaped, and never two '-' in a row. */
static void
out_comment_text(struct out *w, const char *s)
{
	size_t n = strlen(s), i;
	int dash = 0;

	for (i = 0; i < n;) {
		size_t k = xml_char((const unsigned char *)s + i, n - i);
		if (k == 1 && s[i] == '-') {
			if (dash)
				out_str(w, "\xe2\x80\x90");	/* U+2010 */
			else
				out_c(w, '-');
			dash = !dash;
			i++;
			continue;
		}
		dash = 0;
		out_esc(w, s + i, k ? k : 1, 1);
		i += k ? k : 1;
	}
}

static void
out_rgb(struct out *w, struct fg_rgb c)
{
	static const char hex[] = "0123456789abcdef";
	char t[7];

	t[0] = '#';
	t[1] = hex[c.r >> 4]; t[2] = hex[c.r & 15];
	t[3] = hex[c.g >> 4]; t[4] = hex[c.g & 15];
	t[5] = hex[c.b >> 4]; t[6] = hex[c.b & 15];
	out_mem(w, t, 7);
}

static void
out_rgbfn(struct out *w, struct fg_rgb c)
{
	out_str(w, "rgb(");
	out_u64(w, c.r);
	out_c(w, ',');
	out_u64(w, c.g);
	out_c(w, ',');
	out_u64(w, c.b);
	out_c(w, ')');
}

/* ---- frames ----------------------------------------------------------- */

struct frame {
	uint32_t id;
	int hasdelta;
	uint64_t start;
	int64_t delta;
};

/* A frame --minwidth keeps, remembered by pass 1 so that the frames are
 * walked once when they are not too many (KEPT_MAX). */
struct kept {
	struct frame f;
	uint64_t end;
	size_t depth;
};

#define KEPT_MAX ((size_t)1 << 20)

/* What a name looks like once, cached per name id. */
struct nameinfo {
	char *disp;		/* deannotated name, as given (escaped on output) */
	size_t len;
	size_t nch;		/* characters of disp */
	struct fg_rgb col;
	int attr;		/* index into nameattrs, or -1 */
	int ready;
};

/* The rows of one lane: y1 its heading's top, y2 its last row's bottom. */
struct band {
	unsigned y1, y2;
};

struct ctx {
	const struct fg_stacks *st;
	const struct fg_render_opts *o;
	struct out w;
	struct fg_arena arena;
	struct nameinfo *names;
	struct nameinfo root;
	struct fg_palmap *palmap;
	uint64_t total;
	uint64_t delta_max;
	uint64_t minwidth_thr;	/* frames narrower than this are left out */
	double image_width;
	unsigned ypad1, ypad2, height;
	size_t depthmax;
	int pass;		/* 1: measure (and keep), 2: write */
	struct kept *kept;	/* frames pass 1 kept, while few enough */
	size_t nkept, keptcap;
	int kept_overflow;
	int diff;
	const char *countname;
	unsigned ybase, ytop;	/* the bottom (inverted: top) of the rows */
	/* a chart of lanes (render_lanes): no "all" frame, depth 1 drawn
	   on the first row of its lane's band */
	int noroot;
	const struct render_lane *lanes;
	struct band *bands;
	size_t nlanes;
	int timeline;
};

/* The length of name without a trailing "_[k]"-style annotation. */
static size_t
deannotate(const char *s, size_t len)
{
	if (len >= 4 && s[len - 1] == ']' && s[len - 3] == '[' &&
	    s[len - 4] == '_' && strchr("kwij", s[len - 2]) != NULL &&
	    s[len - 2] != '\0')
		return len - 4;
	return len;
}

static int
na_lookup(const struct fg_render_opts *o, const char *s, size_t len)
{
	size_t lo = 0, hi = o->nnameattrs;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const char *k = o->nameattrs[mid].name;
		size_t kl = strlen(k), n = kl < len ? kl : len;
		int c = memcmp(k, s, n);
		if (c == 0)
			c = kl < len ? -1 : kl > len;
		if (c == 0)
			return (int)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static int
name_info(struct ctx *c, uint32_t id, struct nameinfo **out)
{
	struct nameinfo *ni;
	const char *s;
	size_t len;

	if (id == UINT32_MAX) {
		*out = &c->root;
		return 0;
	}
	ni = &c->names[id];
	*out = ni;
	if (ni->ready)
		return 0;
	s = stacks_name(c->st, id, &len);
	ni->disp = (char *)s;
	ni->len = deannotate(s, len);
	ni->nch = nchars(s, ni->len);
	if (len == 2 && memcmp(s, "--", 2) == 0)
		ni->col = (struct fg_rgb){ 160, 160, 160 };
	else if (len == 1 && s[0] == '-')
		ni->col = (struct fg_rgb){ 200, 200, 200 };
	else {
		ni->col = palette_color(c->o->palette, c->o->hash,
		    c->o->deterministic, s, len);
		if (c->palmap != NULL &&
		    palmap_lookup(c->palmap, s, len, &ni->col) != 0)
			return FG_ENOMEM;
	}
	ni->attr = c->o->nnameattrs ? na_lookup(c->o, s, len) : -1;
	ni->ready = 1;
	return 0;
}

/* The rows of frame depth: *y1 its top, *y2 its bottom. */
static void
frame_rows(const struct ctx *c, size_t depth, unsigned *y1, unsigned *y2)
{
	const struct fg_render_opts *o = c->o;
	size_t row = depth - (size_t)c->noroot;

	if (!o->inverted) {
		*y1 = c->ybase - (unsigned)(row + 1) * o->frameheight + 1;
		*y2 = c->ybase - (unsigned)row * o->frameheight;
	} else {
		*y1 = c->ytop + (unsigned)row * o->frameheight;
		*y2 = c->ytop + (unsigned)(row + 1) * o->frameheight - 1;
	}
}

/* The count a frame of width shows: width times --factor, rounded. */
static uint64_t
frame_samples(const struct fg_render_opts *o, uint64_t width)
{
	double d;

	if (o->factor == 1.0)
		return width;
	/* round(), saturating like Rust's `as` */
	d = floor((double)width * o->factor + 0.5);
	return d >= 18446744073709551615.0 ? UINT64_MAX : (uint64_t)d;
}

/* A frame's opening: its link (na's href) if any, and its <g>. */
static void
frame_open(struct out *w, const struct fg_nameattr *na)
{
	size_t i;

	if (na != NULL && na->href != NULL) {
		out_str(w, "<a xlink:href=\"");
		out_esc(w, na->href, strlen(na->href), SIZE_MAX);
		out_str(w, "\" target=\"");
		out_esc(w, na->target ? na->target : "_top",
		    strlen(na->target ? na->target : "_top"), SIZE_MAX);
		out_str(w, "\">");
	}
	out_str(w, "<g");
	if (na != NULL)
		for (i = 0; i < na->nattrs; i++) {
			out_c(w, ' ');
			out_str(w, na->keys[i]);
			out_str(w, "=\"");
			out_esc(w, na->vals[i], strlen(na->vals[i]), SIZE_MAX);
			out_c(w, '"');
		}
}

/* A frame's tooltip: "name (N samples, P%; +D%)", or na's title. */
static void
frame_title(struct ctx *c, size_t depth, const struct frame *f,
    const struct nameinfo *ni, const struct fg_nameattr *na,
    uint64_t samples)
{
	const struct fg_render_opts *o = c->o;
	struct out *w = &c->w;

	if (na != NULL && na->title != NULL) {
		out_esc(w, na->title, strlen(na->title), SIZE_MAX);
		return;
	}
	if (depth == 0)
		out_str(w, "all");
	else
		out_esc(w, ni->disp, ni->len, SIZE_MAX);
	out_str(w, " (");
	out_u64_sep(w, samples);
	out_c(w, ' ');
	out_esc(w, c->countname, strlen(c->countname), SIZE_MAX);
	out_str(w, ", ");
	if (depth == 0)
		out_str(w, "100");
	else
		out_fixed(w, (double)samples * 100.0 /
		    ((double)c->total * o->factor), 2, 1);
	out_c(w, '%');
	if (f->hasdelta && depth > 0) {
		int64_t d = o->negate ? -f->delta : f->delta;
		double dp = (double)d * 100.0 / ((double)c->total * o->factor);
		out_str(w, "; ");
		if (d == 0)
			out_str(w, "0.00");
		else {
			out_c(w, d > 0 ? '+' : '-');
			out_fixed(w, fabs(dp), 2, 1);
		}
		out_c(w, '%');
	}
	out_c(w, ')');
}

/* A frame's <rect> at x1% wide wp%, rows y1..y2, in its colour. */
static void
frame_rect(struct ctx *c, const struct frame *f, const struct nameinfo *ni,
    double x1, double wp, unsigned y1, unsigned y2, uint64_t width)
{
	const struct fg_render_opts *o = c->o;
	struct out *w = &c->w;
	struct fg_rgb col;

	out_str(w, "<rect x=\"");
	out_fixed(w, x1, 3, 0);
	out_str(w, "%\" y=\"");
	out_u64(w, y1);
	out_str(w, "\" width=\"");
	out_fixed(w, wp, 3, 0);
	out_str(w, "%\" height=\"");
	out_u64(w, y2 - y1);
	out_str(w, "\" fill=\"");
	if (c->diff && f->hasdelta)
		col = color_scale(o->negate ? -f->delta : f->delta,
		    c->delta_max);
	else
		col = ni->col;
	out_rgb(w, col);
	out_str(w, "\" fg:x=\"");
	out_u64(w, f->start);
	out_str(w, "\" fg:w=\"");
	out_u64(w, width);
	out_str(w, "\"/>");
}

/* A frame's <text>: its name, cut to what fits in wp% (none under 3). */
static void
frame_label(struct ctx *c, size_t depth, const struct nameinfo *ni,
    double x1, double wp, unsigned y1, unsigned y2)
{
	const struct fg_render_opts *o = c->o;
	struct out *w = &c->w;
	size_t fit;

	out_str(w, "<text x=\"");
	out_fixed(w, x1 + 300.0 / c->image_width, 3, 0);
	out_str(w, "%\" y=\"");
	out_fixed(w, 3.0 + (double)(y1 + y2) / 2.0, 1, 0);
	out_str(w, "\">");
	fit = (size_t)(wp / (100.0 * o->fontsize * o->fontwidth /
	    c->image_width));
	if (fit >= 3 && depth > 0) {
		if (ni->len < fit)
			out_esc(w, ni->disp, ni->len, SIZE_MAX);
		else {
			out_esc(w, ni->disp, ni->len, fit - 2);
			out_str(w, "..");
		}
	}
	out_str(w, "</text>");
}

/* Frame f at depth, from f->start to end, as its SVG elements. */
static void
write_frame(struct ctx *c, size_t depth, const struct frame *f, uint64_t end)
{
	struct out *w = &c->w;
	struct nameinfo *ni;
	uint64_t width = end - f->start;
	double x1 = (double)f->start * 100.0 / (double)c->total;
	double wp = (double)width * 100.0 / (double)c->total;
	unsigned y1, y2;
	const struct fg_nameattr *na = NULL;

	if (name_info(c, f->id, &ni) != 0) {
		w->failed = 1;
		w->errnum = ENOMEM;
		return;
	}
	if (ni->attr >= 0)
		na = &c->o->nameattrs[ni->attr];
	frame_rows(c, depth, &y1, &y2);
	frame_open(w, na);
	out_str(w, "><title>");
	frame_title(c, depth, f, ni, na, frame_samples(c->o, width));
	out_str(w, "</title>");
	frame_rect(c, f, ni, x1, wp, y1, y2, width);
	frame_label(c, depth, ni, x1, wp, y1, y2);
	out_str(w, "</g>");
	if (na != NULL && na->href != NULL)
		out_str(w, "</a>");
}

/* A frame closes at end: keep it (pass 1) or write it (pass 2). */
static void
close_frame(struct ctx *c, size_t depth, uint32_t id, uint64_t start,
    uint64_t end, int64_t delta)
{
	struct frame f;

	f.id = id;
	f.hasdelta = c->diff;
	f.start = start;
	f.delta = delta;
	if (c->pass == 1) {
		if (depth > c->depthmax)
			c->depthmax = depth;
		if (c->kept_overflow)
			return;
		if (c->nkept == c->keptcap) {
			struct kept *nk = c->nkept >= KEPT_MAX ? NULL :
			    base_grow(c->kept, &c->keptcap, c->nkept + 1,
			    sizeof(*nk), 1024);
			if (nk == NULL) {
				/* Too many: pass 2 walks again instead. */
				free(c->kept);
				c->kept = NULL;
				c->kept_overflow = 1;
				return;
			}
			c->kept = nk;
		}
		c->kept[c->nkept].f = f;
		c->kept[c->nkept].end = end;
		c->kept[c->nkept].depth = depth;
		c->nkept++;
		return;
	}
	write_frame(c, depth, &f, end);
}

/*
 * One pass over the entries, merging as inferno does: the frames of a
 * stack that match the previous stack's stay open, the others close at
 * the current time and new ones open.  Frame d (1-based) of the open path
 * is the previous entry's id d - 1; start[d] is when it opened.
 */
static int
walk(struct ctx *c, const struct ent *v, size_t n, struct fg_error *err)
{
	uint64_t *start = NULL, t = 0, thr = c->minwidth_thr;
	int64_t *delta = NULL;
	const uint32_t *pids = NULL;
	size_t pn = 0, cap = 0, i, d, s, lim;

	for (i = 0; i < n; i++) {
		const struct ent *e = &v[i];
		if ((i & 0xfff) == 0 && c->o->cancel != NULL && *c->o->cancel) {
			free(start);
			free(delta);
			return seterr(err, FG_ECANCELED, "render: canceled");
		}
		if ((size_t)e->n + 1 > cap) {
			size_t ncap = cap, capd = cap;
			uint64_t *ns = base_grow(start, &ncap, (size_t)e->n + 1,
			    sizeof(*ns), 64);
			int64_t *nd;
			if (ns != NULL)
				start = ns;
			nd = ns ? base_grow(delta, &capd, (size_t)e->n + 1,
			    sizeof(*nd), 64) : NULL;
			if (nd == NULL) {
				free(start);
				free(delta);
				return seterr(err, FG_ENOMEM,
				    "render: out of memory");
			}
			delta = nd;
			if (cap == 0) {
				start[0] = 0;
				delta[0] = 0;
			}
			cap = ncap;
		}
		if (i + 8 < n && v[i + 8].ids != NULL) {
			/* entries are sorted, their ids are not: fetch ahead
			   (a lane's gap has none) */
			FG_PREFETCH(v[i + 8].ids);
			FG_PREFETCH(v[i + 8].ids + 16);
		}
		lim = pn < e->n ? pn : e->n;
		for (s = 0; s < lim && pids[s] == e->ids[s]; s++)
			;
		for (d = pn; d > s; d--)
			if (t - start[d] >= thr)
				close_frame(c, d, pids[d - 1], start[d], t,
				    delta[d]);
		for (d = s + 1; d <= e->n; d++) {
			start[d] = t;
			delta[d] = 0;
		}
		delta[e->n] += e->delta;
		pids = e->ids;
		pn = e->n;
		if (t > UINT64_MAX - e->count) {
			free(start);
			free(delta);
			return seterr(err, FG_EOVERFLOW,
			    "render: total weight exceeds 2^64");
		}
		t += e->count;
	}
	for (d = pn; d > 0; d--)
		if (t - start[d] >= thr)
			close_frame(c, d, pids[d - 1], start[d], t, delta[d]);
	if (n > 0 && t >= thr && !c->noroot)
		close_frame(c, 0, UINT32_MAX, 0, t, delta[0]);
	free(start);
	free(delta);
	c->total = t;
	return 0;
}

/* ---- the document ----------------------------------------------------- */

static const char *
default_title(const struct fg_render_opts *o)
{
	if (o->title != NULL)
		return o->title;
	if (o->flamechart)
		return "Flame Chart";
	if (o->inverted)
		return "Icicle Graph";
	return "Flame Graph";
}

static void
out_attr(struct out *w, const char *name, const char *val)
{
	out_c(w, ' ');
	out_str(w, name);
	out_str(w, "=\"");
	out_esc(w, val, strlen(val), SIZE_MAX);
	out_c(w, '"');
}

static void
out_attr_num(struct out *w, const char *name, double v, int ndec)
{
	out_c(w, ' ');
	out_str(w, name);
	out_str(w, "=\"");
	out_fixed(w, v, ndec, 0);
	out_c(w, '"');
}

/* Font names go into CSS: keep letters, digits, space and , - _ ' ". */
static void
out_font(struct out *w, const char *s)
{
	for (; *s != '\0'; s++) {
		unsigned char ch = (unsigned char)*s;
		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || ch == ' ' || ch == ',' ||
		    ch == '-' || ch == '_')
			out_c(w, (char)ch);
		else if (ch == '\'' || ch == '"')
			out_str(w, "&quot;");
	}
}

/* --notes as a comment, when given. */
static void
write_notes(struct ctx *c)
{
	if (c->o->notes != NULL) {
		out_str(&c->w, "<!-- NOTES: ");
		out_comment_text(&c->w, c->o->notes);
		out_str(&c->w, " -->\n");
	}
}

/* The XML declaration and the <svg> element up to its own attributes. */
static void
write_svg_start(struct ctx *c)
{
	struct out *w = &c->w;
	unsigned W = (unsigned)c->image_width;

	out_str(w, "<?xml version=\"1.0\" standalone=\"no\"?>\n"
	    "<svg version=\"1.1\" width=\"");
	out_u64(w, W);
	out_str(w, "\" height=\"");
	out_u64(w, c->height);
	out_str(w, "\" viewBox=\"0 0 ");
	out_u64(w, W);
	out_c(w, ' ');
	out_u64(w, c->height);
	out_str(w, "\" xmlns=\"http://www.w3.org/2000/svg\" "
	    "xmlns:xlink=\"http://www.w3.org/1999/xlink\" "
	    "xmlns:fg=\"urn:x-cargo-flamegraph\"");
}

/* The rest of a document with nothing to draw: its error text. */
static void
write_empty(struct ctx *c)
{
	const struct fg_render_opts *o = c->o;
	struct out *w = &c->w;

	out_str(w, ">\n");
	write_notes(c);
	out_str(w, "<text x=\"50%\" y=\"");
	out_u64(w, o->fontsize * 2);
	out_str(w, "\" style=\"text-anchor:middle;font-family:");
	out_font(w, o->fonttype ? o->fonttype : "monospace");
	out_str(w, ";font-size:");
	out_u64(w, o->fontsize + 2);
	out_str(w, "px\">ERROR: No valid input provided to flamegraph"
	    "</text>\n</svg>\n");
}

/* The fg: attributes the script reads, closing the <svg> tag. */
static void
write_svg_attrs(struct ctx *c)
{
	const struct fg_render_opts *o = c->o;
	struct out *w = &c->w;

	out_attr(w, "fg:nametype", o->nametype ? o->nametype : "Function:");
	out_attr(w, "fg:countname", c->countname);
	out_attr_num(w, "fg:fontsize", o->fontsize, 0);
	out_attr_num(w, "fg:fontwidth", o->fontwidth, 4);
	out_attr_num(w, "fg:xpad", XPAD, 0);
	out_attr_num(w, "fg:frameheight", o->frameheight, 0);
	out_attr(w, "fg:inverted", o->inverted ? "1" : "0");
	out_attr(w, "fg:fluid", o->width == 0 ? "1" : "0");
	out_attr(w, "fg:truncate-right", o->truncate_right ? "1" : "0");
	out_str(w, " fg:searchcolor=\"");
	out_rgbfn(w, o->search_color);
	out_str(w, "\" fg:total=\"");
	out_u64(w, c->total);
	out_str(w, "\" onload=\"fg_init(evt)\">\n");
}

/* The background gradient and the style sheet. */
static void
write_style(struct ctx *c)
{
	const struct fg_render_opts *o = c->o;
	struct out *w = &c->w;
	char bg1[8], bg2[8];

	bg_colors(o->bg, o->bg_flat, o->palette, bg1, bg2);
	out_str(w, "<defs><linearGradient id=\"background\" y1=\"0\" "
	    "y2=\"1\" x1=\"0\" x2=\"0\"><stop stop-color=\"");
	out_str(w, bg1);
	out_str(w, "\" offset=\"5%\"/><stop stop-color=\"");
	out_str(w, bg2);
	out_str(w, "\" offset=\"95%\"/></linearGradient></defs>\n"
	    "<style type=\"text/css\">\ntext{font-family:");
	out_font(w, o->fonttype ? o->fonttype : "monospace");
	out_str(w, ";font-size:");
	out_u64(w, o->fontsize);
	out_str(w, "px;fill:");
	out_rgb(w, o->uicolor);
	out_str(w, "}\n#title{text-anchor:middle;font-size:");
	out_u64(w, o->fontsize + 5);
	out_str(w, "px}\n#subtitle{text-anchor:middle;fill:#a0a0a0}\n"
	    "#search,#ignorecase,#matched{text-anchor:end}\n"
	    "#search,#ignorecase{opacity:0.1;cursor:pointer}\n"
	    "#search:hover,#search.show,#ignorecase:hover,#ignorecase.show"
	    "{opacity:1}\n#unzoom{cursor:pointer}\n"
	    "#frames>*:hover{stroke:black;stroke-width:0.5;cursor:pointer}\n"
	    "#frames text{fill:#000}\n.hide{display:none}\n"
	    ".parent{opacity:0.5}\n");
	if (o->has_stroke) {
		out_str(w, "#frames rect{stroke:");
		out_rgb(w, o->stroke_color);
		out_str(w, ";stroke-width:0.5}\n");
	}
	out_str(w, "</style>\n");
}

/*
 * The script: flamegraph.js, and for a chart of lanes lanes.js inside its
 * closure before its last "return init;" (lanes.js's functions replace
 * those of the same name).
 */
static void
write_script(struct ctx *c)
{
	static const char mark[] = "\treturn init;\n";
	const char *js = fg_asset_flamegraph_js;
	size_t n = fg_asset_flamegraph_js_len, m = sizeof(mark) - 1, at;

	if (c->lanes == NULL || n < m) {
		out_mem(&c->w, js, n);
		return;
	}
	for (at = n - m; at > 0 && memcmp(js + at, mark, m) != 0; at--)
		;
	out_mem(&c->w, js, at);
	out_mem(&c->w, fg_asset_lanes_js, fg_asset_lanes_js_len);
	out_mem(&c->w, js + at, n - at);
}

/* The script, the background, the title and subtitle. */
static void
write_titles(struct ctx *c)
{
	const struct fg_render_opts *o = c->o;
	struct out *w = &c->w;
	const char *t = default_title(o);

	out_str(w, "<script type=\"text/ecmascript\"><![CDATA[");
	write_script(c);
	out_str(w, "]]></script>\n<rect x=\"0\" y=\"0\" width=\"100%\" "
	    "height=\"100%\" fill=\"url(#background)\"/>\n"
	    "<text id=\"title\" x=\"50%\" y=\"");
	out_u64(w, o->fontsize * 2);
	out_str(w, "\">");
	out_esc(w, t, strlen(t), SIZE_MAX);
	out_str(w, "</text>\n");
	if (o->subtitle != NULL) {
		out_str(w, "<text id=\"subtitle\" x=\"50%\" y=\"");
		out_u64(w, o->fontsize * 4);
		out_str(w, "\">");
		out_esc(w, o->subtitle, strlen(o->subtitle), SIZE_MAX);
		out_str(w, "</text>\n");
	}
}

/* A chart of lanes: fg:timeline, and fg:lanes, "Y1 Y2 W" per lane: its
 * band's rows and what the lane's x units hold (docs/internals/
 * timechart.md). */
static void
write_lanes_attrs(struct ctx *c)
{
	struct out *w = &c->w;
	size_t k;

	out_attr(w, "fg:timeline", c->timeline ? "1" : "0");
	out_str(w, " fg:lanes=\"");
	for (k = 0; k < c->nlanes; k++) {
		if (k > 0)
			out_c(w, ' ');
		out_u64(w, c->bands[k].y1);
		out_c(w, ' ');
		out_u64(w, c->bands[k].y2);
		out_c(w, ' ');
		out_u64(w, c->lanes[k].weight);
	}
	out_c(w, '"');
}

/* The script's texts (details, zoom, search, matches), then the frames'
 * <svg> opened. */
static void
write_controls(struct ctx *c)
{
	const struct fg_render_opts *o = c->o;
	struct out *w = &c->w;
	unsigned W = (unsigned)c->image_width, fs = o->fontsize;

	out_str(w, "<text id=\"details\" x=\"10\" y=\"");
	out_u64(w, o->inverted ? c->ypad1 - fs : c->height - fs - 5);
	out_str(w, "\"> </text>\n<text id=\"unzoom\" class=\"hide\" "
	    "x=\"10\" y=\"");
	out_u64(w, fs * 2);
	out_str(w, "\">Reset Zoom</text>\n<text id=\"search\" x=\"");
	out_u64(w, W - XPAD);
	out_str(w, "\" y=\"");
	out_u64(w, fs * 2);
	out_str(w, "\">Search</text>\n<text id=\"ignorecase\" x=\"");
	out_u64(w, W - XPAD - (unsigned)ceil(fs * o->fontwidth * 8));
	out_str(w, "\" y=\"");
	out_u64(w, fs * 2);
	out_str(w, "\">ic</text>\n<text id=\"matched\" x=\"");
	out_u64(w, W - XPAD);
	out_str(w, "\" y=\"");
	out_u64(w, o->inverted ? c->height - fs + 1 : c->height - fs - 5);
	out_str(w, "\"> </text>\n<svg id=\"frames\" x=\"10\" width=\"");
	out_u64(w, W - 2 * XPAD);
	out_str(w, "\" fg:total=\"");
	out_u64(w, c->total);
	out_c(w, '"');
	if (c->lanes != NULL)
		write_lanes_attrs(c);
	out_str(w, ">\n");
}

/* Everything before the frames; when empty, the whole document. */
static void
write_head(struct ctx *c, int empty)
{
	write_svg_start(c);
	if (empty) {
		write_empty(c);
		return;
	}
	write_svg_attrs(c);
	write_notes(c);
	write_style(c);
	write_titles(c);
	write_controls(c);
}

/* c made empty for st drawn with o into fp. */
static void
ctx_init(struct ctx *c, const struct fg_stacks *st,
    const struct fg_render_opts *o, FILE *fp)
{
	memset(c, 0, sizeof(*c));
	c->st = st;
	c->o = o;
	c->w.fp = fp;
	c->diff = fg_stacks_differential(st);
	c->countname = o->countname ? o->countname : "samples";
	c->image_width = o->width ? o->width : IMAGE_WIDTH;
	c->root.disp = (char *)"all";
	c->root.len = 3;
	c->root.nch = 3;
	c->root.attr = -1;
	c->root.ready = 1;
	c->root.col = palette_color(o->palette, o->hash, o->deterministic,
	    "", 0);
	arena_init(&c->arena);
}

/* What ctx_init() and the drawing allocated. */
static void
ctx_free(struct ctx *c)
{
	palmap_free(c->palmap);
	free(c->kept);
	free(c->names);
	arena_free(&c->arena);
	free(c->w.buf);
}

/* c's largest |delta| (at least 1) and its total of v[0..n): 0, or
 * FG_EOVERFLOW past 2^64. */
static int
sum_entries(struct ctx *c, const struct ent *v, size_t n,
    struct fg_error *err)
{
	size_t i;

	c->delta_max = 1;
	for (i = 0; i < n; i++) {
		uint64_t m = v[i].delta < 0 ? (uint64_t)0 - (uint64_t)v[i].delta :
		    (uint64_t)v[i].delta;
		if (m > c->delta_max)
			c->delta_max = m;
	}
	for (i = 0; i < n; i++) {
		if (c->total > UINT64_MAX - v[i].count)
			return seterr(err, FG_EOVERFLOW,
			    "render: total weight exceeds 2^64");
		c->total += v[i].count;
	}
	return 0;
}

/* The least width --minwidth keeps: width w is kept unless w < units,
 * i.e. when w >= ceil(units). */
static uint64_t
minwidth_threshold(const struct ctx *c)
{
	const struct fg_render_opts *o = c->o;
	double units;

	if (o->minwidth < 0)	/* pixels of the drawn width */
		units = -o->minwidth * (double)c->total /
		    (c->image_width - 2 * XPAD);
	else
		units = o->minwidth * (double)c->total / 100.0;
	units = ceil(units);
	if (!(units > 0))
		return 0;
	if (units >= 18446744073709551615.0)
		return UINT64_MAX;
	return (uint64_t)units;
}

/* The code for a document whose writing ended with r: a write error
 * wins over all but the message of an empty input. */
static int
write_status(struct ctx *c, int r, struct fg_error *err)
{
	if (c->w.failed && r != FG_ENODATA)
		return c->w.errnum == ENOMEM ?
		    seterr(err, FG_ENOMEM, "render: out of memory") :
		    seterr_sys(err, FG_EIO, c->w.errnum, "render: write");
	if (c->w.failed) {
		fg_error_clear(err);
		return seterr_sys(err, FG_EIO, c->w.errnum,
		    "render: write");
	}
	return r;
}

/* Before pass 2 writes: the names' table, the palette map (--cp). */
static int
doc_begin(struct ctx *c, struct fg_error *err)
{
	const struct fg_render_opts *o = c->o;

	if ((c->names = calloc(fg_stacks_nframes(c->st) + 1,
	    sizeof(*c->names))) == NULL)
		return seterr(err, FG_ENOMEM, "render: out of memory");
	if (o->cp)
		return palmap_load(o->palette_file ? o->palette_file :
		    "palette.map", &c->palmap, err);
	return 0;
}

/* After the document's last bytes: flushed, the palette map saved. */
static int
doc_end(struct ctx *c, struct fg_error *err)
{
	const struct fg_render_opts *o = c->o;
	int r = 0;

	out_flush(&c->w);
	if (c->palmap != NULL && !c->w.failed)
		r = palmap_save(c->palmap, o->palette_file ?
		    o->palette_file : "palette.map", &o->tempfile, err);
	return write_status(c, r, err);
}

/* The room above the rows (extra: a time axis) and below them. */
static void
doc_pads(struct ctx *c, unsigned extra)
{
	const struct fg_render_opts *o = c->o;

	c->ypad1 = o->fontsize * 3 + (o->subtitle ? o->fontsize * 2 : 0) +
	    (o->inverted ? o->fontsize + 4 : 0) + extra;
	c->ypad2 = o->inverted ? o->fontsize + 10 : o->fontsize * 2 + 10;
}

/* The document of nothing to draw: FG_ENODATA. */
static int
doc_empty(struct ctx *c, struct fg_error *err)
{
	c->height = c->o->fontsize * 5;
	write_head(c, 1);
	out_flush(&c->w);
	return write_status(c, seterr(err, FG_ENODATA,
	    "no stack counts found"), err);
}

/* Pass 2: the head, the frames (those kept, or walked again), the end,
 * and the palette map saved. */
static int
write_doc(struct ctx *c, const struct ent *v, size_t n,
    struct fg_error *err)
{
	size_t i;
	int r;

	if ((r = doc_begin(c, err)) != 0)
		return r;
	write_head(c, 0);
	c->pass = 2;
	if (!c->kept_overflow) {
		for (i = 0; i < c->nkept; i++)
			write_frame(c, c->kept[i].depth, &c->kept[i].f,
			    c->kept[i].end);
	} else if ((r = walk(c, v, n, err)) != 0)
		return r;
	out_str(&c->w, "</svg>\n</svg>\n");
	return doc_end(c, err);
}

/* The document of the entries v[0..n) (summed in c): pass 1 measures
 * (and keeps the frames), write_doc() writes. */
static int
render_doc(struct ctx *c, const struct ent *v, size_t n,
    struct fg_error *err)
{
	const struct fg_render_opts *o = c->o;
	int r;

	c->pass = 1;	/* pass 1: the deepest frame kept */
	doc_pads(c, 0);
	if (c->total == 0)
		return doc_empty(c, err);
	c->minwidth_thr = minwidth_threshold(c);
	c->depthmax = 0;
	if ((r = walk(c, v, n, err)) != 0)
		return r;
	c->height = (unsigned)(c->depthmax + 1) * o->frameheight + c->ypad1 +
	    c->ypad2;
	c->ybase = c->height - c->ypad2;
	c->ytop = c->ypad1;
	return write_doc(c, v, n, err);
}

int
fg_render_svg(const struct fg_stacks *st, const struct fg_render_opts *opt,
    FILE *fp, struct fg_error *err)
{
	struct fg_render_opts *defaults = NULL;
	const struct fg_render_opts *o = opt;
	struct ent *v = NULL;
	uint32_t *revids = NULL;
	size_t nv = 0;
	struct ctx c;
	int r;

	if (st == NULL || fp == NULL)
		return seterr(err, FG_EINVAL, "render: no stacks or output");
	if (o == NULL) {
		if ((defaults = fg_render_opts_new()) == NULL)
			return seterr(err, FG_ENOMEM,
			    "render: out of memory");
		o = defaults;
	}
	ctx_init(&c, st, o, fp);
	if ((c.w.buf = malloc(OUTBUF)) == NULL)
		r = seterr(err, FG_ENOMEM, "render: out of memory");
	else if ((r = render_build_order(st, o, &v, &nv, &revids,
	    err)) == 0 && (r = sum_entries(&c, v, nv, err)) == 0)
		r = render_doc(&c, v, nv, err);
	ctx_free(&c);
	free(revids);
	free(v);
	fg_render_opts_free(defaults);
	return r;
}

/* ---- charts of lanes -------------------------------------------------- */

/* A tick every step microseconds, 1, 2 or 5 times a power of ten, at
 * most ten of them over span. */
static uint64_t
tick_step(uint64_t span)
{
	static const uint64_t m[] = { 1, 2, 5 };
	uint64_t p = 1;
	size_t i;

	for (;;) {
		for (i = 0; i < 3; i++)
			if (span / (m[i] * p) <= 10)
				return m[i] * p;
		if (p > UINT64_MAX / 100)
			return UINT64_MAX;
		p *= 10;
	}
}

/*
 * The time axis of a timeline, an <svg> inside the frames' <svg> so that
 * it follows the drawn width (and is not taken for a frame's <g>): a line and a label per tick, in the unit the
 * step is a whole number of (s, ms, µs).  The script hides it while
 * zoomed.
 */
static void
write_axis(struct ctx *c, unsigned ytext, unsigned y2)
{
	struct out *w = &c->w;
	uint64_t step = tick_step(c->total), div, t;
	const char *unit;
	double x;

	if (step >= 1000000)
		div = 1000000, unit = " s";
	else if (step >= 1000)
		div = 1000, unit = " ms";
	else
		div = 1, unit = " \xc2\xb5s";
	out_str(w, "<svg id=\"axis\" pointer-events=\"none\">");
	for (t = 0; t <= c->total; t += step) {
		x = (double)t * 100.0 / (double)c->total;
		out_str(w, "<line x1=\"");
		out_fixed(w, x, 3, 0);
		out_str(w, "%\" x2=\"");
		out_fixed(w, x, 3, 0);
		out_str(w, "%\" y1=\"");
		out_u64(w, ytext + 4);
		out_str(w, "\" y2=\"");
		out_u64(w, y2);
		out_str(w, "\" stroke=\"#a0a0a0\" stroke-width=\"0.5\"/>"
		    "");
		if (x < 95.0) {	/* a label at the right edge is cut */
			out_str(w, "<text x=\"");
			out_fixed(w, x + 300.0 / c->image_width, 3, 0);
			out_str(w, "%\" y=\"");
			out_u64(w, ytext);
			out_str(w, "\">");
			out_u64(w, t / div);
			out_str(w, unit);
			out_str(w, "</text>");
		}
		if (t > UINT64_MAX - step)
			break;
	}
	out_str(w, "</svg>\n");
}

/* Pass 1 over every lane: the bands, the document's height. */
static int
lanes_measure(struct ctx *c, unsigned head, struct fg_error *err)
{
	const struct fg_render_opts *o = c->o;
	unsigned y = c->ypad1;
	size_t k;
	int r;

	c->pass = 1;
	c->kept_overflow = 1;	/* pass 2 walks again */
	for (k = 0; k < c->nlanes; k++) {
		c->total = c->lanes[k].scale;
		c->minwidth_thr = minwidth_threshold(c);
		c->depthmax = 0;
		if ((r = walk(c, c->lanes[k].v, c->lanes[k].n, err)) != 0)
			return r;
		c->bands[k].y1 = y;
		y += head + (unsigned)c->depthmax * o->frameheight;
		c->bands[k].y2 = y;
	}
	c->height = y + c->ypad2;
	return 0;
}

/* Pass 2: the head, the axis, each lane's frames, the headings. */
static int
lanes_write(struct ctx *c, uint64_t total, unsigned head,
    struct fg_error *err)
{
	const struct fg_render_opts *o = c->o;
	struct out *w = &c->w;
	size_t k;
	int r;

	if ((r = doc_begin(c, err)) != 0)
		return r;
	c->total = total;
	write_head(c, 0);
	if (c->timeline)
		write_axis(c, c->ypad1 - 4, c->height - c->ypad2);
	c->pass = 2;
	for (k = 0; k < c->nlanes && r == 0; k++) {
		c->ytop = c->bands[k].y1 + head;
		c->ybase = c->bands[k].y2;
		c->total = c->lanes[k].scale;
		c->minwidth_thr = minwidth_threshold(c);
		r = walk(c, c->lanes[k].v, c->lanes[k].n, err);
	}
	if (r != 0)
		return r;
	out_str(w, "</svg>\n");
	for (k = 0; k < c->nlanes; k++) {
		out_str(w, "<text class=\"lane\" x=\"");
		out_u64(w, XPAD);
		out_str(w, "\" y=\"");
		out_u64(w, c->bands[k].y1 + o->fontsize + 2);
		out_str(w, "\">");
		out_esc(w, c->lanes[k].label, strlen(c->lanes[k].label),
		    SIZE_MAX);
		out_str(w, "</text>\n");
	}
	out_str(w, "</svg>\n");
	return doc_end(c, err);
}

int
render_lanes(const struct fg_stacks *st, const struct fg_render_opts *o,
    const struct render_lane *ln, size_t n, int timeline, FILE *fp,
    struct fg_error *err)
{
	struct ctx c;
	uint64_t total = 0;
	unsigned head = o->fontsize + 6;
	size_t k;
	int r;

	ctx_init(&c, st, o, fp);
	c.diff = 0;
	c.noroot = 1;
	c.lanes = ln;
	c.nlanes = n;
	c.timeline = timeline;
	if (timeline && o->countname == NULL)
		c.countname = "\xc2\xb5s";
	for (k = 0; k < n; k++) {
		if (timeline)
			total = ln[k].scale > total ? ln[k].scale : total;
		else
			total = base_sat_add(total, ln[k].scale);
	}
	doc_pads(&c, timeline ? o->fontsize + 6 : 0);
	if ((c.w.buf = malloc(OUTBUF)) == NULL ||
	    (c.bands = calloc(n ? n : 1, sizeof(*c.bands))) == NULL)
		r = seterr(err, FG_ENOMEM, "render: out of memory");
	else if (total == 0)
		r = doc_empty(&c, err);
	else if ((r = lanes_measure(&c, head, err)) == 0)
		r = lanes_write(&c, total, head, err);
	free(c.bands);
	ctx_free(&c);
	return r;
}
