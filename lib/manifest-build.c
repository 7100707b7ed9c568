/*
 * manifest-build.c: the build settings cargo would use, resolved the way
 * cargo does: the target triple, the target directory, the linker and
 * the rustflags (the first source that has any wins: the environment's,
 * then target.<triple> and target.'cfg(..)' rustflags merged over the
 * configs, then build.rustflags).  Each says where it came from.
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

/* ---- config values ------------------------------------------------ */

/* The value of dotted path in the highest-precedence config that has
 * it; *ci set to that config's index. */
const cJSON *
mf_cfgget(const struct fg_manifest *m, const char *path, size_t *ci)
{
	const cJSON *v;

	for (size_t i = 0; i < m->ncfg; i++)
		if ((v = toml_get(m->cfg[i].doc, path)) != NULL) {
			if (ci)
				*ci = i;
			return v;
		}
	return NULL;
}

static int
split_words(struct fg_manifest *m, const char *s, char sep,
    const char ***out, size_t *n)
{
	const char **v;
	size_t cap = 0, k = 0;
	const char *p, *q;

	for (p = s; *p; p++)
		cap++;
	if ((v = arena_alloc(&m->ar, (cap + 1) * sizeof(*v))) == NULL)
		return FG_ENOMEM;
	for (p = s; *p;) {
		if (sep == ' ') {
			while (*p == ' ' || *p == '\t' || *p == '\n')
				p++;
			if (*p == '\0')
				break;
			for (q = p; *q && *q != ' ' && *q != '\t' &&
			    *q != '\n'; q++)
				;
		} else
			for (q = p; *q && *q != sep; q++)
				;
		if (q > p || sep != ' ')
			v[k++] = arena_strndup(&m->ar, p, (size_t)(q - p));
		p = *q ? q + 1 : q;
	}
	*out = v;
	*n = k;
	return 0;
}

/* The words of a rustflags config value (string or array of strings). */
static int
cfgwords(struct fg_manifest *m, const cJSON *v, const char *path,
    const char ***w, size_t *nw, struct fg_error *err)
{
	const cJSON *e;

	*nw = 0;
	if (cJSON_IsString(v)) {
		if (split_words(m, v->valuestring, ' ', w, nw) != 0)
			return seterr(err, FG_ENOMEM, "out of memory");
		return 0;
	}
	if (!cJSON_IsArray(v))
		return seterr(err, FG_EPARSE, "%s:%u:%u: rustflags must be "
		    "a string or an array of strings", path, toml_line(v),
		    toml_col(v));
	if ((*w = arena_alloc(&m->ar, ((size_t)cJSON_GetArraySize(v) + 1) *
	    sizeof(**w))) == NULL)
		return seterr(err, FG_ENOMEM, "out of memory");
	cJSON_ArrayForEach(e, v) {
		if (!cJSON_IsString(e))
			return seterr(err, FG_EPARSE, "%s:%u:%u: rustflags "
			    "must be strings", path, toml_line(e),
			    toml_col(e));
		(*w)[(*nw)++] = e->valuestring;
	}
	return 0;
}

/* Append nw words to the list *acc of *nacc. */
static int
appendw(struct fg_manifest *m, const char ***acc, size_t *nacc,
    const char **w, size_t nw)
{
	const char **nv;
	size_t i;

	if ((nv = arena_alloc(&m->ar, (*nacc + nw + 1) * sizeof(*nv))) ==
	    NULL)
		return FG_ENOMEM;
	for (i = 0; i < *nacc; i++)
		nv[i] = (*acc)[i];
	for (i = 0; i < nw; i++)
		nv[*nacc + i] = w[i];
	*acc = nv;
	*nacc += nw;
	return 0;
}

/*
 * One rustflags key merged over the configs as cargo merges config
 * values, lowest precedence first: arrays join, a string replaces what
 * came before, and a string and an array refuse to merge (cargo fails
 * with "could not load Cargo configuration").
 */
