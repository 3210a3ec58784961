#!/usr/bin/env node
// Offline check of the custflow Kubernetes manifests: renders each kustomize directory given
// (or reads an already rendered YAML file), validates every object against the schema of its
// apiVersion/kind (kubernetes-models, the Prometheus Operator models, and a local schema for
// Strimzi's KafkaTopic) and then applies the deployment policy of custflow. Prints one line per
// problem, naming the object and the field, and exits 1 when there is any. A compose file
// rendered by `docker-compose config` gets the environment-variable rules only.
//
//   node validate.mjs [--config-doc docs/CONFIGURATION.md] <kustomize dir | rendered.yaml>...
import { execFileSync } from "node:child_process";
import { readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";
import Ajv from "ajv";

const here = dirname(fileURLToPath(import.meta.url));
const SERVICES = ["ingest", "profile", "tagging", "reporting"];

// ---------------------------------------------------------------------------------------
// Schemas

// Strimzi publishes its schemas only inside CRDs; this covers the part of KafkaTopic that
// custflow uses and the types Strimzi accepts for it.
const kafkaTopicSchema = JSON.parse(readFileSync(join(here, "schemas/kafkatopic-v1beta2.json"), "utf8"));
const validateKafkaTopic = new Ajv({ allErrors: true, strict: false }).compile(kafkaTopicSchema);

// apiVersion + kind -> the module of that one model (importing a whole group/version index
// loads every schema of it, seconds per run).
function modelModule(apiVersion, kind) {
  if (apiVersion.startsWith("monitoring.coreos.com/")) {
    return `@kubernetes-models/prometheus-operator/${apiVersion}/${kind}`;
  }
  return `kubernetes-models/${apiVersion}/${kind}`;
}

async function schemaErrors(obj) {
  const { apiVersion, kind } = obj;
  if (typeof apiVersion !== "string" || typeof kind !== "string") {
    return [{ field: "apiVersion/kind", message: "missing" }];
  }
  if (apiVersion === "kafka.strimzi.io/v1beta2" && kind === "KafkaTopic") {
    return validateKafkaTopic(obj) ? [] : validateKafkaTopic.errors.map(ajvProblem);
  }
  let mod = {};
  if (/^[\w.-]+(\/[\w.-]+)?$/.test(apiVersion) && /^[A-Z]\w*$/.test(kind)) {
    try {
      mod = await import(modelModule(apiVersion, kind));
    } catch {
      // No such model: reported as an unknown kind below.
    }
  }
  const Model = mod[kind];
  if (typeof Model !== "function" || Model.kind !== kind) {
    return [{ field: "kind", message: `unknown kind ${kind} of ${apiVersion}: no schema to validate it` }];
  }
  // kustomize wraps long base64 Secret data over lines; the API server's decoder skips
  // line breaks, so the schema's strict base64 check sees the value without them.
  if (kind === "Secret" && obj.data) {
    obj = { ...obj, data: Object.fromEntries(Object.entries(obj.data).map(([k, v]) => [k, String(v).replace(/[\r\n]/g, "")])) };
  }
  try {
    new Model(obj).validate();
    return [];
  } catch (error) {
    if (!Array.isArray(error.errors)) throw error;
    return error.errors.map(ajvProblem);
  }
}

function ajvProblem(e) {
  const field = fieldPath(e.instancePath) + (e.params?.missingProperty ? `.${e.params.missingProperty}` : "");
  let message = e.message ?? e.keyword;
  if (e.params?.allowedValues) message += ` (${e.params.allowedValues.join(", ")})`;
  return { field: field || "(object)", message };
}

// "/spec/template/spec/containers/0/image" -> "spec.template.spec.containers[0].image"
function fieldPath(pointer) {
  return pointer
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"))
    .reduce((path, p) => (/^\d+$/.test(p) ? `${path}[${p}]` : path ? `${path}.${p}` : p), "");
}

// ---------------------------------------------------------------------------------------
// The configuration table: docs/CONFIGURATION.md, generated from the services' --help.

function readConfigTable(path) {
  const table = {};
  let service = null;
  for (const line of readFileSync(path, "utf8").split("\n")) {
    const section = line.match(/^## (\w+)\s*$/);
    if (section) service = SERVICES.includes(section[1]) ? section[1] : null;
    const row = line.match(/^\| `(CUSTFLOW_\w+)` \| `([^`]*)` \|/);
    if (service && row) (table[service] ??= new Map()).set(row[1], row[2]);
  }
  for (const s of SERVICES) {
    if (!table[s]) throw new Error(`${path}: no variable table for service ${s}`);
  }
  return table;
}

// A service reads setting NAME from CUSTFLOW_<SERVICE>_NAME, else from CUSTFLOW_NAME.
function settingOf(service, variable) {
  const prefix = `CUSTFLOW_${service.toUpperCase()}_`;
  return variable.startsWith(prefix) ? variable.slice(prefix.length) : variable.slice("CUSTFLOW_".length);
}

const isLoopback = (value) => /(^|[/@,])(127\.\d+\.\d+\.\d+|localhost|\[?::1\]?)([:/,]|$)/.test(value);

// "20s", "20000ms", "2m", "1h" -> seconds
function durationSeconds(text) {
  const m = String(text).match(/^(\d+(?:\.\d+)?)(ms|s|m|h)$/);
  if (!m) return null;
  return Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2]];
}

// ---------------------------------------------------------------------------------------
// Policy

const POD_TEMPLATE_PATHS = {
  Deployment: ["spec", "template"],
  StatefulSet: ["spec", "template"],
  DaemonSet: ["spec", "template"],
  Job: ["spec", "template"],
  CronJob: ["spec", "jobTemplate", "spec", "template"],
};

function selectorMatches(selector, labels) {
  if (!selector) return false;
  const { matchLabels = {}, matchExpressions = [] } = selector;
  if (Object.keys(matchLabels).length === 0 && matchExpressions.length === 0) return false;
  const labelOk = Object.entries(matchLabels).every(([k, v]) => labels[k] === v);
  const exprOk = matchExpressions.every(({ key, operator, values = [] }) => {
    switch (operator) {
      case "In": return key in labels && values.includes(labels[key]);
      case "NotIn": return !(key in labels) || !values.includes(labels[key]);
      case "Exists": return key in labels;
      case "DoesNotExist": return !(key in labels);
      default: return false;
    }
  });
  return labelOk && exprOk;
}

function checkPolicy(objects, configTable, report) {
  const ns = (o) => o.metadata?.namespace ?? "default";
  const find = (kind, namespace, name) =>
    objects.find((o) => o.kind === kind && ns(o) === namespace && o.metadata?.name === name);

  // An alert that pages someone says how bad it is and where its runbook is.
  for (const rule of objects.filter((o) => o.kind === "PrometheusRule")) {
    (rule.spec?.groups ?? []).forEach((group, g) => (group.rules ?? []).forEach((r, i) => {
      if (!r.alert) return;
      const field = `spec.groups[${g}].rules[${i}]`;
      if (!r.labels?.severity) report(rule, `${field}.labels.severity`, `alert ${r.alert} has no severity`);
      for (const annotation of ["summary", "description", "runbook_url"]) {
        if (!r.annotations?.[annotation]) report(rule, `${field}.annotations.${annotation}`, `alert ${r.alert} has none`);
      }
    }));
  }

  for (const obj of objects) {
    const templatePath = POD_TEMPLATE_PATHS[obj.kind];
    if (!templatePath) continue;
    const template = templatePath.reduce((o, k) => o?.[k], obj);
    if (!template?.spec) continue;
    const at = (field) => `${templatePath.join(".")}.spec.${field}`;
    const pod = template.spec;
    const podSc = pod.securityContext ?? {};
    const containers = [
      ...(pod.initContainers ?? []).map((c, i) => [c, at(`initContainers[${i}]`)]),
      ...(pod.containers ?? []).map((c, i) => [c, at(`containers[${i}]`)]),
    ];
    const isDeployment = obj.kind === "Deployment";

    for (const [c, field] of containers) {
      const sc = c.securityContext ?? {};
      if (!c.image || !/^[^@]+(:[\w][\w.-]*|@sha256:[0-9a-f]{64})$/.test(c.image.replace(/^[^/]+:\d+\//, ""))) {
        report(obj, `${field}.image`, `image "${c.image}" has no tag or digest`);
      } else if (/:latest$/.test(c.image)) {
        report(obj, `${field}.image`, `image "${c.image}" uses the mutable tag latest`);
      }
      for (const kind of ["requests", "limits"]) {
        for (const resource of ["cpu", "memory"]) {
          if (c.resources?.[kind]?.[resource] === undefined) {
            report(obj, `${field}.resources.${kind}.${resource}`, "not set");
          }
        }
      }
      const runAsUser = sc.runAsUser ?? podSc.runAsUser;
      const runAsGroup = sc.runAsGroup ?? podSc.runAsGroup;
      if (runAsUser === 0) report(obj, `${field}.securityContext.runAsUser`, "runs as root (uid 0)");
      else if (runAsGroup === 0) report(obj, `${field}.securityContext.runAsGroup`, "runs with group root (gid 0)");
      else if ((sc.runAsNonRoot ?? podSc.runAsNonRoot) !== true) {
        report(obj, `${field}.securityContext.runAsNonRoot`, "must be true");
      }
      if (sc.readOnlyRootFilesystem !== true) {
        report(obj, `${field}.securityContext.readOnlyRootFilesystem`, "must be true");
      }
      if (sc.allowPrivilegeEscalation !== false) {
        report(obj, `${field}.securityContext.allowPrivilegeEscalation`, "must be false");
      }
      if (!(sc.capabilities?.drop ?? []).includes("ALL")) {
        report(obj, `${field}.securityContext.capabilities.drop`, "must drop ALL");
      }
      if (isDeployment && field.includes(".containers[")) {
        for (const probe of ["readinessProbe", "livenessProbe", "startupProbe"]) {
          if (!c[probe]) report(obj, `${field}.${probe}`, "missing");
        }
      }

      const service = SERVICES.find((s) => (c.command ?? c.args ?? [])[0] === `custflow-${s}`);
      if (!service) continue;
      const env = containerEnv(obj, c, field, ns(obj), find, report);
      checkServiceEnv(obj, field, service, env, configTable[service], report);
      if (isDeployment) checkGracePeriod(obj, pod, c, field, service, env, configTable[service], report);
    }

    if (isDeployment) {
      const labels = template.metadata?.labels ?? {};
      const same = (o) => ns(o) === ns(obj);
      const needs = [
        ["Service", (o) => o.kind === "Service" && same(o) && o.spec?.selector &&
          selectorMatches({ matchLabels: o.spec.selector }, labels)],
        ["PodDisruptionBudget", (o) => o.kind === "PodDisruptionBudget" && same(o) && selectorMatches(o.spec?.selector, labels)],
        ["HorizontalPodAutoscaler", (o) => o.kind === "HorizontalPodAutoscaler" && same(o) &&
          o.spec?.scaleTargetRef?.kind === "Deployment" && o.spec.scaleTargetRef.name === obj.metadata.name],
        // A namespace-wide default deny does not count: the service needs its own policy.
        ["NetworkPolicy", (o) => o.kind === "NetworkPolicy" && same(o) && selectorMatches(o.spec?.podSelector, labels)],
      ];
      for (const [kind, matches] of needs) {
        if (!objects.some(matches)) report(obj, "spec.template.metadata.labels", `no ${kind} selects this Deployment`);
      }
    }
  }
}

// Variables a container sets: name -> { value } (value undefined when it comes from a Secret).
function containerEnv(obj, c, field, namespace, find, report) {
  const env = new Map();
  (c.envFrom ?? []).forEach((source, i) => {
    const ref = source.configMapRef ?? source.secretRef;
    const kind = source.configMapRef ? "ConfigMap" : "Secret";
    const found = find(kind, namespace, ref?.name);
    if (!found) {
      // The tokens Secret and other Secrets may be created outside the manifests; a ConfigMap
      // whose keys cannot be seen cannot be checked.
      if (kind === "ConfigMap" && !ref?.optional) report(obj, `${field}.envFrom[${i}].configMapRef.name`, `ConfigMap ${ref?.name} is not in the manifests`);
      return;
    }
    const data = kind === "ConfigMap" ? found.data ?? {} : { ...found.data, ...found.stringData };
    for (const [key, value] of Object.entries(data)) {
      env.set((source.prefix ?? "") + key, { value: kind === "ConfigMap" ? String(value) : undefined });
    }
  });
  (c.env ?? []).forEach((e, i) => {
    let value = e.value;
    const ref = e.valueFrom?.configMapKeyRef;
    if (ref) {
      const cm = find("ConfigMap", namespace, ref.name);
      value = cm?.data?.[ref.key];
      if (value === undefined && !ref.optional) {
        report(obj, `${field}.env[${i}].valueFrom.configMapKeyRef`, `ConfigMap ${ref.name} has no key ${ref.key}`);
      }
    }
    env.set(e.name, { value });
  });
  return env;
}

// The value a service will use for setting NAME: prefixed variable, unprefixed, default.
function effective(service, name, env, table) {
  const prefixed = `CUSTFLOW_${service.toUpperCase()}_${name}`;
  return env.get(prefixed) ?? env.get(`CUSTFLOW_${name}`) ?? (table.has(prefixed) ? { value: table.get(prefixed), isDefault: true } : undefined);
}

function checkServiceEnv(obj, field, service, env, table, report) {
  const prefix = `CUSTFLOW_${service.toUpperCase()}_`;
  for (const [name, { value }] of env) {
    if (!name.startsWith("CUSTFLOW_")) continue;
    if (!table.has(prefix + settingOf(service, name))) {
      report(obj, `${field}.env.${name}`, `not a variable of custflow-${service} (docs/CONFIGURATION.md)`);
    } else if (value !== undefined && isLoopback(value)) {
      report(obj, `${field}.env.${name}`, `"${value}" points at the pod itself`);
    }
  }
  for (const [variable, defaultValue] of table) {
    if (!isLoopback(defaultValue)) continue;
    const name = variable.slice(prefix.length);
    if (effective(service, name, env, table).isDefault) {
      report(obj, `${field}.env.${variable}`, `not set: its default ${defaultValue} is loopback, the container would talk to itself`);
    }
  }
}

function checkGracePeriod(obj, pod, c, field, service, env, table, report) {
  const drain = effective(service, "DRAIN_TIMEOUT", env, table);
  const drainSeconds = durationSeconds(drain?.value);
  if (drainSeconds === null) {
    report(obj, `${field}.env.CUSTFLOW_DRAIN_TIMEOUT`, `cannot read the drain timeout "${drain?.value}"`);
    return;
  }
  const preStop = c.lifecycle?.preStop;
  const sleepArg = preStop?.exec?.command?.join(" ").match(/sleep (\d+)/)?.[1];
  const preStopSeconds = preStop?.sleep?.seconds ?? Number(sleepArg ?? 0);
  const grace = pod.terminationGracePeriodSeconds ?? 30;
  if (grace <= drainSeconds + preStopSeconds) {
    report(obj, "spec.template.spec.terminationGracePeriodSeconds",
      `${grace}s does not exceed the preStop sleep ${preStopSeconds}s plus the drain timeout ${drainSeconds}s`);
  }
}

// ---------------------------------------------------------------------------------------
// A compose file (rendered by `docker-compose config`): the same variable rules for every
// container whose command runs a custflow service.

const isCompose = (obj) => obj.kind === undefined && typeof obj.services === "object";

function checkComposeEnv(compose, table, report) {
  for (const [name, container] of Object.entries(compose.services ?? {})) {
    const command = typeof container.command === "string" ? container.command.split(/\s+/) : container.command ?? [];
    const service = SERVICES.find((s) => command[0] === `custflow-${s}`);
    const env = new Map(Object.entries(container.environment ?? {}).map(([k, v]) => [k, { value: v == null ? undefined : String(v) }]));
    if (service === undefined) {
      for (const variable of env.keys()) {
        if (variable.startsWith("CUSTFLOW_")) report(name, `environment.${variable}`, "set, but the container runs no custflow service");
      }
      continue;
    }
    checkServiceEnv(compose, "environment", service, env, table[service], (_obj, field, message) =>
      report(name, field.replace(/^environment\.env\./, "environment."), message));
  }
}

// ---------------------------------------------------------------------------------------

function loadInput(source) {
  if (statSync(source).isDirectory()) {
    return execFileSync("kubectl", ["kustomize", source], { encoding: "utf8", maxBuffer: 64 << 20 });
  }
  return readFileSync(source, "utf8");
}

async function main(argv) {
  let configDoc = join(here, "../../docs/CONFIGURATION.md");
  const sources = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--config-doc") configDoc = argv[++i];
    else sources.push(argv[i]);
  }
  if (sources.length === 0) {
    console.error("usage: validate.mjs [--config-doc CONFIGURATION.md] <kustomize dir | rendered.yaml>...");
    return 2;
  }
  const configTable = readConfigTable(configDoc);
  let problems = 0;
  for (const source of sources) {
    const say = (what, field, message) => {
      problems++;
      console.log(`${source}: ${what}: ${field}: ${message}`);
    };
    let text;
    try {
      text = loadInput(source);
    } catch (error) {
      say("(input)", "(render)", String(error.stderr || error.message).trim().split("\n")[0]);
      continue;
    }
    const objects = [];
    for (const doc of parseAllDocuments(text)) {
      if (doc.errors.length) {
        say("(yaml)", `line ${doc.errors[0].linePos?.[0]?.line ?? "?"}`, doc.errors[0].message.split("\n")[0]);
        continue;
      }
      const obj = doc.toJS();
      if (obj != null) objects.push(obj);
    }
    const name = (o) => `${o.kind}/${o.metadata?.namespace ? `${o.metadata.namespace}/` : ""}${o.metadata?.name}`;
    if (objects.length === 1 && isCompose(objects[0])) {
      checkComposeEnv(objects[0], configTable, (service, field, message) => say(`service ${service}`, field, message));
      continue;
    }
    for (const obj of objects) {
      for (const { field, message } of await schemaErrors(obj)) say(name(obj), field, message);
    }
    checkPolicy(objects, configTable, (obj, field, message) => say(name(obj), field, message));
    if (objects.length === 0) say("(input)", "(documents)", "no objects");
  }
  return problems ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
