// End to end: N findings in M export objects on a local S3 stand-in (bench/s3-server.mjs),
// read by `gd2sentinel run --once` through the S3 protocol and shipped through the Logs
// Ingestion protocol (Entra token, gzip, HTTPS) to the workspace emulator. Reports findings/s,
// CPU-seconds per 100,000 findings, peak RSS and start-up time of gd2sentinel, the stand-ins'
// CPU, and checks that the emulator holds exactly N rows and nothing was dead-lettered. Then the
// floor (BM_Floor of gd2s_bench_stages, when the build has it) is measured in the same run, for
// gd2sentinel's ratio to it.
//
//   node bench/e2e.mjs [--findings 200000] [--objects 2000] [--build build/bench]
//                      [--schema native|legacy] [--json] [--perf FILE] [--binary PATH]
//                      [--dedupe-window 0s] [--gzip-level N]
//
// gd2sentinel runs under /usr/bin/time (user + system CPU, max RSS). Start-up is measured from
// just before exec to the S3 stand-in receiving the first request (its clock, ms resolution),
// and to the first Logs Ingestion request (the emulator's request log, polled every 2 ms; the
// request's start is its logging time less its duration_ms, so within the polling interval).

import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { EMULATOR_CLIENT_SECRET, emulatorSinkToml } from "../tools/workspace-emulator/sink-config.mjs";
import { floorMicros } from "./floor.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values: opts } = parseArgs({ options: {
  findings: { type: "string", default: "200000" }, objects: { type: "string", default: "2000" },
  build: { type: "string", default: "build/bench" }, schema: { type: "string", default: "native" },
  "dedupe-window": { type: "string", default: "" },  // e.g. "0s": deduplication off
  "gzip-level": { type: "string", default: "" },  // the sink's gzip_level; its default when empty
  perf: { type: "string", default: "" },  // also record a CPU profile (perf record) of gd2sentinel
  binary: { type: "string" }, wrap: { type: "string", default: "" },  // e.g. "strace -f -tt -o FILE"
  json: { type: "boolean", default: false },
} });
const findings = Number(opts.findings);
const objects = Number(opts.objects);
const build = path.resolve(root, opts.build);
const schema = opts.schema;
const dedupeWindow = opts["dedupe-window"];
const perfFile = opts.perf;
const binary = path.resolve(opts.binary ?? path.join(build, "src/gd2sentinel"));
const emulatorBinary = path.join(build, "tools/workspace-emulator/workspace-emulator");
const work = fs.mkdtempSync(path.join(os.tmpdir(), "gd2s-e2e-"));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const now = () => performance.timeOrigin + performance.now();
const ticks = 100;  // USER_HZ: /proc/<pid>/stat times are in 1/100 s
const cpuOf = (pid) => {
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  return (Number(fields[11]) + Number(fields[12])) / ticks;  // utime + stime
};
const firstLine = (child) => new Promise((resolve, reject) => {
  child.once("exit", (code) => reject(new Error(`exited with ${code} before it was ready`)));
  readline.createInterface({ input: child.stdout }).once("line", (line) => resolve(JSON.parse(line)));
});

const s3 = spawn("node", [path.join(root, "bench/s3-server.mjs"), "--findings", String(findings), "--objects", String(objects)],
  { stdio: ["ignore", "pipe", "inherit"] });
// The emulator's streams declared from gd2sentinel's own schemas (native and legacy).
const emulatorConfig = execFileSync(path.join(root, "tools/workspace-emulator/schema-config.sh"),
  [path.join(work, "emulator"), binary], { encoding: "utf8" }).trim();
const emulator = spawn(emulatorBinary, [
  "--config", emulatorConfig,
  "--ca-out", path.join(work, "ca.pem"), "--exit-with-stdin",
], { stdio: ["pipe", "pipe", "inherit"] });
const [bucket, ready] = await Promise.all([firstLine(s3), firstLine(emulator)]);
const admin = ready.http_url;

const stream = schema === "native" ? "Custom-GuardDutyFinding" : "Custom-GuardDutyLegacy";
const table = schema === "native" ? "AWSGuardDuty" : "AWSGuardDuty_CL";
function config(run) {
  const file = path.join(work, `gd2sentinel-${run}.toml`);
  fs.writeFileSync(file, `
[source.s3_listing]
bucket = "${bucket.bucket}"
region = "us-east-1"
[aws]
s3_path_style = true
[transform]
schema = "${schema}"
drop_sample = false
drop_archived = false
${dedupeWindow ? `dedupe_window = "${dedupeWindow}"` : ""}
${emulatorSinkToml({ ready, caFile: path.join(work, "ca.pem"), stream, secretEnv: "BENCH_AZURE_CLIENT_SECRET" })
  .replace("[azure]", opts["gzip-level"] ? `gzip_level = ${Number(opts["gzip-level"])}\n[azure]` : "[azure]")}[dead_letter]
path = "${path.join(work, `dead-${run}.jsonl`)}"
[state]
path = "${path.join(work, `state-${run}.db`)}"
[log]
level = "warn"
`, { mode: 0o600 });
  return file;
}

async function json(url, init) {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}
async function s3Stats() {
  return json(`${bucket.endpoint}/_bench/stats`);
}

