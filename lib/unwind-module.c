/*
 * unwind-module.c: the ELF files the DWARF unwinder reads call-frame
 * information from.  Each is opened once (a path from the recording never
 * blocks: no FIFO, no device), kept mapped without a descriptor, and
 * found again by the caller's map key, by the last file used, or by its
 * path in a hash table; at most UW_MAX_MODULES of them.  A file that
 * cannot be read is kept as broken (one warning): its frames fall back
 * to frame pointers.
 */
#include <sys/stat.h>

#include <errno.h>
#include <gelf.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "unwind-int.h"

void
uw_module_free(struct module *m)
{
	if (m == NULL)
		return;
	if (m->dw != NULL)
		dwarf_end(m->dw);
	if (m->eh != NULL)
		dwarf_cfi_end(m->eh);
	if (m->elf != NULL)
		elf_end(m->elf);
	if (m->fd >= 0)
		close(m->fd);
	free(m->segs);
	free(m->rules);
	free(m->path);
	free(m);
}

/* Read the program headers and the .eh_frame CFI of a freshly opened m. */
static void
module_load(struct fg_unwinder *u, struct module *m,
    const struct fg_unwind_map *map)
{
	GElf_Ehdr eh;
	struct stat sb;
	size_t phnum;
	char why[128];

	why[0] = '\0';
	if (map->image != NULL)
		m->elf = elf_memory((char *)(uintptr_t)map->image,
		    map->image_len);
	else {
		/* a path from the recording: never wait on a FIFO there */
		char copy[4096];
		const char *p = map->file != NULL ? map->file(map->file_arg,
		    map->path, copy, sizeof(copy)) : NULL;
		int fd = open_regular(p != NULL ? p : map->path, &sb);

		if (fd == FG_OPEN_SPECIAL)
			snprintf(why, sizeof(why), "%s, not a regular file",
			    file_kind(sb.st_mode));
		else if (fd < 0)
			snprintf(why, sizeof(why), "%s", strerror(errno));
		else {
			m->fd = fd;
			m->elf = elf_begin(m->fd, ELF_C_READ_MMAP, NULL);
		}
	}
	if (m->elf == NULL || gelf_getehdr(m->elf, &eh) == NULL ||
	    eh.e_machine != EM_X86_64 || elf_getphdrnum(m->elf, &phnum) != 0) {
		m->broken = 1;
		warnf(&u->o.warn, "%s: no call-frame information read "
		    "(%s); its frames use frame pointers", map->path,
		    why[0] != '\0' ? why : "not an x86-64 ELF file");
		return;
	}
	if (phnum > 0 && (m->segs = calloc(phnum, sizeof(*m->segs))) != NULL) {
		for (size_t i = 0; i < phnum; i++) {
			GElf_Phdr ph;

			if (gelf_getphdr(m->elf, (int)i, &ph) == NULL ||
			    ph.p_type != PT_LOAD)
				continue;
			m->segs[m->nsegs].off = ph.p_offset;
			m->segs[m->nsegs].filesz = ph.p_filesz;
			m->segs[m->nsegs].vaddr = ph.p_vaddr;
			m->nsegs++;
		}
	}
	m->eh = dwarf_getcfi_elf(m->elf);
	/* The file is mapped: no descriptor is kept per file. */
	if (m->fd >= 0 && elf_cntl(m->elf, ELF_C_FDDONE) == 0) {
		close(m->fd);
		m->fd = -1;
	}
}

/* uw_module_get() by path. */
static int
module_find(struct fg_unwinder *u, const struct fg_unwind_map *map,
    struct module **mp)
{
	size_t len, i;
	uint64_t h;
	struct module *m;

	len = strlen(map->path);
	h = base_hash(map->path, len);
	*mp = NULL;
	if (u->capmods > 0) {
		for (i = h & (u->capmods - 1); u->mods[i] != NULL;
		    i = (i + 1) & (u->capmods - 1)) {
			m = u->mods[i];
			if (m->hash == h && strcmp(m->path, map->path) == 0) {
				*mp = u->last = m;
				return 0;
			}
		}
	}
	if (u->nmods >= UW_MAX_MODULES)
		return 0;
	if ((u->nmods + 1) * 2 > u->capmods) {
		size_t ncap = u->capmods ? u->capmods * 2 : 16;
		struct module **nm = calloc(ncap, sizeof(*nm));

		if (nm == NULL)
			return FG_ENOMEM;
		for (size_t j = 0; j < u->capmods; j++) {
			if (u->mods[j] == NULL)
				continue;
			for (i = u->mods[j]->hash & (ncap - 1); nm[i] != NULL;
			    i = (i + 1) & (ncap - 1))
				;
			nm[i] = u->mods[j];
		}
		free(u->mods);
		u->mods = nm;
		u->capmods = ncap;
	}
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return FG_ENOMEM;
	m->fd = -1;
	if ((m->path = strdup(map->path)) == NULL) {
		free(m);
		return FG_ENOMEM;
	}
	m->hash = h;
	module_load(u, m, map);
	u->st.files++;
	for (i = h & (u->capmods - 1); u->mods[i] != NULL;
	    i = (i + 1) & (u->capmods - 1))
		;
	u->mods[i] = m;
	u->nmods++;
	*mp = u->last = m;
	return 0;
}

int
uw_module_get(struct fg_unwinder *u, const struct fg_unwind_map *map,
    struct module **mp)
{
	size_t i;
	int r;

	/* A file seen under its key, then: consecutive frames mostly in one. */
	if (map->key != NULL) {
		i = ((uintptr_t)map->key >> 4) % UW_KEYS;
		if (u->keys[i].key == map->key) {
			*mp = u->last = u->keys[i].m;
			return 0;
		}
		if ((r = module_find(u, map, mp)) == 0 && *mp != NULL) {
			u->keys[i].key = map->key;
			u->keys[i].m = *mp;
		}
		return r;
	}
	if (u->last != NULL && strcmp(u->last->path, map->path) == 0) {
		*mp = u->last;
		return 0;
	}
	return module_find(u, map, mp);
}

int
uw_module_vaddr(const struct module *m, uint64_t off, uint64_t *va)
{
	for (size_t i = 0; i < m->nsegs; i++) {
		const struct seg *s = &m->segs[i];

		if (off >= s->off && off - s->off < s->filesz) {
			*va = off - s->off + s->vaddr;
			return 0;
		}
	}
	return -1;
}
