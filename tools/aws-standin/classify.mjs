// Which service an incoming AWS request is for, by its shape, and so in which format its errors
// must be answered (README.md, "What is checked, and the answers").

import { guardDutyOperation } from "./guardduty.mjs";

/**
 * { style, service, operation }: style is the error format ("rest-json" GuardDuty, "json" SQS,
 * "query" SNS/STS form posts, "s3"); the S3 operation is derived later (s3Operation).
 */
export function classify(req, path, hdrs) {
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
