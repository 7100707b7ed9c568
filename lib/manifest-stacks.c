/*
 * manifest-stacks.c: warnings about settings that break stacks in a
 * build and that the overrides do not fix: rustflags dropping frame
 * pointers, unwind tables or symbols, a linker stripping; each names
 * where it was set and the fix.
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

/* ---- settings that break stacks ----------------------------------- */

/* Codegen option flags[i] in any of rustc's spellings ("-C x=y",
 * "-Cx=y", "--codegen x=y", "--codegen=x=y"): the "x=y" text, and how
 * many words it took. */
static const char *
codegen(const char *const *flags, size_t n, size_t i, size_t *used)
{
	const char *f = flags[i];

	*used = 1;
	if ((strcmp(f, "-C") == 0 || strcmp(f, "--codegen") == 0) &&
	    i + 1 < n) {
		*used = 2;
		return flags[i + 1];
	}
	if (strncmp(f, "-C", 2) == 0)
		return f + 2;
	if (strncmp(f, "--codegen=", 10) == 0)
		return f + 10;
	return NULL;
}

static int
isno(const char *v)
{
	return strcmp(v, "no") == 0 || strcmp(v, "n") == 0 ||
	    strcmp(v, "off") == 0 || strcmp(v, "false") == 0;
}

/* Does a linker argument strip symbols or debug info? */
static int
strips(const char *a)
{
	static const char *const bad[] = { "-s", "-S", "--strip-all",
	    "--strip-debug", "-Wl,-s", "-Wl,-S", "-Wl,--strip-all",
	    "-Wl,--strip-debug" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (strcmp(a, bad[i]) == 0)
			return 1;
	return strstr(a, ",--strip-all") != NULL ||
	    strstr(a, ",--strip-debug") != NULL;
}

/*
 * Package overrides ([profile.P.package.<spec>]) win over the profile and
 * over CARGO_PROFILE_P_DEBUG: warn about those that drop debug info or
 * strip.  Returns the number of warnings.
 */
static size_t
pkgoverrides(const struct fg_manifest *m, const char *pname,
    const struct fg_warn *w)
{
	const cJSON *pk, *e, *d;
	const char *file, *v;
	struct fg_arena ar;
	char path[256];
	size_t i, nw = 0;

	if (strchr(pname, '.') != NULL)
		return 0;
	arena_init(&ar);
	snprintf(path, sizeof(path), "profile.%s.package", pname);
	for (i = 0; i <= m->ncfg; i++) {
		pk = toml_get(i < m->ncfg ? m->cfg[i].doc : m->root_doc,
		    path);
		file = i < m->ncfg ? m->cfg[i].path : m->root_manifest;
		cJSON_ArrayForEach(e, pk) {
			d = cJSON_GetObjectItemCaseSensitive(e, "debug");
			if (d != NULL && (v = mf_canon(&ar, 0, d, NULL)) != NULL &&
			    mf_debugrank(v) < 2) {
				warnf(w, "%s:%u:%u: profile.%s.package.\"%s\" "
				    "sets debug = \"%s\", which wins over the "
				    "tool's override: those crates' frames lose "
				    "lines and inline frames; remove it", file,
				    toml_line(d), toml_col(d), pname,
				    e->string, v);
				nw++;
			}
			d = cJSON_GetObjectItemCaseSensitive(e, "strip");
			if (d != NULL && (v = mf_canon(&ar, 1, d, NULL)) != NULL &&
			    strcmp(v, "none") != 0) {
				warnf(w, "%s:%u:%u: profile.%s.package.\"%s\" "
				    "sets strip = \"%s\", which wins over the "
				    "tool's override; remove it", file,
				    toml_line(d), toml_col(d), pname,
				    e->string, v);
				nw++;
			}
		}
	}
	arena_free(&ar);
	return nw;
}

size_t
fg_manifest_check_stacks(const struct fg_manifest *m,
    const struct fg_profile *p, const struct fg_warn *w)
{
	const char *const *fl = m->rustflags;
	const char *o = m->rustflags_origin ? m->rustflags_origin :
	    "rustflags", *c, *v;
	size_t i, used, nw = 0;

	if (p != NULL) {
		nw += pkgoverrides(m, p->name, w);
		if (p->val[11] != NULL)
			nw += pkgoverrides(m, p->val[11], w);
	}
	for (i = 0; i < m->nrustflags; i += used) {
		if ((c = codegen(fl, m->nrustflags, i, &used)) == NULL)
			continue;
		v = strchr(c, '=');
		v = v ? v + 1 : "";
		if (strncmp(c, "debuginfo=", 10) == 0 && (strcmp(v, "0") == 0 ||
		    strcmp(v, "none") == 0 || strcmp(v, "line-directives-only")
		    == 0)) {
			warnf(w, "%s: -C %s overrides the profile's debug "
			    "setting: no line tables or inline frames; remove "
			    "it", o, c);
			nw++;
		} else if (strncmp(c, "strip=", 6) == 0 && strcmp(v, "none")
		    != 0) {
			warnf(w, "%s: -C %s strips the executable: frames "
			    "lose their names; remove it", o, c);
			nw++;
		} else if (strncmp(c, "force-unwind-tables=", 20) == 0 &&
		    isno(v)) {
			warnf(w, "%s: -C %s drops the unwind tables that "
			    "DWARF call graphs need: stacks stop after one "
			    "frame; remove it", o, c);
			nw++;
		} else if (strncmp(c, "force-frame-pointers=", 21) == 0 &&
		    isno(v)) {
			warnf(w, "%s: -C %s: stacks recorded with "
			    "--call-graph fp stop at the first Rust frame; "
			    "keep the default DWARF call graphs or remove it",
			    o, c);
			nw++;
		} else if (strncmp(c, "split-debuginfo=", 16) == 0 &&
		    strcmp(v, "off") != 0) {
			warnf(w, "%s: -C %s moves debug info out of the "
			    "executable: inline frames and lines may be "
			    "missing; remove it", o, c);
			nw++;
		} else if ((strncmp(c, "link-arg=", 9) == 0 && strips(v)) ||
		    (strncmp(c, "link-args=", 10) == 0 && (strstr(v, "-s") ||
		    strstr(v, "--strip")))) {
			warnf(w, "%s: -C %s makes the linker strip the "
			    "executable: frames lose their names; remove it",
			    o, c);
			nw++;
		}
	}
	return nw;
}
