/*
 * test_dwarfidx.c: unit tests of the DWARF reader behind inline chains
 * (lib/dwarfidx.c, through dso_inlines).  A small C program with
 * nested inlining is compiled with the system cc as DWARF 5, DWARF 4,
 * DWARF 2 and with zlib- and zstd-compressed sections; for every address
 * of its functions the chain must be what binutils `addr2line -f -i`
 * prints.  Then the DWARF 5 file is damaged (sections cut short, bytes
 * flipped at random): every lookup must end, without a read outside
 * the data (ASan).  Last, the cache of inflated sections: a program big
 * enough for it, compressed, gives the same chains at every address
 * without the cache, filling it, from it, and with each cached file
 * damaged (cut short, a foreign header), which must be ignored and
 * replaced.  Skipped (77) without cc or addr2line.
 */
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "dwarfidx.h"
#include "symbolize.h"
#include "check.h"

static const char prog[] =
    "#include <stdio.h>\n"
    "#include <stdlib.h>\n"
    "static inline __attribute__((always_inline)) int leaf(int x)\n"
    "{ return x * 3 + (x >> 2); }\n"
    "static inline __attribute__((always_inline)) int mid(int x)\n"
    "{ int s = 0; for (int i = 0; i < x; i++) s += leaf(i ^ x); return s; }\n"
    "static inline __attribute__((always_inline)) int top(int x)\n"
    "{ return mid(x) + leaf(x + 1); }\n"
    "struct pt { int a, b; };\n"
    "__attribute__((noinline)) int work(int n)\n"
    "{ int s = 0; for (int k = 0; k < n; k++) s += top(k) - mid(k / 2);\n"
    "  return s; }\n"
    "__attribute__((noinline)) int other(struct pt *p)\n"
    "{ return top(p->a) * leaf(p->b); }\n"
    "int main(int argc, char **argv)\n"
    "{ struct pt p = { argc, argc + 1 };\n"
    "  printf(\"%d %d\\n\", work(argc * 10), other(&p));\n"
    "  (void)argv; return 0; }\n";

static char dir[] = "/tmp/fg-dwarfidx-XXXXXX";

static void
quiet(void *arg, const char *msg)
{
	(void)arg;
	(void)msg;
}

/* Address ranges of the FUNC symbols work, other and main. */
struct fn {
	uint64_t lo, hi;
};

static size_t
funcs_of(const char *path, struct fn *fn, size_t max)
{
	int fd = open(path, O_RDONLY);
	Elf *e;
	Elf_Scn *scn = NULL;
	size_t n = 0;

	if (fd < 0)
		return 0;
	if ((e = elf_begin(fd, ELF_C_READ, NULL)) == NULL) {
		close(fd);
		return 0;
	}
	while ((scn = elf_nextscn(e, scn)) != NULL) {
		GElf_Shdr sh;
		Elf_Data *d;
		size_t i;

		if (gelf_getshdr(scn, &sh) == NULL || sh.sh_type != SHT_SYMTAB ||
		    (d = elf_getdata(scn, NULL)) == NULL)
			continue;
		for (i = 0; i < sh.sh_size / sh.sh_entsize; i++) {
			GElf_Sym y;
			const char *nm;

			if (gelf_getsym(d, (int)i, &y) == NULL ||
			    GELF_ST_TYPE(y.st_info) != STT_FUNC || y.st_size == 0)
				continue;
			nm = elf_strptr(e, sh.sh_link, y.st_name);
			if (nm == NULL || (strcmp(nm, "work") != 0 &&
			    strcmp(nm, "other") != 0 && strcmp(nm, "main") != 0))
				continue;
			if (n < max) {
				fn[n].lo = y.st_value;
				fn[n].hi = y.st_value + y.st_size;
				n++;
			}
		}
	}
	elf_end(e);
	close(fd);
	return n;
}

