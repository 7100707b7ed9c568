/*
 * symbolize-prefetch.c: the helper threads.  sym_prefetch queues the
 * files a recording names by build id (the main executable, then the
 * biggest debug files, then kallsyms); one helper loads each one's
 * symbols and, when asked, opens its DWARF, while a second inflates the
 * biggest .debug_info.  A file is the helper's while queued or running
 * (PF_*, under pf_mu); the main thread takes it back with sym_dso_ready,
 * which also passes on the warnings the helper held.  Without threads,
 * the main thread loads everything itself, with the same results.
 */

#include <sys/stat.h>

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base.h"
#include "dwarfidx.h"
#include "symbolize.h"
#include "symbolize-int.h"

/* The helper's warn callback: held until the main thread takes the file. */
static void
pf_hold(void *arg, const char *msg)
{
	struct fg_dso *d = arg;
	size_t n = strlen(msg) + 1;
	char *m;

	if ((m = realloc(d->pf_msgs, d->pf_len + n)) == NULL)
		return;
	memcpy(m + d->pf_len, msg, n);
	d->pf_msgs = m;
	d->pf_len += n;
}

/*
 * The second helper, once its .debug_info is inflated: the kernel's
 * symbols (kallsyms: milliseconds of indexing), unless the first helper
 * has started on them already (they are the last of its queue).
 */
static void
pfi_kernel(struct fg_symbolizer *s)
{
	struct fg_dso *d = NULL;
	size_t i;

	pthread_mutex_lock(&s->pf_mu);
	for (i = 0; i < s->pf_n && d == NULL && !s->pf_stop; i++)
		if (s->pf_q[i]->kind == FG_DSO_KERNEL &&
		    s->pf_q[i]->pf_state == PF_QUEUED) {
			d = s->pf_q[i];
			d->pf_state = PF_RUNNING;
		}
	pthread_mutex_unlock(&s->pf_mu);
	if (d == NULL)
		return;
	sym_dso_load(d);
	pthread_mutex_lock(&s->pf_mu);
	d->pf_state = PF_DONE;
	pthread_cond_broadcast(&s->pf_cv);
	pthread_mutex_unlock(&s->pf_mu);
}

/* The second helper: .debug_info of s->pfi_path, inflated. */
static void *
pfi_main(void *arg)
{
	struct fg_symbolizer *s = arg;
	struct stat sb;
	Elf *e;
	int fd;

	if ((fd = open_regular(s->pfi_path, &sb)) < 0) {
		pfi_kernel(s);
		return NULL;
	}
	if ((e = elf_begin(fd, ELF_C_READ_MMAP, NULL)) != NULL) {
		char bid[2 * 64 + 1];

		sym_elf_bid_hex(e, bid, sizeof(bid));
		if (elf_kind(e) == ELF_K_ELF && dw_inflate_info(e,
		    s->cache_dir, bid, &s->pfi_info) == 0) {
			s->pfi_dev = sb.st_dev;
			s->pfi_ino = sb.st_ino;
		}
		elf_end(e);
	}
	close(fd);
	pfi_kernel(s);
	return NULL;
}

/*
 * By the thread that has d, once its DWARF is open: wait for the second
 * helper and take what it inflated if it is this file's.
 */
void
sym_pfi_take(struct fg_dso *d)
{
	struct fg_symbolizer *s = d->s;
	struct stat sb;

	if (!d->pfi)
		return;
	d->pfi = 0;
	pthread_join(s->pfi_th, NULL);
	s->pfi_running = 0;
	if (s->pfi_info.p != NULL && d->dw != NULL && d->dfd >= 0 &&
	    fstat(d->dfd, &sb) == 0 && sb.st_dev == s->pfi_dev &&
	    sb.st_ino == s->pfi_ino &&
	    dw_adopt_info(d->dw, &s->pfi_info) == 0)
		return;
	dw_info_free(&s->pfi_info);
}

/* The helper's DWARF steps for d, which it has in PF_SYMS. */
static void
pf_dwarf(struct fg_symbolizer *s, struct fg_dso *d)
{
	sym_dwarf_open(d);
	if (d->pfi)
		dw_prepare_small(d->dw);
	sym_pfi_take(d);
	dw_prepare(d->dw);
	pthread_mutex_lock(&s->pf_mu);
	d->pf_state = PF_DONE;
	pthread_cond_broadcast(&s->pf_cv);
	pthread_mutex_unlock(&s->pf_mu);
}

/*
 * The helper: each queued file's symbols, then its DWARF; or, with
 * s->pf_late, every file's symbols first and the DWARF after (the file
 * whose .debug_info the second helper inflates last), for callers that
 * look up inline chains only after their walk.
 */
