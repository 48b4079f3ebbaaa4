// S3 in the stand-in: naming the bucket, key and operation of a request, and what the proxy adds
// to fauxqs's S3 (UTF-8 listing order, listing markers, encoding-type=url, request checks S3 makes
// and fauxqs does not, Accept-Ranges). README.md, "What fauxqs does for our client", S3.

import { buildError, escapeXml } from "./aws-errors.mjs";
import { firstValue } from "./http-helpers.mjs";
import { S3Error } from "./fauxqs-modules.mjs";

/** The x-amz-content-sha256 keywords that stand for a payload not hashed up front. */
export const S3_STREAMING_PAYLOADS = new Set([
  "UNSIGNED-PAYLOAD",
  "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
  "STREAMING-AWS4-HMAC-SHA256-PAYLOAD",
  "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER",
  "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD",
  "STREAMING-AWS4-ECDSA-P256-SHA256-PAYLOAD-TRAILER",
]);

/** Compare two strings in UTF-8 byte order (= Unicode code point order), as S3 sorts keys. */
export function compareUtf8(a, b) {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x !== y) {
      if (x >= 0xd800 && y >= 0xd800) {
        // UTF-16 puts surrogates (code points >= U+10000) before U+E000..U+FFFF; code point
        // order puts them after. Remap both ranges so they compare in code point order.
        x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
        y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
      }
      return x < y ? -1 : 1;
    }
  }
  return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
}

