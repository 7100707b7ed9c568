/*
 * palette.c: frame colours for the renderer: inferno's palettes (hot,
 * mem, io, the plain hues and the semantic java/js/perl/python/rust/
 * wakeup ones), its two name hashes (--hash weighting early characters,
 * --deterministic FNV-1a), the differential red/blue scale, background
 * gradients, and the palette.map file of --cp.
 *
 * Guarantees: a colour depends only on the palette, the flags and the
 * name (never on a random source), so the same input renders to the same
 * bytes; palette.map is replaced atomically.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base.h"
#include "render.h"

static const char *const palette_names[] = {
	"hot", "mem", "io", "red", "green", "blue", "aqua", "yellow",
	"purple", "orange", "wakeup", "java", "js", "perl", "python", "rust"
};

int
palette_parse(const char *s, enum fg_palette *p)
{
	size_t i;

	for (i = 0; i < sizeof(palette_names) / sizeof(palette_names[0]); i++)
		if (strcmp(s, palette_names[i]) == 0) {
			*p = (enum fg_palette)i;
			return 0;
		}
	return -1;
}

int
color_parse(const char *s, struct fg_rgb *c)
{
	int v[6], i;

	if (s[0] != '#' || strlen(s) != 7)
		return -1;
	for (i = 0; i < 6; i++)
		if ((v[i] = hexval((unsigned char)s[i + 1])) < 0)
			return -1;
	c->r = (uint8_t)(v[0] << 4 | v[1]);
	c->g = (uint8_t)(v[2] << 4 | v[3]);
	c->b = (uint8_t)(v[4] << 4 | v[5]);
	return 0;
}

static int
has(const char *s, size_t len, const char *needle)
{
	size_t n = strlen(needle), i;

	if (n > len)
		return 0;
	for (i = 0; i + n <= len; i++)
		if (s[i] == needle[0] && memcmp(s + i, needle, n) == 0)
			return 1;
	return 0;
}

/* The annotation letter of a name ending in "_[X]", or 0. */
static int
annotation(const char *s, size_t len)
{
	if (len >= 4 && s[len - 4] == '_' && s[len - 3] == '[' &&
	    s[len - 1] == ']')
		return (unsigned char)s[len - 2];
	return 0;
}

static enum fg_palette
resolve(enum fg_palette p, const char *s, size_t len)
{
	const char *j;
	size_t jl, i;
	int a;

	switch (p) {
	case FG_PAL_WAKEUP:
		return FG_PAL_AQUA;
	case FG_PAL_JAVA:
		a = annotation(s, len);
		if (a == 'k')
			return FG_PAL_ORANGE;
		if (a == 'i')
			return FG_PAL_AQUA;
		if (a == 'j')
			return FG_PAL_GREEN;
		if (has(s, len, "::") || base_starts(s, len, "-[") ||
		    base_starts(s, len, "+["))
			return FG_PAL_YELLOW;
		j = s;
		jl = len;
		if (jl > 0 && j[0] == 'L') {
			j++;
			jl--;
		}
		if (has(j, jl, "/") || (has(j, jl, ".") &&
		    !(jl > 0 && j[0] == '[')) ||
		    (jl > 0 && j[0] >= 'A' && j[0] <= 'Z'))
			return FG_PAL_GREEN;
		return FG_PAL_RED;
	case FG_PAL_JS:
		for (i = 0; i < len && (s[i] == ' ' || s[i] == '\t'); i++)
			;
		if (len > 0 && i == len)
			return FG_PAL_GREEN;
		if (base_ends(s, len, "_[k]"))
			return FG_PAL_ORANGE;
		if (base_ends(s, len, "_[j]"))
			return has(s, len, "/") ? FG_PAL_GREEN : FG_PAL_AQUA;
		if (has(s, len, "::"))
			return FG_PAL_YELLOW;
		if (has(s, len, ":"))
			return FG_PAL_AQUA;
		if ((j = memchr(s, '/', len)) != NULL &&
		    has(j, len - (size_t)(j - s), ".js"))
			return FG_PAL_GREEN;
		return FG_PAL_RED;
	case FG_PAL_PERL:
		if (base_ends(s, len, "_[k]"))
			return FG_PAL_ORANGE;
		if (has(s, len, "Perl") || has(s, len, ".pl"))
			return FG_PAL_GREEN;
		if (has(s, len, "::"))
			return FG_PAL_YELLOW;
		return FG_PAL_RED;
	case FG_PAL_PYTHON:
		if (has(s, len, "site-packages"))
			return FG_PAL_AQUA;
		if (has(s, len, "python") || base_starts(s, len, "<built-in") ||
		    base_starts(s, len, "<frozen"))
			return FG_PAL_YELLOW;
		return FG_PAL_RED;
	case FG_PAL_RUST:
		if (base_starts(s, len, "core::") || base_starts(s, len, "std::") ||
		    has(s, len, "as core::") || has(s, len, "as std::") ||
		    has(s, len, "as alloc::"))
			return FG_PAL_ORANGE;
		if (has(s, len, "::"))
			return FG_PAL_YELLOW;
		return FG_PAL_RED;
	default:
		return p;
	}
}

