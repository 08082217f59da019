#!/usr/bin/env bash
# Benchmark (not a test): starts the four packaged services against fresh "bench" databases and
# vhost, drives orders at fixed rates and prints completed orders/s, latency p50/p99/max, RSS and CPU
# per completed order by process. --floor runs the floor instead (tools/floor: the same broker and
# database work per order without the services); --compare runs both, shop first, and prints the ratio.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib.sh"

usage() {
  cat <<'USAGE'
Usage: ./shop bench [--rates 30,45,60] [--duration 60] [--warmup 180] [--cpu-out FILE] [--no-monitor-cost] [--analyze]
       ./shop bench --floor [--rates 30,60] [--duration 60] [--warmup 30] [--batch 32] [--keep]   (all options: --floor --help)
       ./shop bench --compare [--rates 30,60] [--duration 60] [--warmup 180]

  (default)   the four services, open-loop orders at each rate: completed orders/s, p50/p99/max, RSS,
              CPU ms per completed order of each service, RabbitMQ, PostgreSQL and the load generator
              (also written to system-tests/target/bench-cpu.tsv), work per order from PostgreSQL's and
              RabbitMQ's own statistics, and the correctness monitor's cost (--no-monitor-cost skips it)
  --analyze   ANALYZE the bench databases after the warm-up, as autovacuum would on a production server
              (this machine's PostgreSQL runs with autovacuum off: tables are never analyzed)
  --floor     the floor (tools/floor): the same publishes, deliveries and commits per order done by a plain
              program in its own vhost (shop-floor) and database (shop_floor); CPU per order by process
  --compare   shop, then the floor at the same rates and duration (the floor warms up for 30 s), then
              both CPU tables and shop / floor per rate

Environment: SHOP_SKIP_BUILD=1 reuses the last build; SHOP_JAVA_OPTS sets the services' JVM options
(default -Xmx256m -XX:+UseSerialGC); SHOP_FLOOR_JAVA_OPTS the floor's (default -Xmx128m -XX:+UseSerialGC).
The JDK is the first `java` on PATH (e.g. PATH=/usr/lib/jvm/temurin-25-jdk-amd64/bin:$PATH for JDK 25).
On a shared machine run it under the build lock: flock /tmp/shop-maven.lock ./shop bench ...
Results: paste into docs/benchmark.md.
USAGE
}

mode=shop
args=()
all=("$@")
for ((i = 0; i < ${#all[@]}; i++)); do
  a=${all[$i]}
  case "$a" in
    -h|--help) if [ "$mode" = floor ]; then args+=("$a"); else usage; exit 0; fi ;;
    --floor) mode=floor ;;
    # "--compare FILE" is the floor's own option (compare with an earlier shop run); a bare --compare runs both.
    --compare) if [ $((i + 1)) -lt ${#all[@]} ] && [ "${all[$((i + 1))]#--}" = "${all[$((i + 1))]}" ]; then
                 args+=("$a" "${all[$((i + 1))]}"); i=$((i + 1)); mode=floor
               else mode=compare; fi ;;
    *) args+=("$a") ;;
  esac
done

# The floor gets the rates and duration only: its warm-up is its own (a plain JVM needs far less).
floor_args() {
  local i=0 out=()
  while [ $i -lt ${#args[@]} ]; do
    case "${args[$i]}" in
      --rates|--duration) out+=("${args[$i]}" "${args[$((i + 1))]:-}"); i=$((i + 2)) ;;
      --warmup|--cpu-out) i=$((i + 2)) ;;
      --no-monitor-cost|--analyze) i=$((i + 1)) ;;
      *) i=$((i + 1)) ;;
    esac
  done
  printf '%s\n' "${out[@]}"
}

run_floor() { # run_floor <args...>
  (cd "$ROOT" && exec java ${SHOP_FLOOR_JAVA_OPTS:--Xmx128m -XX:+UseSerialGC} -Dshop.root="$ROOT" \
    -cp "tools/floor/target/classes:$(cat tools/floor/target/cp.txt)" dev.shop.floor.Floor "$@")
}

if [ "$mode" = floor ] && printf '%s\n' "${args[@]+"${args[@]}"}" | grep -qxE -- '-h|--help'; then
  [ -f "$ROOT/tools/floor/target/cp.txt" ] || mvnw package -DskipTests -pl tools/floor -am dependency:build-classpath -Dmdep.outputFile=target/cp.txt
  run_floor --help; exit 0
fi

ensure_infra
if [ "$mode" = floor ]; then
  if [ "${SHOP_SKIP_BUILD:-0}" != 1 ]; then
    log "building the floor (tools/floor)"
    mvnw package -DskipTests -pl tools/floor -am dependency:build-classpath -Dmdep.outputFile=target/cp.txt
  fi
  log "running the floor ${args[*]+"${args[*]}"}"
  run_floor "${args[@]+"${args[@]}"}"
  exit 0
fi

reset_env bench
if [ "${SHOP_SKIP_BUILD:-0}" != 1 ]; then
  # One reactor build: the service jars, the floor and the benchmark's classpath (works on a fresh ~/.m2, where
  # the service poms are not installed and "-pl system-tests" alone could not resolve them).
  log "building services, floor and benchmark classpath"
  mvnw package -DskipTests -pl eventing,order-svc,inventory-svc,billing-svc,notification-svc,tools/floor,system-tests \
    dependency:build-classpath -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test
fi
cpu_file="$ROOT/system-tests/target/bench-cpu.tsv"
for ((i = 0; i < ${#args[@]}; i++)); do [ "${args[$i]}" != --cpu-out ] || cpu_file=$(realpath -m "${args[$((i + 1))]:-}"); done
log "running benchmark ${args[*]+"${args[*]}"}"
cd "$ROOT"
java -Dshop.env=bench -Dshop.root="$ROOT" -cp "system-tests/target/test-classes:$(cat system-tests/target/cp.txt)" \
  dev.shop.system.bench.Benchmark "${args[@]+"${args[@]}"}"
if [ "$mode" = compare ]; then
  mapfile -t fargs < <(floor_args)
  log "running the floor at the same rates ${fargs[*]+"${fargs[*]}"} (services stopped)"
  run_floor "${fargs[@]+"${fargs[@]}"}" --compare "$cpu_file"
fi
