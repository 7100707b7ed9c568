/*
 * cargo.c: find the target the user means with `cargo metadata`, build
 * it with symbols guaranteed, and return the executable.  Target choice
 * follows cargo: the package of the current directory (or the workspace's
 * default members from a virtual root), its single binary or default-run;
 * anything ambiguous is an error that lists every candidate as the flag
 * that would pick it.  The build sets CARGO_PROFILE_<NAME>_DEBUG and
 * _STRIP for the profile actually built and reads the compiler-artifact
 * messages as cargo streams them; cargo's stderr is the caller's.  cJSON
 * stays inside this file.  No output, no exit.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include <cJSON.h>

#include "base.h"
#include "fg_spawn.h"

#define METADATA_MAX (256u << 20)	/* cargo metadata output */
#define LINE_MAX_BYTES (64u << 20)	/* one cargo JSON message */

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

void
fg_cargo_opts_init(struct fg_cargo_opts *o)
{
	memset(o, 0, sizeof(*o));
}

static char *
dupornull(const char *s, int *bad)
{
	char *d;

	if (s == NULL)
		return NULL;
	if ((d = strdup(s)) == NULL)
		*bad = 1;
	return d;
}

void
fg_cargo_free(struct fg_cargo *c)
{
	if (c == NULL)
		return;
	free(c->cwd);
	free(c->root);
	free(c->target_dir);
	free(c->pkg);
	free(c->pkg_id);
	free(c->name);
	free(c->profile);
	free(c->desc);
	free(c->overrides);
	free(c->cmdline);
	free(c->exe);
	for (size_t i = 0; i < c->nenv; i++)
		free(c->env[i]);
	free(c->env);
	free(c->build_dir);
	free(c->rustflags_env);
	free(c->s_cargo);
	free(c->s_manifest);
	free(c->s_package);
	free(c->s_name);
	free(c->s_unit_kind);
	free(c->s_profile);
	free(c->s_features);
	free(c->s_triple);
	free(c->s_target_dir);
	free(c->s_cwd);
	free(c);
}

const char *fg_cargo_workspace_root(const struct fg_cargo *c) { return c->root; }
const char *fg_cargo_target_dir(const struct fg_cargo *c) { return c->target_dir; }
const char *fg_cargo_profile(const struct fg_cargo *c) { return c->profile; }
const char *fg_cargo_target_desc(const struct fg_cargo *c) { return c->desc; }
const char *fg_cargo_package(const struct fg_cargo *c) { return c->pkg; }
const char *fg_cargo_build_cmdline(const struct fg_cargo *c) { return c->cmdline; }
const char *fg_cargo_overrides(const struct fg_cargo *c) { return c->overrides; }
const char *fg_cargo_executable(const struct fg_cargo *c) { return c->exe; }

/* Run argv in cwd and collect its stdout (stderr passes through). */
static int
run_capture(const char *const *argv, const char *cwd, struct fg_buf *out,
    int *status, struct fg_error *err)
{
	struct fg_spawn_opts so;
	struct fg_child ch;
	char tmp[65536];
	ssize_t r;
	int rc = 0, st = 0;

	fg_spawn_opts_init(&so);
	so.out = FG_SPAWN_PIPE;
	so.in = FG_SPAWN_NULL;
	so.cwd = cwd;
	if ((rc = fg_spawn(argv, &so, &ch, err)) != 0)
		return rc;
	for (;;) {
		r = read(ch.out, tmp, sizeof(tmp));
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == -1)
				rc = fg_seterr_sys(err, FG_EIO, errno,
				    "%s: read output", argv[0]);
			break;
		}
		if (rc == 0 && (rc = fg_buf_append(out, tmp, (size_t)r)) != 0)
			fg_seterr(err, rc, "%s %s: output larger than %zu bytes",
			    argv[0], argv[1], out->cap_max);
	}
	if (fg_child_wait(&ch, &st, err) != 0 && rc == 0)
		rc = FG_ECHILD;
	*status = st;
	return rc;
}

static const char *
jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A string member that must be there; "" when cargo's JSON lacks it. */
static const char *
jname(const cJSON *o, const char *key)
{
	const char *s = jstr(o, key);

	return s != NULL ? s : "";
}

static int
jarray_has(const cJSON *o, const char *key, const char *want)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key), *e;

	cJSON_ArrayForEach(e, a)
		if (cJSON_IsString(e) && strcmp(e->valuestring, want) == 0)
			return 1;
	return 0;
}

static int
target_is_lib(const cJSON *t)
{
	static const char *libs[] = { "lib", "rlib", "dylib", "cdylib",
	    "staticlib", "proc-macro" };

	if (jarray_has(t, "kind", "example"))
		return 0;
	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++)
		if (jarray_has(t, "kind", libs[i]))
			return 1;
	return 0;
}

static const char *
kind_word(enum fg_target_kind k)
{
	switch (k) {
	case FG_TARGET_EXAMPLE: return "example";
	case FG_TARGET_TEST: return "test";
	case FG_TARGET_BENCH: return "bench";
	default: return "bin";
	}
}

