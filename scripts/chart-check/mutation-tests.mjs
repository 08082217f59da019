#!/usr/bin/env node
// Proves that assert.mjs's broker-permission and order-svc -> peers (admin API URLs, NetworkPolicies,
// correctness token mount) assertions fail when they should. Each case breaks one
// thing in a COPY of the rendered output (or, for topology/permissions.json, in a shadow copy of the
// inputs assert.mjs reads), runs assert.mjs on it and expects it to fail with the named problem; an
// unmodified copy must pass. Nothing in the repository or in RENDER_DIR is changed.
//
//   node mutation-tests.mjs RENDER_DIR     (the <case>.yaml and k8s-*.yaml files of scripts/chart-check.sh)
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { spawn } from "node:child_process";
import { availableParallelism, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments, stringify } from "yaml";

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, "..", "..");
const renderDir = process.argv[2];
if (!renderDir) {
  console.error("usage: node mutation-tests.mjs RENDER_DIR");
  process.exit(2);
}

const work = mkdtempSync(join(tmpdir(), "chart-check-mutations-"));
process.on("exit", () => rmSync(work, { recursive: true, force: true }));

// A shadow of what assert.mjs reads, so topology/permissions.json can be broken without touching the repo.
let shadows = 0;
function makeShadow() {
  const shadow = join(work, `root-${shadows++}`);
  for (const p of ["contracts", "topology", "helm/shop", "k8s/topology", "k8s/postgres", "monitoring/prometheus", "scripts/chart-check/values"]) {
    cpSync(join(ROOT, p), join(shadow, p), { recursive: true });
  }
  cpSync(join(HERE, "assert.mjs"), join(shadow, "scripts/chart-check/assert.mjs"));
  symlinkSync(join(HERE, "node_modules"), join(shadow, "scripts/chart-check/node_modules"));
  return shadow;
}
const shared = makeShadow();

const load = (file) => parseAllDocuments(readFileSync(join(renderDir, file), "utf8")).map((d) => d.toJS()).filter(Boolean);
const save = (dir, file, objs) => writeFileSync(join(dir, file), objs.map((o) => stringify(o, { lineWidth: 0 })).join("---\n"));
const find = (objs, kind, name) => {
  const o = objs.find((x) => x.kind === kind && x.metadata?.name === name);
  if (!o) throw new Error(`mutation-tests: ${kind}/${name} not in the render (did a name change?)`);
  return o;
};
// users.txt of the topology Job: replace one service's line through fn(fields) -> fields
const usersLine = (folder, fn) => (objs) => {
  const cm = find(objs, "ConfigMap", "shop-topology");
  cm.data["users.txt"] = cm.data["users.txt"].split("\n").map((l) => (l.startsWith(`${folder} `) ? fn(l.split(" ")).join(" ") : l)).join("\n");
};
const drop = (kind, name) => (objs) => objs.splice(objs.indexOf(find(objs, kind, name)), 1);
const edit = (kind, name, fn) => (objs) => fn(find(objs, kind, name).spec.permissions);
const spec = (kind, name, fn) => (objs) => fn(find(objs, kind, name).spec);
const ctr0 = (s) => s.template.spec.containers[0];
const peerRule = (app) => (r) => (r.to || []).some((t) => t.podSelector?.matchLabels?.["app.kubernetes.io/name"] === app);

