// SQS in the stand-in: what the proxy adds to fauxqs's SQS (queue lookup by /<account>/<name>,
// the legacy error codes in x-amzn-query-error, a request id) and the fail-entries fault, which
// fails chosen entries of a batch call. README.md, "What fauxqs does for our client", SQS.

import { randomUUID } from "node:crypto";
import { ACCOUNT_ID } from "./credentials.mjs";

// Legacy (query-protocol) codes that SQS sends in x-amzn-query-error, from the awsQueryError
// traits of the SQS model in @aws-sdk/client-sqs. fauxqs prefixes every code with
// "AWS.SimpleQueueService."; only these keep the prefix, two are renamed, the rest (common errors
// such as InvalidParameterValue, MissingParameter) have none.
const SQS_PREFIXED_QUERY_CODES = new Set([
  "BatchEntryIdsNotDistinct",
  "BatchRequestTooLong",
  "EmptyBatchRequest",
  "InvalidBatchEntryId",
  "MessageNotInflight",
  "PurgeQueueInProgress",
  "QueueDeletedRecently",
  "NonExistentQueue",
  "TooManyEntriesInBatchRequest",
  "UnsupportedOperation",
]);
const SQS_RENAMED_QUERY_CODES = { QueueNameExists: "QueueAlreadyExists", QueueDoesNotExist: "AWS.SimpleQueueService.NonExistentQueue" };

function fixSqsQueryError(value) {
  const m = /^(?:AWS\.SimpleQueueService\.)?([^;]+);(Sender|Receiver)$/.exec(value);
  if (!m) return value;
  const code = m[1];
  const legacy = SQS_RENAMED_QUERY_CODES[code] ?? (SQS_PREFIXED_QUERY_CODES.has(code) ? `AWS.SimpleQueueService.${code}` : code);
  return `${legacy};${m[2]}`;
}

/** Headers of a relayed fauxqs SQS answer, made to look like SQS's (changes `headers`). */
export function fixSqsResponseHeaders(headers) {
  if (!headers["x-amzn-requestid"]) headers["x-amzn-requestid"] = randomUUID();
  if (typeof headers["x-amzn-query-error"] === "string") {
    headers["x-amzn-query-error"] = fixSqsQueryError(headers["x-amzn-query-error"]);
  }
}

/** Let fauxqs's store find a queue by any URL whose path is /<account>/<name>. */
export function patchQueueLookup(sqsStore) {
  // fauxqs finds a queue only by the exact QueueUrl string it generated. SQS identifies the
  // queue by the path /<account>/<name>; accept any scheme/host/port with that path.
  const exact = sqsStore.getQueue.bind(sqsStore);
  sqsStore.getQueue = (url) => {
    const q = exact(url);
    if (q || typeof url !== "string") return q;
    let u;
    try {
      u = new URL(url);
    } catch {
      return undefined;
    }
    const m = /^\/(\d{12})\/([^/]+)\/?$/.exec(u.pathname);
    if (!m || m[1] !== ACCOUNT_ID) return undefined;
    let name;
    try {
      name = decodeURIComponent(m[2]);
    } catch {
      return undefined;
    }
    return sqsStore.getQueueByName(name);
  };
}

/**
 * Apply a fail-entries rule to a batch request body. Returns { failedEntries, allFailed,
 * forwardBody }: the Failed[] entries to report, whether nothing is left to forward, and the
 * body to forward (unchanged when no entry fails: not a batch call, or no listed Id).
 */
export function failBatchEntries(requestBody, rule) {
  let parsed;
  try {
    parsed = JSON.parse(requestBody.toString("utf8"));
  } catch {
    parsed = undefined;
  }
  const entries = Array.isArray(parsed?.Entries) ? parsed.Entries : [];
  const failing = entries.filter((e) => !rule.entryIds || rule.entryIds.includes(String(e.Id)));
  const keep = entries.filter((e) => !failing.includes(e));
  const failedEntries = failing.map((e) => ({
    Id: e.Id,
    SenderFault: rule.senderFault,
    Code: rule.code ?? "InternalError",
    Message: rule.message ?? "Injected batch entry failure",
  }));
  if (failing.length === 0) return { failedEntries, allFailed: false, forwardBody: requestBody };
  if (keep.length === 0) return { failedEntries, allFailed: true, forwardBody: undefined };
  parsed.Entries = keep;
  return { failedEntries, allFailed: false, forwardBody: Buffer.from(JSON.stringify(parsed), "utf8") };
}

/** Answer a batch call whose every entry the fault fails, without asking fauxqs. */
export function sendAllEntriesFailed(res, failedEntries) {
  const payload = Buffer.from(JSON.stringify({ Successful: [], Failed: failedEntries }), "utf8");
  res.writeHead(200, {
    "content-type": "application/x-amz-json-1.0",
    "x-amzn-requestid": randomUUID(),
    "content-length": String(payload.length),
  });
  res.end(payload);
}

/** fauxqs's answer to the forwarded part of a batch, with the failed entries added to Failed[]. */
export function mergeFailedEntries(body, status, failedEntries) {
  if (status !== 200) return body;
  const parsed = body ? JSON.parse(body) : {};
  parsed.Successful = parsed.Successful ?? [];
  parsed.Failed = [...(parsed.Failed ?? []), ...failedEntries];
  return JSON.stringify(parsed);
}
