#!/bin/sh
# orphan: SIGKILL of flamegraph (an OOM kill, `timeout -s KILL`) does not
# leave `perf record` running: perf gets SIGINT when the tool dies
# (PR_SET_PDEATHSIG), ends its file and, for `flamegraph -- CMD`, stops
# the workload.  The guard is generous (10 s); speed is not asserted.
# requires: cargo perf
# labels: e2e
. "$(dirname "$0")/lib.sh"
setup orphan demo
cd "$W"

# alive PID: the process exists and is not a zombie
alive() {
	[ -d /proc/$1 ] && ! grep -q '^State:.*Z' /proc/$1/status 2>/dev/null
}

# gone_within PID WHAT: wait up to 10 s for PID to end
gone_within() {
	i=0
	while alive $1 && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	if alive $1; then
		kill -TERM $1 2>/dev/null
		fail "$2 (pid $1) still running 10 s after the tool was killed"
	fi
}

# wait_perf TOOLPID: the pid of the perf child, once it is recording
wait_perf() {
	i=0
	while [ ! -s perf.data ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -s perf.data ] || fail "perf never started recording"
	p=$(pgrep -P $1 | head -1)
	[ -n "$p" ] || fail "no perf child of the tool"
	echo $p
}

# --pid on a sleeping process
sleep 60 &
spid=$!
trap 'kill $spid 2>/dev/null' EXIT
"$FG" --pid $spid -o "$W/pid.svg" >"$OUT" 2>"$ERR" &
fpid=$!
perf_pid=$(wait_perf $fpid) || exit 1
kill -KILL $fpid
wait $fpid 2>/dev/null
gone_within $perf_pid "perf record --pid"
alive $spid || fail "the recorded process was killed"
kill $spid
wait $spid 2>/dev/null

# a command: perf and the workload both end
rm -f perf.data
"$FG" -o "$W/cmd.svg" -- sleep 60 >"$OUT" 2>"$ERR" &
fpid=$!
perf_pid=$(wait_perf $fpid) || exit 1
work_pid=$(pgrep -P $perf_pid | head -1)
kill -KILL $fpid
wait $fpid 2>/dev/null
gone_within $perf_pid "perf record -- sleep"
[ -z "$work_pid" ] || gone_within $work_pid "the workload"
echo ok
