/*
 * test_unwind.c: unit tests of the DWARF unwinder (lib/unwind.c) on this
 * very process: registers and a copy of its own stack are captured, and
 * the chain must be the one glibc's backtrace() finds (through a signal
 * handler too).  Then hostile synthetic samples: a return address whose
 * rule repeats forever, an rbp chain that points at itself, stack
 * pointers outside the copy, random garbage; each must end with bounded
 * work and (under ASan) no read outside the copy.
 */
#include <execinfo.h>
#include <fcntl.h>
#include <gelf.h>
#include <link.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include "flamegraph.h"
#include "unwind.h"
#include "check.h"

/* ---- the address space of this process, from /proc/self/maps ---- */

struct selfmap {
	uint64_t start, end, pgoff;
	char path[256];
};
static struct selfmap maps[512];
static size_t nmaps;

static void
load_maps(void)
{
	FILE *fp = fopen("/proc/self/maps", "r");
	char line[512];

	nmaps = 0;
	if (fp == NULL)
		return;
	while (nmaps < 512 && fgets(line, sizeof(line), fp) != NULL) {
		struct selfmap *m = &maps[nmaps];
		unsigned long long s, e, off;
		char perm[8];
		int pos = 0;

		if (sscanf(line, "%llx-%llx %7s %llx %*s %*s%n", &s, &e, perm,
		    &off, &pos) != 4 || perm[2] != 'x')
			continue;
		while (line[pos] == ' ')
			pos++;
		line[strcspn(line, "\n")] = '\0';
		if (line[pos] != '/' && strcmp(line + pos, "[vdso]") != 0)
			continue;
		m->start = s;
		m->end = e;
		m->pgoff = off;
		snprintf(m->path, sizeof(m->path), "%s", line + pos);
		nmaps++;
	}
	fclose(fp);
}

static int
self_map(void *arg, uint64_t addr, struct fg_unwind_map *out)
{
	for (size_t i = 0; i < nmaps; i++) {
		if (addr < maps[i].start || addr >= maps[i].end)
			continue;
		out->path = maps[i].path;
		out->start = maps[i].start;
		out->end = maps[i].end;
		out->pgoff = maps[i].pgoff;
		if (strcmp(maps[i].path, "[vdso]") == 0) {
			out->image = (const void *)getauxval(AT_SYSINFO_EHDR);
			out->image_len = maps[i].end - maps[i].start;
		}
		return 0;
	}
	return -1;
}

/* ---- capture: registers, a stack copy and backtrace() at one point ---- */

#define COPY_MAX (64 * 1024)

struct capture {
	struct fg_unwind_sample s;
	unsigned char buf[COPY_MAX];
	void *bt[128];
	int nbt;
	int ok;
};

static uint64_t stack_top;

#if defined(__clang__) || defined(__GNUC__)
#define NO_ASAN __attribute__((no_sanitize_address))
#else
#define NO_ASAN
#endif

/* Copy live stack bytes; not instrumented, as ASan's redzones are on it. */
static NO_ASAN void
copy_stack(unsigned char *dst, uint64_t src, size_t len)
{
	const volatile unsigned char *p =
	    (const volatile unsigned char *)(uintptr_t)src;

	for (size_t i = 0; i < len; i++)
		dst[i] = p[i];
}

/* s over the stack copy stk (len bytes from addr), with rip, rsp, rbp. */
static void
sample_at(struct fg_unwind_sample *s, const void *stk, size_t len,
    uint64_t addr, uint64_t rip, uint64_t rsp, uint64_t rbp)
{
	memset(s, 0, sizeof(*s));
	s->stack = stk;
	s->stack_len = len;
	s->stack_addr = addr;
	s->regs.valid = (1u << FG_UW_RIP) | (1u << FG_UW_RSP) |
	    (1u << FG_UW_RBP);
	s->regs.r[FG_UW_RIP] = rip;
	s->regs.r[FG_UW_RSP] = rsp;
	s->regs.r[FG_UW_RBP] = rbp;
}

