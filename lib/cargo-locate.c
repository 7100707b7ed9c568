/*
 * cargo-locate.c: locate the target with `cargo metadata`: the workspace
 * root, the target directory, the package and target (cargo-target.c),
 * the profile cargo will build and the default environment overrides
 * (lib/buildpolicy.c) so that even without a policy the build keeps its
 * names.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buildpolicy.h"
#include "cargo-int.h"
#include "fg_spawn.h"

#define METADATA_MAX (256u << 20)	/* cargo metadata output */

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
				rc = seterr_sys(err, FG_EIO, errno,
				    "%s: read output", argv[0]);
			break;
		}
		if (rc == 0 && (rc = buf_append(out, tmp, (size_t)r)) != 0)
			seterr(err, rc, "%s %s: output larger than %zu bytes",
			    argv[0], argv[1], out->cap_max);
	}
	if (fg_child_wait(&ch, &st, err) != 0 && rc == 0)
		rc = FG_ECHILD;
	*status = st;
	return rc;
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


/* The default overrides: debug info on, stripping off, for c->profile. */
static int
default_overrides(struct fg_cargo *c)
{
	char *d[2];

	if (buildpolicy_default_env(c->profile, d) != 0)
		return FG_ENOMEM;
	if ((c->env = calloc(2, sizeof(*c->env))) == NULL) {
		free(d[0]);
		free(d[1]);
		return FG_ENOMEM;
	}
	c->env[0] = d[0];
	c->env[1] = d[1];
	c->nenv = 2;
	return cargo_join_overrides(c);
}

/* A new handle with copies of the options, checked. */
static int
handle_new(const struct fg_cargo_opts *o, struct fg_cargo **out,
    struct fg_error *err)
{
	struct fg_cargo *c;
	int bad = 0;

	if ((*out = c = calloc(1, sizeof(*c))) == NULL)
		return seterr(err, FG_ENOMEM, "out of memory");
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
	if (bad)
		return seterr(err, FG_ENOMEM, "out of memory");
	if (c->o.kind != FG_TARGET_DEFAULT && c->o.kind != FG_TARGET_UNIT_TEST &&
	    c->o.kind != FG_TARGET_UNIT_BENCH && c->o.name == NULL)
		return seterr(err, FG_EINVAL, "--%s needs a target name",
		    cargo_kind_word(o->kind));
	if (c->o.unit_kind != NULL && strcmp(c->o.unit_kind, "bin") != 0 &&
	    strcmp(c->o.unit_kind, "lib") != 0)
		return seterr(err, FG_EINVAL,
		    "--unit-test-kind: `%s` is not bin or lib", c->o.unit_kind);
	return 0;
}

/* c->cwd: the directory whose package is meant. */
static int
find_cwd(struct fg_cargo *c, struct fg_error *err)
{
	char *d, *j, *mdir = NULL;

	if (c->o.manifest_path == NULL) {
		c->cwd = realpath(c->o.cwd != NULL ? c->o.cwd : ".", NULL);
		if (c->cwd == NULL)
			return seterr_sys(err, FG_EIO, errno,
			    "current directory");
		return 0;
	}
	d = cargo_manifest_dir(c->o.manifest_path);
	if (d != NULL && (c->o.cwd == NULL || d[0] == '/')) {
		mdir = realpath(d, NULL);
	} else if (d != NULL && asprintf(&j, "%s/%s", c->o.cwd, d) != -1) {
		mdir = realpath(j, NULL);
		free(j);
	}
	free(d);
	if (mdir == NULL)
		return seterr_sys(err, FG_EINVAL, errno,
		    "--manifest-path %s", c->o.manifest_path);
	c->cwd = mdir;
	return 0;
}

/* Run `cargo metadata` and parse what it says. */
static int
metadata(struct fg_cargo *c, cJSON **meta, int *cargo_status,
    struct fg_error *err)
{
	struct fg_buf buf;
	const char *argv[12];
	size_t n = 0;
	int rc, st = 0;

