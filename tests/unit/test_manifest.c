/*
 * test_manifest.c: the manifest knowledge on the projects of
 * tests/data/manifest, copied to a temporary directory so that no
 * Cargo.toml or .cargo/ above the source tree can leak in: the same
 * results from plain and fancy TOML forms, workspace discovery,
 * profile inheritance and config/env precedence, the overrides,
 * rustflags warnings, metadata defaults and their warnings, and errors
 * that name Cargo.toml:LINE:COL.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flamegraph.h"
#include "check.h"

static char tmp[256];
static char warnings[8192];

static void
collect(void *arg, const char *msg)
{
	(void)arg;
	strncat(warnings, msg, sizeof(warnings) - strlen(warnings) - 2);
	strcat(warnings, "\n");
}

static const char *
path(const char *rel)
{
	static char buf[4][512];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", tmp, rel);
	return buf[i];
}

static struct fg_manifest *
load(const char *dir, const char *const *env, const char *package,
    struct fg_error *err)
{
	struct fg_manifest_opts o;
	struct fg_manifest *m = NULL;

	fg_manifest_opts_init(&o);
	o.dir = path(dir);
	o.env = env;
	o.package = package;
	o.warn.fn = collect;
	warnings[0] = '\0';
	fg_error_clear(err);
	if (fg_manifest_load(&o, &m, err) != 0)
		return NULL;
	return m;
}

static void
count_warn(void *arg, const char *msg)
{
	(*(int *)arg)++;
	collect(NULL, msg);
}

/* Everything the API says about a plain or fancy project. */
static void
check_demo(const char *dir)
{
	const char *env[] = { "CARGO_HOME=/nonexistent", NULL };
	struct fg_error err = {0};
	struct fg_manifest *m = load(dir, env, NULL, &err);
	struct fg_profile *p = NULL;
	const char *const *items, *const *fl;
	const char *o, *why;
	struct fg_warn w;
	int nw = 0;
	char want[512];

	CHECK(m != NULL);
	if (m == NULL) {
		fprintf(stderr, "%s: %s\n", dir, err.msg);
		return;
	}
	CHECK_STR(fg_manifest_package(m), "demo");
	CHECK_STR(fg_manifest_root(m), path(dir));
	snprintf(want, sizeof(want), "%s/Cargo.toml", path(dir));
	CHECK_STR(fg_manifest_package_manifest(m), want);
	CHECK(fg_manifest_nmembers(m) == 1);
	snprintf(want, sizeof(want), "%s/tgt", path(dir));
	CHECK_STR(fg_manifest_target_dir(m, &o), want);
	CHECK(strstr(o, "/.cargo/config.toml:") != NULL);
	CHECK(fg_manifest_rustflags(m, &fl, &o) == 4);
	CHECK_STR(fl[1], "force-frame-pointers=no");
	CHECK_STR(fl[3], "link-arg=-s");
	CHECK(fg_manifest_build_target(m) == NULL);

	CHECK_STR(fg_manifest_option(m, "freq", &o), "1997");
	CHECK(strstr(o, "Cargo.toml:") != NULL);
	CHECK_STR(fg_manifest_option(m, "palette", NULL), "rust");
	CHECK_STR(fg_manifest_option(m, "title", NULL), "Demo flame");
	CHECK_STR(fg_manifest_option(m, "min-width", NULL), "0.5");
	CHECK_STR(fg_manifest_option(m, "deterministic", NULL), "true");
	CHECK(fg_manifest_option(m, "output", NULL) == NULL);
	CHECK(fg_manifest_option_list(m, "skip-after", &items, NULL) == 2);
	CHECK_STR(items[1], "std::rt::lang_start");
	CHECK_STR(warnings, "");

	CHECK(fg_manifest_profile(m, "release", &p, &err) == 0);
	if (p != NULL) {
		CHECK_STR(fg_profile_dir(p), "release");
		CHECK_STR(fg_profile_get(p, "debug", NULL), "none");
		CHECK_STR(fg_profile_get(p, "strip", &o), "symbols");
		CHECK(strstr(o, "Cargo.toml:") != NULL);
		CHECK_STR(fg_profile_get(p, "lto", NULL), "thin");
		CHECK_STR(fg_profile_get(p, "panic", NULL), "abort");
		CHECK_STR(fg_profile_get(p, "opt-level", &o), "3");
		CHECK_STR(o, "default");
		CHECK_STR(fg_profile_get(p, "codegen-units", &o), "1");
		CHECK(strstr(o, ".cargo/config.toml:") != NULL);
		CHECK(fg_profile_get(p, "inherits", NULL) == NULL);
		CHECK(fg_profile_get(p, "no-such-key", NULL) == NULL);
		CHECK(fg_profile_noverrides(p) == 2);
		CHECK_STR(fg_profile_override(p, 0, &why),
		    "CARGO_PROFILE_RELEASE_DEBUG=1");
		CHECK(strstr(why, "debug = \"none\"") != NULL);
		CHECK_STR(fg_profile_override(p, 1, NULL),
		    "CARGO_PROFILE_RELEASE_STRIP=false");
		CHECK(fg_profile_override(p, 2, NULL) == NULL);
		w.fn = count_warn;
		w.arg = &nw;
		CHECK(fg_manifest_check_stacks(m, p, &w) == 2);
		CHECK(nw == 2);
		CHECK(strstr(warnings, "force-frame-pointers=no") != NULL);
		CHECK(strstr(warnings, "link-arg=-s makes the linker strip")
		    != NULL);
	}
	fg_profile_free(p);

	CHECK(fg_manifest_profile(m, "profiling", &p, &err) == 0);
	if (p != NULL) {
		CHECK_STR(fg_profile_dir(p), "profiling");
		CHECK_STR(fg_profile_get(p, "inherits", NULL), "release");
		CHECK_STR(fg_profile_get(p, "debug", NULL), "line-tables-only");
		CHECK_STR(fg_profile_get(p, "strip", NULL), "symbols");
		CHECK_STR(fg_profile_get(p, "split-debuginfo", NULL), "packed");
		CHECK_STR(fg_profile_get(p, "codegen-units", NULL), "1");
		CHECK(fg_profile_noverrides(p) == 2);
		CHECK_STR(fg_profile_override(p, 0, NULL),
		    "CARGO_PROFILE_PROFILING_STRIP=false");
		CHECK_STR(fg_profile_override(p, 1, NULL),
		    "CARGO_PROFILE_PROFILING_SPLIT_DEBUGINFO=off");
	}
	fg_profile_free(p);

	CHECK(fg_manifest_profile(m, "dev", &p, &err) == 0);
	if (p != NULL) {
		CHECK_STR(fg_profile_dir(p), "debug");
		CHECK_STR(fg_profile_get(p, "debug", NULL), "full");
		CHECK_STR(fg_profile_get(p, "strip", NULL), "none");
		CHECK(fg_profile_noverrides(p) == 0);
	}
	fg_profile_free(p);
	fg_manifest_free(m);
}

