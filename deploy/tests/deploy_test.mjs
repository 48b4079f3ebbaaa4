#!/usr/bin/env node
// Checks the deployment files of deploy/ without a cluster, a Docker engine or a systemd to run
// them in:
//   a. Kubernetes (deploy/kubernetes/*.yaml): every document parses (as Kubernetes reads YAML,
//      1.1), kinds and apiVersions, the kustomization lists every manifest, one namespace, the
//      service account's IRSA and workload identity annotations, the pod's workload identity
//      label, the security contexts, resources, the config mounted read-only where `--config`
//      looks, state on an emptyDir, probes on /healthz and /readyz at the port of the ConfigMap's
//      [metrics] listen, a grace period longer than a request, replicas only with [source.sqs], and
//      the ConfigMap's gd2sentinel.toml accepted by `gd2sentinel validate-config`;
//   b. systemd (deploy/systemd/): `systemd-analyze verify` of the unit says nothing about it, the
//      config is read from the credentials the unit loads, and the example config passes
//      `validate-config` (its credentials stood in by files of a temporary folder);
//   c. the container image (deploy/container/Dockerfile): a build stage and a debian:12-slim
//      runtime stage, a numeric non-root USER, the port, entry point and config path the manifests
//      use, the build packages of scripts/setup, and every shared library `ldd` lists for the
//      built binary owned (`dpkg -S`) by a package the runtime stage installs or that comes with
//      them (their Depends, from dpkg's database: this machine runs the image's Debian 12) or with
//      debian:12-slim (libc6, libstdc++6, libgcc-s1);
// then breaks in-memory copies (a probe on another port, a runtime package left out, …) and
// asserts that the checks notice, so that they cannot pass vacuously.
//
//   GD2SENTINEL_BIN=build/dev/src/gd2sentinel node deploy/tests/deploy_test.mjs
//
// Prints PASS/FAIL per check and ends with "deploy: N checks passed[, M failed]"; exits 1 on any
// failure.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { check, mustFail, finish } from './checks.mjs';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const DEPLOY = path.join(ROOT, 'deploy');
const K8S = path.join(DEPLOY, 'kubernetes');
const UNIT = path.join(DEPLOY, 'systemd', 'gd2sentinel.service');
const UNIT_CONFIG = path.join(DEPLOY, 'systemd', 'gd2sentinel.toml.example');
const DOCKERFILE = path.join(DEPLOY, 'container', 'Dockerfile');
const BIN = process.env.GD2SENTINEL_BIN ? path.resolve(process.env.GD2SENTINEL_BIN) : '';
const rel = (f) => path.relative(ROOT, f);

const clone = (x) => structuredClone(x);
const tmp = mkdtempSync(path.join(os.tmpdir(), 'gd2s-deploy-'));
process.on('exit', () => rmSync(tmp, { recursive: true, force: true }));

