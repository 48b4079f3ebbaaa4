// Small HTTP helpers shared by the proxy and the admin API: reading the raw request (query,
// headers, body) and writing plain answers. Nothing here knows about AWS services.

/** Headers that belong to one connection and must not be passed through the proxy. */
export const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "trailers",
  "transfer-encoding",
  "upgrade",
  "expect",
]);

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Split the raw query string into {key: value | value[]} with form decoding ('+' is a space). */
export function parseQuery(raw) {
  const query = {};
  if (!raw) return query;
  for (const part of raw.split("&")) {
    if (part === "") continue;
    const eq = part.indexOf("=");
    const k = decodeURIComponent((eq < 0 ? part : part.slice(0, eq)).replaceAll("+", " "));
    const v = eq < 0 ? "" : decodeURIComponent(part.slice(eq + 1).replaceAll("+", " "));
    if (Object.hasOwn(query, k)) {
      query[k] = Array.isArray(query[k]) ? [...query[k], v] : [query[k], v];
    } else {
      query[k] = v;
    }
  }
  return query;
}

export function firstValue(v) {
  return Array.isArray(v) ? v[0] : v;
}

/** Headers as SigV4 sees them: lower-case names, repeated headers joined with ','. */
export function headerMap(rawHeaders) {
  const map = {};
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const name = rawHeaders[i].toLowerCase();
    map[name] = Object.hasOwn(map, name) ? `${map[name]},${rawHeaders[i + 1]}` : rawHeaders[i + 1];
  }
  return map;
}

/** Read and discard the rest of a request body, so an early answer does not reset the client. */
export function drain(req) {
  return new Promise((resolve) => {
    if (req.readableEnded || req.complete) return resolve();
    req.on("end", resolve);
    req.on("error", resolve);
    req.on("close", resolve);
    req.resume();
  });
}

/** Send a complete answer {status, headers, body} (e.g. from buildError); HEAD gets no body. */
export function sendAnswer(res, method, answer) {
  if (res.headersSent || res.destroyed) return;
  const headers = { ...answer.headers };
  if (method === "HEAD") {
    res.writeHead(answer.status, headers);
    res.end();
    return;
  }
  const body = Buffer.from(answer.body ?? "", "utf8");
  headers["content-length"] = String(body.length);
  res.writeHead(answer.status, headers);
  res.end(body);
}

export function sendJson(res, status, value) {
  const body = Buffer.from(JSON.stringify(value, null, 0), "utf8");
  res.writeHead(status, { "content-type": "application/json", "content-length": String(body.length) });
  res.end(body);
}

export async function readJson(req) {
  const chunks = [];
  for await (const c of req) chunks.push(c);
  const text = Buffer.concat(chunks).toString("utf8");
  return text ? JSON.parse(text) : undefined;
}
