/*
 * perfdata-maps.c: processes, threads and their maps, as MMAP/MMAP2,
 * COMM and FORK records make them: executable maps per process (an
 * overlapping map cuts the older ones as perf does; kernel and data
 * maps ignored), a generation bumped when a process's maps change,
 * commands per thread, a forked process's copy of its parent's maps.
 */
#include <sys/mman.h>
#include <limits.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "perfdata-int.h"

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

struct thread *
pd_thread_get(struct pd *pd, uint32_t pid, uint32_t tid)
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
	if ((nm = base_grow(p->maps, &p->cap, p->nmaps + 2, sizeof(*nm),
	    32)) == NULL)
		return FG_ENOMEM;
	p->maps = nm;
	for (int k = 0; k < 1 + have_right; k++) {
		const struct map *ins = k == 0 ? m : &right;
		for (i = p->nmaps; i > 0 && p->maps[i - 1].start > ins->start; i--)
			p->maps[i] = p->maps[i - 1];
		p->maps[i] = *ins;
		p->nmaps++;
	}
	return 0;
}

struct map *
pd_map_find(struct proc *p, uint64_t ip)
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

/*
 * The build id an MMAP2 record carries in place of the device and inode
 * (perf record --buildid-mmap: PERF_RECORD_MISC_MMAP_BUILD_ID), for the
 * file f, when none is known for it yet (the first one wins, as the
 * header's list would have one per file): 0 or FG_ENOMEM.  Before the
 * walk (pd_scan_buildids) and in it (pd_on_mmap: a file first mapped
 * after the scan's end); the symbolizer's list takes entries while its
 * helpers read it.  The kernel's only before the walk (pd_on_mmap skips
 * kernel maps): the helpers read it without a lock, and its map comes
 * first in a recording.
 */
static int
mmap2_buildid(struct pd *pd, const uint8_t *rec, size_t len, const char *f)
{
	uint16_t misc = rd16(rec + 4);
	size_t blen;

	if (!(misc & MISC_MMAP_BUILD_ID) || len < 8 + 64)
		return 0;
	blen = rec[40] <= 20 ? rec[40] : 20;
	if ((misc & MISC_CPUMODE_MASK) == MISC_KERNEL) {
		if (strncmp(f, "[kernel.kallsyms]", 17) != 0)
			return 0;	/* modules: named by kallsyms */
		f = "[kernel.kallsyms]";
	} else if (f[0] != '/')
		return 0;
	if (blen == 0 || sym_has_buildid(pd->sym, f))
		return 0;
	return sym_add_buildid(pd->sym, f, rec + 44, blen);
}

/*
 * The kernel's map (MMAP or MMAP2 "[kernel.kallsyms]_text"): its offset
 * is where _text was when recording, which tells kallsyms of that boot
 * from others (KASLR).
 */
static void
kernel_text(struct pd *pd, const uint8_t *rec, size_t sz)
{
	uint32_t type = rd32(rec);
	size_t fo = type == REC_MMAP ? 40 : 72;

	if ((type != REC_MMAP && type != REC_MMAP2) || sz < fo + 17 ||
	    (rd16(rec + 4) & MISC_CPUMODE_MASK) != MISC_KERNEL ||
	    memcmp(rec + fo, "[kernel.kallsyms]", 17) != 0)
		return;
	sym_set_kernel_text(pd->sym, rd64(rec + 32));
}

int
pd_scan_buildids(struct pd *pd, uint64_t doff, uint64_t dsize)
{
	uint64_t off = doff, end;
	char f[PATH_MAX];
	size_t quiet = 0;

	if (doff >= pd->len)
		return 0;
	if (dsize == 0 || dsize > pd->len - doff)	/* unfinished */
		dsize = pd->len - doff;
	end = doff + (dsize < BUILDID_SCAN ? dsize : BUILDID_SCAN);
	while (off + 8 <= end && quiet < BUILDID_QUIET) {
		const uint8_t *rec = pd->buf + off;
		uint16_t sz = rd16(rec + 6);
		uint32_t type = rd32(rec);
		size_t flen;

		if (sz < 8 || sz > end - off)
			break;
		if (type == REC_SAMPLE)
			quiet++;
		else if (type == REC_MMAP || type == REC_MMAP2)
			quiet = 0;
		kernel_text(pd, rec, sz);
		if (type == REC_MMAP2 && sz > 8 + 64) {
			flen = strnlen((const char *)rec + 72, sz - 72u);
			if (flen < sizeof(f)) {
				memcpy(f, rec + 72, flen);
				f[flen] = '\0';
				if (mmap2_buildid(pd, rec, sz, f) != 0)
					return seterr(pd->err, FG_ENOMEM,
					    "%s: out of memory", pd->name);
			}
		}
		off += sz;
	}
	return 0;
}

