// gd2sentinel's own schemas as the emulator's stream declarations
// (schema-config.sh), and gd2sentinel's own rows for the sample findings
// uploaded through @azure/monitor-ingestion: every row is accepted and stored
// unchanged. Skipped when no gd2sentinel binary is at hand (GD2S_BINARY).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, it } from "node:test";

import { ClientSecretCredential } from "@azure/identity";
import { LogsIngestionClient } from "@azure/monitor-ingestion";

import { ids, repoRoot, startEmulator, tempDir } from "./emulator.mjs";

const gd2s = process.env.GD2S_BINARY ?? path.join(repoRoot, "build/dev/src/gd2sentinel");
const available = existsSync(gd2s);

function gd2sentinelRows(dir, schema) {
  const rows = path.join(dir, `${schema}.rows.jsonl`);
  const config = path.join(dir, `${schema}.toml`);
  writeFileSync(config, [
    "[source.files]", `paths = [${JSON.stringify(path.join(repoRoot, "examples/AWSLogs"))}]`,
    "[transform]", `schema = "${schema}"`,
    "[sink.file]", `path = ${JSON.stringify(rows)}`,
    "[dead_letter]", `path = ${JSON.stringify(path.join(dir, `${schema}.dead.jsonl`))}`,
    "[state]", `path = ${JSON.stringify(path.join(dir, `${schema}.state.db`))}`,
    "[log]", 'level = "error"', "",
  ].join("\n"));
  execFileSync(gd2s, ["run", "--config", config], { stdio: "ignore" });
  return readFileSync(rows, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

describe("gd2sentinel schemas as stream declarations", { skip: available ? false : `no gd2sentinel at ${gd2s}` }, () => {
  let work;
  let emulator;
  let client;

  before(async () => {
    work = tempDir();
    const configPath = execFileSync(path.join(repoRoot, "tools/workspace-emulator/schema-config.sh"), [work.dir, gd2s], {
      encoding: "utf8",
    }).trim();
    emulator = await startEmulator(JSON.parse(readFileSync(configPath, "utf8")), { dir: work.dir });
    const credential = new ClientSecretCredential(ids.tenant, ids.clientId, ids.secret, {
      authorityHost: emulator.url, disableInstanceDiscovery: true, tlsOptions: emulator.tlsOptions,
    });
    client = new LogsIngestionClient(emulator.url, credential, { tlsOptions: emulator.tlsOptions });
  });
  after(async () => {
    await emulator?.stop();
    work?.remove();
  });

  it("creates the native and legacy tables from the schemas", async () => {
    assert.deepEqual(await emulator.tables(), { AWSGuardDuty: 0, AWSGuardDuty_CL: 0 });
  });

  for (const [schema, stream, table] of [
    ["native", "Custom-GuardDutyFinding", "AWSGuardDuty"],
    ["legacy", "Custom-GuardDutyLegacy", "AWSGuardDuty_CL"],
  ]) {
    it(`stores gd2sentinel's ${schema} rows for the sample findings unchanged`, async () => {
      const rows = gd2sentinelRows(work.dir, schema);
      assert.ok(rows.length > 0, "gd2sentinel produced rows");
      await client.upload(ids.dcr, stream, rows);
      assert.deepEqual(await emulator.rows(table), rows);
    });
  }
});
