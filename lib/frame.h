/*
 * frame.h: how a frame is named, one set of rules for both readers.
 * The perf-script collapser (pscript-stack.c) gets a function and a module
 * from each `perf script` line; the native reader (perfdata-frames.c)
 * gets them from the symbolizer.  Both make the frame's text here: the
 * [unknown] fallbacks, the tidy-up (';' -> ':', the argument list cut,
 * Java's "L" prefix), and the _[k] / _[j] / _[i] annotations.  The
 * choice among aliases (several symbols at one address) is here too:
 * perf's, for names from the symbol table, and binutils addr2line's,
 * for a C function named from DWARF (see docs/internals/naming.md).
 *
 * Nothing here allocates but the output buffer; nothing is cached.
 */
#ifndef FG_FRAME_H
#define FG_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "base.h"

/* What a frame's name is made with, beyond its function and module. */
struct frame_opts {
	int kernel;		/* annotate kernel frames "_[k]" */
	int jit;		/* annotate JIT frames "_[j]" */
	int addrs;		/* unknown frames keep their address */
	int java;		/* the process is "java": drop "L" prefixes */
};

/* What one `perf script` stack line "PC FUNC+0xOFF (MODULE)" says. */
struct frame_line {
	const char *pc;		/* as printed: hex */
	size_t pclen;
	const char *func;	/* the offset cut, a Rust legacy name fixed */
	size_t flen;
	const char *mod;	/* without its parentheses */
	size_t mlen;
};

/*
 * Read line (len bytes) into fl, which points into line or scratch:
 * 1; 0 when it is not a frame line (no module in parentheses after the
 * last space); FG_ENOMEM / FG_ELIMIT.
 */
int	frame_parse_line(const char *line, size_t len, struct fg_buf *scratch,
	    struct frame_line *fl);

/* Takes one frame (len bytes, NUL-terminated): 0, or an error to stop. */
typedef int (*frame_emit_fn)(void *arg, const char *name, size_t len);

/*
 * The frames of fl, outermost first, each made in w and given to emit:
 * none for a function starting with '(' (stackcollapse-perf's rule for
 * process names), else one, and one more annotated "_[i]" after each
 * "->" (older perf's inline chains).  0, or the first error.
 */
int	frame_names(const struct frame_line *fl, const struct frame_opts *o,
	    struct fg_buf *w, frame_emit_fn emit, void *arg);

/* Scratch space of frame_names_native(). */
struct frame_bufs {
	struct fg_buf line;
	struct fg_buf scratch;
	struct fg_buf work;
};
void	frame_bufs_init(struct frame_bufs *b);
void	frame_bufs_free(struct frame_bufs *b);

/*
 * The frames the perf-script path makes of the line perf prints for a
 * function (NULL: no symbol, "[unknown]") in module mod at pc: the line
 * is printed and read back by the code above, so that a module name with
 * spaces, a name with "->" or a Rust legacy hash give what they give
 * there.  0, or the first error.
 */
int	frame_names_native(const char *func, const char *mod, uint64_t pc,
	    const struct frame_opts *o, struct frame_bufs *b,
	    frame_emit_fn emit, void *arg);

/* One of several symbols at one address. */
struct frame_alias {
	const char *name;	/* demangled, as perf keeps it */
	uint64_t size;
	int bind;		/* STB_* */
	int notype;		/* STT_NOTYPE: a label, not a function */
};

/*
 * perf's choice (symbol.c choose_best_symbol): 1 when b is the better
 * name for the address, 0 when a is.  Sized over unsized, not weak over
 * weak, global over local, fewer leading underscores, the longer name,
 * else a.
 */
int	frame_alias_perf(const struct frame_alias *a,
	    const struct frame_alias *b);

/*
 * binutils' choice (elf_find_function's better_fit, which addr2line
 * uses to name a C function without a linkage name): 1 when b is better
 * than a, where a came first in the table.  A function over a label,
 * sized over unsized, the smaller size, else the first.
 */
int	frame_alias_a2l(const struct frame_alias *a,
	    const struct frame_alias *b);

#endif /* FG_FRAME_H */
