// What fauxqs (behind the proxy) does for the S3 calls gd2sentinel's client needs.
// These double as the capability record in README.md; a failure after a fauxqs upgrade means the
// README's findings need another look.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { Readable } from "node:stream";
import {
  startStandin,
  s3Client,
  signRequest,
  sendSigned,
  parseXmlError,
  compareUtf8,
  admin,
} from "../testing.mjs";
import {
  CreateBucketCommand,
  PutObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  paginateListObjectsV2,
} from "@aws-sdk/client-s3";

const AWKWARD_KEYS = [
  "AWSLogs/123456789012/GuardDuty/us-east-1/2026/01/02/abc def.jsonl.gz",
  "k/a b",
  "k/a+b",
  "k/a=b",
  "k/a%20b",
  "k/é/ü",
  "k/日本語",
  "k/emoji-😀",
  "k/private-\uE000",
  "k/tilde~star*",
  "k/Upper",
  "k/lower",
  "k/_under",
  "k/double//slash",
  "k/dot/./segment",
];

let standin;
let s3;

before(async () => {
  standin = await startStandin();
  s3 = s3Client(standin);
  await s3.send(new CreateBucketCommand({ Bucket: "behave" }));
});
after(async () => {
  await standin?.close();
});

async function raw(path, query = {}, headers = {}) {
  return sendSigned(await signRequest(standin, { path, query, headers }));
}

test("CreateBucket is idempotent; PutObject/GetObject round-trip awkward keys through the SDK", async () => {
  await s3.send(new CreateBucketCommand({ Bucket: "behave" }));
  for (const key of AWKWARD_KEYS) {
    await s3.send(new PutObjectCommand({ Bucket: "behave", Key: key, Body: `body of ${key}` }));
  }
  for (const key of AWKWARD_KEYS) {
    const got = await s3.send(new GetObjectCommand({ Bucket: "behave", Key: key }));
    assert.equal(await got.Body.transformToString(), `body of ${key}`, key);
  }
  const listed = [];
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: "behave" })) {
    listed.push(...(page.Contents ?? []).map((c) => c.Key));
  }
  assert.deepEqual(listed, [...AWKWARD_KEYS].sort(compareUtf8), "keys come back unchanged, in UTF-8 binary order");
});

test("PutObject with a streamed body (aws-chunked, unsigned trailer) passes the proxy", async () => {
  const body = Buffer.alloc(200_000, "x");
  await s3.send(
    new PutObjectCommand({ Bucket: "behave", Key: "streamed.bin", Body: Readable.from([body.subarray(0, 100_000), body.subarray(100_000)]), ContentLength: body.length }),
  );
  const got = await s3.send(new GetObjectCommand({ Bucket: "behave", Key: "streamed.bin" }));
  assert.deepEqual(Buffer.from(await got.Body.transformToByteArray()), body);
});

test("ListObjectsV2: prefix, delimiter, start-after, max-keys, KeyCount, continuation", async () => {
  const r = await s3.send(new ListObjectsV2Command({ Bucket: "behave", Prefix: "k/", Delimiter: "/", StartAfter: "k/a b", MaxKeys: 4 }));
  assert.equal(r.Prefix, "k/");
  assert.equal(r.Delimiter, "/");
  assert.equal(r.StartAfter, "k/a b");
  assert.equal(r.MaxKeys, 4);
  assert.equal(r.KeyCount, 4);
  assert.equal(r.IsTruncated, true);
  assert.ok(r.NextContinuationToken);
  // "k/Upper" and "k/_under" sort before "k/a b" in byte order, so start-after skips them.
  assert.deepEqual(r.Contents.map((c) => c.Key), ["k/a%20b", "k/a+b", "k/a=b"]);
  assert.deepEqual(r.CommonPrefixes.map((p) => p.Prefix), ["k/dot/"]);
  const next = await s3.send(new ListObjectsV2Command({ Bucket: "behave", Prefix: "k/", Delimiter: "/", MaxKeys: 4, ContinuationToken: r.NextContinuationToken }));
  assert.equal(next.ContinuationToken, r.NextContinuationToken);
  assert.deepEqual(next.CommonPrefixes.map((p) => p.Prefix), ["k/double/"]);
  assert.deepEqual(next.Contents.map((c) => c.Key), ["k/emoji-😀", "k/lower", "k/private-\uE000"]);
  const last = await s3.send(new ListObjectsV2Command({ Bucket: "behave", Prefix: "k/", Delimiter: "/", ContinuationToken: next.NextContinuationToken }));
  assert.equal(last.IsTruncated, false);
  assert.equal(last.NextContinuationToken, undefined);
  assert.deepEqual(last.Contents.map((c) => c.Key), ["k/tilde~star*", "k/日本語"]);
  assert.deepEqual(last.CommonPrefixes.map((p) => p.Prefix), ["k/é/"]);
});

