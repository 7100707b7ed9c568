#!/usr/bin/env python3
"""make-corpus.py: write the seed corpus of every fuzz target into
tests/fuzz/corpus/<target>/ (the directory is emptied first).  The seeds
are small and ours: synthetic perf.data recordings, DWARF units and
unwinder samples built here, and this repository's test data
(tests/data/) with the option byte the targets read first.  Deterministic:
running it twice gives the same files.  zstd (the program) makes the
compressed recording; without it that seed is left out.
    tests/fuzz/make-corpus.py [OUT_DIR]
"""
import os
import shutil
import struct
import subprocess
import sys

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(TOP, 'tests', 'fuzz', 'corpus')


def u16(v):
    return struct.pack('<H', v)


def u32(v):
    return struct.pack('<I', v & 0xffffffff)


def u64(v):
    return struct.pack('<Q', v & 0xffffffffffffffff)


def put(corpus, target, name, data):
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), 'wb') as f:
        f.write(data)


# ---- perf.data ---------------------------------------------------------
# Sample types (perf_event.h)
IP, TID, TIME, ADDR, READ, CALLCHAIN, ID, CPU, PERIOD = 1, 2, 4, 8, 16, 32, 64, 128, 256
REGS_USER, STACK_USER, IDENTIFIER = 1 << 12, 1 << 13, 1 << 16
CTX_KERNEL = (1 << 64) - 128
CTX_USER = (1 << 64) - 512
PID, TIDV = 4242, 4243


def strpad(s):
    b = s.encode() + b'\0'
    return b + b'\0' * (-len(b) % 8)


class Rec:
    """Data records of one recording: every record carries the
    sample_id_all trailer (pid/tid, time) of sample type TID|TIME."""

    def __init__(self, st, ident=False):
        self.st = st
        self.ident = ident
        self.b = b''
        self.t = 1000

    def rec(self, rtype, misc, body, trailer=True):
        if trailer:
            self.t += 1
            if self.st & TID:
                body += u32(PID) + u32(TIDV)
            if self.st & TIME:
                body += u64(self.t)
            if self.st & ID:
                body += u64(1)
            if self.ident:
                body += u64(1)
        self.b += u32(rtype) + u16(misc) + u16(8 + len(body)) + body

    def comm(self, name, pid=PID, tid=TIDV):
        self.rec(3, 0, u32(pid) + u32(tid) + strpad(name))

    def mmap(self, start, length, pgoff, path):
        self.rec(1, 2, u32(PID) + u32(TIDV) + u64(start) + u64(length) + u64(pgoff) + strpad(path))

    def mmap2(self, start, length, pgoff, path):
        self.rec(10, 2, u32(PID) + u32(TIDV) + u64(start) + u64(length) + u64(pgoff) +
                 u64(0) + u64(0) + u64(0) + u32(5) + u32(2) + strpad(path))

    def fork(self, pid, tid, ppid, ptid):
        self.rec(7, 0, u32(pid) + u32(ppid) + u32(tid) + u32(ptid) + u64(self.t))

    def exit(self, pid, tid):
        self.rec(4, 0, u32(pid) + u32(pid) + u32(tid) + u32(tid) + u64(self.t))

    def lost(self, n):
        self.rec(2, 0, u64(1) + u64(n))

    def round(self):
        self.rec(68, 0, b'', trailer=False)

    def sample(self, chain, period=1, tid=TIDV, regs=None, stack=None, attr_id=1):
        self.t += 1
        b = b''
        if self.ident:
            b += u64(attr_id)
        if self.st & IP:
            b += u64(chain[1] if len(chain) > 1 else 0)
        if self.st & TID:
            b += u32(PID) + u32(tid)
        if self.st & TIME:
            b += u64(self.t)
        if self.st & ID:
            b += u64(attr_id)
        if self.st & CPU:
            b += u32(0) + u32(0)
        if self.st & PERIOD:
            b += u64(period)
        if self.st & CALLCHAIN:
            b += u64(len(chain)) + b''.join(u64(x) for x in chain)
        if self.st & REGS_USER:
            if regs is None:
                b += u64(0)
            else:
                b += u64(2) + b''.join(u64(x) for x in regs)
        if self.st & STACK_USER:
            stack = stack or b''
            b += u64(len(stack)) + stack
            if stack:
                b += u64(len(stack))
        self.b += u32(9) + u16(2) + u16(8 + len(b)) + b


