/*
 * perfdata-int.h: what the files of the perf.data reader share (lib/
 * perfdata*.c; not installed, not for other modules).  The format's
 * constants and record types as perf writes them, the reader's state
 * (struct pd, one struct per part: which thread owns which field, see
 * docs/internals/ARCHITECTURE.md), and the functions one part calls in
 * another.  Everything here is the walk thread's unless its struct
 * says otherwise.
 */
#ifndef FG_PERFDATA_INT_H
#define FG_PERFDATA_INT_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <zstd.h>

#include "base.h"
#include "frame.h"
#include "perfdata.h"
#include "stacks.h"
#include "symbolize.h"
#include "unwind.h"

/* perf_event.h and perf's own record types, as the file format fixes them. */
enum {
	REC_MMAP = 1, REC_LOST = 2, REC_COMM = 3, REC_EXIT = 4,
	REC_FORK = 7, REC_SAMPLE = 9, REC_MMAP2 = 10, REC_LOST_SAMPLES = 13,
	REC_KERNEL_MAX = 21,
	REC_USER_FIRST = 64, REC_AUXTRACE = 71, REC_FINISHED_ROUND = 68,
	REC_COMPRESSED = 81, REC_COMPRESSED2 = 83, REC_USER_MAX = 83
};

enum {
	ST_IP = 1 << 0, ST_TID = 1 << 1, ST_TIME = 1 << 2, ST_ADDR = 1 << 3,
	ST_READ = 1 << 4, ST_CALLCHAIN = 1 << 5, ST_ID = 1 << 6,
	ST_CPU = 1 << 7, ST_PERIOD = 1 << 8, ST_STREAM_ID = 1 << 9,
	ST_RAW = 1 << 10, ST_BRANCH_STACK = 1 << 11, ST_REGS_USER = 1 << 12,
	ST_STACK_USER = 1 << 13, ST_IDENTIFIER = 1 << 16
};

enum {
	RF_ENABLED = 1, RF_RUNNING = 2, RF_ID = 4, RF_GROUP = 8, RF_LOST = 16
};

/* PERF_RECORD_MISC_LOST_SAMPLES_BPF: dropped by a BPF filter, not lost */
#define MISC_LOST_SAMPLES_BPF	(1u << 15)

#define CTX_HV		((uint64_t)-32)
#define CTX_KERNEL	((uint64_t)-128)
#define CTX_USER	((uint64_t)-512)
#define CTX_GUEST	((uint64_t)-2048)
#define CTX_MAX		((uint64_t)-4095)

#define MISC_CPUMODE_MASK	7
#define MISC_KERNEL		1
#define MISC_USER		2
#define MISC_MMAP_DATA		(1 << 13)
#define MISC_MMAP_BUILD_ID	(1 << 14)	/* MMAP2 with a build id */

#define ATTR_SAMPLE_ID_ALL		(1ULL << 18)
#define ATTR_EXCLUDE_CALLCHAIN_USER	(1ULL << 22)

#define HEADER_SIZE		104	/* perf_file_header */
#define PIPE_HEADER_SIZE	16	/* perf_pipe_file_header */
#define ATTR_SIZE_MIN		(16 + 64)	/* attr v0 + its id section */
#define ATTR_SIZE_MAX		4096
#define MAX_EVENTS		4096
#define MAX_INLINE		64
#define DROP_STEP	(64u << 20)	/* mapped pages given back this often */

struct attr {
	uint64_t type;
	uint64_t config;
	uint64_t sample_type;
	uint64_t read_format;
	uint64_t flags;
	uint64_t branch_type;
	uint64_t regs_user;
	uint32_t stack_user;	/* sample_stack_user: bytes copied */
	/* a sample's weight without PERIOD in sample_type: sample_period */
	uint64_t period;
	const char *name;
	const uint8_t *ids;	/* u64 array in the file */
	size_t nids;
};

/* The file header as perf_file_header lays it out (file mode). */
struct fhdr {
	uint64_t size;		/* of the header */
	uint64_t attr_size;	/* of an attribute with its id section */
	uint64_t attr_off;
	uint64_t attr_len;
	uint64_t data_off;
	uint64_t data_size;	/* 0: perf did not finish */
	uint64_t feat[4];	/* the feature bits, 256 */
};

enum { MAGIC_NONE, MAGIC_FILE, MAGIC_SWAPPED };

