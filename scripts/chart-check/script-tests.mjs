#!/usr/bin/env node
// Runs the chart's two shell scripts (helm/shop/files/scripts/) with `sh` against local stub HTTP servers
// on 127.0.0.1, so their request sequence, parsing and failure handling are tested without a cluster,
// and k8s/create-secrets.sh against a stub kubectl.
//
//   node script-tests.mjs [RENDER_DIR]    (RENDER_DIR/default.yaml supplies the chart's real users.txt)
//
// What this does NOT prove: that the real services or RabbitMQ answer the same way (the stubs follow the
// documented API; apply-topology.sh was also run by hand against RabbitMQ 3.10.8, see docs/deploy.md).
import { createServer } from "node:http";
import { spawn, execFileSync } from "node:child_process";
import { readFileSync, writeFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

const HERE = dirname(fileURLToPath(import.meta.url));
const SCRIPTS = join(HERE, "..", "..", "helm", "shop", "files", "scripts");
const DEFINITIONS = join(HERE, "..", "..", "helm", "shop", "files", "topology", "definitions.json");
// SCRIPT_SHELL="busybox sh" runs the scripts under the shell of the curl image they run in.
const SHELL = (process.env.SCRIPT_SHELL || "sh").split(" ");
// ... and then also with busybox's sed, tr, date, cat, tail, sleep, wc and rm, as in that image.
let PATH = process.env.PATH;
if (SHELL[0].endsWith("busybox")) {
  const bin = mkdtempSync(join(tmpdir(), "chart-check-busybox-"));
  for (const tool of ["sed", "tr", "date", "cat", "tail", "sleep", "wc", "rm"]) symlinkSync(execFileSync("sh", ["-c", `command -v ${SHELL[0]}`]).toString().trim(), join(bin, tool));
  PATH = `${bin}:${PATH}`;
  process.on("exit", () => rmSync(bin, { recursive: true, force: true }));
}

function serve(handler) {
  return new Promise((resolve) => {
    const requests = [];
    const server = createServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        const r = { method: req.method, url: req.url, headers: req.headers, body };
        requests.push(r);
        handler(r, res, requests);
      });
    });
    server.listen(0, "127.0.0.1", () => resolve({ server, requests, url: `http://127.0.0.1:${server.address().port}` }));
  });
}

function run(script, env) {
  const tmp = mkdtempSync(join(tmpdir(), "chart-check-"));
  return new Promise((resolve) => {
    const p = spawn(SHELL[0], [...SHELL.slice(1), join(SCRIPTS, script)], { env: { PATH, TMPDIR: tmp, ...env } });
    let out = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (out += d));
    p.on("close", (code) => {
      rmSync(tmp, { recursive: true, force: true });
      resolve({ code, out });
    });
  });
}

function json(res, status, obj, headers = {}) {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(obj === undefined ? "" : JSON.stringify(obj));
}

