// Fault injection: the rules (README.md, "Admin API", a rule and its actions), which request a
// rule applies to, and the answers a rule makes: an error status, an IAM-style denial, or a
// response body cut short. Delays and SQS fail-entries are carried out by proxy.mjs and sqs.mjs.

import { buildError } from "./aws-errors.mjs";
import { ACCOUNT_ID } from "./credentials.mjs";
import { detectorOfPath } from "./guardduty.mjs";

export const FAULT_ACTIONS = Object.freeze([
  "status",
  "truncate-body",
  "close-mid-body",
  "delay",
  "deny",
  "fail-entries",
]);

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

// Shared by every stand-in in the process, as it always was: rule ids are unique process-wide.
let ruleCounter = 0;

/** Check a rule as given (admin API or addFault) and turn it into the form the matcher uses. */
export function compileRule(input) {
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

function ruleMatches(rule, call) {
  if (rule.remaining <= 0) return false;
  if (rule.method && rule.method !== call.method) return false;
  if (rule.path && !rule.path.test(call.path)) return false;
  if (rule.query && !rule.query.test(call.rawQuery)) return false;
  if (rule.operation && !rule.operation.test(call.operation)) return false;
  if (rule.accessKeyId && rule.accessKeyId !== call.accessKeyId) return false;
  if (rule.service && rule.service !== call.service) return false;
  return true;
}

/** A rule as the admin API and faults() show it: as given, plus id, remaining, applied. */
export function describeRule(rule) {
  return { ...rule.source, id: rule.id, remaining: Number.isFinite(rule.remaining) ? rule.remaining : null, applied: rule.applied };
}

/** The fault rules of one stand-in, in insertion order (the first match applies). */
export class FaultRules {
  #rules = [];

  /** Compile all of `inputs` before adding any, so one bad rule adds none. */
  add(inputs) {
    const compiled = inputs.map(compileRule);
    this.#rules.push(...compiled);
    return compiled;
  }

  remove(id) {
    const idx = this.#rules.findIndex((r) => r.id === id);
    if (idx >= 0) this.#rules.splice(idx, 1);
    return idx >= 0;
  }

  clear() {
    this.#rules.length = 0;
  }

  describe() {
    return this.#rules.map(describeRule);
  }

  /**
   * The first rule matching `call`, counted as applied. A request refused later (bad signature)
   * gives it back with release(), so refused requests do not use up `times`.
   */
  reserve(call) {
    for (const rule of this.#rules) {
      if (ruleMatches(rule, call)) {
        rule.remaining -= 1;
        rule.applied += 1;
        return rule;
      }
    }
    return null;
  }

  release(rule) {
    if (!rule) return;
    rule.remaining += 1;
    rule.applied -= 1;
  }
}

/** The answer of a `status` rule: its own body verbatim, or an error in the service's format. */
export function injectedErrorAnswer(call, rule) {
  const style = call.style;
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

/** The answer of a `deny` rule: 403 as the service words a missing IAM permission. */
export function deniedAnswer(call, rule) {
  if (call.style === "s3") return buildError("s3", 403, rule.code ?? "AccessDenied", rule.message ?? "Access Denied");
  if (call.style === "rest-json") {
    // As IAM words it: the principal, the action, the resource (the detector, or none).
    const detector = detectorOfPath(call.path);
    const resource = detector ? ` on resource: arn:aws:guardduty:${call.auth.scope.region}:${ACCOUNT_ID}:detector/${detector}` : "";
    const msg = rule.message ?? `User: arn:aws:iam::${ACCOUNT_ID}:user/standin is not authorized to perform: guardduty:${call.operation}${resource}`;
    return buildError("rest-json", 403, rule.code ?? "AccessDeniedException", msg);
  }
  let queueUrl;
  try {
    queueUrl = JSON.parse(call.body?.buffer?.toString("utf8") || "{}").QueueUrl;
  } catch {
    queueUrl = undefined;
  }
  const msg = rule.message ?? (queueUrl ? `Access to the resource ${queueUrl} is denied.` : "Access to the resource is denied.");
  return buildError(call.style, 403, rule.code ?? "AccessDenied", msg);
}

/** Whether a rule forwards the request but cuts the response body short. */
export function cutsBody(rule) {
  return rule?.action === "truncate-body" || rule?.action === "close-mid-body";
}

/**
 * Send a whole body cut at the rule's afterBytes: truncate-body ends a well-formed short response
 * (Content-Length rewritten); close-mid-body announces the full length and drops the connection.
 */
export function sendCutBody(res, status, headers, body, rule) {
  const cut = Math.min(rule.afterBytes ?? 0, body.length);
  const truncate = rule.action === "truncate-body";
  res.writeHead(status, { ...headers, "content-length": String(truncate ? cut : body.length) });
  res.write(body.subarray(0, cut), () => {
    if (truncate) res.end();
    else if (res.socket) res.socket.destroy();
    else res.destroy();
  });
}

/** The same cut, applied to a response streamed from fauxqs (`headers` are relayed as given). */
export function relayCutBody(upstreamRes, res, status, headers, rule) {
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
    upstreamRes.destroy();
    if (truncate) res.end();
    else if (res.socket) res.socket.destroy();
    else res.destroy();
  };
  if (limit === 0) {
    if (truncate) return finish();
    return res.write("", () => finish());
  }
  upstreamRes.on("data", (c) => {
    if (done) return;
    const take = Math.min(c.length, limit - sent);
    sent += take;
    if (sent >= limit) {
      res.write(c.subarray(0, take), () => finish());
      upstreamRes.pause();
    } else {
      res.write(c);
    }
  });
  upstreamRes.on("end", () => {
    if (!done) {
      if (truncate) {
        done = true;
        res.end();
      } else res.write("", () => finish());
    }
  });
  upstreamRes.on("error", () => res.destroy());
  upstreamRes.resume();
}
