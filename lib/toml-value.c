/*
 * toml-value.c: a TOML value: the kind is told by its first bytes, then
 * read here (booleans, arrays, inline tables) or by toml-string.c,
 * toml-number.c, toml-date.c.  Nesting is bounded by FG_TOML_MAX_DEPTH.
 */
#include <string.h>

#include "toml-int.h"

static int
array(struct tp *t, cJSON **out, int pos)
{
	const char *at = t->p;
	cJSON *a, *v;
	int r;

	if (++t->depth > FG_TOML_MAX_DEPTH)
		return tp_err(t, at, FG_ELIMIT, "more than %d nested arrays "
		    "and tables", FG_TOML_MAX_DEPTH);
	if ((a = cJSON_CreateArray()) == NULL)
		return tp_nomem(t);
	tp_settag(a, FG_TOML_ARRAY, pos);
	a->type |= F_INLINE;
	t->p++;
	for (;;) {
		if ((r = tp_skipall(t)) != 0)
			goto fail;
		if (t->p >= t->end) {
			r = tp_err(t, at, FG_EPARSE, "unterminated array");
			goto fail;
		}
		if (*t->p == ']')
			break;
		if ((r = tp_value(t, &v)) != 0)
			goto fail;
		cJSON_AddItemToArray(a, v);
		if ((r = tp_skipall(t)) != 0)
			goto fail;
		if (t->p < t->end && *t->p == ',') {
			t->p++;
			continue;
		}
		if (t->p < t->end && *t->p == ']')
			break;
		r = tp_err(t, t->p, FG_EPARSE,
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
		return tp_err(t, at, FG_ELIMIT, "more than %d nested arrays "
		    "and tables", FG_TOML_MAX_DEPTH);
	if ((tab = cJSON_CreateObject()) == NULL)
		return tp_nomem(t);
	tp_settag(tab, FG_TOML_TABLE, pos);
	t->p++;
	tp_skipws(t);
	if (t->p < t->end && *t->p == '}')
		goto end;
	for (;;) {
		if ((r = tp_keyval(t, tab)) != 0)
			goto fail;
		tp_skipws(t);
		if (t->p < t->end && *t->p == ',') {
			t->p++;
			continue;
		}
		if (t->p < t->end && *t->p == '}')
			break;
		if (t->p >= t->end)
			r = tp_err(t, at, FG_EPARSE,
			    "unterminated inline table");
		else if (tp_atnl(t) || *t->p == '#' || *t->p == '\r')
			r = tp_err(t, t->p, FG_EPARSE,
			    "newline or comment in an inline table");
		else
			r = tp_err(t, t->p, FG_EPARSE,
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

int
tp_value(struct tp *t, cJSON **out)
{
	const char *at = t->p;
	int pos, ml, r;
	char c;

	*out = NULL;
	if (t->p >= t->end || tp_atnl(t) || *t->p == '#')
		return tp_err(t, at, FG_EPARSE, "expected a value");
	pos = tp_posof(t, at);
	c = *t->p;
	switch (c) {
	case '"':
	case '\'':
		if ((r = tp_string(t, &ml)) != 0)
			return r;
		if ((*out = cJSON_CreateString(t->sb.d)) == NULL)
			return tp_nomem(t);
		tp_settag(*out, FG_TOML_STRING, pos);
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
		if (tp_isdig(c)) {
			if ((t->end - t->p >= 5 && tp_isdig(t->p[1]) &&
			    tp_isdig(t->p[2]) && tp_isdig(t->p[3]) &&
			    t->p[4] == '-') ||
			    (t->end - t->p >= 3 && tp_isdig(t->p[1]) &&
			    t->p[2] == ':'))
				return tp_datetime(t, out, pos);
			return tp_number(t, out, pos);
		}
		if (c == '+' || c == '-' || c == 'i' || c == 'n')
			return tp_number(t, out, pos);
		break;
	}
	return tp_err(t, at, FG_EPARSE, "expected a value");
boolean:
	if (*out == NULL)
		return tp_nomem(t);
	tp_settag(*out, FG_TOML_BOOL, pos);
	if (t->p < t->end && tp_isbare((unsigned char)*t->p)) {
		cJSON_Delete(*out);
		*out = NULL;
		return tp_err(t, at, FG_EPARSE, "expected a value");
	}
	return 0;
}
