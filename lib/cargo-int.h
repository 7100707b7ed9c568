/*
 * cargo-int.h: the internal side of the cargo family: lib/cargo.c (the
 * handle: options, accessors, the build settings), cargo-locate.c
 * (`cargo metadata` and what it says), cargo-target.c (choosing the
 * package and target as cargo would), cargo-build.c (the build and its
 * artifact messages) and cargo-elf.c (does the executable keep its
 * names).  cJSON stays inside the family.
 */
#ifndef FG_CARGO_INT_H
#define FG_CARGO_INT_H

#include <cJSON.h>

#include "base.h"

struct fg_cargo {
	struct fg_cargo_opts o;
	char *cwd;		/* absolute directory cargo runs in */
	char *root;		/* workspace root */
	char *target_dir;
	char *pkg;		/* chosen package name */
	char *pkg_id;
	enum fg_target_kind kind;
	char *name;		/* chosen target name */
	int unit_lib;		/* unit tests of the lib target */
	char *profile;		/* the profile cargo builds */
	const char *pflag, *pval;	/* the cargo flags that choose it */
	char **env;		/* overrides for the build, owned */
	size_t nenv;
	char *build_dir;	/* --target-dir of the build, or NULL */
	char *rustflags_env;	/* "CARGO_ENCODED_RUSTFLAGS=...", or NULL */
	char *desc;
	char *overrides;
	char *cmdline;
	char *exe;
	/* copies of the option strings */
	char *s_cargo, *s_manifest, *s_package, *s_name, *s_unit_kind,
	    *s_profile, *s_features, *s_triple, *s_target_dir, *s_cwd;
};

/* ---- cargo-target.c ---- */

/* A string member, or NULL. */
const char *cargo_jstr(const cJSON *o, const char *key);
/* A string member that must be there; "" when cargo's JSON lacks it. */
const char *cargo_jname(const cJSON *o, const char *key);
/* Does the array member key hold the string want? */
int cargo_jarray_has(const cJSON *o, const char *key, const char *want);
/* Is t a library target (any crate type but an example's)? */
int cargo_target_is_lib(const cJSON *t);
/* "bin", "example", "test" or "bench": the flag naming kind k. */
const char *cargo_kind_word(enum fg_target_kind k);
/* Is t a target of kind k (with name, when non-NULL)? */
int cargo_target_matches(const cJSON *t, enum fg_target_kind k,
    const char *name, const char *unit_kind);
/* The directory of a manifest path, in a new string (NULL: no memory). */
char *cargo_manifest_dir(const char *manifest);
/*
 * Choose the package set and the target from cargo metadata's JSON;
 * fills c->pkg, pkg_id, name, unit_lib.  FG_EINVAL with the candidates.
 */
int cargo_choose(struct fg_cargo *c, const cJSON *meta,
    struct fg_error *err);

/* ---- cargo.c ---- */

/* The cargo binary. */
const char *cargo_bin(const struct fg_cargo *c);
/*
 * The flags every cargo command gets from the user's: --manifest-path,
 * --offline, --locked, --frozen.  Appended at argv[n]; returns the new n
 * (callers size argv for them).
 */
size_t cargo_manifest_flags(const struct fg_cargo *c, const char **argv,
    size_t n);
/* Join c->env into c->overrides ("" when empty).  0 or FG_ENOMEM. */
int cargo_join_overrides(struct fg_cargo *c);

#endif
