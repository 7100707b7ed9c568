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
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base.h"
#include "toml-int.h"

int
toml_parse(const char *buf, size_t len, const char *name, cJSON **out,
    struct fg_error *err)
{
	struct tp t;
	int r;

	*out = NULL;
	if (name == NULL)
		name = "<toml>";
	if (len > FG_TOML_MAX_DOC)
		return seterr(err, FG_ELIMIT, "%s: document larger than %u "
		    "bytes", name, FG_TOML_MAX_DOC);
	memset(&t, 0, sizeof(t));
	t.s = t.p = t.lstart = t.cpos = buf;
	t.end = buf + len;
	t.name = name;
	t.err = err;
	t.line = 1;
	t.ccol = 1;
	buf_init(&t.sb, FG_TOML_MAX_STRING);
	if ((r = tp_utf8check(&t)) != 0)
		goto out;
	if ((t.root = cJSON_CreateObject()) == NULL) {
		r = tp_nomem(&t);
		goto out;
	}
	tp_settag(t.root, FG_TOML_TABLE, (1 << 12) | 1);
	t.root->type |= F_DEFINED;
	t.cur = t.root;
	if ((r = tp_document(&t)) != 0)
		goto out;
	*out = t.root;
	t.root = NULL;
out:
	cJSON_Delete(t.root);
	buf_free(&t.sb);
	free(t.idx);
	return r;
}

int
toml_parse_file(const char *path, const char *name, cJSON **out,
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
		return seterr_sys(err, FG_EIO, errno, "%s", name);
	buf_init(&b, (size_t)FG_TOML_MAX_DOC + 1);
	r = buf_reserve(&b, 1);
	while (r == 0) {
		n = read(fd, chunk, sizeof(chunk));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			r = seterr_sys(err, FG_EIO, errno, "%s", name);
			break;
		}
		if (n == 0)
			break;
		if ((r = buf_append(&b, chunk, (size_t)n)) != 0)
			r = seterr(err, r, "%s: %s", name, r == FG_ELIMIT ?
			    "document larger than 8 MiB" : "out of memory");
	}
	close(fd);
	if (r == 0)
		r = toml_parse(b.d, b.len, name, out, err);
	buf_free(&b);
	return r;
}

int
fg_toml_check(const char *buf, size_t len, const char *name,
    struct fg_error *err)
{
	cJSON *root;
	int r;

	if ((r = toml_parse(buf, len, name, &root, err)) == 0)
		cJSON_Delete(root);
	return r;
}

enum fg_toml_type
toml_type(const cJSON *it)
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
toml_type_name(enum fg_toml_type ty)
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
toml_int(const cJSON *it, int64_t *v)
{
	char *end;

	if (toml_type(it) != FG_TOML_INTEGER || it->valuestring == NULL)
		return FG_EINVAL;
	errno = 0;
	*v = strtoll(it->valuestring, &end, 10);
	if (errno != 0 || *end != '\0')
		return FG_EINVAL;
	return 0;
}

unsigned
toml_line(const cJSON *it)
{
	return it == NULL ? 0 : (unsigned)it->valueint >> 12;
}

unsigned
toml_col(const cJSON *it)
{
	return it == NULL ? 0 : (unsigned)it->valueint & 0xfff;
}

const cJSON *
toml_get(const cJSON *tab, const char *path)
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
toml_tagged(const cJSON *it)
{
	enum fg_toml_type ty = toml_type(it);
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
			if ((v = toml_tagged(c)) == NULL) {
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
		return scalar(toml_type_name(ty), it->valuestring ?
		    it->valuestring : "");
	}
}

