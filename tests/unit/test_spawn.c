/*
 * test_spawn.c: unit tests of the spawn and record modules' pieces that
 * need no cargo or perf: word splitting, children with pipes, /dev/null,
 * a working directory and environment overrides, wait statuses, the perf
 * record argv, the ELF debug-info check, and a failing start.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "flamegraph.h"
#include "fg_spawn.h"
#include "check.h"

static void
test_split(void)
{
	struct fg_error err = {0};
	char **w;
	size_t n;

	CHECK(fg_split_words("  -E  --preserve-env=PATH -u 'a b'\t\"c \\\"d\\\"\" e\\ f ''", &w, &n, &err) == 0);
	CHECK(n == 7);
	if (n == 7) {
		CHECK(strcmp(w[0], "-E") == 0);
		CHECK(strcmp(w[1], "--preserve-env=PATH") == 0);
		CHECK(strcmp(w[2], "-u") == 0);
		CHECK(strcmp(w[3], "a b") == 0);
		CHECK(strcmp(w[4], "c \"d\"") == 0);
		CHECK(strcmp(w[5], "e f") == 0);
		CHECK(strcmp(w[6], "") == 0);
		CHECK(w[7] == NULL);
	}
	free(w);
	CHECK(fg_split_words("", &w, &n, &err) == 0 && n == 0 && w[0] == NULL);
	free(w);
	CHECK(fg_split_words("a 'b", &w, &n, &err) == FG_EINVAL);
	CHECK(w == NULL);
	CHECK(strstr(err.msg, "unterminated") != NULL);
	fg_error_clear(&err);
	CHECK(fg_split_words("x \"y", &w, &n, &err) == FG_EINVAL);
}

static char *
read_all(int fd)
{
	static char buf[4096];
	size_t len = 0;
	ssize_t r;

	while ((r = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += (size_t)r;
	buf[len] = '\0';
	return buf;
}

/* deathsig: 0 for posix_spawn, else the fork and exec path */
static void
test_spawn_pipe_env_cwd(int deathsig)
{
	const char *argv[] = { "sh", "-c",
	    "pwd; echo \"$FG_T1 $FG_T2\"; read x; echo got:$x; echo err >&2; exit 3",
	    NULL };
	const char *env[] = { "FG_T1=one", "FG_T2=two" };
	struct fg_spawn_opts so;
	struct fg_child ch;
	struct fg_error err = {0};
	char desc[64];
	int st = 0;

	setenv("FG_T1", "old", 1);
	fg_spawn_opts_init(&so);
	so.in = FG_SPAWN_PIPE;
	so.out = FG_SPAWN_PIPE;
	so.errfd = FG_SPAWN_NULL;
	so.cwd = "/";
	so.setenv = env;
	so.nsetenv = 2;
	so.death_signal = deathsig;
	CHECK(fg_spawn(argv, &so, &ch, &err) == 0);
	CHECK(ch.pid > 0 && ch.in >= 0 && ch.out >= 0 && ch.errfd == -1);
	CHECK(write(ch.in, "hello\n", 6) == 6);
	close(ch.in);
	ch.in = -1;
	CHECK(strcmp(read_all(ch.out), "/\none two\ngot:hello\n") == 0);
	CHECK(fg_child_wait(&ch, &st, &err) == 0);
	CHECK(ch.pid == 0 && ch.out == -1);
	CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 3);
	CHECK(fg_status_code(st) == 3);
	fg_status_describe(st, desc, sizeof(desc));
	CHECK(strcmp(desc, "exit status 3") == 0);
	CHECK(strcmp(getenv("FG_T1"), "old") == 0);	/* parent untouched */
}

