/*
 * perfdata.c: the native perf.data reader.  It maps the file, checks the
 * header, the event attributes and the feature sections it uses (event
 * names), then walks the data section record by record, read with pread
 * (a big sample's stack copy only as deep as the unwinder goes; on a
 * second thread once there are such samples): MMAP/MMAP2,
 * COMM, FORK, EXIT keep per-process maps and per-thread names; SAMPLE
 * records become stacks; zstd COMPRESSED records are inflated in order;
 * FINISHED_ROUND drives perf's two-round time ordering so maps and names
 * are current when a sample is resolved.  Every read is checked against
 * the bounds of its record: a malformed record is skipped with a counted
 * warning naming its offset, or, when the walk cannot go on (a record
 * shorter than its header), the call fails with that offset.  Frame
 * names are resolved once per distinct (file, address) and cached as
 * interned ids, so the cost grows with distinct addresses, not samples.
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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
#define MISC_COMM_EXEC		(1 << 13)

#define ATTR_SAMPLE_ID_ALL		(1ULL << 18)
#define ATTR_EXCLUDE_CALLCHAIN_USER	(1ULL << 22)

#define FEAT_BUILD_ID		2
#define FEAT_EVENT_DESC		12
#define HEADER_SIZE		104
#define MAX_INLINE		64
#define MAX_DECOMP		(256u << 20)
#define WARN_SHOWN		5
#define WIN_RA		(64u << 10)	/* a read where records are dense */
#define HEAD_RA		(2u << 10)	/* a read of a big sample's head */
#define FETCH_RA	(4u << 10)	/* more of a stack than asked for */
#define HEAD_MIN	(1u << 9)	/* ... of which at least this */
#define BIG_SAMPLE	(8u << 10)	/* a sample read in parts */
#define PIN_MAX		(64u << 20)	/* bytes queued records may hold */
#define DROP_STEP	(64u << 20)	/* mapped pages given back this often */
#define RA_COLD		(32u << 20)	/* read ahead of a read that would wait */
#define PROGRESS_MS		100	/* at most 10 progress calls a second */

struct attr {
	uint64_t type;
	uint64_t config;
	uint64_t sample_type;
	uint64_t read_format;
	uint64_t flags;
	uint64_t branch_type;
	uint64_t regs_user;
	const char *name;
	const uint8_t *ids;	/* u64 array in the file */
	size_t nids;
};

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
/* the front cache's slot of (owner, ip, ret) */
#define FRONT_SLOT(owner, ip, ret) \
	(((((ip) ^ (uint64_t)(uintptr_t)(owner)) * 0x9e3779b97f4a7c15ULL) ^ \
	    (uint64_t)(ret)) >> (64 - FRONT_BITS))

/*
 * The front cache: (process or kernel, ip, return address?) -> frames,
 * checked before the maps are searched; the generation of the process's
 * maps is part of the key, so a new mmap invalidates its entries.
 */
/* Deferring: the ids of a distinct address, and its pending lookup. */
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

/* Pending lookups are kept in chunks that never move (see lw_main). */
#define PEND_SHIFT	12
#define PEND_CHUNK	(1u << PEND_SHIFT)
#define PEND_CHUNKS	16384u	/* 64M addresses */
#define PEND(pd, i)	(&(pd)->df.pend[(i) >> PEND_SHIFT][(i) & (PEND_CHUNK - 1)])
#define PEND_BATCH	64	/* a sleeping worker is woken this often */

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
 * The chain cache: (process name, process, maps generation, cpumode,
 * raw callchain, unwound user chain) -> the sample's frame ids, so a
 * chain seen before costs one hash and one compare, not a probe per
 * frame.  An entry is three words in ckeys (the offset of its ids in
 * cids, not kept when summing; their count << 32 | the entry's number;
 * the weight summed for it and not yet delivered) and then its key (the callchain in it, or
 * with CH_REF a pointer to the callchain in the recording); the table's
 * slots hold (hash >> 32) << 32 | (entry offset + 1), so a probe reads
 * the entry only when 32 bits of the hash match.  Entries are numbered
 * densely in order of first use: the number is the sample's stack_key.
 */
#define CHAIN_MAX_WORDS	(8u << 20)	/* 64 MB of keys: then no more */
#define CH_META		3	/* words before an entry's key */
#define CH_REF		(1ULL << 31)	/* in hd[3]: the chain is pointed at */
#define CHAIN_MAX_IDS	(16u << 20)	/* 64 MB of ids */

/*
 * The reader's state, one struct per part and owner.  "The walk" is the
 * thread that called fg_pd_walk()/fg_perfdata_read_*; the other threads
 * are started and joined by it, and each struct says which thread may
 * touch its fields when.
 */

/*
 * Reading the records (perfdata-input.c).  Owned by whoever runs
 * next_rec(): the walk until it starts the reader thread at the first
 * big sample (pd_reader_start), then the reader thread alone until
 * pd_reader_stop() joins it.  pinned is shared (atomic).
 */
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
	/* FG_DEFER_END=n (tests): deferring ends at the nth new chain */
	uint64_t end_at;
	uint64_t nnew;
	int whold;		/* warnings held (set before the worker runs) */
	struct fg_warn wwarn;	/* the walk's warnings */
	struct fg_buf wwalk;
};

/*
 * The lookup worker (perfdata-defer.c): running, th, mu, cv, stop and
 * done are the walk's (stop under mu; pub and wait atomic); out, later,
 * wcur and wsym are the worker's while it runs, the walk's once joined.
 * swarn is the symbolizer's warning callback (sym_warn), which runs on
 * whichever thread does the lookups.
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
 * (the walk only makes its objects, fg_sym_dso, and reads their kind).
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

/* ---- bounds-checked little-endian reads ------------------------------ */

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

/* ---- warnings ------------------------------------------------------- */

static void
warn_pass(struct pd *pd, const char *msg)
{
	if (pd->o->warn.fn != NULL)
		pd->o->warn.fn(pd->o->warn.arg, msg);
}

/* msg held back under tag in b (lost when out of memory). */
static void
warn_hold(struct fg_buf *b, size_t tag, const char *msg)
{
	uint64_t t = tag;
	size_t n = strlen(msg) + 1;

	if (fg_buf_reserve(b, 8 + n) == 0) {
		(void)fg_buf_append(b, &t, 8);
		(void)fg_buf_append(b, msg, n);
	}
}

/*
 * The symbolizer's warnings.  Deferring, the thread doing the lookups
 * meets them (the worker during the walk): held, tagged with the
 * pending entry being looked up.
 */
static void
sym_warn(void *arg, const char *msg)
{
	struct pd *pd = arg;

	if (pd->df.whold)
		warn_hold(&pd->lw.wsym, pd->lw.wcur, msg);
	else
		warn_pass(pd, msg);
}

/*
 * The walk's warnings: held while a lookup is pending (its warnings,
 * not yet met, would have come first), tagged with the entries made.
 */
static void
walk_warn(void *arg, const char *msg)
{
	struct pd *pd = arg;

	if (pd->df.whold && pd->df.npend > 0)
		warn_hold(&pd->df.wwalk, pd->df.npend, msg);
	else
		warn_pass(pd, msg);
}

/*
 * Deferring ends, every pending entry looked up: the held warnings, in
 * the order they would have come without deferring (the walk's made
 * with k entries after the warnings of entries 0 .. k - 1).
 */
static void
warn_flush(struct pd *pd)
{
	struct fg_buf *ws = &pd->lw.wsym, *ww = &pd->df.wwalk;
	size_t i = 0, j = 0;

	pd->df.whold = 0;
	while (i < ws->len || j < ww->len) {
		uint64_t ts = 0, tw = 0;
		const char *m;

		if (i < ws->len)
			memcpy(&ts, ws->d + i, 8);
		if (j < ww->len)
			memcpy(&tw, ww->d + j, 8);
		if (j < ww->len && (i == ws->len || tw <= ts)) {
			m = ww->d + j + 8;
			j += 8 + strlen(m) + 1;
		} else {
			m = ws->d + i + 8;
			i += 8 + strlen(m) + 1;
		}
		warn_pass(pd, m);
	}
	fg_buf_free(ws);
	fg_buf_free(ww);
}

static void
warn_rec(struct pd *pd, uint64_t off, const char *fmt, ...) FG_PRINTF(3, 4);

static void
warn_rec(struct pd *pd, uint64_t off, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	pd->stat.nwarn++;
	if (pd->stat.nwarn > WARN_SHOWN)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fg_warnf(&pd->df.wwarn, "%s: record at 0x%llx: %s (skipped)", pd->name,
	    (unsigned long long)off, msg);
}

void
fg_perfdata_opts_init(struct fg_perfdata_opts *o)
{
	memset(o, 0, sizeof(*o));
}

/* ---- header, attributes, features ------------------------------------ */

static int
sect(struct pd *pd, size_t at, uint64_t *off, uint64_t *size)
{
	*off = rd64(pd->buf + at);
	*size = rd64(pd->buf + at + 8);
	if (*off > pd->len || *size > pd->len - *off)
		return -1;
	return 0;
}

static uint64_t
attr_u64(const uint8_t *a, size_t alen, size_t at)
{
	return at + 8 <= alen ? rd64(a + at) : 0;
}

static int
read_attrs(struct pd *pd, uint64_t asz, uint64_t aoff, uint64_t alen)
{
	size_t i, n;

	if (asz < 16 + 64 || asz > 4096)
		return fg_seterr(pd->err, FG_EPARSE, "%s: header at 0x10: "
		    "attribute size %llu out of range", pd->name,
		    (unsigned long long)asz);
	n = alen / asz;
	if (n == 0 || n > 4096)
		return fg_seterr(pd->err, FG_EPARSE, "%s: header at 0x18: %zu "
		    "event attributes", pd->name, n);
	if ((pd->ev.attrs = calloc(n, sizeof(*pd->ev.attrs))) == NULL)
		return fg_seterr(pd->err, FG_ENOMEM, "%s: out of memory",
		    pd->name);
	pd->ev.nattrs = n;
	for (i = 0; i < n; i++) {
		const uint8_t *a = pd->buf + aoff + i * asz;
		size_t al = asz - 16;
		struct attr *t = &pd->ev.attrs[i];
		uint64_t ioff, isz;

		t->type = rd32(a);
		t->config = attr_u64(a, al, 8);
		t->sample_type = attr_u64(a, al, 24);
		t->read_format = attr_u64(a, al, 32);
		t->flags = attr_u64(a, al, 40);
		t->branch_type = attr_u64(a, al, 72);
		t->regs_user = attr_u64(a, al, 80);
		if (sect(pd, (size_t)(a + al - pd->buf), &ioff, &isz) != 0)
			return fg_seterr(pd->err, FG_EPARSE, "%s: attribute %zu "
			    "at 0x%llx: id section out of the file", pd->name,
			    i, (unsigned long long)(aoff + i * asz));
		t->ids = pd->buf + ioff;
		t->nids = isz / 8;
	}
	return 0;
}

/* perf's string: u32 length, then that many bytes, NUL-padded. */
static const char *
feat_string(struct pd *pd, const uint8_t **p, const uint8_t *end)
{
	uint32_t l;
	const char *s;

	if (end - *p < 4)
		return NULL;
	l = rd32(*p);
	*p += 4;
	if ((size_t)(end - *p) < l)
		return NULL;
	s = fg_arena_strndup(&pd->arena, (const char *)*p, strnlen((const char *)*p, l));
	*p += l;
	return s;
}

static void
read_event_desc(struct pd *pd, uint64_t off, uint64_t size)
{
	const uint8_t *p = pd->buf + off, *end = p + size;
	uint32_t nre, sz, i;

	if (size < 8)
		return;
	nre = rd32(p);
	sz = rd32(p + 4);
	p += 8;
	for (i = 0; i < nre; i++) {
		uint32_t nr;
		const char *name;

		if ((size_t)(end - p) < (size_t)sz + 4)
			return;
		p += sz;
		nr = rd32(p);
		p += 4;
		if ((name = feat_string(pd, &p, end)) == NULL)
			return;
		if ((size_t)(end - p) / 8 < nr)
			return;
		p += (size_t)nr * 8;
		if (i < pd->ev.nattrs)
			pd->ev.attrs[i].name = name;
	}
}

/* Build ids of the files the samples hit, as perf record stored them. */
static int
read_build_ids(struct pd *pd, uint64_t off, uint64_t size)
{
	const uint8_t *p = pd->buf + off, *end = p + size;

	while (end - p >= 36) {
		uint16_t misc = rd16(p + 4), hs = rd16(p + 6);
		size_t blen = 20;
		char *fn;

		if (hs < 36 || hs > end - p)
			break;
		if (misc & (1 << 15))
			blen = p[32] <= 20 ? p[32] : 20;
		fn = fg_arena_strndup(&pd->arena, (const char *)p + 36,
		    strnlen((const char *)p + 36, hs - 36u));
		if (fn == NULL || fg_sym_add_buildid(pd->sym, fn, p + 12,
		    blen) != 0)
			return fg_seterr(pd->err, FG_ENOMEM, "%s: out of "
			    "memory", pd->name);
		p += hs;
	}
	return 0;
}

static int
read_header(struct pd *pd, uint64_t *doff, uint64_t *dsize)
{
	uint64_t hsz, asz, aoff, alen, foff;
	size_t bit, k = 0;
	int r;

	if (pd->len < 16 || memcmp(pd->buf, "PERFILE2", 8) != 0) {
		if (pd->len >= 8 && memcmp(pd->buf, "2ELIFREP", 8) == 0)
			return fg_seterr(pd->err, FG_EUNSUPPORTED, "%s: "
			    "big-endian recording not supported", pd->name);
		return fg_seterr(pd->err, FG_EPARSE, "%s: not a perf.data "
		    "file (no PERFILE2 magic at 0x0)", pd->name);
	}
	hsz = rd64(pd->buf + 8);
	if (hsz == 16)
		return fg_seterr(pd->err, FG_EUNSUPPORTED, "%s: pipe-mode "
		    "recording not supported (record to a file)", pd->name);
	if (hsz < HEADER_SIZE || pd->len < HEADER_SIZE)
		return fg_seterr(pd->err, FG_EPARSE, "%s: header at 0x0: size "
		    "%llu, file %zu bytes: truncated header", pd->name,
		    (unsigned long long)hsz, pd->len);
	asz = rd64(pd->buf + 16);
	if (sect(pd, 24, &aoff, &alen) != 0)
		return fg_seterr(pd->err, FG_EPARSE, "%s: header at 0x18: "
		    "attribute section runs past the end of the file", pd->name);
	if ((r = read_attrs(pd, asz, aoff, alen)) != 0)
		return r;
	*doff = rd64(pd->buf + 40);
	*dsize = rd64(pd->buf + 48);
	if (*doff > pd->len)
		return fg_seterr(pd->err, FG_EPARSE, "%s: header at 0x28: data "
		    "offset 0x%llx past the end of the file", pd->name,
		    (unsigned long long)*doff);
	if (*dsize == 0 || *dsize > pd->len - *doff) {
		/*
		 * perf writes the data size and the feature sections when it
		 * finishes: a perf killed before (SIGKILL, a crash, the disk
		 * full) leaves 0 there.  What was written is still read.
		 */
		if (*dsize != 0)
			fg_warnf(&pd->o->warn, "%s: data section at 0x%llx "
			    "runs past the end of the file: file truncated?",
			    pd->name, (unsigned long long)*doff);
		else
			fg_warnf(&pd->o->warn, "%s: the recording was not "
			    "finished (perf was killed?): its header at 0x30 "
			    "gives no data size and it has no feature "
			    "sections; reading the %llu bytes from 0x%llx on",
			    pd->name, (unsigned long long)(pd->len - *doff),
			    (unsigned long long)*doff);
		*dsize = pd->len - *doff;
		return 0;	/* no feature sections to trust */
	}
	/* feature sections: one perf_file_section per set bit, in order */
	foff = *doff + *dsize;
	for (bit = 0; bit < 256; bit++) {
		uint64_t so, ss;

		if (!(rd64(pd->buf + 72 + (bit / 64) * 8) >> (bit % 64) & 1))
			continue;
		if (foff + 16 * (k + 1) > pd->len) {
			fg_warnf(&pd->o->warn, "%s: the recording was not "
			    "finished (perf was killed?): its feature section "
			    "table at 0x%llx is cut short (feature %zu and "
			    "later missing)", pd->name,
			    (unsigned long long)foff, bit);
			break;
		}
		if (sect(pd, foff + 16 * k, &so, &ss) == 0) {
			if (bit == FEAT_EVENT_DESC)
				read_event_desc(pd, so, ss);
			else if (bit == FEAT_BUILD_ID &&
			    (r = read_build_ids(pd, so, ss)) != 0)
				return r;
		}
		k++;
	}
	return 0;
}

