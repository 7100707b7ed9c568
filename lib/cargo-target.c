/*
 * cargo-target.c: choose the package and target the user means from
 * `cargo metadata`, as cargo would: the package of the current directory
 * (or the workspace's default members from a virtual root), its single
 * binary or default-run; anything ambiguous is an error that lists every
 * candidate as the flag that would pick it.
 */
#include <stdlib.h>
#include <string.h>

#include "cargo-int.h"

const char *
cargo_jstr(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

/* A string member that must be there; "" when cargo's JSON lacks it. */
const char *
cargo_jname(const cJSON *o, const char *key)
{
	const char *s = cargo_jstr(o, key);

	return s != NULL ? s : "";
}

int
cargo_jarray_has(const cJSON *o, const char *key, const char *want)
{
	const cJSON *a = cJSON_GetObjectItemCaseSensitive(o, key), *e;

	cJSON_ArrayForEach(e, a)
		if (cJSON_IsString(e) && strcmp(e->valuestring, want) == 0)
			return 1;
	return 0;
}

int
cargo_target_is_lib(const cJSON *t)
{
	static const char *libs[] = { "lib", "rlib", "dylib", "cdylib",
	    "staticlib", "proc-macro" };

	if (cargo_jarray_has(t, "kind", "example"))
		return 0;
	for (size_t i = 0; i < sizeof(libs) / sizeof(libs[0]); i++)
		if (cargo_jarray_has(t, "kind", libs[i]))
			return 1;
	return 0;
}

const char *
cargo_kind_word(enum fg_target_kind k)
{
	switch (k) {
	case FG_TARGET_EXAMPLE: return "example";
	case FG_TARGET_TEST: return "test";
	case FG_TARGET_BENCH: return "bench";
	default: return "bin";
	}
}

/* Is t a target of kind k (with name, when non-NULL)? */
int
cargo_target_matches(const cJSON *t, enum fg_target_kind k, const char *name,
    const char *unit_kind)
{
	const char *tn = cargo_jstr(t, "name");

	if (tn == NULL || (name != NULL && strcmp(tn, name) != 0))
		return 0;
	switch (k) {
	case FG_TARGET_DEFAULT:
	case FG_TARGET_BIN:
		return cargo_jarray_has(t, "kind", "bin");
	case FG_TARGET_EXAMPLE:
		return cargo_jarray_has(t, "kind", "example");
	case FG_TARGET_TEST:
		return cargo_jarray_has(t, "kind", "test");
	case FG_TARGET_BENCH:
		return cargo_jarray_has(t, "kind", "bench");
	case FG_TARGET_UNIT_TEST:
	case FG_TARGET_UNIT_BENCH:
		if (unit_kind != NULL && strcmp(unit_kind, "lib") == 0)
			return cargo_target_is_lib(t);
		if (unit_kind != NULL && strcmp(unit_kind, "bin") == 0)
			return cargo_jarray_has(t, "kind", "bin");
		return cargo_target_is_lib(t) || cargo_jarray_has(t, "kind", "bin");
	}
	return 0;
}
/* The directory of a manifest path, in a new string. */
char *
cargo_manifest_dir(const char *manifest)
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
				if (!cargo_jarray_has(t, "kind", kinds[k].kind))
					continue;
				if (multi)
					buf_printf(b, "; `-p %s %s %s`",
					    cargo_jname(pkgs[i], "name"), kinds[k].flag,
					    cargo_jname(t, "name"));
				else
					buf_printf(b, "; `%s %s`",
					    kinds[k].flag, cargo_jname(t, "name"));
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
			if (!cargo_target_is_lib(t) && !cargo_jarray_has(t, "kind", "bin"))
				continue;
			buf_printf(b, "; `%s %s --unit-test-kind %s`", flag,
			    cargo_jstr(t, "name"), cargo_target_is_lib(t) ? "lib" : "bin");
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
			if (!cargo_target_matches(t, k, name, unit_kind))
				continue;
			if (p->n++ == 0) {
				p->pkg = pkgs[i];
				p->target = t;
			}
		}
	}
}

/* The workspace's members (all), the ones selected by -p, the current
 * directory or the default members (sel), for cargo_choose. */
