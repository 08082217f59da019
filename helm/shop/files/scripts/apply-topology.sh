#!/bin/sh
# Applies the RabbitMQ topology (a RabbitMQ definitions file: exchanges, queues, bindings) to one vhost
# through the management HTTP API, then creates or updates the services' own users with least-privilege
# permissions and topic permissions. Run by the chart's pre-install/pre-upgrade Job; POSIX sh + curl only.
#
# Env:
#   RABBITMQ_MANAGEMENT_URL  e.g. http://shop-rabbitmq:15672
#   RABBITMQ_VHOST           vhost name, e.g. shop or /
#   RABBITMQ_USERNAME / RABBITMQ_PASSWORD   management user (administrator tag: it creates users)
#   CREATE_VHOST             true: PUT the vhost first (idempotent)
#   DEFINITIONS              path of the definitions file (default /topology/definitions.json)
#   USERS_FILE               optional: one line per service user,
#                              <folder> <configure> <write> <read> <exchange> <topic write> <topic read> [...]
#                            i.e. one "<exchange> <topic write> <topic read>" triple per exchange the user
#                            may write, at least one (regexes without spaces); the user's name and password
#                            are read from $CREDENTIALS_DIR/<folder>/username and .../password. Each user is
#                            PUT (its password set to the file's, no tags), then its topic permissions,
#                            then its permissions: a user with write on a topic exchange but no topic
#                            permission for it may publish any routing key there, so write comes last.
#   CREDENTIALS_DIR          default /credentials
#   REVOKE_USERS             optional: space-separated users whose permissions and topic permissions on the
#                            vhost are deleted (e.g. guest); a user without any is fine
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
USERS_FILE="${USERS_FILE:-}"
CREDENTIALS_DIR="${CREDENTIALS_DIR:-/credentials}"
REVOKE_USERS="${REVOKE_USERS:-}"
TMP="${TMPDIR:-/tmp}"

log() { printf '%s apply-topology: %s\n' "$(date -u +%H:%M:%S)" "$*"; }
die() { log "ERROR: $*" >&2; exit 1; }  # stderr: also seen from inside $(...)

[ -r "$DEFINITIONS" ] || die "cannot read $DEFINITIONS"
[ -z "$USERS_FILE" ] || [ -r "$USERS_FILE" ] || die "cannot read $USERS_FILE"

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
# A JSON string body for a value without control characters (checked by the caller).
json_escape() { printf '%s' "$1" | sed 's/\\/\\\\/g; s/"/\\"/g'; }

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
fi

expect_2xx "$(api POST "definitions/$vhost" --data-binary "@$DEFINITIONS")" "applying $DEFINITIONS"
log "definitions applied to vhost $RABBITMQ_VHOST"

# read_secret FILE: its content, refused if empty or holding a newline/control character (which
# `$(cat)` would silently strip or JSON would need escaped: the broker and the service would disagree)
read_secret() {
  [ -r "$1" ] || die "cannot read $1"
  [ "$(wc -l < "$1")" -eq 0 ] || die "$1 contains a newline (a trailing one, too): store the value without it"
  v=$(cat "$1")
  [ -n "$v" ] || die "$1 is empty"
  case $v in *[[:cntrl:]]*) die "$1 contains a control character" ;; esac
  printf '%s' "$v"
}

if [ -n "$USERS_FILE" ]; then
  body="$TMP/topology-request"
  while read -r folder configure write read_ topics; do
    case $folder in '' | \#*) continue ;; esac
    # the topic triples as positional parameters (no globbing: the regexes hold no glob characters
    # today, but must never expand to file names)
    set -f
    # shellcheck disable=SC2086
    set -- $topics
    set +f
    [ -n "$read_" ] && [ $# -ge 3 ] && [ $(($# % 3)) -eq 0 ] \
      || die "$USERS_FILE: line of $folder: needs <folder> <configure> <write> <read> and one or more <exchange> <topic write> <topic read> triples"
    name=$(read_secret "$CREDENTIALS_DIR/$folder/username")
    password=$(read_secret "$CREDENTIALS_DIR/$folder/password")
    user=$(urlencode "$name")
    # The body holds a password: written by this process only, sent from a file, never in argv.
    (umask 077 && printf '{"password":"%s","tags":""}' "$(json_escape "$password")" > "$body")
    expect_2xx "$(api PUT "users/$user" --data-binary "@$body")" "creating user $name"
    rm -f "$body"
    while [ $# -ge 3 ]; do
      expect_2xx "$(api PUT "topic-permissions/$vhost/$user" --data-binary "$(printf '{"exchange":"%s","write":"%s","read":"%s"}' \
        "$(json_escape "$1")" "$(json_escape "$2")" "$(json_escape "$3")")")" "setting the topic permission of $name on $1"
      log "user $name: publishes to $1 only routing keys $2"
      shift 3
    done
    expect_2xx "$(api PUT "permissions/$vhost/$user" --data-binary "$(printf '{"configure":"%s","write":"%s","read":"%s"}' \
      "$(json_escape "$configure")" "$(json_escape "$write")" "$(json_escape "$read_")")")" "setting permissions of $name"
    log "user $name: configure $configure, write $write, read $read_"
  done < "$USERS_FILE"
fi

for name in $REVOKE_USERS; do
  user=$(urlencode "$name")
  for what in permissions topic-permissions; do
    status=$(api DELETE "$what/$vhost/$user")
    case $status in
      2?? | 404) ;;
      *) expect_2xx "$status" "deleting the $what of $name on $RABBITMQ_VHOST" ;;
    esac
  done
  log "$name has no permissions on vhost $RABBITMQ_VHOST"
done
