#!/usr/bin/env node
// Assertions on the chart's rendered output, one `helm template` result per case.
//
//   node assert.mjs RENDER_DIR
//
// RENDER_DIR holds <case>.yaml files written by scripts/chart-check.sh. Expectations are computed from
// helm/shop/values.yaml deep-merged with the case's values files (the same files the render used).
import { readFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments, parse } from "yaml";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..", "..");
const CHART = join(ROOT, "helm", "shop");
const RELEASE = "shop";
const FULLNAME = "shop"; // release "shop" contains the chart name
const KEYS = ["billing", "inventory", "notification", "order"];

// case name -> values files layered on values.yaml (must match chart-check.sh)
export const CASES = {
  default: [],
  production: [join(CHART, "values-production.yaml"), join(HERE, "values", "production-inputs.yaml")],
  "rolling-full": [join(HERE, "values", "rolling-full.yaml")],
  "blue-green": [join(HERE, "values", "blue-green.yaml")],
  "canary-gateway": [join(HERE, "values", "canary-gateway.yaml")],
  "canary-replicas": [join(HERE, "values", "canary-replicas.yaml")],
  "canary-argo": [join(HERE, "values", "canary-argo.yaml")],
  "canary-argo-nogateway": [join(HERE, "values", "canary-argo-nogateway.yaml")],
  "byo-inline": [join(HERE, "values", "byo-inline.yaml")],
  "production-blue-green": [join(CHART, "values-production.yaml"), join(HERE, "values", "production-inputs.yaml"), join(HERE, "values", "blue-green.yaml"), join(HERE, "values", "production-blue-green.yaml")],  backups: [join(HERE, "values", "backups.yaml")],
};

let passed = 0;
const failures = [];
function check(cond, caseName, msg) {
  if (cond) passed++;
  else failures.push(`[${caseName}] ${msg}`);
  return !!cond;
}

function deepMerge(base, over) {
  if (over === null || typeof over !== "object" || Array.isArray(over)) return over;
  const out = { ...(base && typeof base === "object" && !Array.isArray(base) ? base : {}) };
  for (const [k, v] of Object.entries(over)) out[k] = deepMerge(out[k], v);
  return out;
}

function load(renderDir, caseName) {
  const file = join(renderDir, `${caseName}.yaml`);
  if (!existsSync(file)) throw new Error(`missing render ${file}`);
  const objs = parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJS()).filter(Boolean);
  let values = parse(readFileSync(join(CHART, "values.yaml"), "utf8"));
  for (const f of CASES[caseName]) values = deepMerge(values, parse(readFileSync(f, "utf8")));
  return { objs, values };
}

// deep equality independent of key order (Helm's toYaml sorts keys)
const canon = (x) => JSON.stringify(x, (k, v) => (v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v));
const eq = (a, b) => canon(a) === canon(b);
const subset = (sel = {}, labels = {}) => Object.entries(sel).every(([k, v]) => labels[k] === v);
const find = (objs, kind, name) => objs.find((o) => o.kind === kind && o.metadata?.name === name);
const all = (objs, kind) => objs.filter((o) => o.kind === kind);
const podSpecOf = (o) => (o.kind === "Pod" ? o.spec : o.spec?.template?.spec);
const podLabelsOf = (o) => (o.kind === "Pod" ? o.metadata?.labels : o.spec?.template?.metadata?.labels) || {};
const workloads = (objs) => objs.filter((o) => o.kind === "Deployment" || o.kind === "Rollout");
const env = (c, name) => (c.env || []).find((e) => e.name === name);

// ---- order-svc -> the other services' read-only admin APIs (ops page, correctness monitor) -------------
const PEERS = ["inventory", "billing", "notification"];
const CORRECTNESS_ENV = ["SHOP_CORRECTNESS_ENABLED", "SHOP_CORRECTNESS_PERIOD", "SHOP_CORRECTNESS_GRACE", "SHOP_CORRECTNESS_TOKEN_FILE"];
const peerEnv = (key) => `SHOP_OPS_PEERS_${key.toUpperCase()}`;
// The workloads a NetworkPolicy peer list selects in the release's own namespace (podSelector without a
// namespaceSelector; an empty or absent list: any source).
const selectsPods = (from, labels) => !from || from.length === 0 || from.some((f) => f.podSelector && !f.namespaceSelector && !f.ipBlock && subset(f.podSelector.matchLabels, labels));
// peerUrlProblems(objs, url, peerName) -> [problem]: url is http://<Service> (port 80) whose Service
// targets the http port and selects exactly the pods of peerName (and every one of them)
function peerUrlProblems(objs, url, peerName) {
  let u;
  try { u = new URL(url); } catch { return [`${url} is not a URL`]; }
  const out = [];
  if (u.protocol !== "http:" || (u.port && u.port !== "80") || u.pathname !== "/") out.push(`${url}: want http://<Service> on port 80`);
  const s = find(objs, "Service", u.hostname.split(".")[0]);
  if (!s) return [...out, `${url}: no Service ${u.hostname}`];
  if (!s.spec.ports.some((p) => p.port === 80 && p.targetPort === "http")) out.push(`${url}: Service ${s.metadata.name} has no port 80 -> http`);
  const mine = workloads(objs).filter((w) => podLabelsOf(w)["app.kubernetes.io/name"] === peerName);
  if (s.spec.selector?.["app.kubernetes.io/name"] !== peerName || !mine.some((w) => subset(s.spec.selector, podLabelsOf(w)))) out.push(`${url}: Service ${s.metadata.name} does not select ${peerName}'s serving pods`);
  return out;
}

// ---- the least-privilege broker model, derived from the contracts and the topology ---------------------
// Every rendering of the services' broker users (chart Job users.txt, chart operator CRs, k8s/rabbitmq)
// must implement it: the expectations come from contracts/asyncapi.yaml (who publishes which routing
// keys) and topology/definitions.json (which exchanges, queues and bindings exist), not from the chart.
// Each rendering must also carry exactly the strings of topology/permissions.json, which is itself
// checked against the same model (so a loosened source fails here too).
const ASYNCAPI = parse(readFileSync(join(ROOT, "contracts", "asyncapi.yaml"), "utf8"));
const DEFS = JSON.parse(readFileSync(join(ROOT, "topology", "definitions.json"), "utf8"));
const PERMS = JSON.parse(readFileSync(join(ROOT, "topology", "permissions.json"), "utf8"));
const SVC_NAMES = { order: "order-svc", inventory: "inventory-svc", billing: "billing-svc", notification: "notification-svc" };
const SENDS = {}; // service name -> routing keys it publishes to shop.events
for (const name of Object.values(SVC_NAMES)) SENDS[name] = [];
for (const [id, op] of Object.entries(ASYNCAPI.operations || {})) {
  if (op.action !== "send") continue;
  const channel = ASYNCAPI.channels[op.channel.$ref.split("/").pop()];
  const svcName = id.split(".")[0];
  if (!SENDS[svcName]) throw new Error(`asyncapi operation ${id}: unknown service ${svcName}`);
  SENDS[svcName].push(channel.address);
}
const ALL_SENT = Object.values(SENDS).flat();
const EXCHANGES = DEFS.exchanges.map((e) => e.name);
const QUEUES = DEFS.queues.map((q) => q.name);
// Exchanges every vhost has. amq.default is how RabbitMQ names the default exchange in permission checks.
const BUILTIN_EXCHANGES = ["amq.default", "amq.direct", "amq.fanout", "amq.headers", "amq.match", "amq.topic", "amq.rabbitmq.trace"];
// The queues' dead-letter exchanges: only the broker writes there (no user permission needed).
const DEAD_LETTER_EXCHANGES = [...new Set(DEFS.queues.map((q) => q.arguments?.["x-dead-letter-exchange"]).filter(Boolean))];
// What a service publishes, each through a topic exchange whose topic permission narrows it:
//   shop.events   its own event types; shop.parking / shop.replay   routing key <svc>.events, which
//   those exchanges bind to the service's own DLQ / own queue.
const EVENTS_X = "shop.events";
const OWN_TARGET = { "shop.parking": (svc) => `${svc}.dlq`, "shop.replay": (svc) => `${svc}.events` };
const TOPIC_EXCHANGES = [EVENTS_X, ...Object.keys(OWN_TARGET)]; // a topic permission on each, for every service
const writesOf = (svc) => [...(SENDS[svc].length ? [EVENTS_X] : []), ...Object.keys(OWN_TARGET)];
const rx = (r) => new RegExp(r); // RabbitMQ's regexes (Erlang re) and JS agree on these simple patterns
const DIRECT_HOLE = "a direct exchange no topic permission narrows: it routes to any queue bound there by name; amq.default reaches every queue";