static const char *
attr_name(struct pd *pd, struct attr *a)
{
	char tmp[64];

	if (a->name == NULL) {
		snprintf(tmp, sizeof(tmp), "event-%llu-%llu",
		    (unsigned long long)a->type, (unsigned long long)a->config);
		a->name = fg_arena_strndup(&pd->arena, tmp, strlen(tmp));
		if (a->name == NULL)
			a->name = "event";
	}
	return a->name;
}

static struct attr *
attr_by_id(struct pd *pd, uint64_t id)
{
	size_t i, k;

	if (pd->ev.nattrs == 1)
		return &pd->ev.attrs[0];
	for (i = 0; i < pd->ev.nattrs; i++)
		for (k = 0; k < pd->ev.attrs[i].nids; k++)
			if (rd64(pd->ev.attrs[i].ids + k * 8) == id)
				return &pd->ev.attrs[i];
	return NULL;
}

/* The attribute of a record, from the id where the layout puts it. */
static struct attr *
rec_attr(struct pd *pd, const uint8_t *rec, size_t len, uint32_t type)
{
	uint64_t st = pd->ev.attrs[0].sample_type;
	size_t pos;

	if (pd->ev.nattrs == 1)
		return &pd->ev.attrs[0];
	if (type == REC_SAMPLE) {
		if (st & ST_IDENTIFIER)
			pos = 8;
		else if (st & ST_ID)
			pos = 8 + 8 * (!!(st & ST_IP) + !!(st & ST_TID) +
			    !!(st & ST_TIME) + !!(st & ST_ADDR));
		else
			return &pd->ev.attrs[0];
	} else {
		if (!(pd->ev.attrs[0].flags & (1ULL << 18)))
			return &pd->ev.attrs[0];
		if (st & ST_IDENTIFIER)
			pos = len - 8;
		else if (st & ST_ID) {
			size_t back = 8 * (1 + !!(st & ST_STREAM_ID) +
			    !!(st & ST_CPU));
			if (back > len)
				return NULL;
			pos = len - back;
		} else
			return &pd->ev.attrs[0];
	}
	if (pos < 8 || pos + 8 > len)
		return NULL;
	return attr_by_id(pd, rd64(rec + pos));
}

static size_t
id_trailer_size(uint64_t st)
{
	return 8 * (!!(st & ST_TID) + !!(st & ST_TIME) + !!(st & ST_ID) +
	    !!(st & ST_STREAM_ID) + !!(st & ST_CPU) + !!(st & ST_IDENTIFIER));
}

/* The time of a record for ordering; 0 when it has none. */
static int
rec_time(struct pd *pd, const uint8_t *rec, size_t len, uint32_t type,
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
		size_t ts = id_trailer_size(st);
		if (!(pd->ev.attrs[0].flags & (1ULL << 18)) || ts + 8 > len)
			return 0;
		pos = len - ts + 8 * !!(st & ST_TID);
	} else
		return 0;
	if (pos + 8 > len)
		return 0;
	*t = rd64(rec + pos);
	return 1;
}

/* ---- processes, threads, maps ---------------------------------------- */

static struct proc *
proc_get(struct pd *pd, uint32_t pid)
{
	struct proc **b = &pd->mp.procs[pid % NBUCKETS], *p;

	for (p = *b; p != NULL; p = p->next)
		if (p->pid == pid)
			return p;
	if ((p = calloc(1, sizeof(*p))) == NULL)
		return NULL;
	p->pid = pid;
	p->next = *b;
	*b = p;
	return p;
}

static struct thread *
thread_find(struct pd *pd, uint32_t tid)
{
	struct thread *t;

	for (t = pd->mp.threads[tid % NBUCKETS]; t != NULL; t = t->next)
		if (t->tid == tid)
			return t;
	return NULL;
}

static struct thread *
thread_get(struct pd *pd, uint32_t pid, uint32_t tid)
{
	struct thread **b = &pd->mp.threads[tid % NBUCKETS], *t;

	if ((t = thread_find(pd, tid)) != NULL) {
		if (t->pid != pid && pid != UINT32_MAX) {
			t->pid = pid;
			t->proc = proc_get(pd, pid);
			t->pname_ok = 0;
		}
		return t;
	}
	if ((t = calloc(1, sizeof(*t))) == NULL)
		return NULL;
	t->tid = tid;
	t->pid = pid;
	if ((t->proc = proc_get(pd, pid)) == NULL) {
		free(t);
		return NULL;
	}
	t->next = *b;
	*b = t;
	return t;
}

static int
map_insert(struct proc *p, const struct map *m)
{
	size_t i, o;
	struct map *nm, right;
	int have_right = 0;

	p->gen++;
	/* Cut or drop what the new mapping overlaps, as perf does. */
	for (i = 0, o = 0; i < p->nmaps; i++) {
		struct map *x = &p->maps[i];
		if (x->end <= m->start || x->start >= m->end) {
			p->maps[o++] = *x;
			continue;
		}
		if (x->end > m->end) {
			right = *x;
			right.pgoff += m->end - x->start;
			right.start = m->end;
			have_right = 1;
		}
		if (x->start < m->start) {
			x->end = m->start;
			p->maps[o++] = *x;
		}
	}
	p->nmaps = o;
	if (p->nmaps + 2 > p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 32;
		if ((nm = reallocarray(p->maps, nc, sizeof(*nm))) == NULL)
			return FG_ENOMEM;
		p->maps = nm;
		p->cap = nc;
	}
	for (int k = 0; k < 1 + have_right; k++) {
		const struct map *ins = k == 0 ? m : &right;
		for (i = p->nmaps; i > 0 && p->maps[i - 1].start > ins->start; i--)
			p->maps[i] = p->maps[i - 1];
		p->maps[i] = *ins;
		p->nmaps++;
	}
	return 0;
}

static struct map *
map_find(struct proc *p, uint64_t ip)
{
	size_t lo = 0, hi = p->nmaps;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (p->maps[mid].start <= ip)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0 || ip >= p->maps[lo - 1].end)
		return NULL;
	return &p->maps[lo - 1];
}

static int
is_anon(const char *f)
{
	return strcmp(f, "//anon") == 0 || strncmp(f, "/dev/zero", 9) == 0 ||
	    strncmp(f, "/anon_hugepage", 14) == 0 ||
	    strncmp(f, "[anon:", 6) == 0;
}

static int
on_mmap(struct pd *pd, const uint8_t *rec, size_t len, uint64_t off,
    int v2)
{
	size_t fpos = v2 ? 8 + 64 : 8 + 32, tail, flen;
	uint16_t misc = rd16(rec + 4);
	uint32_t pid;
	struct map m;
	struct proc *p;
	const char *f;

	tail = (pd->ev.attrs[0].flags & (1ULL << 18)) ?
	    id_trailer_size(pd->ev.attrs[0].sample_type) : 0;
	if (len < fpos + 1 || len - fpos < tail + 1) {
		warn_rec(pd, off, "MMAP record of %zu bytes too short", len);
		return 0;
	}
	pid = rd32(rec + 8);
	if (pid == UINT32_MAX || (misc & MISC_CPUMODE_MASK) == MISC_KERNEL ||
	    (misc & MISC_MMAP_DATA))
		return 0;
	memset(&m, 0, sizeof(m));
	m.start = rd64(rec + 16);
	m.end = m.start + rd64(rec + 24);
	m.pgoff = rd64(rec + 32);
	if (m.end <= m.start)
		return 0;
	flen = strnlen((const char *)rec + fpos, len - fpos - tail);
	if ((f = fg_arena_strndup(&pd->arena, (const char *)rec + fpos,
	    flen)) == NULL)
		return fg_seterr(pd->err, FG_ENOMEM, "%s: out of memory",
		    pd->name);
	m.fname = f;
	if (is_anon(f)) {
		char jp[64];
		m.anon = 1;
		m.dso = fg_sym_jitmap(pd->sym, pid);
		snprintf(jp, sizeof(jp), "/tmp/perf-%u.map", pid);
		m.fname = fg_arena_strndup(&pd->arena, jp, strlen(jp));
		if (m.fname == NULL)
			return fg_seterr(pd->err, FG_ENOMEM, "%s: out of "
			    "memory", pd->name);
	} else if (f[0] == '/' || strcmp(f, "[vdso]") == 0) {
		if ((m.dso = fg_sym_dso(pd->sym, f)) == NULL)
			return fg_seterr(pd->err, FG_ENOMEM, "%s: out of "
			    "memory", pd->name);
	}
	if ((p = proc_get(pd, pid)) == NULL || map_insert(p, &m) != 0)
		return fg_seterr(pd->err, FG_ENOMEM, "%s: out of memory",
		    pd->name);
	return 0;
}

static int
on_comm(struct pd *pd, const uint8_t *rec, size_t len, uint64_t off)
{
	size_t tail, l;
	struct thread *t;
	const char *c;

	tail = (pd->ev.attrs[0].flags & (1ULL << 18)) ?
	    id_trailer_size(pd->ev.attrs[0].sample_type) : 0;
	if (len < 16 + 1 || len - 16 < tail + 1) {
		warn_rec(pd, off, "COMM record of %zu bytes too short", len);
		return 0;
	}
	if ((t = thread_get(pd, rd32(rec + 8), rd32(rec + 12))) == NULL)
		return fg_seterr(pd->err, FG_ENOMEM, "%s: out of memory",
		    pd->name);
	l = strnlen((const char *)rec + 16, len - 16 - tail);
	if ((c = fg_arena_strndup(&pd->arena, (const char *)rec + 16, l)) == NULL)
		return fg_seterr(pd->err, FG_ENOMEM, "%s: out of memory",
		    pd->name);
	t->comm = c;
	t->pname_ok = 0;
	return 0;
}

static int
on_fork(struct pd *pd, const uint8_t *rec, size_t len, uint64_t off)
{
	uint32_t pid, ppid, tid, ptid;
	struct thread *parent, *t;

	if (len < 32) {
		warn_rec(pd, off, "FORK record of %zu bytes too short", len);
		return 0;
	}
	pid = rd32(rec + 8);
	ppid = rd32(rec + 12);
	tid = rd32(rec + 16);
	ptid = rd32(rec + 20);
	parent = thread_find(pd, ptid);
	if ((t = thread_get(pd, pid, tid)) == NULL)
		return fg_seterr(pd->err, FG_ENOMEM, "%s: out of memory",
		    pd->name);
	t->comm = parent != NULL ? parent->comm : NULL;
	t->pname_ok = 0;
	/* A new process starts with a copy of its parent's maps. */
	if (pid != ppid && parent != NULL && parent->proc != NULL &&
	    t->proc != NULL && t->proc != parent->proc &&
	    t->proc->nmaps == 0 && parent->proc->nmaps > 0) {
		struct proc *c = t->proc, *pp = parent->proc;
		struct map *m = reallocarray(NULL, pp->nmaps, sizeof(*m));
		if (m == NULL)
			return fg_seterr(pd->err, FG_ENOMEM, "%s: out of "
			    "memory", pd->name);
		memcpy(m, pp->maps, pp->nmaps * sizeof(*m));
		free(c->maps);
		c->maps = m;
		c->gen++;
		c->nmaps = c->cap = pp->nmaps;
	}
	return 0;
}

/* ---- frames ---------------------------------------------------------- */

static int
push_id(struct pd *pd, uint32_t id)
{
	if (pd->fc.nids == pd->fc.capids) {
		size_t nc = pd->fc.capids ? pd->fc.capids * 2 : 256;
		uint32_t *n = reallocarray(pd->fc.ids, nc, sizeof(*n));
		if (n == NULL)
			return FG_ENOMEM;
		pd->fc.ids = n;
		pd->fc.capids = nc;
	}
	pd->fc.ids[pd->fc.nids++] = id;
	return 0;
}

static int pool_push(struct pd *, uint32_t);

/* frame_names_native()' emit: one frame onto the pool. */
static int
pool_emit(void *arg, const char *name, size_t len)
{
	struct pd *pd = arg;
	uint32_t id;
	int r;

	if ((r = fg_stacks_intern(pd->st, name, len, &id)) != 0)
		return r;
	return pool_push(pd, id);
}

/*
 * Push onto the pool the frames the perf-script path makes of the line
 * `perf script` prints for func in mod at pc (frame.h: the same code):
 * usually one; none for a name starting with '('.
 */
static int
intern_push(struct pd *pd, const char *func, const char *mod, uint64_t pc)
{
	struct frame_opts fo;

	fo.kernel = pd->o->kernel;
	fo.jit = pd->o->jit;
	fo.addrs = pd->o->addrs;
	fo.java = 0;
	return frame_names_native(func, mod, pc, &fo, &pd->fc.fb, pool_emit, pd);
}

static int
skip_match(struct pd *pd, const char *name)
{
	size_t k;

	if (name == NULL)
		name = "[unknown]";
	for (k = 0; k < pd->o->nskip_after; k++)
		if (strcmp(pd->o->skip_after[k], name) == 0)
			return 1;
	return 0;
}

static struct centry *
cache_slot(struct pd *pd, const void *dso, uint64_t addr)
{
	size_t h, mask;
	uint64_t k[2];

	if (pd->fc.cused * 2 >= pd->fc.ccap) {
		size_t nc = pd->fc.ccap ? pd->fc.ccap * 2 : 4096, i;
		struct centry *t = fg_zalloc(nc, sizeof(*t));
		if (t == NULL)
			return NULL;
		for (i = 0; i < pd->fc.ccap; i++) {
			struct centry *e = &pd->fc.cache[i];
			if (!e->used)
				continue;
			k[0] = (uint64_t)(uintptr_t)e->dso;
			k[1] = e->addr;
			for (h = fg_hash(k, sizeof(k)) & (nc - 1); t[h].used;
			    h = (h + 1) & (nc - 1))
				;
			t[h] = *e;
		}
		free(pd->fc.cache);
		pd->fc.cache = t;
		pd->fc.ccap = nc;
	}
	mask = pd->fc.ccap - 1;
	k[0] = (uint64_t)(uintptr_t)dso;
	k[1] = addr;
	for (h = fg_hash(k, sizeof(k)) & mask; pd->fc.cache[h].used;
	    h = (h + 1) & mask)
		if (pd->fc.cache[h].dso == dso && pd->fc.cache[h].addr == addr)
			return &pd->fc.cache[h];
	return &pd->fc.cache[h];
}

static int
pool_push(struct pd *pd, uint32_t id)
{
	if (pd->fc.npool == pd->fc.cappool) {
		size_t nc = pd->fc.cappool ? pd->fc.cappool * 2 : 4096;
		uint32_t *n;
		if (nc > UINT32_MAX || (n = reallocarray(pd->fc.pool, nc,
		    sizeof(*n))) == NULL)
			return FG_ENOMEM;
		pd->fc.pool = n;
		pd->fc.cappool = nc;
	}
	pd->fc.pool[pd->fc.npool++] = id;
	return 0;
}

/* Pending entry i's names (its function's, n inline ones) kept in l. */
static void
lookup_put(struct pd *pd, struct lookup *l, size_t i, const char **names,
    size_t n)
{
	struct dpend *p = PEND(pd, i);

	if (l->nnames + 1 + n > l->cap) {
		const char **t;
		if (l->nnames + 1 + n > UINT32_MAX || (t = fg_grow(l->names,
		    &l->cap, l->nnames + 1 + n, sizeof(*t), 4096)) == NULL) {
			l->nomem = 1;
			return;
		}
		l->names = t;
	}
	memcpy(l->names + l->nnames, names, (1 + n) * sizeof(*names));
	p->noff = (uint32_t)l->nnames;
	p->nn = (uint32_t)n;
	l->nnames += 1 + n;
}

/* The inline chain at ia of pending entry i, whose function is func. */
static void
lookup_inl(struct pd *pd, struct lookup *l, size_t i, const char *func,
    uint64_t ia)
{
	const char *names[1 + MAX_INLINE], *dfunc;
	size_t n;

	n = fg_dso_inlines(PEND(pd, i)->dso, ia, &dfunc, names + 1,
	    MAX_INLINE);
	names[0] = dfunc != NULL ? dfunc : func;
	lookup_put(pd, l, i, names, n);
}

/*
 * Pending entry i looked up, its names kept in l: what resolve() does
 * for an address up to interning, in the thread that takes it: the
 * segment of the file offset, the symbol, and where one holds the
 * address, addr2line's frames at it (at the call, addr - 1, for a
 * return address).  The only place a deferring walk's symbolizer is used.
 * With nowait (the worker), an inline chain in a file whose DWARF the
 * helper still loads is left in pd->lw.later for lw_later().
 */
