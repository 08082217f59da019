#!/usr/bin/env bash
# Backups that restore: base backups + continuous WAL shipping of the local PostgreSQL cluster, the
# RabbitMQ definitions, a metrics exporter, retention, and point-in-time restore of one service's
# database while the others keep running. Runbook: docs/operations.md.
set -euo pipefail
ROOT="${ROOT:-$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)}"
# shellcheck source=scripts/lib.sh
source "$ROOT/scripts/lib.sh"
# "database ... does not exist, skipping" and the like are expected here: only warnings and errors.
export PGOPTIONS="${PGOPTIONS:-} -c client_min_messages=warning"

usage() {
  cat <<'USAGE'
Usage: scripts/backup.sh <command> [options]      (also: ./shop backup | ./shop restore)

  backup                 take a verified base backup of the whole PostgreSQL cluster (pg_basebackup,
                         pg_verifybackup) and the RabbitMQ definitions, write its manifest, apply retention
  ship start|stop|status continuous WAL shipping (pg_receivewal --synchronous through a replication slot)
                         and the metrics exporter; `start` takes a first base backup when none exists.
                         `stop --drop-slot` stops for good and drops the slot (./shop down does this)
  restore [--service S|all] [--to TIME|latest] [--env dev|e2e|test] [--no-service-control]
                         restore one service's database (default: all four) to TIME or to the latest
                         recoverable point (just before the database was dropped, if it was), via a
                         temporary PostgreSQL instance; the other services keep running
  list                   base backups kept and the recoverable window
  prune                  apply retention now (also done after every backup)

TIME is anything PostgreSQL reads as timestamptz; give a zone, e.g. '2026-11-30 12:34:56.789+00'.
`restore` stops and restarts the service only when ./shop up started it (a pid in .run/); with
--no-service-control it leaves service processes alone (a test harness or an orchestrator owns them).
It prints the recovery time (RTO) and the recovered point (RPO) and, last, one line
`RESTORE-RESULT {json}` for scripts.

Environment (defaults):
  SHOP_BACKUP_DIR=.backups              where backups go (keep it off the database's disk in earnest)
  SHOP_BACKUP_SLOT=shop_backup          replication slot (and pg_receivewal application_name)
  SHOP_BACKUP_KEEP=7 SHOP_BACKUP_KEEP_DAYS=7
                                        retention: keep the newest N base backups and every one younger
                                        than D days; WAL older than the oldest kept one is deleted
  SHOP_BACKUP_MAX_SLOT_WAL=2GB          max_slot_wal_keep_size: how much WAL a stalled or forgotten slot
                                        may hold on the database server before PostgreSQL drops it
  SHOP_BACKUP_EXPORTER_PORT=9190        metrics on 127.0.0.1:<port>/metrics (0: no exporter)
  SHOP_BACKUP_BROKER=1                  0: do not export the broker definitions
USAGE
}

BACKUP_DIR="$(mkdir -p "${SHOP_BACKUP_DIR:-$ROOT/.backups}" && cd "${SHOP_BACKUP_DIR:-$ROOT/.backups}" && pwd)"
SLOT="${SHOP_BACKUP_SLOT:-shop_backup}"
KEEP="${SHOP_BACKUP_KEEP:-7}"
KEEP_DAYS="${SHOP_BACKUP_KEEP_DAYS:-7}"
MAX_SLOT_WAL="${SHOP_BACKUP_MAX_SLOT_WAL:-2GB}"
EXPORTER_PORT="${SHOP_BACKUP_EXPORTER_PORT:-9190}"
BACKUP_ROLE=shop_backup
STATE="$BACKUP_DIR/state"
STREAM="$BACKUP_DIR/wal/stream"
TOOL="$ROOT/scripts/backup/backuptool.py"
[[ "$SLOT" =~ ^[a-z0-9_]{1,63}$ ]] || die "SHOP_BACKUP_SLOT must be lower-case letters, digits and _ (got '$SLOT')"
chmod 700 "$BACKUP_DIR"
mkdir -p "$STATE" "$STREAM" "$BACKUP_DIR/base"

now() { date +%s.%N | cut -c1-14; }

# The server's own binaries (pg_verifybackup finds pg_waldump next to itself; Debian's wrappers in
# /usr/bin pick a version by cluster, which a scratch instance does not have).
pg_bin() {
  local v; v=$(pg_super -d postgres -c 'SHOW server_version_num' 2>/dev/null) || die "PostgreSQL at $PGHOST:$PGPORT does not answer (./shop infra starts it)"
  v=$((v / 10000))
  if [ -x "/usr/lib/postgresql/$v/bin/pg_ctl" ]; then echo "/usr/lib/postgresql/$v/bin"; else dirname "$(command -v pg_basebackup)"; fi
}
PGBIN=""
need_pgbin() { [ -n "$PGBIN" ] || PGBIN=$(pg_bin); export PG_WALDUMP="$PGBIN/pg_waldump"; }

# ---------------------------------------------------------------- set-up (idempotent, no restart)
# A replication-only role with its own password (.secrets/backup.env, a pgpass file for the tools),
# a pg_hba line that lets it connect for replication from 127.0.0.1 (this machine's file trusts
# "all" databases, which does not include replication connections), and a cap on the WAL a slot may
# hold: an abandoned slot otherwise keeps every WAL segment until the disk is full.
ensure_backup_setup() {
  ensure_secrets
  write_secret backup.env "SHOP_BACKUP_PG_PASSWORD=$(new_password)"
  local pass; pass=$(secret_value backup.env SHOP_BACKUP_PG_PASSWORD)
  (umask 077 && printf '%s:%s:*:%s:%s\n' "$PGHOST" "$PGPORT" "$BACKUP_ROLE" "$pass" > "$SECRETS_DIR/backup.pgpass")
  export PGPASSFILE="$SECRETS_DIR/backup.pgpass"
  pg_super -d postgres >/dev/null <<SQL || die "creating the replication role $BACKUP_ROLE failed"
SET password_encryption = 'scram-sha-256';
SELECT 'CREATE ROLE $BACKUP_ROLE' WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '$BACKUP_ROLE') \gexec
ALTER ROLE $BACKUP_ROLE WITH LOGIN REPLICATION NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS PASSWORD '$pass';
SQL
  local wal_level senders; wal_level=$(pg_super -d postgres -c 'SHOW wal_level'); senders=$(pg_super -d postgres -c 'SHOW max_wal_senders')
  [ "$wal_level" != minimal ] || die "wal_level is minimal: set wal_level = replica in postgresql.conf and restart PostgreSQL once"
  [ "$senders" -ge 3 ] || die "max_wal_senders is $senders; backups need 3 (pg_receivewal + pg_basebackup's two): raise it and restart PostgreSQL once"
  local hba; hba=$(pg_super -d postgres -c 'SHOW hba_file')
  if ! pg_super -d postgres -c "SELECT 1 FROM pg_hba_file_rules WHERE 'replication' = ANY(database) AND ('$BACKUP_ROLE' = ANY(user_name) OR 'all' = ANY(user_name)) AND (type = 'local' OR address IN ('127.0.0.1', 'all')) AND error IS NULL" | grep -q 1; then
    [ -w "$hba" ] || die "PostgreSQL does not accept replication connections from $BACKUP_ROLE on 127.0.0.1: add 'host replication $BACKUP_ROLE 127.0.0.1/32 scram-sha-256' to $hba and reload (as the postgres user)"
    log "allowing replication connections for $BACKUP_ROLE from 127.0.0.1 in $hba (reload, no restart)"
    printf '%s\n' "# shop backups (scripts/backup.sh): WAL streaming and base backups, password from .secrets/backup.env" \
      "host replication $BACKUP_ROLE 127.0.0.1/32 scram-sha-256" >> "$hba"
  fi
  local cur; cur=$(pg_super -d postgres -c "SELECT setting FROM pg_settings WHERE name = 'max_slot_wal_keep_size'")
  local want; want=$(pg_super -d postgres -c "SELECT pg_size_bytes('$MAX_SLOT_WAL') / 1024 / 1024")
  if [ "$cur" != "$want" ]; then
    log "capping the WAL a replication slot may hold: max_slot_wal_keep_size = $MAX_SLOT_WAL (ALTER SYSTEM + reload)"
    pg_super -d postgres -c "ALTER SYSTEM SET max_slot_wal_keep_size = '$MAX_SLOT_WAL'" >/dev/null
  fi
  pg_super -d postgres -c 'SELECT pg_reload_conf()' >/dev/null
}

