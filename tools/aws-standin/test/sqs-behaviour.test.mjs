// What fauxqs (behind the proxy) does for the SQS JSON-protocol calls gd2sentinel's client needs.
// These double as the capability record in README.md.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { startStandin, sqsClient, signRequest, sendSigned } from "../testing.mjs";
import {
  CreateQueueCommand,
  GetQueueUrlCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  ReceiveMessageCommand,
  DeleteMessageCommand,
  DeleteMessageBatchCommand,
  ChangeMessageVisibilityCommand,
  ChangeMessageVisibilityBatchCommand,
} from "@aws-sdk/client-sqs";

let standin;
let sqs;
let queueUrl;

before(async () => {
  standin = await startStandin();
  sqs = sqsClient(standin);
  ({ QueueUrl: queueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "findings", Attributes: { VisibilityTimeout: "30" } })));
});
after(async () => {
  await standin?.close();
});
beforeEach(() => standin.fauxqs.reset());

const md5 = (s) => createHash("md5").update(s).digest("hex");

async function receiveOne(extra = {}) {
  const r = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1, MessageSystemAttributeNames: ["ApproximateReceiveCount"], ...extra }));
  return r.Messages?.[0];
}

test("CreateQueue is idempotent, GetQueueUrl agrees, and the URL points at the proxy", async () => {
  const again = await sqs.send(new CreateQueueCommand({ QueueName: "findings", Attributes: { VisibilityTimeout: "30" } }));
  assert.equal(again.QueueUrl, queueUrl);
  assert.equal((await sqs.send(new GetQueueUrlCommand({ QueueName: "findings" }))).QueueUrl, queueUrl);
  assert.equal(queueUrl, `${standin.endpoint}/000000000000/findings`);
  await assert.rejects(
    sqs.send(new CreateQueueCommand({ QueueName: "findings", Attributes: { VisibilityTimeout: "31" } })),
    (e) => e.name === "QueueNameExists",
  );
});

test("a queue is found by account and name whatever the host of the QueueUrl", async () => {
  await sqs.send(new SendMessageCommand({ QueueUrl: "https://sqs.us-east-1.amazonaws.com/000000000000/findings", MessageBody: "m" }));
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl.replace("127.0.0.1", "localhost"), AttributeNames: ["ApproximateNumberOfMessages"] }));
  assert.equal(attrs.Attributes.ApproximateNumberOfMessages, "1");
});

test("SendMessage / ReceiveMessage: MD5s, receipt handle, system attributes", async () => {
  const body = '{"detail-type":"GuardDuty Finding"}';
  const sent = await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
  assert.equal(sent.MD5OfMessageBody, md5(body));
  const m = await receiveOne({ MessageSystemAttributeNames: ["All"] });
  assert.equal(m.Body, body);
  assert.equal(m.MD5OfBody, md5(body));
  assert.equal(m.MessageId, sent.MessageId);
  assert.ok(m.ReceiptHandle);
  assert.equal(m.Attributes.ApproximateReceiveCount, "1");
  assert.match(m.Attributes.SentTimestamp, /^\d{13}$/);
  assert.match(m.Attributes.ApproximateFirstReceiveTimestamp, /^\d{13}$/);
});

test("long polling: WaitTimeSeconds returns as soon as a message arrives, or after the wait", async () => {
  const t0 = Date.now();
  const pending = sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 5 }));
  setTimeout(() => sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "late" })), 200);
  const r = await pending;
  assert.equal(r.Messages[0].Body, "late");
  assert.ok(Date.now() - t0 < 3000);
  const t1 = Date.now();
  const empty = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 1 }));
  assert.equal(empty.Messages, undefined);
  assert.ok(Date.now() - t1 >= 900, `empty long poll took ${Date.now() - t1} ms`);
  await assert.rejects(sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 21 })), (e) => e.name === "InvalidParameterValue");
});

test("VisibilityTimeout on receive hides the message; ApproximateReceiveCount counts receives", async () => {
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "v" }));
  const first = await receiveOne({ VisibilityTimeout: 1 });
  assert.equal(first.Attributes.ApproximateReceiveCount, "1");
  assert.equal(await receiveOne({ WaitTimeSeconds: 0 }), undefined);
  await new Promise((r) => setTimeout(r, 1100));
  const second = await receiveOne();
  assert.equal(second.Attributes.ApproximateReceiveCount, "2");
  assert.notEqual(second.ReceiptHandle, first.ReceiptHandle);
});

test("ChangeMessageVisibility(Batch): reset to 0, range check, Failed[] for bad handles", async () => {
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "c" }));
  const m = await receiveOne();
  await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }));
  const again = await receiveOne();
  assert.equal(again.Attributes.ApproximateReceiveCount, "2");
  await assert.rejects(
    sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: again.ReceiptHandle, VisibilityTimeout: 43201 })),
    (e) => e.name === "InvalidParameterValue" && e.$metadata.httpStatusCode === 400,
  );
  await assert.rejects(
    sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: "not-a-handle", VisibilityTimeout: 10 })),
    (e) => e.name === "MessageNotInflight",
  );
  const batch = await sqs.send(
    new ChangeMessageVisibilityBatchCommand({
      QueueUrl: queueUrl,
      Entries: [
        { Id: "ok", ReceiptHandle: again.ReceiptHandle, VisibilityTimeout: 120 },
        { Id: "bad", ReceiptHandle: "not-a-handle", VisibilityTimeout: 10 },
      ],
    }),
  );
  assert.deepEqual(batch.Successful, [{ Id: "ok" }]);
  assert.deepEqual(batch.Failed, [{ Id: "bad", SenderFault: true, Code: "ReceiptHandleIsInvalid", Message: "The input receipt handle is invalid." }]);
});

