// gd2sentinel and Fluent Bit side by side, in one run, on the same input and endpoint: N typical
// findings in one JSON-lines file, shipped through the Logs Ingestion API (gzip level 6, HTTPS,
// Entra client-secret token) to the same workspace emulator. Fluent Bit (the anchor: built from
// its public source outside this tree, ../shared/anchors/build-fluent-bit.sh) reads the file with
// `tail` and sends with `azure_logs_ingestion`; gd2sentinel reads it with `[source.files]`,
// `run --once`. Reports each one's CPU-seconds (user + system), peak RSS and the rows the emulator
// holds for it, and their ratios. The emulator enforces the real 1 MiB request limit for both.
//
//   node bench/side-by-side.mjs --fluent-bit PATH [--findings 50000] [--build build/bench]
//        [--binary PATH] [--schema native|legacy] [--gzip-level 6] [--dedupe-window 0s]
//        [--skip-fluent-bit] [--perf FILE] [--wrap "strace -f -c -o FILE"] [--json]
//
// Fluent Bit tails the file forever: once its monitoring API shows every line read and every
// record delivered or dropped by its output, its CPU time and peak RSS so far are read from
// /proc (so its shutdown is not counted) and it is stopped. gd2sentinel runs under
// /usr/bin/time, start to exit. Then the file path's floor (BM_FloorFile of gd2s_bench_stages,
// when the build has it) is measured in the same run, for gd2sentinel's ratio to it. Exits 1
// when gd2sentinel did not deliver every finding or dead-lettered any.

import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import http from "node:http";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import readline from "node:readline";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

import { BASE_DAY, REGIONS, findingLine } from "./findings.mjs";
import { floorMicros } from "./floor.mjs";
import { EMULATOR_CLIENT_SECRET, emulatorSinkToml } from "../tools/workspace-emulator/sink-config.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values: opts } = parseArgs({ options: {
  findings: { type: "string", default: "50000" }, build: { type: "string", default: "build/bench" },
  binary: { type: "string" }, "fluent-bit": { type: "string", default: process.env.FLUENT_BIT ?? "" },
  schema: { type: "string", default: "native" }, "gzip-level": { type: "string", default: "6" },
  "dedupe-window": { type: "string", default: "" }, "skip-fluent-bit": { type: "boolean", default: false },
  perf: { type: "string", default: "" }, wrap: { type: "string", default: "" },
  json: { type: "boolean", default: false },
} });
const findings = Number(opts.findings);
const build = path.resolve(root, opts.build);
const binary = path.resolve(opts.binary ?? path.join(build, "src/gd2sentinel"));
const emulatorBinary = path.join(build, "tools/workspace-emulator/workspace-emulator");
const fluentBit = opts["skip-fluent-bit"] ? "" : opts["fluent-bit"];
if (!opts["skip-fluent-bit"] && !fluentBit) {
  console.error("side-by-side: --fluent-bit PATH (or FLUENT_BIT) names the anchor's binary; " +
    "build it with ../shared/anchors/build-fluent-bit.sh SRC OUT, or pass --skip-fluent-bit");
  process.exit(2);
}
const work = fs.mkdtempSync(path.join(os.tmpdir(), "gd2s-side-"));
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const firstLine = (child) => new Promise((resolve, reject) => {
  child.once("exit", (code) => reject(new Error(`exited with ${code} before it was ready`)));
  readline.createInterface({ input: child.stdout }).once("line", (line) => resolve(JSON.parse(line)));
});
async function json(url, init) {
  const response = await fetch(url, init);
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}
// /usr/bin/time -f "%e %U %S %M": wall, user, system, peak RSS (KiB)
const timed = (file) => {
  const [wall, user, system, rssKb] = fs.readFileSync(file, "utf8").trim().split("\n").at(-1).split(" ").map(Number);
  return { wall_s: wall, user_s: user, system_s: system, cpu_s: Number((user + system).toFixed(2)),
    max_rss_mb: Number((rssKb / 1024).toFixed(1)) };
};

// CPU and peak RSS of a running process, from /proc.
function processUsage(pid) {
  const ticks = 100;  // USER_HZ
  const fields = fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ");
  const user = Number(fields[11]) / ticks, system = Number(fields[12]) / ticks;
  const hwm = Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))[1]);
  return { user_s: user, system_s: system, cpu_s: Number((user + system).toFixed(2)),
    max_rss_mb: Number((hwm / 1024).toFixed(1)) };
}