/*
 * --hash: a value in [0, 1] from the first three characters of the name
 * (or of what follows its first '`' after the first character), early
 * characters weighing most, so similar names get similar colours.
 */
static float
namehash(const char *s, size_t len, int reverse)
{
	float vector = 0, weight = 1, max = 1;
	unsigned modulo = 10;
	size_t start = 0, i, k;

#define AT(i) ((unsigned char)(reverse ? s[len - 1 - (i)] : s[(i)]))
	for (i = 1; i < len; i++)
		if (AT(i) == '`') {
			start = i + 1;
			break;
		}
	for (k = 0, i = start; k < 3 && i < len; k++, i++) {
		float v = (float)(AT(i) % modulo);
		vector += v / (float)(modulo - 1) * weight;
		modulo++;
		max += weight;
		weight *= 0.70f;
	}
#undef AT
	return 1.0f - vector / max;
}

static uint8_t
tone(unsigned base, unsigned span, float v)
{
	return (uint8_t)(base + (unsigned)((float)span * v));
}

struct fg_rgb
palette_color(enum fg_palette p, int hash, int deterministic,
    const char *name, size_t len)
{
	float v1, v2, v3;
	struct fg_rgb c;

	if (hash) {
		v1 = namehash(name, len, 0);
		v2 = v3 = namehash(name, len, 1);
	} else {
		/* FNV-1a, then two more multiplications for v2 and v3 (the
		 * same colours as --deterministic in inferno). */
		uint64_t h = 0xcbf29ce484222325ULL;
		size_t i;
		for (i = 0; i < len; i++) {
			h ^= (unsigned char)name[i];
			h *= 0x100000001b3ULL;
		}
		v1 = (float)((double)h / (double)UINT64_MAX);
		h *= 0x100000001b3ULL;
		v2 = (float)((double)h / (double)UINT64_MAX);
		h *= 0x100000001b3ULL;
		v3 = (float)((double)h / (double)UINT64_MAX);
	}
	(void)deterministic;
	switch (resolve(p, name, len)) {
	case FG_PAL_MEM:
		c.r = 0; c.g = tone(190, 50, v2); c.b = tone(0, 210, v1);
		break;
	case FG_PAL_IO:
		c.r = tone(80, 60, v1); c.g = c.r; c.b = tone(190, 55, v2);
		break;
	case FG_PAL_RED:
		c.r = tone(200, 55, v1); c.g = tone(50, 80, v1); c.b = c.g;
		break;
	case FG_PAL_GREEN:
		c.r = tone(50, 60, v1); c.g = tone(200, 55, v1); c.b = c.r;
		break;
	case FG_PAL_BLUE:
		c.r = tone(80, 60, v1); c.g = c.r; c.b = tone(205, 50, v1);
		break;
	case FG_PAL_YELLOW:
		c.r = tone(175, 55, v1); c.g = c.r; c.b = tone(50, 20, v1);
		break;
	case FG_PAL_PURPLE:
		c.r = tone(190, 65, v1); c.g = tone(80, 60, v1); c.b = c.r;
		break;
	case FG_PAL_AQUA:
		c.r = tone(50, 60, v1); c.g = tone(165, 55, v1); c.b = c.g;
		break;
	case FG_PAL_ORANGE:
		c.r = tone(190, 65, v1); c.g = tone(90, 65, v1); c.b = 0;
		break;
	case FG_PAL_HOT:
	default:
		c.r = tone(205, 50, v3); c.g = tone(0, 230, v1);
		c.b = tone(0, 55, v2);
		break;
	}
	return c;
}

struct fg_rgb
color_scale(int64_t delta, uint64_t max)
{
	struct fg_rgb c = { 250, 250, 250 };
	uint64_t mag;
	uint8_t v;

	if (delta == 0 || max == 0)
		return c;
	mag = delta > 0 ? (uint64_t)delta : (uint64_t)0 - (uint64_t)delta;
	if (mag > max)
		mag = max;
	/* 100 at |delta| == max, 250 near 0; in floating point so huge
	 * counts cannot overflow. */
	v = (uint8_t)(100 + (unsigned)(150.0 * (double)(max - mag) /
	    (double)max));
	if (delta > 0) {
		c.r = 255; c.g = v; c.b = v;
	} else {
		c.r = v; c.g = v; c.b = 255;
	}
	return c;
}