async function run(index) {
  await fetch(`${admin}/_emulator/tables`, { method: "DELETE" });
  await fetch(`${admin}/_emulator/requests`, { method: "DELETE" });
  const s3Before = await s3Stats();
  const emulatorBefore = cpuOf(emulator.pid);
  const timeFile = path.join(work, `time-${index}.txt`);
  const started = now();
  const wrap = opts.wrap.split(" ").filter(Boolean);
  const perf = wrap.length ? wrap : perfFile ? ["perf", "record", "-q", "-e", "cpu-clock", "-F", "199", "--call-graph", "dwarf,16384", "-o", perfFile] : [];
  const shipper = spawn("/usr/bin/time", ["-f", "%e %U %S %M", "-o", timeFile,
    ...perf, binary, "run", "--once", "--config", config(index)], {
    stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, AWS_ENDPOINT_URL_S3: bucket.endpoint, AWS_ACCESS_KEY_ID: "AKIDBENCH",
      AWS_SECRET_ACCESS_KEY: "bench-secret", AWS_EC2_METADATA_DISABLED: "true",
      BENCH_AZURE_CLIENT_SECRET: EMULATOR_CLIENT_SECRET },
  });
  const exited = new Promise((resolve) => shipper.once("exit", resolve));
  let done = false;
  exited.then(() => { done = true; });
  // The first Logs Ingestion request: poll the emulator's request log until it shows one.
  let firstIngestMs = null;
  while (!done && firstIngestMs === null) {
    const log = await json(`${admin}/_emulator/requests?endpoint=logs_ingestion&limit=1`).catch(() => []);
    if (log.length) firstIngestMs = now() - log[0].duration_ms - started;
    else await sleep(2);
  }
  const code = await exited;
  if (code !== 0) throw new Error(`gd2sentinel exited with ${code}`);
  const [wall, user, system, maxRssKb] = fs.readFileSync(timeFile, "utf8").trim().split("\n").at(-1).split(" ").map(Number);
  const s3After = await s3Stats();
  const emulatorCpu = cpuOf(emulator.pid) - emulatorBefore;
  const tables = await json(`${admin}/_emulator/tables`);
  const requests = await json(`${admin}/_emulator/requests?endpoint=logs_ingestion&limit=100000`);
  const deadFile = path.join(work, `dead-${index}.jsonl`);
  const dead = fs.existsSync(deadFile) ? fs.readFileSync(deadFile, "utf8").split("\n").filter(Boolean).length : 0;
  const rows = tables[table] ?? 0;
  const cpu = user + system;
  return {
    findings, objects, schema, json_bytes: bucket.json_bytes, gzip_bytes: bucket.gzip_bytes,
    rows, rows_ok: rows === findings, dead_letters: dead,
    wall_s: wall, findings_per_s: Math.round(findings / wall),
    cpu_s: Number(cpu.toFixed(2)), user_s: user, system_s: system,
    cpu_s_per_100k: Number(((cpu / findings) * 100000).toFixed(3)),
    cpu_us_per_finding: Number(((cpu / findings) * 1e6).toFixed(2)),
    max_rss_mb: Number((maxRssKb / 1024).toFixed(1)),
    first_s3_request_ms: Number((s3After.first_request_ms - started).toFixed(1)),
    first_ingest_request_ms: firstIngestMs === null ? null : Number(firstIngestMs.toFixed(1)),
    ingest_requests: requests.length,
    ingest_body_mb: Number((requests.reduce((a, r) => a + r.body_bytes, 0) / 1048576).toFixed(1)),
    ingest_wire_mb: Number((requests.reduce((a, r) => a + r.request_bytes, 0) / 1048576).toFixed(1)),
    s3_server_cpu_s: Number((s3After.cpu_seconds - s3Before.cpu_seconds).toFixed(2)),
    s3_requests: s3After.requests - s3Before.requests,
    emulator_cpu_s: Number(emulatorCpu.toFixed(2)),
  };
}

const results = [];
let floor = null;
try {
  results.push(await run(0));
  floor = floorMicros(build, "BM_Floor");
} finally {
  s3.kill("SIGTERM");
  emulator.stdin.end();
  fs.rmSync(work, { recursive: true, force: true });
}
for (const r of results) {
  if (floor) Object.assign(r, { floor_us_per_finding: floor, floor_ratio: Number((r.cpu_us_per_finding / floor).toFixed(2)) });
  if (opts.json) { console.log(JSON.stringify(r)); continue; }
  console.log(`${r.findings} findings (${(r.json_bytes / 1e6).toFixed(1)} MB JSON, ${(r.gzip_bytes / 1e6).toFixed(1)} MB gzip) in ${r.objects} objects, schema ${r.schema}`);
  console.log(`  rows in the emulator: ${r.rows} (${r.rows_ok ? "exactly N" : "NOT N"}), dead letters: ${r.dead_letters}`);
  console.log(`  wall ${r.wall_s} s, ${r.findings_per_s} findings/s`);
  console.log(`  gd2sentinel CPU ${r.cpu_s} s (user ${r.user_s}, sys ${r.system_s}) = ${r.cpu_s_per_100k} CPU-s per 100k findings (${r.cpu_us_per_finding} µs/finding)`);
  console.log(`  peak RSS ${r.max_rss_mb} MB`);
  if (floor) console.log(`  floor (BM_Floor, this run): ${floor} µs/finding; gd2sentinel / floor: ${r.floor_ratio}×`);
  console.log(`  start-up: first S3 request ${r.first_s3_request_ms} ms, first Logs Ingestion request ${r.first_ingest_request_ms} ms after exec`);
  console.log(`  ${r.ingest_requests} Logs Ingestion requests, ${r.ingest_body_mb} MiB JSON, ${r.ingest_wire_mb} MiB gzip`);
  console.log(`  stand-ins' CPU: S3 ${r.s3_server_cpu_s} s (${r.s3_requests} requests), workspace emulator ${r.emulator_cpu_s} s`);
}
if (results.some((r) => !r.rows_ok || r.dead_letters)) process.exitCode = 1;
