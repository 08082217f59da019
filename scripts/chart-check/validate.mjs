#!/usr/bin/env node
// Offline schema validation of Kubernetes manifests (multi-document YAML files).
//
//   node validate.mjs [--quiet] FILE...
//
// Two validators, chosen by apiVersion/kind:
// 1. kubernetes-models (core Kubernetes 1.3x, Argo Rollouts, Gateway API, Prometheus Operator): the
//    packages' precompiled JSON-schema validators check types, required fields and enums. They do not
//    reject unknown fields, so each object is also run through them wrapped in a Proxy that records which
//    property names the validator looks up: a key the validator never asked for, in an object whose schema
//    lists properties, is an unknown (e.g. misspelled) field. Objects whose schema lists no properties
//    (free-form maps such as labels, or x-kubernetes-preserve-unknown-fields) are not judged, and a key
//    that is valid only in another oneOf/anyOf branch can slip through.
// 2. Vendored CRD schemas in crds/ (RabbitMQ cluster + topology operators, CloudNativePG; see crds/SOURCES.md),
//    compiled with Ajv after adding additionalProperties:false wherever the schema lists properties and does
//    not preserve unknown fields (what the API server's pruning would silently drop). metadata is checked
//    with the ObjectMeta validator as in 1. CEL rules (x-kubernetes-validations) are not evaluated.
// An object of any other apiVersion/kind is an error: nothing is passed unvalidated.
import { readFileSync, readdirSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseAllDocuments } from "yaml";
import Ajv from "ajv";

const HERE = dirname(fileURLToPath(import.meta.url));
const NM = join(HERE, "node_modules");
const MODEL_ROOTS = [
  join(NM, "kubernetes-models"),
  join(NM, "@kubernetes-models", "argo-rollouts"),
  join(NM, "@kubernetes-models", "gateway-api"),
  join(NM, "@kubernetes-models", "prometheus-operator"),
];

// ---- Proxy-based unknown-field tracking -------------------------------------------------------------
function track(value, path, records) {
  if (value === null || typeof value !== "object") return value;
  const rec = { path, target: value, asked: new Set(), enumerated: false };
  records.push(rec);
  const children = new Map();
  return new Proxy(value, {
    get(t, k, r) {
      const v = Reflect.get(t, k, r);
      if (typeof k !== "string") return v;
      rec.asked.add(k);
      if (v !== null && typeof v === "object" && Object.prototype.hasOwnProperty.call(t, k)) {
        if (!children.has(k)) children.set(k, track(v, `${path}/${k}`, records));
        return children.get(k);
      }
      return v;
    },
    has(t, k) {
      if (typeof k === "string") rec.asked.add(k);
      return Reflect.has(t, k);
    },
    ownKeys(t) {
      rec.enumerated = true; // the validator iterates the keys: a map, every key is judged by value
      return Reflect.ownKeys(t);
    },
  });
}

function unknownFields(records) {
  const out = [];
  for (const r of records) {
    if (Array.isArray(r.target) || r.enumerated || r.asked.size === 0) continue;
    for (const k of Object.keys(r.target)) if (!r.asked.has(k)) out.push(`${r.path}/${k}: unknown field`);
  }
  return out;
}

function formatErrors(errors) {
  return (errors || []).map((e) => {
    if (e.keyword === "additionalProperties") return `${e.instancePath}/${e.params.additionalProperty}: unknown field`;
    const detail = e.message || `${e.keyword} ${JSON.stringify(e.params)}`;
    return `${e.instancePath || "/"}: ${detail}`;
  });
}

// ---- kubernetes-models lookup ------------------------------------------------------------------------
const modelCache = new Map();
async function modelValidator(apiVersion, kind) {
  const key = `${apiVersion}/${kind}`;
  if (modelCache.has(key)) return modelCache.get(key);
  let found = null;
  for (const root of MODEL_ROOTS) {
    const file = join(root, ...apiVersion.split("/"), `${kind}.js`);
    if (!existsSync(file)) continue;
    const src = readFileSync(file, "utf8");
    const kindOk = src.includes(`this.kind="${kind}"`) && src.includes(`this.apiVersion="${apiVersion}"`);
    const m = src.match(/from"((?:\.\.\/)+_schemas\/[A-Za-z0-9]+)(?:\.js)?"/);
    if (!kindOk || !m) continue;
    const schemaFile = join(dirname(file), `${m[1]}.js`);
    found = (await import(pathToFileURL(schemaFile).href)).validate;
    break;
  }
  modelCache.set(key, found);
  return found;
}

