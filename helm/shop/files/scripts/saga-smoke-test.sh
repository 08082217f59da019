#!/bin/sh
# `helm test` smoke test: drives the saga through the public APIs only.
# PUT a product (inventory) and an account (billing), POST an order, poll until CONFIRMED.
# Env: ORDER_URL, INVENTORY_URL, BILLING_URL (e.g. http://shop-order), TIMEOUT_SECONDS (default 120).
# POSIX sh + curl only (runs in the curl image).
set -eu

: "${ORDER_URL:?set ORDER_URL}"
: "${INVENTORY_URL:?set INVENTORY_URL}"
: "${BILLING_URL:?set BILLING_URL}"
TIMEOUT_SECONDS="${TIMEOUT_SECONDS:-120}"
TMP="${TMPDIR:-/tmp}"

log() { printf '%s smoke-test: %s\n' "$(date -u +%H:%M:%S)" "$*"; }
die() { log "FAILED: $*"; exit 1; }

# call METHOD URL [BODY]; prints the HTTP status; body in $TMP/body, headers in $TMP/headers
call() {
  if [ $# -ge 3 ]; then
    code=$(curl -sS -D "$TMP/headers" -o "$TMP/body" -w '%{http_code}' --connect-timeout 5 --max-time 15 \
      -X "$1" -H 'content-type: application/json' -H 'accept: application/json' --data "$3" "$2") || true
  else
    code=$(curl -sS -D "$TMP/headers" -o "$TMP/body" -w '%{http_code}' --connect-timeout 5 --max-time 15 \
      -X "$1" -H 'accept: application/json' "$2") || true
  fi
  printf '%s' "${code:-000}"
}

expect() { # expect <status pattern> <actual> <what>
  case $2 in
    $1) ;;
    *) log "response body: $(cat "$TMP/body" 2>/dev/null || true)"; die "$3: HTTP $2, expected $1" ;;
  esac
}

run_id="$(date +%s)-$$"
sku="helm-test-$run_id"
customer="helm-test-$run_id"

expect '2??' "$(call PUT "$INVENTORY_URL/api/v1/products/$sku" '{"name":"helm test product","price":1.50,"available":5}')" "PUT product $sku"
log "product $sku stocked"
expect '2??' "$(call PUT "$BILLING_URL/api/v1/accounts/$customer" '{"credit":100.00}')" "PUT account $customer"
log "account $customer credited"
expect 202 "$(call POST "$ORDER_URL/api/v1/orders" "{\"customerId\":\"$customer\",\"items\":[{\"sku\":\"$sku\",\"quantity\":2}]}")" "POST order"

location=$(sed -n 's/^[Ll][Oo][Cc][Aa][Tt][Ii][Oo][Nn]:[[:space:]]*//p' "$TMP/headers" | tr -d '\r' | tail -n 1)
case $location in
  http://* | https://*) order_url=$location ;;
  /*) order_url="$ORDER_URL$location" ;;
  *) die "POST order: 202 without a usable Location header (got '$location')" ;;
esac
log "order accepted: $order_url"

deadline=$(( $(date +%s) + TIMEOUT_SECONDS ))
while :; do
  code=$(call GET "$order_url")
  status=
  [ "$code" = 200 ] && status=$(tr -d '\n' < "$TMP/body" | sed -n 's/.*"status"[[:space:]]*:[[:space:]]*"\([A-Z_]*\)".*/\1/p')
  case $status in
    CONFIRMED) log "order CONFIRMED"; exit 0 ;;
    CANCELLED) log "order: $(cat "$TMP/body")"; die "order was CANCELLED" ;;
  esac
  [ "$(date +%s)" -ge "$deadline" ] && die "order not CONFIRMED within ${TIMEOUT_SECONDS}s (last HTTP $code, status '${status}')"
  sleep 2
done
