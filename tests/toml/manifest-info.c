/*
 * manifest-info.c: print what the manifest module says about a project,
 * one "key=value" a line, for tests that compare it with real cargo:
 *
 *   manifest-info DIR [PROFILE]
 *
 * root=, root_manifest=, package=, target_dir=, rustflags= (words joined
 * by spaces), then for PROFILE (default release) profile.KEY= settings,
 * override= lines and warning= lines.  The process environment is the
 * environment the module consults.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flamegraph.h"

extern char **environ;

static void
warn(void *arg, const char *msg)
{
	(void)arg;
	printf("warning=%s\n", msg);
}

int
main(int argc, char **argv)
{
	static const char *const keys[] = { "debug", "strip",
	    "split-debuginfo", "lto", "panic", "opt-level", "inherits" };
	struct fg_manifest_opts o;
	struct fg_manifest *m;
	struct fg_profile *p;
	struct fg_error err = {0};
	struct fg_warn w = { warn, NULL };
	const char *const *fl;
	const char *v;
	size_t i, n;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: manifest-info DIR [PROFILE]\n");
		return 2;
	}
	fg_manifest_opts_init(&o);
	o.dir = argv[1];
	o.env = (const char *const *)environ;
	o.warn = w;
	if (fg_manifest_load(&o, &m, &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		return 1;
	}
	printf("root=%s\n", fg_manifest_root(m));
	printf("root_manifest=%s\n", fg_manifest_root_manifest(m));
	v = fg_manifest_package(m);
	printf("package=%s\n", v ? v : "");
	printf("target_dir=%s\n", fg_manifest_target_dir(m, NULL));
	n = fg_manifest_rustflags(m, &fl, NULL);
	printf("rustflags=");
	for (i = 0; i < n; i++)
		printf("%s%s", i ? " " : "", fl[i]);
	printf("\n");
	if (fg_manifest_profile(m, argc == 3 ? argv[2] : "release", &p,
	    &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		fg_manifest_free(m);
		return 1;
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		v = fg_profile_get(p, keys[i], NULL);
		printf("profile.%s=%s\n", keys[i], v ? v : "");
	}
	for (i = 0; i < fg_profile_noverrides(p); i++)
		printf("override=%s\n", fg_profile_override(p, i, NULL));
	fg_manifest_check_stacks(m, p, &w);
	fg_profile_free(p);
	fg_manifest_free(m);
	return 0;
}
