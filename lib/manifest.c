/*
 * manifest.c: what cargo-flamegraph knows about a Cargo project before
 * cargo runs: the workspace root and package, the effective settings of
 * a profile (Cargo.toml, the .cargo/config.toml files cargo reads, the
 * CARGO_PROFILE_* environment), rustflags, linker and target directory,
 * and the tool's own defaults from [package.metadata.flamegraph].
 * Guarantees: reads files only (never runs cargo), never reads the
 * process environment (the caller passes it), every message names the
 * file:line:col or variable it is about.  See docs/internals/manifest.md.
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

#include "base.h"
#include "toml.h"

#define MAX_CONFIGS	64	/* .cargo directories read, at most */
#define MAX_MEMBERS	4096
#define MAX_INHERITS	32

struct config {
	char *path;		/* .../.cargo/config.toml */
	char *base;		/* directory holding .cargo/ */
	cJSON *doc;
};

struct mopt {
	const char *key;
	const char *val;	/* NULL: unset (or a list) */
	const char **items;	/* list options */
	size_t nitems;
	const char *origin;
};

struct fg_manifest {
	struct fg_arena ar;
	struct fg_warn warn;
	const char *const *env;	/* borrowed only during load */
	char **envcopy;		/* the variables we read, kept */
	size_t nenv;
	const char *dir;
	const char *root, *root_manifest;
	cJSON *root_doc;
	const char *pkg, *pkg_manifest;
	cJSON *pkg_doc;		/* may equal root_doc */
	const char **mdirs, **mnames;
	size_t nmembers;
	struct config *cfg;	/* highest precedence first */
	size_t ncfg;
	const char *target_dir, *target_dir_origin;
	const char *build_target;
	const char *host;
	const char **rustflags;
	size_t nrustflags;
	const char *rustflags_origin;
	const char *linker, *linker_origin;
	struct mopt *opts;
	size_t nopts;
};

#define PROFILE_NKEYS	12
static const char *const profile_keys[PROFILE_NKEYS] = {
	"debug", "strip", "split-debuginfo", "lto", "panic", "opt-level",
	"codegen-units", "debug-assertions", "overflow-checks", "incremental",
	"rpath", "inherits"
};

#define MAX_OVERRIDES	3
struct fg_profile {
	struct fg_arena ar;
	const char *name, *dir;
	const char *val[PROFILE_NKEYS];
	const char *origin[PROFILE_NKEYS];
	const char *ovr[MAX_OVERRIDES];
	const char *why[MAX_OVERRIDES];
	size_t novr;
};

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

/* ---- small helpers ------------------------------------------------ */

