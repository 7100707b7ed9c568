/*
 * toml-date.c: TOML's dates and times (RFC 3339 with TOML's relaxations:
 * a space for T, no offset for the local kinds, a time alone), checked
 * (month lengths, leap years) and kept as their text, the fraction cut
 * to nanoseconds.
 */
#include <string.h>

#include "toml-int.h"

static int
digits2(const char *s, int *v)
{
	if (!tp_isdig(s[0]) || !tp_isdig(s[1]))
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
		if (f >= e || !tp_isdig(*f))
			return -1;
		while (f < e && tp_isdig(*f))
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
int
tp_datetime(struct tp *t, cJSON **out, int pos)
{
	const char *q = t->p, *e = t->end, *at = t->p;
	char buf[96];
	enum fg_toml_type ty;
	int y, mo, d, n, oh, om;
	size_t bl = 0;

	if (e - q >= 3 && tp_isdig(q[0]) && tp_isdig(q[1]) && q[2] == ':') {
		if ((n = timepart(q, e)) < 0)
			goto bad;
		bl = copytime(buf, q, (size_t)n);
		q += n;
		ty = FG_TOML_TIME_LOCAL;
		goto done;
	}
	if (e - q < 10 || !tp_isdig(q[0]) || !tp_isdig(q[1]) ||
	    !tp_isdig(q[2]) || !tp_isdig(q[3]) || q[4] != '-' ||
	    digits2(q + 5, &mo) ||
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
	    tp_isdig(q[1]) && tp_isdig(q[2]) && q[3] == ':'))) {
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
	if (q < e && (tp_isbare((unsigned char)*q) || *q == '.' || *q == ':' ||
	    *q == '+'))
		goto bad;
	buf[bl] = '\0';
	t->p = q;
	if ((*out = cJSON_CreateString(buf)) == NULL)
		return tp_nomem(t);
	tp_settag(*out, ty, pos);
	return 0;
bad:
	while (q < e && (tp_isbare((unsigned char)*q) || *q == ':' ||
	    *q == '.' || *q == '+'))
		q++;
	return tp_err(t, at, FG_EPARSE, "invalid date or time \"%.*s\"",
	    (int)(q - at > 40 ? 40 : q - at), at);
}
