#!/usr/bin/env bash
# Shared functions for ./shop and the test scripts. Sourced, not executed.
ROOT="${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
RUN_DIR="$ROOT/.run"
SERVICES=(order inventory billing notification)
declare -A PORT=([order]=8081 [inventory]=8082 [billing]=8083 [notification]=8084)
RABBIT_API="${RABBIT_API:-http://127.0.0.1:15672/api}"
RABBIT_USER="${RABBIT_USER:-guest}"
RABBIT_PASS="${RABBIT_PASS:-guest}"
PGHOST="${PGHOST:-127.0.0.1}"; export PGHOST
PGPORT="${PGPORT:-5432}"; export PGPORT
PG_SUPERUSER="${PG_SUPERUSER:-postgres}"

log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }
die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }

# vhost and database suffix per environment: dev (./shop up), test (@QuarkusTest), e2e (system tests).
vhost_for() { case "$1" in dev) echo shop ;; *) echo "shop-$1" ;; esac; }
db_for() { case "$2" in dev) echo "shop_$1" ;; *) echo "shop_$1_$2" ;; esac; }

wait_for() { # wait_for <seconds> <description> <command...>
  local secs=$1 what=$2; shift 2
  for _ in $(seq "$secs"); do "$@" >/dev/null 2>&1 && return 0; sleep 1; done
  die "$what did not come up within ${secs}s"
}

ensure_postgres() {
  if ! pg_isready -h "$PGHOST" -p "$PGPORT" -q 2>/dev/null; then
    log "starting PostgreSQL"
    local ver; ver=$(ls /etc/postgresql 2>/dev/null | sort -n | tail -1)
    [ -n "$ver" ] || die "PostgreSQL is not installed (apt-get install postgresql)"
    pg_ctlcluster --skip-systemctl-redirect "$ver" main start || true
    wait_for 60 PostgreSQL pg_isready -h "$PGHOST" -p "$PGPORT" -q
  fi
  psql -U "$PG_SUPERUSER" -d postgres -tAc "select 1 from pg_roles where rolname='shop'" | grep -q 1 \
    || psql -U "$PG_SUPERUSER" -d postgres -qc "create role shop login password 'shop'"
}

ensure_rabbitmq() {
  # A broker we do not manage (CI service container, remote host): the management API answering is enough.
  if ! command -v rabbitmq-diagnostics >/dev/null 2>&1; then
    wait_for 60 "RabbitMQ management API at $RABBIT_API" curl -sf -u "$RABBIT_USER:$RABBIT_PASS" "$RABBIT_API/overview"
    return 0
  fi
  if ! rabbitmq-diagnostics -q ping >/dev/null 2>&1; then
    log "starting RabbitMQ"
    rabbitmq-server -detached || true
    wait_for 90 RabbitMQ rabbitmq-diagnostics -q ping
  fi
  # AMQP 1.0 is a plugin on RabbitMQ 3.x; the management plugin serves the HTTP API the scripts use.
  # Enabling an enabled plugin is a no-op; on RabbitMQ 4.x AMQP 1.0 is built in and the name is accepted.
  if ! rabbitmq-plugins list -e -m 2>/dev/null | grep -qx rabbitmq_amqp1_0 \
     || ! rabbitmq-plugins list -e -m 2>/dev/null | grep -qx rabbitmq_management; then
    log "enabling RabbitMQ plugins rabbitmq_amqp1_0 rabbitmq_management"
    rabbitmq-plugins enable rabbitmq_amqp1_0 rabbitmq_management >/dev/null
  fi
  wait_for 60 "RabbitMQ management API" curl -sf -u "$RABBIT_USER:$RABBIT_PASS" "$RABBIT_API/overview"
}

ensure_infra() { ensure_postgres; ensure_rabbitmq; }

rabbit_api() { # rabbit_api <method> <path> [json]
  local m=$1 p=$2 body=${3:-}
  if [ -n "$body" ]; then
    curl -sf -u "$RABBIT_USER:$RABBIT_PASS" -X "$m" -H 'content-type: application/json' -d "$body" "$RABBIT_API$p"
  else
    curl -sf -u "$RABBIT_USER:$RABBIT_PASS" -X "$m" "$RABBIT_API$p"
  fi
}

urlenc() { python3 -c 'import sys,urllib.parse;print(urllib.parse.quote(sys.argv[1],safe=""))' "$1"; }

