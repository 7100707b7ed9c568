/*
 * toml.c: a TOML 1.0 reader producing a cJSON tree with hidden type tags
 * (see toml.h and docs/internals/toml.md).  Guarantees: every document
 * TOML 1.0 rejects is rejected with "NAME:LINE:COL: what is wrong"; no
 * recursion deeper than FG_TOML_MAX_DEPTH; no input can make it use more
 * than a bounded multiple of FG_TOML_MAX_DOC bytes; no output, no global
 * state.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base.h"
#include "toml.h"

/* Tag bits above cJSON's own type bits (cJSON masks types with 0xff and
 * uses 0x100 and 0x200 as flags). */
#define T_SHIFT		12
#define T_MASK		(0xf << T_SHIFT)
#define F_DEFINED	(1 << 16)	/* table defined by a [header] */
#define F_INLINE	(1 << 17)	/* inline table or array value: sealed */
#define F_DOTTED	(1 << 18)	/* table made by a dotted key */
#define F_AOT		(1 << 19)	/* array made by [[header]] */
#define F_ALL		(F_DEFINED | F_INLINE | F_DOTTED | F_AOT)

#define LINE_MAX_POS	((1u << 19) - 1)
#define COL_MAX_POS	4095u

/* A child of a table, indexed by (parent, key) so that lookups are O(1)
 * however many keys a table has. */
struct ient {
	uint64_t h;
	cJSON *parent;
	cJSON *child;
};

struct seg {
	char *k;		/* NUL-terminated (U+0000 stored as C0 80) */
	const char *at;		/* where the segment starts in the input */
	int pos;		/* its packed position (keys are on one line) */
};

struct tp {
	const char *s, *p, *end;
	const char *name;
	struct fg_error *err;
	unsigned line;		/* line of p, from 1 */
	const char *lstart;	/* start of that line */
	const char *cpos;	/* column cache: cpos has column ccol */
	unsigned ccol;
	cJSON *root;
	cJSON *cur;		/* table that key/values go to */
	struct fg_buf sb;	/* string scratch */
	struct ient *idx;
	size_t idxcap, idxn;
	int depth;
};

static int
perr(struct tp *t, const char *at, int code, const char *fmt, ...)
    FG_PRINTF(4, 5);

/* Line and column of at, counted from the start (error path only). */
static void
where(const struct tp *t, const char *at, unsigned *line, unsigned *col)
{
	const char *q;
	unsigned l = 1, c = 1;

	if (at > t->end)
		at = t->end;
	for (q = t->s; q < at; q++) {
		if (*q == '\n') {
			l++;
			c = 1;
		} else if (((unsigned char)*q & 0xc0) != 0x80)
			c++;
	}
	*line = l;
	*col = c;
}

static int
perr(struct tp *t, const char *at, int code, const char *fmt, ...)
{
	char msg[FG_ERRMSG_MAX];
	unsigned line, col;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	where(t, at, &line, &col);
	return fg_seterr(t->err, code, "%s:%u:%u: %s", t->name, line, col,
	    msg);
}

static int
nomem(struct tp *t)
{
	return perr(t, t->p, FG_ENOMEM, "out of memory");
}

/* Position of at (on the current line) packed for valueint. */
static int
posof(struct tp *t, const char *at)
{
	unsigned col, line;

	if (at < t->lstart)
		at = t->lstart;
	if (t->cpos < t->lstart || t->cpos > at) {
		t->cpos = t->lstart;
		t->ccol = 1;
	}
	for (; t->cpos < at && t->ccol < COL_MAX_POS; t->cpos++)
		if (((unsigned char)*t->cpos & 0xc0) != 0x80)
			t->ccol++;
	if (t->cpos < at)	/* saturated: stop counting */
		t->cpos = at;
	col = t->ccol;
	line = t->line > LINE_MAX_POS ? LINE_MAX_POS : t->line;
	return (int)((line << 12) | col);
}

static void
settag(cJSON *it, enum fg_toml_type ty, int pos)
{
	it->type = (it->type & ~T_MASK) | ((int)ty << T_SHIFT);
	it->valueint = pos;
}

/* ---- key index ---------------------------------------------------- */

static uint64_t
ihash(const cJSON *parent, const char *k)
{
	uint64_t h = fg_hash(k, strlen(k));

	return h ^ ((uint64_t)(uintptr_t)parent * 0x9e3779b97f4a7c15ULL);
}

static cJSON *
ifind(const struct tp *t, const cJSON *parent, const char *k)
{
	uint64_t h;
	size_t i;

	if (t->idxcap == 0)
		return NULL;
	h = ihash(parent, k);
	for (i = h & (t->idxcap - 1); t->idx[i].child != NULL;
	    i = (i + 1) & (t->idxcap - 1))
		if (t->idx[i].h == h && t->idx[i].parent == parent &&
		    strcmp(t->idx[i].child->string, k) == 0)
			return t->idx[i].child;
	return NULL;
}

static int
iput(struct tp *t, cJSON *parent, cJSON *child)
{
	struct ient *n, *o;
	size_t i, j, ncap;

	if ((t->idxn + 1) * 2 > t->idxcap) {
		ncap = t->idxcap ? t->idxcap * 2 : 64;
		if ((n = calloc(ncap, sizeof(*n))) == NULL)
			return FG_ENOMEM;
		for (j = 0; j < t->idxcap; j++) {
			o = &t->idx[j];
			if (o->child == NULL)
				continue;
			for (i = o->h & (ncap - 1); n[i].child != NULL;
			    i = (i + 1) & (ncap - 1))
				;
			n[i] = *o;
		}
		free(t->idx);
		t->idx = n;
		t->idxcap = ncap;
	}
	n = t->idx;
	j = ihash(parent, child->string);
	for (i = j & (t->idxcap - 1); n[i].child != NULL;
	    i = (i + 1) & (t->idxcap - 1))
		;
	n[i].h = j;
	n[i].parent = parent;
	n[i].child = child;
	t->idxn++;
	return 0;
}

