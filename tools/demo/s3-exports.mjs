// The demo's AWS side: starts the S3/SQS stand-in (fauxqs behind the SigV4-checking proxy) on
// 127.0.0.1, puts every object under examples/AWSLogs into a bucket with the same keys — the
// layout GuardDuty's S3 export writes — prints one JSON line with the endpoint, bucket and
// credentials to use, and runs until SIGTERM or SIGINT.
//
//   node tools/demo/s3-exports.mjs [--bucket NAME] [--examples DIR]

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
const credentials = DEFAULT_CREDENTIALS[0];
process.stdout.write(
  JSON.stringify({
    endpoint: standin.endpoint,
    region: standin.region,
    bucket,
    objects,
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