static __attribute__((noinline)) void
capture(struct capture *c)
{
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
	uint64_t ip, sp, bp;
	size_t len;

	__asm__ volatile("leaq 0(%%rip), %0\n\tmovq %%rsp, %1\n\t"
	    "movq %%rbp, %2" : "=r"(ip), "=r"(sp), "=r"(bp));
	c->nbt = backtrace(c->bt, 128);
	len = stack_top - sp < COPY_MAX ? stack_top - sp : COPY_MAX;
	copy_stack(c->buf, sp, len);
	sample_at(&c->s, c->buf, len, sp, ip, sp, bp);
	c->ok = 1;
#else
	c->ok = 0;	/* no portable way to read ip/sp: the test skips */
#endif
}

static struct capture *sig_cap;
static volatile int sink;

static void
on_signal(int sig)
{
	capture(sig_cap);
	sink += sig;
}

static int recurse(struct capture *, int, int);
static int (*volatile recurse_ptr)(struct capture *, int, int) = recurse;

/*
 * A frame that realigns the stack with a variable-length array: GCC
 * keeps the CFA in memory (DW_CFA_def_cfa_expression: *(rbp - 16)) and
 * rbp at rbp + 0, the rules the unwinder keeps as CFA_DEREF and
 * BP_AT_REG.
 */
static __attribute__((noinline)) int
realigned_hop(struct capture *c, int depth, int via_signal)
{
	volatile int opaque = depth + 2;
	_Alignas(64) char buf[64];
	char vla[opaque];

	memset(buf, depth, sizeof(buf));
	memset(vla, depth, sizeof(vla));
	return recurse_ptr(c, depth, via_signal) + buf[3] + vla[depth / 2];
}

static __attribute__((noinline)) int
recurse(struct capture *c, int depth, int via_signal)
{
	int r;

	if (depth == 0) {
		if (via_signal) {
			sig_cap = c;
			raise(SIGUSR1);
		} else
			capture(c);
		return 1;
	}
	if (depth == 10)
		r = realigned_hop(c, depth - 1, via_signal) + depth;
	else
		r = recurse(c, depth - 1, via_signal) + depth;
	sink += r;
	return r;
}

/* Compare the unwound chain with backtrace(); returns frames matched. */
static int
compare_bt(struct capture *c, int via_signal)
{
	struct fg_unwinder *u = unwinder_new(NULL);
	uint64_t ips[256];
	size_t n = 0;
	enum fg_unwind_end why;
	struct fg_error err = {0};
	int i, k, match = 0;

	CHECK(u != NULL);
	CHECK(unwind_stack(u, &c->s, self_map, NULL, ips, 256, &n, &why,
	    &err) == 0);
	/*
	 * bt[0] is in capture() after the call to backtrace() (under ASan,
	 * bt[0] is its interceptor and bt[1] that address): find where
	 * capture's caller appears, then every frame must agree.
	 */
	for (k = 0; k < 3 && k < c->nbt; k++)
		if (n > 1 && (uint64_t)(uintptr_t)c->bt[k] == ips[1] + 1)
			break;
	for (i = 1; k < c->nbt && (size_t)i < n; i++, k++) {
		uint64_t b = (uint64_t)(uintptr_t)c->bt[k];

		if (ips[i] + 1 == b || ips[i] == b)
			match++;
		else {
			fprintf(stderr, "frame %d: unwound %#llx, backtrace "
			    "%#llx\n", i, (unsigned long long)ips[i],
			    (unsigned long long)b);
			break;
		}
	}
	CHECK_MSG(match != 0 && (size_t)match == n - 1 && k == c->nbt,
	    "%s: %zu frames (end: %s), backtrace %d, %d agree",
	    via_signal ? "signal" : "plain", n, unwind_end_name(why),
	    c->nbt, match);
	CHECK(why == FG_UNWIND_END_OUTERMOST || why == FG_UNWIND_END_ZERO_RA);
	unwinder_free(u);
	return match;
}

