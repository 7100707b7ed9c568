/*
 * render.h: the renderer's internal side: the options structure behind
 * the opaque struct fg_render_opts, and the colour functions of
 * palette.c (palettes, name hashes, the differential scale, the
 * palette.map file).  Only render.c, palette.c and unit tests use it.
 */
#ifndef FG_RENDER_H
#define FG_RENDER_H

#include <stddef.h>
#include <stdint.h>

#include "flamegraph.h"

enum fg_palette {
	FG_PAL_HOT, FG_PAL_MEM, FG_PAL_IO, FG_PAL_RED, FG_PAL_GREEN,
	FG_PAL_BLUE, FG_PAL_AQUA, FG_PAL_YELLOW, FG_PAL_PURPLE,
	FG_PAL_ORANGE,
	/* semantic palettes: pick one of the basic ones above by name */
	FG_PAL_WAKEUP, FG_PAL_JAVA, FG_PAL_JS, FG_PAL_PERL, FG_PAL_PYTHON,
	FG_PAL_RUST
};

enum fg_bg { FG_BG_AUTO, FG_BG_YELLOW, FG_BG_BLUE, FG_BG_GREEN, FG_BG_GREY,
	FG_BG_FLAT };

struct fg_rgb {
	uint8_t r, g, b;
};

/* One name -> attributes line of a --nameattr file. */
struct fg_nameattr {
	char *name;
	char *title;		/* NULL: the usual title */
	char *href;		/* NULL: no link */
	char *target;
	char **keys;		/* other attributes of the <g> */
	char **vals;
	size_t nattrs;
	size_t capattrs;	/* of keys and vals */
};

struct fg_render_opts {
	char *title;		/* NULL: "Flame Graph" (or the chart/icicle name) */
	char *subtitle;
	char *notes;
	char *countname;
	char *nametype;
	unsigned width;		/* 0: fluid, drawn at 1200 */
	unsigned frameheight;
	unsigned fontsize;
	char *fonttype;
	double fontwidth;
	double minwidth;	/* percent of the total */
	enum fg_palette palette;
	int hash;
	int deterministic;
	int cp;			/* consistent palette (palette.map) */
	char *palette_file;
	int inverted;
	int reverse;
	int flamechart;
	double factor;
	char **base;
	size_t nbase;
	size_t capbase;
	int negate;
	struct fg_rgb search_color;
	int has_stroke;
	struct fg_rgb stroke_color;
	struct fg_rgb uicolor;
	enum fg_bg bg;
	struct fg_rgb bg_flat;
	int truncate_right;
	int no_sort;
	char *nameattr_file;
	struct fg_nameattr *nameattrs;	/* sorted by name */
	size_t nnameattrs;
	fg_cancel_flag *cancel;
	struct fg_tempfile tempfile;
};

/* The palette named s (hot, mem, ...): 0, or -1 when unknown. */
int palette_parse(const char *s, enum fg_palette *p);
/* "#rrggbb": 0, or -1. */
int color_parse(const char *s, struct fg_rgb *c);

/*
 * The colour of a frame named name[0..len) (annotations such as "_[k]"
 * included).  Without hash or deterministic the colour still depends only
 * on the name, so output stays reproducible.
 */
struct fg_rgb palette_color(enum fg_palette p, int hash, int deterministic,
    const char *name, size_t len);

/* The differential colour: white at 0, red for growth, blue for shrinkage,
 * saturated at |delta| == max (max > 0). */
struct fg_rgb color_scale(int64_t delta, uint64_t max);

/* The two background gradient stops for bg and palette ("#rrggbb"). */
void bg_colors(enum fg_bg bg, struct fg_rgb flat, enum fg_palette p,
    char out1[8], char out2[8]);

/*
 * palette.map: "NAME->rgb(R,G,B)" lines.  A loaded map answers names it
 * holds and remembers new ones; palmap_save() writes it back sorted by
 * name, through a temporary file renamed into place (reported to t
 * when t is not NULL, see struct fg_tempfile).
 */
struct fg_palmap;
int palmap_load(const char *path, struct fg_palmap **out,
    struct fg_error *err);
/* The stored colour of name, or col stored for it: 0 or FG_ENOMEM. */
int palmap_lookup(struct fg_palmap *pm, const char *name, size_t len,
    struct fg_rgb *col);
int palmap_save(const struct fg_palmap *pm, const char *path,
    const struct fg_tempfile *t, struct fg_error *err);
void palmap_free(struct fg_palmap *pm);

#endif /* FG_RENDER_H */