/* The native chain of addr, innermost first, '|'-joined. */
static void
native_chain(struct fg_dso *d, uint64_t addr, char *out, size_t cap)
{
	const char *func, *names[64];
	size_t n, i;

	out[0] = '\0';
	n = dso_inlines(d, addr, &func, names, 64);
	if (func == NULL)
		return;
	for (i = n; i > 0; i--) {
		strlcat(out, names[i - 1], cap);
		strlcat(out, "|", cap);
	}
	strlcat(out, func, cap);
}

/* Compare every address of the three functions with addr2line: 0/-1. */
static int
check_binary(const char *bin, int exact, int *deep)
{
	struct fg_warn w = { quiet, NULL };
	struct fg_symbolizer *s;
	struct fg_dso *d;
	struct fn fn[8];
	size_t nfn, i;
	char cmd[512], line[1024], chain[4096], want[4096];
	FILE *f, *p;
	uint64_t a, cur = 0;
	int started = 0, bad = 0, k = 0, total = 0;

	nfn = funcs_of(bin, fn, 8);
	CHECK(nfn == 3);
	snprintf(cmd, sizeof(cmd), "%s/addrs", dir);
	if ((f = fopen(cmd, "w")) == NULL)
		return -1;
	for (i = 0; i < nfn; i++)
		for (a = fn[i].lo; a < fn[i].hi; a++)
			fprintf(f, "0x%llx\n", (unsigned long long)a);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "addr2line -a -f -i -e %s < %s/addrs", bin,
	    dir);
	if ((p = popen(cmd, "r")) == NULL)
		return -1;
	s = sym_new(&w);
	d = sym_dso(s, bin);
	CHECK(d != NULL);
	want[0] = '\0';
	for (;;) {
		char *r = fgets(line, sizeof(line), p);

		if (r != NULL)
			line[strcspn(line, "\n")] = '\0';
		if (r == NULL || (line[0] == '0' && line[1] == 'x')) {
			if (started && d != NULL) {
				native_chain(d, cur, chain, sizeof(chain));
				total++;
				if (strchr(chain, '|') != NULL)
					(*deep)++;
				if (exact && strcmp(chain, want) != 0) {
					if (bad++ < 5)
						fprintf(stderr, "%s 0x%llx: native "
						    "\"%s\", addr2line \"%s\"\n",
						    bin, (unsigned long long)cur,
						    chain, want);
				}
			}
			if (r == NULL)
				break;
			cur = strtoull(line, NULL, 16);
			started = 1;
			want[0] = '\0';
			k = 0;
			continue;
		}
		/* function, file:line, function, file:line ... */
		if (k++ % 2 == 0) {
			if (want[0] != '\0')
				strlcat(want, "|", sizeof(want));
			strlcat(want, line, sizeof(want));
		}
	}
	pclose(p);
	sym_free(s);
	CHECK(total > 0);
	CHECK(bad == 0);
	return bad == 0 ? 0 : -1;
}

/* ---- the cache of inflated sections ---------------------------------- */

/* Every address's chain from lo to hi, one per line, into out (malloc'd). */
static char *
all_chains(const char *bin, const char *cache, uint64_t lo, uint64_t hi)
{
	struct fg_warn w = { quiet, NULL };
	struct fg_symbolizer *s = sym_new(&w);
	struct fg_dso *d;
	char chain[4096], *out = NULL;
	size_t len = 0, cap = 0, n;
	uint64_t a;

	if (s == NULL)
		return NULL;
	sym_set_cache_dir(s, cache);
	if ((d = sym_dso(s, bin)) == NULL) {
		sym_free(s);
		return NULL;
	}
	for (a = lo; a < hi; a++) {
		native_chain(d, a, chain, sizeof(chain));
		n = strlen(chain);
		if (len + n + 2 > cap) {
			char *t;
			cap = cap ? cap * 2 : 1 << 16;
			while (cap < len + n + 2)
				cap *= 2;
			if ((t = realloc(out, cap)) == NULL) {
				free(out);
				sym_free(s);
				return NULL;
			}
			out = t;
		}
		memcpy(out + len, chain, n);
		out[len + n] = '\n';
		len += n + 1;
		out[len] = '\0';
	}
	sym_free(s);
	return out;
}

