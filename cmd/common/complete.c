/*
 * complete.c: bash, zsh and fish completion scripts from a getopt_long
 * table (see complete.h).  Every option of the table and every short
 * option of the optstring is offered; an option's value is completed from
 * its words in spec->values, else as a file name.  A short option is
 * paired with the long option whose code is that character.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "complete.h"

/* How the short option at p in the optstring takes a value: 0, 1, or 2
 * (optional). */
static int
short_arg(const char *p)
{
	if (p[1] != ':')
		return 0;
	return p[2] == ':' ? 2 : 1;
}

/* p: each short option of the optstring in turn. */
#define FOR_SHORTS(spec, p)						\
	for (const char *p = (spec)->shorts; *p != '\0'; p++)		\
		if (*p != '+' && *p != ':' && *p != '-')

static const struct option *
long_of(const struct complete_spec *s, int ch)
{
	for (const struct option *o = s->longopts; o->name != NULL; o++)
		if (o->val == ch)
			return o;
	return NULL;
}

/* The short option paired with the long option o, 0 when none. */
static int
short_of(const struct complete_spec *s, const struct option *o)
{
	if (o->val <= 0 || o->val > 127 || !isalnum(o->val))
		return 0;
	FOR_SHORTS(s, p)
		if (*p == o->val)
			return *p;
	return 0;
}

static const char *
values_of(const struct complete_spec *s, const char *name)
{
	if (s->values == NULL || name == NULL)
		return NULL;
	for (const struct complete_values *v = s->values; v->option != NULL;
	    v++)
		if (strcmp(v->option, name) == 0)
			return v->words;
	return NULL;
}

/* The shell function's name: _PROG with '-' as '_'. */
static void
func_name(const char *prog, char *buf, size_t size)
{
	size_t i = 0;

	buf[i++] = '_';
	for (; *prog != '\0' && i + 1 < size; prog++)
		buf[i++] = *prog == '-' ? '_' : *prog;
	buf[i] = '\0';
}

static void
bash_value_cases(FILE *fp, const struct complete_spec *s)
{
	int first = 1;

	for (const struct option *o = s->longopts; o->name != NULL; o++) {
		const char *w = values_of(s, o->name);
		int sh = short_of(s, o);

		if (w == NULL)
			continue;
		fprintf(fp, "\t--%s", o->name);
		if (sh != 0)
			fprintf(fp, "|-%c", sh);
		fprintf(fp, ")\n\t\tCOMPREPLY=($(compgen -W '%s' -- \"$cur\"))\n"
		    "\t\treturn;;\n", w);
	}
	/* the rest of the options that need a value: file names */
	for (const struct option *o = s->longopts; o->name != NULL; o++) {
		if (o->has_arg != required_argument ||
		    values_of(s, o->name) != NULL)
			continue;
		fprintf(fp, "%s--%s", first ? "\t" : "|", o->name);
		first = 0;
	}
	FOR_SHORTS(s, p) {
		const struct option *o = long_of(s, *p);

		if (short_arg(p) != 1 ||
		    (o != NULL && values_of(s, o->name) != NULL))
			continue;
		fprintf(fp, "%s-%c", first ? "\t" : "|", *p);
		first = 0;
	}
	if (!first)
		fputs(")\n\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n"
		    "\t\treturn;;\n", fp);
}