// A stub of the three public APIs with bearer-token checks like the services'.
// mode: relative | absolute | cancel | reject-order | bad-token | open-read
const TOKENS = { admin: "eyJ.admin.sig", customer: "eyJ.customer.sig" };
const SUBJECT = "helm-test-customer";
function shopStub(mode) {
  let polls = 0;
  let base;
  const stub = serve((r, res) => {
    const body = r.body ? JSON.parse(r.body) : null;
    const auth = r.headers.authorization;
    const role = auth === `Bearer ${TOKENS.admin}` ? "admin" : auth === `Bearer ${TOKENS.customer}` ? "customer" : auth ? "invalid" : "none";
    const problem = (status) => json(res, status, { status }, status === 401 ? { "www-authenticate": "Bearer" } : {});
    if (mode === "bad-token" || role === "invalid") return problem(401);
    if (r.method === "PUT" && /^\/api\/v1\/products\/[^/]+$/.test(r.url)) {
      if (role !== "admin") return problem(role === "none" ? 401 : 403);
      return body && typeof body.name === "string" && typeof body.price === "number" && Number.isInteger(body.available)
        ? json(res, 200, body) : json(res, 400, { error: "bad product" });
    }
    if (r.method === "PUT" && /^\/api\/v1\/accounts\/[^/]+$/.test(r.url)) {
      if (role !== "admin") return problem(role === "none" ? 401 : 403);
      return body && typeof body.credit === "number" ? json(res, 200, body) : json(res, 400, { error: "bad account" });
    }
    if (r.method === "POST" && r.url === "/api/v1/orders") {
      if (role !== "customer") return problem(role === "none" ? 401 : 403);
      if (mode === "reject-order") return json(res, 400, { error: "nope" });
      const ok = body && body.customerId === SUBJECT && Array.isArray(body.items) && body.items.every((i) => typeof i.sku === "string" && Number.isInteger(i.quantity));
      if (!ok) return json(res, body?.customerId !== SUBJECT ? 403 : 400, { error: "bad order" });
      const loc = "/api/v1/orders/0b7f3e52-1d2c-4d5e-8f90-123456789abc";
      return json(res, 202, undefined, { location: mode === "absolute" ? `${base}${loc}` : loc });
    }
    if (r.method === "GET" && r.url.startsWith("/api/v1/orders/")) {
      if (role === "none" && mode !== "open-read") return problem(401);
      if (role === "admin") return problem(403);
      polls++;
      const status = polls < 3 ? "PENDING" : mode === "cancel" ? "CANCELLED" : "CONFIRMED";
      // pretty-printed on purpose: the script must not depend on single-line JSON
      res.writeHead(200, { "content-type": "application/json" });
      return res.end(JSON.stringify({ id: "x", status, items: [{ sku: "a", quantity: 2 }] }, null, 2));
    }
    json(res, 404, { error: "no route" });
  });
  return stub.then((s) => {
    base = s.url;
    return s;
  });
}

// The management API as far as apply-topology.sh uses it; bodies are checked as RabbitMQ would parse them.
function rabbitStub() {
  return serve((r, res) => {
    const auth = "Basic " + Buffer.from('adm"in:p@ss\\wo"rd').toString("base64");
    if (r.headers.authorization !== auth) return json(res, 401, { error: "not_authorised" });
    if (r.method === "GET" && r.url === "/api/overview") return json(res, 200, { management_version: "stub" });
    if (r.method === "PUT" && r.url === "/api/vhosts/shop%2Fdev") return json(res, 201, undefined);
    if (r.method === "POST" && r.url === "/api/definitions/shop%2Fdev") {
      return r.headers["content-type"] === "application/json" ? json(res, 204, undefined) : json(res, 415, { error: "type" });
    }
    let body;
    try { body = r.body ? JSON.parse(r.body) : undefined; } catch { return json(res, 400, { error: "bad json" }); }
    if (r.method === "PUT" && /^\/api\/users\/[^/]+$/.test(r.url)) return typeof body?.password === "string" && body.tags === "" ? json(res, 201, undefined) : json(res, 400, { error: "user" });
    if (r.method === "PUT" && /^\/api\/permissions\/shop%2Fdev\/[^/]+$/.test(r.url)) return ["configure", "write", "read"].every((k) => typeof body?.[k] === "string") ? json(res, 201, undefined) : json(res, 400, { error: "perm" });
    if (r.method === "PUT" && /^\/api\/topic-permissions\/shop%2Fdev\/[^/]+$/.test(r.url)) return ["exchange", "write", "read"].every((k) => typeof body?.[k] === "string") ? json(res, 201, undefined) : json(res, 400, { error: "topic" });
    if (r.method === "DELETE" && /^\/api\/(topic-)?permissions\/shop%2Fdev\/guest$/.test(r.url)) return json(res, 204, undefined);
    if (r.method === "DELETE" && /^\/api\/(topic-)?permissions\/shop%2Fdev\/[^/]+$/.test(r.url)) return json(res, 404, { error: "Object Not Found" });
    json(res, 404, { error: "not found" });
  });
}

