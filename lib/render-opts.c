/*
 * render-opts.c: the renderer's options (struct fg_render_opts): made,
 * freed, and set by name from text as inferno-flamegraph's flags are,
 * each value checked (numbers in range, colours, palettes, a name
 * attribute file's names and hrefs) with a message naming the option.
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"
#include "render.h"
#include "render-int.h"
#include "stacks.h"

/* ---- options ---------------------------------------------------------- */

static void
nameattr_free(struct fg_nameattr *a)
{
	size_t i;

	free(a->name);
	free(a->title);
	free(a->href);
	free(a->target);
	for (i = 0; i < a->nattrs; i++) {
		free(a->keys[i]);
		free(a->vals[i]);
	}
	free(a->keys);
	free(a->vals);
}

static void
nameattrs_clear(struct fg_render_opts *o)
{
	size_t i;

	for (i = 0; i < o->nnameattrs; i++)
		nameattr_free(&o->nameattrs[i]);
	free(o->nameattrs);
	o->nameattrs = NULL;
	o->nnameattrs = 0;
}

struct fg_render_opts *
fg_render_opts_new(void)
{
	struct fg_render_opts *o;

	if ((o = calloc(1, sizeof(*o))) == NULL)
		return NULL;
	o->frameheight = 16;
	o->fontsize = 12;
	o->fontwidth = 0.59;
	o->minwidth = 0.01;
	o->palette = FG_PAL_HOT;
	o->factor = 1.0;
	o->search_color = (struct fg_rgb){ 230, 0, 230 };
	o->uicolor = (struct fg_rgb){ 0, 0, 0 };
	o->bg = FG_BG_AUTO;
	return o;
}

void
fg_render_opts_free(struct fg_render_opts *o)
{
	size_t i;

	if (o == NULL)
		return;
	free(o->title);
	free(o->subtitle);
	free(o->notes);
	free(o->countname);
	free(o->nametype);
	free(o->fonttype);
	free(o->palette_file);
	free(o->nameattr_file);
	for (i = 0; i < o->nbase; i++)
		free(o->base[i]);
	free(o->base);
	nameattrs_clear(o);
	free(o);
}

void
fg_render_opts_cancel(struct fg_render_opts *o, fg_cancel_flag *cancel)
{
	o->cancel = cancel;
}

void
fg_render_opts_tempfile(struct fg_render_opts *o, struct fg_tempfile t)
{
	o->tempfile = t;
}

static int
set_str(char **dst, const char *v, const char *name, struct fg_error *err)
{
	char *s;

	if (v == NULL)
		return seterr(err, FG_EINVAL, "--%s needs a value", name);
	if ((s = strdup(v)) == NULL)
		return seterr(err, FG_ENOMEM, "out of memory");
	free(*dst);
	*dst = s;
	return 0;
}

static int
set_num(double *dst, const char *v, double lo, double hi, const char *name,
    struct fg_error *err)
{
	char *end;
	double d = 0;

	if (v == NULL)
		return seterr(err, FG_EINVAL, "--%s needs a value", name);
	errno = 0;
	d = strtod(v, &end);
	if (end == v || *end != '\0' || errno != 0 || !isfinite(d) ||
	    d < lo || d > hi)
		return seterr(err, FG_EINVAL, "--%s: '%s' is not a number "
		    "from %g to %g", name, v, lo, hi);
	*dst = d;
	return 0;
}

static int
set_uint(unsigned *dst, const char *v, unsigned lo, unsigned hi,
    const char *name, struct fg_error *err)
{
	double d = 0;
	int r;

	if ((r = set_num(&d, v, lo, hi, name, err)) != 0)
		return r;
	if (d != floor(d))
		return seterr(err, FG_EINVAL, "--%s: '%s' is not a whole "
		    "number", name, v);
	*dst = (unsigned)d;
	return 0;
}