struct map {
	uint64_t start;
	uint64_t end;
	uint64_t pgoff;
	struct fg_dso *dso;	/* NULL: no file (anon without JIT map...) */
	const char *fname;
	int anon;
};

struct proc {
	struct proc *next;
	uint32_t pid;
	uint32_t gen;		/* bumped when the maps change */
	struct map *maps;
	size_t nmaps;
	size_t cap;
};

struct thread {
	struct thread *next;
	uint32_t tid;
	uint32_t pid;
	const char *comm;	/* NULL: ":TID" */
	struct proc *proc;
	uint32_t pname_id;
	int pname_ok;
};

/*
 * Bytes that records point into: a block of decompressed records, a
 * window of the file as read, or one sample's compact copy (ssz != 0:
 * its stack copy cut after the bytes held, the rest at file offset
 * sfoff, ssz bytes in all).  References: the one filling it, each
 * queued record, each record the reader thread passed on; freed at the
 * last.
 */
struct dbuf {
	uint8_t *d;
	size_t len;
	size_t cap;
	atomic_size_t refs;
	uint64_t sfoff;
	uint64_t ssz;
};

/*
 * A record as the reader found it: rec[0 .. len) at file offset off,
 * in db (NULL when the data is in memory), of which the item holds a
 * reference when ref is set: always for a compact copy, for a window
 * when it came from the reader thread (read in the walk, the window
 * cannot change before the record is handled).
 * rec NULL: the end of the records, end 0 (all read), 1 (stopped with
 * the warning rmsg) or an FG_E* code (rerr).
 */
struct item {
	const uint8_t *rec;
	struct dbuf *db;
	uint64_t off;
	uint32_t len;
	int ref;
	int end;
};

#define RING		1024	/* records between the reader and the walk */
#define BATCH		64

struct qent {
	uint64_t time;
	uint64_t seq;
	uint64_t off;
	const uint8_t *rec;
	struct dbuf *db;
	uint32_t len;
};

struct centry {
	const void *dso;
	uint64_t addr;
	uint32_t ids_off;
	uint16_t nids;
	uint8_t used;
	uint8_t skip;
};

#define NBUCKETS 4096
#define FRONT_BITS 12
#define FRONT_SIZE (1u << FRONT_BITS)

/* Deferring: the ids of a distinct address (once made). */
struct dent {
	uint32_t ids_off;
	uint32_t nids;
};

/*
 * A pending lookup: what the walk knew of a new address, all of the
 * symbolizing (segment, symbol, inline chain) left to the lookup.
 */
struct dpend {
	struct fg_dso *dso;
	const char *mod;	/* the mapping's file name; looked up: the
				   module name the frames get */
	uint64_t addr;		/* the file offset, or the ip (kernel, JIT) */
	uint64_t pc;
	uint32_t dent;
	uint32_t noff;		/* looked up: the function's name (or NULL)
				   and nn inline names, in its lookup's */
	uint32_t nn;
	uint8_t ret;		/* a return address */
};

/* The names one thread's lookups gave. */
struct lookup {
	const char **names;
	size_t nnames;
	size_t cap;
	int nomem;
};

/* A pending entry whose inline chain waits for its file's DWARF. */
struct dlater {
	size_t i;
	const char *func;
	uint64_t ia;
};

/*
 * The front cache: (process or kernel, ip, return address?) -> frames,
 * checked before the maps are searched; the generation of the process's
 * maps is part of the key, so a new mmap invalidates its entries.
 */
struct fent {
	const void *owner;
	uint64_t ip;
	uint32_t gen;
	uint32_t ids_off;
	uint16_t nids;
	uint8_t ret;
	uint8_t skip;
	uint8_t valid;
};

/*
 * The reader's state, one struct per part and owner.  "The walk" is the
 * thread that called pd_walk_mem()/fg_perfdata_read_*; the other threads
 * are started and joined by it, and each struct says which thread may
 * touch its fields when.
 */

/*
 * Reading the records (perfdata-input.c).  Owned by whoever runs
 * next_rec(): the walk until it starts the reader thread at the first
 * big sample (pd_reader_start), then the reader thread alone until
 * pd_reader_stop() joins it.  fd is set before the walk and read-only
 * (pd_stack_fetch reads through it on the walk); rerr and rmsg go to
 * the walk with the reader's last item; pinned is shared (atomic).
 */
