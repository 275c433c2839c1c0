#!/usr/bin/env bash
# Runs Jangada's replicated key-value store as a local cluster on 127.0.0.1.
#
#   ./examples/run-cluster.sh start        build if needed, start 3 nodes, wait for a leader
#   ./examples/run-cluster.sh status       role, readiness, term and indexes of every node
#   ./examples/run-cluster.sh kill 2       SIGKILL node n2 (crash it)
#   ./examples/run-cluster.sh start 2      restart node n2 (it catches up from the others)
#   ./examples/run-cluster.sh stop [N]     stop every node (or node nN) gracefully
#   ./examples/run-cluster.sh add N        start nN empty (--join), add it as a learner, wait
#                                          until it caught up, promote it to voter
#   ./examples/run-cluster.sh remove N     remove nN from the configuration, stop it, move its
#                                          data aside (cluster/nN.removed.<time>)
#   ./examples/run-cluster.sh recover N --i-understand-this-is-unsafe
#                                          UNSAFE, when a majority is lost for good: nN alone
#                                          becomes the cluster (kv recover); every other node's
#                                          data is moved aside (cluster/nJ.lost.<time>)
#   ./examples/run-cluster.sh logs         follow all node logs, colored by node
#   ./examples/run-cluster.sh cli [...]    the interactive client (or: cli put k v)
#   ./examples/run-cluster.sh bench [...]  the BENCHMARK.md W1/W2 put workload over HTTP
#   ./examples/run-cluster.sh demo basic   watch Raft work in one process (no cluster needed)
#   ./examples/run-cluster.sh clean        stop everything and delete data and logs
#
# Node nI listens for Raft (gRPC) on 127.0.0.1:(7100+I) and for HTTP on 127.0.0.1:(8100+I):
# n1 = 7101/8101, n2 = 7102/8102, n3 = 7103/8103, an added n4 = 7104/8104. Data, logs and PID
# files live in examples/cluster/ (git-ignored), with the lists of nodes added and removed since
# the first start (files 'added', 'removed'). Each node runs its own copy of the jar it was started
# with (nI/kv.jar), so restarting nodes one at a time with a new KV_JAR upgrades the cluster
# while it serves (a rolling upgrade). Environment overrides: KV_NODES (3),
# KV_RAFT_BASE_PORT (7100), KV_HTTP_BASE_PORT (8100), KV_CLUSTER_DIR, KV_JAR, KV_JAVA_OPTS (the
# nodes' JVM options), KV_BENCH_JAVA_OPTS, KV_BENCH_JAR (the jar that runs `bench`, by default the
# nodes' jar: e.g. drive an older build's cluster with this build's bench client), KV_TICK_MS (50),
# KV_CATCHUP_TIMEOUT (120 s for add), KV_START_TIMEOUT (30 s: how long start and add wait for a
# node to answer and for a leader).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/.." && pwd)"
nodes="${KV_NODES:-3}"
raft_base="${KV_RAFT_BASE_PORT:-7100}"
http_base="${KV_HTTP_BASE_PORT:-8100}"
dir="${KV_CLUSTER_DIR:-$here/cluster}"
jar="${KV_JAR:-}"
# The nodes' and the bench's JVM options. C1-only with the serial collector looked cheaper in short
# runs (C2 compiles for minutes in every JVM), but on full W1/W2 runs on a quiet 2-core machine the
# JVM's usual G1 + C2 gave 2,317 vs 1,840 ops/s (W1) and 731 vs 379 (W2): keep the defaults.
# The serial collector with C2 (KV_JAVA_OPTS="-Xms128m -Xmx512m -XX:+UseSerialGC") used 9-13 % less
# node CPU per write in W1 pairs (benchmarks/PROFILE.md, branch httpcpu), but on the loaded 2-core
# machine its stop-the-world pauses reached 0.6-1.2 s (G1's 0.13-0.32 s), beyond the 500 ms election
# timeout, and two of four serial runs lost their leader mid-run: G1 stays the default.
java_opts="${KV_JAVA_OPTS:--Xms128m -Xmx512m -XX:+UseG1GC}"
bench_java_opts="${KV_BENCH_JAVA_OPTS:--Xms1g -Xmx1g -XX:+UseG1GC}"
tick_ms="${KV_TICK_MS:-50}"

die() { echo "run-cluster: $*" >&2; exit 1; }

