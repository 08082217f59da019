"""Prints the JSON list from /admin/dead-letters as a table (used by ./shop dlq list)."""
import json
import sys

rows = json.load(sys.stdin)
print(f"{len(rows)} dead letter(s)")
for r in rows:
    reason = (r.get("reason") or "")[:120]
    print(f"{r['id']}  {r['status']:<9} {r['routingKey']:<20} attempts={r['attempts']:<3} {r['failedAt']}  {reason}")
