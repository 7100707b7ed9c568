/*
 * manifest-int.h: the internal side of the manifest family: what
 * cargo-flamegraph knows about a Cargo project before cargo runs.
 * manifest.c loads (the package manifest, then the rest in order) and
 * holds the small helpers; manifest-workspace.c finds the workspace
 * root, its members and the .cargo/config.toml files; manifest-build.c
 * resolves the build settings (target triple, target directory, linker,
 * rustflags) with manifest-cfg.c evaluating [target.'cfg(..)'] keys;
 * manifest-profile.c resolves a profile and its overrides;
 * manifest-stacks.c warns about settings that break stacks;
 * manifest-options.c reads [*.metadata.flamegraph].  Strings live in
 * the manifest's arena.
 */
#ifndef FG_MANIFEST_INT_H
#define FG_MANIFEST_INT_H

#include <stddef.h>

#include "base.h"
#include "toml.h"

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

/* ---- manifest.c: small helpers ---- */

int mf_isalnum_c(int c);
/* Copies into m's arena (NULL stays NULL, or no memory). */
char *mf_astr(struct fg_manifest *m, const char *s);
char *mf_afmt(struct fg_arena *ar, const char *fmt, ...) FG_PRINTF(2, 3);
/* "PATH:LINE:COL" of a TOML item. */
const char *mf_origin_of(struct fg_arena *ar, const char *path,
    const cJSON *it);
/* A variable of the environment given to fg_manifest_load, or NULL. */
const char *mf_envget(const struct fg_manifest *m, const char *name);
int mf_isfile(const char *p);
int mf_isdir(const char *p);
/* Absolute, normalised path of p (relative to base when not absolute). */
char *mf_abspath(struct fg_manifest *m, const char *base, const char *p);
char *mf_dirname_of(struct fg_manifest *m, const char *path);
/* The parent directory, NULL above "/". */
char *mf_parent_of(struct fg_manifest *m, const char *dir);
/* Parse the TOML file at path into *doc.  0 or an FG_E* code. */
int mf_loaddoc(const char *path, cJSON **doc, struct fg_error *err);

/* ---- manifest-workspace.c ---- */

/* The workspace root for the package manifest at m->pkg_manifest. */
int mf_findroot(struct fg_manifest *m, struct fg_error *err);
/* The members of the workspace (m->mdirs, m->mnames). */
int mf_members(struct fg_manifest *m, struct fg_error *err);
/* The [package] name of doc, or NULL. */
const char *mf_pkgname(const cJSON *doc);
/* The .cargo/config.toml files cargo reads, highest precedence first. */
int mf_findconfigs(struct fg_manifest *m, struct fg_error *err);

/* ---- manifest-build.c ---- */

/* Target triple, target directory, linker and rustflags into m. */
int mf_buildsettings(struct fg_manifest *m, const struct fg_manifest_opts *o,
    struct fg_error *err);
/* The value of dotted path in the highest-precedence config that has
 * it (its index in *ci), or NULL. */
const cJSON *mf_cfgget(const struct fg_manifest *m, const char *path,
    size_t *ci);
/* PREFIX_A_B upper-cased with '-' and '.' as '_' (cargo's variables). */
void mf_envname(char *out, size_t outsz, const char *prefix, const char *a,
    const char *b);

/* ---- manifest-cfg.c ---- */

/* Does [target.KEY] (a "cfg(...)" key) apply to triple? */
int mf_cfg_matches(const char *key, const char *triple);

/* ---- manifest-profile.c ---- */

/* A profile setting in cargo's canonical spelling (fg_profile_get). */
const char *mf_canon(struct fg_arena *ar, int k, const cJSON *it,
    const char *s);
/* How much debug info a canonical debug value keeps, for comparisons. */
int mf_debugrank(const char *v);

/* ---- manifest-options.c ---- */

/* The tool's options of [workspace/package.metadata.flamegraph] into
 * m->opts.  0 or FG_ENOMEM (wrong keys and types are warnings). */
int mf_options_take(struct fg_manifest *m);

#endif /* FG_MANIFEST_INT_H */
