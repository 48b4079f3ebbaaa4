// @azure/identity against the emulator's Entra ID and IMDS endpoints: each
// credential type gets a token, and is refused the way Entra refuses.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { writeFileSync } from "node:fs";
import path from "node:path";

import {
  ClientAssertionCredential,
  ClientCertificateCredential,
  ClientSecretCredential,
  ManagedIdentityCredential,
  WorkloadIdentityCredential,
} from "@azure/identity";

import { baseConfig, ids, jwtClaims, makeCertificate, rawRequest, startEmulator, tempDir } from "./emulator.mjs";

const scope = "https://monitor.azure.com/.default";  // as @azure/monitor-ingestion 1.2 asks for it

describe("Entra ID token endpoint, driven by @azure/identity", () => {
  let emulator;
  let work;
  let certificate;
  let strayCertificate;
  let options;

  before(async () => {
    work = tempDir();
    certificate = makeCertificate(work.dir, "registered-app");
    strayCertificate = makeCertificate(work.dir, "unregistered");
    emulator = await startEmulator(baseConfig({ certificatePath: certificate.path }), { dir: work.dir });
    options = { authorityHost: emulator.url, disableInstanceDiscovery: true, tlsOptions: emulator.tlsOptions };
  });
  after(async () => {
    await emulator?.stop();
    work?.remove();
  });

  it("issues a token to ClientSecretCredential for the monitor audience", async () => {
    const credential = new ClientSecretCredential(ids.tenant, ids.clientId, ids.secret, options);
    const token = await credential.getToken(scope);
    const claims = jwtClaims(token.token);
    assert.equal(claims.aud, "https://monitor.azure.com");
    assert.equal(claims.tid, ids.tenant);
    assert.equal(claims.appid, ids.clientId);
    assert.equal(claims.oid, ids.objectId);
    assert.equal(claims.appidacr, "1");
    const lifetime = token.expiresOnTimestamp - Date.now();
    assert.ok(lifetime > 3500_000 && lifetime <= 3600_000, `lifetime ${lifetime} ms`);
    // The double-slash spelling of Microsoft's PowerShell sample and older SDKs names the same resource.
    const doubleSlash = await credential.getToken("https://monitor.azure.com//.default");
    assert.equal(jwtClaims(doubleSlash.token).aud, "https://monitor.azure.com");
  });

  it("accepts the tenant's domain name in place of its id", async () => {
    const credential = new ClientSecretCredential(ids.tenantDomain, ids.clientId, ids.secret, options);
    assert.equal(jwtClaims((await credential.getToken(scope)).token).tid, ids.tenant);
  });

  it("refuses a wrong secret with AADSTS7000215, without echoing the secret", async () => {
    const wrong = "not-the-secret-Xq7";
    const credential = new ClientSecretCredential(ids.tenant, ids.clientId, wrong, options);
    await assert.rejects(credential.getToken(scope), (error) => {
      assert.match(error.message, /AADSTS7000215/);
      assert.doesNotMatch(error.message, new RegExp(wrong));
      return true;
    });
  });

  it("refuses an unknown application with AADSTS700016", async () => {
    const credential = new ClientSecretCredential(ids.tenant, "11111111-2222-4333-8444-555555555555", ids.secret, options);
    await assert.rejects(credential.getToken(scope), /AADSTS700016/);
  });

  it("refuses an unknown tenant with AADSTS90002 (MSAL stops at the OpenID configuration)", async () => {
    const unknown = "99999999-0000-4000-8000-000000000000";
    const credential = new ClientSecretCredential(unknown, ids.clientId, ids.secret, options);
    await assert.rejects(credential.getToken(scope), /endpoints_resolution_error/);
    const metadata = await rawRequest(emulator, "GET", `/${unknown}/v2.0/.well-known/openid-configuration`);
    assert.equal(metadata.status, 400);
    assert.match(JSON.parse(metadata.body).error_description, /^AADSTS90002: Tenant '99999999-/);
    const token = await rawRequest(emulator, "POST", `/${unknown}/oauth2/v2.0/token`, {
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: `grant_type=client_credentials&client_id=${ids.clientId}&client_secret=${ids.secret}&scope=${encodeURIComponent(scope)}`,
    });
    assert.equal(token.status, 400);
    const body = JSON.parse(token.body);
    assert.equal(body.error, "invalid_request");
    assert.deepEqual(body.error_codes, [90002]);
  });

  it("refuses a resource it does not know with AADSTS500011", async () => {
    const credential = new ClientSecretCredential(ids.tenant, ids.clientId, ids.secret, options);
    await assert.rejects(credential.getToken("https://nothing.example.invalid/.default"), /AADSTS500011/);
  });

  it("issues a token to ClientCertificateCredential (PS256 assertion, x5t#S256)", async () => {
    const credential = new ClientCertificateCredential(ids.tenant, ids.certClientId, certificate.path, options);
    const claims = jwtClaims((await credential.getToken(scope)).token);
    assert.equal(claims.appid, ids.certClientId);
    assert.equal(claims.appidacr, "2");
    const requests = await emulator.requests("token");
    assert.equal(requests.at(-1).status, 200);
  });

  it("refuses a certificate the application does not have with AADSTS700027", async () => {
    const credential = new ClientCertificateCredential(ids.tenant, ids.certClientId, strayCertificate.path, options);
    await assert.rejects(credential.getToken(scope), /AADSTS700027/);
  });

  it("issues a token for a federated assertion (ClientAssertionCredential)", async () => {
    const assertion = await emulator.federatedToken({ issuer: ids.federatedIssuer, subject: ids.federatedSubject });
    const credential = new ClientAssertionCredential(ids.tenant, ids.federatedClientId, async () => assertion, options);
    assert.equal(jwtClaims((await credential.getToken(scope)).token).appid, ids.federatedClientId);
  });

  it("reads the projected token file afresh (WorkloadIdentityCredential)", async () => {
    const tokenFile = path.join(work.dir, "azure-identity-token");
    writeFileSync(tokenFile, await emulator.federatedToken({ issuer: ids.federatedIssuer, subject: ids.federatedSubject }));
    const credential = new WorkloadIdentityCredential({
      ...options, tenantId: ids.tenant, clientId: ids.federatedClientId, tokenFilePath: tokenFile,
    });
    assert.equal(jwtClaims((await credential.getToken(scope)).token).appid, ids.federatedClientId);
  });

  it("refuses a federated assertion for another subject with AADSTS700213", async () => {
    const assertion = await emulator.federatedToken({ issuer: ids.federatedIssuer, subject: "system:serviceaccount:other:sa" });
    const credential = new ClientAssertionCredential(ids.tenant, ids.federatedClientId, async () => assertion, options);
    await assert.rejects(credential.getToken(scope), /AADSTS700213/);
  });

  it("refuses an expired federated assertion with AADSTS700024", async () => {
    const assertion = await emulator.federatedToken({
      issuer: ids.federatedIssuer, subject: ids.federatedSubject, lifetime_seconds: 60, issued_offset_seconds: -3600,
    });
    const credential = new ClientAssertionCredential(ids.tenant, ids.federatedClientId, async () => assertion, options);
    await assert.rejects(credential.getToken(scope), /AADSTS700024/);
  });
});

describe("IMDS managed identity endpoint, driven by @azure/identity", () => {
  let emulator;
  before(async () => {
    emulator = await startEmulator(baseConfig());
    process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST = emulator.httpUrl;
  });
  after(async () => {
    delete process.env.AZURE_POD_IDENTITY_AUTHORITY_HOST;
    await emulator?.stop();
  });

  it("issues a token to the system-assigned identity", async () => {
    const credential = new ManagedIdentityCredential();
    const claims = jwtClaims((await credential.getToken(scope)).token);
    assert.equal(claims.appid, ids.managedIdentityClientId);
    assert.equal(claims.oid, ids.managedIdentityObjectId);
    assert.equal(claims.aud, "https://monitor.azure.com");
  });

  it("issues a token to a user-assigned identity chosen by client id", async () => {
    const credential = new ManagedIdentityCredential({ clientId: ids.managedIdentityClientId });
    assert.equal(jwtClaims((await credential.getToken(scope)).token).appid, ids.managedIdentityClientId);
  });

  it("refuses a request without the Metadata header (bad_request_102)", async () => {
    const response = await fetch(`${emulator.httpUrl}/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://monitor.azure.com`);
    assert.equal(response.status, 400);
    assert.deepEqual(await response.json(), { error: "bad_request_102", error_description: "Required metadata header not specified" });
  });
});
