#!/usr/bin/env python3
"""Helpers of scripts/backup.sh that are easier in Python than in shell (stdlib only).

  backuptool.py manifest DIR ...        write DIR/manifest.json for a finished, verified base backup
  backuptool.py list BACKUP_DIR         one line per verified base backup: label<TAB>end epoch<TAB>start WAL file
  backuptool.py choose BACKUP_DIR EPOCH|latest [DB]
                                        the newest verified base backup usable for that target (label)
  backuptool.py retention BACKUP_DIR KEEP KEEP_DAYS
                                        labels of base backups to prune (never the newest)
  backuptool.py prune-wal BACKUP_DIR SEGMENT
                                        delete shipped WAL segments older than SEGMENT (all chains)
  backuptool.py drop-point WALDIR START_LSN DB_OID
                                        where the database was first dropped after START_LSN (JSON)

The manifest records what an operator needs to trust and use a backup: times, sizes, sha256 of
the files this tool can check (PostgreSQL's own backup_manifest carries a sha256 of every data
file and is verified by pg_verifybackup), tool versions, the WAL range, and every database's oid.
"""
import hashlib
import json
import os
import re
import subprocess
import sys
import time

WAL_NAME = re.compile(r"^[0-9A-F]{24}$")
SHOP_DB = re.compile(r"^shop_(order|inventory|billing|notification)(_[a-z0-9]+)?$")


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def tree_size(path):
    total = 0
    for dirpath, _, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(dirpath, name)).st_size
            except FileNotFoundError:
                pass
    return total


def read_manifests(backup_dir):
    base = os.path.join(backup_dir, "base")
    out = []
    if not os.path.isdir(base):
        return out
    for label in sorted(os.listdir(base)):
        mf = os.path.join(base, label, "manifest.json")
        if label.startswith(".") or not os.path.isfile(mf):
            continue
        try:
            with open(mf) as f:
                m = json.load(f)
        except (OSError, ValueError):
            continue
        if m.get("verified") is True:
            m["_dir"] = os.path.join(base, label)
            out.append(m)
    out.sort(key=lambda m: m["finished_at_epoch"])
    return out


