/*
 * toml-table.c: the TOML document's structure: key/value lines, [table]
 * and [[array of tables]] headers, and the rules of what may be defined
 * or extended where; a (table, key) index makes every lookup O(1).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "toml-int.h"

/* ---- key index ---------------------------------------------------- */

static uint64_t
ihash(const cJSON *parent, const char *k)
{
	uint64_t h = base_hash(k, strlen(k));

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
		return tp_nomem(t);
	}
	if (iput(t, parent, child) != 0)
		return tp_nomem(t);
	return 0;
}

/* key = value, into table tab (dotted keys make sub-tables). */
int
tp_keyval(struct tp *t, cJSON *tab)
{
	struct seg inl[NINLSEG], *segs = inl;
	cJSON *v = NULL, *c;
	int nseg = 0, i, r;

	if ((r = tp_key(t, inl, &segs, &nseg)) != 0)
		goto out;
	if (t->p >= t->end || *t->p != '=') {
		r = tp_err(t, t->p, FG_EPARSE, "expected '=' after a key");
		goto out;
	}
	t->p++;
	tp_skipws(t);
	if ((r = tp_value(t, &v)) != 0)
		goto out;
	v->valueint = segs[nseg - 1].pos;
	for (i = 0; i < nseg - 1; i++) {
		c = ifind(t, tab, segs[i].k);
		if (c == NULL) {
			if ((c = cJSON_CreateObject()) == NULL) {
				r = tp_nomem(t);
				goto out;
			}
			tp_settag(c, FG_TOML_TABLE, segs[i].pos);
			c->type |= F_DOTTED;
			if ((r = tadd(t, tab, segs[i].k, c)) != 0)
				goto out;
		} else if (!cJSON_IsObject(c) || (c->type & F_INLINE) ||
		    !(c->type & F_DOTTED)) {
			r = tp_err(t, segs[i].at, FG_EPARSE,
			    "key \"%s\" is already defined and cannot be "
			    "extended with a dotted key", segs[i].k);
			goto out;
		}
		tab = c;
	}
	if (ifind(t, tab, segs[nseg - 1].k) != NULL) {
		r = tp_err(t, segs[nseg - 1].at, FG_EPARSE,
		    "duplicate key \"%s\"", segs[nseg - 1].k);
		goto out;
	}
	r = tadd(t, tab, segs[nseg - 1].k, v);
	v = NULL;
out:
	cJSON_Delete(v);
	tp_segsfree(segs, nseg, inl);
	return r;
}

/*
 * The table that the first nseg - 1 segments of a header name, made
 * where missing; an array of tables stands for its last element.
 */
static int
header_parent(struct tp *t, const struct seg *segs, int nseg, cJSON **tabp)
{
	cJSON *tab = t->root, *c;
	int i, r;

	for (i = 0; i < nseg - 1; i++) {
		c = ifind(t, tab, segs[i].k);
		if (c == NULL) {
			if ((c = cJSON_CreateObject()) == NULL)
				return tp_nomem(t);
			tp_settag(c, FG_TOML_TABLE, segs[i].pos);
			if ((r = tadd(t, tab, segs[i].k, c)) != 0)
				return r;
		} else if (cJSON_IsArray(c) && (c->type & F_AOT)) {
			/* cJSON keeps the last element in child->prev */
			c = c->child->prev;
		} else if (!cJSON_IsObject(c) || (c->type & F_INLINE))
			return tp_err(t, segs[i].at, FG_EPARSE,
			    "key \"%s\" is not a table that can be extended",
			    segs[i].k);
		tab = c;
	}
	*tabp = tab;
	return 0;
}