static void
lookup_one(struct pd *pd, struct lookup *l, size_t i, int nowait)
{
	struct dpend *p = PEND(pd, i);
	const char *func = NULL, *kmod = NULL;
	uint64_t a, ia;

	p->nn = 0;
	if (l->nomem)
		return;
	pd->lw.wcur = i;
	if (fg_dso_addr(p->dso, p->addr, 0, 0, &a) == 0) {
		ia = p->ret ? a - 1 : a;
		func = fg_dso_symbol(p->dso, a, &kmod);
		p->mod = kmod != NULL ? kmod : fg_dso_path(p->dso);
		if (func != NULL) {
			if (nowait && !fg_dso_inlines_ready(p->dso)) {
				struct dlater *t;

				if ((t = fg_grow(pd->lw.later, &pd->lw.caplater,
				    pd->lw.nlater + 1, sizeof(*t), 256)) != NULL) {
					pd->lw.later = t;
					t[pd->lw.nlater].i = i;
					t[pd->lw.nlater].func = func;
					t[pd->lw.nlater++].ia = ia;
					return;
				}
			}
			lookup_inl(pd, l, i, func, ia);
			return;
		}
	}
	lookup_put(pd, l, i, &func, 0);
}

/*
 * The worker's entries left for DWARF: those whose DWARF is ready (all,
 * waiting for it, with wait), in the order they came.  Looking inline
 * chains up in another order gives the same names, and warns of nothing.
 */
static void
lw_later(struct pd *pd, int wait)
{
	struct fg_dso *notyet = NULL;
	size_t k, o = 0;

	for (k = 0; k < pd->lw.nlater; k++) {
		struct dlater *t = &pd->lw.later[k];
		struct fg_dso *d = PEND(pd, t->i)->dso;

		if (!wait && (d == notyet || !fg_dso_inlines_ready(d))) {
			notyet = d;
			pd->lw.later[o++] = *t;
			continue;
		}
		lookup_inl(pd, &pd->lw.out, t->i, t->func, t->ia);
	}
	pd->lw.nlater = o;
}

/*
 * The lookup worker: the pending entries in order as the walk
 * publishes them (they never move), until told to stop.  While it runs
 * it is the only user of the symbolizer's files (the walk only makes
 * their objects: fg_sym_dso, fg_sym_kernel, fg_sym_jitmap), so it may
 * wait for the prefetch helper, load a file or kallsyms itself, and look
 * up symbols and inline chains.
 */
static void *
lw_main(void *arg)
{
	struct pd *pd = arg;
	size_t i = 0;

	for (;;) {
		size_t n = atomic_load(&pd->lw.pub);

		for (; i < n; i++)
			lookup_one(pd, &pd->lw.out, i, 1);
		if (pd->lw.nlater > 0)
			lw_later(pd, 0);
		pthread_mutex_lock(&pd->lw.mu);
		atomic_store(&pd->lw.wait, 1);
		while (!pd->lw.stop && atomic_load(&pd->lw.pub) == i)
			pthread_cond_wait(&pd->lw.cv, &pd->lw.mu);
		atomic_store(&pd->lw.wait, 0);
		if (pd->lw.stop && atomic_load(&pd->lw.pub) == i) {
			pthread_mutex_unlock(&pd->lw.mu);
			break;
		}
		pthread_mutex_unlock(&pd->lw.mu);
	}
	lw_later(pd, 1);
	pd->lw.done = i;
	return NULL;
}

/* The walk made a pending entry: the worker may take it (started here). */
static void
lw_publish(struct pd *pd)
{
	if (!pd->lw.running && pd->df.npend == 1) {
		if (pthread_mutex_init(&pd->lw.mu, NULL) != 0)
			return;
		if (pthread_cond_init(&pd->lw.cv, NULL) != 0) {
			pthread_mutex_destroy(&pd->lw.mu);
			return;
		}
		if (pthread_create(&pd->lw.th, NULL, lw_main, pd) != 0) {
			pthread_cond_destroy(&pd->lw.cv);
			pthread_mutex_destroy(&pd->lw.mu);
			return;
		}
		pd->lw.running = 1;
	}
	if (!pd->lw.running || pd->df.npend % PEND_BATCH != 0)
		return;
	atomic_store(&pd->lw.pub, pd->df.npend);
	if (atomic_load(&pd->lw.wait)) {
		pthread_mutex_lock(&pd->lw.mu);
		pthread_cond_signal(&pd->lw.cv);
		pthread_mutex_unlock(&pd->lw.mu);
	}
}

/* The worker takes all that is pending, finishes and is joined. */
static void
lw_join(struct pd *pd)
{
	if (!pd->lw.running)
		return;
	pthread_mutex_lock(&pd->lw.mu);
	atomic_store(&pd->lw.pub, pd->df.npend);
	pd->lw.stop = 1;
	pthread_cond_signal(&pd->lw.cv);
	pthread_mutex_unlock(&pd->lw.mu);
	pthread_join(pd->lw.th, NULL);
	pthread_cond_destroy(&pd->lw.cv);
	pthread_mutex_destroy(&pd->lw.mu);
	pd->lw.running = 0;
}

/*
 * Deferring: make the new cache entry e a dent (its ids_off becomes the
 * dent's number) with the ids e has, and when pend is not NULL, a
 * pending lookup: the frames are made after the lookup (finish_defer).
 */
static int
dent_add(struct pd *pd, struct centry *e, const struct dpend *pend)
{
	if (pd->df.ndents == pd->df.capdents) {
		struct dent *n;
		if (pd->df.capdents > UINT32_MAX / 2 || (n = fg_grow(pd->df.dents,
		    &pd->df.capdents, pd->df.capdents + 1, sizeof(*n), 4096)) == NULL)
			return FG_ENOMEM;
		pd->df.dents = n;
	}
	if (pend != NULL) {
		struct dpend *p;
		size_t c = pd->df.npend >> PEND_SHIFT;

		if (c >= PEND_CHUNKS)
			return FG_ENOMEM;
		if (pd->df.pend == NULL && (pd->df.pend = calloc(PEND_CHUNKS,
		    sizeof(*pd->df.pend))) == NULL)
			return FG_ENOMEM;
		if (pd->df.pend[c] == NULL && (pd->df.pend[c] = malloc(PEND_CHUNK *
		    sizeof(**pd->df.pend))) == NULL)
			return FG_ENOMEM;
		p = PEND(pd, pd->df.npend);
		*p = *pend;
		p->dent = (uint32_t)pd->df.ndents;
		p->noff = 0;
		p->nn = 0;
		pd->df.npend++;
		lw_publish(pd);
	}
	pd->df.dents[pd->df.ndents].ids_off = e->ids_off;
	pd->df.dents[pd->df.ndents].nids = e->nids;
	e->ids_off = (uint32_t)pd->df.ndents++;
	e->nids = 1;
	return 0;
}

/*
 * The frames of one callchain entry, outermost first, as a cache entry.
 * key: what the address resolves in (a DSO, a fake key for no map).
 * With --no-inline the frame is the symbol at addr, as perf looks up
 * frame-pointer return addresses.  With inline frames, where a symbol
 * holds addr, the frames are what addr2line says of the call, addr - 1
 * for a return address (ret): the DWARF subprogram and its inline chain,
 * else its pick of the symbol's aliases (docs/internals/naming.md).
 * Deferring, an address in a DSO goes to resolve_later() instead.
 */
static struct centry *
resolve(struct pd *pd, const void *key, struct fg_dso *dso,
    const char *mod, uint64_t addr, int have_addr, uint64_t pc, int ret)
{
	static const char nomap;
	struct centry *e;
	const char *names[MAX_INLINE], *func = NULL, *dfunc, *kmod = NULL;
	size_t n = 0, i;
	uint64_t ia = ret ? addr - 1 : addr;
	int skip;

	if (key == NULL)
		key = &nomap;
	if (ret)	/* a distinct key: the same address, another chain */
		key = (const char *)key + 1;
	if ((e = cache_slot(pd, key, pd->o->addrs ? pc : addr)) == NULL)
		return NULL;
	if (e->used)
		return e;
	if (dso != NULL && have_addr) {
		func = fg_dso_symbol(dso, addr, &kmod);
		if (func != NULL && !pd->o->no_inline) {
			n = fg_dso_inlines(dso, ia, &dfunc, names, MAX_INLINE);
			if (dfunc != NULL)
				func = dfunc;
		}
	}
	if (kmod != NULL)
		mod = kmod;
	e->dso = key;
	e->addr = pd->o->addrs ? pc : addr;
	e->ids_off = (uint32_t)pd->fc.npool;
	/*
	 * A name starting with '(' gives no frame (stackcollapse-perf's rule
	 * for process names, which also drops C++ "(anonymous namespace)::f"
	 * frames), as on the perf-script path: frame.c.
	 */
	skip = skip_match(pd, func);
	if (intern_push(pd, func, mod, pc) != 0)
		return NULL;
	for (i = 0; i < n; i++) {
		skip |= skip_match(pd, names[i]);
		if (intern_push(pd, names[i], mod, pc) != 0)
			return NULL;
	}
	e->nids = (uint16_t)(pd->fc.npool - e->ids_off);
	e->skip = (uint8_t)skip;
	if (pd->df.on && dent_add(pd, e, NULL) != 0)
		return NULL;
	e->used = 1;
	pd->fc.cused++;
	if (pd->h->frame != NULL && dso != NULL && have_addr)
		pd->h->frame(pd->h->arg, fg_dso_path(dso), ia,
		    pd->fc.pool + e->ids_off, e->nids);
	return e;
}

/*
 * Deferring: the cache entry of an address in dso, a dent with a
 * pending lookup (lookup_one does what resolve() would): the walk
 * itself uses nothing of the symbolizer's files.  addr is the file
 * offset, or for the kernel and JIT maps the ip: resolve()'s key is
 * the address fg_dso_addr() makes of the offset, a function of it, so
 * the entries give the same frames.  Their keys are not resolve()'s
 * (dso + 2, + 3 for a return address): when deferring ends early,
 * resolve() must not take an offset for an address.  fname: the
 * frame's module when no segment holds the offset.
 */
static struct centry *
resolve_later(struct pd *pd, struct fg_dso *dso, const char *fname,
    uint64_t addr, uint64_t pc, int ret)
{
	const void *key = (const char *)dso + 2 + ret;
	struct centry *e;
	struct dpend p;

	if ((e = cache_slot(pd, key, pd->o->addrs ? pc : addr)) == NULL)
		return NULL;
	if (e->used)
		return e;
	e->dso = key;
	e->addr = pd->o->addrs ? pc : addr;
	e->ids_off = (uint32_t)pd->fc.npool;
	e->nids = 0;
	e->skip = 0;
	memset(&p, 0, sizeof(p));
	p.dso = dso;
	p.mod = fname;
	p.addr = addr;
	p.pc = pc;
	p.ret = (uint8_t)ret;
	if (dent_add(pd, e, &p) != 0)
		return NULL;
	e->used = 1;
	pd->fc.cused++;
	return e;
}

static struct centry *
resolve_user(struct pd *pd, struct thread *t, uint64_t ip, int exact)
{
	static const char unk;
	struct map *m;
	uint64_t a;
	int ret = !exact && ip != 0;

	if (t->proc == NULL || (m = map_find(t->proc, ip)) == NULL)
		return resolve(pd, &unk, NULL, "[unknown]", 0, 0, ip, 0);
	if (m->dso == NULL)
		return resolve(pd, m->fname, NULL, m->fname, 0, 0,
		    ip - m->start + m->pgoff, 0);
	if (pd->df.on) {
		enum fg_dso_kind k = fg_dso_kind(m->dso);
		uint64_t off = ip - m->start + m->pgoff;

		return resolve_later(pd, m->dso, m->fname, k == FG_DSO_KERNEL ||
		    k == FG_DSO_JITMAP ? ip : off, off, ret);
	}
	if (fg_dso_addr(m->dso, ip, m->start, m->pgoff, &a) != 0)
		return resolve(pd, m->dso, NULL, m->fname, 0, 0,
		    ip - m->start + m->pgoff, 0);
	return resolve(pd, m->dso, m->dso, fg_dso_path(m->dso), a, 1,
	    ip - m->start + m->pgoff, ret);
}

static int
push_frame(struct pd *pd, const struct centry *e)
{
	if (pd->fc.nfr == pd->fc.capfr) {
		size_t nc = pd->fc.capfr ? pd->fc.capfr * 2 : 256;
		struct centry *n = reallocarray(pd->fc.fr, nc, sizeof(*n));
		if (n == NULL)
			return FG_ENOMEM;
		pd->fc.fr = n;
		pd->fc.capfr = nc;
	}
	pd->fc.fr[pd->fc.nfr++] = *e;	/* a copy: the cache may move */
	return 0;
}

/*
 * The front cache's slot for (owner, ip, return address?), and whether
 * it holds them for maps generation gen: then front_push() pushes its
 * frames, else front_fill() fills it once resolved.
 */
static struct fent *
front_slot(struct pd *pd, const void *owner, uint64_t ip, int ret)
{
	return &pd->fc.front[FRONT_SLOT(owner, ip, ret)];
}

static int
front_hit(const struct fent *fe, const void *owner, uint32_t gen,
    uint64_t ip, int ret)
{
	return fe->valid && fe->owner == owner && fe->ip == ip &&
	    fe->gen == gen && fe->ret == ret;
}

static int
front_push(struct pd *pd, const struct fent *fe)
{
	struct centry c;

	c.ids_off = fe->ids_off;
	c.nids = fe->nids;
	c.skip = fe->skip;
	return push_frame(pd, &c);
}

static void
front_fill(struct fent *fe, const void *owner, uint32_t gen, uint64_t ip,
    int ret, const struct centry *e)
{
	fe->owner = owner;
	fe->ip = ip;
	fe->gen = gen;
	fe->ret = (uint8_t)ret;
	fe->ids_off = e->ids_off;
	fe->nids = e->nids;
	fe->skip = e->skip;
	fe->valid = 1;
}

/*
 * The frames of a sample, root first, after the process name: the
 * callchain (leaf first) or the sampled ip, and when uips is non-NULL
 * the user part from the unwinder instead of the callchain's (its
 * addresses are looked up as they are: the unwinder already moved
 * return addresses back into their call).
 */
static int
build_stack(struct pd *pd, struct thread *t, const struct fg_pd_sample *s,
    const uint64_t *uips, size_t nu)
{
	uint64_t one[1];
	const uint64_t *chain = s->chain;
	size_t n = s->nchain, i, start;
	struct fg_dso *k = NULL;
	int mode = s->misc & MISC_CPUMODE_MASK, exact = 1, r;
	struct centry *e;

	if (chain == NULL) {
		one[0] = s->ip;
		chain = one;
		n = 1;
	}
	pd->fc.nfr = 0;
	for (i = 0; i < n; i++) {
		uint64_t ip = chain[i];

		if (ip >= CTX_MAX) {
			if (ip == CTX_KERNEL)
				mode = MISC_KERNEL;
			else if (ip == CTX_USER)
				mode = MISC_USER;
			else
				mode = 0;
			exact = 1;
			continue;
		}
		if (mode == MISC_KERNEL || mode == MISC_USER) {
			const void *owner = mode == MISC_KERNEL ? (const void *)pd :
			    (const void *)t->proc;
			uint32_t gen = mode == MISC_KERNEL || t->proc == NULL ? 0 :
			    t->proc->gen;
			int ret = !exact && ip != 0;
			struct fent *fe;

			if (mode == MISC_USER && uips != NULL)
				continue;
			fe = front_slot(pd, owner, ip, ret);
			if (front_hit(fe, owner, gen, ip, ret)) {
				if (front_push(pd, fe) != 0)
					return FG_ENOMEM;
				exact = 0;
				continue;
			}
			if (mode == MISC_KERNEL) {
				if (k == NULL &&
				    (k = fg_sym_kernel(pd->sym)) == NULL)
					return FG_ENOMEM;
				if (pd->df.on)
					e = resolve_later(pd, k,
					    "[kernel.kallsyms]", ip, ip, !exact);
				else
					e = resolve(pd, k, k,
					    "[kernel.kallsyms]", ip, 1, ip,
					    !exact);
			} else
				e = resolve_user(pd, t, ip, exact);
			if (e == NULL)
				return FG_ENOMEM;
			front_fill(fe, owner, gen, ip, ret, e);
		} else
			e = resolve(pd, NULL, NULL, "[unknown]", 0, 0, ip, 0);
		if (e == NULL || push_frame(pd, e) != 0)
			return FG_ENOMEM;
		exact = 0;
	}
	for (i = 0; uips != NULL && i < nu; i++) {
		/* the front cache, as for a user callchain's exact ip */
		const void *owner = t->proc;
		uint32_t gen = t->proc == NULL ? 0 : t->proc->gen;
		uint64_t ip = uips[i];
		struct fent *fe;

		fe = front_slot(pd, owner, ip, 0);
		if (front_hit(fe, owner, gen, ip, 0)) {
			if (front_push(pd, fe) != 0)
				return FG_ENOMEM;
			continue;
		}
		if ((e = resolve_user(pd, t, ip, 1)) == NULL)
			return FG_ENOMEM;
		front_fill(fe, owner, gen, ip, 0, e);
		if (push_frame(pd, e) != 0)
			return FG_ENOMEM;
	}
	/*
	 * skip_after: keep the frames from the leaf up to the first match,
	 * which becomes the root: the process name goes too, as on the
	 * perf-script path.
	 */
	start = 0;
	for (i = 0; i < pd->fc.nfr; i++)
		if (pd->fc.fr[i].skip) {
			start = pd->fc.nfr - 1 - i;
			pd->fc.nids = 0;
			break;
		}
	for (i = pd->fc.nfr - start; i > 0; i--) {
		e = &pd->fc.fr[i - 1];
		if (pd->df.on) {	/* its dent */
			if ((r = push_id(pd, e->ids_off)) != 0)
				return r;
			continue;
		}
		for (size_t j = 0; j < e->nids; j++)
			if ((r = push_id(pd, pd->fc.pool[e->ids_off + j])) != 0)
				return r;
	}
	return 0;
}