static void
test_workspace(void)
{
	char home[512], want[512];
	const char *env[] = { home, NULL, NULL };
	struct fg_error err = {0};
	struct fg_manifest *m;
	struct fg_profile *p = NULL;
	const char *o, *const *fl;

	snprintf(home, sizeof(home), "CARGO_HOME=%s", path("home"));
	m = load("ws/crates/a", env, NULL, &err);
	CHECK(m != NULL);
	if (m == NULL) {
		fprintf(stderr, "%s\n", err.msg);
		return;
	}
	CHECK_STR(fg_manifest_root(m), path("ws"));
	CHECK_STR(fg_manifest_root_manifest(m), path("ws/Cargo.toml"));
	CHECK_STR(fg_manifest_package(m), "a");
	CHECK(fg_manifest_nmembers(m) == 2);
	CHECK_STR(fg_manifest_member_name(m, 0), "a");
	CHECK_STR(fg_manifest_member_name(m, 1), "b");
	CHECK_STR(fg_manifest_member_dir(m, 1), path("ws/crates/b"));
	CHECK(fg_manifest_member_dir(m, 2) == NULL);
	CHECK_STR(fg_manifest_target_dir(m, NULL), path("ws/out"));
	/* rustflags from CARGO_HOME's config */
	CHECK(fg_manifest_rustflags(m, &fl, &o) == 2);
	CHECK(strstr(o, "/home/config.toml:7:1") != NULL);
	/* package metadata over workspace metadata; warnings name key */
	CHECK_STR(fg_manifest_option(m, "title", NULL), "a title");
	CHECK_STR(fg_manifest_option(m, "freq", &o), "99");
	CHECK(strstr(o, "ws/Cargo.toml:7:1") != NULL);
	snprintf(want, sizeof(want), "%s:7:1: unknown key \"colour\"",
	    path("ws/crates/a/Cargo.toml"));
	CHECK(strstr(warnings, want) != NULL);
	snprintf(want, sizeof(want), "%s:8:1: \"freq\" in "
	    "[package.metadata.flamegraph] must be a positive integer",
	    path("ws/crates/a/Cargo.toml"));
	CHECK(strstr(warnings, want) != NULL);

	/* precedence: crates/a/.cargo over ws/.cargo over manifest over
	 * CARGO_HOME (for debug); CARGO_HOME still sets panic */
	CHECK(fg_manifest_profile(m, "release", &p, &err) == 0);
	if (p != NULL) {
		CHECK_STR(fg_profile_get(p, "debug", &o), "none");
		snprintf(want, sizeof(want), "%s:2:1",
		    path("ws/crates/a/.cargo/config.toml"));
		CHECK_STR(o, want);
		CHECK_STR(fg_profile_get(p, "panic", &o), "abort");
		CHECK(strstr(o, "home/config.toml:4:1") != NULL);
		CHECK_STR(fg_profile_get(p, "strip", &o), "debuginfo");
		CHECK(fg_profile_noverrides(p) == 2);
		/* rustflags from CARGO_HOME and the package override */
		warnings[0] = '\0';
		{
			struct fg_warn w = { collect, NULL };

			CHECK(fg_manifest_check_stacks(m, p, &w) == 2);
		}
		snprintf(want, sizeof(want), "%s:17:1: profile.release.package."
		    "\"*\" sets debug = \"none\"", path("ws/Cargo.toml"));
		CHECK(strstr(warnings, want) != NULL);
	}
	fg_profile_free(p);
	/* bench inherits release, then its own manifest setting */
	CHECK(fg_manifest_profile(m, "bench", &p, &err) == 0);
	if (p != NULL) {
		CHECK_STR(fg_profile_dir(p), "release");
		CHECK_STR(fg_profile_get(p, "debug", NULL), "full");
		CHECK_STR(fg_profile_get(p, "panic", NULL), "abort");
		CHECK_STR(fg_profile_get(p, "opt-level", NULL), "3");
		CHECK(fg_profile_noverrides(p) == 0);
	}
	fg_profile_free(p);
	CHECK(fg_manifest_check_stacks(m, NULL, NULL) == 1);
	fg_manifest_free(m);

	/* the environment beats every file */
	env[1] = "CARGO_PROFILE_RELEASE_DEBUG=line-tables-only";
	m = load("ws/crates/a", env, NULL, &err);
	CHECK(m != NULL && fg_manifest_profile(m, "release", &p, &err) == 0);
	if (p != NULL) {
		CHECK_STR(fg_profile_get(p, "debug", &o), "line-tables-only");
		CHECK_STR(o, "CARGO_PROFILE_RELEASE_DEBUG");
		CHECK_STR(fg_profile_get(p, "strip", NULL), "none");
		CHECK(fg_profile_noverrides(p) == 0);
	}
	fg_profile_free(p);
	p = NULL;
	fg_manifest_free(m);
	env[1] = "CARGO_PROFILE_RELEASE_DEBUG=lots";
	m = load("ws/crates/a", env, NULL, &err);
	CHECK(m != NULL);
	CHECK(fg_manifest_profile(m, "release", &p, &err) == FG_EPARSE);
	CHECK(strstr(err.msg, "CARGO_PROFILE_RELEASE_DEBUG=lots: debug must "
	    "be") == err.msg);
	fg_manifest_free(m);
	env[1] = "RUSTFLAGS=-Cdebuginfo=0  -C strip=symbols";
	m = load("ws/crates/a", env, NULL, &err);
	CHECK(m != NULL && fg_manifest_rustflags(m, &fl, &o) == 3);
	CHECK_STR(o, "RUSTFLAGS");
	CHECK(fg_manifest_check_stacks(m, NULL, NULL) == 2);
	fg_manifest_free(m);
	env[1] = "CARGO_TARGET_DIR=/elsewhere/t";
	m = load("ws/crates/a", env, NULL, &err);
	CHECK(m != NULL);
	if (m != NULL) {
		CHECK_STR(fg_manifest_target_dir(m, &o), "/elsewhere/t");
		CHECK_STR(o, "CARGO_TARGET_DIR");
	}
	fg_manifest_free(m);
	env[1] = NULL;

	/* package.workspace points to the root */
	m = load("ws/crates/b", env, NULL, &err);
	CHECK(m != NULL);
	if (m != NULL) {
		CHECK_STR(fg_manifest_root(m), path("ws"));
		CHECK_STR(fg_manifest_package(m), "b");
	}
	fg_manifest_free(m);
	/* an excluded package is its own root */
	m = load("ws/crates/skip", env, NULL, &err);
	CHECK(m != NULL);
	if (m != NULL) {
		CHECK_STR(fg_manifest_root(m), path("ws/crates/skip"));
		CHECK(fg_manifest_nmembers(m) == 1);
	}
	fg_manifest_free(m);
	/* the virtual root: no package unless -p names one */
	m = load("ws", env, NULL, &err);
	CHECK(m != NULL);
	if (m != NULL) {
		CHECK(fg_manifest_package(m) == NULL);
		CHECK(fg_manifest_package_manifest(m) == NULL);
		CHECK_STR(fg_manifest_option(m, "title", NULL),
		    "workspace title");
	}
	fg_manifest_free(m);
	m = load("ws", env, "b", &err);
	CHECK(m != NULL);
	if (m != NULL) {
		CHECK_STR(fg_manifest_package(m), "b");
		CHECK_STR(fg_manifest_package_manifest(m),
		    path("ws/crates/b/Cargo.toml"));
	}
	fg_manifest_free(m);
	CHECK(load("ws", env, "nope", &err) == NULL && err.code == FG_EINVAL);
}

