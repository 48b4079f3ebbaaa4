// Fault injection, deny rules and the admin API.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import {
  startStandin,
  DEFAULT_CREDENTIALS,
  s3Client,
  sqsClient,
  signRequest,
  sendSigned,
  httpRequest,
  admin,
} from "../testing.mjs";
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from "@aws-sdk/client-s3";
import {
  SendMessageCommand,
  ReceiveMessageCommand,
  DeleteMessageBatchCommand,
  GetQueueAttributesCommand,
} from "@aws-sdk/client-sqs";

const GOOD = { ...DEFAULT_CREDENTIALS[0] };
const READER = { accessKeyId: "AKIDSTANDINREADER000", secretAccessKey: "reader/secret/for/tests" };
const BIG = Buffer.alloc(10_000, "abcdefghij");

let standin;
let queueUrl;

before(async () => {
  standin = await startStandin({ credentials: [GOOD, READER] });
  standin.fauxqs.createBucket("fault-bucket");
  standin.fauxqs.putObject("fault-bucket", "big.bin", BIG);
  standin.fauxqs.putObject("fault-bucket", "small.txt", "small");
  queueUrl = standin.fauxqs.createQueue("fault-queue").queueUrl;
});
after(async () => {
  await standin?.close();
});
beforeEach(() => {
  standin.clearFaults();
  standin.fauxqs.reset(); // messages and objects; queues and buckets stay
  standin.fauxqs.putObject("fault-bucket", "big.bin", BIG);
  standin.fauxqs.putObject("fault-bucket", "small.txt", "small");
  standin.clearRequests();
});

async function sdkError(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail("expected the call to fail");
}

async function signedGet(key, extra = {}) {
  return sendSigned(await signRequest(standin, { credentials: GOOD, path: `/fault-bucket/${key}`, ...extra }));
}

test("status fault: applies `times` times, in the service's error format, then stops", async () => {
  const added = await admin(standin, "POST", "faults", { method: "GET", path: "^/fault-bucket/small\\.txt$", action: "status", status: 503, times: 2 });
  assert.equal(added.status, 201);
  assert.equal(added.json.remaining, 2);
  const s3 = s3Client(standin, GOOD);
  for (let i = 0; i < 2; i++) {
    const e = await sdkError(s3.send(new GetObjectCommand({ Bucket: "fault-bucket", Key: "small.txt" })));
    assert.equal(e.name, "SlowDown");
    assert.equal(e.$metadata.httpStatusCode, 503);
  }
  const ok = await s3.send(new GetObjectCommand({ Bucket: "fault-bucket", Key: "small.txt" }));
  assert.equal(await ok.Body.transformToString(), "small");
  const faults = await admin(standin, "GET", "faults");
  assert.equal(faults.json[0].remaining, 0);
  assert.equal(faults.json[0].applied, 2);
  assert.deepEqual(standin.requests().map((e) => [e.status, e.fault ?? null]), [
    [503, "status"],
    [503, "status"],
    [200, null],
  ]);
});

test("status fault: the SDK's retry recovers from a single 503", async () => {
  standin.addFault({ method: "GET", path: "small\\.txt", action: "status", status: 503, times: 1 });
  const s3 = s3Client(standin, GOOD, { maxAttempts: 3, retryStrategy: undefined });
  const ok = await s3.send(new GetObjectCommand({ Bucket: "fault-bucket", Key: "small.txt" }));
  assert.equal(await ok.Body.transformToString(), "small");
  assert.deepEqual(standin.requests().map((e) => e.status), [503, 200]);
});

test("status fault: custom body and headers are sent verbatim", async () => {
  standin.addFault({ path: "small", action: "status", status: 500, body: "<oops/>", headers: { "x-injected": "yes", "retry-after": "1" } });
  const r = await signedGet("small.txt");
  assert.equal(r.status, 500);
  assert.equal(r.body.toString(), "<oops/>");
  assert.equal(r.headers["x-injected"], "yes");
  assert.equal(r.headers["retry-after"], "1");
});

