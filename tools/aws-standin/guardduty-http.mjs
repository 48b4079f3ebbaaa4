// Answers verified GuardDuty requests in the proxy (fauxqs has no GuardDuty): the store's answer
// (guardduty.mjs) written as REST-JSON, with the body-cutting fault rules applied.

import { randomUUID } from "node:crypto";
import { buildError } from "./aws-errors.mjs";
import { cutsBody, sendCutBody } from "./faults.mjs";
import { answerGuardDuty } from "./guardduty.mjs";
import { firstValue, sendAnswer } from "./http-helpers.mjs";

/** Answer `call` from `guardduty` (the store); records status and error code on the log `entry`. */
export function answerGuardDutyCall(guardduty, call, res, entry, rule) {
  const answer = answerGuardDuty(guardduty, {
    method: call.method,
    path: call.path,
    query: Object.fromEntries(Object.entries(call.query).map(([k, v]) => [k, firstValue(v)])),
    bodyText: call.body?.buffer?.toString("utf8") ?? "",
    region: call.auth.scope.region,
  });
  if (answer.code) {
    const err = buildError("rest-json", answer.status, answer.code, answer.message);
    entry.status = err.status;
    entry.error = err.code;
    return sendAnswer(res, call.method, err);
  }
  const body = Buffer.from(JSON.stringify(answer.body), "utf8");
  const headers = { "content-type": "application/json", "x-amzn-requestid": randomUUID() };
  entry.status = answer.status;
  if (cutsBody(rule)) return sendCutBody(res, answer.status, headers, body, rule);
  res.writeHead(answer.status, { ...headers, "content-length": String(body.length) });
  res.end(body);
}
