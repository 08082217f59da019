#!/usr/bin/env bash
# Creates the Secrets the plain manifests (k8s/) read but no operator generates. See docs/deploy.md.
set -euo pipefail

usage() {
  cat <<'EOF'
usage: k8s/create-secrets.sh [-n NAMESPACE] [--print]

Creates, when missing, the Secrets that k8s/base and k8s/rabbitmq expect and nothing else generates:

  <svc>-amqp                  for order-svc, inventory-svc, billing-svc, notification-svc:
                              username = the service name, password = 32 random characters,
                              label rabbitmq.com/topology-operator=true (the Messaging Topology
                              Operator imports only labelled Secrets into the User CRs)
  notification-svc-callback   key "secret": the HMAC secret callbacks are signed with (48 random
                              characters). Callback receivers need it: read it with
                              kubectl get secret notification-svc-callback -o jsonpath='{.data.secret}' | base64 -d
                              or create your own Secret with that name first.

The database credentials are not among them: CloudNativePG generates shop-<svc>-db-app.
A Secret that exists is left alone (run it again any time; to rotate one, delete it and re-run).

  -n NAMESPACE   namespace (default: the current context's)
  --print        print the Secrets as YAML instead of applying them (needs no cluster)
EOF
}

namespace=()
print=false
while [ $# -gt 0 ]; do
  case $1 in
    -h | --help) usage; exit 0 ;;
    -n | --namespace) [ $# -ge 2 ] || { usage >&2; exit 2; }; namespace=(-n "$2"); shift 2 ;;
    --print) print=true; shift ;;
    *) usage >&2; echo "unknown argument: $1" >&2; exit 2 ;;
  esac
done

if ! $print; then
  command -v kubectl >/dev/null || { echo "kubectl is required (or use --print)" >&2; exit 2; }
  kubectl "${namespace[@]}" get secrets >/dev/null || { echo "cannot list Secrets${namespace[*]:+ in ${namespace[1]}}: check the kube context and namespace" >&2; exit 2; }
fi

random() { # random N: N letters and digits from /dev/urandom
  local s=""
  while [ ${#s} -lt "$1" ]; do s+=$(head -c 64 /dev/urandom | LC_ALL=C tr -dc 'A-Za-z0-9'); done
  printf '%s' "${s:0:$1}"
}
b64() { printf '%s' "$1" | base64 | tr -d '\n'; }

# secret NAME LABELS(yaml lines, may be empty) KEY=VALUE...
secret() {
  local name=$1 labels=$2 kv
  shift 2
  if ! $print && kubectl "${namespace[@]}" get secret "$name" >/dev/null 2>&1; then
    echo "kept    secret/$name (exists)" >&2
    return
  fi
  local doc
  doc=$(
    printf 'apiVersion: v1\nkind: Secret\nmetadata:\n  name: %s\n  labels:\n    app.kubernetes.io/part-of: shop\n%s' "$name" "$labels"
    printf 'type: Opaque\ndata:\n'
    for kv in "$@"; do printf '  %s: %s\n' "${kv%%=*}" "$(b64 "${kv#*=}")"; done
  )
  if $print; then
    printf -- '---\n%s\n' "$doc"
  else
    # the values travel on stdin, never in argv
    printf '%s\n' "$doc" | kubectl "${namespace[@]}" create -f - >/dev/null
    echo "created secret/$name" >&2
  fi
}

for svc in order-svc inventory-svc billing-svc notification-svc; do
  secret "$svc-amqp" "    app.kubernetes.io/name: $svc
    rabbitmq.com/topology-operator: \"true\"
" "username=$svc" "password=$(random 32)"
done
secret notification-svc-callback "    app.kubernetes.io/name: notification-svc
" "secret=$(random 48)"