/** S3's url encoding of listing values (encoding-type=url): space → '+', keeps A-Za-z0-9 - _ . / *. */
export function s3UrlEncode(s) {
  let out = "";
  for (const byte of Buffer.from(s, "utf8")) {
    const c = String.fromCharCode(byte);
    if (/[A-Za-z0-9\-_./*]/.test(c)) out += c;
    else if (byte === 0x20) out += "+";
    else out += "%" + byte.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

function unescapeXml(s) {
  return s.replace(/&(amp|lt|gt|quot|apos|#x[0-9a-fA-F]+|#[0-9]+);/g, (m, e) => {
    switch (e) {
      case "amp":
        return "&";
      case "lt":
        return "<";
      case "gt":
        return ">";
      case "quot":
        return '"';
      case "apos":
        return "'";
      default:
        return String.fromCodePoint(e[1] === "x" ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10));
    }
  });
}

/** The bucket and (still encoded) key a request addresses. */
export function s3Target(hostHeader, path) {
  // Mirror fauxqs's virtual-hosted-style rule: a dotted, non-IP host names the bucket.
  const hostname = (hostHeader ?? "").replace(/:\d+$/, "");
  let bucket;
  let key;
  if (hostname.includes(".") && !/^\d+\.\d+\.\d+\.\d+$/.test(hostname)) {
    bucket = hostname.slice(0, hostname.indexOf("."));
    key = path.slice(1);
  } else {
    const rest = path.slice(1);
    const slash = rest.indexOf("/");
    bucket = slash < 0 ? rest : rest.slice(0, slash);
    key = slash < 0 ? "" : rest.slice(slash + 1);
  }
  return { bucket, key };
}

/** The S3 operation name (for the log and fault rules), derived from the request's shape. */
export function s3Operation(method, bucket, key, q, hdrs) {
  if (!bucket) return method === "GET" ? "ListBuckets" : `S3.${method}`;
  if (!key) {
    switch (method) {
      case "GET":
        if ("location" in q) return "GetBucketLocation";
        if ("versions" in q) return "ListObjectVersions";
        if ("uploads" in q) return "ListMultipartUploads";
        return firstValue(q["list-type"]) === "2" ? "ListObjectsV2" : "ListObjects";
      case "PUT":
        return "CreateBucket";
      case "HEAD":
        return "HeadBucket";
      case "DELETE":
        return "DeleteBucket";
      case "POST":
        return "delete" in q ? "DeleteObjects" : "PostBucket";
      default:
        return `S3.${method}`;
    }
  }
  switch (method) {
    case "GET":
      return "GetObject";
    case "HEAD":
      return "HeadObject";
    case "PUT":
      if (hdrs["x-amz-copy-source"]) return "CopyObject";
      return "uploadId" in q && "partNumber" in q ? "UploadPart" : "PutObject";
    case "DELETE":
      return "uploadId" in q ? "AbortMultipartUpload" : "DeleteObject";
    case "POST":
      if ("uploads" in q) return "CreateMultipartUpload";
      if ("uploadId" in q) return "CompleteMultipartUpload";
      return "PostObject";
    default:
      return `S3.${method}`;
  }
}

/** Replace fauxqs's store listing with one in S3's order (applied when fixListOrder is on). */
export function patchListObjectsOrder(s3Store) {
  // fauxqs sorts with localeCompare but skips keys with `key <= startAfter` (UTF-16 order), so
  // pages lose or repeat keys whenever the two orders disagree (case, punctuation, non-ASCII).
  // S3 lists in UTF-8 binary order; this replacement uses that order for both, and caps a page
  // at 1,000 keys as S3 does.
  s3Store.listObjects = function listObjectsUtf8(bucket, options) {
    const objectsMap = this.buckets.get(bucket);
    if (!objectsMap) throw new S3Error("NoSuchBucket", `The specified bucket does not exist: ${bucket}`, 404);
    const prefix = options?.prefix ?? "";
    const delimiter = options?.delimiter || undefined;
    let maxKeys = Number(options?.maxKeys ?? 1000);
    if (!Number.isFinite(maxKeys) || maxKeys < 0) maxKeys = 1000;
    maxKeys = Math.min(maxKeys, 1000);
    const startAfter = options?.startAfter || options?.marker || "";
    const all = [];
    for (const obj of objectsMap.values()) if (obj.key.startsWith(prefix)) all.push(obj);
    all.sort((a, b) => compareUtf8(a.key, b.key));
    const objects = [];
    const commonPrefixes = [];
    const seen = new Set();
    let count = 0;
    let isTruncated = false;
    for (const obj of all) {
      if (startAfter && compareUtf8(obj.key, startAfter) <= 0) continue;
      if (delimiter) {
        const rest = obj.key.slice(prefix.length);
        const idx = rest.indexOf(delimiter);
        if (idx >= 0) {
          const cp = prefix + rest.slice(0, idx + delimiter.length);
          if (startAfter && compareUtf8(cp, startAfter) <= 0) continue;
          if (!seen.has(cp)) {
            if (count >= maxKeys) {
              isTruncated = true;
              break;
            }
            seen.add(cp);
            commonPrefixes.push(cp);
            count++;
          }
          continue;
        }
      }
      if (count >= maxKeys) {
        isTruncated = true;
        break;
      }
      objects.push(obj);
      count++;
    }
    return { objects, commonPrefixes, isTruncated };
  };
}

/**
 * Checks S3 itself would make after authentication and fauxqs does not (listing parameters).
 * Marks a listing on `call` (isListing, listVersion, listEncodingUrl) for rewriteListing().
 * Returns an error answer, or null.
 */
export function checkS3Request(call) {
  if (call.style !== "s3" || call.method !== "GET" || !call.s3.bucket || call.s3.key) return null;
  if (call.operation !== "ListObjects" && call.operation !== "ListObjectsV2") return null;
  call.isListing = true;
  call.listVersion = call.operation === "ListObjectsV2" ? 2 : 1;
  if ("encoding-type" in call.query) {
    const v = firstValue(call.query["encoding-type"]);
    if (v !== "url") {
      return buildError("s3", 400, "InvalidArgument", "Invalid Encoding Method specified in Request", {
        ArgumentName: "encoding-type",
        ArgumentValue: v,
      });
    }
    call.listEncodingUrl = true;
  }
  if (call.operation === "ListObjectsV2" && "continuation-token" in call.query) {
    const t = firstValue(call.query["continuation-token"]);
    if (t === "" || Buffer.from(t, "base64").toString("base64") !== t) {
      return buildError("s3", 400, "InvalidArgument", "The continuation token provided is incorrect", {
        ArgumentName: "continuation-token",
      });
    }
  }
  return null;
}

/** Headers S3 sends and fauxqs does not: Accept-Ranges on a successful GetObject/HeadObject. */
export function addS3ResponseHeaders(call, status, headers) {
  if (
    (call.operation === "GetObject" || call.operation === "HeadObject") &&
    (status === 200 || status === 206) &&
    !headers["accept-ranges"]
  ) {
    headers["accept-ranges"] = "bytes";
  }
}

/** A listing's XML as S3 would send it: markers after the page's last entry, url encoding. */
export function rewriteListing(xml, call) {
  let out = fixListingMarkers(xml, call.listVersion);
  if (call.listEncodingUrl) out = encodeListing(out, call.listVersion);
  return out;
}

function fixListingMarkers(xml, version) {
  // fauxqs derives NextContinuationToken (V2, base64 of a key) and NextMarker (V1) from the
  // last *object* of the page; when a CommonPrefix sorts after it, the next page repeats that
  // prefix. S3 continues after the last entry of the page, object or prefix.
  const truncated = /<IsTruncated>true<\/IsTruncated>/.test(xml);
  if (!truncated) return xml;
  let last;
  for (const m of xml.matchAll(/<Contents>[\s\S]*?<Key>([\s\S]*?)<\/Key>|<CommonPrefixes>\s*<Prefix>([\s\S]*?)<\/Prefix>/g)) {
    const v = unescapeXml(m[1] ?? m[2]);
    if (last === undefined || compareUtf8(v, last) > 0) last = v;
  }
  if (last === undefined) return xml;
  if (version === 2) {
    const token = Buffer.from(last, "utf8").toString("base64");
    return /<NextContinuationToken>/.test(xml)
      ? xml.replace(/<NextContinuationToken>[\s\S]*?<\/NextContinuationToken>/, `<NextContinuationToken>${token}</NextContinuationToken>`)
      : xml.replace(/(\s*)<IsTruncated>true<\/IsTruncated>/, `$1<IsTruncated>true</IsTruncated>$1<NextContinuationToken>${token}</NextContinuationToken>`);
  }
  return /<NextMarker>/.test(xml)
    ? xml.replace(/<NextMarker>[\s\S]*?<\/NextMarker>/, `<NextMarker>${escapeXml(last)}</NextMarker>`)
    : xml;
}

function encodeListing(xml, version) {
  const tags = version === 2 ? "Key|Prefix|Delimiter|StartAfter" : "Key|Prefix|Delimiter|Marker|NextMarker";
  const re = new RegExp(`<(${tags})>([\\s\\S]*?)</\\1>`, "g");
  let out = xml.replace(re, (_m, tag, value) => `<${tag}>${s3UrlEncode(unescapeXml(value))}</${tag}>`);
  if (!/<EncodingType>/.test(out)) {
    out = out.replace(/(\s*)<IsTruncated>/, "$1<EncodingType>url</EncodingType>$1<IsTruncated>");
  }
  return out;
}