def cmd_manifest(args):
    """manifest DIR LABEL STARTED_EPOCH FINISHED_EPOCH DATABASES_TSV VERSIONS_JSON VERIFY_LOG"""
    d, label, started, finished, dbs_tsv, versions_json, verify_log = args
    data = os.path.join(d, "data")
    with open(os.path.join(data, "backup_manifest")) as f:
        pg_manifest = json.load(f)
    ranges = pg_manifest.get("WAL-Ranges", [])
    start_lsn = ranges[0]["Start-LSN"] if ranges else None
    end_lsn = ranges[-1]["End-LSN"] if ranges else None
    timeline = ranges[0]["Timeline"] if ranges else 1
    start_file = None
    label_path = os.path.join(data, "backup_label")
    if os.path.isfile(label_path):
        with open(label_path) as f:
            m = re.search(r"START WAL LOCATION: \S+ \(file ([0-9A-F]{24})\)", f.read())
            start_file = m.group(1) if m else None
    databases = []
    with open(dbs_tsv) as f:
        for line in f:
            name, oid, size = line.rstrip("\n").split("\t")
            svc = SHOP_DB.match(name)
            databases.append({"name": name, "oid": int(oid), "size_bytes": int(size),
                              "service": (svc.group(1) + "-svc") if svc else None})
    files = []
    for rel in ("data/backup_manifest", "data/backup_label", "broker-definitions.json"):
        p = os.path.join(d, rel)
        if os.path.isfile(p):
            files.append({"path": rel, "size_bytes": os.path.getsize(p), "sha256": sha256(p)})
    with open(versions_json) as f:
        versions = json.load(f)
    with open(verify_log) as f:
        verify = f.read().strip()
    manifest = {
        "format": 1,
        "label": label,
        "kind": "postgresql-cluster-base-backup+rabbitmq-definitions",
        "started_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(float(started))),
        "finished_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(float(finished))),
        "started_at_epoch": float(started),
        "finished_at_epoch": float(finished),
        "duration_seconds": round(float(finished) - float(started), 3),
        "timeline": timeline,
        "wal_start_lsn": start_lsn,
        "wal_end_lsn": end_lsn,
        "wal_start_file": start_file,
        "size_bytes": {"data": tree_size(data), "total": tree_size(d)},
        "pg_manifest_checksum_algorithm": "SHA256",
        "files": files,
        "databases": databases,
        "tool_versions": versions,
        "verified": True,
        "verification": verify,
    }
    tmp = os.path.join(d, "manifest.json.tmp")
    with open(tmp, "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    os.rename(tmp, os.path.join(d, "manifest.json"))


def cmd_list(args):
    for m in read_manifests(args[0]):
        dbs = ",".join(db["name"] for db in m["databases"] if db["service"])
        print(f'{m["label"]}\t{m["finished_at_epoch"]}\t{m["wal_start_file"]}\t{m["finished_at"]}\t{m["size_bytes"]["total"]}\t{dbs}')


def cmd_choose(args):
    backup_dir, target = args[0], args[1]
    db = args[2] if len(args) > 2 else None
    ms = read_manifests(backup_dir)
    if db:
        ms = [m for m in ms if any(d["name"] == db for d in m["databases"])]
    if target != "latest":
        # A base backup can only roll forward: it is usable for targets after it became consistent.
        ms = [m for m in ms if m["finished_at_epoch"] <= float(target)]
    if not ms:
        sys.exit(1)
    m = ms[-1]
    oid = next((d["oid"] for d in m["databases"] if d["name"] == db), "") if db else ""
    print(f'{m["label"]}\t{m["wal_start_file"]}\t{m["wal_start_lsn"]}\t{oid}\t{m["finished_at_epoch"]}')


def cmd_retention(args):
    backup_dir, keep, keep_days = args[0], int(args[1]), float(args[2])
    ms = read_manifests(backup_dir)
    now = time.time()
    newest_first = list(reversed(ms))
    for i, m in enumerate(newest_first):
        if i == 0 or i < keep or now - m["finished_at_epoch"] < keep_days * 86400:
            continue
        print(m["label"])


def wal_dirs(backup_dir):
    w = os.path.join(backup_dir, "wal")
    if not os.path.isdir(w):
        return []
    return [os.path.join(w, d) for d in sorted(os.listdir(w)) if os.path.isdir(os.path.join(w, d))]


def cmd_prune_wal(args):
    backup_dir, oldest = args[0], args[1]
    removed = 0
    for d in wal_dirs(backup_dir):
        for name in os.listdir(d):
            seg = name.split(".")[0]
            # Same timeline here (the cluster is never promoted), so name order is WAL order; compare
            # the log/segment part only, so a later timeline's older segment is never kept by mistake.
            if WAL_NAME.match(seg) and seg[8:] < oldest[8:]:
                os.unlink(os.path.join(d, name))
                removed += 1
        if os.path.basename(d) != "stream" and not os.listdir(d):
            os.rmdir(d)  # an earlier chain with nothing left
    print(removed)


def lsn_int(lsn):
    hi, lo = lsn.split("/")
    return (int(hi, 16) << 32) | int(lo, 16)


def lsn_str(value):
    return "%X/%X" % (value >> 32, value & 0xFFFFFFFF)


def cmd_drop_point(args):
    """The first DROP DATABASE of DB_OID after START_LSN, from pg_waldump over WALDIR.

    DROP DATABASE writes, in this order: an in-place update marking the pg_database row invalid
    (no transaction id; PostgreSQL >= 15.4), the transactional delete of that row, the removal of
    the database directory, then the commit. Recovery must stop before the in-place update, or the
    recovered database is unusable ("cannot connect to invalid database")."""
    waldir, start, oid = args
    waldump = os.environ.get("PG_WALDUMP", "pg_waldump")

    def dump(*extra):
        p = subprocess.run([waldump, "-p", waldir, "-s", start, *extra], capture_output=True, text=True)
        return p.stdout.splitlines()  # it ends with an error at the end of the WAL: expected

    rec = re.compile(r"tx:\s+(\d+), lsn: ([0-9A-F]+/[0-9A-F]+),.*desc: (.*)$")
    xid = drop_lsn = None
    for line in dump("--rmgr=Database"):
        m = rec.search(line)
        if m and re.match(r"DROP dir \d+/%s$" % oid, m.group(3).strip()):
            xid, drop_lsn = m.group(1), m.group(2)
            break
    if xid is None:
        print("{}")
        return
    first = None
    commit_ts = None
    delete_target = None
    for line in dump("--xid=" + xid):
        m = rec.search(line)
        if not m:
            continue
        first = first or m.group(2)
        d = m.group(3)
        t = re.match(r"DELETE off (\d+) .*blkref #0: rel 1664/0/1262 blk (\d+)", d)
        if t and delete_target is None:
            delete_target = (t.group(1), t.group(2))
        c = re.match(r"COMMIT (\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d+)?) (\w+)", d)
        if c:
            commit_ts = c.group(1) + " " + c.group(2)
    stop = first
    if delete_target:
        off, blk = delete_target
        inplace = re.compile(r"INPLACE off %s\b.*rel 1664/0/1262 blk %s\b" % (off, blk))
        # Only just before the transaction (it flushes the in-place update and goes on): an older
        # in-place update of the same row (VACUUM's datfrozenxid) must not move the stop point back.
        window_start = max(lsn_int(start), lsn_int(first) - (1 << 20))
        for line in subprocess.run([waldump, "-p", waldir, "-s", lsn_str(window_start), "-e", first, "--rmgr=Heap"],
                                   capture_output=True, text=True).stdout.splitlines():
            m = rec.search(line)
            if m and inplace.search(m.group(3)):
                stop = m.group(2)  # the last one before the transaction's first record
    print(json.dumps({"xid": xid, "drop_lsn": drop_lsn, "stop_lsn": stop, "destroyed_at": commit_ts}))


def pg_epoch(text):
    """Epoch of a timestamp as PostgreSQL prints it: '2026-11-30 23:52:08.872754 UTC' or '...+00'."""
    from datetime import datetime
    s = text.strip().replace(" UTC", "+00:00")
    if len(s) > 3 and s[-3] in "+-" and s[-2:].isdigit():
        s += ":00"
    return datetime.fromisoformat(s).timestamp()


def cmd_epoch(args):
    print(pg_epoch(args[0]))


COMMANDS = {"epoch": cmd_epoch, "manifest": cmd_manifest, "list": cmd_list, "choose": cmd_choose, "retention": cmd_retention,
            "prune-wal": cmd_prune_wal, "drop-point": cmd_drop_point}

if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in COMMANDS:
        print(__doc__, file=sys.stderr)
        sys.exit(2)
    COMMANDS[sys.argv[1]](sys.argv[2:])