/* The files in the cache directory (one build id's), each a path. */
static size_t
cached_files(const char *cache, char files[][512], size_t max)
{
	char cmd[600], line[512];
	FILE *p;
	size_t n = 0;

	snprintf(cmd, sizeof(cmd), "find %s -type f ! -name '*.ok' | sort",
	    cache);
	if ((p = popen(cmd, "r")) == NULL)
		return 0;
	while (n < max && fgets(line, sizeof(line), p) != NULL) {
		line[strcspn(line, "\n")] = '\0';
		strlcpy(files[n++], line, sizeof(files[0]));
	}
	pclose(p);
	return n;
}

static char *slurp(const char *, size_t *);

static void
cache_check(const char *bin, const char *tag)
{
	char cache[512], files[16][512], cmd[1200];
	char *want, *got;
	struct fn fn[8];
	uint64_t lo = UINT64_MAX, hi = 0;
	size_t nfn, i, nf, k;
	struct stat sb;

	nfn = funcs_of(bin, fn, 8);
	CHECK(nfn > 0);
	for (i = 0; i < nfn; i++) {
		lo = fn[i].lo < lo ? fn[i].lo : lo;
		hi = fn[i].hi > hi ? fn[i].hi : hi;
	}
	snprintf(cache, sizeof(cache), "%s/cache-%s/dwarf", dir, tag);
	want = all_chains(bin, NULL, lo, hi);
	CHECK(want != NULL && strchr(want, '\n') != NULL);
	if (want != NULL && strchr(want, '|') == NULL)
		printf("%s: no inlined frames in main (chains compared all "
		    "the same)\n", tag);
	/* cold: the cache is made (its directories too) */
	got = all_chains(bin, cache, lo, hi);
	CHECK(got != NULL && want != NULL && strcmp(got, want) == 0);
	free(got);
	nf = cached_files(cache, files, 16);
	CHECK(nf > 0);
	for (k = 0; k < nf; k++)
		CHECK(strstr(files[k], "/debug_") != NULL ||
		    strstr(files[k], "/cu-index") != NULL ||
		    strstr(files[k], "/cu-ranges") != NULL ||
		    strstr(files[k], "/names") != NULL ||
		    strstr(files[k], "/symtab") != NULL);
	/* warm */
	got = all_chains(bin, cache, lo, hi);
	CHECK(got != NULL && want != NULL && strcmp(got, want) == 0);
	free(got);
	/*
	 * The names kept are another namer's (another build of this code
	 * may name otherwise): not used, made again, and written back the
	 * same as this namer made them.
	 */
	for (k = 0, i = 0; k < nf; k++)
		i += strstr(files[k], "/names") != NULL;
	CHECK_MSG(i == 1, "%zu names files kept", i);
	for (k = 0; k < nf; k++) {
		size_t flen, blen;
		char *orig, *now;

		if (strstr(files[k], "/names") == NULL)
			continue;
		orig = slurp(files[k], &flen);
		CHECK(orig != NULL && flen > 72);
		snprintf(cmd, sizeof(cmd), "printf 'X' | dd of=%.511s bs=1 "
		    "seek=40 conv=notrunc status=none", files[k]);
		CHECK(system(cmd) == 0);
		got = all_chains(bin, cache, lo, hi);
		CHECK(got != NULL && want != NULL && strcmp(got, want) == 0);
		free(got);
		now = slurp(files[k], &blen);
		CHECK(now != NULL && orig != NULL && blen == flen &&
		    memcmp(now, orig, flen) == 0);
		free(now);
		free(orig);
	}
	/*
	 * 64 bytes changed inside each file's body, its header intact (issue
	 * 13: the inline frames changed silently on every later run): the
	 * checksum in the header catches it, the source is read, and the
	 * file is written again whole, the same bytes as before.
	 */
	for (k = 0; k < nf; k++) {
		size_t flen, blen, j;
		char *orig = slurp(files[k], &flen), *bad, *now;
		int sect = strstr(files[k], "/debug_") != NULL;
		/*
		 * the headers: sections 40 bytes, cu-index 80, cu-ranges 64,
		 * names 72, symtab 48
		 */
		size_t hsz = sect ? 40 : strstr(files[k], "/cu-index") ? 80 :
		    strstr(files[k], "/names") ? 72 :
		    strstr(files[k], "/symtab") ? 48 : 64;
		FILE *fp;

		CHECK(orig != NULL && flen > hsz);
		if (orig == NULL || flen <= hsz ||
		    (bad = malloc(flen)) == NULL) {
			free(orig);
			continue;
		}
		memcpy(bad, orig, flen);
		blen = flen - hsz;
		for (j = 0; j < 64 && j < blen; j++)
			bad[hsz + (j * 7919 + 13) % blen] ^= 0x5a;
		if ((fp = fopen(files[k], "wb")) != NULL) {
			CHECK(fwrite(bad, 1, flen, fp) == flen);
			fclose(fp);
		}
		got = all_chains(bin, cache, lo, hi);
		CHECK(got != NULL && want != NULL && strcmp(got, want) == 0);
		free(got);
		/*
		 * A section comes back byte for byte; an index holds the units
		 * this run indexed, in its order: not the damaged bytes.
		 */
		now = slurp(files[k], &blen);
		CHECK(now != NULL && (sect ? blen == flen &&
		    memcmp(now, orig, flen) == 0 : blen != flen ||
		    memcmp(now, bad, flen) != 0));
		if (now == NULL || (sect && (blen != flen ||
		    memcmp(now, orig, flen) != 0)))
			printf("%s: not replaced after its body changed\n",
			    files[k]);
		free(now);
		free(bad);
		free(orig);
	}
	/* each file cut short, then given another file's header */
	for (k = 0; k < nf; k++) {
		off_t whole;

		CHECK(stat(files[k], &sb) == 0);
		whole = sb.st_size;
		CHECK(truncate(files[k], sb.st_size / 2) == 0);
		got = all_chains(bin, cache, lo, hi);
		CHECK(got != NULL && want != NULL && strcmp(got, want) == 0);
		free(got);
		/* replaced by a whole one */
		CHECK(stat(files[k], &sb) == 0 && sb.st_size == whole);
		snprintf(cmd, sizeof(cmd), "printf 'FGDWSEC2xxxxxxxx' | dd "
		    "of=%.511s conv=notrunc status=none", files[k]);
		CHECK(system(cmd) == 0);
		got = all_chains(bin, cache, lo, hi);
		CHECK(got != NULL && want != NULL && strcmp(got, want) == 0);
		free(got);
	}
	/* no cache ("") and a cache that cannot be made: the same */
	got = all_chains(bin, "", lo, hi);
	CHECK(got != NULL && want != NULL && strcmp(got, want) == 0);
	free(got);
	got = all_chains(bin, "/proc/self/nonexistent/dwarf", lo, hi);
	CHECK(got != NULL && want != NULL && strcmp(got, want) == 0);
	free(got);
	free(want);
	printf("%s: cache of inflated sections and indexes: %zu files, the "
	    "same chains at %llu addresses cold, warm and damaged\n", tag, nf,
	    (unsigned long long)(hi - lo));
}