struct fmerge {
	const char **v;
	size_t n;
	int kind;		/* 0 none, 1 string, 2 array */
	const char *from;	/* origin of the last value merged */
};

static int
fmerge_add(struct fg_manifest *m, struct fmerge *f, const cJSON *v,
    const char *path, struct fg_error *err)
{
	const char **w;
	size_t nw;
	int kind = cJSON_IsString(v) ? 1 : 2, r;
	const char *here = mf_origin_of(&m->ar, path, v);

	if ((r = cfgwords(m, v, path, &w, &nw, err)) != 0)
		return r;
	if (here == NULL)
		return seterr(err, FG_ENOMEM, "out of memory");
	if (f->kind != 0 && f->kind != kind)
		return seterr(err, FG_EPARSE, "%s: rustflags is %s but %s "
		    "has %s: cargo cannot merge them either; use the same "
		    "form in both", here, kind == 1 ? "a string" : "an array",
		    f->from, f->kind == 1 ? "a string" : "an array");
	if (kind == 1) {
		f->v = w;
		f->n = nw;
	} else if (appendw(m, &f->v, &f->n, w, nw) != 0)
		return seterr(err, FG_ENOMEM, "out of memory");
	f->kind = kind;
	f->from = here;
	return 0;
}

/* Append the space-separated words of an environment value. */
static int
envflags(struct fg_manifest *m, const char *s, const char ***acc,
    size_t *nacc, struct fg_error *err)
{
	const char **w;
	size_t nw;

	if (split_words(m, s, ' ', &w, &nw) != 0 ||
	    appendw(m, acc, nacc, w, nw) != 0)
		return seterr(err, FG_ENOMEM, "out of memory");
	return 0;
}

void
mf_envname(char *out, size_t outsz, const char *prefix, const char *a,
    const char *b)
{
	size_t n = 0;
	const char *parts[3] = { prefix, a, b };

	for (int k = 0; k < 3; k++) {
		const char *s = parts[k];

		if (s == NULL)
			continue;
		if (k > 0 && n + 1 < outsz)
			out[n++] = '_';
		for (; *s && n + 1 < outsz; s++)
			out[n++] = (*s == '-' || *s == '.') ? '_' :
			    (*s >= 'a' && *s <= 'z') ? (char)(*s - 32) : *s;
	}
	out[n] = '\0';
}


/* The target triple (--target, CARGO_BUILD_TARGET, build.target). */
static void
bs_triple(struct fg_manifest *m, const struct fg_manifest_opts *o)
{
	const cJSON *v;
	const char *s;
	struct utsname u;
	size_t ci;

	if (o->target != NULL)
		m->build_target = mf_astr(m, o->target);
	else if ((s = mf_envget(m, "CARGO_BUILD_TARGET")) != NULL)
		m->build_target = mf_astr(m, s);
	else if ((v = mf_cfgget(m, "build.target", &ci)) != NULL) {
		if (cJSON_IsArray(v) && v->child != NULL) {
			warnf(&m->warn, "%s: build.target lists several "
			    "targets; using the first",
			    mf_origin_of(&m->ar, m->cfg[ci].path, v));
			v = v->child;
		}
		if (cJSON_IsString(v))
			m->build_target = mf_astr(m, v->valuestring);
	}
	if (uname(&u) == 0)
		m->host = mf_afmt(&m->ar, "%s-unknown-linux-gnu", u.machine);
	else
		m->host = "x86_64-unknown-linux-gnu";
}