/* The unwinder's view of a thread's maps. */
static int
uw_map(void *arg, uint64_t addr, struct fg_unwind_map *out)
{
	struct pd *pd = arg;
	struct map *m;

	if (pd->sm.uw_thread == NULL || pd->sm.uw_thread->proc == NULL ||
	    (m = map_find(pd->sm.uw_thread->proc, addr)) == NULL ||
	    m->dso == NULL)
		return -1;
	memset(out, 0, sizeof(*out));
	out->path = m->fname;
	out->key = m->dso;
	out->start = m->start;
	out->end = m->end;
	out->pgoff = m->pgoff;
	if (m->fname[0] == '[' && strcmp(m->fname, "[vdso]") == 0) {
		out->image = fg_sym_vdso_image(pd->sym, &out->image_len);
		if (out->image == NULL)
			return -1;
	}
	return 0;
}

static fg_unwind_fetch_fn stack_fetch;

/*
 * The user chain of a sample recorded with --call-graph dwarf: 0 and
 * *n entries in pd->sm.uips, or no chain (*n = 0) when the sample has no
 * registers.  Only allocation failures fail.
 */
static int
unwind_user(struct pd *pd, struct thread *t, const struct fg_pd_sample *s,
    size_t *n)
{
	struct fg_unwind_sample us;
	struct fg_unwind_opts uo;

	*n = 0;
	memset(&us, 0, sizeof(us));
	if (s->regs == NULL || fg_unwind_regs_from_perf(&us.regs, s->regs_abi,
	    s->regs_mask, s->regs, s->nregs) != 0)
		return 0;
	if (pd->sm.uw == NULL) {
		memset(&uo, 0, sizeof(uo));
		uo.warn = pd->df.wwarn;
		if ((pd->sm.uw = fg_unwinder_new(&uo)) == NULL)
			return fg_seterr(pd->err, FG_ENOMEM, "%s: out of memory",
			    pd->name);
	}
	us.stack = s->stack;
	us.stack_len = s->stack_size;
	if (s->stack_len < s->stack_size) {
		us.stack_held = s->stack_len;
		us.fetch = stack_fetch;
		us.fetch_arg = pd;
	}
	us.stack_addr = us.regs.r[FG_UW_RSP];
	pd->sm.uw_thread = t;
	return fg_unwind(pd->sm.uw, &us, uw_map, pd, pd->sm.uips,
	    sizeof(pd->sm.uips) / sizeof(pd->sm.uips[0]), n, NULL, pd->err);
}

static int
pname_id(struct pd *pd, struct thread *t, uint32_t *id)
{
	char tmp[64];
	struct fg_buf *w = &pd->fc.work;
	size_t i;
	int r;

	if (t->pname_ok) {
		*id = t->pname_id;
		return 0;
	}
	fg_buf_reset(w);
	if (t->comm != NULL)
		r = fg_buf_append(w, t->comm, strlen(t->comm));
	else if (t->tid == 0)	/* the idle task, as perf names it */
		r = fg_buf_append(w, "swapper", 7);
	else {
		snprintf(tmp, sizeof(tmp), ":%u", t->tid);
		r = fg_buf_append(w, tmp, strlen(tmp));
	}
	for (i = 0; i < w->len; i++)
		if (w->d[i] == ' ')
			w->d[i] = '_';
	if (r == 0 && pd->o->tid)
		r = fg_buf_printf(w, "-%u/%u", t->pid, t->tid);
	else if (r == 0 && pd->o->pid)
		r = fg_buf_printf(w, "-%u", t->pid);
	if (r != 0 || (r = fg_stacks_intern(pd->st, w->d, w->len, id)) != 0)
		return FG_ENOMEM;
	t->pname_id = *id;
	t->pname_ok = 1;
	return 0;
}

/* ---- the chain cache -------------------------------------------------- */

static uint64_t
chain_hash(uint64_t h, const uint64_t *w, size_t n)
{
	uint64_t g = 0x452821e638d01377ULL;
	size_t i;

	/* two lanes: half the multiply latency of one chain */
	for (i = 0; i + 1 < n; i += 2) {
		h = (h ^ w[i]) * 0x9e3779b97f4a7c15ULL;
		g = (g ^ w[i + 1]) * 0xbf58476d1ce4e5b9ULL;
	}
	if (i < n)
		h = (h ^ w[i]) * 0x9e3779b97f4a7c15ULL;
	return h ^ (g >> 7) ^ (g << 29);
}

/*
 * A sample's chain key: hd[4] (process name, cpumode, process, maps
 * generation, lengths), then the callchain (or the ip), then the unwound
 * user chain; k->n words in all.
 */
struct ckey {
	uint64_t hd[4];
	const uint64_t *chain;
	size_t nchain;
	const uint64_t *u;
	size_t nu;
	size_t n;
	uint64_t hash;
};

static void
chain_key(struct ckey *k, struct thread *t, const struct fg_pd_sample *s,
    uint32_t pname, const uint64_t *uips, size_t nu)
{
	uint64_t h;

	k->chain = s->chain;
	k->nchain = s->nchain;
	if (k->chain == NULL) {
		k->chain = &s->ip;
		k->nchain = 1;
	}
	k->u = uips;
	k->nu = nu;
	k->n = 4 + k->nchain + nu;
	k->hd[0] = (uint64_t)pname << 32 |
	    (uint64_t)(s->misc & MISC_CPUMODE_MASK) << 1 | (uips != NULL);
	k->hd[1] = (uint64_t)(uintptr_t)t->proc;
	k->hd[2] = t->proc != NULL ? t->proc->gen : 0;
	k->hd[3] = (uint64_t)k->nchain << 32 | (uint64_t)nu;
	h = chain_hash(0x243f6a8885a308d3ULL, k->hd, 4);
	h = chain_hash(h, k->chain, k->nchain);
	if (nu > 0)
		h = chain_hash(h, uips, nu);
	h ^= h >> 32;
	h *= 0xbf58476d1ce4e5b9ULL;
	k->hash = h ^ (h >> 29);
}

static size_t
chain_slot(uint64_t hash, size_t mask)
{
	return (size_t)((hash >> 32) * 0x9e3779b97f4a7c15ULL >> 20) & mask;
}

/* The callchain of a stored key: in the entry, or where it points. */
static const uint64_t *
chain_words(const uint64_t *w, size_t *skip)
{
	if (w[3] & CH_REF) {
		*skip = 1;
		return (const uint64_t *)(uintptr_t)w[4];
	}
	*skip = (size_t)(w[3] >> 32);
	return w + 4;
}

static int
chain_eq(const uint64_t *w, const struct ckey *k)
{
	const uint64_t *c;
	size_t skip;

	if (w[0] != k->hd[0] || w[1] != k->hd[1] || w[2] != k->hd[2] ||
	    (w[3] & ~CH_REF) != k->hd[3])
		return 0;
	c = chain_words(w, &skip);
	return memcmp(c, k->chain, k->nchain * sizeof(uint64_t)) == 0 &&
	    (k->nu == 0 || memcmp(w + 4 + skip, k->u,
	    k->nu * sizeof(uint64_t)) == 0);
}

/* The entry of the key (its offset in ckeys), or SIZE_MAX and the slot. */
static size_t
chain_find(struct pd *pd, const struct ckey *k, size_t *slot)
{
	uint64_t tag = k->hash >> 32 << 32;
	size_t i;

	*slot = SIZE_MAX;
	if (pd->ch.chtab == NULL)
		return SIZE_MAX;
	for (i = chain_slot(k->hash, pd->ch.chmask); pd->ch.chtab[i] != 0;
	    i = (i + 1) & pd->ch.chmask) {
		uint64_t v = pd->ch.chtab[i];
		size_t e = (size_t)(uint32_t)v - 1;
		if ((v & 0xffffffff00000000ULL) == tag &&
		    chain_eq(pd->ch.ckeys + e + CH_META, k))
			return e;
	}
	*slot = i;
	return SIZE_MAX;
}

/*
 * Remember the ids pd->fc.ids[0..nids) for the key; *key is its entry's
 * number, or UINT32_MAX when it is not kept (out of memory or past the
 * cap: the sample is still right, only not cached).
 */
static void
chain_add(struct pd *pd, const struct ckey *k, size_t slot, uint32_t *key,
    size_t *ent)
{
	uint64_t *w;
	size_t i, n;
	int ref;

	*key = UINT32_MAX;
	*ent = SIZE_MAX;
	if (k->n > CHAIN_MAX_WORDS ||
	    pd->ch.nckeys + CH_META + k->n > CHAIN_MAX_WORDS ||
	    pd->fc.nids > CHAIN_MAX_IDS || pd->ch.ncids + pd->fc.nids > CHAIN_MAX_IDS)
		return;
	if (pd->ch.chtab == NULL || (pd->ch.nch + 1) * 2 > pd->ch.chmask + 1) {
		size_t nm = pd->ch.chtab == NULL ? 4095 : pd->ch.chmask * 2 + 1;
		uint64_t *nt = fg_zalloc(nm + 1, sizeof(*nt));

		if (nt == NULL)
			return;
		for (i = 0; pd->ch.chtab != NULL && i <= pd->ch.chmask; i++) {
			uint64_t v = pd->ch.chtab[i];
			size_t j;
			if (v == 0)
				continue;
			for (j = chain_slot(v, nm); nt[j] != 0;
			    j = (j + 1) & nm)
				;
			nt[j] = v;
		}
		free(pd->ch.chtab);
		pd->ch.chtab = nt;
		pd->ch.chmask = nm;
		for (slot = chain_slot(k->hash, nm); nt[slot] != 0;
		    slot = (slot + 1) & nm)
			;
	}
	/*
	 * Both pools are reserved address space, touched as they fill: a
	 * page costs its first write only, where doubling arrays would
	 * copy into fresh pages each time.
	 */
	if (pd->ch.ckeys == NULL) {
		void *a = mmap(NULL, (size_t)CHAIN_MAX_WORDS * sizeof(uint64_t),
		    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
		    MAP_NORESERVE, -1, 0);
		void *b = mmap(NULL, (size_t)CHAIN_MAX_IDS * sizeof(uint32_t),
		    PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS |
		    MAP_NORESERVE, -1, 0);
		if (a == MAP_FAILED || b == MAP_FAILED) {
			if (a != MAP_FAILED)
				munmap(a, (size_t)CHAIN_MAX_WORDS *
				    sizeof(uint64_t));
			if (b != MAP_FAILED)
				munmap(b, (size_t)CHAIN_MAX_IDS *
				    sizeof(uint32_t));
			return;
		}
		pd->ch.ckeys = a;
		pd->ch.cids = b;
	}
	/*
	 * A callchain in the recording's buffer is pointed at, not copied,
	 * when that buffer stays whole for the walk (a mapped file is given
	 * back behind the walk only past DROP_STEP): most of an entry is
	 * its chain, and every page the pool touches costs a fault.
	 */
	ref = k->nchain > 1 && (const uint8_t *)k->chain >= pd->buf &&
	    (size_t)((const uint8_t *)k->chain - pd->buf) <= pd->len &&
	    k->nchain <= (pd->len - (size_t)((const uint8_t *)k->chain -
	    pd->buf)) / sizeof(uint64_t) &&
	    (pd->in.fd < 0 || pd->len <= DROP_STEP);
	w = pd->ch.ckeys + pd->ch.nckeys;
	w[0] = pd->ch.ncids;
	w[1] = (uint64_t)pd->fc.nids << 32 | pd->ch.nch;
	w[2] = 0;
	memcpy(w + CH_META, k->hd, sizeof(k->hd));
	if (ref) {
		w[CH_META + 3] |= CH_REF;
		w[CH_META + 4] = (uint64_t)(uintptr_t)k->chain;
		n = CH_META + 5;
	} else {
		memcpy(w + CH_META + 4, k->chain,
		    k->nchain * sizeof(uint64_t));
		n = CH_META + 4 + k->nchain;
	}
	if (k->nu > 0)
		memcpy(w + n, k->u, k->nu * sizeof(uint64_t));
	pd->ch.chtab[slot] = k->hash >> 32 << 32 | (uint64_t)(pd->ch.nckeys + 1);
	*ent = pd->ch.nckeys;
	pd->ch.nckeys += n + k->nu;
	/* summing needs no ids after the first, unless deferring */
	if (!pd->ch.sum || pd->df.on) {
		if (pd->fc.nids > 0)
			memcpy(pd->ch.cids + pd->ch.ncids, pd->fc.ids,
			    pd->fc.nids * sizeof(uint32_t));
		pd->ch.ncids += pd->fc.nids;
	}
	*key = (uint32_t)pd->ch.nch++;
}

/*
 * The frame ids of a sample (the process name first): from the chain
 * cache, else built and cached.  *ids stays valid until the next call;
 * *ent is the chain entry's offset in ckeys, SIZE_MAX when not cached,
 * *made whether this sample made it.  Summing, a cached sample's ids
 * are not kept: NULL and 0 (its stack_key stands for them).
 */
static int
sample_ids(struct pd *pd, struct thread *t, const struct fg_pd_sample *s,
    const uint64_t *uips, size_t nu, const uint32_t **ids, size_t *n,
    uint32_t *key, size_t *ent, int *made)
{
	struct ckey k;
	size_t e, slot;
	uint32_t pn;
	int r;

	*key = UINT32_MAX;
	*ent = SIZE_MAX;
	*made = 0;
	if ((r = pname_id(pd, t, &pn)) != 0)
		return r;
	chain_key(&k, t, s, pn, uips, nu);
	if ((e = chain_find(pd, &k, &slot)) != SIZE_MAX) {
		*ids = pd->ch.sum ? NULL : pd->ch.cids + pd->ch.ckeys[e];
		*n = pd->ch.sum ? 0 : (size_t)(pd->ch.ckeys[e + 1] >> 32);
		*key = (uint32_t)pd->ch.ckeys[e + 1];
		*ent = e;
		return 0;
	}
	pd->fc.nids = 0;
	if ((r = push_id(pd, pn)) != 0 ||
	    (r = build_stack(pd, t, s, uips, nu)) != 0)
		return r;
	chain_add(pd, &k, slot, key, ent);
	*made = *ent != SIZE_MAX;
	*ids = pd->fc.ids;
	*n = pd->fc.nids;
	return 0;
}

/*
 * Deferring: the ids of a chain given as the process name's id and its
 * frames' dents, in pd->ch.xids.
 */
static int
expand_ids(struct pd *pd, const uint32_t *in, size_t n, size_t *nout)
{
	size_t i, j, k = 0, need = n > 0 ? 1 : 0;

	for (i = 1; i < n; i++)
		need += pd->df.dents[in[i]].nids;
	if (need > pd->ch.capxids) {
		uint32_t *t = fg_grow(pd->ch.xids, &pd->ch.capxids, need, sizeof(*t),
		    256);
		if (t == NULL)
			return FG_ENOMEM;
		pd->ch.xids = t;
	}
	if (n > 0)
		pd->ch.xids[k++] = in[0];
	for (i = 1; i < n; i++) {
		const struct dent *d = &pd->df.dents[in[i]];
		for (j = 0; j < d->nids; j++)
			pd->ch.xids[k++] = pd->fc.pool[d->ids_off + j];
	}
	*nout = k;
	return 0;
}

/*
 * finish_defer's frame ids by name and module: the symbolizer's names
 * and modules are one pointer each, so most frames are made once.
 */
struct fid {
	const char *name;
	const char *mod;
	uint32_t id;
};

struct fids {
	struct fid *t;
	size_t mask;
	size_t n;
};

static size_t
fid_slot(const struct fids *f, const char *name, const char *mod)
{
	uint64_t h = ((uint64_t)(uintptr_t)name * 0x9e3779b97f4a7c15ULL) ^
	    ((uint64_t)(uintptr_t)mod * 0xc2b2ae3d27d4eb4fULL);
	size_t i;

	for (i = (size_t)(h >> 32) & f->mask; f->t[i].name != NULL &&
	    (f->t[i].name != name || f->t[i].mod != mod); i = (i + 1) & f->mask)
		;
	return i;
}