let passed = 0;
let failed = 0;
function expect(cond, name, detail) {
  if (cond) {
    passed++;
    console.log(`  ok    ${name}`);
  } else {
    failed++;
    console.log(`  FAIL  ${name}\n${detail.replace(/^/gm, "        ")}`);
  }
}

const withTokens = { ADMIN_TOKEN: TOKENS.admin, CUSTOMER_TOKEN: TOKENS.customer, CUSTOMER_SUBJECT: SUBJECT };
for (const mode of ["relative", "absolute", "cancel", "reject-order", "bad-token", "open-read"]) {
  const { server, requests, url } = await shopStub(mode);
  const { code, out } = await run("saga-smoke-test.sh", { ORDER_URL: url, INVENTORY_URL: url, BILLING_URL: url, TIMEOUT_SECONDS: "30", ...withTokens });
  server.close();
  const shouldPass = mode === "relative" || mode === "absolute";
  const seq = requests.map((r) => `${r.method} ${r.url.replace(/helm-test-[0-9-]+/, "ID")} ${r.headers.authorization ? Object.keys(TOKENS).find((k) => r.headers.authorization === `Bearer ${TOKENS[k]}`) : "anonymous"}`);
  const why = {
    cancel: /order was CANCELLED/, "reject-order": /POST order \(customer [^)]*\): HTTP 400, expected 202/,
    "bad-token": /HTTP 401: the token was refused/, "open-read": /GET order without a token \(must be refused\): HTTP 200, expected 401/,
  }[mode];
  expect(shouldPass ? code === 0 : code !== 0 && why.test(out), `saga-smoke-test.sh (${mode} stub) ${shouldPass ? "succeeds" : "fails with a clear message"}`, out);
  if (shouldPass) {
    expect(seq[0] === "PUT /api/v1/products/ID admin" && seq[1] === `PUT /api/v1/accounts/${SUBJECT} admin` && seq[2] === "POST /api/v1/orders customer"
      && seq[3].startsWith("GET /api/v1/orders/0b7f3e52") && seq[3].endsWith(" anonymous")
      && seq.slice(4).every((s) => s.startsWith("GET /api/v1/orders/0b7f3e52") && s.endsWith(" customer")) && seq.length === 7,
      `saga-smoke-test.sh (${mode}) request sequence: admin stocks and credits, the customer orders, an anonymous read is refused`, seq.join("\n"));
    const order = JSON.parse(requests[2].body);
    const sku = requests[0].url.split("/").pop();
    expect(order.customerId === SUBJECT && order.items[0].sku === sku, `saga-smoke-test.sh (${mode}) orders the product it created, for the token's subject`, requests[2].body);
    expect(!out.includes(TOKENS.admin) && !out.includes(TOKENS.customer), `saga-smoke-test.sh (${mode}) never prints a token`, out);
  }
}
{
  const { server, requests, url } = await shopStub("relative");
  const skipped = await run("saga-smoke-test.sh", { ORDER_URL: url, INVENTORY_URL: url, BILLING_URL: url });
  server.close();
  expect(skipped.code === 0 && /SKIPPED/.test(skipped.out) && /tests\.tokenSecret/.test(skipped.out) && requests.length === 0,
    "saga-smoke-test.sh without tokens skips, says why, and calls nothing", skipped.out);
  const half = await run("saga-smoke-test.sh", { ORDER_URL: url, INVENTORY_URL: url, BILLING_URL: url, ADMIN_TOKEN: "x" });
  expect(half.code !== 0 && /CUSTOMER_TOKEN is empty/.test(half.out), "saga-smoke-test.sh with only some tokens fails and names the missing key", half.out);
}

// users.txt as the chart renders it (RENDER_DIR/default.yaml from chart-check.sh), or a sample in its format
const renderDir = process.argv[2];
let usersTxt = "order ^$ ^(shop\\.events|shop\\.parking|shop\\.replay)$ ^order-svc\\.(events|dlq)$"
  + " shop.events ^order\\. ^$ shop.parking ^order-svc\\.events$ ^$ shop.replay ^order-svc\\.events$ ^$\n";
