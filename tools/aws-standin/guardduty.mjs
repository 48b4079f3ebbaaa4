// The GuardDuty part of the stand-in: an in-memory store of detectors and their findings, and the
// three REST-JSON operations gd2sentinel calls (REFERENCE.md §5.3):
//   GET  /detector                          ListDetectors  (maxResults ≤ 50, nextToken)
//   POST /detector/{id}/findings            ListFindings   (criterion on updatedAt, sortCriteria,
//                                                           maxResults ≤ 50, nextToken)
//   POST /detector/{id}/findings/get        GetFindings    (findingIds ≤ 50, sortCriteria)
// proxy.mjs checks the signature first (service "guardduty") and applies fault rules; this file
// only answers, and guardduty-http.mjs writes the answer. Detectors belong to the Region their
// creator named; a request sees the detectors of the Region its signature is scoped to, as AWS does.

import { randomBytes } from "node:crypto";

export const MAX_RESULTS = 50;
const DETECTOR_NOT_OWNED = "The request is rejected because the input detectorId is not owned by the current account.";
const COMPARISONS = {
  gt: (a, b) => a > b,
  greaterThan: (a, b) => a > b,
  gte: (a, b) => a >= b,
  greaterThanOrEqual: (a, b) => a >= b,
  lt: (a, b) => a < b,
  lessThan: (a, b) => a < b,
  lte: (a, b) => a <= b,
  lessThanOrEqual: (a, b) => a <= b,
};

class GuardDutyRequestError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}
const badRequest = (message) => new GuardDutyRequestError(400, "BadRequestException", message);

/** The operation a request names, from its method and path (for the log and fault rules). */
export function guardDutyOperation(method, path) {
  if (method === "GET" && /^\/detector\/?$/.test(path)) return "ListDetectors";
  if (method === "POST" && /^\/detector\/[^/]+\/findings\/?$/.test(path)) return "ListFindings";
  if (method === "POST" && /^\/detector\/[^/]+\/findings\/get\/?$/.test(path)) return "GetFindings";
  return `GuardDuty.${method}`;
}

/** The detector id in a /detector/{id}/... path, if any. */
export function detectorOfPath(path) {
  const m = /^\/detector\/([^/]+)/.exec(path);
  return m ? decodeURIComponent(m[1]) : undefined;
}

function updatedAtMs(finding) {
  const ms = Date.parse(finding.updatedAt);
  return Number.isNaN(ms) ? undefined : ms;
}

const encodeToken = (value) => Buffer.from(JSON.stringify(value), "utf8").toString("base64url");
function decodeToken(token, kind) {
  try {
    const value = JSON.parse(Buffer.from(String(token), "base64url").toString("utf8"));
    if (value && value.k === kind) return value;
  } catch {
    // fall through
  }
  throw badRequest("The request is rejected because the input nextToken is invalid.");
}

function maxResultsOf(value) {
  if (value === undefined || value === null || value === "") return MAX_RESULTS;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_RESULTS) {
    throw badRequest(`The request is rejected because the parameter maxResults has an invalid value: ${value} (1 to ${MAX_RESULTS}).`);
  }
  return n;
}

// [updatedAt ms, id]: the order findings are sorted and paged in.
const keyOf = (f) => [updatedAtMs(f) ?? 0, String(f.id)];
function compareKeys(a, b) {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  return a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0;
}

function sortOrder(sortCriteria) {
  if (sortCriteria === undefined || sortCriteria === null) return "ASC";
  if (typeof sortCriteria !== "object") throw badRequest("sortCriteria must be an object.");
  const attribute = sortCriteria.attributeName ?? "updatedAt";
  if (attribute !== "updatedAt") throw badRequest(`The stand-in sorts by updatedAt only, not ${attribute}.`);
  const order = sortCriteria.orderBy ?? "ASC";
  if (order !== "ASC" && order !== "DESC") throw badRequest(`orderBy must be ASC or DESC, not ${order}.`);
  return order;
}

// findingCriteria.criterion: updatedAt with the comparison operators (Long and Integer forms
// alike), id and service.archived with eq/equals/neq/notEquals.
function matcherOf(findingCriteria) {
  const criterion = findingCriteria?.criterion ?? {};
  if (typeof criterion !== "object") throw badRequest("findingCriteria.criterion must be an object.");
  const tests = [];
  for (const [field, condition] of Object.entries(criterion)) {
    if (!condition || typeof condition !== "object") throw badRequest(`The condition for ${field} must be an object.`);
    for (const [op, operand] of Object.entries(condition)) {
      if (field === "updatedAt" && COMPARISONS[op]) {
        if (typeof operand !== "number" || !Number.isFinite(operand)) throw badRequest(`updatedAt.${op} must be a number (epoch milliseconds).`);
        tests.push((f) => COMPARISONS[op](updatedAtMs(f) ?? 0, operand));
      } else if ((field === "id" || field === "service.archived") && ["eq", "equals", "neq", "notEquals"].includes(op)) {
        if (!Array.isArray(operand)) throw badRequest(`${field}.${op} must be a list of strings.`);
        const values = operand.map(String);
        const valueOf = (f) => (field === "id" ? String(f.id) : String(Boolean(f.service?.archived)));
        const positive = op === "eq" || op === "equals";
        tests.push((f) => values.includes(valueOf(f)) === positive);
      } else {
        throw badRequest(`The stand-in does not filter on ${field} with ${op}.`);
      }
    }
  }
  return (f) => tests.every((t) => t(f));
}

