#!/usr/bin/env bash
# Runs every test: contract and domain unit tests, @QuarkusTest per service against the real
# PostgreSQL and RabbitMQ, the end-to-end suite over the four packaged services, and the chart checks.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib.sh"

case "${1:-}" in
  -h|--help) echo "Usage: ./shop test   (runs everything; needs nothing running beforehand)"; exit 0 ;;
esac

ensure_infra
# The journey page is checked in a real headless browser.
if ! command -v chromium >/dev/null 2>&1 && ! command -v google-chrome >/dev/null 2>&1; then
  [ "$(id -u)" = 0 ] || die "the end-to-end suite needs a headless browser: sudo apt-get install chromium"
  log "installing chromium (apt-get install chromium)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >/dev/null \
    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >/dev/null; }
fi
log "resetting test and e2e databases and vhosts"
reset_env test
reset_env e2e
log "maven verify: unit, @QuarkusTest and end-to-end (system-tests) suites"
(cd "$ROOT" && ./mvnw -B verify -DskipITs=false)
bash "$ROOT/scripts/openapi-lint.sh"  # redocly lint (recommended rules, zero errors) of each service's build-time OpenAPI document
log "alert rules (promtool unit tests) and dashboards"
bash "$ROOT/scripts/monitoring-check.sh"
if [ -f "$ROOT/scripts/chart-check.sh" ]; then
  log "chart checks (helm lint/template, schema validation, rendered-output assertions)"
  bash "$ROOT/scripts/chart-check.sh"
fi
if [ "${SHOP_SKIP_IMAGE:-0}" != 1 ]; then
  log "container image: build order-svc's JVM image with podman on a locally built base and check it serves"
  bash "$ROOT/scripts/image-smoke.sh"
fi
log "all tests passed"
