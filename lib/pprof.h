/*
 * pprof.h: the protocol buffers wire format that lib/pprof.c writes
 * profile.proto with, exposed for its unit test.  Each call appends to
 * b: 0, or FG_ENOMEM / FG_ELIMIT (the buffer's limit).
 */
#ifndef FG_PPROF_H
#define FG_PPROF_H

#include <stddef.h>
#include <stdint.h>

#include "base.h"

/* Wire types. */
#define PB_VARINT	0
#define PB_LEN		2

/* v as a base-128 varint, low group first. */
int	pb_varint(struct fg_buf *b, uint64_t v);
/* The key of field (number) of wire type wt. */
int	pb_key(struct fg_buf *b, unsigned field, unsigned wt);
/* A varint field; nothing when v is 0 (proto3's default). */
int	pb_uint(struct fg_buf *b, unsigned field, uint64_t v);
/* A length-delimited field: bytes, a string, an embedded message. */
int	pb_bytes(struct fg_buf *b, unsigned field, const void *p,
	    size_t len);
/* A packed repeated varint field of n values; nothing when n is 0. */
int	pb_packed(struct fg_buf *b, unsigned field, const uint64_t *v,
	    size_t n);

#endif /* FG_PPROF_H */
