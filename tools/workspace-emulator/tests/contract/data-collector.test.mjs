// The legacy Data Collector endpoint, signed exactly as Microsoft's samples
// sign (REFERENCE.md §10.3), with the documented refusals.
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { after, before, describe, it } from "node:test";

import { baseConfig, ids, rawRequest, startEmulator } from "./emulator.mjs";

function signature(key, contentLength, date) {
  const toSign = `POST\n${contentLength}\napplication/json\nx-ms-date:${date}\n/api/logs`;
  return createHmac("sha256", Buffer.from(key, "base64")).update(toSign, "utf8").digest("base64");
}

describe("Data Collector endpoint", () => {
  let emulator;
  before(async () => { emulator = await startEmulator(baseConfig()); });
  after(async () => emulator?.stop());

  const post = (body, { logType = "AWSGuardDuty", date = new Date().toUTCString(), key = ids.workspaceKey,
    contentType = "application/json", headers = {}, query = "?api-version=2016-04-01" } = {}) => {
    const length = Buffer.byteLength(body);
    return rawRequest(emulator, "POST", `/api/logs${query}`, {
      headers: {
        "content-type": contentType,
        "log-type": logType,
        "x-ms-date": date,
        authorization: `SharedKey ${ids.workspace}:${signature(key, length, date)}`,
        ...headers,
      },
      body,
    });
  };

  it("stores a signed post in <Log-Type>_CL with the Data Collector's column names", async () => {
    const record = {
      id: "9db4179b-17de-4b3b-ae68-aba7a524feba",
      title: "Unprotected port — probed",
      severity: 5.5,
      archived: false,
      updatedAt: "2026-03-06T01:19:48.601Z",
      resource: { resourceType: "Instance", instanceDetails: { tags: [{ key: "Name", value: "web" }] } },
      nothing: null,
    };
    const response = await post(JSON.stringify([record]), { headers: { "time-generated-field": "updatedAt" } });
    assert.equal(response.status, 200, response.body);
    const [row] = await emulator.rows("AWSGuardDuty_CL");
    assert.deepEqual(row, {
      TimeGenerated: "2026-03-06T01:19:48.601Z",
      id_g: "9db4179b-17de-4b3b-ae68-aba7a524feba",
      title_s: "Unprotected port — probed",
      Severity: 5.5,
      archived_b: false,
      updatedAt_t: "2026-03-06T01:19:48.601Z",
      resource_resourceType_s: "Instance",
      resource_instanceDetails_tags_s: '[{"key":"Name","value":"web"}]',
    });
  });

  it("refuses a wrong signature with 403 InvalidAuthorization", async () => {
    const response = await post("[]", { key: Buffer.alloc(64, 7).toString("base64") });
    assert.equal(response.status, 403);
    assert.equal(JSON.parse(response.body).Error, "InvalidAuthorization");
  });

  it("refuses an x-ms-date that is not RFC 1123, and one too far from now", async () => {
    const bad = await post("[]", { date: "2026-03-06T01:19:48Z" });
    assert.equal(bad.status, 403);
    assert.deepEqual(JSON.parse(bad.body), { Error: "InvalidAuthorization", Message: "An invalid date format used in the x-ms-date header." });
    const old = await post("[]", { date: new Date(Date.now() - 3600_000).toUTCString() });
    assert.equal(old.status, 403);
  });

  it("refuses other content types, bad Log-Types and missing api-version with 400", async () => {
    assert.equal(JSON.parse((await post("[]", { contentType: "application/json; charset=utf-8" })).body).Error, "UnsupportedContentType");
    assert.equal(JSON.parse((await post("[]", { logType: "Guard-Duty" })).body).Error, "InvalidLogType");
    assert.equal(JSON.parse((await post("[]", { logType: "x".repeat(101) })).body).Error, "InvalidLogType");
    assert.equal(JSON.parse((await post("[]", { query: "" })).body).Error, "MissingApiVersion");
    assert.equal(JSON.parse((await post("not json")).body).Error, "InvalidDataFormat");
  });

  it("answers 404 to a post over 30 MB", async () => {
    const body = JSON.stringify([{ blob: "q".repeat(30_000_001) }]);
    const response = await post(body);
    assert.equal(response.status, 404);
  });
});
