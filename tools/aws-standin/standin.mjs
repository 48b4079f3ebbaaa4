#!/usr/bin/env node
// Local stand-in for Amazon S3, Amazon SQS and the GuardDuty API, for gd2sentinel's tests, demo
// and benchmarks.
//
//   client --SigV4--> [ SigV4-checking proxy, 127.0.0.1 ] --unchanged--> [ fauxqs, 127.0.0.1 ]
//                                                \--> GuardDuty (in the proxy, guardduty.mjs)
//
// fauxqs (npm) emulates S3 (REST-XML) and SQS (AWS JSON 1.0) but accepts any credentials. The
// proxy in front of it re-signs every request with AWS's own signer (@smithy/signature-v4) using
// the secret configured for the access key in the request and refuses any difference, answering in
// the service's own error format. It also injects faults on demand, records what it received, and
// fills a few small gaps in fauxqs (see README.md, "What the proxy adds").
//
// As a program:  node tools/aws-standin/standin.mjs [--port N] [--credentials FILE] [--region R]
//                     [--fauxqs-port N] [--init FILE] [--quiet]
// prints ONE JSON line on stdout when ready ({"endpoint":…,"fauxqs":…,"region":…}), logs requests
// to stderr, and exits on SIGTERM/SIGINT.
//
// As a module:   import { startStandin } from "./standin.mjs";
//                const s = await startStandin({ credentials: [...] }); … await s.close();
//
// The default credentials are for local tests only and are documented in README.md.

import http from "node:http";
import fs from "node:fs";
import { createHash, randomUUID, timingSafeEqual } from "node:crypto";
import { fileURLToPath } from "node:url";
import { SignatureV4, getCanonicalHeaders, createScope } from "@smithy/signature-v4";
import { Sha256 } from "@aws-crypto/sha256-js";
import { GuardDutyStore, answerGuardDuty, detectorOfPath, guardDutyOperation } from "./guardduty.mjs";
import { buildApp, SqsStore, SnsStore, S3Store, sqsQueueArn, applyInitConfig, loadInitConfig, validateInitConfig, MessageSpy } from "./fauxqs-modules.mjs";
import { ACCOUNT_ID, resolveCredentials } from "./credentials.mjs";
import { buildError } from "./aws-errors.mjs";
import { HOP_BY_HOP, drain, firstValue, headerMap, parseQuery, readJson, sendAnswer, sendJson, sleep } from "./http-helpers.mjs";
import {
  S3_STREAMING_PAYLOADS,
  addS3ResponseHeaders,
  checkS3Request,
  patchListObjectsOrder,
  rewriteListing,
  s3Operation,
  s3Target,
} from "./s3.mjs";
import { failBatchEntries, fixSqsResponseHeaders, mergeFailedEntries, patchQueueLookup, sendAllEntriesFailed } from "./sqs.mjs";

export { DEFAULT_CREDENTIALS, resolveCredentials } from "./credentials.mjs";
export { compareUtf8, s3UrlEncode } from "./s3.mjs";

export const DEFAULT_REGION = "us-east-1";
export const MAX_SKEW_MS = 15 * 60 * 1000;
export const FAULT_ACTIONS = Object.freeze([
  "status",
  "truncate-body",
  "close-mid-body",
  "delay",
  "deny",
  "fail-entries",
]);

const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const MAX_BUFFERED_BODY = 64 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// Small helpers

function spacedHex(s) {
  return Array.from(Buffer.from(s, "utf8"), (b) => b.toString(16).padStart(2, "0")).join(" ");
}

function isoBasic(ms) {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
}

function parseAmzDate(v) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(v ?? "");
  if (!m) return undefined;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Parse "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…". */
export function parseAuthorization(value) {
  if (value === undefined || value === "") return { kind: "missing" };
  const m = /^(\S+)\s+(.*)$/s.exec(value.trim());
  if (!m || m[1] !== "AWS4-HMAC-SHA256") return { kind: "unsupported", scheme: m ? m[1] : value.trim() };
  const fields = {};
  for (const part of m[2].split(",")) {
    const p = part.trim();
    const eq = p.indexOf("=");
    if (eq > 0) fields[p.slice(0, eq)] = p.slice(eq + 1);
  }
  const problems = [];
  const missing = ["Credential", "SignedHeaders", "Signature"].filter((f) => !fields[f]);
  for (const f of missing) problems.push(`Authorization header requires '${f}' parameter.`);
  let scope;
  if (fields.Credential) {
    const parts = fields.Credential.split("/");
    if (parts.length !== 5 || parts.some((x) => x === "") || parts[4] !== "aws4_request" || !/^\d{8}$/.test(parts[1])) {
      problems.push(
        `the Credential is mal-formed; expecting "<YOUR-AKID>/YYYYMMDD/REGION/SERVICE/aws4_request".`,
      );
    } else {
      scope = { accessKeyId: parts[0], date: parts[1], region: parts[2], service: parts[3] };
    }
  }
  if (fields.Signature && !/^[0-9a-f]{64}$/.test(fields.Signature)) {
    problems.push("the Signature is not 64 lower-case hex digits.");
  }
  if (problems.length > 0) {
    const s3Detail = missing.length > 0 ? "the authorization header requires three components: Credential, SignedHeaders, and Signature." : problems.join(" ");
    return { kind: "malformed", problems, s3Detail, accessKeyId: scope?.accessKeyId };
  }
  return {
    kind: "aws4",
    scope,
    accessKeyId: scope.accessKeyId,
    signedHeaders: fields.SignedHeaders.split(";"),
    signedHeadersRaw: fields.SignedHeaders,
    signature: fields.Signature,
  };
}

// ---------------------------------------------------------------------------------------------
// Default answers of status fault rules

const S3_DEFAULT_FAULTS = {
  400: ["InvalidRequest", "Invalid Request"],
  403: ["AccessDenied", "Access Denied"],
  404: ["NoSuchKey", "The specified key does not exist."],
  409: ["OperationAborted", "A conflicting conditional operation is currently in progress against this resource. Please try again."],
  412: ["PreconditionFailed", "At least one of the pre-conditions you specified did not hold"],
  500: ["InternalError", "We encountered an internal error. Please try again."],
  503: ["SlowDown", "Please reduce your request rate."],
};
const GUARDDUTY_DEFAULT_FAULTS = {
  400: ["BadRequestException", "The request is rejected."],
  403: ["AccessDeniedException", "Access denied."],
  429: ["TooManyRequestsException", "Rate exceeded."],
  500: ["InternalServerErrorException", "Internal server error."],
};
const SQS_DEFAULT_FAULTS = {
  400: ["InvalidParameterValue", "An invalid or out-of-range value was supplied for the input parameter."],
  403: ["AccessDenied", "Access to the resource is denied."],
  500: ["InternalError", "We encountered an internal error. Please try again."],
  503: ["ServiceUnavailable", "The request has failed due to a temporary failure of the server."],
};

