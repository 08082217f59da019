#!/usr/bin/env python3
"""Summary table of a ./shop test run (scripts/test.sh prints it at the end, also after a failure).

usage: scripts/test-summary.py <repo root> <run start, epoch seconds> [stage|seconds|result ...]

1. Test suites per module, from the JUnit XML reports Maven wrote during this run
   (<module>/target/surefire-reports: unit and @QuarkusTest; <module>/target/failsafe-reports:
   end-to-end): tests, failures, errors, skipped, time. Reports older than the run start are left
   out, so a stale report of an earlier run is never counted as this run's result.
2. The stages given as arguments ("name|seconds|ok"), with their elapsed times.
"""
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

root = Path(sys.argv[1])
since = float(sys.argv[2])
stages = sys.argv[3:]


def fmt(seconds):
    seconds = int(round(seconds))
    return f"{seconds // 60}m{seconds % 60:02d}s" if seconds >= 60 else f"{seconds}s"


rows = []
for kind, folder in (("unit + @QuarkusTest", "surefire-reports"), ("end-to-end", "failsafe-reports")):
    for reports in sorted([*root.glob(f"*/target/{folder}"), *root.glob(f"tools/*/target/{folder}")]):
        totals = {"suites": 0, "tests": 0, "failures": 0, "errors": 0, "skipped": 0, "time": 0.0}
        for f in reports.glob("TEST-*.xml"):
            if f.stat().st_mtime < since:
                continue
            try:
                suite = ET.parse(f).getroot()
            except ET.ParseError:
                continue  # a report cut short by an aborted run
            totals["suites"] += 1
            for key in ("tests", "failures", "errors", "skipped"):
                totals[key] += int(suite.get(key, "0") or 0)
            totals["time"] += float((suite.get("time") or "0").replace(",", ""))
        if totals["suites"]:
            module = reports.parent.parent.relative_to(root).as_posix()
            label = kind
            if module.startswith("tools/"):  # plain modules: no Quarkus; their failsafe tests use the real broker/DB
                label = "unit" if folder == "surefire-reports" else "integration"
            rows.append((module, label, totals))

print()
print("Test suites (this run)")
header = f"  {'module':<18} {'kind':<20} {'suites':>6} {'tests':>6} {'failures':>8} {'errors':>6} {'skipped':>7} {'time':>7}"
print(header)
print("  " + "-" * (len(header) - 2))
sums = {"suites": 0, "tests": 0, "failures": 0, "errors": 0, "skipped": 0, "time": 0.0}
for module, kind, t in rows:
    print(f"  {module:<18} {kind:<20} {t['suites']:>6} {t['tests']:>6} {t['failures']:>8} {t['errors']:>6} {t['skipped']:>7} {fmt(t['time']):>7}")
    for key in sums:
        sums[key] += t[key]
if not rows:
    print("  (no JUnit reports written by this run)")
else:
    print(f"  {'total':<18} {'':<20} {sums['suites']:>6} {sums['tests']:>6} {sums['failures']:>8} {sums['errors']:>6} {sums['skipped']:>7} {fmt(sums['time']):>7}")

if stages:
    print()
    print("Stages")
    total = 0
    for s in stages:
        name, seconds, result = s.split("|", 2)
        total += int(seconds)
        print(f"  {name:<18} {result:<7} {fmt(int(seconds)):>7}")
    print(f"  {'total':<18} {'':<7} {fmt(total):>7}")
