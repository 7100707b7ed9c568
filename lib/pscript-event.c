/*
 * pscript-event.c: the event lines of `perf script` output and the end
 * of an event.  An event line names the process (comm, pid/tid), the
 * sample period (its weight) and the event type, and may end with a
 * one-frame stack; only events of the type followed (--event-filter, or
 * the first seen, as inferno does) are kept.  At the blank line that ends
 * an event its frames, under the process name, go to the model.
 */
#include <stdlib.h>
#include <string.h>

#include "pscript-int.h"

/* The parts of an event line. */
struct ev_line {
	const char *comm, *pid, *tid;	/* pid "?" when there is none */
	size_t clen, plen, tlen;
	const char *ev;			/* the event type, or NULL */
	size_t evlen;
	const char *stack;		/* a one-frame stack, or NULL */
	size_t slen;
};

/* The end of an event: its frames, rootward, under the process name. */
int
ps_after_event(struct ps *ps)
{
	size_t n = 0, i;
	int r = 0;

	if (ps->nframes > 0) {
		if (ps->nframes + 1 > ps->emit_cap) {
			uint32_t *ne = base_grow(ps->emit, &ps->emit_cap,
			    ps->nframes + 1, sizeof(*ne), 256);

			if (ne == NULL)
				return seterr(ps->err, FG_ENOMEM,
				    "%s: out of memory", ps->name);
			ps->emit = ne;
		}
		if (ps->filter != PS_SKIP_REST)
			ps->emit[n++] = ps->pname_id;
		for (i = ps->nframes; i-- > 0;)
			ps->emit[n++] = ps->frames[i];
		if (!ps->probe)
			r = stacks_add_ids(ps->st, ps->emit, n, ps->weight,
			    0, ps->err);
		if (r == 0 && !ps->probe && ps->have_event &&
		    stacks_event(ps->st) == NULL &&
		    stacks_set_event(ps->st, ps->event, ps->event_len) != 0)
			r = seterr(ps->err, FG_ENOMEM, "%s: out of memory",
			    ps->name);
		if (r == 0 && !ps->probe && stacks_keeps_sequence(ps->st) &&
		    stacks_step_sample(ps->st, ps->ev_time, ps->ev_pid,
		    ps->ev_tid, ps->ev_comm.d ? ps->ev_comm.d : "",
		    ps->ev_comm.len, ps->filter != PS_SKIP_REST) != 0)
			r = seterr(ps->err, FG_ENOMEM, "%s: out of memory",
			    ps->name);
	}
	ps->in_event = 0;
	ps->filter = PS_KEEP;
	ps->nframes = 0;
	return r;
}

/*
 * Parse the decimal period into *v: 1, 0 when it is not one, -1 when it
 * does not fit in 64 bits.
 */
static int
parse_period(const char *p, size_t len, uint64_t *v)
{
	uint64_t n = 0;
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++)
		if (p[i] < '0' || p[i] > '9')
			return 0;
	for (i = 0; i < len; i++) {
		unsigned d = (unsigned char)p[i] - '0';
		if (n > (UINT64_MAX - d) / 10)
			return -1;
		n = n * 10 + d;
	}
	*v = n;
	return 1;
}

/*
 * The head of an event line: comm, then pid/tid (or the tid alone) in
 * the first all-digit word followed by a space.  The offset of what
 * follows that space, 0 when there is no such word.
 */
static size_t
event_head(const char *line, size_t len, struct ev_line *el)
{
	size_t i, word = 0, slash = SIZE_MAX;
	int digits = 0, last_space = 0;

	for (i = 0; i < len; i++) {
		char c = line[i];

		if (c == ' ') {
			if (digits && !last_space)
				break;
			word = i + 1;
			digits = 1;
		} else if (c == '/') {
			if (digits)
				slash = i;
		} else if (c < '0' || c > '9') {
			digits = 0;
			slash = SIZE_MAX;
		}
		last_space = c == ' ';
	}
	if (i == len)
		return 0;
	if (slash != SIZE_MAX) {
		el->pid = line + word;
		el->plen = slash - word;
		el->tid = line + slash + 1;
		el->tlen = i - slash - 1;
	} else {
		el->pid = "?";
		el->plen = 1;
		el->tid = line + word;
		el->tlen = i - word;
	}
	el->comm = line;
	el->clen = word - 1;
	base_trim(&el->comm, &el->clen);
	return i + 1;
}

