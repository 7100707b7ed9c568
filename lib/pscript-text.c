/*
 * pscript-text.c: the perf-script collapser's text helpers: bytes made
 * valid UTF-8 the way inferno's Rust reads them (String::from_utf8_lossy),
 * and warnings about bad lines, naming their line number (kept per chunk
 * when a helper thread collapses part of the input).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pscript-int.h"

/* Bytes of a valid UTF-8 sequence starting at s, 0 when invalid there;
 * *bad gets the length of the maximal invalid prefix to replace. */
static size_t
utf8_seq(const unsigned char *s, size_t len, size_t *bad)
{
	unsigned char c = s[0], lo = 0x80, hi = 0xbf;
	size_t need, i;

	*bad = 1;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 1;
	else if (c >= 0xe0 && c <= 0xef) {
		need = 2;
		if (c == 0xe0)
			lo = 0xa0;
		else if (c == 0xed)
			hi = 0x9f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		need = 3;
		if (c == 0xf0)
			lo = 0x90;
		else if (c == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	for (i = 1; i <= need; i++) {
		unsigned char d;

		if (i >= len)
			return 0;
		d = s[i];
		if (d < lo || d > hi)
			return 0;
		lo = 0x80;
		hi = 0xbf;
		*bad = i + 1;
	}
	return need + 1;
}

/*
 * Make p[0..len) valid UTF-8 the way Rust's from_utf8_lossy does (each
 * maximal invalid prefix becomes U+FFFD).  Returns 1 and fills out when
 * something was replaced, 0 when the bytes were valid, <0 on error.
 */
int
ps_utf8_lossy(const char *p, size_t len, struct fg_buf *out)
{
	const unsigned char *s = (const unsigned char *)p;
	size_t i = 0, start = 0, bad, n;
	int changed = 0, r;

	while (i < len) {
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((n = utf8_seq(s + i, len - i, &bad)) != 0) {
			i += n;
			continue;
		}
		if (!changed) {
			buf_reset(out);
			changed = 1;
		}
		if ((r = buf_append(out, p + start, i - start)) != 0 ||
		    (r = buf_append(out, "\xef\xbf\xbd", 3)) != 0)
			return r;
		i += bad;
		start = i;
	}
	if (!changed)
		return 0;
	if ((r = buf_append(out, p + start, len - start)) != 0)
		return r;
	return 1;
}

void
ps_warn(struct ps *ps, const char *what, const char *line, size_t len)
{
	char msg[FG_ERRMSG_MAX], text[168];
	size_t n, i;

	if (ps->probe || ps->o->warn.fn == NULL)
		return;
	/* A short copy; control bytes (NUL, CR, ESC) would garble a
	 * terminal or cut the message. */
	n = len > 160 ? 160 : len;
	for (i = 0; i < n; i++)
		text[i] = ((unsigned char)line[i] < 0x20 || line[i] == 0x7f) ?
		    '?' : line[i];
	text[n] = '\0';
	if (ps->wbuf != NULL) {
		/* a chunk: keep "what: text", numbered when emitted */
		struct ps_warnbuf *w = ps->wbuf;

		snprintf(msg, sizeof(msg), "%s: %s%s", what, text,
		    n < len ? "..." : "");
		if (w->n < PS_WARN_KEEP &&
		    (w->msgs[w->n] = strdup(msg)) != NULL) {
			w->lines[w->n] = ps->lineno;
			w->n++;
		} else
			w->dropped++;
		return;
	}
	snprintf(msg, sizeof(msg), "%s: line %zu: %s: %s%s", ps->name,
	    ps->lineno, what, text, n < len ? "..." : "");
	ps->o->warn.fn(ps->o->warn.arg, msg);
}