// [description, file to mutate (or "permissions.json"), mutation, expected failure (regex on assert's output)]
const CASES = [
  ["Job: order-svc may write amq.default", "default.yaml",
    usersLine("order", (f) => { f[2] = f[2].replace(")$", "|amq\\.default)$"); return f; }),
    /\[default\] topology Job user of order-svc: write covers amq\.default/],
  ["Job: inventory-svc may write shop.dlx", "default.yaml",
    usersLine("inventory", (f) => { f[2] = f[2].replace(")$", "|shop\\.dlx)$"); return f; }),
    /\[default\] topology Job user of inventory-svc: write covers shop\.dlx/],
  ["Job: billing-svc has no topic permission on shop.replay", "default.yaml",
    usersLine("billing", (f) => f.slice(0, f.length - 3)),
    /\[default\] topology Job user of billing-svc: no topic permission on shop\.replay/],
  ["operator: order-svc's TopicPermission on shop.parking is gone", "rolling-full.yaml",
    drop("TopicPermission", "shop-order-broker-user-shop-parking"),
    /\[rolling-full\] operator user of order-svc: no topic permission on shop\.parking/],
  ["operator: inventory-svc may replay into order-svc.events", "rolling-full.yaml",
    edit("TopicPermission", "shop-inventory-broker-user-shop-replay", (p) => { p.write = "^(inventory-svc|order-svc)\\.events$"; }),
    /\[rolling-full\] operator user of inventory-svc: topic write on shop\.replay reaches order-svc\.events/],
  ["operator: notification-svc may write shop.events", "rolling-full.yaml",
    edit("Permission", "shop-notification-broker-user", (p) => { p.write = "^(shop\\.events|shop\\.parking|shop\\.replay)$"; }),
    /\[rolling-full\] operator user of notification-svc: write also covers "shop\.events"/],
  ["k8s/rabbitmq: order-svc may write amq.default", "k8s-dev.yaml",
    edit("Permission", "order-svc.shop", (p) => { p.write = "^(shop\\.events|shop\\.parking|shop\\.replay|amq\\.default)$"; }),
    /\[k8s-dev\] broker user order-svc: write covers amq\.default/],
  ["k8s/rabbitmq: billing-svc's shop.parking key is not anchored", "k8s-dev.yaml",
    edit("TopicPermission", "billing-svc.shop.shop-parking", (p) => { p.write = "^billing-svc\\."; }),
    /\[k8s-dev\] broker user billing-svc: topic write on shop\.parking also allows routing key "billing-svc\.events\.x"/],
  ["k8s/rabbitmq: notification-svc's TopicPermission on shop.events is gone", "k8s-production.yaml",
    drop("TopicPermission", "notification-svc.shop.shop-events"),
    /\[k8s-production\] broker user notification-svc: no topic permission on shop\.events/],
  ["k8s/rabbitmq: order-svc may read topics on shop.events", "k8s-dev.yaml",
    edit("TopicPermission", "order-svc.shop.shop-events", (p) => { p.read = ".*"; }),
    /\[k8s-dev\] broker user order-svc: topic read on shop\.events must be "\^\$"/],
  ["k8s/rabbitmq: a regex equivalent to topology/permissions.json's but not the same string", "k8s-dev.yaml",
    edit("Permission", "order-svc.shop", (p) => { p.write = "^shop\\.(events|parking|replay)$"; }),
    /\[k8s-dev\] broker user order-svc: write "[^"]+" differs from topology\/permissions\.json/],
  ["topology/permissions.json: inventory-svc may write amq.default", "permissions.json",
    (perms) => { perms.permissions.find((p) => p.user === "inventory-svc").write = "^(shop\\.events|shop\\.parking|shop\\.replay|amq\\.default)$"; },
    /\[topology\/permissions\.json\] inventory-svc: write covers amq\.default/],
  ["topology/permissions.json: billing-svc has no topic permission on shop.parking", "permissions.json",
    (perms) => { perms.topic_permissions = perms.topic_permissions.filter((t) => !(t.user === "billing-svc" && t.exchange === "shop.parking")); },
    /\[topology\/permissions\.json\] billing-svc: no topic permission on shop\.parking/],
  // order-svc -> the other services' read-only admin APIs
  ["chart: order-svc's billing URL names the pod port 8080, not the Service's 80", "default.yaml",
    spec("Deployment", "shop-order", (s) => { ctr0(s).env.find((e) => e.name === "SHOP_OPS_PEERS_BILLING").value = "http://shop-billing:8080"; }),
    /\[default\] shop-order: SHOP_OPS_PEERS_BILLING http:\/\/shop-billing:8080, want http:\/\/shop-billing/],
  ["chart: order-svc's NetworkPolicy lost its egress to billing-svc", "default.yaml",
    spec("NetworkPolicy", "shop-order", (s) => { s.egress = s.egress.filter((r) => !peerRule("billing-svc")(r)); }),
    /\[default\] NetworkPolicy\/shop-order: egress reaches .*want the enabled peers/],
  ["chart: inventory-svc may call billing-svc over HTTP", "default.yaml",
    (objs) => { find(objs, "NetworkPolicy", "shop-inventory").spec.egress.push(find(objs, "NetworkPolicy", "shop-order").spec.egress.find(peerRule("billing-svc"))); },
    /\[default\] NetworkPolicy\/shop-inventory: egress to billing-svc \(only order-svc reaches the peers/],
  ["chart: billing-svc's http port, closed by ingressFrom, no longer admits order-svc", "rolling-full.yaml",
    spec("NetworkPolicy", "shop-billing", (s) => { s.ingress.splice(1, 1); }),
    /\[rolling-full\] NetworkPolicy\/shop-billing: order-svc's pods cannot reach the http port/],
  ["chart: the correctness token mounted with subPath (never sees a rotation)", "rolling-full.yaml",
    spec("Deployment", "shop-order", (s) => { const m = ctr0(s).volumeMounts.find((m) => m.name === "correctness-token"); m.mountPath = "/etc/shop/correctness/token"; m.subPath = "token"; }),
    /\[rolling-full\] shop-order: SHOP_CORRECTNESS_TOKEN_FILE .* without subPath/],
  ["chart: the correctness token mounted without a tokenSecret", "default.yaml",
    spec("Deployment", "shop-order", (s) => { ctr0(s).env.push({ name: "SHOP_CORRECTNESS_TOKEN_FILE", value: "/etc/shop/correctness/token" }); }),
    /\[default\] shop-order: correctness token env or mount without services\.order\.correctness\.tokenSecret/],
  ["k8s: order-svc's NetworkPolicy lost its egress to the peers", "k8s-dev.yaml",
    spec("NetworkPolicy", "shop-order", (s) => { s.egress = s.egress.filter((r) => !peerRule("inventory-svc")(r)); }),
    /\[k8s-dev\] shop-order: NetworkPolicy egress reaches .*want the three peers/],
  ["k8s: the correctness token Secret is required (a missing one would keep order-svc from starting)", "k8s-production.yaml",
    spec("Deployment", "shop-order", (s) => { s.template.spec.volumes.find((v) => v.name === "correctness-token").secret.optional = false; }),
    /\[k8s-production\] shop-order: SHOP_CORRECTNESS_TOKEN_FILE must be key token of the optional Secret/],
];

function runAssert(shadow, dir) {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(shadow, "scripts/chart-check/assert.mjs"), dir]);
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (out += d));
    p.on("close", (code) => resolve({ code, out }));
  });
}
function freshRender() {
  const dir = mkdtempSync(join(work, "render-"));
  for (const f of readdirSync(renderDir)) if (f.endsWith(".yaml")) cpSync(join(renderDir, f), join(dir, f));
  return dir;
}