#define FOLLOW_MS	5	/* a followed file is looked at again */

struct pd_input {
	int fd;			/* >= 0: records are read from it */
	struct dbuf *win;	/* the file at woff, as last read */
	uint64_t woff;
	uint64_t dend;		/* the end of the data section */
	uint64_t roff;		/* the next record to read */
	uint64_t ra_end;	/* read ahead asked for up to here */
	int sparse;		/* records left in "big samples" mode */
	int usemap;		/* records read through the mapping (buf) */
	uint64_t dropped;	/* mapped pages before this given back (walk,
				   only while there is no reader thread) */
	struct fg_error rerr;	/* the reader's error */
	char rmsg[128];		/* the reader's last warning */
	atomic_size_t pinned;	/* bytes of blocks no longer being filled */
	/*
	 * Following a recording being written (pd_read_follow, every
	 * FOLLOW_MS while perf writes and the reader is at the end): dend is
	 * the file's size when last looked at until perf has ended, then
	 * the end of the data its final header states.
	 */
	struct fg_follow *fl;	/* NULL: not following (any more) */
	uint64_t fl_doff;	/* the data offset the first header gave;
				   0: the walk did not follow */
	struct fhdr fl_hdr;	/* the final header, once perf ended */
	void *fl_map;		/* the finished file, mapped for its features
				   (pd_follow_header) */
	size_t fl_maplen;
};

/*
 * The hand-over from the reader thread to the walk: a ring of records
 * with their references, under mu (perfdata-input.c).  threaded and
 * nothread are the walk's, set before the thread starts.
 */
struct pd_ring {
	int threaded;
	int nothread;		/* no (more) reader thread */
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t rcv;	/* for the walk: items came */
	pthread_cond_t wcv;	/* for the reader: room came, or stop */
	struct item ring[RING];
	size_t head, count;
	int stop, rwait, wwait;
};

/*
 * Helper threads the walk starts and joins, each given what it needs
 * and nothing else of pd: the populating thread reads the mapping
 * [pop_from, pop_to) (perfdata-input.c); the freeing thread owns the
 * symbolizer and unwinder handed to it (perfdata.c).
 */
struct pd_helpers {
	pthread_t sym_th;
	int sym_freeing;
	pthread_t pop_th;
	int populating;
	size_t pop_from, pop_to;
};

/*
 * The events (perfdata-header.c): written by pd_read_header() before
 * any other thread starts, read-only after (the reader thread reads
 * them too).
 */
struct pd_events {
	struct attr *attrs;
	size_t nattrs;
	int ordered;
};

/* Processes and threads (perfdata-maps.c).  The walk's. */
struct pd_maps {
	struct proc *procs[NBUCKETS];
	struct thread *threads[NBUCKETS];
};

/*
 * Frames: the (file, address) cache, its pool of ids, the front cache,
 * the stack being built (perfdata-frames.c).  The walk's.
 */
struct pd_frames {
	struct centry *cache;
	size_t ccap;
	size_t cused;
	uint32_t *pool;
	size_t npool;
	size_t cappool;

	uint32_t *ids;
	size_t nids;
	size_t capids;
	struct centry *fr;
	size_t nfr;
	size_t capfr;
	struct fent *front;
	struct fg_buf work;
	struct frame_bufs fb;	/* frame names (pd_intern_push) */
};

/* The chain cache and what is summed in it (perfdata-chains.c).  The walk's. */
struct pd_chains {
	size_t nch;
	uint64_t *chtab;
	size_t chmask;
	uint64_t *ckeys;
	size_t nckeys;
	int sum;		/* sum weights per chain entry (the model) */
	uint64_t pend_total;	/* summed and not yet delivered */
	size_t *dirty;		/* entries with weight not delivered */
	size_t ndirty;
	size_t capdirty;
	uint32_t *cids;
	size_t ncids;
	size_t *fresh;		/* chain entries not yet in the model */
	size_t nfresh;
	size_t capfresh;
	uint32_t *xids;		/* an expanded chain */
	size_t capxids;
};

