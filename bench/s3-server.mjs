// A fast S3 stand-in for the end-to-end benchmark: generates N findings in M export objects in
// GuardDuty's S3 layout (AWSLogs/<account>/GuardDuty/<region>/YYYY/MM/DD/<uuid>.jsonl.gz), holds
// them in memory and serves ListObjectsV2 (prefix, delimiter, start-after, continuation-token,
// max-keys) and GetObject (with Range) over plain HTTP on 127.0.0.1. It does not check
// signatures (tools/aws-standin does; here it would cost more CPU than the reader under test).
//
//   node bench/s3-server.mjs [--findings 200000] [--objects 2000] [--bucket guardduty-bench]
//
// Prints one JSON line when ready: endpoint, bucket, objects, findings, json_bytes (the findings'
// uncompressed bytes, newlines included), gzip_bytes. GET /_bench/stats answers its CPU time
// since ready, the number of S3 requests and the wall time (ms since the epoch) of the first.

import crypto from "node:crypto";
import http from "node:http";
import zlib from "node:zlib";
import { parseArgs } from "node:util";

import { ACCOUNT, BASE_DAY, REGIONS, findingLine } from "./findings.mjs";

const { values: opts } = parseArgs({ options: {
  findings: { type: "string", default: "200000" }, objects: { type: "string", default: "2000" },
  bucket: { type: "string", default: "guardduty-bench" },
} });
const findings = Number(opts.findings);
const objectCount = Number(opts.objects);
const bucket = opts.bucket;

const objects = new Map();  // key → { body, etag, lastModified }
let jsonBytes = 0;
let gzipBytes = 0;
let n = 0;
for (let o = 0; o < objectCount; o++) {
  const count = Math.floor(((o + 1) * findings) / objectCount) - Math.floor((o * findings) / objectCount);
  const region = REGIONS[o % REGIONS.length];
  const day = new Date(BASE_DAY + Math.floor(o / REGIONS.length) % 28 * 86400000);
  const lines = [];
  for (let i = 0; i < count; i++, n++) lines.push(findingLine(n, region, day));
  const text = lines.join("\n") + "\n";
  const body = zlib.gzipSync(text);
  jsonBytes += Buffer.byteLength(text);
  gzipBytes += body.length;
  const ymd = day.toISOString().slice(0, 10).replace(/-/g, "/");
  const key = `AWSLogs/${ACCOUNT}/GuardDuty/${region}/${ymd}/${crypto.randomUUID()}.jsonl.gz`;
  objects.set(key, { body, etag: `"${crypto.createHash("md5").update(body).digest("hex")}"`,
    lastModified: new Date(day.getTime() + 86399000).toISOString() });
}
const keys = [...objects.keys()].sort();

const xmlEscape = (s) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
function lowerBound(key) {
  let lo = 0, hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid] < key) lo = mid + 1; else hi = mid;
  }
  return lo;
}

function listObjectsV2(query) {
  const prefix = query.get("prefix") ?? "";
  const delimiter = query.get("delimiter") ?? "";
  const maxKeys = Math.min(1000, Number(query.get("max-keys") ?? "1000"));
  const token = query.get("continuation-token");
  const after = token ? Buffer.from(token, "base64").toString() : (query.get("start-after") ?? "");
  let i = lowerBound(prefix > after ? prefix : after);
  if (i < keys.length && keys[i] === after) i++;
  const contents = [];
  const common = [];
  let last = "";
  let truncated = false;
  for (; i < keys.length && keys[i].startsWith(prefix); i++) {
    if (contents.length + common.length >= maxKeys) { truncated = true; break; }
    const key = keys[i];
    const cut = delimiter ? key.indexOf(delimiter, prefix.length) : -1;
    if (cut >= 0) {
      const p = key.slice(0, cut + delimiter.length);
      common.push(p);
      last = p + "\uffff";
      i = lowerBound(last) - 1;
      continue;
    }
    const o = objects.get(key);
    contents.push(`<Contents><Key>${xmlEscape(key)}</Key><LastModified>${o.lastModified}</LastModified>` +
      `<ETag>${xmlEscape(o.etag)}</ETag><Size>${o.body.length}</Size><StorageClass>STANDARD</StorageClass></Contents>`);
    last = key;
  }
  const next = truncated ? `<NextContinuationToken>${Buffer.from(last).toString("base64")}</NextContinuationToken>` : "";
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">` +
    `<Name>${bucket}</Name><Prefix>${xmlEscape(prefix)}</Prefix><KeyCount>${contents.length + common.length}</KeyCount>` +
    `<MaxKeys>${maxKeys}</MaxKeys>${delimiter ? `<Delimiter>${xmlEscape(delimiter)}</Delimiter>` : ""}` +
    `<IsTruncated>${truncated}</IsTruncated>${next}${contents.join("")}` +
    common.map((p) => `<CommonPrefixes><Prefix>${xmlEscape(p)}</Prefix></CommonPrefixes>`).join("") +
    `</ListBucketResult>`;
}

let requests = 0;
let firstRequestAt = null;
let cpuAtReady = null;
const server = http.createServer((req, res) => {
  const url = new URL(req.url, "http://localhost");
  if (url.pathname === "/_bench/stats") {
    const cpu = process.cpuUsage(cpuAtReady);
    res.setHeader("Content-Type", "application/json");
    res.end(JSON.stringify({ cpu_seconds: (cpu.user + cpu.system) / 1e6, requests, first_request_ms: firstRequestAt }));
    return;
  }
  if (firstRequestAt === null) firstRequestAt = performance.timeOrigin + performance.now();
  requests++;
  const parts = url.pathname.split("/");
  if (parts[1] !== bucket) {
    res.writeHead(404, { "Content-Type": "application/xml" });
    res.end("<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message></Error>");
    return;
  }
  const key = decodeURIComponent(parts.slice(2).join("/"));
  if (key === "" && url.searchParams.get("list-type") === "2") {
    const xml = listObjectsV2(url.searchParams);
    res.writeHead(200, { "Content-Type": "application/xml", "Content-Length": Buffer.byteLength(xml) });
    res.end(xml);
    return;
  }
  const o = objects.get(key);
  if (!o) {
    res.writeHead(404, { "Content-Type": "application/xml" });
    res.end("<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>");
    return;
  }
  const headers = { ETag: o.etag, "Last-Modified": new Date(o.lastModified).toUTCString(),
    "Content-Type": "application/octet-stream" };
  const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? "");
  const from = range ? Number(range[1]) : 0;
  const body = o.body.subarray(from);
  if (range) headers["Content-Range"] = `bytes ${from}-${o.body.length - 1}/${o.body.length}`;
  headers["Content-Length"] = body.length;
  res.writeHead(range ? 206 : 200, headers);
  res.end(req.method === "HEAD" ? undefined : body);
});
server.keepAliveTimeout = 60000;
server.listen(0, "127.0.0.1", () => {
  cpuAtReady = process.cpuUsage();
  console.log(JSON.stringify({ endpoint: `http://127.0.0.1:${server.address().port}`, bucket,
    objects: objects.size, findings: n, json_bytes: jsonBytes, gzip_bytes: gzipBytes, pid: process.pid }));
});
for (const signal of ["SIGTERM", "SIGINT"]) process.on(signal, () => process.exit(0));
