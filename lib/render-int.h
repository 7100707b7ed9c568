/*
 * render-int.h: what the render*.c family shares and no one else sees:
 * a stack in drawing order (struct ent) and the steps one file of the
 * family does for the others.
 */
#ifndef FG_RENDER_INT_H
#define FG_RENDER_INT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "base.h"
#include "render.h"
#include "stacks.h"

struct ent {
	const uint32_t *ids;
	uint32_t n;
	uint64_t count;		/* drawn weight */
	int64_t delta;		/* second minus first weight (differential) */
};

static inline uint32_t
ent_id(const struct ent *e, size_t k)
{
	return e->ids[k];
}

/*
 * The entries in drawing order, in a new array (*nout entries).  --base
 * keeps the part of each stack from its last base frame (not the root,
 * not the leaf, as inferno matches names against "frame;...;leaf COUNT")
 * and drops stacks without one.  *revids: the reversed stacks' ids
 * (--reverse), which the entries point into; the caller frees both.
 * 0, or FG_ENOMEM with err filled.
 */
int render_build_order(const struct fg_stacks *st,
    const struct fg_render_opts *o, struct ent **out, size_t *nout,
    uint32_t **revids, struct fg_error *err);

/*
 * One lane of a chart drawn by render_lanes(): its entries in drawing
 * order (an entry without frames, n == 0, is a gap: time in which the
 * lane shows nothing), the x units its full width stands for (the sum of
 * its entries' counts), the units search's "Matched" share counts against
 * (weight), and its heading.  The caller owns everything.
 */
struct render_lane {
	const struct ent *v;
	size_t n;
	uint64_t scale;
	uint64_t weight;
	const char *label;
};

/*
 * Draw lanes ln[0..n) one below the other, each with its heading, each
 * entry's first frame on the lane's first row (no "all" frame).
 * timeline: all lanes share one x axis (their scale, in microseconds),
 * drawn with time ticks; else each lane is as wide as the graph.  Same
 * returns as fg_render_svg().
 */
int render_lanes(const struct fg_stacks *st, const struct fg_render_opts *o,
    const struct render_lane *ln, size_t n, int timeline, FILE *fp,
    struct fg_error *err);

#endif