/*
 * intern_push() through f, which keeps the frame of each (name, module)
 * pointer pair that gave one frame.  A frame's name depends on the pc
 * only for a frame without a name, or through a module name with a
 * space: those are not kept.  Out of memory for f, it interns without.
 */
static int
intern_cached(struct pd *pd, struct fids *f, const char *name,
    const char *mod, uint64_t pc)
{
	size_t i, k, before = pd->fc.npool;
	int r;

	if (name == NULL)
		return intern_push(pd, name, mod, pc);
	if (f->t != NULL) {
		i = fid_slot(f, name, mod);
		if (f->t[i].name != NULL)
			return pool_push(pd, f->t[i].id);
	}
	if ((r = intern_push(pd, name, mod, pc)) != 0 ||
	    pd->fc.npool != before + 1 || strchr(mod, ' ') != NULL)
		return r;
	if (f->t == NULL || (f->n + 1) * 2 > f->mask + 1) {
		struct fids g;

		g.mask = f->t == NULL ? 4095 : f->mask * 2 + 1;
		g.n = f->n;
		if ((g.t = fg_zalloc(g.mask + 1, sizeof(*g.t))) == NULL)
			return 0;
		for (k = 0; f->t != NULL && k <= f->mask; k++)
			if (f->t[k].name != NULL)
				g.t[fid_slot(&g, f->t[k].name,
				    f->t[k].mod)] = f->t[k];
		free(f->t);
		*f = g;
	}
	i = fid_slot(f, name, mod);
	f->t[i].name = name;
	f->t[i].mod = mod;
	f->t[i].id = pd->fc.pool[before];
	f->n++;
	return 0;
}

/*
 * Deferring ends (after the walk, or before a sample that cannot wait):
 * the pending lookups are done (the worker joined), the held warnings
 * sent, the frames made in the order the addresses came, and each chain
 * entry not yet in the model goes to it with its ids and summed weight,
 * in the order the entries were made (the order their first samples
 * came, as without deferring).
 */
static int
finish_defer(struct pd *pd)
{
	struct lookup own;
	struct fids fn;
	struct fg_error cerr;
	size_t i, j, nx, done = 0;
	int r;

	if (!pd->df.on)
		return 0;
	pd->df.on = 0;
	/*
	 * What the worker did not take is looked up here; the frames are
	 * made here, in the order the addresses came.
	 */
	if (pd->lw.running) {
		lw_join(pd);
		done = pd->lw.done;
	}
	memset(&own, 0, sizeof(own));
	for (i = done; i < pd->df.npend; i++)
		lookup_one(pd, &own, i, 0);
	warn_flush(pd);
	r = own.nomem || pd->lw.out.nomem ? FG_ENOMEM : 0;
	memset(&fn, 0, sizeof(fn));
	for (i = 0; i < pd->df.npend && r == 0; i++) {
		struct dpend *p = PEND(pd, i);
		struct dent *d = &pd->df.dents[p->dent];
		const char **names = (i < done ? pd->lw.out.names : own.names) +
		    p->noff;
		size_t off = pd->fc.npool;

		/*
		 * resolve()'s frames: the function's (a name starting with
		 * '(' dropped, see there), then the inline ones.
		 */
		for (j = 0; j <= p->nn && r == 0; j++) {
			if (names[j] != NULL && names[j][0] == '(')
				continue;
			r = intern_cached(pd, &fn, names[j], p->mod, p->pc);
		}
		d->ids_off = (uint32_t)off;
		d->nids = (uint32_t)(pd->fc.npool - off);
	}
	free(fn.t);
	free(own.names);
	if (r != 0)
		goto nomem;
	/* the caches name ids again, for the rest of the walk */
	for (i = 0; i < pd->fc.ccap; i++)
		if (pd->fc.cache[i].used) {
			const struct dent *d = &pd->df.dents[pd->fc.cache[i].ids_off];
			pd->fc.cache[i].ids_off = d->ids_off;
			pd->fc.cache[i].nids = (uint16_t)d->nids;
		}
	for (i = 0; i < FRONT_SIZE; i++)
		if (pd->fc.front[i].valid) {
			const struct dent *d = &pd->df.dents[pd->fc.front[i].ids_off];
			pd->fc.front[i].ids_off = d->ids_off;
			pd->fc.front[i].nids = (uint16_t)d->nids;
		}
	pd->df.npend = 0;
	for (i = 0; i < pd->ch.nfresh; i++) {
		uint64_t *w = pd->ch.ckeys + pd->ch.fresh[i];
		struct fg_pd_sample s;

		if (expand_ids(pd, pd->ch.cids + w[0], (size_t)(w[1] >> 32),
		    &nx) != 0)
			goto nomem;
		memset(&s, 0, sizeof(s));
		s.period = w[2];
		s.stack_key = (uint32_t)w[1];
		pd->ch.pend_total -= w[2];
		w[2] = 0;
		fg_error_clear(&cerr);
		if ((r = pd->h->sample(pd->h->arg, &s, pd->ch.xids, nx,
		    &cerr)) != 0)
			return fg_seterr(pd->err, r, "%s: %s", pd->name,
			    cerr.code ? cerr.msg : fg_strerror(r));
	}
	pd->ch.nfresh = 0;
	return 0;
nomem:
	return fg_seterr(pd->err, FG_ENOMEM, "%s: out of memory", pd->name);
}

/* One call of the sample hook for entry e with its summed weight. */
static int
deliver_one(struct pd *pd, size_t e)
{
	struct fg_pd_sample s;
	struct fg_error cerr;
	uint64_t *w = pd->ch.ckeys + e;
	int r;

	if (w[2] == 0)		/* went with the entry's first add */
		return 0;
	memset(&s, 0, sizeof(s));
	s.period = w[2];
	s.stack_key = (uint32_t)w[1];
	pd->ch.pend_total -= w[2];
	w[2] = 0;
	fg_error_clear(&cerr);
	if ((r = pd->h->sample(pd->h->arg, &s, NULL, 0, &cerr)) != 0)
		return fg_seterr(pd->err, r, "%s: %s", pd->name, cerr.code ?
		    cerr.msg : fg_strerror(r));
	return 0;
}

/*
 * Summing (pd->ch.sum): deliver what the chain entries hold, one sample
 * hook call per entry that gained weight since the last delivery, with
 * no ids: the entry's first sample went to the hook with them, so its
 * stack is in the model (in the order first samples came, as without
 * summing) and its stack_key names it.
 */
static int
deliver(struct pd *pd)
{
	size_t i;
	int r;

	for (i = 0; i < pd->ch.ndirty; i++)
		if ((r = deliver_one(pd, pd->ch.dirty[i])) != 0)
			return r;
	pd->ch.ndirty = 0;
	return 0;
}

/*
 * Summing: add the weight of a sample of an existing entry e to it, or
 * tell the caller to call the hook itself (*direct), after delivering
 * what is pending when its weight with what the model and the entries
 * hold would pass UINT64_MAX (the model then fails it with the sample's
 * offset, as without summing).
 */
static int
sum_sample(struct pd *pd, size_t e, uint64_t period, int *direct)
{
	uint64_t *w;

	*direct = 0;
	if (period > UINT64_MAX - pd->ch.pend_total - fg_stacks_total(pd->st)) {
		int r;
		*direct = 1;
		if ((r = finish_defer(pd)) != 0)
			return r;
		return deliver(pd);
	}
	w = pd->ch.ckeys + e;
	if (w[2] == 0 && period != 0) {
		if (pd->ch.ndirty == pd->ch.capdirty) {
			size_t nc = pd->ch.capdirty ? pd->ch.capdirty * 2 : 1024;
			size_t *n = reallocarray(pd->ch.dirty, nc, sizeof(*n));
			if (n == NULL) {
				*direct = 1;
				return 0;
			}
			pd->ch.dirty = n;
			pd->ch.capdirty = nc;
		}
		pd->ch.dirty[pd->ch.ndirty++] = e;
	}
	w[2] += period;
	pd->ch.pend_total += period;
	return 0;
}

/* Deferring: a new chain entry e, its first sample's weight summed. */
static int
fresh_add(struct pd *pd, size_t e, uint64_t period)
{
	if (pd->ch.nfresh == pd->ch.capfresh) {
		size_t *n = fg_grow(pd->ch.fresh, &pd->ch.capfresh, pd->ch.nfresh + 1,
		    sizeof(*n), 4096);
		if (n == NULL)
			return FG_ENOMEM;
		pd->ch.fresh = n;
	}
	pd->ch.fresh[pd->ch.nfresh++] = e;
	pd->ch.ckeys[e + 2] += period;
	pd->ch.pend_total += period;
	return 0;
}

/* ---- samples --------------------------------------------------------- */

#define NEED(n) do { if ((size_t)(end - p) < (size_t)(n)) goto short_rec; } while (0)

static int
on_sample(struct pd *pd, const uint8_t *rec, size_t len, uint64_t off)
{
	const uint8_t *p = rec + 8, *end = rec + len;
	struct fg_pd_sample s;
	struct attr *a;
	struct thread *t;
	const uint64_t *uips = NULL;
	const uint32_t *ids;
	size_t nu = 0, nids, ent;
	uint64_t st;
	int r, direct, made;

	if ((a = rec_attr(pd, rec, len, REC_SAMPLE)) == NULL) {
		warn_rec(pd, off, "sample of no known event");
		return 0;
	}
	if (pd->sm.attr_sel == SIZE_MAX) {
		size_t i;
		const char *want = pd->o->event_filter ? pd->o->event_filter :
		    attr_name(pd, a);
		for (i = 0; i < pd->ev.nattrs; i++)
			if (strcmp(attr_name(pd, &pd->ev.attrs[i]), want) == 0)
				break;
		pd->sm.attr_sel = i;	/* nattrs: no event has that name */
	}
	if (a != &pd->ev.attrs[pd->sm.attr_sel]) {
		if (!pd->sm.filter_warned && pd->sm.attr_sel < pd->ev.nattrs) {
			pd->sm.filter_warned = 1;
			fg_warnf(&pd->df.wwarn, "%s: filtering for events of "
			    "type: %s", pd->name,
			    attr_name(pd, &pd->ev.attrs[pd->sm.attr_sel]));
		}
		return 0;
	}
	st = a->sample_type;
	/* field by field: a memset of the struct is a slow "rep stos" */
	s.ip = s.time = s.id = s.regs_abi = 0;
	s.pid = s.tid = s.cpu = 0;
	s.comm = NULL;
	s.chain = s.regs = NULL;
	s.stack = NULL;
	s.nchain = s.nregs = s.stack_len = 0;
	s.period = 1;
	s.stack_key = UINT32_MAX;
	s.offset = off;
	s.misc = rd16(rec + 4);
	s.event = attr_name(pd, a);
	s.regs_mask = a->regs_user;
	if (st & ST_IDENTIFIER) { NEED(8); s.id = rd64(p); p += 8; }
	if (st & ST_IP) { NEED(8); s.ip = rd64(p); p += 8; }
	if (st & ST_TID) { NEED(8); s.pid = rd32(p); s.tid = rd32(p + 4); p += 8; }
	if (st & ST_TIME) { NEED(8); s.time = rd64(p); p += 8; }
	if (st & ST_ADDR) { NEED(8); p += 8; }
	if (st & ST_ID) { NEED(8); s.id = rd64(p); p += 8; }
	if (st & ST_STREAM_ID) { NEED(8); p += 8; }
	if (st & ST_CPU) { NEED(8); s.cpu = rd32(p); p += 8; }
	if (st & ST_PERIOD) { NEED(8); s.period = rd64(p); p += 8; }
	if (st & ST_READ) {
		uint64_t rf = a->read_format, per = 1 + !!(rf & RF_ID) +
		    !!(rf & RF_LOST);
		if (rf & RF_GROUP) {
			uint64_t nr;
			NEED(8);
			nr = rd64(p);
			p += 8;
			p += 0;
			NEED(8 * (!!(rf & RF_ENABLED) + !!(rf & RF_RUNNING)));
			p += 8 * (!!(rf & RF_ENABLED) + !!(rf & RF_RUNNING));
			if (nr > (uint64_t)(end - p) / 8 / per)
				goto short_rec;
			p += nr * per * 8;
		} else {
			size_t k = 8 * (1 + !!(rf & RF_ENABLED) +
			    !!(rf & RF_RUNNING) + !!(rf & RF_ID) + !!(rf & RF_LOST));
			NEED(k);
			p += k;
		}
	}
	if (st & ST_CALLCHAIN) {
		uint64_t nr;
		NEED(8);
		nr = rd64(p);
		p += 8;
		if (nr > (uint64_t)(end - p) / 8) {
			warn_rec(pd, off, "callchain of %llu entries runs past "
			    "the record (%zu bytes)", (unsigned long long)nr, len);
			return 0;
		}
		s.chain = (const uint64_t *)(const void *)p;
		s.nchain = (size_t)nr;
		p += nr * 8;
	}
	if (st & ST_RAW) {
		uint32_t sz;
		NEED(4);
		sz = rd32(p);
		NEED((size_t)sz + 4);
		p += 4 + sz;
	}
	if (st & ST_BRANCH_STACK) {
		uint64_t nr;
		NEED(8);
		nr = rd64(p);
		p += 8;
		if (a->branch_type & (1ULL << 17)) {
			NEED(8);
			p += 8;
		}
		if (nr > (uint64_t)(end - p) / 24)
			goto short_rec;
		p += nr * 24;
	}
	if (st & ST_REGS_USER) {
		NEED(8);
		s.regs_abi = rd64(p);
		p += 8;
		if (s.regs_abi != 0) {
			size_t nr = (size_t)__builtin_popcountll(a->regs_user);
			NEED(nr * 8);
			s.regs = (const uint64_t *)(const void *)p;
			s.nregs = nr;
			p += nr * 8;
		}
	}
	if (st & ST_STACK_USER) {
		uint64_t sz;
		NEED(8);
		sz = rd64(p);
		p += 8;
		if (sz > (uint64_t)(end - p))
			goto short_rec;
		s.stack = p;
		s.stack_len = s.stack_size = (size_t)sz;
		p += sz;
		if (sz != 0) {
			uint64_t dyn;
			NEED(8);
			dyn = rd64(p);
			if (dyn < sz)
				s.stack_len = s.stack_size = (size_t)dyn;
			if (pd->sm.lz != NULL)	/* compact: sz bytes held */
				s.stack_size = (size_t)(dyn < pd->sm.lz->ssz ?
				    dyn : pd->sm.lz->ssz);
		}
	}
	/*
	 * The chain and registers are read in place as u64 arrays; a record
	 * after a perf 6.1 COMPRESSED record (whose size is not a multiple
	 * of 8) is not aligned: copy them then.
	 */
	if ((s.chain != NULL && ((uintptr_t)s.chain & 7) != 0) ||
	    (s.regs != NULL && ((uintptr_t)s.regs & 7) != 0)) {
		size_t need = s.nchain + s.nregs;
		if (need > pd->sm.nalign) {
			uint64_t *n = reallocarray(pd->sm.align, need, 8);
			if (n == NULL)
				return fg_seterr(pd->err, FG_ENOMEM, "%s: out of "
				    "memory", pd->name);
			pd->sm.align = n;
			pd->sm.nalign = need;
		}
		if (s.chain != NULL) {
			memcpy(pd->sm.align, s.chain, s.nchain * 8);
			s.chain = pd->sm.align;
		}
		if (s.regs != NULL) {
			memcpy(pd->sm.align + s.nchain, s.regs, s.nregs * 8);
			s.regs = pd->sm.align + s.nchain;
		}
	}
	if ((t = thread_get(pd, s.pid, s.tid)) == NULL)
		return fg_seterr(pd->err, FG_ENOMEM, "%s: out of memory",
		    pd->name);
	s.comm = t->comm;
	if ((st & ST_REGS_USER) && (st & ST_STACK_USER) &&
	    (a->flags & ATTR_EXCLUDE_CALLCHAIN_USER)) {
		pd->sm.stkheld = 0;
		if ((r = unwind_user(pd, t, &s, &nu)) != 0)
			return r;
		uips = pd->sm.uips;
		if (pd->sm.stkheld > s.stack_len) {	/* fetched more */
			s.stack = pd->sm.stk;
			s.stack_len = pd->sm.stkheld < s.stack_size ? pd->sm.stkheld :
			    s.stack_size;
		}
	}
	if ((r = sample_ids(pd, t, &s, uips, nu, &ids, &nids,
	    &s.stack_key, &ent, &made)) != 0)
		return fg_seterr(pd->err, r, "%s: out of memory", pd->name);
	if (pd->ch.sum && ent != SIZE_MAX && !made) {
		if ((r = sum_sample(pd, ent, s.period, &direct)) != 0)
			return r;
		if (!direct)
			return 0;
	} else if (pd->df.on) {
		/* a new chain: to the model after the walk, if it can wait */
		if (++pd->df.nnew != pd->df.end_at && ent != SIZE_MAX &&
		    s.period <= UINT64_MAX - pd->ch.pend_total -
		    fg_stacks_total(pd->st) && fresh_add(pd, ent, s.period) == 0)
			return 0;
		if ((r = finish_defer(pd)) != 0 ||
		    (r = deliver(pd)) != 0)
			return r;
		if (expand_ids(pd, ids, nids, &nids) != 0)
			return fg_seterr(pd->err, FG_ENOMEM, "%s: out of "
			    "memory", pd->name);
		ids = pd->ch.xids;
	}
	{
		struct fg_error cerr;

		fg_error_clear(&cerr);
		if ((r = pd->h->sample(pd->h->arg, &s, ids, nids,
		    &cerr)) != 0)
			return fg_seterr(pd->err, r, "%s: sample at 0x%llx: %s",
			    pd->name, (unsigned long long)off, cerr.code ?
			    cerr.msg : fg_strerror(r));
	}
	return 0;
short_rec:
	warn_rec(pd, off, "sample of %zu bytes shorter than its fields", len);
	return 0;
}

