/*
 * process.c: the session layer: turn a recording into a flame graph.
 * The source of stacks is the single call fg_process_read(): the native
 * perf.data reader for the recordings it supports (chosen from the file's
 * attributes), else `perf script` streamed from its pipe straight into
 * the collapser (no temporary text, no whole-output buffer).  An optional
 * post-process command runs over the folded stacks, and the SVG goes to
 * a temporary file beside the output that is renamed into place only when
 * complete: a failed or cancelled run never replaces a good graph.  This
 * is the one module that meets both readers.  No output, no exit, no
 * global state.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "argvb.h"
#include "base.h"
#include "perfdata.h"
#include "render.h"
#include "stacks.h"
#include "fg_spawn.h"

void
fg_process_opts_init(struct fg_process_opts *o)
{
	memset(o, 0, sizeof(*o));
}

/*
 * Whether the native reader draws this kind of recording: frame-pointer
 * and kernel call chains, and DWARF recordings (user stack copies,
 * unwound by lib/unwind.c).  Branch stacks (lbr) are stitched by perf
 * script only; pipe-mode and other-endian files are perf script's too.
 */
static int
native_supports(const struct fg_perfdata_info *in)
{
	return !in->pipe && !in->foreign_endian && !in->branch_stack;
}

enum fg_source
fg_process_source(const struct fg_process_opts *o, char *why, size_t whylen)
{
	struct fg_perfdata_info in;
	struct fg_error e;
	const char *r;
	enum fg_source src;

	if (why != NULL && whylen > 0)
		why[0] = '\0';
	if (o->source != FG_SOURCE_AUTO) {
		if (why != NULL)
			strlcpy(why, o->source == FG_SOURCE_NATIVE ?
			    "asked for" : "--perf-script", whylen);
		return o->source;
	}
	fg_error_clear(&e);
	if (o->perfdata == NULL || fg_perfdata_probe(o->perfdata, &in,
	    &e) != 0) {
		/* perf script reports unreadable files in its own words
		   (and can read a root-owned recording through sudo) */
		if (why != NULL)
			snprintf(why, whylen, "%s", o->perfdata == NULL ?
			    "no recording" : e.msg);
		return o->sudo != NULL || e.sys == EACCES ?
		    FG_SOURCE_PERF_SCRIPT : FG_SOURCE_NATIVE;
	}
	src = native_supports(&in) ? FG_SOURCE_NATIVE : FG_SOURCE_PERF_SCRIPT;
	if (in.pipe)
		r = "pipe-mode recording";
	else if (in.foreign_endian)
		r = "recorded with the other byte order";
	else if (in.branch_stack)
		r = "branch-stack (lbr) call chains";
	else if (in.user_stack)
		r = "DWARF stack copies";
	else if (in.callchain)
		r = "frame-pointer call chains";
	else
		r = "no call chains (the sampled address only)";
	if (why != NULL)
		strlcpy(why, r, whylen);
	return src;
}

static int
read_native(const struct fg_process_opts *o, struct fg_stacks *st,
    struct fg_error *err, struct fg_pd_teardown **later)
{
	struct fg_perfdata_opts po;

	fg_perfdata_opts_init(&po);
	po.naming = o->naming;
	po.cancel = o->cancel;
	po.warn = o->warn;
	po.progress = o->progress;
	po.progress_arg = o->progress_arg;
	return pd_read_file(o->perfdata, &po, st, err, later);
}

/* `perf script -i FILE` streamed into the collapser. */
static int
read_script(const struct fg_process_opts *o, struct fg_stacks *st,
    struct fg_error *err)
{
	struct argvb a;
	struct fg_collapse_opts co;
	struct fg_spawn_opts so;
	struct fg_child ch;
	char **argv;
	int rc, prc, status = 0;

