#!/usr/bin/env bash
# Tests of scripts/backup.sh against the real local PostgreSQL (and RabbitMQ for the definitions), in a
# scratch database (shop_order_bkselftest), a temporary backup folder and a replication slot of its own,
# all removed at the end (the slot too, also on failure). Run by ./shop test; about a minute.
#
#   scripts/backup/selftest.sh [--help]
#
# Checks: bad restore input fails and changes nothing; a restore to a precise timestamp keeps exactly the
# rows committed before it; ownership and CONNECT grants are as ./shop infra sets them; `latest` after a
# DROP DATABASE recovers to just before the drop; the exporter reports the backup and the receiver going
# down; retention prunes base backups and WAL; the slot is dropped when shipping stops for good.
set -euo pipefail
case "${1:-}" in -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;; esac
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"
export PGOPTIONS="-c client_min_messages=warning"

export SHOP_BACKUP_DIR; SHOP_BACKUP_DIR=$(mktemp -d /tmp/shop-backup-selftest.XXXXXX)
export SHOP_BACKUP_SLOT=shop_backup_selftest
export SHOP_BACKUP_EXPORTER_PORT; SHOP_BACKUP_EXPORTER_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
ENVNAME=bkselftest
DB=shop_order_$ENVNAME
B="$ROOT/scripts/backup.sh"
PASSED=0; FAILED=()

cleanup() {
  bash "$B" ship stop --drop-slot >/dev/null 2>&1 || true
  pg_super -d postgres -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null 2>&1 || true
  pg_super -d postgres -c "DROP DATABASE IF EXISTS \"${DB}__restore\" WITH (FORCE)" >/dev/null 2>&1 || true
  rm -rf "$SHOP_BACKUP_DIR"
}
trap cleanup EXIT

ok() { PASSED=$((PASSED + 1)); printf '  ok    %s\n' "$1"; }
fail() { FAILED+=("$1"); printf '  FAIL  %s\n' "$1"; }
expect() { # expect <description> <command...>: the command succeeds
  local what=$1; shift
  if "$@"; then ok "$what"; else fail "$what"; fi
}
rows() { pg_super -d "$DB" -c "SELECT count(*) FROM t"; }
insert() { pg_super -d "$DB" -c "INSERT INTO t(id) SELECT generate_series($1, $2)" >/dev/null; }
refuses() { # refuses <description> <stderr regex> <restore args...>: fails with that message, rows unchanged
  local what=$1 pattern=$2; shift 2
  local before out; before=$(rows)
  if out=$(bash "$B" restore --env "$ENVNAME" "$@" --no-service-control 2>&1); then fail "$what: accepted"; return; fi
  if ! grep -Eq "$pattern" <<<"$out"; then fail "$what: refused for another reason: $(tail -n 1 <<<"$out")"; return; fi
  [ "$(rows)" = "$before" ] && ok "refuses $what, changes nothing" || fail "$what: the database changed"
}
metric() { curl -sf "http://127.0.0.1:$SHOP_BACKUP_EXPORTER_PORT/metrics" | awk -v m="$1" 'index($0, m" ") == 1 { print $NF }'; }

log "backup self-test: folder $SHOP_BACKUP_DIR, slot $SHOP_BACKUP_SLOT, database $DB"
ensure_infra >/dev/null
pg_super -d postgres -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null
pg_super -d postgres -c "CREATE DATABASE \"$DB\" OWNER $(db_role order)" >/dev/null
secure_databases
pg_super -d "$DB" -c "SET ROLE $(db_role order); CREATE TABLE t (id int PRIMARY KEY, at timestamptz NOT NULL DEFAULT clock_timestamp())" >/dev/null
insert 1 100
acl_before=$(pg_super -d postgres -c "SELECT datacl FROM pg_database WHERE datname = '$DB'")

bash "$B" ship start >/dev/null 2>&1
expect "ship start: receiver running and a first verified base backup" bash -c "bash '$B' ship status | grep -q 'WAL receiver: running' && bash '$B' list | grep -q '$DB'"
expect "manifest: sha256 checksums, WAL range, tool versions, the database's oid" python3 - "$SHOP_BACKUP_DIR" "$DB" <<'PY'
import glob, json, sys
m = json.load(open(sorted(glob.glob(sys.argv[1] + "/base/*/manifest.json"))[-1]))
assert m["verified"] and m["wal_start_lsn"] and m["wal_end_lsn"] and m["tool_versions"]["pg_basebackup"]
assert all(len(f["sha256"]) == 64 for f in m["files"]) and any(f["path"] == "broker-definitions.json" for f in m["files"])
assert any(d["name"] == sys.argv[2] and d["oid"] > 0 for d in m["databases"])
PY
expect "exporter: last success reported for order-svc's database" test -n "$(metric "shop_backup_last_success_timestamp_seconds{service=\"order-svc\",database=\"$DB\"}")"

