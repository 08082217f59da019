#!/usr/bin/env python3
"""Local Alertmanager webhook receiver for shop (python3 standard library only).

usage: alert-receiver.py --port PORT --dir DIR [--bind 127.0.0.1]

Alertmanager (started by scripts/monitoring-run.sh) POSTs every notification to /webhook. The
receiver appends each one, as received, to DIR/notifications.jsonl (one JSON object per line:
{"receivedAt": ..., "notification": <Alertmanager webhook payload>}) and keeps the alerts that are
firing, so that a page or a test can read them:

  GET /alerts            JSON array of the firing alerts, oldest first: fingerprint, status,
                         labels, annotations, startsAt, generatorURL, lastNotifiedAt
  GET /notifications     the last notifications recorded (?limit=N, default 100), oldest first
  GET /healthz           "ok"

On start it replays DIR/notifications.jsonl, so a restart does not forget what is firing.
Weaker than it looks: the list is what Alertmanager last said. An alert that resolves while the
receiver is down stays listed until Alertmanager's next notification for its group (at the latest
its repeat_interval); Prometheus's /api/v1/alerts is the authority.
GET answers carry Access-Control-Allow-Origin: * so a page served by another local port can read them.
"""
import argparse
import json
import os
import threading
import time
from collections import deque
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

MAX_BODY = 4 * 1024 * 1024
KEEP_NOTIFICATIONS = 1000


class State:
    def __init__(self, path):
        self.path = path
        self.lock = threading.Lock()
        self.firing = {}  # fingerprint -> alert
        self.recent = deque(maxlen=KEEP_NOTIFICATIONS)
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                for line in f:
                    try:
                        record = json.loads(line)
                    except ValueError:
                        continue  # a line cut short by a crash
                    self._apply(record)

    @staticmethod
    def fingerprint(alert):
        # Alertmanager sends one; fall back to the label set for senders that do not.
        return alert.get("fingerprint") or json.dumps(alert.get("labels", {}), sort_keys=True)

    def _apply(self, record):
        self.recent.append(record)
        for alert in record.get("notification", {}).get("alerts", []):
            fp = self.fingerprint(alert)
            if alert.get("status") == "firing":
                self.firing[fp] = {
                    "fingerprint": fp,
                    "status": "firing",
                    "labels": alert.get("labels", {}),
                    "annotations": alert.get("annotations", {}),
                    "startsAt": alert.get("startsAt"),
                    "generatorURL": alert.get("generatorURL"),
                    "lastNotifiedAt": record.get("receivedAt"),
                }
            else:
                self.firing.pop(fp, None)

    def record(self, notification):
        record = {"receivedAt": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime()) + "Z", "notification": notification}
        with self.lock:
            with open(self.path, "a", encoding="utf-8") as f:
                f.write(json.dumps(record, separators=(",", ":")) + "\n")
            self._apply(record)

    def alerts(self):
        with self.lock:
            return sorted(self.firing.values(), key=lambda a: (a.get("startsAt") or "", a["fingerprint"]))

    def notifications(self, limit):
        with self.lock:
            return list(self.recent)[-limit:] if limit > 0 else []


def handler(state):
    class Handler(BaseHTTPRequestHandler):
        server_version = "shop-alert-receiver"

        def log_message(self, fmt, *args):
            pass  # every notification is in the JSONL file; no per-request noise in the log

        def _send(self, status, body, content_type="application/json"):
            data = body.encode("utf-8") if isinstance(body, str) else body
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("Access-Control-Allow-Origin", "*")
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            url = urlparse(self.path)
            if url.path == "/alerts":
                self._send(200, json.dumps(state.alerts()))
            elif url.path == "/notifications":
                try:
                    limit = int(parse_qs(url.query).get("limit", ["100"])[0])
                except ValueError:
                    return self._send(400, '{"error":"limit must be a number"}')
                self._send(200, json.dumps(state.notifications(limit)))
            elif url.path == "/healthz":
                self._send(200, "ok\n", "text/plain")
            else:
                self._send(404, '{"error":"not found: GET /alerts, /notifications, /healthz; POST /webhook"}')

        def do_POST(self):
            if urlparse(self.path).path != "/webhook":
                return self._send(404, '{"error":"POST /webhook only"}')
            length = int(self.headers.get("Content-Length") or 0)
            if length <= 0 or length > MAX_BODY:
                return self._send(400, '{"error":"body missing or too large"}')
            try:
                notification = json.loads(self.rfile.read(length))
                if not isinstance(notification, dict) or not isinstance(notification.get("alerts"), list):
                    raise ValueError("not an Alertmanager webhook payload")
            except ValueError as e:
                return self._send(400, json.dumps({"error": str(e)}))
            state.record(notification)
            self._send(200, '{"status":"recorded"}')

    return Handler


def main():
    parser = argparse.ArgumentParser(description="Local Alertmanager webhook receiver (see the module docstring).")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--dir", required=True, help="folder for notifications.jsonl")
    parser.add_argument("--bind", default="127.0.0.1")
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    state = State(os.path.join(args.dir, "notifications.jsonl"))
    server = ThreadingHTTPServer((args.bind, args.port), handler(state))
    print(f"alert receiver on http://{args.bind}:{args.port} (POST /webhook, GET /alerts), recording to {state.path}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
