// @azure/monitor-ingestion's LogsIngestionClient against the emulator's Logs
// Ingestion endpoint: rows arrive in the table, and the requests the real
// service refuses are refused with its status codes and error bodies.
import assert from "node:assert/strict";
import https from "node:https";
import { after, before, beforeEach, describe, it } from "node:test";
import { gzipSync } from "node:zlib";

import { ClientSecretCredential } from "@azure/identity";
import { isAggregateLogsUploadError, LogsIngestionClient } from "@azure/monitor-ingestion";

import { baseConfig, ids, rawRequest, startEmulator } from "./emulator.mjs";

const kLimit = 1048576;

function finding(i, extra = {}) {
  return {
    TimeGenerated: "2026-03-06T01:19:48.601Z",
    TimeCreated: "2026-03-05T22:04:10.000Z",
    AccountId: "123456789012",
    ActivityType: "Recon:EC2/PortProbeUnprotectedPort",
    Arn: `arn:aws:guardduty:eu-west-1:123456789012:detector/d1/finding/f${i}`,
    Description: "EC2 instance has an unprotected port which is being probed by a known malicious host.",
    Id: `f${i}`,
    Partition: "aws",
    Region: "eu-west-1",
    ResourceDetails: { resourceType: "Instance", instanceDetails: { instanceId: `i-${i}`, tags: [{ key: "Name", value: "web" }] } },
    SchemaVersion: "2.0",
    ServiceDetails: { count: i, archived: false, action: { actionType: "PORT_PROBE" } },
    Severity: 5,
    Title: "Unprotected port on EC2 instance is being probed.",
    ...extra,
  };
}

function uploadError(error) {
  assert.ok(isAggregateLogsUploadError(error), `expected AggregateLogsUploadError, got ${error}`);
  return error.errors[0].cause;
}

