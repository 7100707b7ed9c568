/*
 * manifest.c: what cargo-flamegraph knows about a Cargo project before
 * cargo runs: workspace root and package, effective profile settings
 * (Cargo.toml, .cargo/config.toml files, CARGO_* environment), rustflags,
 * linker and target directory, and the tool's own defaults from
 * [package.metadata.flamegraph].  Reads files only; never runs cargo.
 * (Stub: the implementation is being written.)
 */
#include <stdlib.h>

#include "base.h"
#include "toml.h"

void
fg_manifest_opts_init(struct fg_manifest_opts *o)
{
	memset(o, 0, sizeof(*o));
}

int
fg_manifest_load(const struct fg_manifest_opts *o, struct fg_manifest **out,
    struct fg_error *err)
{
	*out = NULL;
	return fg_seterr(err, FG_EUNSUPPORTED, "manifest: not implemented yet");
}

void fg_manifest_free(struct fg_manifest *m) { (void)m; }
const char *fg_manifest_root(const struct fg_manifest *m) { return NULL; }
const char *fg_manifest_root_manifest(const struct fg_manifest *m) { return NULL; }
const char *fg_manifest_package(const struct fg_manifest *m) { return NULL; }
const char *fg_manifest_package_manifest(const struct fg_manifest *m) { return NULL; }
size_t fg_manifest_nmembers(const struct fg_manifest *m) { return 0; }
const char *fg_manifest_member_dir(const struct fg_manifest *m, size_t i) { return NULL; }
const char *fg_manifest_member_name(const struct fg_manifest *m, size_t i) { return NULL; }
const char *fg_manifest_target_dir(const struct fg_manifest *m, const char **origin) { return NULL; }
const char *fg_manifest_build_target(const struct fg_manifest *m) { return NULL; }
size_t fg_manifest_rustflags(const struct fg_manifest *m, const char *const **flags, const char **origin) { *flags = NULL; return 0; }
const char *fg_manifest_linker(const struct fg_manifest *m, const char **origin) { return NULL; }
int
fg_manifest_profile(const struct fg_manifest *m, const char *name,
    struct fg_profile **out, struct fg_error *err)
{
	*out = NULL;
	return fg_seterr(err, FG_EUNSUPPORTED, "manifest: not implemented yet");
}
void fg_profile_free(struct fg_profile *p) { (void)p; }
const char *fg_profile_name(const struct fg_profile *p) { return NULL; }
const char *fg_profile_dir(const struct fg_profile *p) { return NULL; }
const char *fg_profile_get(const struct fg_profile *p, const char *key, const char **origin) { return NULL; }
size_t fg_profile_noverrides(const struct fg_profile *p) { return 0; }
const char *fg_profile_override(const struct fg_profile *p, size_t i, const char **reason) { return NULL; }
size_t fg_manifest_check_stacks(const struct fg_manifest *m, const struct fg_profile *p, const struct fg_warn *w) { return 0; }
const char *fg_manifest_option(const struct fg_manifest *m, const char *key, const char **origin) { return NULL; }
size_t fg_manifest_option_list(const struct fg_manifest *m, const char *key, const char *const **items, const char **origin) { *items = NULL; return 0; }
