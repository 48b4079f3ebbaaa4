// The proxy's request handling: admin routes go to admin.mjs; every other request is an AWS call,
// checked (auth.mjs, signature.mjs) before any fault rule applies or fauxqs sees it complete, then
// answered by fauxqs (forward.mjs) or, for GuardDuty, by the proxy itself. Every AWS call is
// recorded in the request log.

import { handleAdmin } from "./admin.mjs";
import { buildError } from "./aws-errors.mjs";
import { checkAuthHeaders } from "./auth.mjs";
import { classify } from "./classify.mjs";
import { deniedAnswer, injectedErrorAnswer } from "./faults.mjs";
import { openUpstream, receiveBody, relayResponse, upstreamHeaders } from "./forward.mjs";
import { answerGuardDutyCall } from "./guardduty-http.mjs";
import { drain, headerMap, parseQuery, sendAnswer, sleep } from "./http-helpers.mjs";
import { checkS3Request, s3Operation, s3Target } from "./s3.mjs";
import { verifySignature } from "./signature.mjs";
import { failBatchEntries, sendAllEntriesFailed } from "./sqs.mjs";

/** The proxy server's "request" listener for the stand-in described by `context`. */
export function createRequestListener(context) {
  return (req, res) => {
    let rawUrl = req.url ?? "/";
    if (/^https?:\/\//i.test(rawUrl)) {
      const u = new URL(rawUrl);
      rawUrl = u.pathname + u.search;
    }
    const q = rawUrl.indexOf("?");
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const rawQuery = q < 0 ? "" : rawUrl.slice(q + 1);
    if (path === "/_standin" || path.startsWith("/_standin/")) {
      handleAdmin(context, req, res, path).catch(() => res.destroy());
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
    // What handling learns about the call accumulates here (auth, cred, body, listing flags, …).
    const call = {
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
      call.s3 = s3Target(hdrs.host, path);
      call.operation = s3Operation(req.method, call.s3.bucket, call.s3.key, query, hdrs);
    } else if (cls.style === "query") {
      call.operation = "";
    }
    handleAwsCall(context, req, res, call).catch((e) => {
      if (!res.headersSent) sendAnswer(res, req.method, buildError(cls.style, 500, "InternalError", e.message));
      else res.destroy();
    });
  };
}

/** A request log entry for `call`, recorded when the response closes, whatever ended it. */
function logEntryFor(context, call, res) {
  const entry = {
    id: context.requestLog.nextId(),
    time: new Date().toISOString(),
    method: call.method,
    path: call.path,
    query: call.rawQuery,
    service: call.service,
    operation: call.operation,
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
    entry.accessKeyId = call.accessKeyId;
    entry.service = call.service;
    if (!res.writableFinished && !entry.fault) entry.error = entry.error ?? "ConnectionClosed";
    context.requestLog.record(entry);
  });
  return entry;
}

async function handleAwsCall(context, req, res, call) {
  const entry = logEntryFor(context, call, res);
  const fail = async (err, { drainFirst = true } = {}) => {
    if (drainFirst) await drain(req);
    entry.status = err.status;
    entry.error = err.code;
    sendAnswer(res, call.method, err);
  };

  const headerError = checkAuthHeaders(context, call);
  if (headerError) return fail(headerError);

  const rule = context.faultRules.reserve(call);
  let ruleCommitted = false;
  const giveBack = () => {
    if (!ruleCommitted) context.faultRules.release(rule);
    ruleCommitted = true;
  };

  if (rule?.action === "delay") {
    await sleep(rule.delayMs);
    if (res.destroyed) return giveBack();
  }

  // S3 bodies stream to fauxqs while they arrive; the response waits for the signature verdict.
  const forwards = !rule || rule.action === "delay" || rule.action === "truncate-body" || rule.action === "close-mid-body";
  const stream = forwards && call.style === "s3";
  let upstream = null;
  let upstreamError = null;
  let forwarding = false;
  let verifiedResolve;
  const verified = new Promise((r) => (verifiedResolve = r));
  if (stream) {
    upstream = openUpstream(context, call, upstreamHeaders(call));
    upstream.on("error", (e) => {
      upstreamError = e;
      if (!forwarding) return; // destroyed on purpose, or reported below
      if (!res.headersSent) {
        sendAnswer(res, call.method, buildError(call.style, 502, "InternalError", `stand-in lost fauxqs: ${e.message}`));
      } else res.destroy();
    });
    upstream.on("response", async (upstreamRes) => {
      upstreamRes.pause();
      const ok = await verified;
      if (!ok) return upstreamRes.destroy();
      relayResponse(call, upstreamRes, res, rule);
    });
  }
  res.on("close", () => {
    if (upstream && !res.writableFinished) upstream.destroy();
  });

  let body;
  try {
    body = await receiveBody(req, { upstream, keep: call.style !== "s3" });
  } catch {
    giveBack();
    upstream?.destroy();
    verifiedResolve(false);
    return;
  }
  call.body = body;
  if (body.tooLarge) {
    giveBack();
    upstream?.destroy();
    verifiedResolve(false);
    return fail(buildError(call.style, 413, "RequestEntityTooLarge", "Request body too large for the stand-in"), { drainFirst: false });
  }

  let sigError;
  try {
    sigError = await verifySignature(call, body);
  } catch (e) {
    sigError = buildError(call.style, 500, "InternalError", `stand-in failed to verify the signature: ${e.message}`);
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

  const s3Error = checkS3Request(call);
  if (s3Error) {
    upstream?.destroy();
    verifiedResolve(false);
    return fail(s3Error, { drainFirst: false });
  }
  if (rule?.action === "deny") return fail(deniedAnswer(call, rule), { drainFirst: false });
  if (rule?.action === "status") return fail(injectedErrorAnswer(call, rule), { drainFirst: false });
  if (call.style === "rest-json") return answerGuardDutyCall(context.guardduty, call, res, entry, rule);
  if (upstreamError) {
    verifiedResolve(false);
    return fail(buildError(call.style, 502, "InternalError", `stand-in could not reach fauxqs: ${upstreamError.message}`), {
      drainFirst: false,
    });
  }

  if (stream) {
    forwarding = true;
    verifiedResolve(true);
    upstream.end(body.held ?? undefined);
    return;
  }
  // Kept in `upstream` so that the client going away cancels this request too.
  upstream = forwardBuffered(context, call, res, entry, rule, body.buffer ?? Buffer.alloc(0));
}

/**
 * Forward a request whose body was read whole (SQS and other non-S3 calls; fail-entries).
 * Returns the request to fauxqs, or null when the fault answered alone.
 */
function forwardBuffered(context, call, res, entry, rule, requestBody) {
  let outBody = requestBody;
  if (rule?.action === "fail-entries") {
    const split = failBatchEntries(outBody, rule);
    call.failedEntries = split.failedEntries;
    if (split.allFailed) {
      entry.status = 200;
      sendAllEntriesFailed(res, call.failedEntries);
      return null;
    }
    outBody = split.forwardBody;
  }
  const upstream = openUpstream(context, call, upstreamHeaders(call, outBody.length));
  upstream.on("error", (e) => {
    if (!res.headersSent) {
      sendAnswer(res, call.method, buildError(call.style, 502, "InternalError", `stand-in could not reach fauxqs: ${e.message}`));
    } else res.destroy();
  });
  upstream.on("response", (upstreamRes) => relayResponse(call, upstreamRes, res, rule));
  upstream.end(outBody);
  return upstream;
}