static int
set_color(struct fg_rgb *c, const char *v, const char *name,
    struct fg_error *err)
{
	if (v == NULL || color_parse(v, c) != 0)
		return seterr(err, FG_EINVAL, "--%s: expected a colour "
		    "#rrggbb, not '%s'", name, v ? v : "");
	return 0;
}

static int
attr_name_ok(const char *k)
{
	const char *p;

	if (!((*k >= 'a' && *k <= 'z') || (*k >= 'A' && *k <= 'Z') ||
	    *k == '_'))
		return 0;
	for (p = k; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '_' || *p == '-' ||
		    *p == '.' || *p == ':'))
			return 0;
	/* No event handlers, no namespace declarations. */
	if (strncasecmp(k, "on", 2) == 0 || strncasecmp(k, "xmlns", 5) == 0)
		return 0;
	return 1;
}

static int
href_ok(const char *v)
{
	while (*v == ' ' || *v == '\t')
		v++;
	return strncasecmp(v, "javascript:", 11) != 0 &&
	    strncasecmp(v, "vbscript:", 9) != 0 &&
	    strncasecmp(v, "data:", 5) != 0;
}

static int
nacmp(const void *a, const void *b)
{
	const struct fg_nameattr *x = a, *y = b;

	return strcmp(x->name, y->name);
}

/* One key=value of a name's line: its title, link, or an extra attribute. */
static int
nameattr_field(struct fg_nameattr *a, const char *k, const char *v,
    struct fg_error *err)
{
	char **dst = NULL, **nk, **nv;
	size_t i;

	if (strcmp(k, "title") == 0)
		dst = &a->title;
	else if (strcmp(k, "href") == 0 || strcmp(k, "xlink:href") == 0) {
		if (!href_ok(v))
			return 0;
		dst = &a->href;
	} else if (strcmp(k, "target") == 0)
		dst = &a->target;
	else if (!attr_name_ok(k))
		return 0;
	if (dst != NULL) {
		free(*dst);
		if ((*dst = strdup(v)) == NULL)
			return seterr(err, FG_ENOMEM, "out of memory");
		return 0;
	}
	for (i = 0; i < a->nattrs; i++)
		if (strcmp(a->keys[i], k) == 0)
			return 0;	/* first one wins */
	if (a->nattrs == a->capattrs) {
		size_t ck = a->capattrs, cv = a->capattrs;
		if ((nk = base_grow(a->keys, &ck, a->nattrs + 1, sizeof(*nk),
		    4)) != NULL)
			a->keys = nk;
		nv = nk ? base_grow(a->vals, &cv, a->nattrs + 1, sizeof(*nv),
		    4) : NULL;
		if (nv == NULL)
			return seterr(err, FG_ENOMEM, "out of memory");
		a->vals = nv;
		a->capattrs = ck;
	}
	a->keys[a->nattrs] = strdup(k);
	a->vals[a->nattrs] = strdup(v);
	a->nattrs++;
	if (a->keys[a->nattrs - 1] == NULL || a->vals[a->nattrs - 1] == NULL)
		return seterr(err, FG_ENOMEM, "out of memory");
	return 0;
}

/* Line lineno of path (no newline, not empty) as a new entry of o. */
static int
nameattr_line(struct fg_render_opts *o, size_t *acap, char *line,
    const char *path, unsigned long lineno, struct fg_error *err)
{
	struct fg_nameattr *a;
	char *p, *tab, *eq;
	int r;

	if ((tab = strchr(line, '\t')) == NULL)
		return seterr(err, FG_EPARSE, "%s:%lu: expected "
		    "NAME<TAB>key=value...", path, lineno);
	*tab = '\0';
	if (o->nnameattrs == *acap) {
		void *nv = base_grow(o->nameattrs, acap, o->nnameattrs + 1,
		    sizeof(*o->nameattrs), 16);
		if (nv == NULL)
			return seterr(err, FG_ENOMEM, "out of memory");
		o->nameattrs = nv;
	}
	a = &o->nameattrs[o->nnameattrs++];
	memset(a, 0, sizeof(*a));
	if ((a->name = strdup(line)) == NULL)
		return seterr(err, FG_ENOMEM, "out of memory");
	for (p = tab + 1; p != NULL && *p != '\0'; p = tab) {
		if ((tab = strchr(p, '\t')) != NULL)
			*tab++ = '\0';
		if ((eq = strchr(p, '=')) == NULL)
			return seterr(err, FG_EPARSE, "%s:%lu: expected "
			    "key=value, not '%s'", path, lineno, p);
		*eq = '\0';
		if ((r = nameattr_field(a, p, eq + 1, err)) != 0)
			return r;
	}
	return 0;
}

