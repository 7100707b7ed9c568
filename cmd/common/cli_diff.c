/*
 * cli_diff.c: --diff-against's share of the command line: the gates
 * --fail-on-growth PCT and --fail-on-share-growth PATTERN:PCT parsed,
 * and after the graph is written, the change table on stderr and the
 * gates checked (docs/internals/diff.md).  The differential graph itself
 * is the library's (fg_process with diff_base).
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flamegraph.h"
#include "cli.h"
#include "cli_int.h"
#include "status.h"

#define TOP_CHANGES 5		/* functions listed each way */

/* A percentage from the command line: a decimal number 0..1e6. */
static int
percent_arg(const char *opt, const char *arg, const char *s, double *v)
{
	char *end;

	*v = strtod(s, &end);
	if (*s == '\0' || *end != '\0' || !isfinite(*v) || *v < 0 ||
	    *v > 1e6 || strchr(s, 'x') != NULL || strchr(s, 'X') != NULL) {
		status_error("%s %s: expected a number of percent such as 5 "
		    "or 2.5 (0..1000000)", opt, arg);
		return -1;
	}
	return 0;
}

/* PATTERN:PCT, split at the last ':' (Rust paths hold "::"). */
static int
share_gate(struct cli *c, const char *arg)
{
	static const char opt[] = "--fail-on-share-growth";
	const char *colon = strrchr(arg, ':');
	struct share_gate *g;

	if (colon == NULL || colon == arg) {
		status_error("%s %s: expected PATTERN:PCT, such as "
		    "'myapp::hot:5'", opt, arg);
		return -1;
	}
	g = reallocarray(c->share_gates, c->nshare_gates + 1, sizeof(*g));
	if (g == NULL) {
		status_error("out of memory");
		return -1;
	}
	c->share_gates = g;
	g += c->nshare_gates;
	memset(g, 0, sizeof(*g));
	if (percent_arg(opt, arg, colon + 1, &g->points) != 0)
		return -1;
	if ((g->pattern = strndup(arg, (size_t)(colon - arg))) == NULL) {
		status_error("out of memory");
		return -1;
	}
	g->arg = arg;
	c->nshare_gates++;
	return 0;
}

int
diff_option(struct cli *c, int which, const char *arg)
{
	if (which == 'g')
		return percent_arg("--fail-on-growth", arg, arg,
		    &c->fail_growth);
	return share_gate(c, arg);
}

int
diff_check(const struct cli *c)
{
	const char *opt = NULL;

	if (c->diff_against != NULL)
		return -1;
	if (c->fail_growth >= 0)
		opt = "--fail-on-growth";
	else if (c->nshare_gates > 0)
		opt = "--fail-on-share-growth";
	else if (c->diff_absolute)
		opt = "--diff-absolute";
	if (opt == NULL)
		return -1;
	status_error("%s compares with a base: give --diff-against BASE", opt);
	return CLI_EXIT_USAGE;
}

/* How much after is more than before, in percent (0 with no before). */
static double
growth_pct(uint64_t before, uint64_t after)
{
	return before == 0 ? 0.0 :
	    ((double)after - (double)before) * 100.0 / (double)before;
}

/* One row of the change table. */
static void
change_row(const char *what, const struct fg_diff_change *ch)
{
	fprintf(stderr, "%12s %7.2f%% %7.2f%% %+8.2f  %s\n", what,
	    ch->before, ch->after, ch->after - ch->before, ch->name);
}

/* The totals and the functions whose share changed most. */
static void
change_table(const struct cli *c, const struct fg_stacks *diff,
    uint64_t before, uint64_t after)
{
	struct fg_diff_change grew[TOP_CHANGES], shrank[TOP_CHANGES];
	struct fg_error err;
	size_t ng, ns, i;

	status_line("Compared", "with %s: %llu -> %llu samples (%+.1f%%)",
	    c->diff_against, (unsigned long long)before,
	    (unsigned long long)after, growth_pct(before, after));
	if (c->quiet)
		return;
	fg_error_clear(&err);
	if (fg_diff_changes(diff, TOP_CHANGES, grew, &ng, shrank, &ns,
	    &err) != 0) {
		status_warn("change table: %s", err.msg);
		return;
	}
	if (ng + ns == 0) {
		fprintf(stderr, "%12s no function's share of the samples "
		    "changed by 0.01 points or more\n", "");
		return;
	}
	fprintf(stderr, "%12s %8s %8s %8s  function (share of samples, "
	    "change in points)\n", "", "before", "after", "change");
	for (i = 0; i < ng; i++)
		change_row(i == 0 ? "grew" : "", &grew[i]);
	for (i = 0; i < ns; i++)
		change_row(i == 0 ? "shrank" : "", &shrank[i]);
}

/* The gates: each one tripped said in a line; how many. */
static size_t
gates(const struct cli *c, const struct fg_stacks *diff, uint64_t before,
    uint64_t after)
{
	struct fg_error err;
	double grow, b, a;
	size_t n = 0, i;

	grow = growth_pct(before, after);
	if (c->fail_growth >= 0 && grow > c->fail_growth) {
		status_error("--fail-on-growth %g: the samples grew by %.1f%% "
		    "(%llu -> %llu), more than %g%%", c->fail_growth, grow,
		    (unsigned long long)before, (unsigned long long)after,
		    c->fail_growth);
		n++;
	}
	for (i = 0; i < c->nshare_gates; i++) {
		const struct share_gate *g = &c->share_gates[i];

		fg_error_clear(&err);
		if (fg_diff_share(diff, g->pattern, &b, &a, &err) != 0) {
			status_error("--fail-on-share-growth %s: %s", g->arg,
			    err.msg);
			n++;
			continue;
		}
		if (a - b <= g->points)
			continue;
		status_error("--fail-on-share-growth %s: the share of samples "
		    "with a frame containing `%s` grew by %.2f points (%.2f%% "
		    "-> %.2f%%), more than %g", g->arg, g->pattern, a - b, b, a,
		    g->points);
		n++;
	}
	return n;
}

size_t
diff_report(const struct cli *c, const struct fg_stacks *base,
    const struct fg_stacks *diff, uint64_t nsamples)
{
	uint64_t before = fg_diff_total(base);

	change_table(c, diff, before, nsamples);
	return gates(c, diff, before, nsamples);
}

void
diff_free(struct cli *c)
{
	for (size_t i = 0; i < c->nshare_gates; i++)
		free(c->share_gates[i].pattern);
	free(c->share_gates);
}
