// Forwarding to fauxqs: receiving the request body (hashed for the signature check, and for S3
// streamed on while the last chunk is held back), and relaying fauxqs's answer with the
// service-specific fixes of s3.mjs and sqs.mjs and the body-cutting faults.

import http from "node:http";
import { createHash } from "node:crypto";
import { cutsBody, relayCutBody } from "./faults.mjs";
import { HOP_BY_HOP } from "./http-helpers.mjs";
import { addS3ResponseHeaders, rewriteListing } from "./s3.mjs";
import { fixSqsResponseHeaders, mergeFailedEntries } from "./sqs.mjs";

const EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";
const MAX_BUFFERED_BODY = 64 * 1024 * 1024;

/** The request's headers as sent, less hop-by-hop ones; `overrideLength` replaces Content-Length. */
export function upstreamHeaders(call, overrideLength) {
  const out = {};
  for (let i = 0; i < call.rawHeaders.length; i += 2) {
    const name = call.rawHeaders[i];
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower)) continue;
    if (lower === "content-length" && overrideLength !== undefined) continue;
    if (Object.hasOwn(out, lower)) out[lower] = `${out[lower]}, ${call.rawHeaders[i + 1]}`;
    else out[lower] = call.rawHeaders[i + 1];
  }
  if (overrideLength !== undefined) out["content-length"] = String(overrideLength);
  return out;
}

/** A request to fauxqs for `call`, same method and raw URL; the Host header goes on unchanged. */
export function openUpstream(context, call, headers) {
  return http.request({
    host: "127.0.0.1",
    port: context.fauxqs.port,
    method: call.method,
    path: call.rawUrl,
    headers,
    agent: context.agent,
    setHost: false,
  });
}

/**
 * Read the request body. With `upstream`, stream it on while holding back the last chunk, so
 * that fauxqs never sees a complete request until the signature has been verified.
 * Resolves {sha256, buffer (when `keep`), held, length, tooLarge}.
 */
export function receiveBody(req, { upstream, keep }) {
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

/** Relay fauxqs's answer `upstreamRes` to the client `res`, as the service would have sent it. */
export function relayResponse(call, upstreamRes, res, rule) {
  const headers = {};
  for (const [k, v] of Object.entries(upstreamRes.headers)) {
    if (!HOP_BY_HOP.has(k)) headers[k] = v;
  }
  const status = upstreamRes.statusCode;
  if (call.style === "json") fixSqsResponseHeaders(headers);
  if (call.style === "s3") addS3ResponseHeaders(call, status, headers);
  const bodyless = call.method === "HEAD" || status === 204 || status === 304;

  // Bodies the proxy rewrites are read whole first.
  const needsListRewrite = call.isListing && status === 200;
  const needsEntryMerge = rule?.action === "fail-entries" && call.failedEntries?.length > 0;
  if ((needsListRewrite || needsEntryMerge) && !bodyless) {
    const chunks = [];
    upstreamRes.on("data", (c) => chunks.push(c));
    upstreamRes.on("end", () => {
      let body = Buffer.concat(chunks).toString("utf8");
      if (needsListRewrite) body = rewriteListing(body, call);
      if (needsEntryMerge) body = mergeFailedEntries(body, status, call.failedEntries);
      const buf = Buffer.from(body, "utf8");
      headers["content-length"] = String(buf.length);
      delete headers["content-encoding"];
      res.writeHead(status, headers);
      res.end(buf);
    });
    upstreamRes.on("error", () => res.destroy());
    upstreamRes.resume();
    return;
  }

  if (!bodyless && cutsBody(rule)) return relayCutBody(upstreamRes, res, status, headers, rule);

  res.writeHead(status, headers);
  upstreamRes.pipe(res);
  upstreamRes.on("error", () => res.destroy());
}