	argvb_init(&a);
	argvb_sudo(&a, o->sudo, o->nsudo);
	argvb_push(&a, o->perf != NULL ? o->perf : "perf");
	argvb_push(&a, "script");
	argvb_push(&a, "-i");
	argvb_push(&a, o->perfdata);
	if (o->naming.no_inline)
		argvb_push(&a, "--no-inline");
	if (stacks_keeps_sequence(st))	/* the sample log's times in ns */
		argvb_push(&a, "--ns");
	if ((rc = argvb_finish(&a, &argv, NULL, err)) != 0)
		return rc;

	fg_spawn_opts_init(&so);
	so.in = FG_SPAWN_NULL;
	so.out = FG_SPAWN_PIPE;
	if (o->quiet)
		so.errfd = FG_SPAWN_NULL;
	rc = fg_spawn((const char *const *)argv, &so, &ch, err);
	free(argv);
	if (rc != 0)
		return rc;

	fg_collapse_opts_init(&co);
	co.naming = o->naming;
	co.cancel = o->cancel;
	co.warn = o->warn;
	if (o->running_pid != NULL)
		*o->running_pid = ch.pid;
	rc = fg_collapse_perf_fd(ch.out, "perf script", &co, st, err);
	if (o->running_pid != NULL)
		*o->running_pid = 0;
	if (rc == 0 && o->cancel != NULL && *o->cancel)
		rc = seterr(err, FG_ECANCELED, "interrupted");
	if (rc != 0)	/* stop perf script now rather than drain it */
		fg_child_signal(ch.pid, SIGTERM);
	prc = fg_child_wait(&ch, &status, err);
	if (rc != 0)
		return rc;
	if (prc != 0)
		return prc;
	if (status != 0) {
		char d[64];
		fg_status_describe(status, d, sizeof(d));
		return seterr(err, FG_ECHILD, "`perf script -i %s` failed "
		    "(%s)", o->perfdata, d);
	}
	return 0;
}

/* fg_process_read; the native reader's teardown may be left in *later. */
static int
process_read(const struct fg_process_opts *o, struct fg_stacks *st,
    struct fg_error *err, struct fg_pd_teardown **later)
{
	struct fg_error e;
	struct stat sb;
	int fd;

	if (o->perfdata == NULL)
		return seterr(err, FG_EINVAL, "no recording to read");
	fg_error_clear(&e);
	/* what is wrong with the file, said before either reader starts
	   (one the user cannot read may still be read by perf through sudo) */
	if ((fd = pd_open_input(o->perfdata, &sb, &e)) >= 0)
		close(fd);
	else if (e.sys != EACCES) {
		if (err != NULL && err->code == 0)
			*err = e;
		return fd;
	}
	if (fg_process_source(o, NULL, 0) == FG_SOURCE_NATIVE)
		return read_native(o, st, err, later);
	return read_script(o, st, err);
}

int
fg_process_read(const struct fg_process_opts *o, struct fg_stacks *st,
    struct fg_error *err)
{
	return process_read(o, st, err, NULL);
}

struct feeder {
	const struct fg_stacks *st;
	int fd;
	int rc;
	struct fg_error err;
};

static void *
feed(void *arg)
{
	struct feeder *f = arg;
	sigset_t pipe_set;
	FILE *fp;

	/* A command that stops reading gives EPIPE here, not SIGPIPE. */
	sigemptyset(&pipe_set);
	sigaddset(&pipe_set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &pipe_set, NULL);
	if ((fp = fdopen(f->fd, "w")) == NULL) {
		close(f->fd);
		f->rc = seterr_sys(&f->err, FG_EIO, errno, "post-process");
		return NULL;
	}
	f->rc = fg_stacks_write_folded(f->st, fp, &f->err);
	if (fclose(fp) != 0 && f->rc == 0 && errno != EPIPE)
		f->rc = seterr_sys(&f->err, FG_EIO, errno,
		    "post-process: write");
	return NULL;
}

