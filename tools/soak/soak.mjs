// Crash-and-fault soak (docs/reliability.md): the S3 listing and SQS paths of gd2sentinel run for
// a chosen time against the local stand-ins — AWS: fauxqs behind the SigV4-checking proxy, with
// S3 and SQS faults injected now and then; Azure: the workspace emulator answering 429 with
// Retry-After, 500, connection resets and slow answers at random — while findings are produced
// all the time, bad inputs are planted, and every gd2sentinel is killed with SIGKILL at random
// and started again. Then production stops, the last processes drain and stop on SIGTERM, and
// the checks run: every finding version arrived, the dead letters hold exactly the planted bad
// inputs, RSS and open fds stayed flat, no crash and no sanitizer report. Exit 1 on any failure.
//
//   node tools/soak/soak.mjs [--minutes M] [--build DIR] [--seed N] [--work DIR] [--keep]
//
// scripts/soak is the entry point; it expects the binaries in DIR (default build/release).

import { spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { EMULATOR_CLIENT_SECRET, emulatorSinkToml } from "../workspace-emulator/sink-config.mjs";

import { startStandin, DEFAULT_CREDENTIALS } from "../aws-standin/standin.mjs";
import { checkArrivals, checkDeadLetters, checkProcesses, checkQueueDeadLetters, checkResources } from "./checks.mjs";
import { ACCOUNTS, Producer, S3_PLANTS, SQS_PLANTS, loadTemplates } from "./producer.mjs";
import { printSummary } from "./summary.mjs";
import { Shipper } from "./shipper.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const { values: opts } = parseArgs({ options: {
  minutes: { type: "string", default: "2" }, build: { type: "string", default: "build/release" },
  seed: { type: "string", default: String(Date.now() % 1e9) }, work: { type: "string" },
  keep: { type: "boolean", default: false },
} });
const minutes = Number(opts.minutes);
const build = path.resolve(root, opts.build);
const seed = Number(opts.seed);
const keep = opts.keep;
const work = opts.work ? path.resolve(opts.work) : fs.mkdtempSync(path.join(os.tmpdir(), "gd2s-soak-"));
fs.mkdirSync(work, { recursive: true });
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// A small seeded generator (mulberry32): the same --seed plants and kills on the same schedule.
function seeded(a) {
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = seeded(seed);

const binary = path.join(build, "src/gd2sentinel");
const emulatorBinary = path.join(build, "tools/workspace-emulator/workspace-emulator");
for (const b of [binary, emulatorBinary])
  if (!fs.existsSync(b)) { console.error(`soak: ${b} is missing; build it first (the soak builds nothing)`); process.exit(2); }
const cache = fs.existsSync(path.join(build, "CMakeCache.txt")) ? fs.readFileSync(path.join(build, "CMakeCache.txt"), "utf8") : "";
const sanitized = /^GD2S_SANITIZE:BOOL=(ON|TRUE|1)$/m.test(cache);

// The emulator's faults on the Logs Ingestion API (and some on the token endpoint).
const EMULATOR_FAULTS = [
  { endpoint: "logs_ingestion", status: 429, retry_after: 1, rate: 0.10 },
  { endpoint: "logs_ingestion", status: 500, rate: 0.02 },
  { endpoint: "logs_ingestion", kind: "reset", rate: 0.01 },
  { endpoint: "logs_ingestion", kind: "slow", delay_ms: 1500, rate: 0.05 },
  { endpoint: "token", status: 503, rate: 0.05 },
];
// One of these is injected on the AWS side every 2–6 s, once each.
const AWS_FAULTS = [
  { kind: "GetObject cut mid-body", rule: { operation: "^GetObject$", action: "close-mid-body", afterBytes: 100 } },
  { kind: "GetObject 2 s late", rule: { operation: "^GetObject$", action: "delay", delayMs: 2000 } },
  { kind: "ListObjectsV2 503", rule: { operation: "^ListObjectsV2$", action: "status", status: 503 } },
  { kind: "ReceiveMessage 500", rule: { operation: "^ReceiveMessage$", action: "status", status: 500 } },
  { kind: "DeleteMessageBatch Failed[]", rule: { operation: "^DeleteMessageBatch$", action: "fail-entries" } },
  { kind: "ChangeMessageVisibilityBatch 503", rule: { operation: "^ChangeMessageVisibilityBatch$", action: "status", status: 503 } },
];
const QUEUE_VISIBILITY_S = 6;
const MAX_RECEIVE = 10;
const LIMITS = sanitized
  // ASan keeps freed memory in quarantine (capped by quarantine_size_mb below) and its allocator
  // caches per thread, so a sanitized process settles higher and later.
  ? { warmupMs: 15000, minLifeMs: 40000, slackMiB: 48, slackFraction: 0.25, fdSlack: 6, freshAgeMs: 5000 }
  : { warmupMs: 10000, minLifeMs: 30000, slackMiB: 8, slackFraction: 0.10, fdSlack: 4, freshAgeMs: 5000 };

async function freePort() {
  const server = net.createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// --- The stand-ins ---
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const standin = await startStandin({ log: false });
const bucket = "guardduty-soak";
standin.fauxqs.createBucket(bucket);
const { queueArn: dlqArn } = standin.fauxqs.createQueue("soak-dlq");
const { queueUrl } = standin.fauxqs.createQueue("soak", {
  attributes: { VisibilityTimeout: String(QUEUE_VISIBILITY_S), RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: MAX_RECEIVE }) },
});

