// The demo's AWS side: starts the S3/SQS stand-in (fauxqs behind the SigV4-checking proxy) on
// 127.0.0.1, puts every object under examples/AWSLogs into a bucket with the same keys — the
// layout GuardDuty's S3 export writes — prints one JSON line with the endpoint, bucket and
// credentials to use, and runs until SIGTERM or SIGINT.
//
//   node tools/demo/s3-exports.mjs [--bucket NAME] [--examples DIR] [--queue NAME]
//
// With --queue it also creates that queue and fills it the way AWS would: an S3 event
// notification for every export object (keys form-encoded, as S3 writes them) and an
// EventBridge "GuardDuty Finding" event for every finding in examples/src, so the SQS path sees
// every finding both ways.

import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { startStandin, DEFAULT_CREDENTIALS } from "../aws-standin/standin.mjs";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && args[i + 1] ? args[i + 1] : fallback;
};
const bucket = option("--bucket", "guardduty-demo");
const examples = path.resolve(option("--examples", path.join(root, "examples")));

function* files(dir) {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) yield* files(full);
    else if (entry.isFile()) yield full;
  }
}

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
const standin = await startStandin({ log: false });
standin.fauxqs.createBucket(bucket);
let objects = 0;
for (const file of files(path.join(examples, "AWSLogs"))) {
  const key = path.relative(examples, file).split(path.sep).join("/");
  standin.fauxqs.putObject(bucket, key, fs.readFileSync(file), "application/octet-stream");
  objects++;
}
// The AWS side's own writes (S3 and EventBridge delivering to the queue) go to fauxqs directly:
// they are not gd2sentinel's requests, so they need no signature check.
async function sendAll(queueUrl, bodies) {
  for (let i = 0; i < bodies.length; i += 10) {
    const entries = bodies.slice(i, i + 10).map((body, n) => ({ Id: `m${i + n}`, MessageBody: body }));
    const response = await fetch(standin.fauxqsEndpoint + "/", {
      method: "POST",
      headers: { "Content-Type": "application/x-amz-json-1.0", "X-Amz-Target": "AmazonSQS.SendMessageBatch" },
      body: JSON.stringify({ QueueUrl: queueUrl, Entries: entries }),
    });
    if (!response.ok) throw new Error(`SendMessageBatch: HTTP ${response.status} ${await response.text()}`);
  }
}

const formEncode = (key) => encodeURIComponent(key).replace(/%2F/g, "/").replace(/%20/g, "+");
let queueUrl;
let messages = 0;
const queueName = option("--queue", "");
if (queueName) {
  // With a dead-letter queue behind it, as docs/aws-setup.md sets one up.
  const { queueArn: dlqArn } = standin.fauxqs.createQueue(`${queueName}-dlq`);
  ({ queueUrl } = standin.fauxqs.createQueue(queueName, {
    attributes: {
      VisibilityTimeout: "30",
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: 5 }),
    },
  }));
  const bodies = [];
  for (const file of files(path.join(examples, "AWSLogs"))) {
    const key = path.relative(examples, file).split(path.sep).join("/");
    bodies.push(JSON.stringify({
      Records: [{
        eventVersion: "2.1", eventSource: "aws:s3", awsRegion: standin.region,
        eventTime: new Date().toISOString(), eventName: "ObjectCreated:Put",
        s3: { s3SchemaVersion: "1.0", bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
              object: { key: formEncode(key), size: fs.statSync(file).size } },
      }],
    }));
  }
  for (const file of files(path.join(examples, "src"))) {
    if (!file.endsWith(".json")) continue;
    const finding = JSON.parse(fs.readFileSync(file, "utf8"));
    bodies.push(JSON.stringify({
      version: "0", id: crypto.randomUUID(), "detail-type": "GuardDuty Finding", source: "aws.guardduty",
      account: finding.accountId, time: finding.updatedAt, region: finding.region, resources: [], detail: finding,
    }));
  }
  await sendAll(queueUrl, bodies);
  messages = bodies.length;
}

const credentials = DEFAULT_CREDENTIALS[0];
process.stdout.write(
  JSON.stringify({
    endpoint: standin.endpoint,
    region: standin.region,
    bucket,
    objects,
    queueUrl,
    messages,
    accessKeyId: credentials.accessKeyId,
    secretAccessKey: credentials.secretAccessKey,
  }) + "\n",
);
const stop = async () => {
  await standin.close();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
