/*
 * perfdata.h: the internal side of the perf.data reader.  The reader
 * walks a recording in time order (perf's round-based ordering) and
 * hands each sample of the chosen event to a callback with its thread,
 * time, CPU, period, the raw callchain, the user registers and the user
 * stack copy (for the DWARF unwinder), and the frame names it resolved,
 * root first, as ids interned in a stacks model.  fg_perfdata_read_file()
 * is this walk with a callback that adds every sample to the model; a
 * time-ordered flame chart or per-thread graphs use the same walk with
 * their own callback.
 */
#ifndef FG_PERFDATA_H
#define FG_PERFDATA_H

#include <stddef.h>
#include <stdint.h>

#include "flamegraph.h"

/*
 * One sample as recorded; pointers borrowed for the callback only.
 * (on_sample() sets the fields one by one: a new field needs a line
 * there.)
 */
struct fg_pd_sample {
	uint64_t ip;
	uint64_t time;		/* ns; 0 without PERF_SAMPLE_TIME */
	uint64_t period;	/* 1 without PERF_SAMPLE_PERIOD */
	uint64_t id;
	uint64_t offset;	/* file offset of the record (or of the
				   compressed record that held it) */
	uint32_t pid;
	uint32_t tid;
	uint32_t cpu;
	uint16_t misc;		/* header misc: cpumode in bits 0..2 */
	const char *comm;	/* the thread's command at that time */
	const char *event;	/* the event's name */
	const uint64_t *chain;	/* PERF_SAMPLE_CALLCHAIN, markers included */
	size_t nchain;
	uint64_t regs_abi;	/* PERF_SAMPLE_REGS_USER: 0 = none */
	uint64_t regs_mask;	/* the attribute's sample_regs_user */
	const uint64_t *regs;	/* one value per set bit of regs_mask */
	size_t nregs;
	const uint8_t *stack;	/* PERF_SAMPLE_STACK_USER copy */
	size_t stack_len;	/* bytes of it here (see stack_size) */
	size_t stack_size;	/* bytes valid (dyn_size when given); read
				   from a file, only the top stack_len of
				   them may be here: those the unwinder read
				   and a few KiB more */
	uint32_t pname_id;	/* the name id of the process name frame */
	uint32_t stack_key;	/* samples with one key have the same ids:
				   dense from 0 in order of first use;
				   UINT32_MAX: not known */
};

/*
 * Called once per sample of the selected event: ids[0..n) are the
 * frame names (the process name first, the leaf last) interned in the
 * model passed to pd_walk_mem().  Return 0 to go on; a negative FG_E*
 * code stops the walk and is returned, its message (err) prefixed with
 * the record's offset.
 */
typedef int fg_pd_sample_fn(void *arg, const struct fg_pd_sample *s,
    const uint32_t *ids, size_t n, struct fg_error *err);

/*
 * Called once per distinct address resolved in a file: path is the
 * file ("[vdso]", "[kernel.kallsyms]", a JIT map) and addr the address
 * looked up in it (ELF virtual address, ip - 1 for return addresses);
 * ids[0..n) the frames it gave, outermost first.  For tests and tools.
 */
typedef void fg_pd_frame_fn(void *arg, const char *path, uint64_t addr,
    const uint32_t *ids, size_t n);

struct fg_pd_hooks {
	fg_pd_sample_fn *sample;	/* required */
	fg_pd_frame_fn *frame;		/* optional */
	void *arg;
};

/*
 * Walk the recording buf[0..len) (name labels messages, "perf.data"),
 * interning names in st and calling the hooks.  The options are the
 * public ones.  0, or a negative FG_E* code with err filled.
 */
int pd_walk_mem(const uint8_t *buf, size_t len, const char *name,
    const struct fg_perfdata_opts *o, struct fg_stacks *st,
    const struct fg_pd_hooks *hooks, struct fg_error *err);

/*
 * fg_perfdata_read_file, with the reader's teardown (freeing its tables,
 * unmapping the file) left to a thread when later is non-NULL: *later
 * is then to be given to pd_teardown_join once the caller is done
 * with what it does meanwhile (it may be NULL: torn down already).  The
 * model is complete when this returns either way.
 */
/*
 * Open path, a recording, for reading (lib/perfdata_probe.c): never
 * blocks (a FIFO), and only a regular file that is not empty.  The
 * descriptor and its stat in *sb; else an FG_E* code (negative) with err
 * saying what is wrong:
 * "-" (standard input is not read), a directory, a FIFO or device, an
 * empty file, or the system's error.
 */
struct stat;
int pd_open_input(const char *path, struct stat *sb, struct fg_error *err);

struct fg_pd_teardown;
int pd_read_file(const char *path, const struct fg_perfdata_opts *o,
    struct fg_stacks *out, struct fg_error *err,
    struct fg_pd_teardown **later);
void pd_teardown_join(struct fg_pd_teardown *);

/*
 * Following a recording perf record is still writing (process.c's
 * struct fg_follow, docs/internals/recording.md): follow_wait() waits up
 * to ms for the recording's end, 0 while perf writes, 1 once it ended
 * with a recording to read, -1 once it was abandoned; pd_read_follow()
 * reads path as pd_read_file() does, from the records perf writes,
 * skipping the file stale (a recording that was there before; NULL:
 * none).  PD_RETRY: what could not be followed (another kind of
 * recording, a header that does not agree at the end, an error):
 * nothing was reported, read the finished file as a whole.
 */
#define PD_RETRY	(-100)
struct fg_follow;
int follow_wait(struct fg_follow *f, unsigned ms);
int pd_read_follow(const char *path, const struct fg_perfdata_opts *o,
    struct fg_stacks *out, struct fg_error *err,
    struct fg_pd_teardown **later, struct fg_follow *f,
    const struct stat *stale);

#endif /* FG_PERFDATA_H */