// ---------------------------------------------------------------------------------------------
// fauxqs on loopback

async function startFauxqsLoopback({ port = 0, region = DEFAULT_REGION, messageSpies, fixListOrder = true }) {
  const sqsStore = new SqsStore();
  const snsStore = new SnsStore();
  const s3Store = new S3Store();
  // Queue URLs are built from the Host header of the request (the proxy's address), so a queue
  // URL returned through the proxy points back at the proxy.
  sqsStore.host = "";
  const spy = messageSpies ? new MessageSpy(typeof messageSpies === "object" ? messageSpies : undefined) : undefined;
  if (spy) sqsStore.spy = snsStore.spy = s3Store.spy = spy;
  if (fixListOrder) patchListObjectsOrder(s3Store);
  patchQueueLookup(sqsStore);
  const app = buildApp({ logger: false, defaultRegion: region, stores: { sqsStore, snsStore, s3Store } });
  const address = await app.listen({ port, host: "127.0.0.1" });
  const actualPort = Number(new URL(address).port);
  return { app, address: `http://127.0.0.1:${actualPort}`, port: actualPort, sqsStore, snsStore, s3Store, spy };
}

// ---------------------------------------------------------------------------------------------
// Request classification

function classify(req, path, hdrs) {
  // GuardDuty (REST-JSON) by the signature's service, or by its paths when unsigned.
  const scopeService = /Credential=[^/,\s]+\/\d{8}\/[^/,\s]+\/([^/,\s]+)\//.exec(hdrs.authorization ?? "")?.[1];
  if (scopeService === "guardduty" || (!scopeService && /^\/detector(\/|$)/.test(path) && !hdrs["x-amz-content-sha256"])) {
    return { style: "rest-json", service: "guardduty", operation: guardDutyOperation(req.method, path) };
  }
  const target = hdrs["x-amz-target"];
  const ct = hdrs["content-type"] ?? "";
  if (target || ct.includes("application/x-amz-json")) {
    const operation = target ? target.slice(target.indexOf(".") + 1) : "";
    return { style: "json", service: "sqs", operation };
  }
  if (req.method === "POST" && path === "/" && ct.includes("application/x-www-form-urlencoded")) {
    return { style: "query", service: undefined, operation: "" };
  }
  return { style: "s3", service: "s3", operation: "" };
}

// ---------------------------------------------------------------------------------------------
// Fault rules

let ruleCounter = 0;

function compileRule(input) {
  if (!input || typeof input !== "object") throw new Error("a rule must be a JSON object");
  const action = input.action;
  if (!FAULT_ACTIONS.includes(action)) throw new Error(`action must be one of ${FAULT_ACTIONS.join(", ")}`);
  const rx = (name) => {
    if (input[name] === undefined || input[name] === null || input[name] === "") return undefined;
    if (typeof input[name] !== "string") throw new Error(`${name} must be a regular expression string`);
    return new RegExp(input[name]);
  };
  const num = (name, dflt) => {
    if (input[name] === undefined) return dflt;
    const n = Number(input[name]);
    if (!Number.isFinite(n) || n < 0) throw new Error(`${name} must be a non-negative number`);
    return n;
  };
  const rule = {
    id: `r${++ruleCounter}`,
    action,
    method: input.method ? String(input.method).toUpperCase() : undefined,
    path: rx("path"),
    query: rx("query"),
    operation: rx("operation"),
    accessKeyId: input.accessKeyId ? String(input.accessKeyId) : undefined,
    service: input.service ? String(input.service) : undefined,
    status: num("status", action === "status" ? 503 : undefined),
    code: input.code !== undefined ? String(input.code) : undefined,
    message: input.message !== undefined ? String(input.message) : undefined,
    body: input.body !== undefined ? (typeof input.body === "string" ? input.body : JSON.stringify(input.body)) : undefined,
    headers: input.headers && typeof input.headers === "object" ? { ...input.headers } : undefined,
    afterBytes: num("afterBytes", 0),
    delayMs: num("delayMs", 0),
    entryIds: Array.isArray(input.entryIds) ? input.entryIds.map(String) : undefined,
    senderFault: input.senderFault === undefined ? false : Boolean(input.senderFault),
    remaining: input.times === undefined || input.times === null ? Infinity : num("times", Infinity),
    applied: 0,
    source: { ...input },
  };
  if (action === "status" && (rule.status < 100 || rule.status > 599)) throw new Error("status must be an HTTP status");
  if (rule.remaining === 0) throw new Error("times must be at least 1 (omit it for 'forever')");
  return rule;
}

function ruleMatches(rule, ctx) {
  if (rule.remaining <= 0) return false;
  if (rule.method && rule.method !== ctx.method) return false;
  if (rule.path && !rule.path.test(ctx.path)) return false;
  if (rule.query && !rule.query.test(ctx.rawQuery)) return false;
  if (rule.operation && !rule.operation.test(ctx.operation)) return false;
  if (rule.accessKeyId && rule.accessKeyId !== ctx.accessKeyId) return false;
  if (rule.service && rule.service !== ctx.service) return false;
  return true;
}

function describeRule(rule) {
  return { ...rule.source, id: rule.id, remaining: Number.isFinite(rule.remaining) ? rule.remaining : null, applied: rule.applied };
}

// ---------------------------------------------------------------------------------------------
// The stand-in

/**
 * Start fauxqs on 127.0.0.1 and the SigV4-checking proxy in front of it.
 *
 * @param {object} [options]
 * @param {number} [options.port=0]            proxy port (0 = ephemeral)
 * @param {number} [options.fauxqsPort=0]      fauxqs port (0 = ephemeral)
 * @param {string} [options.region]            the region requests are scoped to (queues, buckets)
 * @param {string[]} [options.regions]         more regions a signature may be scoped to (GuardDuty
 *                                             detectors live in one of them)
 * @param {Array}  [options.credentials]       [{accessKeyId, secretAccessKey, sessionToken?}]
 * @param {string} [options.credentialsFile]   JSON file with such a list
 * @param {number} [options.maxSkewMs]         allowed |x-amz-date - now| (default 15 min)
 * @param {Function} [options.now]             clock for the skew check (default Date.now)
 * @param {boolean} [options.fixListOrder=true] list S3 keys in UTF-8 binary order (see README)
 * @param {object|string} [options.init]       fauxqs init config (queues, buckets, …) or its path
 * @param {boolean|object} [options.messageSpies] enable fauxqs's message spy
 * @param {Function|boolean} [options.log]     per-request log line sink (true = stderr)
 * @param {number} [options.maxLogEntries=10000] size of the admin request log
 */
