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

#include "manifest-int.h"


int
mf_isalnum_c(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9');
}

char *
mf_astr(struct fg_manifest *m, const char *s)
{
	return s ? arena_strndup(&m->ar, s, strlen(s)) : NULL;
}

char *
mf_afmt(struct fg_arena *ar, const char *fmt, ...)
{
	va_list ap;
	char *s;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (s = arena_alloc(ar, (size_t)n + 1)) == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(s, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return s;
}

/* "PATH:LINE:COL" of a TOML item. */
const char *
mf_origin_of(struct fg_arena *ar, const char *path, const cJSON *it)
{
	return mf_afmt(ar, "%s:%u:%u", path, toml_line(it), toml_col(it));
}

const char *
mf_envget(const struct fg_manifest *m, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; i < m->nenv; i++)
		if (strncmp(m->envcopy[i], name, n) == 0 &&
		    m->envcopy[i][n] == '=')
			return m->envcopy[i] + n + 1;
	return NULL;
}

int
mf_isfile(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISREG(st.st_mode);
}

int
mf_isdir(const char *p)
{
	struct stat st;

	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* Absolute, normalised path of p (relative to base when not absolute);
 * components need not exist. */
char *
mf_abspath(struct fg_manifest *m, const char *base, const char *p)
{
	char *buf, *out, *s, *tok, *save;
	size_t n;

	if (p[0] == '/')
		buf = mf_afmt(&m->ar, "%s", p);
	else
		buf = mf_afmt(&m->ar, "%s/%s", base, p);
	if (buf == NULL)
		return NULL;
	n = strlen(buf);
	if ((out = arena_alloc(&m->ar, n + 2)) == NULL)
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

char *
mf_dirname_of(struct fg_manifest *m, const char *path)
{
	const char *sl = strrchr(path, '/');

	if (sl == NULL)
		return mf_astr(m, ".");
	if (sl == path)
		return mf_astr(m, "/");
	return arena_strndup(&m->ar, path, (size_t)(sl - path));
}

char *
mf_parent_of(struct fg_manifest *m, const char *dir)
{
	if (strcmp(dir, "/") == 0)
		return NULL;
	return mf_dirname_of(m, dir);
}

int
mf_loaddoc(const char *path, cJSON **doc, struct fg_error *err)
{
	return toml_parse_file(path, path, doc, err);
}



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
	if ((m->envcopy = arena_alloc(&m->ar, n * sizeof(char *))) == NULL)
		return FG_ENOMEM;
	for (i = 0; i < n; i++)
		for (k = 0; k < sizeof(keep) / sizeof(keep[0]); k++)
			if (strncmp(env[i], keep[k], strlen(keep[k])) == 0) {
				if ((m->envcopy[m->nenv] = mf_astr(m, env[i])) ==
				    NULL)
					return FG_ENOMEM;
				m->nenv++;
				break;
			}
	return 0;
}


/* m->dir: the absolute directory the lookup starts in. */
static int
start_dir(struct fg_manifest *m, const struct fg_manifest_opts *o,
    struct fg_error *err)
{
	char cwd[PATH_MAX];
	const char *d = o->dir ? o->dir : ".";

	if (d[0] != '/') {
		if (getcwd(cwd, sizeof(cwd)) == NULL)
			return seterr_sys(err, FG_EIO, errno, "getcwd");
		m->dir = mf_abspath(m, cwd, d);
	} else
		m->dir = mf_abspath(m, "/", d);
	if (m->dir == NULL)
		return seterr(err, FG_ENOMEM, "out of memory");
	return 0;
}

/* The package manifest: --manifest-path, or the nearest Cargo.toml up. */
static int
package_manifest(struct fg_manifest *m, const struct fg_manifest_opts *o,
    struct fg_error *err)
{
	const char *d;
	char *mf;

	if (o->manifest_path != NULL) {
		mf = mf_abspath(m, m->dir, o->manifest_path);
		if (mf == NULL || !mf_isfile(mf))
			return seterr(err, FG_EINVAL, "manifest path %s does "
			    "not exist", o->manifest_path);
	} else {
		for (mf = NULL, d = m->dir; d != NULL; d = mf_parent_of(m, d)) {
			mf = strcmp(d, "/") == 0 ? mf_afmt(&m->ar, "/Cargo.toml") :
			    mf_afmt(&m->ar, "%s/Cargo.toml", d);
			if (mf != NULL && mf_isfile(mf))
				break;
			mf = NULL;
		}
		if (mf == NULL)
			return seterr(err, FG_EINVAL, "could not find "
			    "Cargo.toml in %s or any parent directory", m->dir);
	}
	m->pkg_manifest = mf;
	return mf_loaddoc(mf, &m->pkg_doc, err);
}

/* -p: the member package named, its manifest in place of the found one. */
static int
select_package(struct fg_manifest *m, const char *package,
    struct fg_error *err)
{
	char *mf;
	size_t i;

	for (i = 0; i < m->nmembers; i++)
		if (m->mnames[i] && strcmp(m->mnames[i], package) == 0)
			break;
	if (i == m->nmembers)
		return seterr(err, FG_EINVAL, "package \"%s\" is not a "
		    "member of the workspace at %s", package, m->root);
	if ((mf = mf_afmt(&m->ar, "%s/Cargo.toml", m->mdirs[i])) == NULL)
		return seterr(err, FG_ENOMEM, "out of memory");
	if (strcmp(mf, m->pkg_manifest) != 0) {
		int r;

		if (m->pkg_doc != m->root_doc)
			cJSON_Delete(m->pkg_doc);
		m->pkg_doc = NULL;
		m->pkg_manifest = mf;
		if (strcmp(mf, m->root_manifest) == 0)
			m->pkg_doc = m->root_doc;
		else if ((r = mf_loaddoc(mf, &m->pkg_doc, err)) != 0)
			return r;
	}
	m->pkg = m->mnames[i];
	return 0;
}

/* The workspace, its members and the package meant. */
static int
workspace(struct fg_manifest *m, const struct fg_manifest_opts *o,
    struct fg_error *err)
{
	const cJSON *pt;
	int r;

	if ((r = mf_findroot(m, err)) != 0 || (r = mf_members(m, err)) != 0)
		return r;
	m->pkg = mf_pkgname(m->pkg_doc);
	pt = cJSON_GetObjectItemCaseSensitive(m->pkg_doc, "package");
	if (pt != NULL && m->pkg == NULL)
		return seterr(err, FG_EPARSE, "%s:%u:%u: [package] has no "
		    "name", m->pkg_manifest, toml_line(pt), toml_col(pt));
	if (o->package != NULL && (r = select_package(m, o->package,
	    err)) != 0)
		return r;
	if (m->pkg == NULL)
		m->pkg_manifest = NULL;
	return 0;
}

int
fg_manifest_load(const struct fg_manifest_opts *o, struct fg_manifest **out,
    struct fg_error *err)
{
	struct fg_manifest_opts defaults;
	struct fg_manifest *m;
	int r;

	*out = NULL;
	if (o == NULL) {
		fg_manifest_opts_init(&defaults);
		o = &defaults;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return seterr(err, FG_ENOMEM, "out of memory");
	arena_init(&m->ar);
	m->warn = o->warn;
	if ((r = copyenv(m, o->env)) != 0) {
		r = seterr(err, r, "out of memory");
		goto fail;
	}
	if ((r = start_dir(m, o, err)) != 0 ||
	    (r = package_manifest(m, o, err)) != 0 ||
	    (r = workspace(m, o, err)) != 0 ||
	    (r = mf_findconfigs(m, err)) != 0 ||
	    (r = mf_buildsettings(m, o, err)) != 0)
		goto fail;
	if ((r = mf_options_take(m)) != 0) {
		r = seterr(err, FG_ENOMEM, "out of memory");
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
	arena_free(&m->ar);
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