test("status fault on SQS: JSON error with x-amzn-query-error, matched by operation", async () => {
  standin.addFault({ operation: "^ReceiveMessage$", action: "status", status: 500, times: 1 });
  const sqs = sqsClient(standin, GOOD);
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "m" })); // not matched
  const e = await sdkError(sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl })));
  assert.equal(e.name, "InternalError");
  assert.equal(e.$metadata.httpStatusCode, 500);
  const log = standin.requests();
  assert.deepEqual(log.map((x) => [x.operation, x.status]), [
    ["SendMessage", 200],
    ["ReceiveMessage", 500],
  ]);
  const body = JSON.stringify({ QueueUrl: queueUrl });
  standin.addFault({ operation: "ReceiveMessage", action: "status", status: 503, code: "RequestThrottled", times: 1 });
  const r = await sendSigned(
    await signRequest(standin, {
      service: "sqs",
      method: "POST",
      credentials: GOOD,
      headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.ReceiveMessage" },
      body,
    }),
  );
  assert.equal(r.status, 503);
  assert.equal(r.headers["x-amzn-query-error"], "RequestThrottled;Receiver");
  assert.equal(JSON.parse(r.body).__type, "com.amazon.coral.service#RequestThrottled");
});

test("truncate-body: a well-formed response whose body is cut (Content-Length rewritten)", async () => {
  standin.addFault({ method: "GET", path: "big\\.bin", action: "truncate-body", afterBytes: 1000 });
  const r = await signedGet("big.bin");
  assert.equal(r.status, 200);
  assert.equal(r.headers["content-length"], "1000");
  assert.equal(r.complete, true);
  assert.deepEqual(r.body, BIG.subarray(0, 1000));
});

test("close-mid-body: the connection is dropped after afterBytes bytes", async () => {
  standin.addFault({ method: "GET", path: "big\\.bin", action: "close-mid-body", afterBytes: 1000, times: 1 });
  const r = await signedGet("big.bin");
  assert.equal(r.status, 200);
  assert.equal(r.headers["content-length"], String(BIG.length));
  assert.equal(r.complete, false);
  assert.equal(r.body.length, 1000);
  assert.deepEqual(r.body, BIG.subarray(0, 1000));
  // The SDK sees the failure while reading the body.
  standin.addFault({ method: "GET", path: "big\\.bin", action: "close-mid-body", afterBytes: 10, times: 1 });
  const got = await s3Client(standin, GOOD).send(new GetObjectCommand({ Bucket: "fault-bucket", Key: "big.bin" }));
  await assert.rejects(got.Body.transformToByteArray());
  // Range resume from the break point works against the unfaulted object.
  const rest = await s3Client(standin, GOOD).send(new GetObjectCommand({ Bucket: "fault-bucket", Key: "big.bin", Range: "bytes=1000-" }));
  assert.equal(Buffer.from(await rest.Body.transformToByteArray()).length, BIG.length - 1000);
});

test("delay: the response is held back delayMs", async () => {
  standin.addFault({ path: "small", action: "delay", delayMs: 300, times: 1 });
  const t0 = Date.now();
  const r = await signedGet("small.txt");
  assert.equal(r.status, 200);
  assert.ok(Date.now() - t0 >= 290, `took ${Date.now() - t0} ms`);
  await signedGet("small.txt");
  assert.deepEqual(standin.requests().map((e) => e.fault ?? null), ["delay", null], "times: 1 delays only the first");
});

test("deny: a credential is refused an operation (S3 XML AccessDenied), others still work", async () => {
  const rule = await admin(standin, "POST", "faults", { action: "deny", accessKeyId: READER.accessKeyId, method: "PUT", path: "^/fault-bucket/" });
  assert.equal(rule.status, 201);
  const e = await sdkError(s3Client(standin, READER).send(new PutObjectCommand({ Bucket: "fault-bucket", Key: "nope", Body: "x" })));
  assert.equal(e.name, "AccessDenied");
  assert.equal(e.$metadata.httpStatusCode, 403);
  assert.throws(() => standin.fauxqs.s3Store.getObject("fault-bucket", "nope"), /does not exist/);
  await s3Client(standin, READER).send(new ListObjectsV2Command({ Bucket: "fault-bucket" }));
  await s3Client(standin, GOOD).send(new PutObjectCommand({ Bucket: "fault-bucket", Key: "yes", Body: "x" }));
});

test("deny on SQS: JSON AccessDenied naming the queue", async () => {
  standin.addFault({ action: "deny", accessKeyId: READER.accessKeyId, operation: "^DeleteMessage" });
  const sqs = sqsClient(standin, READER);
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "deny-me" }));
  const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }));
  const e = await sdkError(
    sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: [{ Id: "0", ReceiptHandle: got.Messages[0].ReceiptHandle }] })),
  );
  assert.equal(e.name, "AccessDenied");
  assert.equal(e.$metadata.httpStatusCode, 403);
  assert.match(e.message, /fault-queue is denied/);
  // the message was not deleted
  assert.equal(standin.fauxqs.inspectQueue("fault-queue").messages.inflight.length, 1);
});

