/*
 * toml-lex.c: the TOML reader's lexical layer: where a byte is (the
 * "NAME:LINE:COL" of messages, positions packed into values), comments
 * and blank space, the UTF-8 check of the whole document, and keys
 * (bare, quoted, dotted).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toml-int.h"

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

int
tp_err(struct tp *t, const char *at, int code, const char *fmt, ...)
{
	char msg[FG_ERRMSG_MAX];
	unsigned line, col;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	where(t, at, &line, &col);
	return seterr(t->err, code, "%s:%u:%u: %s", t->name, line, col,
	    msg);
}

int
tp_nomem(struct tp *t)
{
	return tp_err(t, t->p, FG_ENOMEM, "out of memory");
}

/* Position of at (on the current line) packed for valueint. */
int
tp_posof(struct tp *t, const char *at)
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

/* A comment from '#' to the end of the line (newline not taken). */
int
tp_comment(struct tp *t)
{
	unsigned char c;

	for (t->p++; t->p < t->end; t->p++) {
		c = (unsigned char)*t->p;
		if (c == '\n' || (c == '\r' && tp_atnl(t)))
			break;
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return tp_err(t, t->p, FG_EPARSE,
			    "control character U+%04X in a comment", c);
	}
	return 0;
}

/* Whitespace, comments and newlines (inside arrays). */
int
tp_skipall(struct tp *t)
{
	int n, r;

	for (;;) {
		tp_skipws(t);
		if (t->p >= t->end)
			return 0;
		if (*t->p == '#') {
			if ((r = tp_comment(t)) != 0)
				return r;
		} else if ((n = tp_atnl(t)) > 0)
			tp_takenl(t, n);
		else
			return 0;
	}
}

/* Check the whole document is UTF-8 (no overlongs, surrogates or code
 * points past U+10FFFF). */
int
tp_utf8check(struct tp *t)
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
	return tp_err(t, (const char *)q, FG_EPARSE, "invalid UTF-8");
}

/* ---- keys --------------------------------------------------------- */

void
tp_segsfree(struct seg *s, int n, struct seg *inl)
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
	size_t cap = (size_t)n;

	if (n < NINLSEG || (n & (n - 1)) != 0)
		return 0;
	/* n is a power of two >= NINLSEG: the array is full */
	if ((ns = base_grow(*segs == inl ? NULL : *segs, &cap, cap + 1,
	    sizeof(*ns), NINLSEG)) == NULL)
		return FG_ENOMEM;
	if (*segs == inl)
		memcpy(ns, inl, sizeof(*ns) * NINLSEG);
	*segs = ns;
	return 0;
}

/*
 * A (dotted) key into *segsp (at most FG_TOML_MAX_DEPTH parts), which
 * starts as inl[NINLSEG] and moves to the heap when longer; *nseg set.
 * The caller frees with tp_segsfree() whatever the result.
 */
int
tp_key(struct tp *t, struct seg *inl, struct seg **segsp, int *nseg)
{
	struct seg *segs;
	const char *at;
	int ml, r;

	*segsp = inl;
	*nseg = 0;
	for (;;) {
		tp_skipws(t);
		at = t->p;
		if (*nseg >= FG_TOML_MAX_DEPTH)
			return tp_err(t, at, FG_ELIMIT,
			    "key with more than %d parts", FG_TOML_MAX_DEPTH);
		if (seggrow(segsp, *nseg, inl) != 0)
			return tp_nomem(t);
		segs = *segsp;
		if (t->p < t->end && (*t->p == '"' || *t->p == '\'')) {
			if ((r = tp_string(t, &ml)) != 0)
				return r;
			if (ml)
				return tp_err(t, at, FG_EPARSE,
				    "a multi-line string cannot be a key");
			segs[*nseg].k = strdup(t->sb.d);
		} else if (t->p < t->end && tp_isbare((unsigned char)*t->p)) {
			while (t->p < t->end && tp_isbare((unsigned char)*t->p))
				t->p++;
			segs[*nseg].k = strndup(at, (size_t)(t->p - at));
		} else if (t->p >= t->end || *t->p == '\n' || tp_atnl(t))
			return tp_err(t, at, FG_EPARSE, "expected a key");
		else if (*t->p == '\r')
			return tp_err(t, at, FG_EPARSE, "carriage return not "
			    "followed by a newline");
		else if ((unsigned char)*t->p < 0x20 || *t->p == 0x7f)
			return tp_err(t, at, FG_EPARSE, "control character "
			    "U+%04X", (unsigned char)*t->p);
		else
			return tp_err(t, at, FG_EPARSE,
			    "invalid character in a key");
		if (segs[*nseg].k == NULL)
			return tp_nomem(t);
		segs[*nseg].at = at;
		segs[*nseg].pos = tp_posof(t, at);
		(*nseg)++;
		tp_skipws(t);
		if (t->p < t->end && *t->p == '.') {
			t->p++;
			continue;
		}
		return 0;
	}
}