if (renderDir) {
  const cm = parseAllDocuments(readFileSync(join(renderDir, "default.yaml"), "utf8")).map((d) => d.toJS()).find((o) => o?.kind === "ConfigMap" && o.metadata.name === "shop-topology");
  usersTxt = cm.data["users.txt"];
}
const work = mkdtempSync(join(tmpdir(), "chart-check-users-"));
process.on("exit", () => rmSync(work, { recursive: true, force: true }));
writeFileSync(join(work, "users.txt"), usersTxt);
// [folder, configure, write, read, [{exchange, write, read}, ...]]
const users = usersTxt.split("\n").filter((l) => l.trim()).map((l) => {
  const [folder, configure, write, read, ...rest] = l.trim().split(/\s+/);
  const topics = [];
  for (let i = 0; i + 2 < rest.length; i += 3) topics.push({ exchange: rest[i], write: rest[i + 1], read: rest[i + 2] });
  return [folder, configure, write, read, topics];
});
expect(users.length > 0 && users.every((u) => u[4].length === 3), "users.txt names three topic permissions per user (shop.events, shop.parking, shop.replay)", usersTxt);
const creds = {};
for (const [folder] of users) {
  mkdirSync(join(work, "credentials", folder), { recursive: true });
  creds[folder] = { name: `${folder}-svc`, password: `pw "${folder}" \\ é` }; // quotes, backslash, non-ASCII
  writeFileSync(join(work, "credentials", folder, "username"), creds[folder].name);
  writeFileSync(join(work, "credentials", folder, "password"), creds[folder].password);
}
{
  const { server, requests, url } = await rabbitStub();
  const env = {
    RABBITMQ_MANAGEMENT_URL: url, RABBITMQ_VHOST: "shop/dev", RABBITMQ_USERNAME: 'adm"in', RABBITMQ_PASSWORD: 'p@ss\\wo"rd',
    CREATE_VHOST: "true", DEFINITIONS, WAIT_SECONDS: "10",
    USERS_FILE: join(work, "users.txt"), CREDENTIALS_DIR: join(work, "credentials"), REVOKE_USERS: "guest nobody",
  };
  const ok = await run("apply-topology.sh", env);
  const seq = requests.map((r) => `${r.method} ${r.url}`);
  expect(ok.code === 0, "apply-topology.sh applies the definitions and the users", ok.out + "\n" + seq.join("\n"));
  const want = ["GET /api/overview", "PUT /api/vhosts/shop%2Fdev", "POST /api/definitions/shop%2Fdev",
    // topic permissions before permissions: write on a topic exchange without its topic permission allows any routing key
    ...users.flatMap(([f, , , , topics]) => [`PUT /api/users/${f}-svc`, ...topics.map(() => `PUT /api/topic-permissions/shop%2Fdev/${f}-svc`), `PUT /api/permissions/shop%2Fdev/${f}-svc`]),
    ...["guest", "nobody"].flatMap((u) => [`DELETE /api/permissions/shop%2Fdev/${u}`, `DELETE /api/topic-permissions/shop%2Fdev/${u}`])];
  expect(JSON.stringify(seq) === JSON.stringify(want), "apply-topology.sh request sequence (vhost, definitions, users with topic permissions then permissions, revocations; URL-encoded)", seq.join("\n"));
  const posted = requests.find((r) => r.method === "POST");
  expect(posted && posted.body === readFileSync(DEFINITIONS, "utf8"), "apply-topology.sh posts definitions.json byte for byte", "body differs");
  for (const [folder, configure, write, read, topics] of users) {
    const body = (path) => JSON.parse(requests.find((r) => r.method === "PUT" && r.url === path)?.body ?? "null");
    expect(body(`/api/users/${folder}-svc`)?.password === creds[folder].password, `apply-topology.sh sets ${folder}-svc's password from its Secret, JSON-escaped`, JSON.stringify(body(`/api/users/${folder}-svc`)));
    expect(JSON.stringify(body(`/api/permissions/shop%2Fdev/${folder}-svc`)) === JSON.stringify({ configure, write, read }), `apply-topology.sh grants ${folder}-svc exactly users.txt's permissions`, JSON.stringify(body(`/api/permissions/shop%2Fdev/${folder}-svc`)));
    const topicBodies = requests.filter((r) => r.method === "PUT" && r.url === `/api/topic-permissions/shop%2Fdev/${folder}-svc`).map((r) => JSON.parse(r.body));
    expect(JSON.stringify(topicBodies) === JSON.stringify(topics), `apply-topology.sh sets ${folder}-svc's topic permissions, one per exchange`, JSON.stringify(topicBodies));
  }
  expect(!ok.out.includes("p@ss") && !Object.values(creds).some((x) => ok.out.includes(x.password)), "apply-topology.sh never prints a password", ok.out);
  requests.length = 0;
  const bad = await run("apply-topology.sh", { ...env, RABBITMQ_PASSWORD: "wrong" });
  expect(bad.code !== 0 && /refused the credentials/.test(bad.out), "apply-topology.sh fails fast on bad credentials", bad.out);
  const [folder] = users[0];
  writeFileSync(join(work, "credentials", folder, "password"), "secret-with-newline\n");
  const nl = await run("apply-topology.sh", env);
  expect(nl.code !== 0 && /contains a newline/.test(nl.out), "apply-topology.sh refuses a password with a trailing newline (broker and service would disagree)", nl.out);
  writeFileSync(join(work, "credentials", folder, "password"), creds[folder].password);
  for (const [what, line] of [["no topic permission", `${folder} ^$ ^x$ ^y$`], ["an incomplete topic triple", `${folder} ^$ ^x$ ^y$ shop.events ^a$ ^$ shop.replay ^b$`]]) {
    writeFileSync(join(work, "users-bad.txt"), `${line}\n`);
    requests.length = 0;
    const badLine = await run("apply-topology.sh", { ...env, USERS_FILE: join(work, "users-bad.txt") });
    expect(badLine.code !== 0 && /needs <folder> <configure> <write> <read> and one or more/.test(badLine.out)
      && !requests.some((r) => r.url.includes("permissions/")), `apply-topology.sh refuses a users.txt line with ${what} and grants nothing`, badLine.out);
  }
  server.close();
}
{
  const down = await run("apply-topology.sh", {
    RABBITMQ_MANAGEMENT_URL: "http://127.0.0.1:9", RABBITMQ_VHOST: "/", RABBITMQ_USERNAME: "u", RABBITMQ_PASSWORD: "p", DEFINITIONS, WAIT_SECONDS: "0",
  });
  expect(down.code !== 0 && /not reachable/.test(down.out), "apply-topology.sh gives up when the API stays unreachable", down.out);
}