static void
test_signals(void)
{
	const char *argv[] = { "sh", "-c", "kill -SEGV $$", NULL };
	const char *sleeper[] = { "sleep", "30", NULL };
	struct fg_child ch;
	struct fg_error err = {0};
	char desc[64];
	int st = 0;

	CHECK(fg_spawn(argv, NULL, &ch, &err) == 0);
	CHECK(fg_child_wait(&ch, &st, &err) == 0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGSEGV);
	CHECK(fg_status_code(st) == 128 + SIGSEGV);
	fg_status_describe(st, desc, sizeof(desc));
	CHECK(strncmp(desc, "signal 11 (SIGSEGV)", 19) == 0);

	/* the child gets SIGINT's default action even when we ignore it */
	signal(SIGINT, SIG_IGN);
	CHECK(fg_spawn(sleeper, NULL, &ch, &err) == 0);
	fg_child_signal(ch.pid, SIGINT);
	CHECK(fg_child_wait(&ch, &st, &err) == 0);
	CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGINT);
	signal(SIGINT, SIG_DFL);
}

static void
test_spawn_missing(int deathsig)
{
	const char *argv[] = { "/nonexistent/fg-no-such-program", NULL };
	const char *bare[] = { "fg-no-such-program-in-path", NULL };
	const char *none[] = { NULL };
	struct fg_spawn_opts so;
	struct fg_child ch;
	struct fg_error err = {0};

	fg_spawn_opts_init(&so);
	so.death_signal = deathsig;
	CHECK(fg_spawn(bare, &so, &ch, &err) == FG_ECHILD);
	CHECK(err.sys == ENOENT);
	fg_error_clear(&err);
	CHECK(fg_spawn(argv, &so, &ch, &err) == FG_ECHILD);
	CHECK(err.sys == ENOENT);
	CHECK(ch.pid == 0);
	CHECK(strstr(err.msg, "fg-no-such-program") != NULL);
	fg_error_clear(&err);
	CHECK(fg_spawn(none, NULL, &ch, &err) == FG_EINVAL);
}

/*
 * A child started with a death signal by a process that is then killed
 * with SIGKILL gets the signal: an intermediate process spawns `sleep`,
 * reports its pid and is killed.
 */
static void
test_death_signal(void)
{
	const char *sleeper[] = { "sleep", "30", NULL };
	int p[2], st, gone = 0;
	pid_t mid, spid = 0;

	CHECK(pipe(p) == 0);
	if ((mid = fork()) == 0) {
		struct fg_spawn_opts so;
		struct fg_child ch;
		struct fg_error err = {0};

		fg_spawn_opts_init(&so);
		so.death_signal = SIGTERM;
		if (fg_spawn(sleeper, &so, &ch, &err) != 0)
			_exit(1);
		(void)!write(p[1], &ch.pid, sizeof(ch.pid));
		pause();
		_exit(0);
	}
	close(p[1]);
	CHECK(mid > 0 && read(p[0], &spid, sizeof(spid)) ==
	    (ssize_t)sizeof(spid));
	close(p[0]);
	kill(mid, SIGKILL);
	waitpid(mid, &st, 0);
	/* the sleeper is reparented; wait up to 10 s for it to go */
	for (int i = 0; i < 1000 && spid > 0 && !gone; i++) {
		char path[64], buf[256];
		FILE *fp;

		snprintf(path, sizeof(path), "/proc/%d/stat", (int)spid);
		if ((fp = fopen(path, "r")) == NULL) {
			gone = 1;
			break;
		}
		/* "pid (comm) S ...": a zombie counts as gone */
		if (fgets(buf, sizeof(buf), fp) != NULL &&
		    strstr(buf, ") Z") != NULL)
			gone = 1;
		fclose(fp);
		if (!gone)
			usleep(10000);
	}
	CHECK(gone);
	if (!gone && spid > 0)
		kill(spid, SIGKILL);
}

static int
argv_is(char **v, size_t n, const char *const *want)
{
	size_t i;

	for (i = 0; want[i] != NULL; i++)
		if (i >= n || strcmp(v[i], want[i]) != 0)
			return 0;
	return i == n && v[n] == NULL;
}

