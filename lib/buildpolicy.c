/*
 * buildpolicy.c: how cargo-flamegraph has cargo build the target, decided
 * in one place from the manifest facts (lib/manifest-*.c), the target
 * cargo located (its profile and target directory) and the user's
 * choices: the environment overrides that keep symbols and line tables,
 * the rustflags (with -C force-frame-pointers=yes for --call-graph fp),
 * composed into the one CARGO_ENCODED_RUSTFLAGS the build gets, and the
 * build directory.  Guarantees: reads the environment only through the
 * list it is given; reports through the caller's callbacks, never
 * prints.  See docs/internals/cargo.md.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "buildpolicy.h"

#define FP_SUBDIR	"flamegraph-fp"
#define RUSTFLAGS_SEP	'\x1f'

struct fg_build {
	struct fg_arena ar;
	const char **env;	/* overrides, NAME=VALUE */
	size_t nenv;
	const char **flags;	/* rustflags, when the build sets them */
	size_t nflags;
	const char *encoded;	/* "CARGO_ENCODED_RUSTFLAGS=...", or NULL */
	const char *dir;	/* build directory, or NULL */
};

void
fg_build_opts_init(struct fg_build_opts *o)
{
	memset(o, 0, sizeof(*o));
}

int
buildpolicy_default_env(const char *profile, char *env[2])
{
	char up[256];
	size_t i;

	env[0] = env[1] = NULL;
	for (i = 0; profile[i] != '\0' && i < sizeof(up) - 1; i++)
		up[i] = profile[i] == '-' ? '_' :
		    (char)toupper((unsigned char)profile[i]);
	up[i] = '\0';
	if (asprintf(&env[0], "CARGO_PROFILE_%s_DEBUG=true", up) == -1) {
		env[0] = NULL;
		return FG_ENOMEM;
	}
	if (asprintf(&env[1], "CARGO_PROFILE_%s_STRIP=none", up) == -1) {
		free(env[0]);
		env[0] = env[1] = NULL;
		return FG_ENOMEM;
	}
	return 0;
}

static void
notef(const struct fg_build_opts *o, const char *fmt, ...) FG_PRINTF(2, 3);

