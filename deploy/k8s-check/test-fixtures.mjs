// Checks that validate.mjs accepts fixtures/valid.yaml (the ingest slice of the rendered dev
// overlay) and rejects every variant of it broken in exactly one way, with exactly one
// problem line: the one the variant expects.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments, stringify } from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
const validator = join(here, "validate.mjs");
const valid = readFileSync(join(here, "fixtures/valid.yaml"), "utf8");

const find = (docs, kind) => docs.find((d) => d.kind === kind);
const container = (docs) => find(docs, "Deployment").spec.template.spec.containers[0];
const serviceConfig = (docs) => docs.find((d) => d.kind === "ConfigMap" && d.metadata.name.startsWith("custflow-ingest"));

// name, the text the one problem line must contain, and the change to the valid objects.
const variants = [
  ["schema: replicas is a string", "Deployment/custflow/custflow-ingest: spec.replicas: must be integer",
    (docs) => { find(docs, "Deployment").spec.replicas = "1"; }],
  ["no readiness probe", "spec.template.spec.containers[0].readinessProbe: missing",
    (docs) => { delete container(docs).readinessProbe; }],
  ["image tag latest", "uses the mutable tag latest",
    (docs) => { container(docs).image = "ghcr.io/custflow/custflow:latest"; }],
  ["a variable ingest does not read", "env.CUSTFLOW_INGEST_CLICKHOUSE_URL: not a variable of custflow-ingest",
    (docs) => { serviceConfig(docs).data.CUSTFLOW_INGEST_CLICKHOUSE_URL = "http://custflow-clickhouse:8123"; }],
  ["Redis address left at its loopback default",
    "env.CUSTFLOW_INGEST_REDIS_ADDRESS: not set: its default 127.0.0.1:6379 is loopback",
    (docs) => { const c = container(docs); c.env = c.env.filter((e) => e.name !== "CUSTFLOW_REDIS_ADDRESS"); }],
  ["runs as root", "containers[0].securityContext.runAsUser: runs as root",
    (docs) => { container(docs).securityContext.runAsUser = 0; }],
  ["grace period shorter than preStop + drain", "terminationGracePeriodSeconds: 20s does not exceed",
    (docs) => { find(docs, "Deployment").spec.template.spec.terminationGracePeriodSeconds = 20; }],
  ["no PodDisruptionBudget", "no PodDisruptionBudget selects this Deployment",
    (docs) => { docs.splice(docs.indexOf(find(docs, "PodDisruptionBudget")), 1); }],
  ["a kind without a schema", "unknown kind Widget of example.com/v1",
    (docs) => { docs.push({ apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w", namespace: "custflow" } }); }],
];

const dir = mkdtempSync(join(tmpdir(), "k8s-check-"));
function problems(yamlText) {
  const path = join(dir, "rendered.yaml");
  writeFileSync(path, yamlText);
  const run = spawnSync(process.execPath, [validator, path], { encoding: "utf8" });
  return { status: run.status, stderr: run.stderr.trim(), lines: run.stdout.split("\n").filter(Boolean) };
}

let failures = 0;
function report(name, problem) {
  console.log(`${problem ? "FAIL" : "ok  "} ${name}${problem ? `: ${problem}` : ""}`);
  if (problem) failures++;
}

const clean = problems(valid);
report("valid.yaml", clean.stderr || clean.status !== 0 || clean.lines.length
  ? `expected clean, got exit ${clean.status}:\n${clean.lines.join("\n")}${clean.stderr}` : null);
for (const [name, expected, mutate] of variants) {
  const docs = parseAllDocuments(valid).map((d) => d.toJS());
  mutate(docs);
  const run = problems(docs.map((d) => stringify(d)).join("---\n"));
  let problem = null;
  if (run.stderr) problem = `stderr: ${run.stderr}`;
  else if (run.status !== 1) problem = `expected exit 1, got ${run.status}`;
  else if (run.lines.length !== 1 || !run.lines[0].includes(expected)) {
    problem = `expected one problem containing "${expected}", got:\n${run.lines.join("\n")}`;
  }
  report(name, problem);
}
rmSync(dir, { recursive: true, force: true });
process.exitCode = failures ? 1 : 0;
