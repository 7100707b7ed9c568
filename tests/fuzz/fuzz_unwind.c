/*
 * fuzz_unwind.c: libFuzzer target for the DWARF unwinder (lib/unwind.c).
 * The input is a synthetic sample: 17 register words, a valid-register
 * mask, then the stack copy.  A word whose top byte is 0xAA becomes an
 * address inside one of this process's executable mappings (real ELF
 * files, so real call-frame rules are looked up); 0xBB, an address near
 * the stack copy.  The unwinder must finish with bounded work and never
 * read outside the copy (ASan).  Built with FG_FUZZ=ON and clang; without
 * it, FG_FUZZ_STANDALONE gives a main() that runs pseudo-random inputs,
 * which CI runs as a smoke test.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "flamegraph.h"
#include "unwind.h"

struct xmap {
	uint64_t start, end, pgoff;
	char path[256];
};
static struct xmap xmaps[256];
static size_t nxmaps;
static struct fg_unwinder *uw;

static void
load_maps(void)
{
	FILE *fp = fopen("/proc/self/maps", "r");
	char line[512];

	while (fp != NULL && nxmaps < 256 && fgets(line, sizeof(line), fp)) {
		unsigned long long s, e, off;
		char perm[8], path[256];

		if (sscanf(line, "%llx-%llx %7s %llx %*s %*s %255s", &s, &e,
		    perm, &off, path) != 5 || perm[2] != 'x' || path[0] != '/')
			continue;
		xmaps[nxmaps].start = s;
		xmaps[nxmaps].end = e;
		xmaps[nxmaps].pgoff = off;
		snprintf(xmaps[nxmaps].path, sizeof(xmaps[0].path), "%s", path);
		nxmaps++;
	}
	if (fp != NULL)
		fclose(fp);
}

static int
xmap_cb(void *arg, uint64_t addr, struct fg_unwind_map *m)
{
	for (size_t i = 0; i < nxmaps; i++)
		if (addr >= xmaps[i].start && addr < xmaps[i].end) {
			m->path = xmaps[i].path;
			m->start = xmaps[i].start;
			m->end = xmaps[i].end;
			m->pgoff = xmaps[i].pgoff;
			return 0;
		}
	return -1;
}

static uint64_t
reloc(uint64_t w, uint64_t stack_addr)
{
	if (nxmaps > 0 && (w >> 56) == 0xaa) {
		const struct xmap *x = &xmaps[((w >> 48) & 0xff) % nxmaps];

		return x->start + (w & 0xffffffff) % (x->end - x->start);
	}
	if ((w >> 56) == 0xbb)
		return stack_addr + (w & 0xffff) - 0x100;
	return w;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static unsigned char stack[1 << 16];
	static uint64_t ips[512];
	const size_t hdr = FG_UW_NREGS * 8 + 4;
	struct fg_unwind_sample s;
	struct fg_error err = {0};
	size_t n, len;

	if (uw == NULL) {
		load_maps();
		if ((uw = unwinder_new(NULL)) == NULL)
			return 0;
	}
	if (size < hdr)
		return 0;
	memset(&s, 0, sizeof(s));
	s.stack_addr = 0x7ffc00000000ULL;
	for (int i = 0; i < FG_UW_NREGS; i++) {
		uint64_t w;

		memcpy(&w, data + 8 * i, 8);
		s.regs.r[i] = reloc(w, s.stack_addr);
	}
	memcpy(&s.regs.valid, data + FG_UW_NREGS * 8, 4);
	len = size - hdr;
	if (len > sizeof(stack))
		len = sizeof(stack);
	/* An exact-size heap copy, so ASan sees any read past its end. */
	unsigned char *copy = malloc(len ? len : 1);
	if (copy == NULL)
		return 0;
	memcpy(copy, data + hdr, len);
	for (size_t i = 0; i + 8 <= len; i += 8) {
		uint64_t w;

		memcpy(&w, copy + i, 8);
		w = reloc(w, s.stack_addr);
		memcpy(copy + i, &w, 8);
	}
	s.stack = copy;
	s.stack_len = len;
	if (unwind_stack(uw, &s, xmap_cb, NULL, ips, 512, &n, NULL, &err) == 0 &&
	    n > 127)
		abort();	/* more than max_frames: unbounded work */
	free(copy);
	return 0;
}

#ifdef FG_FUZZ_STANDALONE
/* Pseudo-random inputs, biased towards code and stack addresses. */
int
main(int argc, char **argv)
{
	static uint8_t buf[4096 + FG_UW_NREGS * 8 + 4];
	int rounds = argc > 1 ? atoi(argv[1]) : 3000;
	uint64_t x = 0x9e3779b97f4a7c15ULL;

	for (int r = 0; r < rounds; r++) {
		size_t size = FG_UW_NREGS * 8 + 4 + (size_t)(r * 37 % 4096);

		for (size_t i = 0; i + 8 <= size; i += 8) {
			uint64_t w;

			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			w = x;
			switch (x % 4) {
			case 0: w = 0xaaULL << 56 | (w & 0xffffffffffffULL); break;
			case 1: w = 0xbbULL << 56 | (w & 0xffff); break;
			default: break;
			}
			memcpy(buf + i, &w, 8);
		}
		LLVMFuzzerTestOneInput(buf, size);
	}
	unwinder_free(uw);
	printf("fuzz_unwind: %d inputs\n", rounds);
	return 0;
}
#endif
