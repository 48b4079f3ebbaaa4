// The AWS side of the soak: GuardDuty export objects in the bucket and messages on the queue,
// produced for as long as the soak runs, with every finding version remembered (it must arrive)
// and every deliberately bad input remembered with the dead letter it deserves.
//
// Three paths, told apart by the finding's account (the AccountId column in the workspace):
//   s3      111111111111  export objects, read by the [source.s3_listing] process
//   sqs-s3  222222222222  export objects named by S3 notifications (direct, or EventBridge
//                         "Object Created"), read by the [source.sqs] process
//   sqs-eb  333333333333  EventBridge "GuardDuty Finding" events, read by the [source.sqs] process
// The listing process reads only account 111111111111, so each path's arrivals are its own.

import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import zlib from "node:zlib";

export const ACCOUNTS = { s3: "111111111111", "sqs-s3": "222222222222", "sqs-eb": "333333333333" };
const REGION = "us-east-1";
const RECENT_IDS = 200;  // new versions are made of the last this many ids of a path

// Findings of examples/src that the default [transform] keeps (neither sample nor archived).
export function loadTemplates(root) {
  const dir = path.join(root, "examples/src");
  return fs.readdirSync(dir).filter((f) => f.endsWith(".json")).sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), "utf8")))
    .filter((t) => !t.service?.archived && !t.service?.additionalInfo?.sample);
}

export class Producer {
  constructor({ standin, bucket, queueUrl, templates, random }) {
    Object.assign(this, { standin, bucket, queueUrl, templates, random });
    this.expected = new Map();  // "id|updatedAtMs" -> {path, id, updatedAt}
    this.planted = [];          // {name, process, unit, line?, stages, reason, contains?}
    this.harmless = [];         // inputs that must not become dead letters
    this.counts = { objects: 0, notifications: 0, events: 0, versions: 0, newVersionsOfAnId: 0, reExports: 0 };
    this.recent = { s3: [], "sqs-s3": [], "sqs-eb": [] };  // [{id, updatedAt}]
    this.lastMs = 0;
  }

  // A strictly increasing updatedAt, so that a new version of an id is always a new version.
  now() {
    this.lastMs = Math.max(Date.now(), this.lastMs + 1);
    return new Date(this.lastMs).toISOString();
  }

  pick(list) { return list[Math.floor(this.random() * list.length)]; }
  hex(n) { return crypto.randomBytes(n / 2).toString("hex"); }

  finding(pathName, { id, updatedAt, createdAt } = {}) {
    const template = this.pick(this.templates);
    const account = ACCOUNTS[pathName];
    id ??= this.hex(32);
    updatedAt ??= this.now();
    return {
      ...template, id, accountId: account, region: REGION,
      arn: `arn:aws:guardduty:${REGION}:${account}:detector/soak/finding/${id}`,
      createdAt: createdAt ?? template.createdAt, updatedAt,
    };
  }

  // The next good finding of a path: mostly new ids, some new versions of a recent id, a few
  // exact re-exports of a version already produced (GuardDuty exports an update again).
  goodFinding(pathName) {
    const recent = this.recent[pathName];
    const roll = this.random();
    let f;
    if (recent.length > 0 && roll < 0.03) {
      f = this.finding(pathName, this.pick(recent));
      this.counts.reExports++;
    } else if (recent.length > 0 && roll < 0.33) {
      f = this.finding(pathName, { id: this.pick(recent).id });
      this.counts.newVersionsOfAnId++;
    } else {
      f = this.finding(pathName);
    }
    const key = `${f.id}|${Date.parse(f.updatedAt)}`;
    if (!this.expected.has(key)) {
      this.expected.set(key, { path: pathName, id: f.id, updatedAt: f.updatedAt });
      this.counts.versions++;
    }
    recent.push({ id: f.id, updatedAt: f.updatedAt });
    if (recent.length > RECENT_IDS) recent.shift();
    return f;
  }

  exportKey(pathName, name = crypto.randomUUID()) {
    const d = new Date();
    const ymd = `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, "0")}/${String(d.getUTCDate()).padStart(2, "0")}`;
    return `AWSLogs/${ACCOUNTS[pathName]}/GuardDuty/${REGION}/${ymd}/${name}.jsonl.gz`;
  }

