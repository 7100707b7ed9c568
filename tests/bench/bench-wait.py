#!/usr/bin/env python3
"""bench-wait.py [BUILD_DIR] [--runs N] [--ms MS]: the wait users feel,
from their program's exit to the graph on disk (issue 15).

The workload is tests/crates/dwarfwork (three busy threads for MS ms,
default 10000), which writes the time of its exit to $FG_EXIT_STAMP.
Each variant runs N times (default 5); the medians are printed.

  perf alone (old options)   perf record -F 997 --call-graph dwarf,32768
                             as the tools ran it before: perf's tail, the
                             time from the exit to perf's own exit
  perf alone (new options)   the same with the options fg_record_argv adds
                             now (--no-bpf-event --buildid-mmap, where the
                             installed perf and kernel have them)
  flamegraph dwarf           flamegraph -o OUT.svg -- dwarfwork MS: the
                             wait, split into perf's tail (exit to
                             perf.data's last write) and our processing
                             (from there to the SVG renamed into place)
  flamegraph fp              the same, a frame-pointer build, --call-graph fp
  dwarf, fp read after perf  the two above with FLAMEGRAPH_FOLLOW=0: the
                             recording read once perf has ended, as before
                             the tools followed it while perf wrote it
  cargo flamegraph cold      cargo flamegraph in a copy of the crate, after
                             a rebuild that changes the binary (a new
                             -C metadata each run), so its DWARF cache is
                             cold while the system libraries' stays warm

The baseline of the ratios is "perf alone (old options)" of the same run.
Run by hand, as root (perf record).  Timings are wall clock: run it on a
quiet machine.
"""
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

TOP = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def args():
    build = os.path.join(TOP, "build")
    runs, ms = 5, 10000
    a = sys.argv[1:]
    while a:
        x = a.pop(0)
        if x == "--runs":
            runs = int(a.pop(0))
        elif x == "--ms":
            ms = int(a.pop(0))
        else:
            build = os.path.abspath(x)
    return build, runs, ms


def stamp(path):
    with open(path) as f:
        return int(f.read().strip())


def mtime(path):
    return os.stat(path).st_mtime_ns


def cargo_build(src, target, rustflags):
    env = dict(os.environ, CARGO_TARGET_DIR=target, RUSTFLAGS=rustflags)
    subprocess.run(["cargo", "build", "--offline", "--release", "-q",
                    "--manifest-path", os.path.join(src, "Cargo.toml")],
                   env=env, check=True)
    return os.path.join(target, "release", "dwarfwork")


def perf_alone(work, exe, ms, extra):
    st = os.path.join(work, "stamp")
    out = os.path.join(work, "alone.data")
    env = dict(os.environ, FG_EXIT_STAMP=st)
    subprocess.run(["perf", "record", "-q", "-F", "997", "--call-graph",
                    "dwarf,32768"] + extra + ["-o", out, "--", exe, str(ms)],
                   env=env, stdout=subprocess.DEVNULL, check=True)
    end = time.time_ns()
    return (end - stamp(st)) / 1e9, None


def flamegraph(work, build, exe, ms, extra, follow=True):
    st = os.path.join(work, "stamp")
    svg = os.path.join(work, "out.svg")
    data = os.path.join(work, "perf.data")
    env = dict(os.environ, FG_EXIT_STAMP=st)
    if not follow:
        env["FLAMEGRAPH_FOLLOW"] = "0"
    subprocess.run([os.path.join(build, "flamegraph"), "-o", svg] + extra +
                   ["--", exe, str(ms)], env=env, cwd=work,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   check=True)
    s = stamp(st)
    return (mtime(svg) - s) / 1e9, (mtime(data) - s) / 1e9


def cargo_flamegraph(work, build, crate, ms, run):
    st = os.path.join(work, "stamp")
    svg = os.path.join(work, "cargo.svg")
    env = dict(os.environ, FG_EXIT_STAMP=st,
               RUSTFLAGS="-C metadata=bench-wait-%d-%d" % (os.getpid(), run),
               CARGO_TARGET_DIR=os.path.join(work, "cargo-target"))
    subprocess.run([os.path.join(build, "cargo-flamegraph"), "flamegraph",
                    "--offline", "-o", svg, "--", str(ms)], env=env,
                   cwd=crate, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=True)
    s = stamp(st)
    data = os.path.join(work, "cargo-target", "flamegraph", "perf.data")
    perf = (mtime(data) - s) / 1e9 if os.path.exists(data) else None
    return (mtime(svg) - s) / 1e9, perf


def main():
    build, runs, ms = args()
    if os.geteuid() != 0:
        sys.exit("bench-wait: run as root (perf record)")
    for p in ("flamegraph", "cargo-flamegraph"):
        if not os.access(os.path.join(build, p), os.X_OK):
            sys.exit("bench-wait: %s not built in %s" % (p, build))
    work = tempfile.mkdtemp(prefix="bench-wait.")
    try:
        src = os.path.join(TOP, "tests", "crates", "dwarfwork")
        crate = os.path.join(work, "crate")
        shutil.copytree(src, crate)
        exe = cargo_build(crate, os.path.join(work, "t-dwarf"), "-g")
        fpexe = cargo_build(crate, os.path.join(work, "t-fp"),
                            "-g -C force-frame-pointers=yes")
        new = []
        help_ = subprocess.run(["perf", "record", "--buildid-mmap", "-h"],
                               capture_output=True, text=True)
        if "--buildid-mmap" in help_.stdout + help_.stderr:
            new = ["--no-bpf-event", "--buildid-mmap"]
        variants = [
            ("perf alone (old options)", lambda r: perf_alone(work, exe, ms, [])),
            ("perf alone (new options)", lambda r: perf_alone(work, exe, ms, new)),
            ("flamegraph dwarf", lambda r: flamegraph(work, build, exe, ms, [])),
            ("flamegraph fp", lambda r: flamegraph(work, build, fpexe, ms,
                                                   ["--call-graph", "fp"])),
            ("dwarf, read after perf", lambda r: flamegraph(
                work, build, exe, ms, [], follow=False)),
            ("fp, read after perf", lambda r: flamegraph(
                work, build, fpexe, ms, ["--call-graph", "fp"], follow=False)),
            ("cargo flamegraph cold", lambda r: cargo_flamegraph(work, build, crate, ms, r)),
        ]
        res = {name: ([], []) for name, _ in variants}
        for r in range(runs):
            for name, fn in variants:
                wait, perf = fn(r)
                res[name][0].append(wait)
                if perf is not None:
                    res[name][1].append(perf)
                print("run %d %-26s wait %.3f s%s" % (
                    r + 1, name, wait,
                    "" if perf is None else "  (perf %.3f, ours %.3f)" %
                    (perf, wait - perf)), flush=True)
        base = statistics.median(res["perf alone (old options)"][0])
        print("\nmedians of %d runs, %d ms workload (baseline: perf alone "
              "with the old options, %.3f s)" % (runs, ms, base))
        print("%-26s %8s %8s %8s %10s" % ("variant", "wait", "perf", "ours",
                                          "x baseline"))
        for name, _ in variants:
            w = statistics.median(res[name][0])
            p = statistics.median(res[name][1]) if res[name][1] else None
            ours = statistics.median([a - b for a, b in zip(*res[name])]) \
                if res[name][1] else None
            print("%-26s %7.3fs %8s %8s %9.2fx" % (
                name, w, "-" if p is None else "%.3fs" % p,
                "-" if ours is None else "%.3fs" % ours, w / base))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