// One job per case (plus the baseline), run a few at a time; results printed in order.
async function job([what, file, mutate, want]) {
  const dir = freshRender();
  let shadow = shared;
  if (file === "permissions.json") {
    shadow = makeShadow();
    const permsFile = join(shadow, "topology", "permissions.json");
    const perms = JSON.parse(readFileSync(permsFile, "utf8"));
    mutate(perms);
    writeFileSync(permsFile, JSON.stringify(perms, null, 2));
  } else if (file) {
    const objs = load(file);
    mutate(objs);
    save(dir, file, objs);
  }
  const { code, out } = await runAssert(shadow, dir);
  const ok = want ? code === 1 && want.test(out) : code === 0;
  const fails = out.split("\n").filter((l) => l.startsWith("FAIL")).slice(0, 10).join("\n");
  return ok ? `  ok    ${want ? `caught: ${what}` : what}`
    : `  FAIL  ${want ? `not caught as expected: ${what} (assert exit ${code}; wanted ${want})` : what}\n${(fails || out).replace(/^/gm, "        ")}`;
}
const jobs = [["unmodified render passes (baseline)", null, null, null], ...CASES];
const results = new Array(jobs.length);
let next = 0;
await Promise.all(Array.from({ length: Math.max(2, Math.min(availableParallelism(), 6)) }, async () => {
  while (next < jobs.length) {
    const i = next++;
    results[i] = await job(jobs[i]);
  }
}));
const failed = results.filter((r) => r.startsWith("  FAIL")).length;
for (const r of results) console.log(r);
console.log(`mutation-tests: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
