// Moving a classic (Data Collector) custom table to the Logs Ingestion API, as a customer
// does it in Azure (REFERENCE.md §9.3, §10.6), with config/logstash-migration.json: Data
// Collector posts create the Classic AWSGuardDuty_CL, as Logstash's output did; a rule cannot
// send to it until Tables - Migrate; after migration the table keeps its rows and columns,
// the Tables API adds columns, a deployed rule ingests once a role assignment grants
// Monitoring Metrics Publisher, and the Data Collector API still ingests into existing columns.
// ARM requests go through fetch in a child node that trusts the emulator's CA (as arm.test.mjs).
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHmac, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import { ClientSecretCredential } from "@azure/identity";
import { isAggregateLogsUploadError, LogsIngestionClient } from "@azure/monitor-ingestion";

import { ids, rawRequest, startEmulator } from "./emulator.mjs";

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const config = JSON.parse(readFileSync(path.join(here, "../../config/logstash-migration.json"), "utf8"));
const workspace = config.workspaces[0];
const workspaceId = workspace.resource_id;
const tableId = `${workspaceId}/tables/AWSGuardDuty_CL`;
const ruleId = "/subscriptions/6a1e3f0b-0000-4000-8000-000000000007/resourceGroups/gd2sentinel-test/providers/Microsoft.Insights/dataCollectionRules/gd2sentinel-migrated";
const stream = "Custom-GuardDutyMigrated";
const publisherRole = "/subscriptions/6a1e3f0b-0000-4000-8000-000000000007/providers/Microsoft.Authorization/roleDefinitions/3913510d-42f4-4e42-8a64-420c390055eb";
const outsider = { clientId: "0e9c4d1a-0000-4000-8000-0000000000d1", objectId: "5b3f7c2e-0000-4000-8000-0000000000d1", secret: "outsider-secret" };

/** A raw GuardDuty finding as Logstash's S3 input (codec json) passed it on. */
function finding(i, severity) {
  return {
    schemaVersion: "2.0",
    accountId: "123456789012",
    region: "eu-west-1",
    id: `a2b4c6d8e0f2a4b6c8d0e2f4a6b8c0d${i}`,
    type: "Recon:EC2/PortProbeUnprotectedPort",
    title: `Unprotected port on EC2 instance i-${i} is being probed.`,
    severity,
    updatedAt: `2026-03-06T01:19:4${i}.601Z`,
    resource: { resourceType: "Instance", instanceDetails: { instanceId: `i-${i}` } },
    service: { resourceRole: "TARGET", count: i, archived: false },
  };
}

/** A Data Collector post signed with the workspace's shared key (REFERENCE §10.3). */
function dataCollectorPost(emulator, records) {
  const body = JSON.stringify(records);
  const date = new Date().toUTCString();
  const toSign = `POST\n${Buffer.byteLength(body)}\napplication/json\nx-ms-date:${date}\n/api/logs`;
  const signature = createHmac("sha256", Buffer.from(workspace.shared_key, "base64")).update(toSign, "utf8").digest("base64");
  return rawRequest(emulator, "POST", "/api/logs?api-version=2016-04-01", {
    headers: {
      "content-type": "application/json",
      "log-type": "AWSGuardDuty",
      "x-ms-date": date,
      "time-generated-field": "updatedAt",
      authorization: `SharedKey ${workspace.id}:${signature}`,
    },
    body,
  });
}

/** An ARM request through fetch in a child node: { status, body } (body parsed when JSON, else text). */
async function arm(emulator, token, method, resource, { apiVersion = "2022-10-01", body } = {}) {
  const script = "const r = await fetch(process.env.WSEMU_URL, { method: process.env.WSEMU_METHOD," +
    " headers: { Authorization: `Bearer ${process.env.WSEMU_TOKEN}`, 'content-type': 'application/json' }," +
    " body: process.env.WSEMU_BODY || undefined });" +
    "const text = await r.text(); let body = text; try { body = JSON.parse(text); } catch {}" +
    "process.stdout.write(JSON.stringify({ status: r.status, body }));";
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], {
    env: {
      ...process.env,
      NODE_EXTRA_CA_CERTS: emulator.caPath,
      WSEMU_URL: `${emulator.url}${resource}?api-version=${apiVersion}`,
      WSEMU_METHOD: method,
      WSEMU_TOKEN: token,
      WSEMU_BODY: body === undefined ? "" : JSON.stringify(body),
    },
  });
  return JSON.parse(stdout);
}