void
bg_colors(enum fg_bg bg, struct fg_rgb flat, enum fg_palette p,
    char out1[8], char out2[8])
{
	const char *a = "#eeeeee", *b = "#eeeeb0";

	if (bg == FG_BG_AUTO) {
		if (p == FG_PAL_MEM)
			bg = FG_BG_GREEN;
		else if (p == FG_PAL_IO || p == FG_PAL_WAKEUP)
			bg = FG_BG_BLUE;
		else if (p >= FG_PAL_RED && p <= FG_PAL_ORANGE)
			bg = FG_BG_GREY;
		else
			bg = FG_BG_YELLOW;
	}
	switch (bg) {
	case FG_BG_BLUE:
		a = "#eeeeee"; b = "#e0e0ff";
		break;
	case FG_BG_GREEN:
		a = "#eef2ee"; b = "#e0ffe0";
		break;
	case FG_BG_GREY:
		a = "#f8f8f8"; b = "#e8e8e8";
		break;
	case FG_BG_FLAT:
		snprintf(out1, 8, "#%02x%02x%02x", flat.r, flat.g, flat.b);
		memcpy(out2, out1, 8);
		return;
	default:
		break;
	}
	memcpy(out1, a, 8);
	memcpy(out2, b, 8);
}

/* ---- palette.map ------------------------------------------------------ */

struct palent {
	char *name;
	size_t len;
	struct fg_rgb c;
};

struct fg_palmap {
	struct palent *v;
	size_t n, cap;
	size_t *tab;		/* index + 1, open addressing */
	size_t mask;
};

static int
pm_rehash(struct fg_palmap *pm)
{
	size_t nmask = pm->mask ? pm->mask * 2 + 1 : 255, i, j;
	size_t *nt = calloc(nmask + 1, sizeof(*nt));

	if (nt == NULL)
		return FG_ENOMEM;
	for (i = 0; i < pm->n; i++) {
		j = base_hash(pm->v[i].name, pm->v[i].len) & nmask;
		while (nt[j] != 0)
			j = (j + 1) & nmask;
		nt[j] = i + 1;
	}
	free(pm->tab);
	pm->tab = nt;
	pm->mask = nmask;
	return 0;
}

static struct palent *
pm_find(struct fg_palmap *pm, const char *name, size_t len, size_t *slot)
{
	size_t j;

	if (pm->tab == NULL)
		return NULL;
	for (j = base_hash(name, len) & pm->mask; pm->tab[j] != 0;
	    j = (j + 1) & pm->mask) {
		struct palent *e = &pm->v[pm->tab[j] - 1];
		if (e->len == len && memcmp(e->name, name, len) == 0)
			return e;
	}
	*slot = j;
	return NULL;
}

static int
pm_add(struct fg_palmap *pm, const char *name, size_t len, struct fg_rgb c)
{
	size_t slot = 0;
	struct palent *e;

	if ((e = pm_find(pm, name, len, &slot)) != NULL) {
		e->c = c;
		return 0;
	}
	if (pm->tab == NULL || (pm->n + 1) * 4 > pm->mask * 3) {
		if (pm_rehash(pm) != 0)
			return FG_ENOMEM;
		(void)pm_find(pm, name, len, &slot);
	}
	if (pm->n == pm->cap) {
		struct palent *nv = base_grow(pm->v, &pm->cap, pm->n + 1,
		    sizeof(*nv), 256);
		if (nv == NULL)
			return FG_ENOMEM;
		pm->v = nv;
	}
	if ((pm->v[pm->n].name = malloc(len + 1)) == NULL)
		return FG_ENOMEM;
	memcpy(pm->v[pm->n].name, name, len);
	pm->v[pm->n].name[len] = '\0';
	pm->v[pm->n].len = len;
	pm->v[pm->n].c = c;
	pm->n++;
	pm->tab[slot] = pm->n;
	return 0;
}

void
palmap_free(struct fg_palmap *pm)
{
	size_t i;

	if (pm == NULL)
		return;
	for (i = 0; i < pm->n; i++)
		free(pm->v[i].name);
	free(pm->v);
	free(pm->tab);
	free(pm);
}

int
palmap_load(const char *path, struct fg_palmap **out,
    struct fg_error *err)
{
	struct fg_palmap *pm;
	char *line = NULL, *sep, *p;
	size_t cap = 0;
	ssize_t n;
	unsigned long lineno = 0;
	FILE *fp;
	int r = 0;

