// The GuardDuty API of the stand-in (guardduty.mjs behind the SigV4 check): ListDetectors,
// ListFindings, GetFindings, their limits and errors, regions, faults, and the admin calls.
import { test, before, after, beforeEach } from "node:test";
import assert from "node:assert/strict";
import { startStandin, DEFAULT_CREDENTIALS, guarddutyCall, admin, signRequest, sendSigned } from "../testing.mjs";

const OTHER_REGION = "eu-west-1";
let standin;
let detector;

const finding = (id, updatedAt, extra = {}) => ({
  schemaVersion: "2.0",
  accountId: "111122223333",
  region: "us-east-1",
  id,
  type: "Recon:EC2/Portscan",
  severity: 5,
  createdAt: "2026-03-01T00:00:00.000Z",
  updatedAt,
  service: { archived: false, additionalInfo: { value: '{"sample":true}', type: "default" } },
  ...extra,
});
const at = (minute) => new Date(Date.UTC(2026, 2, 1, 0, minute)).toISOString();

before(async () => {
  standin = await startStandin({ regions: [OTHER_REGION] });
});
after(async () => {
  await standin?.close();
});
beforeEach(async () => {
  standin.clearFaults();
  standin.guardduty.purge();
  detector = (await admin(standin, "POST", "guardduty/detectors", {})).json.detectorId;
  // 120 findings, two per minute, the first 60 minutes; inserted out of order.
  const all = [];
  for (let i = 0; i < 120; i++) all.push(finding(`f${String(i).padStart(3, "0")}`, at(Math.floor(i / 2))));
  all.reverse();
  const put = await admin(standin, "POST", `guardduty/detectors/${detector}/findings`, all);
  assert.equal(put.status, 200);
  assert.equal(put.json.total, 120);
});

async function listAll(body) {
  const ids = [];
  let nextToken;
  let pages = 0;
  do {
    const r = await guarddutyCall(standin, { method: "POST", path: `/detector/${detector}/findings`, body: { ...body, ...(nextToken ? { nextToken } : {}) } });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    ids.push(...r.json.findingIds);
    nextToken = r.json.nextToken;
    pages += 1;
  } while (nextToken);
  return { ids, pages };
}

test("ListDetectors: the detectors of the signing Region, paged by maxResults and an opaque nextToken", async () => {
  const more = [];
  for (let i = 0; i < 3; i++) more.push((await admin(standin, "POST", "guardduty/detectors", {})).json.detectorId);
  const elsewhere = (await admin(standin, "POST", "guardduty/detectors", { region: OTHER_REGION })).json.detectorId;
  const first = await guarddutyCall(standin, { path: "/detector", query: { maxResults: "3" } });
  assert.equal(first.status, 200);
  assert.equal(first.json.detectorIds.length, 3);
  assert.ok(first.json.nextToken);
  const second = await guarddutyCall(standin, { path: "/detector", query: { maxResults: "3", nextToken: first.json.nextToken } });
  assert.deepEqual([...first.json.detectorIds, ...second.json.detectorIds], [detector, ...more]);
  assert.equal(second.json.nextToken, undefined);
  const other = await guarddutyCall(standin, { path: "/detector", region: OTHER_REGION });
  assert.deepEqual(other.json.detectorIds, [elsewhere]);
  const bad = await guarddutyCall(standin, { path: "/detector", query: { nextToken: "not-a-token" } });
  assert.equal(bad.status, 400);
  assert.equal(bad.errorType, "BadRequestException");
});

test("ListFindings: updatedAt greaterThanOrEqual, oldest first, 50 a page, every id once", async () => {
  const since = Date.parse(at(10));
  const { ids, pages } = await listAll({
    findingCriteria: { criterion: { updatedAt: { greaterThanOrEqual: since } } },
    sortCriteria: { attributeName: "updatedAt", orderBy: "ASC" },
    maxResults: 50,
  });
  assert.equal(ids.length, 100);
  assert.equal(new Set(ids).size, 100);
  assert.equal(pages, 2);
  assert.equal(ids[0], "f020");
  assert.equal(ids.at(-1), "f119");
  assert.deepEqual(ids, [...ids].sort());
});