repl_conninfo() { echo "host=$PGHOST port=$PGPORT user=$BACKUP_ROLE application_name=$SLOT"; }

# ---------------------------------------------------------------- base backup
record_failure() { # record_failure <reason>
  python3 -c 'import json,sys,time; json.dump({"at_epoch": time.time(), "reason": sys.argv[1]}, open(sys.argv[2], "w"))' \
    "$1" "$STATE/last-failure.json"
}

tool_versions() {
  python3 - "$@" <<'PY'
import json, subprocess, sys
out = {}
for tool in sys.argv[1:]:
    name = tool.rsplit("/", 1)[-1]
    try:
        out[name] = subprocess.run([tool, "--version"], capture_output=True, text=True).stdout.strip()
    except OSError as e:
        out[name] = f"unavailable: {e}"
print(json.dumps(out))
PY
}

cmd_backup() {
  exec 9>"$STATE/backup.lock"
  flock -n 9 || die "another backup or restore of $BACKUP_DIR is running"
  ensure_backup_setup
  need_pgbin
  local label tmp started finished
  label=$(date -u +%Y%m%dT%H%M%SZ)
  tmp="$BACKUP_DIR/base/.tmp-$label"
  rm -rf "$tmp"; mkdir -p "$tmp"
  # On any failure below: the partial folder goes, the failure is recorded for the exporter.
  trap 'rc=$?; if [ $rc -ne 0 ]; then rm -rf "$tmp"; record_failure "base backup $label failed (exit $rc)"; fi' EXIT
  started=$(now)
  log "base backup $label of PostgreSQL $PGHOST:$PGPORT into ${BACKUP_DIR/#$ROOT\//}/base/$label"
  pg_super -d postgres -F $'\t' -c "SELECT datname, oid, pg_database_size(oid) FROM pg_database WHERE datallowconn ORDER BY 1" > "$tmp/databases.tsv"
  "$PGBIN/pg_basebackup" -d "$(repl_conninfo)" -w -D "$tmp/data" -Fp -X stream -c fast \
    --manifest-checksums=SHA256 --label="shop $label" 2> "$tmp/pg_basebackup.log" \
    || { cat "$tmp/pg_basebackup.log" >&2; die "pg_basebackup failed"; }
  "$PGBIN/pg_verifybackup" "$tmp/data" > "$tmp/verify.log" 2>&1 \
    || { cat "$tmp/verify.log" >&2; die "pg_verifybackup found a damaged backup: $tmp"; }
  if [ "${SHOP_BACKUP_BROKER:-1}" = 1 ]; then
    (umask 077 && rabbit_api GET /definitions > "$tmp/broker-definitions.json") \
      || die "exporting the RabbitMQ definitions as $RABBIT_ADMIN_USER failed (is RabbitMQ up? ./shop infra)"
    python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert "vhosts" in d' "$tmp/broker-definitions.json" \
      || die "the RabbitMQ definitions export is not a definitions document"
  fi
  finished=$(now)
  tool_versions "$PGBIN/pg_basebackup" "$PGBIN/pg_verifybackup" "$PGBIN/pg_receivewal" "$PGBIN/postgres" > "$tmp/versions.json"
  local rmq; rmq=$(rabbit_api GET /overview 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin).get("rabbitmq_version","unknown"))' 2>/dev/null || echo unknown)
  python3 -c 'import json,sys; v=json.load(open(sys.argv[1])); v["rabbitmq"]=sys.argv[2]; json.dump(v, open(sys.argv[1], "w"))' "$tmp/versions.json" "$rmq"
  python3 "$TOOL" manifest "$tmp" "$label" "$started" "$finished" "$tmp/databases.tsv" "$tmp/versions.json" "$tmp/verify.log"
  rm -f "$tmp/databases.tsv" "$tmp/versions.json"
  mv "$tmp" "$BACKUP_DIR/base/$label"
  sync -f "$BACKUP_DIR/base/$label/manifest.json" 2>/dev/null || sync
  trap - EXIT
  rm -f "$STATE/last-failure.json"
  log "base backup $label verified ($(du -sh "$BACKUP_DIR/base/$label" | cut -f1), $(python3 -c 'import json,sys;m=json.load(open(sys.argv[1]));print(m["duration_seconds"],"s, WAL",m["wal_start_lsn"],"-",m["wal_end_lsn"])' "$BACKUP_DIR/base/$label/manifest.json"))"
  cmd_prune
}

