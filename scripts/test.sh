#!/usr/bin/env bash
# Runs every test: contract and domain unit tests, @QuarkusTest per service against the real
# PostgreSQL and RabbitMQ, the end-to-end suite over the four packaged services, and the chart checks.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib.sh"

case "${1:-}" in
  -h|--help) echo "Usage: ./shop test   (runs everything; needs nothing running beforehand)"; exit 0 ;;
esac

# Each stage says when it starts (time since the run began) and how long it took; at the end, also
# after a failure, scripts/test-summary.py prints the test suites with their counts and the stage times.
RUN_EPOCH=$(date +%s); STAGES=(); STAGE=""; STAGE_START=0
duration() { if [ "$1" -ge 60 ]; then printf '%dm%02ds' $(($1 / 60)) $(($1 % 60)); else printf '%ds' "$1"; fi; }
begin() { STAGE=$1; STAGE_START=$SECONDS; log "[$(duration "$SECONDS")] $1: $2"; } # begin <name> <what it does>
done_stage() { STAGES+=("$STAGE|$((SECONDS - STAGE_START))|ok"); log "$STAGE: ok in $(duration $((SECONDS - STAGE_START)))"; STAGE=""; }
finish() {
  local rc=$?
  [ -z "$STAGE" ] || STAGES+=("$STAGE|$((SECONDS - STAGE_START))|FAILED")
  python3 "$ROOT/scripts/test-summary.py" "$ROOT" "$RUN_EPOCH" "${STAGES[@]}" || true
  if [ "$rc" = 0 ]; then log "all tests passed in $(duration "$SECONDS")"; else log "FAILED in stage: ${STAGE:-?} (after $(duration "$SECONDS"))"; fi
  exit "$rc"
}
trap finish EXIT
SECONDS=0

begin infrastructure "PostgreSQL, RabbitMQ (installed when missing, as root), credentials"
ensure_infra
done_stage
begin tools "headless browser (journey page), Prometheus and Alertmanager (AlertsIT)"
# Debian packages when missing and run as root, as for PostgreSQL and RabbitMQ; otherwise a message.
tools=()
command -v chromium >/dev/null 2>&1 || command -v google-chrome >/dev/null 2>&1 || tools+=(chromium)
command -v prometheus >/dev/null 2>&1 || tools+=(prometheus)
command -v prometheus-alertmanager >/dev/null 2>&1 || command -v alertmanager >/dev/null 2>&1 || tools+=(prometheus-alertmanager)
[ ${#tools[@]} -eq 0 ] || apt_install "${tools[@]}"
done_stage
begin reset "test and e2e databases and vhosts"
reset_env test
reset_env e2e
done_stage
begin "native sources" "Quarkus's native build-time processing of the four services (sources-only: native-image runs in native.yml)"
bash "$ROOT/scripts/native-sources.sh"
done_stage
begin "maven verify" "unit, @QuarkusTest and end-to-end (system-tests) suites"
(cd "$ROOT" && ./mvnw -B verify -DskipITs=false)
done_stage
# The short chaos run (docs/reliability.md): the long runs (10,000+ orders, several seeds) are run by
# hand and recorded there. Seed 2 found the bugs its regression tests are named after.
if [ "${SHOP_SKIP_CHAOS:-0}" != 1 ]; then
begin chaos "two replicas of every service, 1000 orders under a seeded nemesis (every fault kind twice), then the checker"
SHOP_SKIP_BUILD=1 bash "$ROOT/scripts/chaos.sh" --orders 1000 --rate 12 --seed 2
done_stage
fi
begin "openapi lint" "redocly over each service's build-time OpenAPI document"
bash "$ROOT/scripts/openapi-lint.sh"
done_stage
begin "workflow lint" "actionlint over .github/workflows"
bash "$ROOT/scripts/actionlint.sh"
done_stage
begin monitoring "alert rules (promtool unit tests) and dashboards"
bash "$ROOT/scripts/monitoring-check.sh"
done_stage
begin backups "scripts/backup.sh against the real PostgreSQL: restore to a timestamp, latest after a drop, exporter, retention"
bash "$ROOT/scripts/backup/selftest.sh"
done_stage
if [ -f "$ROOT/scripts/chart-check.sh" ]; then
  begin "chart checks" "helm lint/template, schema validation, rendered-output assertions"
  bash "$ROOT/scripts/chart-check.sh"
  done_stage
fi
if [ "${SHOP_SKIP_IMAGE:-0}" != 1 ]; then
  begin "container image" "order-svc's JVM image built with podman on a local base, checked it serves"
  bash "$ROOT/scripts/image-smoke.sh"
  done_stage
fi