test("fail-entries: chosen batch entries come back in Failed[] and are not forwarded", async () => {
  const sqs = sqsClient(standin, GOOD);
  for (const b of ["a", "b", "c"]) await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: b }));
  const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
  assert.equal(got.Messages.length, 3);
  standin.addFault({ operation: "DeleteMessageBatch", action: "fail-entries", entryIds: ["1"], code: "InternalError", times: 1 });
  const res = await sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: got.Messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
    }),
  );
  assert.deepEqual(res.Successful.map((s) => s.Id).sort(), ["0", "2"]);
  assert.deepEqual(res.Failed, [{ Id: "1", SenderFault: false, Code: "InternalError", Message: "Injected batch entry failure" }]);
  const q = standin.fauxqs.inspectQueue("fault-queue");
  assert.equal(q.messages.inflight.length, 1);
  assert.equal(q.messages.inflight[0].message.body, got.Messages[1].Body);
});

test("faults are not consumed by requests with a bad signature", async () => {
  standin.addFault({ path: "small", action: "status", status: 503, times: 1 });
  const e = await sdkError(
    s3Client(standin, { ...GOOD, secretAccessKey: "wrong" }).send(new GetObjectCommand({ Bucket: "fault-bucket", Key: "small.txt" })),
  );
  assert.equal(e.name, "SignatureDoesNotMatch");
  assert.equal(standin.faults()[0].remaining, 1);
});

test("admin API: list, delete one, clear, validation, request log", async () => {
  const a = await admin(standin, "POST", "faults", [
    { path: "x", action: "delay", delayMs: 1 },
    { path: "y", action: "status", status: 500 },
  ]);
  assert.equal(a.status, 201);
  assert.equal(a.json.length, 2);
  const bad = await admin(standin, "POST", "faults", { action: "explode" });
  assert.equal(bad.status, 400);
  assert.match(bad.json.error, /action must be one of/);
  const badRx = await admin(standin, "POST", "faults", { action: "status", path: "(" });
  assert.equal(badRx.status, 400);
  assert.equal((await admin(standin, "DELETE", `faults/${a.json[0].id}`)).status, 200);
  assert.deepEqual((await admin(standin, "GET", "faults")).json.map((r) => r.path), ["y"]);
  assert.equal((await admin(standin, "DELETE", "faults")).status, 200);
  assert.deepEqual((await admin(standin, "GET", "faults")).json, []);

  await signedGet("small.txt", { query: { "x-id": "GetObject" } });
  await httpRequest(`${standin.endpoint}/fault-bucket/small.txt`);
  const log = await admin(standin, "GET", "requests");
  assert.equal(log.status, 200);
  assert.deepEqual(
    log.json.map((e) => ({ method: e.method, path: e.path, query: e.query, status: e.status, signatureValid: e.signatureValid })),
    [
      { method: "GET", path: "/fault-bucket/small.txt", query: "x-id=GetObject", status: 200, signatureValid: true },
      { method: "GET", path: "/fault-bucket/small.txt", query: "", status: 403, signatureValid: false },
    ],
  );
  assert.equal((await admin(standin, "DELETE", "requests")).status, 200);
  assert.deepEqual((await admin(standin, "GET", "requests")).json, []);
  assert.equal((await admin(standin, "GET", "health")).json.ok, true);
});

test("admin routes are never signed and never logged", async () => {
  await admin(standin, "GET", "faults");
  assert.deepEqual(standin.requests(), []);
  const unknown = await admin(standin, "GET", "nope");
  assert.equal(unknown.status, 404);
});

test("faults apply to GetQueueAttributes via the SDK as well (no retries)", async () => {
  standin.addFault({ operation: "GetQueueAttributes", action: "status", status: 400, code: "InvalidAttributeName", message: "bad attr", times: 1 });
  const e = await sdkError(sqsClient(standin, GOOD).send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["All"] })));
  assert.equal(e.name, "InvalidAttributeName");
  assert.equal(e.message, "bad attr");
  await sqsClient(standin, GOOD).send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["All"] }));
});