/* Is t a target of kind k (with name, when non-NULL)? */
static int
target_matches(const cJSON *t, enum fg_target_kind k, const char *name,
    const char *unit_kind)
{
	const char *tn = jstr(t, "name");

	if (tn == NULL || (name != NULL && strcmp(tn, name) != 0))
		return 0;
	switch (k) {
	case FG_TARGET_DEFAULT:
	case FG_TARGET_BIN:
		return jarray_has(t, "kind", "bin");
	case FG_TARGET_EXAMPLE:
		return jarray_has(t, "kind", "example");
	case FG_TARGET_TEST:
		return jarray_has(t, "kind", "test");
	case FG_TARGET_BENCH:
		return jarray_has(t, "kind", "bench");
	case FG_TARGET_UNIT_TEST:
	case FG_TARGET_UNIT_BENCH:
		if (unit_kind != NULL && strcmp(unit_kind, "lib") == 0)
			return target_is_lib(t);
		if (unit_kind != NULL && strcmp(unit_kind, "bin") == 0)
			return jarray_has(t, "kind", "bin");
		return target_is_lib(t) || jarray_has(t, "kind", "bin");
	}
	return 0;
}

/* The directory of a manifest path, in a new string. */
static char *
manifest_dir(const char *manifest)
{
	const char *slash = strrchr(manifest, '/');

	if (slash == NULL)
		return strdup(".");
	return strndup(manifest, (size_t)(slash - manifest));
}

/* Is dir equal to or an ancestor of path? */
static int
dir_contains(const char *dir, const char *path)
{
	size_t n = strlen(dir);

	if (strncmp(dir, path, n) != 0)
		return 0;
	return path[n] == '\0' || path[n] == '/' || (n > 0 && dir[n - 1] == '/');
}

/* Append "`--flag name`" candidate lines for every runnable target. */
static void
list_candidates(struct fg_buf *b, const cJSON *const *pkgs, size_t npkgs,
    int multi)
{
	static const struct { const char *kind, *flag; } kinds[] = {
		{ "bin", "--bin" }, { "example", "--example" },
		{ "test", "--test" }, { "bench", "--bench" } };
	const cJSON *t;

	for (size_t k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		for (size_t i = 0; i < npkgs; i++) {
			cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(
			    pkgs[i], "targets")) {
				if (!jarray_has(t, "kind", kinds[k].kind))
					continue;
				if (multi)
					fg_buf_printf(b, "; `-p %s %s %s`",
					    jname(pkgs[i], "name"), kinds[k].flag,
					    jname(t, "name"));
				else
					fg_buf_printf(b, "; `%s %s`",
					    kinds[k].flag, jname(t, "name"));
			}
		}
	}
}

static void
list_unit_candidates(struct fg_buf *b, const cJSON *const *pkgs,
    size_t npkgs, const char *flag)
{
	const cJSON *t;

	for (size_t i = 0; i < npkgs; i++) {
		cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(pkgs[i],
		    "targets")) {
			if (!target_is_lib(t) && !jarray_has(t, "kind", "bin"))
				continue;
			fg_buf_printf(b, "; `%s %s --unit-test-kind %s`", flag,
			    jstr(t, "name"), target_is_lib(t) ? "lib" : "bin");
		}
	}
}

/* Candidates were appended as "; `x`": make it ": `x`, `y`". */
static void
tidy_list(struct fg_buf *b)
{
	char *r = b->d, *w = b->d;

	if (b->d == NULL)
		return;
	while (*r != '\0') {
		if (r[0] == ';' && r[1] == ' ' && r[2] == '`') {
			if (w > b->d && w[-1] == ':') {
				*w++ = ' ';
			} else {
				*w++ = ',';
				*w++ = ' ';
			}
			r += 2;
			continue;
		}
		*w++ = *r++;
	}
	*w = '\0';
	b->len = (size_t)(w - b->d);
}

struct pick {
	const cJSON *pkg;
	const cJSON *target;
	size_t n;
};

static void
find_targets(const cJSON *const *pkgs, size_t npkgs, enum fg_target_kind k,
    const char *name, const char *unit_kind, struct pick *p)
{
	const cJSON *t;

	p->n = 0;
	for (size_t i = 0; i < npkgs; i++) {
		cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(pkgs[i],
		    "targets")) {
			if (!target_matches(t, k, name, unit_kind))
				continue;
			if (p->n++ == 0) {
				p->pkg = pkgs[i];
				p->target = t;
			}
		}
	}
}

/*
 * Choose the package set and the target; fills c->pkg, pkg_id, name,
 * unit_lib.
 */
