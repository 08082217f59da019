#!/usr/bin/env python3
"""Mint a signed bearer token (RS256 JWT) with the local key pair, for ./shop token.

The services verify it with quarkus-smallrye-jwt against .secrets/jwt/public.pem; this only signs,
with the openssl CLI (no Python crypto package needed).
"""
import argparse
import base64
import json
import re
import subprocess
import sys
import time
import uuid


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def main() -> int:
    p = argparse.ArgumentParser(prog="./shop token",
                                description="Print a signed bearer token for SUBJECT (valid for the local services).")
    p.add_argument("subject", help="the token's sub: for a customer, its customer id (letters, digits, . _ -)")
    p.add_argument("--roles", default="customer",
                   help="comma-separated roles from customer, operator, admin (default: customer)")
    p.add_argument("--ttl", type=int, default=3600, help="lifetime in seconds (default 3600; 1..2592000)")
    p.add_argument("--key", required=True, help=argparse.SUPPRESS)
    p.add_argument("--issuer", required=True, help=argparse.SUPPRESS)
    p.add_argument("--audience", required=True, help=argparse.SUPPRESS)
    a = p.parse_args()
    if not re.fullmatch(r"[A-Za-z0-9._@-]{1,64}", a.subject):
        p.error("subject must be 1-64 letters, digits, '.', '_', '@' or '-'")
    roles = [r.strip() for r in a.roles.split(",") if r.strip()]
    unknown = [r for r in roles if r not in ("customer", "operator", "admin")]
    if unknown or not roles:
        p.error("unknown role(s) %s: use customer, operator, admin" % ",".join(unknown) if unknown else "give at least one role")
    if not 1 <= a.ttl <= 30 * 24 * 3600:
        p.error("--ttl must be between 1 and 2592000 seconds")
    now = int(time.time())
    header = {"alg": "RS256", "typ": "JWT", "kid": "shop-local"}
    claims = {"iss": a.issuer, "aud": a.audience, "sub": a.subject, "upn": a.subject, "groups": roles,
              "iat": now, "exp": now + a.ttl, "jti": str(uuid.uuid4())}
    signing_input = b64url(json.dumps(header, separators=(",", ":")).encode()) + "." + \
        b64url(json.dumps(claims, separators=(",", ":")).encode())
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", a.key], input=signing_input.encode(),
                         capture_output=True, check=True).stdout
    print(signing_input + "." + b64url(sig))
    return 0


if __name__ == "__main__":
    sys.exit(main())