static void
test_self(int via_signal)
{
	struct capture *c = calloc(1, sizeof(*c));

	CHECK(c != NULL);
	recurse(c, 20, via_signal);
	if (!c->ok) {
		fprintf(stderr, "skipped: no register capture on this "
		    "compiler/architecture\n");
		free(c);
		return;
	}
	CHECK(compare_bt(c, via_signal) >= 23);
	free(c);
}

/* ---- hostile samples ---- */

static int
unwind_one(struct fg_unwinder *u, struct fg_unwind_sample *s, size_t *n,
    enum fg_unwind_end *why)
{
	static uint64_t ips[1 << 16];
	struct fg_error err = {0};

	return unwind_stack(u, s, self_map, NULL, ips, 1 << 16, n, why, &err);
}

static __attribute__((noinline)) int
some_function(int x)
{
	return x * 3 + sink;
}

static void
test_hostile(void)
{
	struct fg_unwind_opts o = { .max_frames = 1 << 20,
	    .flags = FG_UNWIND_WHOLE_COPY };
	struct fg_unwinder *u = unwinder_new(NULL);
	struct fg_unwinder *big = unwinder_new(&o);
	size_t words = 4096, n, i;
	uint64_t *stk = calloc(words, 8);
	uint64_t base = 0x7ff000000000ULL;
	uint64_t fn = (uint64_t)(uintptr_t)some_function;
	struct fg_unwind_sample s;
	enum fg_unwind_end why;
	struct fg_unwind_stats st;

	CHECK(u != NULL && big != NULL && stk != NULL);
	memset(&s, 0, sizeof(s));
	s.stack = (const unsigned char *)stk;
	s.stack_len = words * 8;
	s.stack_addr = base;
	s.regs.valid = (1u << FG_UW_RIP) | (1u << FG_UW_RSP) |
	    (1u << FG_UW_RBP);

	/*
	 * A chain that never ends: every slot returns to just past a
	 * function's entry, whose rule is CFA = rsp + 8.  Bounded by
	 * max_frames, then by the copy's end.
	 */
	for (i = 0; i < words; i++)
		stk[i] = fn + 1;
	s.regs.r[FG_UW_RIP] = fn;
	s.regs.r[FG_UW_RSP] = base;
	CHECK(unwind_one(u, &s, &n, &why) == 0);
	CHECK(n == 127 && why == FG_UNWIND_END_MAX);
	CHECK(unwind_one(big, &s, &n, &why) == 0);
	CHECK(why == FG_UNWIND_END_TRUNCATED && n == words + 1);
	/* As perf: the copy's last word is not read. */
	CHECK(unwind_one(u, &s, &n, &why) == 0);
	CHECK(why == FG_UNWIND_END_MAX && n == 127);
	s.stack_len = 16;
	CHECK(unwind_one(u, &s, &n, &why) == 0);
	CHECK(why == FG_UNWIND_END_TRUNCATED && n == 2);
	s.stack_len = words * 8;

	/* An rbp chain that points at itself: rbp must be above sp. */
	memset(stk, 0, words * 8);
	stk[8] = base + 64;		/* saved rbp: itself */
	stk[9] = 0x10;			/* return address in no mapping */
	s.regs.r[FG_UW_RIP] = 0x20;	/* no mapping: frame pointers */
	s.regs.r[FG_UW_RBP] = base + 64;
	CHECK(unwind_one(u, &s, &n, &why) == 0);
	CHECK(n == 2 && why == FG_UNWIND_END_NO_RULE);

	/* A stack pointer below, above, at the very end of the copy. */
	s.regs.r[FG_UW_RIP] = fn;
	s.regs.r[FG_UW_RSP] = base - 4096;
	CHECK(unwind_one(u, &s, &n, &why) == 0);
	CHECK(n == 1 && why == FG_UNWIND_END_TRUNCATED);
	s.regs.r[FG_UW_RSP] = base + words * 8 - 4;
	CHECK(unwind_one(u, &s, &n, &why) == 0);
	CHECK(n == 1 && why == FG_UNWIND_END_TRUNCATED);
	s.regs.r[FG_UW_RSP] = UINT64_MAX - 3;
	CHECK(unwind_one(u, &s, &n, &why) == 0);
	CHECK(n == 1 && why == FG_UNWIND_END_NOT_INCREASING);

	/* No registers, no room. */
	s.regs.valid = 0;
	CHECK(unwind_one(u, &s, &n, &why) == 0);
	CHECK(n == 0 && why == FG_UNWIND_END_NO_REGS);

	/* An empty copy: no frame at all, as perf shows it. */
	s.regs.valid = (1u << FG_UW_RIP) | (1u << FG_UW_RSP);
	s.regs.r[FG_UW_RSP] = base;
	s.stack_len = 0;
	CHECK(unwind_one(u, &s, &n, &why) == 0);
	CHECK(n == 0 && why == FG_UNWIND_END_TRUNCATED);
	s.stack_len = 1;
	CHECK(unwind_one(u, &s, &n, &why) == 0);
	CHECK(n == 1 && why == FG_UNWIND_END_TRUNCATED);
	s.stack_len = words * 8;

	/* Garbage: random words, code addresses, pointers into the copy. */
	srandom(7);
	for (int round = 0; round < 3000; round++) {
		for (i = 0; i < words; i++) {
			uint64_t r = (uint64_t)random() << 32 ^ (uint64_t)random();

			switch (r % 5) {
			case 0: stk[i] = r; break;
			case 1: stk[i] = fn + r % 64; break;
			case 2: stk[i] = base + (r >> 8) % (words * 8 + 64) - 32;
				break;
			case 3: stk[i] = maps[r % nmaps].start +
				    (r >> 12) % (maps[r % nmaps].end -
				    maps[r % nmaps].start); break;
			default: stk[i] = 0; break;
			}
		}
		s.regs.valid = (uint32_t)random() | (1u << FG_UW_RIP) |
		    (1u << FG_UW_RSP);
		for (i = 0; i < FG_UW_NREGS; i++)
			s.regs.r[i] = stk[random() % words];
		s.regs.r[FG_UW_RSP] = base + (uint64_t)(random() % 80) * 8 -
		    (random() % 4 == 0 ? 1024 : 0);
		CHECK(unwind_one(u, &s, &n, &why) == 0);
		CHECK(n <= 127);
	}
	unwind_get_stats(u, &st);
	CHECK(st.samples == 3010);
	unwinder_free(u);
	unwinder_free(big);
	free(stk);
}

