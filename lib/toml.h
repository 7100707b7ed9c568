/*
 * toml.h: the internal TOML 1.0 reader.  A document becomes a cJSON tree
 * (tables are objects, arrays are arrays) with the TOML type kept in
 * hidden tag bits of cJSON's type field, so that integers, floats and
 * the four datetime kinds stay distinguishable while ordinary cJSON code
 * can still walk the tree.  See docs/internals/toml.md.
 *
 * Representation, per TOML type:
 *   string          cJSON string
 *   boolean         cJSON true/false
 *   integer         cJSON number; valuedouble is the nearest double, the
 *                   exact value comes from toml_int()
 *   float           cJSON number; valuedouble is the value (inf, nan too)
 *   datetime kinds  cJSON string holding the RFC 3339 text as written,
 *                   with 'T' and 'Z' upper-cased ("1979-05-27T07:32:00Z")
 *                   and the fraction cut to nanoseconds
 *   array           cJSON array
 *   table           cJSON object, keys in document order
 * valueint of every item holds its position (toml_line/toml_col):
 * do not read valueint as a number's value.
 */
#ifndef FG_TOML_H
#define FG_TOML_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "flamegraph.h"

/* Hard limits on untrusted input (FG_ELIMIT past them). */
#define FG_TOML_MAX_DOC		(8u << 20)	/* bytes of a document */
#define FG_TOML_MAX_STRING	(1u << 20)	/* bytes of one string or key */
#define FG_TOML_MAX_DEPTH	128	/* nested tables and arrays */

enum fg_toml_type {
	FG_TOML_NONE = 0,	/* NULL or not a TOML item */
	FG_TOML_STRING,
	FG_TOML_INTEGER,
	FG_TOML_FLOAT,
	FG_TOML_BOOL,
	FG_TOML_DATETIME,	/* offset date-time */
	FG_TOML_DATETIME_LOCAL,
	FG_TOML_DATE_LOCAL,
	FG_TOML_TIME_LOCAL,
	FG_TOML_ARRAY,
	FG_TOML_TABLE
};

/*
 * Parse buf[0..len) (need not be NUL-terminated).  name labels messages:
 * "NAME:LINE:COL: what is wrong" (columns count characters from 1).
 * On success *out is a new tree the caller frees with cJSON_Delete().
 * FG_EPARSE, FG_ELIMIT, FG_ENOMEM; *out is NULL on failure.
 */
int toml_parse(const char *buf, size_t len, const char *name,
    cJSON **out, struct fg_error *err);

/* Read and parse the file path (name labels messages; NULL: path).
 * FG_EIO when it cannot be read (sys is errno). */
int toml_parse_file(const char *path, const char *name, cJSON **out,
    struct fg_error *err);

/* The TOML type of an item of a parsed tree. */
enum fg_toml_type toml_type(const cJSON *item);
/* "string", "integer", "float", "bool", "datetime", "datetime-local",
 * "date-local", "time-local", "array", "table" (toml-test's names). */
const char *toml_type_name(enum fg_toml_type t);

/* The exact value of an integer item: 0, or FG_EINVAL when not one. */
int toml_int(const cJSON *item, int64_t *v);

/* Where the item was defined (its key, or the value for an array
 * element): line and column from 1; 0 when unknown.  Lines past 2^19
 * read as 524287, columns past 4095 as 4095. */
unsigned toml_line(const cJSON *item);
unsigned toml_col(const cJSON *item);

/* Look up a dotted path of keys ("package.metadata.flamegraph") under
 * table t; NULL when some key is missing or not a table on the way. */
const cJSON *toml_get(const cJSON *t, const char *path);

/*
 * The tree as toml-test's tagged JSON (every scalar {"type", "value"}),
 * a new cJSON tree the caller frees; NULL when out of memory.
 */
cJSON *toml_tagged(const cJSON *root);

#endif /* FG_TOML_H */