let objectMetaValidate;
async function objectMetaValidator() {
  if (!objectMetaValidate) {
    const f = join(NM, "@kubernetes-models", "apimachinery", "_schemas", "IoK8sApimachineryPkgApisMetaV1ObjectMeta.js");
    objectMetaValidate = (await import(pathToFileURL(f).href)).validate;
  }
  return objectMetaValidate;
}

function runModelValidator(validate, value, basePath) {
  const records = [];
  const ok = validate(track(value, basePath, records));
  const errors = ok ? [] : formatErrors(validate.errors).map((e) => (basePath && !e.startsWith(basePath) ? basePath + e : e));
  return [...errors, ...unknownFields(records)];
}

// ---- vendored CRD schemas ----------------------------------------------------------------------------
function closeSchema(node) {
  if (Array.isArray(node)) return node.map(closeSchema);
  if (node === null || typeof node !== "object") return node;
  const out = {};
  for (const [k, v] of Object.entries(node)) {
    // "properties" is a map of names to schemas: recurse into each value, never treat it as a schema itself.
    if (k === "properties" && v && typeof v === "object") {
      out[k] = Object.fromEntries(Object.entries(v).map(([pk, pv]) => [pk, closeSchema(pv)]));
    } else {
      out[k] = closeSchema(v);
    }
  }
  if (out.properties && out.additionalProperties === undefined && out["x-kubernetes-preserve-unknown-fields"] !== true) {
    out.additionalProperties = false;
  }
  return out;
}

const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
const crdValidators = new Map();
for (const f of readdirSync(join(HERE, "crds")).filter((f) => f.endsWith(".json"))) {
  const doc = JSON.parse(readFileSync(join(HERE, "crds", f), "utf8"));
  const schema = closeSchema(doc.schema);
  // metadata is validated separately as ObjectMeta; status is never written by us.
  schema.properties.metadata = { type: "object" };
  crdValidators.set(`${doc.apiVersion}/${doc.kind}`, ajv.compile(schema));
}

// ---- main --------------------------------------------------------------------------------------------
const args = process.argv.slice(2);
const quiet = args.includes("--quiet");
const files = args.filter((a) => !a.startsWith("--"));
if (!files.length || args.includes("--help")) {
  console.log("usage: node validate.mjs [--quiet] FILE...   (multi-document Kubernetes YAML)");
  process.exit(files.length ? 0 : 2);
}

let objects = 0;
let failed = 0;
const kinds = new Map();
for (const file of files) {
  const docs = parseAllDocuments(readFileSync(file, "utf8"));
  for (const doc of docs) {
    if (doc.errors.length) {
      failed++;
      console.error(`FAIL ${file}: YAML error: ${doc.errors[0].message}`);
      continue;
    }
    const obj = doc.toJS();
    if (obj === null || obj === undefined) continue;
    objects++;
    const id = `${obj.kind}/${obj.metadata?.name ?? "?"}`;
    let problems = [];
    if (typeof obj.apiVersion !== "string" || typeof obj.kind !== "string") {
      problems.push("missing apiVersion or kind");
    } else {
      const crd = crdValidators.get(`${obj.apiVersion}/${obj.kind}`);
      if (crd) {
        if (!crd(obj)) problems.push(...formatErrors(crd.errors));
        problems.push(...runModelValidator(await objectMetaValidator(), obj.metadata ?? {}, "/metadata"));
      } else {
        const validate = await modelValidator(obj.apiVersion, obj.kind);
        if (!validate) problems.push(`no schema known for ${obj.apiVersion} ${obj.kind}`);
        else problems.push(...runModelValidator(validate, obj, ""));
      }
    }
    if (!obj.metadata?.name) problems.push("/metadata/name: missing");
    const k = `${obj.apiVersion} ${obj.kind}`;
    kinds.set(k, (kinds.get(k) || 0) + 1);
    if (problems.length) {
      failed++;
      console.error(`FAIL ${file}: ${id}`);
      for (const p of problems) console.error(`       ${p}`);
    }
  }
}
if (!quiet) {
  for (const [k, n] of [...kinds].sort()) console.log(`  ${String(n).padStart(4)}  ${k}`);
}
console.log(`validate: ${objects} objects in ${files.length} file(s), ${failed} invalid`);
process.exit(failed ? 1 : 0);