/* [[s]] in tab: a new table at the end of the array of tables s. */
static int
header_aot(struct tp *t, cJSON *tab, const struct seg *s)
{
	cJSON *c = ifind(t, tab, s->k), *n;
	int r;

	if (c == NULL) {
		if ((c = cJSON_CreateArray()) == NULL)
			return tp_nomem(t);
		tp_settag(c, FG_TOML_ARRAY, s->pos);
		c->type |= F_AOT;
		if ((r = tadd(t, tab, s->k, c)) != 0)
			return r;
	} else if (!cJSON_IsArray(c) || !(c->type & F_AOT))
		return tp_err(t, s->at, FG_EPARSE, "\"%s\" is already defined "
		    "and is not an array of tables", s->k);
	if ((n = cJSON_CreateObject()) == NULL)
		return tp_nomem(t);
	tp_settag(n, FG_TOML_TABLE, s->pos);
	n->type |= F_DEFINED;
	cJSON_AddItemToArray(c, n);
	t->cur = n;
	return 0;
}

/* [s] in tab: table s, defined here and nowhere else. */
static int
header_table(struct tp *t, cJSON *tab, const struct seg *s)
{
	cJSON *c = ifind(t, tab, s->k);
	int r;

	if (c == NULL) {
		if ((c = cJSON_CreateObject()) == NULL)
			return tp_nomem(t);
		if ((r = tadd(t, tab, s->k, c)) != 0)
			return r;
	} else if (!cJSON_IsObject(c) ||
	    (c->type & (F_DEFINED | F_DOTTED | F_INLINE)))
		return tp_err(t, s->at, FG_EPARSE,
		    "table \"%s\" is already defined", s->k);
	tp_settag(c, FG_TOML_TABLE, s->pos);
	c->type |= F_DEFINED;
	t->cur = c;
	return 0;
}

/* [a.b.c] or [[a.b.c]] */
static int
header(struct tp *t)
{
	struct seg inl[NINLSEG], *segs = inl;
	cJSON *tab = NULL;
	int aot, nseg = 0, r;

	aot = t->end - t->p >= 2 && t->p[1] == '[';
	t->p += aot ? 2 : 1;
	if ((r = tp_key(t, inl, &segs, &nseg)) != 0)
		goto out;
	if (t->p >= t->end || *t->p != ']' || (aot && (t->end - t->p < 2 ||
	    t->p[1] != ']'))) {
		r = tp_err(t, t->p, FG_EPARSE, aot ? "expected ']]' after a "
		    "table array header" : "expected ']' after a table header");
		goto out;
	}
	t->p += aot ? 2 : 1;
	if ((r = header_parent(t, segs, nseg, &tab)) == 0)
		r = aot ? header_aot(t, tab, &segs[nseg - 1]) :
		    header_table(t, tab, &segs[nseg - 1]);
out:
	tp_segsfree(segs, nseg, inl);
	return r;
}

int
tp_document(struct tp *t)
{
	int n, r;

	if (t->end - t->p >= 3 && memcmp(t->p, "\xef\xbb\xbf", 3) == 0) {
		t->p += 3;
		t->lstart = t->p;
	}
	while (t->p < t->end) {
		tp_skipws(t);
		if (t->p >= t->end)
			break;
		if ((n = tp_atnl(t)) > 0) {
			tp_takenl(t, n);
			continue;
		}
		if (*t->p == '#') {
			if ((r = tp_comment(t)) != 0)
				return r;
			continue;
		}
		if (*t->p == '[')
			r = header(t);
		else
			r = tp_keyval(t, t->cur);
		if (r != 0)
			return r;
		tp_skipws(t);
		if (t->p < t->end && *t->p == '#') {
			if ((r = tp_comment(t)) != 0)
				return r;
		}
		if (t->p < t->end && tp_atnl(t) == 0) {
			if ((unsigned char)*t->p < 0x20 || *t->p == 0x7f)
				return tp_err(t, t->p, FG_EPARSE,
				    "control character U+%04X",
				    (unsigned char)*t->p);
			return tp_err(t, t->p, FG_EPARSE,
			    "expected a newline after a key/value or header");
		}
	}
	return 0;
}