# Applies topology/definitions.json to a vhost. Declarations are idempotent; a queue that exists
# with different arguments makes the import fail loudly rather than silently keep old arguments.
apply_topology() {
  local vhost=$1 v; v=$(urlenc "$vhost")
  rabbit_api PUT "/vhosts/$v" '{}' >/dev/null
  rabbit_api PUT "/permissions/$v/$RABBIT_USER" '{"configure":".*","write":".*","read":".*"}' >/dev/null
  curl -sf -u "$RABBIT_USER:$RABBIT_PASS" -X POST -H 'content-type: application/json' \
    --data-binary "@$ROOT/topology/definitions.json" "$RABBIT_API/definitions/$v" >/dev/null \
    || die "applying topology/definitions.json to vhost $vhost failed (a queue with different arguments? see ./shop status)"
}

ensure_databases() {
  local env=$1 svc db
  for svc in "${SERVICES[@]}"; do
    db=$(db_for "$svc" "$env")
    psql -U "$PG_SUPERUSER" -d postgres -tAc "select 1 from pg_database where datname='$db'" | grep -q 1 \
      || psql -U "$PG_SUPERUSER" -d postgres -qc "create database \"$db\" owner shop"
  done
}

ensure_env() { # ensure_env <dev|test|e2e>
  ensure_databases "$1"
  if [ "$1" = test ]; then
    # Each service's @QuarkusTest gets a vhost of its own, so the test plays the other services alone.
    local svc; for svc in "${SERVICES[@]}"; do apply_topology "shop-test-$svc"; done
  else
    apply_topology "$(vhost_for "$1")"
  fi
}

# Drops and recreates an environment's databases and vhosts: tests start from a known state.
reset_env() { # reset_env <test|e2e>
  local env=$1 svc
  [ "$env" = dev ] && die "refusing to reset the dev environment"
  for svc in "${SERVICES[@]}"; do
    psql -U "$PG_SUPERUSER" -d postgres -qc "drop database if exists \"$(db_for "$svc" "$env")\" with (force)"
    if [ "$env" = test ]; then rabbit_api DELETE "/vhosts/shop-test-$svc" >/dev/null 2>&1 || true; fi
  done
  [ "$env" = test ] || rabbit_api DELETE "/vhosts/$(urlenc "$(vhost_for "$env")")" >/dev/null 2>&1 || true
  ensure_env "$env"
}

mvnw() { (cd "$ROOT" && ./mvnw -B -q "$@"); }

# Environment for one service process of a given environment.
service_env() { # service_env <svc> <env> <port>
  local svc=$1 env=$2 port=$3 db; db=$(db_for "$svc" "$env")
  echo "QUARKUS_HTTP_PORT=$port"
  echo "QUARKUS_DATASOURCE_REACTIVE_URL=postgresql://$PGHOST:$PGPORT/$db"
  echo "QUARKUS_DATASOURCE_JDBC_URL=jdbc:postgresql://$PGHOST:$PGPORT/$db"
  echo "SHOP_AMQP_VIRTUAL_HOST=$(vhost_for "$env")"
}

start_service() { # start_service <svc> <env> <port> <logfile>
  local svc=$1 env=$2 port=$3 logf=$4 jar="$ROOT/$1-svc/target/quarkus-app/quarkus-run.jar"
  [ -f "$jar" ] || die "$jar missing: build first (./mvnw package -DskipTests)"
  mkdir -p "$RUN_DIR"
  # shellcheck disable=SC2046
  env $(service_env "$svc" "$env" "$port") nohup java ${SHOP_JAVA_OPTS:--Xmx256m} -jar "$jar" >>"$logf" 2>&1 &
  echo $! > "$RUN_DIR/$svc-svc.pid"
}

wait_ready() { # wait_ready <port> <svc>
  for _ in $(seq 120); do
    curl -sf "http://127.0.0.1:$1/q/health/ready" >/dev/null 2>&1 && return 0
    sleep 1
  done
  die "$2 on :$1 not ready after 120s; see its log"
}

