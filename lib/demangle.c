/*
 * demangle.c: the one place libiberty's demangler is called.  perf calls
 * cplus_demangle() with no options unless it runs verbose, so C++ names
 * come out without parameter lists and Rust names without their hash;
 * doing the same here keeps the native path's frame names equal to the
 * perf-script path's.  libiberty keeps no state between calls.
 */
#include <stdlib.h>
#include <string.h>

#include <libiberty/demangle.h>

#include "demangle.h"

char *
dm_demangle(const char *name)
{
	if (name == NULL || name[0] != '_')
		return NULL;
	/* Itanium "_Z...", Rust legacy "_ZN...E", Rust v0 "_R...". */
	if (name[1] != 'Z' && name[1] != 'R' &&
	    !(name[1] == '_' && (name[2] == 'Z' || name[2] == 'R')))
		return NULL;
	return cplus_demangle(name, DMGL_NO_OPTS);
}