/* Run the post-process command over st; its output becomes *out. */
static int
post_process(const struct fg_process_opts *o, const struct fg_stacks *st,
    struct fg_stacks **out, struct fg_error *err)
{
	struct fg_spawn_opts so;
	struct fg_child ch;
	struct fg_folded_opts fo;
	struct feeder f;
	pthread_t th;
	struct fg_stacks *ns;
	int rc, status = 0, e;

	*out = NULL;
	if ((ns = fg_stacks_new()) == NULL)
		return seterr(err, FG_ENOMEM, "out of memory");
	fg_spawn_opts_init(&so);
	so.in = FG_SPAWN_PIPE;
	so.out = FG_SPAWN_PIPE;
	if ((rc = fg_spawn(o->post_process, &so, &ch, err)) != 0) {
		fg_stacks_free(ns);
		return rc;
	}
	memset(&f, 0, sizeof(f));
	f.st = st;
	f.fd = ch.in;
	ch.in = -1;
	if (o->running_pid != NULL)
		*o->running_pid = ch.pid;
	if ((e = pthread_create(&th, NULL, feed, &f)) != 0) {
		close(f.fd);
		fg_child_wait(&ch, NULL, NULL);
		fg_stacks_free(ns);
		return seterr_sys(err, FG_ENOMEM, e, "post-process thread");
	}
	fg_folded_opts_init(&fo);
	fo.cancel = o->cancel;
	fo.warn = o->warn;
	rc = fg_folded_read_fd(ch.out, o->post_process[0], &fo, ns, err);
	if (rc != 0)
		fg_child_signal(ch.pid, SIGTERM);
	close(ch.out);
	ch.out = -1;
	pthread_join(th, NULL);
	if (o->running_pid != NULL)
		*o->running_pid = 0;
	if (fg_child_wait(&ch, &status, err) != 0 && rc == 0)
		rc = FG_ECHILD;
	if (rc == 0 && f.rc != 0)
		rc = seterr(err, f.rc, "%s", f.err.msg);
	if (rc == 0 && status != 0) {
		char d[64];
		fg_status_describe(status, d, sizeof(d));
		rc = seterr(err, FG_ECHILD, "--post-process %s failed (%s)",
		    o->post_process[0], d);
	}
	/* the command's stacks count what the recording's did */
	if (rc == 0 && stacks_event(st) != NULL && stacks_set_event(ns,
	    stacks_event(st), strlen(stacks_event(st))) != 0)
		rc = seterr(err, FG_ENOMEM, "out of memory");
	if (rc != 0) {
		fg_stacks_free(ns);
		return rc;
	}
	*out = ns;
	return 0;
}

/* The folded reader's warnings of a base: counted, the first kept. */
struct base_warns {
	uint64_t n;
	char first[FG_ERRMSG_MAX];
};

static void
base_warn(void *arg, const char *msg)
{
	struct base_warns *bw = arg;

	size_t n;

	if (bw->n++ > 0)
		return;
	n = strlcpy(bw->first, msg, sizeof(bw->first));
	if (n < sizeof(bw->first) && n > 9 &&
	    strcmp(bw->first + n - 9, "; skipped") == 0)
		bw->first[n - 9] = '\0';
}

/* What kind of file a base is, from its first bytes. */
enum base_kind { BASE_FOLDED, BASE_PERFDATA, BASE_BINARY };

/*
 * perf.data's magic (either byte order) makes a recording; a NUL byte in
 * the first 64 KiB a binary file, which folded text never is.
 */
static int
base_kind(const char *path, enum base_kind *kind, struct fg_error *err)
{
	char buf[65536];
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return seterr_sys(err, FG_EIO, errno, "%s", path);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	if (n == -1)
		return seterr_sys(err, FG_EIO, errno, "%s", path);
	if (n >= 8 && (memcmp(buf, "PERFILE2", 8) == 0 ||
	    memcmp(buf, "2ELIFREP", 8) == 0))
		*kind = BASE_PERFDATA;
	else if (memchr(buf, '\0', (size_t)n) != NULL)
		*kind = BASE_BINARY;
	else
		*kind = BASE_FOLDED;
	return 0;
}

