#!/usr/bin/env bash
# http-w1-twice.sh NODE_JAR BENCH_JAR LABEL [runs, default 2]
#
# The standard W1 HTTP bench (examples/run-cluster.sh bench --workload W1: 32 clients, 200,000
# writes after 20,000 warm-up) RUNS times on one fresh 3-node cluster started from NODE_JAR and
# driven by BENCH_JAR's client (benchmarks/PROFILE.md, "HTTP deployment: where the CPU goes").
# The first run pays the nodes' JIT, later runs show the steady state. Per run it prints the RESULT
# and NODES lines, then per node the CPU per committed entry by thread group (utime + stime from
# /proc/<pid>/task/*/stat before and after the run, warm-up included; JIT = C1/C2 compiler threads,
# GC+VM = collector and VM threads), voluntary context switches per entry, and the log syncs per
# entry and entries per sync (the jangada_log_sync_batch_entries summary of GET /metrics; nothing
# for a build without it). Cluster on ports 27101.. / 28101.. in /tmp/http-w1-twice unless
# KV_RAFT_BASE_PORT / KV_HTTP_BASE_PORT / KV_CLUSTER_DIR say otherwise; KV_JAVA_OPTS is passed on.
# Files go to target/http-w1-twice/. Stops the cluster at the end. BENCH_ARGS (e.g. "--ops 5000
# --warmup 500", for a quick try of the script) are added to the bench's arguments.
set -u
jar="$1" bjar="$2" label="$3" runs="${4:-2}"
here="$(cd "$(dirname "$0")/../.." && pwd)"
rc=$here/examples/run-cluster.sh
out=$here/target/http-w1-twice; mkdir -p "$out"
export KV_JAR="$jar" KV_BENCH_JAR="$bjar" KV_CLUSTER_DIR="${KV_CLUSTER_DIR:-/tmp/http-w1-twice}"
export KV_RAFT_BASE_PORT="${KV_RAFT_BASE_PORT:-27100}" KV_HTTP_BASE_PORT="${KV_HTTP_BASE_PORT:-28100}"
export KV_START_TIMEOUT="${KV_START_TIMEOUT:-120}"
$rc clean >/dev/null 2>&1
$rc start > "$out/$label.start" 2>&1 || { cat "$out/$label.start"; $rc stop; exit 1; }
snap() { # per thread: node name cpu-ticks voluntary-context-switches
  local f p n t s name rest a v
  for f in "$KV_CLUSTER_DIR"/n*.pid; do p=$(cat "$f"); n=$(basename "$f" .pid)
    for t in /proc/$p/task/*; do s=$(cat "$t/stat" 2>/dev/null) || continue
      name=${s#*(}; name=${name%%)*}; rest=${s##*) }; read -r -a a <<<"$rest"
      v=$(awk '/^voluntary_ctxt/{print $2}' "$t/status" 2>/dev/null)
      echo "$n ${name// /_} $((a[11]+a[12])) ${v:-0}"; done; done; }
metrics() { for i in 1 2 3; do
    curl -s "http://127.0.0.1:$((KV_HTTP_BASE_PORT + i))/metrics" |
      grep -E '^jangada_log_sync_batch_entries_(count|sum)' | sed "s/^/n$i /"; done; }
leader_commit() { for i in 1 2 3; do curl -s "http://127.0.0.1:$((KV_HTTP_BASE_PORT + i))/v1/status"; echo; done |
    grep '"role":"LEADER"' | sed -n 's/.*"commitIndex":\([0-9]*\).*/\1/p'; }
for r in $(seq 1 "$runs"); do
  f=$out/$label.r$r
  snap > "$f.cpu0"; metrics > "$f.m0"; c0=$(leader_commit); l0=$(cut -d' ' -f1 /proc/loadavg)
  # shellcheck disable=SC2086
  $rc bench --workload W1 --no-progress ${BENCH_ARGS:-} > "$f.bench" 2>&1
  c1=$(leader_commit); snap > "$f.cpu1"; metrics > "$f.m1"; l1=$(cut -d' ' -f1 /proc/loadavg)
  echo "== $label run $r entries=$((c1-c0)) load $l0->$l1 $(grep -h -E 'RESULT|NODES' "$f.bench" | tr '\n' ' ')"
  python3 - "$f.cpu0" "$f.cpu1" "$((c1-c0))" "$f.m0" "$f.m1" "$(getconf CLK_TCK)" <<'PY'
import sys, re, collections
def load(f):
    d = collections.Counter(); w = collections.Counter()
    for l in open(f):
        n, name, t, v = l.split(); d[(n, name)] += int(t); w[(n, name)] += int(v)
    return d, w
def group(name):
    if 'Compiler' in name: return 'JIT'
    if name.startswith(('GC_Thread', 'G1_')) or name == 'VM_Thread': return 'GC+VM'
    if name.startswith('kv-jetty'): return 'jetty'
    if name.startswith('grpc'): return 'grpc'
    return re.sub(r'\d+', '#', name)
(a, aw), (b, bw) = load(sys.argv[1]), load(sys.argv[2])
e = max(int(sys.argv[3]), 1); hz = int(sys.argv[6])
cpu = collections.defaultdict(collections.Counter); cs = collections.defaultdict(collections.Counter)
for k in b:
    if b[k] > a.get(k, 0): cpu[k[0]][group(k[1])] += b[k] - a.get(k, 0)
    if bw[k] > aw.get(k, 0): cs[k[0]][group(k[1])] += bw[k] - aw.get(k, 0)
m = {}
for f, s in ((sys.argv[4], 0), (sys.argv[5], 1)):
    for l in open(f):
        p = l.split(); m[(p[0], p[1].split('{')[0], s)] = float(p[-1])
us = lambda ticks: ticks * 1e6 / hz / e
total = 0
for n in sorted(cpu):
    t = sum(cpu[n].values()); total += t
    sync = ''
    try:
        cnt = m[(n, 'jangada_log_sync_batch_entries_count', 1)] - m[(n, 'jangada_log_sync_batch_entries_count', 0)]
        sm = m[(n, 'jangada_log_sync_batch_entries_sum', 1)] - m[(n, 'jangada_log_sync_batch_entries_sum', 0)]
        sync = f', syncs/entry {cnt / e:.3f}, entries/sync {sm / max(cnt, 1):.1f}'
    except KeyError:
        pass
    print(f'  {n} {us(t):.0f} us/entry (without JIT {us(t - cpu[n]["JIT"]):.0f}){sync}')
    print('     ' + ', '.join(f'{g}={us(c):.0f}' for g, c in cpu[n].most_common(9)))
    print('     voluntary switches/entry ' + ', '.join(f'{g}={c / e:.2f}' for g, c in cs[n].most_common(6)))
print(f'  nodes {us(total):.0f} us/entry')
PY
done
$rc stop >/dev/null 2>&1
