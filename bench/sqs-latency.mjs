// Latency of the SQS path: from an EventBridge "GuardDuty Finding" event entering the queue to
// its row in the workspace, at 10, 100 and 1,000 findings/s. Runs the release binaries against
// the local stand-ins (AWS: fauxqs behind the SigV4-checking proxy; Azure: the workspace
// emulator over HTTPS with an Entra token) and prints median and p99 per rate.
//
//   node bench/sqs-latency.mjs [--seconds N] [--rates 10,100,1000]
//
// Each finding carries its send time (ms) in its title; the emulator's rows are read as they
// arrive (every 10 ms, only the new ones), and a row's latency is the time it was first seen
// minus its send time. Build first: cmake --build --preset release --target gd2sentinel
// workspace-emulator.

import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";

import { EMULATOR_CLIENT_SECRET, emulatorSinkToml } from "../tools/workspace-emulator/sink-config.mjs";

import { startStandin, DEFAULT_CREDENTIALS } from "../tools/aws-standin/standin.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const seconds = Number(option("--seconds", "10"));
const rates = option("--rates", "10,100,1000").split(",").map(Number);
const work = fs.mkdtempSync(path.join(os.tmpdir(), "gd2s-latency-"));
const binary = path.join(root, "build/release/src/gd2sentinel");
const emulatorBinary = path.join(root, "build/release/tools/workspace-emulator/workspace-emulator");
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const standin = await startStandin({ log: false });
const { queueArn: dlqArn } = standin.fauxqs.createQueue("latency-dlq");
const { queueUrl } = standin.fauxqs.createQueue("latency", {
  attributes: { VisibilityTimeout: "30", RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }) },
});

const emulator = spawn(emulatorBinary, [
  "--config", path.join(root, "tools/workspace-emulator/config/guardduty-native.json"),
  "--ca-out", path.join(work, "ca.pem"), "--exit-with-stdin",
], { stdio: ["pipe", "pipe", "inherit"] });
const ready = JSON.parse(await new Promise((resolve) => readline.createInterface({ input: emulator.stdout }).once("line", resolve)));

fs.writeFileSync(path.join(work, "gd2sentinel.toml"), `
[source.sqs]
queue_url = "${queueUrl}"
region = "${standin.region}"
receivers = 2
${emulatorSinkToml({ ready, caFile: path.join(work, "ca.pem"), secretEnv: "BENCH_AZURE_CLIENT_SECRET" })}[dead_letter]
path = "${path.join(work, "dead.jsonl")}"
[state]
path = "${path.join(work, "state.db")}"
[log]
level = "warn"
`);
const credentials = DEFAULT_CREDENTIALS[0];
const shipper = spawn(binary, ["run", "--config", path.join(work, "gd2sentinel.toml")], {
  stdio: ["ignore", "inherit", "inherit"],
  env: {
    ...process.env,
    AWS_ENDPOINT_URL_SQS: standin.endpoint, AWS_ENDPOINT_URL_S3: standin.endpoint,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_EC2_METADATA_DISABLED: "true", BENCH_AZURE_CLIENT_SECRET: EMULATOR_CLIENT_SECRET,
  },
});

const template = JSON.parse(fs.readFileSync(path.join(root, "examples/src/instance-port-probe-unprotected.json"), "utf8"));
function event(id, sentAt) {
  const finding = { ...template, id, arn: template.arn.replace(/[^/]+$/, id), title: `sent ${sentAt}`, updatedAt: new Date(sentAt).toISOString() };
  return JSON.stringify({ version: "0", id, "detail-type": "GuardDuty Finding", source: "aws.guardduty",
    account: finding.accountId, time: finding.updatedAt, region: finding.region, resources: [], detail: finding });
}
// EventBridge's delivery into the queue: straight to fauxqs (not gd2sentinel's request).
async function send(bodies) {
  const response = await fetch(standin.fauxqsEndpoint + "/", {
    method: "POST",
    headers: { "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.SendMessageBatch" },
    body: JSON.stringify({ QueueUrl: queueUrl, Entries: bodies.map((MessageBody, i) => ({ Id: `m${i}`, MessageBody })) }),
  });
  if (!response.ok) throw new Error(`SendMessageBatch: HTTP ${response.status}`);
}

let seen = 0;
const arrivals = new Map();  // id → latency ms
async function poll() {
  const response = await fetch(`${ready.http_url}/_emulator/tables/AWSGuardDuty/rows?offset=${seen}`);
  const now = Date.now();
  if (!response.ok) return;
  for (const line of (await response.text()).split("\n")) {
    if (!line) continue;
    seen++;
    const row = JSON.parse(line);
    const sent = Number(/^sent (\d+)$/.exec(row.Title)?.[1]);
    if (!arrivals.has(row.Id)) arrivals.set(row.Id, now - sent);
  }
}
let polling = true;
const poller = (async () => { while (polling) { await poll(); await sleep(10); } })();

const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
await sleep(1000);  // the shipper starts and fetches its token
const results = [];
for (const rate of rates) {
  const ids = [];
  const total = rate * seconds;
  const tick = 10;  // ms
  const started = Date.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((Date.now() - started) / 1000) * rate) + 1);
    const bodies = [];
    while (sent < due && bodies.length < 10) {
      const id = `lat${rate}x${sent}`;
      ids.push(id);
      bodies.push(event(id, Date.now()));
      sent++;
    }
    if (bodies.length) await send(bodies);
    if (sent < due) continue;
    await sleep(tick);
  }
  const deadline = Date.now() + 30000;
  while (ids.some((id) => !arrivals.has(id)) && Date.now() < deadline) await sleep(50);
  const latencies = ids.map((id) => arrivals.get(id)).filter((v) => v !== undefined).sort((a, b) => a - b);
  results.push({ rate, findings: ids.length, arrived: latencies.length,
    median_ms: percentile(latencies, 50), p99_ms: percentile(latencies, 99), max_ms: latencies.at(-1) });
}
polling = false;
await poller;
shipper.kill("SIGTERM");
await new Promise((resolve) => shipper.once("exit", resolve));
emulator.stdin.end();
await standin.close();
fs.rmSync(work, { recursive: true, force: true });
console.log("findings/s  findings  arrived  median ms  p99 ms  max ms");
for (const r of results)
  console.log(`${String(r.rate).padStart(11)}  ${String(r.findings).padStart(8)}  ${String(r.arrived).padStart(7)}  ${String(r.median_ms).padStart(9)}  ${String(r.p99_ms).padStart(6)}  ${String(r.max_ms).padStart(6)}`);