// The input: one JSON-lines file, as a replay or a pipe would give it.
const inputFile = path.join(work, "findings.jsonl");
{
  const fd = fs.openSync(inputFile, "w");
  const day = new Date(BASE_DAY);
  let chunk = [];
  for (let n = 0; n < findings; n++) {
    chunk.push(findingLine(n, REGIONS[n % REGIONS.length], day));
    if (chunk.length === 1000 || n === findings - 1) { fs.writeSync(fd, chunk.join("\n") + "\n"); chunk = []; }
  }
  fs.closeSync(fd);
}
const inputBytes = fs.statSync(inputFile).size;

// The emulator: gd2sentinel's streams from its own schemas, plus one for Fluent Bit, which sends
// each finding as it is (its top-level fields, and its "@timestamp") to GuardDutyRaw_CL. Its
// stream declares the fields a table may hold: "id" and "type" are reserved column names, so
// the rule drops them, as Azure would.
const emulatorConfig = execFileSync(path.join(root, "tools/workspace-emulator/schema-config.sh"),
  [path.join(work, "emulator"), binary], { encoding: "utf8" }).trim();
const config = JSON.parse(fs.readFileSync(emulatorConfig, "utf8"));
const rawColumns = [["severity", "real"], ["accountId", "string"],
  ["region", "string"], ["partition", "string"], ["arn", "string"], ["createdAt", "datetime"],
  ["updatedAt", "datetime"], ["title", "string"], ["description", "string"], ["schemaVersion", "string"],
  ["resource", "dynamic"], ["service", "dynamic"]].map(([name, type]) => ({ name, type }));
const dcr = config.dcrs[0];
dcr.stream_declarations["Custom-GuardDutyRaw_CL"] = { columns: rawColumns };
dcr.data_flows = [
  { streams: ["Custom-GuardDutyFinding"], output_stream: "Microsoft-AWSGuardDuty" },
  { streams: ["Custom-GuardDutyLegacy"], output_stream: "Custom-AWSGuardDuty_CL" },
  { streams: ["Custom-GuardDutyRaw_CL"], output_stream: "Custom-GuardDutyRaw_CL" },
];
config.workspaces[0].tables = [
  { name: "AWSGuardDuty_CL", sub_type: "DataCollectionRuleBased",
    columns: JSON.parse(fs.readFileSync(path.join(work, "emulator/legacy.schema.json"), "utf8")).columns
      .map((c) => ({ name: c.name, type: c.type })) },
  { name: "GuardDutyRaw_CL", sub_type: "DataCollectionRuleBased", columns: rawColumns },
];
fs.writeFileSync(emulatorConfig, JSON.stringify(config, null, 2));
const emulator = spawn(emulatorBinary, ["--config", emulatorConfig, "--ca-out", path.join(work, "ca.pem"),
  "--exit-with-stdin"], { stdio: ["pipe", "pipe", "inherit"] });
const ready = await firstLine(emulator);
const admin = ready.http_url;
const tenant = config.tenants[0].id;
const clientId = config.tenants[0].applications[0].client_id;

// Fluent Bit checks the token endpoint's certificate against the system's CA bundle only (its
// oauth2 client takes no CA option), and allows plain http on loopback: it asks for its token
// here, and this passes the request on to the emulator's Entra endpoint over HTTPS.
const tokenRelay = http.createServer((request, response) => {
  const upstream = https.request(new URL(request.url, ready.url), { method: request.method,
    headers: { ...request.headers, host: new URL(ready.url).host }, ca: fs.readFileSync(path.join(work, "ca.pem")) },
  (answer) => { response.writeHead(answer.statusCode, answer.headers); answer.pipe(response); });
  upstream.on("error", () => { response.writeHead(502); response.end(); });
  request.pipe(upstream);
});
await new Promise((resolve) => tokenRelay.listen(0, "127.0.0.1", resolve));
const tokenUrl = `http://127.0.0.1:${tokenRelay.address().port}/${tenant}/oauth2/v2.0/token`;

