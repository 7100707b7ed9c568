/*
 * manifest-profile.c: the effective settings of a profile (cargo's
 * built-in defaults, [profile.*] of the root manifest, the configs,
 * CARGO_PROFILE_*, following inherits) and the minimal environment
 * overrides that keep symbols and line tables in its build.
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

#define MAX_INHERITS	32

static const char *const profile_keys[PROFILE_NKEYS] = {
	"debug", "strip", "split-debuginfo", "lto", "panic", "opt-level",
	"codegen-units", "debug-assertions", "overflow-checks", "incremental",
	"rpath", "inherits"
};

/* ---- profiles ----------------------------------------------------- */

static int
keyidx(const char *key)
{
	for (int i = 0; i < PROFILE_NKEYS; i++)
		if (strcmp(profile_keys[i], key) == 0)
			return i;
	return -1;
}

/*
 * Cargo's canonical spelling of a profile setting given as a TOML item
 * (it) or an environment string (s); NULL when the value is invalid.
 */
const char *
mf_canon(struct fg_arena *ar, int k, const cJSON *it, const char *s)
{
	static const char *const dbg[] = { "none", "line-directives-only",
	    "line-tables-only", "limited", "full" };
	enum fg_toml_type ty = FG_TOML_STRING;
	int64_t iv = 0;
	int isint = 0, isbool = 0, bv = 0;
	char *end;

	if (it != NULL) {
		ty = toml_type(it);
		if (ty == FG_TOML_INTEGER && toml_int(it, &iv) == 0)
			isint = 1;
		else if (ty == FG_TOML_BOOL) {
			isbool = 1;
			bv = cJSON_IsTrue(it);
		} else if (ty == FG_TOML_STRING)
			s = it->valuestring;
		else
			return NULL;
	} else if (s == NULL) {
		return NULL;
	} else {
		if (strcmp(s, "true") == 0 || strcmp(s, "false") == 0) {
			isbool = 1;
			bv = s[0] == 't';
		} else if (*s != '\0') {
			errno = 0;
			iv = strtoll(s, &end, 10);
			isint = *end == '\0' && errno == 0;
		}
	}
	switch (k) {
	case 0:		/* debug */
		if (isbool)
			return bv ? "full" : "none";
		if (isint)
			return iv == 0 ? "none" : iv == 1 ? "limited" :
			    iv == 2 ? "full" : NULL;
		for (int i = 0; i < 5; i++)
			if (strcmp(s, dbg[i]) == 0)
				return dbg[i];
		return NULL;
	case 1:		/* strip */
		if (isbool)
			return bv ? "symbols" : "none";
		if (isint)
			return NULL;
		if (strcmp(s, "none") == 0 || strcmp(s, "debuginfo") == 0 ||
		    strcmp(s, "symbols") == 0)
			return s;
		return NULL;
	case 2:		/* split-debuginfo */
		if (isbool || isint)
			return NULL;
		if (strcmp(s, "off") == 0 || strcmp(s, "packed") == 0 ||
		    strcmp(s, "unpacked") == 0)
			return s;
		return NULL;
	case 3:		/* lto */
		if (isbool)
			return bv ? "fat" : "false";
		if (isint)
			return NULL;
		if (strcmp(s, "thin") == 0 || strcmp(s, "fat") == 0 ||
		    strcmp(s, "off") == 0 || strcmp(s, "false") == 0)
			return s;
		return NULL;
	case 4:		/* panic */
		if (isbool || isint)
			return NULL;
		if (strcmp(s, "unwind") == 0 || strcmp(s, "abort") == 0)
			return s;
		return NULL;
	case 5:		/* opt-level */
		if (isint)
			return iv >= 0 && iv <= 3 ? mf_afmt(ar, "%d", (int)iv) :
			    NULL;
		if (isbool)
			return NULL;
		if (strcmp(s, "s") == 0 || strcmp(s, "z") == 0)
			return s;
		return NULL;
	case 6:		/* codegen-units */
		return isint && iv > 0 ? mf_afmt(ar, "%" PRId64, iv) : NULL;
	case 7: case 8: case 9: case 10:	/* booleans */
		return isbool ? (bv ? "true" : "false") : NULL;
	case 11:	/* inherits */
		return isbool || isint || *s == '\0' ? NULL : s;
	default:
		return NULL;
	}
}

static const char *const want_type[PROFILE_NKEYS] = {
	("true, false, 0, 1, 2, \"none\", \"line-directives-only\", "
	    "\"line-tables-only\", \"limited\" or \"full\""),
	"true, false, \"none\", \"debuginfo\" or \"symbols\"",
	"\"off\", \"packed\" or \"unpacked\"",
	"true, false, \"thin\", \"fat\" or \"off\"",
	"\"unwind\" or \"abort\"",
	"0, 1, 2, 3, \"s\" or \"z\"",
	"a positive integer",
	"true or false", "true or false", "true or false", "true or false",
	"a profile name"
};

