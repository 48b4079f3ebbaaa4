// The signature check: rebuild the request from what was received, sign it with AWS's own signer
// (@smithy/signature-v4) with the secret of the request's access key, and compare. On a mismatch,
// answer with the canonical request and string to sign the stand-in expected, so a client's
// signer bug can be found by diffing.

import { timingSafeEqual } from "node:crypto";
import { SignatureV4, getCanonicalHeaders, createScope } from "@smithy/signature-v4";
import { Sha256 } from "@aws-crypto/sha256-js";
import { buildError } from "./aws-errors.mjs";
import { S3_STREAMING_PAYLOADS } from "./s3.mjs";

/** Bytes of a string as S3 lists them in StringToSignBytes: lower-case hex, space separated. */
function spacedHex(s) {
  return Array.from(Buffer.from(s, "utf8"), (b) => b.toString(16).padStart(2, "0")).join(" ");
}

/**
 * Verify the signature of `call` (after checkAuthHeaders passed) over `body` ({sha256, buffer}).
 * Returns an error answer, or null when the signature is AWS's.
 */
export async function verifySignature(call, body) {
  const { auth, cred, hdrs, style } = call;
  const service = call.auth.scope.service;
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
    method: call.method,
    protocol: "http:",
    hostname: (hdrs.host ?? "").replace(/:\d+$/, ""),
    path: call.path,
    query: call.query,
    headers,
    body: s3 ? undefined : body.buffer,
  };
  const signableHeaders = new Set(signedNames);
  let expected;
  if (!signedNames.includes("date")) {
    // The verdict: AWS's signer signs the rebuilt request with the same date, scope and headers.
    const signed = await signer.sign(request, {
      signingDate: new Date(call.signedAt),
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
    diag = await diagnose(signer, call, headers, signableHeaders, service, payloadHash);
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
  diag ??= await diagnose(signer, call, headers, signableHeaders, service, payloadHash);
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
async function diagnose(signer, call, headers, signableHeaders, service, payloadHash) {
  const longDate = call.amzDate;
  const shortDate = longDate.slice(0, 8);
  const hdrs = { ...headers };
  const canonicalHeaders = getCanonicalHeaders({ headers: hdrs }, undefined, signableHeaders);
  const canonicalRequest = signer.createCanonicalRequest(
    { method: call.method, path: call.path, query: call.query, headers: hdrs },
    canonicalHeaders,
    payloadHash,
  );
  const scope = createScope(shortDate, call.auth.scope.region, service);
  const stringToSign = await signer.createStringToSign(longDate, scope, canonicalRequest, "AWS4-HMAC-SHA256");
  const creds = {
    accessKeyId: call.cred.accessKeyId,
    secretAccessKey: call.cred.secretAccessKey,
  };
  const signature = await signer.getSignature(
    longDate,
    scope,
    signer.getSigningKey(creds, call.auth.scope.region, shortDate, service),
    canonicalRequest,
  );
  return { canonicalRequest, stringToSign, signature };
}
