/*
 * manifest-workspace.c: where the project is: the workspace root of a
 * package manifest (following package.workspace and the parents'
 * [workspace] members and exclude), the members with their names, and
 * the .cargo/config.toml files cargo would read from the working
 * directory up and from CARGO_HOME, highest precedence first.
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

#define MAX_CONFIGS	64	/* .cargo directories read, at most */
#define MAX_MEMBERS	4096

static int
addconfig(struct fg_manifest *m, const char *dotcargo, struct fg_error *err)
{
	char *with, *without, *path;
	cJSON *doc;
	size_t i;
	int r;

	with = mf_afmt(&m->ar, "%s/config.toml", dotcargo);
	without = mf_afmt(&m->ar, "%s/config", dotcargo);
	if (with == NULL || without == NULL)
		return seterr(err, FG_ENOMEM, "out of memory");
	if (mf_isfile(without)) {
		path = without;
		if (mf_isfile(with))
			warnf(&m->warn, "%s: both config and config.toml "
			    "exist; cargo reads %s", dotcargo, without);
	} else if (mf_isfile(with))
		path = with;
	else
		return 0;
	for (i = 0; i < m->ncfg; i++)
		if (strcmp(m->cfg[i].path, path) == 0)
			return 0;
	if (m->ncfg == MAX_CONFIGS)
		return 0;
	if ((r = mf_loaddoc(path, &doc, err)) != 0)
		return r;
	m->cfg[m->ncfg].path = path;
	m->cfg[m->ncfg].base = mf_parent_of(m, dotcargo);
	m->cfg[m->ncfg].doc = doc;
	m->ncfg++;
	return 0;
}

int
mf_findconfigs(struct fg_manifest *m, struct fg_error *err)
{
	const char *home, *d;
	char *dot;
	int r;

	if ((m->cfg = arena_alloc(&m->ar, MAX_CONFIGS *
	    sizeof(*m->cfg))) == NULL)
		return seterr(err, FG_ENOMEM, "out of memory");
	for (d = m->dir; d != NULL; d = mf_parent_of(m, d)) {
		dot = strcmp(d, "/") == 0 ? mf_afmt(&m->ar, "/.cargo") :
		    mf_afmt(&m->ar, "%s/.cargo", d);
		if (dot == NULL)
			return seterr(err, FG_ENOMEM, "out of memory");
		if (mf_isdir(dot) && (r = addconfig(m, dot, err)) != 0)
			return r;
	}
	if ((home = mf_envget(m, "CARGO_HOME")) != NULL)
		dot = mf_abspath(m, m->dir, home);
	else if ((home = mf_envget(m, "HOME")) != NULL)
		dot = mf_afmt(&m->ar, "%s/.cargo", home);
	else
		dot = NULL;
	if (dot != NULL && mf_isdir(dot))
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
		if ((pat = mf_abspath(m, m->root, p->valuestring)) == NULL)
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
		if ((x = mf_abspath(m, m->root, p->valuestring)) == NULL)
			return 0;
		n = strlen(x);
		if (strncmp(dir, x, n) == 0 && (dir[n] == '\0' || dir[n] == '/'))
			return 1;
	}
	return 0;
}

const char *
mf_pkgname(const cJSON *doc)
{
	const cJSON *n = toml_get(doc, "package.name");

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
		return seterr(err, FG_ELIMIT, "%s: more than %d workspace "
		    "members", m->root_manifest, MAX_MEMBERS);
	if ((mf = mf_afmt(&m->ar, "%s/Cargo.toml", dir)) == NULL)
		return seterr(err, FG_ENOMEM, "out of memory");
	if (!mf_isfile(mf))
		return 0;
	m->mdirs[m->nmembers] = mf_astr(m, dir);
	if (strcmp(mf, m->root_manifest) == 0)
		m->mnames[m->nmembers] = mf_astr(m, mf_pkgname(m->root_doc));
	else {
		if ((r = mf_loaddoc(mf, &doc, err)) != 0)
			return r;
		m->mnames[m->nmembers] = mf_astr(m, mf_pkgname(doc));
		cJSON_Delete(doc);
	}
	m->nmembers++;
	return 0;
}