test("ListObjectsV2 paginates over 2,600 objects in UTF-8 binary order without loss or repeats", async () => {
  const keys = [];
  for (let i = 0; i < 2600; i++) {
    const day = String(1 + (i % 28)).padStart(2, "0");
    const k = `AWSLogs/123456789012/GuardDuty/us-east-1/2026/02/${day}/${i % 3 === 0 ? "A" : i % 3 === 1 ? "b" : "é"}-${i.toString(36)}.jsonl.gz`;
    keys.push(k);
    standin.fauxqs.putObject("behave", k, "{}");
  }
  keys.sort(compareUtf8);
  standin.clearRequests();
  const listed = [];
  let pages = 0;
  for await (const page of paginateListObjectsV2({ client: s3 }, { Bucket: "behave", Prefix: "AWSLogs/123456789012/GuardDuty/us-east-1/2026/02/" })) {
    pages++;
    listed.push(...page.Contents.map((c) => c.Key));
  }
  assert.equal(pages, 3);
  assert.equal(listed.length, 2600);
  assert.deepEqual(listed, keys);
  assert.equal(standin.requests().filter((e) => e.operation === "ListObjectsV2").length, 3);

  // start-after is a valid checkpoint.
  const checkpoint = keys[1234];
  const resumed = [];
  for await (const page of paginateListObjectsV2({ client: s3, pageSize: 700 }, { Bucket: "behave", Prefix: "AWSLogs/123456789012/GuardDuty/us-east-1/2026/02/", StartAfter: checkpoint })) {
    resumed.push(...page.Contents.map((c) => c.Key));
  }
  assert.deepEqual(resumed, keys.slice(1235));

  // max-keys above 1,000 is capped at 1,000 as on S3.
  const big = await s3.send(new ListObjectsV2Command({ Bucket: "behave", Prefix: "AWSLogs/123456789012/GuardDuty/us-east-1/2026/02/", MaxKeys: 5000 }));
  assert.equal(big.Contents.length, 1000);
});

test("continuation tokens containing '+', '/' or '=' work when percent-encoded", async () => {
  const keys = ["tok/\u00ff\u00fe", "tok/\u00fb\u00ef", "tok/é", "tok/ÿÿ?", "tok/>>>", "tok/???"];
  for (const k of keys) standin.fauxqs.putObject("behave", k, "x");
  const seen = [];
  const tokens = [];
  let token;
  do {
    const r = await raw("/behave", { "list-type": "2", prefix: "tok/", "max-keys": "1", ...(token ? { "continuation-token": token } : {}) });
    assert.equal(r.status, 200, r.body.toString());
    const xml = r.body.toString();
    seen.push(...[...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1].replaceAll("&gt;", ">").replaceAll("&lt;", "<").replaceAll("&amp;", "&")));
    token = /<NextContinuationToken>([^<]*)<\/NextContinuationToken>/.exec(xml)?.[1];
    if (token) tokens.push(token);
  } while (token);
  assert.deepEqual(seen, [...keys].sort(compareUtf8));
  assert.ok(tokens.some((t) => /[+/=]/.test(t)), `some token needs encoding: ${tokens}`);
  const bad = await raw("/behave", { "list-type": "2", "continuation-token": "not a token" });
  assert.equal(bad.status, 400);
  assert.equal(parseXmlError(bad.body).Code, "InvalidArgument");
});