test("ListFindings: gte, gt and greaterThan are understood; DESC reverses; pages stay exact when findings change", async () => {
  const since = Date.parse(at(50));
  const gte = await listAll({ findingCriteria: { criterion: { updatedAt: { gte: since } } } });
  assert.equal(gte.ids.length, 20);
  const gt = await listAll({ findingCriteria: { criterion: { updatedAt: { gt: since } } } });
  assert.equal(gt.ids.length, 18);
  const greaterThan = await listAll({ findingCriteria: { criterion: { updatedAt: { greaterThan: since } } } });
  assert.deepEqual(greaterThan.ids, gt.ids);
  const desc = await listAll({ findingCriteria: { criterion: { updatedAt: { gte: since } } }, sortCriteria: { attributeName: "updatedAt", orderBy: "DESC" } });
  assert.deepEqual(desc.ids, [...gte.ids].reverse());
  // Keyset paging: a finding added before the cursor during paging neither shifts nor repeats ids.
  const first = await guarddutyCall(standin, { method: "POST", path: `/detector/${detector}/findings`, body: { maxResults: 10 } });
  await admin(standin, "POST", `guardduty/detectors/${detector}/findings`, [finding("early", at(0))]);
  const second = await guarddutyCall(standin, { method: "POST", path: `/detector/${detector}/findings`, body: { maxResults: 10, nextToken: first.json.nextToken } });
  assert.equal(second.json.findingIds[0], "f010");
});

test("ListFindings: maxResults above 50, an unknown criterion and an unknown detector are 400 BadRequestException", async () => {
  const tooMany = await guarddutyCall(standin, { method: "POST", path: `/detector/${detector}/findings`, body: { maxResults: 51 } });
  assert.equal(tooMany.status, 400);
  assert.equal(tooMany.errorType, "BadRequestException");
  assert.equal(tooMany.json.__type, "BadRequestException");
  assert.match(tooMany.json.message, /maxResults/);
  const criterion = await guarddutyCall(standin, { method: "POST", path: `/detector/${detector}/findings`, body: { findingCriteria: { criterion: { severity: { gte: 5 } } } } });
  assert.equal(criterion.status, 400);
  const unknown = await guarddutyCall(standin, { method: "POST", path: "/detector/0123456789abcdef0123456789abcdef/findings", body: {} });
  assert.equal(unknown.status, 400);
  assert.match(unknown.json.message, /detectorId is not owned by the current account/);
  const wrongRegion = await guarddutyCall(standin, { method: "POST", path: `/detector/${detector}/findings`, body: {}, region: OTHER_REGION });
  assert.equal(wrongRegion.status, 400, "a detector is seen only in its own Region");
});

test("GetFindings: the findings as stored, sorted by updatedAt, unknown ids left out, at most 50 ids", async () => {
  const r = await guarddutyCall(standin, {
    method: "POST",
    path: `/detector/${detector}/findings/get`,
    body: { findingIds: ["f005", "nope", "f001", "f003"], sortCriteria: { attributeName: "updatedAt", orderBy: "ASC" } },
  });
  assert.equal(r.status, 200);
  assert.deepEqual(r.json.findings.map((f) => f.id), ["f001", "f003", "f005"]);
  assert.deepEqual(r.json.findings[0].service.additionalInfo, { value: '{"sample":true}', type: "default" });
  const ids = Array.from({ length: 51 }, (_, i) => `f${String(i).padStart(3, "0")}`);
  const tooMany = await guarddutyCall(standin, { method: "POST", path: `/detector/${detector}/findings/get`, body: { findingIds: ids } });
  assert.equal(tooMany.status, 400);
  assert.equal(tooMany.errorType, "BadRequestException");
});

