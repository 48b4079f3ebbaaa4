// SigV4 checking: what passes, what is refused, and in which format.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  startStandin,
  DEFAULT_CREDENTIALS,
  s3Client,
  sqsClient,
  signRequest,
  sendSigned,
  httpRequest,
  parseXmlError,
} from "../testing.mjs";
import { CreateBucketCommand, PutObjectCommand, GetObjectCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";
import { CreateQueueCommand, SendMessageCommand, ListQueuesCommand } from "@aws-sdk/client-sqs";

const GOOD = { ...DEFAULT_CREDENTIALS[0] };
const TEMP = { accessKeyId: "ASIASTANDINTEMP00001", secretAccessKey: "temp/secret/for/tests", sessionToken: "session-token-for-tests" };
const WRONG_SECRET = { accessKeyId: GOOD.accessKeyId, secretAccessKey: "not-the-secret" };
const UNKNOWN = { accessKeyId: "AKIDUNKNOWN000000000", secretAccessKey: "whatever" };

let standin;
let queueUrl;

before(async () => {
  standin = await startStandin({ credentials: [GOOD, TEMP] });
  standin.fauxqs.createBucket("auth-bucket");
  queueUrl = standin.fauxqs.createQueue("auth-queue").queueUrl;
});
after(async () => {
  await standin?.close();
});

async function sdkError(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail("expected the call to fail");
}

function jsonBody(r) {
  return JSON.parse(r.body.toString("utf8"));
}

test("requests signed by @aws-sdk/client-s3 pass and reach fauxqs", async () => {
  const s3 = s3Client(standin, GOOD);
  await s3.send(new CreateBucketCommand({ Bucket: "sdk-bucket" }));
  await s3.send(new PutObjectCommand({ Bucket: "sdk-bucket", Key: "dir/a b+c=d é.json", Body: '{"x":1}' }));
  const got = await s3.send(new GetObjectCommand({ Bucket: "sdk-bucket", Key: "dir/a b+c=d é.json" }));
  assert.equal(await got.Body.transformToString(), '{"x":1}');
  const list = await s3.send(new ListObjectsV2Command({ Bucket: "sdk-bucket", Prefix: "dir/" }));
  assert.deepEqual(list.Contents.map((c) => c.Key), ["dir/a b+c=d é.json"]);
  const log = standin.requests().filter((e) => e.path.startsWith("/sdk-bucket"));
  assert.ok(log.length >= 4);
  assert.ok(log.every((e) => e.signatureValid === true && e.accessKeyId === GOOD.accessKeyId));
});

test("requests signed by @aws-sdk/client-sqs pass and reach fauxqs", async () => {
  const sqs = sqsClient(standin, GOOD);
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "sdk-queue" }));
  assert.match(QueueUrl, new RegExp(`^${standin.endpoint}/000000000000/sdk-queue$`));
  const sent = await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "hello" }));
  assert.ok(sent.MessageId);
  const queues = await sqs.send(new ListQueuesCommand({}));
  assert.ok(queues.QueueUrls.includes(QueueUrl));
});

test("temporary credentials with a signed session token pass (S3 and SQS)", async () => {
  await s3Client(standin, TEMP).send(new ListObjectsV2Command({ Bucket: "auth-bucket" }));
  await sqsClient(standin, TEMP).send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "t" }));
});

test("wrong secret: S3 answers 403 SignatureDoesNotMatch in XML with the expected canonical request", async () => {
  const err = await sdkError(s3Client(standin, WRONG_SECRET).send(new ListObjectsV2Command({ Bucket: "auth-bucket", Prefix: "p" })));
  assert.equal(err.name, "SignatureDoesNotMatch");
  assert.equal(err.$metadata.httpStatusCode, 403);

  const signed = await signRequest(standin, { credentials: WRONG_SECRET, path: "/auth-bucket", query: { "list-type": "2", prefix: "p" } });
  const r = await sendSigned(signed);
  assert.equal(r.status, 403);
  assert.equal(r.headers["content-type"], "application/xml");
  const e = parseXmlError(r.body);
  assert.equal(e.Code, "SignatureDoesNotMatch");
  assert.equal(e.AWSAccessKeyId, GOOD.accessKeyId);
  assert.match(e.CanonicalRequest, /^GET\n\/auth-bucket\nlist-type=2&amp;prefix=p\n/);
  assert.match(e.StringToSign, /^AWS4-HMAC-SHA256\n\d{8}T\d{6}Z\n\d{8}\/us-east-1\/s3\/aws4_request\n[0-9a-f]{64}$/);
  assert.ok(e.RequestId);
});

