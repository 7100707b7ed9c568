/*
 * test_frame.c: the same frames through both readers' naming.  Each case
 * is a function and a module as the native reader finds them; it is
 * printed as the `perf script` line perf would print for them and
 * collapsed by the perf-script collapser, and named by the native
 * reader's entry (frame_names_native): the two must give the same frames
 * (none, one, or several), with every option that changes a name.  Then the alias rules, perf's and
 * binutils'.
 */
#include <elf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flamegraph.h"
#include "frame.h"
#include "check.h"

struct fcase {
	const char *func;	/* NULL: no symbol */
	const char *mod;
	unsigned long long pc;
};

static const struct fcase cases[] = {
	{ "fpwork::main", "/usr/bin/fpwork", 0x181ba },
	{ "std::io::Read::read_to_end", "/usr/bin/fpwork", 0x1000 },
	{ "__libc_start_main_impl", "/usr/lib/x86_64-linux-gnu/libc.so.6", 0x27304 },
	{ NULL, "/usr/lib/x86_64-linux-gnu/libc.so.6", 0x27304 },
	{ NULL, "[unknown]", 0x7fdfb292d8a8 },
	{ NULL, "/memfd:doublemapper (deleted)", 0x1234 },
	{ "jit_spin", "/tmp/perf-4242.map", 0x7f0000001000 },
	{ "jitted_fn", "/home/u/.debug/jit/jitted-4242-7.so", 0x40 },
	{ "do_syscall_64", "[kernel.kallsyms]", 0xffffffff8223c926 },
	{ "ext4_readdir", "[ext4]", 0xffffffffc0123456 },
	{ "e1000_xmit", "/lib/modules/6.1/kernel/e1000.ko", 0xffffffffc0200000 },
	{ "memcpy", "/boot/vmlinux-6.1.0", 0xffffffff81000000 },
	{ "foo(int, char)", "/usr/lib/libx.so", 0x10 },
	{ "a;b", "/usr/lib/libx.so", 0x10 },
	{ "(anonymous namespace)::f", "/usr/lib/libx.so", 0x10 },
	{ "ns::(anonymous namespace)::f", "/usr/lib/libx.so", 0x10 },
	{ "std::unique_ptr<int>::operator->", "/usr/lib/libx.so", 0x10 },
	{ "_ZN3std2io4Read11read_to_end17h0123456789abcdefE", "/x", 0x10 },
	{ "std::io::Read::read_to_end::h0123456789abcdef", "/x", 0x10 },
	{ "core::ptr::drop_in_place<$u7b$$u7b$closure$u7d$$u7d$>::h0123456789abcdef", "/x", 0x10 },
	{ "", "/x", 0x10 },
	{ "f", "", 0x10 },
	{ "Ljava/lang/Thread;::run", "/tmp/perf-9.map", 0x10 },
	{ "__vdso_clock_gettime", "[vdso]", 0x9e0 },
	{ "f", "/x/a b/lib.so", 0x10 },
};

/* The leaf frame the perf-script collapser makes of one sample. */
static char *
via_script(const struct fcase *c, const struct fg_collapse_opts *o,
    const char *comm)
{
	char in[512], *buf = NULL, *p, *sp;
	size_t len = 0;
	struct fg_stacks *st = fg_stacks_new();
	struct fg_error err;
	FILE *fp;

	snprintf(in, sizeof(in), "%s  4242 100.000000:     250000 cpu-clock:\n"
	    "\t%16llx %s (%s)\n\n", comm, c->pc,
	    c->func != NULL ? c->func : "[unknown]", c->mod);
	fg_error_clear(&err);
	if (st == NULL || fg_collapse_perf_mem(in, strlen(in), "t", o, st,
	    &err) != 0 || (fp = open_memstream(&buf, &len)) == NULL) {
		fg_stacks_free(st);
		return NULL;
	}
	fg_stacks_write_folded(st, fp, &err);
	fclose(fp);
	fg_stacks_free(st);
	/* "comm;FRAMES 250000\n": the frames, "" for none */
	if ((sp = strrchr(buf, ' ')) == NULL) {
		free(buf);
		return NULL;
	}
	*sp = '\0';
	p = strchr(buf, ';');
	memmove(buf, p != NULL ? p + 1 : sp, strlen(p != NULL ? p + 1 : sp) + 1);
	return buf;
}

/* frame_names_native()' emit: frames joined by ';' in a buffer. */
static int
join(void *arg, const char *name, size_t len)
{
	struct fg_buf *b = arg;

	if (b->len > 0 && buf_putc(b, ';') != 0)
		return FG_ENOMEM;
	return buf_append(b, name, len);
}