struct ws {
	const cJSON **all, **sel;
	size_t nall, nsel;
	const cJSON *here;	/* the member whose directory holds cwd */
};

/* The members, and the innermost one holding c->cwd. */
static int
ws_members(struct ws *w, const struct fg_cargo *c, const cJSON *meta,
    struct fg_error *err)
{
	const cJSON *p;
	size_t best = 0;

	cJSON_ArrayForEach(p, cJSON_GetObjectItemCaseSensitive(meta,
	    "packages")) {
		const char *mp = cargo_jstr(p, "manifest_path");
		const char *id = cargo_jstr(p, "id");
		char *d;

		if (mp == NULL || id == NULL || cargo_jstr(p, "name") == NULL)
			continue;
		if (!cargo_jarray_has(meta, "workspace_members", id))
			continue;
		w->all[w->nall++] = p;
		if ((d = cargo_manifest_dir(mp)) == NULL)
			return seterr(err, FG_ENOMEM, "out of memory");
		if (dir_contains(d, c->cwd) && strlen(d) >= best) {
			best = strlen(d);
			w->here = p;
		}
		free(d);
	}
	if (w->nall == 0)
		return seterr(err, FG_EINVAL,
		    "cargo metadata: the workspace has no packages");
	return 0;
}

/* The packages meant: -p, else the current one, else default members. */
static int
ws_select(struct ws *w, const struct fg_cargo_opts *o, const cJSON *meta,
    struct fg_buf *msg, struct fg_error *err)
{
	const cJSON *dm = cJSON_GetObjectItemCaseSensitive(meta,
	    "workspace_default_members");

	if (o->package != NULL) {
		for (size_t i = 0; i < w->nall; i++)
			if (strcmp(cargo_jname(w->all[i], "name"),
			    o->package) == 0)
				w->sel[w->nsel++] = w->all[i];
		if (w->nsel > 0)
			return 0;
		buf_printf(msg, "package `%s` is not a member of the "
		    "workspace; members:", o->package);
		for (size_t i = 0; i < w->nall; i++)
			buf_printf(msg, " `%s`", cargo_jname(w->all[i],
			    "name"));
		return seterr(err, FG_EINVAL, "%s", msg->d);
	}
	if (w->here != NULL) {
		w->sel[w->nsel++] = w->here;
		return 0;
	}
	for (size_t i = 0; i < w->nall; i++) {
		if (cJSON_IsArray(dm) && !cargo_jarray_has(meta,
		    "workspace_default_members", cargo_jstr(w->all[i], "id")))
			continue;
		w->sel[w->nsel++] = w->all[i];
	}
	return 0;
}

/* No target flag: default-run of a single package, else its one bin. */
static int
pick_default(const struct ws *w, struct pick *pk, struct fg_buf *msg,
    struct fg_error *err)
{
	const cJSON *const *sel = w->sel;
	size_t nsel = w->nsel;

	if (nsel == 1 && cargo_jstr(sel[0], "default_run") != NULL) {
		find_targets(sel, 1, FG_TARGET_BIN,
		    cargo_jstr(sel[0], "default_run"), NULL, pk);
		if (pk->n == 1)
			return 0;
	}
	find_targets(sel, nsel, FG_TARGET_BIN, NULL, NULL, pk);
	if (pk->n == 1)
		return 0;
	if (pk->n == 0) {
		buf_printf(msg, "no binary target in %s%s (add a "
		    "src/main.rs or [[bin]], or pick another target); "
		    "the candidates are:",
		    nsel == 1 ? "package " : "the workspace",
		    nsel == 1 ? cargo_jstr(sel[0], "name") : "");
		list_candidates(msg, sel, nsel, nsel > 1);
		list_unit_candidates(msg, sel, nsel, "--unit-test");
	} else {
		buf_printf(msg, "%zu binaries could be profiled; "
		    "pick one with a flag (or set `default-run` in "
		    "[package]):", pk->n);
		list_candidates(msg, sel, nsel, nsel > 1);
	}
	tidy_list(msg);
	return seterr(err, FG_EINVAL, "%s", msg->d);
}