/* Add child under key k to table parent and index it. */
static int
tadd(struct tp *t, cJSON *parent, const char *k, cJSON *child)
{
	if (!cJSON_AddItemToObject(parent, k, child)) {
		cJSON_Delete(child);
		return nomem(t);
	}
	if (iput(t, parent, child) != 0)
		return nomem(t);
	return 0;
}

/* ---- characters --------------------------------------------------- */

static int
isbare(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static int
isdig(int c)
{
	return c >= '0' && c <= '9';
}

static void
skipws(struct tp *t)
{
	while (t->p < t->end && (*t->p == ' ' || *t->p == '\t'))
		t->p++;
}

/* At a newline (LF or CRLF)?  Returns its length, 0 if not. */
static int
atnl(const struct tp *t)
{
	if (t->p < t->end && *t->p == '\n')
		return 1;
	if (t->end - t->p >= 2 && t->p[0] == '\r' && t->p[1] == '\n')
		return 2;
	return 0;
}

static void
takenl(struct tp *t, int n)
{
	t->p += n;
	t->line++;
	t->lstart = t->p;
}

/* A comment from '#' to the end of the line (newline not taken). */
static int
comment(struct tp *t)
{
	unsigned char c;

	for (t->p++; t->p < t->end; t->p++) {
		c = (unsigned char)*t->p;
		if (c == '\n' || (c == '\r' && atnl(t)))
			break;
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return perr(t, t->p, FG_EPARSE,
			    "control character U+%04X in a comment", c);
	}
	return 0;
}

/* Whitespace, comments and newlines (inside arrays). */
static int
skipall(struct tp *t)
{
	int n, r;

	for (;;) {
		skipws(t);
		if (t->p >= t->end)
			return 0;
		if (*t->p == '#') {
			if ((r = comment(t)) != 0)
				return r;
		} else if ((n = atnl(t)) > 0)
			takenl(t, n);
		else
			return 0;
	}
}

/* Check the whole document is UTF-8 (no overlongs, surrogates or code
 * points past U+10FFFF). */
static int
utf8check(struct tp *t)
{
	const unsigned char *q = (const unsigned char *)t->s;
	const unsigned char *e = (const unsigned char *)t->end;
	uint32_t cp;
	int n, i;

	while (q < e) {
		if (*q < 0x80) {
			q++;
			continue;
		}
		if ((*q & 0xe0) == 0xc0) {
			n = 1;
			cp = *q & 0x1f;
		} else if ((*q & 0xf0) == 0xe0) {
			n = 2;
			cp = *q & 0x0f;
		} else if ((*q & 0xf8) == 0xf0) {
			n = 3;
			cp = *q & 0x07;
		} else
			goto bad;
		if (e - q <= n)
			goto bad;
		for (i = 1; i <= n; i++) {
			if ((q[i] & 0xc0) != 0x80)
				goto bad;
			cp = (cp << 6) | (q[i] & 0x3f);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) ||
		    (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
		    (cp >= 0xd800 && cp <= 0xdfff))
			goto bad;
		q += n + 1;
	}
	return 0;
bad:
	return perr(t, (const char *)q, FG_EPARSE, "invalid UTF-8");
}

/* Append code point cp as UTF-8 (U+0000 as C0 80). */
static int
putcp(struct fg_buf *b, uint32_t cp)
{
	char u[4];
	size_t n;

	if (cp == 0) {
		u[0] = (char)0xc0;
		u[1] = (char)0x80;
		n = 2;
	} else if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | (cp >> 6));
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | (cp >> 12));
		u[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | (cp >> 18));
		u[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		u[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	return fg_buf_append(b, u, n);
}

/* ---- strings ------------------------------------------------------ */

static int
strlimit(struct tp *t, int r, const char *start)
{
	if (r == FG_ELIMIT)
		return perr(t, start, FG_ELIMIT,
		    "string longer than %u bytes", FG_TOML_MAX_STRING);
	return nomem(t);
}

static int
escape(struct tp *t, const char *start)
{
	const char *at = t->p;
	uint32_t cp = 0;
	int i, n, r;
	char c;

	t->p++;			/* the backslash */
	if (t->p >= t->end)
		return perr(t, at, FG_EPARSE, "unterminated string");
	c = *t->p++;
	switch (c) {
	case 'b': cp = '\b'; n = 0; break;
	case 't': cp = '\t'; n = 0; break;
	case 'n': cp = '\n'; n = 0; break;
	case 'f': cp = '\f'; n = 0; break;
	case 'r': cp = '\r'; n = 0; break;
	case '"': cp = '"'; n = 0; break;
	case '\\': cp = '\\'; n = 0; break;
	case 'u': n = 4; break;
	case 'U': n = 8; break;
	default:
		return perr(t, at, FG_EPARSE, "invalid escape sequence");
	}
	for (i = 0; i < n; i++) {
		if (t->p >= t->end)
			return perr(t, at, FG_EPARSE,
			    "\\%c needs %d hex digits", c, n);
		c = *t->p;
		if (isdig(c))
			cp = cp * 16 + (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			cp = cp * 16 + (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			cp = cp * 16 + (uint32_t)(c - 'A' + 10);
		else
			return perr(t, at, FG_EPARSE,
			    "\\%c needs %d hex digits", n == 4 ? 'u' : 'U', n);
		t->p++;
	}
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return perr(t, at, FG_EPARSE,
		    "escape is not a Unicode scalar value");
	if ((r = putcp(&t->sb, cp)) != 0)
		return strlimit(t, r, start);
	return 0;
}

/*
 * A string of any of the four kinds starting at t->p; the text goes to
 * t->sb.  ml is set for the multi-line kinds (not allowed in keys).
 */
static int
string(struct tp *t, int *ml)
{
	const char *start = t->p, *run;
	char q = *t->p;
	int multi, n, r;
	unsigned char c;

	if (t->sb.d == NULL && (r = fg_buf_reserve(&t->sb, 64)) != 0)
		return strlimit(t, r, start);
	fg_buf_reset(&t->sb);
	multi = t->end - t->p >= 3 && t->p[1] == q && t->p[2] == q;
	*ml = multi;
	if (multi) {
		t->p += 3;
		if ((n = atnl(t)) > 0)
			takenl(t, n);
	} else
		t->p++;
	for (;;) {
		if (t->p >= t->end)
			return perr(t, start, FG_EPARSE, "unterminated string");
		c = (unsigned char)*t->p;
		if (c == (unsigned char)q) {
			if (!multi) {
				t->p++;
				return 0;
			}
			for (run = t->p; run < t->end && *run == q; run++)
				;
			n = (int)(run - t->p);
			if (n >= 3) {
				if (n > 5)
					return perr(t, t->p, FG_EPARSE,
					    "too many quotes at the end of a "
					    "multi-line string");
				r = fg_buf_append(&t->sb, t->p, (size_t)n - 3);
				if (r != 0)
					return strlimit(t, r, start);
				t->p = run;
				return 0;
			}
			if ((r = fg_buf_append(&t->sb, t->p, (size_t)n)) != 0)
				return strlimit(t, r, start);
			t->p = run;
			continue;
		}
		if (c == '\\' && q == '"') {
			if (multi) {
				/* line-ending backslash: trim to the next
				 * non-blank */
				run = t->p + 1;
				while (run < t->end && (*run == ' ' ||
				    *run == '\t'))
					run++;
				if (run < t->end && (*run == '\n' ||
				    (*run == '\r' && run + 1 < t->end &&
				    run[1] == '\n'))) {
					t->p = run;
					for (;;) {
						skipws(t);
						if ((n = atnl(t)) == 0)
							break;
						takenl(t, n);
					}
					continue;
				}
			}
			if ((r = escape(t, start)) != 0)
				return r;
			continue;
		}
		if (c == '\n' || c == '\r') {
			if (multi && (n = atnl(t)) > 0) {
				if ((r = fg_buf_append(&t->sb, "\n", 1)) != 0)
					return strlimit(t, r, start);
				takenl(t, n);
				continue;
			}
			return perr(t, t->p, FG_EPARSE, c == '\n' ?
			    "newline in a single-line string" :
			    "carriage return not followed by a newline "
			    "in a string");
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return perr(t, t->p, FG_EPARSE,
			    "control character U+%04X in a string", c);
		for (run = t->p + 1; run < t->end; run++) {
			c = (unsigned char)*run;
			if (c == (unsigned char)q || c == '\\' || c < 0x20 ||
			    c == 0x7f)
				break;
		}
		if ((r = fg_buf_append(&t->sb, t->p, (size_t)(run - t->p)))
		    != 0)
			return strlimit(t, r, start);
		t->p = run;
	}
}

/* ---- keys --------------------------------------------------------- */

#define NINLSEG	4

static void
segsfree(struct seg *s, int n, struct seg *inl)
{
	for (int i = 0; i < n; i++)
		free(s[i].k);
	if (s != inl)
		free(s);
}

/* Room for one more segment in *segs (inl[NINLSEG] first, then heap). */
static int
seggrow(struct seg **segs, int n, struct seg *inl)
{
	struct seg *ns;
	int cap = n < NINLSEG ? NINLSEG : n;

	if (n < NINLSEG || (n & (n - 1)) != 0)
		return 0;
	/* n is a power of two >= NINLSEG: the array is full */
	if ((ns = reallocarray(*segs == inl ? NULL : *segs, (size_t)cap * 2,
	    sizeof(*ns))) == NULL)
		return FG_ENOMEM;
	if (*segs == inl)
		memcpy(ns, inl, sizeof(*ns) * NINLSEG);
	*segs = ns;
	return 0;
}

/*
 * A (dotted) key into *segsp (at most FG_TOML_MAX_DEPTH parts), which
 * starts as inl[NINLSEG] and moves to the heap when longer; *nseg set.
 * The caller frees with segsfree() whatever the result.
 */
static int
key(struct tp *t, struct seg *inl, struct seg **segsp, int *nseg)
{
	struct seg *segs;
	const char *at;
	int ml, r;

	*segsp = inl;
	*nseg = 0;
	for (;;) {
		skipws(t);
		at = t->p;
		if (*nseg >= FG_TOML_MAX_DEPTH)
			return perr(t, at, FG_ELIMIT,
			    "key with more than %d parts", FG_TOML_MAX_DEPTH);
		if (seggrow(segsp, *nseg, inl) != 0)
			return nomem(t);
		segs = *segsp;
		if (t->p < t->end && (*t->p == '"' || *t->p == '\'')) {
			if ((r = string(t, &ml)) != 0)
				return r;
			if (ml)
				return perr(t, at, FG_EPARSE,
				    "a multi-line string cannot be a key");
			segs[*nseg].k = strdup(t->sb.d);
		} else if (t->p < t->end && isbare((unsigned char)*t->p)) {
			while (t->p < t->end && isbare((unsigned char)*t->p))
				t->p++;
			segs[*nseg].k = strndup(at, (size_t)(t->p - at));
		} else if (t->p >= t->end || *t->p == '\n' || atnl(t))
			return perr(t, at, FG_EPARSE, "expected a key");
		else if (*t->p == '\r')
			return perr(t, at, FG_EPARSE, "carriage return not "
			    "followed by a newline");
		else if ((unsigned char)*t->p < 0x20 || *t->p == 0x7f)
			return perr(t, at, FG_EPARSE, "control character "
			    "U+%04X", (unsigned char)*t->p);
		else
			return perr(t, at, FG_EPARSE,
			    "invalid character in a key");
		if (segs[*nseg].k == NULL)
			return nomem(t);
		segs[*nseg].at = at;
		segs[*nseg].pos = posof(t, at);
		(*nseg)++;
		skipws(t);
		if (t->p < t->end && *t->p == '.') {
			t->p++;
			continue;
		}
		return 0;
	}
}

/* ---- values ------------------------------------------------------- */

static int value(struct tp *t, cJSON **out);

static int
digits2(const char *s, int *v)
{
	if (!isdig(s[0]) || !isdig(s[1]))
		return -1;
	*v = (s[0] - '0') * 10 + (s[1] - '0');
	return 0;
}

static int
mdays(int y, int m)
{
	static const int d[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30,
	    31 };

	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 29;
	return d[m - 1];
}

/* HH:MM:SS[.frac] at q (within e); its length or -1. */
static int
timepart(const char *q, const char *e)
{
	int h, m, s;
	const char *f;

	if (e - q < 8 || digits2(q, &h) || q[2] != ':' || digits2(q + 3, &m) ||
	    q[5] != ':' || digits2(q + 6, &s))
		return -1;
	if (h > 23 || m > 59 || s > 60)
		return -1;
	f = q + 8;
	if (f < e && *f == '.') {
		f++;
		if (f >= e || !isdig(*f))
			return -1;
		while (f < e && isdig(*f))
			f++;
	}
	return (int)(f - q);
}

/*
 * Copy a time of n bytes (from timepart) to out, its fraction truncated
 * to nanoseconds as TOML asks of implementations with less precision
 * than written; at most 18 bytes.  Returns the length copied.
 */
static size_t
copytime(char *out, const char *q, size_t n)
{
	if (n > 18)
		n = 18;
	memcpy(out, q, n);
	return n;
}

/* A date, time or date-time at t->p (which starts with digits). */
static int
datetime(struct tp *t, cJSON **out, int pos)
{
	const char *q = t->p, *e = t->end, *at = t->p;
	char buf[96];
	enum fg_toml_type ty;
	int y, mo, d, n, oh, om;
	size_t bl = 0;

	if (e - q >= 3 && isdig(q[0]) && isdig(q[1]) && q[2] == ':') {
		if ((n = timepart(q, e)) < 0)
			goto bad;
		bl = copytime(buf, q, (size_t)n);
		q += n;
		ty = FG_TOML_TIME_LOCAL;
		goto done;
	}
	if (e - q < 10 || !isdig(q[0]) || !isdig(q[1]) || !isdig(q[2]) ||
	    !isdig(q[3]) || q[4] != '-' || digits2(q + 5, &mo) ||
	    q[7] != '-' || digits2(q + 8, &d))
		goto bad;
	y = (q[0] - '0') * 1000 + (q[1] - '0') * 100 + (q[2] - '0') * 10 +
	    (q[3] - '0');
	if (mo < 1 || mo > 12 || d < 1 || d > mdays(y, mo))
		goto bad;
	memcpy(buf, q, 10);
	bl = 10;
	q += 10;
	ty = FG_TOML_DATE_LOCAL;
	if (q < e && (*q == 'T' || *q == 't' || (*q == ' ' && e - q > 3 &&
	    isdig(q[1]) && isdig(q[2]) && q[3] == ':'))) {
		q++;
		if ((n = timepart(q, e)) < 0)
			goto bad;
		buf[bl++] = 'T';
		bl += copytime(buf + bl, q, (size_t)n);
		q += n;
		ty = FG_TOML_DATETIME_LOCAL;
		if (q < e && (*q == 'Z' || *q == 'z')) {
			buf[bl++] = 'Z';
			q++;
			ty = FG_TOML_DATETIME;
		} else if (q < e && (*q == '+' || *q == '-')) {
			if (e - q < 6 || digits2(q + 1, &oh) || q[3] != ':' ||
			    digits2(q + 4, &om) || oh > 23 || om > 59)
				goto bad;
			memcpy(buf + bl, q, 6);
			bl += 6;
			q += 6;
			ty = FG_TOML_DATETIME;
		}
	}
done:
	if (q < e && (isbare((unsigned char)*q) || *q == '.' || *q == ':' ||
	    *q == '+'))
		goto bad;
	buf[bl] = '\0';
	t->p = q;
	if ((*out = cJSON_CreateString(buf)) == NULL)
		return nomem(t);
	settag(*out, ty, pos);
	return 0;
bad:
	while (q < e && (isbare((unsigned char)*q) || *q == ':' ||
	    *q == '.' || *q == '+'))
		q++;
	return perr(t, at, FG_EPARSE, "invalid date or time \"%.*s\"",
	    (int)(q - at > 40 ? 40 : q - at), at);
}

/* Digits of base with single underscores between digits, into buf
 * without the underscores.  Returns the length taken, -1 if malformed. */
static int
udigits(const char *q, const char *e, int base, char *buf, size_t bufsz,
    size_t *bl)
{
	const char *s = q;
	int prevdig = 0;

	for (; q < e; q++) {
		int c = (unsigned char)*q, ok;

		if (c == '_') {
			if (!prevdig || q + 1 >= e)
				return -1;
			prevdig = 0;
			continue;
		}
		ok = base == 16 ? (isdig(c) || (c >= 'a' && c <= 'f') ||
		    (c >= 'A' && c <= 'F')) : base == 8 ? (c >= '0' &&
		    c <= '7') : base == 2 ? (c == '0' || c == '1') : isdig(c);
		if (!ok)
			break;
		if (*bl + 1 >= bufsz)
			return -2;
		buf[(*bl)++] = (char)c;
		prevdig = 1;
	}
	if (!prevdig)
		return -1;
	buf[*bl] = '\0';
	return (int)(q - s);
}

static int
number(struct tp *t, cJSON **out, int pos)
{
	const char *q = t->p, *e = t->end, *at = t->p, *ds;
	char buf[512], txt[32];
	size_t bl = 0, nb;
	int n, isfloat = 0, neg = 0, base = 10;
	uint64_t u = 0, lim;
	double d;

	if (*q == '+' || *q == '-') {
		neg = *q == '-';
		buf[bl++] = *q++;
	}
	if (e - q >= 3 && memcmp(q, "inf", 3) == 0) {
		q += 3;
		d = neg ? -INFINITY : INFINITY;
		isfloat = 1;
		goto made;
	}
	if (e - q >= 3 && memcmp(q, "nan", 3) == 0) {
		q += 3;
		d = NAN;
		isfloat = 1;
		goto made;
	}
	if (q < e && *q == '0' && q + 1 < e && (q[1] == 'x' || q[1] == 'o' ||
	    q[1] == 'b')) {
		if (bl > 0)
			goto bad;
		base = q[1] == 'x' ? 16 : q[1] == 'o' ? 8 : 2;
		q += 2;
		nb = 0;
		if ((n = udigits(q, e, base, buf, sizeof(buf), &nb)) < 0)
			goto digits;
		q += n;
		for (ds = buf; *ds; ds++) {
			int v = isdig(*ds) ? *ds - '0' : (*ds | 0x20) - 'a' + 10;

			if (u > (UINT64_MAX - (uint64_t)v) / (uint64_t)base)
				goto range;
			u = u * (uint64_t)base + (uint64_t)v;
		}
		if (u > INT64_MAX)
			goto range;
		goto integer;
	}
	ds = q;
	if ((n = udigits(q, e, 10, buf, sizeof(buf), &bl)) < 0)
		goto digits;
	if (*ds == '0' && n > 1)
		goto bad;	/* leading zero */
	q += n;
	if (q < e && *q == '.') {
		buf[bl++] = '.';
		q++;
		if ((n = udigits(q, e, 10, buf, sizeof(buf), &bl)) < 0)
			goto digits;
		q += n;
		isfloat = 1;
	}
	if (q < e && (*q == 'e' || *q == 'E')) {
		buf[bl++] = 'e';
		q++;
		if (q < e && (*q == '+' || *q == '-'))
			buf[bl++] = *q++;
		if ((n = udigits(q, e, 10, buf, sizeof(buf), &bl)) < 0)
			goto digits;
		q += n;
		isfloat = 1;
	}
	if (isfloat) {
		errno = 0;
		d = strtod(buf, NULL);
		goto made;
	}
	lim = neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	for (ds = buf + (buf[0] == '+' || buf[0] == '-'); *ds; ds++) {
		if (u > (lim - (uint64_t)(*ds - '0')) / 10)
			goto range;
		u = u * 10 + (uint64_t)(*ds - '0');
	}
integer:
	if (q < e && (isbare((unsigned char)*q) || *q == '.' || *q == '+' ||
	    *q == ':'))
		goto bad;
	if (u == 0)
		neg = 0;	/* -0 is 0 */
	if (neg)
		snprintf(txt, sizeof(txt), "-%" PRIu64, u);
	else
		snprintf(txt, sizeof(txt), "%" PRIu64, u);
	if ((*out = cJSON_CreateNumber(neg ? -(double)u : (double)u)) == NULL)
		return nomem(t);
	if (((*out)->valuestring = strdup(txt)) == NULL) {
		cJSON_Delete(*out);
		*out = NULL;
		return nomem(t);
	}
	settag(*out, FG_TOML_INTEGER, pos);
	t->p = q;
	return 0;
made:
	if (q < e && (isbare((unsigned char)*q) || *q == '.' || *q == '+' ||
	    *q == ':'))
		goto bad;
	if ((*out = cJSON_CreateNumber(0)) == NULL)
		return nomem(t);
	(*out)->valuedouble = d;
	settag(*out, FG_TOML_FLOAT, pos);
	t->p = q;
	return 0;
digits:
	if (n == -2)
		return perr(t, at, FG_ELIMIT, "number longer than %d "
		    "characters", (int)sizeof(buf) - 12);
	goto bad;
range:
	return perr(t, at, FG_EPARSE, "integer out of the 64-bit range");
bad:
	while (q < e && (isbare((unsigned char)*q) || *q == '.' ||
	    *q == '+'))
		q++;
	return perr(t, at, FG_EPARSE, "invalid number \"%.*s\"",
	    (int)(q - at > 40 ? 40 : q - at), at);
}

static int keyval(struct tp *t, cJSON *tab);

static int
array(struct tp *t, cJSON **out, int pos)
{
	const char *at = t->p;
	cJSON *a, *v;
	int r;

	if (++t->depth > FG_TOML_MAX_DEPTH)
		return perr(t, at, FG_ELIMIT, "more than %d nested arrays "
		    "and tables", FG_TOML_MAX_DEPTH);
	if ((a = cJSON_CreateArray()) == NULL)
		return nomem(t);
	settag(a, FG_TOML_ARRAY, pos);
	a->type |= F_INLINE;
	t->p++;
	for (;;) {
		if ((r = skipall(t)) != 0)
			goto fail;
		if (t->p >= t->end) {
			r = perr(t, at, FG_EPARSE, "unterminated array");
			goto fail;
		}
		if (*t->p == ']')
			break;
		if ((r = value(t, &v)) != 0)
			goto fail;
		cJSON_AddItemToArray(a, v);
		if ((r = skipall(t)) != 0)
			goto fail;
		if (t->p < t->end && *t->p == ',') {
			t->p++;
			continue;
		}
		if (t->p < t->end && *t->p == ']')
			break;
		r = perr(t, t->p, FG_EPARSE,
		    "expected ',' or ']' in an array");
		goto fail;
	}
	t->p++;
	t->depth--;
	*out = a;
	return 0;
fail:
	cJSON_Delete(a);
	return r;
}

static int
itable(struct tp *t, cJSON **out, int pos)
{
	const char *at = t->p;
	cJSON *tab;
	int r;

	if (++t->depth > FG_TOML_MAX_DEPTH)
		return perr(t, at, FG_ELIMIT, "more than %d nested arrays "
		    "and tables", FG_TOML_MAX_DEPTH);
	if ((tab = cJSON_CreateObject()) == NULL)
		return nomem(t);
	settag(tab, FG_TOML_TABLE, pos);
	t->p++;
	skipws(t);
	if (t->p < t->end && *t->p == '}')
		goto end;
	for (;;) {
		if ((r = keyval(t, tab)) != 0)
			goto fail;
		skipws(t);
		if (t->p < t->end && *t->p == ',') {
			t->p++;
			continue;
		}
		if (t->p < t->end && *t->p == '}')
			break;
		if (t->p >= t->end)
			r = perr(t, at, FG_EPARSE, "unterminated inline table");
		else if (atnl(t) || *t->p == '#' || *t->p == '\r')
			r = perr(t, t->p, FG_EPARSE,
			    "newline or comment in an inline table");
		else
			r = perr(t, t->p, FG_EPARSE,
			    "expected ',' or '}' in an inline table");
		goto fail;
	}
end:
	t->p++;
	t->depth--;
	tab->type |= F_INLINE;
	*out = tab;
	return 0;
fail:
	cJSON_Delete(tab);
	return r;
}

static int
value(struct tp *t, cJSON **out)
{
	const char *at = t->p;
	int pos, ml, r;
	char c;

	*out = NULL;
	if (t->p >= t->end || atnl(t) || *t->p == '#')
		return perr(t, at, FG_EPARSE, "expected a value");
	pos = posof(t, at);
	c = *t->p;
	switch (c) {
	case '"':
	case '\'':
		if ((r = string(t, &ml)) != 0)
			return r;
		if ((*out = cJSON_CreateString(t->sb.d)) == NULL)
			return nomem(t);
		settag(*out, FG_TOML_STRING, pos);
		return 0;
	case 't':
		if (t->end - t->p >= 4 && memcmp(t->p, "true", 4) == 0) {
			t->p += 4;
			*out = cJSON_CreateTrue();
			goto boolean;
		}
		break;
	case 'f':
		if (t->end - t->p >= 5 && memcmp(t->p, "false", 5) == 0) {
			t->p += 5;
			*out = cJSON_CreateFalse();
			goto boolean;
		}
		break;
	case '[':
		return array(t, out, pos);
	case '{':
		return itable(t, out, pos);
	default:
		if (isdig(c)) {
			if ((t->end - t->p >= 5 && isdig(t->p[1]) &&
			    isdig(t->p[2]) && isdig(t->p[3]) && t->p[4] == '-') ||
			    (t->end - t->p >= 3 && isdig(t->p[1]) &&
			    t->p[2] == ':'))
				return datetime(t, out, pos);
			return number(t, out, pos);
		}
		if (c == '+' || c == '-' || c == 'i' || c == 'n')
			return number(t, out, pos);
		break;
	}
	return perr(t, at, FG_EPARSE, "expected a value");
boolean:
	if (*out == NULL)
		return nomem(t);
	settag(*out, FG_TOML_BOOL, pos);
	if (t->p < t->end && isbare((unsigned char)*t->p)) {
		cJSON_Delete(*out);
		*out = NULL;
		return perr(t, at, FG_EPARSE, "expected a value");
	}
	return 0;
}

/* key = value, into table tab (dotted keys make sub-tables). */
static int
keyval(struct tp *t, cJSON *tab)
{
	struct seg inl[NINLSEG], *segs = inl;
	cJSON *v = NULL, *c;
	int nseg = 0, i, r;

	if ((r = key(t, inl, &segs, &nseg)) != 0)
		goto out;
	if (t->p >= t->end || *t->p != '=') {
		r = perr(t, t->p, FG_EPARSE, "expected '=' after a key");
		goto out;
	}
	t->p++;
	skipws(t);
	if ((r = value(t, &v)) != 0)
		goto out;
	v->valueint = segs[nseg - 1].pos;
	for (i = 0; i < nseg - 1; i++) {
		c = ifind(t, tab, segs[i].k);
		if (c == NULL) {
			if ((c = cJSON_CreateObject()) == NULL) {
				r = nomem(t);
				goto out;
			}
			settag(c, FG_TOML_TABLE, segs[i].pos);
			c->type |= F_DOTTED;
			if ((r = tadd(t, tab, segs[i].k, c)) != 0)
				goto out;
		} else if (!cJSON_IsObject(c) || (c->type & F_INLINE) ||
		    !(c->type & F_DOTTED)) {
			r = perr(t, segs[i].at, FG_EPARSE,
			    "key \"%s\" is already defined and cannot be "
			    "extended with a dotted key", segs[i].k);
			goto out;
		}
		tab = c;
	}
	if (ifind(t, tab, segs[nseg - 1].k) != NULL) {
		r = perr(t, segs[nseg - 1].at, FG_EPARSE,
		    "duplicate key \"%s\"", segs[nseg - 1].k);
		goto out;
	}
	r = tadd(t, tab, segs[nseg - 1].k, v);
	v = NULL;
out:
	cJSON_Delete(v);
	segsfree(segs, nseg, inl);
	return r;
}

/* [a.b.c] or [[a.b.c]] */
static int
header(struct tp *t)
{
	struct seg inl[NINLSEG], *segs = inl;
	cJSON *tab = t->root, *c, *n;
	int aot, nseg = 0, i, r;

	aot = t->end - t->p >= 2 && t->p[1] == '[';
	t->p += aot ? 2 : 1;
	if ((r = key(t, inl, &segs, &nseg)) != 0)
		goto out;
	if (t->p >= t->end || *t->p != ']' || (aot && (t->end - t->p < 2 ||
	    t->p[1] != ']'))) {
		r = perr(t, t->p, FG_EPARSE, aot ? "expected ']]' after a "
		    "table array header" : "expected ']' after a table header");
		goto out;
	}
	t->p += aot ? 2 : 1;
	for (i = 0; i < nseg - 1; i++) {
		c = ifind(t, tab, segs[i].k);
		if (c == NULL) {
			if ((c = cJSON_CreateObject()) == NULL) {
				r = nomem(t);
				goto out;
			}
			settag(c, FG_TOML_TABLE, segs[i].pos);
			if ((r = tadd(t, tab, segs[i].k, c)) != 0)
				goto out;
		} else if (cJSON_IsArray(c) && (c->type & F_AOT)) {
			/* cJSON keeps the last element in child->prev */
			c = c->child->prev;
		} else if (!cJSON_IsObject(c) || (c->type & F_INLINE)) {
			r = perr(t, segs[i].at, FG_EPARSE,
			    "key \"%s\" is not a table that can be extended",
			    segs[i].k);
			goto out;
		}
		tab = c;
	}
	c = ifind(t, tab, segs[nseg - 1].k);
	if (aot) {
		if (c == NULL) {
			if ((c = cJSON_CreateArray()) == NULL) {
				r = nomem(t);
				goto out;
			}
			settag(c, FG_TOML_ARRAY, segs[nseg - 1].pos);
			c->type |= F_AOT;
			if ((r = tadd(t, tab, segs[nseg - 1].k, c)) != 0)
				goto out;
		} else if (!cJSON_IsArray(c) || !(c->type & F_AOT)) {
			r = perr(t, segs[nseg - 1].at, FG_EPARSE,
			    "\"%s\" is already defined and is not an array "
			    "of tables", segs[nseg - 1].k);
			goto out;
		}
		if ((n = cJSON_CreateObject()) == NULL) {
			r = nomem(t);
			goto out;
		}
		settag(n, FG_TOML_TABLE, segs[nseg - 1].pos);
		n->type |= F_DEFINED;
		cJSON_AddItemToArray(c, n);
		t->cur = n;
	} else {
		if (c == NULL) {
			if ((c = cJSON_CreateObject()) == NULL) {
				r = nomem(t);
				goto out;
			}
			if ((r = tadd(t, tab, segs[nseg - 1].k, c)) != 0)
				goto out;
		} else if (!cJSON_IsObject(c) ||
		    (c->type & (F_DEFINED | F_DOTTED | F_INLINE))) {
			r = perr(t, segs[nseg - 1].at, FG_EPARSE,
			    "table \"%s\" is already defined", segs[nseg - 1].k);
			goto out;
		}
		settag(c, FG_TOML_TABLE, segs[nseg - 1].pos);
		c->type |= F_DEFINED;
		t->cur = c;
	}
out:
	segsfree(segs, nseg, inl);
	return r;
}

static int
document(struct tp *t)
{
	int n, r;

	if (t->end - t->p >= 3 && memcmp(t->p, "\xef\xbb\xbf", 3) == 0) {
		t->p += 3;
		t->lstart = t->p;
	}
	while (t->p < t->end) {
		skipws(t);
		if (t->p >= t->end)
			break;
		if ((n = atnl(t)) > 0) {
			takenl(t, n);
			continue;
		}
		if (*t->p == '#') {
			if ((r = comment(t)) != 0)
				return r;
			continue;
		}
		if (*t->p == '[')
			r = header(t);
		else
			r = keyval(t, t->cur);
		if (r != 0)
			return r;
		skipws(t);
		if (t->p < t->end && *t->p == '#') {
			if ((r = comment(t)) != 0)
				return r;
		}
		if (t->p < t->end && atnl(t) == 0) {
			if ((unsigned char)*t->p < 0x20 || *t->p == 0x7f)
				return perr(t, t->p, FG_EPARSE,
				    "control character U+%04X",
				    (unsigned char)*t->p);
			return perr(t, t->p, FG_EPARSE,
			    "expected a newline after a key/value or header");
		}
	}
	return 0;
}

int
fg_toml_parse(const char *buf, size_t len, const char *name, cJSON **out,
    struct fg_error *err)
{
	struct tp t;
	int r;

	*out = NULL;
	if (name == NULL)
		name = "<toml>";
	if (len > FG_TOML_MAX_DOC)
		return fg_seterr(err, FG_ELIMIT, "%s: document larger than %u "
		    "bytes", name, FG_TOML_MAX_DOC);
	memset(&t, 0, sizeof(t));
	t.s = t.p = t.lstart = t.cpos = buf;
	t.end = buf + len;
	t.name = name;
	t.err = err;
	t.line = 1;
	t.ccol = 1;
	fg_buf_init(&t.sb, FG_TOML_MAX_STRING);
	if ((r = utf8check(&t)) != 0)
		goto out;
	if ((t.root = cJSON_CreateObject()) == NULL) {
		r = nomem(&t);
		goto out;
	}
	settag(t.root, FG_TOML_TABLE, (1 << 12) | 1);
	t.root->type |= F_DEFINED;
	t.cur = t.root;
	if ((r = document(&t)) != 0)
		goto out;
	*out = t.root;
	t.root = NULL;
out:
	cJSON_Delete(t.root);
	fg_buf_free(&t.sb);
	free(t.idx);
	return r;
}

int
fg_toml_parse_file(const char *path, const char *name, cJSON **out,
    struct fg_error *err)
{
	struct fg_buf b;
	char chunk[65536];
	ssize_t n;
	int fd, r;

	*out = NULL;
	if (name == NULL)
		name = path;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return fg_seterr_sys(err, FG_EIO, errno, "%s", name);
	fg_buf_init(&b, (size_t)FG_TOML_MAX_DOC + 1);
	r = fg_buf_reserve(&b, 1);
	while (r == 0) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			r = fg_seterr_sys(err, FG_EIO, errno, "%s", name);
			break;
		}
		if (n == 0)
			break;
		if ((r = fg_buf_append(&b, chunk, (size_t)n)) != 0)
			r = fg_seterr(err, r, "%s: %s", name, r == FG_ELIMIT ?
			    "document larger than 8 MiB" : "out of memory");
	}
	close(fd);
	if (r == 0)
		r = fg_toml_parse(b.d, b.len, name, out, err);
	fg_buf_free(&b);
	return r;
}

int
fg_toml_check(const char *buf, size_t len, const char *name,
    struct fg_error *err)
{
	cJSON *root;
	int r;

	if ((r = fg_toml_parse(buf, len, name, &root, err)) == 0)
		cJSON_Delete(root);
	return r;
}

enum fg_toml_type
fg_toml_type(const cJSON *it)
{
	int ty;

	if (it == NULL)
		return FG_TOML_NONE;
	ty = (it->type & T_MASK) >> T_SHIFT;
	if (ty > 0 && ty <= FG_TOML_TABLE)
		return (enum fg_toml_type)ty;
	switch (it->type & 0xff) {
	case cJSON_String: return FG_TOML_STRING;
	case cJSON_Number: return FG_TOML_FLOAT;
	case cJSON_True:
	case cJSON_False: return FG_TOML_BOOL;
	case cJSON_Array: return FG_TOML_ARRAY;
	case cJSON_Object: return FG_TOML_TABLE;
	default: return FG_TOML_NONE;
	}
}

const char *
fg_toml_type_name(enum fg_toml_type ty)
{
	switch (ty) {
	case FG_TOML_STRING: return "string";
	case FG_TOML_INTEGER: return "integer";
	case FG_TOML_FLOAT: return "float";
	case FG_TOML_BOOL: return "bool";
	case FG_TOML_DATETIME: return "datetime";
	case FG_TOML_DATETIME_LOCAL: return "datetime-local";
	case FG_TOML_DATE_LOCAL: return "date-local";
	case FG_TOML_TIME_LOCAL: return "time-local";
	case FG_TOML_ARRAY: return "array";
	case FG_TOML_TABLE: return "table";
	default: return "none";
	}
}

int
fg_toml_int(const cJSON *it, int64_t *v)
{
	char *end;

	if (fg_toml_type(it) != FG_TOML_INTEGER || it->valuestring == NULL)
		return FG_EINVAL;
	errno = 0;
	*v = strtoll(it->valuestring, &end, 10);
	if (errno != 0 || *end != '\0')
		return FG_EINVAL;
	return 0;
}

unsigned
fg_toml_line(const cJSON *it)
{
	return it == NULL ? 0 : (unsigned)it->valueint >> 12;
}

unsigned
fg_toml_col(const cJSON *it)
{
	return it == NULL ? 0 : (unsigned)it->valueint & 0xfff;
}

const cJSON *
fg_toml_get(const cJSON *tab, const char *path)
{
	char k[256];
	const char *dot;
	size_t n;

	while (tab != NULL && *path != '\0') {
		if (!cJSON_IsObject(tab))
			return NULL;
		dot = strchr(path, '.');
		n = dot ? (size_t)(dot - path) : strlen(path);
		if (n >= sizeof(k))
			return NULL;
		memcpy(k, path, n);
		k[n] = '\0';
		tab = cJSON_GetObjectItemCaseSensitive(tab, k);
		path += n + (dot != NULL);
	}
	return tab;
}

static cJSON *
scalar(const char *type, const char *val)
{
	cJSON *o;

	if ((o = cJSON_CreateObject()) == NULL)
		return NULL;
	if (cJSON_AddStringToObject(o, "type", type) == NULL ||
	    cJSON_AddStringToObject(o, "value", val) == NULL) {
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

cJSON *
fg_toml_tagged(const cJSON *it)
{
	enum fg_toml_type ty = fg_toml_type(it);
	const cJSON *c;
	cJSON *o, *v;
	char num[64];

	switch (ty) {
	case FG_TOML_TABLE:
	case FG_TOML_ARRAY:
		o = ty == FG_TOML_TABLE ? cJSON_CreateObject() :
		    cJSON_CreateArray();
		if (o == NULL)
			return NULL;
		cJSON_ArrayForEach(c, it) {
			if ((v = fg_toml_tagged(c)) == NULL) {
				cJSON_Delete(o);
				return NULL;
			}
			if (ty == FG_TOML_TABLE) {
				if (!cJSON_AddItemToObject(o, c->string, v)) {
					cJSON_Delete(v);
					cJSON_Delete(o);
					return NULL;
				}
			} else
				cJSON_AddItemToArray(o, v);
		}
		return o;
	case FG_TOML_INTEGER:
		return scalar("integer", it->valuestring ? it->valuestring :
		    "0");
	case FG_TOML_FLOAT:
		if (isnan(it->valuedouble))
			return scalar("float", "nan");
		if (isinf(it->valuedouble))
			return scalar("float", it->valuedouble < 0 ? "-inf" :
			    "inf");
		snprintf(num, sizeof(num), "%.17g", it->valuedouble);
		return scalar("float", num);
	case FG_TOML_BOOL:
		return scalar("bool", cJSON_IsTrue(it) ? "true" : "false");
	case FG_TOML_NONE:
		return NULL;
	default:
		return scalar(fg_toml_type_name(ty), it->valuestring ?
		    it->valuestring : "");
	}
}
