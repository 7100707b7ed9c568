/*
 * perfdata.c: the native perf.data reader's entry points and its walk.
 * pd_walk_mem() and fg_perfdata_read_file/_mem() set the reader up (the
 * symbolizer, its debug and cache directories), read the header
 * (perfdata-header.c), then walk the data section: records come from
 * the input (perfdata-input.c, a thread of its own once big samples are
 * read in parts), go through perf's time order (perfdata-order.c) and
 * are handled here by type: maps and threads (perfdata-maps.c), samples
 * (perfdata-sample.c).  After the walk, what was summed goes to the
 * model (perfdata-chains.c, perfdata-defer.c) and the lost-sample and
 * skipped-record warnings are sent.  Every malformed record is skipped
 * with a counted warning naming its offset; a record shorter than its
 * header stops the walk with that offset.  Progress and cancellation
 * are checked every 1,024 records.
 */
#include <sys/mman.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <zstd.h>

#include "perfdata-int.h"

#define WARN_SHOWN		5
#define PROGRESS_MS		100	/* at most 10 progress calls a second */

void
pd_warn_pass(struct pd *pd, const char *msg)
{
	if (pd->o->warn.fn != NULL)
		pd->o->warn.fn(pd->o->warn.arg, msg);
}

void
pd_warn_rec(struct pd *pd, uint64_t off, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	pd->stat.nwarn++;
	if (pd->stat.nwarn > WARN_SHOWN)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	warnf(&pd->df.wwarn, "%s: record at 0x%llx: %s (skipped)", pd->name,
	    (unsigned long long)off, msg);
}

void
fg_perfdata_opts_init(struct fg_perfdata_opts *o)
{
	memset(o, 0, sizeof(*o));
}

int
pd_dispatch(struct pd *pd, const uint8_t *rec, size_t len, uint64_t off,
    const struct dbuf *db)
{
	uint32_t type = rd32(rec);
	int r;

	switch (type) {
	case REC_SAMPLE:
		pd->sm.lz = db != NULL && db->ssz != 0 ? db : NULL;
		r = pd_on_sample(pd, rec, len, off);
		pd->sm.lz = NULL;
		return r;
	case REC_MMAP:
		return pd_on_mmap(pd, rec, len, off, 0);
	case REC_MMAP2:
		return pd_on_mmap(pd, rec, len, off, 1);
	case REC_COMM:
		return pd_on_comm(pd, rec, len, off);
	case REC_FORK:
		return pd_on_fork(pd, rec, len, off);
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

int
pd_handle(struct pd *pd, const uint8_t *rec, size_t len, uint64_t off,
    struct dbuf *db, int nested)
{
	uint32_t type = rd32(rec);

	if (type == REC_FINISHED_ROUND) {
		int r = pd_flush(pd, pd->od.next_flush);
		pd->od.next_flush = pd->od.max_ts;
		return r;
	}
	if (type == REC_COMPRESSED || type == REC_COMPRESSED2) {
		if (nested) {
			pd_warn_rec(pd, off, "compressed record inside "
			    "compressed data");
			return 0;
		}
		return pd_on_compressed(pd, rec, len, off);
	}
	if (type == 0 || (type > REC_KERNEL_MAX && type < REC_USER_FIRST) ||
	    type > REC_USER_MAX) {
		pd->stat.nunknown++;
		pd_warn_rec(pd, off, "unknown record type %u", type);
		return 0;
	}
	if (type >= REC_USER_FIRST)
		return 0;
	return pd_queue(pd, rec, len, off, db);
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
 * big sample on, see pd_reader_start()), each handled in turn; then the
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
			n = pd_take(pd, b, BATCH);
			i = 0;
		}
		it = &b[i++];
		if ((pd->stat.nrecs & 1023) == 0) {
			if (pd->o->cancel != NULL && *pd->o->cancel) {
				r = seterr(pd->err, FG_ECANCELED,
				    "%s: canceled", pd->name);
				break;
			}
			progress(pd, it->off - doff, dsize, 0);
		}
		pd->stat.nrecs++;
		if (it->rec == NULL) {
			if (it->end == 1)
				pd_warn_rec(pd, it->off, "%s", pd->in.rmsg);
			else if (it->end < 0) {
				*pd->err = pd->in.rerr;
				r = it->end;
			}
			break;
		}
		if (!pd->rt.threaded && it->db != NULL && it->db->ssz != 0 &&
		    !pd->rt.nothread)
			pd_reader_start(pd);
		r = pd_handle(pd, it->rec, it->len, it->off, it->db, 0);
		if (it->ref)
			pd_db_release(pd, it->db);
		it->ref = 0;
		if (r != 0)
			break;
		if (!pd->rt.threaded && pd->in.fd >= 0 && pd->in.usemap &&
		    it->off - pd->in.dropped >= DROP_STEP)
			pd_drop_behind(pd, it->off);
	}
	for (; i < n; i++)
		if (b[i].ref)
			pd_db_release(pd, b[i].db);
	pd_reader_stop(pd);
	if (r != 0)
		return r;
	if ((r = pd_flush(pd, UINT64_MAX)) != 0)
		return r;
	progress(pd, dsize, dsize, 1);
	return 0;
}