  putExport(key, lines) {
    const body = zlib.gzipSync(Buffer.from(lines.map((l) => l + "\n").join("")));
    const { etag } = this.standin.fauxqs.putObject(this.bucket, key, body);
    this.counts.objects++;
    return { key, size: body.length, etag: etag.replace(/"/g, "") };
  }

  goodLines(pathName, n) {
    return Array.from({ length: n }, () => JSON.stringify(this.goodFinding(pathName)));
  }

  // The AWS side's own writes to the queue (S3, EventBridge) go to fauxqs directly: they are not
  // gd2sentinel's requests, so they need no signature check. Returns the message ids.
  async send(bodies) {
    const ids = [];
    for (let i = 0; i < bodies.length; i += 10) {
      const entries = bodies.slice(i, i + 10).map((MessageBody, n) => ({ Id: `m${i + n}`, MessageBody }));
      const response = await fetch(this.standin.fauxqsEndpoint + "/", {
        method: "POST",
        headers: { "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.SendMessageBatch" },
        body: JSON.stringify({ QueueUrl: this.queueUrl, Entries: entries }),
      });
      const answer = await response.json();
      if (!response.ok || answer.Failed?.length) throw new Error(`SendMessageBatch: HTTP ${response.status} ${JSON.stringify(answer)}`);
      const byId = new Map(answer.Successful.map((s) => [s.Id, s.MessageId]));
      for (const e of entries) ids.push(byId.get(e.Id));
    }
    return ids;
  }

  notification(object, viaEventBridge) {
    if (viaEventBridge)
      return JSON.stringify({
        version: "0", id: crypto.randomUUID(), "detail-type": "Object Created", source: "aws.s3",
        account: ACCOUNTS["sqs-s3"], time: new Date().toISOString(), region: REGION, resources: [],
        detail: { version: "0", bucket: { name: this.bucket }, object: { key: object.key, size: object.size, etag: object.etag } },
      });
    return JSON.stringify({
      Records: [{
        eventVersion: "2.1", eventSource: "aws:s3", awsRegion: REGION, eventTime: new Date().toISOString(),
        eventName: "ObjectCreated:Put",
        s3: { s3SchemaVersion: "1.0", bucket: { name: this.bucket, arn: `arn:aws:s3:::${this.bucket}` },
              object: { key: object.key, size: object.size, eTag: object.etag } },
      }],
    });
  }

  event(finding, detailType = "GuardDuty Finding") {
    return JSON.stringify({
      version: "0", id: crypto.randomUUID(), "detail-type": detailType, source: "aws.guardduty",
      account: finding.accountId, time: finding.updatedAt, region: REGION, resources: [], detail: finding,
    });
  }

  // One tick of each path.
  s3Object() {
    this.putExport(this.exportKey("s3"), this.goodLines("s3", 1 + Math.floor(this.random() * 15)));
  }

  async sqsObject() {
    const object = this.putExport(this.exportKey("sqs-s3"), this.goodLines("sqs-s3", 1 + Math.floor(this.random() * 15)));
    await this.send([this.notification(object, this.random() < 1 / 3)]);
    this.counts.notifications++;
  }

  async sqsEvents() {
    const n = 1 + Math.floor(this.random() * 10);
    await this.send(Array.from({ length: n }, () => this.event(this.goodFinding("sqs-eb"))));
    this.counts.events += n;
  }

  // --- The deliberately bad inputs. Each is planted once, at its own moment of the run. ---

  // A finding whose createdAt is a real ISO 8601 date that turns into year -1 in UTC: gd2sentinel
  // reads it, and the workspace refuses the row (TimeCreated is not a datetime it accepts): 400,
  // bisected down to this row, which goes to the dead letters.
  rejectedFinding(pathName) {
    return this.finding(pathName, { createdAt: "0000-01-01T00:00:00+01:00" });
  }

  corruptGzip() {
    // The gzip magic and header, then bytes that are not deflate data (0xff: a final block of
    // the reserved type 3, so zlib refuses it at once: "invalid block type").
    return Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0xff]), Buffer.alloc(512, 0xff)]);
  }

  badLines(pathName) {
    const lines = this.goodLines(pathName, 6);
    const at = 3;  // 1-based line 4
    lines.splice(at, 0, '{"schemaVersion":"2.0","id":"soak-broken-json","accountId":' + `"${ACCOUNTS[pathName]}"`);
    return { lines, line: at + 1 };
  }

  plantS3(kind) {
    const dl = (name, unitKey, extra) => this.planted.push({ name, process: "s3", unit: `s3://${this.bucket}/${unitKey}`, ...extra });
    if (kind === "corrupt-gzip") {
      const key = this.exportKey("s3", `soak-corrupt-${crypto.randomUUID()}`);
      this.standin.fauxqs.putObject(this.bucket, key, this.corruptGzip());
      this.counts.objects++;
      dl("s3 object: corrupt gzip", key, { line: 1, stages: ["decode"], reason: /gzip data is corrupt/ });
    } else if (kind === "bad-json-line") {
      const { lines, line } = this.badLines("s3");
      const { key } = this.putExport(this.exportKey("s3", `soak-badline-${crypto.randomUUID()}`), lines);
      dl("s3 object: a bad JSON line among good ones", key, { line, stages: ["decode"], reason: /./, contains: "soak-broken-json" });
    } else if (kind === "rejected") {
      const lines = this.goodLines("s3", 4);
      const bad = this.rejectedFinding("s3");
      lines.splice(2, 0, JSON.stringify(bad));
      const { key } = this.putExport(this.exportKey("s3", `soak-rejected-${crypto.randomUUID()}`), lines);
      dl("s3 object: a row the workspace refuses (400)", key, { line: 3, stages: ["sink"], reason: /HTTP 400|InvalidContent/, contains: bad.id });
    } else if (kind === "oversize") {
      const lines = this.goodLines("s3", 2);
      const big = this.finding("s3");
      big.description = "x".repeat(1_100_000);
      lines.push(JSON.stringify(big));
      const { key } = this.putExport(this.exportKey("s3", `soak-oversize-${crypto.randomUUID()}`), lines);
      dl("s3 object: a row over the 1 MiB limit", key, { line: 3, stages: ["decode", "transform", "sink"], reason: /limit/, contains: big.id });
    }
  }

  async plantSqs(kind) {
    const dl = async (name, body, extra) => {
      const [id] = await this.send([body]);
      this.planted.push({ name, process: "sqs", unit: `sqs:${id}`, messageId: id, body, ...extra });
    };
    if (kind === "unknown-message") {
      await dl("sqs message of unknown shape", JSON.stringify({ soak: "a message gd2sentinel does not read", at: Date.now() }),
        { line: 1, stages: ["decode"], reason: /not one gd2sentinel reads/, sqsDeadLetterQueue: true });
    } else if (kind === "rejected-event") {
      const bad = this.rejectedFinding("sqs-eb");
      await dl("EventBridge finding the workspace refuses (400)", this.event(bad), { line: 1, stages: ["sink"], reason: /HTTP 400|InvalidContent/, contains: bad.id });
      this.counts.events++;
    } else if (kind === "corrupt-gzip") {
      const key = this.exportKey("sqs-s3", `soak-corrupt-${crypto.randomUUID()}`);
      const { etag } = this.standin.fauxqs.putObject(this.bucket, key, this.corruptGzip());
      this.counts.objects++;
      this.counts.notifications++;
      await dl("S3 notification of a corrupt gzip object", this.notification({ key, size: 522, etag: etag.replace(/"/g, "") }, false),
        { line: 1, stages: ["decode"], reason: /gzip data is corrupt/ });
    } else if (kind === "bad-json-line") {
      const { lines, line } = this.badLines("sqs-s3");
      const object = this.putExport(this.exportKey("sqs-s3", `soak-badline-${crypto.randomUUID()}`), lines);
      this.counts.notifications++;
      await dl("S3 notification of an object with a bad JSON line", this.notification(object, true),
        { line, stages: ["decode"], reason: /./, contains: "soak-broken-json" });
    } else if (kind === "harmless") {
      // Inputs that deserve no dead letter: a test event, another GuardDuty detail-type, an
      // object deleted before it was read.
      const bodies = [
        JSON.stringify({ Service: "Amazon S3", Event: "s3:TestEvent", Time: new Date().toISOString(), Bucket: this.bucket }),
        this.event(this.finding("sqs-eb"), "GuardDuty Malware Protection Object Scan Result"),
        this.notification({ key: this.exportKey("sqs-s3", "soak-never-written"), size: 10, etag: "0".repeat(32) }, false),
      ];
      const ids = await this.send(bodies);
      this.harmless.push(...ids.map((id) => `sqs:${id}`));
      this.counts.notifications++;
    }
  }
}

export const S3_PLANTS = ["corrupt-gzip", "bad-json-line", "rejected", "oversize"];
export const SQS_PLANTS = ["unknown-message", "rejected-event", "corrupt-gzip", "bad-json-line", "harmless"];