/* A folded base: one warning for lines skipped beside good ones. */
static int
base_read_folded(const struct fg_process_opts *o, const char *path,
    struct fg_stacks *out, struct fg_error *err)
{
	struct fg_folded_opts fo;
	struct base_warns bw;
	int rc;

	memset(&bw, 0, sizeof(bw));
	fg_folded_opts_init(&fo);
	fo.cancel = o->cancel;
	fo.warn.fn = base_warn;
	fo.warn.arg = &bw;
	if ((rc = fg_folded_read_file(path, &fo, out, err)) != 0)
		return rc;
	/* text of another kind may have lines that end in a number */
	if ((fg_diff_total(out) == 0 || bw.n > fg_stacks_count(out)) &&
	    bw.n > 0)
		return seterr(err, FG_EPARSE, "%s: neither folded stacks nor a "
		    "perf.data recording (%s)", path, bw.first);
	if (fg_diff_total(out) == 0)
		return seterr(err, FG_ENODATA, "%s: no samples in the base",
		    path);
	if (bw.n > 0)
		warnf(&o->warn, "%s: %llu line%s skipped, the first: %s", path,
		    (unsigned long long)bw.n, bw.n == 1 ? "" : "s", bw.first);
	return 0;
}

int
fg_process_read_base(const struct fg_process_opts *o, const char *path,
    struct fg_stacks *out, struct fg_error *err)
{
	struct fg_process_opts bo;
	struct fg_stacks *st, *pp = NULL;
	enum base_kind kind;
	int rc;

	if ((rc = base_kind(path, &kind, err)) != 0)
		return rc;
	if (kind == BASE_BINARY)
		return seterr(err, FG_EPARSE, "%s: neither folded stacks nor a "
		    "perf.data recording (a binary file)", path);
	if (kind == BASE_FOLDED)
		return base_read_folded(o, path, out, err);
	bo = *o;
	bo.perfdata = path;
	bo.progress = NULL;
	if ((st = fg_stacks_new()) == NULL)
		return seterr(err, FG_ENOMEM, "out of memory");
	if ((rc = process_read(&bo, st, err, NULL)) == 0 &&
	    o->post_process != NULL && o->post_process[0] != NULL)
		rc = post_process(&bo, st, &pp, err);
	if (rc == 0 && fg_stacks_total(pp != NULL ? pp : st) == 0)
		rc = seterr(err, FG_ENODATA, "%s: no samples in the base",
		    path);
	if (rc == 0)
		rc = fg_stacks_merge(out, pp != NULL ? pp : st, err);
	fg_stacks_free(pp);
	fg_stacks_free(st);
	return rc;
}

/* A temporary file beside path: its name in tmp (reported to t), an
 * open FILE. */
static FILE *
temp_beside(const char *path, char *tmp, size_t tmplen,
    const struct fg_tempfile *t, struct fg_error *err)
{
	const char *slash = strrchr(path, '/');
	int fd, n;
	FILE *fp;

	if (slash == NULL)
		n = snprintf(tmp, tmplen, ".%s.XXXXXX", path);
	else
		n = snprintf(tmp, tmplen, "%.*s/.%s.XXXXXX",
		    (int)(slash - path), path, slash + 1);
	if (n < 0 || (size_t)n >= tmplen) {
		seterr(err, FG_EINVAL, "%s: path too long", path);
		return NULL;
	}
	if (base_is_special(path)) {	/* /dev/null, a FIFO: as it is */
		tmp[0] = '\0';
		if ((fp = fopen(path, "w")) == NULL)
			seterr_sys(err, FG_EIO, errno, "%s", path);
		return fp;
	}
	if ((fd = mkostemp(tmp, O_CLOEXEC)) == -1) {
		seterr_sys(err, FG_EIO, errno, "%s: create temporary file",
		    path);
		return NULL;
	}
	if (t->fn != NULL)
		t->fn(t->arg, tmp, 1);
	fchmod(fd, 0644);
	if ((fp = fdopen(fd, "w")) == NULL) {
		seterr_sys(err, FG_EIO, errno, "%s", tmp);
		close(fd);
		unlink(tmp);
		if (t->fn != NULL)
			t->fn(t->arg, tmp, 0);
	}
	return fp;
}

