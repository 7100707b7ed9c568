#!/bin/sh
# record.sh: the fixture of the perfdata tests.  Builds tests/crates/fpwork
# with frame pointers (a copy in the build directory, offline) and records
# it with the real perf: a frame-pointer recording, a zstd (-z) one, a
# small user-only one for the damaged-input test, a DWARF one, a
# system-wide one (whatever else runs on the machine), one of a process
# and the children it forks, and one of JIT code (src/bin/jitwork.rs).
set -eu
W=${FG_BUILD_DIR:?}/perfdata
if [ "$(id -u)" != 0 ] && [ "$(cat /proc/sys/kernel/perf_event_paranoid)" -gt 1 ]; then
	echo "skipped: perf record needs root or perf_event_paranoid <= 1"; exit 77
fi
command -v perf >/dev/null || { echo "skipped: perf not installed"; exit 77; }
command -v cargo >/dev/null || { echo "skipped: cargo not installed"; exit 77; }
rm -rf "$W/src" "$W"/*.data "$W"/*.folded
mkdir -p "$W/src"
# -p keeps the times, so that cargo does not rebuild an unchanged crate
cp -Rp "${FG_SOURCE_DIR:?}/tests/crates/fpwork/." "$W/src/"
CARGO_TARGET_DIR="$W/target" RUSTFLAGS="-C force-frame-pointers=yes" \
	cargo build --offline --release -q --manifest-path "$W/src/Cargo.toml"
BIN=$W/target/release/fpwork
perf record -q -o "$W/fp.data" --call-graph fp -F 4000 "$BIN" 400 >/dev/null
perf record -q -z -o "$W/fpz.data" --call-graph fp -F 4000 "$BIN" 250 >/dev/null
perf record -q -e cpu-clock:u -o "$W/small.data" --call-graph fp -F 300 "$BIN" 60 >/dev/null
perf record -q -o "$W/dwarf.data" --call-graph dwarf -F 1000 "$BIN" 200 >/dev/null
perf record -q -a -o "$W/system.data" -g -F 500 "$BIN" 200 >/dev/null
# two events: samples are told apart by their ids
perf record -q -o "$W/events.data" -e cpu-clock -e task-clock --call-graph fp -F 2000 "$BIN" 150 >/dev/null
# forks: two children of fpwork (fork, exec, exit) read through pipes
perf record -q -o "$W/fork.data" --call-graph fp -F 2000 "$BIN" 300 fork >/dev/null
# a fixed period (-c): no period in the samples, each weighs the period
perf record -q -c 250000 -o "$W/fixed.data" --call-graph fp "$BIN" 150 >/dev/null
# JIT code named in /tmp/perf-PID.map (left there, as JIT runtimes do)
perf record -q -o "$W/jit.data" --call-graph fp -F 2000 "$W/target/release/jitwork" 8 >/dev/null
# as fg_record_argv records when perf and the kernel can (>= 5.12): build
# ids in the MMAP2 records, no BPF events, no build-id table
# (recording.md, "Ending the recording quickly")
if perf record --buildid-mmap -h 2>&1 | grep -q -- --buildid-mmap; then
	perf record -q --no-bpf-event --buildid-mmap -o "$W/fpbm.data" --call-graph fp -F 4000 "$BIN" 200 >/dev/null
	perf record -q --no-bpf-event --buildid-mmap -o "$W/dwarfbm.data" --call-graph dwarf -F 1000 "$BIN" 100 >/dev/null
	# the same, of a copy of the program that is then replaced by another
	mkdir -p "$W/rebuilt"
	cp "$BIN" "$W/rebuilt/fpwork"
	perf record -q --no-bpf-event --buildid-mmap -o "$W/rebuiltbm.data" --call-graph fp -F 2000 "$W/rebuilt/fpwork" 100 >/dev/null
	perf record -q -o "$W/rebuilt.data" --call-graph fp -F 2000 "$W/rebuilt/fpwork" 100 >/dev/null
	cp "$W/target/release/jitwork" "$W/rebuilt/fpwork"
fi
ls -l "$W"/*.data