/*
 * The cache must never change an answer: unwind samples whose leaf is
 * anywhere in libc's and this program's code, in random order, with a
 * caching unwinder and with one that caches (almost) nothing.  (libdw
 * reports a wrong row start after DW_CFA_restore_state; caching that
 * start once gave wrong chains.)
 */
static void
test_cache_consistency(void)
{
	struct fg_unwind_opts one = { .max_rules = 1 };
	struct fg_unwinder *cached = unwinder_new(NULL);
	struct fg_unwinder *fresh = unwinder_new(&one);
	size_t words = 512, n1, n2, diffs = 0;
	uint64_t *stk = calloc(words, 8), base = 0x7ff000000000ULL;
	static uint64_t a[256], b[256];
	struct fg_unwind_sample s;
	struct fg_error err = {0};

	CHECK(cached != NULL && fresh != NULL && stk != NULL);
	memset(&s, 0, sizeof(s));
	s.stack = (const unsigned char *)stk;
	s.stack_len = words * 8;
	s.stack_addr = base;
	srandom(11);
	for (int round = 0; round < 20000; round++) {
		const struct selfmap *m = &maps[random() % nmaps];

		for (size_t i = 0; i < words; i++) {
			const struct selfmap *m2 = &maps[random() % nmaps];

			stk[i] = random() % 3 == 0 ? base + 8 * (random() %
			    words) : m2->start + random() % (m2->end -
			    m2->start);
		}
		s.regs.valid = (1u << FG_UW_RIP) | (1u << FG_UW_RSP) |
		    (1u << FG_UW_RBP);
		s.regs.r[FG_UW_RIP] = m->start + random() % (m->end - m->start);
		s.regs.r[FG_UW_RSP] = base + 8 * (random() % 16);
		s.regs.r[FG_UW_RBP] = base + 8 * (random() % words);
		CHECK(unwind_stack(cached, &s, self_map, NULL, a, 256, &n1, NULL,
		    &err) == 0);
		CHECK(unwind_stack(fresh, &s, self_map, NULL, b, 256, &n2, NULL,
		    &err) == 0);
		if (n1 != n2 || memcmp(a, b, n1 * 8) != 0)
			diffs++;
	}
	CHECK(diffs == 0 || (fprintf(stderr, "%zu samples differ with the "
	    "cache\n", diffs), 0));
	unwinder_free(cached);
	unwinder_free(fresh);
	free(stk);
}

