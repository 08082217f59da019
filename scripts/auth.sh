#!/usr/bin/env bash
# Local identity for the embedded setup: a signing key pair the services trust, and `./shop token`.
# Sourced by lib.sh. Production trusts a real OIDC provider instead (docs/security.md).
SECRETS_DIR="${SECRETS_DIR:-$ROOT/.secrets}"
JWT_DIR="$SECRETS_DIR/jwt"
SHOP_JWT_ISSUER="${SHOP_JWT_ISSUER:-https://auth.shop.local}"
SHOP_JWT_AUDIENCE="${SHOP_JWT_AUDIENCE:-shop}"

# Creates the local RS256 key pair once (kept out of git in .secrets/); idempotent.
ensure_jwt_keys() {
  [ -s "$JWT_DIR/private.pem" ] && [ -s "$JWT_DIR/public.pem" ] && return 0
  command -v openssl >/dev/null 2>&1 || die "openssl is needed to create the local signing key (apt-get install openssl)"
  log "creating the local token signing key ($JWT_DIR)"
  mkdir -p "$JWT_DIR" && chmod 700 "$SECRETS_DIR" "$JWT_DIR"
  (umask 077 && openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$JWT_DIR/private.pem" 2>/dev/null) \
    || die "openssl could not create $JWT_DIR/private.pem"
  openssl pkey -in "$JWT_DIR/private.pem" -pubout -out "$JWT_DIR/public.pem" 2>/dev/null \
    || die "openssl could not derive $JWT_DIR/public.pem"
}

# ./shop token <subject> [--roles customer,operator,admin] [--ttl SECONDS]
shop_token() {
  case "${1:-}" in
    ""|-h|--help)
      cat <<'USAGE'
Usage: ./shop token <subject> [--roles customer,operator,admin] [--ttl SECONDS]

Prints a bearer token signed with the local key (.secrets/jwt/), trusted by the services that
./shop up starts. A customer token's subject is the customer id its orders are placed for.
  curl -H "Authorization: Bearer $(./shop token alice)" localhost:8081/api/v1/orders
USAGE
      [ -n "${1:-}" ] && return 0 || return 2 ;;
  esac
  ensure_jwt_keys
  python3 "$ROOT/scripts/token.py" --key "$JWT_DIR/private.pem" --issuer "$SHOP_JWT_ISSUER" --audience "$SHOP_JWT_AUDIENCE" "$@"
}

# The correctness monitor's own token (order-svc asks the peers for their facts with it): an operator
# token for subject correctness-monitor, valid 30 days, re-minted when older than 20. order-svc reads
# the file at every run, so a re-minted token takes effect without a restart.
MONITOR_TOKEN_FILE="$SECRETS_DIR/correctness-monitor.token"
ensure_monitor_token() {
  if [ -s "$MONITOR_TOKEN_FILE" ] && [ -z "$(find "$MONITOR_TOKEN_FILE" -mtime +20 2>/dev/null)" ]; then return 0; fi
  (umask 077 && shop_token correctness-monitor --roles operator --ttl 2592000 > "$MONITOR_TOKEN_FILE.tmp") \
    && mv "$MONITOR_TOKEN_FILE.tmp" "$MONITOR_TOKEN_FILE"
}
