/*
 * perfcaps.c: what the installed perf and the running kernel support,
 * for the options the recorder adds by itself (recording.md, "Ending the
 * recording quickly").  One `perf version` run and uname(2); no output.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base.h"
#include "fg_spawn.h"

/* "X.Y..." anywhere after prefix in s, as *major and *minor: 0/-1. */
static int
version_after(const char *s, const char *prefix, unsigned *major,
    unsigned *minor)
{
	const char *p = strstr(s, prefix);

	if (p == NULL)
		return -1;
	p += strlen(prefix);
	if (sscanf(p, "%u.%u", major, minor) != 2)
		return -1;
	return 0;
}

static int
at_least(unsigned major, unsigned minor, unsigned wmajor, unsigned wminor)
{
	return major > wmajor || (major == wmajor && minor >= wminor);
}

/* Up to len-1 bytes of the child's output, NUL-terminated. */
static void
read_all(int fd, char *buf, size_t len)
{
	size_t n = 0;
	ssize_t r;

	while (n + 1 < len) {
		r = read(fd, buf + n, len - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
}

int
fg_perf_probe(const char *perf, struct fg_perf_caps *caps,
    struct fg_error *err)
{
	const char *argv[3];
	struct fg_spawn_opts so;
	struct fg_child ch;
	struct utsname u;
	unsigned kmajor = 0, kminor = 0;
	char out[256];
	int status, rc;

	memset(caps, 0, sizeof(*caps));
	argv[0] = perf != NULL ? perf : "perf";
	argv[1] = "version";
	argv[2] = NULL;
	fg_spawn_opts_init(&so);
	so.in = FG_SPAWN_NULL;
	so.out = FG_SPAWN_PIPE;
	so.errfd = FG_SPAWN_NULL;
	so.death_signal = SIGKILL;
	if ((rc = fg_spawn(argv, &so, &ch, err)) != 0)
		return rc;
	read_all(ch.out, out, sizeof(out));
	if (fg_child_wait(&ch, &status, err) != 0)
		return FG_ECHILD;
	caps->known = 1;
	if (fg_status_code(status) != 0 ||
	    version_after(out, "perf version ", &caps->major,
	    &caps->minor) != 0) {
		caps->major = caps->minor = 0;
		return 0;
	}
	if (uname(&u) != 0 ||
	    version_after(u.release, "", &kmajor, &kminor) != 0)
		kmajor = kminor = 0;
	/* perf 5.1 added the option with the BPF events it turns off */
	caps->no_bpf_event = at_least(caps->major, caps->minor, 5, 1);
	/* perf and kernel 5.12: build ids in MMAP2 records */
	caps->buildid_mmap = at_least(caps->major, caps->minor, 5, 12) &&
	    at_least(kmajor, kminor, 5, 12);
	return 0;
}
