#!/usr/bin/env python3
"""lanes.py: checks of a chart of lanes (--flamechart or --per-thread on a
recording), for tests/e2e/threads.sh.

  lanes.py time SVG FOLDED SLEEP_MS    the time chart and its folded text
  lanes.py threads SVG FOLDED          the graph per thread and its folded

Prints one line per lane; exits 1 with "FAIL: ..." on the first problem.
"""
import re
import sys
import xml.etree.ElementTree as ET

SVG = "{http://www.w3.org/2000/svg}"
FG = "{urn:x-cargo-flamegraph}"


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def read(path):
    root = ET.parse(path).getroot()
    frames = root.find(".//" + SVG + "svg[@id='frames']")
    if frames is None:
        fail(path + ": no #frames")
    v = frames.get(FG + "lanes", "").split()
    if not v or len(v) % 3:
        fail(path + ": no fg:lanes")
    bands = [tuple(int(x) for x in v[i:i + 3]) for i in range(0, len(v), 3)]
    labels = [t.text for t in root.findall(SVG + "text[@class='lane']")]
    if len(labels) != len(bands):
        fail("%d lane headings for %d lanes" % (len(labels), len(bands)))
    lanes = [[] for _ in bands]
    for g in frames.iter(SVG + "g"):
        r = g.find(SVG + "rect")
        t = g.find(SVG + "title")
        if r is None or t is None:
            continue
        y = int(r.get("y"))
        name = t.text[:t.text.rfind(" (")]
        k = [i for i, b in enumerate(bands) if b[0] <= y < b[1]]
        if len(k) != 1:
            fail("frame %s at y %d in %d lanes" % (name, y, len(k)))
        lanes[k[0]].append((y, int(r.get(FG + "x")), int(r.get(FG + "w")),
                            name))
    return root, frames, bands, labels, lanes


def tid_of(label):
    m = re.search(r"\(tid (\d+)\)", label)
    if m is None:
        fail("lane heading without a tid: " + label)
    return m.group(1)


def folded_threads(path):
    """Per thread: the summed weight and the lines in file order."""
    w, order = {}, []
    for line in open(path, encoding="utf-8", errors="replace"):
        stack, _, count = line.rstrip("\n").rpartition(" ")
        root = stack.split(";")[0]
        m = re.fullmatch(r".*-\d+/(\d+)", root)
        if m is None:
            fail("folded line not rooted at comm-PID/TID: " + line[:80])
        tid = m.group(1)
        if tid not in w:
            order.append(tid)
            w[tid] = 0
        elif order[-1] != tid:
            fail("thread %s's lines are not together" % tid)
        w[tid] += int(count)
    return w, order


def bottom_row(frames):
    """The frames on a lane's first row (flame orientation), in order."""
    y = max(f[0] for f in frames)
    return [f for f in frames if f[0] == y]


def check_time(svg, folded, sleep_ms):
    root, frames, bands, labels, lanes = read(svg)
    if frames.get(FG + "timeline") != "1":
        fail("fg:timeline is not 1")
    if root.find(".//" + SVG + "svg[@id='axis']") is None:
        fail("no time axis")
    total = int(frames.get(FG + "total"))
    fw, order = folded_threads(folded)
    if [tid_of(l) for l in labels] != order:
        fail("folded threads %s, lanes %s" % (order, labels))
    for k, label in enumerate(labels):
        row = bottom_row(lanes[k])
        end = 0
        for y, x, w, name in row:
            if x < end:
                fail("%s: frame %s at %d before the end %d of the one "
                     "before" % (label, name, x, end))
            end = x + w
        if end > total:
            fail("%s: frames beyond the chart's %d us" % (label, total))
        print("lane %s: %d frames on its first row, up to %d us"
              % (label, len(row), end))
    k = [i for i, l in enumerate(labels) if l.startswith("sleeper ")]
    if len(k) != 1:
        fail("no lane of the thread named sleeper: %s" % labels)
    f = lanes[k[0]]
    before = [x + w for y, x, w, n in f if n == "threads::before_sleep"]
    after = [x for y, x, w, n in f if n == "threads::after_sleep"]
    if not before or not after:
        fail("sleeper lane lacks before_sleep or after_sleep")
    # the lane's widest hole between the work before and after the sleep
    # (a sample on the way into or out of the sleep may lie in between)
    row = sorted(bottom_row(f), key=lambda r: r[1])
    hole = 0
    for a, b in zip(row, row[1:]):
        start, end = a[1] + a[2], b[1]
        if start >= max(before) and end <= min(after):
            hole = max(hole, end - start)
    if hole < sleep_ms * 1000 // 2:
        fail("sleeper's lane: widest hole %d us during its %d ms sleep"
             % (hole, sleep_ms))
    print("sleeper: a hole of %d us between before_sleep and after_sleep"
          % hole)


def check_threads(svg, folded):
    root, frames, bands, labels, lanes = read(svg)
    if frames.get(FG + "timeline") != "0":
        fail("fg:timeline is not 0")
    fw, order = folded_threads(folded)
    tids = [tid_of(l) for l in labels]
    if tids != order:
        fail("folded threads %s, lanes %s" % (order, tids))
    weights = [b[2] for b in bands]
    if weights != sorted(weights, reverse=True):
        fail("lanes not heaviest first: %s" % weights)
    for k, label in enumerate(labels):
        drawn = sum(w for y, x, w, n in bottom_row(lanes[k]))
        if not (drawn == bands[k][2] == fw[tids[k]]):
            fail("%s: drawn %d, lane %d, folded %d"
                 % (label, drawn, bands[k][2], fw[tids[k]]))
        print("lane %s: %d" % (label, drawn))


if len(sys.argv) == 5 and sys.argv[1] == "time":
    check_time(sys.argv[2], sys.argv[3], int(sys.argv[4]))
elif len(sys.argv) == 4 and sys.argv[1] == "threads":
    check_threads(sys.argv[2], sys.argv[3])
else:
    fail("usage: lanes.py time SVG FOLDED SLEEP_MS | threads SVG FOLDED")