export async function startStandin(options = {}) {
  const region = options.region ?? DEFAULT_REGION;
  const regions = [...new Set([region, ...(options.regions ?? [])])];
  const guardduty = new GuardDutyStore();
  const credentials = resolveCredentials(options);
  const credentialsById = new Map(credentials.map((c) => [c.accessKeyId, c]));
  const maxSkewMs = options.maxSkewMs ?? MAX_SKEW_MS;
  const now = options.now ?? (() => Date.now());
  const maxLogEntries = options.maxLogEntries ?? 10000;
  const logLine =
    options.log === true
      ? (line) => process.stderr.write(line + "\n")
      : typeof options.log === "function"
        ? options.log
        : null;

  const fq = await startFauxqsLoopback({
    port: options.fauxqsPort ?? 0,
    region,
    messageSpies: options.messageSpies,
    fixListOrder: options.fixListOrder ?? true,
  });

  const rules = [];
  const requestLog = [];
  let requestSeq = 0;
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const server = http.createServer({ keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000 });
  let proxyHost = "";

  // --- helpers bound to this instance ------------------------------------------------------

  function record(entry) {
    requestLog.push(entry);
    if (requestLog.length > maxLogEntries) requestLog.splice(0, requestLog.length - maxLogEntries);
    if (logLine) {
      const q = entry.query ? `?${entry.query}` : "";
      const sig = entry.signatureValid === true ? "sig=ok" : entry.signatureValid === false ? "sig=BAD" : "sig=-";
      logLine(
        `${entry.time} ${entry.method} ${entry.path}${q} ${entry.operation || "-"} -> ${entry.status} ${sig}` +
          `${entry.error ? ` ${entry.error}` : ""}${entry.fault ? ` fault=${entry.fault}` : ""} ${entry.durationMs}ms`,
      );
    }
  }

  function reserveRule(ctx) {
    for (const rule of rules) {
      if (ruleMatches(rule, ctx)) {
        rule.remaining -= 1;
        rule.applied += 1;
        return rule;
      }
    }
    return null;
  }

  function releaseRule(rule) {
    if (!rule) return;
    rule.remaining += 1;
    rule.applied -= 1;
  }

  // --- header-level authentication ---------------------------------------------------------

  function authenticateHeaders(ctx) {
    const { style, hdrs } = ctx;
    const s3 = style === "s3";
    const auth = parseAuthorization(hdrs.authorization);
    ctx.auth = auth;
    if (auth.kind === "missing") {
      if (ctx.rawQuery && /(^|&)X-Amz-(Signature|Credential)=/i.test(ctx.rawQuery)) {
        return s3
          ? buildError("s3", 403, "AccessDenied", "Query-string (presigned) authentication is not supported by the stand-in.")
          : buildError(style, 403, "MissingAuthenticationToken", "Query-string authentication is not supported by the stand-in.");
      }
      return s3
        ? buildError("s3", 403, "AccessDenied", "Access Denied")
        : buildError(style, 403, "MissingAuthenticationToken", "Request is missing Authentication Token");
    }
    if (auth.kind === "unsupported") {
      return s3
        ? buildError("s3", 400, "InvalidRequest", "The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.")
        : buildError(style, 403, "MissingAuthenticationToken", "Request is missing Authentication Token");
    }
    if (auth.kind === "malformed") {
      ctx.accessKeyId = auth.accessKeyId;
      return s3
        ? buildError("s3", 400, "AuthorizationHeaderMalformed", `The authorization header is malformed; ${auth.s3Detail}`)
        : buildError(style, 400, "IncompleteSignature", auth.problems.join(" "));
    }
    ctx.accessKeyId = auth.accessKeyId;
    const scope = auth.scope;
    if (!ctx.service) ctx.service = scope.service;

    const cred = credentialsById.get(auth.accessKeyId);
    if (!cred) {
      return s3
        ? buildError("s3", 403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", {
            AWSAccessKeyId: auth.accessKeyId,
          })
        : buildError(style, 403, "InvalidClientTokenId", "The security token included in the request is invalid.");
    }
    ctx.cred = cred;

    // Session token: must be present when configured, must match, and must be signed.
    const token = hdrs["x-amz-security-token"];
    if (cred.sessionToken && token === undefined) {
      return s3
        ? buildError("s3", 403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", {
            AWSAccessKeyId: auth.accessKeyId,
          })
        : buildError(style, 403, "InvalidClientTokenId", "The security token included in the request is invalid.");
    }
    if (token !== undefined) {
      const ok =
        cred.sessionToken !== undefined &&
        token.length === cred.sessionToken.length &&
        timingSafeEqual(Buffer.from(token), Buffer.from(cred.sessionToken));
      if (!ok) {
        return s3
          ? buildError("s3", 400, "InvalidToken", "The provided token is malformed or otherwise invalid.")
          : buildError(style, 403, "InvalidClientTokenId", "The security token included in the request is invalid.");
      }
      if (!auth.signedHeaders.includes("x-amz-security-token")) {
        return s3
          ? buildError("s3", 403, "AccessDenied", "There were headers present in the request which were not signed", {
              HeadersNotSigned: "x-amz-security-token",
            })
          : buildError(style, 403, "SignatureDoesNotMatch", "The request carries X-Amz-Security-Token but does not sign it (the stand-in requires the session token to be a signed header).");
      }
    }

    // Time.
    const amzDate = hdrs["x-amz-date"];
    const signedAt = parseAmzDate(amzDate);
    if (signedAt === undefined) {
      return s3
        ? buildError("s3", 403, "AccessDenied", "AWS authentication requires a valid Date or x-amz-date header")
        : buildError(style, 400, "IncompleteSignature", "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header (the stand-in requires X-Amz-Date).");
    }
    ctx.signedAt = signedAt;
    ctx.amzDate = amzDate;
    const t = now();
    if (Math.abs(t - signedAt) > maxSkewMs) {
      if (s3) {
        return buildError("s3", 403, "RequestTimeTooSkewed", "The difference between the request time and the current time is too large.", {
          RequestTime: amzDate,
          ServerTime: new Date(t).toISOString().replace(/\.\d{3}Z$/, "Z"),
          MaxAllowedSkewMilliseconds: String(maxSkewMs),
        });
      }
      const mins = Math.round(maxSkewMs / 60000);
      const msg =
        signedAt < t
          ? `Signature expired: ${amzDate} is now earlier than ${isoBasic(t - maxSkewMs)} (${isoBasic(t)} - ${mins} min.)`
          : `Signature not yet current: ${amzDate} is still later than ${isoBasic(t + maxSkewMs)} (${isoBasic(t)} + ${mins} min.)`;
      return buildError(style, 403, "SignatureDoesNotMatch", msg);
    }

    // Credential scope.
    if (scope.date !== amzDate.slice(0, 8)) {
      return s3
        ? buildError("s3", 400, "AuthorizationHeaderMalformed", "The authorization header is malformed; Invalid credential date. Date is not the same as X-Amz-Date.")
        : buildError(style, 403, "SignatureDoesNotMatch", `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${scope.date}' != '${amzDate.slice(0, 8)}', from '${amzDate}'.`);
    }
    if (!regions.includes(scope.region)) {
      return s3
        ? buildError("s3", 400, "AuthorizationHeaderMalformed", `The authorization header is malformed; the region '${scope.region}' is wrong; expecting '${region}'`, {
            Region: region,
          })
        : buildError(style, 403, "SignatureDoesNotMatch", `Credential should be scoped to a valid region, not '${scope.region}'. `);
    }
    if (s3 && scope.service !== "s3") {
      return buildError("s3", 400, "AuthorizationHeaderMalformed", `The authorization header is malformed; incorrect service "${scope.service}". This endpoint belongs to "s3".`);
    }
    if (style === "json" && scope.service !== "sqs") {
      return buildError(style, 403, "SignatureDoesNotMatch", "Credential should be scoped to correct service: 'sqs'. ");
    }
    if (style === "rest-json" && scope.service !== "guardduty") {
      return buildError(style, 403, "SignatureDoesNotMatch", "Credential should be scoped to correct service: 'guardduty'. ");
    }

    // Signed headers.
    if (!auth.signedHeaders.includes("host")) {
      return s3
        ? buildError("s3", 403, "AccessDenied", "There were headers present in the request which were not signed", { HeadersNotSigned: "host" })
        : buildError(style, 400, "IncompleteSignature", "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.");
    }
    if (s3) {
      const unsigned = Object.keys(hdrs).filter((h) => h.startsWith("x-amz-") && !auth.signedHeaders.includes(h));
      if (unsigned.length > 0) {
        return buildError("s3", 403, "AccessDenied", "There were headers present in the request which were not signed", {
          HeadersNotSigned: unsigned.join(", "),
        });
      }
      const csha = hdrs["x-amz-content-sha256"];
      if (csha === undefined) {
        return buildError("s3", 400, "InvalidRequest", "Missing required header for this request: x-amz-content-sha256");
      }
      if (!S3_STREAMING_PAYLOADS.has(csha) && !/^[0-9a-f]{64}$/.test(csha)) {
        return buildError("s3", 400, "InvalidArgument", "x-amz-content-sha256 must be UNSIGNED-PAYLOAD, STREAMING-UNSIGNED-PAYLOAD-TRAILER, STREAMING-AWS4-HMAC-SHA256-PAYLOAD, STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD, STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER or a valid sha256 value.", {
          ArgumentName: "x-amz-content-sha256",
          ArgumentValue: csha,
        });
      }
    }
    return null;
  }

  // --- signature -----------------------------------------------------------------------------

  async function verifySignature(ctx, body) {
    const { auth, cred, hdrs, style } = ctx;
    const service = ctx.auth.scope.service;
    const s3 = style === "s3";
    const signedNames = auth.signedHeaders;
    const headers = {};
    for (const name of signedNames) if (hdrs[name] !== undefined) headers[name] = hdrs[name];
    const bodySha = body.sha256;

    // Payload checks that do not depend on the secret.
    const csha = hdrs["x-amz-content-sha256"];
    if (s3 && /^[0-9a-f]{64}$/.test(csha) && csha !== bodySha) {
      return buildError("s3", 400, "XAmzContentSHA256Mismatch", "The provided 'x-amz-content-sha256' header does not match what was computed.", {
        ClientComputedContentSHA256: csha,
        S3ComputedContentSHA256: bodySha,
      });
    }

    const signer = new SignatureV4({
      credentials: {
        accessKeyId: cred.accessKeyId,
        secretAccessKey: cred.secretAccessKey,
        ...(signedNames.includes("x-amz-security-token") && cred.sessionToken ? { sessionToken: cred.sessionToken } : {}),
      },
      region: auth.scope.region,
      service,
      sha256: Sha256,
      uriEscapePath: service !== "s3",
      applyChecksum: false,
    });
    const request = {
      method: ctx.method,
      protocol: "http:",
      hostname: (hdrs.host ?? "").replace(/:\d+$/, ""),
      path: ctx.path,
      query: ctx.query,
      headers,
      body: s3 ? undefined : body.buffer,
    };
    const signableHeaders = new Set(signedNames);
    let expected;
    if (!signedNames.includes("date")) {
      // The verdict: AWS's signer signs the rebuilt request with the same date, scope and headers.
      const signed = await signer.sign(request, {
        signingDate: new Date(ctx.signedAt),
        signableHeaders,
        signingRegion: auth.scope.region,
        signingService: service,
      });
      const m = /Signature=([0-9a-f]{64})/.exec(signed.headers.authorization ?? "");
      expected = m?.[1];
      const sh = /SignedHeaders=([^,]*)/.exec(signed.headers.authorization ?? "")?.[1];
      if (sh !== auth.signedHeadersRaw) expected = undefined; // e.g. headers listed but absent
    }
    const payloadHash = s3 ? csha : (csha ?? bodySha);
    let diag;
    if (signedNames.includes("date")) {
      // prepareRequest() drops a signed Date header; build the same canonical request by hand.
      diag = await diagnose(signer, ctx, headers, signableHeaders, service, payloadHash);
      expected = diag.signature;
    }
    const provided = auth.signature;
    const ok =
      expected !== undefined &&
      expected.length === provided.length &&
      timingSafeEqual(Buffer.from(expected), Buffer.from(provided));
    if (ok && !s3 && csha !== undefined && csha !== bodySha && !S3_STREAMING_PAYLOADS.has(csha)) {
      return buildError(style, 403, "SignatureDoesNotMatch", "The provided x-amz-content-sha256 header does not match the request body.");
    }
    if (ok) return null;
    diag ??= await diagnose(signer, ctx, headers, signableHeaders, service, payloadHash);
    if (s3) {
      return buildError("s3", 403, "SignatureDoesNotMatch", "The request signature we calculated does not match the signature you provided. Check your key and signing method.", {
        AWSAccessKeyId: cred.accessKeyId,
        StringToSign: diag.stringToSign,
        SignatureProvided: provided,
        StringToSignBytes: spacedHex(diag.stringToSign),
        CanonicalRequest: diag.canonicalRequest,
        CanonicalRequestBytes: spacedHex(diag.canonicalRequest),
      });
    }
    return buildError(
      style,
      403,
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.\n\n" +
        `The Canonical String for this request should have been\n'${diag.canonicalRequest}'\n\n` +
        `The String-to-Sign should have been\n'${diag.stringToSign}'\n`,
    );
  }

  /** Canonical request and string to sign, built with the signer's own canonicalisation. */
  async function diagnose(signer, ctx, headers, signableHeaders, service, payloadHash) {
    const longDate = ctx.amzDate;
    const shortDate = longDate.slice(0, 8);
    const hdrs = { ...headers };
    const canonicalHeaders = getCanonicalHeaders({ headers: hdrs }, undefined, signableHeaders);
    const canonicalRequest = signer.createCanonicalRequest(
      { method: ctx.method, path: ctx.path, query: ctx.query, headers: hdrs },
      canonicalHeaders,
      payloadHash,
    );
    const scope = createScope(shortDate, ctx.auth.scope.region, service);
    const stringToSign = await signer.createStringToSign(longDate, scope, canonicalRequest, "AWS4-HMAC-SHA256");
    const creds = {
      accessKeyId: ctx.cred.accessKeyId,
      secretAccessKey: ctx.cred.secretAccessKey,
    };
    const signature = await signer.getSignature(
      longDate,
      scope,
      signer.getSigningKey(creds, ctx.auth.scope.region, shortDate, service),
      canonicalRequest,
    );
    return { canonicalRequest, stringToSign, signature };
  }

  // --- body reception and forwarding ---------------------------------------------------------

  function upstreamHeaders(ctx, overrideLength) {
    const out = {};
    for (let i = 0; i < ctx.rawHeaders.length; i += 2) {
      const name = ctx.rawHeaders[i];
      const lower = name.toLowerCase();
      if (HOP_BY_HOP.has(lower)) continue;
      if (lower === "content-length" && overrideLength !== undefined) continue;
      if (Object.hasOwn(out, lower)) out[lower] = `${out[lower]}, ${ctx.rawHeaders[i + 1]}`;
      else out[lower] = ctx.rawHeaders[i + 1];
    }
    if (overrideLength !== undefined) out["content-length"] = String(overrideLength);
    return out;
  }

  function openUpstream(ctx, headers) {
    return http.request({
      host: "127.0.0.1",
      port: fq.port,
      method: ctx.method,
      path: ctx.rawUrl,
      headers,
      agent,
      setHost: false,
    });
  }

  /**
   * Read the request body. With `upstream`, stream it on while holding back the last chunk, so
   * that fauxqs never sees a complete request until the signature has been verified.
   */
  function receiveBody(req, { upstream, keep }) {
    return new Promise((resolve, reject) => {
      const hash = createHash("sha256");
      const chunks = [];
      let held = null;
      let length = 0;
      let tooLarge = false;
      req.on("data", (c) => {
        hash.update(c);
        length += c.length;
        if (keep && !tooLarge) {
          if (length > MAX_BUFFERED_BODY) {
            tooLarge = true;
            chunks.length = 0;
          } else chunks.push(c);
        }
        if (upstream) {
          if (held && !upstream.destroyed && !upstream.write(held)) {
            req.pause();
            upstream.once("drain", () => req.resume());
          }
          held = c;
        }
      });
      req.on("end", () => {
        const buffer = keep && !tooLarge ? Buffer.concat(chunks) : undefined;
        resolve({ sha256: length === 0 ? EMPTY_SHA256 : hash.digest("hex"), buffer, held, length, tooLarge });
      });
      req.on("error", reject);
      req.on("aborted", () => reject(new Error("client aborted the request")));
    });
  }

  function relayResponse(ctx, ures, res, rule) {
    const headers = {};
    for (const [k, v] of Object.entries(ures.headers)) {
      if (!HOP_BY_HOP.has(k)) headers[k] = v;
    }
    const status = ures.statusCode;
    if (ctx.style === "json") fixSqsResponseHeaders(headers);
    if (ctx.style === "s3") addS3ResponseHeaders(ctx, status, headers);
    const bodyless = ctx.method === "HEAD" || status === 204 || status === 304;

    const needsListRewrite = ctx.isListing && status === 200;
    const needsEntryMerge = rule?.action === "fail-entries" && ctx.failedEntries?.length > 0;
    if ((needsListRewrite || needsEntryMerge) && !bodyless) {
      const chunks = [];
      ures.on("data", (c) => chunks.push(c));
      ures.on("end", () => {
        let body = Buffer.concat(chunks).toString("utf8");
        if (needsListRewrite) body = rewriteListing(body, ctx);
        if (needsEntryMerge) body = mergeFailedEntries(body, status, ctx.failedEntries);
        const buf = Buffer.from(body, "utf8");
        headers["content-length"] = String(buf.length);
        delete headers["content-encoding"];
        res.writeHead(status, headers);
        res.end(buf);
      });
      ures.on("error", () => res.destroy());
      ures.resume();
      return;
    }

    if (!bodyless && (rule?.action === "truncate-body" || rule?.action === "close-mid-body")) {
      const limit = rule.afterBytes ?? 0;
      const truncate = rule.action === "truncate-body";
      if (truncate && headers["content-length"] !== undefined) {
        headers["content-length"] = String(Math.min(limit, Number(headers["content-length"])));
      }
      res.writeHead(status, headers);
      res.flushHeaders();
      let sent = 0;
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        ures.destroy();
        if (truncate) res.end();
        else if (res.socket) res.socket.destroy();
        else res.destroy();
      };
      if (limit === 0) {
        if (truncate) return finish();
        return res.write("", () => finish());
      }
      ures.on("data", (c) => {
        if (done) return;
        const take = Math.min(c.length, limit - sent);
        sent += take;
        if (sent >= limit) {
          res.write(c.subarray(0, take), () => finish());
          ures.pause();
        } else {
          res.write(c);
        }
      });
      ures.on("end", () => {
        if (!done) {
          if (truncate) {
            done = true;
            res.end();
          } else res.write("", () => finish());
        }
      });
      ures.on("error", () => res.destroy());
      ures.resume();
      return;
    }

    res.writeHead(status, headers);
    ures.pipe(res);
    ures.on("error", () => res.destroy());
  }

  function faultResponse(ctx, rule) {
    const style = ctx.style;
    const status = rule.status;
    if (rule.body !== undefined) {
      const headers = {
        "content-type": style === "s3" ? "application/xml" : style === "json" ? "application/x-amz-json-1.0" : "text/xml",
        ...(rule.headers ?? {}),
      };
      return { status, headers, body: rule.body, code: rule.code };
    }
    const table = style === "s3" ? S3_DEFAULT_FAULTS : style === "rest-json" ? GUARDDUTY_DEFAULT_FAULTS : SQS_DEFAULT_FAULTS;
    const [dCode, dMsg] = table[status] ?? (status >= 500 ? table[500] : ["InvalidRequest", "Injected fault"]);
    const err = buildError(style, status, rule.code ?? dCode, rule.message ?? dMsg);
    err.headers = { ...err.headers, ...(rule.headers ?? {}) };
    return err;
  }

  function denyResponse(ctx, rule) {
    if (ctx.style === "s3") return buildError("s3", 403, rule.code ?? "AccessDenied", rule.message ?? "Access Denied");
    if (ctx.style === "rest-json") {
      // As IAM words it: the principal, the action, the resource (the detector, or none).
      const detector = detectorOfPath(ctx.path);
      const resource = detector ? ` on resource: arn:aws:guardduty:${ctx.auth.scope.region}:${ACCOUNT_ID}:detector/${detector}` : "";
      const msg = rule.message ?? `User: arn:aws:iam::${ACCOUNT_ID}:user/standin is not authorized to perform: guardduty:${ctx.operation}${resource}`;
      return buildError("rest-json", 403, rule.code ?? "AccessDeniedException", msg);
    }
    let queueUrl;
    try {
      queueUrl = JSON.parse(ctx.body?.buffer?.toString("utf8") || "{}").QueueUrl;
    } catch {
      queueUrl = undefined;
    }
    const msg = rule.message ?? (queueUrl ? `Access to the resource ${queueUrl} is denied.` : "Access to the resource is denied.");
    return buildError(ctx.style, 403, rule.code ?? "AccessDenied", msg);
  }

  // --- GuardDuty (answered here, not by fauxqs) -----------------------------------------------

  function answerRestJson(ctx, res, entry, rule) {
    const answer = answerGuardDuty(guardduty, {
      method: ctx.method,
      path: ctx.path,
      query: Object.fromEntries(Object.entries(ctx.query).map(([k, v]) => [k, firstValue(v)])),
      bodyText: ctx.body?.buffer?.toString("utf8") ?? "",
      region: ctx.auth.scope.region,
    });
    if (answer.code) {
      const err = buildError("rest-json", answer.status, answer.code, answer.message);
      entry.status = err.status;
      entry.error = err.code;
      return sendAnswer(res, ctx.method, err);
    }
    const body = Buffer.from(JSON.stringify(answer.body), "utf8");
    const headers = { "content-type": "application/json", "x-amzn-requestid": randomUUID() };
    entry.status = answer.status;
    if (rule?.action === "truncate-body" || rule?.action === "close-mid-body") {
      const cut = Math.min(rule.afterBytes ?? 0, body.length);
      const truncate = rule.action === "truncate-body";
      res.writeHead(answer.status, { ...headers, "content-length": String(truncate ? cut : body.length) });
      res.write(body.subarray(0, cut), () => {
        if (truncate) res.end();
        else if (res.socket) res.socket.destroy();
        else res.destroy();
      });
      return;
    }
    res.writeHead(answer.status, { ...headers, "content-length": String(body.length) });
    res.end(body);
  }

  // --- main request handler ------------------------------------------------------------------

  async function handleAws(req, res, ctx) {
    const entry = {
      id: ++requestSeq,
      time: new Date().toISOString(),
      method: ctx.method,
      path: ctx.path,
      query: ctx.rawQuery,
      service: ctx.service,
      operation: ctx.operation,
      accessKeyId: undefined,
      signatureValid: false,
      status: undefined,
      error: undefined,
      fault: undefined,
      durationMs: undefined,
    };
    const started = Date.now();
    res.on("close", () => {
      entry.status = entry.status ?? (res.headersSent ? res.statusCode : 0);
      entry.durationMs = Date.now() - started;
      entry.accessKeyId = ctx.accessKeyId;
      entry.service = ctx.service;
      if (!res.writableFinished && !entry.fault) entry.error = entry.error ?? "ConnectionClosed";
      record(entry);
    });
    const fail = async (err, { drainFirst = true } = {}) => {
      if (drainFirst) await drain(req);
      entry.status = err.status;
      entry.error = err.code;
      sendAnswer(res, ctx.method, err);
    };

    const headerError = authenticateHeaders(ctx);
    if (headerError) return fail(headerError);

    const rule = reserveRule(ctx);
    let ruleCommitted = false;
    const giveBack = () => {
      if (!ruleCommitted) releaseRule(rule);
      ruleCommitted = true;
    };

    if (rule?.action === "delay") {
      await sleep(rule.delayMs);
      if (res.destroyed) return giveBack();
    }

    const forwards = !rule || rule.action === "delay" || rule.action === "truncate-body" || rule.action === "close-mid-body";
    const stream = forwards && ctx.style === "s3";
    let upstream = null;
    let upstreamError = null;
    let forwarding = false;
    let verifiedResolve;
    const verified = new Promise((r) => (verifiedResolve = r));
    if (stream) {
      upstream = openUpstream(ctx, upstreamHeaders(ctx));
      upstream.on("error", (e) => {
        upstreamError = e;
        if (!forwarding) return; // destroyed on purpose, or reported below
        if (!res.headersSent) {
          sendAnswer(res, ctx.method, buildError(ctx.style, 502, "InternalError", `stand-in lost fauxqs: ${e.message}`));
        } else res.destroy();
      });
      upstream.on("response", async (ures) => {
        ures.pause();
        const ok = await verified;
        if (!ok) return ures.destroy();
        relayResponse(ctx, ures, res, rule);
      });
    }
    res.on("close", () => {
      if (upstream && !res.writableFinished) upstream.destroy();
    });

    let body;
    try {
      body = await receiveBody(req, { upstream, keep: ctx.style !== "s3" });
    } catch {
      giveBack();
      upstream?.destroy();
      verifiedResolve(false);
      return;
    }
    ctx.body = body;
    if (body.tooLarge) {
      giveBack();
      upstream?.destroy();
      verifiedResolve(false);
      return fail(buildError(ctx.style, 413, "RequestEntityTooLarge", "Request body too large for the stand-in"), { drainFirst: false });
    }

    let sigError;
    try {
      sigError = await verifySignature(ctx, body);
    } catch (e) {
      sigError = buildError(ctx.style, 500, "InternalError", `stand-in failed to verify the signature: ${e.message}`);
    }
    if (sigError) {
      giveBack();
      upstream?.destroy();
      verifiedResolve(false);
      return fail(sigError, { drainFirst: false });
    }
    entry.signatureValid = true;
    ruleCommitted = true;
    if (rule) entry.fault = rule.action;

    const reqCheck = checkS3Request(ctx);
    if (reqCheck) {
      upstream?.destroy();
      verifiedResolve(false);
      return fail(reqCheck, { drainFirst: false });
    }
    if (rule?.action === "deny") {
      const err = denyResponse(ctx, rule);
      return fail(err, { drainFirst: false });
    }
    if (rule?.action === "status") {
      const err = faultResponse(ctx, rule);
      return fail(err, { drainFirst: false });
    }
    if (ctx.style === "rest-json") return answerRestJson(ctx, res, entry, rule);
    if (upstreamError) {
      verifiedResolve(false);
      return fail(buildError(ctx.style, 502, "InternalError", `stand-in could not reach fauxqs: ${upstreamError.message}`), {
        drainFirst: false,
      });
    }

    if (stream) {
      forwarding = true;
      verifiedResolve(true);
      upstream.end(body.held ?? undefined);
      return;
    }

    // Buffered forwarding (SQS and other non-S3 requests; fail-entries).
    let outBody = body.buffer ?? Buffer.alloc(0);
    if (rule?.action === "fail-entries") {
      const split = failBatchEntries(outBody, rule);
      ctx.failedEntries = split.failedEntries;
      if (split.allFailed) {
        entry.status = 200;
        sendAllEntriesFailed(res, ctx.failedEntries);
        return;
      }
      outBody = split.forwardBody;
    }
    upstream = openUpstream(ctx, upstreamHeaders(ctx, outBody.length));
    upstream.on("error", (e) => {
      if (!res.headersSent) {
        sendAnswer(res, ctx.method, buildError(ctx.style, 502, "InternalError", `stand-in could not reach fauxqs: ${e.message}`));
      } else res.destroy();
    });
    upstream.on("response", (ures) => relayResponse(ctx, ures, res, rule));
    upstream.end(outBody);
  }

  // --- admin API ------------------------------------------------------------------------------

  // POST/GET guardduty/detectors, DELETE guardduty/detectors/<id>,
  // POST/DELETE guardduty/detectors/<id>/findings.
  async function handleGuardDutyAdmin(req, res, route) {
    const m = /^guardduty\/detectors(?:\/([^/]+))?(\/findings)?$/.exec(route);
    const id = m?.[1] && decodeURIComponent(m[1]);
    if (m && !id && !m[2]) {
      if (req.method === "GET") {
        await drain(req);
        return sendJson(res, 200, guardduty.describe());
      }
      if (req.method === "POST") {
        const body = (await readJson(req)) ?? {};
        if (body.region !== undefined && !regions.includes(body.region)) {
          return sendJson(res, 400, { error: `region ${body.region} is not one of this stand-in's (${regions.join(", ")})` });
        }
        return sendJson(res, 201, guardduty.createDetector({ region: body.region ?? region, detectorId: body.detectorId }));
      }
    }
    if (m && id && !m[2] && req.method === "DELETE") {
      await drain(req);
      return guardduty.deleteDetector(id) ? sendJson(res, 200, { removed: id }) : sendJson(res, 404, { error: `no detector ${id}` });
    }
    if (m && id && m[2]) {
      if (!guardduty.detectors.has(id)) {
        await drain(req);
        return sendJson(res, 404, { error: `no detector ${id}` });
      }
      if (req.method === "POST") return sendJson(res, 200, guardduty.putFindings(id, await readJson(req)));
      if (req.method === "DELETE") {
        await drain(req);
        guardduty.detectors.get(id).findings.clear();
        return sendJson(res, 200, { cleared: id });
      }
    }
    await drain(req);
    return sendJson(res, 404, { error: `unknown admin route ${req.method} /_standin/${route}` });
  }

  async function handleAdmin(req, res, path) {
    const route = path.replace(/^\/_standin\/?/, "").replace(/\/$/, "");
    try {
      if (route === "health" && req.method === "GET") {
        return sendJson(res, 200, { ok: true, endpoint: api.endpoint, fauxqs: api.fauxqsEndpoint, region, regions });
      }
      if (route === "faults") {
        if (req.method === "GET") return sendJson(res, 200, rules.map(describeRule));
        if (req.method === "DELETE") {
          await drain(req);
          rules.length = 0;
          return sendJson(res, 200, { cleared: true });
        }
        if (req.method === "POST") {
          const body = await readJson(req);
          const list = Array.isArray(body) ? body : [body];
          const compiled = list.map(compileRule);
          rules.push(...compiled);
          return sendJson(res, 201, compiled.length === 1 && !Array.isArray(body) ? describeRule(compiled[0]) : compiled.map(describeRule));
        }
      }
      const one = /^faults\/(r\d+)$/.exec(route);
      if (one && req.method === "DELETE") {
        await drain(req);
        const idx = rules.findIndex((r) => r.id === one[1]);
        if (idx < 0) return sendJson(res, 404, { error: `no rule ${one[1]}` });
        rules.splice(idx, 1);
        return sendJson(res, 200, { removed: one[1] });
      }
      if (route === "requests") {
        if (req.method === "GET") return sendJson(res, 200, requestLog);
        if (req.method === "DELETE") {
          await drain(req);
          requestLog.length = 0;
          return sendJson(res, 200, { cleared: true });
        }
      }
      if (route.startsWith("guardduty/")) return await handleGuardDutyAdmin(req, res, route);
      if (route === "reset" && req.method === "POST") {
        await drain(req);
        api.fauxqs.reset();
        guardduty.reset();
        return sendJson(res, 200, { reset: true });
      }
      if (route === "purge" && req.method === "POST") {
        await drain(req);
        api.fauxqs.purgeAll();
        guardduty.purge();
        return sendJson(res, 200, { purged: true });
      }
      if (route === "s3/last-modified" && req.method === "POST") {
        const body = (await readJson(req)) ?? {};
        return sendJson(res, 200, api.fauxqs.setLastModified(body.bucket, body.key, body.last_modified));
      }
      if (route === "setup" && req.method === "POST") {
        const body = await readJson(req);
        api.fauxqs.setup(body ?? {});
        return sendJson(res, 200, { ok: true });
      }
      await drain(req);
      return sendJson(res, 404, { error: `unknown admin route ${req.method} ${path}` });
    } catch (e) {
      if (!res.headersSent) return sendJson(res, 400, { error: e.message });
    }
  }

  server.on("request", (req, res) => {
    let rawUrl = req.url ?? "/";
    if (/^https?:\/\//i.test(rawUrl)) {
      const u = new URL(rawUrl);
      rawUrl = u.pathname + u.search;
    }
    const q = rawUrl.indexOf("?");
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const rawQuery = q < 0 ? "" : rawUrl.slice(q + 1);
    if (path === "/_standin" || path.startsWith("/_standin/")) {
      handleAdmin(req, res, path).catch(() => res.destroy());
      return;
    }
    const hdrs = headerMap(req.rawHeaders);
    const cls = classify(req, path, hdrs);
    let query;
    try {
      query = parseQuery(rawQuery);
    } catch {
      drain(req).then(() =>
        sendAnswer(res, req.method, buildError(cls.style, 400, "InvalidArgument", "The query string is not valid percent-encoding.")),
      );
      return;
    }
    const ctx = {
      method: req.method,
      rawUrl,
      path,
      rawQuery,
      query,
      hdrs,
      rawHeaders: req.rawHeaders,
      style: cls.style,
      service: cls.service,
      operation: cls.operation,
    };
    if (cls.style === "s3") {
      ctx.s3 = s3Target(hdrs.host, path);
      ctx.operation = s3Operation(req.method, ctx.s3.bucket, ctx.s3.key, query, hdrs);
    } else if (cls.style === "query") {
      ctx.operation = "";
    }
    handleAws(req, res, ctx).catch((e) => {
      if (!res.headersSent) sendAnswer(res, req.method, buildError(cls.style, 500, "InternalError", e.message));
      else res.destroy();
    });
  });

  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = server.address().port;
  proxyHost = `127.0.0.1:${port}`;

  // --- fauxqs helpers (what startFauxqs() would return, with proxy-facing queue URLs) ---------
  const fauxqs = {
    address: fq.address,
    port: fq.port,
    sqsStore: fq.sqsStore,
    snsStore: fq.snsStore,
    s3Store: fq.s3Store,
    get spy() {
      if (!fq.spy) throw new Error("message spy not enabled: pass { messageSpies: true }");
      return fq.spy;
    },
    createQueue(name, opts = {}) {
      const r = opts.region ?? region;
      const arn = sqsQueueArn(name, r);
      const existing = fq.sqsStore.getQueueByArn(arn);
      if (existing) return { queueUrl: existing.url, queueArn: arn, queueName: name };
      const queueUrl = fq.sqsStore.buildQueueUrl(name, String(port), proxyHost, r);
      fq.sqsStore.createQueue(name, queueUrl, arn, opts.attributes, opts.tags);
      return { queueUrl, queueArn: arn, queueName: name };
    },
    deleteQueue(name, opts = {}) {
      const q = fq.sqsStore.getQueueByArn(sqsQueueArn(name, opts.region ?? region));
      if (q) fq.sqsStore.deleteQueue(q.url);
    },
    inspectQueue(name) {
      return fq.sqsStore.inspectQueue(name);
    },
    createBucket(name) {
      fq.s3Store.createBucket(name);
      return { bucketName: name };
    },
    putObject(bucket, key, body, contentType = "application/octet-stream", metadata = {}) {
      const buf = Buffer.isBuffer(body) ? body : Buffer.from(body ?? "");
      const o = fq.s3Store.putObject(bucket, key, buf, contentType, metadata);
      return { etag: o.etag };
    },
    emptyBucket(name) {
      fq.s3Store.emptyBucket(name);
    },
    // Tests of "what changed after time T" need objects from different seconds without waiting
    // for the clock: set an object's LastModified (listing, HEAD and GET report it).
    setLastModified(bucket, key, when) {
      const date = new Date(when);
      if (Number.isNaN(date.getTime())) throw new Error(`not a time: ${when}`);
      const o = fq.s3Store.getObject(bucket, key);
      o.lastModified = date;
      return { bucket, key, lastModified: date.toISOString() };
    },
    setup(config) {
      const cfg = validateInitConfig(config);
      applyInitConfig(cfg, fq.sqsStore, fq.snsStore, fq.s3Store, { port, region });
    },
    reset() {
      fq.sqsStore.clearMessages();
      fq.s3Store.clearObjects();
      fq.spy?.clear();
    },
    purgeAll() {
      fq.sqsStore.purgeAll();
      fq.snsStore.purgeAll();
      fq.s3Store.purgeAll();
    },
  };

  // applyInitConfig builds queue URLs from "127.0.0.1:<port>" + the store host (""), i.e. the proxy.
  if (options.init) {
    const cfg = typeof options.init === "string" ? loadInitConfig(options.init) : options.init;
    fauxqs.setup(cfg);
  }

  let closed = false;
  const api = {
    endpoint: `http://127.0.0.1:${port}`,
    fauxqsEndpoint: fq.address,
    region,
    regions,
    port,
    fauxqsPort: fq.port,
    accessKeyIds: credentials.map((c) => c.accessKeyId),
    fauxqs,
    guardduty,
    addFault(rule) {
      const r = compileRule(rule);
      rules.push(r);
      return r.id;
    },
    removeFault(id) {
      const idx = rules.findIndex((r) => r.id === id);
      if (idx >= 0) rules.splice(idx, 1);
      return idx >= 0;
    },
    clearFaults() {
      rules.length = 0;
    },
    faults() {
      return rules.map(describeRule);
    },
    requests() {
      return requestLog.map((e) => ({ ...e }));
    },
    clearRequests() {
      requestLog.length = 0;
    },
    async close() {
      if (closed) return;
      closed = true;
      server.closeAllConnections?.();
      await new Promise((r) => server.close(() => r()));
      agent.destroy();
      await fq.app.close();
    },
  };
  return api;
}