/*
 * Lookups deferred past the walk (perfdata-defer.c), the walk's side:
 * a cache entry's ids_off is then a dent, and a chain entry's ids are
 * the process name's id and its frames' dents, expanded once they are
 * resolved.  The walk writes pending entries; those below lw.pub are
 * handed to the lookup worker (it fills their noff and nn) until
 * pd_lw_join().  Walk warnings held while deferring (wwalk) are tagged
 * with npend.
 */
struct pd_defer {
	int on;
	struct dent *dents;
	size_t ndents;
	size_t capdents;
	struct dpend **pend;	/* PEND_CHUNKS chunks */
	size_t npend;
	/* fg_perfdata_opts.defer_end (tests): ends at the nth new chain */
	uint64_t end_at;
	uint64_t nnew;
	int whold;		/* warnings held (set before the worker runs) */
	struct fg_warn wwarn;	/* the walk's warnings */
	struct fg_buf wwalk;
};

/*
 * The lookup worker (perfdata-defer.c): running, th, mu and cv are the
 * walk's; stop is set by the walk under mu; pub (the pending entries
 * published to the worker) and wait (it sleeps) are atomic; done, out,
 * later, wcur and wsym are the worker's while it runs, the walk's once
 * pd_lw_join() has joined it.  swarn is the symbolizer's warning
 * callback (pd_sym_warn), which runs on whichever thread does the
 * lookups.
 */
struct pd_lookups {
	int running;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	atomic_size_t pub;	/* pending entries it may take */
	atomic_int wait;	/* it sleeps (or is about to) */
	int stop;		/* under mu */
	size_t done;		/* how many it did, once joined */
	struct lookup out;	/* its names */
	struct dlater *later;	/* its entries waiting for DWARF */
	size_t nlater;
	size_t caplater;
	/*
	 * The symbolizer's warnings met by the lookup of pending entry
	 * wcur, held; each an 8-byte tag and the message with its NUL.
	 */
	size_t wcur;
	struct fg_buf wsym;
	struct fg_warn swarn;
};

/*
 * The sample being handled (perfdata-sample.c): the selected event,
 * aligned copies of its arrays, the unwinder and the stack copy
 * fetched for it.  The walk's.
 */
struct pd_samples {
	size_t attr_sel;	/* the selected event; SIZE_MAX: not yet */
	int filter_warned;
	uint64_t *align;	/* aligned copies of a sample's arrays */
	size_t nalign;

	struct fg_unwinder *uw;
	struct thread *uw_thread;
	uint64_t uips[512];

	const struct dbuf *lz;	/* the sample being dispatched, if compact */
	uint8_t *stk;		/* its stack, fetched */
	size_t stkcap;
	size_t stkheld;
	int stkwarned;
};

/* perf's time order and zstd (perfdata-order.c).  The walk's. */
struct pd_order {
	struct qent *q;
	size_t nq;
	size_t capq;
	struct qent *qt;	/* qsort_runs' second array */
	size_t capqt;
	uint64_t seq;
	uint64_t max_ts;
	uint64_t next_flush;

	ZSTD_DStream *zs;
	uint8_t *left;
	size_t nleft;
};

/* Counts (perfdata.c).  The walk's. */
struct pd_stats {
	uint64_t nrecs;
	uint64_t last_progress;	/* ms, CLOCK_MONOTONIC */
	uint64_t nwarn;
	uint64_t lost;		/* LOST records' counts (perf: total_lost) */
	uint64_t nlost;		/* LOST records (perf: "chunks") */
	uint64_t lost_samples;	/* LOST_SAMPLES' (total_lost_samples) */
	uint64_t nunknown;
};

/*
 * The reader.  buf, len, name and the caller's o, st and h are set
 * before the walk and read-only after.  The symbolizer is used by one
 * thread at a time: the walk, or while deferring the lookup worker
 * (the walk only makes its objects, sym_dso, and reads their kind).
 * The arena is the walk's.
 */
struct pd {
	const uint8_t *buf;
	size_t len;
	const char *name;
	const struct fg_perfdata_opts *o;
	struct fg_stacks *st;
	const struct fg_pd_hooks *h;
	struct fg_error *err;
	struct fg_symbolizer *sym;
	struct fg_arena arena;

	struct pd_input in;
	struct pd_ring rt;
	struct pd_helpers hp;
	struct pd_events ev;
	struct pd_maps mp;
	struct pd_frames fc;
	struct pd_chains ch;
	struct pd_defer df;
	struct pd_lookups lw;
	struct pd_samples sm;
	struct pd_order od;
	struct pd_stats stat;
};