find_jar() {
  if [[ -n "$jar" ]]; then
    [[ -f "$jar" ]] || die "KV_JAR=$jar does not exist"
    return
  fi
  jar="$(ls "$here"/target/raft-examples-*-all.jar 2>/dev/null | head -n 1 || true)"
  local stale=""
  if [[ -n "$jar" ]]; then
    stale="$(find "$root"/raft-*/src/main "$root"/examples/src/main "$root"/pom.xml "$root"/*/pom.xml \
      -newer "$jar" -type f 2>/dev/null | head -n 1 || true)"
  fi
  if [[ -z "$jar" || -n "$stale" ]]; then
    echo "run-cluster: building the examples jar (mvn package, tests skipped)..." >&2
    (cd "$root" && mvn -B -ntp -q -DskipTests package -pl examples -am) >&2 \
      || die "the build failed"
    jar="$(ls "$here"/target/raft-examples-*-all.jar | head -n 1)"
  fi
}

raft_port() { echo $((raft_base + $1)); }
http_port() { echo $((http_base + $1)); }
pid_file() { echo "$dir/n$1.pid"; }
log_file() { echo "$dir/n$1.log"; }

# The cluster's nodes: 1..KV_NODES, plus those added, minus those removed (run-cluster.sh add/remove).
all_nodes() {
  local i
  {
    for ((i = 1; i <= nodes; i++)); do echo "$i"; done
    [[ -f "$dir/added" ]] && cat "$dir/added"
  } | sort -n -u | while read -r i; do
    [[ -n "$i" ]] || continue
    if [[ -f "$dir/removed" ]] && grep -qx "$i" "$dir/removed"; then continue; fi
    echo "$i"
  done
}

is_node() { [[ " $(all_nodes | tr '\n' ' ') " == *" $1 "* ]]; }

was_added() { [[ -f "$dir/added" ]] && grep -qx "$1" "$dir/added"; }

mark() { # mark added|removed N: records N in one list and drops it from the other
  local list="$1" other i="$2"
  if [[ "$list" == added ]]; then other=removed; else other=added; fi
  mkdir -p "$dir"
  if [[ -f "$dir/$other" ]]; then
    grep -vx "$i" "$dir/$other" >"$dir/$other.tmp" || true
    mv "$dir/$other.tmp" "$dir/$other"
  fi
  grep -qx "$i" "$dir/$list" 2>/dev/null || echo "$i" >>"$dir/$list"
}

peers() {
  local list="" i
  for ((i = 1; i <= nodes; i++)); do
    list+="${list:+,}n$i=127.0.0.1:$(raft_port "$i"):$(http_port "$i")"
  done
  echo "$list"
}

# The Raft addresses the CLI's RaftClient starts from: the cluster's nodes now (added ones included,
# removed ones left out), like http_urls; the first configuration's nodes may all be gone.
raft_addrs() {
  local list="" i
  for i in $(all_nodes); do
    list+="${list:+,}127.0.0.1:$(raft_port "$i")"
  done
  echo "$list"
}

http_urls() {
  local list="" i
  for i in $(all_nodes); do
    list+="${list:+,}http://127.0.0.1:$(http_port "$i")"
  done
  echo "$list"
}