async function emulatorState(table) {
  const tables = await json(`${admin}/_emulator/tables`);
  const requests = await json(`${admin}/_emulator/requests?endpoint=logs_ingestion&limit=100000`);
  const statuses = {};
  for (const r of requests) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  return { rows: tables[table] ?? 0, requests: requests.length, statuses,
    body_mib: Number((requests.reduce((a, r) => a + r.body_bytes, 0) / 1048576).toFixed(1)),
    wire_mib: Number((requests.reduce((a, r) => a + r.request_bytes, 0) / 1048576).toFixed(1)) };
}
async function clearEmulator() {
  await fetch(`${admin}/_emulator/tables`, { method: "DELETE" });
  await fetch(`${admin}/_emulator/requests`, { method: "DELETE" });
}

async function runGd2sentinel() {
  await clearEmulator();
  const stream = opts.schema === "native" ? "Custom-GuardDutyFinding" : "Custom-GuardDutyLegacy";
  const table = opts.schema === "native" ? "AWSGuardDuty" : "AWSGuardDuty_CL";
  const file = path.join(work, "gd2sentinel.toml");
  const sink = emulatorSinkToml({ ready, caFile: path.join(work, "ca.pem"), stream, secretEnv: "BENCH_AZURE_CLIENT_SECRET" })
    .replace("[azure]", `gzip_level = ${Number(opts["gzip-level"])}\n[azure]`);
  fs.writeFileSync(file, `[source.files]
paths = ["${inputFile}"]
[transform]
schema = "${opts.schema}"
drop_sample = false
drop_archived = false
${opts["dedupe-window"] ? `dedupe_window = "${opts["dedupe-window"]}"` : ""}
${sink}[dead_letter]
path = "${path.join(work, "dead.jsonl")}"
[state]
path = "${path.join(work, "state.db")}"
[log]
level = "warn"
`, { mode: 0o600 });
  const timeFile = path.join(work, "time-gd2sentinel.txt");
  const wrap = opts.wrap.split(" ").filter(Boolean);
  const perf = wrap.length ? wrap : opts.perf ? ["perf", "record", "-q", "-e", "cpu-clock", "-F", "199",
    "--call-graph", "dwarf,16384", "-o", opts.perf] : [];
  const child = spawn("/usr/bin/time", ["-f", "%e %U %S %M", "-o", timeFile, ...perf, binary, "run", "--once",
    "--config", file], { stdio: ["ignore", "inherit", "inherit"],
    env: { ...process.env, BENCH_AZURE_CLIENT_SECRET: EMULATOR_CLIENT_SECRET } });
  const code = await new Promise((resolve) => child.once("exit", resolve));
  if (code !== 0) throw new Error(`gd2sentinel exited with ${code}`);
  const deadFile = path.join(work, "dead.jsonl");
  const dead = fs.existsSync(deadFile) ? fs.readFileSync(deadFile, "utf8").split("\n").filter(Boolean).length : 0;
  return { name: "gd2sentinel", ...timed(timeFile), ...(await emulatorState(table)), dead_letters: dead };
}

