/*
 * record.c: the `perf record` command line and its start.  The perf argv
 * is built from options (sudo flags as words, never a shell); perf is
 * started so that it ends its file and the workload on SIGINT, as on
 * Ctrl-C.  Turning a recording into a graph is lib/process.c's.  No
 * output, no exit, no global state.
 */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "argvb.h"
#include "base.h"
#include "fg_spawn.h"

void
fg_record_opts_init(struct fg_record_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->freq = FG_RECORD_DEFAULT_FREQ;
	o->call_graph = FG_RECORD_DEFAULT_CALL_GRAPH;
	o->compression = -1;
	o->fast_end = 1;
}

int
fg_record_argv(const struct fg_record_opts *o, char ***argv, size_t *argc,
    struct fg_error *err)
{
	struct argvb a;

	*argv = NULL;
	if (o->output == NULL)
		return seterr(err, FG_EINVAL, "perf record: no output file");
	/* custom arguments may name what to record themselves (-p, -a) */
	if (o->pids == NULL && o->custom == NULL &&
	    (o->argv == NULL || o->argc == 0))
		return seterr(err, FG_EINVAL,
		    "perf record: nothing to record (no command, no --pid)");
	if (o->freq == 0 && o->custom == NULL)
		return seterr(err, FG_EINVAL, "perf record: -F 0");
	argvb_init(&a);
	argvb_sudo(&a, o->sudo, o->nsudo);
	argvb_push(&a, o->perf != NULL ? o->perf : "perf");
	if (o->custom != NULL) {
		for (size_t i = 0; i < o->ncustom; i++)
			argvb_push(&a, o->custom[i]);
	} else {
		argvb_push(&a, "record");
		argvb_push(&a, "-F");
		argvb_pushf(&a, "", o->freq);
		argvb_push(&a, "--call-graph");
		argvb_push(&a, o->call_graph != NULL ? o->call_graph :
		    FG_RECORD_DEFAULT_CALL_GRAPH);
		/* perf's end-of-recording passes (recording.md) */
		if (o->fast_end && o->caps.no_bpf_event)
			argvb_push(&a, "--no-bpf-event");
		if (o->fast_end && o->caps.buildid_mmap)
			argvb_push(&a, "--buildid-mmap");
	}
	if (o->compression >= 0)
		argvb_pushf(&a, "--compression-level=",
		    (unsigned long long)o->compression);
	if (o->quiet)
		argvb_push(&a, "-q");
	for (size_t i = 0; i < o->nextra; i++)
		argvb_push(&a, o->extra[i]);
	argvb_push(&a, "-o");
	argvb_push(&a, o->output);
	if (o->pids != NULL) {
		argvb_push(&a, "--pid");
		argvb_push(&a, o->pids);
	} else {
		argvb_push(&a, "--");
		for (size_t i = 0; i < o->argc; i++)
			argvb_push(&a, o->argv[i]);
	}
	return argvb_finish(&a, argv, argc, err);
}

int
fg_record_start(const struct fg_record_opts *o, struct fg_child *ch,
    struct fg_error *err)
{
	struct fg_record_opts ro = *o;
	struct fg_spawn_opts so;
	char **argv;
	int rc;

	ch->pid = 0;
	ch->in = ch->out = ch->errfd = -1;
	/* not installed or not runnable: fg_spawn below says so */
	if (!ro.caps.known && ro.custom == NULL && ro.fast_end)
		(void)fg_perf_probe(ro.perf, &ro.caps, NULL);
	if ((rc = fg_record_argv(&ro, &argv, NULL, err)) != 0)
		return rc;
	fg_spawn_opts_init(&so);
	/* perf ends its file and the workload on SIGINT, as on Ctrl-C */
	so.death_signal = SIGINT;
	rc = fg_spawn((const char *const *)argv, &so, ch, err);
	free(argv);
	return rc;
}
