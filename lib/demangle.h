/*
 * demangle.h: symbol names as perf prints them.  C++ (Itanium) and Rust
 * (legacy and v0) names are demangled through libiberty, without
 * parameters and without hashes, the form `perf script` shows by default.
 */
#ifndef FG_DEMANGLE_H
#define FG_DEMANGLE_H

#include <stddef.h>

/*
 * The demangled form of name in a new string the caller frees with
 * free(), or NULL when name is not mangled (or memory ran out): the
 * caller then uses name as it is.
 */
char *dm_demangle(const char *name);

#endif /* FG_DEMANGLE_H */
