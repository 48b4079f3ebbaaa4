// The benchmarks' findings: the 31 samples of examples/src as templates, in turn, each copy with
// its own id, ARN and times, sample and archived flags cleared so every one is delivered
// (2.47 KB of JSON each on average). Shared by s3-server.mjs (export objects) and
// side-by-side.mjs (one JSON-lines file), so both paths carry the same findings.

import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const templates = fs.readdirSync(path.join(root, "examples/src")).filter((f) => f.endsWith(".json")).sort()
  .map((f) => JSON.parse(fs.readFileSync(path.join(root, "examples/src", f), "utf8")));
for (const t of templates) {
  if (t.service?.additionalInfo) t.service.additionalInfo = { ...t.service.additionalInfo, sample: false };
  if (t.service) t.service.archived = false;
}

export const ACCOUNT = "111122223333";
export const REGIONS = ["us-east-1", "eu-west-1"];
export const BASE_DAY = Date.UTC(2026, 2, 1);

/// Finding number `n` as one line of JSON (no newline), in `region`, updated on `day` (a Date).
export function findingLine(n, region, day) {
  const t = templates[n % templates.length];
  const id = crypto.createHash("md5").update(`bench-${n}`).digest("hex");
  const at = new Date(day.getTime() + (n % 86400) * 1000).toISOString();
  return JSON.stringify({ ...t, region, id, arn: `arn:aws:guardduty:${region}:${ACCOUNT}:detector/d0/finding/${id}`,
    createdAt: at, updatedAt: at });
}
