#!/usr/bin/env python3
"""Static checks of the monitoring files, run by scripts/monitoring-check.sh.

usage: monitoring/lint.py <repo root> <promql check file to write>

1. every dashboard in monitoring/grafana is valid JSON with the shape the docs promise
   (schemaVersion, unique uid, ${DS_PROMETHEUS} datasource variable, `service` variable);
2. every shop_* / http_server_* name used by a rule, a rule test or a dashboard is listed in
   monitoring/metrics.txt, and every recording rule a dashboard uses (level:metric:op) exists;
3. every alert has summary/description/runbook annotations, a severity label, and at least one
   unit test that expects it to fire and one that expects it not to;
4. writes every dashboard query as a recording rule (Grafana variables replaced by sample values)
   to the given file, so that promtool check rules can parse it.
Prints one line per problem and exits 1 if there is any.
"""
import json
import re
import sys
from pathlib import Path

import yaml

root = Path(sys.argv[1])
promql_out = Path(sys.argv[2])
mon = root / "monitoring"
problems = []


def problem(msg):
    problems.append(msg)


# A metric name: not part of a longer identifier, and not inside a level:metric:op recording rule name.
NAME = re.compile(r"(?<![\w:])((?:shop|http_server)_\w+)(?![\w:])")
RECORDED = re.compile(r"(?<![\w:])(\w+:\w+:\w+)(?![\w:])")
DS_REF = "${DS_PROMETHEUS}"

contract = {
    line.split("#", 1)[0].strip()
    for line in (mon / "metrics.txt").read_text().splitlines()
    if line.split("#", 1)[0].strip()
}

# ---- rules and their tests -----------------------------------------------------------------------
rules_path = mon / "prometheus" / "alerts.yaml"
tests_path = mon / "prometheus" / "alerts.test.yaml"
rules_doc = yaml.safe_load(rules_path.read_text())
tests_doc = yaml.safe_load(tests_path.read_text())

recorded, alerts = set(), set()
for group in rules_doc["groups"]:
    for rule in group["rules"]:
        if "record" in rule:
            recorded.add(rule["record"])
            continue
        name = rule["alert"]
        alerts.add(name)
        if not rule.get("labels", {}).get("severity"):
            problem(f"alerts.yaml: {name} has no severity label")
        missing = {"summary", "description", "runbook"} - set(rule.get("annotations", {}))
        if missing:
            problem(f"alerts.yaml: {name} lacks annotation(s) {', '.join(sorted(missing))}")

fires, silent = set(), set()
for test in tests_doc.get("tests", []):
    for case in test.get("alert_rule_test", []):
        (fires if case.get("exp_alerts") else silent).add(case["alertname"])
for name in sorted(alerts):
    if name not in fires:
        problem(f"alerts.test.yaml: no test expects {name} to fire")
    if name not in silent:
        problem(f"alerts.test.yaml: no test expects {name} not to fire")


def check_names(where, text):
    for name in sorted(set(NAME.findall(text)) - contract):
        problem(f"{where}: metric {name} is not in monitoring/metrics.txt")


check_names("alerts.yaml", rules_path.read_text())
check_names("alerts.test.yaml", tests_path.read_text())

# ---- dashboards ----------------------------------------------------------------------------------
GRAFANA_VARS = [("$__rate_interval", "5m"), ("$__interval", "1m"), ("$__range", "1h"), ("$service", "order-svc")]


def panels(items):
    for p in items:
        yield p
        yield from panels(p.get("panels", []))


queries, uids = [], {}
dashboards = sorted((mon / "grafana").glob("*.json"))
if not dashboards:
    problem("monitoring/grafana: no dashboards")
for path in dashboards:
    where = f"grafana/{path.name}"
    try:
        board = json.loads(path.read_text())
    except json.JSONDecodeError as e:
        problem(f"{where}: invalid JSON: {e}")
        continue
    # Only queries count: descriptions may name a metric family ("shop_orders_*").
    exprs = [t.get("expr", "") for p in panels(board.get("panels", [])) for t in p.get("targets", [])]
    exprs += [json.dumps(v.get("query", "")) for v in board.get("templating", {}).get("list", [])]
    check_names(where, "\n".join(exprs))
    for name in sorted(set(RECORDED.findall("\n".join(exprs))) - recorded):
        problem(f"{where}: recording rule {name} is not defined in alerts.yaml")
    if not isinstance(board.get("schemaVersion"), int) or board["schemaVersion"] < 36:
        problem(f"{where}: schemaVersion missing or older than 36")
    uid = board.get("uid")
    if not uid:
        problem(f"{where}: no uid")
    elif uid in uids:
        problem(f"{where}: uid {uid} already used by {uids[uid]}")
    else:
        uids[uid] = where
    variables = {v.get("name"): v for v in board.get("templating", {}).get("list", [])}
    if variables.get("DS_PROMETHEUS", {}).get("type") != "datasource":
        problem(f"{where}: no datasource variable DS_PROMETHEUS")
    if variables.get("service", {}).get("type") != "query":
        problem(f"{where}: no query variable service")
    ids = set()
    for p in panels(board.get("panels", [])):
        if p.get("id") in ids:
            problem(f"{where}: panel id {p.get('id')} used twice")
        ids.add(p.get("id"))
        if p.get("type") == "row":
            continue
        if p.get("datasource", {}).get("uid") != DS_REF:
            problem(f"{where}: panel '{p.get('title')}' does not use {DS_REF}")
        for t in p.get("targets", []):
            if t.get("datasource", {}).get("uid") != DS_REF:
                problem(f"{where}: a query of panel '{p.get('title')}' does not use {DS_REF}")
            expr = t.get("expr", "")
            if not expr:
                problem(f"{where}: panel '{p.get('title')}' has a query without expr")
                continue
            if "$service" not in expr:
                problem(f"{where}: a query of panel '{p.get('title')}' ignores the service variable")
            for var, sample in GRAFANA_VARS:
                expr = expr.replace(var, sample)
            queries.append({"record": f"dashboard:query:{len(queries)}", "expr": expr})

promql_out.write_text(yaml.safe_dump({"groups": [{"name": "dashboard-queries", "rules": queries}]}, sort_keys=False))

for p in problems:
    print(f"  {p}")
print(f"  {len(alerts)} alerts, {len(recorded)} recording rules, {len(dashboards)} dashboards, "
      f"{len(queries)} dashboard queries, {len(contract)} contract metrics")
sys.exit(1 if problems else 0)