def attr(st, config=0, regs_mask=0, size=112, name_type=1):
    """perf_event_attr of size bytes (PERF_ATTR_SIZE_VER5 by default)."""
    a = u32(name_type) + u32(size) + u64(config) + u64(4000) + u64(st)
    a += u64(0)                       # read_format
    a += u64(1 << 18)                 # flags: sample_id_all
    a += u32(0) + u32(0)              # wakeup, bp_type
    a += u64(0) + u64(0)              # config1, config2
    a += u64(0)                       # branch_sample_type (72)
    a += u64(regs_mask)               # sample_regs_user (80)
    a += u32(0) + u16(0) + u16(0)     # sample_stack_user, clockid, pad
    a += u64(0)                       # sample_regs_intr
    a += u32(0) + u32(0)              # aux_watermark, max_stack...
    return (a + b'\0' * size)[:size]


def build_id_feature(entries):
    out = b''
    for path, bid in entries:
        body = u32(PID) + (bid + b'\0' * 24)[:20] + bytes([len(bid)]) + b'\0' * 3 + strpad(path)
        out += u32(0) + u16(1 << 15 | 2) + u16(8 + len(body)) + body
    return out


def event_desc_feature(names, asz):
    out = u32(len(names)) + u32(asz)
    for i, n in enumerate(names):
        s = n.encode() + b'\0'
        s += b'\0' * (-len(s) % 8)
        out += attr(0, config=i, size=asz) + u32(1) + u32(len(s)) + s + u64(i + 1)
    return out