static inline uint64_t
rd64(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

static inline uint32_t
rd32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, 4);
	return v;
}

static inline uint16_t
rd16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, 2);
	return v;
}

static inline size_t
pd_id_trailer_size(uint64_t st)
{
	return 8 * (!!(st & ST_TID) + !!(st & ST_TIME) + !!(st & ST_ID) +
	    !!(st & ST_STREAM_ID) + !!(st & ST_CPU) + !!(st & ST_IDENTIFIER));
}

/* The time of a record for ordering; 0 when it has none. */
static inline int
pd_rec_time(struct pd *pd, const uint8_t *rec, size_t len, uint32_t type,
    uint64_t *t)
{
	uint64_t st = pd->ev.attrs[0].sample_type;
	size_t pos;

	if (!(st & ST_TIME))
		return 0;
	if (type == REC_SAMPLE) {
		pos = 8 + 8 * (!!(st & ST_IDENTIFIER) + !!(st & ST_IP) +
		    !!(st & ST_TID));
	} else if (type <= REC_KERNEL_MAX) {
		size_t ts = pd_id_trailer_size(st);
		if (!(pd->ev.attrs[0].flags & ATTR_SAMPLE_ID_ALL) || ts + 8 > len)
			return 0;
		pos = len - ts + 8 * !!(st & ST_TID);
	} else
		return 0;
	if (pos + 8 > len)
		return 0;
	*t = rd64(rec + pos);
	return 1;
}

/*
 * Each part's function to free what it holds (pd_free calls them; the
 * lookup worker is joined by pd_defer_free first).
 */
void pd_input_free(struct pd *pd);
void pd_order_free(struct pd *pd);
void pd_maps_free(struct pd *pd);
void pd_frames_free(struct pd *pd);
void pd_defer_free(struct pd *pd);
void pd_chains_free(struct pd *pd);
void pd_samples_free(struct pd *pd);

/*
 * perfdata.c.  pd_warn_pass() sends msg to the caller's warning
 * callback now; pd_warn_rec() counts a skipped record at off and warns
 * of the first WARN_SHOWN (held with the walk's, see pd_walk_warn).
 * pd_handle() takes a record as read (at off; in db, held by the caller
 * for the call): FINISHED_ROUND flushes, COMPRESSED is inflated (nested:
 * found inside one, skipped), the kernel's records are queued in time
 * order.  pd_dispatch() handles a record in its turn by type.  0, or an
 * FG_E* code with pd->err set.
 */
void pd_warn_pass(struct pd *pd, const char *msg);
void pd_warn_rec(struct pd *pd, uint64_t off, const char *fmt, ...)
    FG_PRINTF(3, 4);
int pd_handle(struct pd *pd, const uint8_t *rec, size_t len, uint64_t off,
    struct dbuf *db, int nested);
int pd_dispatch(struct pd *pd, const uint8_t *rec, size_t len, uint64_t off,
    const struct dbuf *db);

/*
 * perfdata-header.c.  The format's readers, shared with the probe:
 * pd_magic() of 8 bytes (MAGIC_FILE: "PERFILE2", MAGIC_SWAPPED: the
 * other byte order); pd_fhdr_decode() of HEADER_SIZE bytes;
 * pd_attrs_count(), the number of attributes of attr_size bytes in
 * attr_len, or FG_EPARSE naming the header field; pd_attr_decode() of
 * an attribute's first alen bytes (fields past them are 0; name and
 * ids are left to the caller).  pd_read_header() reads the header, the
 * attributes and the features into pd, and gives the data section
 * (following a recording: the start of one, see pd_read_follow());
 * pd_follow_header() checks a followed recording's final header.
 * pd_attr_name() is an event's name (made up from its type and config
 * when the recording has none; never NULL); pd_rec_attr() the event of
 * a record (NULL: no id of any), pd_rec_time() its time (0: none, else
 * 1 and *t; below, inline: it is asked of every record),
 * pd_id_trailer_size() the size of the sample_id fields sample_type st
 * appends to the kernel's other records.
 */
int pd_magic(const uint8_t *b);
void pd_fhdr_decode(const uint8_t *b, struct fhdr *h);
int pd_attrs_count(const char *name, uint64_t asz, uint64_t alen, size_t *n,
    struct fg_error *err);
