#!/usr/bin/env python3
"""Prometheus exporter for shop's local backups (scripts/backup.sh), stdlib only.

  exporter.py --dir BACKUP_DIR --slot SLOT [--port 9190] [--host 127.0.0.1]

Serves GET /metrics in the Prometheus text format. Everything is computed at each scrape from the
backup folder (base backup manifests, shipped WAL, state/ files written by backup.sh) and from the
process table (is this folder's pg_receivewal alive?), plus one query of pg_stat_replication and
pg_replication_slots through psql (PGHOST/PGPORT/PG_SUPERUSER from the environment); when
PostgreSQL does not answer, those series are left out rather than reported stale.
"""
import argparse
import json
import os
import subprocess
import sys
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.dont_write_bytecode = True  # no __pycache__ in the repository
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import backuptool  # noqa: E402


def esc(v):
    return str(v).replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


class Metrics:
    def __init__(self):
        self.lines = []
        self.declared = set()

    def add(self, name, mtype, help_text, value, **labels):
        if name not in self.declared:
            self.declared.add(name)
            self.lines.append(f"# HELP {name} {help_text}")
            self.lines.append(f"# TYPE {name} {mtype}")
        lab = ",".join(f'{k}="{esc(v)}"' for k, v in labels.items())
        self.lines.append(f"{name}{{{lab}}} {float(value):.6f}" if lab else f"{name} {float(value):.6f}")

    def text(self):
        return "\n".join(self.lines) + "\n"


def receiver_pid(state_dir, wal_dir):
    """The pid of this folder's pg_receivewal, or None (a stale pid file or a reused pid is not alive)."""
    try:
        with open(os.path.join(state_dir, "receiver.pid")) as f:
            pid = int(f.read().strip())
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            cmd = f.read().split(b"\0")
    except (OSError, ValueError):
        return None
    if any(c.endswith(b"pg_receivewal") for c in cmd) and wal_dir.encode() in b" ".join(cmd):
        with open(f"/proc/{pid}/stat") as f:
            if f.read().split(")")[-1].split()[0] == "Z":
                return None
        return pid
    return None


def replication_state(slot):
    sql = (
        "SELECT coalesce((SELECT extract(epoch FROM reply_time) FROM pg_stat_replication WHERE application_name = '%s' LIMIT 1)::text, ''),"
        " coalesce((SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), flush_lsn) FROM pg_stat_replication WHERE application_name = '%s' LIMIT 1)::text, ''),"
        " coalesce((SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn) FROM pg_replication_slots WHERE slot_name = '%s')::text, ''),"
        " coalesce((SELECT wal_status FROM pg_replication_slots WHERE slot_name = '%s'), '')"
    ) % (slot, slot, slot, slot)
    try:
        p = subprocess.run(["psql", "-U", os.environ.get("PG_SUPERUSER", "postgres"), "-d", "postgres", "-qtAX", "-F", "\t", "-c", sql],
                           capture_output=True, text=True, timeout=3)
    except (OSError, subprocess.TimeoutExpired):
        return None
    if p.returncode != 0 or not p.stdout.strip():
        return None
    return p.stdout.strip().split("\t")