// brokerPermissionProblems(svcName, {configure, write, read, topics: [{exchange, write, read}, ...]}) -> [problem]
function brokerPermissionProblems(svcName, p) {
  const out = [];
  const own = [`${svcName}.events`, `${svcName}.dlq`];
  if (p.configure !== "^$") out.push(`configure must be "^$" (nothing), got ${JSON.stringify(p.configure)}`);
  // write: exactly the topic exchanges it publishes to; never the default exchange or a dead-letter exchange
  const w = rx(p.write);
  const writes = writesOf(svcName);
  for (const e of writes) if (!w.test(e)) out.push(`write does not cover exchange ${e}`);
  for (const e of ["amq.default", ...DEAD_LETTER_EXCHANGES]) if (w.test(e)) out.push(`write covers ${e} (${DIRECT_HOLE})`);
  const probes = ["shop.events.x", "xshop.events", "shop.parking.x", "xshop.replay", "shop-parking", ""];
  for (const x of [...EXCHANGES, ...BUILTIN_EXCHANGES, ...QUEUES, ...probes]) {
    if (!writes.includes(x) && !["amq.default", ...DEAD_LETTER_EXCHANGES].includes(x) && w.test(x)) out.push(`write also covers ${JSON.stringify(x)}`);
  }
  // read: its own queue and DLQ only
  const r = rx(p.read);
  for (const q of own) if (!r.test(q)) out.push(`read does not cover its own queue ${q}`);
  for (const x of [...EXCHANGES, ...QUEUES.filter((q) => !own.includes(q)), ...BUILTIN_EXCHANGES]) if (r.test(x)) out.push(`read also covers ${x}`);
  // topic permissions: exactly one on each of shop.events, shop.parking, shop.replay
  const topics = p.topics || [];
  for (const e of TOPIC_EXCHANGES) {
    const n = topics.filter((t) => t.exchange === e).length;
    if (n === 0) out.push(`no topic permission on ${e} (without one the broker lets it publish any routing key there)`);
    if (n > 1) out.push(`${n} topic permissions on ${e}`);
  }
  for (const t of topics) {
    if (!TOPIC_EXCHANGES.includes(t.exchange)) out.push(`topic permission on unexpected exchange ${t.exchange}`);
    if (t.read !== "^$") out.push(`topic read on ${t.exchange} must be "^$", got ${JSON.stringify(t.read)}`);
  }
  const ev = topics.find((t) => t.exchange === EVENTS_X);
  if (ev) {
    const tw = rx(ev.write);
    for (const k of SENDS[svcName]) if (!tw.test(k)) out.push(`topic write on ${EVENTS_X} refuses its own event ${k}`);
    for (const k of ALL_SENT.filter((k) => !SENDS[svcName].includes(k))) if (tw.test(k)) out.push(`topic write on ${EVENTS_X} allows another service's event ${k}`);
  }
  for (const [x, targetOf] of Object.entries(OWN_TARGET)) {
    const t = topics.find((t) => t.exchange === x);
    if (!t) continue;
    const tw = rx(t.write);
    const target = targetOf(svcName);
    const key = `${svcName}.events`;
    if (!DEFS.bindings.some((b) => b.source === x && b.destination === target && b.routing_key === key)) out.push(`topology has no binding ${x} --${key}--> ${target}`);
    if (!tw.test(key)) out.push(`topic write on ${x} refuses its own routing key ${key}`);
    // every binding its topic write reaches must lead to its own queue (another service's queue or DLQ is a forgery)
    for (const b of DEFS.bindings.filter((b) => b.source === x && b.destination !== target)) {
      if (tw.test(b.routing_key)) out.push(`topic write on ${x} reaches ${b.destination} (routing key ${b.routing_key})`);
    }
    for (const k of [`${key}.x`, `x${key}`, `${svcName}.dlq`, "#", "*", ""]) if (tw.test(k)) out.push(`topic write on ${x} also allows routing key ${JSON.stringify(k)}`);
  }
  return out;
}
// sourceProblems(svcName, same shape) -> [problem]: the rendering must carry topology/permissions.json's strings exactly
function sourceProblems(svcName, p) {
  const want = PERMS.permissions.find((x) => x.user === svcName);
  if (!want) return [`not in topology/permissions.json`];
  const out = [];
  for (const k of ["configure", "write", "read"]) if (p[k] !== want[k]) out.push(`${k} ${JSON.stringify(p[k])} differs from topology/permissions.json ${JSON.stringify(want[k])}`);
  const norm = (ts) => canon([...ts].map(({ exchange, write, read }) => ({ exchange, write, read })).sort((a, b) => (a.exchange < b.exchange ? -1 : a.exchange > b.exchange ? 1 : 0)));
  const wantTopics = PERMS.topic_permissions.filter((x) => x.user === svcName);
  if (norm(p.topics || []) !== norm(wantTopics)) out.push(`topic permissions ${norm(p.topics || [])} differ from topology/permissions.json ${norm(wantTopics)}`);
  return out;
}
const brokerUserProblems = (svcName, p) => [...brokerPermissionProblems(svcName, p), ...sourceProblems(svcName, p)];
// the source itself: one entry per service, each within the model; the publishing exchanges are topic
// exchanges with an alternate exchange (a message no binding takes is kept, not dropped)
function checkPermissionsSource() {
  const c = "topology/permissions.json";
  check(eq(PERMS.permissions.map((x) => x.user).sort(), Object.values(SVC_NAMES).sort()), c, "one entry per service user");
  for (const svcName of Object.values(SVC_NAMES)) {
    const want = PERMS.permissions.find((x) => x.user === svcName);
    if (!want) continue;
    const topics = PERMS.topic_permissions.filter((x) => x.user === svcName);
    for (const problem of brokerPermissionProblems(svcName, { ...want, topics })) check(false, c, `${svcName}: ${problem}`);
  }
  for (const x of TOPIC_EXCHANGES) {
    const e = DEFS.exchanges.find((e) => e.name === x);
    check(e?.type === "topic" && e.arguments?.["alternate-exchange"], "topology/definitions.json", `${x} must be a topic exchange with an alternate-exchange`);
  }
}
const b64 = (x) => Buffer.from(x ?? "", "base64").toString();
const secretValue = (sec, key) => (sec?.stringData?.[key] ?? (sec?.data?.[key] !== undefined ? b64(sec.data[key]) : undefined));
// "guest" is used by nothing: not as a credential, not in any user or secret (a revoke list may name it).
function noGuest(c, objs) {
  for (const o of objs) {
    const copy = JSON.parse(JSON.stringify(o));
    for (const ctr of podSpecOf(copy)?.containers || []) {
      ctr.env = (ctr.env || []).filter((e) => e.name !== "REVOKE_USERS");
      delete ctr.args; // the scripts' comments may name it
    }
    if (copy.kind === "Secret") for (const k of Object.keys(copy.data || {})) copy.data[k] = b64(copy.data[k]);
    if (copy.kind === "ConfigMap") delete copy.data?.["definitions.json"];
    check(!/\bguest\b/i.test(JSON.stringify({ ...copy, metadata: { name: copy.metadata?.name } })), c, `${o.kind}/${o.metadata?.name}: mentions "guest"`);
  }
}

function baseTag(values, svc) {
  return svc.image.tag || values.image.tag || parse(readFileSync(join(CHART, "Chart.yaml"), "utf8")).appVersion;
}

// ---- checks on every case ----------------------------------------------------------------------------
// Checks that hold for the chart's output and for the plain k8s/ manifests alike.
function common(c, objs, { uid, shutdownTimeoutSeconds, configValue = () => undefined }) {
  // unique names per kind
  const seen = new Set();
  for (const o of objs) {
    const id = `${o.kind}/${o.metadata?.name}`;
    check(!seen.has(id), c, `duplicate object ${id}`);
    seen.add(id);
  }
  // every pod-bearing object: restricted security context
  for (const o of objs.filter((o) => ["Deployment", "Rollout", "Job", "Pod"].includes(o.kind))) {
    const id = `${o.kind}/${o.metadata.name}`;
    const ps = podSpecOf(o);
    const psc = ps.securityContext || {};
    check(ps.automountServiceAccountToken === false, c, `${id}: automountServiceAccountToken must be false`);
    check(!(ps.volumes || []).some((v) => v.hostPath), c, `${id}: hostPath volume`);
    for (const ctr of [...(ps.initContainers || []), ...ps.containers]) {
      const sc = ctr.securityContext || {};
      const cid = `${id} container ${ctr.name}`;
      const runAsNonRoot = sc.runAsNonRoot ?? psc.runAsNonRoot;
      const runAsUser = sc.runAsUser ?? psc.runAsUser;
      check(runAsNonRoot === true, c, `${cid}: runAsNonRoot is not true`);
      check(Number.isInteger(runAsUser) && runAsUser !== 0, c, `${cid}: runAsUser must be a non-zero uid (got ${runAsUser})`);
      check(sc.readOnlyRootFilesystem === true, c, `${cid}: readOnlyRootFilesystem is not true`);
      check(sc.allowPrivilegeEscalation === false, c, `${cid}: allowPrivilegeEscalation is not false`);
      check((sc.capabilities?.drop || []).includes("ALL"), c, `${cid}: capabilities.drop lacks ALL`);
      check(!(sc.capabilities?.add || []).length, c, `${cid}: adds capabilities`);
      check((sc.seccompProfile?.type ?? psc.seccompProfile?.type) === "RuntimeDefault", c, `${cid}: seccomp is not RuntimeDefault`);
      const tmp = (ctr.volumeMounts || []).find((m) => m.mountPath === "/tmp");
      const vol = tmp && (ps.volumes || []).find((v) => v.name === tmp.name);
      check(vol && vol.emptyDir, c, `${cid}: /tmp is not an emptyDir mount`);
      const writable = (ctr.volumeMounts || []).filter((m) => !m.readOnly).map((m) => m.mountPath);
      check(writable.every((p) => p === "/tmp"), c, `${cid}: writable mounts other than /tmp: ${writable}`);
      check(ctr.resources?.requests?.cpu && ctr.resources?.requests?.memory && ctr.resources?.limits?.cpu && ctr.resources?.limits?.memory,
        c, `${cid}: resources need cpu and memory requests and limits`);
    }
  }
  // every service workload
  for (const w of workloads(objs)) {
    const id = `${w.kind}/${w.metadata.name}`;
    const sel = w.spec.selector?.matchLabels || {};
    const labels = podLabelsOf(w);
    check(subset(sel, labels), c, `${id}: selector ${JSON.stringify(sel)} does not match its pod labels`);
    check(sel["app.kubernetes.io/name"] && sel["app.kubernetes.io/instance"] === RELEASE, c, `${id}: selector lacks app.kubernetes.io/name/instance`);
    check(!("helm.sh/chart" in labels), c, `${id}: pod labels carry helm.sh/chart (a chart bump would restart pods)`);
    const ps = podSpecOf(w);
    const preStop = ps.containers[0].lifecycle?.preStop?.sleep?.seconds ?? 0;
    check(ps.terminationGracePeriodSeconds > preStop + shutdownTimeoutSeconds, c,
      `${id}: terminationGracePeriodSeconds must exceed preStop sleep + Quarkus shutdown timeout`);
    check(preStop > 0, c, `${id}: no preStop sleep (endpoints need time to drop the pod)`);
    check((ps.topologySpreadConstraints || []).length >= 2, c, `${id}: topologySpreadConstraints missing`);
    for (const tsc of ps.topologySpreadConstraints || []) {
      check(subset(tsc.labelSelector?.matchLabels, labels), c, `${id}: topology spread selector does not match own pods`);
    }
    check(ps.securityContext?.runAsUser === uid, c, `${id}: runAsUser ${ps.securityContext?.runAsUser}, want the image's uid ${uid}`);
    for (const ctr of ps.containers) {
      const cid = `${id} container ${ctr.name}`;
      check((ctr.ports || []).some((p) => p.name === "http" && p.containerPort === 8080), c, `${cid}: no http port 8080`);
      check((ctr.ports || []).some((p) => p.name === "management" && p.containerPort === 9000), c, `${cid}: no management port 9000`);
      check((ctr.ports || []).length === 2, c, `${cid}: ports other than http and management`);
      for (const [probe, path] of [["startupProbe", "/q/health/started"], ["readinessProbe", "/q/health/ready"], ["livenessProbe", "/q/health/live"]]) {
        check(ctr[probe]?.httpGet?.path === path && ctr[probe]?.httpGet?.port === "management", c, `${cid}: ${probe} must GET ${path} on port management`);
      }
      // health and metrics are served on the management interface only; the public port keeps 8080
      const mgmtPort = env(ctr, "QUARKUS_MANAGEMENT_PORT")?.value ?? configValue("QUARKUS_MANAGEMENT_PORT");
      check(mgmtPort === "9000", c, `${cid}: QUARKUS_MANAGEMENT_PORT must be 9000 (got ${mgmtPort})`);
      for (const name of ["AMQP_USERNAME", "AMQP_PASSWORD", "QUARKUS_DATASOURCE_USERNAME", "QUARKUS_DATASOURCE_PASSWORD"]) {
        check(env(ctr, name)?.valueFrom?.secretKeyRef?.name, c, `${cid}: ${name} must come from a Secret`);
      }
    }
  }
  const pods = workloads(objs).map(podLabelsOf);
  // Services select existing pods
  for (const s of all(objs, "Service")) {
    check(s.spec.selector && pods.some((l) => subset(s.spec.selector, l)), c, `Service/${s.metadata.name}: selector matches no workload`);
    check(s.spec.ports?.every((p) => p.targetPort === "http"), c, `Service/${s.metadata.name}: must target the http port (never management: health and metrics stay off Services)`);
  }
  // PDBs and NetworkPolicies select existing pods
  for (const p of all(objs, "PodDisruptionBudget")) {
    check(pods.some((l) => subset(p.spec.selector.matchLabels, l)), c, `PodDisruptionBudget/${p.metadata.name}: selector matches no workload`);
  }
  for (const np of all(objs, "NetworkPolicy")) {
    check(pods.some((l) => subset(np.spec.podSelector.matchLabels, l)), c, `NetworkPolicy/${np.metadata.name}: selects no workload`);
    // the management port is never open to everyone
    for (const r of np.spec.ingress || []) {
      if ((r.ports || []).some((p) => p.port === 9000 || p.port === "management")) check(Array.isArray(r.from) && r.from.length > 0, c, `NetworkPolicy/${np.metadata.name}: management port open to any source`);
      check(r.ports?.length, c, `NetworkPolicy/${np.metadata.name}: an ingress rule without ports opens the management port too`);
    }
    for (const r of np.spec.egress || []) check(Array.isArray(r.to) && r.to.length && Array.isArray(r.ports) && r.ports.length, c, `NetworkPolicy/${np.metadata.name}: egress rule without 'to' or ports is unrestricted`);
  }
  // HPAs point at rendered workloads, which then leave spec.replicas to the HPA
  const hpaTargets = new Set();
  for (const h of all(objs, "HorizontalPodAutoscaler")) {
    const t = h.spec.scaleTargetRef;
    const target = find(objs, t.kind, t.name);
    check(target, c, `HorizontalPodAutoscaler/${h.metadata.name}: target ${t.kind}/${t.name} not rendered`);
    check(h.spec.minReplicas <= h.spec.maxReplicas, c, `HorizontalPodAutoscaler/${h.metadata.name}: min > max`);
    hpaTargets.add(`${t.kind}/${t.name}`);
  }
  for (const w of workloads(objs)) {
    const id = `${w.kind}/${w.metadata.name}`;
    if (hpaTargets.has(id)) check(w.spec.replicas === undefined, c, `${id}: has spec.replicas although an HPA scales it`);
    else check(Number.isInteger(w.spec.replicas), c, `${id}: spec.replicas missing (no HPA)`);
  }
}

