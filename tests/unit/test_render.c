/*
 * test_render.c: unit tests of the renderer's pieces that the data cases
 * do not reach: option validation, the no-data document, write errors,
 * escaping of names the folded reader cannot produce (any bytes through
 * fg_stacks_add), palettes and the differential scale, palette.map,
 * --base edge cases and byte-identical output.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "flamegraph.h"
#include "render.h"
#include "check.h"

static char *
render(const struct fg_stacks *st, const struct fg_render_opts *o, int *rc)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);
	struct fg_error err = { 0 };

	*rc = fg_render_svg(st, o, fp, &err);
	fclose(fp);
	return buf;
}

static void
add(struct fg_stacks *st, const char *folded, uint64_t w, uint64_t w2)
{
	struct fg_error err = { 0 };

	CHECK(fg_stacks_add_folded(st, folded, strlen(folded), w, w2, &err) ==
	    0);
}

static void
test_options(void)
{
	struct fg_render_opts *o = fg_render_opts_new();
	struct fg_error err = { 0 };

	CHECK(fg_render_opts_set(o, "nosuch", "1", &err) == FG_EINVAL);
	CHECK(strstr(err.msg, "nosuch") != NULL);
	fg_error_clear(&err);
	CHECK(fg_render_opts_set(o, "width", "12x", &err) == FG_EINVAL);
	fg_error_clear(&err);
	CHECK(fg_render_opts_set(o, "width", "0", &err) == FG_EINVAL);
	fg_error_clear(&err);
	CHECK(fg_render_opts_set(o, "minwidth", "-1", &err) == FG_EINVAL);
	fg_error_clear(&err);
	CHECK(fg_render_opts_set(o, "minwidth", "nan", &err) == FG_EINVAL);
	fg_error_clear(&err);
	CHECK(fg_render_opts_set(o, "factor", "0", &err) == FG_EINVAL);
	fg_error_clear(&err);
	CHECK(fg_render_opts_set(o, "colors", "pink", &err) == FG_EINVAL);
	fg_error_clear(&err);
	CHECK(fg_render_opts_set(o, "bgcolors", "#12345", &err) == FG_EINVAL);
	fg_error_clear(&err);
	CHECK(fg_render_opts_set(o, "search-color", "red", &err) == FG_EINVAL);
	fg_error_clear(&err);
	CHECK(fg_render_opts_set(o, "inverted", "yes", &err) == FG_EINVAL);
	fg_error_clear(&err);
	CHECK(fg_render_opts_set(o, "title", NULL, &err) == FG_EINVAL);
	fg_error_clear(&err);
	CHECK(fg_render_opts_set(o, "nameattr", "/nonexistent", &err) ==
	    FG_EIO);
	fg_error_clear(&err);
	CHECK(fg_render_opts_set(o, "minwidth", "2.5px", &err) == 0);
	CHECK(o->minwidth == -2.5);
	CHECK(fg_render_opts_set(o, "colors", "rust", &err) == 0);
	CHECK(o->palette == FG_PAL_RUST);
	CHECK(fg_render_opts_set(o, "inverted", NULL, &err) == 0 &&
	    o->inverted == 1);
	CHECK(fg_render_opts_set(o, "inverted", "0", &err) == 0 &&
	    o->inverted == 0);
	CHECK(fg_render_opts_set(o, "stroke-color", "#010203", &err) == 0 &&
	    o->has_stroke && o->stroke_color.b == 3);
	CHECK(fg_render_opts_set(o, "stroke-color", "none", &err) == 0 &&
	    !o->has_stroke);
	CHECK(fg_render_opts_set(o, "base", "a", &err) == 0);
	CHECK(fg_render_opts_set(o, "base", "b", &err) == 0 && o->nbase == 2);
	fg_render_opts_free(o);
	fg_render_opts_free(NULL);
}

static void
test_nodata_and_errors(void)
{
	struct fg_stacks *st = fg_stacks_new();
	struct fg_error err = { 0 };
	char *out;
	FILE *full;
	int rc;

	out = render(st, NULL, &rc);
	CHECK(rc == FG_ENODATA);
	CHECK(out != NULL && strstr(out, "No valid input") != NULL);
	CHECK(out != NULL && strstr(out, "</svg>") != NULL);
	free(out);
	add(st, "a;b", 0, 0);	/* a zero count is still no data */
	out = render(st, NULL, &rc);
	CHECK(rc == FG_ENODATA);
	free(out);
	add(st, "a;b", 3, 0);
	if ((full = fopen("/dev/full", "w")) != NULL) {
		CHECK(fg_render_svg(st, NULL, full, &err) == FG_EIO);
		CHECK(err.msg[0] != '\0');
		fclose(full);
	}
	fg_stacks_free(st);
}