/* Close fp and rename tmp over path, or remove tmp when rc != 0. */
static int
commit_file(FILE *fp, const char *tmp, const char *path, int rc,
    const struct fg_process_opts *o, struct fg_error *err)
{
	if (fflush(fp) != 0 && rc == 0)
		rc = seterr_sys(err, FG_EIO, errno, "%s: write", path);
	if (fclose(fp) != 0 && rc == 0)
		rc = seterr_sys(err, FG_EIO, errno, "%s: write", path);
	if (rc == 0 && o->cancel != NULL && *o->cancel)
		rc = seterr(err, FG_ECANCELED, "interrupted");
	if (tmp[0] == '\0')	/* written in place (temp_beside) */
		return rc;
	if (rc == 0 && rename(tmp, path) == -1)
		rc = seterr_sys(err, FG_EIO, errno, "rename %s to %s", tmp,
		    path);
	if (rc != 0)
		unlink(tmp);
	if (o->tempfile.fn != NULL)
		o->tempfile.fn(o->tempfile.arg, tmp, 0);
	return rc;
}

/* A writer of one output file from the model. */
typedef int out_write_fn(const struct fg_stacks *st, FILE *fp,
    const struct fg_process_opts *o, struct fg_error *err);

/* Write path with fn through a temporary file renamed into place. */
static int
write_out(const struct fg_process_opts *o, const char *path,
    out_write_fn *fn, const struct fg_stacks *st, struct fg_error *err)
{
	char tmp[PATH_MAX + 32];
	FILE *fp;
	int rc;

	if ((fp = temp_beside(path, tmp, sizeof(tmp), &o->tempfile,
	    err)) == NULL)
		return err != NULL && err->code ? err->code : FG_EIO;
	rc = fn(st, fp, o, err);
	return commit_file(fp, tmp, path, rc, o, err);
}

/* The lanes per thread asked for (FG_THREADS_*), 0: none. */
static int
threads_how(const struct fg_process_opts *o)
{
	int how = o->threads;

	if (o->render != NULL && o->render->flamechart)
		how |= FG_THREADS_TIME;
	return how;
}

/* Whether any sample of st's log has a time. */
static int
has_times(const struct fg_stacks *st)
{
	const struct fg_stacks_step *sq;
	size_t n, i;

	sq = stacks_sequence(st, &n);
	for (i = 0; i < n; i++)
		if (sq[i].time != 0)
			return 1;
	return 0;
}

/*
 * The lanes of st when asked for and st has the sample log to draw them
 * from (a post-process command's output has none: its stacks are drawn
 * as before, with a warning); none with --diff-against.
 */
static int
threads_of(const struct fg_process_opts *o, const struct fg_stacks *st)
{
	int how = threads_how(o);

	if (how == 0)
		return 0;
	if (o->diff_base != NULL) {
		/* a differential graph of merged stacks; its folded output
		   stays the plain stacks, the base of the next comparison */
		if (o->warn.fn != NULL)
			o->warn.fn(o->warn.arg, how & FG_THREADS_TIME ?
			    "--flamechart: not with --diff-against; the "
			    "differential graph is drawn" : "--per-thread: not "
			    "with --diff-against; the differential graph is "
			    "drawn");
		return 0;
	}
	if (stacks_has_samples(st)) {
		if ((how & FG_THREADS_TIME) && !has_times(st)) {
			if (o->warn.fn != NULL)
				o->warn.fn(o->warn.arg, "--flamechart: the "
				    "recording has no sample times; drawn as "
				    "without a recording");
			return how & ~FG_THREADS_TIME;
		}
		return how;
	}
	if (o->warn.fn != NULL)
		o->warn.fn(o->warn.arg, how & FG_THREADS_TIME ?
		    "--flamechart: no sample times after --post-process; "
		    "drawn in the order of the folded stacks" :
		    "--per-thread: no threads after --post-process; drawn "
		    "as one graph");
	return 0;
}