/* The period before the event type: the event's weight when valid. */
static void
event_period(struct ps *ps, const char *pp, size_t pl)
{
	uint64_t period = 0;
	int pr;

	base_trim(&pp, &pl);
	if ((pr = parse_period(pp, pl, &period)) == 1 && period != 0)
		ps->weight = period;
	else if (pr < 0)	/* inferno counts it as 1 */
		ps_warn(ps, "sample period too large, counted as 1", pp, pl);
}

/* A stack after the event type: past the first ':' or ' ', trimmed. */
static void
event_stack(const char *p2, size_t n2, struct ev_line *el)
{
	const char *q;

	for (q = p2; q < p2 + n2 && *q != ':' && *q != ' '; q++)
		;
	if (q < p2 + n2) {
		el->stack = q + 1;
		el->slen = (size_t)(p2 + n2 - el->stack);
	} else {
		el->stack = p2;
		el->slen = n2;
	}
	base_trim(&el->stack, &el->slen);
	if (el->slen == 0)
		el->stack = NULL;
}

/*
 * The rest of an event line, split as inferno's splitn(3, ':') does:
 * [0] the time, [1] "period event", [2] a stack.  The weight (1 without
 * a valid period) goes to ps->weight.
 */
static void
event_tail(struct ps *ps, const char *rest, size_t rlen, struct ev_line *el)
{
	const char *c1, *c2, *p1, *sp;
	size_t n1;

	el->ev = NULL;
	el->evlen = 0;
	el->stack = NULL;
	el->slen = 0;
	ps->weight = 1;
	if ((c1 = memchr(rest, ':', rlen)) == NULL)
		return;
	p1 = c1 + 1;
	c2 = memchr(p1, ':', (size_t)(rest + rlen - p1));
	n1 = (size_t)((c2 ? c2 : rest + rlen) - p1);
	for (sp = p1 + n1; sp > p1 && sp[-1] != ' '; sp--)
		;
	el->ev = sp;
	el->evlen = (size_t)(p1 + n1 - sp);
	if (sp > p1)
		event_period(ps, p1, (size_t)(sp - 1 - p1));
	if (c2 != NULL)
		event_stack(c2 + 1, (size_t)(rest + rlen - c2 - 1), el);
}

/*
 * Whether an event of type ev is kept: 1 when it is of the type followed
 * (which the first event with a type sets when no --event-filter did), 0
 * when it is skipped, FG_ENOMEM.
 */
static int
event_wanted(struct ps *ps, const char *ev, size_t evlen)
{
	if (ev == NULL)
		return 1;
	if (ps->have_event) {
		if (evlen != ps->event_len ||
		    memcmp(ev, ps->event, evlen) != 0) {
			ps->filter = PS_SKIP;
			return 0;
		}
		return 1;
	}
	free(ps->event);
	if ((ps->event = malloc(evlen + 1)) == NULL)
		return FG_ENOMEM;
	memcpy(ps->event, ev, evlen);
	ps->event[evlen] = '\0';
	ps->event_len = evlen;
	ps->have_event = 1;
	return 1;
}

/* The process name of the event (comm, with --pid/--tid its ids). */
static int
set_pname(struct ps *ps, const struct ev_line *el)
{
	struct fg_buf *b = &ps->pname;
	size_t i;
	int r = 0;

	buf_reset(b);
	for (i = 0; i < el->clen && r == 0; i++)
		r = buf_putc(b, el->comm[i] == ' ' ? '_' : el->comm[i]);
	/* inferno tidies Java names by the bare process name */
	ps->java = r == 0 && b->len == 4 && memcmp(b->d, "java", 4) == 0;
	if (r == 0 && (ps->o->naming.tid || ps->o->naming.pid)) {
		r |= buf_putc(b, '-');
		r |= buf_append(b, el->pid, el->plen);
		if (ps->o->naming.tid) {
			r |= buf_putc(b, '/');
			r |= buf_append(b, el->tid, el->tlen);
		}
	}
	if (r != 0)
		return FG_ENOMEM;
	/* an empty name ("" comm, no --pid) has no buffer to compare */
	if (ps->have_last_pname && ps->last_pname.len == b->len &&
	    (b->len == 0 || memcmp(ps->last_pname.d, b->d, b->len) == 0))
		return 0;
	if ((r = stacks_intern(ps->st, b->d, b->len, &ps->pname_id)) != 0)
		return r;
	buf_reset(&ps->last_pname);
	if ((r = buf_append(&ps->last_pname, b->d, b->len)) != 0)
		return r;
	ps->have_last_pname = 1;
	return 0;
}