running_pid() { # prints the PID of node $1 if it runs
  local file
  file="$(pid_file "$1")"
  [[ -f "$file" ]] || return 1
  local pid
  pid="$(cat "$file")"
  if kill -0 "$pid" 2>/dev/null; then
    echo "$pid"
  else
    rm -f "$file"
    return 1
  fi
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

check_node_arg() {
  [[ "$1" =~ ^[0-9]+$ ]] && is_node "$1" ||
    die "no node '$1' (nodes: $(all_nodes | tr '\n' ' '); add one with: $0 add N)"
}

start_node() {
  local i="$1" pid
  if pid="$(running_pid "$i")"; then
    echo "n$i already runs (pid $pid)"
    return
  fi
  for port in "$(raft_port "$i")" "$(http_port "$i")"; do
    port_busy "$port" && die "port $port (for n$i) is in use by another program; stop it or set KV_RAFT_BASE_PORT/KV_HTTP_BASE_PORT"
  done
  mkdir -p "$dir/n$i"
  # Each node runs from its own copy of the jar it is started with (KV_JAR or the build), made
  # while it is down: a rebuild never swaps the jar under a running JVM, and restarting the nodes
  # one at a time with a new KV_JAR (or after a rebuild) upgrades the cluster as it serves.
  cp "$jar" "$dir/n$i/kv.jar"
  # An added node starts (and restarts) in join mode: it learns the cluster from the log.
  local membership=(--peers "$(peers)")
  if was_added "$i"; then
    membership=(--join --raft-listen "127.0.0.1:$(raft_port "$i")" --http-listen "127.0.0.1:$(http_port "$i")")
  fi
  log_offset[$i]="$(stat -c %s "$(log_file "$i")" 2>/dev/null || echo 0)"
  # shellcheck disable=SC2086
  nohup java $java_opts -jar "$dir/n$i/kv.jar" server --id "n$i" "${membership[@]}" \
    --data-dir "$dir/n$i/data" --tick-ms "$tick_ms" >>"$(log_file "$i")" 2>&1 &
  echo $! >"$(pid_file "$i")"
  echo "n$i started (pid $!, raft 127.0.0.1:$(raft_port "$i"), http http://127.0.0.1:$(http_port "$i"))"
}

declare -A log_offset # the size of nI's log when start_node started it

# Why node $1 did not come up: the one-line "error: ..." it wrote since start_node started it.
startup_error() {
  local line low high port
  line="$(tail -c +"$((${log_offset[$1]:-0} + 1))" "$(log_file "$1")" 2>/dev/null | grep -m 1 '^error: ' || true)"
  # A port in the ephemeral range can be held by any outgoing connection of this machine (the
  # nodes' own included) without anything listening on it.
  if [[ "$line" =~ address\ [^\ ]*:([0-9]+)\ is\ in\ use ]] &&
    read -r low high </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null; then
    port="${BASH_REMATCH[1]}"
    if ((port >= low && port <= high)); then
      line+=" (port $port is in the ephemeral range $low-$high, where outgoing connections take"
      line+=" ports too: set KV_RAFT_BASE_PORT/KV_HTTP_BASE_PORT below it)"
    fi
  fi
  echo "${line:-no error line}"
}

members_json="" # the configuration, as GET /v1/members of the first node that answers

load_members() {
  local i
  members_json=""
  for i in $(all_nodes); do
    running_pid "$i" >/dev/null || continue
    members_json="$(curl -s -m 2 "http://127.0.0.1:$(http_port "$i")/v1/members" || true)"
    [[ "$members_json" == *'"members"'* ]] && return 0
  done
  members_json=""
}

member_role() { # voter, learner, joining-voter, leaving-voter, not-a-member, or ? (unknown)
  [[ -n "$members_json" ]] || { echo "?"; return; }
  local role
  role="$(grep -o "\"id\":\"n$1\",\"role\":\"[A-Z_]*\"" <<<"$members_json" | sed 's/.*"role":"\([A-Z_]*\)"/\1/' || true)"
  if [[ -z "$role" ]]; then echo "not-a-member"; else tr 'A-Z_' 'a-z-' <<<"$role"; fi
}

node_status() { # one line for node $1
  local i="$1" pid json
  if ! pid="$(running_pid "$i")"; then
    printf '%-4s %-10s %-13s http://127.0.0.1:%s\n' "n$i" "DOWN" "$(member_role "$i")" "$(http_port "$i")"
    return
  fi
  json="$(curl -s -m 2 "http://127.0.0.1:$(http_port "$i")/v1/status" || true)"
  if [[ -z "$json" || "$json" == *'"error"'* ]]; then
    printf '%-4s %-10s pid %-7s (starting or not answering)\n' "n$i" "STARTING" "$pid"
    return
  fi
  field() { sed -n "s/.*\"$1\":\"\{0,1\}\([^\",}]*\).*/\1/p" <<<"$json" | sed 's/^null$/-/'; }
  local ready
  ready="$(curl -s -o /dev/null -w '%{http_code}' -m 2 "http://127.0.0.1:$(http_port "$i")/health/ready" || true)"
  if [[ "$ready" == 200 ]]; then ready=ready; else ready=not-ready; fi
  printf '%-4s %-10s %-13s %-9s pid %-7s term %-4s leader %-4s commit %-8s applied %-8s last %s\n' \
    "n$i" "$(field role)" "$(member_role "$i")" "$ready" "$pid" "$(field term)" "$(field leader)" \
    "$(field commitIndex)" "$(field appliedIndex)" "$(field lastIndex)"
}

wait_for_node() { # until node $1 answers /v1/status with its role
  local deadline=$((SECONDS + ${2:-30})) json
  while ((SECONDS < deadline)); do
    json="$(curl -s -m 1 "http://127.0.0.1:$(http_port "$1")/v1/status" || true)"
    [[ "$json" == *'"role"'* ]] && return 0
    running_pid "$1" >/dev/null || return 1
    sleep 0.2
  done
  return 1
}

