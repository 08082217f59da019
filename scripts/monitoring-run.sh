#!/usr/bin/env bash
# Runs Prometheus, Alertmanager and a local alert receiver beside the services (./shop up does; the
# end-to-end AlertsIT starts its own). See docs/observability.md#see-it-live.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

usage() {
  cat <<'USAGE'
usage: scripts/monitoring-run.sh start|stop|status [options]

  start   write the configuration under DIR and (re)start, as background processes of this machine:
            alert receiver  scripts/monitoring/alert-receiver.py (records every notification in
                            DIR/notifications.jsonl, serves the firing alerts at GET /alerts)
            Alertmanager    routes every alert to the receiver
            Prometheus      scrapes the four services (job "shop"), RabbitMQ's rabbitmq_prometheus
                            plugin (job "rabbitmq") and the backup exporter (job "shop-backup"),
                            evaluates monitoring/prometheus/alerts.yaml and sends alerts to Alertmanager
          Prometheus and Alertmanager come from Debian's prometheus and prometheus-alertmanager
          packages, installed with apt-get when missing and run as root. Data stays in DIR between
          runs; an instance already running from DIR is stopped first, so start is idempotent.
  stop    stop what start started from DIR (pid files); nothing else
  status  print each process and its URL

options (start; stop and status need only --dir):
  --dir DIR                 config, data, logs, pid files            (default .run/monitoring)
  --prometheus-port PORT    (default $SHOP_PROMETHEUS_PORT or 9090)
  --alertmanager-port PORT  (default $SHOP_ALERTMANAGER_PORT or 9093; clustering is off)
  --receiver-port PORT      (default $SHOP_ALERT_RECEIVER_PORT or 9097)
  --services LIST           management ports of the services: order=8181,inventory=8182,billing=8183,notification=8184
  --rabbitmq HOST:PORT      rabbitmq_prometheus endpoint, or none    (default 127.0.0.1:15692)
  --backup HOST:PORT        backup exporter, or none                 (default 127.0.0.1:9190; may be down)
  --interval DURATION       scrape and rule evaluation interval      (default 15s)
  --group-wait DURATION     Alertmanager group_wait                  (default 10s)
  --group-interval DURATION Alertmanager group_interval              (default 1m)
  --for-divisor N           TESTS ONLY: load a copy of the rules in which every `for:` duration is
                            divided by N (nothing else changes); default 1 loads the rules file itself

Ports must not collide with the services (8081-8084, 8181-8184), RabbitMQ (5672, 15672, 15692),
PostgreSQL (5432) or the backup exporter (9190); start refuses a port something else listens on.
Set PROMETHEUS / ALERTMANAGER to use other binaries (e.g. upstream release tarballs).
USAGE
}

die() { printf 'monitoring-run: %s\n' "$*" >&2; exit 1; }
log() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

action=${1:-}; [ $# -gt 0 ] && shift
case "$action" in
  -h|--help|help) usage; exit 0 ;;
  start|stop|status) ;;
  *) usage >&2; die "unknown action '${action}' (start|stop|status)" ;;
esac

DIR="$ROOT/.run/monitoring"
PROM_PORT=${SHOP_PROMETHEUS_PORT:-9090}
AM_PORT=${SHOP_ALERTMANAGER_PORT:-9093}
RECEIVER_PORT=${SHOP_ALERT_RECEIVER_PORT:-9097}
SERVICES_LIST="order=8181,inventory=8182,billing=8183,notification=8184"
RABBIT_TARGET=127.0.0.1:15692
BACKUP_TARGET=127.0.0.1:9190
INTERVAL=15s
GROUP_WAIT=10s
GROUP_INTERVAL=1m
FOR_DIVISOR=1
while [ $# -gt 0 ]; do
  [ $# -ge 2 ] || die "$1 needs a value (see --help)"
  case "$1" in
    --dir) DIR=$2 ;;
    --prometheus-port) PROM_PORT=$2 ;;
    --alertmanager-port) AM_PORT=$2 ;;
    --receiver-port) RECEIVER_PORT=$2 ;;
    --services) SERVICES_LIST=$2 ;;
    --rabbitmq) RABBIT_TARGET=$2 ;;
    --backup) BACKUP_TARGET=$2 ;;
    --interval) INTERVAL=$2 ;;
    --group-wait) GROUP_WAIT=$2 ;;
    --group-interval) GROUP_INTERVAL=$2 ;;
    --for-divisor) FOR_DIVISOR=$2 ;;
    *) die "unknown option $1 (see --help)" ;;
  esac
  shift 2
done
mkdir -p "$DIR"
DIR="$(cd "$DIR" && pwd)"
for p in "$PROM_PORT" "$AM_PORT" "$RECEIVER_PORT"; do [[ $p =~ ^[0-9]+$ ]] || die "port '$p' is not a number"; done
[[ $FOR_DIVISOR =~ ^[1-9][0-9]*$ ]] || die "--for-divisor must be a positive integer"