const emulatorLog = fs.openSync(path.join(work, "emulator.log"), "w");
const emulator = spawn(emulatorBinary, [
  "--config", path.join(root, "tools/workspace-emulator/config/guardduty-native.json"),
  "--ca-out", path.join(work, "ca.pem"), "--exit-with-stdin",
], { stdio: ["pipe", "pipe", emulatorLog] });
const ready = JSON.parse(await new Promise((resolve, reject) => {
  readline.createInterface({ input: emulator.stdout }).once("line", resolve);
  emulator.once("exit", (code) => reject(new Error(`workspace-emulator exited (${code}); see ${work}/emulator.log`)));
}));
const admin = ready.http_url;
const adminJson = async (p, init) => {
  const response = await fetch(admin + p, init);
  if (!response.ok) throw new Error(`${p}: HTTP ${response.status} ${await response.text()}`);
  return response.json();
};
await adminJson("/_emulator/faults", { method: "POST", body: JSON.stringify(EMULATOR_FAULTS), headers: { "Content-Type": "application/json" } });

// --- The two gd2sentinel configs ---
function config(name, source, metricsPort) {
  const file = path.join(work, `${name}.toml`);
  fs.writeFileSync(file, `${source}
[aws]
s3_path_style = true
[transform]
schema = "native"
${emulatorSinkToml({ ready, caFile: path.join(work, "ca.pem"), secretEnv: "SOAK_AZURE_CLIENT_SECRET" })}[dead_letter]
path = "${path.join(work, `${name}-dead-letters.jsonl`)}"
[state]
path = "${path.join(work, `${name}-state.db`)}"
[metrics]
listen = "127.0.0.1:${metricsPort}"
[log]
level = "warn"
progress_interval = "0s"
`, { mode: 0o600 });
  return file;
}
const credentials = DEFAULT_CREDENTIALS[0];
const env = {
  ...process.env,
  AWS_ENDPOINT_URL_S3: standin.endpoint, AWS_ENDPOINT_URL_SQS: standin.endpoint,
  AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
  AWS_EC2_METADATA_DISABLED: "true", SOAK_AZURE_CLIENT_SECRET: EMULATOR_CLIENT_SECRET,
  // A small quarantine keeps ASan's own memory bounded; reports go to stderr (the life's log).
  // Options already set (the dev test preset's) come after these defaults and win.
  ASAN_OPTIONS: ["quarantine_size_mb=16:malloc_context_size=10:detect_leaks=1", process.env.ASAN_OPTIONS]
    .filter(Boolean).join(":"),
  UBSAN_OPTIONS: process.env.UBSAN_OPTIONS ?? "print_stacktrace=1",
};
const durationMs = minutes * 60000;
const lifeOptions = {
  binary, env, work, random, killMinMs: 5000, killMaxMs: 20000, longLifeEvery: 4,
  longLifeMs: [Math.min(90000, Math.max(45000, durationMs / 3)), Math.min(120000, Math.max(60000, durationMs / 2))],
};
const s3Port = await freePort(), sqsPort = await freePort();
const shippers = [
  new Shipper({ ...lifeOptions, name: "s3", metricsPort: s3Port, config: config("s3", `[source.s3_listing]
bucket = "${bucket}"
region = "${standin.region}"
interval = "2s"
accounts = ["${ACCOUNTS.s3}"]
max_concurrent_objects = 4`, s3Port) }),
  new Shipper({ ...lifeOptions, name: "sqs", metricsPort: sqsPort, config: config("sqs", `[source.sqs]
queue_url = "${queueUrl}"
region = "${standin.region}"
receivers = 2
max_receive_count = ${MAX_RECEIVE}`, sqsPort) }),
];