def recording(attrs, data, features=()):
    """The file: header, attributes with their ids, data, then the
    feature sections (bit, bytes) in bit order."""
    asz = len(attrs[0][0]) + 16
    ids_off = 104
    ids = b''.join(u64(i) for _, idl in attrs for i in idl)
    attrs_off = ids_off + len(ids)
    data_off = attrs_off + asz * len(attrs)
    feat_bits = [0, 0, 0, 0]
    for bit, _ in features:
        feat_bits[bit // 64] |= 1 << (bit % 64)
    attr_b = b''
    o = ids_off
    for a, idl in attrs:
        attr_b += a + u64(o) + u64(8 * len(idl))
        o += 8 * len(idl)
    hdr = b'PERFILE2' + u64(104) + u64(asz) + u64(attrs_off) + u64(asz * len(attrs))
    hdr += u64(data_off) + u64(len(data)) + u64(0) + u64(0)
    hdr += b''.join(u64(x) for x in feat_bits)
    assert len(hdr) == 104
    f = hdr + ids + attr_b + data
    # the table of feature sections, then their contents
    fo = len(f) + 16 * len(features)
    table = b''
    body = b''
    for _, content in sorted(features):
        table += u64(fo + len(body)) + u64(len(content))
        body += content
    return f + table + body


def perfdata_seeds(c):
    prog, lib = '/usr/bin/prog', '/usr/lib/x86_64-linux-gnu/libfoo.so'
    bid = bytes(range(1, 21))
    # frame pointers and kernel chains, build ids, event names
    st = IP | TID | TIME | CALLCHAIN | PERIOD
    r = Rec(st)
    r.comm('prog')
    r.mmap2(0x400000, 0x10000, 0, prog)
    r.mmap(0x7f0000000000, 0x20000, 0x1000, lib)
    r.mmap2(0x7fff00000000, 0x2000, 0, '[vdso]')
    for i in range(6):
        r.sample([CTX_USER, 0x401000 + 16 * i, 0x401800, 0x7f0000001234, 0x402000], period=1000 + i)
    r.sample([CTX_KERNEL, 0xffffffff81000100, 0xffffffff81000200, CTX_USER, 0x401000, 0x402000])
    r.round()
    r.fork(PID, TIDV + 1, PID, TIDV)
    r.comm('worker', PID, TIDV + 1)
    r.sample([CTX_USER, 0x7fff00000800, 0x401000], tid=TIDV + 1)
    r.sample([CTX_USER, 0x500000, 0x401000])       # outside every mapping
    r.lost(3)
    r.exit(PID, TIDV + 1)
    r.round()
    feats = [(2, build_id_feature([(prog, bid), (lib, bid[::-1]),
                                   ('[kernel.kallsyms]', bytes(20))])),
             (12, event_desc_feature(['cpu-clock:u'], 112))]
    put(c, 'perfdata', 'fp-kernel-buildid.data', recording([(attr(st), [1])], r.b, feats))

    # the same data, no features, the oldest attribute size
    put(c, 'perfdata', 'fp-attr-ver0.data',
        recording([(attr(st, size=64), [1])], r.b))

    # two events told apart by PERF_SAMPLE_IDENTIFIER, named by event_desc
    st2 = IP | TID | TIME | CALLCHAIN | PERIOD | IDENTIFIER
    r2 = Rec(st2 & ~IDENTIFIER, ident=True)
    r2.comm('prog')
    r2.mmap2(0x400000, 0x10000, 0, prog)
    for i in range(4):
        r2.sample([CTX_USER, 0x401000 + i, 0x402000], attr_id=1 + i % 2)
    r2.round()
    feats2 = [(12, event_desc_feature(['cpu-clock', 'task-clock'], 112))]
    put(c, 'perfdata', 'two-events.data',
        recording([(attr(st2), [1]), (attr(st2, config=1), [2])], r2.b, feats2))

    # --call-graph dwarf: user registers (bp, sp, ip) and a stack copy
    mask = (1 << 6) | (1 << 7) | (1 << 8)
    st3 = IP | TID | TIME | CALLCHAIN | PERIOD | REGS_USER | STACK_USER
    r3 = Rec(st3)
    r3.comm('prog')
    r3.mmap2(0x400000, 0x10000, 0, prog)
    stack = b''.join(u64(x) for x in (0x7ffc00000040, 0x401234, 0, 0x401800, 0, 0, 0, 0))
    for i in range(3):
        r3.sample([CTX_USER, 0x401000 + i], regs=[0x7ffc00000010, 0x7ffc00000000, 0x401000 + i],
                  stack=stack)
    r3.sample([CTX_USER, 0x401000], regs=None, stack=b'')
    r3.round()
    put(c, 'perfdata', 'dwarf-stack.data', recording([(attr(st3, regs_mask=mask), [1])], r3.b))

    # JIT code: an anonymous mapping (its frames from /tmp/perf-PID.map)
    r4 = Rec(st)
    r4.comm('java')
    r4.mmap2(0x7e0000000000, 0x100000, 0, '//anon')
    r4.sample([CTX_USER, 0x7e0000000100, 0x7e0000000200])
    put(c, 'perfdata', 'jit-anon.data', recording([(attr(st), [1])], r4.b))

    # perf record -z: the data records in one zstd frame (COMPRESSED)
    try:
        z = subprocess.run(['zstd', '-q', '-c', '--no-check', '-3'], input=r.b,
                           stdout=subprocess.PIPE, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        z = None
    if z is not None:
        z += b'\0' * (-len(z) % 8)
        comp = u32(81) + u16(0) + u16(8 + len(z)) + z
        put(c, 'perfdata', 'zstd.data', recording([(attr(st), [1])], comp))

    # a truncated recording and a pipe-mode header
    full = recording([(attr(st), [1])], r.b)
    put(c, 'perfdata', 'truncated.data', full[:len(full) - 77])
    put(c, 'perfdata', 'pipe-mode.data', b'PERFILE2' + u64(16))


# ---- DWARF units (fuzz_dwarfidx: u16 length-prefixed sections) ----------
def dwarfidx_seeds(c):
    # DW_TAG/AT/FORM values
    CU, SUB, INL = 0x11, 0x2e, 0x1d
    NAME, LOW, HIGH, ORIGIN, INLINE = 0x03, 0x11, 0x12, 0x31, 0x20
    STRING, ADDR, DATA4, REF4, DATA1 = 0x08, 0x01, 0x06, 0x13, 0x0b
    info = bytes([4, 0, 0, 0, 0, 0, 8])
    info += bytes([1]) + b'c\0' + u64(0x1000) + u32(0x100)
    info += bytes([2]) + b'f\0' + u64(0x1000) + u32(0x80)
    info += bytes([3]) + u32(0) + u64(0x1010) + u32(0x10)
    info += bytes([0])
    info += bytes([4]) + b'g\0' + bytes([1])
    info += bytes([0])
    # the inlined call refers to "g": its offset inside the unit
    g_off = 4 + info.index(bytes([4]) + b'g\0')
    info = info.replace(bytes([3]) + u32(0), bytes([3]) + u32(g_off), 1)
    info = u32(len(info)) + info
    abbrev = bytes([1, CU, 1, NAME, STRING, LOW, ADDR, HIGH, DATA4, 0, 0,
                    2, SUB, 1, NAME, STRING, LOW, ADDR, HIGH, DATA4, 0, 0,
                    3, INL, 0, ORIGIN, REF4, LOW, ADDR, HIGH, DATA4, 0, 0,
                    4, SUB, 0, NAME, STRING, INLINE, DATA1, 0, 0, 0])
    aranges = u32(44) + u16(2) + u32(0) + bytes([8, 0]) + b'\0' * 4
    aranges += u64(0x1000) + u64(0x100) + u64(0) + u64(0)

    def sects(*ss):
        return b''.join(u16(len(s)) + s for s in ss)
    put(c, 'dwarfidx', 'unit-inline.bin', sects(info, abbrev, b'', aranges))
    put(c, 'dwarfidx', 'unit-no-aranges.bin', sects(info, abbrev))
    put(c, 'dwarfidx', 'unit-strp.bin', sects(info, abbrev, b'c\0f\0g\0', aranges))


# ---- unwinder samples (fuzz_unwind) --------------------------------------
def unwind_seeds(c):
    nregs = 17
    for k in range(3):
        regs = [0] * nregs
        regs[6] = 0xbb00000000000000 | 0x140        # bp: in the stack copy
        regs[7] = 0xbb00000000000000 | 0x100        # sp
        regs[16] = 0xaa00000000000000 | (k << 48) | 0x1234   # ip: in code
        words = []
        for i in range(32):
            words.append(0xaa00000000000000 | (i % 3) << 48 | (0x100 * i) if i % 4 == 1
                         else 0xbb00000000000000 | (0x100 + 8 * (i + 2)) if i % 4 == 0 else i)
        data = b''.join(u64(x) for x in regs) + u32(0x1c0 | 1 << 16) + b''.join(u64(x) for x in words)
        put(c, 'unwind', 'sample-%d.bin' % k, data)


# ---- text inputs from tests/data, an option byte first ------------------
def text_seeds(c):
    data = os.path.join(TOP, 'tests', 'data')
    for i, f in enumerate(sorted(os.listdir(os.path.join(data, 'collapse')))):
        if f.endswith('.txt'):
            with open(os.path.join(data, 'collapse', f), 'rb') as fp:
                put(c, 'collapse', f, bytes([(i * 37) & 0xff]) + fp.read())
    put(c, 'collapse', 'kernel-jit.txt', bytes([0x0c]) +
        b'prog 100/101 [001] 1.000001: 1 cycles:\n'
        b'\tffffffff81000100 do_syscall_64+0x10 ([kernel.kallsyms])\n'
        b'\t7e0000000100 [unknown] (/tmp/perf-100.map)\n'
        b'\t401000 main+0x0 (/usr/bin/prog)\n\n')
    n = 0
    for d, f in (('render', 'small.folded'), ('render', 'before.folded'),
                 ('render', 'after.folded'), ('browser', 'hostile.folded'),
                 ('browser', 'app.folded')):
        with open(os.path.join(data, d, f), 'rb') as fp:
            put(c, 'render', f, bytes([(n * 0x53) & 0xff]) + fp.read())
        n += 1
    mdir = os.path.join(data, 'manifest')
    for d in sorted(os.listdir(mdir)):
        for f in ('Cargo.toml', 'config.toml'):
            p = os.path.join(mdir, d, f)
            if os.path.isfile(p):
                with open(p, 'rb') as fp:
                    put(c, 'toml', '%s-%s' % (d, f), fp.read())
    put(c, 'toml', 'types.toml',
        b'a = 1\nb = -0x1f\nc = 1e3\nd = true\ne = 1979-05-27T07:32:00Z\n'
        b'f = """multi\nline"""\ng = \'lit\'\nh = [1, [2, "x"]]\ni = { j = 1, k.l = 2 }\n'
        b'[t."quoted key"]\nm = inf\n[[arr]]\nn = nan\n[[arr]]\n')


def main():
    for t in ('collapse', 'dwarfidx', 'perfdata', 'render', 'toml', 'unwind'):
        shutil.rmtree(os.path.join(OUT, t), ignore_errors=True)
    perfdata_seeds(OUT)
    dwarfidx_seeds(OUT)
    unwind_seeds(OUT)
    text_seeds(OUT)


main()