function generic(c, { objs, values }) {
  common(c, objs, { uid: values.image.flavor === "native" ? 1001 : 185, shutdownTimeoutSeconds: values.shutdown.shutdownTimeoutSeconds });
  noGuest(c, objs);
  const production = values.environment === "production";
  const mgmtSecret = values.rabbitmq.management.existingSecret || `${FULLNAME}-rabbitmq-management`;
  for (const w of workloads(objs)) {
    const id = `${w.kind}/${w.metadata.name}`;
    const ps = podSpecOf(w);
    check(env(ps.containers[0], "QUARKUS_SHUTDOWN_TIMEOUT")?.value === `${values.shutdown.shutdownTimeoutSeconds}s`, c, `${id}: QUARKUS_SHUTDOWN_TIMEOUT`);
    for (const ctr of ps.containers) {
      const cid = `${id} container ${ctr.name}`;
      check(env(ctr, "QUARKUS_HTTP_PORT")?.value === "8080", c, `${cid}: QUARKUS_HTTP_PORT must be 8080`);
      for (const v of ["QUARKUS_DATASOURCE_REACTIVE_URL", "QUARKUS_DATASOURCE_JDBC_URL", "QUARKUS_DATASOURCE_USERNAME", "QUARKUS_DATASOURCE_PASSWORD",
        "AMQP_HOST", "AMQP_PORT", "AMQP_USERNAME", "AMQP_PASSWORD", "SHOP_AMQP_VIRTUAL_HOST", "SHOP_OTEL_SAMPLE_RATIO"]) {
        check(env(ctr, v), c, `${cid}: env ${v} missing`);
      }
      for (const v of ["QUARKUS_DATASOURCE_PASSWORD", "AMQP_PASSWORD"]) {
        check(env(ctr, v)?.valueFrom?.secretKeyRef, c, `${cid}: ${v} must come from a Secret`);
      }
      check(env(ctr, "SHOP_OTEL_SAMPLE_RATIO")?.value === (values.otel.enabled ? "1.0" : "0"), c, `${cid}: SHOP_OTEL_SAMPLE_RATIO`);
      if (values.otel.enabled) check(env(ctr, "QUARKUS_OTEL_EXPORTER_OTLP_ENDPOINT")?.value === values.otel.endpoint, c, `${cid}: OTLP endpoint`);
      // bearer tokens: issuer, audience and keys as configured
      check(env(ctr, "SHOP_JWT_ISSUER")?.value === values.auth.issuer && values.auth.issuer, c, `${cid}: SHOP_JWT_ISSUER`);
      check(env(ctr, "SHOP_JWT_AUDIENCE")?.value === values.auth.audience && values.auth.audience, c, `${cid}: SHOP_JWT_AUDIENCE`);
      const keyLocation = env(ctr, "SHOP_JWT_PUBLIC_KEY_LOCATION")?.value;
      if (values.auth.jwksUrl) {
        check(keyLocation === values.auth.jwksUrl, c, `${cid}: SHOP_JWT_PUBLIC_KEY_LOCATION must be auth.jwksUrl`);
      } else {
        const mount = (ctr.volumeMounts || []).find((m) => keyLocation?.startsWith(`${m.mountPath}/`));
        const vol = mount && (ps.volumes || []).find((v) => v.name === mount.name);
        const cm = vol?.configMap && find(objs, "ConfigMap", vol.configMap.name);
        check(mount?.readOnly && cm?.data?.[keyLocation.slice(mount.mountPath.length + 1)]?.trim() === values.auth.publicKey.trim(), c,
          `${cid}: SHOP_JWT_PUBLIC_KEY_LOCATION ${keyLocation} is not auth.publicKey mounted read-only`);
      }
      // CORS closed unless origins are configured
      check(env(ctr, "QUARKUS_HTTP_CORS_ENABLED")?.value === String(values.cors.origins.length > 0), c, `${cid}: QUARKUS_HTTP_CORS_ENABLED`);
      check((env(ctr, "QUARKUS_HTTP_CORS_ORIGINS")?.value ?? "") === values.cors.origins.join(","), c, `${cid}: QUARKUS_HTTP_CORS_ORIGINS`);
      // the broker admin credential is the topology Job's alone
      check(!(ctr.env || []).some((e) => e.valueFrom?.secretKeyRef?.name === mgmtSecret), c, `${cid}: uses the broker admin Secret ${mgmtSecret}`);
    }
  }
  // one broker user per service: no two services share broker credentials
  const amqpSecrets = workloads(objs).map((w) => [podLabelsOf(w)["app.kubernetes.io/name"], env(podSpecOf(w).containers[0], "AMQP_PASSWORD")?.valueFrom?.secretKeyRef?.name]);
  for (const [n, sname] of amqpSecrets) {
    check(amqpSecrets.every(([m, t]) => m === n || t !== sname), c, `${n}: broker Secret ${sname} shared with another service`);
  }
  // production: no secret value comes from a values file or is made up where a human needs it
  if (production) {
    for (const sec of all(objs, "Secret")) {
      check(!sec.stringData, c, `Secret/${sec.metadata.name}: production renders a Secret from plain values`);
      check(!sec.metadata.name.endsWith("-callback"), c, `Secret/${sec.metadata.name}: production must not generate the callback secret`);
    }
  }
  // per service
  for (const key of KEYS) {
    const svc = values.services[key];
    const name = `${FULLNAME}-${key}`;
    const mine = objs.filter((o) => o.metadata?.labels?.["app.kubernetes.io/name"] === svc.name);
    if (!svc.enabled) {
      check(mine.length === 0, c, `${key} is disabled but ${mine.length} objects carry its name`);
      continue;
    }
    const main = find(objs, "Service", name);
    check(main, c, `main Service ${name} missing`);
    if (!main) continue;
    check(main.spec.selector["app.kubernetes.io/name"] === svc.name && main.spec.selector["app.kubernetes.io/instance"] === RELEASE, c, `${name}: main selector`);
    check(find(objs, "ServiceAccount", name)?.automountServiceAccountToken === false, c, `ServiceAccount/${name} missing or automounts its token`);
    if (svc.pdb.enabled) check(find(objs, "PodDisruptionBudget", name)?.spec.maxUnavailable === svc.pdb.maxUnavailable, c, `PodDisruptionBudget/${name}`);
    const myWorkloads = workloads(objs).filter((w) => podLabelsOf(w)["app.kubernetes.io/name"] === svc.name);
    check(myWorkloads.length > 0, c, `${key}: no workload`);
    for (const w of myWorkloads) {
      const ctr = podSpecOf(w).containers[0];
      check(ctr.image.startsWith(`${svc.image.repository || values.image.repositoryPrefix + "/" + svc.name}:`), c, `${w.metadata.name}: image repository`);
      check(env(ctr, "QUARKUS_DATASOURCE_REACTIVE_URL").value === `postgresql://${svc.database.host}:${svc.database.port}/${svc.database.name}${svc.database.urlParams}`, c, `${w.metadata.name}: reactive URL`);
      check(env(ctr, "QUARKUS_DATASOURCE_JDBC_URL").value === `jdbc:postgresql://${svc.database.host}:${svc.database.port}/${svc.database.name}${svc.database.urlParams}`, c, `${w.metadata.name}: JDBC URL`);
      const dbSecret = svc.database.existingSecret || `${name}-db`;
      check(env(ctr, "QUARKUS_DATASOURCE_PASSWORD").valueFrom.secretKeyRef.name === dbSecret
        && env(ctr, "QUARKUS_DATASOURCE_PASSWORD").valueFrom.secretKeyRef.key === svc.database.passwordKey, c, `${w.metadata.name}: DB password Secret ref`);
      if (!svc.database.existingSecret) check(find(objs, "Secret", dbSecret), c, `${w.metadata.name}: chart-managed Secret ${dbSecret} not rendered`);
      const amqpSecret = svc.amqp.existingSecret || `${name}-amqp`;
      for (const [v, k] of [["AMQP_USERNAME", "username"], ["AMQP_PASSWORD", "password"]]) {
        check(env(ctr, v)?.valueFrom?.secretKeyRef?.name === amqpSecret && env(ctr, v)?.valueFrom?.secretKeyRef?.key === k, c, `${w.metadata.name}: ${v} must be key ${k} of Secret ${amqpSecret}`);
      }
      if (!svc.amqp.existingSecret) {
        const sec = find(objs, "Secret", amqpSecret);
        check(sec && secretValue(sec, "username") === svc.name, c, `${w.metadata.name}: chart-generated broker Secret ${amqpSecret} must hold username ${svc.name}`);
        check(sec && !sec.stringData && secretValue(sec, "password")?.length >= 24, c, `${w.metadata.name}: chart-generated broker password must be random (>= 24 characters, not from values)`);
        check(sec?.metadata.labels?.["rabbitmq.com/topology-operator"] === "true", c, `${amqpSecret}: lacks the label the Topology Operator needs to import it`);
      }
      // order-svc: per-customer rate limit on placements; the others have none
      const rl = [env(ctr, "SHOP_ORDER_RATE_LIMIT_CAPACITY")?.value, env(ctr, "SHOP_ORDER_RATE_LIMIT_PER_SECOND")?.value];
      if (key === "order") check(rl[0] === String(svc.rateLimit.capacity) && rl[1] === String(svc.rateLimit.perSecond), c, `${w.metadata.name}: rate limit env ${rl} != ${svc.rateLimit.capacity}/${svc.rateLimit.perSecond}`);
      else check(rl.every((x) => x === undefined), c, `${w.metadata.name}: rate limit env on a service that does not take orders`);
      // order-svc: the peers' main Services (enabled ones only) and the correctness monitor's settings;
      // its token only from the Secret, mounted whole (no subPath: a rotated token must show up) read-only
      if (key === "order") {
        for (const peer of PEERS) {
          const want = values.services[peer].enabled ? `http://${FULLNAME}-${peer}` : undefined;
          const got = env(ctr, peerEnv(peer))?.value;
          check(got === want, c, `${w.metadata.name}: ${peerEnv(peer)} ${got}, want ${want ?? "absent (services." + peer + " is disabled)"}`);
          if (got) for (const problem of peerUrlProblems(objs, got, values.services[peer].name)) check(false, c, `${w.metadata.name}: ${peerEnv(peer)}: ${problem}`);
        }
        const cr = svc.correctness;
        check(env(ctr, "SHOP_CORRECTNESS_ENABLED")?.value === String(cr.enabled) && env(ctr, "SHOP_CORRECTNESS_PERIOD")?.value === cr.period
          && env(ctr, "SHOP_CORRECTNESS_GRACE")?.value === cr.grace, c, `${w.metadata.name}: SHOP_CORRECTNESS_ENABLED/PERIOD/GRACE differ from services.order.correctness`);
        const ps = podSpecOf(w);
        const tokenFile = env(ctr, "SHOP_CORRECTNESS_TOKEN_FILE")?.value;
        const tokenVols = (ps.volumes || []).filter((v) => v.name === "correctness-token" || (cr.tokenSecret && v.secret?.secretName === cr.tokenSecret));
        if (cr.tokenSecret) {
          const mount = tokenFile && (ctr.volumeMounts || []).find((m) => tokenFile.startsWith(`${m.mountPath}/`));
          const vol = mount && (ps.volumes || []).find((v) => v.name === mount.name);
          check(mount?.readOnly === true && !mount.subPath, c, `${w.metadata.name}: SHOP_CORRECTNESS_TOKEN_FILE ${tokenFile} must be in a read-only mount without subPath (a subPath never sees a rotated Secret)`);
          check(vol?.secret?.secretName === cr.tokenSecret && eq(vol.secret.items, [{ key: cr.tokenKey, path: tokenFile?.slice(mount.mountPath.length + 1) }]), c,
            `${w.metadata.name}: SHOP_CORRECTNESS_TOKEN_FILE must be key ${cr.tokenKey} of Secret ${cr.tokenSecret}`);
          check(!(ctr.env || []).some((e) => e.valueFrom?.secretKeyRef?.name === cr.tokenSecret), c, `${w.metadata.name}: the correctness token in an env var (read once at start; a rotation would need a restart)`);
          check(!find(objs, "Secret", cr.tokenSecret), c, `Secret/${cr.tokenSecret}: the correctness token Secret is the IdP's, the chart must not render it`);
        } else {
          check(!tokenFile && tokenVols.length === 0 && !(ctr.volumeMounts || []).some((m) => m.mountPath.startsWith("/etc/shop/correctness")), c, `${w.metadata.name}: correctness token env or mount without services.order.correctness.tokenSecret`);
        }
      } else {
        const stray = (ctr.env || []).map((e) => e.name).filter((n) => n.startsWith("SHOP_OPS_PEERS_") || CORRECTNESS_ENV.includes(n));
        check(stray.length === 0, c, `${w.metadata.name}: ${stray} on a service other than order-svc`);
      }
      // notification-svc: the callback HMAC secret from a Secret, never a literal
      const cb = env(ctr, "SHOP_CALLBACK_SECRET");
      if (key === "notification") {
        const cbSecret = svc.callbackSecret.existingSecret || `${name}-callback`;
        check(cb?.valueFrom?.secretKeyRef?.name === cbSecret && cb.valueFrom.secretKeyRef.key === svc.callbackSecret.key, c, `${w.metadata.name}: SHOP_CALLBACK_SECRET must be key ${svc.callbackSecret.key} of Secret ${cbSecret}`);
        if (!svc.callbackSecret.existingSecret) check(secretValue(find(objs, "Secret", cbSecret), svc.callbackSecret.key)?.length >= 32, c, `${cbSecret}: generated callback secret must be random (>= 32 characters)`);
      } else {
        check(!cb, c, `${w.metadata.name}: SHOP_CALLBACK_SECRET on a service that sends no callbacks`);
      }
      check(env(ctr, "AMQP_HOST").value === values.rabbitmq.host && env(ctr, "SHOP_AMQP_VIRTUAL_HOST").value === values.rabbitmq.virtualHost, c, `${w.metadata.name}: broker env`);
    }
    // NetworkPolicy: ingress on the http port only; egress only DNS, AMQP, own DB, OTLP
    if (values.networkPolicy.enabled) {
      const np = find(objs, "NetworkPolicy", name);
      if (check(np, c, `NetworkPolicy/${name} missing`)) {
        check(myWorkloads.every((w) => subset(np.spec.podSelector.matchLabels, podLabelsOf(w))), c, `NetworkPolicy/${name}: does not select all of the service's pods`);
        check(["Ingress", "Egress"].every((t) => np.spec.policyTypes.includes(t)), c, `NetworkPolicy/${name}: policyTypes`);
        const ingressPorts = np.spec.ingress.flatMap((r) => r.ports || [{ port: "ANY" }]).map((p) => `${p.protocol}/${p.port}`);
        const mgmtFrom = values.networkPolicy.management.from;
        // order-svc reads the peers' admin APIs: its own http rule where ingressFrom closes the port
        const orderSvc = values.services.order;
        const orderRule = key !== "order" && orderSvc.enabled && values.networkPolicy.ingressFrom.length > 0;
        check(JSON.stringify(ingressPorts) === JSON.stringify(["TCP/8080", ...(orderRule ? ["TCP/8080"] : []), ...(mgmtFrom.length ? ["TCP/9000"] : [])]), c, `NetworkPolicy/${name}: ingress ports ${ingressPorts}`);
        const httpRule = np.spec.ingress.find((r) => r.ports?.some((p) => p.port === 8080));
        check(httpRule && eq(httpRule.from ?? [], values.networkPolicy.ingressFrom), c, `NetworkPolicy/${name}: http ingress peers differ from networkPolicy.ingressFrom`);
        if (orderRule) {
          const r = np.spec.ingress.filter((r) => r.ports?.some((p) => p.port === 8080))[1];
          check(r && r.ports.length === 1 && eq(r.from, [{ podSelector: { matchLabels: { "app.kubernetes.io/name": orderSvc.name, "app.kubernetes.io/instance": RELEASE } } }]), c,
            `NetworkPolicy/${name}: the second http rule must admit exactly order-svc's pods`);
        }
        if (key !== "order" && orderSvc.enabled) {
          const orderPods = workloads(objs).filter((w) => podLabelsOf(w)["app.kubernetes.io/name"] === orderSvc.name).map(podLabelsOf);
          check(orderPods.length && orderPods.every((l) => np.spec.ingress.some((r) => r.ports?.some((p) => p.port === 8080) && selectsPods(r.from, l))), c, `NetworkPolicy/${name}: order-svc's pods cannot reach the http port`);
        }
        const mgmtRule = np.spec.ingress.find((r) => r.ports?.some((p) => p.port === 9000));
        if (mgmtFrom.length) check(mgmtRule && mgmtRule.ports.length === 1 && eq(mgmtRule.from, mgmtFrom), c, `NetworkPolicy/${name}: management ingress must admit exactly networkPolicy.management.from`);
        let jwksPort;
        if (values.auth.jwksUrl) {
          const u = new URL(values.auth.jwksUrl);
          jwksPort = Number(u.port || (u.protocol === "https:" ? 443 : 80));
          const rule = np.spec.egress.find((r) => eq(r.to, values.networkPolicy.jwks.to));
          check(rule && rule.ports.length === 1 && rule.ports[0].port === jwksPort, c, `NetworkPolicy/${name}: egress to the JWKS endpoint (port ${jwksPort}) missing`);
        }
        const allowed = new Set(["UDP/53", "TCP/53", `TCP/${values.rabbitmq.port}`, `TCP/${svc.database.port}`, ...(values.otel.enabled ? [`TCP/${values.networkPolicy.otlp.port}`] : []), ...(jwksPort ? [`TCP/${jwksPort}`] : []), ...(key === "order" ? ["TCP/8080"] : [])]);
        // egress towards the release's own pods: only order-svc, only to the enabled peers' http port
        const shopPods = workloads(objs).map(podLabelsOf);
        const reached = new Set();
        for (const r of np.spec.egress) {
          const hit = shopPods.filter((l) => (r.to || []).some((t) => t.podSelector && !t.namespaceSelector && !t.ipBlock && subset(t.podSelector.matchLabels, l)));
          for (const l of hit) reached.add(l["app.kubernetes.io/name"]);
          if (hit.length) check(key === "order" && eq(r.ports, [{ protocol: "TCP", port: 8080 }]) && hit.every((l) => PEERS.some((p) => values.services[p].name === l["app.kubernetes.io/name"])), c,
            `NetworkPolicy/${name}: egress to ${[...new Set(hit.map((l) => l["app.kubernetes.io/name"]))]} (only order-svc reaches the peers, only their http port 8080)`);
        }
        if (key === "order") {
          const want = PEERS.filter((p) => values.services[p].enabled).map((p) => values.services[p].name).sort();
          check(eq([...reached].sort(), want), c, `NetworkPolicy/${name}: egress reaches ${[...reached]}, want the enabled peers ${want}`);
          for (const p of PEERS.filter((p) => values.services[p].enabled)) {
            const peerPods = workloads(objs).filter((w) => podLabelsOf(w)["app.kubernetes.io/name"] === values.services[p].name).map(podLabelsOf);
            check(peerPods.every((l) => np.spec.egress.some((r) => r.ports?.some((x) => x.port === 8080) && (r.to || []).some((t) => t.podSelector && !t.namespaceSelector && subset(t.podSelector.matchLabels, l)))), c,
              `NetworkPolicy/${name}: some ${values.services[p].name} pods are not reachable on 8080`);
          }
        }
        for (const r of np.spec.egress) {
          check(Array.isArray(r.to) && r.to.length > 0, c, `NetworkPolicy/${name}: an egress rule without 'to' allows every destination`);
          check(Array.isArray(r.ports) && r.ports.length > 0, c, `NetworkPolicy/${name}: an egress rule without ports`);
          for (const p of r.ports || []) check(allowed.has(`${p.protocol}/${p.port}`), c, `NetworkPolicy/${name}: egress to ${p.protocol}/${p.port} not allowed`);
        }
        const dbRule = np.spec.egress.find((r) => r.ports?.some((p) => p.port === svc.database.port));
        check(dbRule && eq(dbRule.to, svc.database.networkPolicyTo), c, `NetworkPolicy/${name}: DB egress peers differ from database.networkPolicyTo`);
      }
    }
    // Gateway
    const route = find(objs, "HTTPRoute", name);
    check(values.gateway.enabled ? route : !route, c, `HTTPRoute/${name} ${values.gateway.enabled ? "missing" : "rendered without gateway.enabled"}`);
    if (route) {
      const refs = route.spec.rules[0].backendRefs;
      for (const r of refs) check(find(objs, "Service", r.name), c, `HTTPRoute/${name}: backend ${r.name} is not a rendered Service`);
      check(refs.reduce((s, r) => s + r.weight, 0) === 100, c, `HTTPRoute/${name}: weights do not sum to 100`);
      check(JSON.stringify(route.spec.rules[0].matches.map((m) => m.path.value)) === JSON.stringify(svc.route.pathPrefixes), c, `HTTPRoute/${name}: path prefixes`);
      // the public route reaches the http port only, and never Quarkus' /q endpoints
      for (const rule of route.spec.rules) {
        for (const m of rule.matches) check(m.path?.value && !/^\/q(\/|$)/.test(m.path.value) && m.path.value !== "/", c, `HTTPRoute/${name}: path ${m.path?.value} would expose /q`);
        for (const r of rule.backendRefs) {
          const target = find(objs, "Service", r.name);
          const port = target?.spec.ports.find((p) => p.port === r.port);
          check(port?.targetPort === "http", c, `HTTPRoute/${name}: backend ${r.name}:${r.port} is not the http port`);
        }
      }
    }
    // monitoring: a PodMonitor scrapes /q/metrics on the management port of every pod (no Service has that port)
    check(!find(objs, "ServiceMonitor", name), c, `ServiceMonitor/${name}: metrics are scraped from the management port by a PodMonitor`);
    const pm = find(objs, "PodMonitor", name);
    check(values.monitoring.enabled ? pm : !pm, c, `PodMonitor/${name} ${values.monitoring.enabled ? "missing" : "rendered without monitoring.enabled"}`);
    if (pm) {
      for (const w of myWorkloads) check(subset(pm.spec.selector.matchLabels, podLabelsOf(w)), c, `PodMonitor/${name}: does not select the pods of ${w.metadata.name}`);
      check(!workloads(objs).some((w) => podLabelsOf(w)["app.kubernetes.io/name"] !== svc.name && subset(pm.spec.selector.matchLabels, podLabelsOf(w))), c, `PodMonitor/${name}: selects another service's pods`);
      const ep = pm.spec.podMetricsEndpoints;
      check(ep.length === 1 && ep[0].path === "/q/metrics" && ep[0].port === "management", c, `PodMonitor/${name}: endpoint must be /q/metrics on port management`);
      // alert rules expect job="shop" and service=<app name>, also on `up`
      check(ep[0].honorLabels === true
        && ep[0].relabelings?.some((r) => r.targetLabel === "service" && eq(r.sourceLabels, ["__meta_kubernetes_pod_label_app_kubernetes_io_name"]))
        && ep[0].relabelings?.some((r) => r.targetLabel === "job" && r.replacement === "shop"), c, `PodMonitor/${name}: job/service labels for the alert rules`);
    }
  }
  const rule = find(objs, "PrometheusRule", FULLNAME);
  check(values.monitoring.enabled ? rule?.spec.groups?.length > 0 : !rule, c, "PrometheusRule presence follows monitoring.enabled");
  const alertsFile = join(ROOT, "monitoring", "prometheus", "alerts.yaml");
  if (rule && existsSync(alertsFile)) {
    check(eq(rule.spec.groups, parse(readFileSync(alertsFile, "utf8")).groups), c, "PrometheusRule groups differ from monitoring/prometheus/alerts.yaml");
  }
  // topology
  const defsSrc = readFileSync(join(ROOT, "topology", "definitions.json"), "utf8");
  const defs = JSON.parse(defsSrc);
  const job = find(objs, "Job", `${FULLNAME}-topology`);
  const cm = find(objs, "ConfigMap", `${FULLNAME}-topology`);
  if (values.topology.mode === "job" && check(job && cm, c, "topology Job and ConfigMap missing")) {
    check(job.metadata.annotations?.["helm.sh/hook"] === "pre-install,pre-upgrade", c, "topology Job must be a pre-install,pre-upgrade hook");
    check(cm?.metadata.annotations?.["helm.sh/hook"] === "pre-install,pre-upgrade"
      && Number(cm.metadata.annotations["helm.sh/hook-weight"]) < Number(job?.metadata.annotations?.["helm.sh/hook-weight"]), c, "topology ConfigMap must be a hook created before the Job");
    check(cm?.data?.["definitions.json"]?.trimEnd() === defsSrc.trimEnd(), c, "topology ConfigMap content differs from topology/definitions.json");
    const jenv = (n) => env(podSpecOf(job).containers[0], n);
    check(jenv("RABBITMQ_VHOST")?.value === values.rabbitmq.virtualHost, c, "topology Job vhost");
    check(jenv("RABBITMQ_MANAGEMENT_URL")?.value === `${values.rabbitmq.management.scheme}://${values.rabbitmq.host}:${values.rabbitmq.management.port}`, c, "topology Job management URL");
    check(podSpecOf(job).containers[0].args[0] === readFileSync(join(CHART, "files", "scripts", "apply-topology.sh"), "utf8"), c, "topology Job script differs from files/scripts/apply-topology.sh");
    // Secrets the hook needs must exist before it: existing ones, or chart-managed hook Secrets
    const vols = podSpecOf(job).volumes;
    const credSources = vols.find((v) => v.name === "credentials")?.projected?.sources || [];
    for (const ref of [jenv("RABBITMQ_PASSWORD").valueFrom.secretKeyRef.name, ...credSources.map((x) => x.secret.name)]) {
      const s = find(objs, "Secret", ref);
      if (s) check(s.metadata.annotations?.["helm.sh/hook"]?.includes("pre-install") && Number(s.metadata.annotations["helm.sh/hook-weight"]) < Number(job.metadata.annotations["helm.sh/hook-weight"]), c, `Secret/${ref} is used by the topology hook but is not a hook created before it`);
    }
    // one user per enabled service, least privilege, credentials from that service's own Secret
    check(jenv("USERS_FILE")?.value === "/topology/users.txt" && jenv("CREDENTIALS_DIR")?.value === "/credentials", c, "topology Job: USERS_FILE / CREDENTIALS_DIR");
    check(jenv("REVOKE_USERS")?.value === values.topology.job.revokeUsers.join(" "), c, "topology Job: REVOKE_USERS");
    const lines = (cm.data["users.txt"] || "").split("\n").filter((l) => l.trim());
    const enabled = KEYS.filter((k) => values.services[k].enabled);
    check(lines.length === enabled.length, c, `topology Job: ${lines.length} users for ${enabled.length} services`);
    for (const line of lines) {
      const [folder, configure, write, read, ...rest] = line.trim().split(/\s+/);
      const svc = values.services[folder];
      if (!check(svc?.enabled && read && rest.length > 0 && rest.length % 3 === 0, c, `topology Job users.txt: bad line ${line}`)) continue;
      const topics = [];
      for (let i = 0; i < rest.length; i += 3) topics.push({ exchange: rest[i], write: rest[i + 1], read: rest[i + 2] });
      for (const problem of brokerUserProblems(svc.name, { configure, write, read, topics })) check(false, c, `topology Job user of ${svc.name}: ${problem}`);
      const src = credSources.find((x) => x.secret.name === (svc.amqp.existingSecret || `${FULLNAME}-${folder}-amqp`));
      check(src && eq(src.secret.items, [{ key: "username", path: `${folder}/username` }, { key: "password", path: `${folder}/password` }]), c, `topology Job: credentials of ${svc.name} not mounted from its own Secret`);
    }
  } else if (values.topology.mode !== "job") {
    check(!job && !cm, c, `topology Job/ConfigMap rendered with topology.mode=${values.topology.mode}`);
  }
  const crs = objs.filter((o) => o.apiVersion === "rabbitmq.com/v1beta1" && ["Exchange", "Queue", "Binding"].includes(o.kind));
  if (values.topology.mode === "operator") {
    const derived = JSON.parse(readFileSync(join(CHART, "files", "topology", "operator-resources.json"), "utf8"));
    check(all(crs, "Exchange").length === defs.exchanges.length && all(crs, "Queue").length === defs.queues.length
      && all(crs, "Binding").length === defs.bindings.length, c, `operator topology: ${crs.length} CRs for ${defs.exchanges.length + defs.queues.length + defs.bindings.length} definitions`);
    for (const d of derived) {
      const o = find(objs, d.kind, `${FULLNAME}-${d.name}`);
      check(o && eq({ ...d.spec, vhost: values.rabbitmq.virtualHost, rabbitmqClusterReference: values.topology.operator.rabbitmqClusterReference }, o.spec),
        c, `operator topology: ${d.kind}/${d.name} spec differs from operator-resources.json`);
    }
    // and the same specs as the plain k8s/topology manifests
    for (const kind of ["exchanges", "queues", "bindings"]) {
      const plain = parseAllDocuments(readFileSync(join(ROOT, "k8s", "topology", `${kind}.yaml`), "utf8")).map((x) => x.toJS()).filter(Boolean);
      for (const p of plain) {
        const o = find(objs, p.kind, `${FULLNAME}-${p.metadata.name}`);
        const strip = (s) => canon({ ...s, vhost: undefined, rabbitmqClusterReference: undefined });
        check(o && strip(o.spec) === strip(p.spec), c, `k8s/topology ${p.kind}/${p.metadata.name} differs from the chart's CR`);
      }
    }
    // one User per enabled service importing that service's Secret, with least-privilege Permission and TopicPermission
    for (const key of KEYS.filter((k) => values.services[k].enabled)) {
      const svc = values.services[key];
      const uname = `${FULLNAME}-${key}-broker-user`;
      const user = find(objs, "User", uname);
      const perms = all(objs, "Permission").filter((x) => x.spec.userReference?.name === uname);
      const perm = perms[0];
      const topics = all(objs, "TopicPermission").filter((x) => x.spec.userReference?.name === uname);
      if (!check(user && perms.length === 1 && topics.length, c, `operator topology: User, one Permission and TopicPermissions of ${svc.name} expected`)) continue;
      check(user.spec.importCredentialsSecret?.name === (svc.amqp.existingSecret || `${FULLNAME}-${key}-amqp`) && eq(user.spec.tags, []), c, `User/${uname}: must import ${svc.name}'s Secret and have no tags`);
      check([perm, ...topics].every((x) => x.spec.vhost === values.rabbitmq.virtualHost), c, `${uname}: permissions on the wrong vhost`);
      for (const problem of brokerUserProblems(svc.name, { ...perm.spec.permissions, topics: topics.map((t) => t.spec.permissions) })) check(false, c, `operator user of ${svc.name}: ${problem}`);
    }
    check(all(objs, "User").length === KEYS.filter((k) => values.services[k].enabled).length, c, "operator topology: a User per enabled service and no other");
    for (const x of [...all(objs, "Permission"), ...all(objs, "TopicPermission")]) check(find(objs, "User", x.spec.userReference?.name), c, `${x.kind}/${x.metadata.name}: refers to no rendered User`);
    // every queue consumed by a service exists with the definitions' arguments
    for (const q of defs.queues) {
      const o = crs.find((x) => x.kind === "Queue" && x.spec.name === q.name);
      const { "x-queue-type": type, ...args } = q.arguments || {};
      check(o && o.spec.type === type && eq(o.spec.arguments || {}, args), c, `operator topology: Queue ${q.name} arguments`);
    }
  } else {
    check(crs.length === 0, c, `topology CRs rendered with topology.mode=${values.topology.mode}`);
    check(!["User", "Permission", "TopicPermission"].some((k) => all(objs, k).length), c, `broker user CRs rendered with topology.mode=${values.topology.mode}`);
  }
  // helm test
  const test = objs.find((o) => o.kind === "Pod" && o.metadata.annotations?.["helm.sh/hook"] === "test");
  if (values.tests.enabled && check(test, c, "helm test Pod missing")) {
    const tenv = (n) => env(test.spec.containers[0], n)?.value;
    check(tenv("ORDER_URL") === `http://${FULLNAME}-order` && tenv("INVENTORY_URL") === `http://${FULLNAME}-inventory` && tenv("BILLING_URL") === `http://${FULLNAME}-billing`, c, "helm test URLs must be the main Services");
    check(test.spec.containers[0].args[0] === readFileSync(join(CHART, "files", "scripts", "saga-smoke-test.sh"), "utf8"), c, "helm test script differs from files/scripts/saga-smoke-test.sh");
    for (const [v, k] of [["ADMIN_TOKEN", "admin-token"], ["CUSTOMER_TOKEN", "customer-token"], ["CUSTOMER_SUBJECT", "customer-subject"]]) {
      const ref = env(test.spec.containers[0], v)?.valueFrom?.secretKeyRef;
      check(values.tests.tokenSecret ? ref?.name === values.tests.tokenSecret && ref.key === k : !env(test.spec.containers[0], v), c, `helm test ${v}: ${values.tests.tokenSecret ? `key ${k} of Secret ${values.tests.tokenSecret}` : "must be absent without tests.tokenSecret"}`);
    }
  }
}

