"""Formats JSON from the RabbitMQ management API or /admin/dead-letters as tables (./shop status, ./shop dlq)."""
import json
import sys


def queues(rows):
    for q in rows:
        print(f"{q['name']:<28} messages={q.get('messages', 0):<6} consumers={q.get('consumers', 0)}")


def dead_letters(rows):
    print(f"{len(rows)} dead letter(s)")
    for r in rows:
        reason = (r.get("reason") or "")[:120]
        print(f"{r['id']}  {r['status']:<9} {r['routingKey']:<20} attempts={r['attempts']:<3} {r['failedAt']}  {reason}")


def health(doc):
    messaging = next((c.get("data", {}) for c in doc.get("checks", []) if c.get("name") == "messaging"), {})
    down = [c["name"] for c in doc.get("checks", []) if c.get("status") != "UP"]
    extra = f" degraded: {messaging.get('reasons')}" if messaging.get("degraded") else ""
    print(doc.get("status", "?") + (f" (down: {', '.join(down)})" if down else "") + extra)


if __name__ == "__main__":
    {"queues": queues, "dead-letters": dead_letters, "health": health}[sys.argv[1]](json.load(sys.stdin))