static int
choose(struct fg_cargo *c, const cJSON *meta, struct fg_error *err)
{
	const cJSON *packages = cJSON_GetObjectItemCaseSensitive(meta,
	    "packages");
	const cJSON *p, **all = NULL, **sel = NULL, *here = NULL;
	size_t nall = 0, nsel = 0, best = 0;
	struct pick pk = { NULL, NULL, 0 };
	struct fg_buf msg;
	const struct fg_cargo_opts *o = &c->o;
	int rc = 0;
	size_t np = (size_t)cJSON_GetArraySize(packages);

	fg_buf_init(&msg, 1u << 20);
	all = calloc(np + 1, sizeof(*all));
	sel = calloc(np + 1, sizeof(*sel));
	if (all == NULL || sel == NULL) {
		rc = fg_seterr(err, FG_ENOMEM, "cargo metadata: out of memory");
		goto out;
	}
	cJSON_ArrayForEach(p, packages) {
		const char *mp = jstr(p, "manifest_path");
		const char *id = jstr(p, "id");
		char *d;

		if (mp == NULL || id == NULL || jstr(p, "name") == NULL)
			continue;
		if (!jarray_has(meta, "workspace_members", id))
			continue;
		all[nall++] = p;
		if ((d = manifest_dir(mp)) == NULL) {
			rc = fg_seterr(err, FG_ENOMEM, "out of memory");
			goto out;
		}
		if (dir_contains(d, c->cwd) && strlen(d) >= best) {
			best = strlen(d);
			here = p;
		}
		free(d);
	}
	if (nall == 0) {
		rc = fg_seterr(err, FG_EINVAL,
		    "cargo metadata: the workspace has no packages");
		goto out;
	}

	if (o->package != NULL) {
		for (size_t i = 0; i < nall; i++)
			if (strcmp(jname(all[i], "name"), o->package) == 0)
				sel[nsel++] = all[i];
		if (nsel == 0) {
			fg_buf_printf(&msg, "package `%s` is not a member of "
			    "the workspace; members:", o->package);
			for (size_t i = 0; i < nall; i++)
				fg_buf_printf(&msg, " `%s`",
				    jname(all[i], "name"));
			rc = fg_seterr(err, FG_EINVAL, "%s", msg.d);
			goto out;
		}
	} else if (here != NULL) {
		sel[nsel++] = here;
	} else {
		for (size_t i = 0; i < nall; i++) {
			const cJSON *dm = cJSON_GetObjectItemCaseSensitive(meta,
			    "workspace_default_members");
			if (cJSON_IsArray(dm) &&
			    !jarray_has(meta, "workspace_default_members",
			    jstr(all[i], "id")))
				continue;
			sel[nsel++] = all[i];
		}
	}

	switch (o->kind) {
	case FG_TARGET_DEFAULT:
		/* default-run of a single selected package wins */
		if (nsel == 1 && jstr(sel[0], "default_run") != NULL) {
			find_targets(sel, 1, FG_TARGET_BIN,
			    jstr(sel[0], "default_run"), NULL, &pk);
			if (pk.n == 1)
				break;
		}
		find_targets(sel, nsel, FG_TARGET_BIN, NULL, NULL, &pk);
		if (pk.n == 1)
			break;
		if (pk.n == 0) {
			fg_buf_printf(&msg, "no binary target in %s%s (add a "
			    "src/main.rs or [[bin]], or pick another target); "
			    "the candidates are:",
			    nsel == 1 ? "package " : "the workspace",
			    nsel == 1 ? jstr(sel[0], "name") : "");
			list_candidates(&msg, sel, nsel, nsel > 1);
			list_unit_candidates(&msg, sel, nsel, "--unit-test");
		} else {
			fg_buf_printf(&msg, "%zu binaries could be profiled; "
			    "pick one with a flag (or set `default-run` in "
			    "[package]):", pk.n);
			list_candidates(&msg, sel, nsel, nsel > 1);
		}
		tidy_list(&msg);
		rc = fg_seterr(err, FG_EINVAL, "%s", msg.d);
		goto out;
	case FG_TARGET_BIN:
	case FG_TARGET_EXAMPLE:
	case FG_TARGET_TEST:
	case FG_TARGET_BENCH:
		find_targets(sel, nsel, o->kind, o->name, NULL, &pk);
		if (pk.n == 0 && o->package == NULL)
			find_targets(all, nall, o->kind, o->name, NULL, &pk);
		if (pk.n == 1)
			break;
		if (pk.n == 0)
			fg_buf_printf(&msg, "no %s target named `%s`; the "
			    "candidates are:", kind_word(o->kind), o->name);
		else
			fg_buf_printf(&msg, "%zu packages have a %s target "
			    "named `%s`; add -p:", pk.n, kind_word(o->kind),
			    o->name);
		list_candidates(&msg, all, nall, nall > 1);
		tidy_list(&msg);
		rc = fg_seterr(err, FG_EINVAL, "%s", msg.d);
		goto out;
	case FG_TARGET_UNIT_TEST:
	case FG_TARGET_UNIT_BENCH:
		find_targets(sel, nsel, o->kind, o->name, o->unit_kind, &pk);
		if (pk.n == 0 && o->package == NULL && o->name != NULL)
			find_targets(all, nall, o->kind, o->name, o->unit_kind,
			    &pk);
		if (pk.n == 1)
			break;
		if (pk.n == 0)
			fg_buf_printf(&msg, "no lib or bin target%s%s%s to "
			    "unit-test; the candidates are:",
			    o->name ? " named `" : "", o->name ? o->name : "",
			    o->name ? "`" : "");
		else
			fg_buf_printf(&msg, "%zu targets could be unit-tested; "
			    "name one:", pk.n);
		list_unit_candidates(&msg, o->name ? all : sel,
		    o->name ? nall : nsel, o->kind == FG_TARGET_UNIT_TEST ?
		    "--unit-test" : "--unit-bench");
		tidy_list(&msg);
		rc = fg_seterr(err, FG_EINVAL, "%s", msg.d);
		goto out;
	}

	c->pkg = strdup(jstr(pk.pkg, "name"));
	c->pkg_id = strdup(jstr(pk.pkg, "id"));
	c->name = strdup(jstr(pk.target, "name"));
	c->unit_lib = (o->kind == FG_TARGET_UNIT_TEST ||
	    o->kind == FG_TARGET_UNIT_BENCH) && target_is_lib(pk.target);
	if (c->pkg == NULL || c->pkg_id == NULL || c->name == NULL)
		rc = fg_seterr(err, FG_ENOMEM, "out of memory");
out:
	fg_buf_free(&msg);
	free(all);
	free(sel);
	return rc;
}