static void
test_record_argv(void)
{
	struct fg_record_opts o;
	struct fg_error err = {0};
	const char *work[] = { "/bin/prog", "a b", "--x" };
	const char *sudo[] = { "-E", "-u", "root" };
	const char *custom[] = { "record", "-e", "cycles", "-g" };
	const char *extra[] = { "--all-user", "-z" };
	char **v;
	size_t n;

	fg_record_opts_init(&o);
	o.output = "/t/perf.data";
	o.argv = work;
	o.argc = 3;
	CHECK(fg_record_argv(&o, &v, &n, &err) == 0);
	CHECK(argv_is(v, n, (const char *const[]){ "perf", "record", "-F",
	    "997", "--call-graph", "dwarf,32768", "-o", "/t/perf.data", "--",
	    "/bin/prog", "a b", "--x", NULL }));
	free(v);

	o.sudo = sudo;
	o.nsudo = 3;
	o.perf = "/opt/perf";
	o.freq = 4999;
	o.compression = 3;
	o.quiet = 1;
	CHECK(fg_record_argv(&o, &v, &n, &err) == 0);
	CHECK(argv_is(v, n, (const char *const[]){ "sudo", "-E", "-u", "root",
	    "--", "/opt/perf", "record", "-F", "4999", "--call-graph",
	    "dwarf,32768", "--compression-level=3", "-q", "-o", "/t/perf.data",
	    "--", "/bin/prog", "a b", "--x", NULL }));
	free(v);

	fg_record_opts_init(&o);
	o.output = "p.data";
	o.custom = custom;
	o.ncustom = 4;
	o.pids = "12,34";
	CHECK(fg_record_argv(&o, &v, &n, &err) == 0);
	CHECK(argv_is(v, n, (const char *const[]){ "perf", "record", "-e",
	    "cycles", "-g", "-o", "p.data", "--pid", "12,34", NULL }));
	free(v);

	/* the manifest's perf-options: after ours, before -o */
	o.custom = NULL;
	o.extra = extra;
	o.nextra = 2;
	CHECK(fg_record_argv(&o, &v, &n, &err) == 0);
	CHECK(argv_is(v, n, (const char *const[]){ "perf", "record", "-F",
	    "997", "--call-graph", "dwarf,32768", "--all-user", "-z", "-o",
	    "p.data", "--pid", "12,34", NULL }));
	free(v);

	fg_record_opts_init(&o);
	o.output = "p.data";
	CHECK(fg_record_argv(&o, &v, &n, &err) == FG_EINVAL);
	CHECK(strstr(err.msg, "nothing to record") != NULL);
}

static void
test_elf(void)
{
	struct fg_error err = {0};
	char path[] = "/tmp/fg-test-elf-XXXXXX";
	int dbg = -1, sym = -1, fd;

	/* this test program is built with -g (RelWithDebInfo or Debug) */
	CHECK(fg_elf_debug_info("/proc/self/exe", &dbg, &sym, &err) == 0);
	CHECK(dbg == 1 && sym == 1);

	fd = mkstemp(path);
	CHECK(fd >= 0);
	CHECK(write(fd, "\177ELF\2\1\1", 7) == 7);	/* truncated header */
	close(fd);
	CHECK(fg_elf_debug_info(path, &dbg, &sym, &err) == FG_EPARSE);
	CHECK(dbg == 0 && sym == 0);
	fg_error_clear(&err);
	CHECK(fg_elf_debug_info("/nonexistent/x", &dbg, &sym, &err) == FG_EIO);
	unlink(path);
}

static void
test_envp(void)
{
	const char *set[] = { "FG_ENVP_A=1", "PATH=/x" };
	char **e;
	int a = 0, path = 0;

	setenv("FG_ENVP_A", "0", 1);
	e = spawn_envp(set, 2);
	CHECK(e != NULL);
	for (size_t i = 0; e != NULL && e[i] != NULL; i++) {
		if (strncmp(e[i], "FG_ENVP_A=", 10) == 0) {
			a++;
			CHECK(strcmp(e[i], "FG_ENVP_A=1") == 0);
		}
		if (strncmp(e[i], "PATH=", 5) == 0) {
			path++;
			CHECK(strcmp(e[i], "PATH=/x") == 0);
		}
	}
	CHECK(a == 1 && path == 1);
	free(e);
}

int
main(void)
{
	test_split();
	test_spawn_pipe_env_cwd(0);
	test_spawn_pipe_env_cwd(SIGTERM);
	test_signals();
	test_spawn_missing(0);
	test_spawn_missing(SIGINT);
	test_death_signal();
	test_record_argv();
	test_elf();
	test_envp();
	return check_done("test_spawn");
}