int
mf_members(struct fg_manifest *m, struct fg_error *err)
{
	const cJSON *ws = cJSON_GetObjectItemCaseSensitive(m->root_doc,
	    "workspace"), *mem, *p;
	char *pat;
	glob_t g;
	size_t i;
	int r;

	m->mdirs = arena_alloc(&m->ar, MAX_MEMBERS * sizeof(char *));
	m->mnames = arena_alloc(&m->ar, MAX_MEMBERS * sizeof(char *));
	if (m->mdirs == NULL || m->mnames == NULL)
		return seterr(err, FG_ENOMEM, "out of memory");
	if (mf_pkgname(m->root_doc) != NULL &&
	    (r = addmember(m, m->root, err)) != 0)
		return r;
	mem = cJSON_GetObjectItemCaseSensitive(ws, "members");
	if (mem != NULL && !cJSON_IsArray(mem))
		return seterr(err, FG_EPARSE, "%s:%u:%u: workspace.members "
		    "must be an array of paths", m->root_manifest,
		    toml_line(mem), toml_col(mem));
	cJSON_ArrayForEach(p, mem) {
		if (!cJSON_IsString(p))
			return seterr(err, FG_EPARSE, "%s:%u:%u: "
			    "workspace.members must be an array of paths",
			    m->root_manifest, toml_line(p), toml_col(p));
		if ((pat = mf_abspath(m, m->root, p->valuestring)) == NULL)
			return seterr(err, FG_ENOMEM, "out of memory");
		if (glob(pat, 0, NULL, &g) != 0)
			continue;
		for (i = 0; i < g.gl_pathc; i++) {
			if (!mf_isdir(g.gl_pathv[i]) ||
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

/* package.workspace = "PATH": the root it names, which must be one. */
static int
root_named(struct fg_manifest *m, const cJSON *wsp, const char *pdir,
    struct fg_error *err)
{
	cJSON *doc;
	char *mf;
	int r;

	if (!cJSON_IsString(wsp))
		return seterr(err, FG_EPARSE, "%s:%u:%u: package.workspace "
		    "must be a path", m->pkg_manifest, toml_line(wsp),
		    toml_col(wsp));
	m->root = mf_abspath(m, pdir, wsp->valuestring);
	mf = mf_afmt(&m->ar, "%s/Cargo.toml", m->root);
	if (m->root == NULL || mf == NULL)
		return seterr(err, FG_ENOMEM, "out of memory");
	if ((r = mf_loaddoc(mf, &doc, err)) != 0)
		return r;
	if (cJSON_GetObjectItemCaseSensitive(doc, "workspace") == NULL) {
		cJSON_Delete(doc);
		return seterr(err, FG_EINVAL, "%s:%u:%u: package.workspace "
		    "names %s, which has no [workspace]", m->pkg_manifest,
		    toml_line(wsp), toml_col(wsp), mf);
	}
	m->root_manifest = mf;
	m->root_doc = doc;
	return 0;
}

/*
 * The nearest parent with a [workspace] that does not exclude pdir; 1
 * when there is none.
 */
static int
root_search(struct fg_manifest *m, const char *pdir, struct fg_error *err)
{
	const cJSON *ws;
	char *d, *mf;
	cJSON *doc;
	int r;

	for (d = mf_parent_of(m, pdir); d != NULL; d = mf_parent_of(m, d)) {
		mf = strcmp(d, "/") == 0 ? mf_afmt(&m->ar, "/Cargo.toml") :
		    mf_afmt(&m->ar, "%s/Cargo.toml", d);
		if (mf == NULL)
			return seterr(err, FG_ENOMEM, "out of memory");
		if (!mf_isfile(mf))
			continue;
		if ((r = mf_loaddoc(mf, &doc, err)) != 0)
			return r;
		ws = cJSON_GetObjectItemCaseSensitive(doc, "workspace");
		if (ws == NULL) {
			cJSON_Delete(doc);
			continue;
		}
		m->root = d;	/* the patterns are relative to it */
		if (excluded(m, ws, pdir)) {
			cJSON_Delete(doc);
			continue;
		}
		if (!in_patterns(m, cJSON_GetObjectItemCaseSensitive(ws,
		    "members"), pdir))
			warnf(&m->warn, "%s: package believes it is in the "
			    "workspace at %s, which does not list it in "
			    "members or exclude", m->pkg_manifest, mf);
		m->root_manifest = mf;
		m->root_doc = doc;
		return 0;
	}
	return 1;
}

/* Find the workspace root for the package manifest at m->pkg_manifest. */
int
mf_findroot(struct fg_manifest *m, struct fg_error *err)
{
	const cJSON *wsp;
	char *pdir;
	int r;

	pdir = mf_dirname_of(m, m->pkg_manifest);
	if (cJSON_GetObjectItemCaseSensitive(m->pkg_doc, "workspace") == NULL) {
		if ((wsp = toml_get(m->pkg_doc, "package.workspace")) != NULL)
			return root_named(m, wsp, pdir, err);
		if ((r = root_search(m, pdir, err)) <= 0)
			return r;
	}
	m->root = pdir;
	m->root_manifest = m->pkg_manifest;
	m->root_doc = m->pkg_doc;
	return 0;
}