insert 101 200
sleep 1
target=$(pg_super -d postgres -c "SELECT to_char(clock_timestamp() AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'")
insert 201 300
sleep 1.5

refuses "an unknown service" "unknown service" --service payments --to latest
refuses "a time that does not parse" "cannot read" --service order --to "half past noon"
refuses "a time in the future" "in the future" --service order --to "2999-01-01 00:00:00+00"
refuses "a time before the oldest backup" "before the oldest recoverable point" --service order --to "2001-01-01 00:00:00+00"
refuses "an unknown environment" "unknown environment" --service order --env "DEV;" --to latest
if out=$(SHOP_BACKUP_DIR=$(mktemp -d) bash "$B" restore --service order --env "$ENVNAME" --no-service-control 2>&1); then fail "an empty backup folder: accepted"
elif grep -q "no verified base backup" <<<"$out"; then ok "refuses an empty backup folder"; else fail "empty folder refused for another reason: $out"; fi

out=$(bash "$B" restore --service order --env "$ENVNAME" --to "$target" --no-service-control 2>&1) || { echo "$out"; fail "restore --to $target"; }
expect "restore to $target keeps exactly the 200 rows committed before it" test "$(rows)" = 200
expect "restored rows end at or before the target" test "$(pg_super -d "$DB" -c "SELECT max(at) <= '$target'::timestamptz FROM t")" = t
expect "restored database and tables owned by order_svc, CONNECT as before" test \
  "$(pg_super -d postgres -c "SELECT pg_get_userbyid(datdba) || ' ' || datacl::text FROM pg_database WHERE datname = '$DB'")" = "order_svc $acl_before"
expect "table owner order_svc" test "$(pg_super -d "$DB" -c "SELECT tableowner FROM pg_tables WHERE tablename = 't'")" = order_svc
expect "RESTORE-RESULT with RTO" grep -q '"rto_seconds"' <<<"$out"
expect "a base backup of the restored state was taken" grep -q "taking a base backup of the restored state" <<<"$out"

insert 1001 1050
sleep 0.5
pg_super -d postgres -c "DROP DATABASE \"$DB\" WITH (FORCE)" >/dev/null
out=$(SHOP_RESTORE_BACKUP_AFTER=0 bash "$B" restore --service order --env "$ENVNAME" --to latest --no-service-control 2>&1) || { echo "$out"; fail "restore --to latest after a drop"; }
expect "latest after DROP DATABASE: every committed row is back (250)" test "$(rows)" = 250
expect "the drop was found and the RPO measured" grep -Eq '^RPO: [0-9.]+ s between' <<<"$out"
grep -E '^(RTO|RPO):' <<<"$out" | sed 's/^/        /'

n_before=$(ls "$SHOP_BACKUP_DIR/base" | wc -l)
SHOP_BACKUP_KEEP=1 SHOP_BACKUP_KEEP_DAYS=0 bash "$B" prune >/dev/null 2>&1
expect "retention keeps the newest base backup only (KEEP=1, KEEP_DAYS=0; had $n_before: the first and the one after the restore)" test "$(ls "$SHOP_BACKUP_DIR/base" | wc -l)" = 1
oldest=$(python3 "$ROOT/scripts/backup/backuptool.py" list "$SHOP_BACKUP_DIR" | cut -f3)
expect "retention removed WAL older than the kept backup's start $oldest" \
  test -z "$(find "$SHOP_BACKUP_DIR/wal" -type f -name '0*' | xargs -r -n1 basename | cut -c9-24 | awk -v o="${oldest:8}" '$0 < o')"

pid=$(cat "$SHOP_BACKUP_DIR/state/receiver.pid")
expect "exporter: receiver up" test "$(metric shop_backup_wal_receiver_up)" = 1.000000
kill -9 "$pid"; sleep 0.3
expect "exporter: receiver down at the next scrape" test "$(metric shop_backup_wal_receiver_up)" = 0.000000
bash "$B" ship stop --drop-slot >/dev/null 2>&1
expect "ship stop --drop-slot drops the slot" test -z "$(pg_super -d postgres -c "SELECT 1 FROM pg_replication_slots WHERE slot_name = '$SHOP_BACKUP_SLOT'")"
expect "max_slot_wal_keep_size caps a forgotten slot" test "$(pg_super -d postgres -c "SHOW max_slot_wal_keep_size")" != -1

echo "backup self-test: $PASSED passed, ${#FAILED[@]} failed"
[ ${#FAILED[@]} -eq 0 ]