// backup-broker-definitions.sh (the broker-backup CronJob): exports /api/definitions with the admin user and
// uploads it twice (timestamped and latest.json) with an AWS SigV4 signature; a wrong export uploads nothing.
{
  const definitions = { rabbit_version: "3.10.8", vhosts: [{ name: "shop" }], users: [], queues: [] };
  const stub = (answer) => serve((r, res) => {
    if (r.method === "GET" && r.url === "/api/definitions") {
      if (r.headers.authorization !== "Basic " + Buffer.from("adm:pw").toString("base64")) return json(res, 401, { error: "not_authorised" });
      return answer === "html" ? (res.writeHead(200, { "content-type": "text/html" }), res.end("<html>login</html>")) : json(res, 200, definitions);
    }
    if (r.method === "PUT" && r.url.startsWith("/shop-backups/prod/rabbitmq/")) return json(res, 200, undefined);
    json(res, 404, { error: "no route" });
  });
  const env = (url) => ({ RABBITMQ_MANAGEMENT_URL: url, RABBITMQ_USERNAME: "adm", RABBITMQ_PASSWORD: "pw",
    OBJECT_URL: `${url}/shop-backups/prod/rabbitmq`, OBJECT_REGION: "eu-west-1", AWS_ACCESS_KEY_ID: "AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY: "s3cr3t" });
  const good = await stub("json");
  const r = await run("backup-broker-definitions.sh", env(good.url));
  good.server.close();
  const puts = good.requests.filter((q) => q.method === "PUT");
  expect(r.code === 0 && puts.length === 2 && /\/definitions-\d{8}T\d{6}Z\.json$/.test(puts[0].url) && puts[1].url.endsWith("/latest.json"),
    "backup-broker-definitions.sh uploads a timestamped copy and latest.json", `${r.out}\n${good.requests.map((q) => `${q.method} ${q.url}`).join("\n")}`);
  expect(puts.every((q) => JSON.stringify(JSON.parse(q.body)) === JSON.stringify(definitions)
      && /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/s3\/aws4_request, SignedHeaders=.*, Signature=[0-9a-f]{64}$/.test(q.headers.authorization || "")),
    "backup-broker-definitions.sh uploads the exported definitions, SigV4-signed for the region", puts.map((q) => q.headers.authorization).join("\n"));
  const bad = await stub("html");
  const b = await run("backup-broker-definitions.sh", env(bad.url));
  bad.server.close();
  expect(b.code !== 0 && !bad.requests.some((q) => q.method === "PUT"), "backup-broker-definitions.sh uploads nothing when the export is not a definitions document", b.out);
}

// k8s/create-secrets.sh (bash, run by a person with kubectl): creates what is missing, keeps what exists,
// passes no secret value in argv. Not run again under busybox: it is not a container script.
if (!SHELL[0].endsWith("busybox")) {
  const bin = join(work, "bin");
  mkdirSync(bin);
  const log = join(work, "kubectl.log");
  writeFileSync(join(bin, "kubectl"), `#!/bin/sh
printf '%s\n' "$*" >> "${log}"
case "$*" in
  "-n shop-dev get secrets") exit 0 ;;
  "-n shop-dev get secret order-svc-amqp") exit 0 ;;
  "-n shop-dev get secret "*) exit 1 ;;
  "-n shop-dev create -f -") { echo ---; cat; } >> "${log}.created"; exit 0 ;;
esac
exit 3
`, { mode: 0o755 });
  const out = await new Promise((resolve) => {
    const p = spawn("bash", [join(HERE, "..", "..", "k8s", "create-secrets.sh"), "-n", "shop-dev"], { env: { PATH: `${bin}:${process.env.PATH}` } });
    let text = "";
    p.stdout.on("data", (d) => (text += d));
    p.stderr.on("data", (d) => (text += d));
    p.on("close", (code) => resolve({ code, text }));
  });
  const created = parseAllDocuments(readFileSync(`${log}.created`, "utf8")).map((d) => d.toJS()).filter(Boolean);
  const names = created.map((o) => o.metadata.name);
  expect(out.code === 0 && /kept    secret\/order-svc-amqp/.test(out.text)
    && JSON.stringify(names) === JSON.stringify(["inventory-svc-amqp", "billing-svc-amqp", "notification-svc-amqp", "notification-svc-callback"]),
    "k8s/create-secrets.sh keeps an existing Secret and creates the missing ones", `${out.text}\n${names}`);
  const argv = readFileSync(log, "utf8");
  const secretValues = created.flatMap((o) => Object.entries(o.data).filter(([k]) => k !== "username").map(([, v]) => Buffer.from(v, "base64").toString()));
  expect(secretValues.length === 4 && secretValues.every((v) => v.length >= 32 && !argv.includes(v)),
    "k8s/create-secrets.sh makes random values (>= 32 characters) and passes none in kubectl's argv", argv);
}

console.log(`script-tests (${SHELL.join(" ")}): ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