const producer = new Producer({ standin, bucket, queueUrl, templates: loadTemplates(root), random });
const awsFaults = new Map();  // kind -> injected
const awsRules = [];          // {id, kind}
function injectAwsFault() {
  for (const rule of standin.faults()) {
    const mine = awsRules.findIndex((r) => r.id === rule.id);
    if (mine >= 0 && rule.remaining === 0) {
      awsFaults.set(awsRules[mine].kind, (awsFaults.get(awsRules[mine].kind) ?? 0) + rule.applied);
      standin.removeFault(rule.id);
      awsRules.splice(mine, 1);
    }
  }
  const { kind, rule } = AWS_FAULTS[Math.floor(random() * AWS_FAULTS.length)];
  awsRules.push({ id: standin.addFault({ ...rule, times: 1 }), kind });
}

console.log(`soak: ${minutes} min, build ${path.relative(root, build) || build}${sanitized ? " (sanitized)" : ""}, seed ${seed}, work ${work}`);
const runStart = Date.now();
let stopping = false;
const sampler = setInterval(() => { for (const s of shippers) s.sample(); }, 1000);

// Production: each path on its own clock; bad inputs at their own moments of the run.
async function every(msLo, msHi, fn) {
  while (!stopping && Date.now() - runStart < durationMs) {
    await fn();
    await sleep(msLo + random() * (msHi - msLo));
  }
}
const plants = [...S3_PLANTS.map((k) => ["s3", k]), ...SQS_PLANTS.map((k) => ["sqs", k])]
  .map(([where, kind], i, all) => ({ where, kind, atMs: durationMs * (0.1 + (0.6 * i) / all.length) }));
async function plantAll() {
  for (const p of plants) {
    while (Date.now() - runStart < p.atMs) await sleep(200);
    if (p.where === "s3") producer.plantS3(p.kind); else await producer.plantSqs(p.kind);
  }
}
for (const s of shippers) { s.start(); s.startKilling(); }
const progress = setInterval(async () => {
  const tables = await adminJson("/_emulator/tables").catch(() => ({}));
  console.log(`soak: ${Math.round((Date.now() - runStart) / 1000)} s: ${producer.counts.versions} versions produced, ` +
    `${tables.AWSGuardDuty ?? "?"} rows in the workspace, kills ${shippers.map((s) => `${s.name} ${s.kills()}`).join(", ")}`);
}, 30000);
await Promise.all([
  every(1000, 2000, () => producer.s3Object()),
  every(2000, 4000, () => producer.sqsObject()),
  every(500, 1500, () => producer.sqsEvents()),
  every(2000, 6000, () => injectAwsFault()),
  plantAll(),
]);
const producedAt = Date.now();
console.log(`soak: production over after ${Math.round((producedAt - runStart) / 1000)} s; draining without kills`);