// ---- TOML: just enough of it for gd2sentinel's own flat configs ---------------------------------
// `[table]` headers and `key = value` lines with strings, numbers, booleans and string lists;
// validate-config is the real parser, this only reads values back.
function readToml(text) {
  const tables = {};
  let current = tables[''] = {};
  for (const raw of text.split('\n')) {
    const line = raw.replace(/^\s+|\s+$/g, '');
    if (!line || line.startsWith('#')) continue;
    const header = line.match(/^\[([A-Za-z0-9_.]+)\]\s*(#.*)?$/);
    if (header) { current = tables[header[1]] = tables[header[1]] || {}; continue; }
    const kv = line.match(/^([A-Za-z0-9_]+)\s*=\s*(.*)$/);
    if (!kv) continue;
    let value = kv[2].replace(/\s+#[^"]*$/, '');
    try { value = JSON.parse(value); } catch { /* a bare word: leave it */ }
    current[kv[1]] = value;
  }
  return tables;
}
const durationSeconds = (text) => {
  let total = 0;
  for (const [, n, unit] of String(text).matchAll(/(\d+)(ms|s|m|h|d)/g))
    total += Number(n) * { ms: 0.001, s: 1, m: 60, h: 3600, d: 86400 }[unit];
  return total;
};
const listenPort = (toml) => {
  const listen = toml.metrics?.listen || '';
  const m = listen.match(/:(\d+)$/);
  return m ? Number(m[1]) : null;
};

// ---- validate-config ------------------------------------------------------------------------------
// Runs `gd2sentinel validate-config` on `text`. Secrets "env:NAME" get a stand-in value in the
// child's environment; "file:PATH" references are mapped through `fileMap` (a function) to files
// with a stand-in value.
function validateConfig(text, name, fileMap = (p) => p) {
  if (!BIN) return ['GD2SENTINEL_BIN is not set (the built gd2sentinel binary)'];
  const env = { PATH: process.env.PATH, HOME: tmp };
  let rewritten = text;
  for (const [, ref] of text.matchAll(/"env:([A-Za-z_][A-Za-z0-9_]*)"/g)) env[ref] = 'stand-in-secret';
  for (const [, ref] of text.matchAll(/"file:([^"]+)"/g)) {
    const target = fileMap(ref);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, 'stand-in-secret\n', { mode: 0o600 });
    rewritten = rewritten.split(`"file:${ref}"`).join(`"file:${target}"`);
  }
  const file = path.join(tmp, name);
  writeFileSync(file, rewritten, { mode: 0o600 });
  // The files are bound for a pod or a unit's StateDirectory, not this host: check the file only.
  const run = spawnSync(BIN, ['validate-config', '--no-host-checks', '--config', file],
    { env, encoding: 'utf8' });
  if (run.status === 0) return [];
  return [`validate-config exited ${run.status ?? run.signal}: ${(run.stderr || run.stdout || '').trim()}`];
}

// ---- Kubernetes -------------------------------------------------------------------------------------
const EXPECTED_KINDS = {
  Namespace: 'v1', ServiceAccount: 'v1', ConfigMap: 'v1', Deployment: 'apps/v1',
  Kustomization: 'kustomize.config.k8s.io/v1beta1',
};

function loadManifests() {
  const files = readdirSync(K8S).filter((f) => /\.ya?ml$/.test(f)).sort();
  const objects = [];
  const errors = [];
  for (const file of files) {
    // Kubernetes reads YAML 1.1 (0440 is octal there).
    const docs = YAML.parseAllDocuments(readFileSync(path.join(K8S, file), 'utf8'), { version: '1.1', uniqueKeys: true });
    for (const doc of docs) {
      for (const e of [...doc.errors, ...doc.warnings]) errors.push(`${file}: ${e.message.split('\n')[0]}`);
      const value = doc.toJS();
      if (value !== null && value !== undefined) objects.push({ file, value });
    }
  }
  return { files, objects, errors };
}

function kindErrors(objects) {
  const errors = [];
  const seen = {};
  for (const { file, value } of objects) {
    const want = EXPECTED_KINDS[value.kind];
    if (!want) errors.push(`${file}: unexpected kind ${value.kind}`);
    else if (value.apiVersion !== want) errors.push(`${file}: ${value.kind} has apiVersion ${value.apiVersion}, not ${want}`);
    seen[value.kind] = (seen[value.kind] || 0) + 1;
  }
  for (const kind of Object.keys(EXPECTED_KINDS))
    if (seen[kind] !== 1) errors.push(`expected one ${kind}, found ${seen[kind] || 0}`);
  return errors;
}

const byKind = (objects, kind) => objects.find((o) => o.value.kind === kind)?.value;

function kustomizationErrors(files, objects) {
  const k = byKind(objects, 'Kustomization');
  if (!k) return ['no kustomization.yaml'];
  const errors = [];
  const listed = new Set(k.resources || []);
  for (const file of files.filter((f) => f !== 'kustomization.yaml'))
    if (!listed.has(file)) errors.push(`kustomization.yaml does not list ${file}`);
  for (const r of listed) if (!files.includes(r)) errors.push(`kustomization.yaml lists ${r}, which does not exist`);
  const ns = byKind(objects, 'Namespace')?.metadata?.name;
  if (k.namespace !== ns) errors.push(`kustomization namespace ${k.namespace} is not the Namespace ${ns}`);
  for (const { file, value } of objects)
    if (value.kind !== 'Namespace' && value.kind !== 'Kustomization' && value.metadata?.namespace !== ns)
      errors.push(`${file}: ${value.kind} is in namespace ${value.metadata?.namespace}, not ${ns}`);
  return errors;
}

function serviceAccountErrors(objects) {
  const sa = byKind(objects, 'ServiceAccount');
  const a = sa?.metadata?.annotations || {};
  const errors = [];
  if (!/^arn:aws[a-z-]*:iam::\d{12}:role\/\S+$/.test(a['eks.amazonaws.com/role-arn'] || ''))
    errors.push(`eks.amazonaws.com/role-arn is not a role ARN: ${a['eks.amazonaws.com/role-arn']}`);
  if (typeof a['azure.workload.identity/client-id'] !== 'string' || !a['azure.workload.identity/client-id'])
    errors.push('azure.workload.identity/client-id is missing');
  return errors;
}

const podOf = (deployment) => deployment?.spec?.template?.spec || {};
const containerOf = (deployment) => podOf(deployment).containers?.[0] || {};

function workloadIdentityErrors(objects) {
  const d = byKind(objects, 'Deployment');
  const sa = byKind(objects, 'ServiceAccount');
  const errors = [];
  const labels = d?.spec?.template?.metadata?.labels || {};
  if (labels['azure.workload.identity/use'] !== 'true')
    errors.push(`pod label azure.workload.identity/use is ${JSON.stringify(labels['azure.workload.identity/use'])}, not the string "true"`);
  if (podOf(d).serviceAccountName !== sa?.metadata?.name)
    errors.push(`serviceAccountName ${podOf(d).serviceAccountName} is not the ServiceAccount ${sa?.metadata?.name}`);
  for (const [key, value] of Object.entries(d?.spec?.selector?.matchLabels || {}))
    if (labels[key] !== value) errors.push(`selector ${key}=${value} does not match the pod's labels`);
  if ((podOf(d).containers || []).length !== 1) errors.push('expected exactly one container');
  return errors;
}

function securityContextErrors(objects) {
  const d = byKind(objects, 'Deployment');
  const pod = podOf(d).securityContext || {};
  const c = containerOf(d).securityContext || {};
  const errors = [];
  if ((c.runAsNonRoot ?? pod.runAsNonRoot) !== true) errors.push('runAsNonRoot is not true');
  const uid = c.runAsUser ?? pod.runAsUser;
  if (!(Number.isInteger(uid) && uid > 0)) errors.push(`runAsUser ${uid} is not a non-root uid`);
  if (c.allowPrivilegeEscalation !== false) errors.push('allowPrivilegeEscalation is not false');
  if (c.readOnlyRootFilesystem !== true) errors.push('readOnlyRootFilesystem is not true');
  if (c.privileged === true) errors.push('privileged is true');
  if (!(c.capabilities?.drop || []).includes('ALL')) errors.push('capabilities do not drop ALL');
  if ((c.capabilities?.add || []).length) errors.push(`capabilities add ${c.capabilities.add}`);
  if ((c.seccompProfile?.type ?? pod.seccompProfile?.type) !== 'RuntimeDefault') errors.push('seccompProfile is not RuntimeDefault');
  return errors;
}

// The port a probe or named port means.
function probePort(container, port) {
  if (typeof port === 'number') return port;
  return (container.ports || []).find((p) => p.name === port)?.containerPort ?? null;
}

function probeErrors(objects, toml) {
  const c = containerOf(byKind(objects, 'Deployment'));
  const port = listenPort(toml);
  const errors = [];
  if (!port) return [`the ConfigMap's [metrics] listen (${toml.metrics?.listen}) names no port`];
  if (!/^0\.0\.0\.0:|^\[::\]:/.test(toml.metrics.listen)) errors.push(`[metrics] listen ${toml.metrics.listen} is not reachable by the kubelet (use 0.0.0.0)`);
  for (const [probe, wanted] of [['livenessProbe', '/healthz'], ['readinessProbe', '/readyz']]) {
    const get = c[probe]?.httpGet;
    if (!get) { errors.push(`${probe} is not an httpGet probe`); continue; }
    if (get.path !== wanted) errors.push(`${probe} asks ${get.path}, not ${wanted}`);
    if (probePort(c, get.port) !== port) errors.push(`${probe} asks port ${get.port}, not the [metrics] listen port ${port}`);
  }
  if (!(c.ports || []).some((p) => p.containerPort === port)) errors.push(`no containerPort ${port}`);
  return errors;
}

function mountErrors(objects, toml) {
  const d = byKind(objects, 'Deployment');
  const cm = byKind(objects, 'ConfigMap');
  const c = containerOf(d);
  const volumes = Object.fromEntries((podOf(d).volumes || []).map((v) => [v.name, v]));
  const errors = [];
  const args = c.args || [];
  const configPath = args[args.indexOf('--config') + 1];
  if (args[0] !== 'run' || !configPath) errors.push(`args ${JSON.stringify(args)} are not run --config FILE`);
  const configMount = (c.volumeMounts || []).find((m) => configPath?.startsWith(`${m.mountPath}/`));
  const configVolume = configMount && volumes[configMount.name];
  if (!configVolume?.configMap) errors.push(`--config ${configPath} is not in a ConfigMap volume`);
  else {
    if (configVolume.configMap.name !== cm?.metadata?.name) errors.push(`the config volume uses ConfigMap ${configVolume.configMap.name}, not ${cm?.metadata?.name}`);
    if (!(path.basename(configPath) in (cm?.data || {}))) errors.push(`ConfigMap has no key ${path.basename(configPath)}`);
    if (configMount.readOnly !== true) errors.push('the config is not mounted readOnly');
    const mode = configVolume.configMap.defaultMode ?? 0o644;
    if (mode & 0o027) errors.push(`the config volume's defaultMode ${mode.toString(8)} lets others read or the group write`);
  }
  for (const [key, file] of [['state', toml.state?.path], ['dead_letter', toml.dead_letter?.path]]) {
    const mount = (c.volumeMounts || []).find((m) => file?.startsWith(`${m.mountPath}/`));
    if (!mount || !volumes[mount.name]?.emptyDir || mount.readOnly) errors.push(`[${key}] path ${file} is not on a writable emptyDir`);
  }
  for (const v of Object.values(volumes))
    if (v.secret && ((v.secret.defaultMode ?? 0o644) & 0o037)) errors.push(`secret volume ${v.name} has defaultMode ${(v.secret.defaultMode ?? 0o644).toString(8)}`);
  return errors;
}

function podSettingsErrors(objects, toml) {
  const d = byKind(objects, 'Deployment');
  const c = containerOf(d);
  const errors = [];
  const grace = podOf(d).terminationGracePeriodSeconds ?? 30;
  const timeout = durationSeconds(toml.http?.timeout ?? '60s');
  if (grace <= timeout) errors.push(`terminationGracePeriodSeconds ${grace} does not outlast a request's [http] timeout (${timeout} s)`);
  if (!c.resources?.requests?.memory || !c.resources?.limits?.memory) errors.push('memory requests and limits are not both set');
  if ((d?.spec?.replicas ?? 1) > 1 && !toml['source.sqs'])
    errors.push(`replicas ${d.spec.replicas} without [source.sqs]: only SQS mode may run several replicas`);
  return errors;
}

// ---- systemd ----------------------------------------------------------------------------------------
function unitDirectives(text) {
  const out = [];
  for (const line of text.split('\n')) {
    const m = line.match(/^([A-Za-z]+)=(.*)$/);
    if (m) out.push([m[1], m[2]]);
  }
  return out;
}

function systemdVerifyErrors(unitText) {
  const analyze = ['/usr/bin/systemd-analyze', '/bin/systemd-analyze'].find(existsSync);
  if (!analyze) return ['systemd-analyze is not installed (Debian: apt-get install systemd); it is needed to verify the unit'];
  if (!BIN) return ['GD2SENTINEL_BIN is not set: systemd-analyze verify needs an ExecStart binary that exists'];
  const dir = mkdtempSync(path.join(tmp, 'unit-'));
  const unit = path.join(dir, 'gd2sentinel.service');
  writeFileSync(unit, unitText.split('/usr/local/bin/gd2sentinel').join(BIN));
  const run = spawnSync(analyze, ['verify', unit], { cwd: dir, encoding: 'utf8' });
  const lines = `${run.stdout}\n${run.stderr}`.split('\n').filter((l) => l.includes('gd2sentinel.service'));
  const errors = lines.map((l) => `systemd-analyze: ${l}`);
  if (run.status !== 0 && errors.length === 0) errors.push(`systemd-analyze verify exited ${run.status}: ${run.stderr.trim()}`);
  return errors;
}

const CREDENTIALS = '/run/credentials/gd2sentinel.service/';

function unitLayoutErrors(unitText, configText) {
  const errors = [];
  const directives = unitDirectives(unitText);
  const get = (key) => directives.filter(([k]) => k === key).map(([, v]) => v);
  const credentials = new Map(get('LoadCredential').map((v) => v.split(':')).map(([id, ...p]) => [id, p.join(':')]));
  const exec = get('ExecStart')[0] || '';
  const config = exec.match(/--config\s+(\S+)/)?.[1] || '';
  const configId = config.replace(/^\$\{CREDENTIALS_DIRECTORY\}\/|^%d\/|^\/run\/credentials\/gd2sentinel\.service\//, '');
  if (!exec.startsWith('/usr/local/bin/gd2sentinel run ')) errors.push(`ExecStart ${exec} is not /usr/local/bin/gd2sentinel run …`);
  if (configId === config || !credentials.has(configId)) errors.push(`--config ${config} is not a credential the unit loads`);
  for (const [, ref] of configText.matchAll(/^[^#\n]*"file:([^"]+)"/gm)) {
    if (!ref.startsWith(CREDENTIALS)) errors.push(`the example config reads ${ref}, which the service cannot (not under ${CREDENTIALS})`);
    else if (!credentials.has(ref.slice(CREDENTIALS.length))) errors.push(`the example config reads ${ref}, but the unit loads no credential ${ref.slice(CREDENTIALS.length)}`);
  }
  const toml = readToml(configText);
  const stateDir = `/var/lib/${get('StateDirectory')[0]}/`;
  for (const key of ['state', 'dead_letter'])
    if (!toml[key]?.path?.startsWith(stateDir)) errors.push(`[${key}] path ${toml[key]?.path} is not in the StateDirectory ${stateDir}`);
  for (const [key, want] of [['DynamicUser', 'yes'], ['Restart', 'on-failure'], ['UMask', '0077'], ['NoNewPrivileges', 'yes'], ['ProtectSystem', 'strict'], ['CapabilityBoundingSet', '']])
    if (get(key).at(-1) !== want) errors.push(`${key}=${get(key).at(-1)}, expected ${key}=${want}`);
  if (get('IPAddressDeny').length) errors.push('IPAddressDeny= would block IMDS (169.254.169.254); docs/deploy.md explains IPAddressAllow= instead');
  const stop = durationSeconds(get('TimeoutStopSec')[0] || '90s');
  if (stop <= durationSeconds(toml.http?.timeout ?? '60s')) errors.push(`TimeoutStopSec ${get('TimeoutStopSec')[0]} does not outlast a request's [http] timeout`);
  if (!/^127\.0\.0\.1:|^\[::1\]:/.test(toml.metrics?.listen || '')) errors.push(`[metrics] listen ${toml.metrics?.listen} is not on the loopback`);
  return errors;
}

// ---- Dockerfile -------------------------------------------------------------------------------------
// Instructions with their stage: continuation lines joined, comments dropped.
function dockerStages(text) {
  const joined = text.split('\n').filter((l) => !/^\s*#/.test(l)).join('\n').replace(/\\\n/g, ' ');
  const stages = [];
  for (const line of joined.split('\n')) {
    const m = line.trim().match(/^([A-Za-z]+)\s+(.*)$/);
    if (!m) continue;
    const [instruction, args] = [m[1].toUpperCase(), m[2].trim()];
    if (instruction === 'FROM') stages.push({ from: args.split(/\s+/)[0], instructions: [] });
    else if (stages.length) stages.at(-1).instructions.push([instruction, args]);
  }
  return stages;
}

function aptPackages(stage) {
  const packages = [];
  for (const [instruction, args] of stage.instructions) {
    if (instruction !== 'RUN') continue;
    for (const m of args.matchAll(/apt-get\s+install\s+([^;&|]*)/g))
      packages.push(...m[1].split(/\s+/).filter((w) => w && !w.startsWith('-')));
  }
  return packages;
}

const BASE_PACKAGES = ['libc6', 'libstdc++6', 'libgcc-s1']; // in debian:12-slim
// The sanitizer runtimes of the dev preset's binary; the image's release build links none.
const SANITIZER_PACKAGE = /^lib(a|ub|l|t|hwa)san\d*$/;
// What scripts/setup installs for the tests, the demo, the benchmarks and the Debian package only
// (clang and its sanitizer and libFuzzer runtimes build the dev, tsan and fuzz presets; the image
// is g++'s; the image's build runs no cpack; prometheus brings promtool for deploy.monitoring;
// clang-tidy runs the lint test).
const TEST_ONLY_PACKAGES = new Set(['libgtest-dev', 'libgmock-dev', 'libbenchmark-dev', 'clang',
  'libclang-rt-14-dev', 'clang-tidy', 'openssl', 'jq', 'gzip', 'ca-certificates', 'nodejs', 'npm', 'prometheus',
  'dpkg-dev', 'lintian', 'help2man', 'man-db', 'systemd']);

// Every installed package with its Depends and Pre-Depends, from dpkg's database (read once).
let installedPackages = null;
function installed() {
  if (installedPackages) return installedPackages;
  installedPackages = new Map();
  const out = execFileSync('dpkg-query', ['-W', '-f=${Package}\t${Depends}, ${Pre-Depends}\n'], { encoding: 'utf8' });
  for (const line of out.split('\n')) {
    const [name, deps = ''] = line.split('\t');
    if (!name) continue;
    // The first of each set of alternatives, as apt picks it; version and architecture dropped.
    const firsts = deps.split(',').map((g) => g.split('|')[0].trim().split(/\s+/)[0].replace(/:.*$/, '')).filter(Boolean);
    installedPackages.set(name, [...(installedPackages.get(name) || []), ...firsts]);
  }
  return installedPackages;
}

// The packages apt installs for `names`: them and, recursively, their dependencies, as dpkg's
// database of this Debian 12 machine records them.
function dependencyClosure(names) {
  const seen = new Set();
  const queue = [...names];
  while (queue.length) {
    const name = queue.pop().replace(/:.*$/, '');
    if (seen.has(name)) continue;
    seen.add(name);
    queue.push(...(installed().get(name) || []));
  }
  return seen;
}

// Library path → Debian package, for every library `ldd` lists (one dpkg -S for all of them).
let linkedCache = null;
function linkedLibraries(binary) {
  if (linkedCache) return linkedCache;
  const libs = [];
  for (const line of execFileSync('ldd', [binary], { encoding: 'utf8' }).split('\n')) {
    const m = line.match(/=>\s+(\/\S+)/) || line.match(/^\s*(\/\S+)\s+\(/);
    if (m) libs.push({ lib: m[1], real: execFileSync('readlink', ['-f', m[1]], { encoding: 'utf8' }).trim() });
  }
  const owners = new Map();
  const run = spawnSync('dpkg', ['-S', ...new Set(libs.flatMap(({ lib, real }) => [lib, real]))], { encoding: 'utf8' });
  for (const line of run.stdout.split('\n')) {
    const m = line.match(/^([^\s:,]+)(?::[a-z0-9]+)?(?:, [^:]+)*: (\/.*)$/);
    if (m && !line.startsWith('diversion')) owners.set(m[2], m[1]);
  }
  linkedCache = libs.map(({ lib, real }) => ({ lib, owner: owners.get(lib) || owners.get(real) || null }));
  return linkedCache;
}

function knownPackage(name) {
  if (installed().has(name)) return true;
  return spawnSync('apt-cache', ['show', name], { encoding: 'utf8' }).status === 0;
}

function dockerfileErrors(text, { port, configPath }) {
  const stages = dockerStages(text);
  const errors = [];
  if (stages.length < 2) return [`${stages.length} FROM stage(s); expected a build and a runtime stage`];
  const [build, runtime] = [stages[0], stages.at(-1)];
  if (!/^debian:(12|bookworm)$/.test(build.from)) errors.push(`the build stage is FROM ${build.from}, not debian:12`);
  if (!/^debian:(12|bookworm)-slim$/.test(runtime.from)) errors.push(`the runtime stage is FROM ${runtime.from}, not debian:12-slim`);
  const all = (stage, name) => stage.instructions.filter(([i]) => i === name).map(([, a]) => a);
  const user = all(runtime, 'USER').at(-1);
  const uid = user?.split(':')[0];
  if (!user || !/^\d+(:\d+)?$/.test(user) || Number(uid) === 0) errors.push(`the runtime stage's USER is ${user}, not a numeric non-root uid`);
  if (!all(runtime, 'EXPOSE').join(' ').split(/\s+/).includes(String(port))) errors.push(`the runtime stage does not EXPOSE ${port}`);
  const json = (s) => { try { return JSON.parse(s); } catch { return null; } };
  const entry = json(all(runtime, 'ENTRYPOINT').at(-1));
  const cmd = json(all(runtime, 'CMD').at(-1));
  if (JSON.stringify(entry) !== '["/usr/local/bin/gd2sentinel"]') errors.push(`ENTRYPOINT ${JSON.stringify(entry)} is not ["/usr/local/bin/gd2sentinel"]`);
  if (!Array.isArray(cmd) || cmd[0] !== 'run' || cmd[cmd.indexOf('--config') + 1] !== configPath)
    errors.push(`CMD ${JSON.stringify(cmd)} is not run --config ${configPath} (where the Deployment mounts it)`);
  const runs = all(build, 'RUN').join(' ');
  if (!/cmake --preset release/.test(runs) || !/--target gd2sentinel/.test(runs)) errors.push('the build stage does not build the gd2sentinel target with the release preset');
  if (!/\bstrip\b/.test(runs)) errors.push('the build stage does not strip the binary');
  if (!all(runtime, 'COPY').some((a) => a.includes('--from='))) errors.push('the runtime stage copies nothing from the build stage');

  // Build packages: every one scripts/setup names for the build.
  const setup = readFileSync(path.join(ROOT, 'scripts', 'setup'), 'utf8').match(/packages=\(([\s\S]*?)\)/)?.[1] || '';
  const buildPackages = new Set(aptPackages(build));
  for (const p of setup.split(/\s+/).filter((w) => w && !TEST_ONLY_PACKAGES.has(w)))
    if (!buildPackages.has(p)) errors.push(`the build stage does not install ${p} (scripts/setup does)`);

  // Runtime packages: real names, no compilers or headers, and every linked library covered.
  const runtimePackages = aptPackages(runtime);
  if (!runtimePackages.includes('ca-certificates')) errors.push('the runtime stage does not install ca-certificates');
  for (const p of runtimePackages) {
    if (/-dev$|^g\+\+$|^gcc$|^cmake$/.test(p)) errors.push(`the runtime stage installs the build tool ${p}`);
    else if (!knownPackage(p)) errors.push(`the runtime stage installs ${p}, which Debian 12 does not know`);
  }
  if (!BIN) return [...errors, 'GD2SENTINEL_BIN is not set: cannot list the libraries the binary links'];
  const installed = dependencyClosure([...runtimePackages, ...BASE_PACKAGES]);
  for (const { lib, owner } of linkedLibraries(BIN)) {
    if (!owner) errors.push(`${lib} belongs to no Debian package (dpkg -S)`);
    else if (SANITIZER_PACKAGE.test(owner)) continue;
    else if (!installed.has(owner)) errors.push(`${lib} is in ${owner}, which the runtime stage does not install`);
  }
  return errors;
}

function dockerignoreErrors() {
  const file = path.join(ROOT, '.dockerignore');
  if (!existsSync(file)) return ['.dockerignore is missing'];
  const lines = readFileSync(file, 'utf8').split('\n').map((l) => l.trim().replace(/^\/|\/$/g, ''));
  return ['.git', 'build', 'node_modules'].filter((p) => !lines.includes(p)).map((p) => `.dockerignore does not exclude ${p}`);
}

// ---- run --------------------------------------------------------------------------------------------
const { files, objects, errors: yamlErrors } = loadManifests();
check(`${rel(K8S)}: ${files.length} files parse as YAML`, yamlErrors);
check('kinds and apiVersions', kindErrors(objects));
const cm = byKind(objects, 'ConfigMap');
const configText = cm?.data?.['gd2sentinel.toml'] || '';
const toml = readToml(configText);
check('kustomization lists every manifest; one namespace', kustomizationErrors(files, objects));
check('service account: IRSA and workload identity annotations', serviceAccountErrors(objects));
check('deployment: service account, workload identity label, selector', workloadIdentityErrors(objects));
check('deployment: security context', securityContextErrors(objects));
check('deployment: probes /healthz and /readyz on the [metrics] listen port', probeErrors(objects, toml));
check('deployment: config mounted read-only, state on an emptyDir', mountErrors(objects, toml));
check('deployment: grace period, resources, replicas only with SQS', podSettingsErrors(objects, toml));
check('configmap: gd2sentinel validate-config accepts gd2sentinel.toml', validateConfig(configText, 'configmap.toml'));

const unitText = readFileSync(UNIT, 'utf8');
const unitConfigText = readFileSync(UNIT_CONFIG, 'utf8');
check(`${rel(UNIT)}: systemd-analyze verify says nothing about it`, systemdVerifyErrors(unitText));
check('systemd: config and secrets from the credentials the unit loads, state in its StateDirectory', unitLayoutErrors(unitText, unitConfigText));
check(`${rel(UNIT_CONFIG)}: validate-config accepts it`, validateConfig(unitConfigText, 'systemd.toml',
  (p) => (p.startsWith(CREDENTIALS) ? path.join(tmp, 'credentials', p.slice(CREDENTIALS.length)) : path.join(tmp, 'files', p))));

const dockerText = readFileSync(DOCKERFILE, 'utf8');
const configPath = (() => { const a = containerOf(byKind(objects, 'Deployment')).args || []; return a[a.indexOf('--config') + 1]; })();
const dockerContext = { port: listenPort(toml), configPath };
check(`${rel(DOCKERFILE)}: stages, user, port, entry point; every linked library installed`, dockerfileErrors(dockerText, dockerContext));
check('.dockerignore leaves out .git, build and node_modules', dockerignoreErrors());

// ---- the checks notice broken copies ------------------------------------------------------------------
const broken = (mutate) => { const copy = clone(objects); mutate(copy); return copy; };
const deploymentIn = (objs) => objs.find((o) => o.value.kind === 'Deployment').value;
mustFail('a liveness probe on another port', probeErrors(broken((o) => { containerOf(deploymentIn(o)).livenessProbe.httpGet.port = 8080; }), toml));
mustFail('a readiness probe on /healthz', probeErrors(broken((o) => { containerOf(deploymentIn(o)).readinessProbe.httpGet.path = '/healthz'; }), toml));
mustFail('a [metrics] listen on another port', probeErrors(objects, readToml(configText.replace(':9464"', ':9465"'))));
mustFail('a workload identity label true (boolean)', workloadIdentityErrors(broken((o) => { deploymentIn(o).spec.template.metadata.labels['azure.workload.identity/use'] = true; })));
mustFail('allowPrivilegeEscalation left out', securityContextErrors(broken((o) => { delete containerOf(deploymentIn(o)).securityContext.allowPrivilegeEscalation; })));
mustFail('a writable config mount', mountErrors(broken((o) => { containerOf(deploymentIn(o)).volumeMounts[0].readOnly = false; }), toml));
mustFail('three replicas of an S3 listing', podSettingsErrors(broken((o) => { deploymentIn(o).spec.replicas = 3; }), { ...toml, 'source.sqs': undefined }));
mustFail('an unknown key in the ConfigMap', validateConfig(configText.replace('[metrics]', '[metrics]\nlisten_port = 9464'), 'broken.toml'));
mustFail('a misspelt unit directive', systemdVerifyErrors(unitText.replace('ProtectClock=yes', 'ProtectClocks=yes')));
mustFail('a secret the unit does not load', unitLayoutErrors(unitText.replace(/^LoadCredential=azure-client-secret:.*$/m, ''), unitConfigText));
const runtimeLine = dockerText.split('\n').find((l) => /(^|\s)libcurl4(\s|$)/.test(l) && !/^\s*#/.test(l)) || '';
mustFail('a runtime stage without libcurl4', dockerfileErrors(dockerText.replace(runtimeLine, runtimeLine.replace(/(^|\s)libcurl4(?=\s|$)/, '')), dockerContext));
mustFail('a runtime stage running as root', dockerfileErrors(dockerText.replace(/^USER .*$/m, 'USER 0'), dockerContext));

finish('deploy');
