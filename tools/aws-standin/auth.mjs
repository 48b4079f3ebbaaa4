// SigV4 authentication up to the signature itself: parsing the Authorization header, then the
// checks AWS makes before comparing signatures (known key, session token, clock skew, credential
// scope, signed headers), each refused in the service's own words (README.md, "What is checked").
// signature.mjs then compares the signature.

import { timingSafeEqual } from "node:crypto";
import { buildError } from "./aws-errors.mjs";
import { S3_STREAMING_PAYLOADS } from "./s3.mjs";

export const MAX_SKEW_MS = 15 * 60 * 1000;

/** An X-Amz-Date (basic ISO 8601) as epoch ms, or undefined. */
function parseAmzDate(v) {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(v ?? "");
  if (!m) return undefined;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]);
  return Number.isNaN(ms) ? undefined : ms;
}

/** Epoch ms as X-Amz-Date writes it, for the skew messages. */
function isoBasic(ms) {
  return new Date(ms).toISOString().replace(/[-:]/g, "").replace(/\.\d{3}/, "");
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

/**
 * Check a request's Authorization and the headers it depends on, using the instance's `context`
 * (credentialsById, maxSkewMs, now, regions, region). Records on `call` what it learns (auth,
 * accessKeyId, cred, signedAt, amzDate, and service when the request shape left it open).
 * Returns an error answer, or null when the signature is worth checking.
 */
export function checkAuthHeaders(context, call) {
  const { credentialsById, maxSkewMs, now, regions, region } = context;
  const { style, hdrs } = call;
  const s3 = style === "s3";
  const auth = parseAuthorization(hdrs.authorization);
  call.auth = auth;
  if (auth.kind === "missing") {
    if (call.rawQuery && /(^|&)X-Amz-(Signature|Credential)=/i.test(call.rawQuery)) {
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
    call.accessKeyId = auth.accessKeyId;
    return s3
      ? buildError("s3", 400, "AuthorizationHeaderMalformed", `The authorization header is malformed; ${auth.s3Detail}`)
      : buildError(style, 400, "IncompleteSignature", auth.problems.join(" "));
  }
  call.accessKeyId = auth.accessKeyId;
  const scope = auth.scope;
  if (!call.service) call.service = scope.service;

  const cred = credentialsById.get(auth.accessKeyId);
  if (!cred) {
    return s3
      ? buildError("s3", 403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.", {
          AWSAccessKeyId: auth.accessKeyId,
        })
      : buildError(style, 403, "InvalidClientTokenId", "The security token included in the request is invalid.");
  }
  call.cred = cred;

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
  call.signedAt = signedAt;
  call.amzDate = amzDate;
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
