/*
 * argvb.h: an argv under construction for the commands the library runs
 * (perf record, perf script): pointers plus the strings it owns, finished
 * into one allocation the caller frees with free().  An allocation failure
 * is remembered and reported once, by argvb_finish().
 */
#ifndef FG_ARGVB_H
#define FG_ARGVB_H

#include <stddef.h>

#include "base.h"

struct argvb {
	const char **v;
	size_t n, cap;
	struct fg_arena strs;
	int bad;
};

void argvb_init(struct argvb *a);
/* Append s (borrowed until argvb_finish). */
void argvb_push(struct argvb *a, const char *s);
/* Append prefix followed by v in decimal (copied). */
void argvb_pushf(struct argvb *a, const char *prefix, unsigned long long v);
/* "sudo sudo[0..nsudo) --" when sudo is non-NULL. */
void argvb_sudo(struct argvb *a, const char *const *sudo, size_t nsudo);
/*
 * The finished argv in one allocation (pointers, then strings, NULL
 * terminated), *argc its length (argc may be NULL).  a is emptied either
 * way.  0, or FG_ENOMEM.
 */
int argvb_finish(struct argvb *a, char ***argv, size_t *argc,
    struct fg_error *err);

#endif