static const char *
cargo_bin(const struct fg_cargo *c)
{
	return c->o.cargo != NULL ? c->o.cargo : "cargo";
}

/* Profile as cargo will build it, and the flags that choose it. */
static int
choose_profile(struct fg_cargo *c)
{
	const char **flag = &c->pflag, **value = &c->pval;
	int test = c->o.kind == FG_TARGET_TEST ||
	    c->o.kind == FG_TARGET_UNIT_TEST;
	int bench = c->o.kind == FG_TARGET_BENCH ||
	    c->o.kind == FG_TARGET_UNIT_BENCH;
	const char *p;

	*flag = *value = NULL;
	if (c->o.profile != NULL) {
		p = c->o.profile;
		*flag = "--profile";
		*value = p;
	} else if (c->o.dev) {
		if (bench) {
			p = "dev";
			*flag = "--profile";
			*value = p;
		} else {
			p = test ? "test" : "dev";
		}
	} else if (bench) {
		p = "bench";
	} else {
		p = "release";
		*flag = "--release";
	}
	c->profile = strdup(p);
	return c->profile == NULL ? FG_ENOMEM : 0;
}

/* Join the overrides into c->overrides ("" when there are none). */
static int
join_overrides(struct fg_cargo *c)
{
	struct fg_buf b;

	fg_buf_init(&b, 1u << 20);
	free(c->overrides);
	c->overrides = NULL;
	for (size_t i = 0; i < c->nenv; i++)
		if (fg_buf_printf(&b, "%s%s", i ? " " : "", c->env[i]) != 0) {
			fg_buf_free(&b);
			return FG_ENOMEM;
		}
	c->overrides = strdup(b.d != NULL ? b.d : "");
	fg_buf_free(&b);
	return c->overrides == NULL ? FG_ENOMEM : 0;
}

int
fg_cargo_set_env(struct fg_cargo *c, const char *const *env, size_t n,
    struct fg_error *err)
{
	char **v = NULL;

	if (n > 0 && (v = calloc(n, sizeof(*v))) == NULL)
		return fg_seterr(err, FG_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++) {
		if (strchr(env[i], '=') == NULL || (v[i] = strdup(env[i])) == NULL) {
			for (size_t j = 0; j < i; j++)
				free(v[j]);
			free(v);
			return fg_seterr(err, strchr(env[i], '=') == NULL ?
			    FG_EINVAL : FG_ENOMEM, "build environment: `%s` is "
			    "not NAME=VALUE", env[i]);
		}
	}
	for (size_t i = 0; i < c->nenv; i++)
		free(c->env[i]);
	free(c->env);
	c->env = v;
	c->nenv = n;
	if (join_overrides(c) != 0)
		return fg_seterr(err, FG_ENOMEM, "out of memory");
	return 0;
}

int
fg_cargo_set_build_dir(struct fg_cargo *c, const char *dir,
    struct fg_error *err)
{
	char *d = NULL;

	if (dir != NULL && (d = strdup(dir)) == NULL)
		return fg_seterr(err, FG_ENOMEM, "out of memory");
	free(c->build_dir);
	c->build_dir = d;
	return 0;
}

int
fg_cargo_set_rustflags(struct fg_cargo *c, const char *const *flags,
    size_t n, struct fg_error *err)
{
	struct fg_buf b;

	fg_buf_init(&b, 1u << 20);
	if (fg_buf_printf(&b, "CARGO_ENCODED_RUSTFLAGS=") != 0)
		goto nomem;
	for (size_t i = 0; i < n; i++) {
		if (strchr(flags[i], '\x1f') != NULL) {
			fg_buf_free(&b);
			return fg_seterr(err, FG_EINVAL, "rustflags: `%s` holds "
			    "the separator 0x1f", flags[i]);
		}
		if (fg_buf_printf(&b, "%s%s", i ? "\x1f" : "", flags[i]) != 0)
			goto nomem;
	}
	free(c->rustflags_env);
	c->rustflags_env = b.d;
	return 0;
nomem:
	fg_buf_free(&b);
	return fg_seterr(err, FG_ENOMEM, "rustflags: out of memory");
}