static int
isalnum_c(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

static char *
astr(struct fg_manifest *m, const char *s)
{
	return s ? fg_arena_strndup(&m->ar, s, strlen(s)) : NULL;
}

static char *
afmt(struct fg_arena *ar, const char *fmt, ...) FG_PRINTF(2, 3);

static char *
afmt(struct fg_arena *ar, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (s = fg_arena_alloc(ar, (size_t)n + 1)) == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* "PATH:LINE:COL" of a TOML item. */
static const char *
origin_of(struct fg_arena *ar, const char *path, const cJSON *it)
{
	return afmt(ar, "%s:%u:%u", path, fg_toml_line(it), fg_toml_col(it));
}

static const char *
envget(const struct fg_manifest *m, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < m->nenv; i++)
		if (strncmp(m->envcopy[i], name, n) == 0 &&
		    m->envcopy[i][n] == '=')
			return m->envcopy[i] + n + 1;
	return NULL;
}

static int
isfile(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

static int
isdir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Absolute, normalised path of p (relative to base when not absolute);
 * components need not exist. */
static char *
abspath(struct fg_manifest *m, const char *base, const char *p)
{
	char *buf, *out, *s, *tok, *save;
	size_t n;

	if (p[0] == '/')
		buf = afmt(&m->ar, "%s", p);
	else
		buf = afmt(&m->ar, "%s/%s", base, p);
	if (buf == NULL)
		return NULL;
	n = strlen(buf);
	if ((out = fg_arena_alloc(&m->ar, n + 2)) == NULL)
		return NULL;
	out[0] = '\0';
	s = out;
	for (tok = strtok_r(buf, "/", &save); tok != NULL;
	    tok = strtok_r(NULL, "/", &save)) {
		if (strcmp(tok, ".") == 0)
			continue;
		if (strcmp(tok, "..") == 0) {
			char *sl = strrchr(out, '/');

			if (sl != NULL)
				*sl = '\0';
			s = out + strlen(out);
			continue;
		}
		s += sprintf(s, "/%s", tok);
	}
	if (out[0] == '\0')
		strcpy(out, "/");
	return out;
}

static char *
dirname_of(struct fg_manifest *m, const char *path)
{
	const char *sl = strrchr(path, '/');

	if (sl == NULL)
		return astr(m, ".");
	if (sl == path)
		return astr(m, "/");
	return fg_arena_strndup(&m->ar, path, (size_t)(sl - path));
}

static char *
parent_of(struct fg_manifest *m, const char *dir)
{
	if (strcmp(dir, "/") == 0)
		return NULL;
	return dirname_of(m, dir);
}

static int
loaddoc(const char *path, cJSON **doc, struct fg_error *err)
{
	return fg_toml_parse_file(path, path, doc, err);
}

/* ---- loading ------------------------------------------------------ */

void
fg_manifest_opts_init(struct fg_manifest_opts *o)
{
	memset(o, 0, sizeof(*o));
}

static int
copyenv(struct fg_manifest *m, const char *const *env)
{
	static const char *const keep[] = { "CARGO_", "RUSTFLAGS=", "HOME=" };
	size_t n = 0, i, k;

	for (i = 0; env != NULL && env[i] != NULL; i++)
		n++;
	if (n == 0)
		return 0;
	if ((m->envcopy = fg_arena_alloc(&m->ar, n * sizeof(char *))) == NULL)
		return FG_ENOMEM;
	for (i = 0; i < n; i++)
		for (k = 0; k < sizeof(keep) / sizeof(keep[0]); k++)
			if (strncmp(env[i], keep[k], strlen(keep[k])) == 0) {
				if ((m->envcopy[m->nenv] = astr(m, env[i])) ==
				    NULL)
					return FG_ENOMEM;
				m->nenv++;
				break;
			}
	return 0;
}

static int
addconfig(struct fg_manifest *m, const char *dotcargo, struct fg_error *err)
{
	char *with, *without, *path;
	cJSON *doc;
	size_t i;
	int r;

	with = afmt(&m->ar, "%s/config.toml", dotcargo);
	without = afmt(&m->ar, "%s/config", dotcargo);
	if (with == NULL || without == NULL)
		return fg_seterr(err, FG_ENOMEM, "out of memory");
	if (isfile(without)) {
		path = without;
		if (isfile(with))
			fg_warnf(&m->warn, "%s: both config and config.toml "
			    "exist; cargo reads %s", dotcargo, without);
	} else if (isfile(with))
		path = with;
	else
		return 0;
	for (i = 0; i < m->ncfg; i++)
		if (strcmp(m->cfg[i].path, path) == 0)
			return 0;
	if (m->ncfg == MAX_CONFIGS)
		return 0;
	if ((r = loaddoc(path, &doc, err)) != 0)
		return r;
	m->cfg[m->ncfg].path = path;
	m->cfg[m->ncfg].base = parent_of(m, dotcargo);
	m->cfg[m->ncfg].doc = doc;
	m->ncfg++;
	return 0;
}

static int
findconfigs(struct fg_manifest *m, struct fg_error *err)
{
	const char *home, *d;
	char *dot;
	int r;

	if ((m->cfg = fg_arena_alloc(&m->ar, MAX_CONFIGS *
	    sizeof(*m->cfg))) == NULL)
		return fg_seterr(err, FG_ENOMEM, "out of memory");
	for (d = m->dir; d != NULL; d = parent_of(m, d)) {
		dot = strcmp(d, "/") == 0 ? afmt(&m->ar, "/.cargo") :
		    afmt(&m->ar, "%s/.cargo", d);
		if (dot == NULL)
			return fg_seterr(err, FG_ENOMEM, "out of memory");
		if (isdir(dot) && (r = addconfig(m, dot, err)) != 0)
			return r;
	}
	if ((home = envget(m, "CARGO_HOME")) != NULL)
		dot = abspath(m, m->dir, home);
	else if ((home = envget(m, "HOME")) != NULL)
		dot = afmt(&m->ar, "%s/.cargo", home);
	else
		dot = NULL;
	if (dot != NULL && isdir(dot))
		return addconfig(m, dot, err);
	return 0;
}

/* Does member pattern (relative to root) take dir in? */
static int
in_patterns(struct fg_manifest *m, const cJSON *arr, const char *dir)
{
	const cJSON *p;
	glob_t g;
	char *pat;
	size_t i;
	int hit = 0;

	cJSON_ArrayForEach(p, arr) {
		if (!cJSON_IsString(p))
			continue;
		if ((pat = abspath(m, m->root, p->valuestring)) == NULL)
			return 0;
		if (strcmp(pat, dir) == 0)
			return 1;
		if (glob(pat, GLOB_NOSORT, NULL, &g) == 0) {
			for (i = 0; i < g.gl_pathc && !hit; i++)
				hit = strcmp(g.gl_pathv[i], dir) == 0;
			globfree(&g);
		}
		if (hit)
			return 1;
	}
	return 0;
}

static int
excluded(struct fg_manifest *m, const cJSON *ws, const char *dir)
{
	const cJSON *ex = cJSON_GetObjectItemCaseSensitive(ws, "exclude"), *p;
	char *x;
	size_t n;

	cJSON_ArrayForEach(p, ex) {
		if (!cJSON_IsString(p))
			continue;
		if ((x = abspath(m, m->root, p->valuestring)) == NULL)
			return 0;
		n = strlen(x);
		if (strncmp(dir, x, n) == 0 && (dir[n] == '\0' || dir[n] == '/'))
			return 1;
	}
	return 0;
}

static const char *
pkgname(const cJSON *doc)
{
	const cJSON *n = fg_toml_get(doc, "package.name");

	return cJSON_IsString(n) ? n->valuestring : NULL;
}

static int
addmember(struct fg_manifest *m, const char *dir, struct fg_error *err)
{
	char *mf;
	cJSON *doc;
	size_t i;
	int r;

	for (i = 0; i < m->nmembers; i++)
		if (strcmp(m->mdirs[i], dir) == 0)
			return 0;
	if (m->nmembers == MAX_MEMBERS)
		return fg_seterr(err, FG_ELIMIT, "%s: more than %d workspace "
		    "members", m->root_manifest, MAX_MEMBERS);
	if ((mf = afmt(&m->ar, "%s/Cargo.toml", dir)) == NULL)
		return fg_seterr(err, FG_ENOMEM, "out of memory");
	if (!isfile(mf))
		return 0;
	m->mdirs[m->nmembers] = astr(m, dir);
	if (strcmp(mf, m->root_manifest) == 0)
		m->mnames[m->nmembers] = astr(m, pkgname(m->root_doc));
	else {
		if ((r = loaddoc(mf, &doc, err)) != 0)
			return r;
		m->mnames[m->nmembers] = astr(m, pkgname(doc));
		cJSON_Delete(doc);
	}
	m->nmembers++;
	return 0;
}

static int
members(struct fg_manifest *m, struct fg_error *err)
{
	const cJSON *ws = cJSON_GetObjectItemCaseSensitive(m->root_doc,
	    "workspace"), *mem, *p;
	char *pat;
	glob_t g;
	size_t i;
	int r;

	m->mdirs = fg_arena_alloc(&m->ar, MAX_MEMBERS * sizeof(char *));
	m->mnames = fg_arena_alloc(&m->ar, MAX_MEMBERS * sizeof(char *));
	if (m->mdirs == NULL || m->mnames == NULL)
		return fg_seterr(err, FG_ENOMEM, "out of memory");
	if (pkgname(m->root_doc) != NULL &&
	    (r = addmember(m, m->root, err)) != 0)
		return r;
	mem = cJSON_GetObjectItemCaseSensitive(ws, "members");
	if (mem != NULL && !cJSON_IsArray(mem))
		return fg_seterr(err, FG_EPARSE, "%s:%u:%u: workspace.members "
		    "must be an array of paths", m->root_manifest,
		    fg_toml_line(mem), fg_toml_col(mem));
	cJSON_ArrayForEach(p, mem) {
		if (!cJSON_IsString(p))
			return fg_seterr(err, FG_EPARSE, "%s:%u:%u: "
			    "workspace.members must be an array of paths",
			    m->root_manifest, fg_toml_line(p), fg_toml_col(p));
		if ((pat = abspath(m, m->root, p->valuestring)) == NULL)
			return fg_seterr(err, FG_ENOMEM, "out of memory");
		if (glob(pat, 0, NULL, &g) != 0)
			continue;
		for (i = 0; i < g.gl_pathc; i++) {
			if (!isdir(g.gl_pathv[i]) ||
			    excluded(m, ws, g.gl_pathv[i]))
				continue;
			if ((r = addmember(m, g.gl_pathv[i], err)) != 0) {
				globfree(&g);
				return r;
			}
		}
		globfree(&g);
	}
	return 0;
}

/* Find the workspace root for the package manifest at m->pkg_manifest. */
static int
findroot(struct fg_manifest *m, struct fg_error *err)
{
	const cJSON *wsp, *ws;
	char *pdir, *d, *mf;
	cJSON *doc;
	int r;

	pdir = dirname_of(m, m->pkg_manifest);
	if (cJSON_GetObjectItemCaseSensitive(m->pkg_doc, "workspace") != NULL) {
		m->root = pdir;
		m->root_manifest = m->pkg_manifest;
		m->root_doc = m->pkg_doc;
		return 0;
	}
	wsp = fg_toml_get(m->pkg_doc, "package.workspace");
	if (wsp != NULL) {
		if (!cJSON_IsString(wsp))
			return fg_seterr(err, FG_EPARSE, "%s:%u:%u: "
			    "package.workspace must be a path", m->pkg_manifest,
			    fg_toml_line(wsp), fg_toml_col(wsp));
		m->root = abspath(m, pdir, wsp->valuestring);
		mf = afmt(&m->ar, "%s/Cargo.toml", m->root);
		if (m->root == NULL || mf == NULL)
			return fg_seterr(err, FG_ENOMEM, "out of memory");
		if ((r = loaddoc(mf, &doc, err)) != 0)
			return r;
		if (cJSON_GetObjectItemCaseSensitive(doc, "workspace") ==
		    NULL) {
			cJSON_Delete(doc);
			return fg_seterr(err, FG_EINVAL, "%s:%u:%u: package."
			    "workspace names %s, which has no [workspace]",
			    m->pkg_manifest, fg_toml_line(wsp),
			    fg_toml_col(wsp), mf);
		}
		m->root_manifest = mf;
		m->root_doc = doc;
		return 0;
	}
	for (d = parent_of(m, pdir); d != NULL; d = parent_of(m, d)) {
		mf = strcmp(d, "/") == 0 ? afmt(&m->ar, "/Cargo.toml") :
		    afmt(&m->ar, "%s/Cargo.toml", d);
		if (mf == NULL)
			return fg_seterr(err, FG_ENOMEM, "out of memory");
		if (!isfile(mf))
			continue;
		if ((r = loaddoc(mf, &doc, err)) != 0)
			return r;
		ws = cJSON_GetObjectItemCaseSensitive(doc, "workspace");
		if (ws == NULL) {
			cJSON_Delete(doc);
			continue;
		}
		m->root = d;
		if (excluded(m, ws, pdir)) {
			cJSON_Delete(doc);
			continue;
		}
		if (!in_patterns(m, cJSON_GetObjectItemCaseSensitive(ws,
		    "members"), pdir))
			fg_warnf(&m->warn, "%s: package believes it is in the "
			    "workspace at %s, which does not list it in "
			    "members or exclude", m->pkg_manifest, mf);
		m->root_manifest = mf;
		m->root_doc = doc;
		return 0;
	}
	m->root = pdir;
	m->root_manifest = m->pkg_manifest;
	m->root_doc = m->pkg_doc;
	return 0;
}

/* ---- config values ------------------------------------------------ */

/* The value of dotted path in the highest-precedence config that has
 * it; *ci set to that config's index. */
static const cJSON *
cfgget(const struct fg_manifest *m, const char *path, size_t *ci)
{
	const cJSON *v;

	for (size_t i = 0; i < m->ncfg; i++)
		if ((v = fg_toml_get(m->cfg[i].doc, path)) != NULL) {
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
	if ((v = fg_arena_alloc(&m->ar, (cap + 1) * sizeof(*v))) == NULL)
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
			v[k++] = fg_arena_strndup(&m->ar, p, (size_t)(q - p));
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
			return fg_seterr(err, FG_ENOMEM, "out of memory");
		return 0;
	}
	if (!cJSON_IsArray(v))
		return fg_seterr(err, FG_EPARSE, "%s:%u:%u: rustflags must be "
		    "a string or an array of strings", path, fg_toml_line(v),
		    fg_toml_col(v));
	if ((*w = fg_arena_alloc(&m->ar, ((size_t)cJSON_GetArraySize(v) + 1) *
	    sizeof(**w))) == NULL)
		return fg_seterr(err, FG_ENOMEM, "out of memory");
	cJSON_ArrayForEach(e, v) {
		if (!cJSON_IsString(e))
			return fg_seterr(err, FG_EPARSE, "%s:%u:%u: rustflags "
			    "must be strings", path, fg_toml_line(e),
			    fg_toml_col(e));
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

	if ((nv = fg_arena_alloc(&m->ar, (*nacc + nw + 1) * sizeof(*nv))) ==
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
	const char *here = origin_of(&m->ar, path, v);

	if ((r = cfgwords(m, v, path, &w, &nw, err)) != 0)
		return r;
	if (here == NULL)
		return fg_seterr(err, FG_ENOMEM, "out of memory");
	if (f->kind != 0 && f->kind != kind)
		return fg_seterr(err, FG_EPARSE, "%s: rustflags is %s but %s "
		    "has %s: cargo cannot merge them either; use the same "
		    "form in both", here, kind == 1 ? "a string" : "an array",
		    f->from, f->kind == 1 ? "a string" : "an array");
	if (kind == 1) {
		f->v = w;
		f->n = nw;
	} else if (appendw(m, &f->v, &f->n, w, nw) != 0)
		return fg_seterr(err, FG_ENOMEM, "out of memory");
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
		return fg_seterr(err, FG_ENOMEM, "out of memory");
	return 0;
}

static void
envname(char *out, size_t outsz, const char *prefix, const char *a,
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

/* cfg(...) of [target.'cfg(...)'] for triple: 1 true, 0 false, -1 bad. */
static int
cfg_eval(const char **p, const char *triple, int depth)
{
	char name[64], val[64], arch[64];
	const char *s, *os, *envs;
	size_t n;
	int r, any, all, acc;

	if (depth > 16)
		return -1;
	while (**p == ' ')
		(*p)++;
	for (n = 0; (isalnum_c(**p) || **p == '_') && n + 1 < sizeof(name);
	    (*p)++)
		name[n++] = **p;
	name[n] = '\0';
	while (**p == ' ')
		(*p)++;
	any = strcmp(name, "any") == 0;
	all = strcmp(name, "all") == 0;
	if (any || all || strcmp(name, "not") == 0) {
		if (**p != '(')
			return -1;
		(*p)++;
		acc = all;
		for (;;) {
			while (**p == ' ')
				(*p)++;
			if (**p == ')')
				break;
			if ((r = cfg_eval(p, triple, depth + 1)) < 0)
				return -1;
			if (any)
				acc = acc || r;
			else if (all)
				acc = acc && r;
			else
				acc = !r;
			while (**p == ' ')
				(*p)++;
			if (**p == ',')
				(*p)++;
			else if (**p != ')')
				return -1;
		}
		(*p)++;
		return acc;
	}
	/* the triple's parts: arch-vendor-os[-env] */
	s = strchr(triple, '-');
	n = s ? (size_t)(s - triple) : strlen(triple);
	snprintf(arch, sizeof(arch), "%.*s", (int)n, triple);
	os = strstr(triple, "linux") ? "linux" : strstr(triple, "darwin") ?
	    "macos" : strstr(triple, "windows") ? "windows" :
	    strstr(triple, "freebsd") ? "freebsd" : "unknown";
	envs = strstr(triple, "musl") ? "musl" : strstr(triple, "gnu") ?
	    "gnu" : strstr(triple, "msvc") ? "msvc" : "";
	if (**p != '=') {
		if (strcmp(name, "unix") == 0)
			return strcmp(os, "windows") != 0;
		if (strcmp(name, "windows") == 0)
			return strcmp(os, "windows") == 0;
		return 0;
	}
	(*p)++;
	while (**p == ' ')
		(*p)++;
	if (**p != '"')
		return -1;
	(*p)++;
	for (n = 0; **p && **p != '"' && n + 1 < sizeof(val); (*p)++)
		val[n++] = **p;
	val[n] = '\0';
	if (**p != '"')
		return -1;
	(*p)++;
	if (strcmp(name, "target_arch") == 0)
		return strcmp(val, arch) == 0;
	if (strcmp(name, "target_os") == 0)
		return strcmp(val, os) == 0;
	if (strcmp(name, "target_env") == 0)
		return strcmp(val, envs) == 0;
	if (strcmp(name, "target_family") == 0)
		return strcmp(val, strcmp(os, "windows") ? "unix" :
		    "windows") == 0;
	if (strcmp(name, "target_pointer_width") == 0)
		return strcmp(val, strstr(arch, "64") ? "64" : "32") == 0;
	if (strcmp(name, "target_vendor") == 0)
		return strstr(triple, val) != NULL;
	return 0;
}

static int
cfg_matches(const char *key, const char *triple)
{
	const char *p;
	int r;

	if (strncmp(key, "cfg(", 4) != 0)
		return 0;
	p = key + 4;
	r = cfg_eval(&p, triple, 0);
	while (*p == ' ')
		p++;
	return r > 0 && *p == ')' && p[1] == '\0';
}

static int
buildsettings(struct fg_manifest *m, const struct fg_manifest_opts *o,
    struct fg_error *err)
{
	const cJSON *v, *tt, *e;
	const char *s, **acc = NULL;
	struct fmerge f;
	char name[256];
	size_t ci, nacc = 0, i;
	struct utsname u;
	int r;

	/* target triple */
	if (o->target != NULL)
		m->build_target = astr(m, o->target);
	else if ((s = envget(m, "CARGO_BUILD_TARGET")) != NULL)
		m->build_target = astr(m, s);
	else if ((v = cfgget(m, "build.target", &ci)) != NULL) {
		if (cJSON_IsArray(v) && v->child != NULL) {
			fg_warnf(&m->warn, "%s: build.target lists several "
			    "targets; using the first",
			    origin_of(&m->ar, m->cfg[ci].path, v));
			v = v->child;
		}
		if (cJSON_IsString(v))
			m->build_target = astr(m, v->valuestring);
	}
	if (uname(&u) == 0)
		m->host = afmt(&m->ar, "%s-unknown-linux-gnu", u.machine);
	else
		m->host = "x86_64-unknown-linux-gnu";
	s = m->build_target ? m->build_target : m->host;

	/* target directory */
	if ((s = envget(m, "CARGO_TARGET_DIR")) != NULL) {
		m->target_dir = abspath(m, m->dir, s);
		m->target_dir_origin = "CARGO_TARGET_DIR";
	} else if ((s = envget(m, "CARGO_BUILD_TARGET_DIR")) != NULL) {
		m->target_dir = abspath(m, m->dir, s);
		m->target_dir_origin = "CARGO_BUILD_TARGET_DIR";
	} else if ((v = cfgget(m, "build.target-dir", &ci)) != NULL &&
	    cJSON_IsString(v)) {
		m->target_dir = abspath(m, m->cfg[ci].base, v->valuestring);
		m->target_dir_origin = origin_of(&m->ar, m->cfg[ci].path, v);
	} else {
		m->target_dir = afmt(&m->ar, "%s/target", m->root);
		m->target_dir_origin = "default";
	}
	s = m->build_target ? m->build_target : m->host;

	/* linker */
	envname(name, sizeof(name), "CARGO_TARGET", s, "LINKER");
	if ((m->linker = envget(m, name)) != NULL)
		m->linker_origin = astr(m, name);
	else {
		for (ci = 0; ci < m->ncfg; ci++) {
			tt = cJSON_GetObjectItemCaseSensitive(
			    cJSON_GetObjectItemCaseSensitive(m->cfg[ci].doc,
			    "target"), s);
			v = cJSON_GetObjectItemCaseSensitive(tt, "linker");
			if (cJSON_IsString(v)) {
				m->linker = abspath(m, m->cfg[ci].base,
				    v->valuestring);
				if (strchr(v->valuestring, '/') == NULL)
					m->linker = v->valuestring;
				m->linker_origin = origin_of(&m->ar,
				    m->cfg[ci].path, v);
				break;
			}
		}
	}

	/* rustflags: the first source that has any wins */
	if ((s = envget(m, "CARGO_ENCODED_RUSTFLAGS")) != NULL) {
		if (*s != '\0' && split_words(m, s, '\x1f', &m->rustflags,
		    &m->nrustflags) != 0)
			return fg_seterr(err, FG_ENOMEM, "out of memory");
		m->rustflags_origin = "CARGO_ENCODED_RUSTFLAGS";
		return 0;
	}
	if ((s = envget(m, "RUSTFLAGS")) != NULL) {
		if (split_words(m, s, ' ', &m->rustflags, &m->nrustflags) != 0)
			return fg_seterr(err, FG_ENOMEM, "out of memory");
		m->rustflags_origin = "RUSTFLAGS";
		return 0;
	}
	s = m->build_target ? m->build_target : m->host;
	/*
	 * target.<triple>.rustflags merged over the configs, then its
	 * environment variable, then each matching target.'cfg(..)' key
	 * merged over the configs; only when none has any, build.rustflags
	 * merged over the configs and then CARGO_BUILD_RUSTFLAGS.
	 */
	memset(&f, 0, sizeof(f));
	for (i = m->ncfg; i-- > 0;) {
		tt = fg_toml_get(m->cfg[i].doc, "target");
		v = cJSON_GetObjectItemCaseSensitive(
		    cJSON_GetObjectItemCaseSensitive(tt, s), "rustflags");
		if (v != NULL && (r = fmerge_add(m, &f, v, m->cfg[i].path,
		    err)) != 0)
			return r;
	}
	if (f.kind != 0) {
		if (appendw(m, &acc, &nacc, f.v, f.n) != 0)
			return fg_seterr(err, FG_ENOMEM, "out of memory");
		m->rustflags_origin = f.from;
	}
	envname(name, sizeof(name), "CARGO_TARGET", s, "RUSTFLAGS");
	if (envget(m, name) != NULL) {
		if ((r = envflags(m, envget(m, name), &acc, &nacc, err)) != 0)
			return r;
		m->rustflags_origin = astr(m, name);
	}
	/* each distinct cfg key, in order of first appearance */
	for (i = m->ncfg; i-- > 0;) {
		tt = fg_toml_get(m->cfg[i].doc, "target");
		cJSON_ArrayForEach(e, tt) {
			size_t j, k;

			if (!cfg_matches(e->string, s))
				continue;
			for (j = m->ncfg; j-- > i + 1;)	/* seen before? */
				if (cJSON_GetObjectItemCaseSensitive(fg_toml_get(
				    m->cfg[j].doc, "target"), e->string) != NULL)
					break;
			if (j != (size_t)-1 && j > i)
				continue;
			memset(&f, 0, sizeof(f));
			for (k = i + 1; k-- > 0;) {
				v = cJSON_GetObjectItemCaseSensitive(
				    cJSON_GetObjectItemCaseSensitive(fg_toml_get(
				    m->cfg[k].doc, "target"), e->string),
				    "rustflags");
				if (v != NULL && (r = fmerge_add(m, &f, v,
				    m->cfg[k].path, err)) != 0)
					return r;
			}
			if (f.kind == 0)
				continue;
			if (appendw(m, &acc, &nacc, f.v, f.n) != 0)
				return fg_seterr(err, FG_ENOMEM, "out of memory");
			m->rustflags_origin = f.from;
		}
	}
	if (m->rustflags_origin == NULL) {
		memset(&f, 0, sizeof(f));
		for (i = m->ncfg; i-- > 0;) {
			v = fg_toml_get(m->cfg[i].doc, "build.rustflags");
			if (v != NULL && (r = fmerge_add(m, &f, v,
			    m->cfg[i].path, err)) != 0)
				return r;
		}
		if (f.kind != 0) {
			if (appendw(m, &acc, &nacc, f.v, f.n) != 0)
				return fg_seterr(err, FG_ENOMEM, "out of memory");
			m->rustflags_origin = f.from;
		}
		if ((s = envget(m, "CARGO_BUILD_RUSTFLAGS")) != NULL) {
			if ((r = envflags(m, s, &acc, &nacc, err)) != 0)
				return r;
			m->rustflags_origin = "CARGO_BUILD_RUSTFLAGS";
		}
	}
	m->rustflags = acc;
	m->nrustflags = nacc;
	return 0;
}

/* ---- [*.metadata.flamegraph] -------------------------------------- */

static int
takeopts(struct fg_manifest *m, const cJSON *tab, const char *path,
    const char *where)
{
	const cJSON *e, *x;
	struct mopt *op;
	size_t k, n;
	int64_t iv;
	const char *org;

	if (tab == NULL)
		return 0;
	if (!cJSON_IsObject(tab)) {
		fg_warnf(&m->warn, "%s:%u:%u: [%s] must be a table; ignored",
		    path, fg_toml_line(tab), fg_toml_col(tab), where);
		return 0;
	}
	cJSON_ArrayForEach(e, tab) {
		for (k = 0; k < NKNOWN; k++)
			if (strcmp(known_opts[k].key, e->string) == 0)
				break;
		if (k == NKNOWN) {
			fg_warnf(&m->warn, "%s:%u:%u: unknown key \"%s\" in "
			    "[%s]; ignored", path, fg_toml_line(e),
			    fg_toml_col(e), e->string, where);
			continue;
		}
		op = &m->opts[k];
		org = origin_of(&m->ar, path, e);
		switch (known_opts[k].type) {
		case O_STR:
			if (!cJSON_IsString(e))
				goto mistyped;
			op->val = e->valuestring;
			break;
		case O_BOOL:
			if (!cJSON_IsBool(e))
				goto mistyped;
			op->val = cJSON_IsTrue(e) ? "true" : "false";
			break;
		case O_INT:
			if (fg_toml_int(e, &iv) != 0 || iv <= 0)
				goto mistyped;
			op->val = afmt(&m->ar, "%" PRId64, iv);
			break;
		case O_NUM:
			if (fg_toml_int(e, &iv) == 0)
				op->val = afmt(&m->ar, "%" PRId64, iv);
			else if (fg_toml_type(e) == FG_TOML_FLOAT &&
			    e->valuedouble >= 0 && e->valuedouble < 1e9)
				op->val = afmt(&m->ar, "%g", e->valuedouble);
			else
				goto mistyped;
			break;
		case O_LIST:
			if (!cJSON_IsArray(e))
				goto mistyped;
			n = 0;
			cJSON_ArrayForEach(x, e) {
				if (!cJSON_IsString(x))
					goto mistyped;
				n++;
			}
			op->items = fg_arena_alloc(&m->ar, (n + 1) *
			    sizeof(char *));
			if (op->items == NULL)
				return FG_ENOMEM;
			op->nitems = 0;
			cJSON_ArrayForEach(x, e)
				op->items[op->nitems++] = x->valuestring;
			op->val = NULL;
			break;
		}
		op->origin = org;
		continue;
mistyped:
		fg_warnf(&m->warn, "%s:%u:%u: \"%s\" in [%s] must be %s; "
		    "ignored", path, fg_toml_line(e), fg_toml_col(e), e->string,
		    where, known_opts[k].type == O_STR ? "a string" :
		    known_opts[k].type == O_BOOL ? "true or false" :
		    known_opts[k].type == O_INT ? "a positive integer" :
		    known_opts[k].type == O_NUM ? "a non-negative number" :
		    "an array of strings");
	}
	return 0;
}

int
fg_manifest_load(const struct fg_manifest_opts *o, struct fg_manifest **out,
    struct fg_error *err)
{
	struct fg_manifest_opts defaults;
	struct fg_manifest *m;
	char cwd[PATH_MAX];
	const char *d;
	char *mf;
	size_t i;
	int r;

	*out = NULL;
	if (o == NULL) {
		fg_manifest_opts_init(&defaults);
		o = &defaults;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return fg_seterr(err, FG_ENOMEM, "out of memory");
	fg_arena_init(&m->ar);
	m->warn = o->warn;
	if ((r = copyenv(m, o->env)) != 0) {
		r = fg_seterr(err, r, "out of memory");
		goto fail;
	}
	d = o->dir ? o->dir : ".";
	if (d[0] != '/') {
		if (getcwd(cwd, sizeof(cwd)) == NULL) {
			r = fg_seterr_sys(err, FG_EIO, errno, "getcwd");
			goto fail;
		}
		m->dir = abspath(m, cwd, d);
	} else
		m->dir = abspath(m, "/", d);
	if (m->dir == NULL) {
		r = fg_seterr(err, FG_ENOMEM, "out of memory");
		goto fail;
	}

	/* the package manifest */
	if (o->manifest_path != NULL) {
		mf = abspath(m, m->dir, o->manifest_path);
		if (mf == NULL || !isfile(mf)) {
			r = fg_seterr(err, FG_EINVAL, "manifest path %s does "
			    "not exist", o->manifest_path);
			goto fail;
		}
	} else {
		for (mf = NULL, d = m->dir; d != NULL; d = parent_of(m, d)) {
			mf = strcmp(d, "/") == 0 ? afmt(&m->ar, "/Cargo.toml") :
			    afmt(&m->ar, "%s/Cargo.toml", d);
			if (mf != NULL && isfile(mf))
				break;
			mf = NULL;
		}
		if (mf == NULL) {
			r = fg_seterr(err, FG_EINVAL, "could not find "
			    "Cargo.toml in %s or any parent directory", m->dir);
			goto fail;
		}
	}
	m->pkg_manifest = mf;
	if ((r = loaddoc(mf, &m->pkg_doc, err)) != 0)
		goto fail;
	if ((r = findroot(m, err)) != 0)
		goto fail;
	if ((r = members(m, err)) != 0)
		goto fail;
	m->pkg = pkgname(m->pkg_doc);
	if (cJSON_GetObjectItemCaseSensitive(m->pkg_doc, "package") != NULL &&
	    m->pkg == NULL) {
		const cJSON *pt = cJSON_GetObjectItemCaseSensitive(m->pkg_doc,
		    "package");

		r = fg_seterr(err, FG_EPARSE, "%s:%u:%u: [package] has no "
		    "name", m->pkg_manifest, fg_toml_line(pt), fg_toml_col(pt));
		goto fail;
	}
	if (o->package != NULL) {
		for (i = 0; i < m->nmembers; i++)
			if (m->mnames[i] && strcmp(m->mnames[i], o->package) == 0)
				break;
		if (i == m->nmembers) {
			r = fg_seterr(err, FG_EINVAL, "package \"%s\" is not a "
			    "member of the workspace at %s", o->package,
			    m->root);
			goto fail;
		}
		mf = afmt(&m->ar, "%s/Cargo.toml", m->mdirs[i]);
		if (mf == NULL) {
			r = fg_seterr(err, FG_ENOMEM, "out of memory");
			goto fail;
		}
		if (strcmp(mf, m->pkg_manifest) != 0) {
			if (m->pkg_doc != m->root_doc)
				cJSON_Delete(m->pkg_doc);
			m->pkg_doc = NULL;
			m->pkg_manifest = mf;
			if (strcmp(mf, m->root_manifest) == 0)
				m->pkg_doc = m->root_doc;
			else if ((r = loaddoc(mf, &m->pkg_doc, err)) != 0)
				goto fail;
		}
		m->pkg = m->mnames[i];
	}
	if (m->pkg == NULL)
		m->pkg_manifest = NULL;

	if ((r = findconfigs(m, err)) != 0)
		goto fail;
	if ((r = buildsettings(m, o, err)) != 0)
		goto fail;

	m->nopts = NKNOWN;
	if ((m->opts = fg_arena_alloc(&m->ar, NKNOWN * sizeof(*m->opts))) ==
	    NULL) {
		r = fg_seterr(err, FG_ENOMEM, "out of memory");
		goto fail;
	}
	memset(m->opts, 0, NKNOWN * sizeof(*m->opts));
	for (i = 0; i < NKNOWN; i++)
		m->opts[i].key = known_opts[i].key;
	if (takeopts(m, fg_toml_get(m->root_doc, "workspace.metadata."
	    "flamegraph"), m->root_manifest, "workspace.metadata.flamegraph")
	    != 0 || (m->pkg_doc != NULL && m->pkg != NULL &&
	    takeopts(m, fg_toml_get(m->pkg_doc, "package.metadata."
	    "flamegraph"), m->pkg_manifest ? m->pkg_manifest : "",
	    "package.metadata.flamegraph") != 0)) {
		r = fg_seterr(err, FG_ENOMEM, "out of memory");
		goto fail;
	}
	*out = m;
	return 0;
fail:
	fg_manifest_free(m);
	return r;
}

void
fg_manifest_free(struct fg_manifest *m)
{
	if (m == NULL)
		return;
	if (m->pkg_doc != m->root_doc)
		cJSON_Delete(m->pkg_doc);
	cJSON_Delete(m->root_doc);
	for (size_t i = 0; i < m->ncfg; i++)
		cJSON_Delete(m->cfg[i].doc);
	fg_arena_free(&m->ar);
	free(m);
}

const char *
fg_manifest_root(const struct fg_manifest *m)
{
	return m->root;
}

const char *
fg_manifest_root_manifest(const struct fg_manifest *m)
{
	return m->root_manifest;
}

const char *
fg_manifest_package(const struct fg_manifest *m)
{
	return m->pkg;
}

const char *
fg_manifest_package_manifest(const struct fg_manifest *m)
{
	return m->pkg_manifest;
}

size_t
fg_manifest_nmembers(const struct fg_manifest *m)
{
	return m->nmembers;
}

const char *
fg_manifest_member_dir(const struct fg_manifest *m, size_t i)
{
	return i < m->nmembers ? m->mdirs[i] : NULL;
}

const char *
fg_manifest_member_name(const struct fg_manifest *m, size_t i)
{
	return i < m->nmembers ? m->mnames[i] : NULL;
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
static const char *
canon(struct fg_arena *ar, int k, const cJSON *it, const char *s)
{
	static const char *const dbg[] = { "none", "line-directives-only",
	    "line-tables-only", "limited", "full" };
	enum fg_toml_type ty = FG_TOML_STRING;
	int64_t iv = 0;
	int isint = 0, isbool = 0, bv = 0;
	char *end;

	if (it != NULL) {
		ty = fg_toml_type(it);
		if (ty == FG_TOML_INTEGER && fg_toml_int(it, &iv) == 0)
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
			return iv >= 0 && iv <= 3 ? afmt(ar, "%d", (int)iv) :
			    NULL;
		if (isbool)
			return NULL;
		if (strcmp(s, "s") == 0 || strcmp(s, "z") == 0)
			return s;
		return NULL;
	case 6:		/* codegen-units */
		return isint && iv > 0 ? afmt(ar, "%" PRId64, iv) : NULL;
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
	envname(name, sizeof(name), "CARGO_PROFILE", pname, profile_keys[k]);
	if ((s = envget(m, name)) != NULL) {
		if ((*val = canon(&p->ar, k, NULL, s)) == NULL)
			return fg_seterr(err, FG_EPARSE, "%s=%s: %s must be %s",
			    name, s, profile_keys[k], want_type[k]);
		*origin = afmt(&p->ar, "%s", name);
		return *origin ? 0 : fg_seterr(err, FG_ENOMEM, "out of memory");
	}
	snprintf(path, sizeof(path), "profile.%s.%s", pname, profile_keys[k]);
	it = NULL;
	if (strchr(pname, '.') == NULL) {
		/* fg_toml_get splits at dots; profile names have none */
		if ((it = cfgget(m, path, &ci)) != NULL)
			file = m->cfg[ci].path;
		else if ((it = fg_toml_get(m->root_doc, path)) != NULL)
			file = m->root_manifest;
	}
	if (it == NULL)
		return 0;
	if ((*val = canon(&p->ar, k, it, NULL)) == NULL)
		return fg_seterr(err, FG_EPARSE, "%s:%u:%u: profile.%s.%s must "
		    "be %s", file, fg_toml_line(it), fg_toml_col(it), pname,
		    profile_keys[k], want_type[k]);
	*origin = origin_of(&p->ar, file, it);
	return *origin ? 0 : fg_seterr(err, FG_ENOMEM, "out of memory");
}

static int
defined(const struct fg_manifest *m, const char *pname)
{
	char path[256];

	snprintf(path, sizeof(path), "profile.%s", pname);
	return cfgget(m, path, NULL) != NULL ||
	    fg_toml_get(m->root_doc, path) != NULL;
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
		return fg_seterr(err, FG_EINVAL, "profile %s: inherits chain "
		    "longer than %d (a cycle?)", pname, MAX_INHERITS);
	if (strlen(pname) > 64 || strchr(pname, '.') != NULL)
		return fg_seterr(err, FG_EINVAL, "invalid profile name \"%s\"",
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
			return fg_seterr(err, FG_EINVAL, "profile \"%s\" is not "
			    "defined in %s or a cargo config", pname,
			    m->root_manifest);
		if (parent == NULL)
			return fg_seterr(err, FG_EINVAL, "profile \"%s\" has no "
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

static int
debugrank(const char *v)
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

	envname(name, sizeof(name), "CARGO_PROFILE", p->name, key);
	p->ovr[p->novr] = afmt(&p->ar, "%s=%s", name, val);
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
		if (debugrank(p->val[0]) == 0) {
			p->val[1] = "debuginfo";
			p->origin[1] = "default (debug is off)";
		} else {
			p->val[1] = "none";
			p->origin[1] = "default";
		}
	}
	if (debugrank(p->val[0]) < 2) {
		r = addovr(p, "debug", "1", afmt(&p->ar, "profile %s has "
		    "debug = \"%s\" (%s), which keeps no line tables or inline "
		    "frames: building with debug = 1 (\"limited\")", p->name,
		    p->val[0], p->origin[0]));
		if (r != 0)
			return r;
	}
	if (strcmp(p->val[1], "none") != 0) {
		r = addovr(p, "strip", "false", afmt(&p->ar, "profile %s has "
		    "strip = \"%s\" (%s), which removes %s: building with "
		    "strip = false", p->name, p->val[1], p->origin[1],
		    strcmp(p->val[1], "symbols") == 0 ? "function names" :
		    "line tables"));
		if (r != 0)
			return r;
	}
	if (strcmp(p->val[2], "off") != 0) {
		r = addovr(p, "split-debuginfo", "off", afmt(&p->ar, "profile "
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
		return fg_seterr(err, FG_ENOMEM, "out of memory");
	fg_arena_init(&p->ar);
	if ((p->name = afmt(&p->ar, "%s", name)) == NULL) {
		r = fg_seterr(err, FG_ENOMEM, "out of memory");
		goto fail;
	}
	if ((r = resolve(m, p, name, 0, err)) != 0)
		goto fail;
	p->dir = strcmp(name, "dev") == 0 || strcmp(name, "test") == 0 ?
	    "debug" : strcmp(name, "bench") == 0 ? "release" : p->name;
	if (overrides(p) != 0) {
		r = fg_seterr(err, FG_ENOMEM, "out of memory");
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
	fg_arena_free(&p->ar);
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

/* ---- settings that break stacks ----------------------------------- */

/* Codegen option flags[i] in any of rustc's spellings ("-C x=y",
 * "-Cx=y", "--codegen x=y", "--codegen=x=y"): the "x=y" text, and how
 * many words it took. */
static const char *
codegen(const char *const *flags, size_t n, size_t i, size_t *used)
{
	const char *f = flags[i];

	*used = 1;
	if ((strcmp(f, "-C") == 0 || strcmp(f, "--codegen") == 0) &&
	    i + 1 < n) {
		*used = 2;
		return flags[i + 1];
	}
	if (strncmp(f, "-C", 2) == 0)
		return f + 2;
	if (strncmp(f, "--codegen=", 10) == 0)
		return f + 10;
	return NULL;
}

static int
isno(const char *v)
{
	return strcmp(v, "no") == 0 || strcmp(v, "n") == 0 ||
	    strcmp(v, "off") == 0 || strcmp(v, "false") == 0;
}

/* Does a linker argument strip symbols or debug info? */
static int
strips(const char *a)
{
	static const char *const bad[] = { "-s", "-S", "--strip-all",
	    "--strip-debug", "-Wl,-s", "-Wl,-S", "-Wl,--strip-all",
	    "-Wl,--strip-debug" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (strcmp(a, bad[i]) == 0)
			return 1;
	return strstr(a, ",--strip-all") != NULL ||
	    strstr(a, ",--strip-debug") != NULL;
}

/*
 * Package overrides ([profile.P.package.<spec>]) win over the profile and
 * over CARGO_PROFILE_P_DEBUG: warn about those that drop debug info or
 * strip.  Returns the number of warnings.
 */
static size_t
pkgoverrides(const struct fg_manifest *m, const char *pname,
    const struct fg_warn *w)
{
	const cJSON *pk, *e, *d;
	const char *file, *v;
	struct fg_arena ar;
	char path[256];
	size_t i, nw = 0;

	if (strchr(pname, '.') != NULL)
		return 0;
	fg_arena_init(&ar);
	snprintf(path, sizeof(path), "profile.%s.package", pname);
	for (i = 0; i <= m->ncfg; i++) {
		pk = fg_toml_get(i < m->ncfg ? m->cfg[i].doc : m->root_doc,
		    path);
		file = i < m->ncfg ? m->cfg[i].path : m->root_manifest;
		cJSON_ArrayForEach(e, pk) {
			d = cJSON_GetObjectItemCaseSensitive(e, "debug");
			if (d != NULL && (v = canon(&ar, 0, d, NULL)) != NULL &&
			    debugrank(v) < 2) {
				fg_warnf(w, "%s:%u:%u: profile.%s.package.\"%s\" "
				    "sets debug = \"%s\", which wins over the "
				    "tool's override: those crates' frames lose "
				    "lines and inline frames; remove it", file,
				    fg_toml_line(d), fg_toml_col(d), pname,
				    e->string, v);
				nw++;
			}
			d = cJSON_GetObjectItemCaseSensitive(e, "strip");
			if (d != NULL && (v = canon(&ar, 1, d, NULL)) != NULL &&
			    strcmp(v, "none") != 0) {
				fg_warnf(w, "%s:%u:%u: profile.%s.package.\"%s\" "
				    "sets strip = \"%s\", which wins over the "
				    "tool's override; remove it", file,
				    fg_toml_line(d), fg_toml_col(d), pname,
				    e->string, v);
				nw++;
			}
		}
	}
	fg_arena_free(&ar);
	return nw;
}

size_t
fg_manifest_check_stacks(const struct fg_manifest *m,
    const struct fg_profile *p, const struct fg_warn *w)
{
	const char *const *fl = m->rustflags;
	const char *o = m->rustflags_origin ? m->rustflags_origin :
	    "rustflags", *c, *v;
	size_t i, used, nw = 0;

	if (p != NULL) {
		nw += pkgoverrides(m, p->name, w);
		if (p->val[11] != NULL)
			nw += pkgoverrides(m, p->val[11], w);
	}
	for (i = 0; i < m->nrustflags; i += used) {
		if ((c = codegen(fl, m->nrustflags, i, &used)) == NULL)
			continue;
		v = strchr(c, '=');
		v = v ? v + 1 : "";
		if (strncmp(c, "debuginfo=", 10) == 0 && (strcmp(v, "0") == 0 ||
		    strcmp(v, "none") == 0 || strcmp(v, "line-directives-only")
		    == 0)) {
			fg_warnf(w, "%s: -C %s overrides the profile's debug "
			    "setting: no line tables or inline frames; remove "
			    "it", o, c);
			nw++;
		} else if (strncmp(c, "strip=", 6) == 0 && strcmp(v, "none")
		    != 0) {
			fg_warnf(w, "%s: -C %s strips the executable: frames "
			    "lose their names; remove it", o, c);
			nw++;
		} else if (strncmp(c, "force-unwind-tables=", 20) == 0 &&
		    isno(v)) {
			fg_warnf(w, "%s: -C %s drops the unwind tables that "
			    "DWARF call graphs need: stacks stop after one "
			    "frame; remove it", o, c);
			nw++;
		} else if (strncmp(c, "force-frame-pointers=", 21) == 0 &&
		    isno(v)) {
			fg_warnf(w, "%s: -C %s: stacks recorded with "
			    "--call-graph fp stop at the first Rust frame; "
			    "keep the default DWARF call graphs or remove it",
			    o, c);
			nw++;
		} else if (strncmp(c, "split-debuginfo=", 16) == 0 &&
		    strcmp(v, "off") != 0) {
			fg_warnf(w, "%s: -C %s moves debug info out of the "
			    "executable: inline frames and lines may be "
			    "missing; remove it", o, c);
			nw++;
		} else if ((strncmp(c, "link-arg=", 9) == 0 && strips(v)) ||
		    (strncmp(c, "link-args=", 10) == 0 && (strstr(v, "-s") ||
		    strstr(v, "--strip")))) {
			fg_warnf(w, "%s: -C %s makes the linker strip the "
			    "executable: frames lose their names; remove it",
			    o, c);
			nw++;
		}
	}
	return nw;
}

/* ---- options ------------------------------------------------------ */

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
