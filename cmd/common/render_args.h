/*
 * render_args.h: the renderer's command-line options, shared by every
 * program that draws a flame graph (flamegraph-render, flamegraph,
 * cargo-flamegraph).  Long options only, with inferno-flamegraph's names;
 * getopt_long codes start at RENDER_ARGS_FIRST so they never collide with
 * a program's own short options.
 */
#ifndef RENDER_ARGS_H
#define RENDER_ARGS_H

#include <getopt.h>
#include <stdio.h>

#include "flamegraph.h"

#define RENDER_ARGS_FIRST 0x1000

/*
 * The option table, terminated by an all-zero entry; render_args_count
 * entries before it.  Append it to a program's own table.
 */
extern const struct option render_args_options[];
extern const size_t render_args_count;

/*
 * Apply getopt_long's code and optarg to o: 0 when applied, 1 when code
 * is not a renderer option (the caller handles it), or a negative FG_E*
 * code with err filled for a bad value.
 */
int render_args_apply(struct fg_render_opts *o, int code, const char *arg,
    struct fg_error *err);

/* Describe the renderer options, one per line, for --help. */
void render_args_usage(FILE *fp);

#endif /* RENDER_ARGS_H */
