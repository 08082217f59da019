#!/usr/bin/env bash
# Offline checks of the Prometheus rules and Grafana dashboards under monitoring/. See docs/observability.md.
set -uo pipefail

usage() {
  cat <<'EOF'
usage: scripts/monitoring-check.sh [--help]

Checks monitoring/ without a running Prometheus or Grafana; exits non-zero if any check fails
and names it. Safe to run repeatedly; it writes nothing into the repository.

  1. rules        promtool check rules monitoring/prometheus/alerts.yaml
  2. rule tests   promtool test rules monitoring/prometheus/alerts.test.yaml
  3. lint         (monitoring/lint.py) dashboards are valid JSON with a ${DS_PROMETHEUS}
                  datasource variable and a `service` variable; every shop_*/http_server_*
                  metric a rule, test or dashboard uses is in monitoring/metrics.txt; every
                  alert has severity, summary/description/runbook and a firing and a
                  non-firing test
  4. queries      every dashboard query parses as PromQL (promtool check rules)

Needs python3 with PyYAML (apt-get install python3-yaml, or pip install pyyaml) and promtool.
If promtool is missing and the script runs as root, it installs Debian's `prometheus` package
(apt-get install -y --no-install-recommends prometheus, which ships /usr/bin/promtool; on a host
with systemd that package also enables a local Prometheus server). Set PROMTOOL to use another
binary.
EOF
}
case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  "") ;;
  *) usage >&2; echo "unknown argument: $1" >&2; exit 2 ;;
esac

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
MON="$ROOT/monitoring"
bold() { printf '\033[1m%s\033[0m\n' "$*"; }
die() { printf 'monitoring-check: %s\n' "$*" >&2; exit 2; }

# ---- tools ----------------------------------------------------------------------------------------
command -v python3 >/dev/null || die "python3 is required (apt-get install python3)"
python3 -c 'import yaml' 2>/dev/null || die "python3 cannot import yaml (apt-get install python3-yaml, or pip install pyyaml)"

PROMTOOL="${PROMTOOL:-$(command -v promtool || true)}"
if [ -z "$PROMTOOL" ]; then
  [ "$(id -u)" = 0 ] || die "promtool is required: install Debian's prometheus package (sudo apt-get install prometheus) or a release from https://prometheus.io/download/ and put promtool on PATH (or set PROMTOOL)"
  bold "==> installing promtool (apt-get install prometheus)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends prometheus >/dev/null \
    || { apt-get update -q >/dev/null && apt-get install -y -q --no-install-recommends prometheus >/dev/null; } \
    || die "apt-get install prometheus failed; install promtool by hand (https://prometheus.io/download/) and set PROMTOOL"
  PROMTOOL="$(command -v promtool)" || die "the prometheus package did not put promtool on PATH; set PROMTOOL"
fi
[ -x "$PROMTOOL" ] || die "PROMTOOL=$PROMTOOL is not executable"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

# ---- checks ---------------------------------------------------------------------------------------
failed=()
check() { # check <name> <command...>
  local name=$1; shift
  bold "==> $name"
  if "$@"; then echo "  ok"; else failed+=("$name"); fi
}

echo "promtool: $PROMTOOL ($("$PROMTOOL" --version 2>&1 | head -1))"
check "rules" "$PROMTOOL" check rules "$MON/prometheus/alerts.yaml"
check "rule tests" "$PROMTOOL" test rules "$MON/prometheus/alerts.test.yaml"
check "lint" python3 "$MON/lint.py" "$ROOT" "$tmp/dashboard-queries.yaml"
if [ -s "$tmp/dashboard-queries.yaml" ]; then
  check "queries" "$PROMTOOL" check rules "$tmp/dashboard-queries.yaml"
else
  failed+=("queries (lint did not write the dashboard queries)")
fi

echo
if [ ${#failed[@]} -gt 0 ]; then
  printf 'monitoring-check: FAILED: %s\n' "${failed[*]}" >&2
  exit 1
fi
bold "monitoring-check: all checks passed"