test("DeleteMessage(Batch): deletes; fauxqs reports unknown handles as Successful, never Failed", async () => {
  for (const b of ["1", "2"]) await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: b }));
  const got = await sqs.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }));
  assert.equal(got.Messages.length, 2);
  const res = await sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: [
        { Id: "a", ReceiptHandle: got.Messages[0].ReceiptHandle },
        { Id: "b", ReceiptHandle: got.Messages[1].ReceiptHandle },
        { Id: "bogus", ReceiptHandle: "not-a-handle" },
      ],
    }),
  );
  assert.deepEqual(res.Successful.map((s) => s.Id), ["a", "b", "bogus"]);
  assert.deepEqual(res.Failed, []);
  assert.equal(standin.fauxqs.inspectQueue("findings").messages.inflight.length, 0);
  await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: "not-a-handle" }));
  await assert.rejects(
    sqs.send(new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: [{ Id: "x", ReceiptHandle: "h" }, { Id: "x", ReceiptHandle: "h" }] })),
    (e) => e.name === "BatchEntryIdsNotDistinct",
  );
});

test("a stale receipt handle deletes nothing once the message was received again", async () => {
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "s" }));
  const first = await receiveOne({ VisibilityTimeout: 1 });
  await new Promise((r) => setTimeout(r, 1100));
  const second = await receiveOne();
  await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: first.ReceiptHandle }));
  assert.equal(standin.fauxqs.inspectQueue("findings").messages.inflight.length, 1);
  await sqs.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: second.ReceiptHandle }));
  assert.equal(standin.fauxqs.inspectQueue("findings").messages.inflight.length, 0);
});

test("GetQueueAttributes: counts, ARN and attributes", async () => {
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "a" }));
  await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "b" }));
  await receiveOne();
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ["All"] }));
  assert.equal(Attributes.QueueArn, "arn:aws:sqs:us-east-1:000000000000:findings");
  assert.equal(Attributes.ApproximateNumberOfMessages, "1");
  assert.equal(Attributes.ApproximateNumberOfMessagesNotVisible, "1");
  assert.equal(Attributes.VisibilityTimeout, "30");
});

test("redrive policy: after maxReceiveCount receives the message moves to the dead-letter queue", async () => {
  const { QueueUrl: dlqUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "findings-dlq" }));
  const dlqArn = (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ["QueueArn"] }))).Attributes.QueueArn;
  const { QueueUrl: src } = await sqs.send(
    new CreateQueueCommand({ QueueName: "findings-src", Attributes: { RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlqArn, maxReceiveCount: "2" }) } }),
  );
  const attrs = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: src, AttributeNames: ["RedrivePolicy"] }));
  assert.equal(JSON.parse(attrs.Attributes.RedrivePolicy).deadLetterTargetArn, dlqArn);
  await sqs.send(new SendMessageCommand({ QueueUrl: src, MessageBody: "poison" }));
  for (let i = 1; i <= 2; i++) {
    const m = (await sqs.send(new ReceiveMessageCommand({ QueueUrl: src, WaitTimeSeconds: 1, MessageSystemAttributeNames: ["ApproximateReceiveCount"] }))).Messages[0];
    assert.equal(m.Attributes.ApproximateReceiveCount, String(i));
    await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: src, ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: 0 }));
  }
  const third = await sqs.send(new ReceiveMessageCommand({ QueueUrl: src, WaitTimeSeconds: 0 }));
  assert.equal(third.Messages, undefined, "the third receive moves it instead of returning it");
  const dead = await sqs.send(new ReceiveMessageCommand({ QueueUrl: dlqUrl, WaitTimeSeconds: 1, MessageSystemAttributeNames: ["All"] }));
  assert.equal(dead.Messages[0].Body, "poison");
  // fauxqs carries the receive count over into the DLQ (and counts on).
  assert.equal(dead.Messages[0].Attributes.ApproximateReceiveCount, "4");
  assert.equal(dead.Messages[0].Attributes.DeadLetterQueueSourceArn, undefined, "not provided by fauxqs");
});

test("errors: QueueDoesNotExist with the legacy query code header", async () => {
  await assert.rejects(
    sqs.send(new ReceiveMessageCommand({ QueueUrl: `${standin.endpoint}/000000000000/nope` })),
    (e) => e.name === "QueueDoesNotExist" && e.$metadata.httpStatusCode === 400,
  );
  const r = await sendSigned(
    await signRequest(standin, {
      service: "sqs",
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.GetQueueUrl" },
      body: JSON.stringify({ QueueName: "nope" }),
    }),
  );
  assert.equal(r.status, 400);
  assert.equal(r.headers["x-amzn-query-error"], "AWS.SimpleQueueService.NonExistentQueue;Sender");
  assert.equal(JSON.parse(r.body).__type, "com.amazonaws.sqs#QueueDoesNotExist");
  const bad = await sendSigned(
    await signRequest(standin, {
      service: "sqs",
      method: "POST",
      headers: { "content-type": "application/x-amz-json-1.0", "x-amz-target": "AmazonSQS.ReceiveMessage" },
      body: JSON.stringify({ QueueUrl: queueUrl, MaxNumberOfMessages: 11 }),
    }),
  );
  assert.equal(bad.status, 400);
  assert.equal(bad.headers["x-amzn-query-error"], "InvalidParameterValue;Sender", "the proxy drops fauxqs's wrong AWS.SimpleQueueService. prefix");
});
