/*
 * buildpolicy.h: the internal side of the build policy (buildpolicy.c):
 * the default environment overrides, which lib/cargo-locate.c gives a
 * located target before any policy is applied.
 */
#ifndef FG_BUILDPOLICY_H
#define FG_BUILDPOLICY_H

/*
 * env[0] = "CARGO_PROFILE_<NAME>_DEBUG=true", env[1] =
 * "CARGO_PROFILE_<NAME>_STRIP=none" for profile (NAME upper-cased, '-' as
 * '_'), each from malloc.  0, or FG_ENOMEM with env[0..2) NULL.
 */
int buildpolicy_default_env(const char *profile, char *env[2]);

#endif
