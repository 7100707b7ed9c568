#!/usr/bin/env python3
# check.py SPEEDSCOPE FOLDED [--tid-folded FILE] [--unit UNIT]
#   [--min-profiles N] [--name-has TEXT]
# Checks a speedscope file that fg_write_speedscope wrote: strict UTF-8
# JSON in the published format (the schema's required keys and types),
# every sample's frame indexes valid and weights parallel, the heaviest
# profile active, every frame used, and the samples aggregated back to
# folded stacks equal to FOLDED (same stacks, same weights: so the
# weights sum to its total).  With --tid-folded (the same input folded
# with --tid, roots "comm-PID/TID"), each thread profile's total equals
# that thread's total there.  Prints one line; exits 1 on a failure.
import argparse
import codecs
import json
import re
import sys

SCHEMA = "https://www.speedscope.app/file-format-schema.json"
UNITS = {"none", "nanoseconds", "microseconds", "milliseconds", "seconds",
         "bytes"}


def fail(msg):
    print(f"FAIL: {msg}")
    sys.exit(1)


# Each byte that is not UTF-8 as one U+FFFD, as the writer replaces them.
codecs.register_error("perbyte", lambda e: ("\ufffd", e.start + 1))


def read_folded(path):
    out = {}
    with open(path, "rb") as f:
        for line in f.read().split(b"\n"):
            if not line:
                continue
            stack, _, w = line.decode("utf-8", "perbyte").rpartition(" ")
            out[stack] = out.get(stack, 0) + int(w)
    return out


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def check_profile(i, p, nframes):
    for key in ("type", "name", "unit", "startValue", "endValue", "samples",
                "weights"):
        if key not in p:
            fail(f"profile {i}: no {key}")
    if p["type"] != "sampled":
        fail(f"profile {i}: type {p['type']!r}")
    if not isinstance(p["name"], str) or p["unit"] not in UNITS:
        fail(f"profile {i}: bad name or unit {p['unit']!r}")
    if not (is_int(p["startValue"]) and is_int(p["endValue"]) and
            0 <= p["startValue"] <= p["endValue"]):
        fail(f"profile {i}: start {p['startValue']} end {p['endValue']}")
    s, w = p["samples"], p["weights"]
    if len(s) != len(w) or not s:
        fail(f"profile {i}: {len(s)} samples, {len(w)} weights")
    used = set()
    for k, (st, wt) in enumerate(zip(s, w)):
        if not is_int(wt) or wt < 0:
            fail(f"profile {i} sample {k}: weight {wt!r}")
        if not isinstance(st, list) or not st:
            fail(f"profile {i} sample {k}: stack {st!r}")
        for x in st:
            if not is_int(x) or not 0 <= x < nframes:
                fail(f"profile {i} sample {k}: frame index {x!r} of "
                     f"{nframes}")
        used.update(st)
    return used


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("speedscope")
    ap.add_argument("folded")
    ap.add_argument("--tid-folded")
    ap.add_argument("--unit")
    ap.add_argument("--min-profiles", type=int, default=1)
    ap.add_argument("--name-has", action="append", default=[])
    a = ap.parse_args()

    raw = open(a.speedscope, "rb").read()
    try:
        doc = json.loads(raw.decode("utf-8"))  # strict: no bad bytes
    except (UnicodeDecodeError, ValueError) as e:
        fail(f"{a.speedscope}: not valid UTF-8 JSON: {e}")
    if doc.get("$schema") != SCHEMA:
        fail(f"$schema {doc.get('$schema')!r}")
    if not str(doc.get("exporter", "")).startswith("cargo-flamegraph "):
        fail(f"exporter {doc.get('exporter')!r}")
    if not isinstance(doc.get("name"), str):
        fail("no name")
    frames = doc.get("shared", {}).get("frames")
    profiles = doc.get("profiles")
    if not isinstance(frames, list) or not isinstance(profiles, list):
        fail("no shared.frames or profiles")
    for k, f in enumerate(frames):
        if not isinstance(f, dict) or not isinstance(f.get("name"), str):
            fail(f"frame {k}: {f!r}")
    if len(profiles) < a.min_profiles:
        fail(f"{len(profiles)} profiles, expected >= {a.min_profiles}")
    used = set()
    for i, p in enumerate(profiles):
        used |= check_profile(i, p, len(frames))
        if a.unit and p["unit"] != a.unit:
            fail(f"profile {i}: unit {p['unit']}, expected {a.unit}")
    if used != set(range(len(frames))):
        fail(f"{len(frames) - len(used)} frames never used")
    totals = [sum(p["weights"]) for p in profiles]
    active = doc.get("activeProfileIndex")
    if active != totals.index(max(totals)):
        fail(f"activeProfileIndex {active}, the heaviest is "
             f"{totals.index(max(totals))}")
    names = [f["name"] for f in frames]
    for text in a.name_has:
        if not any(text in n for n in names):
            fail(f"no frame name holds {text!r}")

    agg = {}
    for p in profiles:
        for st, w in zip(p["samples"], p["weights"]):
            key = ";".join(names[x] for x in st)
            agg[key] = agg.get(key, 0) + w
    want = read_folded(a.folded)
    if agg != want:
        extra = sorted(set(agg.items()) - set(want.items()))[:3]
        miss = sorted(set(want.items()) - set(agg.items()))[:3]
        fail(f"aggregated samples differ from {a.folded}: "
             f"extra {extra}, missing {miss}")

    if a.tid_folded:
        per = {}
        for stack, w in read_folded(a.tid_folded).items():
            m = re.search(r"/(\d+)$", stack.split(";", 1)[0])
            if not m:
                fail(f"{a.tid_folded}: root without a tid: {stack[:60]}")
            per[int(m.group(1))] = per.get(int(m.group(1)), 0) + w
        mine = {}
        for p, t in zip(profiles, totals):
            m = re.search(r" \(tid (\d+)\)$", p["name"])
            if not m:
                fail(f"profile name {p['name']!r}: no tid")
            tid = int(m.group(1))
            mine[tid] = mine.get(tid, 0) + t
        if mine != per:
            fail(f"per-thread totals differ: {sorted(mine.items())[:5]} vs "
                 f"{sorted(per.items())[:5]}")

    print(f"ok: {len(profiles)} profiles, {len(frames)} frames, "
          f"{sum(len(p['samples']) for p in profiles)} samples, "
          f"weight {sum(totals)}")


main()
