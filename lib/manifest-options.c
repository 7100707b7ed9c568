/*
 * manifest-options.c: the tool's own defaults from
 * [workspace.metadata.flamegraph] and [package.metadata.flamegraph]
 * (the package's over the workspace's), typed and checked; unknown keys
 * and wrong types are warnings naming PATH:LINE:COL.
 */
#include <sys/stat.h>
#include <sys/utsname.h>

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <glob.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "manifest-int.h"

/* The tool's own options in [*.metadata.flamegraph]. */
enum otype { O_STR, O_INT, O_NUM, O_BOOL, O_LIST };
static const struct {
	const char *key;
	enum otype type;
} known_opts[] = {
	{ "freq", O_INT }, { "palette", O_STR }, { "title", O_STR },
	{ "subtitle", O_STR }, { "min-width", O_NUM },
	{ "image-width", O_INT }, { "output", O_STR }, { "bin", O_STR },
	{ "example", O_STR }, { "test", O_STR }, { "bench", O_STR },
	{ "notes", O_STR }, { "deterministic", O_BOOL },
	{ "inverted", O_BOOL }, { "reverse", O_BOOL },
	{ "flamechart", O_BOOL }, { "no-inline", O_BOOL },
	{ "ignore-status", O_BOOL }, { "root", O_BOOL }, { "cmd", O_STR },
	{ "skip-after", O_LIST }, { "perf-options", O_LIST },
};
#define NKNOWN (sizeof(known_opts) / sizeof(known_opts[0]))


/* What type k wants, for the warning about a value of another. */
static const char *
type_words(enum otype type)
{
	return type == O_STR ? "a string" : type == O_BOOL ? "true or false" :
	    type == O_INT ? "a positive integer" :
	    type == O_NUM ? "a non-negative number" : "an array of strings";
}

/* The value of e as op's type: 0, 1 when mistyped, or FG_ENOMEM. */
static int
take_value(struct fg_manifest *m, const cJSON *e, enum otype type,
    struct mopt *op)
{
	const cJSON *x;
	int64_t iv;
	size_t n = 0;

	switch (type) {
	case O_STR:
		if (!cJSON_IsString(e))
			return 1;
		op->val = e->valuestring;
		return 0;
	case O_BOOL:
		if (!cJSON_IsBool(e))
			return 1;
		op->val = cJSON_IsTrue(e) ? "true" : "false";
		return 0;
	case O_INT:
		if (toml_int(e, &iv) != 0 || iv <= 0)
			return 1;
		op->val = mf_afmt(&m->ar, "%" PRId64, iv);
		return 0;
	case O_NUM:
		if (toml_int(e, &iv) == 0)
			op->val = mf_afmt(&m->ar, "%" PRId64, iv);
		else if (toml_type(e) == FG_TOML_FLOAT &&
		    e->valuedouble >= 0 && e->valuedouble < 1e9)
			op->val = mf_afmt(&m->ar, "%g", e->valuedouble);
		else
			return 1;
		return 0;
	case O_LIST:
		break;
	}
	if (!cJSON_IsArray(e))
		return 1;
	cJSON_ArrayForEach(x, e) {
		if (!cJSON_IsString(x))
			return 1;
		n++;
	}
	if ((op->items = arena_alloc(&m->ar, (n + 1) * sizeof(char *))) ==
	    NULL)
		return FG_ENOMEM;
	op->nitems = 0;
	cJSON_ArrayForEach(x, e)
		op->items[op->nitems++] = x->valuestring;
	op->val = NULL;
	return 0;
}

static int
takeopts(struct fg_manifest *m, const cJSON *tab, const char *path,
    const char *where)
{
	const cJSON *e;
	size_t k;
	int r;

	if (tab == NULL)
		return 0;
	if (!cJSON_IsObject(tab)) {
		warnf(&m->warn, "%s:%u:%u: [%s] must be a table; ignored",
		    path, toml_line(tab), toml_col(tab), where);
		return 0;
	}
	cJSON_ArrayForEach(e, tab) {
		for (k = 0; k < NKNOWN; k++)
			if (strcmp(known_opts[k].key, e->string) == 0)
				break;
		if (k == NKNOWN) {
			warnf(&m->warn, "%s:%u:%u: unknown key \"%s\" in "
			    "[%s]; ignored", path, toml_line(e),
			    toml_col(e), e->string, where);
			continue;
		}
		r = take_value(m, e, known_opts[k].type, &m->opts[k]);
		if (r == FG_ENOMEM)
			return r;
		if (r == 0) {
			m->opts[k].origin = mf_origin_of(&m->ar, path, e);
			continue;
		}
		warnf(&m->warn, "%s:%u:%u: \"%s\" in [%s] must be %s; "
		    "ignored", path, toml_line(e), toml_col(e), e->string,
		    where, type_words(known_opts[k].type));
	}
	return 0;
}

int
mf_options_take(struct fg_manifest *m)
{
	m->nopts = NKNOWN;
	if ((m->opts = arena_alloc(&m->ar, NKNOWN * sizeof(*m->opts))) ==
	    NULL)
		return FG_ENOMEM;
	memset(m->opts, 0, NKNOWN * sizeof(*m->opts));
	for (size_t i = 0; i < NKNOWN; i++)
		m->opts[i].key = known_opts[i].key;
	if (takeopts(m, toml_get(m->root_doc, "workspace.metadata."
	    "flamegraph"), m->root_manifest, "workspace.metadata.flamegraph")
	    != 0 || (m->pkg_doc != NULL && m->pkg != NULL &&
	    takeopts(m, toml_get(m->pkg_doc, "package.metadata."
	    "flamegraph"), m->pkg_manifest ? m->pkg_manifest : "",
	    "package.metadata.flamegraph") != 0))
		return FG_ENOMEM;
	return 0;
}


static const struct mopt *
findopt(const struct fg_manifest *m, const char *key)
{
	for (size_t i = 0; i < m->nopts; i++)
		if (strcmp(m->opts[i].key, key) == 0)
			return &m->opts[i];
	return NULL;
}

const char *
fg_manifest_option(const struct fg_manifest *m, const char *key,
    const char **origin)
{
	const struct mopt *op = findopt(m, key);

	if (op == NULL || op->origin == NULL)
		return NULL;
	if (origin)
		*origin = op->origin;
	return op->val;
}

size_t
fg_manifest_option_list(const struct fg_manifest *m, const char *key,
    const char *const **items, const char **origin)
{
	const struct mopt *op = findopt(m, key);

	*items = NULL;
	if (op == NULL || op->origin == NULL || op->items == NULL)
		return 0;
	*items = op->items;
	if (origin)
		*origin = op->origin;
	return op->nitems;
}