/* The default overrides: debug info on, stripping off, for c->profile. */
static int
default_overrides(struct fg_cargo *c)
{
	char up[256];
	size_t i;

	for (i = 0; c->profile[i] != '\0' && i < sizeof(up) - 1; i++)
		up[i] = c->profile[i] == '-' ? '_' :
		    (char)toupper((unsigned char)c->profile[i]);
	up[i] = '\0';
	if ((c->env = calloc(2, sizeof(*c->env))) == NULL)
		return FG_ENOMEM;
	if (asprintf(&c->env[0], "CARGO_PROFILE_%s_DEBUG=true", up) == -1) {
		c->env[0] = NULL;
		return FG_ENOMEM;
	}
	c->nenv = 1;
	if (asprintf(&c->env[1], "CARGO_PROFILE_%s_STRIP=none", up) == -1) {
		c->env[1] = NULL;
		return FG_ENOMEM;
	}
	c->nenv = 2;
	return join_overrides(c);
}
/*
 * The flags every cargo command gets from the user's: --manifest-path,
 * --offline, --locked, --frozen.  Appended at argv[n]; returns the new n
 * (callers size argv for them).
 */
static size_t
push_manifest_flags(const struct fg_cargo *c, const char **argv, size_t n)
{
	if (c->o.manifest_path != NULL) {
		argv[n++] = "--manifest-path";
		argv[n++] = c->o.manifest_path;
	}
	if (c->o.offline)
		argv[n++] = "--offline";
	if (c->o.locked)
		argv[n++] = "--locked";
	if (c->o.frozen)
		argv[n++] = "--frozen";
	return n;
}


int
fg_cargo_locate(const struct fg_cargo_opts *o, struct fg_cargo **out,
    int *cargo_status, struct fg_error *err)
{
	struct fg_cargo *c;
	struct fg_buf buf;
	const char *argv[12];
	size_t n = 0;
	cJSON *meta = NULL;
	const char *s;
	int bad = 0, rc, st = 0;
	char *mdir = NULL;

	*out = NULL;
	if (cargo_status != NULL)
		*cargo_status = 0;
	if ((c = calloc(1, sizeof(*c))) == NULL)
		return fg_seterr(err, FG_ENOMEM, "out of memory");
	c->o = *o;
	c->o.cargo = c->s_cargo = dupornull(o->cargo, &bad);
	c->o.manifest_path = c->s_manifest = dupornull(o->manifest_path, &bad);
	c->o.package = c->s_package = dupornull(o->package, &bad);
	c->o.name = c->s_name = dupornull(o->name, &bad);
	c->o.unit_kind = c->s_unit_kind = dupornull(o->unit_kind, &bad);
	c->o.profile = c->s_profile = dupornull(o->profile, &bad);
	c->o.features = c->s_features = dupornull(o->features, &bad);
	c->o.triple = c->s_triple = dupornull(o->triple, &bad);
	c->o.target_dir = c->s_target_dir = dupornull(o->target_dir, &bad);
	c->o.cwd = c->s_cwd = dupornull(o->cwd, &bad);
	if (bad) {
		fg_cargo_free(c);
		return fg_seterr(err, FG_ENOMEM, "out of memory");
	}
	if (c->o.kind != FG_TARGET_DEFAULT && c->o.kind != FG_TARGET_UNIT_TEST &&
	    c->o.kind != FG_TARGET_UNIT_BENCH && c->o.name == NULL) {
		fg_cargo_free(c);
		return fg_seterr(err, FG_EINVAL, "--%s needs a target name",
		    kind_word(o->kind));
	}
	if (c->o.unit_kind != NULL && strcmp(c->o.unit_kind, "bin") != 0 &&
	    strcmp(c->o.unit_kind, "lib") != 0) {
		fg_cargo_free(c);
		return fg_seterr(err, FG_EINVAL,
		    "--unit-test-kind: `%s` is not bin or lib", c->o.unit_kind);
	}
	/* The directory whose package is meant. */
	if (c->o.manifest_path != NULL) {
		char *d = manifest_dir(c->o.manifest_path);
		if (d != NULL && (c->o.cwd == NULL || d[0] == '/')) {
			mdir = realpath(d, NULL);
		} else if (d != NULL) {
			char *j;
			if (asprintf(&j, "%s/%s", c->o.cwd, d) != -1) {
				mdir = realpath(j, NULL);
				free(j);
			}
		}
		free(d);
		if (mdir == NULL) {
			rc = fg_seterr_sys(err, FG_EINVAL, errno,
			    "--manifest-path %s", c->o.manifest_path);
			fg_cargo_free(c);
			return rc;
		}
		c->cwd = mdir;
	} else {
		c->cwd = realpath(c->o.cwd != NULL ? c->o.cwd : ".", NULL);
		if (c->cwd == NULL) {
			rc = fg_seterr_sys(err, FG_EIO, errno, "current directory");
			fg_cargo_free(c);
			return rc;
		}
	}

	argv[n++] = cargo_bin(c);
	argv[n++] = "metadata";
	argv[n++] = "--format-version";
	argv[n++] = "1";
	argv[n++] = "--no-deps";
	n = push_manifest_flags(c, argv, n);
	argv[n] = NULL;

	fg_buf_init(&buf, METADATA_MAX);
	rc = run_capture(argv, c->o.cwd, &buf, &st, err);
	if (rc == 0 && st != 0) {
		char d[64];
		fg_status_describe(st, d, sizeof(d));
		if (cargo_status != NULL)
			*cargo_status = fg_status_code(st);
		rc = fg_seterr(err, FG_ECHILD, "`%s metadata` failed (%s)",
		    cargo_bin(c), d);
	}
	if (rc == 0) {
		meta = cJSON_ParseWithLength(buf.d != NULL ? buf.d : "",
		    buf.len);
		if (meta == NULL)
			rc = fg_seterr(err, FG_EPARSE, "cargo metadata: output "
			    "is not JSON (near byte %zu)",
			    (size_t)(cJSON_GetErrorPtr() != NULL && buf.d != NULL ?
			    cJSON_GetErrorPtr() - buf.d : 0));
	}
	fg_buf_free(&buf);
	if (rc != 0)
		goto fail;

	if ((s = jstr(meta, "workspace_root")) == NULL ||
	    (c->root = strdup(s)) == NULL) {
		rc = fg_seterr(err, FG_EPARSE,
		    "cargo metadata: no workspace_root");
		goto fail;
	}
	if (c->o.target_dir != NULL) {
		if (c->o.target_dir[0] == '/')
			c->target_dir = strdup(c->o.target_dir);
		else if (asprintf(&c->target_dir, "%s/%s", c->cwd,
		    c->o.target_dir) == -1)
			c->target_dir = NULL;
	} else if ((s = jstr(meta, "target_directory")) != NULL) {
		c->target_dir = strdup(s);
	}
	if (c->target_dir == NULL) {
		rc = fg_seterr(err, FG_EPARSE,
		    "cargo metadata: no target_directory");
		goto fail;
	}
	if ((rc = choose(c, meta, err)) != 0)
		goto fail;
	cJSON_Delete(meta);
	meta = NULL;
	if (choose_profile(c) != 0 || default_overrides(c) != 0) {
		rc = fg_seterr(err, FG_ENOMEM, "out of memory");
		goto fail;
	}

	switch (c->o.kind) {
	case FG_TARGET_UNIT_TEST:
	case FG_TARGET_UNIT_BENCH:
		rc = asprintf(&c->desc, "%s of %s `%s`",
		    c->o.kind == FG_TARGET_UNIT_TEST ? "unit tests" :
		    "unit benches", c->unit_lib ? "lib" : "bin", c->name);
		break;
	default:
		rc = asprintf(&c->desc, "%s `%s`", kind_word(c->o.kind),
		    c->name);
		break;
	}
	if (rc == -1) {
		c->desc = NULL;
		rc = fg_seterr(err, FG_ENOMEM, "out of memory");
		goto fail;
	}
	*out = c;
	return 0;
fail:
	cJSON_Delete(meta);
	fg_cargo_free(c);
	return rc;
}

