#!/usr/bin/env bash
# Chaos run (./shop chaos): two instances of every service behind TCP fault proxies, open-loop load, a
# seeded nemesis (process, broker, database and network faults), then a checker of every order and
# invariant. Uses its own "chaos" databases and vhost (reset here). Restarts the local RabbitMQ and
# PostgreSQL during the run (and always restores them): run it under the same lock as other heavy jobs.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib.sh"
CP="$ROOT/tools/chaos/target/classes"
case "${1:-}" in
  -h|--help)
    if [ -f "$ROOT/tools/chaos/target/cp.txt" ]; then exec java -cp "$CP:$(cat "$ROOT/tools/chaos/target/cp.txt")" dev.shop.chaos.Chaos --help; fi
    echo "Usage: ./shop chaos [--orders N] [--rate R] [--seed S] [--faults LIST] ... (build first for the full option list: ./mvnw package -DskipTests -pl tools/chaos -am)"
    exit 0 ;;
esac
command -v pg_ctlcluster >/dev/null 2>&1 || die "pg_ctlcluster not found: the chaos run restarts a local PostgreSQL cluster (Debian's postgresql-common)"
command -v rabbitmqctl >/dev/null 2>&1 || die "rabbitmqctl not found: the chaos run stops and restarts a local RabbitMQ"
ensure_infra
reset_env chaos
if [ "${SHOP_SKIP_BUILD:-0}" != 1 ]; then
  log "building services and the chaos tool"
  mvnw package -DskipTests -pl eventing,order-svc,inventory-svc,billing-svc,notification-svc,tools/chaos
fi
[ -f "$ROOT/tools/chaos/target/cp.txt" ] || die "tools/chaos is not built: ./mvnw package -DskipTests -pl tools/chaos -am (or unset SHOP_SKIP_BUILD)"
log "running chaos $*"
cd "$ROOT"
exec java -cp "$CP:$(cat "$ROOT/tools/chaos/target/cp.txt")" dev.shop.chaos.Chaos --root "$ROOT" "$@"
