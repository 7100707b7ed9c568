/*
 * toml-string.c: the four kinds of TOML string (basic, literal, and
 * their multi-line forms) with their escapes, decoded into the parser's
 * scratch buffer, at most FG_TOML_MAX_STRING bytes.
 */
#include <stdint.h>

#include "toml-int.h"

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
	return buf_append(b, u, n);
}

static int
strlimit(struct tp *t, int r, const char *start)
{
	if (r == FG_ELIMIT)
		return tp_err(t, start, FG_ELIMIT,
		    "string longer than %u bytes", FG_TOML_MAX_STRING);
	return tp_nomem(t);
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
		return tp_err(t, at, FG_EPARSE, "unterminated string");
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
		return tp_err(t, at, FG_EPARSE, "invalid escape sequence");
	}
	for (i = 0; i < n; i++) {
		if (t->p >= t->end)
			return tp_err(t, at, FG_EPARSE,
			    "\\%c needs %d hex digits", c, n);
		c = *t->p;
		if (tp_isdig(c))
			cp = cp * 16 + (uint32_t)(c - '0');
		else if (c >= 'a' && c <= 'f')
			cp = cp * 16 + (uint32_t)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			cp = cp * 16 + (uint32_t)(c - 'A' + 10);
		else
			return tp_err(t, at, FG_EPARSE,
			    "\\%c needs %d hex digits", n == 4 ? 'u' : 'U', n);
		t->p++;
	}
	if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return tp_err(t, at, FG_EPARSE,
		    "escape is not a Unicode scalar value");
	if ((r = putcp(&t->sb, cp)) != 0)
		return strlimit(t, r, start);
	return 0;
}

/*
 * A string of any of the four kinds starting at t->p; the text goes to
 * t->sb.  ml is set for the multi-line kinds (not allowed in keys).
 */
int
tp_string(struct tp *t, int *ml)
{
	const char *start = t->p, *run;
	char q = *t->p;
	int multi, n, r;
	unsigned char c;

	if (t->sb.d == NULL && (r = buf_reserve(&t->sb, 64)) != 0)
		return strlimit(t, r, start);
	buf_reset(&t->sb);
	multi = t->end - t->p >= 3 && t->p[1] == q && t->p[2] == q;
	*ml = multi;
	if (multi) {
		t->p += 3;
		if ((n = tp_atnl(t)) > 0)
			tp_takenl(t, n);
	} else
		t->p++;
	for (;;) {
		if (t->p >= t->end)
			return tp_err(t, start, FG_EPARSE,
			    "unterminated string");
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
					return tp_err(t, t->p, FG_EPARSE,
					    "too many quotes at the end of a "
					    "multi-line string");
				r = buf_append(&t->sb, t->p, (size_t)n - 3);
				if (r != 0)
					return strlimit(t, r, start);
				t->p = run;
				return 0;
			}
			if ((r = buf_append(&t->sb, t->p, (size_t)n)) != 0)
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
						tp_skipws(t);
						if ((n = tp_atnl(t)) == 0)
							break;
						tp_takenl(t, n);
					}
					continue;
				}
			}
			if ((r = escape(t, start)) != 0)
				return r;
			continue;
		}
		if (c == '\n' || c == '\r') {
			if (multi && (n = tp_atnl(t)) > 0) {
				if ((r = buf_append(&t->sb, "\n", 1)) != 0)
					return strlimit(t, r, start);
				tp_takenl(t, n);
				continue;
			}
			return tp_err(t, t->p, FG_EPARSE, c == '\n' ?
			    "newline in a single-line string" :
			    "carriage return not followed by a newline "
			    "in a string");
		}
		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return tp_err(t, t->p, FG_EPARSE,
			    "control character U+%04X in a string", c);
		for (run = t->p + 1; run < t->end; run++) {
			c = (unsigned char)*run;
			if (c == (unsigned char)q || c == '\\' || c < 0x20 ||
			    c == 0x7f)
				break;
		}
		if ((r = buf_append(&t->sb, t->p, (size_t)(run - t->p)))
		    != 0)
			return strlimit(t, r, start);
		t->p = run;
	}
}
