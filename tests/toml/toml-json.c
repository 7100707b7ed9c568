/*
 * toml-json.c: the TOML reader's test driver.  Prints a document as
 * toml-test's tagged JSON, or checks a document against toml-test's
 * expectations:
 *
 *   toml-json FILE.toml                  print the tagged JSON
 *   toml-json --valid FILE.toml FILE.json   parse and compare (exit 0/1)
 *   toml-json --invalid FILE.toml        must be rejected with an error
 *                                        naming FILE.toml:LINE:COL
 *   toml-json --list DIR LIST            every case of LIST (toml-test's
 *                                        files-toml-1.0.0) in one process
 *   toml-json --bench FILE N             parse FILE N times, print the
 *                                        best time in seconds
 *
 * Comparison follows toml-test: JSON values compared structurally,
 * integers as 64-bit values, floats as doubles (any nan equals any nan),
 * datetimes after normalising the separator, case, fraction and a zero
 * offset.
 */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "flamegraph.h"
#include "toml.h"

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp = fopen(path, "rb");
	char *b = NULL;
	size_t cap = 0, n;

	*len = 0;
	if (fp == NULL)
		return NULL;
	for (;;) {
		if (cap - *len < 65536) {
			cap = cap ? cap * 2 : 131072;
			if ((b = realloc(b, cap + 1)) == NULL)
				exit(2);
		}
		n = fread(b + *len, 1, cap - *len, fp);
		*len += n;
		if (n == 0)
			break;
	}
	fclose(fp);
	b[*len] = '\0';
	return b;
}

/* Our strings hold U+0000 as C0 80; cJSON's parse of the expected
 * "\u0000" ends the string there.  Compare up to either. */
static int
streq(const char *ours, const char *exp)
{
	const char *z = strstr(ours, "\xc0\x80");
	size_t n = z ? (size_t)(z - ours) : strlen(ours);

	return strlen(exp) == n && memcmp(ours, exp, n) == 0;
}

static void
normdt(const char *in, char *out, size_t outsz)
{
	size_t i, n = 0;
	char *dot, *e;

	for (i = 0; in[i] != '\0' && n + 1 < outsz; i++) {
		char c = in[i];

		if (i == 10 && (c == ' ' || c == 't'))
			c = 'T';
		out[n++] = (char)toupper((unsigned char)c);
	}
	out[n] = '\0';
	if (n >= 6 && (strcmp(out + n - 6, "+00:00") == 0 ||
	    strcmp(out + n - 6, "-00:00") == 0)) {
		strcpy(out + n - 6, "Z");
		n -= 5;
	}
	if ((dot = strchr(out, '.')) != NULL) {
		for (e = dot + 1; isdigit((unsigned char)*e); e++)
			;
		char *z = e;
		while (z > dot + 1 && z[-1] == '0')
			z--;
		if (z == dot + 1)
			z = dot;
		memmove(z, e, strlen(e) + 1);
	}
}

static int
scalareq(const char *type, const char *ours, const char *exp)
{
	char a[128], b[128];

	if (strcmp(type, "float") == 0) {
		double x = strtod(ours, NULL), y = strtod(exp, NULL);

		if (isnan(x) || isnan(y))
			return isnan(x) && isnan(y);
		return x == y;
	}
	if (strcmp(type, "integer") == 0)
		return strtoll(ours, NULL, 10) == strtoll(exp, NULL, 10);
	if (strncmp(type, "datetime", 8) == 0 || strncmp(type, "date-", 5) == 0 ||
	    strncmp(type, "time-", 5) == 0) {
		normdt(ours, a, sizeof(a));
		normdt(exp, b, sizeof(b));
		return strcmp(a, b) == 0;
	}
	return streq(ours, exp);
}

static int
isscalar(const cJSON *o)
{
	return cJSON_IsObject(o) && cJSON_GetArraySize(o) == 2 &&
	    cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "type")) &&
	    cJSON_IsString(cJSON_GetObjectItemCaseSensitive(o, "value"));
}