// ---- per strategy ------------------------------------------------------------------------------------
function strategies(c, { objs, values }) {
  const argo = values.progressiveDelivery.argoRollouts;
  for (const key of KEYS) {
    const svc = values.services[key];
    if (!svc.enabled) continue;
    const name = `${FULLNAME}-${key}`;
    const base = baseTag(values, svc);
    const main = find(objs, "Service", name);
    const tagOf = (w) => podSpecOf(w).containers[0].image.split(":").pop();
    const hpa = svc.hpa.enabled;
    if (svc.strategy === "rolling") {
      const d = find(objs, "Deployment", name);
      if (!check(d, c, `${key}: rolling Deployment ${name} missing`)) continue;
      check(d.spec.strategy.type === "RollingUpdate" && String(d.spec.strategy.rollingUpdate.maxSurge) === String(svc.rolling.maxSurge)
        && String(d.spec.strategy.rollingUpdate.maxUnavailable) === String(svc.rolling.maxUnavailable), c, `${key}: rolling maxSurge/maxUnavailable`);
      check(d.spec.minReadySeconds === svc.minReadySeconds, c, `${key}: minReadySeconds`);
      check(!hpa ? d.spec.replicas === svc.replicas : true, c, `${key}: replicas`);
      check(tagOf(d) === base, c, `${key}: image tag ${tagOf(d)} != ${base}`);
      check(workloads(objs).filter((w) => podLabelsOf(w)["app.kubernetes.io/name"] === svc.name).length === 1, c, `${key}: rolling renders exactly one workload`);
      check(!("shop.dev/track" in main.spec.selector), c, `${key}: rolling main Service must not pin a track`);
    } else if (svc.strategy === "blueGreen") {
      const active = svc.blueGreen.activeColor;
      const preview = active === "blue" ? "green" : "blue";
      const preSvc = find(objs, "Service", `${name}-preview`);
      check(main.spec.selector["shop.dev/track"] === active, c, `${key}: active Service selects track ${main.spec.selector["shop.dev/track"]}, want ${active}`);
      check(preSvc?.spec.selector["shop.dev/track"] === preview, c, `${key}: preview Service must select ${preview}`);
      for (const color of ["blue", "green"]) {
        const d = find(objs, "Deployment", `${name}-${color}`);
        if (!check(d, c, `${key}: Deployment ${name}-${color} missing`)) continue;
        check(tagOf(d) === (svc.blueGreen[color].tag || base), c, `${key}: ${color} image tag ${tagOf(d)}`);
        check(podLabelsOf(d)["shop.dev/track"] === color && d.spec.selector.matchLabels["shop.dev/track"] === color, c, `${key}: ${color} track label`);
        const isActive = color === active;
        check(subset(main.spec.selector, podLabelsOf(d)) === isActive, c, `${key}: active Service ${isActive ? "misses" : "also selects"} ${color}`);
        check(subset(preSvc.spec.selector, podLabelsOf(d)) === !isActive, c, `${key}: preview Service ${!isActive ? "misses" : "also selects"} ${color}`);
        if (hpa) {
          const h = find(objs, "HorizontalPodAutoscaler", `${name}-${color}`);
          check(h && h.spec.minReplicas === (isActive ? svc.hpa.minReplicas : svc.blueGreen.previewReplicas)
            && h.spec.maxReplicas === (isActive ? svc.hpa.maxReplicas : svc.blueGreen.previewReplicas), c, `${key}: ${color} HPA bounds`);
        } else {
          check(d.spec.replicas === (isActive ? svc.replicas : svc.blueGreen.previewReplicas), c, `${key}: ${color} replicas ${d.spec.replicas}`);
        }
      }
      check(!find(objs, "Deployment", name), c, `${key}: blueGreen must not render the rolling Deployment`);
    } else if (svc.strategy === "canary" && !argo) {
      const stable = find(objs, "Deployment", name);
      const canary = find(objs, "Deployment", `${name}-canary`);
      if (!check(stable && canary, c, `${key}: stable and canary Deployments missing`)) continue;
      check(tagOf(stable) === base && tagOf(canary) === (svc.canary.tag || base), c, `${key}: canary/stable image tags`);
      check(podLabelsOf(stable)["shop.dev/track"] === "stable" && podLabelsOf(canary)["shop.dev/track"] === "canary", c, `${key}: track labels`);
      const sSvc = find(objs, "Service", `${name}-stable`);
      const cSvc = find(objs, "Service", `${name}-canary`);
      check(sSvc && subset(sSvc.spec.selector, podLabelsOf(stable)) && !subset(sSvc.spec.selector, podLabelsOf(canary)), c, `${key}: ${name}-stable must select only stable pods`);
      check(cSvc && subset(cSvc.spec.selector, podLabelsOf(canary)) && !subset(cSvc.spec.selector, podLabelsOf(stable)), c, `${key}: ${name}-canary must select only canary pods`);
      check(!find(objs, "HorizontalPodAutoscaler", `${name}-canary`), c, `${key}: the canary track must not autoscale`);
      if (values.gateway.enabled) {
        const refs = find(objs, "HTTPRoute", name)?.spec.rules[0].backendRefs || [];
        const w = Object.fromEntries(refs.map((r) => [r.name, r.weight]));
        check(w[`${name}-canary`] === svc.canary.weight && w[`${name}-stable`] === 100 - svc.canary.weight, c,
          `${key}: HTTPRoute weights ${JSON.stringify(w)} != configured canary weight ${svc.canary.weight}`);
        check(canary.spec.replicas === svc.canary.replicas, c, `${key}: canary replicas with a Gateway`);
        if (!hpa) check(stable.spec.replicas === svc.replicas, c, `${key}: stable replicas with a Gateway`);
      } else {
        const total = stable.spec.replicas + canary.spec.replicas;
        check(total === svc.replicas, c, `${key}: stable + canary replicas ${total} != replicas ${svc.replicas}`);
        const exact = (svc.replicas * svc.canary.weight) % 100 === 0;
        if (exact) check(canary.spec.replicas * 100 === svc.canary.weight * total, c, `${key}: canary ${canary.spec.replicas}/${total} pods is not ${svc.canary.weight}%`);
        // round(replicas * weight / 100), kept within [1, replicas - 1] while 0 < weight < 100
        const w = svc.canary.weight;
        let want = Math.round((svc.replicas * w) / 100);
        if (w > 0) want = Math.max(want, 1);
        if (w < 100) want = Math.min(want, svc.replicas - 1);
        if (w === 100) want = svc.replicas;
        check(canary.spec.replicas === want, c, `${key}: canary ${canary.spec.replicas}/${total} pods, want ${want} for ${w}%`);
        check(subset(main.spec.selector, podLabelsOf(stable)) && subset(main.spec.selector, podLabelsOf(canary)), c, `${key}: main Service must select both tracks (replica ratio)`);
      }
    } else {
      const r = find(objs, "Rollout", name);
      if (!check(r, c, `${key}: Rollout ${name} missing`)) continue;
      check(!workloads(objs).some((w) => w.kind === "Deployment" && podLabelsOf(w)["app.kubernetes.io/name"] === svc.name), c, `${key}: Deployments rendered next to the Rollout`);
      const can = r.spec.strategy.canary;
      check(find(objs, "Service", can.stableService) && find(objs, "Service", can.canaryService), c, `${key}: Rollout stable/canary Services not rendered`);
      const steps = svc.canary.steps.length ? svc.canary.steps : [{ setWeight: svc.canary.weight }, { pause: {} }];
      check(eq(can.steps, steps), c, `${key}: Rollout steps ${JSON.stringify(can.steps)}`);
      check(tagOf(r) === base, c, `${key}: Rollout image tag`);
      if (values.gateway.enabled) {
        const plugin = can.trafficRouting?.plugins?.["argoproj-labs/gatewayAPI"];
        check(plugin && find(objs, "HTTPRoute", plugin.httpRoute), c, `${key}: Rollout gatewayAPI plugin must reference the rendered HTTPRoute`);
        const refs = find(objs, "HTTPRoute", name).spec.rules[0].backendRefs;
        check(refs[0].name === can.stableService && refs[0].weight === 100 && refs[1].name === can.canaryService && refs[1].weight === 0, c, `${key}: Argo HTTPRoute must start at stable 100 / canary 0`);
      } else {
        check(!can.trafficRouting, c, `${key}: Rollout without a Gateway must not set trafficRouting`);
      }
      if (hpa) check(find(objs, "HorizontalPodAutoscaler", name)?.spec.scaleTargetRef.kind === "Rollout", c, `${key}: HPA must scale the Rollout`);
    }
  }
}