# ---------------------------------------------------------------- processes (pid files in DIR)
NAMES=(prometheus alertmanager receiver)
pid_of() { # prints the pid of <name> if it runs and was started from DIR (its command line names DIR)
  local f="$DIR/$1.pid" pid
  [ -s "$f" ] || return 1
  pid=$(cat "$f")
  local cmdline; cmdline=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null) || return 1
  [[ $cmdline == *"$DIR/"* || $cmdline == *" $DIR "* ]] || return 1
  echo "$pid"
}

stop_all() {
  local name pid
  for name in "${NAMES[@]}"; do
    if pid=$(pid_of "$name"); then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -9 "$pid" 2>/dev/null || true
      log "stopped $name (pid $pid)"
    fi
    rm -f "$DIR/$name.pid"
  done
}

url_of() {
  case "$1" in
    prometheus) echo "http://127.0.0.1:$PROM_PORT" ;;
    alertmanager) echo "http://127.0.0.1:$AM_PORT" ;;
    receiver) echo "http://127.0.0.1:$RECEIVER_PORT" ;;
  esac
}

if [ "$action" = stop ]; then stop_all; exit 0; fi
if [ "$action" = status ]; then
  for name in "${NAMES[@]}"; do
    if pid=$(pid_of "$name"); then printf '%-13s running (pid %s)  log %s\n' "$name" "$pid" "$DIR/$name.log"
    else printf '%-13s not running\n' "$name"; fi
  done
  exit 0
fi