/*
 * The explicit setting k of profile pname: environment, then configs
 * (highest first), then the root manifest.  0 with *val NULL when unset.
 */
static int
explicit(const struct fg_manifest *m, struct fg_profile *p,
    const char *pname, int k, const char **val, const char **origin,
    struct fg_error *err)
{
	char name[256], path[256];
	const cJSON *it;
	const char *s, *file = NULL;
	size_t ci;

	*val = NULL;
	mf_envname(name, sizeof(name), "CARGO_PROFILE", pname, profile_keys[k]);
	if ((s = mf_envget(m, name)) != NULL) {
		if ((*val = mf_canon(&p->ar, k, NULL, s)) == NULL)
			return seterr(err, FG_EPARSE, "%s=%s: %s must be %s",
			    name, s, profile_keys[k], want_type[k]);
		*origin = mf_afmt(&p->ar, "%s", name);
		return *origin ? 0 : seterr(err, FG_ENOMEM, "out of memory");
	}
	snprintf(path, sizeof(path), "profile.%s.%s", pname, profile_keys[k]);
	it = NULL;
	if (strchr(pname, '.') == NULL) {
		/* toml_get splits at dots; profile names have none */
		if ((it = mf_cfgget(m, path, &ci)) != NULL)
			file = m->cfg[ci].path;
		else if ((it = toml_get(m->root_doc, path)) != NULL)
			file = m->root_manifest;
	}
	if (it == NULL)
		return 0;
	if ((*val = mf_canon(&p->ar, k, it, NULL)) == NULL)
		return seterr(err, FG_EPARSE, "%s:%u:%u: profile.%s.%s must "
		    "be %s", file, toml_line(it), toml_col(it), pname,
		    profile_keys[k], want_type[k]);
	*origin = mf_origin_of(&p->ar, file, it);
	return *origin ? 0 : seterr(err, FG_ENOMEM, "out of memory");
}

static int
defined(const struct fg_manifest *m, const char *pname)
{
	char path[256];

	snprintf(path, sizeof(path), "profile.%s", pname);
	return mf_cfgget(m, path, NULL) != NULL ||
	    toml_get(m->root_doc, path) != NULL;
}

static void
builtin(struct fg_profile *p, int release)
{
	static const char *const dev[PROFILE_NKEYS] = { "full", NULL, "off",
	    "false", "unwind", "0", "256", "true", "true", "true", "false",
	    NULL };
	static const char *const rel[PROFILE_NKEYS] = { "none", NULL, "off",
	    "false", "unwind", "3", "16", "false", "false", "false", "false",
	    NULL };

	for (int k = 0; k < PROFILE_NKEYS; k++) {
		p->val[k] = release ? rel[k] : dev[k];
		p->origin[k] = "default";
	}
}

static int
resolve(const struct fg_manifest *m, struct fg_profile *p, const char *pname,
    int depth, struct fg_error *err)
{
	const char *vals[PROFILE_NKEYS], *orgs[PROFILE_NKEYS], *parent;
	int k, r;

	if (depth > MAX_INHERITS)
		return seterr(err, FG_EINVAL, "profile %s: inherits chain "
		    "longer than %d (a cycle?)", pname, MAX_INHERITS);
	if (strlen(pname) > 64 || strchr(pname, '.') != NULL)
		return seterr(err, FG_EINVAL, "invalid profile name \"%s\"",
		    pname);
	for (k = 0; k < PROFILE_NKEYS; k++)
		if ((r = explicit(m, p, pname, k, &vals[k], &orgs[k], err)) != 0)
			return r;
	parent = vals[11];
	if (strcmp(pname, "dev") == 0 || strcmp(pname, "release") == 0) {
		builtin(p, pname[0] == 'r');
	} else if (strcmp(pname, "test") == 0 || strcmp(pname, "doc") == 0 ||
	    strcmp(pname, "bench") == 0) {
		if ((r = resolve(m, p, pname[0] == 'b' ? "release" : "dev",
		    depth + 1, err)) != 0)
			return r;
	} else {
		if (!defined(m, pname) && vals[11] == NULL)
			return seterr(err, FG_EINVAL, "profile \"%s\" is not "
			    "defined in %s or a cargo config", pname,
			    m->root_manifest);
		if (parent == NULL)
			return seterr(err, FG_EINVAL, "profile \"%s\" has no "
			    "inherits (custom profiles must say which profile "
			    "they inherit from)", pname);
		if ((r = resolve(m, p, parent, depth + 1, err)) != 0)
			return r;
	}
	for (k = 0; k < PROFILE_NKEYS; k++)
		if (vals[k] != NULL) {
			p->val[k] = vals[k];
			p->origin[k] = orgs[k];
		}
	return 0;
}