/* A program whose compressed .debug_info is big enough to be cached. */
static int
big_program(const char *cc, const char *out)
{
	char path[512], cmd[1200];
	FILE *f;
	int i;

	snprintf(path, sizeof(path), "%s/big.c", dir);
	if ((f = fopen(path, "w")) == NULL)
		return -1;
	fputs("#include <stdio.h>\n", f);
	for (i = 0; i < 600; i++)
		fprintf(f, "struct s%d { int a%d, b%d; double c%d; };\n"
		    "static inline __attribute__((always_inline)) int "
		    "in%d(struct s%d *p, int x)\n{ return p->a%d * x + "
		    "p->b%d + (int)p->c%d; }\n"
		    "__attribute__((noinline)) int f%d(int x)\n"
		    "{ struct s%d v = { x, x + %d, x * 0.5 };\n"
		    "  return in%d(&v, x) + in%d(&v, x + 1); }\n",
		    i, i, i, i, i, i, i, i, i, i, i, i, i, i);
	fputs("int main(int argc, char **argv)\n{ int s = 0;\n", f);
	for (i = 0; i < 600; i++)
		fprintf(f, "  { struct s%d v = { argc, s, 1.5 };\n"
		    "    s += f%d(argc) + in%d(&v, s); }\n", i, i, i);
	fputs("  (void)argv; printf(\"%d\\n\", s); return 0; }\n", f);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "%s -g -O2 -gz=zlib -o %s/%s %s 2>/dev/null",
	    cc, dir, out, path);
	return system(cmd) == 0 ? 0 : -1;
}