export class GuardDutyStore {
  constructor() {
    this.detectors = new Map(); // id → { detectorId, region, findings: Map(findingId → finding) }
  }

  createDetector({ region, detectorId } = {}) {
    const id = detectorId ?? randomBytes(16).toString("hex");
    if (!/^[A-Za-z0-9]{1,300}$/.test(id)) throw new Error("detectorId must be 1 to 300 letters and digits");
    if (!region || typeof region !== "string") throw new Error("a detector needs a region");
    if (!this.detectors.has(id)) this.detectors.set(id, { detectorId: id, region, findings: new Map() });
    return { detectorId: id, region: this.detectors.get(id).region };
  }

  deleteDetector(id) {
    return this.detectors.delete(id);
  }

  /** Adds or replaces findings (by id). Each needs a string `id` and an ISO-8601 `updatedAt`. */
  putFindings(detectorId, findings) {
    const detector = this.detectors.get(detectorId);
    if (!detector) throw new Error(`no detector ${detectorId}`);
    const list = Array.isArray(findings) ? findings : findings?.findings;
    if (!Array.isArray(list)) throw new Error("expected an array of findings (or {findings: [...]})");
    for (const [i, f] of list.entries()) {
      if (!f || typeof f !== "object" || typeof f.id !== "string" || !f.id) throw new Error(`finding ${i} has no string id`);
      if (updatedAtMs(f) === undefined) throw new Error(`finding ${f.id} has no ISO-8601 updatedAt`);
    }
    for (const f of list) detector.findings.set(f.id, structuredClone(f));
    return { detectorId, count: list.length, total: detector.findings.size };
  }

  describe() {
    return [...this.detectors.values()].map((d) => ({ detectorId: d.detectorId, region: d.region, findings: d.findings.size }));
  }

  /** Drops every finding; detectors stay. */
  reset() {
    for (const d of this.detectors.values()) d.findings.clear();
  }

  purge() {
    this.detectors.clear();
  }

  detectorIn(region, id) {
    const d = this.detectors.get(id);
    if (!d || d.region !== region) throw badRequest(DETECTOR_NOT_OWNED);
    return d;
  }

  listDetectors(region, query) {
    const max = maxResultsOf(query.maxResults);
    const ids = [...this.detectors.values()].filter((d) => d.region === region).map((d) => d.detectorId);
    const start = query.nextToken ? decodeToken(query.nextToken, "detectors").after : 0;
    const page = ids.slice(start, start + max);
    const more = start + max < ids.length;
    return { detectorIds: page, ...(more ? { nextToken: encodeToken({ k: "detectors", after: start + max }) } : {}) };
  }

  listFindings(region, detectorId, body) {
    const d = this.detectorIn(region, detectorId);
    const max = maxResultsOf(body.maxResults);
    const order = sortOrder(body.sortCriteria);
    const matches = matcherOf(body.findingCriteria);
    const sign = order === "ASC" ? 1 : -1;
    let list = [...d.findings.values()].filter(matches).sort((a, b) => sign * compareKeys(keyOf(a), keyOf(b)));
    if (body.nextToken) {
      const token = decodeToken(body.nextToken, "findings");
      if (token.o !== order) throw badRequest("The request is rejected because the input nextToken is invalid.");
      list = list.filter((f) => sign * compareKeys(keyOf(f), token.after) > 0);
    }
    const page = list.slice(0, max);
    const more = list.length > max;
    return {
      findingIds: page.map((f) => f.id),
      ...(more ? { nextToken: encodeToken({ k: "findings", o: order, after: keyOf(page[page.length - 1]) }) } : {}),
    };
  }

  getFindings(region, detectorId, body) {
    const d = this.detectorIn(region, detectorId);
    const ids = body.findingIds;
    if (!Array.isArray(ids)) throw badRequest("The request is rejected because findingIds is missing or not a list.");
    if (ids.length > MAX_RESULTS) throw badRequest(`The request is rejected because findingIds has more than ${MAX_RESULTS} items.`);
    let found = ids.map((id) => d.findings.get(String(id))).filter(Boolean);
    if (body.sortCriteria !== undefined) {
      const sign = sortOrder(body.sortCriteria) === "ASC" ? 1 : -1;
      found = found.sort((a, b) => sign * compareKeys(keyOf(a), keyOf(b)));
    }
    return { findings: found };
  }
}

/**
 * Answers one verified GuardDuty request: { status, body } on success, or { status, code, message }
 * for an error, which guardduty-http.mjs renders in the REST-JSON error format.
 */
export function answerGuardDuty(store, { method, path, query, bodyText, region }) {
  try {
    const operation = guardDutyOperation(method, path);
    let body = {};
    if (method === "POST" && bodyText) {
      try {
        body = JSON.parse(bodyText);
      } catch {
        throw badRequest("The request body is not valid JSON.");
      }
      if (!body || typeof body !== "object" || Array.isArray(body)) throw badRequest("The request body must be a JSON object.");
    }
    const detectorId = detectorOfPath(path);
    switch (operation) {
      case "ListDetectors":
        return { status: 200, body: store.listDetectors(region, query) };
      case "ListFindings":
        return { status: 200, body: store.listFindings(region, detectorId, body) };
      case "GetFindings":
        return { status: 200, body: store.getFindings(region, detectorId, body) };
      default:
        return { status: 404, code: "NotFoundException", message: `The stand-in has no GuardDuty operation ${method} ${path}.` };
    }
  } catch (e) {
    if (e instanceof GuardDutyRequestError) return { status: e.status, code: e.code, message: e.message };
    throw e;
  }
}