# ---------------------------------------------------------------- start: tools
apt_install() { # apt_install <package>...: Debian packages, as root only
  command -v apt-get >/dev/null 2>&1 || die "$* missing and no apt-get here: install Prometheus and Alertmanager yourself and set PROMETHEUS / ALERTMANAGER"
  [ "$(id -u)" = 0 ] || die "$* missing: sudo apt-get install $* (or run as root, which installs them), or set SHOP_MONITORING=0 to start without monitoring"
  log "installing $* (apt-get install)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null \
    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "$@" >/dev/null; } \
    || die "apt-get install $* failed"
}
PROMETHEUS=${PROMETHEUS:-$(command -v prometheus || true)}
# Debian names the binary prometheus-alertmanager; upstream calls it alertmanager.
ALERTMANAGER=${ALERTMANAGER:-$(command -v prometheus-alertmanager || command -v alertmanager || true)}
missing=()
[ -n "$PROMETHEUS" ] || missing+=(prometheus)
[ -n "$ALERTMANAGER" ] || missing+=(prometheus-alertmanager)
if [ ${#missing[@]} -gt 0 ]; then
  apt_install "${missing[@]}"
  PROMETHEUS=${PROMETHEUS:-$(command -v prometheus)}
  ALERTMANAGER=${ALERTMANAGER:-$(command -v prometheus-alertmanager)}
fi
PROMTOOL=${PROMTOOL:-$(command -v promtool || true)}
AMTOOL=${AMTOOL:-$(command -v amtool || command -v prometheus-alertmanager-amtool || true)}
command -v python3 >/dev/null || die "python3 is required for the alert receiver (apt-get install python3)"

stop_all 2>/dev/null
port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for p in "$PROM_PORT" "$AM_PORT" "$RECEIVER_PORT"; do
  port_in_use "$p" && die "port $p is already in use by another program: choose others (SHOP_PROMETHEUS_PORT, SHOP_ALERTMANAGER_PORT, SHOP_ALERT_RECEIVER_PORT) or stop it"
done

# ---------------------------------------------------------------- start: configuration
RULES="$ROOT/monitoring/prometheus/alerts.yaml"
if [ "$FOR_DIVISOR" != 1 ]; then
  # Only the `for:` lines change (5m / 60 = 5s); expressions, thresholds and windows stay as written.
  mkdir -p "$DIR/rules"
  python3 - "$RULES" "$DIR/rules/alerts.yaml" "$FOR_DIVISOR" <<'PY' || die "rewriting the for: durations failed"
import re, sys
src, dst, div = sys.argv[1], sys.argv[2], int(sys.argv[3])
unit = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
def scaled(m):
    secs = sum(int(n) * unit[u] for n, u in re.findall(r"(\d+)(ms|s|m|h|d)", m.group(2)))
    return f"{m.group(1)}{max(1, round(secs / div))}s"
text = open(src).read()
out, n = re.subn(r"^(\s+for:\s*)(\S+)\s*$", scaled, text, flags=re.M)
if n == 0:
    sys.exit("no for: lines found")
open(dst, "w").write(f"# GENERATED for a test by scripts/monitoring-run.sh --for-divisor {div}: a copy of\n"
                     f"# monitoring/prometheus/alerts.yaml with every `for:` divided by {div}; nothing else differs.\n" + out)
PY
  RULES="$DIR/rules/alerts.yaml"
fi

{
  cat <<YAML
# GENERATED by scripts/monitoring-run.sh on every start; edit the script, not this file.
global:
  scrape_interval: $INTERVAL
  scrape_timeout: $INTERVAL
  evaluation_interval: $INTERVAL
rule_files:
  - $RULES
alerting:
  alertmanagers:
    - static_configs:
        - targets: ["127.0.0.1:$AM_PORT"]
scrape_configs:
  # job="shop" and service=<app> as the rules expect (the chart's PodMonitor does the same). The
  # services tag every meter with service themselves; honor_labels keeps that tag, and the target
  # label gives \`up\` the same service label. No namespace label outside Kubernetes.
  - job_name: shop
    metrics_path: /q/metrics
    honor_labels: true
    static_configs:
YAML
  IFS=, read -r -a entries <<<"$SERVICES_LIST"
  for e in "${entries[@]}"; do
    [[ $e =~ ^([a-z]+)=([0-9]+)$ ]] || die "--services entry '$e' is not <svc>=<management port>"
    printf '      - targets: ["127.0.0.1:%s"]\n        labels: {service: %s-svc}\n' "${BASH_REMATCH[2]}" "${BASH_REMATCH[1]}"
  done
  if [ "$RABBIT_TARGET" != none ]; then
    cat <<YAML
  # RabbitMQ's rabbitmq_prometheus plugin; per-object: queue depth, consumers, consumer utilisation and
  # redeliveries per queue (labels vhost, queue), not only the node totals.
  - job_name: rabbitmq
    metrics_path: /metrics/per-object
    static_configs:
      - targets: ["$RABBIT_TARGET"]
YAML
  fi
  if [ "$BACKUP_TARGET" != none ]; then
    cat <<YAML
  # The backup exporter (./shop backup); its own labels (service) win. May be down: up{job="shop-backup"}.
  - job_name: shop-backup
    honor_labels: true
    static_configs:
      - targets: ["$BACKUP_TARGET"]
YAML
  fi
} >"$DIR/prometheus.yml"

cat >"$DIR/alertmanager.yml" <<YAML
# GENERATED by scripts/monitoring-run.sh on every start. Locally every alert goes to the alert
# receiver (scripts/monitoring/alert-receiver.py); the Helm chart leaves routing to the cluster's Alertmanager.
route:
  receiver: shop-local
  group_by: [alertname, namespace, service]
  group_wait: $GROUP_WAIT
  group_interval: $GROUP_INTERVAL
  repeat_interval: 4h
receivers:
  - name: shop-local
    webhook_configs:
      - url: http://127.0.0.1:$RECEIVER_PORT/webhook
        send_resolved: true
YAML

if [ -n "$PROMTOOL" ]; then
  "$PROMTOOL" check config "$DIR/prometheus.yml" >"$DIR/promtool.out" 2>&1 || { cat "$DIR/promtool.out" >&2; die "generated $DIR/prometheus.yml is invalid"; }
fi
if [ -n "$AMTOOL" ]; then
  "$AMTOOL" check-config "$DIR/alertmanager.yml" >"$DIR/amtool.out" 2>&1 || { cat "$DIR/amtool.out" >&2; die "generated $DIR/alertmanager.yml is invalid"; }
fi

# ---------------------------------------------------------------- start: processes
launch() { # launch <name> <command...>: background process, log and pid file in DIR
  local name=$1; shift
  : >"$DIR/$name.log"
  nohup "$@" </dev/null >>"$DIR/$name.log" 2>&1 &
  echo $! >"$DIR/$name.pid"
}

ready() { curl -sf -o /dev/null "$1"; }
await() { # await <name> <url>
  local pid
  for _ in $(seq 150); do
    ready "$2" && return 0
    pid=$(cat "$DIR/$1.pid")
    kill -0 "$pid" 2>/dev/null || { tail -n 20 "$DIR/$1.log" >&2; die "$1 exited; see $DIR/$1.log"; }
    sleep 0.2
  done
  die "$1 not ready at $2 after 30s; see $DIR/$1.log"
}

launch receiver python3 "$ROOT/scripts/monitoring/alert-receiver.py" --port "$RECEIVER_PORT" --dir "$DIR"
await receiver "$(url_of receiver)/healthz"
launch alertmanager "$ALERTMANAGER" --config.file="$DIR/alertmanager.yml" --storage.path="$DIR/alertmanager-data" \
  --web.listen-address="127.0.0.1:$AM_PORT" --cluster.listen-address=
await alertmanager "$(url_of alertmanager)/-/ready"
launch prometheus "$PROMETHEUS" --config.file="$DIR/prometheus.yml" --storage.tsdb.path="$DIR/prometheus-data" \
  --storage.tsdb.retention.time=7d --web.listen-address="127.0.0.1:$PROM_PORT" --web.enable-lifecycle
await prometheus "$(url_of prometheus)/-/ready"
printf 'prometheus    %s\nalertmanager  %s\nreceiver      %s/alerts\n' "$(url_of prometheus)" "$(url_of alertmanager)" "$(url_of receiver)"
