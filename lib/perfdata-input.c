/*
 * perfdata-input.c: the records as bytes.  next_rec() finds the next
 * record of the data section and makes it readable: through the
 * mapping while records are dense, from the first big sample on from
 * pread windows, a big sample as its head and tail only (its stack
 * copy fetched deeper by pd_stack_fetch() when the unwinder reads past
 * it).  Blocks records point into (struct dbuf) are reference-counted.
 * Once there are big samples, next_rec() runs on a reader thread that
 * passes records to the walk through a ring; a dense file's pages are
 * mapped ahead of the walk by a populating thread.  Nothing else of
 * struct pd is touched off the walk's thread (see struct pd_input,
 * struct pd_ring).
 */
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/uio.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "perfdata-int.h"

#define WIN_RA		(64u << 10)	/* a read where records are dense */
#define HEAD_RA		(2u << 10)	/* a read of a big sample's head */
#define FETCH_RA	(4u << 10)	/* more of a stack than asked for */
#define HEAD_MIN	(1u << 9)	/* ... of which at least this */
#define BIG_SAMPLE	(8u << 10)	/* a sample read in parts */
#define RA_COLD		(32u << 20)	/* read ahead of a read that would wait */

/* A block of cap bytes with the filler's reference, or NULL. */
struct dbuf *
pd_db_new(size_t cap)
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

void
pd_db_ref(struct dbuf *db)
{
	if (db != NULL)
		atomic_fetch_add_explicit(&db->refs, 1, memory_order_relaxed);
}

void
pd_db_release(struct pd *pd, struct dbuf *db)
{
	if (db != NULL && atomic_fetch_sub_explicit(&db->refs, 1,
	    memory_order_acq_rel) == 1) {
		atomic_fetch_sub(&pd->in.pinned, db->cap);
		free(db->d);
		free(db);
	}
}

/* Done filling db: it lives on while records point into it. */
void
pd_db_close(struct pd *pd, struct dbuf *db)
{
	atomic_fetch_add(&pd->in.pinned, db->cap);
	pd_db_release(pd, db);
}

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
		pd_db_close(pd, w);
		pd->in.win = w = NULL;
	}
	if (w == NULL && (pd->in.win = w = pd_db_new(want > HEAD_RA ? want :
	    HEAD_RA)) == NULL)
		return seterr(&pd->in.rerr, FG_ENOMEM, "%s: out of memory",
		    pd->name);
	pd->in.woff = off;
	w->len = 0;
	for (got = 0; got < want;) {
		ssize_t k = file_read(pd, w->d + got, want - got,
		    off + got);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return seterr_sys(&pd->in.rerr, FG_EIO, errno,
			    "%s: read at 0x%llx", pd->name,
			    (unsigned long long)off);
		if (k == 0)
			break;
		got += (size_t)k;
	}
	w->len = got;
	if (got < n)
		return seterr(&pd->in.rerr, FG_EIO, "%s: read at 0x%llx: the "
		    "file ends early (changed while read?)", pd->name,
		    (unsigned long long)off);
	*p = w->d;
	return 0;
}

/*
 * A big sample (a --call-graph dwarf stack copy) from a file, read in
 * two parts: its head (the fields, the registers and the top of the
 * stack, HEAD_RA bytes in all) and its tail (dyn_size and any fields
 * after it, read with the head of the next record), copied into one
 * compact record whose stack copy is cut after the bytes held; the
 * unwinder reads the rest from the file only if it goes that deep
 * (pd_stack_fetch()).  Anything unusual reads the whole record.
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
	if ((a = pd_rec_attr(pd, rec, hl, REC_SAMPLE)) == NULL ||
	    pd_stack_field(a, rec, hl, &pos) != 0)
		goto whole;
	sz = rd64(rec + pos);
	held = hl - pos - 8;
	if (sz > len - pos - 8 || held >= sz || held < 8 ||
	    (tl = len - pos - 8 - (size_t)sz) < 8)
		goto whole;
	keep = pos + 8 + held;
	if ((db = pd_db_new(keep + tl)) == NULL)
		return seterr(&pd->in.rerr, FG_ENOMEM, "%s: out of memory",
		    pd->name);
	memcpy(db->d, rec, keep);
	db->sfoff = off + pos + 8;
	db->ssz = sz;
	if ((r = src_get(pd, off + pos + 8 + sz, tl, tl + HEAD_RA, &t)) != 0) {
		pd_db_close(pd, db);
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
		pd_db_ref(it->db);
	return 0;
}

/*
 * The unwinder's reads past the part of a compact sample's stack that is
 * held: the copy continues in the file; read up to need and FETCH_RA more.
 */
