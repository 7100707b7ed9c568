/*
 * replay.c: main() for a fuzz target outside libFuzzer.  Runs the
 * target's LLVMFuzzerTestOneInput once on every file named, and on every
 * file of every directory named (in name order; a directory that does
 * not exist holds nothing).  Each input is in a buffer of exactly its
 * size, so that the sanitizers see a read past its end.  Exit status 0
 * when every input ran (a crash ends the program), 1 on an unreadable
 * file.
 *   replay_NAME PATH...
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
run_file(const char *path)
{
	FILE *fp;
	uint8_t *buf;
	struct stat sb;
	size_t n;

	if ((fp = fopen(path, "rb")) == NULL || fstat(fileno(fp), &sb) != 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		if (fp != NULL)
			fclose(fp);
		return -1;
	}
	n = (size_t)sb.st_size;
	if ((buf = malloc(n ? n : 1)) == NULL || fread(buf, 1, n, fp) != n) {
		fprintf(stderr, "replay: %s: cannot read\n", path);
		free(buf);
		fclose(fp);
		return -1;
	}
	fclose(fp);
	printf("%s (%zu bytes)\n", path, n);
	fflush(stdout);
	(void)LLVMFuzzerTestOneInput(buf, n);
	free(buf);
	return 0;
}

static int
cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
run_dir(const char *dir, size_t *count)
{
	DIR *d;
	struct dirent *e;
	char **names = NULL, **nn, path[4096];
	size_t n = 0, cap = 0, i;
	int bad = 0;

	if ((d = opendir(dir)) == NULL)
		return errno == ENOENT ? 0 : -1;
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? 2 * cap : 64;
			if ((nn = realloc(names, cap * sizeof(*names))) == NULL)
				break;
			names = nn;
		}
		if ((names[n] = strdup(e->d_name)) == NULL)
			break;
		n++;
	}
	closedir(d);
	if (n > 0)
		qsort(names, n, sizeof(*names), cmp_names);
	for (i = 0; i < n; i++) {
		struct stat sb;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
			if (run_file(path) != 0)
				bad = 1;
			(*count)++;
		}
		free(names[i]);
	}
	free(names);
	return bad ? -1 : 0;
}

int
main(int argc, char **argv)
{
	size_t count = 0;
	int i, bad = 0;
	struct stat sb;

	for (i = 1; i < argc; i++) {
		if (stat(argv[i], &sb) == 0 && S_ISDIR(sb.st_mode)) {
			if (run_dir(argv[i], &count) != 0)
				bad = 1;
		} else if (stat(argv[i], &sb) == 0) {
			if (run_file(argv[i]) != 0)
				bad = 1;
			count++;
		}
	}
	printf("replayed %zu inputs\n", count);
	return bad;
}