// --- Drain: no more kills; wait until the backlog is empty, then SIGTERM ---
for (const s of shippers) s.stopKilling();
const queueCounts = (name) => {
  const a = standin.fauxqs.inspectQueue(name).attributes;
  return Number(a.ApproximateNumberOfMessages) + Number(a.ApproximateNumberOfMessagesNotVisible) + Number(a.ApproximateNumberOfMessagesDelayed ?? 0);
};
const DRAIN_TIMEOUT_MS = 300000;
let drained = false;
let lastOpened = -1, openedSteadySince = Date.now();
while (Date.now() - producedAt < DRAIN_TIMEOUT_MS) {
  await sleep(1000);
  const [s3m, sqsm] = await Promise.all(shippers.map((s) => s.metrics()));
  if (s3m && s3m.opened !== lastOpened) { lastOpened = s3m.opened; openedSteadySince = Date.now(); }
  const s3Idle = s3m && s3m.pending === 0 && s3m.inFlight === 0 && Date.now() - openedSteadySince >= 5000;
  const sqsIdle = sqsm && sqsm.pending === 0 && sqsm.inFlight === 0 && queueCounts("soak") === 0;
  if (s3Idle && sqsIdle) { drained = true; break; }
}
const drainMs = Date.now() - producedAt;
console.log(drained ? `soak: drained in ${Math.round(drainMs / 1000)} s; stopping with SIGTERM` : `soak: not drained after ${DRAIN_TIMEOUT_MS / 1000} s`);
await Promise.all(shippers.map((s) => s.stop()));
const runEnd = Date.now();
clearInterval(sampler);
clearInterval(progress);
injectAwsFault();  // tallies the last ones (and adds one that nothing will meet)

// --- The checks ---
const rowsText = await (await fetch(`${admin}/_emulator/tables/AWSGuardDuty/rows`)).text();
const rows = rowsText.split("\n").filter(Boolean).map((l) => JSON.parse(l));
const faults = await adminJson("/_emulator/faults");
const dlq = standin.fauxqs.inspectQueue("soak-dlq");
const dlqBodies = [...(dlq.messages?.ready ?? []), ...(dlq.messages?.delayed ?? []), ...(dlq.messages?.inflight ?? [])].map((m) => m.body ?? m.message?.body);
const checks = [
  { name: "backlog drained", ok: drained, failures: drained ? [] : [`the backlog was not empty ${DRAIN_TIMEOUT_MS / 1000} s after production stopped (queue holds ${queueCounts("soak")})`] },
  checkArrivals(rows, producer.expected, ACCOUNTS),
  checkDeadLetters({ s3: path.join(work, "s3-dead-letters.jsonl"), sqs: path.join(work, "sqs-dead-letters.jsonl") }, producer.planted),
  checkQueueDeadLetters(dlqBodies, producer.planted),
  checkResources(shippers, LIMITS, runStart, runEnd),
  checkProcesses(shippers, [path.join(work, "emulator.log")]),
];
// Every life's samples, for a closer look at memory and descriptors (kept with the logs).
fs.writeFileSync(path.join(work, "samples.json"), JSON.stringify(shippers.map((s) => ({
  name: s.name, lives: s.lives.map(({ n, pid, startedAt, endedAt, exit, killed, terminated, samples }) =>
    ({ n, pid, startedAt: startedAt - runStart, endedAt: endedAt - runStart, exit, killed, terminated, samples })),
}))));
printSummary({ minutes, build, sanitized, seed, work, producer, shippers, checks, faults, faultRules: EMULATOR_FAULTS, awsFaults, rows, drainMs, limits: LIMITS, runMs: runEnd - runStart });

emulator.stdin.end();
await standin.close();
const failed = checks.filter((c) => !c.ok);
if (failed.length === 0 && !keep) fs.rmSync(work, { recursive: true, force: true });
else console.log(`soak: logs, configs, state and dead letters kept in ${work}`);
process.exit(failed.length ? 1 : 0);