static int
native(const char *func, const char *mod, unsigned long long pc,
    const struct frame_opts *fo, struct fg_buf *out)
{
	struct frame_bufs fb;
	int r;

	frame_bufs_init(&fb);
	buf_reset(out);
	if (buf_append(out, "", 0) != 0)
		return FG_ENOMEM;
	r = frame_names_native(func, mod, pc, fo, &fb, join, out);
	frame_bufs_free(&fb);
	return r;
}

static void
same_both_ways(int kernel, int jit, int addrs, int java)
{
	struct fg_collapse_opts o;
	struct frame_opts fo;
	struct fg_buf w;
	size_t i;

	fg_collapse_opts_init(&o);
	o.naming.kernel = kernel;
	o.naming.jit = jit;
	o.naming.addrs = addrs;
	fo.kernel = kernel;
	fo.jit = jit;
	fo.addrs = addrs;
	fo.java = java;
	buf_init(&w, 1 << 20);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = via_script(&cases[i], &o, java ? "java" : "prog");

		CHECK(native(cases[i].func, cases[i].mod, cases[i].pc, &fo,
		    &w) == 0);
		/* a sample without frames is dropped: no frames */
		if (s == NULL)
			s = strdup("");
		CHECK(s != NULL);
		CHECK_MSG(s == NULL || strcmp(s, w.d) == 0,
		    "case %zu (k%d j%d a%d java%d): perf script path \"%s\", "
		    "native \"%s\"", i, kernel, jit, addrs, java, s, w.d);
		free(s);
	}
	buf_free(&w);
}

static void
named(const struct frame_opts *fo, const char *func, const char *mod,
    unsigned long long pc, const char *want)
{
	struct fg_buf w;

	buf_init(&w, 1 << 20);
	CHECK(native(func, mod, pc, fo, &w) == 0);
	CHECK_STR(w.d, want);
	buf_free(&w);
}

static void
annotations(void)
{
	struct frame_opts fo = { 1, 1, 0, 0 };
	struct frame_opts fa = { 0, 0, 1, 0 };

	/* the module annotations the two readers once made differently */
	named(&fo, "e1000_xmit", "/lib/modules/e1000.ko", 1, "e1000_xmit_[k]");
	named(&fo, "f", "/x/jitted-1-2.so", 1, "f_[j]");
	named(&fo, "jit_spin", "/tmp/perf-1.map", 1, "jit_spin_[j]");
	named(&fo, "do_syscall_64", "[kernel.kallsyms]", 1, "do_syscall_64_[k]");
	named(&fo, "f", "[unknown]", 1, "f");
	named(&fo, NULL, "/usr/lib/libc.so.6", 1, "[libc.so.6]");
	named(&fa, NULL, "/usr/lib/libc.so.6", 0x27a, "[libc.so.6 <27a>]");
	named(&fa, NULL, "[unknown]", 0x27a, "[unknown <27a>]");
	named(&fo, NULL, "[unknown]", 0x27a, "[unknown]");
	named(&fo, "foo(int)", "/x", 1, "foo");
	named(&fo, "a;b", "/x", 1, "a:b");
}

static void
aliases(void)
{
	struct frame_alias impl = { "__libc_start_main_impl", 321, STB_LOCAL, 0 };
	struct frame_alias ver = { "__libc_start_main@@GLIBC_2.34", 321,
	    STB_GLOBAL, 0 };
	struct frame_alias weak = { "unlink", 33, STB_WEAK, 0 };
	struct frame_alias gi = { "__GI_unlink", 33, STB_LOCAL, 0 };
	struct frame_alias label = { "label", 0, STB_LOCAL, 1 };
	struct frame_alias small = { "small", 8, STB_LOCAL, 0 };

	/* perf: global over local, not weak over weak, sized over unsized */
	CHECK(frame_alias_perf(&impl, &ver) == 1);
	CHECK(frame_alias_perf(&ver, &impl) == 0);
	CHECK(frame_alias_perf(&weak, &gi) == 1);
	CHECK(frame_alias_perf(&label, &impl) == 1);
	/* binutils: the first of equals, a function over a label, smaller */
	CHECK(frame_alias_a2l(&impl, &ver) == 0);
	CHECK(frame_alias_a2l(&label, &impl) == 1);
	CHECK(frame_alias_a2l(&impl, &label) == 0);
	CHECK(frame_alias_a2l(&impl, &small) == 1);
}

int
main(void)
{
	int k, j, a, java;

	for (k = 0; k < 2; k++)
		for (j = 0; j < 2; j++)
			for (a = 0; a < 2; a++)
				for (java = 0; java < 2; java++)
					same_both_ways(k, j, a, java);
	annotations();
	aliases();
	return check_done("test_frame");
}