/* Does this compiler-artifact message carry our executable? */
static const char *
artifact_exe(const struct fg_cargo *c, const cJSON *m)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(m, "target");
	const cJSON *prof = cJSON_GetObjectItemCaseSensitive(m, "profile");
	const char *exe = jstr(m, "executable");
	const char *pid = jstr(m, "package_id");
	int want_test = c->o.kind == FG_TARGET_TEST ||
	    c->o.kind == FG_TARGET_BENCH || c->o.kind == FG_TARGET_UNIT_TEST ||
	    c->o.kind == FG_TARGET_UNIT_BENCH;
	int is_test;
	enum fg_target_kind k = c->o.kind;

	if (exe == NULL || t == NULL || pid == NULL ||
	    strcmp(pid, c->pkg_id) != 0)
		return NULL;
	if (k == FG_TARGET_UNIT_TEST || k == FG_TARGET_UNIT_BENCH) {
		if (jstr(t, "name") == NULL || strcmp(jstr(t, "name"),
		    c->name) != 0)
			return NULL;
		if (c->unit_lib ? !target_is_lib(t) :
		    !jarray_has(t, "kind", "bin"))
			return NULL;
	} else if (!target_matches(t, k == FG_TARGET_DEFAULT ?
	    FG_TARGET_BIN : k, c->name, NULL)) {
		return NULL;
	}
	is_test = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(prof, "test"));
	if (want_test != is_test)
		return NULL;
	return exe;
}

static int
on_line(struct fg_cargo *c, const char *line, size_t len,
    struct fg_error *err)
{
	cJSON *m;
	const char *reason, *exe;
	int rc = 0;