int
mf_debugrank(const char *v)
{
	static const char *const dbg[] = { "none", "line-directives-only",
	    "line-tables-only", "limited", "full" };

	for (int i = 0; i < 5; i++)
		if (strcmp(v, dbg[i]) == 0)
			return i;
	return 0;
}

static int
addovr(struct fg_profile *p, const char *key, const char *val,
    const char *why)
{
	char name[256];

	mf_envname(name, sizeof(name), "CARGO_PROFILE", p->name, key);
	p->ovr[p->novr] = mf_afmt(&p->ar, "%s=%s", name, val);
	p->why[p->novr] = why;
	if (p->ovr[p->novr] == NULL || why == NULL)
		return FG_ENOMEM;
	p->novr++;
	return 0;
}

static int
overrides(struct fg_profile *p)
{
	const char *strip = p->val[1];
	int r;

	/* cargo strips debuginfo by default when debug is off */
	if (strip == NULL) {
		if (mf_debugrank(p->val[0]) == 0) {
			p->val[1] = "debuginfo";
			p->origin[1] = "default (debug is off)";
		} else {
			p->val[1] = "none";
			p->origin[1] = "default";
		}
	}
	if (mf_debugrank(p->val[0]) < 2) {
		r = addovr(p, "debug", "1", mf_afmt(&p->ar, "profile %s has "
		    "debug = \"%s\" (%s), which keeps no line tables or inline "
		    "frames: building with debug = 1 (\"limited\")", p->name,
		    p->val[0], p->origin[0]));
		if (r != 0)
			return r;
	}
	if (strcmp(p->val[1], "none") != 0) {
		r = addovr(p, "strip", "false", mf_afmt(&p->ar, "profile %s has "
		    "strip = \"%s\" (%s), which removes %s: building with "
		    "strip = false", p->name, p->val[1], p->origin[1],
		    strcmp(p->val[1], "symbols") == 0 ? "function names" :
		    "line tables"));
		if (r != 0)
			return r;
	}
	if (strcmp(p->val[2], "off") != 0) {
		r = addovr(p, "split-debuginfo", "off", mf_afmt(&p->ar, "profile "
		    "%s has split-debuginfo = \"%s\" (%s), which moves the "
		    "debug info out of the executable: building with "
		    "split-debuginfo = \"off\"", p->name, p->val[2],
		    p->origin[2]));
		if (r != 0)
			return r;
	}
	return 0;
}

int
fg_manifest_profile(const struct fg_manifest *m, const char *name,
    struct fg_profile **out, struct fg_error *err)
{
	struct fg_profile *p;
	int r;

	*out = NULL;
	if (name == NULL)
		name = "release";
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return seterr(err, FG_ENOMEM, "out of memory");
	arena_init(&p->ar);
	if ((p->name = mf_afmt(&p->ar, "%s", name)) == NULL) {
		r = seterr(err, FG_ENOMEM, "out of memory");
		goto fail;
	}
	if ((r = resolve(m, p, name, 0, err)) != 0)
		goto fail;
	p->dir = strcmp(name, "dev") == 0 || strcmp(name, "test") == 0 ?
	    "debug" : strcmp(name, "bench") == 0 ? "release" : p->name;
	if (overrides(p) != 0) {
		r = seterr(err, FG_ENOMEM, "out of memory");
		goto fail;
	}
	*out = p;
	return 0;
fail:
	fg_profile_free(p);
	return r;
}

void
fg_profile_free(struct fg_profile *p)
{
	if (p == NULL)
		return;
	arena_free(&p->ar);
	free(p);
}

const char *
fg_profile_name(const struct fg_profile *p)
{
	return p->name;
}

const char *
fg_profile_dir(const struct fg_profile *p)
{
	return p->dir;
}

const char *
fg_profile_get(const struct fg_profile *p, const char *key,
    const char **origin)
{
	int k = keyidx(key);

	if (k < 0)
		return NULL;
	if (origin)
		*origin = p->origin[k];
	return p->val[k];
}

size_t
fg_profile_noverrides(const struct fg_profile *p)
{
	return p->novr;
}

const char *
fg_profile_override(const struct fg_profile *p, size_t i, const char **reason)
{
	if (i >= p->novr)
		return NULL;
	if (reason)
		*reason = p->why[i];
	return p->ovr[i];
}