/* ---- damaged sections ------------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ULL;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* Every lookup over the image; the results are not checked. */
static void
exercise(const char *img, size_t len, const struct fn *fn, size_t nfn)
{
	Elf *e = elf_memory((char *)(uintptr_t)img, len);
	struct fg_dw *dw;
	size_t i, j;

	if (e == NULL)
		return;
	if ((dw = dw_open(e)) != NULL) {
		if (rnd() & 1)
			dw_prepare(dw);
		for (i = 0; i < nfn; i++) {
			uint64_t a, cu;
			for (a = fn[i].lo; a < fn[i].hi; a += 7) {
				struct fg_dw_cu c;
				const char *nm;

				if (dw_cu_at(dw, a, &cu) != 0)
					continue;
				memset(&c, 0, sizeof(c));
				if (dw_index(dw, cu, &c) == 0) {
					for (j = 0; j < c.nfuncs; j++)
						(void)dw_name(dw, dw_origin(
						    dw, c.funcs[j].die), &nm);
					for (j = 0; j < c.ninls; j++)
						(void)dw_name(dw, dw_origin(
						    dw, c.inls[j].die), &nm);
				}
				free(c.funcs);
				free(c.inls);
			}
		}
		/* names at arbitrary offsets */
		for (i = 0; i < 64; i++) {
			const char *nm;
			(void)dw_name(dw, rnd() % 4096, &nm);
		}
		dw_free(dw);
	}
	elf_end(e);
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *b;
	long n;

	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	if (n <= 0 || (b = malloc((size_t)n)) == NULL ||
	    fread(b, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		return NULL;
	}
	fclose(f);
	*len = (size_t)n;
	return b;
}

static void
damaged(const char *bin)
{
	struct fn fn[8];
	size_t nfn = funcs_of(bin, fn, 8), len, i, k;
	struct { uint64_t off, size, hdr; } sect[16];
	size_t nsect = 0;
	char *img = slurp(bin, &len), *copy;
	Elf *e;
	Elf_Scn *scn = NULL;
	size_t shstr;

	CHECK(img != NULL);
	if (img == NULL || (copy = malloc(len)) == NULL) {
		free(img);
		return;
	}
	/* where the debug sections and their size fields are */
	if ((e = elf_memory(img, len)) == NULL || elf_getshdrstrndx(e,
	    &shstr) != 0) {
		free(img);
		free(copy);
		return;
	}
	while ((scn = elf_nextscn(e, scn)) != NULL && nsect < 16) {
		GElf_Shdr sh;
		GElf_Ehdr eh;
		const char *n;

		if (gelf_getshdr(scn, &sh) == NULL || gelf_getehdr(e, &eh) ==
		    NULL || (n = elf_strptr(e, shstr, sh.sh_name)) == NULL ||
		    strncmp(n, ".debug_", 7) != 0)
			continue;
		sect[nsect].off = sh.sh_offset;
		sect[nsect].size = sh.sh_size;
		sect[nsect].hdr = eh.e_shoff + elf_ndxscn(scn) * eh.e_shentsize;
		nsect++;
	}
	elf_end(e);
	CHECK(nsect >= 4);
	/* each section cut short, at a few lengths */
	for (i = 0; i < nsect; i++) {
		uint64_t cut[] = { 0, 1, 7, 11, 12, 40, sect[i].size / 2,
		    sect[i].size - 1 };
		for (k = 0; k < sizeof(cut) / sizeof(cut[0]); k++) {
			uint64_t sz = cut[k] < sect[i].size ? cut[k] : 0;
			memcpy(copy, img, len);
			/* Elf64_Shdr: sh_size at 32 */
			memcpy(copy + sect[i].hdr + 32, &sz, 8);
			exercise(copy, len, fn, nfn);
		}
	}
	/* random bytes flipped inside the debug sections */
	for (i = 0; i < 1500; i++) {
		size_t flips = 1 + rnd() % 8;
		memcpy(copy, img, len);
		for (k = 0; k < flips; k++) {
			size_t s = rnd() % nsect;
			if (sect[s].size == 0)
				continue;
			copy[sect[s].off + rnd() % sect[s].size] = (char)rnd();
		}
		exercise(copy, len, fn, nfn);
	}
	free(copy);
	free(img);
}

/*
 * A .debug_abbrev whose tables never end (issue 13: a damaged one made
 * every lookup parse its table again, 0.03 s runs took minutes): the
 * second half of the section turned into ULEB128 continuation bytes, so
 * a table there reads to the end of the section and fails.  Looking up
 * every address twice must parse each table once: failures are
 * remembered, and the bytes parsed stay within the file's budget.
 */
static void
abbrev_damaged(const char *bin)
{
	struct fn fn[8];
	size_t nfn = funcs_of(bin, fn, 8), len, i, pass;
	char *img = slurp(bin, &len);
	uint64_t off = 0, size = 0, parses[2] = { 0, 0 }, looked = 0;
	Elf *e;
	Elf_Scn *scn = NULL;
	size_t shstr;
	struct fg_dw *dw;
	struct fg_dw_stats st;

	CHECK(img != NULL && nfn > 0);
	if (img == NULL)
		return;
	if ((e = elf_memory(img, len)) == NULL || elf_getshdrstrndx(e,
	    &shstr) != 0) {
		free(img);
		return;
	}
	while ((scn = elf_nextscn(e, scn)) != NULL) {
		GElf_Shdr sh;
		const char *n;

		if (gelf_getshdr(scn, &sh) != NULL && (n = elf_strptr(e, shstr,
		    sh.sh_name)) != NULL && strcmp(n, ".debug_abbrev") == 0) {
			off = sh.sh_offset;
			size = sh.sh_size;
		}
	}
	elf_end(e);
	CHECK(size > 16);
	/* the whole section: the first table too (one unit in t.c) */
	memset(img + off, 0x80, (size_t)size);
	if ((e = elf_memory(img, len)) == NULL || (dw = dw_open(e)) ==
	    NULL) {
		CHECK(0);
		free(img);
		return;
	}
	for (pass = 0; pass < 2; pass++) {
		for (i = 0; i < nfn; i++) {
			uint64_t a, cu;
			const char *nm;

			for (a = fn[i].lo; a < fn[i].hi; a++) {
				(void)dw_cu_at(dw, a, &cu);
				(void)dw_name(dw, a - fn[0].lo, &nm);
				looked++;
			}
		}
		dw_get_stats(dw, &st);
		parses[pass] = st.abbrev_parses;
	}
	CHECK(parses[0] >= 1 && parses[0] <= 4 && parses[1] == parses[0]);
	CHECK(st.abbrev_bytes <= 4 * size + (1 << 20));
	printf("damaged .debug_abbrev: %llu lookups, %llu table parses, "
	    "%llu bytes\n", (unsigned long long)looked,
	    (unsigned long long)parses[1],
	    (unsigned long long)st.abbrev_bytes);
	dw_free(dw);
	elf_end(e);
	free(img);
}

static int
compile(const char *flags, const char *out)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd), "%s %s -g -O2 -o %s/%s %s/t.c 2>/dev/null",
	    strncmp(flags, "clang", 5) == 0 ? "" : "cc", flags, dir, out, dir);
	return system(cmd) == 0 ? 0 : -1;
}

