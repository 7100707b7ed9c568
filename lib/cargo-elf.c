/*
 * cargo-elf.c: does a built executable keep what the graph needs: DWARF
 * line or info sections and a symbol table.  Reads the section headers
 * only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "base.h"

static uint64_t
rd(const unsigned char *p, int n, int le)
{
	uint64_t v = 0;

	for (int i = 0; i < n; i++)
		v |= (uint64_t)p[le ? i : n - 1 - i] << (8 * i);
	return v;
}

int
fg_elf_debug_info(const char *path, int *has_debug, int *has_symtab,
    struct fg_error *err)
{
	unsigned char eh[64], sh[64];
	unsigned char *names = NULL;
	uint64_t shoff, shnum, shstrndx, stroff, strsize;
	uint64_t shentsize;
	int fd, le, is64, rc = 0;

	*has_debug = *has_symtab = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1)
		return seterr_sys(err, FG_EIO, errno, "%s", path);
	if (pread(fd, eh, sizeof(eh), 0) < 52 || memcmp(eh, "\177ELF", 4) != 0) {
		rc = seterr(err, FG_EPARSE, "%s: not an ELF file", path);
		goto out;
	}
	is64 = eh[4] == 2;
	le = eh[5] == 1;
	shoff = is64 ? rd(eh + 0x28, 8, le) : rd(eh + 0x20, 4, le);
	shentsize = is64 ? rd(eh + 0x3a, 2, le) : rd(eh + 0x2e, 2, le);
	shnum = is64 ? rd(eh + 0x3c, 2, le) : rd(eh + 0x30, 2, le);
	shstrndx = is64 ? rd(eh + 0x3e, 2, le) : rd(eh + 0x32, 2, le);
	if (shentsize < (is64 ? 64u : 40u) || shentsize > sizeof(sh) ||
	    shnum == 0 || shstrndx >= shnum || shoff > INT64_MAX / 2) {
		rc = seterr(err, FG_EPARSE, "%s: ELF section headers at "
		    "offset %#llx unusable", path, (unsigned long long)shoff);
		goto out;
	}
	if (pread(fd, sh, shentsize, (off_t)(shoff + shstrndx * shentsize)) !=
	    (ssize_t)shentsize) {
		rc = seterr(err, FG_EPARSE, "%s: truncated ELF", path);
		goto out;
	}
	stroff = is64 ? rd(sh + 0x18, 8, le) : rd(sh + 0x10, 4, le);
	strsize = is64 ? rd(sh + 0x20, 8, le) : rd(sh + 0x14, 4, le);
	if (strsize == 0 || strsize > (1u << 24) ||
	    (names = malloc(strsize + 1)) == NULL ||
	    pread(fd, names, strsize, (off_t)stroff) != (ssize_t)strsize) {
		rc = seterr(err, FG_EPARSE, "%s: ELF section names at "
		    "offset %#llx unreadable", path, (unsigned long long)stroff);
		goto out;
	}
	names[strsize] = '\0';
	for (uint64_t i = 0; i < shnum; i++) {
		uint64_t nm;
		const char *s;

		if (pread(fd, sh, shentsize, (off_t)(shoff + i * shentsize)) !=
		    (ssize_t)shentsize)
			break;
		nm = rd(sh, 4, le);
		if (nm >= strsize)
			continue;
		s = (const char *)names + nm;
		if (strcmp(s, ".debug_info") == 0 ||
		    strcmp(s, ".debug_line") == 0 ||
		    strcmp(s, ".zdebug_info") == 0)
			*has_debug = 1;
		if (strcmp(s, ".symtab") == 0)
			*has_symtab = 1;
	}
out:
	free(names);
	close(fd);
	return rc;
}