void pd_attr_decode(const uint8_t *a, size_t alen, struct attr *t);
int pd_read_header(struct pd *pd, uint64_t *doff, uint64_t *dsize);
int pd_follow_header(struct pd *pd);
const char *pd_attr_name(struct pd *pd, struct attr *a);
struct attr *pd_rec_attr(struct pd *pd, const uint8_t *rec, size_t len,
    uint32_t type);

/*
 * perfdata-input.c.  Blocks records point into: pd_db_new() gives one
 * of cap bytes with its filler's reference (NULL: no memory),
 * pd_db_ref() takes one more, pd_db_release() drops one (freed at the
 * last), pd_db_close() is the filler's release (the block then counts
 * as pinned by queued records).  Any thread.  pd_take() gives up to max
 * records (at least one; the last has rec NULL), from the reader thread
 * when it runs, else read here.  pd_reader_start() starts that thread
 * (once; on failure reading goes on in the walk), pd_reader_stop()
 * stops and joins it and drops what it passed on.  pd_populate_start()
 * and _join() fault a dense mapped file in ahead of the walk.
 * pd_drop_behind() gives back the mapping's pages behind the walk and
 * the queue (no reader thread).  pd_stack_fetch() is the unwinder's
 * fetch callback (fg_unwind_fetch_fn) for a sample read in parts.
 */
struct dbuf *pd_db_new(size_t cap);
void pd_db_ref(struct dbuf *db);
void pd_db_release(struct pd *pd, struct dbuf *db);
void pd_db_close(struct pd *pd, struct dbuf *db);
size_t pd_take(struct pd *pd, struct item *b, size_t max);
void pd_reader_start(struct pd *pd);
void pd_reader_stop(struct pd *pd);
void pd_populate_start(struct pd *pd, uint64_t doff, uint64_t dsize);
void pd_populate_join(struct pd *pd);
void pd_drop_behind(struct pd *pd, uint64_t off);
int pd_stack_fetch(void *arg, size_t need, const unsigned char **stack,
    size_t *held);

/*
 * perfdata-order.c.  pd_queue() queues a record (a reference on db) in
 * time order, or dispatches it at once (no time, or a file not in time
 * order);
 * pd_flush() dispatches the queued records with a time up to limit
 * (UINT64_MAX: all).  pd_on_compressed() inflates a COMPRESSED record
 * and handles the records in it.  0, or an FG_E* code with pd->err set.
 */
int pd_queue(struct pd *pd, const uint8_t *rec, size_t len, uint64_t off,
    struct dbuf *db);
int pd_flush(struct pd *pd, uint64_t limit);
int pd_on_compressed(struct pd *pd, const uint8_t *rec, size_t len,
    uint64_t off);

/*
 * perfdata-maps.c.  pd_on_mmap() (v2: MMAP2), pd_on_comm(), pd_on_fork()
 * handle their records: 0, or FG_ENOMEM with pd->err set; a malformed
 * record is skipped with a warning.  pd_thread_get() finds or makes a
 * thread (NULL: no memory); pd_map_find() the map of p holding ip, or
 * NULL.
 */
/*
 * Before the walk: the build ids of the MMAP2 records at the start of
 * the data section (perf record --buildid-mmap writes no build-id
 * table), given to the symbolizer as the header's table would be, so
 * that the prefetch helpers know the files to load ahead.  The scan
 * ends BUILDID_SCAN bytes in, or once BUILDID_QUIET samples came
 * without a map record between them (a program's own maps are made
 * before its first samples, by the dynamic loader; what it maps later
 * only misses the prefetch: the walk gives every MMAP2 record's build
 * id to the symbolizer too, before any sample can use that file,
 * pd_on_mmap).  0 or FG_ENOMEM.
 */
#define BUILDID_SCAN	((uint64_t)2 << 20)
#define BUILDID_QUIET	2048
int pd_scan_buildids(struct pd *pd, uint64_t doff, uint64_t dsize);
int pd_on_mmap(struct pd *pd, const uint8_t *rec, size_t len, uint64_t off,
    int v2);
int pd_on_comm(struct pd *pd, const uint8_t *rec, size_t len, uint64_t off);
int pd_on_fork(struct pd *pd, const uint8_t *rec, size_t len, uint64_t off);
struct thread *pd_thread_get(struct pd *pd, uint32_t pid, uint32_t tid);
struct map *pd_map_find(struct proc *p, uint64_t ip);