test("encoding-type=url: keys and echoed values come back URL-encoded, with <EncodingType>", async () => {
  for (const k of ["enc/a b", "enc/a+b", "enc/é", "enc/x~y*z", "enc/ctl\u0001", "enc/sub/one"]) standin.fauxqs.putObject("behave", k, "x");
  const r = await raw("/behave", { "list-type": "2", prefix: "enc/", "encoding-type": "url", delimiter: "/", "start-after": "enc/a b" });
  assert.equal(r.status, 200);
  const xml = r.body.toString();
  assert.match(xml, /<EncodingType>url<\/EncodingType>/);
  const keys = [...xml.matchAll(/<Key>([^<]*)<\/Key>/g)].map((m) => m[1]);
  assert.deepEqual(keys, ["enc/a%2Bb", "enc/ctl%01", "enc/x%7Ey*z", "enc/%C3%A9"]);
  assert.match(xml, /<CommonPrefixes><Prefix>enc\/sub\/<\/Prefix><\/CommonPrefixes>/);
  assert.match(xml, /<StartAfter>enc\/a\+b<\/StartAfter>/);
  // Decoding as a form value ('+' = space) gives the keys back.
  const decoded = keys.map((k) => decodeURIComponent(k.replaceAll("+", " ")));
  assert.deepEqual(decoded, ["enc/a+b", "enc/ctl\u0001", "enc/x~y*z", "enc/é"]);
  // The SDK passes the encoded values through untouched.
  const sdk = await s3.send(new ListObjectsV2Command({ Bucket: "behave", Prefix: "enc/", EncodingType: "url" }));
  assert.equal(sdk.EncodingType, "url");
  assert.ok(sdk.Contents.some((c) => c.Key === "enc/a+b"), "space encoded as '+'");
  const invalid = await raw("/behave", { "list-type": "2", "encoding-type": "base64" });
  assert.equal(invalid.status, 400);
  assert.equal(parseXmlError(invalid.body).Code, "InvalidArgument");
});

test("without the proxy's ordering fix, fauxqs 1.9.2 loses keys when paginating (canary)", async () => {
  const plain = await startStandin({ fixListOrder: false });
  try {
    plain.fauxqs.createBucket("b");
    for (const k of ["B", "a", "_x", "é", "😀"]) plain.fauxqs.putObject("b", k, "x");
    const listed = [];
    for await (const page of paginateListObjectsV2({ client: s3Client(plain), pageSize: 2 }, { Bucket: "b" })) {
      listed.push(...(page.Contents ?? []).map((c) => c.Key));
    }
    assert.notEqual(listed.length, 5, "fauxqs now paginates correctly by itself: revisit fixListOrder and the README");
  } finally {
    await plain.close();
  }
});

test("GetObject Range, If-Match, Accept-Ranges and ETag changes", async () => {
  const first = await s3.send(new PutObjectCommand({ Bucket: "behave", Key: "ranged.txt", Body: "0123456789" }));
  const part = await s3.send(new GetObjectCommand({ Bucket: "behave", Key: "ranged.txt", Range: "bytes=2-5" }));
  assert.equal(part.$metadata.httpStatusCode, 206);
  assert.equal(part.ContentRange, "bytes 2-5/10");
  assert.equal(part.AcceptRanges, "bytes");
  assert.equal(await part.Body.transformToString(), "2345");
  const tail = await s3.send(new GetObjectCommand({ Bucket: "behave", Key: "ranged.txt", Range: "bytes=7-", IfMatch: first.ETag }));
  assert.equal(await tail.Body.transformToString(), "789");
  assert.equal(tail.ETag, first.ETag);
  const suffix = await s3.send(new GetObjectCommand({ Bucket: "behave", Key: "ranged.txt", Range: "bytes=-3" }));
  assert.equal(suffix.ContentRange, "bytes 7-9/10");
  await assert.rejects(s3.send(new GetObjectCommand({ Bucket: "behave", Key: "ranged.txt", Range: "bytes=10-" })), (e) => e.name === "InvalidRange" && e.$metadata.httpStatusCode === 416);

  const same = await s3.send(new PutObjectCommand({ Bucket: "behave", Key: "ranged.txt", Body: "0123456789" }));
  assert.equal(same.ETag, first.ETag, "same bytes, same ETag (MD5)");
  const second = await s3.send(new PutObjectCommand({ Bucket: "behave", Key: "ranged.txt", Body: "9876543210" }));
  assert.notEqual(second.ETag, first.ETag);
  await assert.rejects(
    s3.send(new GetObjectCommand({ Bucket: "behave", Key: "ranged.txt", Range: "bytes=7-", IfMatch: first.ETag })),
    (e) => e.name === "PreconditionFailed" && e.$metadata.httpStatusCode === 412,
  );
  const head = await s3.send(new HeadObjectCommand({ Bucket: "behave", Key: "ranged.txt" }));
  assert.equal(head.ETag, second.ETag);
  assert.equal(head.ContentLength, 10);
  // fauxqs compares If-Match literally: only the quoted ETag matches (S3 semantics for '*' differ).
  const unquoted = await raw("/behave/ranged.txt", {}, { "if-match": second.ETag.replaceAll('"', "") });
  assert.equal(unquoted.status, 412);
});