/* --bin, --example, --test, --bench NAME. */
static int
pick_named(const struct ws *w, const struct fg_cargo_opts *o,
    struct pick *pk, struct fg_buf *msg, struct fg_error *err)
{
	find_targets(w->sel, w->nsel, o->kind, o->name, NULL, pk);
	if (pk->n == 0 && o->package == NULL)
		find_targets(w->all, w->nall, o->kind, o->name, NULL, pk);
	if (pk->n == 1)
		return 0;
	if (pk->n == 0)
		buf_printf(msg, "no %s target named `%s`; the "
		    "candidates are:", cargo_kind_word(o->kind), o->name);
	else
		buf_printf(msg, "%zu packages have a %s target "
		    "named `%s`; add -p:", pk->n, cargo_kind_word(o->kind),
		    o->name);
	list_candidates(msg, w->all, w->nall, w->nall > 1);
	tidy_list(msg);
	return seterr(err, FG_EINVAL, "%s", msg->d);
}

/* --unit-test, --unit-bench [NAME]. */
static int
pick_unit(const struct ws *w, const struct fg_cargo_opts *o,
    struct pick *pk, struct fg_buf *msg, struct fg_error *err)
{
	find_targets(w->sel, w->nsel, o->kind, o->name, o->unit_kind, pk);
	if (pk->n == 0 && o->package == NULL && o->name != NULL)
		find_targets(w->all, w->nall, o->kind, o->name, o->unit_kind,
		    pk);
	if (pk->n == 1)
		return 0;
	if (pk->n == 0)
		buf_printf(msg, "no lib or bin target%s%s%s to "
		    "unit-test; the candidates are:",
		    o->name ? " named `" : "", o->name ? o->name : "",
		    o->name ? "`" : "");
	else
		buf_printf(msg, "%zu targets could be unit-tested; "
		    "name one:", pk->n);
	list_unit_candidates(msg, o->name ? w->all : w->sel,
	    o->name ? w->nall : w->nsel, o->kind == FG_TARGET_UNIT_TEST ?
	    "--unit-test" : "--unit-bench");
	tidy_list(msg);
	return seterr(err, FG_EINVAL, "%s", msg->d);
}

int
cargo_choose(struct fg_cargo *c, const cJSON *meta, struct fg_error *err)
{
	size_t np = (size_t)cJSON_GetArraySize(
	    cJSON_GetObjectItemCaseSensitive(meta, "packages"));
	struct ws w = { NULL, NULL, 0, 0, NULL };
	struct pick pk = { NULL, NULL, 0 };
	const struct fg_cargo_opts *o = &c->o;
	struct fg_buf msg;
	int rc;

	buf_init(&msg, 1u << 20);
	w.all = calloc(np + 1, sizeof(*w.all));
	w.sel = calloc(np + 1, sizeof(*w.sel));
	if (w.all == NULL || w.sel == NULL) {
		rc = seterr(err, FG_ENOMEM, "cargo metadata: out of memory");
		goto out;
	}
	if ((rc = ws_members(&w, c, meta, err)) != 0 ||
	    (rc = ws_select(&w, o, meta, &msg, err)) != 0)
		goto out;
	if (o->kind == FG_TARGET_DEFAULT)
		rc = pick_default(&w, &pk, &msg, err);
	else if (o->kind == FG_TARGET_UNIT_TEST ||
	    o->kind == FG_TARGET_UNIT_BENCH)
		rc = pick_unit(&w, o, &pk, &msg, err);
	else
		rc = pick_named(&w, o, &pk, &msg, err);
	if (rc != 0)
		goto out;
	c->pkg = strdup(cargo_jstr(pk.pkg, "name"));
	c->pkg_id = strdup(cargo_jstr(pk.pkg, "id"));
	c->name = strdup(cargo_jstr(pk.target, "name"));
	c->unit_lib = (o->kind == FG_TARGET_UNIT_TEST ||
	    o->kind == FG_TARGET_UNIT_BENCH) && cargo_target_is_lib(pk.target);
	if (c->pkg == NULL || c->pkg_id == NULL || c->name == NULL)
		rc = seterr(err, FG_ENOMEM, "out of memory");
out:
	buf_free(&msg);
	free(w.all);
	free(w.sel);
	return rc;
}