static void
print_bash(FILE *fp, const struct complete_spec *s, const char *fn)
{
	fprintf(fp, "# bash completion for %s (%s --completions bash)\n"
	    "%s()\n{\n"
	    "\tlocal cur=${COMP_WORDS[COMP_CWORD]} prev= i\n"
	    "\tCOMPREPLY=()\n"
	    "\t((COMP_CWORD > 0)) && prev=${COMP_WORDS[COMP_CWORD-1]}\n"
	    "\t# --opt=value: bash splits at '='\n"
	    "\tif [[ $cur == = ]]; then\n\t\tcur=\n"
	    "\telif [[ $prev == = ]] && ((COMP_CWORD > 1)); then\n"
	    "\t\tprev=${COMP_WORDS[COMP_CWORD-2]}\n\tfi\n"
	    "\tfor ((i = 1; i < COMP_CWORD; i++)); do\n"
	    "\t\t[[ ${COMP_WORDS[i]} == -- ]] || continue\n", s->prog, s->prog,
	    fn);
	if (s->command)
		fputs("\t\tif ((i + 1 == COMP_CWORD)); then\n"
		    "\t\t\tCOMPREPLY=($(compgen -c -- \"$cur\"))\n"
		    "\t\t\treturn\n\t\tfi\n", fp);
	fputs("\t\tCOMPREPLY=($(compgen -f -- \"$cur\"))\n\t\treturn\n"
	    "\tdone\n\tcase $prev in\n", fp);
	bash_value_cases(fp, s);
	fputs("\tesac\n\tcase $cur in\n\t-*)\n\t\tCOMPREPLY=($(compgen -W '",
	    fp);
	for (const struct option *o = s->longopts; o->name != NULL; o++)
		fprintf(fp, "%s--%s", o == s->longopts ? "" : " ", o->name);
	FOR_SHORTS(s, p)
		fprintf(fp, " -%c", *p);
	fprintf(fp, "' -- \"$cur\"))\n\t\treturn;;\n\tesac\n"
	    "\tCOMPREPLY=($(compgen %s -- \"$cur\"))\n}\n"
	    "complete -F %s %s\n", s->command ? "-c -f" : "-f", fn, s->prog);
}

/* The zsh action of an option's value. */
static void
zsh_action(FILE *fp, const struct complete_spec *s, const char *name)
{
	const char *w = values_of(s, name);

	if (w != NULL)
		fprintf(fp, "(%s)", w);
	else
		fputs("_files", fp);
}

static void
print_zsh(FILE *fp, const struct complete_spec *s, const char *fn)
{
	fprintf(fp, "#compdef %s\n# zsh completion for %s (%s --completions "
	    "zsh)\n%s() {\n\t_arguments -s -S \\\n", s->prog, s->prog, s->prog,
	    fn);
	for (const struct option *o = s->longopts; o->name != NULL; o++) {
		fprintf(fp, "\t\t'--%s", o->name);
		if (o->has_arg == required_argument) {
			fputs("=:value:", fp);
			zsh_action(fp, s, o->name);
		} else if (o->has_arg == optional_argument) {
			fputs("=-::value: ", fp);
		}
		fputs("' \\\n", fp);
	}
	FOR_SHORTS(s, p) {
		const struct option *o = long_of(s, *p);

		fprintf(fp, "\t\t'-%c", *p);
		switch (short_arg(p)) {
		case 1:
			fputs("+:value:", fp);
			zsh_action(fp, s, o != NULL ? o->name : NULL);
			break;
		case 2:
			fputs("-::value: ", fp);
			break;
		}
		fputs("' \\\n", fp);
	}
	fprintf(fp, "\t\t'*::%s'\n}\n"
	    "if [ \"$funcstack[1]\" = \"%s\" ]; then\n\t%s \"$@\"\nelse\n"
	    "\tcompdef %s %s\nfi\n", s->command ? "command:_normal" :
	    "argument:_files", fn, fn, fn, s->prog);
}

static void
print_fish(FILE *fp, const struct complete_spec *s)
{
	fprintf(fp, "# fish completion for %s (%s --completions fish)\n",
	    s->prog, s->prog);
	for (const struct option *o = s->longopts; o->name != NULL; o++) {
		const char *w = values_of(s, o->name);
		int sh = short_of(s, o);

		fprintf(fp, "complete -c %s -l %s", s->prog, o->name);
		if (sh != 0)
			fprintf(fp, " -s %c", sh);
		if (w != NULL)
			fprintf(fp, " -x -a '%s'", w);
		else if (o->has_arg == required_argument)
			fputs(" -r -F", fp);
		fputc('\n', fp);
	}
	FOR_SHORTS(s, p) {
		const struct option *o = long_of(s, *p);

		if (o != NULL && short_of(s, o) == *p)
			continue;	/* written with its long option */
		fprintf(fp, "complete -c %s -s %c%s\n", s->prog, *p,
		    short_arg(p) == 1 ? " -r -F" : "");
	}
}

int
complete_print(FILE *fp, const char *shell, const struct complete_spec *s)
{
	char fn[128];

	func_name(s->prog, fn, sizeof(fn));
	if (strcmp(shell, "bash") == 0)
		print_bash(fp, s, fn);
	else if (strcmp(shell, "zsh") == 0)
		print_zsh(fp, s, fn);
	else if (strcmp(shell, "fish") == 0)
		print_fish(fp, s);
	else
		return -1;
	return 0;
}
