#!/usr/bin/env bash
# Quarkus's native build-time processing of the four services, without native-image (which only the
# GitHub Actions workflow native.yml has): a change the native build rejects fails here, locally.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$ROOT/scripts/lib.sh"

usage() {
  cat <<'USAGE'
usage: scripts/native-sources.sh [--help]

Builds order-svc, inventory-svc, billing-svc and notification-svc with the native profile in
sources-only mode:
  ./mvnw package -Dnative -Dquarkus.native.sources-only=true -DskipTests -pl eventing,<the four services>
That runs every Quarkus build step of a native build (the extensions' native processing, what they
register for reflection, resources and build-time initialisation, the native-image arguments) and
stops before native-image. Output per service: <svc>/target/native-sources/ with native-image.args,
the runner jar and lib/ (everything native-image would be given); one summary line per service.
Exits non-zero when the processing fails for any service.

What it cannot catch: anything native-image itself finds (its closed-world analysis, a class
initialised at build time by accident, a missing reflection or resource registration at run time).
native.yml builds the executables and runs the *NativeIT tests against them for that.

The JVM outputs are left as they were: target/quarkus-app/ is not touched, and the one shared file
the native build rewrites, target/quarkus-artifact.properties (what @QuarkusIntegrationTest
launches), is put back. Needs nothing running.
USAGE
}
case "${1:-}" in
  -h|--help) usage; exit 0 ;;
  "") ;;
  *) usage >&2; exit 2 ;;
esac

SVCS=(order-svc inventory-svc billing-svc notification-svc)

# The native build points target/quarkus-artifact.properties at its sources jar; a JVM build's
# copy is kept aside and restored on every exit, so a later @QuarkusIntegrationTest still gets the jar.
restore_artifact_files() {
  local svc f
  for svc in "${SVCS[@]}"; do
    f="$ROOT/$svc/target/quarkus-artifact.properties"
    if [ -f "$f.jvm" ]; then mv -f "$f.jvm" "$f"; else rm -f "$f"; fi
  done
}
for svc in "${SVCS[@]}"; do
  f="$ROOT/$svc/target/quarkus-artifact.properties"
  if grep -qs '^type=jar' "$f"; then cp -p "$f" "$f.jvm"; fi
  rm -rf "$ROOT/$svc/target/native-sources" # so a stale one never passes for this run's output
done
trap restore_artifact_files EXIT

log "native build-time processing (sources-only) of ${SVCS[*]}"
start=$SECONDS
modules=eventing$(printf ',%s' "${SVCS[@]}")
mvnw package -Dnative -Dquarkus.native.sources-only=true -DskipTests -pl "$modules" \
  || die "the native build-time processing failed (output above): this change would break the native images built by .github/workflows/native.yml"

for svc in "${SVCS[@]}"; do
  dir="$ROOT/$svc/target/native-sources"
  args="$dir/native-image.args"
  [ -s "$args" ] || die "$svc: no $dir/native-image.args after a successful build (did the native profile change?)"
  jar=$(find "$dir" -maxdepth 1 -name '*-runner.jar' -printf '%f\n' | head -n 1)
  [ -n "$jar" ] || die "$svc: no runner jar in $dir"
  printf '%-17s native-sources %s: native-image.args (%d arguments), %s (%s) + %d libraries\n' \
    "$svc" "$(du -sh "$dir" | cut -f1)" "$(wc -w < "$args")" "$jar" \
    "$(du -h "$dir/$jar" | cut -f1)" "$(find "$dir/lib" -maxdepth 1 -name '*.jar' | wc -l)"
done
log "native build-time processing: ok in $((SECONDS - start))s"
