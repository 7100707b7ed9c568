/*
 * argvb.c: the argv builder shared by perf record and perf script
 * (argvb.h).  Arguments are words, never a shell line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "argvb.h"

void
argvb_init(struct argvb *a)
{
	memset(a, 0, sizeof(*a));
	arena_init(&a->strs);
}

void
argvb_push(struct argvb *a, const char *s)
{
	const char **nv;

	if (a->bad)
		return;
	if ((nv = base_grow(a->v, &a->cap, a->n + 2, sizeof(*nv), 32)) == NULL) {
		a->bad = 1;
		return;
	}
	a->v = nv;
	a->v[a->n++] = s;
	a->v[a->n] = NULL;
}

void
argvb_pushf(struct argvb *a, const char *prefix, unsigned long long v)
{
	char tmp[96];
	char *s;

	snprintf(tmp, sizeof(tmp), "%s%llu", prefix, v);
	if ((s = arena_strndup(&a->strs, tmp, strlen(tmp))) == NULL)
		a->bad = 1;
	argvb_push(a, s);
}

void
argvb_sudo(struct argvb *a, const char *const *sudo, size_t nsudo)
{
	if (sudo == NULL)
		return;
	argvb_push(a, "sudo");
	for (size_t i = 0; i < nsudo; i++)
		argvb_push(a, sudo[i]);
	argvb_push(a, "--");
}

int
argvb_finish(struct argvb *a, char ***argv, size_t *argc,
    struct fg_error *err)
{
	size_t bytes = 0, ptrs;
	char **v, *p;

	if (a->bad)
		goto nomem;
	for (size_t i = 0; i < a->n; i++)
		bytes += strlen(a->v[i]) + 1;
	ptrs = (a->n + 1) * sizeof(char *);
	if ((v = malloc(ptrs + bytes)) == NULL)
		goto nomem;
	p = (char *)v + ptrs;
	for (size_t i = 0; i < a->n; i++) {
		size_t l = strlen(a->v[i]) + 1;
		memcpy(p, a->v[i], l);
		v[i] = p;
		p += l;
	}
	v[a->n] = NULL;
	*argv = v;
	if (argc != NULL)
		*argc = a->n;
	free(a->v);
	arena_free(&a->strs);
	return 0;
nomem:
	free(a->v);
	arena_free(&a->strs);
	return seterr(err, FG_ENOMEM, "perf argv: out of memory");
}
