/*
 * render-opts.c: the renderer's options (struct fg_render_opts): made,
 * freed, and set by name from text as inferno-flamegraph's flags are,
 * each value checked (numbers in range, colours, palettes, a name
 * attribute file's names and hrefs) with a message naming the option.
 */
#include <errno.h>
#include <math.h>
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
		return fg_seterr(err, FG_EINVAL, "--%s needs a value", name);
	if ((s = strdup(v)) == NULL)
		return fg_seterr(err, FG_ENOMEM, "out of memory");
	free(*dst);
	*dst = s;
	return 0;
}

static int
set_num(double *dst, const char *v, double lo, double hi, const char *name,
    struct fg_error *err)
{
	char *end;
	double d;

	if (v == NULL)
		return fg_seterr(err, FG_EINVAL, "--%s needs a value", name);
	errno = 0;
	d = strtod(v, &end);
	if (end == v || *end != '\0' || errno != 0 || !isfinite(d) ||
	    d < lo || d > hi)
		return fg_seterr(err, FG_EINVAL, "--%s: '%s' is not a number "
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
		return fg_seterr(err, FG_EINVAL, "--%s: '%s' is not a whole "
		    "number", name, v);
	*dst = (unsigned)d;
	return 0;
}

static int
set_color(struct fg_rgb *c, const char *v, const char *name,
    struct fg_error *err)
{
	if (v == NULL || fg_color_parse(v, c) != 0)
		return fg_seterr(err, FG_EINVAL, "--%s: expected a colour "
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
	char *line = NULL, *p, *tab, *eq;
	size_t cap = 0, acap = 0;
	unsigned long lineno = 0;
	ssize_t n;
	FILE *fp;
	int r = 0;

	if ((fp = fopen(path, "r")) == NULL)
		return fg_seterr_sys(err, FG_EIO, errno, "%s", path);
	nameattrs_clear(o);
	while ((n = getline(&line, &cap, fp)) != -1) {
		struct fg_nameattr *a;
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (n == 0)
			continue;
		if ((tab = strchr(line, '\t')) == NULL) {
			r = fg_seterr(err, FG_EPARSE, "%s:%lu: expected "
			    "NAME<TAB>key=value...", path, lineno);
			break;
		}
		*tab = '\0';
		if (o->nnameattrs == acap) {
			size_t nc = acap ? acap * 2 : 16;
			void *nv = reallocarray(o->nameattrs, nc,
			    sizeof(*o->nameattrs));
			if (nv == NULL) {
				r = fg_seterr(err, FG_ENOMEM, "out of memory");
				break;
			}
			o->nameattrs = nv;
			acap = nc;
		}
		a = &o->nameattrs[o->nnameattrs++];
		memset(a, 0, sizeof(*a));
		if ((a->name = strdup(line)) == NULL) {
			r = fg_seterr(err, FG_ENOMEM, "out of memory");
			break;
		}
		for (p = tab + 1; p != NULL && *p != '\0'; p = tab) {
			char **dst = NULL, *k, *v;
			size_t i;
			if ((tab = strchr(p, '\t')) != NULL)
				*tab++ = '\0';
			if ((eq = strchr(p, '=')) == NULL) {
				r = fg_seterr(err, FG_EPARSE, "%s:%lu: expected "
				    "key=value, not '%s'", path, lineno, p);
				goto out;
			}
			*eq = '\0';
			k = p;
			v = eq + 1;
			if (strcmp(k, "title") == 0)
				dst = &a->title;
			else if (strcmp(k, "href") == 0 ||
			    strcmp(k, "xlink:href") == 0) {
				if (!href_ok(v))
					continue;
				dst = &a->href;
			} else if (strcmp(k, "target") == 0)
				dst = &a->target;
			else if (!attr_name_ok(k))
				continue;
			if (dst != NULL) {
				free(*dst);
				if ((*dst = strdup(v)) == NULL) {
					r = fg_seterr(err, FG_ENOMEM,
					    "out of memory");
					goto out;
				}
				continue;
			}
			for (i = 0; i < a->nattrs; i++)
				if (strcmp(a->keys[i], k) == 0)
					break;
			if (i < a->nattrs)
				continue;	/* first one wins */
			{
				char **nk = reallocarray(a->keys, a->nattrs + 1,
				    sizeof(*nk));
				char **nv;
				if (nk != NULL)
					a->keys = nk;
				nv = nk ? reallocarray(a->vals, a->nattrs + 1,
				    sizeof(*nv)) : NULL;
				if (nv == NULL) {
					r = fg_seterr(err, FG_ENOMEM,
					    "out of memory");
					goto out;
				}
				a->vals = nv;
				a->keys[a->nattrs] = strdup(k);
				a->vals[a->nattrs] = strdup(v);
				a->nattrs++;
				if (a->keys[a->nattrs - 1] == NULL ||
				    a->vals[a->nattrs - 1] == NULL) {
					r = fg_seterr(err, FG_ENOMEM,
					    "out of memory");
					goto out;
				}
			}
		}
	}
out:
	if (r == 0 && ferror(fp))
		r = fg_seterr_sys(err, FG_EIO, errno, "%s: read", path);
	free(line);
	fclose(fp);
	if (r != 0)
		nameattrs_clear(o);
	else if (o->nnameattrs > 0)
		qsort(o->nameattrs, o->nnameattrs, sizeof(*o->nameattrs),
		    nacmp);
	return r;
}

int
fg_render_opts_set(struct fg_render_opts *o, const char *name,
    const char *value, struct fg_error *err)
{
	double d;
	int r;

	if (o == NULL || name == NULL)
		return fg_seterr(err, FG_EINVAL, "render option: no name");
#define IS(s) (strcmp(name, (s)) == 0)
	if (IS("title"))
		return set_str(&o->title, value, name, err);
	if (IS("subtitle"))
		return set_str(&o->subtitle, value, name, err);
	if (IS("notes"))
		return set_str(&o->notes, value, name, err);
	if (IS("countname"))
		return set_str(&o->countname, value, name, err);
	if (IS("nametype"))
		return set_str(&o->nametype, value, name, err);
	if (IS("fonttype"))
		return set_str(&o->fonttype, value, name, err);
	if (IS("palette-file"))
		return set_str(&o->palette_file, value, name, err);
	if (IS("width") || IS("image-width"))
		return set_uint(&o->width, value, 1, 1000000, name, err);
	if (IS("height") || IS("frameheight"))
		return set_uint(&o->frameheight, value, 2, 10000, name, err);
	if (IS("fontsize"))
		return set_uint(&o->fontsize, value, 1, 1000, name, err);
	if (IS("fontwidth"))
		return set_num(&o->fontwidth, value, 0.01, 100, name, err);
	if (IS("minwidth") || IS("min-width")) {
		/* Percent of the total; "Npx" gives pixels of the drawn
		 * width instead (converted when rendering). */
		char buf[64];
		size_t n;
		if (value == NULL)
			return set_num(&d, value, 0, 100, name, err);
		n = strlen(value);
		if (n > 2 && n < sizeof(buf) &&
		    strcmp(value + n - 2, "px") == 0) {
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
	if (IS("factor")) {
		if ((r = set_num(&d, value, 0, 1e300, name, err)) != 0)
			return r;
		if (d <= 0)
			return fg_seterr(err, FG_EINVAL, "--factor must be "
			    "greater than 0");
		o->factor = d;
		return 0;
	}
	if (IS("colors") || IS("palette")) {
		if (value == NULL || fg_palette_parse(value, &o->palette) != 0)
			return fg_seterr(err, FG_EINVAL, "--%s: unknown "
			    "palette '%s' (hot mem io wakeup java js perl "
			    "python red green blue aqua yellow purple orange "
			    "rust)", name, value ? value : "");
		return 0;
	}
	if (IS("bgcolors")) {
		if (value == NULL)
			return fg_seterr(err, FG_EINVAL, "--bgcolors needs a "
			    "value");
		if (strcmp(value, "yellow") == 0)
			o->bg = FG_BG_YELLOW;
		else if (strcmp(value, "blue") == 0)
			o->bg = FG_BG_BLUE;
		else if (strcmp(value, "green") == 0)
			o->bg = FG_BG_GREEN;
		else if (strcmp(value, "grey") == 0 ||
		    strcmp(value, "gray") == 0)
			o->bg = FG_BG_GREY;
		else if (fg_color_parse(value, &o->bg_flat) == 0)
			o->bg = FG_BG_FLAT;
		else
			return fg_seterr(err, FG_EINVAL, "--bgcolors: expected "
			    "yellow, blue, green, grey or #rrggbb, not '%s'",
			    value);
		return 0;
	}
	if (IS("search-color") || IS("searchcolor"))
		return set_color(&o->search_color, value, name, err);
	if (IS("uicolor") || IS("ui-color"))
		return set_color(&o->uicolor, value, name, err);
	if (IS("stroke-color") || IS("strokecolor")) {
		if (value != NULL && strcmp(value, "none") == 0) {
			o->has_stroke = 0;
			return 0;
		}
		if ((r = set_color(&o->stroke_color, value, name, err)) != 0)
			return r;
		o->has_stroke = 1;
		return 0;
	}
	if (IS("base")) {
		char **nb, *s;
		if (value == NULL)
			return fg_seterr(err, FG_EINVAL, "--base needs a value");
		if ((nb = reallocarray(o->base, o->nbase + 1,
		    sizeof(*nb))) == NULL)
			return fg_seterr(err, FG_ENOMEM, "out of memory");
		o->base = nb;
		if ((s = strdup(value)) == NULL)
			return fg_seterr(err, FG_ENOMEM, "out of memory");
		o->base[o->nbase++] = s;
		return 0;
	}
	if (IS("nameattr")) {
		if (value == NULL)
			return fg_seterr(err, FG_EINVAL, "--nameattr needs a "
			    "file");
		if ((r = load_nameattr(o, value, err)) != 0)
			return r;
		return set_str(&o->nameattr_file, value, name, err);
	}
	{
		static const struct {
			const char *name;
			size_t off;
		} flags[] = {
			{ "hash", offsetof(struct fg_render_opts, hash) },
			{ "deterministic",
			    offsetof(struct fg_render_opts, deterministic) },
			{ "cp", offsetof(struct fg_render_opts, cp) },
			{ "inverted", offsetof(struct fg_render_opts, inverted) },
			{ "reverse", offsetof(struct fg_render_opts, reverse) },
			{ "flamechart",
			    offsetof(struct fg_render_opts, flamechart) },
			{ "negate", offsetof(struct fg_render_opts, negate) },
			{ "truncate-text-right",
			    offsetof(struct fg_render_opts, truncate_right) },
			{ "no-sort", offsetof(struct fg_render_opts, no_sort) },
		};
		size_t i;
		for (i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
			if (!IS(flags[i].name))
				continue;
			if (value != NULL && strcmp(value, "1") != 0 &&
			    strcmp(value, "true") != 0 &&
			    strcmp(value, "0") != 0 &&
			    strcmp(value, "false") != 0)
				return fg_seterr(err, FG_EINVAL, "--%s takes no "
				    "value", name);
			*(int *)(void *)((char *)o + flags[i].off) =
			    value == NULL || strcmp(value, "1") == 0 ||
			    strcmp(value, "true") == 0;
			return 0;
		}
	}
#undef IS
	return fg_seterr(err, FG_EINVAL, "unknown render option '%s'", name);
}
