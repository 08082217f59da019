#!/bin/sh
# `helm test` smoke test: drives the saga through the public APIs only, with bearer tokens.
# As admin: PUT a product (inventory) and the customer's account (billing). As the customer: POST an
# order for itself, check that reading it without a token is refused (401), poll until CONFIRMED.
# Env: ORDER_URL, INVENTORY_URL, BILLING_URL (e.g. http://shop-order), TIMEOUT_SECONDS (default 120),
#      ADMIN_TOKEN, CUSTOMER_TOKEN, CUSTOMER_SUBJECT (the customer token's "sub"; from the Secret named
#      by the chart value tests.tokenSecret). Without the tokens the test is skipped (exit 0).
# POSIX sh + curl only (runs in the curl image). Tokens go to curl in header files, never in argv.
set -eu

: "${ORDER_URL:?set ORDER_URL}"
: "${INVENTORY_URL:?set INVENTORY_URL}"
: "${BILLING_URL:?set BILLING_URL}"
TIMEOUT_SECONDS="${TIMEOUT_SECONDS:-120}"
TMP="${TMPDIR:-/tmp}"

log() { printf '%s smoke-test: %s\n' "$(date -u +%H:%M:%S)" "$*"; }
die() { log "FAILED: $*"; exit 1; }

if [ -z "${ADMIN_TOKEN:-}" ] && [ -z "${CUSTOMER_TOKEN:-}" ]; then
  log "SKIPPED: every API needs a bearer token and none was given. Create a Secret with keys"
  log "  admin-token (groups: admin), customer-token (groups: customer) and customer-subject (its sub),"
  log "  issued by the identity provider the release trusts, and set tests.tokenSecret to its name."
  exit 0
fi
[ -n "${ADMIN_TOKEN:-}" ] || die "ADMIN_TOKEN is empty (key admin-token of the tests.tokenSecret Secret)"
[ -n "${CUSTOMER_TOKEN:-}" ] || die "CUSTOMER_TOKEN is empty (key customer-token of the tests.tokenSecret Secret)"
[ -n "${CUSTOMER_SUBJECT:-}" ] || die "CUSTOMER_SUBJECT is empty (key customer-subject: the customer token's sub)"
case $CUSTOMER_SUBJECT in
  *[!A-Za-z0-9._@-]*) die "customer-subject must be letters, digits, '.', '_', '@' or '-' (it is a path segment and a JSON string)" ;;
esac

(umask 077 && printf 'Authorization: Bearer %s\n' "$ADMIN_TOKEN" > "$TMP/admin.h" \
  && printf 'Authorization: Bearer %s\n' "$CUSTOMER_TOKEN" > "$TMP/customer.h")
: > "$TMP/anonymous.h"

# call AUTH METHOD URL [BODY]; AUTH is admin | customer | anonymous; prints the HTTP status;
# body in $TMP/body, headers in $TMP/headers
call() {
  auth=$1
  shift
  if [ $# -ge 3 ]; then
    code=$(curl -sS -D "$TMP/headers" -o "$TMP/body" -w '%{http_code}' --connect-timeout 5 --max-time 15 \
      -H "@$TMP/$auth.h" -X "$1" -H 'content-type: application/json' -H 'accept: application/json' --data "$3" "$2") || true
  else
    code=$(curl -sS -D "$TMP/headers" -o "$TMP/body" -w '%{http_code}' --connect-timeout 5 --max-time 15 \
      -H "@$TMP/$auth.h" -X "$1" -H 'accept: application/json' "$2") || true
  fi
  printf '%s' "${code:-000}"
}

expect() { # expect <status pattern> <actual> <what>
  case $2 in
    $1) ;;
    401) log "response body: $(cat "$TMP/body" 2>/dev/null || true)"
         die "$3: HTTP 401: the token was refused (expired, or another issuer/audience/key than the release trusts: auth.*)" ;;
    403) log "response body: $(cat "$TMP/body" 2>/dev/null || true)"
         die "$3: HTTP 403: the token lacks the role (groups claim: admin for stock and credit, customer for orders)" ;;
    *) log "response body: $(cat "$TMP/body" 2>/dev/null || true)"; die "$3: HTTP $2, expected $1" ;;
  esac
}

sku="helm-test-$(date +%s)-$$"
customer=$CUSTOMER_SUBJECT

expect '2??' "$(call admin PUT "$INVENTORY_URL/api/v1/products/$sku" '{"name":"helm test product","price":1.50,"available":5}')" "PUT product $sku (admin)"
log "product $sku stocked"
expect '2??' "$(call admin PUT "$BILLING_URL/api/v1/accounts/$customer" '{"credit":100.00}')" "PUT account $customer (admin)"
log "account $customer credited"
expect 202 "$(call customer POST "$ORDER_URL/api/v1/orders" "{\"customerId\":\"$customer\",\"items\":[{\"sku\":\"$sku\",\"quantity\":2}]}")" "POST order (customer $customer)"

location=$(sed -n 's/^[Ll][Oo][Cc][Aa][Tt][Ii][Oo][Nn]:[[:space:]]*//p' "$TMP/headers" | tr -d '\r' | tail -n 1)
case $location in
  http://* | https://*) order_url=$location ;;
  /*) order_url="$ORDER_URL$location" ;;
  *) die "POST order: 202 without a usable Location header (got '$location')" ;;
esac
log "order accepted: $order_url"

expect 401 "$(call anonymous GET "$order_url")" "GET order without a token (must be refused)"
log "reading the order without a token is refused (401)"

deadline=$(( $(date +%s) + TIMEOUT_SECONDS ))
while :; do
  code=$(call customer GET "$order_url")
  status=
  [ "$code" = 200 ] && status=$(tr -d '\n' < "$TMP/body" | sed -n 's/.*"status"[[:space:]]*:[[:space:]]*"\([A-Z_]*\)".*/\1/p')
  case $status in
    CONFIRMED) log "order CONFIRMED"; exit 0 ;;
    CANCELLED) log "order: $(cat "$TMP/body")"; die "order was CANCELLED" ;;
  esac
  case $code in 401 | 403) expect 200 "$code" "GET order (customer)" ;; esac
  [ "$(date +%s)" -ge "$deadline" ] && die "order not CONFIRMED within ${TIMEOUT_SECONDS}s (last HTTP $code, status '${status}')"
  sleep 2
done
