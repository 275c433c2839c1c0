#!/usr/bin/env bash
# http-threads.sh JAR LABEL [warm-up writes] [measured writes]
#
# CPU time and voluntary context switches per committed entry, per node process and per thread
# group, of the example's HTTP path (benchmarks/PROFILE.md, "HTTP path"): starts a fresh 3-node
# cluster from JAR (examples/run-cluster.sh, on ports 17101.. and 18101.. unless KV_RAFT_BASE_PORT /
# KV_HTTP_BASE_PORT say otherwise), runs a W1 warm-up bench, then reads /proc/<pid>/task/*/stat and
# status of every node thread before and after a measured W1 bench (32 clients), and prints per node
# the CPU per entry with and without the JIT compiler threads. Thread names are grouped with their
# digits replaced by '#'. Output files go to target/http-threads/. Stops the cluster at the end.
set -u
jar="$1" label="$2" warm="${3:-20000}" ops="${4:-30000}"
here="$(cd "$(dirname "$0")/../.." && pwd)"
out=$here/target/http-threads; mkdir -p "$out"
export KV_JAR="$jar" KV_CLUSTER_DIR="${KV_CLUSTER_DIR:-/tmp/http-threads-cluster}"
export KV_RAFT_BASE_PORT="${KV_RAFT_BASE_PORT:-17100}" KV_HTTP_BASE_PORT="${KV_HTTP_BASE_PORT:-18100}"
export KV_START_TIMEOUT="${KV_START_TIMEOUT:-120}"
rc=$here/examples/run-cluster.sh
$rc clean >/dev/null 2>&1
$rc start > $out/$label.start 2>&1 || { cat $out/$label.start; exit 1; }
$rc bench --workload W1 --ops "$warm" --warmup 2000 --no-progress > $out/$label.warm 2>&1
snap() { # per thread: node name cpu-ticks voluntary-context-switches
  for f in $KV_CLUSTER_DIR/n*.pid; do p=$(cat $f); n=$(basename $f .pid)
    for t in /proc/$p/task/*; do s=$(cat $t/stat 2>/dev/null) || continue
      name=${s#*(}; name=${name%%)*}; rest=${s##*) }; read -r -a a <<<"$rest"
      v=$(awk '/^voluntary_ctxt/{print $2}' $t/status 2>/dev/null)
      echo "$n ${name// /_} $((a[11]+a[12])) ${v:-0}"; done; done; }
status() { for i in 1 2 3; do curl -s "http://127.0.0.1:$((KV_HTTP_BASE_PORT + i))/v1/status"; echo; done; }
leader_commit() { status | grep '"role":"LEADER"' | sed -n 's/.*"commitIndex":\([0-9]*\).*/\1/p'; }
snap > $out/$label.cpu0; c0=$(leader_commit)
$rc bench --workload W1 --ops "$ops" --warmup 0 --no-progress > $out/$label.bench 2>&1
c1=$(leader_commit); snap > $out/$label.cpu1
entries=$((c1-c0))
echo "$label entries=$entries $(grep RESULT $out/$label.bench)"
python3 - "$out/$label.cpu0" "$out/$label.cpu1" "$entries" "$(getconf CLK_TCK)" <<'PY'
import sys,re,collections
def load(f):
    d={}; w={}
    for l in open(f):
        n,name,t,v=l.split(); d.setdefault((n,name),[]).append(int(t)); w.setdefault((n,name),[]).append(int(v))
    return d,w
(a,aw),(b,bw)=load(sys.argv[1]),load(sys.argv[2]); e=int(sys.argv[3]); hz=int(sys.argv[4])
cs=collections.defaultdict(lambda: collections.Counter())
for k,v in bw.items():
    d=sum(v)-sum(aw.get(k,[]))
    if d>0: cs[k[0]][re.sub(r'\d+','#',k[1])]+=d
per=collections.defaultdict(lambda: collections.Counter())
tot=collections.Counter()
for k,v in b.items():
    before=sum(a.get(k,[])); d=sum(v)-before
    if d<=0: continue
    node,name=k; grp=re.sub(r'\d+','#',name)
    per[node][grp]+=d; tot[node]+=d
for node in sorted(tot):
    # the node that served the bench's HTTP writes (the leader) is the one whose Jetty threads worked
    role='L' if per[node]['kv-jetty-n#-#']*1e6/hz/e > 20 else 'F'
    nojit=sum(c for g,c in per[node].items() if 'Compiler' not in g)
    print(f"  {node}({role}) {tot[node]*1e6/hz/e:.0f} us/entry, without JIT {nojit*1e6/hz/e:.0f}: "+", ".join(f"{g}={c*1e6/hz/e:.0f}" for g,c in per[node].most_common(10)))
    print(f"      voluntary ctx switches/entry {sum(cs[node].values())/e:.2f}: "+", ".join(f"{g}={c/e:.2f}" for g,c in cs[node].most_common(8)))
print(f"  total {sum(tot.values())*1e6/hz/e:.0f} us/entry")
PY
$rc clean >/dev/null 2>&1
