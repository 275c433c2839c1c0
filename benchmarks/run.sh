#!/usr/bin/env bash
# Runs a benchmark program with the JVM settings of BENCHMARK.md.
#   benchmarks/run.sh [--transport memory|grpc] [--storage memory|file] [--clients 32] [--ops N]
#                     [--nodes 3|5] [--value-bytes 100] [--runs 3] ...
# NodeBenchmark starts each run in a fresh JVM with these same JVM flags.
#   BENCH_MAIN=io.jangada.raft.benchmarks.OtherProgram benchmarks/run.sh ...
# Builds on first use (or when benchmarks/pom.xml changed); after changing sources, set
# BENCH_REBUILD=1 to build again.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -f benchmarks/target/classpath.txt ] || [ -n "${BENCH_REBUILD:-}" ] \
  || [ benchmarks/pom.xml -nt benchmarks/target/classpath.txt ]; then
  mvn -B -ntp -q -DskipTests -pl benchmarks -am package >&2
fi
exec java -Xmx2g -Xms2g -XX:+UseG1GC -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
  -cp "benchmarks/target/classes:$(cat benchmarks/target/classpath.txt)" \
  "${BENCH_MAIN:-io.jangada.raft.benchmarks.NodeBenchmark}" "$@"