/* ---- dispatch and ordering ------------------------------------------- */

static int
dispatch(struct pd *pd, const uint8_t *rec, size_t len, uint64_t off,
    const struct dbuf *db)
{
	uint32_t type = rd32(rec);
	int r;

	switch (type) {
	case REC_SAMPLE:
		pd->sm.lz = db != NULL && db->ssz != 0 ? db : NULL;
		r = on_sample(pd, rec, len, off);
		pd->sm.lz = NULL;
		return r;
	case REC_MMAP:
		return on_mmap(pd, rec, len, off, 0);
	case REC_MMAP2:
		return on_mmap(pd, rec, len, off, 1);
	case REC_COMM:
		return on_comm(pd, rec, len, off);
	case REC_FORK:
		return on_fork(pd, rec, len, off);
	case REC_LOST:
		if (len >= 24) {
			pd->stat.lost += rd64(rec + 16);
			pd->stat.nlost++;
		}
		return 0;
	case REC_LOST_SAMPLES:
		/* perf's count; not the samples a BPF filter dropped */
		if (len >= 16 && !(rd16(rec + 4) & MISC_LOST_SAMPLES_BPF))
			pd->stat.lost_samples += rd64(rec + 8);
		return 0;
	}
	return 0;
}

/* A block of cap bytes with the filler's reference, or NULL. */
static struct dbuf *
db_new(size_t cap)
{
	struct dbuf *db;

	if ((db = calloc(1, sizeof(*db))) == NULL ||
	    (db->d = malloc(cap)) == NULL) {
		free(db);
		return NULL;
	}
	db->cap = cap;
	atomic_init(&db->refs, 1);
	return db;
}

static void
db_ref(struct dbuf *db)
{
	if (db != NULL)
		atomic_fetch_add_explicit(&db->refs, 1, memory_order_relaxed);
}

static void
db_release(struct pd *pd, struct dbuf *db)
{
	if (db != NULL && atomic_fetch_sub_explicit(&db->refs, 1,
	    memory_order_acq_rel) == 1) {
		atomic_fetch_sub(&pd->in.pinned, db->cap);
		free(db->d);
		free(db);
	}
}

/* Done filling db: it lives on while records point into it. */
static void
db_close(struct pd *pd, struct dbuf *db)
{
	atomic_fetch_add(&pd->in.pinned, db->cap);
	db_release(pd, db);
}