/*
 * Frames without call-frame information (addresses in no mapping) take
 * the frame-pointer step: rbp may equal sp (a frame with no locals), the
 * chain ends at rbp 0 or at a return address 0.
 */
static void
test_fp_chain(void)
{
	struct fg_unwinder *u = unwinder_new(NULL);
	uint64_t stk[16] = {0}, base = 0x7ff000000000ULL, ips[16];
	struct fg_unwind_sample s;
	struct fg_error err = {0};
	enum fg_unwind_end why;
	size_t n;

	CHECK(u != NULL);
	sample_at(&s, stk, sizeof(stk), base, 0x20, base, base + 0x10);
	stk[2] = base + 0x30;	/* frame 0: saved rbp, return address */
	stk[3] = 0x1001;
	stk[6] = base + 0x40;	/* frame 1 */
	stk[7] = 0x2001;
	stk[8] = 0;		/* frame 2: rbp == sp; caller's rbp 0 */
	stk[9] = 0x3001;
	CHECK(unwind_stack(u, &s, self_map, NULL, ips, 16, &n, &why, &err) == 0);
	CHECK(n == 4 && why == FG_UNWIND_END_NO_RULE);
	CHECK(ips[0] == 0x20 && ips[1] == 0x1000 && ips[2] == 0x2000 &&
	    ips[3] == 0x3000);
	stk[9] = 0;
	CHECK(unwind_stack(u, &s, self_map, NULL, ips, 16, &n, &why, &err) == 0);
	CHECK(n == 3 && why == FG_UNWIND_END_ZERO_RA);
	s.regs.r[FG_UW_RBP] = base + 0x10 + 0x5000;	/* too far above sp */
	CHECK(unwind_stack(u, &s, self_map, NULL, ips, 16, &n, &why, &err) == 0);
	CHECK(n == 1 && why == FG_UNWIND_END_NO_RULE);
	unwinder_free(u);
}

static int
first_object(struct dl_phdr_info *info, size_t size, void *arg)
{
	*(uint64_t *)arg = info->dlpi_addr;
	return 1;
}

/* Run-time address of this program's lazy-binding .plt, or 0. */
static uint64_t
find_plt(void)
{
	uint64_t base = 0, plt = 0;
	int fd = open("/proc/self/exe", O_RDONLY);
	Elf *e;
	Elf_Scn *scn = NULL;
	size_t shstr;

	dl_iterate_phdr(first_object, &base);
	elf_version(EV_CURRENT);
	if (fd < 0)
		return 0;
	if ((e = elf_begin(fd, ELF_C_READ, NULL)) != NULL &&
	    elf_getshdrstrndx(e, &shstr) == 0) {
		while ((scn = elf_nextscn(e, scn)) != NULL) {
			GElf_Shdr sh;
			const char *name;

			if (gelf_getshdr(scn, &sh) != NULL &&
			    (name = elf_strptr(e, shstr, sh.sh_name)) != NULL &&
			    strcmp(name, ".plt") == 0 && sh.sh_size >= 48)
				plt = base + sh.sh_addr;
		}
	}
	if (e != NULL)
		elf_end(e);
	close(fd);
	return plt;
}

