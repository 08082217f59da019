#!/usr/bin/env bash
# Lints every service's OpenAPI document with redocly (recommended rules, redocly.yaml): zero errors or fail.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REDOCLY_VERSION=2.77.0
TOOLS="${OPENAPI_LINT_TOOLS:-$ROOT/.tools}/redocly-cli-$REDOCLY_VERSION"

usage() {
  cat <<USAGE
usage: scripts/openapi-lint.sh [--help]

Runs 'redocly lint' (npm @redocly/cli $REDOCLY_VERSION, the recommended ruleset as configured in
redocly.yaml) over the OpenAPI document each service writes at build time:
  <svc>-svc/target/openapi/openapi.yaml   (quarkus.smallrye-openapi.store-schema-directory)
so no service needs to run. Build first (./mvnw package, or ./shop test, which runs this script after
the Maven verify). Exits non-zero if a document is missing or has any error; warnings are printed.

redocly is installed once into $TOOLS (git-ignored); only the npm registry is needed.
Set OPENAPI_LINT_TOOLS to use another cache folder.
USAGE
}
case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  "") ;;
  *) usage >&2; exit 2 ;;
esac

die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }
printf '\033[1m==> %s\033[0m\n' "OpenAPI documents: redocly lint (recommended rules) of each service's build-time document" >&2

for svc in order inventory billing notification; do
  [ -s "$ROOT/$svc-svc/target/openapi/openapi.yaml" ] \
    || die "$svc-svc/target/openapi/openapi.yaml is missing: build the services first (./mvnw -B package -DskipTests)"
done

if [ ! -x "$TOOLS/node_modules/.bin/redocly" ]; then
  command -v npm >/dev/null || die "npm is required (apt-get install nodejs npm)"
  printf '==> installing @redocly/cli@%s into %s\n' "$REDOCLY_VERSION" "$TOOLS" >&2
  mkdir -p "$TOOLS"
  npm install --prefix "$TOOLS" --no-audit --no-fund --save-exact --loglevel=error "@redocly/cli@$REDOCLY_VERSION" >&2 \
    || die "npm install @redocly/cli@$REDOCLY_VERSION failed (is the npm registry reachable?)"
fi

# No telemetry, no update check: the lint runs offline.
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
cd "$ROOT"
"$TOOLS/node_modules/.bin/redocly" lint --config redocly.yaml --format=stylish