	if (len == 0 || line[0] != '{')
		return 0;	/* not a JSON message: ignore */
	if ((m = cJSON_ParseWithLength(line, len)) == NULL)
		return 0;
	reason = jstr(m, "reason");
	if (reason != NULL && strcmp(reason, "compiler-artifact") == 0 &&
	    (exe = artifact_exe(c, m)) != NULL) {
		free(c->exe);
		if ((c->exe = strdup(exe)) == NULL)
			rc = fg_seterr(err, FG_ENOMEM, "out of memory");
	}
	cJSON_Delete(m);
	return rc;
}

static int
build_argv(struct fg_cargo *c, const char **argv, size_t max)
{
	const char *pflag = c->pflag, *pval = c->pval;
	size_t n = 0;
	int test = c->o.kind == FG_TARGET_TEST ||
	    c->o.kind == FG_TARGET_UNIT_TEST;
	int bench = c->o.kind == FG_TARGET_BENCH ||
	    c->o.kind == FG_TARGET_UNIT_BENCH;

	argv[n++] = cargo_bin(c);
	argv[n++] = test ? "test" : bench ? "bench" : "build";
	if (test || bench)
		argv[n++] = "--no-run";
	if (pflag != NULL)
		argv[n++] = pflag;
	if (pval != NULL)
		argv[n++] = pval;
	argv[n++] = "--message-format=json-render-diagnostics";
	argv[n++] = "-p";
	argv[n++] = c->pkg;
	switch (c->o.kind) {
	case FG_TARGET_UNIT_TEST:
	case FG_TARGET_UNIT_BENCH:
		if (c->unit_lib) {
			argv[n++] = "--lib";
		} else {
			argv[n++] = "--bin";
			argv[n++] = c->name;
		}
		break;
	case FG_TARGET_DEFAULT:
	case FG_TARGET_BIN:
		argv[n++] = "--bin";
		argv[n++] = c->name;
		break;
	default:
		argv[n++] = c->o.kind == FG_TARGET_EXAMPLE ? "--example" :
		    c->o.kind == FG_TARGET_TEST ? "--test" : "--bench";
		argv[n++] = c->name;
		break;
	}
	if (c->o.features != NULL) {
		argv[n++] = "--features";
		argv[n++] = c->o.features;
	}
	if (c->o.all_features)
		argv[n++] = "--all-features";
	if (c->o.no_default_features)
		argv[n++] = "--no-default-features";
	if (c->o.triple != NULL) {
		argv[n++] = "--target";
		argv[n++] = c->o.triple;
	}
	if (c->build_dir != NULL) {
		argv[n++] = "--target-dir";
		argv[n++] = c->build_dir;
	} else if (c->o.target_dir != NULL) {
		argv[n++] = "--target-dir";
		argv[n++] = c->target_dir;
	}
	n = push_manifest_flags(c, argv, n);
	if (c->o.verbose)
		argv[n++] = "-v";
	argv[n] = NULL;
	return n < max ? 0 : -1;
}

int
fg_cargo_build(struct fg_cargo *c, int *cargo_status, struct fg_error *err)
{
	const char *argv[40];
	struct fg_spawn_opts so;
	struct fg_child ch;
	struct fg_buf line, cmd;
	char tmp[65536];
	ssize_t r;
	int rc = 0, st = 0;

	if (cargo_status != NULL)
		*cargo_status = 0;
	if (build_argv(c, argv, sizeof(argv) / sizeof(argv[0])) != 0)
		return fg_seterr(err, FG_ENOMEM, "cargo build: too many "
		    "arguments");
	fg_buf_init(&cmd, 1u << 16);
	for (size_t i = 0; argv[i] != NULL; i++)
		if (fg_buf_printf(&cmd, "%s%s", i ? " " : "", argv[i]) != 0)
			break;
	free(c->cmdline);
	c->cmdline = cmd.d != NULL ? strdup(cmd.d) : NULL;
	fg_buf_free(&cmd);

	fg_spawn_opts_init(&so);
	so.out = FG_SPAWN_PIPE;
	so.cwd = c->o.cwd;
	so.setenv = (const char *const *)c->env;
	so.nsetenv = c->nenv;
	if (c->rustflags_env != NULL) {
		const char **env = reallocarray(NULL, c->nenv + 1,
		    sizeof(*env));
		if (env == NULL)
			return fg_seterr(err, FG_ENOMEM, "out of memory");
		for (size_t i = 0; i < c->nenv; i++)
			env[i] = c->env[i];
		env[c->nenv] = c->rustflags_env;
		so.setenv = env;
		so.nsetenv = c->nenv + 1;
		rc = fg_spawn(argv, &so, &ch, err);
		free(env);
	} else
		rc = fg_spawn(argv, &so, &ch, err);
	if (rc != 0)
		return rc;
	fg_buf_init(&line, LINE_MAX_BYTES);
	for (;;) {
		char *p, *nl;
		size_t n;

		r = read(ch.out, tmp, sizeof(tmp));
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == -1 && rc == 0)
				rc = fg_seterr_sys(err, FG_EIO, errno,
				    "cargo build: read output");
			break;
		}
		p = tmp;
		n = (size_t)r;
		while (rc == 0 && (nl = memchr(p, '\n', n)) != NULL) {
			size_t k = (size_t)(nl - p);
			if (line.len > 0) {
				if ((rc = fg_buf_append(&line, p, k)) != 0) {
					fg_seterr(err, rc, "cargo build: a "
					    "message is larger than %u bytes",
					    LINE_MAX_BYTES);
					break;
				}
				rc = on_line(c, line.d, line.len, err);
				fg_buf_reset(&line);
			} else {
				rc = on_line(c, p, k, err);
			}
			p = nl + 1;
			n -= k + 1;
		}
		if (rc == 0 && n > 0 && (rc = fg_buf_append(&line, p, n)) != 0)
			fg_seterr(err, rc, "cargo build: a message is larger "
			    "than %u bytes", LINE_MAX_BYTES);
		/* on error keep draining so cargo is not killed by SIGPIPE */
	}
	if (rc == 0 && line.len > 0)
		rc = on_line(c, line.d, line.len, err);
	fg_buf_free(&line);
	if (fg_child_wait(&ch, &st, err) != 0 && rc == 0)
		rc = FG_ECHILD;
	if (rc != 0)
		return rc;
	if (st != 0) {
		char d[64];
		fg_status_describe(st, d, sizeof(d));
		if (cargo_status != NULL)
			*cargo_status = fg_status_code(st);
		return fg_seterr(err, FG_ECHILD, "`%s` failed (%s)",
		    c->cmdline != NULL ? c->cmdline : "cargo build", d);
	}
	if (c->exe == NULL)
		return fg_seterr(err, FG_ECHILD, "`%s` built no executable "
		    "for %s", c->cmdline != NULL ? c->cmdline : "cargo build",
		    c->desc);
	return 0;
}