/*
 * A leaf in a lazy-binding PLT entry: before its push the return address
 * is at rsp, after it at rsp + 8 (the linker's CFA expression).
 */
static void
test_plt(void)
{
	struct fg_unwinder *u = unwinder_new(NULL);
	uint64_t plt = find_plt(), stk[64] = {0}, ips[8];
	uint64_t base = 0x7ff000000000ULL;
	uint64_t ra = (uint64_t)(uintptr_t)some_function + 5;
	struct fg_unwind_sample s;
	struct fg_error err = {0};
	size_t n;

	if (plt == 0 || (plt & 15) != 0) {
		fprintf(stderr, "skipped: no lazy-binding .plt in this build\n");
		unwinder_free(u);
		return;
	}
	CHECK(u != NULL);
	memset(&s, 0, sizeof(s));
	s.stack = (const unsigned char *)stk;
	s.stack_len = sizeof(stk);
	s.stack_addr = base;
	s.regs.valid = (1u << FG_UW_RIP) | (1u << FG_UW_RSP);
	s.regs.r[FG_UW_RSP] = base;
	stk[0] = ra;
	stk[1] = 12345;
	s.regs.r[FG_UW_RIP] = plt + 16;		/* jmp *GOT */
	CHECK(unwind_stack(u, &s, self_map, NULL, ips, 8, &n, NULL, &err) == 0);
	CHECK(n >= 2 && ips[1] == ra - 1);
	stk[0] = 12345;				/* the pushed index */
	stk[1] = ra;
	s.regs.r[FG_UW_RIP] = plt + 16 + 11;	/* jmp PLT0, after the push */
	CHECK(unwind_stack(u, &s, self_map, NULL, ips, 8, &n, NULL, &err) == 0);
	CHECK(n >= 2 && ips[1] == ra - 1);
	unwinder_free(u);
}

static int
missing_map(void *arg, uint64_t addr, struct fg_unwind_map *out)
{
	out->path = "/nonexistent/unwind-test.so";
	out->start = 0x1000;
	out->end = 0x100000;
	out->pgoff = 0;
	return addr >= out->start && addr < out->end ? 0 : -1;
}

static void
count_warning(void *arg, const char *msg)
{
	(*(int *)arg)++;
	CHECK(strstr(msg, "/nonexistent/unwind-test.so") != NULL);
}

/* A file that cannot be read: one warning, then frame pointers. */
static void
test_missing_file(void)
{
	int warnings = 0;
	struct fg_unwind_opts o = { .warn = { count_warning, &warnings } };
	struct fg_unwinder *u = unwinder_new(&o);
	uint64_t stk[16] = {0}, base = 0x7ff000000000ULL, ips[16];
	struct fg_unwind_sample s;
	struct fg_error err = {0};
	struct fg_unwind_stats st;
	enum fg_unwind_end why;
	size_t n;

	CHECK(u != NULL);
	sample_at(&s, stk, sizeof(stk), base, 0x2000, base, base + 0x10);
	stk[2] = 0;
	stk[3] = 0x3001;
	for (int i = 0; i < 2; i++) {
		CHECK(unwind_stack(u, &s, missing_map, NULL, ips, 16, &n, &why,
		    &err) == 0);
		CHECK(n == 2 && ips[1] == 0x3000 &&
		    why == FG_UNWIND_END_NO_RULE);
	}
	unwind_get_stats(u, &st);
	CHECK(warnings == 1 && st.files == 1 && st.fp_steps == 2);
	unwinder_free(u);
}

static char fifo_path[64];

