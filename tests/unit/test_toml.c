/*
 * test_toml.c: unit tests of the TOML reader beyond toml-test: the
 * tagged representation (exact integers, datetime kinds, positions),
 * error positions, and hostile input (huge strings, deep nesting, NUL
 * bytes, long dotted keys, many keys) that must fail cleanly and fast.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "flamegraph.h"
#include "toml.h"
#include "check.h"

static cJSON *
parse(const char *s, struct fg_error *err)
{
	cJSON *root = NULL;

	fg_error_clear(err);
	if (toml_parse(s, strlen(s), "t.toml", &root, err) != 0)
		return NULL;
	return root;
}

/* Expect s to be rejected with code and a message starting with pre. */
static void
reject(const char *s, size_t len, int code, const char *pre)
{
	struct fg_error err = {0};
	cJSON *root = NULL;
	int r = toml_parse(s, len, "t.toml", &root, &err);

	CHECK(r == code);
	CHECK(root == NULL);
	CHECK_MSG(strncmp(err.msg, pre, strlen(pre)) == 0,
	    "message \"%s\" does not start with \"%s\"", err.msg, pre);
}

static void
test_types(void)
{
	struct fg_error err = {0};
	const char *doc =
	    "# a comment\n"
	    "big = 9223372036854775807\n"
	    "small = -9223372036854775808\n"
	    "hex = 0xdead_beef\n"
	    "f = 1e3\n"
	    "odt = 1979-05-27 07:32:00z\n"
	    "ldt = 1979-05-27t07:32:00.5\n"
	    "ld = 1979-05-27\n"
	    "lt = 07:32:00.1234567891234\n"
	    "[a.b]\n"
	    "  c.d = 'x'  # trailing\n";
	cJSON *root = parse(doc, &err);
	const cJSON *it;
	int64_t v;

	CHECK(root != NULL);
	if (root == NULL) {
		fprintf(stderr, "%s\n", err.msg);
		return;
	}
	it = toml_get(root, "big");
	CHECK(toml_type(it) == FG_TOML_INTEGER);
	CHECK(toml_int(it, &v) == 0 && v == INT64_MAX);
	CHECK(toml_int(toml_get(root, "small"), &v) == 0 &&
	    v == INT64_MIN);
	CHECK(toml_int(toml_get(root, "hex"), &v) == 0 &&
	    v == 0xdeadbeef);
	it = toml_get(root, "f");
	CHECK(toml_type(it) == FG_TOML_FLOAT && it->valuedouble == 1000.0);
	CHECK(toml_int(it, &v) == FG_EINVAL);
	it = toml_get(root, "odt");
	CHECK(toml_type(it) == FG_TOML_DATETIME);
	CHECK(strcmp(it->valuestring, "1979-05-27T07:32:00Z") == 0);
	it = toml_get(root, "ldt");
	CHECK(toml_type(it) == FG_TOML_DATETIME_LOCAL);
	CHECK(strcmp(it->valuestring, "1979-05-27T07:32:00.5") == 0);
	CHECK(toml_type(toml_get(root, "ld")) == FG_TOML_DATE_LOCAL);
	it = toml_get(root, "lt");
	CHECK(toml_type(it) == FG_TOML_TIME_LOCAL);
	CHECK(strcmp(it->valuestring, "07:32:00.123456789") == 0);
	it = toml_get(root, "a.b.c.d");
	CHECK(toml_type(it) == FG_TOML_STRING);
	CHECK(toml_line(it) == 11 && toml_col(it) == 5);
	it = toml_get(root, "a.b");
	CHECK(toml_line(it) == 10 && toml_col(it) == 4);
	CHECK(toml_line(toml_get(root, "lt")) == 9);
	CHECK(toml_get(root, "a.x") == NULL);
	CHECK(toml_get(root, "big.x") == NULL);
	/* ordinary cJSON code still sees the right kinds */
	CHECK(cJSON_IsNumber(toml_get(root, "big")));
	CHECK(cJSON_IsString(toml_get(root, "ld")));
	CHECK(cJSON_IsObject(toml_get(root, "a")));
	cJSON_Delete(root);
}