	argv[n++] = cargo_bin(c);
	argv[n++] = "metadata";
	argv[n++] = "--format-version";
	argv[n++] = "1";
	argv[n++] = "--no-deps";
	n = cargo_manifest_flags(c, argv, n);
	argv[n] = NULL;

	buf_init(&buf, METADATA_MAX);
	rc = run_capture(argv, c->o.cwd, &buf, &st, err);
	if (rc == 0 && st != 0) {
		char d[64];
		fg_status_describe(st, d, sizeof(d));
		if (cargo_status != NULL)
			*cargo_status = fg_status_code(st);
		rc = seterr(err, FG_ECHILD, "`%s metadata` failed (%s)",
		    cargo_bin(c), d);
	}
	if (rc == 0) {
		*meta = cJSON_ParseWithLength(buf.d != NULL ? buf.d : "",
		    buf.len);
		if (*meta == NULL)
			rc = seterr(err, FG_EPARSE, "cargo metadata: output "
			    "is not JSON (near byte %zu)",
			    (size_t)(cJSON_GetErrorPtr() != NULL && buf.d != NULL ?
			    cJSON_GetErrorPtr() - buf.d : 0));
	}
	buf_free(&buf);
	return rc;
}

/* The workspace root and the target directory. */
static int
workspace(struct fg_cargo *c, const cJSON *meta, struct fg_error *err)
{
	const char *s;

	if ((s = cargo_jstr(meta, "workspace_root")) == NULL ||
	    (c->root = strdup(s)) == NULL)
		return seterr(err, FG_EPARSE,
		    "cargo metadata: no workspace_root");
	if (c->o.target_dir != NULL) {
		if (c->o.target_dir[0] == '/')
			c->target_dir = strdup(c->o.target_dir);
		else if (asprintf(&c->target_dir, "%s/%s", c->cwd,
		    c->o.target_dir) == -1)
			c->target_dir = NULL;
	} else if ((s = cargo_jstr(meta, "target_directory")) != NULL) {
		c->target_dir = strdup(s);
	}
	if (c->target_dir == NULL)
		return seterr(err, FG_EPARSE,
		    "cargo metadata: no target_directory");
	return 0;
}

/* c->desc: "bin `x`", "unit tests of lib `y`", ... */
static int
describe(struct fg_cargo *c)
{
	int rc;

	switch (c->o.kind) {
	case FG_TARGET_UNIT_TEST:
	case FG_TARGET_UNIT_BENCH:
		rc = asprintf(&c->desc, "%s of %s `%s`",
		    c->o.kind == FG_TARGET_UNIT_TEST ? "unit tests" :
		    "unit benches", c->unit_lib ? "lib" : "bin", c->name);
		break;
	default:
		rc = asprintf(&c->desc, "%s `%s`", cargo_kind_word(c->o.kind),
		    c->name);
		break;
	}
	if (rc == -1) {
		c->desc = NULL;
		return FG_ENOMEM;
	}
	return 0;
}

int
fg_cargo_locate(const struct fg_cargo_opts *o, struct fg_cargo **out,
    int *cargo_status, struct fg_error *err)
{
	struct fg_cargo *c = NULL;
	cJSON *meta = NULL;
	int rc;

	*out = NULL;
	if (cargo_status != NULL)
		*cargo_status = 0;
	if ((rc = handle_new(o, &c, err)) != 0 ||
	    (rc = find_cwd(c, err)) != 0 ||
	    (rc = metadata(c, &meta, cargo_status, err)) != 0 ||
	    (rc = workspace(c, meta, err)) != 0 ||
	    (rc = cargo_choose(c, meta, err)) != 0)
		goto fail;
	cJSON_Delete(meta);
	meta = NULL;
	if (choose_profile(c) != 0 || default_overrides(c) != 0 ||
	    describe(c) != 0) {
		rc = seterr(err, FG_ENOMEM, "out of memory");
		goto fail;
	}
	*out = c;
	return 0;
fail:
	cJSON_Delete(meta);
	fg_cargo_free(c);
	return rc;
}
