// Peak memory and outcome on the inputs issue #18 found hostile: whole-document exports far past
// what fits in memory comfortably, and lines that are nothing but NUL bytes. Each input is read by
// `gd2sentinel run --once` from a [source.files] folder into a [sink.file], so the figures are
// the reader's, the decoder's and the dead letters' (no network).
//
//   node bench/large-inputs.mjs [--binary build/release/src/gd2sentinel] [--findings 26000]
//                               [--json]
//
// Inputs (in a temporary folder, removed at the end):
//   array-compact    N findings as one compact JSON array (about 69 MB at 26,000)
//   array-pretty     the same array pretty-printed (JSON.stringify(…, null, 2))
//   array-pretty-6k  6,000 findings pretty-printed (about 21 MB)
//   nul-lines        five lines of 17 MiB of NUL bytes between six findings, gzipped
// For each: findings delivered, dead letters (count and bytes), peak RSS (GNU time's maximum
// resident set size), wall and CPU seconds. Exits 1 when a finding is missing or a dead letter
// is unexpected.
import { spawnSync } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import zlib from "node:zlib";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values: opts } = parseArgs({
  options: {
    binary: { type: "string", default: path.join(root, "build/release/src/gd2sentinel") },
    findings: { type: "string", default: "26000" },
    json: { type: "boolean", default: false },
  },
});
const findings = Number(opts.findings);

// The sample findings of examples/src as templates, each copy with its own id, delivered.
const templates = fs.readdirSync(path.join(root, "examples/src")).filter((f) => f.endsWith(".json")).sort()
  .map((f) => JSON.parse(fs.readFileSync(path.join(root, "examples/src", f), "utf8")));
for (const t of templates) {
  if (t.service?.additionalInfo) t.service.additionalInfo = { ...t.service.additionalInfo, sample: false };
  if (t.service) t.service.archived = false;
}
function finding(n, tag) {
  const t = templates[n % templates.length];
  const id = crypto.createHash("md5").update(`${tag}-${n}`).digest("hex");
  const at = new Date(Date.UTC(2026, 2, 1) + n * 1000).toISOString();
  return { ...t, id, arn: `arn:aws:guardduty:us-east-1:111122223333:detector/d0/finding/${id}`, createdAt: at, updatedAt: at };
}
const many = (count, tag) => Array.from({ length: count }, (_, n) => finding(n, tag));

const work = fs.mkdtempSync(path.join(os.tmpdir(), "gd2s-large-"));
const nul = Buffer.alloc(17 * 1024 * 1024, 0);
const inputs = [
  { name: "array-compact", file: "findings.json", expect: findings, letters: 0,
    write: (f) => fs.writeFileSync(f, JSON.stringify(many(findings, "compact"))) },
  { name: "array-pretty", file: "findings.json", expect: findings, letters: 0,
    write: (f) => fs.writeFileSync(f, JSON.stringify(many(findings, "pretty"), null, 2)) },
  { name: "array-pretty-6k", file: "findings.json", expect: 6000, letters: 0,
    write: (f) => fs.writeFileSync(f, JSON.stringify(many(6000, "pretty6k"), null, 2)) },
  { name: "nul-lines", file: "findings.jsonl.gz", expect: 6, letters: 5,
    write: (f) => {
      const parts = [];
      for (let i = 0; i < 6; i++) {
        parts.push(Buffer.from(JSON.stringify(finding(i, "nul")) + "\n"));
        if (i < 5) parts.push(nul, Buffer.from("\n"));
      }
      fs.writeFileSync(f, zlib.gzipSync(Buffer.concat(parts)));
    } },
];

const results = [];
let failed = false;
try {
  for (const input of inputs) {
    const dir = path.join(work, input.name);
    fs.mkdirSync(path.join(dir, "in"), { recursive: true });
    const file = path.join(dir, "in", input.file);
    input.write(file);
    const config = path.join(dir, "gd2sentinel.toml");
    fs.writeFileSync(config, [
      "[source.files]", `paths = ["${path.join(dir, "in")}"]`,
      "[sink.file]", `path = "${path.join(dir, "out.jsonl")}"`,
      "[state]", `path = "${path.join(dir, "state.db")}"`,
      "[dead_letter]", `path = "${path.join(dir, "dead-letters.jsonl")}"`, "",
    ].join("\n"));
    const run = spawnSync("/usr/bin/time", ["-f", "%M %e %U %S", opts.binary, "run", "--once", "--config", config],
      { encoding: "utf8", maxBuffer: 256 * 1024 * 1024 });
    const timing = run.stderr.trim().split("\n").pop().split(" ").map(Number);
    const count = (f) => (fs.existsSync(f) ? fs.readFileSync(f, "utf8").split("\n").filter(Boolean).length : 0);
    const letters = path.join(dir, "dead-letters.jsonl");
    const result = {
      input: input.name, input_mb: +(fs.statSync(file).size / 1e6).toFixed(1), status: run.status,
      delivered: count(path.join(dir, "out.jsonl")), expected: input.expect,
      dead_letters: count(letters), dead_letter_kb: fs.existsSync(letters) ? +(fs.statSync(letters).size / 1024).toFixed(0) : 0,
      peak_rss_mb: +(timing[0] / 1024).toFixed(1), wall_s: timing[1], cpu_s: +(timing[2] + timing[3]).toFixed(2),
    };
    if (run.status !== 0 || result.delivered !== input.expect || result.dead_letters !== input.letters) {
      failed = true;
      result.stderr_tail = run.stderr.split("\n").slice(-5).join("\n");
    }
    results.push(result);
    fs.rmSync(dir, { recursive: true, force: true });
  }
} finally {
  fs.rmSync(work, { recursive: true, force: true });
}

if (opts.json) {
  for (const r of results) console.log(JSON.stringify(r));
} else {
  console.log("| input | input MB | delivered | dead letters | dead-letter KiB | peak RSS MB | wall s | CPU s |");
  console.log("|---|---|---|---|---|---|---|---|");
  for (const r of results)
    console.log(`| ${r.input} | ${r.input_mb} | ${r.delivered}/${r.expected} | ${r.dead_letters} | ${r.dead_letter_kb} | ${r.peak_rss_mb} | ${r.wall_s} | ${r.cpu_s} |`);
  for (const r of results) if (r.stderr_tail) console.error(`${r.input}: exit ${r.status}\n${r.stderr_tail}`);
}
process.exit(failed ? 1 : 0);
