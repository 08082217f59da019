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
  production: [join(CHART, "values-production.yaml")],
  "rolling-full": [join(HERE, "values", "rolling-full.yaml")],
  "blue-green": [join(HERE, "values", "blue-green.yaml")],
  "canary-gateway": [join(HERE, "values", "canary-gateway.yaml")],
  "canary-replicas": [join(HERE, "values", "canary-replicas.yaml")],
  "canary-argo": [join(HERE, "values", "canary-argo.yaml")],
  "canary-argo-nogateway": [join(HERE, "values", "canary-argo-nogateway.yaml")],
  "byo-inline": [join(HERE, "values", "byo-inline.yaml")],
  "production-blue-green": [join(CHART, "values-production.yaml"), join(HERE, "values", "blue-green.yaml"), join(HERE, "values", "production-blue-green.yaml")],
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

function baseTag(values, svc) {
  return svc.image.tag || values.image.tag || parse(readFileSync(join(CHART, "Chart.yaml"), "utf8")).appVersion;
}

// ---- checks on every case ----------------------------------------------------------------------------
// Checks that hold for the chart's output and for the plain k8s/ manifests alike.
function common(c, objs, { uid, shutdownTimeoutSeconds }) {
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
      for (const [probe, path] of [["startupProbe", "/q/health/started"], ["readinessProbe", "/q/health/ready"], ["livenessProbe", "/q/health/live"]]) {
        check(ctr[probe]?.httpGet?.path === path && ctr[probe]?.httpGet?.port === "http", c, `${cid}: ${probe} must GET ${path} on port http`);
      }
    }
  }
  const pods = workloads(objs).map(podLabelsOf);
  // Services select existing pods
  for (const s of all(objs, "Service")) {
    check(s.spec.selector && pods.some((l) => subset(s.spec.selector, l)), c, `Service/${s.metadata.name}: selector matches no workload`);
    check(s.spec.ports?.every((p) => p.targetPort === "http"), c, `Service/${s.metadata.name}: must target the http port`);
  }
  // PDBs and NetworkPolicies select existing pods
  for (const p of all(objs, "PodDisruptionBudget")) {
    check(pods.some((l) => subset(p.spec.selector.matchLabels, l)), c, `PodDisruptionBudget/${p.metadata.name}: selector matches no workload`);
  }
  for (const np of all(objs, "NetworkPolicy")) {
    check(pods.some((l) => subset(np.spec.podSelector.matchLabels, l)), c, `NetworkPolicy/${np.metadata.name}: selects no workload`);
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
      const amqpSecret = values.rabbitmq.existingSecret || `${FULLNAME}-amqp`;
      check(env(ctr, "AMQP_PASSWORD").valueFrom.secretKeyRef.name === amqpSecret, c, `${w.metadata.name}: AMQP Secret ref`);
      check(env(ctr, "AMQP_HOST").value === values.rabbitmq.host && env(ctr, "SHOP_AMQP_VIRTUAL_HOST").value === values.rabbitmq.virtualHost, c, `${w.metadata.name}: broker env`);
    }
    // NetworkPolicy: ingress on the http port only; egress only DNS, AMQP, own DB, OTLP
    if (values.networkPolicy.enabled) {
      const np = find(objs, "NetworkPolicy", name);
      if (check(np, c, `NetworkPolicy/${name} missing`)) {
        check(myWorkloads.every((w) => subset(np.spec.podSelector.matchLabels, podLabelsOf(w))), c, `NetworkPolicy/${name}: does not select all of the service's pods`);
        check(["Ingress", "Egress"].every((t) => np.spec.policyTypes.includes(t)), c, `NetworkPolicy/${name}: policyTypes`);
        const ingressPorts = np.spec.ingress.flatMap((r) => r.ports || [{ port: "ANY" }]).map((p) => `${p.protocol}/${p.port}`);
        check(JSON.stringify(ingressPorts) === JSON.stringify(["TCP/8080"]), c, `NetworkPolicy/${name}: ingress ports ${ingressPorts}`);
        const allowed = new Set(["UDP/53", "TCP/53", `TCP/${values.rabbitmq.port}`, `TCP/${svc.database.port}`, ...(values.otel.enabled ? [`TCP/${values.networkPolicy.otlp.port}`] : [])]);
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
    }
    // monitoring
    const sm = find(objs, "ServiceMonitor", name);
    check(values.monitoring.enabled ? sm : !sm, c, `ServiceMonitor/${name} ${values.monitoring.enabled ? "missing" : "rendered without monitoring.enabled"}`);
    if (sm) {
      const scraped = all(objs, "Service").filter((s) => subset(sm.spec.selector.matchLabels, s.metadata.labels)
        && sm.spec.selector.matchExpressions.every((e) => e.values.includes(s.metadata.labels[e.key])));
      // every pod of the service is behind exactly one scraped Service
      for (const w of myWorkloads) {
        const n = scraped.filter((s) => subset(s.spec.selector, podLabelsOf(w))).length;
        check(n === 1, c, `ServiceMonitor/${name}: pods of ${w.metadata.name} are scraped through ${n} Services (want 1)`);
      }
      const ep = sm.spec.endpoints[0];
      check(ep.path === "/q/metrics" && ep.port === "http", c, `ServiceMonitor/${name}: endpoint`);
      // alert rules expect job="shop" and service=<app name>, also on `up`
      check(ep.honorLabels === true
        && ep.relabelings?.some((r) => r.targetLabel === "service" && eq(r.sourceLabels, ["__meta_kubernetes_service_label_app_kubernetes_io_name"]))
        && ep.relabelings?.some((r) => r.targetLabel === "job" && r.replacement === "shop"), c, `ServiceMonitor/${name}: job/service labels for the alert rules`);
      check(scraped.every((s) => s.metadata.labels["app.kubernetes.io/name"] === svc.name), c, `ServiceMonitor/${name}: a scraped Service lacks app.kubernetes.io/name=${svc.name}`);
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
    for (const ref of ["RABBITMQ_PASSWORD", "APP_USERNAME"].map((n) => jenv(n).valueFrom.secretKeyRef.name)) {
      const s = find(objs, "Secret", ref);
      if (s) check(s.metadata.annotations?.["helm.sh/hook"]?.includes("pre-install"), c, `Secret/${ref} is used by the topology hook but is not a hook itself`);
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
    // every queue consumed by a service exists with the definitions' arguments
    for (const q of defs.queues) {
      const o = crs.find((x) => x.kind === "Queue" && x.spec.name === q.name);
      const { "x-queue-type": type, ...args } = q.arguments || {};
      check(o && o.spec.type === type && eq(o.spec.arguments || {}, args), c, `operator topology: Queue ${q.name} arguments`);
    }
  } else {
    check(crs.length === 0, c, `topology CRs rendered with topology.mode=${values.topology.mode}`);
  }
  // helm test
  const test = objs.find((o) => o.kind === "Pod" && o.metadata.annotations?.["helm.sh/hook"] === "test");
  if (values.tests.enabled && check(test, c, "helm test Pod missing")) {
    const tenv = (n) => env(test.spec.containers[0], n)?.value;
    check(tenv("ORDER_URL") === `http://${FULLNAME}-order` && tenv("INVENTORY_URL") === `http://${FULLNAME}-inventory` && tenv("BILLING_URL") === `http://${FULLNAME}-billing`, c, "helm test URLs must be the main Services");
    check(test.spec.containers[0].args[0] === readFileSync(join(CHART, "files", "scripts", "saga-smoke-test.sh"), "utf8"), c, "helm test script differs from files/scripts/saga-smoke-test.sh");
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
    check(all(prod.objs, "ServiceMonitor").length === 4 && all(prod.objs, "PrometheusRule").length === 1, "production", "monitoring objects");
  }
  const byo = rendered["byo-inline"];
  if (byo) {
    const secret = (n) => find(byo.objs, "Secret", n);
    check(secret("shop-order-db")?.stringData?.username === "order_app" && secret("shop-order-db")?.stringData?.password === "s3cret-order", "byo-inline", "order DB Secret");
    check(secret("shop-inventory-db"), "byo-inline", "inventory DB Secret");
    check(!secret("shop-notification-db") && !secret("my-notification-db"), "byo-inline", "existingSecret must not be rendered");
    check(secret("shop-amqp")?.metadata.annotations?.["helm.sh/hook"] === "pre-install,pre-upgrade", "byo-inline", "AMQP Secret must be a hook for the topology Job");
    check(secret("shop-rabbitmq-management")?.stringData?.password === "s3cret-admin", "byo-inline", "management Secret");
    const n = find(byo.objs, "Deployment", "shop-notification");
    check(env(podSpecOf(n).containers[0], "QUARKUS_DATASOURCE_USERNAME").valueFrom.secretKeyRef.key === "user", "byo-inline", "custom usernameKey");
  }
}

// ---- plain manifests: kubectl kustomize k8s/overlays/<overlay> ----------------------------------------
function plain(c, objs) {
  const cfg = find(objs, "ConfigMap", "shop-config");
  check(cfg, c, "ConfigMap shop-config missing");
  const timeout = parseInt(cfg?.data?.QUARKUS_SHUTDOWN_TIMEOUT ?? "0", 10);
  common(c, objs, { uid: 1001, shutdownTimeoutSeconds: timeout });
  const rmq = all(objs, "RabbitmqCluster");
  check(rmq.length === 1 && rmq[0].spec.rabbitmq.additionalPlugins.includes("rabbitmq_amqp1_0"), c, "one RabbitmqCluster with rabbitmq_amqp1_0");
  const user = find(objs, "User", "shop-app");
  const vhost = find(objs, "Vhost", "shop");
  check(user && vhost && find(objs, "Permission", "shop-app.shop")?.spec.userReference?.name === "shop-app", c, "Vhost, User and Permission for the services");
  check(cfg?.data?.SHOP_AMQP_VIRTUAL_HOST === vhost?.spec.name && cfg?.data?.AMQP_HOST === rmq[0]?.metadata.name, c, "shop-config points at the RabbitmqCluster and vhost");
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
    check(cluster && env(ctr, "QUARKUS_DATASOURCE_PASSWORD")?.valueFrom?.secretKeyRef?.name === `${cluster.metadata.name}-app`, c, `shop-${key}: DB Secret is the cluster's -app Secret`);
    check(env(ctr, "QUARKUS_DATASOURCE_JDBC_URL")?.value === "jdbc:postgresql://$(DB_HOST):5432/$(DB_NAME)"
      && env(ctr, "QUARKUS_DATASOURCE_REACTIVE_URL")?.value === "postgresql://$(DB_HOST):5432/$(DB_NAME)", c, `shop-${key}: datasource URLs`);
    const names = (ctr.env || []).map((e) => e.name);
    check(names.indexOf("DB_HOST") < names.indexOf("QUARKUS_DATASOURCE_JDBC_URL") && names.indexOf("DB_NAME") < names.indexOf("QUARKUS_DATASOURCE_JDBC_URL"), c, `shop-${key}: $(DB_*) must be defined before use`);
    check(env(ctr, "AMQP_PASSWORD")?.valueFrom?.secretKeyRef?.name === `${user?.metadata.name}-user-credentials`, c, `shop-${key}: AMQP Secret is the User's generated Secret`);
    const np = find(objs, "NetworkPolicy", `shop-${key}`);
    check(np?.spec.egress.some((r) => r.to.some((t) => t.podSelector?.matchLabels?.["cnpg.io/cluster"] === cluster?.metadata.name)), c, `shop-${key}: NetworkPolicy egress to its own database`);
    check(!np?.spec.egress.some((r) => r.to.some((t) => t.podSelector?.matchLabels?.["cnpg.io/cluster"] && t.podSelector.matchLabels["cnpg.io/cluster"] !== cluster?.metadata.name)), c, `shop-${key}: NetworkPolicy must not reach other services' databases`);
  }
}