// ---------------------------------------------------------------------------------------------
// Command line

function parseArgs(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case "--port":
        opts.port = Number(val());
        break;
      case "--fauxqs-port":
        opts.fauxqsPort = Number(val());
        break;
      case "--credentials":
        opts.credentialsFile = val();
        break;
      case "--region": {
        // The first is the default; each further one is accepted too (GuardDuty detectors).
        const r = val();
        if (opts.region === undefined) opts.region = r;
        else (opts.regions ??= []).push(r);
        break;
      }
      case "--init":
        opts.init = val();
        break;
      case "--quiet":
        opts.quiet = true;
        break;
      case "-h":
      case "--help":
        opts.help = true;
        break;
      default:
        throw new Error(`unknown argument ${a}`);
    }
  }
  for (const k of ["port", "fauxqsPort"]) {
    if (opts[k] !== undefined && (!Number.isInteger(opts[k]) || opts[k] < 0 || opts[k] > 65535)) {
      throw new Error(`--${k === "port" ? "port" : "fauxqs-port"} must be a port number`);
    }
  }
  return opts;
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`standin: ${e.message}\n`);
    process.exit(2);
  }
  if (opts.help) {
    process.stdout.write(
      "usage: node tools/aws-standin/standin.mjs [--port N] [--fauxqs-port N] [--credentials FILE]\n" +
        "                                          [--region R]... [--init FILE] [--quiet]\n",
    );
    return;
  }
  let standin;
  try {
    standin = await startStandin({ ...opts, log: !opts.quiet });
  } catch (e) {
    process.stderr.write(`standin: ${e.message}\n`);
    process.exit(1);
  }
  let stopping = false;
  const stop = async (sig) => {
    if (stopping) return;
    stopping = true;
    if (!opts.quiet) process.stderr.write(`standin: ${sig}, shutting down\n`);
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    await standin.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  // Ready only once the signal handlers are in place.
  process.stdout.write(
    JSON.stringify({ endpoint: standin.endpoint, fauxqs: standin.fauxqsEndpoint, region: standin.region, regions: standin.regions }) + "\n",
  );
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url))) {
  await main();
}
