/*
 * cargo.c: the handle of a located Cargo target: its options (copied),
 * the facts cargo metadata gave, and the settings the build gets (the
 * build policy's environment, rustflags and directory, lib/buildpolicy.c).
 * Locating is lib/cargo-locate.c's, choosing the target
 * lib/cargo-target.c's, building lib/cargo-build.c's.  No output, no
 * exit.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cargo-int.h"

void
fg_cargo_opts_init(struct fg_cargo_opts *o)
{
	memset(o, 0, sizeof(*o));
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

const char *
cargo_bin(const struct fg_cargo *c)
{
	return c->o.cargo != NULL ? c->o.cargo : "cargo";
}

int
cargo_join_overrides(struct fg_cargo *c)
{
	struct fg_buf b;

	buf_init(&b, 1u << 20);
	free(c->overrides);
	c->overrides = NULL;
	for (size_t i = 0; i < c->nenv; i++)
		if (buf_printf(&b, "%s%s", i ? " " : "", c->env[i]) != 0) {
			buf_free(&b);
			return FG_ENOMEM;
		}
	c->overrides = strdup(b.d != NULL ? b.d : "");
	buf_free(&b);
	return c->overrides == NULL ? FG_ENOMEM : 0;
}

int
fg_cargo_set_build(struct fg_cargo *c, const struct fg_build *b,
    struct fg_error *err)
{
	const char *const *env;
	const char *s;
	char **v = NULL;
	size_t n = fg_build_env(b, &env);

	if (n > 0 && (v = calloc(n, sizeof(*v))) == NULL)
		return seterr(err, FG_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		if ((v[i] = strdup(env[i])) == NULL) {
			for (size_t j = 0; j < i; j++)
				free(v[j]);
			free(v);
			return seterr(err, FG_ENOMEM, "out of memory");
		}
	for (size_t i = 0; i < c->nenv; i++)
		free(c->env[i]);
	free(c->env);
	c->env = v;
	c->nenv = n;
	free(c->build_dir);
	free(c->rustflags_env);
	c->build_dir = c->rustflags_env = NULL;
	if ((s = fg_build_dir(b)) != NULL && (c->build_dir = strdup(s)) == NULL)
		return seterr(err, FG_ENOMEM, "out of memory");
	if ((s = fg_build_encoded_rustflags(b)) != NULL &&
	    (c->rustflags_env = strdup(s)) == NULL)
		return seterr(err, FG_ENOMEM, "out of memory");
	if (cargo_join_overrides(c) != 0)
		return seterr(err, FG_ENOMEM, "out of memory");
	return 0;
}

size_t
cargo_manifest_flags(const struct fg_cargo *c, const char **argv, size_t n)
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