static int
same(const cJSON *ours, const cJSON *exp, const char *path)
{
	const cJSON *c, *d;

	if (isscalar(exp)) {
		const char *ty = cJSON_GetObjectItemCaseSensitive(exp,
		    "type")->valuestring;
		const char *ev = cJSON_GetObjectItemCaseSensitive(exp,
		    "value")->valuestring;

		if (!isscalar(ours)) {
			fprintf(stderr, "%s: expected a %s, got a table or array\n", path, ty);
			return 0;
		}
		c = cJSON_GetObjectItemCaseSensitive(ours, "type");
		d = cJSON_GetObjectItemCaseSensitive(ours, "value");
		if (strcmp(c->valuestring, ty) != 0 ||
		    !scalareq(ty, d->valuestring, ev)) {
			fprintf(stderr, "%s: expected %s %s, got %s %s\n", path,
			    ty, ev, c->valuestring, d->valuestring);
			return 0;
		}
		return 1;
	}
	if (cJSON_IsObject(exp)) {
		if (!cJSON_IsObject(ours) || isscalar(ours) ||
		    cJSON_GetArraySize(ours) != cJSON_GetArraySize(exp)) {
			fprintf(stderr, "%s: tables differ in size or kind\n", path);
			return 0;
		}
		cJSON_ArrayForEach(c, exp) {
			d = NULL;
			const cJSON *k;
			cJSON_ArrayForEach(k, ours)
				if (streq(k->string, c->string))
					d = k;
			if (d == NULL) {
				fprintf(stderr, "%s: missing key \"%s\"\n", path,
				    c->string);
				return 0;
			}
			if (!same(d, c, c->string))
				return 0;
		}
		return 1;
	}
	if (cJSON_IsArray(exp)) {
		if (!cJSON_IsArray(ours) ||
		    cJSON_GetArraySize(ours) != cJSON_GetArraySize(exp)) {
			fprintf(stderr, "%s: arrays differ in size or kind\n", path);
			return 0;
		}
		for (c = exp->child, d = ours->child; c && d;
		    c = c->next, d = d->next)
			if (!same(d, c, path))
				return 0;
		return 1;
	}
	fprintf(stderr, "%s: unexpected JSON in the expectation\n", path);
	return 0;
}

static int
check_valid(const char *toml, const char *json, const char *name)
{
	struct fg_error err = {0};
	cJSON *root, *tagged, *exp;
	char *buf;
	size_t len;
	int ok;

	if ((buf = slurp(toml, &len)) == NULL) {
		fprintf(stderr, "%s: %s\n", toml, strerror(errno));
		return 0;
	}
	if (toml_parse(buf, len, name, &root, &err) != 0) {
		fprintf(stderr, "FAIL %s: rejected: %s\n", name, err.msg);
		free(buf);
		return 0;
	}
	free(buf);
	if ((buf = slurp(json, &len)) == NULL ||
	    (exp = cJSON_Parse(buf)) == NULL) {
		fprintf(stderr, "%s: cannot read the expectation\n", json);
		free(buf);
		cJSON_Delete(root);
		return 0;
	}
	tagged = toml_tagged(root);
	ok = tagged != NULL && same(tagged, exp, "(root)");
	if (!ok)
		fprintf(stderr, "FAIL %s: differs from %s\n", name, json);
	cJSON_Delete(tagged);
	cJSON_Delete(exp);
	cJSON_Delete(root);
	free(buf);
	return ok;
}

static int
check_invalid(const char *toml, const char *name, int quiet)
{
	struct fg_error err = {0};
	cJSON *root;
	char *buf;
	size_t len, nl = strlen(name);
	unsigned line, col;
	char c;

	if ((buf = slurp(toml, &len)) == NULL) {
		fprintf(stderr, "%s: %s\n", toml, strerror(errno));
		return 0;
	}
	if (toml_parse(buf, len, name, &root, &err) == 0) {
		fprintf(stderr, "FAIL %s: accepted an invalid document\n", name);
		cJSON_Delete(root);
		free(buf);
		return 0;
	}
	free(buf);
	if (strncmp(err.msg, name, nl) != 0 ||
	    sscanf(err.msg + nl, ":%u:%u%c", &line, &col, &c) != 3 ||
	    c != ':' || line == 0 || col == 0) {
		fprintf(stderr, "FAIL %s: error does not name NAME:LINE:COL: %s\n",
		    name, err.msg);
		return 0;
	}
	if (!quiet)
		printf("%s\n", err.msg);
	return 1;
}