test("wrong secret: SQS answers 403 in the JSON protocol format with x-amzn-query-error", async () => {
  const err = await sdkError(sqsClient(standin, WRONG_SECRET).send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "x" })));
  assert.equal(err.name, "SignatureDoesNotMatch");
  assert.equal(err.$metadata.httpStatusCode, 403);

  const body = JSON.stringify({ QueueUrl: queueUrl, MessageBody: "x" });
  const signed = await signRequest(standin, {
    service: "sqs",
    method: "POST",
    credentials: WRONG_SECRET,
    headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.SendMessage" },
    body,
  });
  const r = await sendSigned(signed);
  assert.equal(r.status, 403);
  assert.equal(r.headers["content-type"], "application/x-amz-json-1.0");
  assert.equal(r.headers["x-amzn-query-error"], "SignatureDoesNotMatch;Sender");
  assert.ok(r.headers["x-amzn-requestid"]);
  const j = jsonBody(r);
  assert.equal(j.__type, "com.amazon.coral.service#SignatureDoesNotMatch");
  assert.match(j.message, /The Canonical String for this request should have been\n'POST\n\/\n\n/);
  assert.match(j.message, /x-amz-target:AmazonSQS.SendMessage/);
  // Nothing was delivered.
  assert.equal(standin.fauxqs.inspectQueue("auth-queue").messages.ready.every((m) => m.body !== "x"), true);
});

test("a tampered signed header is refused", async () => {
  const signed = await signRequest(standin, {
    credentials: GOOD,
    method: "PUT",
    path: "/auth-bucket/tampered-header",
    headers: { "x-amz-meta-owner": "alice" },
    body: "data",
  });
  signed.headers["x-amz-meta-owner"] = "mallory";
  const r = await sendSigned(signed);
  assert.equal(r.status, 403);
  assert.equal(parseXmlError(r.body).Code, "SignatureDoesNotMatch");
  assert.throws(() => standin.fauxqs.s3Store.getObject("auth-bucket", "tampered-header"), /does not exist/);
});

test("a tampered query is refused", async () => {
  const signed = await signRequest(standin, { credentials: GOOD, path: "/auth-bucket", query: { "list-type": "2", prefix: "a" } });
  const ok = await sendSigned(signed);
  assert.equal(ok.status, 200);
  signed.url = signed.url.replace("prefix=a", "prefix=b");
  const r = await sendSigned(signed);
  assert.equal(r.status, 403);
  const e = parseXmlError(r.body);
  assert.equal(e.Code, "SignatureDoesNotMatch");
  assert.match(e.CanonicalRequest, /prefix=b/);
});

test("a tampered body is refused: S3 (x-amz-content-sha256) and SQS (payload hash)", async () => {
  const s3signed = await signRequest(standin, { credentials: GOOD, method: "PUT", path: "/auth-bucket/tampered-body", body: "original" });
  s3signed.body = Buffer.from("replaced");
  const r1 = await sendSigned(s3signed);
  assert.equal(r1.status, 400);
  const e1 = parseXmlError(r1.body);
  assert.equal(e1.Code, "XAmzContentSHA256Mismatch");
  assert.equal(e1.ClientComputedContentSHA256, createHash("sha256").update("original").digest("hex"));
  assert.equal(e1.S3ComputedContentSHA256, createHash("sha256").update("replaced").digest("hex"));
  assert.throws(() => standin.fauxqs.s3Store.getObject("auth-bucket", "tampered-body"), /does not exist/);

  const body = JSON.stringify({ QueueUrl: queueUrl, MessageBody: "original" });
  const sqsSigned = await signRequest(standin, {
    service: "sqs",
    method: "POST",
    credentials: GOOD,
    headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.SendMessage" },
    body,
  });
  sqsSigned.body = Buffer.from(body.replace("original", "replaced"));
  const r2 = await sendSigned(sqsSigned);
  assert.equal(r2.status, 403);
  assert.equal(r2.headers["x-amzn-query-error"], "SignatureDoesNotMatch;Sender");
  const inflight = standin.fauxqs.inspectQueue("auth-queue").messages;
  assert.ok(![...inflight.ready, ...inflight.delayed].some((m) => m.body === "replaced"));
});