test("404s: NoSuchKey (XML with Resource), HEAD NotFound, NoSuchBucket", async () => {
  await assert.rejects(s3.send(new GetObjectCommand({ Bucket: "behave", Key: "missing" })), (e) => e.name === "NoSuchKey" && e.$metadata.httpStatusCode === 404);
  const r = await raw("/behave/missing%20key");
  assert.equal(r.status, 404);
  const x = parseXmlError(r.body);
  assert.equal(x.Code, "NoSuchKey");
  assert.equal(x.Resource, "/behave/missing key");
  await assert.rejects(s3.send(new HeadObjectCommand({ Bucket: "behave", Key: "missing" })), (e) => e.name === "NotFound" && e.$metadata.httpStatusCode === 404);
  await assert.rejects(s3.send(new ListObjectsV2Command({ Bucket: "no-such-bucket" })), (e) => e.name === "NoSuchBucket" && e.$metadata.httpStatusCode === 404);
});

test("virtual-hosted-style requests (bucket in Host) pass the proxy and reach the bucket", async () => {
  const port = new URL(standin.endpoint).port;
  const host = `behave.s3.localhost:${port}`;
  const put = await sendSigned(await signRequest(standin, { method: "PUT", path: "/vh/key%20one", headers: { host }, body: "vh" }));
  assert.equal(put.status, 200);
  const get = await sendSigned(await signRequest(standin, { path: "/vh/key%20one", headers: { host } }));
  assert.equal(get.body.toString(), "vh");
  const list = await sendSigned(await signRequest(standin, { path: "/", query: { "list-type": "2", prefix: "vh/", "encoding-type": "url" }, headers: { host } }));
  assert.match(list.body.toString(), /<Key>vh\/key\+one<\/Key>/);
  const log = standin.requests().slice(-3);
  assert.deepEqual(log.map((e) => e.operation), ["PutObject", "GetObject", "ListObjectsV2"]);
});

test("admin s3/last-modified: listings and HEAD report the time set; a bad time or key is a 400", async () => {
  await s3.send(new PutObjectCommand({ Bucket: "behave", Key: "lm/a.jsonl", Body: "{}\n" }));
  await s3.send(new PutObjectCommand({ Bucket: "behave", Key: "lm/b.jsonl", Body: "{}\n" }));
  const set = await admin(standin, "POST", "s3/last-modified", {
    bucket: "behave",
    key: "lm/a.jsonl",
    last_modified: "2026-09-14T10:22:33Z",
  });
  assert.equal(set.status, 200);
  assert.equal(set.json.lastModified, "2026-09-14T10:22:33.000Z");
  const listed = await s3.send(new ListObjectsV2Command({ Bucket: "behave", Prefix: "lm/" }));
  const times = Object.fromEntries(listed.Contents.map((o) => [o.Key, o.LastModified.toISOString()]));
  assert.equal(times["lm/a.jsonl"], "2026-09-14T10:22:33.000Z");
  assert.notEqual(times["lm/b.jsonl"], "2026-09-14T10:22:33.000Z");
  const head = await s3.send(new HeadObjectCommand({ Bucket: "behave", Key: "lm/a.jsonl" }));
  assert.equal(head.LastModified.toISOString(), "2026-09-14T10:22:33.000Z");
  const badTime = await admin(standin, "POST", "s3/last-modified", { bucket: "behave", key: "lm/a.jsonl", last_modified: "soon" });
  assert.equal(badTime.status, 400);
  const badKey = await admin(standin, "POST", "s3/last-modified", { bucket: "behave", key: "lm/none", last_modified: "2026-01-01T00:00:00Z" });
  assert.equal(badKey.status, 400);
});