cmd_prune() {
  local label oldest n
  while read -r label; do
    [ -n "$label" ] || continue
    log "retention: removing base backup $label (beyond the newest $KEEP and older than $KEEP_DAYS days)"
    rm -rf "${BACKUP_DIR:?}/base/$label"
  done < <(python3 "$TOOL" retention "$BACKUP_DIR" "$KEEP" "$KEEP_DAYS")
  # awk reads the whole list: "head -n 1" could exit while the tool still writes, and under pipefail its
  # BrokenPipeError failed the backup (seen in a clean-clone run with several backups kept).
  oldest=$(python3 "$TOOL" list "$BACKUP_DIR" | awk -F'\t' 'NR == 1 { print $3 }')
  if [ -n "$oldest" ]; then
    n=$(python3 "$TOOL" prune-wal "$BACKUP_DIR" "$oldest")
    [ "$n" = 0 ] || log "retention: removed $n WAL segment(s) older than $oldest, the oldest kept base backup's start"
  fi
}

cmd_list() {
  local rows; rows=$(python3 "$TOOL" list "$BACKUP_DIR")
  [ -n "$rows" ] || { echo "no verified base backups in $BACKUP_DIR"; return 0; }
  printf '%-18s %-22s %10s  %s\n' LABEL FINISHED SIZE DATABASES
  while IFS=$'\t' read -r label _ _ fin size dbs; do
    printf '%-18s %-22s %10s  %s\n' "$label" "$fin" "$(numfmt --to=iec "$size")" "$dbs"
  done <<<"$rows"
  echo "recoverable: from $(head -n 1 <<<"$rows" | cut -f4) to the newest shipped WAL ($(ls "$STREAM" 2>/dev/null | tail -n 1))"
  echo "WAL receiver: $(receiver_running && echo running || echo stopped)"
}

