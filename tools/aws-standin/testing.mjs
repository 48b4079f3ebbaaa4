// Helpers for node tests that use the stand-in: SDK clients pointed at it, raw signed requests
// (signed with AWS's own signer, so a test can tamper with them afterwards) and plain HTTP.
// Kept outside test/ because `node --test <dir>` runs every .mjs file under a test/ directory.

import http from "node:http";
import { createHash } from "node:crypto";
import { SignatureV4 } from "@smithy/signature-v4";
import { Sha256 } from "@aws-crypto/sha256-js";
import { S3Client } from "@aws-sdk/client-s3";
import { SQSClient } from "@aws-sdk/client-sqs";

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";

import { DEFAULT_CREDENTIALS } from "./standin.mjs";
export { startStandin, DEFAULT_CREDENTIALS, compareUtf8, s3UrlEncode } from "./standin.mjs";

/** The credentials to sign with: explicit ones, else the stand-in's test defaults. */
function credsOf(_standin, credentials) {
  return credentials ?? { ...DEFAULT_CREDENTIALS[0] };
}

/** An S3 client (path-style, no retries by default) signed with `credentials`. */
export function s3Client(standin, credentials, extra = {}) {
  return new S3Client({
    endpoint: standin.endpoint,
    region: standin.region,
    forcePathStyle: true,
    maxAttempts: 1,
    credentials: credsOf(standin, credentials),
    ...extra,
  });
}

/** An SQS client (AWS JSON protocol, no retries by default) signed with `credentials`. */
export function sqsClient(standin, credentials, extra = {}) {
  return new SQSClient({
    endpoint: standin.endpoint,
    region: standin.region,
    maxAttempts: 1,
    credentials: credsOf(standin, credentials),
    ...extra,
  });
}

/** Plain HTTP request to the stand-in (or any URL). Resolves {status, headers, body: Buffer}. */
export function httpRequest(url, { method = "GET", headers = {}, body } = {}) {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const req = http.request(
      { host: u.hostname, port: u.port, method, path: u.pathname + u.search, headers, agent: false },
      (res) => {
        const chunks = [];
        let settled = false;
        const settle = (extra) => {
          if (settled) return;
          settled = true;
          resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks), ...extra });
        };
        res.on("data", (c) => chunks.push(c));
        res.on("end", () => settle({ complete: res.complete }));
        res.on("error", (e) => settle({ error: e, complete: false }));
        res.on("close", () => settle({ complete: res.complete }));
      },
    );
    req.on("error", reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** JSON helper for the admin API. */
export async function admin(standin, method, route, value) {
  const body = value === undefined ? undefined : JSON.stringify(value);
  const r = await httpRequest(`${standin.endpoint}/_standin/${route}`, {
    method,
    headers: body ? { "content-type": "application/json", "content-length": String(Buffer.byteLength(body)) } : {},
    body,
  });
  return { status: r.status, json: r.body.length ? JSON.parse(r.body.toString("utf8")) : undefined };
}

/**
 * Sign a raw request with AWS's signer and return what to send. `path` is the raw path as it
 * goes on the wire (already URI-encoded); `query` is an object of decoded values.
 *
 * options: { service: "s3"|"sqs", method, path, query, headers, body, credentials, region,
 *            signingDate, payloadHash (S3: value for x-amz-content-sha256, default sha256(body)) }
 */
export async function signRequest(standin, options) {
  const {
    service = "s3",
    method = "GET",
    path = "/",
    query = {},
    headers = {},
    body,
    region = standin.region,
    signingDate = new Date(),
  } = options;
  const credentials = credsOf(standin, options.credentials);
  const u = new URL(standin.endpoint);
  const hdrs = { host: u.host, ...headers };
  const bodyBuf = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(body);
  if (service === "s3" && hdrs["x-amz-content-sha256"] === undefined) {
    hdrs["x-amz-content-sha256"] =
      options.payloadHash ?? createHash("sha256").update(bodyBuf ?? Buffer.alloc(0)).digest("hex");
  }
  if (bodyBuf) hdrs["content-length"] = String(bodyBuf.length);
  const signer = new SignatureV4({
    credentials,
    region,
    service,
    sha256: Sha256,
    uriEscapePath: service !== "s3",
    applyChecksum: false,
  });
  const signed = await signer.sign(
    { method, protocol: "http:", hostname: u.hostname, port: Number(u.port), path, query, headers: hdrs, body: bodyBuf },
    { signingDate },
  );
  const qs = Object.entries(query)
    .flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => `${encodeRfc3986(k)}=${encodeRfc3986(x)}`))
    .join("&");
  return {
    url: `${standin.endpoint}${path}${qs ? `?${qs}` : ""}`,
    method,
    headers: { ...signed.headers },
    body: bodyBuf,
  };
}

export function encodeRfc3986(s) {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** Send what signRequest() returned (possibly tampered with). */
export function sendSigned(signed) {
  return httpRequest(signed.url, { method: signed.method, headers: signed.headers, body: signed.body });
}

/** Parse an S3 XML error body into {Code, Message, ...} (flat elements only). */
export function parseXmlError(buf) {
  const xml = buf.toString("utf8");
  const inner = /<Error>([\s\S]*)<\/Error>/.exec(xml)?.[1] ?? xml;
  const out = {};
  for (const m of inner.matchAll(/<([A-Za-z0-9]+)>([\s\S]*?)<\/\1>/g)) out[m[1]] = m[2];
  return out;
}

/**
 * A signed GuardDuty (REST-JSON) call: `path` such as "/detector", `query` an object, `body` an
 * object sent as JSON. Resolves {status, headers, json, errorType}.
 */
export async function guarddutyCall(standin, { method = "GET", path = "/detector", query = {}, body, credentials, region } = {}) {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const signed = await signRequest(standin, {
    service: "guardduty",
    method,
    path,
    query,
    headers: text === undefined ? {} : { "content-type": "application/json" },
    body: text,
    credentials,
    region,
  });
  const r = await sendSigned(signed);
  const raw = r.body.toString("utf8");
  return { status: r.status, headers: r.headers, json: raw ? JSON.parse(raw) : undefined, errorType: r.headers["x-amzn-errortype"] };
}