/* The target directory and where it was set. */
static void
bs_target_dir(struct fg_manifest *m)
{
	const cJSON *v;
	const char *s;
	size_t ci;

	if ((s = mf_envget(m, "CARGO_TARGET_DIR")) != NULL) {
		m->target_dir = mf_abspath(m, m->dir, s);
		m->target_dir_origin = "CARGO_TARGET_DIR";
	} else if ((s = mf_envget(m, "CARGO_BUILD_TARGET_DIR")) != NULL) {
		m->target_dir = mf_abspath(m, m->dir, s);
		m->target_dir_origin = "CARGO_BUILD_TARGET_DIR";
	} else if ((v = mf_cfgget(m, "build.target-dir", &ci)) != NULL &&
	    cJSON_IsString(v)) {
		m->target_dir = mf_abspath(m, m->cfg[ci].base, v->valuestring);
		m->target_dir_origin = mf_origin_of(&m->ar, m->cfg[ci].path, v);
	} else {
		m->target_dir = mf_afmt(&m->ar, "%s/target", m->root);
		m->target_dir_origin = "default";
	}
}

/* The linker: CARGO_TARGET_<TRIPLE>_LINKER, else target.<triple>.linker. */
static void
bs_linker(struct fg_manifest *m, const char *triple)
{
	const cJSON *tt, *v;
	char name[256];

	mf_envname(name, sizeof(name), "CARGO_TARGET", triple, "LINKER");
	if ((m->linker = mf_envget(m, name)) != NULL) {
		m->linker_origin = mf_astr(m, name);
		return;
	}
	for (size_t ci = 0; ci < m->ncfg; ci++) {
		tt = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(m->cfg[ci].doc, "target"),
		    triple);
		v = cJSON_GetObjectItemCaseSensitive(tt, "linker");
		if (cJSON_IsString(v)) {
			m->linker = mf_abspath(m, m->cfg[ci].base,
			    v->valuestring);
			if (strchr(v->valuestring, '/') == NULL)
				m->linker = v->valuestring;
			m->linker_origin = mf_origin_of(&m->ar,
			    m->cfg[ci].path, v);
			return;
		}
	}
}

/* A list of rustflags under construction. */
struct flags {
	const char **acc;
	size_t nacc;
};

/* Append a merged config value, if any, noting where it came from. */
static int
flags_take(struct fg_manifest *m, struct flags *fl, const struct fmerge *f)
{
	if (f->kind == 0)
		return 0;
	if (appendw(m, &fl->acc, &fl->nacc, f->v, f->n) != 0)
		return FG_ENOMEM;
	m->rustflags_origin = f->from;
	return 0;
}

/* [target.KEY] rustflags merged over the configs up to index last. */
static int
flags_target_key(struct fg_manifest *m, struct flags *fl, const char *key,
    size_t last, struct fg_error *err)
{
	const cJSON *v;
	struct fmerge f;
	int r;

	memset(&f, 0, sizeof(f));
	for (size_t k = last + 1; k-- > 0;) {
		v = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(toml_get(m->cfg[k].doc,
		    "target"), key), "rustflags");
		if (v != NULL && (r = fmerge_add(m, &f, v, m->cfg[k].path,
		    err)) != 0)
			return r;
	}
	return flags_take(m, fl, &f) != 0 ? seterr(err, FG_ENOMEM,
	    "out of memory") : 0;
}

/* Each distinct matching target.'cfg(..)' key, in order of first use. */
static int
flags_cfg(struct fg_manifest *m, struct flags *fl, const char *triple,
    struct fg_error *err)
{
	const cJSON *e;
	size_t i, j;
	int r;

	for (i = m->ncfg; i-- > 0;) {
		cJSON_ArrayForEach(e, toml_get(m->cfg[i].doc, "target")) {
			if (!mf_cfg_matches(e->string, triple))
				continue;
			for (j = m->ncfg; j-- > i + 1;)	/* seen before? */
				if (cJSON_GetObjectItemCaseSensitive(toml_get(
				    m->cfg[j].doc, "target"), e->string) != NULL)
					break;
			if (j != (size_t)-1 && j > i)
				continue;
			if ((r = flags_target_key(m, fl, e->string, i, err)) != 0)
				return r;
		}
	}
	return 0;
}

