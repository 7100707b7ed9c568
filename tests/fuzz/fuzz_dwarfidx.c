/*
 * fuzz_dwarfidx.c: libFuzzer target for the DWARF reader behind inline
 * chains (lib/dwarfidx.c).  The input is split into the sections the
 * reader uses (each a 16-bit length, then the bytes: .debug_info,
 * .debug_abbrev, .debug_str, .debug_aranges, .debug_rnglists,
 * .debug_addr, .debug_str_offsets, .debug_ranges), wrapped in an ELF
 * image in memory; units are looked up at addresses from the input,
 * indexed and named.  Every lookup must end with bounded work and never
 * read outside the data (ASan).  Built with FG_FUZZ=ON and clang;
 * FG_FUZZ_STANDALONE gives a main() that mutates a small valid DWARF 4
 * unit pseudo-randomly, which CI runs as a smoke test.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <dwarf.h>
#include <gelf.h>
#include <libelf.h>

#include "dwarfidx.h"

static const char *const names[] = {
	".debug_info", ".debug_abbrev", ".debug_str", ".debug_aranges",
	".debug_rnglists", ".debug_addr", ".debug_str_offsets",
	".debug_ranges"
};
#define NSECT (sizeof(names) / sizeof(names[0]))

/* An ELF64 image holding the sections cut from data; its length. */
static size_t
build(const uint8_t *data, size_t size, uint8_t **out)
{
	const uint8_t *sp[NSECT];
	size_t sl[NSECT], i, off, len, strsz = 1, shoff;
	uint8_t *img;
	Elf64_Ehdr eh;
	Elf64_Shdr sh;

	for (i = 0; i < NSECT; i++) {
		size_t n = 0;
		if (size >= 2) {
			n = (size_t)data[0] | (size_t)data[1] << 8;
			data += 2;
			size -= 2;
		}
		if (n > size || i == NSECT - 1)
			n = n > size ? size : n;
		sp[i] = data;
		sl[i] = n;
		data += n;
		size -= n;
		strsz += strlen(names[i]) + 1;
	}
	strsz += sizeof(".shstrtab");
	len = sizeof(eh);
	for (i = 0; i < NSECT; i++)
		len += sl[i];
	len += strsz;
	len = (len + 7) & ~(size_t)7;
	shoff = len;
	len += (NSECT + 2) * sizeof(sh);
	if ((img = calloc(1, len)) == NULL)
		return 0;
	memset(&eh, 0, sizeof(eh));
	memcpy(eh.e_ident, ELFMAG, SELFMAG);
	eh.e_ident[EI_CLASS] = ELFCLASS64;
	eh.e_ident[EI_DATA] = ELFDATA2LSB;
	eh.e_ident[EI_VERSION] = EV_CURRENT;
	eh.e_type = ET_DYN;
	eh.e_machine = EM_X86_64;
	eh.e_version = EV_CURRENT;
	eh.e_ehsize = sizeof(eh);
	eh.e_shoff = shoff;
	eh.e_shentsize = sizeof(sh);
	eh.e_shnum = NSECT + 2;
	eh.e_shstrndx = NSECT + 1;
	memcpy(img, &eh, sizeof(eh));
	off = sizeof(eh);
	for (i = 0; i < NSECT; i++) {
		memset(&sh, 0, sizeof(sh));
		sh.sh_type = SHT_PROGBITS;
		sh.sh_offset = off;
		sh.sh_size = sl[i];
		sh.sh_addralign = 1;
		memcpy(img + off, sp[i], sl[i]);
		off += sl[i];
		memcpy(img + shoff + (i + 1) * sizeof(sh), &sh, sizeof(sh));
	}
	/* .shstrtab */
	{
		size_t at = off + 1, k;
		for (k = 0; k < NSECT; k++) {
			Elf64_Shdr *p = (Elf64_Shdr *)(void *)(img + shoff +
			    (k + 1) * sizeof(sh));
			memcpy(&sh, p, sizeof(sh));
			sh.sh_name = (Elf64_Word)(at - off);
			memcpy(p, &sh, sizeof(sh));
			memcpy(img + at, names[k], strlen(names[k]) + 1);
			at += strlen(names[k]) + 1;
		}
		memcpy(img + at, ".shstrtab", sizeof(".shstrtab"));
		memset(&sh, 0, sizeof(sh));
		sh.sh_name = (Elf64_Word)(at - off);
		sh.sh_type = SHT_STRTAB;
		sh.sh_offset = off;
		sh.sh_size = strsz;
		sh.sh_addralign = 1;
		memcpy(img + shoff + (NSECT + 1) * sizeof(sh), &sh, sizeof(sh));
	}
	*out = img;
	return len;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int init;
	uint8_t *img;
	size_t len, i, j;
	Elf *e;
	struct fg_dw *dw;

	if (!init) {
		elf_version(EV_CURRENT);
		init = 1;
	}
	if ((len = build(data, size, &img)) == 0)
		return 0;
	if ((e = elf_memory((char *)img, len)) != NULL &&
	    (dw = dw_open(e)) != NULL) {
		uint64_t addrs[] = { 0, 0x1000, 0x1008, 0x1010, 0x1018,
		    0x10ff, 0x2000, ~(uint64_t)0 };
		const char *nm;

		if (size & 1)
			dw_prepare(dw);
		for (i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
			struct fg_dw_cu c;
			uint64_t cu;

			if (dw_cu_at(dw, addrs[i], &cu) != 0)
				continue;
			memset(&c, 0, sizeof(c));
			if (dw_index(dw, cu, &c) == 0) {
				for (j = 0; j < c.nfuncs; j++)
					(void)dw_name(dw, dw_origin(dw,
					    c.funcs[j].die), &nm);
				for (j = 0; j < c.ninls; j++)
					(void)dw_name(dw, dw_origin(dw,
					    c.inls[j].die), &nm);
			}
			free(c.funcs);
			free(c.inls);
		}
		for (i = 0; i < 48; i++)
			(void)dw_name(dw, dw_origin(dw, i), &nm);
		dw_free(dw);
	}
	if (e != NULL)
		elf_end(e);
	free(img);
	return 0;
}

