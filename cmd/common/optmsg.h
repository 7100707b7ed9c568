/*
 * optmsg.h: one message for every option error getopt_long reports, so
 * that all programs say "option --bin needs a value" and "unknown option
 * --frob" the same way.  Programs call getopt_long with opterr = 0 (or an
 * optstring that starts with ':', after any '+') so that a missing value
 * comes back as ':' and getopt itself prints nothing.
 */
#ifndef FG_OPTMSG_H
#define FG_OPTMSG_H

#include <getopt.h>
#include <stddef.h>

/*
 * The message for getopt_long's return ch (':' or '?') just after it
 * returned, with the argv and longopts it was given (longopts may be
 * NULL): "option --bin needs a value", "option --quiet takes no value",
 * "option --f is ambiguous", "unknown option --frob" or "unknown option
 * -x".  Written into buf (one line, no newline); returns buf.
 */
const char *optmsg(int ch, char *const argv[], const struct option *longopts,
    char *buf, size_t len);

#endif /* FG_OPTMSG_H */
