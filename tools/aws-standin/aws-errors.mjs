// AWS error answers in each protocol's own format (S3 REST-XML, SQS AWS JSON, query XML,
// GuardDuty REST-JSON), so that SDKs parse the stand-in's refusals as they parse AWS's.

import { randomBytes, randomUUID } from "node:crypto";

// What REST-JSON services (GuardDuty) call the failures the checks name in SQS's terms.
const REST_JSON_AUTH_CODES = {
  MissingAuthenticationToken: "MissingAuthenticationTokenException",
  InvalidClientTokenId: "UnrecognizedClientException",
  SignatureDoesNotMatch: "InvalidSignatureException",
  IncompleteSignature: "IncompleteSignatureException",
  AccessDenied: "AccessDeniedException",
};

export function escapeXml(s) {
  return String(s)
    .replaceAll("&", "&amp;")
    .replaceAll("<", "&lt;")
    .replaceAll(">", "&gt;")
    .replaceAll('"', "&quot;")
    .replaceAll("'", "&apos;");
}

function s3RequestId() {
  return randomBytes(8).toString("hex").toUpperCase();
}

/**
 * Build an error in the service's own format; returns {status, headers, body, code}.
 *  style "s3"    → REST-XML <Error><Code/><Message/>…<RequestId/><HostId/></Error>
 *  style "json"  → SQS AWS JSON 1.0 {"__type":"com.amazon.coral.service#Code","message":…}
 *                  plus x-amzn-query-error: Code;Sender|Receiver
 *  style "query" → <ErrorResponse><Error><Type/><Code/><Message/></Error><RequestId/></ErrorResponse>
 *  style "rest-json" → GuardDuty: x-amzn-ErrorType: Code, {"message":…,"__type":Code}; the auth
 *                  codes of the JSON style become the REST-JSON services' exception names
 */
export function buildError(style, status, code, message, extra = {}) {
  if (style === "rest-json") {
    const restCode = REST_JSON_AUTH_CODES[code] ?? code;
    return {
      status,
      headers: { "content-type": "application/json", "x-amzn-requestid": randomUUID(), "x-amzn-errortype": restCode },
      body: JSON.stringify({ message, __type: restCode }),
      code: restCode,
    };
  }
  if (style === "s3") {
    const rid = s3RequestId();
    let xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(code)}</Code><Message>${escapeXml(message)}</Message>`;
    for (const [k, v] of Object.entries(extra)) xml += `<${k}>${escapeXml(v)}</${k}>`;
    xml += `<RequestId>${rid}</RequestId><HostId>${randomBytes(24).toString("base64")}</HostId></Error>`;
    return {
      status,
      headers: { "content-type": "application/xml", "x-amz-request-id": rid, "x-amz-id-2": "aws-standin" },
      body: xml,
      code,
    };
  }
  const fault = status >= 500 ? "Receiver" : "Sender";
  const rid = randomUUID();
  if (style === "json") {
    return {
      status,
      headers: {
        "content-type": "application/x-amz-json-1.0",
        "x-amzn-requestid": rid,
        "x-amzn-query-error": `${code};${fault}`,
      },
      body: JSON.stringify({ __type: `com.amazon.coral.service#${code}`, message }),
      code,
    };
  }
  return {
    status,
    headers: { "content-type": "text/xml", "x-amzn-requestid": rid },
    body:
      `<ErrorResponse><Error><Type>${fault}</Type><Code>${escapeXml(code)}</Code>` +
      `<Message>${escapeXml(message)}</Message></Error><RequestId>${rid}</RequestId></ErrorResponse>`,
    code,
  };
}