static int
fifo_map(void *arg, uint64_t addr, struct fg_unwind_map *out)
{
	out->path = fifo_path;
	out->start = 0x1000;
	out->end = 0x100000;
	out->pgoff = 0;
	return addr >= out->start && addr < out->end ? 0 : -1;
}

static void
fifo_warning(void *arg, const char *msg)
{
	(*(int *)arg)++;
	CHECK(strstr(msg, fifo_path) != NULL &&
	    strstr(msg, "a FIFO, not a regular file") != NULL);
}

/*
 * A FIFO where a recording names a binary (issue 13): opening it for
 * reading used to wait for a writer forever.  Now one warning, then
 * frame pointers; an alarm fails the test instead of hanging it.
 */
static void
test_fifo_file(void)
{
	int warnings = 0;
	struct fg_unwind_opts o = { .warn = { fifo_warning, &warnings } };
	struct fg_unwinder *u;
	uint64_t stk[16] = {0}, base = 0x7ff000000000ULL, ips[16];
	struct fg_unwind_sample s;
	struct fg_error err = {0};
	enum fg_unwind_end why;
	size_t n;

	snprintf(fifo_path, sizeof(fifo_path), "/tmp/fg-unwind-fifo-%ld",
	    (long)getpid());
	unlink(fifo_path);
	CHECK(mkfifo(fifo_path, 0600) == 0);
	CHECK((u = unwinder_new(&o)) != NULL);
	sample_at(&s, stk, sizeof(stk), base, 0x2000, base, base + 0x10);
	stk[2] = 0;
	stk[3] = 0x3001;
	alarm(20);
	CHECK(unwind_stack(u, &s, fifo_map, NULL, ips, 16, &n, &why, &err) == 0);
	alarm(0);
	CHECK(n == 2 && ips[1] == 0x3000 && why == FG_UNWIND_END_NO_RULE);
	CHECK(warnings == 1);
	unwinder_free(u);
	unlink(fifo_path);
}

/* A minimal x86-64 ELF image: one PT_LOAD, a PLT stub, no CFI at all. */
static unsigned char nocfi_image[0x200];

static int
nocfi_map(void *arg, uint64_t addr, struct fg_unwind_map *out)
{
	out->path = "[plt-without-cfi]";
	out->image = nocfi_image;
	out->image_len = sizeof(nocfi_image);
	out->start = 0x400000;
	out->end = 0x401000;
	out->pgoff = 0;
	return addr >= out->start && addr < out->end ? 0 : -1;
}

/*
 * lld writes no CFI for .plt: a leaf at the start of a lazy-binding
 * entry (jmp *GOT; push; jmp) is recognised by its bytes, as libunwind
 * does; elsewhere in the stub there is no rule.
 */
static void
test_plt_without_cfi(void)
{
	static const unsigned char stub[16] = { 0xff, 0x25, 0, 0, 0, 0,
	    0x68, 1, 0, 0, 0, 0xe9, 0, 0, 0, 0 };
	struct fg_unwinder *u = unwinder_new(NULL);
	uint64_t stk[8] = { 0x1234, 0 }, ips[8];
	Elf64_Ehdr *eh = (Elf64_Ehdr *)(void *)nocfi_image;
	Elf64_Phdr *ph = (Elf64_Phdr *)(void *)(nocfi_image + sizeof(*eh));
	struct fg_unwind_sample s;
	struct fg_error err = {0};
	enum fg_unwind_end why;
	size_t n;

	CHECK(u != NULL);
	memcpy(eh->e_ident, ELFMAG, SELFMAG);
	eh->e_ident[EI_CLASS] = ELFCLASS64;
	eh->e_ident[EI_DATA] = ELFDATA2LSB;
	eh->e_ident[EI_VERSION] = EV_CURRENT;
	eh->e_type = ET_DYN;
	eh->e_machine = EM_X86_64;
	eh->e_version = EV_CURRENT;
	eh->e_phoff = sizeof(*eh);
	eh->e_ehsize = sizeof(*eh);
	eh->e_phentsize = sizeof(*ph);
	eh->e_phnum = 1;
	ph->p_type = PT_LOAD;
	ph->p_flags = PF_R | PF_X;
	ph->p_filesz = ph->p_memsz = sizeof(nocfi_image);
	memcpy(nocfi_image + 0x100, stub, sizeof(stub));
	memset(&s, 0, sizeof(s));
	s.stack = (const unsigned char *)stk;
	s.stack_len = sizeof(stk);
	s.stack_addr = 0x7ff000000000ULL;
	s.regs.valid = (1u << FG_UW_RIP) | (1u << FG_UW_RSP);
	s.regs.r[FG_UW_RSP] = s.stack_addr;
	s.regs.r[FG_UW_RIP] = 0x400100;
	CHECK(unwind_stack(u, &s, nocfi_map, NULL, ips, 8, &n, &why, &err) == 0);
	CHECK(n >= 2 && ips[1] == 0x1233);
	s.regs.r[FG_UW_RIP] = 0x400106;
	CHECK(unwind_stack(u, &s, nocfi_map, NULL, ips, 8, &n, &why, &err) == 0);
	CHECK(n == 1 && why == FG_UNWIND_END_NO_RULE);
	unwinder_free(u);
}

