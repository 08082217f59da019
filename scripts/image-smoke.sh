#!/usr/bin/env bash
# Proves locally that order-svc's JVM image builds and runs with podman, without any registry:
# a Debian base image is built here (debootstrap + podman import), order-svc's Dockerfile.jvm is
# built on it, and the container runs like a pod (read-only root, /tmp tmpfs, uid 185, no
# capabilities) against the local RabbitMQ and PostgreSQL until it is ready and serves its API.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

usage() {
  cat <<'USAGE'
Usage: bash scripts/image-smoke.sh [--rebuild-base] [--build-only] [-h|--help]

Builds and smoke-tests the order-svc JVM image locally with podman (no registry needed):
  1. installs podman buildah runc debootstrap if missing (as root, apt-get), writes
     .tools/podman/containers.conf and exports CONTAINERS_CONF
  2. base image localhost/shop-jre17:bookworm (built once, then cached): debootstrap --variant=minbase
     bookworm with openjdk-17-jre-headless (rootfs tarball cached in .tools/image/), podman import,
     scripts/image/Containerfile.jre17 on top (uid 185, ubi-compatible run-java.sh)
  3. localhost/shop/order-svc:local from order-svc/src/main/docker/Dockerfile.jvm
     (--build-arg BASE_IMAGE=localhost/shop-jre17:bookworm) and order-svc/target/quarkus-app
  4. runs it: --network host --read-only --tmpfs /tmp --user 185 --cap-drop ALL, port 18381 (management 18481),
     database shop_order_image and RabbitMQ vhost shop-image (both recreated empty on every run)
  5. waits for /q/health/ready on the management port, checks 401 without a token and no /q/health on
     the public port, POSTs an order with a customer token (202 + Location), GETs it (200), fetches /q/openapi,
     prints timings and the image size; the container is always removed at the end

Options:
  --rebuild-base   debootstrap and build the base image again even if cached
  --build-only     stop after building the images (no RabbitMQ/PostgreSQL needed)

Needs: root (for debootstrap and rootful podman), Debian's package mirror (first run only), the
packaged app (./mvnw -pl order-svc -am package -DskipTests), local RabbitMQ and PostgreSQL
(started if installed, as ./shop does). Environment: SHOP_IMAGE_PORT (18181), SHOP_IMAGE_MEMORY
(768m), SHOP_IMAGE_CPUS (1), SHOP_DEBIAN_MIRROR (http://deb.debian.org/debian).
USAGE
}

REBUILD_BASE=0 BUILD_ONLY=0
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --rebuild-base) REBUILD_BASE=1 ;;
    --build-only) BUILD_ONLY=1 ;;
    *) echo "unknown option: $1" >&2; usage >&2; exit 2 ;;
  esac
  shift
done

# shellcheck source-path=SCRIPTDIR source=lib.sh
source "$ROOT/scripts/lib.sh"

TOOLS="$ROOT/.tools"
IMG_DIR="$TOOLS/image"
IMAGE_SRC="$ROOT/scripts/image"
ROOTFS_TAR="$IMG_DIR/bookworm-jre17-minbase.tar"
ROOTFS_IMAGE=localhost/shop-bookworm-rootfs:jre17
BASE_IMAGE=localhost/shop-jre17:bookworm
APP_IMAGE=localhost/shop/order-svc:local
CONTAINER=shop-image-smoke-order-svc
PORT_="${SHOP_IMAGE_PORT:-18381}"
DB=shop_order_image
VHOST=shop-image
MIRROR="${SHOP_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
APP_DIR="$ROOT/order-svc/target/quarkus-app"
BASE_URL="http://127.0.0.1:$PORT_"
MGMT_PORT=$((PORT_ + 100))
MGMT_URL="http://127.0.0.1:$MGMT_PORT"

now() { date +%s%N; }
secs() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }
human() { numfmt --to=iec-i --suffix=B --format='%.1f' "$1" 2>/dev/null || echo "$1 bytes"; }

