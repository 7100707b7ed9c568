/*
 * folded.h: the folded reader's internal knob, for tests: the file size
 * from which a regular file is read in two halves on two threads
 * (fg_folded_read_fd uses 64 MB).
 */
#ifndef FG_FOLDED_H
#define FG_FOLDED_H

#include <sys/types.h>

#include "flamegraph.h"

/* fg_folded_read_fd() with split_min instead of the default. */
int folded_read_fd_tuned(int fd, const char *name,
    const struct fg_folded_opts *o, struct fg_stacks *out, off_t split_min,
    struct fg_error *err);

#endif /* FG_FOLDED_H */