/*
 * Everything the reader holds; the lookup worker is joined first, and
 * the thread freeing the symbolizer, if any, before the unwinder.
 */
static void
pd_free(struct pd *pd)
{
	pd_defer_free(pd);
	pd_order_free(pd);
	pd_input_free(pd);
	pd_samples_free(pd);
	pd_maps_free(pd);
	pd_frames_free(pd);
	pd_chains_free(pd);
	free(pd->ev.attrs);
	if (pd->hp.sym_freeing)
		pthread_join(pd->hp.sym_th, NULL);
	unwinder_free(pd->sm.uw);
	sym_free(pd->sym);
	arena_free(&pd->arena);
}

struct symfree {
	struct fg_symbolizer *sym;
	struct fg_unwinder *uw;
};

static void *
sym_free_main(void *arg)
{
	struct symfree *f = arg;

	unwinder_free(f->uw);
	sym_free(f->sym);
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
/*
 * The cache directory opts name (dir, else the environment's, as
 * flamegraph.h says), in path[cap] when from the environment; NULL for
 * none.
 */
static const char *
cache_dir_of(const char *dir, char *path, size_t cap)
{
	const char *e;

	if (dir != NULL)
		return dir;
	if ((e = getenv("FLAMEGRAPH_CACHE_DIR")) != NULL)
		snprintf(path, cap, "%s", e);
	else if ((e = getenv("XDG_CACHE_HOME")) != NULL && e[0] == '/')
		snprintf(path, cap, "%s/flamegraph", e);
	else if ((e = getenv("HOME")) != NULL && e[0] == '/')
		snprintf(path, cap, "%s/.cache/flamegraph", e);
	else
		return NULL;
	if (path[0] == '\0' || strlcat(path, "/dwarf", cap) >= cap)
		return NULL;
	return path;
}

static void
set_cache_dir(struct fg_symbolizer *sym, const char *dir)
{
	char path[2048];

	if ((dir = cache_dir_of(dir, path, sizeof(path))) != NULL)
		sym_set_cache_dir(sym, dir);
}

void
fg_perfdata_warm(const struct fg_perfdata_opts *o)
{
	char path[2048];
	const char *dir = cache_dir_of(o != NULL ? o->cache_dir : NULL, path,
	    sizeof(path));

	if (dir != NULL && dir[0] != '\0')
		sym_kallsyms_warm(dir);
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
		warnf(&pd->o->warn, "%s: %llu samples lost", pd->name,
		    (unsigned long long)pd->stat.lost_samples);
	else if (pd->stat.lost > 0)
		warnf(&pd->o->warn, "%s: %llu events lost in %llu chunks "
		    "(the ring buffer was full)", pd->name,
		    (unsigned long long)pd->stat.lost,
		    (unsigned long long)pd->stat.nlost);
}

/*
 * The walk; with keep non-NULL, the reader's state is not freed but
 * left in *keep for pd_free (which may then run beside the caller's
 * next steps).
 */
/* The symbolizer, with its debug and cache directories. */
static int
sym_setup(struct pd *pd)
{
	const struct fg_perfdata_opts *o = pd->o;

	if ((pd->sym = sym_new(&pd->lw.swarn)) == NULL)
		return seterr(pd->err, FG_ENOMEM, "%s: out of memory",
		    pd->name);
	if (o->buildid_dir != NULL)
		sym_set_debug_dir(pd->sym, o->buildid_dir);
	else if (getenv("HOME") != NULL) {
		char dir[2048];
		snprintf(dir, sizeof(dir), "%s/.debug", getenv("HOME"));
		sym_set_debug_dir(pd->sym, dir);
	}
	set_cache_dir(pd->sym, o->cache_dir);
	if (o->recording_only)
		sym_set_recording_only(pd->sym);
	return 0;
}

/* A reader of buf[0 .. len) (records from fd when >= 0); NULL: no memory. */
static struct pd *
pd_new(const uint8_t *buf, size_t len, int fd, int sum, const char *name,
    const struct fg_perfdata_opts *o, struct fg_stacks *st,
    const struct fg_pd_hooks *hooks, struct fg_error *err)
{
	struct pd *pd;

	if ((pd = calloc(1, sizeof(*pd))) == NULL)
		return NULL;
	pd->buf = buf;
	pd->len = len;
	pd->in.fd = fd;
	pd->in.usemap = fd >= 0;
	pd->name = name;
	pd->o = o;
	pd->st = st;
	pd->h = hooks;
	pd->err = err;
	pd->ch.sum = sum && !stacks_keeps_sequence(st);
	/*
	 * Summing into a model, the inline chains are looked up after the
	 * walk: the walk does not wait for the DWARF the helpers load.
	 */
	pd->df.on = pd->ch.sum && !o->naming.no_inline &&
	    o->naming.nskip_after == 0 &&
	    hooks->frame == NULL && !o->no_defer;
	pd->df.end_at = o->defer_end;
	pd->sm.attr_sel = SIZE_MAX;
	arena_init(&pd->arena);
	buf_init(&pd->fc.work, 1 << 20);
	frame_bufs_init(&pd->fc.fb);
	buf_init(&pd->lw.wsym, 0);
	buf_init(&pd->df.wwalk, 0);
	pd->lw.swarn.fn = pd_sym_warn;
	pd->lw.swarn.arg = pd;
	pd->df.wwarn.fn = pd_walk_warn;
	pd->df.wwarn.arg = pd;
	pd->df.whold = pd->df.on;
	return pd;
}

/*
 * After the walk, what was summed goes to the model, even when the walk
 * stopped (r): then the walk's error is kept.  The symbolizer is freed
 * on a thread once the frames are named.
 */
static int
sum_end(struct pd *pd, int r)
{
	struct fg_error derr, *err = pd->err;
	int dr;

	fg_error_clear(&derr);
	pd->err = &derr;
	dr = pd_finish_defer(pd);
	sym_free_start(pd);
	if (dr == 0)
		dr = pd_deliver(pd);
	if (dr != 0 && r == 0) {
		r = dr;
		if (err != NULL)
			*err = derr;
	}
	pd->err = err;
	return r;
}

/* The warnings of a walk that went to its end. */
static void
end_warnings(struct pd *pd)
{
	const struct fg_perfdata_opts *o = pd->o;

	if (pd->od.nleft > 0)
		warnf(&o->warn, "%s: %zu bytes of a record cut at the end "
		    "of the compressed data (skipped)", pd->name, pd->od.nleft);
	warn_lost(pd);
	if (pd->stat.nwarn > WARN_SHOWN)
		warnf(&o->warn, "%s: %llu records skipped in all", pd->name,
		    (unsigned long long)pd->stat.nwarn);
	if (pd->sm.attr_sel == pd->ev.nattrs && o->naming.event_filter != NULL)
		warnf(&o->warn, "%s: no event named %s", pd->name,
		    o->naming.event_filter);
}

/*
 * The walk; with keep non-NULL, the reader's state is not freed but
 * left in *keep for pd_free (which may then run beside the caller's
 * next steps).
 */
static int
pd_walk(const uint8_t *buf, size_t len, int fd, int sum, const char *name,
    const struct fg_perfdata_opts *o, struct fg_stacks *st,
    const struct fg_pd_hooks *hooks, struct fg_error *err, struct pd **keep,
    struct fg_follow *fl)
{
	struct pd *pd;
	struct fg_perfdata_opts defo;
	uint64_t doff = 0, dsize = 0;
	int r;

	if (o == NULL) {
		fg_perfdata_opts_init(&defo);
		o = &defo;
	}
	if ((pd = pd_new(buf, len, fd, sum, name, o, st, hooks, err)) == NULL)
		return seterr(err, FG_ENOMEM, "%s: out of memory", name);
	if ((pd->in.fl = fl) != NULL)
		pd->in.usemap = 0;	/* the file grows: read, not mapped */
	if ((r = sym_setup(pd)) != 0)
		goto out;
	if ((pd->fc.front = base_zalloc(FRONT_SIZE, sizeof(*pd->fc.front))) ==
	    NULL) {
		r = seterr(err, FG_ENOMEM, "%s: out of memory", name);
		goto out;
	}
	if ((r = pd_read_header(pd, &doff, &dsize)) != 0 ||
	    (r = pd_scan_buildids(pd, doff, dsize)) != 0)
		goto out;
	if (sym_prefetch(pd->sym, o->naming.no_inline ? 0 : pd->df.on ? 2 :
	    1) != 0) {
		r = seterr(err, FG_ENOMEM, "%s: out of memory", name);
		goto out;
	}
	pd->ev.ordered = (pd->ev.attrs[0].sample_type & ST_TIME) &&
	    (pd->ev.attrs[0].flags & ATTR_SAMPLE_ID_ALL);
	pd_populate_start(pd, doff, dsize);
	r = walk_data(pd, doff, dsize);
	pd_populate_join(pd);
	if (r == 0 && pd->in.fl_doff != 0)
		r = pd_follow_header(pd);
	if (pd->ch.sum)
		r = sum_end(pd, r);
	if (r == 0)
		end_warnings(pd);
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
pd_walk_mem(const uint8_t *buf, size_t len, const char *name,
    const struct fg_perfdata_opts *o, struct fg_stacks *st,
    const struct fg_pd_hooks *hooks, struct fg_error *err)
{
	return pd_walk(buf, len, -1, 0, name, o, st, hooks, err, NULL, NULL);
}

/* The model and, by stack_key, the stack each key was added as (+1). */
struct adder {
	struct fg_stacks *st;
	uint32_t *idx;
	size_t cap;
};

/*
 * Keeping a sample log (stacks_keep_sequence): where the step just
 * added for the sample s of stack idx came from.
 */
static int
log_sample(struct fg_stacks *st, const struct fg_pd_sample *s, size_t idx,
    struct fg_error *err)
{
	char tmp[32];
	const char *comm = s->comm;
	const uint32_t *ids;
	uint64_t w, w2;
	size_t n;

	if (comm == NULL) {	/* as the process name frame says it */
		if (s->tid == 0)
			comm = "swapper";
		else {
			snprintf(tmp, sizeof(tmp), ":%u", s->tid);
			comm = tmp;
		}
	}
	stacks_get(st, idx, &ids, &n, &w, &w2);
	if (stacks_step_sample(st, s->time, s->pid, s->tid, comm,
	    strlen(comm), n > 0 && ids[0] == s->pname_id) != 0)
		return seterr(err, FG_ENOMEM, "stacks: out of memory");
	return 0;
}

static int
add_sample(void *arg, const struct fg_pd_sample *s, const uint32_t *ids,
    size_t n, struct fg_error *err)
{
	struct adder *ad = arg;
	size_t k = s->stack_key, idx;
	int r;

	if (k < ad->cap && ad->idx[k] != 0) {
		if ((r = stacks_add_to(ad->st, ad->idx[k] - 1, s->period, 0,
		    err)) != 0 || !stacks_keeps_sequence(ad->st))
			return r;
		return log_sample(ad->st, s, ad->idx[k] - 1, err);
	}
	if (ids == NULL)	/* summed: its first add did not remember it */
		return seterr(err, FG_ENOMEM, "stacks: out of memory");
	if ((r = stacks_add_ids_idx(ad->st, ids, n, s->period, 0, &idx,
	    err)) != 0)
		return r;
	if (stacks_keeps_sequence(ad->st) &&
	    (r = log_sample(ad->st, s, idx, err)) != 0)
		return r;
	if (s->stack_key == UINT32_MAX || idx >= UINT32_MAX)
		return 0;
	if (k >= ad->cap) {
		size_t old = ad->cap;
		uint32_t *t = base_grow(ad->idx, &ad->cap, k + 1, sizeof(*t),
		    4096);

		if (t == NULL)
			return 0;	/* only not remembered */
		memset(t + old, 0, (ad->cap - old) * sizeof(*t));
		ad->idx = t;
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
	    err, NULL, NULL);
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
	uint8_t *head;		/* a followed recording's first header */
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
	free(td->head);
}

static void *
teardown_main(void *arg)
{
	teardown(arg);
	return NULL;
}

void
pd_teardown_join(struct fg_pd_teardown *td)
{
	if (td == NULL)
		return;
	if (td->threaded)
		pthread_join(td->th, NULL);
	free(td);
}

int
pd_read_file(const char *path, const struct fg_perfdata_opts *o,
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
			return seterr(err, FG_ENOMEM, "out of memory");
	}
	memset(td, 0, sizeof(*td));
	td->fd = -1;
	if ((fd = pd_open_input(path, &sb, err)) < 0) {
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
		r = seterr_sys(err, FG_EIO, errno, "%s: mmap", path);
		goto done;
	}
	td->map = m;
	td->maplen = (size_t)sb.st_size;
	madvise(m, (size_t)sb.st_size, MADV_SEQUENTIAL);
	r = pd_walk(m, (size_t)sb.st_size, fd, 1, path, o, out, &h, err,
	    &td->pd, NULL);
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

/*
 * The recording perf has started at path: not stale (the file that was
 * there before it), a file-mode header of this byte order whose data
 * section has no size yet.  1: *fdp open on it and its first data_off
 * bytes (the header and the attributes) in *head, *hlen; 0: perf ended
 * first, or the file already is a finished recording (read it whole);
 * -1: abandoned; FG_ENOMEM.
 */
static int
follow_open(const char *path, struct fg_follow *f, const struct stat *stale,
    int *fdp, uint8_t **head, size_t *hlen)
{
	for (;;) {
		uint8_t h[HEADER_SIZE];
		struct stat sb;
		struct fhdr fh;
		int fd, v;

		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0 &&
		    fstat(fd, &sb) == 0 && S_ISREG(sb.st_mode) &&
		    (stale == NULL || sb.st_dev != stale->st_dev ||
		    sb.st_ino != stale->st_ino) &&
		    pread(fd, h, sizeof(h), 0) == (ssize_t)sizeof(h) &&
		    pd_magic(h) == MAGIC_FILE && rd64(h + 8) == HEADER_SIZE) {
			pd_fhdr_decode(h, &fh);
			if (fh.data_size != 0) {
				close(fd);
				return 0;
			}
			/* perf writes the header after the attributes */
			if (fh.data_off >= HEADER_SIZE && fh.data_off <= (1u << 24) &&
			    fh.data_off <= (uint64_t)sb.st_size) {
				size_t n = (size_t)fh.data_off;
				uint8_t *b = malloc(n);

				if (b == NULL) {
					close(fd);
					return FG_ENOMEM;
				}
				if (pread(fd, b, n, 0) == (ssize_t)n) {
					*fdp = fd;
					*head = b;
					*hlen = n;
					return 1;
				}
				free(b);
			}
		}
		if (fd >= 0)
			close(fd);
		if ((v = follow_wait(f, FOLLOW_MS)) != 0)
			return v > 0 ? 0 : -1;
	}
}

/*
 * Warnings go to o->warn as they come (the caller holds them: they
 * count only when the result does); o->progress is not set (the total
 * is not known while perf writes).
 */
int
pd_read_follow(const char *path, const struct fg_perfdata_opts *o,
    struct fg_stacks *out, struct fg_error *err,
    struct fg_pd_teardown **later, struct fg_follow *f,
    const struct stat *stale)
{
	struct adder ad = { out, NULL, 0 };
	struct fg_pd_hooks h = { add_sample, NULL, &ad };
	struct fg_pd_teardown *td;
	size_t hlen = 0;
	int fd = -1, r, v;

	*later = NULL;
	if ((td = calloc(1, sizeof(*td))) == NULL)
		return seterr(err, FG_ENOMEM, "out of memory");
	td->fd = -1;
	if ((r = follow_open(path, f, stale, &fd, &td->head, &hlen)) <= 0) {
		free(td);
		return r == 0 ? PD_RETRY : r == FG_ENOMEM ? seterr(err,
		    FG_ENOMEM, "out of memory") : seterr(err, FG_ECANCELED,
		    "%s: the recording was abandoned", path);
	}
	td->fd = fd;
	r = pd_walk(td->head, hlen, fd, 1, path, o, out, &h, err, &td->pd, f);
	td->idx = ad.idx;
	if (r != 0) {
		/* after perf's end, as any result: then read it whole */
		while ((v = follow_wait(f, 1000)) == 0)
			;
		if (v < 0)
			r = seterr(err, FG_ECANCELED, "%s: the recording was "
			    "abandoned", path);
		else if (r != FG_ECANCELED)
			r = PD_RETRY;
	}
	if (pthread_create(&td->th, NULL, teardown_main, td) == 0) {
		td->threaded = 1;
		*later = td;
		return r;
	}
	teardown(td);
	free(td);
	return r;
}

int
fg_perfdata_read_file(const char *path, const struct fg_perfdata_opts *o,
    struct fg_stacks *out, struct fg_error *err)
{
	return pd_read_file(path, o, out, err, NULL);
}