/* build.rustflags merged over the configs, then CARGO_BUILD_RUSTFLAGS. */
static int
flags_build(struct fg_manifest *m, struct flags *fl, struct fg_error *err)
{
	const cJSON *v;
	const char *s;
	struct fmerge f;
	int r;

	memset(&f, 0, sizeof(f));
	for (size_t i = m->ncfg; i-- > 0;) {
		v = toml_get(m->cfg[i].doc, "build.rustflags");
		if (v != NULL && (r = fmerge_add(m, &f, v, m->cfg[i].path,
		    err)) != 0)
			return r;
	}
	if (flags_take(m, fl, &f) != 0)
		return seterr(err, FG_ENOMEM, "out of memory");
	if ((s = mf_envget(m, "CARGO_BUILD_RUSTFLAGS")) != NULL) {
		if ((r = envflags(m, s, &fl->acc, &fl->nacc, err)) != 0)
			return r;
		m->rustflags_origin = "CARGO_BUILD_RUSTFLAGS";
	}
	return 0;
}

/*
 * The rustflags: the first source that has any wins.  The environment's
 * CARGO_ENCODED_RUSTFLAGS or RUSTFLAGS; else target.<triple>.rustflags
 * merged over the configs, then its environment variable, then each
 * matching target.'cfg(..)' key merged over the configs; only when none
 * has any, build.rustflags merged over the configs and then
 * CARGO_BUILD_RUSTFLAGS.
 */
static int
bs_rustflags(struct fg_manifest *m, const char *triple, struct fg_error *err)
{
	struct flags fl = { NULL, 0 };
	const char *s;
	char name[256];
	int r;

	if ((s = mf_envget(m, "CARGO_ENCODED_RUSTFLAGS")) != NULL) {
		if (*s != '\0' && split_words(m, s, '\x1f', &m->rustflags,
		    &m->nrustflags) != 0)
			return seterr(err, FG_ENOMEM, "out of memory");
		m->rustflags_origin = "CARGO_ENCODED_RUSTFLAGS";
		return 0;
	}
	if ((s = mf_envget(m, "RUSTFLAGS")) != NULL) {
		if (split_words(m, s, ' ', &m->rustflags, &m->nrustflags) != 0)
			return seterr(err, FG_ENOMEM, "out of memory");
		m->rustflags_origin = "RUSTFLAGS";
		return 0;
	}
	if ((r = flags_target_key(m, &fl, triple, m->ncfg - 1, err)) != 0)
		return r;
	mf_envname(name, sizeof(name), "CARGO_TARGET", triple, "RUSTFLAGS");
	if ((s = mf_envget(m, name)) != NULL) {
		if ((r = envflags(m, s, &fl.acc, &fl.nacc, err)) != 0)
			return r;
		m->rustflags_origin = mf_astr(m, name);
	}
	if ((r = flags_cfg(m, &fl, triple, err)) != 0)
		return r;
	if (m->rustflags_origin == NULL && (r = flags_build(m, &fl, err)) != 0)
		return r;
	m->rustflags = fl.acc;
	m->nrustflags = fl.nacc;
	return 0;
}

int
mf_buildsettings(struct fg_manifest *m, const struct fg_manifest_opts *o,
    struct fg_error *err)
{
	const char *triple;

	bs_triple(m, o);
	bs_target_dir(m);
	triple = m->build_target ? m->build_target : m->host;
	bs_linker(m, triple);
	return bs_rustflags(m, triple, err);
}


const char *
fg_manifest_target_dir(const struct fg_manifest *m, const char **origin)
{
	if (origin)
		*origin = m->target_dir_origin;
	return m->target_dir;
}

const char *
fg_manifest_build_target(const struct fg_manifest *m)
{
	return m->build_target;
}

size_t
fg_manifest_rustflags(const struct fg_manifest *m, const char *const **flags,
    const char **origin)
{
	*flags = m->rustflags;
	if (origin)
		*origin = m->rustflags_origin;
	return m->nrustflags;
}

const char *
fg_manifest_linker(const struct fg_manifest *m, const char **origin)
{
	if (origin)
		*origin = m->linker_origin;
	return m->linker;
}
