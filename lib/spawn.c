/*
 * spawn.c: child processes for the cargo and record modules.  Children
 * are started with posix_spawnp from argv arrays, never through a shell;
 * they get default signal dispositions and an empty mask whatever the
 * parent set.  A child with a death signal is started with fork and exec
 * instead (posix_spawn cannot run prctl in the child): only
 * async-signal-safe calls between the two, and a close-on-exec pipe
 * brings a failed exec's errno back.  Waiting retries on EINTR so that a
 * signal handler in the program (forwarding Ctrl-C) does not lose a
 * child.  No output, no exit.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base.h"
#include "fg_spawn.h"

extern char **environ;

void
fg_spawn_opts_init(struct fg_spawn_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->in = o->out = o->errfd = FG_SPAWN_INHERIT;
}

static int
env_name_eq(const char *a, const char *b)
{
	while (*a != '\0' && *a != '=' && *a == *b) {
		a++;
		b++;
	}
	return (*a == '=' || *a == '\0') && (*b == '=' || *b == '\0');
}

char **
spawn_envp(const char *const *set, size_t nset)
{
	size_t n = 0, k = 0;
	char **envp;

	while (environ != NULL && environ[n] != NULL)
		n++;
	envp = calloc(n + nset + 1, sizeof(*envp));
	if (envp == NULL)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		int replaced = 0;
		for (size_t j = 0; j < nset; j++)
			if (env_name_eq(environ[i], set[j]))
				replaced = 1;
		if (!replaced)
			envp[k++] = environ[i];
	}
	for (size_t j = 0; j < nset; j++)
		envp[k++] = (char *)set[j];
	envp[k] = NULL;
	return envp;
}

/* Set up one of the child's standard descriptors. */
static int
stdio_action(posix_spawn_file_actions_t *fa, int want, int target,
    int pfd[2], int *parent_end)
{
	*parent_end = -1;
	if (want == FG_SPAWN_INHERIT)
		return 0;
	if (want == FG_SPAWN_NULL)
		return posix_spawn_file_actions_addopen(fa, target, "/dev/null",
		    target == 0 ? O_RDONLY : O_WRONLY, 0);
	if (want == FG_SPAWN_PIPE) {
		if (pipe2(pfd, O_CLOEXEC) == -1)
			return errno;
		/* The child's end is dup2'ed (which clears CLOEXEC). */
		if (target == 0) {
			*parent_end = pfd[1];
			return posix_spawn_file_actions_adddup2(fa, pfd[0], 0);
		}
		*parent_end = pfd[0];
		return posix_spawn_file_actions_adddup2(fa, pfd[1], target);
	}
	return posix_spawn_file_actions_adddup2(fa, want, target);
}

/*
 * The forked child: descriptors fds[0..2] (-1: inherited) become 0..2,
 * then the death signal, the directory, the signal state, exec.  On a
 * failure errno goes to errfd.  Async-signal-safe calls only.
 */
static void
child_exec(const char *const *argv, char **envp, const int fds[3],
    const char *cwd, int deathsig, pid_t parent, int errfd)
{
	struct sigaction dfl;
	sigset_t none;
	int e;

	dfl.sa_handler = SIG_DFL;
	dfl.sa_flags = 0;
	sigemptyset(&dfl.sa_mask);
	for (int s = 1; s < NSIG; s++)
		(void)sigaction(s, &dfl, NULL);	/* all still blocked */
	if (prctl(PR_SET_PDEATHSIG, deathsig) == -1)
		goto fail;
	/* the parent may have died before prctl: then no signal comes */
	if (getppid() != parent)
		_exit(128 + deathsig);
	for (int i = 0; i < 3; i++) {
		if (fds[i] < 0)
			continue;
		if (fds[i] == i ? fcntl(i, F_SETFD, 0) == -1 :
		    dup2(fds[i], i) == -1)
			goto fail;
	}
	if (cwd != NULL && chdir(cwd) == -1)
		goto fail;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	execvpe(argv[0], (char *const *)argv, envp);
fail:
	e = errno;
	(void)!write(errfd, &e, sizeof(e));
	_exit(127);
}

/* fg_spawn for a child with a death signal: fork, child_exec. */
static int
spawn_fork(const char *const *argv, const struct fg_spawn_opts *o,
    const int wants[3], char **envp, struct fg_child *ch,
    struct fg_error *err)
{
	int pipes[3][2] = { { -1, -1 }, { -1, -1 }, { -1, -1 } };
	int fds[3] = { -1, -1, -1 }, ep[2] = { -1, -1 };
	int devnull = -1, e = 0, rc = 0;
	sigset_t all, old;
	pid_t parent = getpid(), pid;
	ssize_t n;

