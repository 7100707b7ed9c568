/*
 * symbolize.h: addresses to function names, the way perf names them.
 * A symbolizer caches one object per file (ELF symbols, program headers,
 * and, on demand, a per-compilation-unit index of DWARF subprogram and
 * inlined-subroutine ranges), the kernel's /proc/kallsyms, the [vdso]
 * image of this machine and JIT /tmp/perf-PID.map files.  Names are
 * demangled and stay valid until the symbolizer is freed.  Nothing here
 * prints; problems (a file without symbols) go to the warn callback once
 * per file.
 */
#ifndef FG_SYMBOLIZE_H
#define FG_SYMBOLIZE_H

#include <stddef.h>
#include <stdint.h>

#include "flamegraph.h"

struct fg_symbolizer;
struct fg_dso;

enum fg_dso_kind {
	FG_DSO_FILE,		/* an ELF file on disk */
	FG_DSO_VDSO,		/* [vdso]: this machine's image */
	FG_DSO_JITMAP,		/* /tmp/perf-PID.map: absolute addresses */
	FG_DSO_KERNEL		/* /proc/kallsyms: absolute addresses */
};

/* A new symbolizer, or NULL when out of memory.  warn is copied. */
struct fg_symbolizer *sym_new(const struct fg_warn *warn);
void sym_free(struct fg_symbolizer *s);

/*
 * perf's build-id cache directory (~/.debug); NULL or "": not used.
 * With it, the kernel's symbols come from the kallsyms copy made when
 * recording, and a file rebuilt since the recording from its cached copy.
 */
void sym_set_debug_dir(struct fg_symbolizer *s, const char *dir);
/* Where inflated DWARF sections are kept across runs; NULL or "": not. */
void sym_set_cache_dir(struct fg_symbolizer *s, const char *dir);
/*
 * From now on read no file and no image of this machine: every object
 * is one without symbols, nothing is loaded ahead, no JIT map exists
 * (fg_perfdata_opts.recording_only).  Call before the first lookup.
 */
void sym_set_recording_only(struct fg_symbolizer *s);

/*
 * Make the cache's copy of /proc/kallsyms for this boot if there is none
 * (symbolize-kallsyms.c): tens of milliseconds of kernel time spent
 * while a recording runs rather than after it.
 */
void sym_kallsyms_warm(const char *cache_dir);

/* Whether a build id is known for path (sym_add_buildid). */
int sym_has_buildid(const struct fg_symbolizer *s, const char *path);

/*
 * The build id (len bytes) a recording gives for path; the kernel's is
 * given for "[kernel.kallsyms]".  Call before the file is first used.
 * 0 or FG_ENOMEM.
 */
int sym_add_buildid(struct fg_symbolizer *s, const char *path,
    const uint8_t *id, size_t len);

/*
 * The address of the kernel's _text when recorded (the kernel map's
 * offset in the recording): kallsyms whose _text is elsewhere are of
 * another boot (KASLR) and are not used.  Before the first lookup.
 */
void sym_set_kernel_text(struct fg_symbolizer *s, uint64_t addr);

/*
 * The file the symbolizer reads for path, when not path itself: the
 * copy in perf's build-id cache (the debug directory's
 * .build-id/xx/yyyy/elf) when the recording gives path's build id and
 * the file at path is gone or of another build.  Written to buf[0 ..
 * len) and returned; NULL for path itself.  Reads only what is set
 * before the first lookup, so any thread may call it.
 */
const char *sym_recorded_file(const struct fg_symbolizer *s,
    const char *path, char *buf, size_t len);

/*
 * Load ahead, on one helper thread, the files the recording's build ids
 * name that have a separate debug file (/usr/lib/debug/.build-id: the
 * big, compressed system ones), biggest first, and the kernel's symbols
 * when a kernel build id is given; with dwarf, their DWARF is opened
 * too (the inflating of compressed sections): 1, each file's after its
 * symbols; 2, after all the symbols (for a caller that looks up inline
 * chains after its walk: symbols are usable while the DWARF loads).  Call once, after
 * sym_add_buildid() and before the files are used; the thread using
 * them (one at a time: the caller's, or a worker it hands them to)
 * then waits for a file only if the helper is loading it at that
 * moment, and loads the ones not yet started itself.  Warnings come out
 * on that thread.  0 or FG_ENOMEM; without a thread, nothing is
 * loaded ahead.
 */
int sym_prefetch(struct fg_symbolizer *s, int dwarf);

/*
 * The object of a mapped file (path as in the MMAP record; "[vdso]" for
 * the vdso), created on first use and cached; never NULL unless out of
 * memory.  A file that cannot be read gives an object without symbols.
 */
struct fg_dso *sym_dso(struct fg_symbolizer *s, const char *path);
/* The kernel (kallsyms), loaded on first use. */
struct fg_dso *sym_kernel(struct fg_symbolizer *s);
/* The JIT map of pid when /tmp/perf-PID.map exists, else NULL. */
struct fg_dso *sym_jitmap(struct fg_symbolizer *s, uint32_t pid);

/* This machine's vdso image and its length, or NULL. */
const void *sym_vdso_image(struct fg_symbolizer *s, size_t *len);

enum fg_dso_kind dso_kind(const struct fg_dso *d);
/* The module name perf prints: the path, "[vdso]", "[kernel.kallsyms]". */
const char *dso_path(const struct fg_dso *d);

/*
 * The address to look symbols up at for a mapping that starts at
 * map_start with file offset pgoff: ELF files translate the file offset
 * through their PT_LOAD program headers; absolute kinds return ip.
 * 0 on success, -1 when no segment holds the offset.
 */
int dso_addr(struct fg_dso *d, uint64_t ip, uint64_t map_start,
    uint64_t pgoff, uint64_t *addr);

/*
 * The demangled name of the function symbol holding addr, or NULL.
 * For the kernel, *module (when non-NULL) is set to the module name
 * ("[ext4]") or NULL for the core kernel.
 */
const char *dso_symbol(struct fg_dso *d, uint64_t addr,
    const char **module);

/*
 * addr2line's view of addr: *func gets the name `addr2line -f` gives it
 * (the DWARF subprogram holding addr, else binutils' pick of the aliases
 * of the nearest symbol; NULL when neither, or addr is in the PLT) and
 * names[0..ret) the functions inlined at addr, outermost first (the
 * callee of *func first, the innermost last).  At most max names are returned.  Once dso_symbol() has
 * been called on d, one other thread may call this on d while the
 * first goes on looking up symbols in it (and nothing else of d).
 */
size_t dso_inlines(struct fg_dso *d, uint64_t addr, const char **func,
    const char **names, size_t max);

/*
 * Whether dso_inlines() on d would go on without waiting for the
 * prefetch helper to finish d's DWARF; by the thread using d, after
 * dso_symbol() on it (else 0: the helper may hold d).
 */
int dso_inlines_ready(struct fg_dso *d);

#endif /* FG_SYMBOLIZE_H */