test("S3 requires x-amz-* headers to be signed and x-amz-content-sha256 to be present", async () => {
  const signed = await signRequest(standin, { credentials: GOOD, method: "PUT", path: "/auth-bucket/unsigned-meta", body: "d" });
  signed.headers["x-amz-meta-added"] = "after-signing";
  const r = await sendSigned(signed);
  assert.equal(r.status, 403);
  const e = parseXmlError(r.body);
  assert.equal(e.Code, "AccessDenied");
  assert.equal(e.HeadersNotSigned, "x-amz-meta-added");

  const noSha = await signRequest(standin, { credentials: GOOD, path: "/auth-bucket", query: { "list-type": "2" } });
  delete noSha.headers["x-amz-content-sha256"];
  const r2 = await sendSigned(noSha);
  assert.equal(r2.status, 400);
  assert.equal(parseXmlError(r2.body).Code, "InvalidRequest");
});

test("unknown access key: 403 InvalidAccessKeyId (S3) / InvalidClientTokenId (SQS)", async () => {
  const e1 = await sdkError(s3Client(standin, UNKNOWN).send(new ListObjectsV2Command({ Bucket: "auth-bucket" })));
  assert.equal(e1.name, "InvalidAccessKeyId");
  assert.equal(e1.$metadata.httpStatusCode, 403);
  const e2 = await sdkError(sqsClient(standin, UNKNOWN).send(new ListQueuesCommand({})));
  assert.equal(e2.name, "InvalidClientTokenId");
  assert.equal(e2.$metadata.httpStatusCode, 403);
});

test("missing Authorization: 403 AccessDenied (S3) / MissingAuthenticationToken (SQS)", async () => {
  const r1 = await httpRequest(`${standin.endpoint}/auth-bucket?list-type=2`);
  assert.equal(r1.status, 403);
  assert.equal(parseXmlError(r1.body).Code, "AccessDenied");
  const r2 = await httpRequest(`${standin.endpoint}/`, {
    method: "POST",
    headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.ListQueues" },
    body: "{}",
  });
  assert.equal(r2.status, 403);
  assert.equal(r2.headers["x-amzn-query-error"], "MissingAuthenticationToken;Sender");
  assert.equal(jsonBody(r2).__type, "com.amazon.coral.service#MissingAuthenticationToken");
});

test("malformed Authorization: 400 AuthorizationHeaderMalformed (S3) / IncompleteSignature (SQS)", async () => {
  const bad = "AWS4-HMAC-SHA256 Credential=AKIDSTANDIN0000000000/20260101/us-east-1, SignedHeaders=host, Signature=abc";
  const r1 = await httpRequest(`${standin.endpoint}/auth-bucket`, { headers: { authorization: bad } });
  assert.equal(r1.status, 400);
  assert.equal(parseXmlError(r1.body).Code, "AuthorizationHeaderMalformed");
  const r2 = await httpRequest(`${standin.endpoint}/`, {
    method: "POST",
    headers: { authorization: bad, "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.ListQueues" },
    body: "{}",
  });
  assert.equal(r2.status, 400);
  assert.equal(r2.headers["x-amzn-query-error"], "IncompleteSignature;Sender");
  const r3 = await httpRequest(`${standin.endpoint}/auth-bucket`, { headers: { authorization: "AWS AKID:c2lnbmF0dXJl" } });
  assert.equal(r3.status, 400);
  assert.equal(parseXmlError(r3.body).Code, "InvalidRequest");
});

