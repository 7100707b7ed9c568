/*
 * toml-int.h: what the files of the TOML reader share (lib/toml*.c; not
 * installed, not for other modules): the hidden tags of the cJSON tree,
 * the parser's state (struct tp, one per parse, no global state), and
 * the steps one file does for the others.
 *
 *   toml.c          the public API: parse a buffer or a file, read the tree;
 *   toml-lex.c      positions and messages, comments, UTF-8, keys;
 *   toml-string.c   the four kinds of string and their escapes;
 *   toml-value.c    a value by its first bytes: booleans, arrays, inline
 *                   tables (strings, numbers, dates in their own files);
 *   toml-number.c   integers (decimal, hex, octal, binary) and floats;
 *   toml-date.c     dates, times and date-times;
 *   toml-table.c    key/value lines, headers, the document, the key index.
 *
 * Every tp_ function that fails has filled t->err with
 * "NAME:LINE:COL: what" and returns its code.
 */
#ifndef FG_TOML_INT_H
#define FG_TOML_INT_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

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

/* Key segments held inline before a key moves to the heap. */
#define NINLSEG	4

static inline void
tp_settag(cJSON *it, enum fg_toml_type ty, int pos)
{
	it->type = (it->type & ~T_MASK) | ((int)ty << T_SHIFT);
	it->valueint = pos;
}

static inline int
tp_isbare(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '-';
}

static inline int
tp_isdig(int c)
{
	return c >= '0' && c <= '9';
}

static inline void
tp_skipws(struct tp *t)
{
	while (t->p < t->end && (*t->p == ' ' || *t->p == '\t'))
		t->p++;
}

/* At a newline (LF or CRLF)?  Returns its length, 0 if not. */
static inline int
tp_atnl(const struct tp *t)
{
	if (t->p < t->end && *t->p == '\n')
		return 1;
	if (t->end - t->p >= 2 && t->p[0] == '\r' && t->p[1] == '\n')
		return 2;
	return 0;
}

static inline void
tp_takenl(struct tp *t, int n)
{
	t->p += n;
	t->line++;
	t->lstart = t->p;
}


/* toml-lex.c */
/* Fill t->err with "NAME:LINE:COL: " and the message for at; code. */
int tp_err(struct tp *t, const char *at, int code, const char *fmt, ...)
    FG_PRINTF(4, 5);
int tp_nomem(struct tp *t);
/* Position of at (on the current line) packed for valueint. */
int tp_posof(struct tp *t, const char *at);
int tp_comment(struct tp *t);
int tp_skipall(struct tp *t);
int tp_utf8check(struct tp *t);
/*
 * A (dotted) key into *segsp (at most FG_TOML_MAX_DEPTH parts), which
 * starts as inl[NINLSEG] and moves to the heap when longer; *nseg set.
 * The caller frees with tp_segsfree() whatever the result.
 */
int tp_key(struct tp *t, struct seg *inl, struct seg **segsp, int *nseg);
void tp_segsfree(struct seg *s, int n, struct seg *inl);

/* toml-string.c: a string at t->p into t->sb; *ml set for multi-line. */
int tp_string(struct tp *t, int *ml);

/* toml-value.c: the value at t->p into *out (NULL on failure). */
int tp_value(struct tp *t, cJSON **out);

/* toml-number.c, toml-date.c: the value at t->p, which is one. */
int tp_number(struct tp *t, cJSON **out, int pos);
int tp_datetime(struct tp *t, cJSON **out, int pos);

/* toml-table.c */
/* key = value, into table tab (dotted keys make sub-tables). */
int tp_keyval(struct tp *t, cJSON *tab);
/* The whole document at t->p into t->root. */
int tp_document(struct tp *t);

#endif /* FG_TOML_INT_H */
