/*
 * toml-number.c: TOML's numbers: decimal integers in the signed 64-bit
 * range (kept exactly, as text, beside cJSON's double), hexadecimal,
 * octal and binary integers, floats (strtod of the digits without their
 * underscores), inf and nan.  A number of more than 500 characters is
 * refused, not cut.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "toml-int.h"

/* How reading a number went (the last two as udigits() says them). */
enum {
	N_OK = 0,
	N_BAD = -1,		/* not a number TOML allows */
	N_LONG = -2,		/* longer than the buffer */
	N_RANGE = -3		/* an integer outside the 64-bit range */
};

/* A number being read: where, its text without underscores, its value. */
struct num {
	const char *q, *e;	/* the next byte, the end of the input */
	char buf[512];
	size_t bl;
	int neg;
	int isfloat;
	uint64_t u;		/* an integer's magnitude */
	double d;		/* a float */
};

/* Digits of base with single underscores between digits, into buf
 * without the underscores.  Returns the length taken, N_BAD if
 * malformed, N_LONG when buf is full. */
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
				return N_BAD;
			prevdig = 0;
			continue;
		}
		ok = base == 16 ? (tp_isdig(c) || (c >= 'a' && c <= 'f') ||
		    (c >= 'A' && c <= 'F')) : base == 8 ? (c >= '0' &&
		    c <= '7') : base == 2 ? (c == '0' || c == '1') :
		    tp_isdig(c);
		if (!ok)
			break;
		if (*bl + 1 >= bufsz)
			return N_LONG;
		buf[(*bl)++] = (char)c;
		prevdig = 1;
	}
	if (!prevdig)
		return N_BAD;
	buf[*bl] = '\0';
	return (int)(q - s);
}

/* The digits of base at n->q appended to n->buf: N_OK or why not. */
static int
num_digits(struct num *n, int base)
{
	int k;

	if ((k = udigits(n->q, n->e, base, n->buf, sizeof(n->buf),
	    &n->bl)) < 0)
		return k;
	n->q += k;
	return N_OK;
}

/* One more byte of text, taken from the input or not. */
static int
num_putc(struct num *n, char c)
{
	if (n->bl >= sizeof(n->buf))
		return N_LONG;
	n->buf[n->bl++] = c;
	return N_OK;
}

/* 0x, 0o, 0b and their digits (no sign allowed): a non-negative integer. */
static int
num_based(struct num *n)
{
	const char *ds;
	int base, r;

	if (n->bl > 0)
		return N_BAD;
	base = n->q[1] == 'x' ? 16 : n->q[1] == 'o' ? 8 : 2;
	n->q += 2;
	if ((r = num_digits(n, base)) != N_OK)
		return r;
	for (ds = n->buf; *ds; ds++) {
		int v = tp_isdig(*ds) ? *ds - '0' : (*ds | 0x20) - 'a' + 10;

		if (n->u > (UINT64_MAX - (uint64_t)v) / (uint64_t)base)
			return N_RANGE;
		n->u = n->u * (uint64_t)base + (uint64_t)v;
	}
	return n->u > INT64_MAX ? N_RANGE : N_OK;
}

/* The decimal digits in n->buf as an integer within the signed range. */
static int
num_decimal_int(struct num *n)
{
	uint64_t lim = n->neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX;
	const char *ds;

	for (ds = n->buf + (n->buf[0] == '+' || n->buf[0] == '-'); *ds; ds++) {
		if (n->u > (lim - (uint64_t)(*ds - '0')) / 10)
			return N_RANGE;
		n->u = n->u * 10 + (uint64_t)(*ds - '0');
	}
	return N_OK;
}