test("session token: missing when required, wrong, or not signed is refused", async () => {
  const noToken = { accessKeyId: TEMP.accessKeyId, secretAccessKey: TEMP.secretAccessKey };
  const e1 = await sdkError(s3Client(standin, noToken).send(new ListObjectsV2Command({ Bucket: "auth-bucket" })));
  assert.equal(e1.name, "InvalidAccessKeyId");
  const e2 = await sdkError(sqsClient(standin, noToken).send(new ListQueuesCommand({})));
  assert.equal(e2.name, "InvalidClientTokenId");

  const wrongToken = { ...TEMP, sessionToken: "another-token" };
  const e3 = await sdkError(s3Client(standin, wrongToken).send(new ListObjectsV2Command({ Bucket: "auth-bucket" })));
  assert.equal(e3.name, "InvalidToken");
  assert.equal(e3.$metadata.httpStatusCode, 400);
  const e4 = await sdkError(sqsClient(standin, wrongToken).send(new ListQueuesCommand({})));
  assert.equal(e4.name, "InvalidClientTokenId");

  // A token on a key that has none configured.
  const e5 = await sdkError(s3Client(standin, { ...GOOD, sessionToken: "unexpected" }).send(new ListObjectsV2Command({ Bucket: "auth-bucket" })));
  assert.equal(e5.name, "InvalidToken");

  // Token added after signing (present but not a signed header).
  const s3signed = await signRequest(standin, { credentials: noToken, path: "/auth-bucket", query: { "list-type": "2" } });
  s3signed.headers["x-amz-security-token"] = TEMP.sessionToken;
  const r1 = await sendSigned(s3signed);
  assert.equal(r1.status, 403);
  const x1 = parseXmlError(r1.body);
  assert.equal(x1.Code, "AccessDenied");
  assert.equal(x1.HeadersNotSigned, "x-amz-security-token");
  const sqsSigned = await signRequest(standin, {
    service: "sqs",
    method: "POST",
    credentials: noToken,
    headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.ListQueues" },
    body: "{}",
  });
  sqsSigned.headers["x-amz-security-token"] = TEMP.sessionToken;
  const r2 = await sendSigned(sqsSigned);
  assert.equal(r2.status, 403);
  assert.equal(r2.headers["x-amzn-query-error"], "SignatureDoesNotMatch;Sender");
});

test("a request time skewed by more than 15 minutes is refused; the SDK can correct from Date", async () => {
  const skew = -20 * 60 * 1000;
  const e1 = await sdkError(s3Client(standin, GOOD, { systemClockOffset: skew }).send(new ListObjectsV2Command({ Bucket: "auth-bucket" })));
  assert.equal(e1.name, "RequestTimeTooSkewed");
  assert.equal(e1.$metadata.httpStatusCode, 403);
  const e2 = await sdkError(sqsClient(standin, GOOD, { systemClockOffset: -skew }).send(new ListQueuesCommand({})));
  assert.equal(e2.name, "SignatureDoesNotMatch");
  assert.match(e2.message, /Signature not yet current/);

  const raw = await sendSigned(await signRequest(standin, { credentials: GOOD, path: "/auth-bucket", signingDate: new Date(Date.now() + skew) }));
  const x = parseXmlError(raw.body);
  assert.equal(x.Code, "RequestTimeTooSkewed");
  assert.equal(x.MaxAllowedSkewMilliseconds, "900000");
  assert.match(x.RequestTime, /^\d{8}T\d{6}Z$/);
  assert.ok(raw.headers.date, "Date header lets clients correct their clock");

  // Within the tolerance passes.
  await s3Client(standin, GOOD, { systemClockOffset: -10 * 60 * 1000 }).send(new ListObjectsV2Command({ Bucket: "auth-bucket" }));
  // The SDK learns the server time from the error (ServerTime / Date) and its next call passes.
  const learning = s3Client(standin, GOOD, { systemClockOffset: skew });
  await sdkError(learning.send(new ListObjectsV2Command({ Bucket: "auth-bucket" })));
  await learning.send(new ListObjectsV2Command({ Bucket: "auth-bucket" }));
});

test("a credential scoped to another region or service is refused", async () => {
  const e1 = await sdkError(s3Client(standin, GOOD, { region: "eu-west-1" }).send(new ListObjectsV2Command({ Bucket: "auth-bucket" })));
  assert.equal(e1.name, "AuthorizationHeaderMalformed");
  const e2 = await sdkError(sqsClient(standin, GOOD, { region: "eu-west-1" }).send(new ListQueuesCommand({})));
  assert.equal(e2.name, "SignatureDoesNotMatch");
  const wrongService = await signRequest(standin, {
    service: "sns",
    method: "POST",
    credentials: GOOD,
    headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.ListQueues" },
    body: "{}",
  });
  const r = await sendSigned(wrongService);
  assert.equal(r.status, 403);
  assert.match(jsonBody(r).message, /scoped to correct service: 'sqs'/);
});

test("the request log records signature validity", async () => {
  standin.clearRequests();
  await s3Client(standin, GOOD).send(new ListObjectsV2Command({ Bucket: "auth-bucket" }));
  await sdkError(s3Client(standin, WRONG_SECRET).send(new ListObjectsV2Command({ Bucket: "auth-bucket" })));
  const log = standin.requests();
  assert.equal(log.length, 2);
  assert.deepEqual(
    log.map((e) => [e.operation, e.status, e.signatureValid, e.error ?? null]),
    [
      ["ListObjectsV2", 200, true, null],
      ["ListObjectsV2", 403, false, "SignatureDoesNotMatch"],
    ],
  );
});