wait_for_leader() {
  local deadline=$((SECONDS + ${1:-30})) i json
  while ((SECONDS < deadline)); do
    for i in $(all_nodes); do
      json="$(curl -s -m 1 "http://127.0.0.1:$(http_port "$i")/v1/status" || true)"
      if [[ "$json" == *'"role":"LEADER"'* ]]; then
        return 0
      fi
    done
    sleep 0.2
  done
  return 1
}

proc_cpu_ticks() { # user + system CPU time of process $1, in clock ticks (0 if unknown)
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || { echo 0; return; }
  stat="${stat##*) }"
  read -r -a fields <<<"$stat"
  echo $((fields[11] + fields[12]))
}

leader_commit_index() { # the commit index the leader reports, or nothing
  local i json
  for i in $(all_nodes); do
    running_pid "$i" >/dev/null || continue
    json="$(curl -s -m 2 "http://127.0.0.1:$(http_port "$i")/v1/status" || true)"
    if [[ "$json" == *'"role":"LEADER"'* ]]; then
      sed -n 's/.*"commitIndex":\([0-9]*\).*/\1/p' <<<"$json"
      return
    fi
  done
}

api_status="" api_body="" # the answer of the last call to api

api() { # api METHOD PATH [BODY] [SKIP]: sends to running nodes in turn (not nSKIP) until one answers
  local method="$1" path="$2" body="${3:-}" skip="${4:-}" i out
  api_status="" api_body=""
  for i in $(all_nodes); do
    [[ "$i" == "$skip" ]] && continue
    running_pid "$i" >/dev/null || continue
    out="$(curl -s -m 20 -X "$method" -H 'Content-Type: application/json' ${body:+--data "$body"} \
      -w '\n%{http_code}' "http://127.0.0.1:$(http_port "$i")$path" || true)"
    api_status="${out##*$'\n'}"
    api_body="${out%$'\n'*}"
    [[ "$api_status" == 000 || "$api_status" == 503 ]] && continue
    return 0
  done
  return 1
}

any_running() {
  local j
  for j in $(all_nodes); do running_pid "$j" >/dev/null && return 0; done
  return 1
}

add_node() {
  local i="$1" deadline
  [[ "$i" =~ ^[0-9]+$ ]] && ((i >= 1)) || die "usage: $0 add N (a node number, e.g. 4)"
  if is_node "$i" && { running_pid "$i" >/dev/null || [[ -d "$dir/n$i/data" ]]; }; then
    die "n$i is a node of this cluster already (remove it first: $0 remove $i)"
  fi
  [[ -d "$dir/n$i/data" ]] && die "$dir/n$i/data holds old data; move it away before adding n$i again"
  any_running || die "no node runs; start the cluster first ($0 start)"
  for port in "$(raft_port "$i")" "$(http_port "$i")"; do
    port_busy "$port" && die "port $port (for n$i) is in use by another program; stop it or set KV_RAFT_BASE_PORT/KV_HTTP_BASE_PORT"
  done
  mark added "$i"
  start_node "$i"
  wait_for_node "$i" "$start_timeout" ||
    abandon_add "$i" "n$i did not come up: $(startup_error "$i") (see $(log_file "$i"))"
  local body="{\"id\":\"n$i\",\"raft\":\"127.0.0.1:$(raft_port "$i")\",\"http\":\"127.0.0.1:$(http_port "$i")\"}"
  api POST /v1/members "$body" "$i" || abandon_add "$i" "no member answered; is there a leader? ($0 status)"
  [[ "$api_status" == 200 ]] || abandon_add "$i" "adding n$i failed (HTTP $api_status): $api_body"
  echo "n$i added as a learner; waiting for it to catch up"
  deadline=$((SECONDS + ${KV_CATCHUP_TIMEOUT:-120}))
  while ((SECONDS < deadline)); do
    api POST "/v1/members/n$i/promote" "" "$i" || { sleep 0.5; continue; }
    case "$api_status" in
      200)
        echo "n$i promoted: it is a voter"
        return 0
        ;;
      409)
        [[ "$api_body" == *NOT_CAUGHT_UP* || "$api_body" == *CHANGE_IN_PROGRESS* ]] ||
          die "promoting n$i failed (HTTP 409): $api_body"
        sleep 0.5
        ;;
      *) die "promoting n$i failed (HTTP $api_status): $api_body" ;;
    esac
  done
  die "n$i did not catch up within ${KV_CATCHUP_TIMEOUT:-120} s; it stays a learner (promote it later: $0 cli promote n$i)"
}

