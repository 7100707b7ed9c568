/*
 * complete.h: shell completion scripts (bash, zsh, fish) written from a
 * program's getopt_long table and short-option string, the same ones its
 * parser uses, so that the completions cannot drift from the options.
 */
#ifndef FG_COMPLETE_H
#define FG_COMPLETE_H

#include <getopt.h>
#include <stdio.h>

/* The words a value of an option is completed from ("auto always never"). */
struct complete_values {
	const char *option;	/* long name */
	const char *words;	/* space-separated */
};

struct complete_spec {
	const char *prog;	/* the command completed ("flamegraph") */
	const struct option *longopts;	/* ends with a NULL name */
	const char *shorts;	/* getopt's optstring ('+' and ':' skipped) */
	const struct complete_values *values;	/* ends with NULL option */
	int command;		/* the words after the options are a command */
};

/* The renderer's palettes (--colors, --palette), for the values. */
#define COMPLETE_PALETTES "hot mem io wakeup java js perl python red " \
	"green blue aqua yellow purple orange rust"

/* The shells complete_print knows, space-separated, for messages. */
#define COMPLETE_SHELLS "bash zsh fish"

/*
 * Write the completion script of spec for shell ("bash", "zsh" or
 * "fish") to fp.  0, or -1 for another shell.
 */
int complete_print(FILE *fp, const char *shell,
    const struct complete_spec *spec);

#endif /* FG_COMPLETE_H */