/* ---- ELF: is there debug info? ----------------------------------- */

static uint64_t
rd(const unsigned char *p, int n, int le)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v |= (uint64_t)p[le ? i : n - 1 - i] << (8 * i);
	return v;
}

int
fg_elf_debug_info(const char *path, int *has_debug, int *has_symtab,
    struct fg_error *err)
{
	unsigned char eh[64], sh[64];
	unsigned char *names = NULL;
	uint64_t shoff, shnum, shstrndx, stroff, strsize;
	uint64_t shentsize;
	int fd, le, is64, rc = 0;

	*has_debug = *has_symtab = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return fg_seterr_sys(err, FG_EIO, errno, "%s", path);
	if (pread(fd, eh, sizeof(eh), 0) < 52 || memcmp(eh, "\177ELF", 4) != 0) {
		rc = fg_seterr(err, FG_EPARSE, "%s: not an ELF file", path);
		goto out;
	}
	is64 = eh[4] == 2;
	le = eh[5] == 1;
	shoff = is64 ? rd(eh + 0x28, 8, le) : rd(eh + 0x20, 4, le);
	shentsize = is64 ? rd(eh + 0x3a, 2, le) : rd(eh + 0x2e, 2, le);
	shnum = is64 ? rd(eh + 0x3c, 2, le) : rd(eh + 0x30, 2, le);
	shstrndx = is64 ? rd(eh + 0x3e, 2, le) : rd(eh + 0x32, 2, le);
	if (shentsize < (is64 ? 64u : 40u) || shentsize > sizeof(sh) ||
	    shnum == 0 || shstrndx >= shnum || shoff > INT64_MAX / 2) {
		rc = fg_seterr(err, FG_EPARSE, "%s: ELF section headers at "
		    "offset %#llx unusable", path, (unsigned long long)shoff);
		goto out;
	}
	if (pread(fd, sh, shentsize, (off_t)(shoff + shstrndx * shentsize)) !=
	    (ssize_t)shentsize) {
		rc = fg_seterr(err, FG_EPARSE, "%s: truncated ELF", path);
		goto out;
	}
	stroff = is64 ? rd(sh + 0x18, 8, le) : rd(sh + 0x10, 4, le);
	strsize = is64 ? rd(sh + 0x20, 8, le) : rd(sh + 0x14, 4, le);
	if (strsize == 0 || strsize > (1u << 24) ||
	    (names = malloc(strsize + 1)) == NULL ||
	    pread(fd, names, strsize, (off_t)stroff) != (ssize_t)strsize) {
		rc = fg_seterr(err, FG_EPARSE, "%s: ELF section names at "
		    "offset %#llx unreadable", path, (unsigned long long)stroff);
		goto out;
	}
	names[strsize] = '\0';
	for (uint64_t i = 0; i < shnum; i++) {
		uint64_t nm;
		const char *s;

		if (pread(fd, sh, shentsize, (off_t)(shoff + i * shentsize)) !=
		    (ssize_t)shentsize)
			break;
		nm = rd(sh, 4, le);
		if (nm >= strsize)
			continue;
		s = (const char *)names + nm;
		if (strcmp(s, ".debug_info") == 0 ||
		    strcmp(s, ".debug_line") == 0 ||
		    strcmp(s, ".zdebug_info") == 0)
			*has_debug = 1;
		if (strcmp(s, ".symtab") == 0)
			*has_symtab = 1;
	}
out:
	free(names);
	close(fd);
	return rc;
}