static void
test_escaping(void)
{
	struct fg_stacks *st = fg_stacks_new();
	struct fg_error err = { 0 };
	const char *f1[] = { "root", "</text><script>alert(1)</script>" };
	const char *f2[] = { "root", "a;b\"c'd&e" };
	const char *f3[] = { "root", "\x01\x7f\xff\xc0\x80\xed\xa0\x80\xef\xbf\xbe" };
	const char *f4[] = { "root", "ok\xe2\x82\xac" };
	char *out;
	int rc;

	CHECK(fg_stacks_add(st, f1, NULL, 2, 5, 0, &err) == 0);
	CHECK(fg_stacks_add(st, f2, NULL, 2, 5, 0, &err) == 0);
	CHECK(fg_stacks_add(st, f3, NULL, 2, 5, 0, &err) == 0);
	CHECK(fg_stacks_add(st, f4, NULL, 2, 5, 0, &err) == 0);
	out = render(st, NULL, &rc);
	CHECK(rc == 0);
	CHECK(strstr(out, "<script>alert") == NULL);
	CHECK(strstr(out, "&lt;/text&gt;&lt;script&gt;alert(1)&lt;/script&gt;") !=
	    NULL);
	CHECK(strstr(out, "a;b&quot;c&#39;d&amp;e") != NULL);
	/* 7 bad units: \x01 \x7f \xff \xc0 \x80 (overlong NUL), the
	 * surrogate's 3 bytes, U+FFFE: each becomes U+FFFD. */
	CHECK(strstr(out, "<title>\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd") !=
	    NULL);
	CHECK(strstr(out, "\x01") == NULL && strstr(out, "\xff") == NULL);
	CHECK(strstr(out, "\xef\xbf\xbe") == NULL);
	CHECK(strstr(out, "ok\xe2\x82\xac (5 samples") != NULL);
	free(out);
	fg_stacks_free(st);
}

static void
test_palettes(void)
{
	struct fg_rgb c, d;
	int i;

	for (i = 0; i < 50; i++) {
		char name[32];
		snprintf(name, sizeof(name), "func%d", i * 7919);
		c = palette_color(FG_PAL_HOT, 0, 0, name, strlen(name));
		d = palette_color(FG_PAL_HOT, 0, 0, name, strlen(name));
		CHECK(c.r == d.r && c.g == d.g && c.b == d.b);
		CHECK(c.r >= 205 && c.g <= 230 && c.b <= 55);
		c = palette_color(FG_PAL_HOT, 1, 0, name, strlen(name));
		CHECK(c.r >= 205 && c.g <= 230 && c.b <= 55);
	}
	c = palette_color(FG_PAL_RUST, 0, 0, "core::ptr::drop", 15);
	CHECK(c.b == 0 && c.r >= 190);			/* orange */
	c = palette_color(FG_PAL_RUST, 0, 0, "myapp::run", 10);
	CHECK(c.r == c.g && c.b >= 50 && c.b <= 70);	/* yellow */
	c = palette_color(FG_PAL_JAVA, 0, 0, "schedule_[k]", 12);
	CHECK(c.b == 0);				/* orange */
	c = palette_color(FG_PAL_MEM, 0, 0, "x", 1);
	CHECK(c.r == 0 && c.g >= 190);
	c = color_scale(0, 10);
	CHECK(c.r == 250 && c.g == 250 && c.b == 250);
	c = color_scale(10, 10);
	CHECK(c.r == 255 && c.g == 100 && c.b == 100);
	c = color_scale(-10, 10);
	CHECK(c.r == 100 && c.g == 100 && c.b == 255);
	c = color_scale(INT64_MIN + 1, 1);
	CHECK(c.b == 255);
}

/* What a struct fg_tempfile callback saw: the calls, the last path. */
struct seen {
	int created, removed, existed;
	char path[4096];
};

static void
on_tempfile(void *arg, const char *path, int created)
{
	struct seen *s = arg;

	if (created) {
		s->created++;
		s->existed += access(path, F_OK) == 0;
		snprintf(s->path, sizeof(s->path), "%s", path);
	} else {
		s->removed += strcmp(path, s->path) == 0;
	}
}