	if ((pm = calloc(1, sizeof(*pm))) == NULL)
		return seterr(err, FG_ENOMEM, "palette map: out of memory");
	if ((fp = fopen(path, "r")) == NULL) {
		if (errno == ENOENT) {
			*out = pm;
			return 0;
		}
		palmap_free(pm);
		return seterr_sys(err, FG_EIO, errno, "%s", path);
	}
	while ((n = getline(&line, &cap, fp)) != -1) {
		unsigned rr, gg, bb;
		struct fg_rgb c;
		lineno++;
		while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		/* The colour follows the last "->": names may hold "->". */
		sep = NULL;
		for (p = line; (p = strstr(p, "->")) != NULL; p++)
			sep = p;
		if (sep == NULL || sscanf(sep + 2, "rgb(%u,%u,%u)", &rr, &gg,
		    &bb) != 3 || rr > 255 || gg > 255 || bb > 255) {
			r = seterr(err, FG_EPARSE, "%s:%lu: expected "
			    "NAME->rgb(R,G,B)", path, lineno);
			break;
		}
		c.r = (uint8_t)rr;
		c.g = (uint8_t)gg;
		c.b = (uint8_t)bb;
		if (pm_add(pm, line, (size_t)(sep - line), c) != 0) {
			r = seterr(err, FG_ENOMEM, "%s: out of memory", path);
			break;
		}
	}
	if (r == 0 && ferror(fp))
		r = seterr_sys(err, FG_EIO, errno, "%s: read", path);
	free(line);
	fclose(fp);
	if (r != 0) {
		palmap_free(pm);
		return r;
	}
	*out = pm;
	return 0;
}

int
palmap_lookup(struct fg_palmap *pm, const char *name, size_t len,
    struct fg_rgb *col)
{
	size_t slot;
	struct palent *e;

	if ((e = pm_find(pm, name, len, &slot)) != NULL) {
		*col = e->c;
		return 0;
	}
	return pm_add(pm, name, len, *col);
}

static int
entcmp(const void *a, const void *b)
{
	const struct palent *x = a, *y = b;
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->name, y->name, n);

	if (c != 0)
		return c;
	return x->len < y->len ? -1 : x->len > y->len;
}

int
palmap_save(const struct fg_palmap *pm, const char *path,
    const struct fg_tempfile *t, struct fg_error *err)
{
	struct palent *v = NULL;
	char *tmp = NULL;
	FILE *fp = NULL;
	size_t i;
	int fd = -1, r = 0;

	if (pm->n > 0 && (v = reallocarray(NULL, pm->n, sizeof(*v))) == NULL)
		return seterr(err, FG_ENOMEM, "palette map: out of memory");
	if (pm->n > 0)
		memcpy(v, pm->v, pm->n * sizeof(*v));
	qsort(v, pm->n, sizeof(*v), entcmp);
	if (base_is_special(path)) {	/* /dev/null, a FIFO: as it is */
		if ((fp = fopen(path, "w")) == NULL) {
			r = seterr_sys(err, FG_EIO, errno, "%s", path);
			goto out;
		}
		for (i = 0; i < pm->n; i++) {
			fwrite(v[i].name, 1, v[i].len, fp);
			fprintf(fp, "->rgb(%u,%u,%u)\n", v[i].c.r, v[i].c.g,
			    v[i].c.b);
		}
		if (fflush(fp) != 0 || ferror(fp))
			r = seterr_sys(err, FG_EIO, errno, "%s: write", path);
		goto out;
	}
	if (asprintf(&tmp, "%s.XXXXXX", path) == -1) {
		tmp = NULL;
		r = seterr(err, FG_ENOMEM, "palette map: out of memory");
		goto out;
	}
	if ((fd = mkstemp(tmp)) == -1) {
		r = seterr_sys(err, FG_EIO, errno, "%s", tmp);
		goto out;
	}
	if (t != NULL && t->fn != NULL)
		t->fn(t->arg, tmp, 1);
	if ((fp = fdopen(fd, "w")) == NULL) {
		r = seterr_sys(err, FG_EIO, errno, "%s", tmp);
		close(fd);
		unlink(tmp);
		goto out;
	}
	for (i = 0; i < pm->n; i++) {
		fwrite(v[i].name, 1, v[i].len, fp);
		fprintf(fp, "->rgb(%u,%u,%u)\n", v[i].c.r, v[i].c.g, v[i].c.b);
	}
	if (fflush(fp) != 0 || ferror(fp) || fclose(fp) != 0) {
		fp = NULL;
		r = seterr_sys(err, FG_EIO, errno, "%s: write", tmp);
		unlink(tmp);
		goto out;
	}
	fp = NULL;
	if (rename(tmp, path) != 0) {
		r = seterr_sys(err, FG_EIO, errno, "rename %s to %s", tmp,
		    path);
		unlink(tmp);
	}
out:
	if (fp != NULL)
		fclose(fp);
	if (fd != -1 && t != NULL && t->fn != NULL)
		t->fn(t->arg, tmp, 0);	/* renamed or removed by now */
	free(tmp);
	free(v);
	return r;
}