function ruleBody(columns) {
  return {
    location: "eastus",
    kind: "Direct",
    properties: {
      streamDeclarations: { [stream]: { columns } },
      destinations: { logAnalytics: [{ workspaceResourceId: workspaceId, name: "sentinel" }] },
      dataFlows: [{ streams: [stream], destinations: ["sentinel"], transformKql: "source | extend Migrated = true", outputStream: "Custom-AWSGuardDuty_CL" }],
    },
  };
}

const classicColumns = [
  ["schemaVersion_s", "string"], ["accountId_s", "string"], ["region_s", "string"], ["id_s", "string"],
  ["type_s", "string"], ["title_s", "string"], ["Severity", "real"], ["updatedAt_t", "datetime"],
  ["resource_resourceType_s", "string"], ["resource_instanceDetails_instanceId_s", "string"],
  ["service_resourceRole_s", "string"], ["service_count_d", "real"], ["service_archived_b", "boolean"],
].map(([name, type]) => ({ name, type, isDefaultDisplay: false, isHidden: false }));

describe("moving the classic AWSGuardDuty_CL from the Data Collector API to the Logs Ingestion API", () => {
  let emulator;
  let token;
  let outsiderToken;
  let immutableId;
  let client;

  before(async () => {
    config.tenants[0].applications.push({ client_id: outsider.clientId, object_id: outsider.objectId, secret: outsider.secret });
    emulator = await startEmulator(config);
    const options = { authorityHost: emulator.url, disableInstanceDiscovery: true, tlsOptions: emulator.tlsOptions };
    const credential = new ClientSecretCredential(ids.tenant, ids.clientId, ids.secret, options);
    token = (await credential.getToken("https://management.azure.com/.default")).token;
    outsiderToken = (await new ClientSecretCredential(ids.tenant, outsider.clientId, outsider.secret, options)
      .getToken("https://management.azure.com/.default")).token;
    client = new LogsIngestionClient(emulator.url, credential, {
      tlsOptions: emulator.tlsOptions, retryOptions: { maxRetries: 0 },
    });
  });
  after(async () => emulator?.stop());

  it("a Data Collector post creates a Classic table with the flattened columns", async () => {
    const response = await dataCollectorPost(emulator, [finding(1, 8), finding(2, 5)]);
    assert.equal(response.status, 200, response.body);
    const { status, body } = await arm(emulator, token, "GET", tableId);
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.id, tableId);
    assert.equal(body.name, "AWSGuardDuty_CL");
    assert.equal(body.properties.provisioningState, "Succeeded");
    assert.equal(body.properties.plan, "Analytics");
    assert.equal(body.properties.retentionInDays, 30);
    assert.equal(body.properties.schema.tableType, "CustomLog");
    assert.equal(body.properties.schema.tableSubType, "Classic");
    assert.deepEqual(body.properties.schema.columns, classicColumns);
    assert.deepEqual(body.properties.schema.standardColumns.map((c) => [c.name, c.type]), [
      ["TenantId", "guid"], ["TimeGenerated", "datetime"], ["SourceSystem", "string"], ["Type", "string"], ["_ResourceId", "string"],
    ]);
    const rows = await emulator.rows("AWSGuardDuty_CL");
    assert.deepEqual(rows.map((r) => [r.Severity, r.TimeGenerated]), [[8, "2026-03-06T01:19:41.601Z"], [5, "2026-03-06T01:19:42.601Z"]]);
    const missing = await arm(emulator, token, "GET", `${workspaceId}/tables/Nothing_CL`);
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, "ResourceNotFound");
    assert.match(missing.body.error.message, /The table 'Nothing_CL' was not found/);
  });

  it("refuses a data collection rule sending to the classic table, naming migration", async () => {
    const { status, body } = await arm(emulator, token, "PUT", ruleId, {
      apiVersion: "2023-03-11", body: ruleBody([{ name: "TimeGenerated", type: "datetime" }, { name: "Severity", type: "real" }]),
    });
    assert.equal(status, 400, JSON.stringify(body));
    assert.match(body.error.message, /classic custom log table, created by the Data Collector API/);
    assert.match(body.error.message, /must be migrated \(Tables - Migrate/);
  });

  it("refuses to change the classic table's schema before migration", async () => {
    const { status, body } = await arm(emulator, token, "PUT", tableId, {
      body: { properties: { schema: { name: "AWSGuardDuty_CL", columns: [{ name: "AccountId", type: "string" }] } } },
    });
    assert.equal(status, 400);
    assert.match(body.error.message, /Migrate it first/);
  });

  it("refuses Tables - Migrate to a caller outside table_writers with 403", async () => {
    const { status, body } = await arm(emulator, outsiderToken, "POST", `${tableId}/migrate`, { apiVersion: "2021-12-01-preview" });
    assert.equal(status, 403);
    assert.equal(body.error.code, "AuthorizationFailed");
    assert.match(body.error.message, new RegExp(`^The client '${outsider.objectId}' with object id '${outsider.objectId}' does not have authorization to perform action 'Microsoft\\.OperationalInsights/workspaces/tables/migrate/action' over scope`));
    assert.equal((await arm(emulator, token, "GET", tableId)).body.properties.schema.tableSubType, "Classic");
  });

  it("migrates the table for a writer: DataCollectionRuleBased, same columns and rows; again is a no-op", async () => {
    const before = (await emulator.tables()).AWSGuardDuty_CL;
    const migrated = await arm(emulator, token, "POST", `${tableId}/migrate`);
    assert.equal(migrated.status, 200);
    assert.equal(migrated.body, "");
    const { body } = await arm(emulator, token, "GET", tableId);
    assert.equal(body.properties.schema.tableSubType, "DataCollectionRuleBased");
    assert.deepEqual(body.properties.schema.columns, classicColumns);
    assert.equal((await emulator.tables()).AWSGuardDuty_CL, before);
    assert.equal((await arm(emulator, token, "POST", `${tableId}/migrate`, { apiVersion: "2025-07-01" })).status, 200);
    const missing = await arm(emulator, token, "POST", `${workspaceId}/tables/Nothing_CL/migrate`);
    assert.equal(missing.status, 404);
  });

  it("adds columns with a PUT of the table, keeping those it has, and refuses a type change", async () => {
    const conflict = await arm(emulator, token, "PUT", tableId, {
      body: { properties: { schema: { name: "AWSGuardDuty_CL", columns: [{ name: "Severity", type: "string" }] } } },
    });
    assert.equal(conflict.status, 400);
    assert.match(conflict.body.error.message, /'Severity'/);
    const reserved = await arm(emulator, token, "PUT", tableId, {
      body: { properties: { schema: { name: "AWSGuardDuty_CL", columns: [{ name: "Title", type: "string" }] } } },
    });
    assert.equal(reserved.status, 400);
    const { status, body } = await arm(emulator, token, "PUT", tableId, {
      body: {
        properties: {
          schema: {
            name: "AWSGuardDuty_CL",
            columns: [
              { name: "TimeGenerated", type: "datetime" }, { name: "Severity", type: "real" }, { name: "title_s", type: "string" },
              { name: "AccountId", type: "string" }, { name: "ServiceDetails", type: "dynamic" },
            ],
          },
          totalRetentionInDays: 90,
        },
      },
    });
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.properties.schema.tableSubType, "DataCollectionRuleBased");
    assert.equal(body.properties.totalRetentionInDays, 90);
    assert.equal(body.properties.archiveRetentionInDays, 60);
    assert.deepEqual(body.properties.schema.columns.map((c) => c.name), [...classicColumns.map((c) => c.name), "AccountId", "ServiceDetails"]);
  });

  it("deploys a rule to the migrated table, which ingests only after a Monitoring Metrics Publisher role assignment", async () => {
    const { status, body } = await arm(emulator, token, "PUT", ruleId, {
      apiVersion: "2023-03-11",
      body: ruleBody([
        { name: "TimeGenerated", type: "datetime" }, { name: "Severity", type: "real" }, { name: "title_s", type: "string" },
        { name: "AccountId", type: "string" }, { name: "ServiceDetails", type: "dynamic" },
      ]),
    });
    assert.equal(status, 200, JSON.stringify(body));
    immutableId = body.properties.immutableId;
    assert.match(immutableId, /^dcr-[0-9a-f]{32}$/);
    assert.equal(body.id, ruleId);
    assert.equal(body.properties.endpoints.logsIngestion, emulator.url);
    assert.equal(body.properties.dataFlows[0].outputStream, "Custom-AWSGuardDuty_CL");
    assert.equal(body.properties.destinations.logAnalytics[0].workspaceResourceId, workspaceId);
    const read = await arm(emulator, token, "GET", ruleId, { apiVersion: "2023-03-11" });
    assert.equal(read.status, 200);
    assert.equal(read.body.properties.immutableId, immutableId);
    const again = await arm(emulator, token, "PUT", ruleId, { apiVersion: "2023-03-11", body: ruleBody(body.properties.streamDeclarations[stream].columns) });
    assert.equal(again.body.properties.immutableId, immutableId);  // kept when the same name is PUT again

    const row = { TimeGenerated: "2026-03-07T10:00:00Z", Severity: 2, title_s: "From the Logs Ingestion API", AccountId: "123456789012", ServiceDetails: { count: 3 } };
    await assert.rejects(client.upload(immutableId, stream, [row]), (error) => {
      assert.ok(isAggregateLogsUploadError(error), `expected AggregateLogsUploadError, got ${error}`);
      assert.equal(error.errors[0].cause.statusCode, 403);
      return true;
    });

    const assignment = randomUUID();
    const granted = await arm(emulator, token, "PUT", `${ruleId}/providers/Microsoft.Authorization/roleAssignments/${assignment}`, {
      apiVersion: "2022-04-01",
      body: { properties: { roleDefinitionId: publisherRole, principalId: ids.objectId, principalType: "ServicePrincipal" } },
    });
    assert.equal(granted.status, 201, JSON.stringify(granted.body));
    assert.equal(granted.body.name, assignment);
    assert.equal(granted.body.type, "Microsoft.Authorization/roleAssignments");
    assert.equal(granted.body.properties.scope, ruleId);
    assert.equal(granted.body.properties.principalId, ids.objectId);

    await client.upload(immutableId, stream, [row]);
    const [last] = (await emulator.requests("logs_ingestion")).slice(-1);
    assert.equal(last.status, 204);
    const rows = await emulator.rows("AWSGuardDuty_CL");
    assert.equal(rows.length, 3);  // two from the Data Collector API, one from the Logs Ingestion API
    assert.deepEqual(rows[2], row);
    assert.equal(rows[0].title_s, "Unprotected port on EC2 instance i-1 is being probed.");
  });

  it("still takes Data Collector posts after migration, into existing columns only", async () => {
    const record = { ...finding(3, 2), newField: "dropped", AccountId: "kept" };
    const response = await dataCollectorPost(emulator, [record]);
    assert.equal(response.status, 200, response.body);
    const rows = await emulator.rows("AWSGuardDuty_CL");
    assert.equal(rows.length, 4);
    const last = rows[3];
    assert.equal(last.Severity, 2);
    assert.equal(last.type_s, "Recon:EC2/PortProbeUnprotectedPort");
    assert.equal(last.newField_s, undefined);
    assert.equal(last.AccountId_s, undefined);
    const { body } = await arm(emulator, token, "GET", tableId);
    assert.ok(!body.properties.schema.columns.some((c) => c.name === "newField_s"));
    const details = JSON.parse(await (await fetch(`${emulator.httpUrl}/_emulator/tables?details=true`)).text());
    assert.equal(details.AWSGuardDuty_CL.sub_type, "DataCollectionRuleBased");
    assert.equal(details.AWSGuardDuty_CL.rows, 4);
  });
});