// ---- across cases ------------------------------------------------------------------------------------
function stability(rendered) {
  // the selector labels of each service never depend on the strategy
  for (const key of KEYS) {
    const selectors = new Set();
    const stableDeploymentSelectors = new Set();
    for (const [c, { objs, values }] of Object.entries(rendered)) {
      if (!values.services[key].enabled) continue;
      const main = find(objs, "Service", `${FULLNAME}-${key}`);
      const sel = main.spec.selector;
      selectors.add(JSON.stringify({ n: sel["app.kubernetes.io/name"], i: sel["app.kubernetes.io/instance"] }));
      for (const w of workloads(objs).filter((w) => podLabelsOf(w)["app.kubernetes.io/name"] === values.services[key].name)) {
        check(w.spec.selector.matchLabels["app.kubernetes.io/name"] === sel["app.kubernetes.io/name"], c, `${w.metadata.name}: name label differs from the main Service`);
      }
      const d = find(objs, "Deployment", `${FULLNAME}-${key}`);
      if (d) stableDeploymentSelectors.add(canon(d.spec.selector));
    }
    check(selectors.size === 1, "all", `${key}: main Service selector labels differ across cases: ${[...selectors]}`);
    // rolling and canary (non-Argo) share the Deployment <svc> and its (immutable) selector
    check(stableDeploymentSelectors.size === 1, "all", `${key}: Deployment ${FULLNAME}-${key} selector differs across strategies: ${[...stableDeploymentSelectors]}`);
  }
}