static void
notef(const struct fg_build_opts *o, const char *fmt, ...)
{
	char msg[FG_ERRMSG_MAX];
	va_list ap;

	if (o->note.fn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	o->note.fn(o->note.arg, msg);
}

static const char *
bdup(struct fg_build *b, const char *s)
{
	return arena_strndup(&b->ar, s, strlen(s));
}

/* The default pair of overrides. */
static int
env_default(struct fg_build *b, const char *profile)
{
	char *d[2];

	if (buildpolicy_default_env(profile, d) != 0)
		return FG_ENOMEM;
	b->env = arena_alloc(&b->ar, 2 * sizeof(*b->env));
	if (b->env != NULL) {
		b->env[0] = bdup(b, d[0]);
		b->env[1] = bdup(b, d[1]);
		b->nenv = 2;
	}
	free(d[0]);
	free(d[1]);
	return b->env == NULL || b->env[0] == NULL || b->env[1] == NULL ?
	    FG_ENOMEM : 0;
}

/*
 * The overrides the manifests call for, replacing the default pair, and
 * warnings about settings no override can fix.  Without a readable
 * profile, the default pair.
 */
static int
env_overrides(const struct fg_build_opts *o, struct fg_build *b,
    const char *profile)
{
	struct fg_profile *p = NULL;
	struct fg_error e;
	size_t n;

	fg_error_clear(&e);
	if (o->manifest == NULL)
		return env_default(b, profile);
	if (fg_manifest_profile(o->manifest, profile, &p, &e) != 0) {
		if (o->verbose)
			notef(o, "manifest: %s; using the default overrides",
			    e.msg);
		return env_default(b, profile);
	}
	n = fg_profile_noverrides(p);
	if (n > 0 && (b->env = arena_alloc(&b->ar,
	    n * sizeof(*b->env))) == NULL) {
		fg_profile_free(p);
		return FG_ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const char *why;

		if ((b->env[i] = bdup(b, fg_profile_override(p, i,
		    &why))) == NULL) {
			fg_profile_free(p);
			return FG_ENOMEM;
		}
		if (o->verbose && why != NULL)
			notef(o, "%s", why);
	}
	b->nenv = n;
	fg_manifest_check_stacks(o->manifest, p, &o->warn);
	fg_profile_free(p);
	return 0;
}

/* The value of name in the NULL-terminated env, or NULL. */
static const char *
env_get(const char *const *env, const char *name)
{
	size_t l = strlen(name);

	for (; env != NULL && *env != NULL; env++)
		if (strncmp(*env, name, l) == 0 && (*env)[l] == '=')
			return *env + l + 1;
	return NULL;
}

/*
 * The rustflags cargo would use: the manifest module's resolution
 * (CARGO_ENCODED_RUSTFLAGS, RUSTFLAGS or the configs'), or without the
 * manifests the environment's only.  Words into b's arena.
 */
static int
flags_current(const struct fg_build_opts *o, struct fg_build *b,
    const char ***words, size_t *n, const char **origin,
    struct fg_error *err)
{
	const char *const *mw = NULL;
	const char *e;
	char **split = NULL;
	size_t k = 0;

	*words = NULL;
	*n = 0;
	*origin = NULL;
	if (o->manifest != NULL) {
		k = fg_manifest_rustflags(o->manifest, &mw, origin);
	} else if ((e = env_get(o->env, "CARGO_ENCODED_RUSTFLAGS")) != NULL &&
	    *e != '\0') {
		char *s = arena_strndup(&b->ar, e, strlen(e));

		if (s == NULL)
			return seterr(err, FG_ENOMEM, "out of memory");
		k = 1;
		for (const char *p = s; *p != '\0'; p++)
			k += *p == RUSTFLAGS_SEP;
		if ((*words = arena_alloc(&b->ar, k * sizeof(**words))) ==
		    NULL)
			return seterr(err, FG_ENOMEM, "out of memory");
		(*words)[0] = s;
		for (size_t i = 1; *s != '\0'; s++)
			if (*s == RUSTFLAGS_SEP) {
				*s = '\0';
				(*words)[i++] = s + 1;
			}
		*n = k;
		*origin = "CARGO_ENCODED_RUSTFLAGS";
		return 0;
	} else if ((e = env_get(o->env, "RUSTFLAGS")) != NULL) {
		struct fg_error se;

		fg_error_clear(&se);
		if (fg_split_words(e, &split, &k, &se) != 0)
			return seterr(err, se.code, "RUSTFLAGS: %s", se.msg);
		mw = (const char *const *)split;
		*origin = "RUSTFLAGS";
	}
	if (k > 0 && (*words = arena_alloc(&b->ar,
	    k * sizeof(**words))) == NULL) {
		free(split);
		return seterr(err, FG_ENOMEM, "out of memory");
	}
	for (size_t i = 0; i < k; i++)
		if (((*words)[i] = bdup(b, mw[i])) == NULL) {
			free(split);
			return seterr(err, FG_ENOMEM, "out of memory");
		}
	*n = k;
	free(split);
	return 0;
}

/* The one place CARGO_ENCODED_RUSTFLAGS is composed. */
static int
flags_encode(struct fg_build *b, struct fg_error *err)
{
	struct fg_buf s;

	buf_init(&s, 1u << 20);
	if (buf_printf(&s, "CARGO_ENCODED_RUSTFLAGS=") != 0)
		goto nomem;
	for (size_t i = 0; i < b->nflags; i++) {
		if (strchr(b->flags[i], RUSTFLAGS_SEP) != NULL) {
			buf_free(&s);
			return seterr(err, FG_EINVAL, "rustflags: `%s` holds "
			    "the separator 0x1f", b->flags[i]);
		}
		if (buf_printf(&s, "%s%s", i ? "\x1f" : "", b->flags[i]) != 0)
			goto nomem;
	}
	b->encoded = bdup(b, s.d);
	buf_free(&s);
	return b->encoded == NULL ? seterr(err, FG_ENOMEM,
	    "out of memory") : 0;
nomem:
	buf_free(&s);
	return seterr(err, FG_ENOMEM, "rustflags: out of memory");
}

/*
 * --call-graph fp: build with frame pointers into TARGET/flamegraph-fp so
 * that the normal build cache is untouched.  The rustflags cargo would
 * use get -C force-frame-pointers=yes appended, and all of it goes to
 * cargo as CARGO_ENCODED_RUSTFLAGS, since setting RUSTFLAGS would make
 * cargo drop the configs' rustflags.
 */
static int
frame_pointers(const struct fg_build_opts *o, struct fg_build *b,
    struct fg_error *err)
{
	const char **words, *origin;
	char *dir;
	size_t n;
	int rc;

	if ((rc = flags_current(o, b, &words, &n, &origin, err)) != 0)
		return rc;
	if ((b->flags = arena_alloc(&b->ar, (n + 2) *
	    sizeof(*b->flags))) == NULL)
		return seterr(err, FG_ENOMEM, "out of memory");
	for (size_t i = 0; i < n; i++)
		b->flags[i] = words[i];
	b->flags[n] = "-C";
	b->flags[n + 1] = "force-frame-pointers=yes";
	b->nflags = n + 2;
	if (asprintf(&dir, "%s/" FP_SUBDIR, fg_cargo_target_dir(o->cargo)) ==
	    -1)
		return seterr(err, FG_ENOMEM, "out of memory");
	b->dir = bdup(b, dir);
	free(dir);
	if (b->dir == NULL)
		return seterr(err, FG_ENOMEM, "out of memory");
	if ((rc = flags_encode(b, err)) != 0)
		return rc;
	notef(o, "--call-graph fp: building with -C force-frame-pointers=yes"
	    "%s%s in %s", n > 0 ? " added to the rustflags of " : "",
	    n > 0 ? origin : "", b->dir);
	return 0;
}

int
fg_build_policy(const struct fg_build_opts *o, struct fg_build **out,
    struct fg_error *err)
{
	struct fg_build *b;
	int rc;

	*out = NULL;
	if (o->cargo == NULL)
		return seterr(err, FG_EINVAL, "build policy: no target");
	if ((b = calloc(1, sizeof(*b))) == NULL)
		return seterr(err, FG_ENOMEM, "out of memory");
	arena_init(&b->ar);
	if (env_overrides(o, b, fg_cargo_profile(o->cargo)) != 0) {
		fg_build_free(b);
		return seterr(err, FG_ENOMEM, "out of memory");
	}
	if (o->frame_pointers && (rc = frame_pointers(o, b, err)) != 0) {
		fg_build_free(b);
		return rc;
	}
	*out = b;
	return 0;
}

void
fg_build_free(struct fg_build *b)
{
	if (b == NULL)
		return;
	arena_free(&b->ar);
	free(b);
}

size_t
fg_build_env(const struct fg_build *b, const char *const **env)
{
	*env = b->env;
	return b->nenv;
}

size_t
fg_build_rustflags(const struct fg_build *b, const char *const **flags)
{
	*flags = b->flags;
	return b->nflags;
}

const char *
fg_build_encoded_rustflags(const struct fg_build *b)
{
	return b->encoded;
}

const char *
fg_build_dir(const struct fg_build *b)
{
	return b->dir;
}