/* Decimal digits, then a fraction and an exponent that make a float. */
static int
num_decimal(struct num *n)
{
	int k, r;

	if ((k = udigits(n->q, n->e, 10, n->buf, sizeof(n->buf),
	    &n->bl)) < 0)
		return k;
	if (*n->q == '0' && k > 1)
		return N_BAD;	/* leading zero */
	n->q += k;
	if (n->q < n->e && *n->q == '.') {
		if ((r = num_putc(n, '.')) != N_OK)
			return r;
		n->q++;
		if ((r = num_digits(n, 10)) != N_OK)
			return r;
		n->isfloat = 1;
	}
	if (n->q < n->e && (*n->q == 'e' || *n->q == 'E')) {
		if ((r = num_putc(n, 'e')) != N_OK)
			return r;
		n->q++;
		if (n->q < n->e && (*n->q == '+' || *n->q == '-') &&
		    (r = num_putc(n, *n->q++)) != N_OK)
			return r;
		if ((r = num_digits(n, 10)) != N_OK)
			return r;
		n->isfloat = 1;
	}
	if (n->isfloat) {
		errno = 0;
		n->d = strtod(n->buf, NULL);
		return N_OK;
	}
	return num_decimal_int(n);
}

/* The number at n->q: a sign, then inf, nan, a based integer or a
 * decimal one or a float. */
static int
num_read(struct num *n)
{
	const char *q;

	if (*n->q == '+' || *n->q == '-') {
		n->neg = *n->q == '-';
		n->buf[n->bl++] = *n->q++;
	}
	q = n->q;
	if (n->e - q >= 3 && (memcmp(q, "inf", 3) == 0 ||
	    memcmp(q, "nan", 3) == 0)) {
		n->d = q[0] == 'n' ? NAN : n->neg ? -INFINITY : INFINITY;
		n->isfloat = 1;
		n->q += 3;
		return N_OK;
	}
	if (q < n->e && *q == '0' && q + 1 < n->e && (q[1] == 'x' ||
	    q[1] == 'o' || q[1] == 'b'))
		return num_based(n);
	return num_decimal(n);
}

/* The value made of a number read; t->p moves past it. */
static int
num_make(struct tp *t, struct num *n, cJSON **out, int pos)
{
	char txt[32];

	if (n->isfloat) {
		if ((*out = cJSON_CreateNumber(0)) == NULL)
			return tp_nomem(t);
		(*out)->valuedouble = n->d;
		tp_settag(*out, FG_TOML_FLOAT, pos);
		t->p = n->q;
		return 0;
	}
	if (n->u == 0)
		n->neg = 0;	/* -0 is 0 */
	if (n->neg)
		snprintf(txt, sizeof(txt), "-%" PRIu64, n->u);
	else
		snprintf(txt, sizeof(txt), "%" PRIu64, n->u);
	if ((*out = cJSON_CreateNumber(n->neg ? -(double)n->u :
	    (double)n->u)) == NULL)
		return tp_nomem(t);
	if (((*out)->valuestring = strdup(txt)) == NULL) {
		cJSON_Delete(*out);
		*out = NULL;
		return tp_nomem(t);
	}
	tp_settag(*out, FG_TOML_INTEGER, pos);
	t->p = n->q;
	return 0;
}

int
tp_number(struct tp *t, cJSON **out, int pos)
{
	const char *at = t->p, *q;
	struct num n;
	int r;

	memset(&n, 0, sizeof(n));
	n.q = t->p;
	n.e = t->end;
	r = num_read(&n);
	q = n.q;
	if (r == N_OK && q < n.e && (tp_isbare((unsigned char)*q) ||
	    *q == '.' || *q == '+' || *q == ':'))
		r = N_BAD;
	switch (r) {
	case N_OK:
		return num_make(t, &n, out, pos);
	case N_LONG:
		return tp_err(t, at, FG_ELIMIT, "number longer than %d "
		    "characters", (int)sizeof(n.buf) - 12);
	case N_RANGE:
		return tp_err(t, at, FG_EPARSE,
		    "integer out of the 64-bit range");
	default:
		while (q < n.e && (tp_isbare((unsigned char)*q) || *q == '.' ||
		    *q == '+'))
			q++;
		return tp_err(t, at, FG_EPARSE, "invalid number \"%.*s\"",
		    (int)(q - at > 40 ? 40 : q - at), at);
	}
}
