/*
 * frame.c: frame names, one set of rules for the perf-script collapser
 * and the native reader (frame.h).  The rules are inferno-collapse-perf's
 * (0.12.8) for the text and perf's and binutils' for aliases; the native
 * reader's frames are made as if perf had printed its findings as a
 * `perf script` line, so that the two paths cannot drift apart.
 */
#include <elf.h>
#include <stdio.h>
#include <string.h>

#include "base.h"
#include "frame.h"

static const char *
rfind(const char *p, size_t len, const char *lit)
{
	size_t n = strlen(lit), i;

	if (len < n)
		return NULL;
	for (i = len - n + 1; i-- > 0;)
		if (memcmp(p + i, lit, n) == 0)
			return p + i;
	return NULL;
}

static int
is_unknown(const char *p, size_t len)
{
	return len == 9 && memcmp(p, "[unknown]", 9) == 0;
}

int
frame_is_kernel(const char *m, size_t len)
{
	const char *v;
	size_t i;

	if (is_unknown(m, len))
		return 0;
	if (len > 0 && m[0] == '[')
		return 1;
	if (fg_ends(m, len, ".ko"))
		return 1;
	if ((v = rfind(m, len, "vmlinux")) == NULL)
		return 0;
	for (i = (size_t)(v - m); i < len; i++) {
		unsigned char c = (unsigned char)m[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z') || c == '-' || c == '.' || c == '_'))
			return 0;
	}
	return 1;
}

int
frame_is_jit(const char *m, size_t len)
{
	if (fg_starts(m, len, "/tmp/perf-") && fg_ends(m, len, ".map"))
		return 1;
	if (fg_ends(m, len, ".so")) {
		size_t i;

		for (i = 0; i + 8 <= len; i++)
			if (memcmp(m + i, "/jitted-", 8) == 0)
				return 1;
	}
	return 0;
}

/* The [unknown] fallback: the module's base name, with the pc if asked. */
static int
unknown_frame(struct fg_buf *w, const char *mod, size_t mlen,
    const char *pc, size_t pclen, int addrs)
{
	const char *base;
	size_t n;
	int r = 0;

	if (is_unknown(mod, mlen)) {
		base = "unknown";
		n = 7;
	} else {
		base = mod + mlen;
		while (base > mod && base[-1] != '/')
			base--;
		n = (size_t)(mod + mlen - base);
	}
	r |= fg_buf_putc(w, '[');
	r |= fg_buf_append(w, base, n);
	if (addrs) {
		r |= fg_buf_append(w, " <", 2);
		r |= fg_buf_append(w, pc, pclen);
		r |= fg_buf_append(w, ">]", 2);
	} else
		r |= fg_buf_putc(w, ']');
	return r;
}

/*
 * inferno's tidy_generic: ';' would split the frame, so ':'; the
 * argument list is cut at the first '(' outside brackets, unless it
 * follows a '.' or opens "(anonymous namespace)".
 */
static void
tidy_generic(struct fg_buf *w)
{
	const char *f = w->d;
	size_t i, cut = w->len, last_dot = SIZE_MAX;
	long depth = 0;

	for (i = 0; i < w->len; i++)
		if (w->d[i] == ';')
			w->d[i] = ':';
	for (i = 0; i < w->len; i++) {
		switch (f[i]) {
		case '<': case '{': case '[':
			depth++;
			break;
		case '>': case '}': case ']': case ')':
			depth--;
			break;
		case '(':
			if (depth == 0 && last_dot != i &&
			    !fg_starts(f + i, w->len - i, "(anonymous namespace)")) {
				cut = i;
				goto done;
			}
			depth++;
			break;
		case '.':
			last_dot = i + 1;
			break;
		}
	}
done:
	w->len = cut;
	w->d[cut] = '\0';
}

int
frame_name(struct fg_buf *w, const char *func, size_t flen,
    const char *mod, size_t mlen, const char *pc, size_t pclen,
    int inlined, const struct frame_opts *o)
{
	int r;

	fg_buf_reset(w);
	if (is_unknown(func, flen) &&
	    !(is_unknown(mod, mlen) && !o->addrs))
		r = unknown_frame(w, mod, mlen, pc, pclen, o->addrs);
	else
		r = fg_buf_append(w, func, flen);
	if (r != 0)
		return r;
	tidy_generic(w);
	/* tidy_java */
	if (o->java && w->len > 0 && w->d[0] == 'L' &&
	    memchr(w->d, '/', w->len) != NULL) {
		memmove(w->d, w->d + 1, w->len);
		w->len--;
	}
	if (inlined)
		return fg_buf_append(w, "_[i]", 4);
	if (o->kernel && frame_is_kernel(mod, mlen))
		return fg_buf_append(w, "_[k]", 4);
	if (o->jit && frame_is_jit(mod, mlen))
		return fg_buf_append(w, "_[j]", 4);
	return 0;
}

int
frame_name_native(struct fg_buf *w, struct fg_buf *tmp, const char *func,
    const char *mod, uint64_t pc, const struct frame_opts *o)
{
	char pcs[24];
	const char *f = func != NULL ? func : "[unknown]";
	size_t flen = strlen(f), mlen = strlen(mod);
	int n;

	n = snprintf(pcs, sizeof(pcs), "%llx", (unsigned long long)pc);
	if (memchr(mod, ' ', mlen) != NULL) {
		/*
		 * `perf script` prints "PC FUNC (MODULE)" and the perf-script
		 * path takes the module after the last space: a module name
		 * with spaces ("/memfd:x (deleted)") splits there, and the
		 * rest of it joins the function.
		 */
		char *last, *fp, *mp;
		size_t fl;

		fg_buf_reset(tmp);
		if (fg_buf_printf(tmp, "%s (%s)", f, mod) != 0)
			return FG_ENOMEM;
		last = strrchr(tmp->d, ' ');
		*last = '\0';
		mp = last + 2;
		mp[strlen(mp) - 1] = '\0';
		for (fp = tmp->d; *fp == ' '; fp++)
			;
		for (fl = strlen(fp); fl > 0 && fp[fl - 1] == ' '; fl--)
			fp[fl - 1] = '\0';
		if (*fp == '\0')
			fp = (char *)" ";
		f = fp;
		flen = strlen(fp);
		mod = mp;
		mlen = strlen(mp);
	}
	return frame_name(w, f, flen, mod, mlen, pcs, (size_t)n, 0, o);
}

static size_t
underscores(const char *p)
{
	size_t n = 0;

	while (p[n] == '_')
		n++;
	return n;
}

int
frame_alias_perf(const struct frame_alias *a, const struct frame_alias *b)
{
	int aw, bw, ag, bg;
	size_t na, nb;

	if (a->size == 0 && b->size > 0)
		return 1;
	if (b->size == 0 && a->size > 0)
		return 0;
	aw = a->bind == STB_WEAK;
	bw = b->bind == STB_WEAK;
	if (bw != aw)
		return aw;
	ag = a->bind == STB_GLOBAL;
	bg = b->bind == STB_GLOBAL;
	if (ag != bg)
		return bg;
	na = underscores(a->name);
	nb = underscores(b->name);
	if (na != nb)
		return na > nb;
	return strlen(a->name) < strlen(b->name);
}

int
frame_alias_a2l(const struct frame_alias *a, const struct frame_alias *b)
{
	if (a->notype != b->notype)
		return a->notype;
	if ((a->size == 0) != (b->size == 0))
		return a->size == 0;
	return b->size < a->size;
}