static void
test_positions(void)
{
	struct fg_error err = {0};
	cJSON *root = parse("a = [\n  1,\n]\nb.c = \"\"\"\nx\n\"\"\"\n"
	    "[t]\n  k = { x = [\n 2 ] }\n", &err);
	const cJSON *it;

	CHECK(root != NULL);
	it = toml_get(root, "a");
	CHECK(toml_line(it) == 1 && toml_col(it) == 1);
	CHECK(toml_line(it->child) == 2 && toml_col(it->child) == 3);
	it = toml_get(root, "b.c");
	CHECK(toml_line(it) == 4 && toml_col(it) == 3);
	it = toml_get(root, "b");
	CHECK(toml_line(it) == 4 && toml_col(it) == 1);
	it = toml_get(root, "t.k");
	CHECK(toml_line(it) == 8 && toml_col(it) == 3);
	it = toml_get(root, "t.k.x");
	CHECK(toml_line(it) == 8 && toml_col(it) == 9);
	cJSON_Delete(root);

	/* columns count characters, not bytes */
	reject("k = \"é\" x\n", strlen("k = \"é\" x\n"), FG_EPARSE,
	    "t.toml:1:9: ");
	reject("a = 1\n\nb = 2\na = 3\n", 20, FG_EPARSE,
	    "t.toml:4:1: duplicate key \"a\"");
	reject("[x]\n[x]\n", 8, FG_EPARSE, "t.toml:2:2: table \"x\" is already");
	reject("a = {b = 1}\na.c = 2\n", 20, FG_EPARSE, "t.toml:2:1: ");
	reject("s = \"\\q\"\n", 9, FG_EPARSE, "t.toml:1:6: invalid escape");
	reject("d = 2021-02-29\n", 15, FG_EPARSE, "t.toml:1:5: invalid date");
	reject("n = 0123\n", 9, FG_EPARSE, "t.toml:1:5: invalid number");
	reject("n = 9223372036854775808\n", 24, FG_EPARSE, "t.toml:1:5: integer");
	reject("a = \xff\n", 6, FG_EPARSE, "t.toml:1:5: invalid UTF-8");
	reject("a = [true, false-09]\n", 21, FG_EPARSE, "t.toml:1:12: ");
}