	for (int i = 0; i < 3 && e == 0; i++) {
		if (wants[i] == FG_SPAWN_NULL) {
			if (devnull == -1 && (devnull = open("/dev/null",
			    O_RDWR | O_CLOEXEC)) == -1)
				e = errno;
			fds[i] = devnull;
		} else if (wants[i] == FG_SPAWN_PIPE) {
			if (pipe2(pipes[i], O_CLOEXEC) == -1)
				e = errno;
			fds[i] = pipes[i][i == 0 ? 0 : 1];
		} else if (wants[i] >= 0) {
			fds[i] = wants[i];
		}
	}
	if (e == 0 && pipe2(ep, O_CLOEXEC) == -1)
		e = errno;
	if (e != 0) {
		rc = seterr_sys(err, FG_ECHILD, e, "spawn %s", argv[0]);
		goto out;
	}
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	pid = fork();
	if (pid == 0)
		child_exec(argv, envp, fds, o->cwd, o->death_signal, parent,
		    ep[1]);
	e = errno;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (pid == -1) {
		rc = seterr_sys(err, FG_ECHILD, e, "cannot run %s",
		    argv[0]);
		goto out;
	}
	close(ep[1]);
	ep[1] = -1;
	do {
		n = read(ep[0], &e, sizeof(e));
	} while (n == -1 && errno == EINTR);
	if (n == (ssize_t)sizeof(e)) {	/* exec failed; reap the child */
		while (waitpid(pid, NULL, 0) == -1 && errno == EINTR)
			;
		rc = seterr_sys(err, FG_ECHILD, e, "cannot run %s",
		    argv[0]);
		goto out;
	}
	ch->pid = (int)pid;
	for (int i = 0; i < 3; i++)
		if (wants[i] == FG_SPAWN_PIPE) {
			int *end = i == 0 ? &ch->in : i == 1 ? &ch->out :
			    &ch->errfd;
			*end = pipes[i][i == 0 ? 1 : 0];
			pipes[i][i == 0 ? 1 : 0] = -1;
		}
out:
	for (int i = 0; i < 3; i++)
		for (int j = 0; j < 2; j++)
			if (pipes[i][j] != -1)
				close(pipes[i][j]);
	if (devnull != -1)
		close(devnull);
	if (ep[0] != -1)
		close(ep[0]);
	if (ep[1] != -1)
		close(ep[1]);
	return rc;
}

/* fa's actions for the child: its stdio as wants[] says (pipes made in
 * pipes[], the parent's ends in ends[]), its directory: 0 or an error. */
static int
spawn_actions(posix_spawn_file_actions_t *fa, const char *const *argv,
    const struct fg_spawn_opts *o, const int wants[3], int pipes[3][2],
    int ends[3], struct fg_error *err)
{
	int e;

	for (int i = 0; i < 3; i++)
		if ((e = stdio_action(fa, wants[i], i, pipes[i], &ends[i])) != 0)
			return seterr_sys(err, FG_ECHILD, e, "spawn %s",
			    argv[0]);
	if (o->cwd != NULL &&
	    (e = posix_spawn_file_actions_addchdir_np(fa, o->cwd)) != 0)
		return seterr_sys(err, FG_ECHILD, e, "spawn %s", argv[0]);
	return 0;
}

/* attr set so the child starts with default signal handlers, none
 * blocked. */
