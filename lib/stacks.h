/*
 * stacks.h: the internal side of the stacks model.  Sources that parse
 * fast (the perf-script collapser, the perf.data reader) intern frame names
 * once and add stacks as arrays of name ids; the renderer walks stacks by
 * index.  Ids are dense, from 0, in order of first appearance; stack
 * indexes likewise.  Names and id arrays stay valid until the model is
 * freed.
 */
#ifndef FG_STACKS_H
#define FG_STACKS_H

#include <stddef.h>
#include <stdint.h>

#include "flamegraph.h"

/* Intern name[0..len): 0 and *id, or FG_ENOMEM / FG_ELIMIT (2^32 names). */
int stacks_intern(struct fg_stacks *st, const char *name, size_t len,
    uint32_t *id);
/* Same, with the caller's precomputed base_hash(name, len). */
int stacks_intern_hashed(struct fg_stacks *st, const char *name,
    size_t len, uint64_t hash, uint32_t *id);

/* The name of id (NUL-terminated) and its length. */
const char *stacks_name(const struct fg_stacks *st, uint32_t id,
    size_t *len);

/* Add weights to the stack ids[0] (root) .. ids[n-1] (leaf). */
int stacks_add_ids(struct fg_stacks *st, const uint32_t *ids, size_t n,
    uint64_t weight, uint64_t weight2, struct fg_error *err);

/* The same, and *idx the stack's index (for stacks_add_to). */
int stacks_add_ids_idx(struct fg_stacks *st, const uint32_t *ids,
    size_t n, uint64_t weight, uint64_t weight2, size_t *idx,
    struct fg_error *err);
/* Add weights to the existing stack idx: what an add of its ids does. */
int stacks_add_to(struct fg_stacks *st, size_t idx, uint64_t weight,
    uint64_t weight2, struct fg_error *err);

/* Stack i (0 <= i < fg_stacks_count()), in order of first appearance. */
void stacks_get(const struct fg_stacks *st, size_t i,
    const uint32_t **ids, size_t *n, uint64_t *weight, uint64_t *weight2);

/*
 * The stack indexes in folded order (see fg_stacks_foreach_sorted), in a
 * new array of fg_stacks_count() entries the caller frees; NULL when out
 * of memory (or when there are no stacks).
 */
size_t *stacks_sorted(const struct fg_stacks *st);

/*
 * Keep the order of additions (off by default: it costs memory per add):
 * every later add appends one step, so a flame chart can draw the input
 * in time order with equal stacks that are not adjacent kept apart.
 * The readers of recordings (perf.data, `perf script` text) then add
 * one step per sample, in the recording's time order, and say which
 * thread it came from (stacks_step_sample): the sample log that time
 * charts, per-thread views and the speedscope and pprof writers read.
 */
struct fg_stacks_step {
	size_t stack;		/* index for stacks_get */
	uint64_t weight, weight2;	/* what that add contributed */
	uint64_t time;		/* ns, as the recording gives it; 0: none */
	uint32_t pid, tid;	/* 0 with tid: not known (folded input) */
	uint32_t thread;	/* name id of the thread's command;
				   UINT32_MAX: not known */
	uint32_t root;		/* frames at the stack's root that name the
				   process (the process name: 0 or 1) */
};
void stacks_keep_sequence(struct fg_stacks *st);
/* Whether the order of additions is kept. */
int stacks_keeps_sequence(const struct fg_stacks *st);
/* The steps in order of addition (*n of them; none unless kept). */
const struct fg_stacks_step *stacks_sequence(const struct fg_stacks *st,
    size_t *n);
/*
 * Say where the last step added came from: a sample at time (ns) of
 * thread tid of process pid, whose command's name is comm[0..clen)
 * (interned here), with root frames naming the process.  Nothing when
 * the order is not kept.  0 or FG_ENOMEM.
 */
int stacks_step_sample(struct fg_stacks *st, uint64_t time, uint32_t pid,
    uint32_t tid, const char *comm, size_t clen, uint32_t root);
/* Whether any step says which thread it came from (a sample log). */
int stacks_has_samples(const struct fg_stacks *st);

/*
 * The name of the event the stacks sample (as the recording names it:
 * "cpu-clock", "cycles:P"), set once by a reader: later calls keep the
 * first (stacks_rename_event replaces it: a followed recording's name
 * comes at its end).  0 or FG_ENOMEM.  stacks_event: NULL when no
 * reader said.
 */
int stacks_set_event(struct fg_stacks *st, const char *name, size_t len);
int stacks_rename_event(struct fg_stacks *st, const char *name, size_t len);
const char *stacks_event(const struct fg_stacks *st);
/*
 * Whether the event ev (NULL: not known) counts time in nanoseconds:
 * perf's software clocks cpu-clock and task-clock, with modifiers
 * (":u", "/.../") or unnamed as software events 0 and 1 ("event-1-0").
 * What the speedscope and pprof writers give the weights as a unit.
 */
int stacks_event_is_clock(const char *ev);

/*
 * Inline frames, for outputs that group the frames of one address (the
 * pprof writer's locations): the native reader marks each pair of frames
 * it made for one address, the function (outer) and the function inlined
 * into it (inner), and the next pair down the inline chain.  By names, not
 * by place: a pair marked once counts wherever it is adjacent.  Nothing
 * in the folded stacks changes.  stacks_mark_inline: 0 or FG_ENOMEM.
 */
int stacks_mark_inline(struct fg_stacks *st, uint32_t outer, uint32_t inner);
int stacks_is_inline(const struct fg_stacks *st, uint32_t outer,
    uint32_t inner);

/* Compare two names as they sort inside joined folded lines. */
int stacks_cmp(const struct fg_stacks *st, size_t a, size_t b);

#endif /* FG_STACKS_H */