int
main(void)
{
	/*
	 * exact: every address agrees with addr2line.  Strict DWARF 2 has
	 * no range lists, so GCC gives an inlined instance only its first
	 * piece; addr2line guesses the rest from elsewhere: there only the
	 * chains must be found at all.
	 */
	static const struct { const char *flags, *name; int must, exact; } v[] = {
		{ "-gdwarf-5", "d5", 1, 1 },
		{ "-gdwarf-4", "d4", 1, 1 },
		{ "-gdwarf-2 -gstrict-dwarf", "d2", 0, 0 },
		{ "-gdwarf-3", "d3", 0, 1 },
		{ "-gdwarf-5 -gz=zlib", "d5z", 1, 1 },
		{ "-gdwarf-4 -gz=zlib", "d4z", 0, 1 },
		{ "-gdwarf-5 -gz=zstd", "d5zstd", 0, 1 },
		{ "-gdwarf-5 -ffunction-sections", "d5fs", 0, 1 },
		/* strx, addrx, rnglistx; binutils drops a level there */
		{ "clang -gdwarf-5", "c5", 0, 0 },
		{ "clang -gdwarf-4", "c4", 0, 0 },
	};
	char path[512];
	FILE *f;
	size_t i;
	int deep;

	if (system("command -v cc >/dev/null 2>&1") != 0 ||
	    system("command -v addr2line >/dev/null 2>&1") != 0) {
		printf("skipped: cc or addr2line missing\n");
		return 77;
	}
	elf_version(EV_CURRENT);
	if (mkdtemp(dir) == NULL)
		return 1;
	snprintf(path, sizeof(path), "%s/t.c", dir);
	if ((f = fopen(path, "w")) == NULL)
		return 1;
	fputs(prog, f);
	fclose(f);
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		if (compile(v[i].flags, v[i].name) != 0) {
			CHECK(!v[i].must);
			printf("%s: cc cannot build it, skipped\n", v[i].flags);
			continue;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, v[i].name);
		deep = 0;
		if (check_binary(path, v[i].exact, &deep) == 0)
			printf("%s: %s addr2line (%d addresses with inlined "
			    "frames)\n", v[i].flags, v[i].exact ? "every "
			    "address agrees with" : "not compared with", deep);
		CHECK(deep > 0);
	}
	if (big_program("cc", "big") == 0) {
		snprintf(path, sizeof(path), "%s/big", dir);
		cache_check(path, "cc");
	} else
		printf("cc -gz=zlib cannot build the big program: cache "
		    "checks skipped\n");
	/* clang writes no .debug_aranges: the units' own ranges (cu-ranges) */
	if (system("command -v clang >/dev/null 2>&1") == 0 &&
	    big_program("clang", "bigc") == 0) {
		snprintf(path, sizeof(path), "%s/bigc", dir);
		cache_check(path, "clang");
	}
	snprintf(path, sizeof(path), "%s/d5", dir);
	abbrev_damaged(path);
	snprintf(path, sizeof(path), "%s/d5", dir);
	damaged(path);
	snprintf(path, sizeof(path), "%s/d4", dir);
	damaged(path);
	snprintf(path, sizeof(path), "rm -rf %s", dir);
	CHECK(system(path) == 0);
	return check_done("test_dwarfidx");
}