# ---------------------------------------------------------------- 1. tools
ensure_tools() {
  local missing=() t
  for t in podman buildah runc debootstrap curl; do command -v "$t" >/dev/null 2>&1 || missing+=("$t"); done
  if [ ${#missing[@]} -gt 0 ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      log "installing ${missing[*]} (apt-get)"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -q >/dev/null || die "apt-get update failed"
      apt-get install -y -q podman buildah runc debootstrap curl >/dev/null \
        || die "apt-get install podman buildah runc debootstrap failed"
    else
      die "missing ${missing[*]}: install them with: sudo apt-get install -y podman buildah runc debootstrap curl (Debian 12 / Ubuntu 22.04+), then run this as root"
    fi
  fi
  mkdir -p "$TOOLS/podman" "$IMG_DIR"
  cmp -s "$IMAGE_SRC/containers.conf" "$TOOLS/podman/containers.conf" \
    || cp "$IMAGE_SRC/containers.conf" "$TOOLS/podman/containers.conf"
  export CONTAINERS_CONF="$TOOLS/podman/containers.conf"
  # conmon 2.1.x writes an empty "oom" file into its working directory when a container is
  # OOM-killed (containers/conmon#504): keep that out of the work tree.
  cd "$IMG_DIR"
  local out
  out=$(podman info 2>&1) || die "podman does not work (CONTAINERS_CONF=$CONTAINERS_CONF)$([ "$(id -u)" = 0 ] \
    || echo "; this script expects rootful podman: run it as root"):
$out"
}

# ---------------------------------------------------------------- 2. base image
base_inputs_hash() { cat "$IMAGE_SRC/Containerfile.jre17" "$IMAGE_SRC/run-java.sh" | sha256sum | cut -c1-16; }

# Removes a (possibly half-built) rootfs: an interrupted debootstrap can leave /proc or /sys mounted
# inside it, so unmount those first and never cross into another file system.
remove_rootfs() {
  local d=$1
  [ -d "$d" ] || return 0
  awk -v d="$d/" 'index($2, d) == 1 { print $2 }' /proc/mounts | sort -r \
    | while read -r m; do umount -l "$m" || true; done
  rm -rf --one-file-system "$d"
}

build_rootfs() {
  [ "$(id -u)" = 0 ] || die "debootstrap needs root: run this script as root (sudo bash scripts/image-smoke.sh)"
  local dir="$IMG_DIR/rootfs.tmp"
  remove_rootfs "$dir"; rm -f "$ROOTFS_TAR.tmp"
  log "debootstrap --variant=minbase bookworm + openjdk-17-jre-headless (log: .tools/image/debootstrap.log)"
  # nice: the machine has two cores and other work on it.
  if ! nice -n 10 debootstrap --variant=minbase --include=openjdk-17-jre-headless,ca-certificates \
        bookworm "$dir" "$MIRROR" >"$IMG_DIR/debootstrap.log" 2>&1; then
    tail -20 "$IMG_DIR/debootstrap.log" >&2
    die "debootstrap failed (full log: .tools/image/debootstrap.log); is $MIRROR reachable? set SHOP_DEBIAN_MIRROR to another Debian mirror"
  fi
  # Not needed at run time: package caches and lists, docs, man pages.
  rm -rf "$dir"/var/cache/apt/archives/*.deb "$dir"/var/cache/apt/*.bin "$dir"/var/lib/apt/lists/* \
         "$dir"/usr/share/doc/* "$dir"/usr/share/man/* "$dir"/usr/share/info/* "$dir"/var/log/*.log \
         "$dir"/debootstrap
  [ -x "$dir/usr/bin/java" ] || die "debootstrap finished but $dir/usr/bin/java is missing (see .tools/image/debootstrap.log)"
  tar --numeric-owner --xattrs -C "$dir" -cf "$ROOTFS_TAR.tmp" .
  mv "$ROOTFS_TAR.tmp" "$ROOTFS_TAR"
  remove_rootfs "$dir"
}

ensure_base() {
  local want; want=$(base_inputs_hash)
  if [ "$REBUILD_BASE" = 0 ] && podman image exists "$BASE_IMAGE" \
     && [ "$(podman image inspect --format '{{index .Labels "shop.base.inputs"}}' "$BASE_IMAGE")" = "$want" ]; then
    BASE_TIME=cached
    return 0
  fi
  local t0; t0=$(now)
  if [ "$REBUILD_BASE" = 1 ] || [ ! -s "$ROOTFS_TAR" ]; then
    build_rootfs
    podman rmi -f "$ROOTFS_IMAGE" >/dev/null 2>&1 || true
  fi
  if ! podman image exists "$ROOTFS_IMAGE"; then
    log "podman import $ROOTFS_TAR -> $ROOTFS_IMAGE"
    podman import --change 'CMD ["/bin/bash"]' "$ROOTFS_TAR" "$ROOTFS_IMAGE" >"$IMG_DIR/import.log" 2>&1 \
      || { cat "$IMG_DIR/import.log" >&2; die "podman import of $ROOTFS_TAR failed (retry with --rebuild-base)"; }
  fi
  local old; old=$(podman image inspect --format '{{.Id}}' "$BASE_IMAGE" 2>/dev/null || true)
  log "building $BASE_IMAGE (scripts/image/Containerfile.jre17)"
  podman build --pull=never --label "shop.base.inputs=$want" --build-arg "ROOTFS_IMAGE=$ROOTFS_IMAGE" \
    -f "$IMAGE_SRC/Containerfile.jre17" -t "$BASE_IMAGE" "$IMAGE_SRC" >"$IMG_DIR/base-build.log" 2>&1 \
    || { tail -30 "$IMG_DIR/base-build.log" >&2; die "building $BASE_IMAGE failed (log: .tools/image/base-build.log)"; }
  BASE_TIME="$(secs "$t0" "$(now)")s"
  # The old base stays while an app image still uses it; the app build below then releases it.
  if [ -n "$old" ] && [ "$old" != "$(podman image inspect --format '{{.Id}}' "$BASE_IMAGE")" ]; then
    OLD_BASE_ID=$old
  fi
}

# ---------------------------------------------------------------- 3. app image
build_app_image() {
  [ -f "$APP_DIR/quarkus-run.jar" ] \
    || die "$APP_DIR/quarkus-run.jar missing: package order-svc first (./mvnw -pl order-svc -am package -DskipTests)"
  local t0 old new; t0=$(now)
  old=$(podman image inspect --format '{{.Id}}' "$APP_IMAGE" 2>/dev/null || true)
  log "building $APP_IMAGE from order-svc/src/main/docker/Dockerfile.jvm (log: .tools/image/app-build.log)"
  podman build --pull=never --build-arg "BASE_IMAGE=$BASE_IMAGE" \
    -f "$ROOT/order-svc/src/main/docker/Dockerfile.jvm" -t "$APP_IMAGE" "$ROOT/order-svc" \
    >"$IMG_DIR/app-build.log" 2>&1 \
    || { tail -30 "$IMG_DIR/app-build.log" >&2; die "building $APP_IMAGE failed (log: .tools/image/app-build.log)"; }
  APP_BUILD_TIME="$(secs "$t0" "$(now)")s"
  # The previous build of the tag is now untagged: drop it so reruns do not pile up images.
  new=$(podman image inspect --format '{{.Id}}' "$APP_IMAGE")
  if [ -n "$old" ] && [ "$old" != "$new" ]; then podman rmi "$old" >/dev/null 2>&1 || true; fi
  if [ -n "${OLD_BASE_ID:-}" ]; then podman rmi "$OLD_BASE_ID" >/dev/null 2>&1 || true; fi
}

# ---------------------------------------------------------------- 4. run
prepare_backends() {
  ensure_infra
  log "recreating database $DB (owner $(db_role order)) and vhost $VHOST with topology/definitions.json and permissions.json"
  PGOPTIONS='-c client_min_messages=warning' \
    psql -U "$PG_SUPERUSER" -d postgres -qc "drop database if exists \"$DB\" with (force)" >/dev/null
  psql -U "$PG_SUPERUSER" -d postgres -qc "create database \"$DB\" owner $(db_role order)" >/dev/null
  secure_databases
  rabbit_api DELETE "/vhosts/$(urlenc "$VHOST")" >/dev/null 2>&1 || true
  apply_topology "$VHOST"
}

RUN_OK=0
cleanup() {
  local rc=$?
  if podman container exists "$CONTAINER" 2>/dev/null; then
    podman logs "$CONTAINER" >"$IMG_DIR/order-svc-container.log" 2>&1 || true
    if [ "$RUN_OK" != 1 ]; then
      echo "---- last container log lines (full: .tools/image/order-svc-container.log) ----" >&2
      tail -40 "$IMG_DIR/order-svc-container.log" >&2 || true
    fi
    podman rm -f -t 10 "$CONTAINER" >/dev/null 2>&1 || true
  fi
  rm -rf "$SCRATCH"
  exit "$rc"
}

run_container() {
  podman rm -f -t 5 "$CONTAINER" >/dev/null 2>&1 || true
  if curl -s -o /dev/null --max-time 2 "$BASE_URL/"; then
    die "something already listens on 127.0.0.1:$PORT_; stop it or set SHOP_IMAGE_PORT"
  fi
  log "starting $CONTAINER on :$PORT_ (read-only root, tmpfs /tmp, uid 185, memory ${SHOP_IMAGE_MEMORY:-768m})"
  START_T0=$(now)
  podman run -d --name "$CONTAINER" --network host \
    --read-only --tmpfs /tmp --user 185 --cap-drop ALL --security-opt no-new-privileges \
    --memory "${SHOP_IMAGE_MEMORY:-768m}" --cpus "${SHOP_IMAGE_CPUS:-1}" \
    -e QUARKUS_HTTP_PORT="$PORT_" \
    -e QUARKUS_DATASOURCE_REACTIVE_URL="postgresql://$PGHOST:$PGPORT/$DB" \
    -e QUARKUS_DATASOURCE_JDBC_URL="jdbc:postgresql://$PGHOST:$PGPORT/$DB" \
    -e SHOP_AMQP_VIRTUAL_HOST="$VHOST" \
    -e SHOP_MANAGEMENT_PORT="$MGMT_PORT" \
    -v "$JWT_DIR/public.pem:/run/shop/jwt-public.pem:ro" \
    -e SHOP_JWT_PUBLIC_KEY_LOCATION=/run/shop/jwt-public.pem \
    --env-file "$(service_secrets order)" \
    -e AMQP_HOST=127.0.0.1 \
    -e SHOP_LOG_JSON=false \
    "$APP_IMAGE" >/dev/null || die "podman run $APP_IMAGE failed"
}

wait_container_ready() {
  local code
  for _ in $(seq 120); do
    [ "$(podman inspect --format '{{.State.Running}}' "$CONTAINER" 2>/dev/null)" = true ] \
      || die "container $CONTAINER exited before becoming ready ($(podman inspect \
           --format 'exit code {{.State.ExitCode}}, OOM-killed: {{.State.OOMKilled}}' "$CONTAINER" 2>/dev/null))"
    code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$MGMT_URL/q/health/ready" || true)
    if [ "$code" = 200 ]; then READY_TIME="$(secs "$START_T0" "$(now)")s"; return 0; fi
    sleep 1
  done
  curl -s --max-time 2 "$MGMT_URL/q/health/ready" >&2 || true
  die "order-svc in $CONTAINER not ready after 120s (last /q/health/ready status: ${code:-none})"
}

# ---------------------------------------------------------------- 5. API checks
check_api() {
  local tmp=$SCRATCH code location url
  local token; token=$(shop_token img --roles customer --ttl 600)
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 -X POST "$BASE_URL/api/v1/orders" \
    -H 'content-type: application/json' -d '{"items":[{"sku":"X","quantity":1}]}')
  [ "$code" = 401 ] || die "POST /api/v1/orders without a token returned $code, expected 401"
  code=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$BASE_URL/q/health/ready")
  [ "$code" = 404 ] || die "/q/health/ready on the public port returned $code, expected 404 (management port only)"
  code=$(curl -s -D "$tmp/h" -o "$tmp/b" -w '%{http_code}' --max-time 10 -X POST "$BASE_URL/api/v1/orders" \
    -H "Authorization: Bearer $token" -H 'content-type: application/json' -d '{"items":[{"sku":"X","quantity":1}]}')
  [ "$code" = 202 ] || die "POST /api/v1/orders returned $code, expected 202: $(cat "$tmp/b")"
  location=$(awk 'tolower($1)=="location:" {print $2}' "$tmp/h" | tr -d '\r')
  [ -n "$location" ] || die "POST /api/v1/orders returned 202 without a Location header"
  case "$location" in http*) url=$location ;; *) url="$BASE_URL$location" ;; esac
  code=$(curl -s -o "$tmp/o" -w '%{http_code}' --max-time 10 -H "Authorization: Bearer $token" "$url")
  [ "$code" = 200 ] || die "GET $location returned $code, expected 200: $(cat "$tmp/o")"
  code=$(curl -s -o "$tmp/api" -w '%{http_code}' --max-time 10 "$BASE_URL/q/openapi")
  [ "$code" = 200 ] || die "GET /q/openapi returned $code, expected 200"
  grep -q '/api/v1/orders' "$tmp/api" || die "/q/openapi does not describe /api/v1/orders"
  # The pod-like constraints really hold inside the container.
  CONTAINER_UID=$(podman exec "$CONTAINER" id -u)
  [ "$CONTAINER_UID" = 185 ] || die "container runs as uid $CONTAINER_UID, expected 185"
  if podman exec "$CONTAINER" sh -c 'touch /deployments/x' >/dev/null 2>&1; then
    die "the container could write to /deployments: root filesystem is not read-only"
  fi
  podman exec "$CONTAINER" sh -c 'touch /tmp/x && rm /tmp/x' || die "the container cannot write to /tmp"
  ORDER_LOCATION=$location
  ORDER_BODY=$(cut -c1-200 "$tmp/o")
  RUN_OK=1
}

# ---------------------------------------------------------------- main
BASE_TIME=- APP_BUILD_TIME=- READY_TIME=-
T_ALL=$(now)
SCRATCH=$(mktemp -d)
trap cleanup EXIT
ensure_tools
ensure_base
build_app_image
if [ "$BUILD_ONLY" = 0 ]; then
  prepare_backends
  run_container
  wait_container_ready
  check_api
fi

size_app=$(podman image inspect --format '{{.Size}}' "$APP_IMAGE")
size_base=$(podman image inspect --format '{{.Size}}' "$BASE_IMAGE")
cat <<SUMMARY

image smoke test passed$([ "$BUILD_ONLY" = 1 ] && echo " (build only)")
  base image      $BASE_IMAGE  $(human "$size_base")  build: $BASE_TIME
  app image       $APP_IMAGE  $(human "$size_app")  build: $APP_BUILD_TIME
SUMMARY
if [ "$BUILD_ONLY" = 0 ]; then
  cat <<SUMMARY
  start -> ready  $READY_TIME  (/q/health/ready 200: RabbitMQ vhost $VHOST, PostgreSQL $DB)
  API             POST /api/v1/orders 202 -> $ORDER_LOCATION; GET 200 $ORDER_BODY
                  /q/openapi 200; uid $CONTAINER_UID; root fs read-only; /tmp writable
  container log   .tools/image/order-svc-container.log (container removed)
SUMMARY
fi
echo "  total           $(secs "$T_ALL" "$(now)")s"