/*
 * --nameattr FILE: "NAME<TAB>key=value<TAB>key=value..." lines.  title
 * replaces the frame's tooltip, href (or xlink:href) and target make the
 * frame a link, other keys become attributes of its <g>.  Event handler
 * attributes and script URLs are dropped.
 */
static int
load_nameattr(struct fg_render_opts *o, const char *path,
    struct fg_error *err)
{
	char *line = NULL;
	size_t cap = 0, acap = 0;
	unsigned long lineno = 0;
	ssize_t n;
	FILE *fp;
	int r = 0;

	if ((fp = fopen(path, "r")) == NULL)
		return seterr_sys(err, FG_EIO, errno, "%s", path);
	nameattrs_clear(o);
	while ((n = getline(&line, &cap, fp)) != -1) {
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0)
			continue;
		if ((r = nameattr_line(o, &acap, line, path, lineno, err)) != 0)
			break;
	}
	if (r == 0 && ferror(fp))
		r = seterr_sys(err, FG_EIO, errno, "%s: read", path);
	free(line);
	fclose(fp);
	if (r != 0)
		nameattrs_clear(o);
	else if (o->nnameattrs > 0)
		qsort(o->nameattrs, o->nnameattrs, sizeof(*o->nameattrs),
		    nacmp);
	return r;
}

/* ---- setting an option by name ---------------------------------------- */

/* An option that takes more than a checked value into one field. */
typedef int opt_fn(struct fg_render_opts *o, const char *value,
    const char *name, struct fg_error *err);

/* minwidth: percent of the total; "Npx": pixels (negative, converted when
 * rendering). */
static int
opt_minwidth(struct fg_render_opts *o, const char *value, const char *name,
    struct fg_error *err)
{
	char buf[64];
	double d = 0;
	size_t n;
	int r;

	if (value == NULL)
		return set_num(&d, value, 0, 100, name, err);
	n = strlen(value);
	if (n > 2 && n < sizeof(buf) && strcmp(value + n - 2, "px") == 0) {
		memcpy(buf, value, n - 2);
		buf[n - 2] = '\0';
		if ((r = set_num(&d, buf, 0, 1e6, name, err)) != 0)
			return r;
		o->minwidth = -d;	/* negative: pixels */
		return 0;
	}
	if ((r = set_num(&d, value, 0, 100, name, err)) != 0)
		return r;
	o->minwidth = d;
	return 0;
}

/* factor: a number greater than 0. */
static int
opt_factor(struct fg_render_opts *o, const char *value, const char *name,
    struct fg_error *err)
{
	double d = 0;
	int r;

	if ((r = set_num(&d, value, 0, 1e300, name, err)) != 0)
		return r;
	if (d <= 0)
		return seterr(err, FG_EINVAL, "--factor must be greater "
		    "than 0");
	o->factor = d;
	return 0;
}

/* colors: a palette's name. */
static int
opt_palette(struct fg_render_opts *o, const char *value, const char *name,
    struct fg_error *err)
{
	if (value == NULL || palette_parse(value, &o->palette) != 0)
		return seterr(err, FG_EINVAL, "--%s: unknown palette '%s' "
		    "(hot mem io wakeup java js perl python red green blue "
		    "aqua yellow purple orange rust)", name,
		    value ? value : "");
	return 0;
}

