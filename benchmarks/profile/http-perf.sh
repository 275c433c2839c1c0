#!/usr/bin/env bash
# http-perf.sh NODE_JAR BENCH_JAR LABEL [delay s, default 45] [seconds, default 30]
#
# Where the leader's CPU goes, kernel included (benchmarks/PROFILE.md, "HTTP W1: the answering
# thread's CPU"): starts a fresh 3-node cluster from NODE_JAR (nodes with -XX:+PreserveFramePointer
# added to KV_JAVA_OPTS), runs the standard W1 bench with BENCH_JAR's client, and after DELAY seconds
# samples the leader with `perf record -g` for SECONDS seconds; then asks the leader's JVM for a
# perf map of its compiled code (jcmd Compiler.perfmap, JDK 17+) so perf names the Java frames.
# JFR sees only threads in Java code; this also shows the syscalls (a response's writev over
# loopback, the reads) and the scheduler. Summarise a thread group with
#   perf script -i target/http-perf/LABEL/perf.data -F comm,tid,ip,sym,dso > s.txt
#   benchmarks/profile/perf-stacks.py s.txt kv-answer 60
# Ports and cluster directory as in http-w1-twice.sh (KV_RAFT_BASE_PORT, KV_HTTP_BASE_PORT,
# KV_CLUSTER_DIR). Needs perf (as root here). Stops the cluster at the end.
set -u
jar="$1" bjar="$2" label="$3" delay="${4:-45}" secs="${5:-30}"
here="$(cd "$(dirname "$0")/../.." && pwd)"
rc=$here/examples/run-cluster.sh
out=$here/target/http-perf/$label; mkdir -p "$out"
export KV_JAR="$jar" KV_BENCH_JAR="$bjar" KV_CLUSTER_DIR="${KV_CLUSTER_DIR:-/tmp/http-perf}"
export KV_RAFT_BASE_PORT="${KV_RAFT_BASE_PORT:-27100}" KV_HTTP_BASE_PORT="${KV_HTTP_BASE_PORT:-28100}"
export KV_START_TIMEOUT="${KV_START_TIMEOUT:-120}"
export KV_JAVA_OPTS="${KV_JAVA_OPTS:--Xms128m -Xmx512m -XX:+UseG1GC} -XX:+PreserveFramePointer"
$rc clean >/dev/null 2>&1
$rc start > "$out/start" 2>&1 || { cat "$out/start"; $rc stop; exit 1; }
leader=$(for i in 1 2 3; do curl -s "http://127.0.0.1:$((KV_HTTP_BASE_PORT + i))/v1/status"; echo; done |
  grep '"role":"LEADER"' | sed -n 's/.*"id":"\(n[0-9]*\)".*/\1/p')
pid=$(cat "$KV_CLUSTER_DIR/$leader.pid")
echo "leader $leader pid $pid"
$rc bench --workload W1 --no-progress > "$out/bench" 2>&1 &
bench=$!
sleep "$delay"
perf record -F 499 -g -p "$pid" -o "$out/perf.data" -- sleep "$secs" > "$out/perf.log" 2>&1
jcmd "$pid" Compiler.perfmap > /dev/null 2>&1 # /tmp/perf-<pid>.map, read by perf script
wait $bench
grep -h -E 'RESULT|NODES' "$out/bench"
$rc stop >/dev/null 2>&1