/* Print JSON text, with C0 80 (our U+0000) as \u0000. */
static void
printjson(const char *s)
{
	for (; *s; s++) {
		if ((unsigned char)s[0] == 0xc0 && (unsigned char)s[1] == 0x80) {
			fputs("\\u0000", stdout);
			s++;
		} else
			putchar(*s);
	}
	putchar('\n');
}

int
main(int argc, char **argv)
{
	struct fg_error err = {0};
	cJSON *root, *tagged;
	char *buf, *txt;
	size_t len;

	if (argc == 4 && strcmp(argv[1], "--valid") == 0)
		return check_valid(argv[2], argv[3], argv[2]) ? 0 : 1;
	if (argc == 3 && strcmp(argv[1], "--invalid") == 0)
		return check_invalid(argv[2], argv[2], 0) ? 0 : 1;
	if (argc == 4 && strcmp(argv[1], "--list") == 0) {
		char line[4096], t[8192], j[8192];
		FILE *fp = fopen(argv[3], "r");
		int pass = 0, fail = 0;

		if (fp == NULL)
			return 2;
		while (fgets(line, sizeof(line), fp) != NULL) {
			line[strcspn(line, "\r\n")] = '\0';
			if (line[0] == '\0')
				continue;
			snprintf(t, sizeof(t), "%s/%s", argv[2], line);
			if (strncmp(line, "valid/", 6) == 0) {
				if (strlen(line) < 5 ||
				    strcmp(line + strlen(line) - 5, ".toml") != 0)
					continue;
				snprintf(j, sizeof(j), "%s/%.*s.json", argv[2],
				    (int)strlen(line) - 5, line);
				if (check_valid(t, j, line))
					pass++;
				else
					fail++;
			} else if (strncmp(line, "invalid/", 8) == 0) {
				if (check_invalid(t, line, 1))
					pass++;
				else
					fail++;
			}
		}
		fclose(fp);
		printf("%d passed, %d failed\n", pass, fail);
		return fail ? 1 : 0;
	}
	if (argc == 4 && strcmp(argv[1], "--bench") == 0) {
		struct timespec a, b;
		double best = 1e9, dt;
		int n = atoi(argv[3]);

		if ((buf = slurp(argv[2], &len)) == NULL)
			return 2;
		for (int i = 0; i < n; i++) {
			clock_gettime(CLOCK_MONOTONIC, &a);
			if (toml_parse(buf, len, argv[2], &root, &err) != 0) {
				fprintf(stderr, "%s\n", err.msg);
				return 1;
			}
			clock_gettime(CLOCK_MONOTONIC, &b);
			cJSON_Delete(root);
			dt = (double)(b.tv_sec - a.tv_sec) +
			    (double)(b.tv_nsec - a.tv_nsec) / 1e9;
			if (dt < best)
				best = dt;
		}
		free(buf);
		printf("%.4f\n", best);
		return 0;
	}
	if (argc != 2) {
		fprintf(stderr, "usage: toml-json FILE | --valid TOML JSON | "
		    "--invalid TOML | --list DIR LIST\n");
		return 2;
	}
	if ((buf = slurp(argv[1], &len)) == NULL) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(errno));
		return 2;
	}
	if (toml_parse(buf, len, argv[1], &root, &err) != 0) {
		fprintf(stderr, "%s\n", err.msg);
		free(buf);
		return 1;
	}
	free(buf);
	tagged = toml_tagged(root);
	txt = tagged ? cJSON_Print(tagged) : NULL;
	if (txt == NULL)
		return 2;
	printjson(txt);
	free(txt);
	cJSON_Delete(tagged);
	cJSON_Delete(root);
	return 0;
}
