#!/usr/bin/env bash
# Benchmark (not a test): starts the four packaged services against fresh "bench" databases and
# vhost, drives orders at fixed rates and prints completed orders/s, latency p50/p99/max and RSS.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib.sh"
case "${1:-}" in
  -h|--help) echo "Usage: ./shop bench [--rates 30,45,60] [--duration 60] [--warmup 180]   (results: paste into docs/benchmark.md)"; exit 0 ;;
esac
ensure_infra
reset_env bench
if [ "${SHOP_SKIP_BUILD:-0}" != 1 ]; then
  # One reactor build: the service jars and the benchmark's classpath (works on a fresh ~/.m2, where the
  # service poms are not installed and "-pl system-tests" alone could not resolve them).
  log "building services and benchmark classpath"
  mvnw package -DskipTests dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
fi
log "running benchmark $*"
cd "$ROOT"
java -Dshop.env=bench -Dshop.root="$ROOT" -cp "system-tests/target/test-classes:$(cat system-tests/target/cp.txt)" dev.shop.system.bench.Benchmark "$@"
