#!/usr/bin/env python3
# a2l-inline.py: `perf script` text on stdin, the same text on stdout with
# every user frame in an ELF file replaced by the frames binutils
# `addr2line -f -i` gives (demangled as perf does, by $PROBE demangle) for its address (innermost first, as perf
# prints inline frames): what perf's inline path does for DWARF
# callchains, done here for frame-pointer ones, where perf 6.1 adds no
# inline frames.  It is the reference the native reader's inline frames
# are held to (tests/perfdata/agree.sh with --inline).
#
# As perf: addr2line reads the separate debug file when there is one (by
# build id under /usr/lib/debug/.build-id), else the file; kernel, vdso
# and JIT frames and frames without a symbol are left alone; a frame
# whose address addr2line knows nothing of keeps perf's name.  As the
# native reader: a return address (every frame of a context but its
# first) is looked up at the call, address - 1.
import collections
import os
import re
import subprocess
import sys

FRAME = re.compile(r'^(\s+)([0-9a-f]+) (.*) \((.*)\)$')


def is_kernel(dso):
    return dso.startswith('[') and dso not in ('[vdso]', '[vsyscall]',
                                               '[unknown]')


def skip(dso, sym):
    return (dso.startswith('[') or dso.startswith('/tmp/perf-') or
            sym.startswith('[unknown]') or not os.path.isfile(dso))


_debug = {}
_loads = {}


def vaddr(path, off):
    """perf prints a user frame's file offset: the address in the file."""
    if path not in _loads:
        out = subprocess.run(['readelf', '-lW', path], capture_output=True,
                             text=True).stdout
        segs = []
        for ln in out.split('\n'):
            f = ln.split()
            if len(f) >= 6 and f[0] == 'LOAD':
                segs.append((int(f[1], 16), int(f[2], 16), int(f[4], 16)))
        _loads[path] = segs
    for o, v, n in _loads[path]:
        if o <= off < o + n:
            return off - o + v
    return off


def debug_file(path):
    if path in _debug:
        return _debug[path]
    out = subprocess.run(['readelf', '-n', path], capture_output=True,
                         text=True).stdout
    m = re.search(r'Build ID: ([0-9a-f]+)', out)
    f = path
    if m:
        bid = m.group(1)
        d = '/usr/lib/debug/.build-id/%s/%s.debug' % (bid[:2], bid[2:])
        if os.path.isfile(d):
            f = d
    _debug[path] = f
    return f


def main():
    lines = sys.stdin.read().split('\n')
    # pass 1: which (file, address) to ask for
    want = collections.defaultdict(set)
    plan = []           # per line: None, or (indent, addr, dso, sym, key)
    first = True
    prev_kernel = False
    for ln in lines:
        m = FRAME.match(ln)
        if not m:
            plan.append(None)
            if not ln.strip():
                first = True
            continue
        indent, ip, sym, dso = m.groups()
        kern = is_kernel(dso)
        exact = first or (prev_kernel and not kern)
        first = False
        prev_kernel = kern
        if kern or skip(dso, sym) or sym.endswith('(inlined)'):
            plan.append(None)
            continue
        a = vaddr(dso, int(ip, 16))
        if not exact and a > 0:
            a -= 1
        f = debug_file(dso)
        want[f].add(a)
        plan.append((indent, ip, dso, f, a))
    # pass 2: one addr2line per file
    names = {}
    for f, addrs in want.items():
        addrs = sorted(addrs)
        inp = ''.join('%x\n' % a for a in addrs)
        out = subprocess.run(['addr2line', '-a', '-f', '-i', '-e', f] +
                             ([] if os.environ.get('PROBE') else ['-C']),
                             input=inp, capture_output=True,
                             text=True).stdout.split('\n')
        cur = None
        i = 0
        while i < len(out):
            ln = out[i]
            if ln.startswith('0x'):
                cur = int(ln, 16)
                names[(f, cur)] = []
                i += 1
                continue
            if cur is not None and i + 1 < len(out):
                names[(f, cur)].append(ln)
                i += 2
                continue
            i += 1
    # perf demangles what addr2line prints with its own demangler (no
    # options): the probe's is the native reader's, the same call.
    probe = os.environ.get('PROBE')
    if probe:
        raw = sorted({n for c in names.values() for n in c})
        out = subprocess.run([probe, 'demangle'], input=''.join(
            n + '\n' for n in raw), capture_output=True, text=True,
            check=True).stdout.split('\n')
        dm = dict(zip(raw, out))
        for k in names:
            names[k] = [dm.get(n, n) for n in names[k]]
    w = sys.stdout.write
    for ln, p in zip(lines, plan):
        if p is None:
            w(ln + '\n')
            continue
        indent, ip, dso, f, a = p
        chain = names.get((f, a), [])
        if not chain or chain[-1] == '??':
            w(ln + '\n')
            continue
        for fn in chain:
            w('%s%s %s (%s)\n' % (indent, ip, fn, dso))


if __name__ == '__main__':
    main()