/* A decimal number of at most 10 digits, or 0. */
static uint32_t
dec32(const char *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	if (n == 0 || n > 10)
		return 0;
	for (i = 0; i < n; i++) {
		if (p[i] < '0' || p[i] > '9')
			return 0;
		v = v * 10 + (uint64_t)(p[i] - '0');
	}
	return v > UINT32_MAX ? 0 : (uint32_t)v;
}

/*
 * The time perf script prints before the first ':' of the rest of an
 * event line ("[001] 12345.678901"), as ns; 0 when there is none.
 */
static uint64_t
event_time(const char *rest, size_t rlen)
{
	const char *c = memchr(rest, ':', rlen), *p;
	uint64_t sec = 0, frac = 0, scale = 1000000000;
	int dot = 0, nd = 0;

	if (c == NULL)
		return 0;
	for (p = c; p > rest && p[-1] != ' ' && p[-1] != ']'; p--)
		;
	for (; p < c; p++) {
		if (*p == '.' && !dot) {
			dot = 1;
		} else if (*p >= '0' && *p <= '9') {
			if (!dot) {
				if (++nd > 10)
					return 0;
				sec = sec * 10 + (uint64_t)(*p - '0');
			} else if (scale > 1) {
				scale /= 10;
				frac += (uint64_t)(*p - '0') * scale;
			}
		} else
			return 0;
	}
	return sec * 1000000000ULL + frac;
}

/* Keeping a sample log: what the event line says of its thread. */
static int
event_thread(struct ps *ps, const struct ev_line *el, const char *rest,
    size_t rlen)
{
	ps->ev_time = event_time(rest, rlen);
	ps->ev_pid = dec32(el->pid, el->plen);
	ps->ev_tid = dec32(el->tid, el->tlen);
	buf_reset(&ps->ev_comm);
	return buf_append(&ps->ev_comm, el->comm, el->clen) != 0 ?
	    FG_ENOMEM : 0;
}

/* An event line (trimmed at its end): a new event starts. */
static int
on_event_line(struct ps *ps, const char *line, size_t len)
{
	struct ev_line el;
	size_t end;
	int r;

	ps->in_event = 1;
	if ((end = event_head(line, len, &el)) == 0) {
		ps_warn(ps, "weird event line", line, len);
		ps->in_event = 0;
		return 0;
	}
	event_tail(ps, line + end, len - end, &el);
	if ((r = event_wanted(ps, el.ev, el.evlen)) <= 0)
		return r;
	if ((r = set_pname(ps, &el)) != 0)
		return r;
	if (stacks_keeps_sequence(ps->st) &&
	    (r = event_thread(ps, &el, line + end, len - end)) != 0)
		return r;
	if (el.stack != NULL) {
		if ((r = ps_inline_stack(ps, el.stack, el.slen)) != 0)
			return r;
		ps->in_event = 0;
	}
	return 0;
}

/* One input line (without its newline). */
int
ps_line(struct ps *ps, const char *line, size_t len)
{
	int r;

	ps->lineno++;
	if (ps->in_event)
		return ps_body_line(ps, line, len, ps_hash(line, len));
	if (len > 0 && line[0] == '#')
		return 0;
	base_trim_end(line, &len);
	if (len == 0)
		return ps_after_event(ps);
	if (ps_has_high(line, len)) {
		if ((r = ps_utf8_lossy(line, len, &ps->evline)) < 0)
			return r;
		if (r > 0) {
			line = ps->evline.d;
			len = ps->evline.len;
		}
	}
	if ((r = on_event_line(ps, line, len)) != 0)
		return r;
	if (ps->nframes > 0)
		return ps_after_event(ps);
	return 0;
}

int
ps_finish(struct ps *ps)
{
	if (ps->nframes > 0)
		return ps_after_event(ps);
	return 0;
}