static void
test_palmap(void)
{
	char path[] = "/tmp/test_render_pal.XXXXXX";
	struct fg_palmap *pm = NULL;
	struct fg_error err = { 0 };
	struct fg_rgb c = { 1, 2, 3 }, d = { 9, 9, 9 };
	int fd = mkstemp(path);
	FILE *fp;

	CHECK(fd != -1);
	close(fd);
	fp = fopen(path, "w");
	fputs("operator->->rgb(10,20,30)\nplain->rgb(1,1,1)\n", fp);
	fclose(fp);
	CHECK(palmap_load(path, &pm, &err) == 0);
	CHECK(palmap_lookup(pm, "operator->", 10, &d) == 0);
	CHECK(d.r == 10 && d.g == 20 && d.b == 30);
	CHECK(palmap_lookup(pm, "new", 3, &c) == 0);
	CHECK(palmap_save(pm, path, NULL, &err) == 0);
	{
		/* the temporary is reported when made and when renamed */
		struct seen s = { 0 };
		struct fg_tempfile t = { on_tempfile, &s };

		CHECK(palmap_save(pm, path, &t, &err) == 0);
		CHECK(s.created == 1 && s.removed == 1 && s.existed == 1);
		CHECK(strncmp(s.path, path, strlen(path)) == 0 &&
		    s.path[strlen(path)] == '.');
		CHECK(access(s.path, F_OK) != 0);
	}
	palmap_free(pm);
	pm = NULL;
	CHECK(palmap_load(path, &pm, &err) == 0);
	d.r = 0;
	CHECK(palmap_lookup(pm, "new", 3, &d) == 0 && d.r == 1 &&
	    d.b == 3);
	palmap_free(pm);
	fp = fopen(path, "w");
	fputs("garbage\n", fp);
	fclose(fp);
	fg_error_clear(&err);
	CHECK(palmap_load(path, &pm, &err) == FG_EPARSE);
	CHECK(strstr(err.msg, ":1:") != NULL);
	unlink(path);
}

static void
test_base_and_determinism(void)
{
	struct fg_stacks *st = fg_stacks_new();
	struct fg_render_opts *o = fg_render_opts_new();
	struct fg_error err = { 0 };
	char *a, *b;
	int rc;

	add(st, "B;x;y", 1, 0);		/* base at the root: dropped */
	add(st, "r;B;x", 2, 0);		/* kept from B */
	add(st, "r;x;B", 4, 0);		/* base only as the leaf: dropped */
	add(st, "r;B;q;B;z", 8, 0);	/* from the last B */
	CHECK(fg_render_opts_set(o, "base", "B", &err) == 0);
	a = render(st, o, &rc);
	CHECK(rc == 0);
	CHECK(strstr(a, "<title>all (10 samples, 100%)") != NULL);
	CHECK(strstr(a, "<title>B (10 samples") != NULL);
	CHECK(strstr(a, "<title>r (") == NULL);
	b = render(st, o, &rc);
	CHECK(a != NULL && b != NULL && strcmp(a, b) == 0);
	free(a);
	free(b);
	fg_render_opts_free(o);
	fg_stacks_free(st);
}

static void
test_differential(void)
{
	struct fg_stacks *st = fg_stacks_new();
	struct fg_render_opts *o = fg_render_opts_new();
	struct fg_error err = { 0 };
	char *a;
	int rc;

	add(st, "m;grow", 10, 30);
	add(st, "m;shrink", 30, 10);
	{
		fg_cancel_flag stop = 1;
		fg_render_opts_cancel(o, &stop);
		a = render(st, o, &rc);
		CHECK(rc == FG_ECANCELED);
		free(a);
		fg_render_opts_cancel(o, NULL);
	}
	a = render(st, NULL, &rc);
	CHECK(rc == 0);
	CHECK(strstr(a, "grow (30 samples, 75.00%; +50.00%)") != NULL);
	CHECK(strstr(a, "shrink (10 samples, 25.00%; -50.00%)") != NULL);
	free(a);
	CHECK(fg_render_opts_set(o, "negate", NULL, &err) == 0);
	a = render(st, o, &rc);
	CHECK(strstr(a, "grow (30 samples, 75.00%; -50.00%)") != NULL);
	free(a);
	fg_render_opts_free(o);
	fg_stacks_free(st);

	/* A share far beyond 100%: printed in full, no overflow. */
	st = fg_stacks_new();
	add(st, "m;gone", UINT64_MAX / 2, 1);
	a = render(st, NULL, &rc);
	CHECK(rc == 0);
	CHECK(a != NULL && strstr(a, "gone (1 samples, 100.00%; -") != NULL);
	free(a);
	fg_stacks_free(st);
}

int
main(void)
{
	test_options();
	test_nodata_and_errors();
	test_escaping();
	test_palettes();
	test_palmap();
	test_base_and_determinism();
	test_differential();
	return check_done("test_render");
}