static int
folded_write(const struct fg_stacks *st, FILE *fp,
    const struct fg_process_opts *o, struct fg_error *err)
{
	(void)o;
	return fg_stacks_write_folded(st, fp, err);
}

static int
speedscope_write(const struct fg_stacks *st, FILE *fp,
    const struct fg_process_opts *o, struct fg_error *err)
{
	struct fg_speedscope_opts so;

	fg_speedscope_opts_init(&so);
	so.name = o->perfdata;
	return fg_write_speedscope(st, fp, &so, err);
}

/* The pprof profile (of post-processed stacks: without a sample log). */
static int
pprof_write(const struct fg_stacks *st, FILE *fp,
    const struct fg_process_opts *o, struct fg_error *err)
{
	(void)o;
	return fg_write_pprof(st, fp, NULL, err);
}

/* --folded-output of the lanes per thread. */
static int
folded_threads_write(const struct fg_stacks *st, FILE *fp,
    const struct fg_process_opts *o, struct fg_error *err)
{
	return fg_stacks_write_threads_folded(st, threads_how(o), fp, err);
}

/* Whether an output needs the sample log (fg_stacks_keep_samples). */
static int
wants_samples(const struct fg_process_opts *o)
{
	return o->keep_samples || o->speedscope_output != NULL ||
	    o->pprof_output != NULL || threads_how(o) != 0;
}

/*
 * --diff-against: the base and the current stacks cur as the raw
 * differential stacks in o->diff_result, and those to draw in *draw:
 * the same with --diff-absolute, else normalised ones in *df (made
 * here, the caller frees it).
 */
static int
diff_against(const struct fg_process_opts *o, const struct fg_stacks *cur,
    const struct fg_stacks **draw, struct fg_stacks **df,
    struct fg_error *err)
{
	struct fg_diff_opts dopts;
	int rc;

	fg_diff_opts_init(&dopts);
	if (o->diff_result != NULL && (rc = fg_diff_stacks(o->diff_base, cur,
	    &dopts, o->diff_result, err)) != 0)
		return rc;
	if (o->diff_absolute && o->diff_result != NULL) {
		*draw = o->diff_result;
		return 0;
	}
	if ((*df = fg_stacks_new()) == NULL)
		return seterr(err, FG_ENOMEM, "out of memory");
	dopts.normalize = !o->diff_absolute;
	*draw = *df;
	return fg_diff_stacks(o->diff_base, cur, &dopts, *df, err);
}

/*
 * Following a recording (fg_follow_start): the read runs on its own
 * thread, pd_read_follow() waiting in follow_wait() for more of the
 * file or for the verdict fg_follow_end() gives; its warnings are held
 * until fg_process() takes the result, and dropped with a result that
 * is read again.
 */
struct fg_follow {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int verdict;		/* 0: perf writes; 1: ended, read on; -1: abandoned */
	pthread_t th;
	char *path;
	struct stat stale;
	int has_stale;
	int samples;		/* the stacks keep samples (wants_samples) */
	struct fg_perfdata_opts po;
	struct fg_buf warns;	/* NUL-terminated messages, under mu */
	struct fg_stacks *st;	/* NULL once taken */
	struct fg_pd_teardown *later;
	struct fg_error err;
	int rc;
	int taken;		/* fg_process() used the followed read */
};

