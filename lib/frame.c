/*
 * frame.c: frame names, one set of rules for the perf-script collapser
 * and the native reader (frame.h).  The rules are inferno-collapse-perf's
 * (0.12.8) for the text and perf's and binutils' for aliases; the native
 * reader's frames are made of the `perf script` line perf would print
 * for its findings, by the same code, so the two paths cannot drift.
 */
#include <elf.h>
#include <stdio.h>
#include <string.h>

#include "base.h"
#include "frame.h"

static int
is_unknown(const char *p, size_t len)
{
	return len == 9 && memcmp(p, "[unknown]", 9) == 0;
}

/* ---- a `perf script` frame line ------------------------------------ */

static const struct {
	const char *enc, *dec;
} rust_escapes[] = {
	{ "$SP$", "@" }, { "$BP$", "*" }, { "$RF$", "&" }, { "$LT$", "<" },
	{ "$GT$", ">" }, { "$LP$", "(" }, { "$RP$", ")" }, { "$C$", "," },
	{ "$u7e$", "~" }, { "$u20$", " " }, { "$u27$", "'" }, { "$u3d$", "=" },
	{ "$u5b$", "[" }, { "$u5d$", "]" }, { "$u7b$", "{" }, { "$u7d$", "}" },
	{ "$u3b$", ";" }, { "$u2b$", "+" }, { "$u21$", "!" }, { "$u22$", "\"" },
};

#define RUST_HASH_LEN 17

/*
 * A symbol ending in a Rust legacy hash ("::h0123456789abcdef") loses the
 * hash and has its $-escapes and ".." decoded into out.  Returns 1 when it
 * did, 0 when the symbol is left as it is.
 */
static int
fix_rust(const char *p, size_t len, struct fg_buf *out, int *rc)
{
	const char *h, *rest, *end;
	size_t i;

	*rc = 0;
	if (len < RUST_HASH_LEN)
		return 0;
	h = p + len - RUST_HASH_LEN;
	if (h[0] != 'h')
		return 0;
	for (i = 1; i < RUST_HASH_LEN; i++)
		if (hexval((unsigned char)h[i]) < 0)
			return 0;
	rest = p;
	end = h;
	if (end - rest >= 2 && end[-1] == ':' && end[-2] == ':')
		end -= 2;
	if (end - rest >= 2 && rest[0] == '_' && rest[1] == '$')
		rest++;
	buf_reset(out);
	while (rest < end) {
		int r = 0;

		if (*rest == '.') {
			if (end - rest >= 2 && rest[1] == '.') {
				r = buf_append(out, "::", 2);
				rest += 2;
			} else {
				r = buf_putc(out, '.');
				rest++;
			}
		} else if (*rest == '$') {
			size_t k, n = (size_t)(end - rest);

			for (k = 0; k < sizeof(rust_escapes) /
			    sizeof(rust_escapes[0]); k++)
				if (base_starts(rest, n, rust_escapes[k].enc))
					break;
			if (k == sizeof(rust_escapes) / sizeof(rust_escapes[0])) {
				r = buf_append(out, rest, n);
				rest = end;
			} else {
				r = buf_append(out, rust_escapes[k].dec,
				    strlen(rust_escapes[k].dec));
				rest += strlen(rust_escapes[k].enc);
			}
		} else {
			const char *q = rest;

			while (q < end && *q != '$' && *q != '.')
				q++;
			r = buf_append(out, rest, (size_t)(q - rest));
			rest = q;
		}
		if (r != 0) {
			*rc = r;
			return 0;
		}
	}
	return 1;
}

/* A kernel image or module (inferno's is_kernel)? */
static int
is_kernel(const char *m, size_t len)
{
	const char *v;
	size_t i;

	if (is_unknown(m, len))
		return 0;
	if (len > 0 && m[0] == '[')
		return 1;
	if (base_ends(m, len, ".ko"))
		return 1;
	if ((v = base_rfind(m, len, "vmlinux")) == NULL)
		return 0;
	for (i = (size_t)(v - m); i < len; i++) {
		unsigned char c = (unsigned char)m[i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
		    (c >= 'A' && c <= 'Z') || c == '-' || c == '.' || c == '_'))
			return 0;
	}
	return 1;
}

