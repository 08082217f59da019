#!/bin/sh
# Applies the RabbitMQ topology (a RabbitMQ definitions file: exchanges, queues, bindings) to one vhost
# through the management HTTP API. Run by the chart's pre-install/pre-upgrade Job; POSIX sh + curl only.
#
# Env:
#   RABBITMQ_MANAGEMENT_URL  e.g. http://shop-rabbitmq:15672
#   RABBITMQ_VHOST           vhost name, e.g. shop or /
#   RABBITMQ_USERNAME / RABBITMQ_PASSWORD   management user (administrator tag, or policymaker for an existing vhost)
#   CREATE_VHOST             true: PUT the vhost first (idempotent)
#   APP_USERNAME             optional: grant this user configure/write/read on the vhost
#   DEFINITIONS              path of the definitions file (default /topology/definitions.json)
#   WAIT_SECONDS             how long to wait for the management API (default 300)
#
# Re-applying the definitions is a no-op for what already exists. Caveat: RabbitMQ does NOT update an
# existing queue whose arguments differ (3.10.8 answered 204 and kept the old x-delivery-limit), so a
# changed queue argument needs a policy or a new queue, not just an edit of definitions.json.
set -eu

: "${RABBITMQ_MANAGEMENT_URL:?set RABBITMQ_MANAGEMENT_URL}"
: "${RABBITMQ_VHOST:?set RABBITMQ_VHOST}"
: "${RABBITMQ_USERNAME:?set RABBITMQ_USERNAME}"
: "${RABBITMQ_PASSWORD:?set RABBITMQ_PASSWORD}"
DEFINITIONS="${DEFINITIONS:-/topology/definitions.json}"
WAIT_SECONDS="${WAIT_SECONDS:-300}"
CREATE_VHOST="${CREATE_VHOST:-false}"
APP_USERNAME="${APP_USERNAME:-}"
TMP="${TMPDIR:-/tmp}"

log() { printf '%s apply-topology: %s\n' "$(date -u +%H:%M:%S)" "$*"; }
die() { log "ERROR: $*"; exit 1; }

[ -r "$DEFINITIONS" ] || die "cannot read $DEFINITIONS"

urlencode() {
  s=$1 out=
  while [ -n "$s" ]; do
    c=${s%"${s#?}"}
    s=${s#?}
    case $c in
      [A-Za-z0-9.~_-]) out="$out$c" ;;
      *) out="$out$(printf '%%%02X' "'$c")" ;;
    esac
  done
  printf '%s' "$out"
}

# Credentials go to curl as a config file on stdin, never on the command line.
cfg_escape() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g'; }

# api METHOD PATH [curl args...]; prints the HTTP status, body in $TMP/topology-response
api() {
  method=$1 path=$2
  shift 2
  code=$(printf 'user = "%s:%s"\n' "$(cfg_escape "$RABBITMQ_USERNAME")" "$(cfg_escape "$RABBITMQ_PASSWORD")" \
    | curl -K - -sS -o "$TMP/topology-response" -w '%{http_code}' -X "$method" \
        --connect-timeout 5 --max-time 60 -H 'content-type: application/json' "$@" \
        "$RABBITMQ_MANAGEMENT_URL/api/$path") || true
  printf '%s' "${code:-000}"
}

expect_2xx() {
  case $1 in
    2??) ;;
    *) log "response body: $(cat "$TMP/topology-response" 2>/dev/null || true)"; die "$2 failed with HTTP $1" ;;
  esac
}

log "waiting up to ${WAIT_SECONDS}s for $RABBITMQ_MANAGEMENT_URL"
waited=0
until status=$(api GET overview) && [ "$status" = 200 ]; do
  case $status in 401|403) die "management API refused the credentials (HTTP $status)" ;; esac
  [ "$waited" -ge "$WAIT_SECONDS" ] && die "management API not reachable (last HTTP status $status)"
  sleep 5
  waited=$((waited + 5))
done

vhost=$(urlencode "$RABBITMQ_VHOST")
if [ "$CREATE_VHOST" = true ]; then
  expect_2xx "$(api PUT "vhosts/$vhost" --data '{}')" "creating vhost $RABBITMQ_VHOST"
  log "vhost $RABBITMQ_VHOST present"
  if [ -n "$APP_USERNAME" ]; then
    expect_2xx "$(api PUT "permissions/$vhost/$(urlencode "$APP_USERNAME")" \
      --data '{"configure":".*","write":".*","read":".*"}')" "granting $APP_USERNAME access to $RABBITMQ_VHOST"
    log "granted $APP_USERNAME configure/write/read on $RABBITMQ_VHOST"
  fi
fi

expect_2xx "$(api POST "definitions/$vhost" --data-binary "@$DEFINITIONS")" "applying $DEFINITIONS"
log "definitions applied to vhost $RABBITMQ_VHOST"