static void
spawn_signals(posix_spawnattr_t *attr)
{
	sigset_t all, none;

	sigfillset(&all);
	sigemptyset(&none);
	posix_spawnattr_setsigdefault(attr, &all);
	posix_spawnattr_setsigmask(attr, &none);
	posix_spawnattr_setflags(attr,
	    POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
}

/* The child's pipe ends closed, and the parent's still in ends[] (those
 * not handed to the caller). */
static void
spawn_close_pipes(const int wants[3], int pipes[3][2], const int ends[3])
{
	for (int i = 0; i < 3; i++) {
		if (wants[i] != FG_SPAWN_PIPE)
			continue;
		if (i == 0) {
			close(pipes[i][0]);
		} else {
			close(pipes[i][1]);
		}
		if (ends[i] != -1)
			close(ends[i]);
	}
}

int
fg_spawn(const char *const *argv, const struct fg_spawn_opts *o,
    struct fg_child *ch, struct fg_error *err)
{
	struct fg_spawn_opts def;
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	int pipes[3][2] = { { -1, -1 }, { -1, -1 }, { -1, -1 } };
	int ends[3] = { -1, -1, -1 };
	int wants[3];
	char **envp = NULL;
	pid_t pid;
	int e, rc = 0;

	ch->pid = 0;
	ch->in = ch->out = ch->errfd = -1;
	if (argv == NULL || argv[0] == NULL)
		return seterr(err, FG_EINVAL, "spawn: empty command");
	if (o == NULL) {
		fg_spawn_opts_init(&def);
		o = &def;
	}
	wants[0] = o->in;
	wants[1] = o->out;
	wants[2] = o->errfd;
	if (o->death_signal != 0) {
		if ((envp = spawn_envp(o->setenv, o->nsetenv)) == NULL)
			return seterr(err, FG_ENOMEM, "spawn %s: out of "
			    "memory", argv[0]);
		rc = spawn_fork(argv, o, wants, envp, ch, err);
		free(envp);
		return rc;
	}
	if ((e = posix_spawn_file_actions_init(&fa)) != 0)
		return seterr_sys(err, FG_ENOMEM, e, "spawn %s", argv[0]);
	if ((e = posix_spawnattr_init(&attr)) != 0) {
		posix_spawn_file_actions_destroy(&fa);
		return seterr_sys(err, FG_ENOMEM, e, "spawn %s", argv[0]);
	}
	if ((rc = spawn_actions(&fa, argv, o, wants, pipes, ends, err)) != 0)
		goto out;
	spawn_signals(&attr);
	if ((envp = spawn_envp(o->setenv, o->nsetenv)) == NULL) {
		rc = seterr(err, FG_ENOMEM, "spawn %s: out of memory",
		    argv[0]);
		goto out;
	}
	e = posix_spawnp(&pid, argv[0], &fa, &attr, (char *const *)argv,
	    envp);
	if (e != 0) {
		rc = seterr_sys(err, FG_ECHILD, e, "cannot run %s",
		    argv[0]);
		goto out;
	}
	ch->pid = (int)pid;
	ch->in = ends[0];
	ch->out = ends[1];
	ch->errfd = ends[2];
	ends[0] = ends[1] = ends[2] = -1;
out:
	/* The child's pipe ends always close here; parent ends on failure. */
	spawn_close_pipes(wants, pipes, ends);
	free(envp);
	posix_spawnattr_destroy(&attr);
	posix_spawn_file_actions_destroy(&fa);
	return rc;
}

int
fg_child_wait(struct fg_child *ch, int *status, struct fg_error *err)
{
	pid_t r;
	int st = 0;

	if (ch->in != -1) {
		close(ch->in);
		ch->in = -1;
	}
	if (ch->out != -1) {
		close(ch->out);
		ch->out = -1;
	}
	if (ch->errfd != -1) {
		close(ch->errfd);
		ch->errfd = -1;
	}
	if (ch->pid <= 0)
		return seterr(err, FG_EINVAL, "wait: no child");
	do {
		r = waitpid((pid_t)ch->pid, &st, 0);
	} while (r == -1 && errno == EINTR);
	if (r == -1)
		return seterr_sys(err, FG_ECHILD, errno, "wait for %d",
		    ch->pid);
	ch->pid = 0;
	if (status != NULL)
		*status = st;
	return 0;
}

void
fg_child_signal(int pid, int sig)
{
	if (pid > 0)
		kill((pid_t)pid, sig);
}

int
fg_status_code(int status)
{
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return 1;
}

void
fg_status_describe(int status, char *buf, size_t len)
{
	if (WIFEXITED(status)) {
		snprintf(buf, len, "exit status %d", WEXITSTATUS(status));
	} else if (WIFSIGNALED(status)) {
		const char *abbr = sigabbrev_np(WTERMSIG(status));
		snprintf(buf, len, "signal %d (SIG%s)%s", WTERMSIG(status),
		    abbr != NULL ? abbr : "?",
		    WCOREDUMP(status) ? ", core dumped" : "");
	} else {
		snprintf(buf, len, "wait status %#x", status);
	}
}

int
fg_split_words(const char *s, char ***words, size_t *n,
    struct fg_error *err)
{
	size_t len = strlen(s), nw = 0, cap = len / 2 + 2;
	char **v;
	char *out, *w;
	const char *p = s;

	*words = NULL;
	*n = 0;
	/* One allocation: the pointer array, then the words' bytes. */
	if (cap > (SIZE_MAX - len - 1) / sizeof(char *) - 1)
		return seterr(err, FG_EOVERFLOW, "split: string too long");
	v = malloc((cap + 1) * sizeof(char *) + len + 1);
	if (v == NULL)
		return seterr(err, FG_ENOMEM, "split: out of memory");
	out = (char *)(v + cap + 1);
	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n')
			p++;
		if (*p == '\0')
			break;
		w = out;
		while (*p != '\0' && *p != ' ' && *p != '\t' && *p != '\n') {
			if (*p == '\'') {
				const char *q = strchr(p + 1, '\'');
				if (q == NULL)
					goto unterminated;
				memcpy(out, p + 1, (size_t)(q - p - 1));
				out += q - p - 1;
				p = q + 1;
			} else if (*p == '"') {
				p++;
				while (*p != '"') {
					if (*p == '\0')
						goto unterminated;
					if (*p == '\\' && p[1] != '\0' &&
					    strchr("\"\\$`", p[1]) != NULL)
						p++;
					*out++ = *p++;
				}
				p++;
			} else if (*p == '\\' && p[1] != '\0') {
				*out++ = p[1];
				p += 2;
			} else {
				*out++ = *p++;
			}
		}
		*out++ = '\0';
		v[nw++] = w;
	}
	v[nw] = NULL;
	*words = v;
	*n = nw;
	return 0;
unterminated:
	free(v);
	return seterr(err, FG_EINVAL, "unterminated quote in \"%s\"", s);
}