static void
test_rustflags(void)
{
	const char *env[] = { NULL, NULL };
	struct fg_error err = {0};
	struct fg_manifest *m;
	const char *const *fl, *o;
	char want[512], home[512];

	m = load("flags", env, NULL, &err);
	CHECK(m != NULL);
	if (m == NULL)
		return;
	CHECK_STR(fg_manifest_build_target(m), "x86_64-unknown-linux-gnu");
	CHECK(fg_manifest_rustflags(m, &fl, &o) == 4);
	CHECK_STR(fl[1], "target-cpu=native");
	CHECK_STR(fl[3], "debug-assertions=on");
	snprintf(want, sizeof(want), "%s", path("flags/tools/cc-wrapper"));
	CHECK_STR(fg_manifest_linker(m, &o), want);
	CHECK(strstr(o, "config.toml:12:1") != NULL);
	CHECK(fg_manifest_check_stacks(m, NULL, NULL) == 0);
	fg_manifest_free(m);

	env[0] = "CARGO_TARGET_X86_64_UNKNOWN_LINUX_GNU_RUSTFLAGS=-C overflow-checks=on";
	m = load("flags", env, NULL, &err);
	CHECK(m != NULL && fg_manifest_rustflags(m, &fl, &o) == 6);
	if (m != NULL) {
		CHECK_STR(fl[3], "overflow-checks=on");
		CHECK_STR(fl[5], "debug-assertions=on");
	}
	fg_manifest_free(m);
	/* CARGO_BUILD_RUSTFLAGS joins build.rustflags, after it */
	env[0] = "CARGO_BUILD_RUSTFLAGS=-C debug-assertions=on";
	m = load("plain", env, NULL, &err);
	CHECK(m != NULL && fg_manifest_rustflags(m, &fl, &o) == 6);
	if (m != NULL) {
		CHECK_STR(fl[3], "link-arg=-s");
		CHECK_STR(fl[5], "debug-assertions=on");
		CHECK_STR(o, "CARGO_BUILD_RUSTFLAGS");
	}
	fg_manifest_free(m);
	/* a string replaces a string; a string and an array do not merge */
	snprintf(home, sizeof(home), "CARGO_HOME=%s", path("home-str"));
	env[0] = home;
	m = load("fancy", env, NULL, &err);
	CHECK(m != NULL && fg_manifest_rustflags(m, &fl, &o) == 4);
	if (m != NULL)
		CHECK_STR(fl[3], "link-arg=-s");
	fg_manifest_free(m);
	CHECK(load("plain", env, NULL, &err) == NULL);
	CHECK(err.code == FG_EPARSE);
	CHECK(strstr(err.msg, "plain/.cargo/config.toml:2:1: rustflags is an "
	    "array but ") != NULL);
	CHECK(strstr(err.msg, "home-str/config.toml:4:1 has a string") != NULL);
	/* CARGO_ENCODED_RUSTFLAGS beats RUSTFLAGS beats every config */
	env[0] = "CARGO_ENCODED_RUSTFLAGS=-C\x1fstrip=symbols";
	m = load("plain", env, NULL, &err);
	CHECK(m != NULL && fg_manifest_rustflags(m, &fl, &o) == 2);
	if (m != NULL) {
		CHECK_STR(fl[1], "strip=symbols");
		CHECK(fg_manifest_check_stacks(m, NULL, NULL) == 1);
	}
	fg_manifest_free(m);
}