static void
test_hostile(void)
{
	size_t n, i;
	char *s;

	/* NUL bytes: in a value, a comment, a key, alone */
	reject("a = \"x\0y\"\n", 10, FG_EPARSE, "t.toml:1:7: control character");
	reject("# c\0\n", 5, FG_EPARSE, "t.toml:1:4: control character");
	reject("a\0 = 1\n", 7, FG_EPARSE, "t.toml:1:2: ");
	reject("\0", 1, FG_EPARSE, "t.toml:1:1: ");

	/* a 600-digit number: the number limit */
	{
		char num[700];

		memcpy(num, "n = 1", 5);
		memset(num + 5, '0', 600);
		reject(num, 605, FG_ELIMIT, "t.toml:1:5: number longer than 500");
	}

	/* a 10 MiB document with one string: the document limit */
	n = 10u << 20;
	s = malloc(n + 16);
	CHECK(s != NULL);
	memcpy(s, "a = \"", 5);
	memset(s + 5, 'x', n);
	memcpy(s + 5 + n, "\"\n", 2);
	reject(s, n + 7, FG_ELIMIT, "t.toml: document larger");
	/* a 2 MiB string inside the document limit: the string limit */
	n = 2u << 20;
	memcpy(s + 5 + n, "\"\n", 2);
	reject(s, n + 7, FG_ELIMIT, "t.toml:1:5: string longer");
	/* same with a multi-line literal string of newlines */
	memcpy(s, "a = '''", 7);
	memset(s + 7, '\n', n);
	memcpy(s + 7 + n, "'''\n", 4);
	reject(s, n + 11, FG_ELIMIT, "t.toml:1:5: string longer");

	/* 100k-deep arrays and inline tables: the depth limit, no crash */
	n = 100000;
	memcpy(s, "a=", 2);
	memset(s + 2, '[', n);
	memset(s + 2 + n, ']', n);
	reject(s, 2 + 2 * n, FG_ELIMIT, "t.toml:1:131: more than 128 nested");
	for (i = 0; i < n; i++)
		memcpy(s + 2 + 3 * i, "{a=", 3);
	reject(s, 2 + 3 * n, FG_ELIMIT, "t.toml:1:387: more than 128 nested");
	/* 100k-part dotted key and table header */
	for (i = 0; i < n; i++)
		memcpy(s + 2 * i, "a.", 2);
	memcpy(s + 2 * n - 1, "=1", 2);
	reject(s, 2 * n + 1, FG_ELIMIT, "t.toml:1:257: key with more than");
	s[0] = '[';
	for (i = 0; i < n; i++)
		memcpy(s + 1 + 2 * i, "a.", 2);
	s[2 * n] = ']';
	reject(s, 2 * n + 1, FG_ELIMIT, "t.toml:1:");
	/* 128 nested levels are fine */
	memcpy(s, "a=", 2);
	memset(s + 2, '[', 128);
	memset(s + 130, ']', 128);
	{
		struct fg_error err = {0};
		cJSON *root = NULL;

		CHECK(toml_parse(s, 258, "t.toml", &root, &err) == 0);
		cJSON_Delete(root);
	}
	free(s);
}

/* Many keys in one table and many elements in one long line stay fast
 * (hashed key lookup, incremental columns). */
static void
test_many(void)
{
	struct fg_buf_like { char *d; size_t len, cap; } b = { NULL, 0, 0 };
	struct fg_error err = {0};
	cJSON *root = NULL;
	FILE *fp = open_memstream(&b.d, &b.len);
	int i;

	CHECK(fp != NULL);
	for (i = 0; i < 100000; i++)
		fprintf(fp, "k%d = %d\n", i, i);
	for (i = 0; i < 50000; i++)
		fprintf(fp, "[[aot]]\n[aot.sub]\nk = %d\n", i);
	fprintf(fp, "[x]\nline = {");
	for (i = 0; i < 30000; i++)
		fprintf(fp, "%sx%d = [%d]", i ? ", " : "", i, i);
	fprintf(fp, "}\n");
	fclose(fp);
	CHECK(toml_parse(b.d, b.len, "t.toml", &root, &err) == 0);
	CHECK(cJSON_GetArraySize(root) == 100002);
	CHECK(cJSON_GetArraySize(toml_get(root, "aot")) == 50000);
	CHECK(toml_col(toml_get(root, "x.line.x29999")) == 4095);
	CHECK(toml_line(toml_get(root, "k99999")) == 100000);
	cJSON_Delete(root);
	free(b.d);
}

static void
test_file(void)
{
	struct fg_error err = {0};
	cJSON *root = NULL;

	CHECK(toml_parse_file("/nonexistent/Cargo.toml", NULL, &root,
	    &err) == FG_EIO);
	CHECK(strncmp(err.msg, "/nonexistent/Cargo.toml: ", 25) == 0);
	fg_error_clear(&err);
	CHECK(fg_toml_check("a = 1\n", 6, "x", &err) == 0);
	CHECK(fg_toml_check("a = \n", 5, "x", &err) == FG_EPARSE);
	CHECK(strcmp(err.msg, "x:1:5: expected a value") == 0);
}

int
main(void)
{
	test_types();
	test_positions();
	test_hostile();
	test_many();
	test_file();
	return check_done("test_toml");
}