async function runFluentBit() {
  await clearEmulator();
  const monitorPort = 20000 + Math.floor(Math.random() * 20000);
  fs.writeFileSync(path.join(work, "parsers.conf"), `[PARSER]
    Name   json
    Format json
`);
  const file = path.join(work, "fluent-bit.conf");
  // Its defaults otherwise: it retries a failed chunk once (Retry_Limit 1) and then drops it.
  fs.writeFileSync(file, `[SERVICE]
    Flush         1
    Grace         1
    Log_Level     ${process.env.FLUENT_BIT_LOG_LEVEL ?? "error"}
    Parsers_File  ${path.join(work, "parsers.conf")}
    HTTP_Server   On
    HTTP_Listen   127.0.0.1
    HTTP_Port     ${monitorPort}
    scheduler.base 1
    scheduler.cap  2

[INPUT]
    Name            tail
    Path            ${inputFile}
    Read_from_Head  true
    Parser          json
    Buffer_Max_Size 1M

[OUTPUT]
    Name          azure_logs_ingestion
    Match         *
    tenant_id     ${tenant}
    client_id     ${clientId}
    client_secret ${EMULATOR_CLIENT_SECRET}
    auth_url      ${tokenUrl}
    dce_url       ${ready.url}
    dcr_id        ${dcr.immutable_id}
    table_name    GuardDutyRaw_CL
    compress      true
    tls           On
    tls.verify    On
    tls.ca_file   ${path.join(work, "ca.pem")}
`, { mode: 0o600 });
  // Measured from /proc when its records are settled (its CPU and peak RSS so far), then stopped.
  const started = performance.now();
  const child = spawn(fluentBit, ["-c", file], { stdio: ["ignore", "ignore", "inherit"] });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  let done = false;
  exited.then(() => { done = true; });
  // Settled: every line read, and every record delivered or dropped by the output.
  const deadline = Date.now() + 600_000;
  let metrics = null;
  let usage = null;
  while (!done && Date.now() < deadline) {
    await sleep(200);
    metrics = await json(`http://127.0.0.1:${monitorPort}/api/v1/metrics`).catch(() => null);
    if (!metrics) continue;
    const input = Object.values(metrics.input ?? {})[0] ?? {};
    const output = Object.values(metrics.output ?? {})[0] ?? {};
    if (input.records >= findings && (output.proc_records ?? 0) + (output.dropped_records ?? 0) >= findings) {
      usage = processUsage(child.pid);
      usage.wall_s = Number(((performance.now() - started) / 1000).toFixed(2));
      break;
    }
  }
  if (!done) child.kill("SIGTERM");
  await exited;
  if (!usage) throw new Error("Fluent Bit did not settle its records within 10 minutes");
  const output = Object.values(metrics?.output ?? {})[0] ?? {};
  return { name: "fluent-bit", ...usage, ...(await emulatorState("GuardDutyRaw_CL")),
    dropped_records: output.dropped_records ?? null, retried_records: output.retried_records ?? null };
}

const results = [];
let floor = null;
try {
  results.push(await runGd2sentinel());
  if (fluentBit) results.push(await runFluentBit());
  floor = floorMicros(build, "BM_FloorFile");
} finally {
  tokenRelay.close();
  emulator.stdin.end();
  fs.rmSync(work, { recursive: true, force: true });
}
const [ours, anchor] = results;
const summary = { findings, input_mb: Number((inputBytes / 1e6).toFixed(1)), schema: opts.schema,
  gzip_level: Number(opts["gzip-level"]), results,
  ...(anchor ? { cpu_ratio: Number((anchor.cpu_s / ours.cpu_s).toFixed(2)),
    rss_ratio: Number((anchor.max_rss_mb / ours.max_rss_mb).toFixed(2)) } : {}),
  ...(floor ? { floor_us_per_finding: floor,
    floor_ratio: Number(((ours.cpu_s / findings) * 1e6 / floor).toFixed(2)) } : {}) };
if (opts.json) console.log(JSON.stringify(summary));
else {
  console.log(`${findings} findings, one JSON-lines file of ${summary.input_mb} MB, schema ${opts.schema}, gzip level ${summary.gzip_level}`);
  for (const r of results) {
    console.log(`  ${r.name.padEnd(12)} CPU ${r.cpu_s.toFixed(2)} s (user ${r.user_s}, sys ${r.system_s}) = ` +
      `${((r.cpu_s / findings) * 1e6).toFixed(1)} µs/finding, peak RSS ${r.max_rss_mb} MB, wall ${r.wall_s} s`);
    console.log(`  ${"".padEnd(12)} rows delivered ${r.rows}/${findings}; ${r.requests} requests ` +
      `(${Object.entries(r.statuses).map(([s, n]) => `${n}× ${s}`).join(", ")}), ${r.body_mib} MiB JSON, ${r.wire_mib} MiB on the wire` +
      (r.dead_letters !== undefined ? `; dead letters ${r.dead_letters}` : `; dropped ${r.dropped_records}`));
  }
  if (anchor) console.log(`  Fluent Bit / gd2sentinel: CPU ${summary.cpu_ratio}×, peak RSS ${summary.rss_ratio}×`);
  if (floor) console.log(`  floor (BM_FloorFile, this run): ${floor} µs/finding; gd2sentinel / floor: ${summary.floor_ratio}×`);
}
if (ours.rows !== findings || ours.dead_letters) process.exitCode = 1;