/* A JIT map (/tmp/perf-PID.map) or jitted-*.so (inferno's is_jit)? */
static int
is_jit(const char *m, size_t len)
{
	if (base_starts(m, len, "/tmp/perf-") && base_ends(m, len, ".map"))
		return 1;
	if (base_ends(m, len, ".so")) {
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
	r |= buf_putc(w, '[');
	r |= buf_append(w, base, n);
	if (addrs) {
		r |= buf_append(w, " <", 2);
		r |= buf_append(w, pc, pclen);
		r |= buf_append(w, ">]", 2);
	} else
		r |= buf_putc(w, ']');
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
			    !base_starts(f + i, w->len - i, "(anonymous namespace)")) {
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

/*
 * The frame of function func (flen bytes; "[unknown]" when the symbol is
 * not known) in module mod (mlen; "[unknown]" when no map holds the
 * address) at pc (pclen bytes of hex, as perf prints it), into w (reset
 * first): the [unknown] fallback, the tidy-up, the annotation.  inlined:
 * an inline frame of the older "a->b" perf output, annotated "_[i]".
 * 0 or FG_ENOMEM / FG_ELIMIT.
 */
static int
frame_name(struct fg_buf *w, const char *func, size_t flen,
    const char *mod, size_t mlen, const char *pc, size_t pclen,
    int inlined, const struct frame_opts *o)
{
	int r;

	buf_reset(w);
	if (is_unknown(func, flen) &&
	    !(is_unknown(mod, mlen) && !o->addrs))
		r = unknown_frame(w, mod, mlen, pc, pclen, o->addrs);
	else
		r = buf_append(w, func, flen);
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
		return buf_append(w, "_[i]", 4);
	if (o->kernel && is_kernel(mod, mlen))
		return buf_append(w, "_[k]", 4);
	if (o->jit && is_jit(mod, mlen))
		return buf_append(w, "_[j]", 4);
	return 0;
}

int
frame_parse_line(const char *line, size_t len, struct fg_buf *scratch,
    struct frame_line *fl)
{
	const char *p = line, *sp, *q, *raw;
	size_t n = len, rlen;
	int r, fixed;

	base_trim_start(&p, &n);
	base_trim_end(p, &n);
	if ((sp = memchr(p, ' ', n)) == NULL)
		return 0;
	fl->pc = p;
	fl->pclen = (size_t)(sp - p);
	base_trim_end(fl->pc, &fl->pclen);
	q = sp + 1;
	n = (size_t)(p + n - q);
	/* rsplitn(2, ' '): the module after the last space */
	for (sp = q + n; sp > q && sp[-1] != ' '; sp--)
		;
	if (sp == q)
		return 0;
	fl->mod = sp;
	fl->mlen = (size_t)(q + n - sp);
	if (fl->mlen < 2 || fl->mod[0] != '(' || fl->mod[fl->mlen - 1] != ')')
		return 0;
	fl->mod++;
	fl->mlen -= 2;
	raw = q;
	rlen = (size_t)(sp - 1 - q);
	base_trim(&raw, &rlen);
	if (rlen == 0) {
		raw = " ";
		rlen = 1;
	}
	/* the symbol offset */
	if ((q = base_rfind(raw, rlen, "+0x")) != NULL) {
		size_t i, off = (size_t)(q - raw);

		for (i = off + 3; i < rlen; i++)
			if (hexval((unsigned char)raw[i]) < 0)
				break;
		if (i == rlen)
			rlen = off;
	}
	fl->func = raw;
	fl->flen = rlen;
	if (rlen > 0 && raw[0] == '(')
		return 1;
	fixed = fix_rust(raw, rlen, scratch, &r);
	if (r != 0)
		return r;
	if (fixed) {
		/* "::h<hash>" alone leaves nothing (and no buffer) */
		fl->func = scratch->len > 0 ? scratch->d : "";
		fl->flen = scratch->len;
	}
	return 1;
}

int
frame_names(const struct frame_line *fl, const struct frame_opts *o,
    struct fg_buf *w, frame_emit_fn emit, void *arg)
{
	const char *p = fl->func, *end = fl->func + fl->flen, *q;
	int k, r;

	/* stackcollapse-perf's rule for process names: no frame */
	if (fl->flen > 0 && fl->func[0] == '(')
		return 0;
	/* split on "->": the first is the function, the rest inlined */
	for (k = 0;; k++) {
		const char *arrow = NULL;

		for (q = p; q + 1 < end; q++)
			if (q[0] == '-' && q[1] == '>') {
				arrow = q;
				break;
			}
		if ((r = frame_name(w, p, (size_t)((arrow ? arrow : end) - p),
		    fl->mod, fl->mlen, fl->pc, fl->pclen, k > 0, o)) != 0 ||
		    (r = emit(arg, w->d, w->len)) != 0)
			return r;
		if (arrow == NULL)
			return 0;
		p = arrow + 2;
	}
}

int
frame_names_native(const char *func, const char *mod, uint64_t pc,
    const struct frame_opts *o, struct frame_bufs *b, frame_emit_fn emit,
    void *arg)
{
	struct frame_line fl;
	int r;
	char hex[16];
	size_t i = sizeof(hex);

	/* "PC FUNC (MOD)", as perf script prints it; by hand, not printf:
	 * this is once per frame of a recording */
	do {
		hex[--i] = "0123456789abcdef"[pc & 15];
		pc >>= 4;
	} while (pc != 0);
	if (func == NULL)
		func = "[unknown]";
	buf_reset(&b->line);
	if (buf_append(&b->line, hex + i, sizeof(hex) - i) != 0 ||
	    buf_putc(&b->line, ' ') != 0 ||
	    buf_append(&b->line, func, strlen(func)) != 0 ||
	    buf_append(&b->line, " (", 2) != 0 ||
	    buf_append(&b->line, mod, strlen(mod)) != 0 ||
	    buf_putc(&b->line, ')') != 0)
		return FG_ENOMEM;
	if ((r = frame_parse_line(b->line.d, b->line.len, &b->scratch,
	    &fl)) <= 0)
		return r;
	return frame_names(&fl, o, &b->work, emit, arg);
}

void
frame_bufs_init(struct frame_bufs *b)
{
	buf_init(&b->line, 64u << 20);
	buf_init(&b->scratch, 64u << 20);
	buf_init(&b->work, 64u << 20);
}

void
frame_bufs_free(struct frame_bufs *b)
{
	buf_free(&b->line);
	buf_free(&b->scratch);
	buf_free(&b->work);
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
