/*
 * fg_spawn.h: the internal side of spawning (the public calls are in
 * flamegraph.h, section "Cargo, record, spawn").  Not called spawn.h:
 * lib/ is on the include path and would hide the system <spawn.h>.
 */
#ifndef FG_FG_SPAWN_H
#define FG_FG_SPAWN_H

#include <stddef.h>

#include "flamegraph.h"

/*
 * The process environment with set[0..nset) ("NAME=VALUE") replacing or
 * adding entries: a NULL-terminated array the caller frees (the strings
 * are borrowed), or NULL when out of memory.
 */
char **spawn_envp(const char *const *set, size_t nset);

#endif /* FG_FG_SPAWN_H */