// ---- main --------------------------------------------------------------------------------------------
const dir = process.argv[2];
if (!dir || process.argv.includes("--help")) {
  console.log("usage: node assert.mjs RENDER_DIR   (RENDER_DIR/<case>.yaml for cases: " + Object.keys(CASES).join(", ") + ")");
  process.exit(dir ? 0 : 2);
}
const rendered = {};
for (const c of Object.keys(CASES)) {
  rendered[c] = load(dir, c);
  generic(c, rendered[c]);
  strategies(c, rendered[c]);
}
stability(rendered);
caseSpecific(rendered);
let plainObjects = 0;
for (const overlay of ["dev", "production"]) {
  const file = join(dir, `k8s-${overlay}.yaml`);
  if (!check(existsSync(file), `k8s-${overlay}`, `missing ${file}`)) continue;
  const objs = parseAllDocuments(readFileSync(file, "utf8")).map((d) => d.toJS()).filter(Boolean);
  plainObjects += objs.length;
  plain(`k8s-${overlay}`, objs);
  if (overlay === "production") check(all(objs, "HorizontalPodAutoscaler").length === 4, "k8s-production", "4 HPAs expected");
}
for (const f of failures) console.error(`FAIL ${f}`);
const objects = Object.values(rendered).reduce((n, r) => n + r.objs.length, 0);
console.log(`assert: ${Object.keys(rendered).length} chart cases (${objects} objects) + 2 kustomize overlays (${plainObjects} objects): ${passed} checks passed, ${failures.length} failed`);
process.exit(failures.length ? 1 : 0);
