/*
 * manifest-cfg.c: evaluate the cfg(...) expressions of
 * [target.'cfg(...)'] keys for a target triple (all, any, not, and the
 * target_* keys and unix/windows the triple implies).
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

/* cfg(...) of [target.'cfg(...)'] for triple: 1 true, 0 false, -1 bad. */
static int
cfg_eval(const char **p, const char *triple, int depth)
{
	char name[64], val[64], arch[64];
	const char *s, *os, *envs;
	size_t n;
	int r, any, all, acc;

	if (depth > 16)
		return -1;
	while (**p == ' ')
		(*p)++;
	for (n = 0; (mf_isalnum_c(**p) || **p == '_') && n + 1 < sizeof(name);
	    (*p)++)
		name[n++] = **p;
	name[n] = '\0';
	while (**p == ' ')
		(*p)++;
	any = strcmp(name, "any") == 0;
	all = strcmp(name, "all") == 0;
	if (any || all || strcmp(name, "not") == 0) {
		if (**p != '(')
			return -1;
		(*p)++;
		acc = all;
		for (;;) {
			while (**p == ' ')
				(*p)++;
			if (**p == ')')
				break;
			if ((r = cfg_eval(p, triple, depth + 1)) < 0)
				return -1;
			if (any)
				acc = acc || r;
			else if (all)
				acc = acc && r;
			else
				acc = !r;
			while (**p == ' ')
				(*p)++;
			if (**p == ',')
				(*p)++;
			else if (**p != ')')
				return -1;
		}
		(*p)++;
		return acc;
	}
	/* the triple's parts: arch-vendor-os[-env] */
	s = strchr(triple, '-');
	n = s ? (size_t)(s - triple) : strlen(triple);
	snprintf(arch, sizeof(arch), "%.*s", (int)n, triple);
	os = strstr(triple, "linux") ? "linux" : strstr(triple, "darwin") ?
	    "macos" : strstr(triple, "windows") ? "windows" :
	    strstr(triple, "freebsd") ? "freebsd" : "unknown";
	envs = strstr(triple, "musl") ? "musl" : strstr(triple, "gnu") ?
	    "gnu" : strstr(triple, "msvc") ? "msvc" : "";
	if (**p != '=') {
		if (strcmp(name, "unix") == 0)
			return strcmp(os, "windows") != 0;
		if (strcmp(name, "windows") == 0)
			return strcmp(os, "windows") == 0;
		return 0;
	}
	(*p)++;
	while (**p == ' ')
		(*p)++;
	if (**p != '"')
		return -1;
	(*p)++;
	for (n = 0; **p && **p != '"' && n + 1 < sizeof(val); (*p)++)
		val[n++] = **p;
	val[n] = '\0';
	if (**p != '"')
		return -1;
	(*p)++;
	if (strcmp(name, "target_arch") == 0)
		return strcmp(val, arch) == 0;
	if (strcmp(name, "target_os") == 0)
		return strcmp(val, os) == 0;
	if (strcmp(name, "target_env") == 0)
		return strcmp(val, envs) == 0;
	if (strcmp(name, "target_family") == 0)
		return strcmp(val, strcmp(os, "windows") ? "unix" :
		    "windows") == 0;
	if (strcmp(name, "target_pointer_width") == 0)
		return strcmp(val, strstr(arch, "64") ? "64" : "32") == 0;
	if (strcmp(name, "target_vendor") == 0)
		return strstr(triple, val) != NULL;
	return 0;
}

int
mf_cfg_matches(const char *key, const char *triple)
{
	const char *p;
	int r;

	if (strncmp(key, "cfg(", 4) != 0)
		return 0;
	p = key + 4;
	r = cfg_eval(&p, triple, 0);
	while (*p == ' ')
		p++;
	return r > 0 && *p == ')' && p[1] == '\0';
}
