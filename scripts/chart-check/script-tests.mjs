#!/usr/bin/env node
// Runs the chart's two shell scripts (helm/shop/files/scripts/) with `sh` against local stub HTTP servers
// on 127.0.0.1, so their request sequence, parsing and failure handling are tested without a cluster.
// What this does NOT prove: that the real services or RabbitMQ answer the same way (the stubs follow the
// documented API; apply-topology.sh was also run by hand against RabbitMQ 3.10.8, see docs/deploy.md).
import { createServer } from "node:http";
import { spawn, execFileSync } from "node:child_process";
import { readFileSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const HERE = dirname(fileURLToPath(import.meta.url));
const SCRIPTS = join(HERE, "..", "..", "helm", "shop", "files", "scripts");
const DEFINITIONS = join(HERE, "..", "..", "helm", "shop", "files", "topology", "definitions.json");
// SCRIPT_SHELL="busybox sh" runs the scripts under the shell of the curl image they run in.
const SHELL = (process.env.SCRIPT_SHELL || "sh").split(" ");
// ... and then also with busybox's sed, tr, date, cat, tail and sleep, as in that image.
let PATH = process.env.PATH;
if (SHELL[0].endsWith("busybox")) {
  const bin = mkdtempSync(join(tmpdir(), "chart-check-busybox-"));
  for (const tool of ["sed", "tr", "date", "cat", "tail", "sleep"]) symlinkSync(execFileSync("sh", ["-c", `command -v ${SHELL[0]}`]).toString().trim(), join(bin, tool));
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

// A stub of the three public APIs. mode: relative | absolute | cancel | reject-order
function shopStub(mode) {
  let polls = 0;
  let base;
  const stub = serve((r, res) => {
    const body = r.body ? JSON.parse(r.body) : null;
    if (r.method === "PUT" && /^\/api\/v1\/products\/[^/]+$/.test(r.url)) {
      return body && typeof body.name === "string" && typeof body.price === "number" && Number.isInteger(body.available)
        ? json(res, 200, body) : json(res, 400, { error: "bad product" });
    }
    if (r.method === "PUT" && /^\/api\/v1\/accounts\/[^/]+$/.test(r.url)) {
      return body && typeof body.credit === "number" ? json(res, 200, body) : json(res, 400, { error: "bad account" });
    }
    if (r.method === "POST" && r.url === "/api/v1/orders") {
      if (mode === "reject-order") return json(res, 400, { error: "nope" });
      const ok = body && typeof body.customerId === "string" && Array.isArray(body.items) && body.items.every((i) => typeof i.sku === "string" && Number.isInteger(i.quantity));
      if (!ok) return json(res, 400, { error: "bad order" });
      const loc = "/api/v1/orders/0b7f3e52-1d2c-4d5e-8f90-123456789abc";
      return json(res, 202, undefined, { location: mode === "absolute" ? `${base}${loc}` : loc });
    }
    if (r.method === "GET" && r.url.startsWith("/api/v1/orders/")) {
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

function rabbitStub() {
  return serve((r, res) => {
    const auth = "Basic " + Buffer.from('adm"in:p@ss\\wo"rd').toString("base64");
    if (r.headers.authorization !== auth) return json(res, 401, { error: "not_authorised" });
    if (r.method === "GET" && r.url === "/api/overview") return json(res, 200, { management_version: "stub" });
    if (r.method === "PUT" && r.url === "/api/vhosts/shop%2Fdev") return json(res, 201, undefined);
    if (r.method === "PUT" && r.url === "/api/permissions/shop%2Fdev/app%20user") return json(res, 201, undefined);
    if (r.method === "POST" && r.url === "/api/definitions/shop%2Fdev") {
      return r.headers["content-type"] === "application/json" ? json(res, 204, undefined) : json(res, 415, { error: "type" });
    }
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

for (const mode of ["relative", "absolute", "cancel", "reject-order"]) {
  const { server, requests, url } = await shopStub(mode);
  const { code, out } = await run("saga-smoke-test.sh", { ORDER_URL: url, INVENTORY_URL: url, BILLING_URL: url, TIMEOUT_SECONDS: "30" });
  server.close();
  const shouldPass = mode === "relative" || mode === "absolute";
  const seq = requests.map((r) => `${r.method} ${r.url.replace(/helm-test-[0-9-]+/, "ID")}`);
  const why = { cancel: /order was CANCELLED/, "reject-order": /POST order: HTTP 400, expected 202/ }[mode];
  expect(shouldPass ? code === 0 : code !== 0 && why.test(out), `saga-smoke-test.sh (${mode} stub) ${shouldPass ? "succeeds" : "fails with a clear message"}`, out);
  if (shouldPass) {
    expect(seq[0] === "PUT /api/v1/products/ID" && seq[1] === "PUT /api/v1/accounts/ID" && seq[2] === "POST /api/v1/orders"
      && seq.slice(3).every((s) => s.startsWith("GET /api/v1/orders/0b7f3e52")) && seq.length === 6,
      `saga-smoke-test.sh (${mode}) request sequence`, seq.join("\n"));
    const order = JSON.parse(requests[2].body);
    const sku = requests[0].url.split("/").pop();
    const customer = requests[1].url.split("/").pop();
    expect(order.customerId === customer && order.items[0].sku === sku, `saga-smoke-test.sh (${mode}) orders the product it created`, requests[2].body);
  }
}

{
  const { server, requests, url } = await rabbitStub();
  const env = {
    RABBITMQ_MANAGEMENT_URL: url, RABBITMQ_VHOST: "shop/dev", RABBITMQ_USERNAME: 'adm"in', RABBITMQ_PASSWORD: 'p@ss\\wo"rd',
    CREATE_VHOST: "true", APP_USERNAME: "app user", DEFINITIONS, WAIT_SECONDS: "10",
  };
  const ok = await run("apply-topology.sh", env);
  const seq = requests.map((r) => `${r.method} ${r.url}`);
  expect(ok.code === 0, "apply-topology.sh applies the definitions", ok.out + "\n" + seq.join("\n"));
  expect(JSON.stringify(seq) === JSON.stringify(["GET /api/overview", "PUT /api/vhosts/shop%2Fdev", "PUT /api/permissions/shop%2Fdev/app%20user", "POST /api/definitions/shop%2Fdev"]),
    "apply-topology.sh request sequence (vhost, permissions, definitions; URL-encoded)", seq.join("\n"));
  const posted = requests.find((r) => r.method === "POST");
  expect(posted && posted.body === readFileSync(DEFINITIONS, "utf8"), "apply-topology.sh posts definitions.json byte for byte", "body differs");
  expect(!ok.out.includes("p@ss"), "apply-topology.sh never prints the password", ok.out);
  requests.length = 0;
  const bad = await run("apply-topology.sh", { ...env, RABBITMQ_PASSWORD: "wrong" });
  expect(bad.code !== 0 && /refused the credentials/.test(bad.out), "apply-topology.sh fails fast on bad credentials", bad.out);
  server.close();
}
{
  const down = await run("apply-topology.sh", {
    RABBITMQ_MANAGEMENT_URL: "http://127.0.0.1:9", RABBITMQ_VHOST: "/", RABBITMQ_USERNAME: "u", RABBITMQ_PASSWORD: "p", DEFINITIONS, WAIT_SECONDS: "0",
  });
  expect(down.code !== 0 && /not reachable/.test(down.out), "apply-topology.sh gives up when the API stays unreachable", down.out);
}

console.log(`script-tests (${SHELL.join(" ")}): ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