/*
 * perfdata-frames.c.  pd_build_stack() pushes a sample's frame ids
 * (onto fc.ids, after what is there: the process name's) root first;
 * uips non-NULL: the user part is the unwinder's nu addresses.
 * pd_push_id() appends to fc.ids, pd_pool_push() to the cache's pool,
 * pd_intern_push() the frames of a function in a module at pc to the
 * pool (frame.h's naming).  pd_cache_slot() is the (file, address)
 * cache's entry for (dso, addr), used or free (NULL: no memory).  The
 * int functions give 0 or FG_ENOMEM.
 */
int pd_build_stack(struct pd *pd, struct thread *t,
    const struct fg_pd_sample *s, const uint64_t *uips, size_t nu);
int pd_push_id(struct pd *pd, uint32_t id);
int pd_pool_push(struct pd *pd, uint32_t id);
int pd_intern_push(struct pd *pd, const char *func, const char *mod,
    uint64_t pc);
struct centry *pd_cache_slot(struct pd *pd, const void *dso, uint64_t addr);
/* Keeping a sample log: the pool's frames [off, off + n) of one address
 * marked as inline pairs (stacks_mark_inline), for the pprof writer. */
int pd_mark_inline(struct pd *pd, size_t off, size_t n);

/*
 * perfdata-defer.c.  pd_resolve_later() is resolve() deferring: the
 * cache entry of a new address in dso (a dent, with a pending lookup
 * the worker takes); NULL: no memory.  pd_dent_add() makes a new cache
 * entry a dent, with a pending lookup when pend is not NULL (0 or
 * FG_ENOMEM).  pd_expand_ids() turns a chain of dents into ids in
 * ch.xids (*nout of them).  pd_finish_defer() ends deferring: the
 * worker joined, the frames made, held warnings sent, the new chains to
 * the model (0 or an FG_E* code with pd->err set).  pd_sym_warn() and
 * pd_walk_warn() are the symbolizer's and the walk's warning callbacks
 * (held while deferring), pd_warn_flush() sends what is held in order;
 * pd_lw_join() stops and joins the lookup worker.
 */
struct centry *pd_resolve_later(struct pd *pd, struct fg_dso *dso,
    const char *fname, uint64_t addr, uint64_t pc, int ret);
int pd_dent_add(struct pd *pd, struct centry *e, const struct dpend *pend);
int pd_expand_ids(struct pd *pd, const uint32_t *in, size_t n, size_t *nout);
int pd_finish_defer(struct pd *pd);
void pd_sym_warn(void *arg, const char *msg);
void pd_walk_warn(void *arg, const char *msg);
void pd_warn_flush(struct pd *pd);
void pd_lw_join(struct pd *pd);

/*
 * perfdata-chains.c.  pd_chain_sample() gives a parsed sample (at off,
 * of thread t; uips: the unwound user chain) its frame ids through the
 * chain cache and hands it to the caller's hook; reading into a model,
 * a known chain only adds its period to the entry, and deferring, a new
 * one waits for the walk's end when it can.  pd_deliver() sends the
 * entries' weights to the hook, pd_send_entry() the weight of the entry
 * at e with ids[0 .. n) (NULL: its stack is in the model).  0 or an
 * FG_E* code (pd->err set).
 */
int pd_chain_sample(struct pd *pd, struct thread *t, struct fg_pd_sample *s,
    const uint64_t *uips, size_t nu, uint64_t off);
int pd_deliver(struct pd *pd);
int pd_send_entry(struct pd *pd, size_t e, const uint32_t *ids, size_t n);

/*
 * perfdata-sample.c.  pd_on_sample() handles a SAMPLE record: 0 (also
 * when it is skipped with a warning), or an FG_E* code with pd->err
 * set.  pd_stack_field() finds where a sample of event a keeps its
 * stack copy's size (*pos), when the fields before it lie in rec[0 ..
 * len): 0, else -1.
 */
int pd_on_sample(struct pd *pd, const uint8_t *rec, size_t len, uint64_t off);
int pd_stack_field(const struct attr *a, const uint8_t *rec, size_t len,
    size_t *pos);

#endif /* FG_PERFDATA_INT_H */