# ---------------------------------------------------------------- WAL shipping
receiver_pid() { cat "$STATE/receiver.pid" 2>/dev/null || true; }
receiver_running() {
  local pid; pid=$(receiver_pid)
  [ -n "$pid" ] && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q "pg_receivewal.*$STREAM"
}
exporter_running() {
  local pid; pid=$(cat "$STATE/exporter.pid" 2>/dev/null || true)
  [ -n "$pid" ] && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q "exporter.py --dir $BACKUP_DIR"
}

# pg_receivewal resumes from the newest segment in its folder. After the slot was dropped (./shop down)
# the server may no longer have that WAL: then the old files become a closed chain (still used to
# restore points before the gap) and streaming starts a new one, which needs a new base backup.
close_chain_if_gap() {
  local last; last=$(ls "$STREAM" 2>/dev/null | grep -E '^[0-9A-F]{24}(\.partial)?$' | sort | tail -n 1 || true)
  [ -n "$last" ] || return 1
  local slot_exists; slot_exists=$(pg_super -d postgres -c "SELECT 1 FROM pg_replication_slots WHERE slot_name = '$SLOT' AND wal_status <> 'lost'")
  [ "$slot_exists" = 1 ] && return 1
  local seg=${last%.partial}
  [[ "$last" == *.partial ]] || seg=$(python3 -c 'import sys; s=sys.argv[1]; n=int(s[8:16],16)*256+int(s[16:],16)+1; print(s[:8]+"%08X%08X"%(n//256,n%256))' "$seg")
  local have; have=$(pg_super -d postgres -c "SELECT 1 FROM pg_ls_waldir() WHERE name = '$seg'")
  [ "$have" = 1 ] && return 1
  local chain; chain="$BACKUP_DIR/wal/chain-$(date -u +%Y%m%dT%H%M%SZ)"
  log "WAL after $last is no longer on the server (shipping was stopped): closing that chain as ${chain#"$BACKUP_DIR"/} and starting a new one"
  mv "$STREAM" "$chain"; mkdir -p "$STREAM"
  return 0
}