static void *
pf_main(void *arg)
{
	struct fg_symbolizer *s = arg;
	size_t i = 0, k;

	for (;;) {
		struct fg_dso *d;
		int dw;

		pthread_mutex_lock(&s->pf_mu);
		while (i < s->pf_n && s->pf_q[i]->pf_state != PF_QUEUED)
			i++;
		if (i == s->pf_n || s->pf_stop) {
			pthread_mutex_unlock(&s->pf_mu);
			break;
		}
		d = s->pf_q[i++];
		d->pf_state = PF_RUNNING;
		pthread_mutex_unlock(&s->pf_mu);
		sym_dso_load(d);
		dw = d->kind == FG_DSO_FILE && s->pf_dwarf;
		pthread_mutex_lock(&s->pf_mu);
		d->pf_state = dw ? PF_SYMS : PF_DONE;
		pthread_cond_broadcast(&s->pf_cv);
		pthread_mutex_unlock(&s->pf_mu);
		if (dw && !s->pf_late)
			pf_dwarf(s, d);
	}
	/* PF_SYMS files are the helper's own until it sets PF_DONE */
	for (k = 0; s->pf_late && k < 2; k++)
		for (i = 0; i < s->pf_n; i++) {
			struct fg_dso *d = s->pf_q[i];
			int st;

			pthread_mutex_lock(&s->pf_mu);
			st = s->pf_stop ? 0 : d->pf_state;
			pthread_mutex_unlock(&s->pf_mu);
			if (st == PF_SYMS && d->pfi == (int)k)
				pf_dwarf(s, d);
		}
	return NULL;
}

/*
 * Before the main thread uses d: take it from the helper's queue, or
 * wait for the helper to finish it, then pass on what it held back.
 */
void
sym_dso_ready(struct fg_dso *d)
{
	struct fg_symbolizer *s = d->s;
	size_t i;

	if (!d->pf)
		return;
	pthread_mutex_lock(&s->pf_mu);
	if (d->pf_state == PF_QUEUED)
		d->pf_state = PF_TAKEN;
	while (d->pf_state == PF_RUNNING)
		pthread_cond_wait(&s->pf_cv, &s->pf_mu);
	d->pf_dw = d->pf_state == PF_SYMS;
	pthread_mutex_unlock(&s->pf_mu);
	d->pf = 0;
	d->wp = &s->warn;
	for (i = 0; i < d->pf_len; i += strlen(d->pf_msgs + i) + 1)
		warnf(&s->warn, "%s", d->pf_msgs + i);
	free(d->pf_msgs);
	d->pf_msgs = NULL;
	d->pf_len = 0;
}

/* Before the main thread uses d's DWARF: as sym_dso_ready, and its DWARF. */
void
sym_dso_ready_dw(struct fg_dso *d)
{
	struct fg_symbolizer *s = d->s;

	sym_dso_ready(d);
	if (!d->pf_dw)
		return;
	pthread_mutex_lock(&s->pf_mu);
	while (d->pf_state != PF_DONE)
		pthread_cond_wait(&s->pf_cv, &s->pf_mu);
	pthread_mutex_unlock(&s->pf_mu);
	d->pf_dw = 0;
}

int
dso_inlines_ready(struct fg_dso *d)
{
	struct fg_symbolizer *s = d->s;
	int st;

	if (d->pf || !d->pf_dw)
		return !d->pf;
	pthread_mutex_lock(&s->pf_mu);
	st = d->pf_state;
	pthread_mutex_unlock(&s->pf_mu);
	return st == PF_DONE;
}

struct pf_cand {
	struct fg_dso *d;
	off_t size;
	const char *hex;	/* its /usr/lib/debug/.build-id file's */
	int dbg;
};

static int
pf_cand_cmp(const void *a, const void *b)
{
	const struct pf_cand *x = a, *y = b;

	if (x->dbg != y->dbg)	/* the main executable first */
		return x->dbg - y->dbg;
	return (x->size < y->size) - (x->size > y->size);
}

/* A list of files to load ahead. */
struct pf_cands {
	struct pf_cand *c;
	size_t n;
	size_t cap;
};

/* Append d (hex: its debug file's build id, or NULL): 0/-1. */
static int
pf_cand_push(struct pf_cands *l, struct fg_dso *d, const char *hex,
    int dbg, off_t size)
{
	if (l->n == l->cap) {
		struct pf_cand *t = base_grow(l->c, &l->cap, l->n + 1,
		    sizeof(*t), 16);

		if (t == NULL)
			return -1;
		l->c = t;
	}
	l->c[l->n].d = d;
	l->c[l->n].hex = hex;
	l->c[l->n].dbg = dbg;
	l->c[l->n++].size = size;
	return 0;
}

/*
 * The files the recording names by build id that are not loaded yet:
 * with dwarf == 1, only those with a debug file in /usr/lib/debug (the
 * main thread would not wait for the others).  The files without a debug
 * file (the main executable) first, then the biggest debug files; the
 * kernel last.  0, or FG_ENOMEM.
 */