# abandon_add N MESSAGE: an add that failed before nN became a learner: stops nN, deletes its (new,
# empty) data and drops it from the added list, so that no node that is no member is left running
# or listed, then fails with MESSAGE.
abandon_add() {
  local i="$1"
  stop_node "$i" >/dev/null
  rm -rf "${dir:?}/n$i"
  if [[ -f "$dir/added" ]]; then
    grep -vx "$i" "$dir/added" >"$dir/added.tmp" || true
    mv "$dir/added.tmp" "$dir/added"
  fi
  die "$2 (n$i was not added; its process was stopped and its data deleted)"
}

remove_node() {
  local i="$1"
  check_node_arg "$i"
  if api DELETE "/v1/members/n$i" "" "$i" || api DELETE "/v1/members/n$i"; then
    case "$api_status" in
      200) echo "n$i removed from the configuration" ;;
      404) echo "n$i was not a member of the configuration" ;;
      *) die "removing n$i failed (HTTP $api_status): $api_body" ;;
    esac
  else
    die "no member answered; is there a leader? ($0 status)"
  fi
  stop_node "$i"
  mark removed "$i"
  if [[ -d "$dir/n$i" ]]; then
    mv "$dir/n$i" "$dir/n$i.removed.$(date +%s)"
    echo "n$i's data moved to $dir/n$i.removed.* (a removed node must never restart with it)"
  fi
}

# recover N: the documented unsafe recovery (kv recover) for a majority lost for good, done so
# that the script cannot bring a left-out node back: started with its old data, it would elect a
# second leader with the other left-out nodes (a split brain; no node would notice).
recover_node() {
  local i="$1" j node_jar
  check_node_arg "$i"
  for j in $(all_nodes); do
    [[ "$j" == "$i" ]] && continue
    running_pid "$j" >/dev/null &&
      die "n$j runs: recover is for a majority lost for good; while one is up, replace nodes with remove and add (or stop every other node first)"
  done
  [[ -d "$dir/n$i/data" ]] || die "n$i has no data in $dir/n$i/data"
  node_jar="$dir/n$i/kv.jar" # the build n$i ran
  [[ -f "$node_jar" ]] || node_jar="$jar"
  stop_node "$i"
  java -Xmx256m -jar "$node_jar" recover --id "n$i" --data-dir "$dir/n$i/data" \
    --members "n$i=127.0.0.1:$(raft_port "$i"):$(http_port "$i")" --i-understand-this-is-unsafe ||
    die "recovering n$i failed (see above); nothing else was changed"
  for j in $(all_nodes); do
    [[ "$j" == "$i" ]] && continue
    mark removed "$j"
    if [[ -d "$dir/n$j" ]]; then
      mv "$dir/n$j" "$dir/n$j.lost.$(date +%s)"
      echo "n$j is left out: its data moved to $dir/n$j.lost.* (it must never restart with it)"
    fi
  done
  start_node "$i"
  wait_for_node "$i" "$start_timeout" ||
    die "n$i did not come up: $(startup_error "$i") (see $(log_file "$i"))"
}

stop_node() {
  local i="$1" pid
  pid="$(running_pid "$i")" || return 0
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$(pid_file "$i")"
  echo "n$i stopped"
}

# Seconds `start` waits for a node to answer and for a leader (KV_START_TIMEOUT; raise it on a
# heavily loaded machine, where three JVMs may need longer to start).
start_timeout="${KV_START_TIMEOUT:-30}"

