/*
 * cargo-build.c: build the chosen target with symbols guaranteed and find
 * its executable: `cargo build`, `cargo test --no-run` or `cargo bench
 * --no-run` with the build settings of the handle, reading the
 * compiler-artifact messages as cargo streams them; cargo's stderr is
 * the caller's.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cargo-int.h"
#include "fg_spawn.h"

#define LINE_MAX_BYTES (64u << 20)	/* one cargo JSON message */

/* Does this compiler-artifact message carry our executable? */
static const char *
artifact_exe(const struct fg_cargo *c, const cJSON *m)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(m, "target");
	const cJSON *prof = cJSON_GetObjectItemCaseSensitive(m, "profile");
	const char *exe = cargo_jstr(m, "executable");
	const char *pid = cargo_jstr(m, "package_id");
	int want_test = c->o.kind == FG_TARGET_TEST ||
	    c->o.kind == FG_TARGET_BENCH || c->o.kind == FG_TARGET_UNIT_TEST ||
	    c->o.kind == FG_TARGET_UNIT_BENCH;
	int is_test;
	enum fg_target_kind k = c->o.kind;

	if (exe == NULL || t == NULL || pid == NULL ||
	    strcmp(pid, c->pkg_id) != 0)
		return NULL;
	if (k == FG_TARGET_UNIT_TEST || k == FG_TARGET_UNIT_BENCH) {
		if (cargo_jstr(t, "name") == NULL || strcmp(cargo_jstr(t, "name"),
		    c->name) != 0)
			return NULL;
		if (c->unit_lib ? !cargo_target_is_lib(t) :
		    !cargo_jarray_has(t, "kind", "bin"))
			return NULL;
	} else if (!cargo_target_matches(t, k == FG_TARGET_DEFAULT ?
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
	reason = cargo_jstr(m, "reason");
	if (reason != NULL && strcmp(reason, "compiler-artifact") == 0 &&
	    (exe = artifact_exe(c, m)) != NULL) {
		free(c->exe);
		if ((c->exe = strdup(exe)) == NULL)
			rc = seterr(err, FG_ENOMEM, "out of memory");
	}
	cJSON_Delete(m);
	return rc;
}

/* The flags naming the target: --lib, --bin NAME, --example NAME, ... */
static size_t
target_flags(const struct fg_cargo *c, const char **argv, size_t n)
{
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
	return n;
}

/* The argv of the build, NULL-terminated; -1 when it needs more than max. */
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
	n = target_flags(c, argv, n);
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
	n = cargo_manifest_flags(c, argv, n);
	if (c->o.verbose)
		argv[n++] = "-v";
	argv[n] = NULL;
	return n < max ? 0 : -1;
}

/* c->cmdline: the build argv as one line, for -v and messages. */
static void
keep_cmdline(struct fg_cargo *c, const char *const *argv)
{
	struct fg_buf cmd;

	buf_init(&cmd, 1u << 16);
	for (size_t i = 0; argv[i] != NULL; i++)
		if (buf_printf(&cmd, "%s%s", i ? " " : "", argv[i]) != 0)
			break;
	free(c->cmdline);
	c->cmdline = cmd.d != NULL ? strdup(cmd.d) : NULL;
	buf_free(&cmd);
}

/* Start cargo with the overrides and the rustflags in its environment. */
static int
spawn_build(const struct fg_cargo *c, const char *const *argv,
    struct fg_child *ch, struct fg_error *err)
{
	struct fg_spawn_opts so;
	const char **env;
	int rc;

	fg_spawn_opts_init(&so);
	so.out = FG_SPAWN_PIPE;
	so.cwd = c->o.cwd;
	so.setenv = (const char *const *)c->env;
	so.nsetenv = c->nenv;
	if (c->rustflags_env == NULL)
		return fg_spawn(argv, &so, ch, err);
	if ((env = reallocarray(NULL, c->nenv + 1, sizeof(*env))) == NULL)
		return seterr(err, FG_ENOMEM, "out of memory");
	for (size_t i = 0; i < c->nenv; i++)
		env[i] = c->env[i];
	env[c->nenv] = c->rustflags_env;
	so.setenv = env;
	so.nsetenv = c->nenv + 1;
	rc = fg_spawn(argv, &so, ch, err);
	free(env);
	return rc;
}

/*
 * Hand each line of cargo's JSON output to on_line as it streams.  On an
 * error it keeps draining so that cargo is not killed by SIGPIPE.
 */
static int
read_messages(struct fg_cargo *c, int fd, struct fg_error *err)
{
	struct fg_buf line;
	char tmp[65536];
	ssize_t r;
	int rc = 0;

	buf_init(&line, LINE_MAX_BYTES);
	for (;;) {
		char *p, *nl;
		size_t n;

		r = read(fd, tmp, sizeof(tmp));
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == -1 && rc == 0)
				rc = seterr_sys(err, FG_EIO, errno,
				    "cargo build: read output");
			break;
		}
		p = tmp;
		n = (size_t)r;
		while (rc == 0 && (nl = memchr(p, '\n', n)) != NULL) {
			size_t k = (size_t)(nl - p);
			if (line.len > 0) {
				if ((rc = buf_append(&line, p, k)) != 0) {
					seterr(err, rc, "cargo build: a "
					    "message is larger than %u bytes",
					    LINE_MAX_BYTES);
					break;
				}
				rc = on_line(c, line.d, line.len, err);
				buf_reset(&line);
			} else {
				rc = on_line(c, p, k, err);
			}
			p = nl + 1;
			n -= k + 1;
		}
		if (rc == 0 && n > 0 && (rc = buf_append(&line, p, n)) != 0)
			seterr(err, rc, "cargo build: a message is larger "
			    "than %u bytes", LINE_MAX_BYTES);
	}
	if (rc == 0 && line.len > 0)
		rc = on_line(c, line.d, line.len, err);
	buf_free(&line);
	return rc;
}

int
fg_cargo_build(struct fg_cargo *c, int *cargo_status, struct fg_error *err)
{
	const char *argv[40];
	struct fg_child ch;
	int rc, st = 0;

	if (cargo_status != NULL)
		*cargo_status = 0;
	if (build_argv(c, argv, sizeof(argv) / sizeof(argv[0])) != 0)
		return seterr(err, FG_ENOMEM, "cargo build: too many "
		    "arguments");
	keep_cmdline(c, argv);
	if ((rc = spawn_build(c, argv, &ch, err)) != 0)
		return rc;
	rc = read_messages(c, ch.out, err);
	if (fg_child_wait(&ch, &st, err) != 0 && rc == 0)
		rc = FG_ECHILD;
	if (rc != 0)
		return rc;
	if (st != 0) {
		char d[64];
		fg_status_describe(st, d, sizeof(d));
		if (cargo_status != NULL)
			*cargo_status = fg_status_code(st);
		return seterr(err, FG_ECHILD, "`%s` failed (%s)",
		    c->cmdline != NULL ? c->cmdline : "cargo build", d);
	}
	if (c->exe == NULL)
		return seterr(err, FG_ECHILD, "`%s` built no executable "
		    "for %s", c->cmdline != NULL ? c->cmdline : "cargo build",
		    c->desc);
	return 0;
}