static void
test_errors(void)
{
	const char *env[] = { NULL };
	struct fg_error err = {0};
	struct fg_manifest *m;
	struct fg_profile *p = NULL;
	char want[512];
	FILE *fp;
	size_t i;

	CHECK(load("bad", env, NULL, &err) == NULL);
	CHECK(err.code == FG_EPARSE);
	snprintf(want, sizeof(want), "%s:3:1: duplicate key \"name\"",
	    path("bad/Cargo.toml"));
	CHECK_STR(err.msg, want);

	m = load("badtype", env, NULL, &err);
	CHECK(m != NULL);
	if (m == NULL)
		return;
	CHECK(fg_manifest_profile(m, "release", &p, &err) == FG_EPARSE);
	snprintf(want, sizeof(want), "%s:5:1: profile.release.debug must be",
	    path("badtype/Cargo.toml"));
	CHECK(strncmp(err.msg, want, strlen(want)) == 0);
	fg_error_clear(&err);
	CHECK(fg_manifest_profile(m, "loop-a", &p, &err) == FG_EINVAL);
	CHECK(strstr(err.msg, "cycle") != NULL);
	fg_error_clear(&err);
	CHECK(fg_manifest_profile(m, "orphan", &p, &err) == FG_EINVAL);
	CHECK(strstr(err.msg, "no inherits") != NULL);
	fg_error_clear(&err);
	CHECK(fg_manifest_profile(m, "undefined", &p, &err) == FG_EINVAL);
	CHECK(strstr(err.msg, "not defined") != NULL);
	CHECK(p == NULL);
	fg_manifest_free(m);

	/* no Cargo.toml anywhere up to / */
	CHECK(load("home", env, NULL, &err) == NULL && err.code == FG_EINVAL);

	/* hostile manifests: NUL bytes, a 10 MiB string, deep nesting */
	fp = fopen(path("bad/Cargo.toml"), "wb");
	CHECK(fp != NULL);
	fwrite("[package]\nname = \"x\0y\"\n", 1, 24, fp);
	fclose(fp);
	CHECK(load("bad", env, NULL, &err) == NULL && err.code == FG_EPARSE);
	snprintf(want, sizeof(want), "%s:2:10: control character",
	    path("bad/Cargo.toml"));
	CHECK(strncmp(err.msg, want, strlen(want)) == 0);
	fp = fopen(path("bad/Cargo.toml"), "wb");
	fputs("[package]\nname = \"", fp);
	for (i = 0; i < (10u << 20); i++)
		putc('x', fp);
	fputs("\"\n", fp);
	fclose(fp);
	CHECK(load("bad", env, NULL, &err) == NULL && err.code == FG_ELIMIT);
	fp = fopen(path("bad/Cargo.toml"), "wb");
	fputs("a = ", fp);
	for (i = 0; i < 100000; i++)
		putc('[', fp);
	fclose(fp);
	CHECK(load("bad", env, NULL, &err) == NULL && err.code == FG_ELIMIT);
	CHECK(strstr(err.msg, "Cargo.toml:1:133: more than 128") != NULL);
}

int
main(void)
{
	const char *src = getenv("FG_SOURCE_DIR");
	char cmd[1024];

	if (src == NULL)
		src = ".";
	snprintf(tmp, sizeof(tmp), "/tmp/fg-manifest-XXXXXX");
	if (mkdtemp(tmp) == NULL)
		return 2;
	snprintf(cmd, sizeof(cmd), "cp -R '%s/tests/data/manifest/.' '%s/'",
	    src, tmp);
	if (system(cmd) != 0) {
		fprintf(stderr, "cannot copy the test data\n");
		return 2;
	}
	check_demo("plain");
	check_demo("fancy");
	test_workspace();
	test_rustflags();
	test_errors();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmp);
	CHECK(system(cmd) == 0);
	return check_done("test_manifest");
}