static void
test_regs_from_perf(void)
{
	struct fg_unwind_regs r;
	/* perf's x86-64 dwarf mask: all GPRs but ds, es, fs, gs. */
	uint64_t mask = 0xff0fffULL, vals[20];

	for (int i = 0; i < 20; i++)
		vals[i] = 100 + i;
	CHECK(unwind_regs_from_perf(&r, 2, mask, vals, 20) == 0);
	CHECK(r.r[FG_UW_RAX] == 100 && r.r[FG_UW_RBX] == 101);
	CHECK(r.r[FG_UW_RCX] == 102 && r.r[FG_UW_RDX] == 103);
	CHECK(r.r[FG_UW_RBP] == 106 && r.r[FG_UW_RSP] == 107);
	CHECK(r.r[FG_UW_RIP] == 108 && r.r[FG_UW_R8] == 112);
	CHECK(r.r[FG_UW_R15] == 119);
	CHECK(r.valid == (1u << FG_UW_NREGS) - 1);
	CHECK(unwind_regs_from_perf(&r, 2, mask, vals, 19) == FG_EPARSE);
	{
		struct fg_unwind_sample s;
		unsigned char stack[32];

		CHECK(unwind_sample_from_perf(&s, 2, mask, vals, 20, stack,
		    sizeof(stack)) == 0);
		CHECK(s.stack == stack && s.stack_len == 32 &&
		    s.stack_addr == 107 && s.regs.r[FG_UW_RIP] == 108);
		CHECK(unwind_sample_from_perf(&s, 0, 0, NULL, 0, stack,
		    sizeof(stack)) == FG_EUNSUPPORTED);
	}
	CHECK(unwind_regs_from_perf(&r, 0, mask, vals, 20) ==
	    FG_EUNSUPPORTED);
	CHECK(strcmp(unwind_end_name(FG_UNWIND_END_TRUNCATED),
	    "truncated") == 0);
}

int
main(void)
{
	pthread_attr_t a;
	void *addr;
	size_t size;

	if (pthread_getattr_np(pthread_self(), &a) != 0 ||
	    pthread_attr_getstack(&a, &addr, &size) != 0) {
		fprintf(stderr, "cannot find the stack\n");
		return 1;
	}
	pthread_attr_destroy(&a);
	stack_top = (uint64_t)(uintptr_t)addr + size;
	signal(SIGUSR1, on_signal);
	load_maps();
	CHECK(nmaps > 0);
	test_regs_from_perf();
	test_self(0);
	test_self(1);
	test_hostile();
	test_fp_chain();
	test_missing_file();
	test_fifo_file();
	test_plt();
	test_plt_without_cfi();
	test_cache_consistency();
	return check_done("test_unwind");
}