shop_up() {
  ensure_infra
  ensure_env dev
  if [ "${SHOP_SKIP_BUILD:-0}" != 1 ]; then log "building (./mvnw package -DskipTests)"; mvnw package -DskipTests; fi
  shop_down >/dev/null 2>&1 || true
  local svc
  for svc in "${SERVICES[@]}"; do
    log "starting $svc-svc on :${PORT[$svc]} (log: .run/$svc-svc.log)"
    : > "$RUN_DIR/$svc-svc.log" 2>/dev/null || mkdir -p "$RUN_DIR"
    SHOP_LOG_JSON=false start_service "$svc" dev "${PORT[$svc]}" "$RUN_DIR/$svc-svc.log"
  done
  for svc in "${SERVICES[@]}"; do wait_ready "${PORT[$svc]}" "$svc-svc"; done
  cat <<MSG

shop is running.
  order-svc         http://localhost:8081   (Swagger UI: http://localhost:8081/q/swagger-ui)
  inventory-svc     http://localhost:8082   (Swagger UI: http://localhost:8082/q/swagger-ui)
  billing-svc       http://localhost:8083   (Swagger UI: http://localhost:8083/q/swagger-ui)
  notification-svc  http://localhost:8084   (Swagger UI: http://localhost:8084/q/swagger-ui)
  RabbitMQ          http://localhost:15672  (guest/guest, vhost "shop")
  logs              .run/<svc>-svc.log     metrics: /q/metrics   health: /q/health

Place a first order:
  curl -X PUT localhost:8082/api/v1/products/BOOK-1 -H 'content-type: application/json' -d '{"name":"Book","price":12.50,"available":10}'
  curl -X PUT localhost:8083/api/v1/accounts/alice  -H 'content-type: application/json' -d '{"credit":100.00}'
  curl -i -X POST localhost:8081/api/v1/orders       -H 'content-type: application/json' -d '{"customerId":"alice","items":[{"sku":"BOOK-1","quantity":2}]}'
  curl localhost:8081/api/v1/orders/<id from the Location header>
Stop with: ./shop down
MSG
}

shop_down() {
  local svc pid
  for svc in "${SERVICES[@]}"; do
    [ -f "$RUN_DIR/$svc-svc.pid" ] || continue
    pid=$(cat "$RUN_DIR/$svc-svc.pid")
    if kill "$pid" 2>/dev/null; then
      for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
      kill -9 "$pid" 2>/dev/null || true
      log "stopped $svc-svc"
    fi
    rm -f "$RUN_DIR/$svc-svc.pid"
  done
}

shop_status() {
  local svc
  for svc in "${SERVICES[@]}"; do
    printf '%-18s %s\n' "$svc-svc" "$(curl -s "http://127.0.0.1:${PORT[$svc]}/q/health/ready" | python3 "$ROOT/scripts/tables.py" health 2>/dev/null || echo "not running")"
  done
  rabbit_api GET "/queues/$(urlenc "$(vhost_for "${ENV:-dev}")")?columns=name,messages,consumers" \
    | python3 "$ROOT/scripts/tables.py" queues
}

# ./shop dlq <svc> list|replay|discard — operator CLI over the service's /admin/dead-letters API.
shop_dlq() {
  local svc=${1:-} action=${2:-list}; shift 2 2>/dev/null || true
  [ -n "$svc" ] && [ -n "${PORT[$svc]:-}" ] || die "usage: ./shop dlq <order|inventory|billing|notification> list|replay|discard ..."
  local var; var="SHOP_$(echo "$svc" | tr '[:lower:]' '[:upper:]')_URL"
  local base="${!var:-http://127.0.0.1:${PORT[$svc]}}/admin/dead-letters"
  local who="${SHOP_OPERATOR:-${USER:-operator}}"
  case "$action" in
    list)
      curl -sf "$base?status=${1:-PENDING}" | python3 "$ROOT/scripts/tables.py" dead-letters || die "cannot reach $base (is $svc-svc running? set $var)" ;;
    replay)
      local target=${1:?"replay needs a dead-letter id or --all"}
      if [ "$target" = --all ]; then curl -sf -X POST -H "X-Operator: $who" "$base/replay"; else
        curl -sS -X POST -H "X-Operator: $who" "$base/$target/replay"; fi
      echo ;;
    discard)
      local id=${1:?"discard needs an id"} reason=${2:?"discard needs a reason"}
      curl -sS -X POST -H "X-Operator: $who" -H 'content-type: application/json' \
        -d "$(python3 -c 'import json,sys; print(json.dumps({"reason": sys.argv[1]}))' "$reason")" "$base/$id/discard"
      echo ;;
    *) die "unknown dlq action $action (list|replay|discard)" ;;
  esac
}