#ifdef FG_FUZZ_STANDALONE
/*
 * A DWARF 4 unit: compile_unit [0x1000, 0x1100) > subprogram "f"
 * [0x1000, 0x1080) > inlined_subroutine of "g" [0x1010, 0x1020); then
 * the abstract "g"; and .debug_aranges for it.
 */
static const uint8_t seed_info[] = {
	0, 0, 0, 0,		/* length, patched */
	4, 0, 0, 0, 0, 0, 8,	/* version 4, abbrev 0, address size 8 */
	1, 'c', 0, 0x00, 0x10, 0, 0, 0, 0, 0, 0, 0x00, 0x01, 0, 0,
	2, 'f', 0, 0x00, 0x10, 0, 0, 0, 0, 0, 0, 0x80, 0, 0, 0,
	3, 0x3b, 0, 0, 0, 0x10, 0x10, 0, 0, 0, 0, 0, 0, 0x10, 0, 0, 0,
	0,
	4, 'g', 0, 1,
	0
};
static const uint8_t seed_abbrev[] = {
	1, DW_TAG_compile_unit, 1, DW_AT_name, DW_FORM_string,
	DW_AT_low_pc, DW_FORM_addr, DW_AT_high_pc, DW_FORM_data4, 0, 0,
	2, DW_TAG_subprogram, 1, DW_AT_name, DW_FORM_string,
	DW_AT_low_pc, DW_FORM_addr, DW_AT_high_pc, DW_FORM_data4, 0, 0,
	3, DW_TAG_inlined_subroutine, 0, DW_AT_abstract_origin, DW_FORM_ref4,
	DW_AT_low_pc, DW_FORM_addr, DW_AT_high_pc, DW_FORM_data4, 0, 0,
	4, DW_TAG_subprogram, 0, DW_AT_name, DW_FORM_string,
	DW_AT_inline, DW_FORM_data1, 0, 0,
	0
};
static const uint8_t seed_aranges[] = {
	44, 0, 0, 0, 2, 0, 0, 0, 0, 0, 8, 0, 0, 0, 0, 0,
	0x00, 0x10, 0, 0, 0, 0, 0, 0, 0x00, 0x01, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0
};

static size_t
put(uint8_t *p, const uint8_t *s, size_t n)
{
	p[0] = (uint8_t)n;
	p[1] = (uint8_t)(n >> 8);
	memcpy(p + 2, s, n);
	return n + 2;
}

int
main(int argc, char **argv)
{
	uint8_t seed[512], buf[512];
	size_t n = 0, runs = argc > 1 ? strtoul(argv[1], NULL, 10) : 1000, r;
	uint64_t x = argc > 2 ? strtoull(argv[2], NULL, 0) | 1 :
	    0x2545f4914f6cdd1dULL;
	uint8_t info[sizeof(seed_info)];

	memcpy(info, seed_info, sizeof(info));
	info[0] = (uint8_t)(sizeof(info) - 4);
	n += put(seed + n, info, sizeof(info));
	n += put(seed + n, seed_abbrev, sizeof(seed_abbrev));
	n += put(seed + n, (const uint8_t *)"", 0);
	n += put(seed + n, seed_aranges, sizeof(seed_aranges));
	LLVMFuzzerTestOneInput(seed, n);
	/* the seed itself must read right, or the mutations test little */
	{
		uint8_t *img;
		size_t len = build(seed, n, &img);
		Elf *e = len ? elf_memory((char *)img, len) : NULL;
		struct fg_dw *dw = e ? dw_open(e) : NULL;
		struct fg_dw_cu c;
		const char *f = NULL, *g = NULL;
		uint64_t cu = 1;

		memset(&c, 0, sizeof(c));
		if (dw == NULL || dw_cu_at(dw, 0x1018, &cu) != 0 || cu != 0 ||
		    dw_index(dw, cu, &c) != 0 || c.nfuncs != 1 ||
		    c.ninls != 1 || dw_name(dw, c.funcs[0].die, &f) != 2 ||
		    dw_name(dw, dw_origin(dw, c.inls[0].die), &g) != 2 ||
		    strcmp(f, "f") != 0 || strcmp(g, "g") != 0) {
			fprintf(stderr, "fuzz_dwarfidx: the seed does not read\n");
			return 1;
		}
		free(c.funcs);
		free(c.inls);
		dw_free(dw);
		elf_end(e);
		free(img);
	}
	for (r = 0; r < runs; r++) {
		size_t k, flips, len = n;

		memcpy(buf, seed, n);
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		flips = 1 + x % 6;
		for (k = 0; k < flips; k++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			buf[x % n] = (uint8_t)(x >> 32);
		}
		if (r % 7 == 0)
			len = x % n;
		LLVMFuzzerTestOneInput(buf, len);
	}
	printf("fuzz_dwarfidx: %zu runs\n", runs);
	return 0;
}
#endif