static int
qent_cmp(const void *a, const void *b)
{
	const struct qent *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static inline int
qent_before(const struct qent *x, const struct qent *y)
{
	return x->time < y->time || (x->time == y->time && x->seq < y->seq);
}

/* The end of the ascending run that starts at i. */
static size_t
qrun_end(const struct qent *q, size_t i, size_t n)
{
	for (i++; i < n && !qent_before(&q[i], &q[i - 1]); i++)
		;
	return i;
}

/*
 * Sort the queue by (time, file order).  The queue is a few ascending
 * runs (what the last flush left, then each CPU's buffer of this round
 * in turn): merge neighbouring runs, pass after pass, through a second
 * array that then swaps with the queue; O(n log runs).  (time, seq) is
 * a total order, so the result is what any sort gives.
 */
static int
qsort_runs(struct pd *pd)
{
	struct qent *src = pd->od.q, *dst, *t;
	size_t n = pd->od.nq, i, a, b, x, y, k;
	size_t nruns;

	if (n < 2 || qrun_end(src, 0, n) == n)
		return 0;
	if (pd->od.capqt < pd->od.capq) {
		free(pd->od.qt);
		pd->od.capqt = 0;
		if ((pd->od.qt = reallocarray(NULL, pd->od.capq,
		    sizeof(*pd->od.qt))) == NULL) {
			qsort(pd->od.q, n, sizeof(*pd->od.q), qent_cmp);
			return 0;
		}
		pd->od.capqt = pd->od.capq;
	}
	dst = pd->od.qt;
	do {
		nruns = 0;
		for (i = 0; i < n; i = b, nruns++) {
			a = qrun_end(src, i, n);
			b = a < n ? qrun_end(src, a, n) : n;
			for (x = i, y = a, k = i; x < a && y < b; k++)
				dst[k] = qent_before(&src[y], &src[x]) ?
				    src[y++] : src[x++];
			if (x < a)
				memcpy(dst + k, src + x, (a - x) * sizeof(*dst));
			else if (y < b)
				memcpy(dst + k, src + y, (b - y) * sizeof(*dst));
		}
		t = src;
		src = dst;
		dst = t;
	} while (nruns > 1);
	if (src != pd->od.q) {	/* the sorted array becomes the queue */
		size_t c = pd->od.capq;
		pd->od.qt = pd->od.q;
		pd->od.q = src;
		pd->od.capq = pd->od.capqt;
		pd->od.capqt = c;
	}
	return 0;
}

/* Deliver the queued records with time <= limit, in time order. */
static int
flush(struct pd *pd, uint64_t limit)
{
	size_t i, o;
	int r = 0;

	if (pd->od.nq == 0)
		return 0;
	qsort_runs(pd);
	for (i = 0; i < pd->od.nq && pd->od.q[i].time <= limit; i++) {
		if (r == 0)
			r = dispatch(pd, pd->od.q[i].rec, pd->od.q[i].len,
			    pd->od.q[i].off, pd->od.q[i].db);
		db_release(pd, pd->od.q[i].db);
	}
	for (o = 0; i < pd->od.nq; i++)
		pd->od.q[o++] = pd->od.q[i];
	pd->od.nq = o;
	return r;
}

static int
queue(struct pd *pd, const uint8_t *rec, size_t len, uint64_t off,
    struct dbuf *db)
{
	uint64_t t;
	uint32_t type = rd32(rec);

	if (!pd->ev.ordered || !rec_time(pd, rec, len, type, &t))
		return dispatch(pd, rec, len, off, db);
	if (atomic_load_explicit(&pd->in.pinned, memory_order_relaxed) >
	    PIN_MAX && pd->od.nq > 1) {
		/* bounded memory: the same for the bytes queued */
		int r;
		qsort(pd->od.q, pd->od.nq, sizeof(*pd->od.q), qent_cmp);
		if ((r = flush(pd, pd->od.q[pd->od.nq / 2].time)) != 0)
			return r;
	}
	if (pd->od.nq == pd->od.capq) {
		size_t nc = pd->od.capq ? pd->od.capq * 2 : 4096;
		struct qent *q;
		if (pd->od.nq >= (4u << 20)) {
			/* bounded memory: deliver the older half now */
			int r;
			qsort_runs(pd);
			if ((r = flush(pd, pd->od.q[pd->od.nq / 2].time)) != 0)
				return r;
		} else {
			if ((q = reallocarray(pd->od.q, nc, sizeof(*q))) == NULL)
				return fg_seterr(pd->err, FG_ENOMEM, "%s: out "
				    "of memory", pd->name);
			pd->od.q = q;
			pd->od.capq = nc;
		}
	}
	pd->od.q[pd->od.nq].time = t;
	pd->od.q[pd->od.nq].seq = pd->od.seq++;
	pd->od.q[pd->od.nq].off = off;
	pd->od.q[pd->od.nq].rec = rec;
	pd->od.q[pd->od.nq].len = (uint32_t)len;
	pd->od.q[pd->od.nq].db = db;
	db_ref(db);
	pd->od.nq++;
	if (t > pd->od.max_ts)
		pd->od.max_ts = t;
	return 0;
}

static int handle(struct pd *pd, const uint8_t *rec, size_t len,
    uint64_t off, struct dbuf *db, int nested);

static int
on_compressed(struct pd *pd, const uint8_t *rec, size_t len, uint64_t off)
{
	ZSTD_inBuffer in;
	struct dbuf *db;
	size_t cap, pos, r;
	int rr = 0;

	if (pd->od.zs == NULL) {
		if ((pd->od.zs = ZSTD_createDStream()) == NULL)
			return fg_seterr(pd->err, FG_ENOMEM, "%s: out of "
			    "memory", pd->name);
		ZSTD_initDStream(pd->od.zs);
	}
	cap = pd->od.nleft + (len - 8) * 4 + 65536;
	if ((db = db_new(cap)) == NULL)
		return fg_seterr(pd->err, FG_ENOMEM, "%s: out of memory",
		    pd->name);
	if (pd->od.nleft > 0)
		memcpy(db->d, pd->od.left, pd->od.nleft);
	db->len = pd->od.nleft;
	pd->od.nleft = 0;
	in.src = rec + 8;
	in.size = len - 8;
	in.pos = 0;
	if (rd32(rec) == REC_COMPRESSED2) {
		/* perf >= 6.13: the compressed size, then 8-byte padding */
		uint64_t dsz = len >= 16 ? rd64(rec + 8) : UINT64_MAX;
		if (dsz > len - 16) {
			warn_rec(pd, off, "compressed size %llu past the record",
			    (unsigned long long)dsz);
			db->len = 0;
			goto out;
		}
		in.src = rec + 16;
		in.size = (size_t)dsz;
	}
	/*
	 * Until the input is used up and the decoder has stopped filling the
	 * output: with a full output buffer it may hold back data even when
	 * all the input is read.
	 */
	for (;;) {
		ZSTD_outBuffer out;

		if (db->len == cap) {
			uint8_t *n;
			if (cap >= MAX_DECOMP) {
				rr = fg_seterr(pd->err, FG_ELIMIT, "%s: "
				    "compressed record at 0x%llx inflates past "
				    "%u MiB", pd->name, (unsigned long long)off,
				    MAX_DECOMP >> 20);
				goto out;
			}
			if ((n = realloc(db->d, cap * 2)) == NULL) {
				rr = fg_seterr(pd->err, FG_ENOMEM, "%s: out of "
				    "memory", pd->name);
				goto out;
			}
			db->d = n;
			cap *= 2;
			db->cap = cap;
		}
		out.dst = db->d;
		out.size = cap;
		out.pos = db->len;
		r = ZSTD_decompressStream(pd->od.zs, &out, &in);
		db->len = out.pos;
		if (r == 0 && !ZSTD_isError(r)) {
			/* a frame ended: zero bytes after it are padding */
			const uint8_t *q = (const uint8_t *)in.src + in.pos;
			size_t k = in.size - in.pos;
			while (k > 0 && q[k - 1] == 0)
				k--;
			if (k == 0)
				break;
		}
		if (ZSTD_isError(r)) {
			warn_rec(pd, off, "zstd: %s", ZSTD_getErrorName(r));
			ZSTD_initDStream(pd->od.zs);
			db->len = 0;
			goto out;
		}
		if (in.pos == in.size && out.pos < out.size)
			break;
	}
	/* The records inside; a record cut at the end waits for the next. */
	for (pos = 0; pos + 8 <= db->len;) {
		uint16_t sz = rd16(db->d + pos + 6);
		if (sz < 8) {
			warn_rec(pd, off, "record inside compressed data: "
			    "size %u shorter than its header", sz);
			db->len = pos;
			break;
		}
		if (sz > db->len - pos)
			break;
		if ((rr = handle(pd, db->d + pos, sz, off, db, 1)) != 0)
			goto out;
		pos += sz;
	}
	if (pos < db->len) {
		uint8_t *n = realloc(pd->od.left, db->len - pos);
		if (n == NULL) {
			rr = fg_seterr(pd->err, FG_ENOMEM, "%s: out of memory",
			    pd->name);
			goto out;
		}
		pd->od.left = n;
		memcpy(pd->od.left, db->d + pos, db->len - pos);
		pd->od.nleft = db->len - pos;
	}
out:
	db_close(pd, db);
	return rr;
}

static int
handle(struct pd *pd, const uint8_t *rec, size_t len, uint64_t off,
    struct dbuf *db, int nested)
{
	uint32_t type = rd32(rec);

	if (type == REC_FINISHED_ROUND) {
		int r = flush(pd, pd->od.next_flush);
		pd->od.next_flush = pd->od.max_ts;
		return r;
	}
	if (type == REC_COMPRESSED || type == REC_COMPRESSED2) {
		if (nested) {
			warn_rec(pd, off, "compressed record inside "
			    "compressed data");
			return 0;
		}
		return on_compressed(pd, rec, len, off);
	}
	if (type == 0 || (type > REC_KERNEL_MAX && type < REC_USER_FIRST) ||
	    type > REC_USER_MAX) {
		pd->stat.nunknown++;
		warn_rec(pd, off, "unknown record type %u", type);
		return 0;
	}
	if (type >= REC_USER_FIRST)
		return 0;
	return queue(pd, rec, len, off, db);
}

/* ---- input ---------------------------------------------------------- */

/*
 * pread() for the reader.  Reading a few KiB every 33 KB defeats the
 * kernel's readahead: on a file not in the page cache every read would
 * wait for its own small request (2.1-2.5 s for the benchmark's dwarf
 * recording, where the mapping read it all in 1 s).  So when a read
 * past the part already asked for would block (RWF_NOWAIT says so), the
 * next RA_COLD bytes are asked for first (POSIX_FADV_WILLNEED: big
 * requests, in the background); on a cached file that costs one flag.
 */
static ssize_t
file_read(struct pd *pd, void *buf, size_t n, uint64_t off)
{
	struct iovec iov;
	ssize_t k;

	if (off + n > pd->in.ra_end) {
		iov.iov_base = buf;
		iov.iov_len = n;
		k = preadv2(pd->in.fd, &iov, 1, (off_t)off, RWF_NOWAIT);
		if (k >= 0 && (size_t)k == n)
			return k;
		if (k < 0 && errno != EAGAIN && errno != EOPNOTSUPP &&
		    errno != EINVAL)
			return k;
		(void)posix_fadvise(pd->in.fd, (off_t)off, RA_COLD,
		    POSIX_FADV_WILLNEED);
		pd->in.ra_end = off + RA_COLD;
	}
	return pread(pd->in.fd, buf, n, (off_t)off);
}

/*
 * Make the file's bytes [off, off + n) readable at *p.  In memory they
 * are there; from a file they come from the window, which is refilled
 * by one read at off of at least ra bytes (up to the end of the data,
 * dend) when they are not all in it.  A window that queued records
 * still point into is left to them and a new one is read.
 */
static int
src_get(struct pd *pd, uint64_t off, size_t n, size_t ra, const uint8_t **p)
{
	struct dbuf *w = pd->in.win;
	size_t want, got;

	if (pd->in.fd < 0 || pd->in.usemap) {
		*p = pd->buf + off;
		return 0;
	}
	if (w != NULL && off >= pd->in.woff && off - pd->in.woff <= w->len &&
	    n <= w->len - (size_t)(off - pd->in.woff)) {
		*p = w->d + (off - pd->in.woff);
		return 0;
	}
	want = n > ra ? n : ra;
	if (want > pd->in.dend - off)
		want = (size_t)(pd->in.dend - off);
	if (w != NULL && (atomic_load_explicit(&w->refs,
	    memory_order_acquire) > 1 || w->cap < want)) {
		db_close(pd, w);
		pd->in.win = w = NULL;
	}
	if (w == NULL && (pd->in.win = w = db_new(want > HEAD_RA ? want :
	    HEAD_RA)) == NULL)
		return fg_seterr(&pd->in.rerr, FG_ENOMEM, "%s: out of memory",
		    pd->name);
	pd->in.woff = off;
	w->len = 0;
	for (got = 0; got < want;) {
		ssize_t k = file_read(pd, w->d + got, want - got,
		    off + got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return fg_seterr_sys(&pd->in.rerr, FG_EIO, errno,
			    "%s: read at 0x%llx", pd->name,
			    (unsigned long long)off);
		if (k == 0)
			break;
		got += (size_t)k;
	}
	w->len = got;
	if (got < n)
		return fg_seterr(&pd->in.rerr, FG_EIO, "%s: read at 0x%llx: the "
		    "file ends early (changed while read?)", pd->name,
		    (unsigned long long)off);
	*p = w->d;
	return 0;
}

/*
 * Where a sample's PERF_SAMPLE_STACK_USER size is (the layout on_sample()
 * parses), when the fields before it lie in rec[0 .. len): 0, else -1.
 */
static int
stack_field(const struct attr *a, const uint8_t *rec, size_t len,
    size_t *pos)
{
	uint64_t st = a->sample_type, rf = a->read_format, nr;
	size_t p = 8 + 8 * (!!(st & ST_IDENTIFIER) + !!(st & ST_IP) +
	    !!(st & ST_TID) + !!(st & ST_TIME) + !!(st & ST_ADDR) +
	    !!(st & ST_ID) + !!(st & ST_STREAM_ID) + !!(st & ST_CPU) +
	    !!(st & ST_PERIOD));

	if ((st & ST_READ) && (rf & RF_GROUP)) {
		if (p + 8 > len || (nr = rd64(rec + p)) > len)
			return -1;
		p += 8 + 8 * (!!(rf & RF_ENABLED) + !!(rf & RF_RUNNING)) +
		    (size_t)nr * 8 * (1 + !!(rf & RF_ID) + !!(rf & RF_LOST));
	} else if (st & ST_READ)
		p += 8 * (1 + !!(rf & RF_ENABLED) + !!(rf & RF_RUNNING) +
		    !!(rf & RF_ID) + !!(rf & RF_LOST));
	if (st & ST_CALLCHAIN) {
		if (p + 8 > len || (nr = rd64(rec + p)) > len)
			return -1;
		p += 8 + (size_t)nr * 8;
	}
	if (st & ST_RAW) {
		if (p + 4 > len)
			return -1;
		p += 4 + (size_t)rd32(rec + p);
	}
	if (st & ST_BRANCH_STACK) {
		if (p + 8 > len || (nr = rd64(rec + p)) > len)
			return -1;
		p += 8 + ((a->branch_type & (1ULL << 17)) ? 8 : 0) +
		    (size_t)nr * 24;
	}
	if (st & ST_REGS_USER) {
		if (p + 8 > len)
			return -1;
		if (rd64(rec + p) != 0)
			p += 8 * (size_t)__builtin_popcountll(a->regs_user);
		p += 8;
	}
	if (!(st & ST_STACK_USER) || p > len || len - p < 8)
		return -1;
	*pos = p;
	return 0;
}

/*
 * A big sample (a --call-graph dwarf stack copy) from a file, read in
 * two parts: its head (the fields, the registers and the top of the
 * stack, HEAD_RA bytes in all) and its tail (dyn_size and any fields
 * after it, read with the head of the next record), copied into one
 * compact record whose stack copy is cut after the bytes held; the
 * unwinder reads the rest from the file only if it goes that deep
 * (stack_fetch()).  Anything unusual reads the whole record.
 */
static int
sparse_sample(struct pd *pd, uint64_t off, size_t len, struct item *it)
{
	const uint8_t *rec, *t;
	struct attr *a;
	struct dbuf *db;
	size_t hl, pos, held, keep, tl;
	uint64_t sz;
	int r;

	pd->in.sparse = 16;
	if ((r = src_get(pd, off, len < HEAD_MIN ? len : HEAD_MIN, HEAD_RA,
	    &rec)) != 0)
		return r;
	hl = pd->in.win->len - (size_t)(off - pd->in.woff);
	if (hl > len)
		hl = len;
	if ((a = rec_attr(pd, rec, hl, REC_SAMPLE)) == NULL ||
	    stack_field(a, rec, hl, &pos) != 0)
		goto whole;
	sz = rd64(rec + pos);
	held = hl - pos - 8;
	if (sz > len - pos - 8 || held >= sz || held < 8 ||
	    (tl = len - pos - 8 - (size_t)sz) < 8)
		goto whole;
	keep = pos + 8 + held;
	if ((db = db_new(keep + tl)) == NULL)
		return fg_seterr(&pd->in.rerr, FG_ENOMEM, "%s: out of memory",
		    pd->name);
	memcpy(db->d, rec, keep);
	db->sfoff = off + pos + 8;
	db->ssz = sz;
	if ((r = src_get(pd, off + pos + 8 + sz, tl, tl + HEAD_RA, &t)) != 0) {
		db_close(pd, db);
		return r;
	}
	memcpy(db->d + keep, t, tl);
	db->len = keep + tl;
	sz = held;
	memcpy(db->d + pos, &sz, 8);
	atomic_fetch_add(&pd->in.pinned, db->cap);	/* the item's reference */
	it->rec = db->d;
	it->len = (uint32_t)db->len;
	it->db = db;
	it->ref = 1;
	return 0;
whole:
	if ((r = src_get(pd, off, len, WIN_RA, &rec)) != 0)
		return r;
	it->rec = rec;
	it->len = (uint32_t)len;
	it->db = pd->in.win;
	if ((it->ref = pd->rt.threaded && it->db != NULL))
		db_ref(it->db);
	return 0;
}

/*
 * The unwinder's reads past the part of a compact sample's stack that is
 * held: the copy continues in the file; read up to need and FETCH_RA more.
 */
static int
stack_fetch(void *arg, size_t need, const unsigned char **stack,
    size_t *held)
{
	struct pd *pd = arg;
	size_t want = need + FETCH_RA, got;

	if (pd->sm.lz == NULL || need > pd->sm.lz->ssz)
		return -1;
	if (want > pd->sm.lz->ssz)
		want = (size_t)pd->sm.lz->ssz;
	if (want > pd->sm.stkcap) {
		uint8_t *n = realloc(pd->sm.stk, want);
		if (n == NULL)
			return -1;
		if (*stack == pd->sm.stk)
			*stack = n;
		pd->sm.stk = n;
		pd->sm.stkcap = want;
	}
	if (*stack != pd->sm.stk)
		memcpy(pd->sm.stk, *stack, *held);
	*stack = pd->sm.stk;
	for (got = *held; got < want;) {
		ssize_t k = pread(pd->in.fd, pd->sm.stk + got, want - got,
		    (off_t)(pd->sm.lz->sfoff + got));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		got += (size_t)k;
	}
	*held = pd->sm.stkheld = got;
	if (got < need) {
		if (!pd->sm.stkwarned)
			fg_warnf(&pd->df.wwarn, "%s: stack copy at 0x%llx: read "
			    "failed: chain cut", pd->name,
			    (unsigned long long)pd->sm.lz->sfoff);
		pd->sm.stkwarned = 1;
		return -1;
	}
	return 0;
}

/*
 * The reader: the next record of the data section into *it, reading it
 * (or the parts of it that are used) from the file.  Runs on the reader
 * thread when there is one, else in the walk; touches only the reader's
 * fields of pd and the header's (read-only) attributes.
 */
static void
next_rec(struct pd *pd, struct item *it)
{
	uint64_t off = pd->in.roff, end = pd->in.dend, size;
	const uint8_t *rec;
	size_t len, ra = pd->in.sparse > 0 ? HEAD_RA : WIN_RA;
	int r;

	memset(it, 0, sizeof(*it));
	it->off = off;
	if (off >= end)
		return;
	if (end - off < 8) {
		snprintf(pd->in.rmsg, sizeof(pd->in.rmsg), "%llu bytes left, less "
		    "than a record header: file truncated?",
		    (unsigned long long)(end - off));
		it->end = 1;
		return;
	}
	if ((r = src_get(pd, off, 8, ra, &rec)) != 0) {
		it->end = r;
		return;
	}
	size = len = rd16(rec + 6);
	if (size < 8) {
		it->end = fg_seterr(&pd->in.rerr, FG_EPARSE, "%s: record at "
		    "0x%llx: size %llu shorter than its header", pd->name,
		    (unsigned long long)off, (unsigned long long)size);
		return;
	}
	if (rd32(rec) == REC_AUXTRACE && size >= 16) {
		uint64_t aux = rd64(rec + 8);
		if (aux > end - off)
			aux = end - off;
		size += aux;
	}
	if (size > end - off) {
		snprintf(pd->in.rmsg, sizeof(pd->in.rmsg), "size %llu runs past the "
		    "end of the data (0x%llx): file truncated?",
		    (unsigned long long)size, (unsigned long long)end);
		it->end = 1;
		return;
	}
	if (pd->in.fd >= 0 && rd32(rec) == REC_SAMPLE && len >= BIG_SAMPLE) {
		pd->in.usemap = 0;		/* pread from here on */
		r = sparse_sample(pd, off, len, it);
	} else if ((r = src_get(pd, off, len, ra, &rec)) == 0) {
		it->rec = rec;
		it->len = (uint32_t)len;
		it->db = pd->in.win;
		if ((it->ref = pd->rt.threaded && it->db != NULL))
			db_ref(it->db);
	}
	if (r != 0) {
		if (it->ref)
			db_release(pd, it->db);
		memset(it, 0, sizeof(*it));
		it->off = off;
		it->end = r;
		return;
	}
	if (pd->in.sparse > 0)
		pd->in.sparse--;
	pd->in.roff = off + size;
}

/*
 * The reader thread: records into the ring, BATCH at a time, until the
 * end of the records or a stop from the walk.
 */
static void *
reader_main(void *arg)
{
	struct pd *pd = arg;
	struct item b[BATCH];
	size_t n = 0, i;
	int done = 0;

	while (!done) {
		next_rec(pd, &b[n]);
		done = b[n++].rec == NULL;
		if (n < BATCH && !done)
			continue;
		pthread_mutex_lock(&pd->rt.mu);
		while (pd->rt.count + n > RING && !pd->rt.stop) {
			pd->rt.wwait = 1;
			pthread_cond_wait(&pd->rt.wcv, &pd->rt.mu);
		}
		if (pd->rt.stop) {
			pthread_mutex_unlock(&pd->rt.mu);
			break;
		}
		for (i = 0; i < n; i++)
			pd->rt.ring[(pd->rt.head + pd->rt.count + i) % RING] = b[i];
		pd->rt.count += n;
		n = 0;
		if (pd->rt.rwait) {
			pd->rt.rwait = 0;
			pthread_cond_signal(&pd->rt.rcv);
		}
		pthread_mutex_unlock(&pd->rt.mu);
	}
	for (i = 0; i < n; i++)		/* stopped: what was not passed on */
		if (b[i].ref)
			db_release(pd, b[i].db);
	return NULL;
}

/* Up to max records from the reader into b (at least one). */
static size_t
take(struct pd *pd, struct item *b, size_t max)
{
	size_t n, i;

	if (!pd->rt.threaded) {
		next_rec(pd, &b[0]);
		return 1;
	}
	pthread_mutex_lock(&pd->rt.mu);
	while (pd->rt.count == 0) {
		pd->rt.rwait = 1;
		pthread_cond_wait(&pd->rt.rcv, &pd->rt.mu);
	}
	n = pd->rt.count < max ? pd->rt.count : max;
	for (i = 0; i < n; i++)
		b[i] = pd->rt.ring[(pd->rt.head + i) % RING];
	pd->rt.head = (pd->rt.head + n) % RING;
	pd->rt.count -= n;
	if (pd->rt.wwait && pd->rt.count <= RING / 2) {	/* room for a while */
		pd->rt.wwait = 0;
		pthread_cond_signal(&pd->rt.wcv);
	}
	pthread_mutex_unlock(&pd->rt.mu);
	return n;
}

/*
 * Go on reading on a thread: at the first big sample, when reading them
 * in parts (most of the reader's time, in system calls) is worth
 * overlapping with the walk; dense records are not.
 */
static void
reader_start(struct pd *pd)
{
	pd->rt.nothread = 1;	/* one try */
	if (pthread_mutex_init(&pd->rt.mu, NULL) != 0)
		return;
	if (pthread_cond_init(&pd->rt.rcv, NULL) != 0) {
		pthread_mutex_destroy(&pd->rt.mu);
		return;
	}
	if (pthread_cond_init(&pd->rt.wcv, NULL) != 0) {
		pthread_cond_destroy(&pd->rt.rcv);
		pthread_mutex_destroy(&pd->rt.mu);
		return;
	}
	pd->rt.threaded = 1;	/* before the reader reads it */
	if (pthread_create(&pd->rt.th, NULL, reader_main, pd) != 0) {
		pd->rt.threaded = 0;
		pthread_cond_destroy(&pd->rt.wcv);
		pthread_cond_destroy(&pd->rt.rcv);
		pthread_mutex_destroy(&pd->rt.mu);
	}
}

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22	/* Linux 5.14 */
#endif
#define POP_STEP	(1u << 20)

/*
 * Map the pages of a dense recording ahead of the walk, on another
 * core: the walk then takes no page faults on the file (~1.2 ms for
 * 12 MB here, a fault per 64 KB of fault-around).  A kernel without
 * MADV_POPULATE_READ: a read per page does the same.
 */
static void *
populate_main(void *arg)
{
	struct pd *pd = arg;
	size_t off, i;

	for (off = pd->hp.pop_from; off < pd->hp.pop_to; off += POP_STEP) {
		size_t n = pd->hp.pop_to - off < POP_STEP ? pd->hp.pop_to - off :
		    POP_STEP;
		volatile uint8_t sink = 0;

		if (madvise((void *)(uintptr_t)(pd->buf + off), n,
		    MADV_POPULATE_READ) == 0)
			continue;
		for (i = 0; i < n; i += 4096)
			sink ^= pd->buf[off + i];
		(void)sink;
	}
	return NULL;
}

/*
 * From 1 MB into the data on (the walk faults in the start itself): a
 * file read through its mapping, whole (no big samples read in parts,
 * no pages given back behind the walk: at most DROP_STEP).
 */
static void
populate_start(struct pd *pd, uint64_t doff, uint64_t dsize)
{
	size_t i, from, to;

	if (pd->in.fd < 0 || !pd->in.usemap || pd->len > DROP_STEP ||
	    doff > pd->len || dsize > pd->len - doff)
		return;
	for (i = 0; i < pd->ev.nattrs; i++)
		if (pd->ev.attrs[i].sample_type & ST_STACK_USER)
			return;
	from = (size_t)((doff + POP_STEP) & ~(uint64_t)4095);
	to = (size_t)(doff + dsize);
	if (from >= to || (uintptr_t)pd->buf % 4096 != 0)
		return;
	pd->hp.pop_from = from;
	pd->hp.pop_to = to;
	if (pthread_create(&pd->hp.pop_th, NULL, populate_main, pd) == 0)
		pd->hp.populating = 1;
}

static void
populate_join(struct pd *pd)
{
	if (pd->hp.populating)
		pthread_join(pd->hp.pop_th, NULL);
	pd->hp.populating = 0;
}

/* Stop the reader thread and drop what it passed on. */
static void
reader_stop(struct pd *pd)
{
	if (!pd->rt.threaded)
		return;
	pthread_mutex_lock(&pd->rt.mu);
	pd->rt.stop = 1;
	pthread_cond_signal(&pd->rt.wcv);
	pthread_mutex_unlock(&pd->rt.mu);
	pthread_join(pd->rt.th, NULL);
	for (; pd->rt.count > 0; pd->rt.count--) {
		if (pd->rt.ring[pd->rt.head].ref)
			db_release(pd, pd->rt.ring[pd->rt.head].db);
		pd->rt.head = (pd->rt.head + 1) % RING;
	}
	pthread_mutex_destroy(&pd->rt.mu);
	pthread_cond_destroy(&pd->rt.rcv);
	pthread_cond_destroy(&pd->rt.wcv);
	pd->rt.threaded = 0;
}

/*
 * Bounded memory while records are read through the mapping: give back
 * the pages before both off and the oldest queued record in it.
 */
static void
drop_behind(struct pd *pd, uint64_t off)
{
	uint64_t low = off;
	size_t i;

	for (i = 0; i < pd->od.nq; i++)
		if (pd->od.q[i].db == NULL && pd->od.q[i].off < low)
			low = pd->od.q[i].off;
	low &= ~(uint64_t)(DROP_STEP / 16 - 1);
	if (low > pd->in.dropped) {
		madvise((void *)(uintptr_t)(pd->buf + pd->in.dropped),
		    (size_t)(low - pd->in.dropped), MADV_DONTNEED);
		pd->in.dropped = low;
	}
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
progress(struct pd *pd, uint64_t done, uint64_t total, int force)
{
	uint64_t now;

	if (pd->o->progress == NULL)
		return;
	now = now_ms();
	if (!force && now - pd->stat.last_progress < PROGRESS_MS)
		return;
	pd->stat.last_progress = now;
	pd->o->progress(pd->o->progress_arg, done, total);
}

/*
 * The records in file order from the reader (on a thread from the first
 * big sample on, see reader_start()), each handled in turn; then the
 * queue is delivered.
 */
static int
walk_data(struct pd *pd, uint64_t doff, uint64_t dsize)
{
	struct item b[BATCH];
	size_t n = 0, i = 0;
	int r = 0;

	pd->in.roff = doff;
	pd->in.dend = doff + dsize;
	progress(pd, 0, dsize, 1);
	for (;;) {
		struct item *it;

		if (i == n) {
			n = take(pd, b, BATCH);
			i = 0;
		}
		it = &b[i++];
		if ((pd->stat.nrecs & 1023) == 0) {
			if (pd->o->cancel != NULL && *pd->o->cancel) {
				r = fg_seterr(pd->err, FG_ECANCELED,
				    "%s: canceled", pd->name);
				break;
			}
			progress(pd, it->off - doff, dsize, 0);
		}
		pd->stat.nrecs++;
		if (it->rec == NULL) {
			if (it->end == 1)
				warn_rec(pd, it->off, "%s", pd->in.rmsg);
			else if (it->end < 0) {
				*pd->err = pd->in.rerr;
				r = it->end;
			}
			break;
		}
		if (!pd->rt.threaded && it->db != NULL && it->db->ssz != 0 &&
		    !pd->rt.nothread)
			reader_start(pd);
		r = handle(pd, it->rec, it->len, it->off, it->db, 0);
		if (it->ref)
			db_release(pd, it->db);
		it->ref = 0;
		if (r != 0)
			break;
		if (!pd->rt.threaded && pd->in.fd >= 0 && pd->in.usemap &&
		    it->off - pd->in.dropped >= DROP_STEP)
			drop_behind(pd, it->off);
	}
	for (; i < n; i++)
		if (b[i].ref)
			db_release(pd, b[i].db);
	reader_stop(pd);
	if (r != 0)
		return r;
	if ((r = flush(pd, UINT64_MAX)) != 0)
		return r;
	progress(pd, dsize, dsize, 1);
	return 0;
}

static void
pd_free(struct pd *pd)
{
	size_t i;

	for (i = 0; i < pd->od.nq; i++)
		db_release(pd, pd->od.q[i].db);
	free(pd->od.q);
	free(pd->od.qt);
	if (pd->in.win != NULL)
		db_close(pd, pd->in.win);
	free(pd->sm.stk);
	for (i = 0; i < NBUCKETS; i++) {
		struct proc *p, *pn;
		struct thread *t, *tn;
		for (p = pd->mp.procs[i]; p != NULL; p = pn) {
			pn = p->next;
			free(p->maps);
			free(p);
		}
		for (t = pd->mp.threads[i]; t != NULL; t = tn) {
			tn = t->next;
			free(t);
		}
	}
	if (pd->od.zs != NULL)
		ZSTD_freeDStream(pd->od.zs);
	free(pd->od.left);
	free(pd->ev.attrs);
	free(pd->fc.cache);
	free(pd->fc.pool);
	free(pd->fc.ids);
	free(pd->fc.fr);
	free(pd->fc.front);
	free(pd->ch.chtab);
	free(pd->ch.dirty);
	lw_join(pd);
	warn_flush(pd);
	free(pd->lw.out.names);
	free(pd->lw.later);
	for (i = 0; pd->df.pend != NULL && i < PEND_CHUNKS &&
	    pd->df.pend[i] != NULL; i++)
		free(pd->df.pend[i]);
	free(pd->df.pend);
	free(pd->df.dents);
	free(pd->ch.fresh);
	free(pd->ch.xids);
	if (pd->ch.ckeys != NULL) {
		munmap(pd->ch.ckeys, (size_t)CHAIN_MAX_WORDS * sizeof(uint64_t));
		munmap(pd->ch.cids, (size_t)CHAIN_MAX_IDS * sizeof(uint32_t));
	}
	free(pd->sm.align);
	if (pd->hp.sym_freeing)
		pthread_join(pd->hp.sym_th, NULL);
	fg_unwinder_free(pd->sm.uw);
	fg_buf_free(&pd->fc.work);
	frame_bufs_free(&pd->fc.fb);
	fg_sym_free(pd->sym);
	fg_arena_free(&pd->arena);
}

struct symfree {
	struct fg_symbolizer *sym;
	struct fg_unwinder *uw;
};

static void *
sym_free_main(void *arg)
{
	struct symfree *f = arg;

	fg_unwinder_free(f->uw);
	fg_sym_free(f->sym);
	free(f);
	return NULL;
}

/*
 * Once the frames are named (the last finish_defer: the names are
 * copied into the model), the symbolizer and the unwinder are not used
 * again: free them on a thread while the walk's results go to the model
 * (unmapping the files and their tables is ~1.4 ms for fp.data).
 */
static void
sym_free_start(struct pd *pd)
{
	struct symfree *f;

	if (pd->hp.sym_freeing || (f = malloc(sizeof(*f))) == NULL)
		return;
	f->sym = pd->sym;
	f->uw = pd->sm.uw;
	if (pthread_create(&pd->hp.sym_th, NULL, sym_free_main, f) != 0) {
		free(f);
		return;
	}
	pd->sym = NULL;
	pd->sm.uw = NULL;
	pd->hp.sym_freeing = 1;
}

/* The symbolizer's cache of inflated DWARF (fg_perfdata_opts.cache_dir). */
static void
set_cache_dir(struct fg_symbolizer *sym, const char *dir)
{
	char path[2048];
	const char *e;

	if (dir == NULL) {
		if ((e = getenv("FLAMEGRAPH_CACHE_DIR")) != NULL)
			snprintf(path, sizeof(path), "%s", e);
		else if ((e = getenv("XDG_CACHE_HOME")) != NULL &&
		    e[0] == '/')
			snprintf(path, sizeof(path), "%s/flamegraph", e);
		else if ((e = getenv("HOME")) != NULL && e[0] == '/')
			snprintf(path, sizeof(path), "%s/.cache/flamegraph", e);
		else
			return;
		if (path[0] == '\0' || strlcat(path, "/dwarf", sizeof(path)) >=
		    sizeof(path))
			return;
		dir = path;
	}
	fg_sym_set_cache_dir(sym, dir);
}

/*
 * What was lost, counted as perf counts it (session.c, "Total Lost
 * Samples" in perf report): LOST_SAMPLES records carry the count; perf
 * record (6.0 on) writes them at the end from the kernel's per-event
 * count, which counts the same losses the LOST records of the ring
 * buffer announce, so the two are never added.  A recording without
 * LOST_SAMPLES (an older perf) has only the LOST records: their sum,
 * as events (they count every kind of record), in chunks as perf says.
 */
static void
warn_lost(struct pd *pd)
{
	if (pd->stat.lost_samples > 0)
		fg_warnf(&pd->o->warn, "%s: %llu samples lost", pd->name,
		    (unsigned long long)pd->stat.lost_samples);
	else if (pd->stat.lost > 0)
		fg_warnf(&pd->o->warn, "%s: %llu events lost in %llu chunks "
		    "(the ring buffer was full)", pd->name,
		    (unsigned long long)pd->stat.lost,
		    (unsigned long long)pd->stat.nlost);
}

/*
 * The walk; with keep non-NULL, the reader's state is not freed but
 * left in *keep for pd_free (which may then run beside the caller's
 * next steps).
 */
static int
pd_walk(const uint8_t *buf, size_t len, int fd, int sum, const char *name,
    const struct fg_perfdata_opts *o, struct fg_stacks *st,
    const struct fg_pd_hooks *hooks, struct fg_error *err, struct pd **keep)
{
	struct pd *pd;
	struct fg_perfdata_opts defo;
	uint64_t doff = 0, dsize = 0;
	int r;

	if (o == NULL) {
		fg_perfdata_opts_init(&defo);
		o = &defo;
	}
	if ((pd = calloc(1, sizeof(*pd))) == NULL)
		return fg_seterr(err, FG_ENOMEM, "%s: out of memory", name);
	pd->buf = buf;
	pd->len = len;
	pd->in.fd = fd;
	pd->in.usemap = fd >= 0;
	pd->name = name;
	pd->o = o;
	pd->st = st;
	pd->h = hooks;
	pd->err = err;
	pd->ch.sum = sum && !fg_stacks_keeps_sequence(st);
	/*
	 * Summing into a model, the inline chains are looked up after the
	 * walk: the walk does not wait for the DWARF the helpers load.
	 */
	pd->df.on = pd->ch.sum && !o->no_inline && o->nskip_after == 0 &&
	    hooks->frame == NULL && getenv("FG_NODEFER") == NULL;
	if (getenv("FG_DEFER_END") != NULL)
		pd->df.end_at = strtoull(getenv("FG_DEFER_END"), NULL, 10);
	pd->sm.attr_sel = SIZE_MAX;
	fg_arena_init(&pd->arena);
	fg_buf_init(&pd->fc.work, 1 << 20);
	frame_bufs_init(&pd->fc.fb);
	fg_buf_init(&pd->lw.wsym, 0);
	fg_buf_init(&pd->df.wwalk, 0);
	pd->lw.swarn.fn = sym_warn;
	pd->lw.swarn.arg = pd;
	pd->df.wwarn.fn = walk_warn;
	pd->df.wwarn.arg = pd;
	pd->df.whold = pd->df.on;
	if ((pd->sym = fg_sym_new(&pd->lw.swarn)) == NULL) {
		r = fg_seterr(err, FG_ENOMEM, "%s: out of memory", name);
		goto out;
	}
	if ((pd->fc.front = fg_zalloc(FRONT_SIZE, sizeof(*pd->fc.front))) == NULL) {
		r = fg_seterr(err, FG_ENOMEM, "%s: out of memory", name);
		goto out;
	}
	if (o->buildid_dir != NULL)
		fg_sym_set_debug_dir(pd->sym, o->buildid_dir);
	else if (getenv("HOME") != NULL) {
		char dir[2048];
		snprintf(dir, sizeof(dir), "%s/.debug", getenv("HOME"));
		fg_sym_set_debug_dir(pd->sym, dir);
	}
	set_cache_dir(pd->sym, o->cache_dir);
	if ((r = read_header(pd, &doff, &dsize)) != 0)
		goto out;
	if (fg_sym_prefetch(pd->sym, o->no_inline ? 0 : pd->df.on ? 2 :
	    1) != 0) {
		r = fg_seterr(err, FG_ENOMEM, "%s: out of memory", name);
		goto out;
	}
	pd->ev.ordered = (pd->ev.attrs[0].sample_type & ST_TIME) &&
	    (pd->ev.attrs[0].flags & (1ULL << 18));
	populate_start(pd, doff, dsize);
	r = walk_data(pd, doff, dsize);
	populate_join(pd);
	/* what was summed goes to the model even when the walk stopped */
	if (pd->ch.sum) {
		struct fg_error derr;
		int dr;

		fg_error_clear(&derr);
		pd->err = &derr;
		dr = finish_defer(pd);
		sym_free_start(pd);
		if (dr == 0)
			dr = deliver(pd);
		if (dr != 0 && r == 0) {
			r = dr;
			if (err != NULL)
				*err = derr;
		}
		pd->err = err;
	}
	if (r != 0)
		goto out;
	if (pd->od.nleft > 0)
		fg_warnf(&o->warn, "%s: %zu bytes of a record cut at the end "
		    "of the compressed data (skipped)", name, pd->od.nleft);
	warn_lost(pd);
	if (pd->stat.nwarn > WARN_SHOWN)
		fg_warnf(&o->warn, "%s: %llu records skipped in all", name,
		    (unsigned long long)pd->stat.nwarn);
	if (pd->sm.attr_sel == pd->ev.nattrs && o->event_filter != NULL)
		fg_warnf(&o->warn, "%s: no event named %s", name,
		    o->event_filter);
out:
	if (keep != NULL) {
		*keep = pd;
		return r;
	}
	pd_free(pd);
	free(pd);
	return r;
}

int
fg_pd_walk(const uint8_t *buf, size_t len, const char *name,
    const struct fg_perfdata_opts *o, struct fg_stacks *st,
    const struct fg_pd_hooks *hooks, struct fg_error *err)
{
	return pd_walk(buf, len, -1, 0, name, o, st, hooks, err, NULL);
}

/* The model and, by stack_key, the stack each key was added as (+1). */
struct adder {
	struct fg_stacks *st;
	uint32_t *idx;
	size_t cap;
};

static int
add_sample(void *arg, const struct fg_pd_sample *s, const uint32_t *ids,
    size_t n, struct fg_error *err)
{
	struct adder *ad = arg;
	size_t k = s->stack_key, idx;
	int r;

	if (k < ad->cap && ad->idx[k] != 0)
		return fg_stacks_add_to(ad->st, ad->idx[k] - 1, s->period, 0,
		    err);
	if (ids == NULL)	/* summed: its first add did not remember it */
		return fg_seterr(err, FG_ENOMEM, "stacks: out of memory");
	if ((r = fg_stacks_add_ids_idx(ad->st, ids, n, s->period, 0, &idx,
	    err)) != 0 || s->stack_key == UINT32_MAX || idx >= UINT32_MAX)
		return r;
	if (k >= ad->cap) {
		size_t nc = ad->cap ? ad->cap : 4096;
		uint32_t *t;

		while (nc <= k)
			nc *= 2;
		if ((t = reallocarray(ad->idx, nc, sizeof(*t))) == NULL)
			return 0;	/* only not remembered */
		memset(t + ad->cap, 0, (nc - ad->cap) * sizeof(*t));
		ad->idx = t;
		ad->cap = nc;
	}
	ad->idx[k] = (uint32_t)idx + 1;
	return 0;
}

int
fg_perfdata_read_mem(const void *buf, size_t len, const char *name,
    const struct fg_perfdata_opts *o, struct fg_stacks *out,
    struct fg_error *err)
{
	struct adder ad = { out, NULL, 0 };
	struct fg_pd_hooks h = { add_sample, NULL, &ad };
	int r;

	r = pd_walk(buf, len, -1, 1, name ? name : "perf.data", o, out, &h,
	    err, NULL);
	free(ad.idx);
	return r;
}

/* What is left of a read to free, maybe on a thread of its own. */
struct fg_pd_teardown {
	struct pd *pd;
	void *map;
	size_t maplen;
	int fd;
	uint32_t *idx;
	pthread_t th;
	int threaded;
};

static void
teardown(struct fg_pd_teardown *td)
{
	if (td->pd != NULL) {
		pd_free(td->pd);
		free(td->pd);
	}
	if (td->map != NULL)
		munmap(td->map, td->maplen);
	if (td->fd >= 0)
		close(td->fd);
	free(td->idx);
}

static void *
teardown_main(void *arg)
{
	teardown(arg);
	return NULL;
}

void
fg_pd_teardown_join(struct fg_pd_teardown *td)
{
	if (td == NULL)
		return;
	if (td->threaded)
		pthread_join(td->th, NULL);
	free(td);
}

int
fg_pd_read_file(const char *path, const struct fg_perfdata_opts *o,
    struct fg_stacks *out, struct fg_error *err,
    struct fg_pd_teardown **later)
{
	struct adder ad = { out, NULL, 0 };
	struct fg_pd_hooks h = { add_sample, NULL, &ad };
	struct fg_pd_teardown td0, *td = &td0;
	struct stat sb;
	void *m;
	int fd, r;

	if (later != NULL) {
		*later = NULL;
		if ((td = calloc(1, sizeof(*td))) == NULL)
			return fg_seterr(err, FG_ENOMEM, "out of memory");
	}
	memset(td, 0, sizeof(*td));
	td->fd = -1;
	if ((fd = fg_pd_open_input(path, &sb, err)) < 0) {
		r = fd;
		goto done;
	}
	td->fd = fd;
	/*
	 * The header, the feature sections and dense records are read
	 * through a mapping; from the first big sample on, the records with
	 * pread(): a big stack copy is read in part.
	 */
	m = mmap(NULL, (size_t)sb.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
	if (m == MAP_FAILED) {
		r = fg_seterr_sys(err, FG_EIO, errno, "%s: mmap", path);
		goto done;
	}
	td->map = m;
	td->maplen = (size_t)sb.st_size;
	madvise(m, (size_t)sb.st_size, MADV_SEQUENTIAL);
	r = pd_walk(m, (size_t)sb.st_size, fd, 1, path, o, out, &h, err,
	    &td->pd);
done:
	td->idx = ad.idx;
	/*
	 * Freeing is a good part of a short read (the pages the tables
	 * touched go back to the kernel): the caller may let it run beside
	 * its next steps and join it after.
	 */
	if (later != NULL && pthread_create(&td->th, NULL, teardown_main,
	    td) == 0) {
		td->threaded = 1;
		*later = td;
		return r;
	}
	teardown(td);
	if (later != NULL)
		free(td);
	return r;
}

int
fg_perfdata_read_file(const char *path, const struct fg_perfdata_opts *o,
    struct fg_stacks *out, struct fg_error *err)
{
	return fg_pd_read_file(path, o, out, err, NULL);
}
