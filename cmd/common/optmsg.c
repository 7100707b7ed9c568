/*
 * optmsg.c: the text of getopt_long's errors (see optmsg.h).  getopt_long
 * says which option failed only through optopt (0 for an unknown long
 * option) and the argument it stepped over, argv[optind - 1]; a long
 * option's name is taken from there, up to any '='.
 */
#include <stdio.h>
#include <string.h>

#include "optmsg.h"

/* Long options whose names start with name[0..n): how many, the last. */
static int
matches(const struct option *lo, const char *name, size_t n,
    const struct option **last)
{
	int k = 0;

	*last = NULL;
	for (; lo != NULL && lo->name != NULL; lo++) {
		if (strncmp(lo->name, name, n) != 0)
			continue;
		if (lo->name[n] == '\0') {	/* exact beats prefixes */
			*last = lo;
			return 1;
		}
		if (*last == NULL || (*last)->flag != lo->flag ||
		    (*last)->val != lo->val || (*last)->has_arg != lo->has_arg)
			k++;
		*last = lo;
	}
	return k;
}

const char *
optmsg(int ch, char *const argv[], const struct option *longopts, char *buf,
    size_t len)
{
	const char *arg = optind > 0 ? argv[optind - 1] : NULL;
	const struct option *o = NULL;
	size_t n;
	int k = 0, islong = 0;

	if (arg != NULL && strncmp(arg, "--", 2) == 0 && arg[2] != '\0') {
		n = strcspn(arg + 2, "=");
		k = matches(longopts, arg + 2, n, &o);
		/* a short option inside a group after a long one keeps
		 * the long one in argv[optind - 1]: optopt tells them apart */
		islong = optopt == 0 || (k == 1 && o->val == optopt &&
		    o->flag == NULL);
	}
	if (!islong) {
		if (optopt > 0 && optopt < 256)
			snprintf(buf, len, "%s -%c", ch == ':' ? "option" :
			    "unknown option", optopt);
		else
			snprintf(buf, len, "unknown option %s", arg != NULL ?
			    arg : "?");
		if (ch == ':')
			strncat(buf, " needs a value", len - strlen(buf) - 1);
		return buf;
	}
	n = strcspn(arg, "=");
	if (ch == ':')
		snprintf(buf, len, "option %.*s needs a value", (int)n, arg);
	else if (k > 1)
		snprintf(buf, len, "option %.*s is ambiguous", (int)n, arg);
	else if (k == 1 && arg[n] == '=' && o->has_arg == no_argument)
		snprintf(buf, len, "option --%s takes no value", o->name);
	else
		snprintf(buf, len, "unknown option %.*s", (int)n, arg);
	return buf;
}