cmd_ship() {
  local action=${1:-status}; shift || true
  case "$action" in
    start)
      ensure_backup_setup
      need_pgbin
      local gap=0
      if ! receiver_running; then
        close_chain_if_gap && gap=1
        "$PGBIN/pg_receivewal" -d "$(repl_conninfo)" -w --slot="$SLOT" --create-slot --if-not-exists >/dev/null 2>&1 \
          || die "creating replication slot $SLOT failed"
        log "shipping WAL continuously: pg_receivewal --synchronous --slot=$SLOT -> ${STREAM/#$ROOT\//} (log: ${STATE/#$ROOT\//}/receiver.log)"
        # setsid: the receiver outlives the shell that started it (./shop up returns), and is not
        # killed with that shell's process group.
        setsid nohup "$PGBIN/pg_receivewal" -d "$(repl_conninfo)" -w --slot="$SLOT" --synchronous \
          --status-interval=1 -D "$STREAM" >> "$STATE/receiver.log" 2>&1 < /dev/null &
        echo $! > "$STATE/receiver.pid"
        sleep 1
        receiver_running || { tail -n 5 "$STATE/receiver.log" >&2; die "pg_receivewal exited at once (log above)"; }
      fi
      if [ "$EXPORTER_PORT" != 0 ] && ! exporter_running; then
        setsid nohup python3 "$ROOT/scripts/backup/exporter.py" --dir "$BACKUP_DIR" --slot "$SLOT" --port "$EXPORTER_PORT" \
          >> "$STATE/exporter.log" 2>&1 < /dev/null &
        echo $! > "$STATE/exporter.pid"
        wait_for 10 "backup exporter on 127.0.0.1:$EXPORTER_PORT" curl -sf "http://127.0.0.1:$EXPORTER_PORT/metrics"
        log "backup metrics on http://127.0.0.1:$EXPORTER_PORT/metrics"
      fi
      if [ $gap = 1 ] || [ -z "$(python3 "$TOOL" list "$BACKUP_DIR")" ]; then
        log "no base backup covers the new WAL chain yet: taking one"
        (cmd_backup)
      fi
      ;;
    stop)
      local drop=0; [ "${1:-}" = --drop-slot ] && drop=1
      local pid
      for f in receiver exporter; do
        pid=$(cat "$STATE/$f.pid" 2>/dev/null || true)
        local alive=0
        if [ $f = receiver ]; then receiver_running && alive=1; else exporter_running && alive=1; fi
        if [ $alive = 1 ]; then
          kill "$pid" 2>/dev/null || true
          for _ in $(seq 20); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
          kill -9 "$pid" 2>/dev/null || true
          log "stopped the backup $f (pid $pid)"
        fi
        rm -f "$STATE/$f.pid"
      done
      if [ $drop = 1 ]; then
        # The walsender lets go of the slot a moment after the receiver exits.
        for _ in $(seq 20); do
          [ -z "$(pg_super -d postgres -c "SELECT 1 FROM pg_replication_slots WHERE slot_name = '$SLOT' AND active")" ] && break
          sleep 0.25
        done
        if [ -n "$(pg_super -d postgres -c "SELECT 1 FROM pg_replication_slots WHERE slot_name = '$SLOT'")" ]; then
          pg_super -d postgres -c "SELECT pg_drop_replication_slot('$SLOT')" >/dev/null || die "dropping replication slot $SLOT failed"
          log "dropped replication slot $SLOT (it would otherwise keep WAL on the server)"
        fi
      fi
      ;;
    status)
      echo "WAL receiver: $(receiver_running && echo "running (pid $(receiver_pid))" || echo stopped)"
      echo "exporter:     $(exporter_running && echo "running on 127.0.0.1:$EXPORTER_PORT" || echo stopped)"
      pg_super -d postgres -F ' ' -c "SELECT 'slot $SLOT: active=' || active || ', wal_status=' || coalesce(wal_status, '-') || ', retained=' || pg_size_pretty(pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)) FROM pg_replication_slots WHERE slot_name = '$SLOT'" \
        | grep . || echo "slot $SLOT: none"
      ;;
    *) die "usage: scripts/backup.sh ship start|stop [--drop-slot]|status" ;;
  esac
}