int
pd_on_mmap(struct pd *pd, const uint8_t *rec, size_t len, uint64_t off,
    int v2)
{
	size_t fpos = v2 ? 8 + 64 : 8 + 32, tail, flen;
	uint16_t misc = rd16(rec + 4);
	uint32_t pid;
	struct map m;
	struct proc *p;
	const char *f;

	tail = (pd->ev.attrs[0].flags & (1ULL << 18)) ?
	    pd_id_trailer_size(pd->ev.attrs[0].sample_type) : 0;
	if (len < fpos + 1 || len - fpos < tail + 1) {
		pd_warn_rec(pd, off, "MMAP record of %zu bytes too short", len);
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
	if ((f = arena_strndup(&pd->arena, (const char *)rec + fpos,
	    flen)) == NULL)
		return seterr(pd->err, FG_ENOMEM, "%s: out of memory",
		    pd->name);
	m.fname = f;
	if (is_anon(f)) {
		char jp[64];
		m.anon = 1;
		m.dso = sym_jitmap(pd->sym, pid);
		snprintf(jp, sizeof(jp), "/tmp/perf-%u.map", pid);
		m.fname = arena_strndup(&pd->arena, jp, strlen(jp));
		if (m.fname == NULL)
			return seterr(pd->err, FG_ENOMEM, "%s: out of "
			    "memory", pd->name);
	} else if (f[0] == '/' || strcmp(f, "[vdso]") == 0) {
		/* before any sample can have the file looked up */
		if (v2 && mmap2_buildid(pd, rec, len, f) != 0)
			return seterr(pd->err, FG_ENOMEM, "%s: out of "
			    "memory", pd->name);
		if ((m.dso = sym_dso(pd->sym, f)) == NULL)
			return seterr(pd->err, FG_ENOMEM, "%s: out of "
			    "memory", pd->name);
	}
	if ((p = proc_get(pd, pid)) == NULL || map_insert(p, &m) != 0)
		return seterr(pd->err, FG_ENOMEM, "%s: out of memory",
		    pd->name);
	return 0;
}

int
pd_on_comm(struct pd *pd, const uint8_t *rec, size_t len, uint64_t off)
{
	size_t tail, l;
	struct thread *t;
	const char *c;

	tail = (pd->ev.attrs[0].flags & (1ULL << 18)) ?
	    pd_id_trailer_size(pd->ev.attrs[0].sample_type) : 0;
	if (len < 16 + 1 || len - 16 < tail + 1) {
		pd_warn_rec(pd, off, "COMM record of %zu bytes too short", len);
		return 0;
	}
	if ((t = pd_thread_get(pd, rd32(rec + 8), rd32(rec + 12))) == NULL)
		return seterr(pd->err, FG_ENOMEM, "%s: out of memory",
		    pd->name);
	l = strnlen((const char *)rec + 16, len - 16 - tail);
	if ((c = arena_strndup(&pd->arena, (const char *)rec + 16, l)) == NULL)
		return seterr(pd->err, FG_ENOMEM, "%s: out of memory",
		    pd->name);
	t->comm = c;
	t->pname_ok = 0;
	return 0;
}

int
pd_on_fork(struct pd *pd, const uint8_t *rec, size_t len, uint64_t off)
{
	uint32_t pid, ppid, tid, ptid;
	struct thread *parent, *t;

	if (len < 32) {
		pd_warn_rec(pd, off, "FORK record of %zu bytes too short", len);
		return 0;
	}
	pid = rd32(rec + 8);
	ppid = rd32(rec + 12);
	tid = rd32(rec + 16);
	ptid = rd32(rec + 20);
	parent = thread_find(pd, ptid);
	if ((t = pd_thread_get(pd, pid, tid)) == NULL)
		return seterr(pd->err, FG_ENOMEM, "%s: out of memory",
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
			return seterr(pd->err, FG_ENOMEM, "%s: out of "
			    "memory", pd->name);
		memcpy(m, pp->maps, pp->nmaps * sizeof(*m));
		free(c->maps);
		c->maps = m;
		c->gen++;
		c->nmaps = c->cap = pp->nmaps;
	}
	return 0;
}

void
pd_maps_free(struct pd *pd)
{
	size_t i;

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
}