cmd="${1:-help}"
shift || true
case "$cmd" in
  start)
    [[ $# -ge 1 ]] && check_node_arg "$1" # before the build: a typo costs no minutes
    find_jar
    mkdir -p "$dir"
    if [[ $# -ge 1 ]]; then
      start_node "$1"
      wait_for_node "$1" "$start_timeout" ||
        die "n$1 did not come up: $(startup_error "$1") (see $(log_file "$1"))"
    else
      for i in $(all_nodes); do start_node "$i"; done
    fi
    if wait_for_leader "$start_timeout"; then
      load_members
      for i in $(all_nodes); do node_status "$i"; done
    else
      echo "no leader after $start_timeout s; see: $0 logs" >&2
      exit 1
    fi
    ;;
  status)
    load_members
    for i in $(all_nodes); do node_status "$i"; done
    ;;
  stop)
    if [[ $# -ge 1 ]]; then
      check_node_arg "$1"
      stop_node "$1"
    else
      for i in $(all_nodes); do stop_node "$i"; done
    fi
    ;;
  add)
    [[ $# -ge 1 ]] || die "usage: $0 add N"
    find_jar
    mkdir -p "$dir"
    add_node "$1"
    load_members
    for i in $(all_nodes); do node_status "$i"; done
    ;;
  remove)
    [[ $# -ge 1 ]] || die "usage: $0 remove N"
    remove_node "$1"
    wait_for_leader "$start_timeout" || echo "no leader yet; see: $0 status" >&2
    load_members
    for i in $(all_nodes); do node_status "$i"; done
    ;;
  recover)
    [[ $# -ge 1 ]] || die "usage: $0 recover N --i-understand-this-is-unsafe"
    [[ "${2:-}" == --i-understand-this-is-unsafe ]] ||
      die "refusing without --i-understand-this-is-unsafe: writes only the lost nodes held are gone (usage: $0 recover N --i-understand-this-is-unsafe)"
    find_jar
    recover_node "$1"
    wait_for_leader "$start_timeout" || echo "no leader yet; see: $0 status" >&2
    load_members
    for i in $(all_nodes); do node_status "$i"; done
    ;;
  kill)
    [[ $# -ge 1 ]] || die "usage: $0 kill N"
    check_node_arg "$1"
    pid="$(running_pid "$1")" || die "n$1 is not running"
    kill -KILL "$pid"
    rm -f "$(pid_file "$1")"
    echo "n$1 killed (SIGKILL, pid $pid)"
    ;;
  logs)
    colors=(36 33 35 32 34 31)
    trap 'kill 0' INT TERM
    for i in $(all_nodes); do
      touch "$(log_file "$i")" 2>/dev/null || die "no logs yet; start the cluster first"
      c="${colors[$(((i - 1) % ${#colors[@]}))]}"
      tail -n 20 -F "$(log_file "$i")" 2>/dev/null | sed -u "s/^/$(printf '\033[%sm' "$c")[n$i]$(printf '\033[0m') /" &
    done
    wait
    ;;
  cli)
    find_jar
    exec java -Xmx256m -jar "$jar" cli --nodes "$(http_urls)" --raft-nodes "$(raft_addrs)" "$@"
    ;;
  bench)
    find_jar
    # Node CPU time (utime + stime, from /proc) and the leader's commit index, before and after:
    # the nodes' CPU per committed entry, warm-up included.
    declare -A cpu_before
    for i in $(all_nodes); do
      pid="$(running_pid "$i")" && cpu_before[$i]="$(proc_cpu_ticks "$pid")"
    done
    commit_before="$(leader_commit_index)"
    rc=0
    bench_jar="${KV_BENCH_JAR:-$jar}"
    [[ -f "$bench_jar" ]] || die "KV_BENCH_JAR=$bench_jar does not exist"
    # shellcheck disable=SC2086
    java $bench_java_opts -jar "$bench_jar" bench --nodes "$(http_urls)" "$@" || rc=$?
    commit_after="$(leader_commit_index)"
    if [[ -n "$commit_before" && -n "$commit_after" && "$commit_after" -gt "$commit_before" ]]; then
      entries=$((commit_after - commit_before)) hz="$(getconf CLK_TCK)" line="" total=0
      for i in $(all_nodes); do
        [[ -n "${cpu_before[$i]:-}" ]] || continue
        pid="$(running_pid "$i")" || continue
        ticks=$(($(proc_cpu_ticks "$pid") - cpu_before[$i]))
        total=$((total + ticks))
        line+=" n$i=$((ticks * 1000000 / hz / entries))"
      done
      echo "NODES cpu_us_per_entry:$line total=$((total * 1000000 / hz / entries)) entries=$entries (warm-up included)"
    fi
    exit "$rc"
    ;;
  demo)
    find_jar
    exec java -Xmx512m -jar "$jar" demo "$@"
    ;;
  clean)
    for f in "$dir"/n*.pid; do
      [[ -f "$f" ]] || continue
      i="${f##*/n}"
      stop_node "${i%.pid}"
    done
    rm -rf "$dir"
    echo "removed $dir"
    ;;
  help | -h | --help)
    sed -n '2,33p' "$0" | sed 's/^# \{0,1\}//'
    ;;
  *)
    die "unknown command '$cmd' (try: $0 help)"
    ;;
esac