static int
pf_candidates(struct fg_symbolizer *s, int dwarf, struct pf_cands *l)
{
	struct buildid *b;

	for (b = sym_bids(s); b != NULL; b = b->next) {
		char path[4096];
		struct stat sb;
		struct fg_dso *d;
		int dbg = 1;

		if (b->path[0] != '/')
			continue;
		snprintf(path, sizeof(path), "/usr/lib/debug/.build-id/"
		    "%.2s/%s.debug", b->hex, b->hex + 2);
		if (stat(path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
			/* the others when the main thread would not wait */
			if (dwarf == 1)
				continue;
			dbg = 0;
			if (stat(b->path, &sb) != 0 || !S_ISREG(sb.st_mode))
				sb.st_size = 0;
		}
		if ((d = sym_dso(s, b->path)) == NULL)
			return FG_ENOMEM;
		if (d->loaded || d->pf)
			continue;
		if (pf_cand_push(l, d, dbg ? b->hex : NULL, dbg,
		    sb.st_size) != 0)
			return FG_ENOMEM;
	}
	if (l->n > 1)
		qsort(l->c, l->n, sizeof(*l->c), pf_cand_cmp);
	if (s->kernel_bid[0] != '\0' && sym_kernel(s) != NULL &&
	    !s->kernel->loaded &&
	    pf_cand_push(l, s->kernel, NULL, 0, 0) != 0)
		return FG_ENOMEM;
	return 0;
}

/*
 * Hand the candidates to the helper (their warnings held for later);
 * the biggest debug file's .debug_info goes to the second helper: that
 * file is returned (NULL: none).  0, or FG_ENOMEM.
 */
static int
pf_queue(struct fg_symbolizer *s, const struct pf_cands *l, int dwarf,
    struct fg_dso **pfi)
{
	const struct pf_cand *c = l->c;
	size_t i, n = l->n;

	*pfi = NULL;
	if ((s->pf_q = reallocarray(NULL, n, sizeof(*s->pf_q))) == NULL)
		return FG_ENOMEM;
	for (i = 0; i < n; i++) {
		struct fg_dso *d = c[i].d;
		d->pf = 1;
		d->pf_state = PF_QUEUED;
		d->pf_warn.fn = pf_hold;
		d->pf_warn.arg = d;
		d->wp = &d->pf_warn;
		s->pf_q[i] = d;
	}
	s->pf_n = n;
	s->pf_dwarf = dwarf != 0;
	s->pf_late = dwarf == 2;
	/* the biggest debug file's .debug_info on a second helper */
	for (i = 0; i < n && c[i].hex == NULL; i++)
		continue;
	if (dwarf && i < n && c[i].d->kind == FG_DSO_FILE) {
		*pfi = c[i].d;
		snprintf(s->pfi_path, sizeof(s->pfi_path),
		    "/usr/lib/debug/.build-id/%.2s/%s.debug", c[i].hex,
		    c[i].hex + 2);
	}
	return 0;
}

/*
 * Start the helpers on the queue; without threads the main thread loads
 * the files when used, as without a queue.
 */
static void
pf_start(struct fg_symbolizer *s, struct fg_dso *pfi)
{
	size_t i;

	if (pthread_mutex_init(&s->pf_mu, NULL) != 0)
		goto nothread;
	if (pthread_cond_init(&s->pf_cv, NULL) != 0) {
		pthread_mutex_destroy(&s->pf_mu);
		goto nothread;
	}
	/* before the first helper can look at pfi->pfi */
	if (pfi != NULL && pthread_create(&s->pfi_th, NULL, pfi_main, s) == 0) {
		s->pfi_running = 1;
		pfi->pfi = 1;
	}
	if (pthread_create(&s->pf_th, NULL, pf_main, s) != 0) {
		/* the second helper uses pf_mu: done with it first */
		if (s->pfi_running) {
			pthread_join(s->pfi_th, NULL);
			s->pfi_running = 0;
			pfi->pfi = 0;
			dw_info_free(&s->pfi_info);
		}
		pthread_cond_destroy(&s->pf_cv);
		pthread_mutex_destroy(&s->pf_mu);
		goto nothread;
	}
	s->pf_running = 1;
	return;
nothread:
	for (i = 0; i < s->pf_n; i++) {
		s->pf_q[i]->pf = 0;
		s->pf_q[i]->wp = &s->warn;
	}
}

int
sym_prefetch(struct fg_symbolizer *s, int dwarf)
{
	struct pf_cands l = { NULL, 0, 0 };
	struct fg_dso *pfi;
	int rc;

	if (s->pf_running || s->pf_q != NULL || s->recording_only)
		return 0;
	if ((rc = pf_candidates(s, dwarf, &l)) != 0 || l.n == 0 ||
	    (rc = pf_queue(s, &l, dwarf, &pfi)) != 0) {
		free(l.c);
		return rc;
	}
	free(l.c);
	pf_start(s, pfi);
	return 0;
}