function caseSpecific(rendered) {
  const prod = rendered.production;
  if (prod) {
    check(all(prod.objs, "HorizontalPodAutoscaler").length === 4, "production", "4 HPAs expected");
    check(workloads(prod.objs).every((w) => podSpecOf(w).topologySpreadConstraints.some((t) => t.topologyKey === "kubernetes.io/hostname" && t.whenUnsatisfiable === "DoNotSchedule")),
      "production", "replicas must be spread hard across nodes");
    check(all(prod.objs, "PodMonitor").length === 4 && all(prod.objs, "PrometheusRule").length === 1, "production", "monitoring objects");
    check(prod.values.environment === "production", "production", "values-production.yaml must set environment: production");
    // what values-production.yaml itself carries: no identity provider and no secret (production-inputs.yaml adds them)
    const shipped = parse(readFileSync(join(CHART, "values-production.yaml"), "utf8"));
    check(shipped.auth && !shipped.auth.issuer && !shipped.auth.audience && !shipped.auth.jwksUrl && !shipped.auth.publicKey, "production", "values-production.yaml must not carry an identity provider");
    check(!/password:\s*\S|secret:\s*[^\s{]/i.test(readFileSync(join(CHART, "values-production.yaml"), "utf8").replace(/^\s*#.*$/gm, "")), "production", "values-production.yaml must not carry a secret value");
  }
  const byo = rendered["byo-inline"];
  if (byo) {
    const secret = (n) => find(byo.objs, "Secret", n);
    check(secret("shop-order-db")?.stringData?.username === "order_app" && secret("shop-order-db")?.stringData?.password === "s3cret-order", "byo-inline", "order DB Secret");
    check(secret("shop-inventory-db"), "byo-inline", "inventory DB Secret");
    check(!secret("shop-notification-db") && !secret("my-notification-db"), "byo-inline", "existingSecret must not be rendered");
    check(secret("shop-order-amqp")?.metadata.annotations?.["helm.sh/hook"] === "pre-install,pre-upgrade", "byo-inline", "broker Secrets must be hooks for the topology Job");
    check(!secret("my-inventory-broker-user") && !secret("shop-inventory-amqp"), "byo-inline", "an existing broker Secret must not be rendered");
    check(find(byo.objs, "ConfigMap", "shop-jwt-public-key")?.data?.["public.pem"]?.includes("BEGIN PUBLIC KEY"), "byo-inline", "auth.publicKey ConfigMap");
    const toShopPods = (r) => r.to.every((t) => t.podSelector?.matchLabels?.["app.kubernetes.io/instance"] === RELEASE && !t.namespaceSelector && !t.ipBlock);
    check(all(byo.objs, "NetworkPolicy").every((np) => np.spec.ingress.length === 1 && !np.spec.egress.some((r) => r.ports.some((p) => p.port === 443 || p.port === 8080) && !toShopPods(r))), "byo-inline", "no management ingress and no JWKS egress with a PEM key and no management peers");
    // billing-svc is disabled: order-svc gets no URL for it and no egress towards it
    const o = find(byo.objs, "Deployment", "shop-order");
    check(o && !env(podSpecOf(o).containers[0], "SHOP_OPS_PEERS_BILLING") && env(podSpecOf(o).containers[0], "SHOP_OPS_PEERS_INVENTORY")?.value === "http://shop-inventory", "byo-inline", "order-svc's peers: inventory, not the disabled billing");
    check(secret("shop-rabbitmq-management")?.stringData?.password === "s3cret-admin", "byo-inline", "management Secret");
    const n = find(byo.objs, "Deployment", "shop-notification");
    check(env(podSpecOf(n).containers[0], "QUARKUS_DATASOURCE_USERNAME").valueFrom.secretKeyRef.key === "user", "byo-inline", "custom usernameKey");
  }
}

// ---- plain manifests: kubectl kustomize k8s/overlays/<overlay> ----------------------------------------
function plain(c, objs, secrets) {
  const cfg = find(objs, "ConfigMap", "shop-config");
  check(cfg, c, "ConfigMap shop-config missing");
  const timeout = parseInt(cfg?.data?.QUARKUS_SHUTDOWN_TIMEOUT ?? "0", 10);
  common(c, objs, { uid: 1001, shutdownTimeoutSeconds: timeout, configValue: (n) => cfg?.data?.[n] });
  noGuest(c, objs);
  const rmq = all(objs, "RabbitmqCluster");
  check(rmq.length === 1 && rmq[0].spec.rabbitmq.additionalPlugins.includes("rabbitmq_amqp1_0"), c, "one RabbitmqCluster with rabbitmq_amqp1_0");
  const vhost = find(objs, "Vhost", "shop");
  check(vhost, c, "Vhost for the services");
  check(cfg?.data?.SHOP_AMQP_VIRTUAL_HOST === vhost?.spec.name && cfg?.data?.AMQP_HOST === rmq[0]?.metadata.name, c, "shop-config points at the RabbitmqCluster and vhost");
  // bearer tokens and CORS
  for (const k of ["SHOP_JWT_ISSUER", "SHOP_JWT_AUDIENCE", "SHOP_JWT_PUBLIC_KEY_LOCATION"]) check(cfg?.data?.[k], c, `shop-config: ${k} missing`);
  check(cfg?.data?.QUARKUS_HTTP_CORS_ENABLED === "false", c, "shop-config: CORS must stay closed");
  const jwks = new URL(cfg?.data?.SHOP_JWT_PUBLIC_KEY_LOCATION ?? "http://invalid");
  const jwksPort = Number(jwks.port || (jwks.protocol === "https:" ? 443 : 80));
  if (c === "k8s-production") check(jwks.protocol === "https:" && cfg.data.SHOP_JWT_ISSUER.startsWith("https://"), c, "production: issuer and JWKS over https");
  // one broker user per service, least privilege, importing the Secret the service reads
  check(all(objs, "User").length === 4, c, `4 broker Users expected, got ${all(objs, "User").length}`);
  for (const [key, svcName] of Object.entries(SVC_NAMES)) {
    const user = find(objs, "User", svcName);
    const perms = all(objs, "Permission").filter((x) => x.spec.userReference?.name === svcName);
    const perm = perms[0];
    const topics = all(objs, "TopicPermission").filter((x) => x.spec.userReference?.name === svcName);
    if (!check(user && perms.length === 1 && topics.length, c, `User, one Permission and TopicPermissions of ${svcName} expected`)) continue;
    check(eq(user.spec.tags, []) && user.spec.importCredentialsSecret?.name === `${svcName}-amqp`, c, `User/${svcName}: no tags, imports Secret ${svcName}-amqp`);
    check([perm, ...topics].every((x) => x.spec.vhost === vhost?.spec.name), c, `${svcName}: permissions on the wrong vhost`);
    for (const problem of brokerUserProblems(svcName, { ...perm.spec.permissions, topics: topics.map((t) => t.spec.permissions) })) check(false, c, `broker user ${svcName}: ${problem}`);
    const sec = find(secrets, "Secret", `${svcName}-amqp`);
    check(sec && secretValue(sec, "username") === svcName && secretValue(sec, "password")?.length >= 24
      && sec.metadata.labels?.["rabbitmq.com/topology-operator"] === "true", c, `k8s/create-secrets.sh: ${svcName}-amqp must hold username ${svcName}, a random password and the import label`);
    const d = find(objs, "Deployment", `shop-${key}`);
    if (!d) continue;
    const ctr = podSpecOf(d).containers[0];
    for (const [v, k] of [["AMQP_USERNAME", "username"], ["AMQP_PASSWORD", "password"]]) {
      check(env(ctr, v)?.valueFrom?.secretKeyRef?.name === `${svcName}-amqp` && env(ctr, v).valueFrom.secretKeyRef.key === k, c, `shop-${key}: ${v} must be key ${k} of ${svcName}-amqp (the Secret its User imports)`);
    }
    const cb = env(ctr, "SHOP_CALLBACK_SECRET")?.valueFrom?.secretKeyRef;
    if (key === "notification") check(cb?.name === "notification-svc-callback" && secretValue(find(secrets, "Secret", cb.name), cb.key)?.length >= 32, c, "shop-notification: SHOP_CALLBACK_SECRET from notification-svc-callback (k8s/create-secrets.sh)");
    else check(!cb, c, `shop-${key}: SHOP_CALLBACK_SECRET on a service that sends no callbacks`);
    const rl = [env(ctr, "SHOP_ORDER_RATE_LIMIT_CAPACITY")?.value, env(ctr, "SHOP_ORDER_RATE_LIMIT_PER_SECOND")?.value];
    check(key === "order" ? rl.every(Boolean) : rl.every((x) => x === undefined), c, `shop-${key}: rate limit env only on order-svc`);
    // order-svc reads the other services' admin APIs through their Services; its correctness token is an
    // optional Secret mounted whole and read-only (the IdP's tooling keeps it current)
    if (key === "order") {
      for (const peer of PEERS) {
        const url = env(ctr, peerEnv(peer))?.value;
        check(url === `http://shop-${peer}`, c, `shop-order: ${peerEnv(peer)} ${url}, want http://shop-${peer}`);
        if (url) for (const problem of peerUrlProblems(objs, url, SVC_NAMES[peer])) check(false, c, `shop-order: ${peerEnv(peer)}: ${problem}`);
      }
      for (const v of CORRECTNESS_ENV) check(env(ctr, v)?.value, c, `shop-order: ${v} missing`);
      const tokenFile = env(ctr, "SHOP_CORRECTNESS_TOKEN_FILE")?.value ?? "";
      const mount = (ctr.volumeMounts || []).find((m) => tokenFile.startsWith(`${m.mountPath}/`));
      const vol = mount && podSpecOf(d).volumes.find((v) => v.name === mount.name);
      check(mount?.readOnly && !mount.subPath && vol?.secret?.secretName === "order-svc-correctness-token" && vol.secret.optional === true
        && eq(vol.secret.items, [{ key: "token", path: tokenFile.slice(mount.mountPath.length + 1) }]), c, "shop-order: SHOP_CORRECTNESS_TOKEN_FILE must be key token of the optional Secret order-svc-correctness-token, mounted read-only without subPath");
    } else {
      const stray = (ctr.env || []).map((e) => e.name).filter((n) => n.startsWith("SHOP_OPS_PEERS_") || CORRECTNESS_ENV.includes(n));
      check(stray.length === 0, c, `shop-${key}: ${stray} on a service other than order-svc`);
    }
    const np = find(objs, "NetworkPolicy", `shop-${key}`);
    const ingress = (np?.spec.ingress || []).flatMap((r) => (r.ports || []).map((p) => `${p.port}:${JSON.stringify(r.from ?? "any")}`));
    check(eq(ingress, ["8080:\"any\"", `9000:${JSON.stringify([{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }])}`]), c, `shop-${key}: NetworkPolicy ingress must be 8080 from anywhere and 9000 from monitoring only, got ${ingress}`);
    check(np?.spec.egress.some((r) => r.ports.length === 1 && r.ports[0].port === jwksPort), c, `shop-${key}: NetworkPolicy egress to the JWKS port ${jwksPort}`);
    // only order-svc reaches other services' pods, only their http port; the peers admit it
    const shopPods = workloads(objs).map(podLabelsOf);
    const reached = new Set();
    for (const r of np?.spec.egress || []) {
      const hit = shopPods.filter((l) => (r.to || []).some((t) => t.podSelector && !t.namespaceSelector && !t.ipBlock && subset(t.podSelector.matchLabels, l)));
      for (const l of hit) reached.add(l["app.kubernetes.io/name"]);
      if (hit.length) check(key === "order" && eq(r.ports, [{ protocol: "TCP", port: 8080 }]), c, `shop-${key}: NetworkPolicy egress to ${[...new Set(hit.map((l) => l["app.kubernetes.io/name"]))]} (only order-svc, only port 8080)`);
    }
    if (key === "order") check(eq([...reached].sort(), PEERS.map((p) => SVC_NAMES[p]).sort()), c, `shop-order: NetworkPolicy egress reaches ${[...reached]}, want the three peers`);
    else {
      const orderPods = workloads(objs).filter((w) => podLabelsOf(w)["app.kubernetes.io/name"] === "order-svc").map(podLabelsOf);
      check(orderPods.length && orderPods.every((l) => (np?.spec.ingress || []).some((r) => r.ports?.some((p) => p.port === 8080) && selectsPods(r.from, l))), c, `shop-${key}: NetworkPolicy must admit order-svc on 8080`);
    }
  }
  check(!find(objs, "User", "shop-app") && !find(objs, "Permission", "shop-app.shop"), c, "the shared shop-app user is gone");
  for (const x of [...all(objs, "Permission"), ...all(objs, "TopicPermission")]) check(find(objs, "User", x.spec.userReference?.name), c, `${x.kind}/${x.metadata.name}: refers to no User`);
  for (const t of [...all(objs, "Exchange"), ...all(objs, "Queue"), ...all(objs, "Binding")]) {
    check(t.spec.vhost === vhost?.spec.name && t.spec.rabbitmqClusterReference.name === rmq[0]?.metadata.name, c, `${t.kind}/${t.metadata.name}: vhost/cluster`);
  }
  const defs = JSON.parse(readFileSync(join(ROOT, "topology", "definitions.json"), "utf8"));
  check(all(objs, "Queue").length === defs.queues.length && all(objs, "Binding").length === defs.bindings.length && all(objs, "Exchange").length === defs.exchanges.length,
    c, "topology CRs cover topology/definitions.json");
  const clusters = all(objs, "Cluster");
  check(clusters.length === 4, c, `4 CloudNativePG Clusters expected, got ${clusters.length}`);
  for (const key of KEYS) {
    const d = find(objs, "Deployment", `shop-${key}`);
    if (!check(d, c, `Deployment shop-${key} missing`)) continue;
    const ctr = podSpecOf(d).containers[0];
    check((ctr.envFrom || []).some((e) => e.configMapRef?.name === "shop-config"), c, `shop-${key}: envFrom shop-config`);
    const cluster = clusters.find((x) => `${x.metadata.name}-rw` === env(ctr, "DB_HOST")?.value);
    check(cluster && cluster.spec.bootstrap.initdb.database === env(ctr, "DB_NAME")?.value, c, `shop-${key}: DB_HOST/DB_NAME match a CloudNativePG Cluster`);
    // least privilege: the service's own role owns only its database; scram-sha-256, nothing else admitted
    if (cluster) {
      const db = cluster.spec.bootstrap.initdb.database;
      const owner = cluster.spec.bootstrap.initdb.owner;
      const hba = cluster.spec.postgresql.pg_hba || [];
      check(owner === `${key}_svc`, c, `${cluster.metadata.name}: owner ${owner}, want the service role ${key}_svc`);
      check(cluster.spec.enableSuperuserAccess === false, c, `${cluster.metadata.name}: superuser access must stay disabled`);
      check(cluster.spec.postgresql.parameters?.password_encryption === "scram-sha-256", c, `${cluster.metadata.name}: password_encryption scram-sha-256`);
      check(eq(hba, [`host ${db} ${owner} all scram-sha-256`, "host all all all reject"]), c, `${cluster.metadata.name}: pg_hba must admit only ${owner} to ${db} with scram-sha-256, got ${JSON.stringify(hba)}`);
      check(!JSON.stringify(cluster.spec).match(/\btrust\b/), c, `${cluster.metadata.name}: trust authentication`);
      check((cluster.spec.bootstrap.initdb.postInitApplicationSQL || []).includes(`REVOKE ALL ON DATABASE ${db} FROM PUBLIC`), c, `${cluster.metadata.name}: CONNECT on ${db} must be revoked from PUBLIC`);
    }
    check(cluster && env(ctr, "QUARKUS_DATASOURCE_PASSWORD")?.valueFrom?.secretKeyRef?.name === `${cluster.metadata.name}-app`, c, `shop-${key}: DB Secret is the cluster's -app Secret`);
    check(env(ctr, "QUARKUS_DATASOURCE_JDBC_URL")?.value === "jdbc:postgresql://$(DB_HOST):5432/$(DB_NAME)"
      && env(ctr, "QUARKUS_DATASOURCE_REACTIVE_URL")?.value === "postgresql://$(DB_HOST):5432/$(DB_NAME)", c, `shop-${key}: datasource URLs`);
    const names = (ctr.env || []).map((e) => e.name);
    check(names.indexOf("DB_HOST") < names.indexOf("QUARKUS_DATASOURCE_JDBC_URL") && names.indexOf("DB_NAME") < names.indexOf("QUARKUS_DATASOURCE_JDBC_URL"), c, `shop-${key}: $(DB_*) must be defined before use`);
    const np = find(objs, "NetworkPolicy", `shop-${key}`);
    check(np?.spec.egress.some((r) => r.to.some((t) => t.podSelector?.matchLabels?.["cnpg.io/cluster"] === cluster?.metadata.name)), c, `shop-${key}: NetworkPolicy egress to its own database`);
    check(!np?.spec.egress.some((r) => r.to.some((t) => t.podSelector?.matchLabels?.["cnpg.io/cluster"] && t.podSelector.matchLabels["cnpg.io/cluster"] !== cluster?.metadata.name)), c, `shop-${key}: NetworkPolicy must not reach other services' databases`);
  }
}

// ---- backups (issue 10): ScheduledBackups, recovery Cluster, broker-definitions CronJob -----------------
// Expectations from the values and from k8s/postgres/clusters.yaml, where the Clusters (and their
// barmanObjectStore) live: a ScheduledBackup of a Cluster that archives nowhere, or a recovery that reads
// another path than the source writes, would render fine and fail only in an incident.
const K8S_CLUSTERS = parseAllDocuments(readFileSync(join(ROOT, "k8s", "postgres", "clusters.yaml"), "utf8")).map((d) => d.toJS()).filter(Boolean);
function backups(c, { objs, values }) {
  const b = values.backup;
  const sb = all(objs, "ScheduledBackup");
  const recovery = all(objs, "Cluster");
  const cron = all(objs, "CronJob");
  if (!b.postgres.scheduled.enabled) check(sb.length === 0, c, "no ScheduledBackup unless backup.postgres.scheduled.enabled");
  if (!b.postgres.recovery.enabled) check(recovery.length === 0, c, "no recovery Cluster unless backup.postgres.recovery.enabled");
  if (!b.broker.enabled) check(cron.length === 0, c, "no broker-backup CronJob unless backup.broker.enabled");
  const osPath = `${b.objectStore.destinationPath.replace(/\/$/, "")}/postgres`;
  if (b.postgres.scheduled.enabled) {
    check(sb.length === KEYS.filter((k) => values.services[k].enabled).length, c, `one ScheduledBackup per enabled service, got ${sb.length}`);
    for (const key of KEYS) {
      const name = b.postgres.clusters[key];
      const s = sb.find((x) => x.spec.cluster.name === name);
      if (!check(s, c, `ScheduledBackup for Cluster ${name} missing`)) continue;
      check(s.spec.method === "barmanObjectStore" && s.spec.schedule.split(" ").length === 6, c, `${s.metadata.name}: barmanObjectStore, six-field schedule`);
      const cl = K8S_CLUSTERS.find((x) => x.metadata.name === name);
      check(cl?.spec.backup?.barmanObjectStore?.destinationPath, c, `${s.metadata.name}: Cluster ${name} in k8s/postgres/clusters.yaml has no spec.backup.barmanObjectStore`);
      // the database host the service uses is this Cluster's primary
      check(values.services[key].database.host === `${name}-rw`, c, `services.${key}.database.host is ${values.services[key].database.host}, not the backed-up Cluster ${name}-rw`);
    }
  }
  if (b.postgres.recovery.enabled) {
    const r = b.postgres.recovery;
    const cl = recovery.find((x) => x.metadata.name === r.name);
    if (check(cl, c, `recovery Cluster ${r.name} missing`)) {
      const rec = cl.spec.bootstrap?.recovery;
      const ext = (cl.spec.externalClusters || []).find((x) => x.name === rec?.source);
      check(rec && ext, c, `${r.name}: bootstrap.recovery.source names an externalCluster`);
      check(!cl.spec.bootstrap.initdb, c, `${r.name}: recovery, not initdb`);
      check(ext?.barmanObjectStore?.serverName === r.sourceCluster && ext?.barmanObjectStore?.destinationPath === osPath, c,
        `${r.name}: reads ${ext?.barmanObjectStore?.destinationPath}/${ext?.barmanObjectStore?.serverName}, want ${osPath}/${r.sourceCluster}`);
      const src = K8S_CLUSTERS.find((x) => x.metadata.name === r.sourceCluster);
      const srcBos = src?.spec.backup?.barmanObjectStore;
      check(srcBos && (srcBos.serverName || src.metadata.name) === ext?.barmanObjectStore?.serverName, c, `${r.name}: the source Cluster ${r.sourceCluster} archives under another serverName`);
      check((rec?.recoveryTarget?.targetTime || "") === r.targetTime && (rec?.recoveryTarget?.targetLSN || "") === r.targetLSN, c, `${r.name}: recoveryTarget is the values' target`);
      const svc = values.services[r.service];
      check(rec?.database === svc.database.name && rec?.owner === `${r.service}_svc`, c, `${r.name}: database ${rec?.database} owner ${rec?.owner}`);
      check(eq(cl.spec.postgresql.pg_hba, [`host ${svc.database.name} ${r.service}_svc all scram-sha-256`, "host all all all reject"]) && cl.spec.enableSuperuserAccess === false,
        c, `${r.name}: the same least-privilege pg_hba and no superuser as the source`);
    }
  }
  if (b.broker.enabled) {
    if (check(cron.length === 1, c, `one broker-backup CronJob, got ${cron.length}`)) {
      const job = cron[0].spec.jobTemplate.spec.template.spec;
      const ctr = job.containers[0];
      check(cron[0].spec.concurrencyPolicy === "Forbid", c, "broker backup: concurrencyPolicy Forbid");
      check(job.securityContext?.runAsNonRoot === true && ctr.securityContext?.readOnlyRootFilesystem === true && ctr.securityContext?.allowPrivilegeEscalation === false, c, "broker backup: restricted security context");
      check(job.automountServiceAccountToken === false, c, "broker backup: no service account token");
      check(env(ctr, "AWS_SECRET_ACCESS_KEY")?.valueFrom?.secretKeyRef?.name === b.objectStore.credentials.existingSecret
        && !(ctr.env || []).some((e) => /PASSWORD|SECRET/.test(e.name) && e.value !== undefined), c, "broker backup: credentials only from Secrets");
      check(ctr.args[0].includes("--aws-sigv4") && ctr.args[0].includes("/api/definitions"), c, "broker backup: exports /api/definitions and uploads signed");
      const url = env(ctr, "OBJECT_URL")?.value || "";
      const bucket = b.objectStore.destinationPath.replace(/^s3:\/\//, "").split("/")[0];
      check(url.startsWith("https://") && url.includes(bucket) && url.endsWith("/rabbitmq"), c, `broker backup: OBJECT_URL ${url}`);
    }
  }
}

// ---- main --------------------------------------------------------------------------------------------
const dir = process.argv[2];
if (!dir || process.argv.includes("--help")) {
  console.log("usage: node assert.mjs RENDER_DIR   (RENDER_DIR/<case>.yaml for cases: " + Object.keys(CASES).join(", ") + ")");
  process.exit(dir ? 0 : 2);
}
checkPermissionsSource();
const rendered = {};
for (const c of Object.keys(CASES)) {
  rendered[c] = load(dir, c);
  generic(c, rendered[c]);
  strategies(c, rendered[c]);
  backups(c, rendered[c]);
}
stability(rendered);
caseSpecific(rendered);
let plainObjects = 0;
const secretsFile = join(dir, "k8s-secrets.yaml");
const k8sSecrets = existsSync(secretsFile) ? parseAllDocuments(readFileSync(secretsFile, "utf8")).map((d) => d.toJS()).filter(Boolean) : [];
check(k8sSecrets.length === 5, "k8s-secrets", `k8s/create-secrets.sh --print: 5 Secrets expected, got ${k8sSecrets.length}`);
for (const overlay of ["dev", "production"]) {
  const file = join(dir, `k8s-${overlay}.yaml`);
  if (!check(existsSync(file), `k8s-${overlay}`, `missing ${file}`)) continue;
  const objs = parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJS()).filter(Boolean);
  plainObjects += objs.length;
  plain(`k8s-${overlay}`, objs, k8sSecrets);
  if (overlay === "production") check(all(objs, "HorizontalPodAutoscaler").length === 4, "k8s-production", "4 HPAs expected");
}
for (const f of failures) console.error(`FAIL ${f}`);
const objects = Object.values(rendered).reduce((n, r) => n + r.objs.length, 0);
console.log(`assert: ${Object.keys(rendered).length} chart cases (${objects} objects) + 2 kustomize overlays (${plainObjects} objects): ${passed} checks passed, ${failures.length} failed`);
process.exit(failures.length ? 1 : 0);