/* bgcolors: a named gradient or one colour. */
static int
opt_bgcolors(struct fg_render_opts *o, const char *value, const char *name,
    struct fg_error *err)
{
	(void)name;
	if (value == NULL)
		return seterr(err, FG_EINVAL, "--bgcolors needs a value");
	if (strcmp(value, "yellow") == 0)
		o->bg = FG_BG_YELLOW;
	else if (strcmp(value, "blue") == 0)
		o->bg = FG_BG_BLUE;
	else if (strcmp(value, "green") == 0)
		o->bg = FG_BG_GREEN;
	else if (strcmp(value, "grey") == 0 || strcmp(value, "gray") == 0)
		o->bg = FG_BG_GREY;
	else if (color_parse(value, &o->bg_flat) == 0)
		o->bg = FG_BG_FLAT;
	else
		return seterr(err, FG_EINVAL, "--bgcolors: expected "
		    "yellow, blue, green, grey or #rrggbb, not '%s'", value);
	return 0;
}

/* stroke-color: a colour, or "none". */
static int
opt_stroke(struct fg_render_opts *o, const char *value, const char *name,
    struct fg_error *err)
{
	int r;

	if (value != NULL && strcmp(value, "none") == 0) {
		o->has_stroke = 0;
		return 0;
	}
	if ((r = set_color(&o->stroke_color, value, name, err)) != 0)
		return r;
	o->has_stroke = 1;
	return 0;
}

/* base: one more frame name to cut stacks at. */
static int
opt_base(struct fg_render_opts *o, const char *value, const char *name,
    struct fg_error *err)
{
	char **nb, *s;

	(void)name;
	if (value == NULL)
		return seterr(err, FG_EINVAL, "--base needs a value");
	if ((nb = base_grow(o->base, &o->capbase, o->nbase + 1, sizeof(*nb),
	    4)) == NULL)
		return seterr(err, FG_ENOMEM, "out of memory");
	o->base = nb;
	if ((s = strdup(value)) == NULL)
		return seterr(err, FG_ENOMEM, "out of memory");
	o->base[o->nbase++] = s;
	return 0;
}

/* nameattr: the file loaded now, its name kept. */
static int
opt_nameattr(struct fg_render_opts *o, const char *value, const char *name,
    struct fg_error *err)
{
	int r;

	if (value == NULL)
		return seterr(err, FG_EINVAL, "--nameattr needs a file");
	if ((r = load_nameattr(o, value, err)) != 0)
		return r;
	return set_str(&o->nameattr_file, value, name, err);
}

/* A flag: no value, or 1/true/0/false. */
static int
set_flag(int *dst, const char *v, const char *name, struct fg_error *err)
{
	if (v != NULL && strcmp(v, "1") != 0 && strcmp(v, "true") != 0 &&
	    strcmp(v, "0") != 0 && strcmp(v, "false") != 0)
		return seterr(err, FG_EINVAL, "--%s takes no value", name);
	*dst = v == NULL || strcmp(v, "1") == 0 || strcmp(v, "true") == 0;
	return 0;
}

enum opt_kind { OPT_STR, OPT_UINT, OPT_NUM, OPT_COLOR, OPT_FLAG, OPT_FN };

/* An option: its names, what its value is, the field it sets. */
struct optdef {
	const char *name, *alias;
	enum opt_kind kind;
	size_t off;		/* of the field in struct fg_render_opts */
	double lo, hi;		/* OPT_UINT, OPT_NUM: the range */
	opt_fn *fn;		/* OPT_FN */
};

