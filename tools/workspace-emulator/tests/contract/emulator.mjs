// Starts workspace-emulator for a contract test and talks to its admin API.
// The binary comes from WSEMU_BINARY (ctest sets it), else build/emulator.
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import https from "node:https";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
export const repoRoot = path.resolve(here, "../../../..");
export const binary = process.env.WSEMU_BINARY ?? path.join(repoRoot, "build/emulator/workspace-emulator");

/** Fixed identifiers of the test tenant, application, rule and workspace. */
export const ids = {
  tenant: "3d6f7a21-0000-4000-8000-000000000001",
  tenantDomain: "gd2sentinel-test.onmicrosoft.com",
  clientId: "0e9c4d1a-0000-4000-8000-000000000002",
  objectId: "5b3f7c2e-0000-4000-8000-000000000003",
  secret: "emulator-client-secret",
  certClientId: "0e9c4d1a-0000-4000-8000-0000000000c1",
  federatedClientId: "0e9c4d1a-0000-4000-8000-0000000000f1",
  federatedIssuer: "https://oidc.emulator.invalid/cluster",
  federatedSubject: "system:serviceaccount:gd2sentinel:shipper",
  managedIdentityClientId: "9a1d2c3b-0000-4000-8000-000000000004",
  managedIdentityObjectId: "c4d5e6f7-0000-4000-8000-000000000005",
  dcr: "dcr-00000000000000000000000000000001",
  stream: "Custom-GuardDutyFinding",
  table: "AWSGuardDuty",
  workspace: "7e1d3b9a-0000-4000-8000-000000000006",
  workspaceKey: "SERsIYhgMVlJB6uPsq49gCxNiruf6v0vhMYE+lfzbSGcXjdViZdV/e5pEMTYtw9f8SkVLf4LFlLCc2KxtRZfCA==",
};

export const nativeColumns = [
  ["TimeGenerated", "datetime"], ["TimeCreated", "datetime"], ["AccountId", "string"],
  ["ActivityType", "string"], ["Arn", "string"], ["Description", "string"], ["Id", "string"],
  ["Partition", "string"], ["Region", "string"], ["ResourceDetails", "dynamic"],
  ["SchemaVersion", "string"], ["ServiceDetails", "dynamic"], ["Severity", "int"], ["Title", "string"],
].map(([name, type]) => ({ name, type }));

/** A fresh temporary directory, removed by the returned function. */
export function tempDir() {
  const dir = mkdtempSync(path.join(tmpdir(), "wsemu-contract-"));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A self-signed application certificate (private key + certificate PEM). */
export function makeCertificate(dir, name) {
  const out = path.join(dir, `${name}.pem`);
  const info = JSON.parse(execFileSync(binary, ["gen-cert", "--out", out, "--cn", name], { encoding: "utf8" }));
  return { path: out, pem: readFileSync(out, "utf8"), x5tS256: info["x5t#S256"] };
}

/** The configuration most tests use; `extra` is merged at the top level. */
export function baseConfig({ certificatePath, extra = {} } = {}) {
  const applications = [
    { client_id: ids.clientId, object_id: ids.objectId, display_name: "gd2sentinel", secret: ids.secret },
    {
      client_id: ids.federatedClientId,
      federated_credentials: [{ issuer: ids.federatedIssuer, subject: ids.federatedSubject }],
    },
  ];
  if (certificatePath) applications.push({ client_id: ids.certClientId, certificates: [certificatePath] });
  return {
    tenants: [{ id: ids.tenant, domains: [ids.tenantDomain], applications }],
    managed_identities: [
      { tenant: ids.tenant, client_id: ids.managedIdentityClientId, object_id: ids.managedIdentityObjectId, system_assigned: true },
    ],
    dcrs: [{
      immutable_id: ids.dcr,
      stream_declarations: { [ids.stream]: { columns: nativeColumns } },
      data_flows: [{ streams: [ids.stream], output_stream: `Microsoft-${ids.table}`, transform_kql: "source" }],
    }],
    workspaces: [{ id: ids.workspace, shared_key: ids.workspaceKey }],
    ...extra,
  };
}

/**
 * Starts the emulator with `config` (an object) and waits for its ready line.
 * Returns { url, httpUrl, ca, caPath, stop(), admin helpers }.
 */
export async function startEmulator(config, { dir } = {}) {
  const own = dir ? null : tempDir();
  const workDir = dir ?? own.dir;
  const configPath = path.join(workDir, "emulator.json");
  writeFileSync(configPath, JSON.stringify(config, null, 2));
  const child = spawn(binary, ["--config", configPath, "--ca-out", path.join(workDir, "ca.pem"), "--exit-with-stdin"], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  const ready = await new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`emulator not ready after 30 s: ${stderr}`)), 30000);
    child.stdout.on("data", (d) => {
      out += d;
      const newline = out.indexOf("\n");
      if (newline >= 0) {
        clearTimeout(timer);
        resolve(JSON.parse(out.slice(0, newline)));
      }
    });
    child.on("exit", (code) => { clearTimeout(timer); reject(new Error(`emulator exited (${code}): ${stderr}`)); });
  });
  const ca = readFileSync(ready.ca, "utf8");
  const admin = async (method, p, body) => {
    const response = await fetch(`${ready.http_url}${p}`, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${p}: ${response.status} ${text}`);
    return text;
  };
  return {
    url: ready.url,
    httpUrl: ready.http_url,
    ca,
    caPath: ready.ca,
    pid: ready.pid,
    stderr: () => stderr,
    tlsOptions: { ca },
    tables: async () => JSON.parse(await admin("GET", "/_emulator/tables")),
    rows: async (table) => (await admin("GET", `/_emulator/tables/${table}/rows`)).split("\n").filter(Boolean).map((l) => JSON.parse(l)),
    requests: async (endpoint = "") => JSON.parse(await admin("GET", `/_emulator/requests?endpoint=${endpoint}`)),
    setFaults: async (faults) => JSON.parse(await admin("POST", "/_emulator/faults", faults)),
    clearTables: () => admin("DELETE", "/_emulator/tables"),
    federatedToken: async (claims) => JSON.parse(await admin("POST", "/_emulator/federated-token", claims)).token,
    async stop() {
      child.stdin.end();
      child.kill("SIGTERM");
      const { code, signal } = await exited;
      own?.remove();
      if (code !== 0) throw new Error(`emulator exited with ${code ?? signal}: ${stderr}`);
    },
  };
}

/** The claims of a JWT (no verification). */
export function jwtClaims(token) {
  return JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString("utf8"));
}

/** A raw HTTPS request to the emulator: { status, headers, body }. */
export function rawRequest(emulator, method, p, { headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const url = new URL(p, emulator.url);
    const request = https.request(url, { method, headers, ca: emulator.ca }, (response) => {
      const chunks = [];
      response.on("data", (c) => chunks.push(c));
      response.on("end", () => resolve({ status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks).toString("utf8") }));
    });
    request.on("error", reject);
    if (body !== undefined) request.write(body);
    request.end();
  });
}