int
follow_wait(struct fg_follow *f, unsigned ms)
{
	struct timespec ts;
	int v;

	pthread_mutex_lock(&f->mu);
	if (f->verdict == 0) {
		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += ms / 1000;
		ts.tv_nsec += (long)(ms % 1000) * 1000000;
		if (ts.tv_nsec >= 1000000000) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000;
		}
		(void)pthread_cond_timedwait(&f->cv, &f->mu, &ts);
	}
	v = f->verdict;
	pthread_mutex_unlock(&f->mu);
	return v;
}

static void
follow_warn(void *arg, const char *msg)
{
	struct fg_follow *f = arg;

	pthread_mutex_lock(&f->mu);
	(void)buf_append(&f->warns, msg, strlen(msg) + 1);
	pthread_mutex_unlock(&f->mu);
}

static void *
follow_main(void *arg)
{
	struct fg_follow *f = arg;

	f->rc = pd_read_follow(f->path, &f->po, f->st, &f->err, &f->later, f,
	    f->has_stale ? &f->stale : NULL);
	return NULL;
}

struct fg_follow *
fg_follow_start(const struct fg_process_opts *o)
{
	struct fg_follow *f;

	if (o == NULL || o->perfdata == NULL || o->sudo != NULL ||
	    o->source == FG_SOURCE_PERF_SCRIPT)
		return NULL;
	if ((f = calloc(1, sizeof(*f))) == NULL)
		return NULL;
	if ((f->path = strdup(o->perfdata)) == NULL ||
	    (f->st = fg_stacks_new()) == NULL) {
		fg_stacks_free(f->st);
		free(f->path);
		free(f);
		return NULL;
	}
	f->has_stale = stat(f->path, &f->stale) == 0;
	if ((f->samples = wants_samples(o)) != 0)
		fg_stacks_keep_samples(f->st);
	fg_perfdata_opts_init(&f->po);
	f->po.naming = o->naming;
	f->po.cancel = o->cancel;
	f->po.warn.fn = follow_warn;
	f->po.warn.arg = f;
	fg_error_clear(&f->err);
	buf_init(&f->warns, 0);
	if (pthread_mutex_init(&f->mu, NULL) != 0)
		goto fail;
	if (pthread_cond_init(&f->cv, NULL) != 0) {
		pthread_mutex_destroy(&f->mu);
		goto fail;
	}
	if (pthread_create(&f->th, NULL, follow_main, f) != 0) {
		pthread_cond_destroy(&f->cv);
		pthread_mutex_destroy(&f->mu);
		goto fail;
	}
	return f;
fail:
	fg_stacks_free(f->st);
	free(f->path);
	free(f);
	return NULL;
}

void
fg_follow_end(struct fg_follow *f, int ok)
{
	if (f == NULL)
		return;
	pthread_mutex_lock(&f->mu);
	if (f->verdict == 0)
		f->verdict = ok ? 1 : -1;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mu);
}

void
fg_follow_free(struct fg_follow *f)
{
	if (f == NULL)
		return;
	fg_follow_end(f, 0);
	if (f->path != NULL)	/* not joined yet (follow_take frees it) */
		pthread_join(f->th, NULL);
	pd_teardown_join(f->later);
	fg_stacks_free(f->st);
	buf_free(&f->warns);
	pthread_cond_destroy(&f->cv);
	pthread_mutex_destroy(&f->mu);
	free(f->path);
	free(f);
}

int
fg_follow_taken(const struct fg_follow *f)
{
	return f != NULL && f->taken;
}

/*
 * What the follower read, for fg_process(): *st (the caller's now) and
 * the teardown to join; its warnings told now.  PD_RETRY: read the
 * finished file instead.
 */
static int
follow_take(const struct fg_process_opts *o, struct fg_stacks **st,
    struct fg_error *err, struct fg_pd_teardown **later)
{
	struct fg_follow *f = o->follow;
	size_t i;