#define OFF(f) offsetof(struct fg_render_opts, f)
static const struct optdef optdefs[] = {
	{ "title", NULL, OPT_STR, OFF(title), 0, 0, NULL },
	{ "subtitle", NULL, OPT_STR, OFF(subtitle), 0, 0, NULL },
	{ "notes", NULL, OPT_STR, OFF(notes), 0, 0, NULL },
	{ "countname", NULL, OPT_STR, OFF(countname), 0, 0, NULL },
	{ "nametype", NULL, OPT_STR, OFF(nametype), 0, 0, NULL },
	{ "fonttype", NULL, OPT_STR, OFF(fonttype), 0, 0, NULL },
	{ "palette-file", NULL, OPT_STR, OFF(palette_file), 0, 0, NULL },
	{ "width", "image-width", OPT_UINT, OFF(width), 1, 1000000, NULL },
	{ "height", "frameheight", OPT_UINT, OFF(frameheight), 2, 10000,
	    NULL },
	{ "fontsize", NULL, OPT_UINT, OFF(fontsize), 1, 1000, NULL },
	{ "fontwidth", NULL, OPT_NUM, OFF(fontwidth), 0.01, 100, NULL },
	{ "minwidth", "min-width", OPT_FN, 0, 0, 0, opt_minwidth },
	{ "factor", NULL, OPT_FN, 0, 0, 0, opt_factor },
	{ "colors", "palette", OPT_FN, 0, 0, 0, opt_palette },
	{ "bgcolors", NULL, OPT_FN, 0, 0, 0, opt_bgcolors },
	{ "search-color", "searchcolor", OPT_COLOR, OFF(search_color), 0, 0,
	    NULL },
	{ "uicolor", "ui-color", OPT_COLOR, OFF(uicolor), 0, 0, NULL },
	{ "stroke-color", "strokecolor", OPT_FN, 0, 0, 0, opt_stroke },
	{ "base", NULL, OPT_FN, 0, 0, 0, opt_base },
	{ "nameattr", NULL, OPT_FN, 0, 0, 0, opt_nameattr },
	{ "hash", NULL, OPT_FLAG, OFF(hash), 0, 0, NULL },
	{ "deterministic", NULL, OPT_FLAG, OFF(deterministic), 0, 0, NULL },
	{ "cp", NULL, OPT_FLAG, OFF(cp), 0, 0, NULL },
	{ "inverted", NULL, OPT_FLAG, OFF(inverted), 0, 0, NULL },
	{ "reverse", NULL, OPT_FLAG, OFF(reverse), 0, 0, NULL },
	{ "flamechart", NULL, OPT_FLAG, OFF(flamechart), 0, 0, NULL },
	{ "negate", NULL, OPT_FLAG, OFF(negate), 0, 0, NULL },
	{ "truncate-text-right", NULL, OPT_FLAG, OFF(truncate_right), 0, 0,
	    NULL },
	{ "no-sort", NULL, OPT_FLAG, OFF(no_sort), 0, 0, NULL },
};
#undef OFF

int
fg_render_opts_set(struct fg_render_opts *o, const char *name,
    const char *value, struct fg_error *err)
{
	const struct optdef *e;
	void *f;
	size_t i;

	if (o == NULL || name == NULL)
		return seterr(err, FG_EINVAL, "render option: no name");
	for (i = 0; i < sizeof(optdefs) / sizeof(optdefs[0]); i++)
		if (strcmp(name, optdefs[i].name) == 0 ||
		    (optdefs[i].alias != NULL &&
		    strcmp(name, optdefs[i].alias) == 0))
			break;
	if (i == sizeof(optdefs) / sizeof(optdefs[0]))
		return seterr(err, FG_EINVAL, "unknown render option '%s'",
		    name);
	e = &optdefs[i];
	f = (char *)o + e->off;
	switch (e->kind) {
	case OPT_STR:
		return set_str(f, value, name, err);
	case OPT_UINT:
		return set_uint(f, value, (unsigned)e->lo, (unsigned)e->hi,
		    name, err);
	case OPT_NUM:
		return set_num(f, value, e->lo, e->hi, name, err);
	case OPT_COLOR:
		return set_color(f, value, name, err);
	case OPT_FLAG:
		return set_flag(f, value, name, err);
	case OPT_FN:
		break;
	}
	return e->fn(o, value, name, err);
}