test("signatures are checked with service guardduty, and auth errors use REST-JSON exception names", async () => {
  standin.clearRequests();
  const scopedToSqs = await sendSigned(await signRequest(standin, { service: "sqs", path: "/detector", headers: {} }));
  assert.notEqual(scopedToSqs.status, 200);
  const wrongSecret = await guarddutyCall(standin, { path: "/detector", credentials: { ...DEFAULT_CREDENTIALS[0], secretAccessKey: "wrong" } });
  assert.equal(wrongSecret.status, 403);
  assert.equal(wrongSecret.errorType, "InvalidSignatureException");
  const unknownKey = await guarddutyCall(standin, { path: "/detector", credentials: { accessKeyId: "AKIDUNKNOWN000000000", secretAccessKey: "x" } });
  assert.equal(unknownKey.errorType, "UnrecognizedClientException");
  const unsigned = await sendSigned({ url: `${standin.endpoint}/detector`, method: "GET", headers: {} });
  assert.equal(unsigned.status, 403);
  assert.equal(unsigned.headers["x-amzn-errortype"], "MissingAuthenticationTokenException");
  const log = standin.requests().slice(1); // the first, signed for sqs, is not a GuardDuty request
  assert.deepEqual(log.map((e) => [e.service, e.operation, e.signatureValid]), [
    ["guardduty", "ListDetectors", false],
    ["guardduty", "ListDetectors", false],
    ["guardduty", "ListDetectors", false],
  ]);
});

test("faults: deny names the guardduty: action and the detector; status faults use GuardDuty's codes", async () => {
  await admin(standin, "POST", "faults", { service: "guardduty", operation: "^GetFindings$", action: "deny", times: 1 });
  const denied = await guarddutyCall(standin, { method: "POST", path: `/detector/${detector}/findings/get`, body: { findingIds: ["f001"] } });
  assert.equal(denied.status, 403);
  assert.equal(denied.errorType, "AccessDeniedException");
  assert.match(denied.json.message, new RegExp(`guardduty:GetFindings on resource: arn:aws:guardduty:us-east-1:000000000000:detector/${detector}`));
  const list = await guarddutyCall(standin, { method: "POST", path: `/detector/${detector}/findings`, body: {} });
  assert.equal(list.status, 200, "the rule matched GetFindings only");
  standin.addFault({ operation: "^ListDetectors$", action: "status", status: 429, times: 1 });
  const throttled = await guarddutyCall(standin, { path: "/detector" });
  assert.equal(throttled.status, 429);
  assert.equal(throttled.errorType, "TooManyRequestsException");
  standin.addFault({ operation: "^ListFindings$", action: "truncate-body", afterBytes: 10, times: 1 });
  const cut = await sendSigned(await signRequest(standin, { service: "guardduty", method: "POST", path: `/detector/${detector}/findings`, headers: { "content-type": "application/json" }, body: "{}" }));
  assert.equal(cut.body.length, 10);
  assert.deepEqual(standin.requests().map((e) => e.operation).slice(-4), ["GetFindings", "ListFindings", "ListDetectors", "ListFindings"]);
});

test("admin: detectors are created in a known Region, deleted, listed; findings need an id and updatedAt; reset drops findings", async () => {
  const bad = await admin(standin, "POST", "guardduty/detectors", { region: "ap-south-2" });
  assert.equal(bad.status, 400);
  const listed = await admin(standin, "GET", "guardduty/detectors");
  assert.deepEqual(listed.json, [{ detectorId: detector, region: "us-east-1", findings: 120 }]);
  const noUpdatedAt = await admin(standin, "POST", `guardduty/detectors/${detector}/findings`, [{ id: "x" }]);
  assert.equal(noUpdatedAt.status, 400);
  assert.match(noUpdatedAt.json.error, /updatedAt/);
  await admin(standin, "POST", "reset");
  assert.equal((await admin(standin, "GET", "guardduty/detectors")).json[0].findings, 0);
  assert.equal((await admin(standin, "DELETE", `guardduty/detectors/${detector}`)).status, 200);
  const gone = await guarddutyCall(standin, { method: "POST", path: `/detector/${detector}/findings`, body: {} });
  assert.equal(gone.status, 400);
  assert.equal((await admin(standin, "DELETE", `guardduty/detectors/${detector}`)).status, 404);
});