	fg_follow_end(f, 1);
	if (f->path != NULL) {
		pthread_join(f->th, NULL);
		free(f->path);
		f->path = NULL;
	}
	if (f->st == NULL || f->rc == PD_RETRY ||
	    f->samples != wants_samples(o))
		return PD_RETRY;
	for (i = 0; i < f->warns.len; i += strlen(f->warns.d + i) + 1)
		warnf(&o->warn, "%s", f->warns.d + i);
	*st = f->st;
	f->st = NULL;
	f->taken = 1;
	*later = f->later;
	f->later = NULL;
	if (f->rc != 0 && err != NULL)
		*err = f->err;
	return f->rc;
}

int
fg_process(const struct fg_process_opts *o, uint64_t *nsamples,
    struct fg_error *err)
{
	struct fg_stacks *st = NULL, *pp = NULL, *df = NULL;
	struct fg_render_opts *ro = NULL;
	struct fg_pd_teardown *later = NULL;
	const struct fg_stacks *use;
	char tmp[PATH_MAX + 32];
	FILE *fp;
	int rc, how;

	if (nsamples != NULL)
		*nsamples = 0;
	if (o->output == NULL)
		return seterr(err, FG_EINVAL, "no output path");
	/* the reader's teardown runs beside the render, joined at out */
	if (o->follow != NULL &&
	    (rc = follow_take(o, &st, err, &later)) != PD_RETRY) {
		if (rc != 0)
			goto out;
	} else {
		pd_teardown_join(later);
		later = NULL;
		if ((st = fg_stacks_new()) == NULL)
			return seterr(err, FG_ENOMEM, "out of memory");
		if (wants_samples(o))
			fg_stacks_keep_samples(st);
		if ((rc = process_read(o, st, err, &later)) != 0)
			goto out;
	}
	use = st;
	if (o->post_process != NULL && o->post_process[0] != NULL) {
		if ((rc = post_process(o, st, &pp, err)) != 0)
			goto out;
		use = pp;
	}
	if (fg_stacks_total(use) == 0) {
		rc = seterr(err, FG_ENODATA, "%s: no samples recorded",
		    o->perfdata);
		goto out;
	}
	how = threads_of(o, use);
	/* the other outputs first, the SVG last */
	if (o->folded_output != NULL &&
	    (rc = write_out(o, o->folded_output, how ? folded_threads_write :
	    folded_write, use, err)) != 0)
		goto out;
	if (o->speedscope_output != NULL &&
	    (rc = write_out(o, o->speedscope_output, speedscope_write, use,
	    err)) != 0)
		goto out;
	if (o->pprof_output != NULL &&
	    (rc = write_out(o, o->pprof_output, pprof_write, use,
	    err)) != 0)
		goto out;
	if (nsamples != NULL)
		*nsamples = fg_stacks_total(use);
	if (o->diff_base != NULL && (rc = diff_against(o, use, &use, &df,
	    err)) != 0)
		goto out;
	if (o->render == NULL && (ro = fg_render_opts_new()) == NULL) {
		rc = seterr(err, FG_ENOMEM, "out of memory");
		goto out;
	}
	if ((fp = temp_beside(o->output, tmp, sizeof(tmp), &o->tempfile,
	    err)) == NULL) {
		rc = err != NULL && err->code ? err->code : FG_EIO;
		goto out;
	}
	if (how != 0)
		rc = fg_render_threads_svg(use, o->render != NULL ? o->render :
		    ro, how, fp, err);
	else
		rc = fg_render_svg(use, o->render != NULL ? o->render : ro, fp,
		    err);
	rc = commit_file(fp, tmp, o->output, rc, o, err);
out:
	pd_teardown_join(later);
	fg_render_opts_free(ro);
	fg_stacks_free(df);
	fg_stacks_free(pp);
	fg_stacks_free(st);
	return rc;
}