# ---------------------------------------------------------------- restore
SCRATCH=""; STOPPED=(); RESTORED=0
as_pg() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
cleanup_scratch() {
  if [ -n "$SCRATCH" ] && [ -d "$SCRATCH" ]; then
    as_pg "$PGBIN/pg_ctl" -D "$SCRATCH/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$SCRATCH"
  fi
  # A failed restore changed no database: what it stopped runs again on what was there.
  if [ "$RESTORED" = 0 ] && [ ${#STOPPED[@]} -gt 0 ]; then
    local svc
    for svc in "${STOPPED[@]}"; do
      log "restore failed: starting $svc-svc again on its unchanged database"
      SHOP_LOG_JSON=false start_service "$svc" dev "${PORT[$svc]}" "$RUN_DIR/$svc-svc.log" || true
    done
  fi
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

service_pid_running() { local pid; pid=$(cat "$RUN_DIR/$1-svc.pid" 2>/dev/null || true); [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }

stop_dev_service() {
  local svc=$1 pid; pid=$(cat "$RUN_DIR/$svc-svc.pid")
  log "stopping $svc-svc (pid $pid) for the restore"
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 30); do kill -0 "$pid" 2>/dev/null || break; sleep 1; done
  kill -9 "$pid" 2>/dev/null || true
  rm -f "$RUN_DIR/$svc-svc.pid"
}

cmd_restore() {
  local service=all to=latest env=dev control=1
  while [ $# -gt 0 ]; do
    case "$1" in
      --service) service=${2:?--service needs a value}; shift 2 ;;
      --to) to=${2:?--to needs a time or latest}; shift 2 ;;
      --env) env=${2:?--env needs dev, e2e or test}; shift 2 ;;
      --no-service-control) control=0; shift ;;
      -h|--help) usage; return 0 ;;
      *) die "unknown restore option $1 (see scripts/backup.sh --help)" ;;
    esac
  done
  local t0; t0=$(now)
  # -- validate everything before touching anything
  local svcs=()
  case "$service" in
    all) svcs=("${SERVICES[@]}") ;;
    order|inventory|billing|notification) svcs=("$service") ;;
    order-svc|inventory-svc|billing-svc|notification-svc) svcs=("${service%-svc}") ;;
    *) die "unknown service '$service' (order, inventory, billing, notification or all)" ;;
  esac
  [[ "$env" =~ ^[a-z0-9]+$ ]] || die "unknown environment '$env' (dev, e2e or test)"
  [ "$env" = dev ] || [ $control = 0 ] || { log "environment $env: its services are not started by ./shop up; not stopping or restarting them"; control=0; }
  pg_isready -h "$PGHOST" -p "$PGPORT" -q || die "PostgreSQL at $PGHOST:$PGPORT is not running (./shop infra)"
  need_pgbin
  local target_epoch="" target_sql=""
  if [ "$to" != latest ]; then
    target_epoch=$(psql -U "$PG_SUPERUSER" -d postgres -qtAX -v ON_ERROR_STOP=1 -v t="$to" 2>/dev/null <<'SQL'
SELECT extract(epoch FROM :'t'::timestamptz)
SQL
    ) || die "cannot read '$to' as a time: give e.g. '2026-11-30 12:34:56.789+00' or latest"
    # Normalised for recovery_target_time, microseconds kept, in UTC.
    target_sql=$(psql -U "$PG_SUPERUSER" -d postgres -qtAX -v t="$to" <<'SQL'
SELECT to_char(:'t'::timestamptz AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+00'
SQL
    )
    python3 -c 'import sys,time; sys.exit(0 if float(sys.argv[1]) <= time.time() else 1)' "$target_epoch" \
      || die "--to $to is in the future"
  fi
  [ -n "$(python3 "$TOOL" list "$BACKUP_DIR")" ] || die "no verified base backup in $BACKUP_DIR (take one: ./shop backup)"
  local dbs=() db choice label="" l startfile startlsn
  declare -A OID=()
  for svc in "${svcs[@]}"; do
    db=$(db_for "$svc" "$env"); dbs+=("$db")
    if ! choice=$(python3 "$TOOL" choose "$BACKUP_DIR" "${target_epoch:-latest}" "$db"); then
      if [ -n "$target_epoch" ] && python3 "$TOOL" choose "$BACKUP_DIR" latest "$db" >/dev/null; then
        die "$to is before the oldest recoverable point of $db ($(python3 "$TOOL" list "$BACKUP_DIR" | awk -F'\t' 'NR == 1 { print $4 }')): nothing restored"
      fi
      die "no base backup contains database $db (created after the newest backup? take one: ./shop backup); nothing restored"
    fi
    # One recovery for all: the oldest of the per-database choices (it holds every one of them).
    l=$(cut -f1 <<<"$choice")
    if [ -z "$label" ] || [[ "$l" < "$label" ]]; then label=$l; fi
  done
  local man="$BACKUP_DIR/base/$label/manifest.json"
  startfile=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["wal_start_file"])' "$man")
  startlsn=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["wal_start_lsn"])' "$man")
  for db in "${dbs[@]}"; do
    OID[$db]=$(python3 -c 'import json,sys; print(next(d["oid"] for d in json.load(open(sys.argv[1]))["databases"] if d["name"]==sys.argv[2]))' "$man" "$db")
  done
  exec 9>"$STATE/backup.lock"
  flock -n 9 || die "a backup or another restore of $BACKUP_DIR is running; try again when it is done"

  # -- the running services stop writing first: everything they committed is then in the WAL we ship
  trap cleanup_scratch EXIT
  if [ $control = 1 ]; then
    for svc in "${svcs[@]}"; do
      if service_pid_running "$svc"; then stop_dev_service "$svc"; STOPPED+=("$svc"); fi
    done
  fi
  if receiver_running; then sleep 1.5; fi   # --synchronous flushes as WAL arrives; a status round trip

  # -- a temporary instance recovered from the base backup + WAL
  SCRATCH=$(mktemp -d /tmp/shop-restore.XXXXXX)
  local data="$SCRATCH/data" port; port=${SHOP_RESTORE_PORT:-$(free_port)}
  log "recovering base backup $label + shipped WAL into a temporary PostgreSQL on port $port"
  cp -a "$BACKUP_DIR/base/$label/data" "$data"
  mkdir -p "$SCRATCH/wal"
  local f seg
  for f in "$BACKUP_DIR"/wal/*/*; do
    [ -f "$f" ] || continue
    seg=$(basename "$f"); seg=${seg%.partial}
    [[ "$seg" =~ ^[0-9A-F]{24}$ ]] || continue
    [[ "${seg:8}" < "${startfile:8}" ]] && continue
    # A complete segment wins over a partial one of the same name; the newest partial is the tip.
    if [[ "$f" == *.partial ]]; then [ -e "$SCRATCH/wal/$seg" ] || cp "$f" "$SCRATCH/wal/$seg"
    else cp -f "$f" "$SCRATCH/wal/$seg"; fi
  done
  # Where was each database dropped, if it was, after this backup (the oid is the backup's)?
  # `latest` stops just before the first such drop; a time target is taken as given (the database
  # must exist at that time; a restore creates a new one, which the base backup taken after every
  # restore covers).
  local stop_lsn="" destroyed_at="" point s d
  for db in "${dbs[@]}"; do
    point=$(python3 "$TOOL" drop-point "$SCRATCH/wal" "$startlsn" "${OID[$db]}")
    [ "$point" != "{}" ] || continue
    s=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["stop_lsn"])' "$point")
    d=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["destroyed_at"] or "")' "$point")
    log "database $db was dropped at ${d:-an unknown time} (WAL $s)"
    if [ -z "$stop_lsn" ] || python3 -c 'import sys; a,b=[int(x.split("/")[0],16)<<32|int(x.split("/")[1],16) for x in sys.argv[1:]]; sys.exit(0 if a<b else 1)' "$s" "$stop_lsn"; then
      stop_lsn=$s; destroyed_at=$d
    fi
  done
  local target_conf=""
  if [ -n "$target_epoch" ]; then
    target_conf="recovery_target_time = '$target_sql'
recovery_target_inclusive = on"
  elif [ -n "$stop_lsn" ]; then
    log "recovering to just before the drop"
    target_conf="recovery_target_lsn = '$stop_lsn'
recovery_target_inclusive = off"
  fi
  rm -f "$data/postmaster.pid" "$data/postmaster.opts" "$data/standby.signal"
  cat > "$data/postgresql.conf" <<CONF
# temporary restore instance (scripts/backup.sh restore); removed when the restore ends
port = $port
listen_addresses = ''
unix_socket_directories = '$SCRATCH'
max_connections = 20
shared_buffers = 64MB
hot_standby = off
archive_mode = off
max_wal_senders = 0
max_replication_slots = 0
fsync = off
full_page_writes = off
timezone = 'UTC'
log_timezone = 'UTC'
restore_command = 'cp "$SCRATCH/wal/%f" "%p"'
recovery_target_action = 'promote'
recovery_target_timeline = 'current'
$target_conf
CONF
  printf 'local all all trust\n' > "$data/pg_hba.conf"
  : > "$data/pg_ident.conf"
  : > "$data/recovery.signal"
  [ "$(id -u)" != 0 ] || chown -R postgres: "$SCRATCH"
  chmod 700 "$SCRATCH" "$data"
  if ! as_pg "$PGBIN/pg_ctl" -D "$data" -l "$SCRATCH/recovery.log" -w -t 600 start >/dev/null; then
    tail -n 15 "$SCRATCH/recovery.log" >&2
    if grep -q "recovery ended before configured recovery target was reached" "$SCRATCH/recovery.log"; then
      die "the shipped WAL ends before $to: nothing restored (is the WAL receiver running? scripts/backup.sh ship status)"
    fi
    die "recovery of the temporary instance failed (log above); nothing was changed"
  fi
  for _ in $(seq 120); do
    [ "$(psql -h "$SCRATCH" -p "$port" -U postgres -d postgres -qtAX -c 'SELECT pg_is_in_recovery()' 2>/dev/null)" = f ] && break
    sleep 0.5
  done
  local recovered_to; recovered_to=$(sed -n 's/.*last completed transaction was at log time \(.*\)$/\1/p' "$SCRATCH/recovery.log" | tail -n 1)
  log "recovered; last completed transaction at ${recovered_to:-(none after the base backup)}"

  # -- per database: dump from the temporary instance, restore beside the live one, swap
  for i in "${!svcs[@]}"; do
    local svc=${svcs[$i]}; db=${dbs[$i]}; local role; role=$(db_role "$svc")
    local tmpdb="${db}__restore"
    [ "$(psql -h "$SCRATCH" -p "$port" -U postgres -d postgres -qtAX -c "SELECT 1 FROM pg_database WHERE datname = '$db' AND datconnlimit <> -2")" = 1 ] \
      || die "database $db did not exist at $to${destroyed_at:+ (it was dropped at $destroyed_at: restore --to latest, or a time before that)}; nothing was changed"
    log "restoring $db: pg_dump from the recovered instance, pg_restore into $tmpdb"
    "$PGBIN/pg_dump" -h "$SCRATCH" -p "$port" -U postgres -Fc -f "$SCRATCH/$db.dump" "$db"
    pg_super -d postgres -c "DROP DATABASE IF EXISTS \"$tmpdb\" WITH (FORCE)" >/dev/null
    pg_super -d postgres -c "CREATE DATABASE \"$tmpdb\" OWNER $role" >/dev/null
    "$PGBIN/pg_restore" -h "$PGHOST" -p "$PGPORT" -U "$PG_SUPERUSER" -d "$tmpdb" --no-owner --no-privileges --exit-on-error "$SCRATCH/$db.dump" \
      || { pg_super -d postgres -c "DROP DATABASE IF EXISTS \"$tmpdb\"" >/dev/null; die "pg_restore into $tmpdb failed; $db was not touched"; }
    # Ownership exactly as ./shop infra sets it (lib.sh): the service's role owns the database and
    # everything in it; CONNECT for that role only (secure_databases, below, after the rename).
    pg_super -d "$tmpdb" >/dev/null < <(own_everything_sql "$role") || die "changing the owner of the objects in $tmpdb failed"
    RESTORED=1   # from here on the old database is replaced: a failure is not undone by a restart
    log "swapping $tmpdb in as $db (connections to $db are terminated)"
    pg_super -d postgres >/dev/null <<SQL || die "swapping in the restored $db failed"
SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '$db' AND pid <> pg_backend_pid();
DROP DATABASE IF EXISTS "$db" WITH (FORCE);
ALTER DATABASE "$tmpdb" RENAME TO "$db";
SQL
  done
  secure_databases
  as_pg "$PGBIN/pg_ctl" -D "$data" -m fast stop >/dev/null 2>&1 || true

  for svc in "${STOPPED[@]}"; do
    log "starting $svc-svc again"
    SHOP_LOG_JSON=false start_service "$svc" dev "${PORT[$svc]}" "$RUN_DIR/$svc-svc.log"
  done
  for svc in "${STOPPED[@]}"; do wait_ready "${PORT[$svc]}" "$svc-svc"; done
  local t1; t1=$(now)
  python3 - "$t0" "$t1" "$recovered_to" "$destroyed_at" "$to" "$label" "${svcs[*]}" "$env" "$([ ${#STOPPED[@]} -gt 0 ] && echo restarted || echo untouched)" <<'PY'
import json, sys
from datetime import datetime
t0, t1, recovered, destroyed, target, label, svcs, env, services = sys.argv[1:]
def parse(s):
    if not s:
        return None
    s = s.replace(" UTC", "+00:00").strip()
    if s[-3] in "+-" and s[-3:].lstrip("+-").isdigit():
        s += ":00"
    return datetime.fromisoformat(s).timestamp()
r, d = parse(recovered), parse(destroyed)
rpo = None
if r and d:
    rpo = round(max(0.0, d - r), 3)
res = {"services": svcs.split(), "env": env, "target": target, "base_backup": label,
       "recovered_to": recovered or None, "destroyed_at": destroyed or None,
       "rpo_seconds": rpo, "rto_seconds": round(float(t1) - float(t0), 3), "service_processes": services}
print(f"RTO: {res['rto_seconds']} s from the restore command to {'the service ready' if services == 'restarted' else 'the database swapped in'}")
if rpo is not None:
    print(f"RPO: {rpo} s between the last transaction recovered ({recovered}) and the drop ({destroyed})")
else:
    print(f"RPO: recovered to {recovered or 'the end of the base backup'} (target {target})")
print("RESTORE-RESULT " + json.dumps(res), flush=True)
PY
  # The restored database is a new one (new oid): a base backup now makes it the starting point of
  # the next restore. Not part of the RTO: the service is already serving.
  flock -u 9
  if [ "${SHOP_RESTORE_BACKUP_AFTER:-1}" = 1 ]; then
    log "taking a base backup of the restored state"
    (cmd_backup) || log "WARNING: the base backup after the restore failed: run ./shop backup"
  fi
}

cmd="${1:-}"; [ $# -gt 0 ] && shift
case "$cmd" in
  backup)  cmd_backup "$@" ;;
  ship)    cmd_ship "$@" ;;
  restore) cmd_restore "$@" ;;
  list)    cmd_list ;;
  prune)   cmd_prune ;;
  -h|--help|help|"") usage ;;
  *) echo "unknown command: $cmd" >&2; usage >&2; exit 2 ;;
esac