int
pd_stack_fetch(void *arg, size_t need, const unsigned char **stack,
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
			warnf(&pd->df.wwarn, "%s: stack copy at 0x%llx: read "
			    "failed: chain cut", pd->name,
			    (unsigned long long)pd->sm.lz->sfoff);
		pd->sm.stkwarned = 1;
		return -1;
	}
	return 0;
}

/*
 * Following a recording perf is writing, the reader is at the end of
 * what is there (or of the whole records there: perf writes one at a
 * time, and a record's size 0 is the hole perf leaves for the feature
 * table past its last record): wait for the file to grow, or for perf
 * to end, and then take the end of the data its final header states
 * (kept for pd_follow_header; it must not lie before what was read).
 * 1: look again; else an FG_E* code (abandoned, the header unusable:
 * PD_RETRY).
 */
static int
follow_more(struct pd *pd)
{
	struct fhdr *fh = &pd->in.fl_hdr;
	uint8_t h[HEADER_SIZE];
	struct stat sb;
	int v;

	for (;;) {
		if (fstat(pd->in.fd, &sb) == 0 &&
		    (uint64_t)sb.st_size > pd->in.dend) {
			pd->in.dend = (uint64_t)sb.st_size;
			return 1;
		}
		if ((v = follow_wait(pd->in.fl, FOLLOW_MS)) < 0)
			return seterr(&pd->in.rerr, FG_ECANCELED, "%s: the "
			    "recording was abandoned", pd->name);
		if (v > 0)
			break;
	}
	pd->in.fl = NULL;
	if (pread(pd->in.fd, h, sizeof(h), 0) != (ssize_t)sizeof(h) ||
	    pd_magic(h) != MAGIC_FILE || rd64(h + 8) != HEADER_SIZE)
		return PD_RETRY;
	pd_fhdr_decode(h, fh);
	if (fh->data_off != pd->in.fl_doff || fh->data_size == 0 ||
	    fh->data_size > UINT64_MAX - fh->data_off ||
	    fh->data_off + fh->data_size < pd->in.roff)
		return PD_RETRY;
	pd->in.dend = fh->data_off + fh->data_size;
	return 1;
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
	uint64_t off, end, size;
	const uint8_t *rec;
	size_t len, ra = pd->in.sparse > 0 ? HEAD_RA : WIN_RA;
	int r;

again:
	off = pd->in.roff;
	end = pd->in.dend;
	memset(it, 0, sizeof(*it));
	it->off = off;
	if (off >= end || end - off < 8) {
		if (pd->in.fl != NULL)
			goto more;
		if (off >= end)
			return;
		snprintf(pd->in.rmsg, sizeof(pd->in.rmsg), "%llu bytes left, less "
		    "than a record header: file truncated?",
		    (unsigned long long)(end - off));
		it->end = 1;
		return;
	}
	if ((r = src_get(pd, off, 8, ra, &rec)) != 0) {
		if (pd->in.fl != NULL)
			goto more;
		it->end = r;
		return;
	}
	size = len = rd16(rec + 6);
	if (size < 8) {
		if (pd->in.fl != NULL)
			goto more;
		it->end = seterr(&pd->in.rerr, FG_EPARSE, "%s: record at "
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
		if (pd->in.fl != NULL)
			goto more;
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
			pd_db_ref(it->db);
	}
	if (r != 0) {
		if (it->ref)
			pd_db_release(pd, it->db);
		memset(it, 0, sizeof(*it));
		it->off = off;
		it->end = r;
		return;
	}
	if (pd->in.sparse > 0)
		pd->in.sparse--;
	pd->in.roff = off + size;
	return;
more:	/* following: the record at off is not all there yet */
	if ((r = follow_more(pd)) > 0)
		goto again;
	it->end = r;
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
			pd_db_release(pd, b[i].db);
	return NULL;
}

/* Up to max records from the reader into b (at least one). */
size_t
pd_take(struct pd *pd, struct item *b, size_t max)
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
void
pd_reader_start(struct pd *pd)
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
void
pd_populate_start(struct pd *pd, uint64_t doff, uint64_t dsize)
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

void
pd_populate_join(struct pd *pd)
{
	if (pd->hp.populating)
		pthread_join(pd->hp.pop_th, NULL);
	pd->hp.populating = 0;
}

/* Stop the reader thread and drop what it passed on. */
void
pd_reader_stop(struct pd *pd)
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
			pd_db_release(pd, pd->rt.ring[pd->rt.head].db);
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
void
pd_drop_behind(struct pd *pd, uint64_t off)
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

void
pd_input_free(struct pd *pd)
{
	if (pd->in.win != NULL)
		pd_db_close(pd, pd->in.win);
	if (pd->in.fl_map != NULL)
		munmap(pd->in.fl_map, pd->in.fl_maplen);
}