describe("Logs Ingestion endpoint, driven by @azure/monitor-ingestion", () => {
  let emulator;
  let credential;
  let client;
  let clientOptions;

  before(async () => {
    const config = baseConfig();
    config.dcrs.push({
      immutable_id: "dcr-00000000000000000000000000000002",
      publishers: ["someone-else"],
      stream_declarations: { [ids.stream]: { columns: [{ name: "Title", type: "string" }] } },
      data_flows: [{ streams: [ids.stream], output_stream: "Custom-Restricted_CL" }],
    });
    emulator = await startEmulator(config);
    credential = new ClientSecretCredential(ids.tenant, ids.clientId, ids.secret, {
      authorityHost: emulator.url, disableInstanceDiscovery: true, tlsOptions: emulator.tlsOptions,
    });
    clientOptions = { tlsOptions: emulator.tlsOptions, retryOptions: { maxRetries: 3, retryDelayInMs: 50, maxRetryDelayInMs: 200 } };
    client = new LogsIngestionClient(emulator.url, credential, clientOptions);
  });
  after(async () => emulator?.stop());
  beforeEach(async () => {
    await emulator.clearTables();
    await emulator.setFaults([]);
  });

  it("stores uploaded rows in the rule's output table, typed as declared", async () => {
    const rows = [finding(1), finding(2, { Severity: 8 }), finding(3, { Description: undefined })];
    await client.upload(ids.dcr, ids.stream, rows);
    assert.equal((await emulator.tables())[ids.table], 3);
    const stored = await emulator.rows(ids.table);
    assert.deepEqual(stored, JSON.parse(JSON.stringify(rows)));
    const [last] = (await emulator.requests("logs_ingestion")).slice(-1);
    assert.equal(last.status, 204);
    assert.match(last.request_id, /^[0-9a-f-]{36}$/);
    assert.ok(last.client_request_id.length > 0, "the SDK sends x-ms-client-request-id");
    assert.ok(last.request_bytes < last.body_bytes, "the SDK gzips the body");
  });

  it("receives every row when the SDK splits a large upload into 1 MB chunks", async () => {
    const rows = Array.from({ length: 6000 }, (_, i) => finding(i, { Description: "x".repeat(400) }));
    await client.upload(ids.dcr, ids.stream, rows, { maxConcurrency: 3 });
    assert.equal((await emulator.tables())[ids.table], rows.length);
    const requests = (await emulator.requests("logs_ingestion")).filter((r) => r.status === 204);
    assert.ok(requests.length >= 3, `${requests.length} requests`);
    for (const r of requests) assert.ok(r.body_bytes <= kLimit, `${r.body_bytes} bytes in one call`);
  });

  it("refuses a token for another audience with 401 InvalidAudience", async () => {
    const wrongAudience = new LogsIngestionClient(emulator.url, credential, { ...clientOptions, audience: "https://management.azure.com" });
    await assert.rejects(wrongAudience.upload(ids.dcr, ids.stream, [finding(1)]), (error) => {
      const cause = uploadError(error);
      assert.equal(cause.statusCode, 401);
      assert.equal(cause.code, "InvalidAudience");
      return true;
    });
    assert.deepEqual(await emulator.tables(), { [ids.table]: 0, Restricted_CL: 0 });
  });

  it("refuses an unknown data collection rule with 404 NotFound", async () => {
    await assert.rejects(client.upload("dcr-ffffffffffffffffffffffffffffffff", ids.stream, [finding(1)]), (error) => {
      const cause = uploadError(error);
      assert.equal(cause.statusCode, 404);
      assert.equal(cause.code, "NotFound");
      assert.equal(cause.message, "Data collection rule with immutable Id 'dcr-ffffffffffffffffffffffffffffffff' not found.");
      return true;
    });
  });

  it("refuses a stream the rule does not declare", async () => {
    await assert.rejects(client.upload(ids.dcr, "Custom-NotDeclared", [finding(1)]), (error) => {
      const cause = uploadError(error);
      assert.equal(cause.statusCode, 404);
      assert.equal(cause.code, "InvalidStream");
      return true;
    });
  });

  it("refuses a caller without Monitoring Metrics Publisher on the rule with 403", async () => {
    await assert.rejects(client.upload("dcr-00000000000000000000000000000002", ids.stream, [{ Title: "t" }]), (error) => {
      const cause = uploadError(error);
      assert.equal(cause.statusCode, 403);
      assert.equal(cause.code, "OperationFailed");
      assert.match(cause.message, /^The authentication token provided does not have access to ingest data for the data collection rule with immutable Id 'dcr-00000000000000000000000000000002'/);
      return true;
    });
  });

  it("refuses a single record over the limit with 413 ContentLengthLimitExceeded", async () => {
    const huge = finding(1, { Description: "y".repeat(kLimit) });
    await assert.rejects(client.upload(ids.dcr, ids.stream, [huge]), (error) => {
      const cause = uploadError(error);
      assert.equal(cause.statusCode, 413);
      assert.equal(cause.code, "ContentLengthLimitExceeded");
      assert.match(cause.message, /^Maximum allowed content length: 1048576 bytes \(1 MB\)\. Provided content length: \d+ bytes\.$/);
      return true;
    });
    assert.equal((await emulator.tables())[ids.table], 0);
  });

  it("fails an upload with a bad client secret before sending anything", async () => {
    const bad = new ClientSecretCredential(ids.tenant, ids.clientId, "wrong-secret", {
      authorityHost: emulator.url, disableInstanceDiscovery: true, tlsOptions: emulator.tlsOptions,
    });
    const badClient = new LogsIngestionClient(emulator.url, bad, clientOptions);
    const sentBefore = (await emulator.requests("logs_ingestion")).length;
    await assert.rejects(badClient.upload(ids.dcr, ids.stream, [finding(1)]), (error) => {
      assert.match(String(uploadError(error).message), /AADSTS7000215/);
      return true;
    });
    assert.equal((await emulator.requests("logs_ingestion")).length, sentBefore);
  });

  it("honours injected 429 (Retry-After), 503 and connection resets: the SDK retries and every row arrives", async () => {
    await emulator.setFaults([
      { endpoint: "logs_ingestion", status: 429, retry_after: 1, schedule: [1] },
      { endpoint: "logs_ingestion", status: 503, schedule: [2] },
      { endpoint: "logs_ingestion", kind: "reset", schedule: [3] },
    ]);
    const started = Date.now();
    await client.upload(ids.dcr, ids.stream, [finding(1), finding(2)]);
    assert.ok(Date.now() - started >= 1000, "waited for Retry-After");
    assert.equal((await emulator.tables())[ids.table], 2);
    const log = (await emulator.requests("logs_ingestion")).slice(-4);
    assert.deepEqual(log.map((r) => r.fault), ["429", "503", "reset", ""]);
    assert.deepEqual(log.map((r) => r.status), [429, 503, 0, 204]);
  });
});

