// The ARM read of a data collection rule, as gd2sentinel's `check` does it: a
// management token from @azure/identity's ClientSecretCredential, then a plain
// fetch of the rule. Node's fetch takes no CA option, so the fetch runs in a
// child node with NODE_EXTRA_CA_CERTS set to the emulator's CA.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";

import { ClientSecretCredential } from "@azure/identity";

import { baseConfig, ids, jwtClaims, nativeColumns, startEmulator } from "./emulator.mjs";

const run = promisify(execFile);
const ruleId = "/subscriptions/6a1e3f0b-0000-4000-8000-000000000007/resourceGroups/gd2sentinel-rg/providers/Microsoft.Insights/dataCollectionRules/gd2sentinel-dcr";
const lockedRuleId = "/subscriptions/6a1e3f0b-0000-4000-8000-000000000007/resourceGroups/gd2sentinel-rg/providers/Microsoft.Insights/dataCollectionRules/locked-dcr";

/** GET `url` with `headers` through fetch in a child node that trusts the emulator's CA. */
async function fetchJson(emulator, url, headers) {
  const script = "const r = await fetch(process.env.WSEMU_URL, { headers: JSON.parse(process.env.WSEMU_HEADERS) });" +
    "process.stdout.write(JSON.stringify({ status: r.status, body: await r.json() }));";
  const { stdout } = await run(process.execPath, ["--input-type=module", "-e", script], {
    env: { ...process.env, NODE_EXTRA_CA_CERTS: emulator.caPath, WSEMU_URL: url, WSEMU_HEADERS: JSON.stringify(headers) },
  });
  return JSON.parse(stdout);
}

describe("ARM read of a data collection rule, with an @azure/identity token and fetch", () => {
  let emulator;
  let credential;

  before(async () => {
    const config = baseConfig();
    Object.assign(config.dcrs[0], { resource_id: ruleId, tenant: ids.tenant, readers: [ids.objectId], location: "westeurope" });
    config.dcrs.push({
      immutable_id: "dcr-00000000000000000000000000000002",
      resource_id: lockedRuleId,
      readers: ["someone-else"],
      stream_declarations: { [ids.stream]: { columns: [{ name: "Title", type: "string" }] } },
      data_flows: [{ streams: [ids.stream], output_stream: "Custom-Locked_CL" }],
    });
    emulator = await startEmulator(config);
    credential = new ClientSecretCredential(ids.tenant, ids.clientId, ids.secret, {
      authorityHost: emulator.url, disableInstanceDiscovery: true, tlsOptions: emulator.tlsOptions,
    });
  });
  after(async () => emulator?.stop());

  it("reads the rule's stream declarations with a token for https://management.azure.com", async () => {
    const { token } = await credential.getToken("https://management.azure.com/.default");
    assert.equal(jwtClaims(token).aud, "https://management.azure.com");
    const { status, body } = await fetchJson(emulator, `${emulator.url}${ruleId}?api-version=2023-03-11`, { Authorization: `Bearer ${token}` });
    assert.equal(status, 200, JSON.stringify(body));
    assert.equal(body.id, ruleId);
    assert.equal(body.name, "gd2sentinel-dcr");
    assert.equal(body.type, "Microsoft.Insights/dataCollectionRules");
    assert.equal(body.location, "westeurope");
    assert.equal(body.kind, "Direct");
    assert.equal(body.properties.immutableId, ids.dcr);
    assert.equal(body.properties.endpoints.logsIngestion, emulator.url);
    assert.deepEqual(body.properties.streamDeclarations, { [ids.stream]: { columns: nativeColumns } });
    assert.deepEqual(body.properties.dataFlows, [{
      streams: [ids.stream], destinations: ["LogAnalyticsDest"], transformKql: "source", outputStream: `Microsoft-${ids.table}`,
    }]);
    const [last] = (await emulator.requests("arm")).slice(-1);
    assert.equal(last.status, 200);
    assert.equal(last.method, "GET");
  });

  it("refuses a monitor token with 401 and a caller who is not a reader with 403", async () => {
    const monitor = (await credential.getToken("https://monitor.azure.com/.default")).token;
    const wrongAudience = await fetchJson(emulator, `${emulator.url}${ruleId}?api-version=2023-03-11`, { Authorization: `Bearer ${monitor}` });
    assert.equal(wrongAudience.status, 401);
    assert.equal(wrongAudience.body.error.code, "InvalidAuthenticationTokenAudience");
    const { token } = await credential.getToken("https://management.azure.com/.default");
    const forbidden = await fetchJson(emulator, `${emulator.url}${lockedRuleId}?api-version=2023-03-11`, { Authorization: `Bearer ${token}` });
    assert.equal(forbidden.status, 403);
    assert.equal(forbidden.body.error.code, "AuthorizationFailed");
    assert.match(forbidden.body.error.message, /'Microsoft\.Insights\/dataCollectionRules\/read' over scope/);
  });
});