def collect(backup_dir, slot):
    m = Metrics()
    state = os.path.join(backup_dir, "state")
    wal = os.path.join(backup_dir, "wal")
    manifests = backuptool.read_manifests(backup_dir)

    newest_per_db = {}
    for man in manifests:
        for db in man["databases"]:
            if db["service"]:
                newest_per_db[(db["service"], db["name"])] = man["finished_at_epoch"]
    for (service, database), ts in sorted(newest_per_db.items()):
        m.add("shop_backup_last_success_timestamp_seconds", "gauge",
              "End of the newest verified base backup covering the service's database (unix time).",
              ts, service=service, database=database)
    failure = 0.0
    try:
        with open(os.path.join(state, "last-failure.json")) as f:
            failure = float(json.load(f)["at_epoch"])
    except (OSError, ValueError, KeyError):
        pass
    m.add("shop_backup_last_failure_timestamp_seconds", "gauge",
          "When the last base backup failed (unix time); 0 when none has failed.", failure)
    if manifests:
        last = manifests[-1]
        m.add("shop_backup_last_duration_seconds", "gauge", "Duration of the newest base backup.", last["duration_seconds"])
        m.add("shop_backup_last_size_bytes", "gauge", "Size of the newest base backup (data files and broker definitions).",
              last["size_bytes"]["total"])
        m.add("shop_backup_oldest_recoverable_timestamp_seconds", "gauge",
              "Oldest point in time that can be restored (end of the oldest kept base backup).", manifests[0]["finished_at_epoch"])
    m.add("shop_backup_base_backups", "gauge", "Verified base backups kept.", len(manifests))
    base_bytes = sum(man["size_bytes"]["total"] for man in manifests)
    wal_bytes = backuptool.tree_size(wal) if os.path.isdir(wal) else 0
    m.add("shop_backup_size_bytes", "gauge", "Bytes kept in the backup folder, by kind.", base_bytes, kind="base")
    m.add("shop_backup_size_bytes", "gauge", "Bytes kept in the backup folder, by kind.", wal_bytes, kind="wal")

    up = receiver_pid(state, os.path.join(wal, "stream")) is not None
    m.add("shop_backup_wal_receiver_up", "gauge",
          "1 while pg_receivewal streams WAL into the backup folder, 0 when it is not running.", 1 if up else 0)
    newest_wal = 0.0
    stream = os.path.join(wal, "stream")
    if os.path.isdir(stream):
        for name in os.listdir(stream):
            try:
                newest_wal = max(newest_wal, os.stat(os.path.join(stream, name)).st_mtime)
            except FileNotFoundError:
                pass
    if newest_wal:
        m.add("shop_backup_wal_last_write_timestamp_seconds", "gauge",
              "Last time shipped WAL was written to the backup folder (unix time; an idle database writes none).", newest_wal)
    rep = replication_state(slot) if up else None
    if rep:
        reply, lag, retained, wal_status = rep
        if reply:
            m.add("shop_backup_wal_last_received_timestamp_seconds", "gauge",
                  "Last status report of the WAL receiver to PostgreSQL (unix time; every second while streaming).", reply)
        if lag:
            m.add("shop_backup_wal_lag_bytes", "gauge", "WAL written by PostgreSQL but not yet flushed to the backup folder.", lag)
        if retained:
            m.add("shop_backup_wal_slot_retained_bytes", "gauge",
                  "WAL the replication slot keeps on the database server (capped by max_slot_wal_keep_size).", retained)
        if wal_status:
            m.add("shop_backup_wal_slot_lost", "gauge", "1 when the slot's WAL was removed (the cap was hit): take a new base backup.",
                  1 if wal_status == "lost" else 0)
    m.add("shop_backup_exporter_scrape_timestamp_seconds", "gauge", "When this scrape was computed.", time.time())
    return m.text()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dir", required=True)
    ap.add_argument("--slot", required=True)
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=int(os.environ.get("SHOP_BACKUP_EXPORTER_PORT", "9190")))
    a = ap.parse_args()
    backup_dir = os.path.abspath(a.dir)

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            if self.path.split("?")[0] != "/metrics":
                self.send_error(404, "only /metrics here")
                return
            try:
                body = collect(backup_dir, a.slot).encode()
                self.send_response(200)
            except Exception as e:  # a broken manifest must show up as a failed scrape, with the reason
                body = f"backup exporter: {e}\n".encode()
                self.send_response(500)
            self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args):
            pass

    ThreadingHTTPServer.allow_reuse_address = True
    server = ThreadingHTTPServer((a.host, a.port), Handler)
    print(f"shop backup exporter on http://{a.host}:{a.port}/metrics for {backup_dir}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