describe("Logs Ingestion endpoint, raw requests", () => {
  let emulator;
  let token;
  const path = `/dataCollectionRules/${ids.dcr}/streams/${ids.stream}?api-version=2023-01-01`;

  before(async () => {
    emulator = await startEmulator(baseConfig());
    const credential = new ClientSecretCredential(ids.tenant, ids.clientId, ids.secret, {
      authorityHost: emulator.url, disableInstanceDiscovery: true, tlsOptions: emulator.tlsOptions,
    });
    token = (await credential.getToken("https://monitor.azure.com/.default")).token;
  });
  after(async () => emulator?.stop());

  const post = (body, headers = {}) =>
    rawRequest(emulator, "POST", path, {
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json", ...headers },
      body,
    });

  it("accepts the request target in absolute form (RFC 9112 §3.2.2), as Fluent Bit sends it", async () => {
    const url = new URL(path, emulator.url);
    const body = JSON.stringify([{ Title: "absolute" }]);
    const status = await new Promise((resolve, reject) => {
      const request = https.request({ host: url.hostname, port: url.port, method: "POST", path: url.href, ca: emulator.ca,
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" } }, (response) => {
        response.resume();
        response.on("end", () => resolve(response.statusCode));
      });
      request.on("error", reject);
      request.end(body);
    });
    assert.equal(status, 204);
  });

  it("answers one oversized uncompressed request with the service's 413 body", async () => {
    const body = JSON.stringify([{ Title: "z".repeat(kLimit) }]);
    const response = await post(body);
    assert.equal(response.status, 413);
    assert.equal(response.headers["x-ms-error-code"], "ContentLengthLimitExceeded");
    assert.match(response.headers["x-ms-request-id"], /^[0-9a-f-]{36}$/);
    assert.deepEqual(JSON.parse(response.body), {
      error: {
        code: "ContentLengthLimitExceeded",
        message: `Maximum allowed content length: 1048576 bytes (1 MB). Provided content length: ${Buffer.byteLength(body)} bytes.`,
      },
    });
  });

  it("applies the limit to the uncompressed size of a gzip body", async () => {
    const body = JSON.stringify([{ Title: "a".repeat(kLimit) }]);
    const response = await post(gzipSync(body), { "content-encoding": "gzip" });
    assert.equal(response.status, 413);
    assert.match(JSON.parse(response.body).error.message, new RegExp(`Provided content length: ${Buffer.byteLength(body)} bytes`));
  });

  it("accepts exactly 1,048,576 bytes", async () => {
    const skeleton = JSON.stringify([{ Title: "" }]);
    const body = JSON.stringify([{ Title: "b".repeat(kLimit - skeleton.length) }]);
    assert.equal(Buffer.byteLength(body), kLimit);
    assert.equal((await post(gzipSync(body), { "content-encoding": "gzip" })).status, 204);
  });

  it("refuses a body that is not a JSON array of objects", async () => {
    for (const body of ['{"Title":"x"}', "[1,2]", "[{\"Title\":", ""]) {
      const response = await post(body);
      assert.equal(response.status, 400, body);
      assert.equal(JSON.parse(response.body).error.code, "InvalidContent");
    }
  });

  it("refuses a value of the wrong type for a declared column", async () => {
    const response = await post(JSON.stringify([{ Severity: "high" }]));
    assert.equal(response.status, 400);
    assert.match(JSON.parse(response.body).error.message, /column 'Severity' \(int\)/);
  });

  it("refuses a request without a token, or with a forged one, with 401", async () => {
    assert.equal((await rawRequest(emulator, "POST", path, { body: "[]" })).status, 401);
    const [h, p] = token.split(".");
    const forged = `${h}.${p}.${Buffer.from("not a signature").toString("base64url")}`;
    const response = await rawRequest(emulator, "POST", path, { headers: { authorization: `Bearer ${forged}` }, body: "[]" });
    assert.equal(response.status, 401);
    assert.equal(JSON.parse(response.body).error.code, "InvalidAuthenticationToken");
  });

  it("requires api-version", async () => {
    const response = await rawRequest(emulator, "POST", `/dataCollectionRules/${ids.dcr}/streams/${ids.stream}`, {
      headers: { authorization: `Bearer ${token}` }, body: "[]",
    });
    assert.equal(response.status, 400);
    assert.equal(JSON.parse(response.body).error.code, "MissingApiVersionParameter");
  });
});
