// The request log: the last N AWS requests the proxy answered (GET /_standin/requests,
// standin.requests()), and the one-line-per-request text log on stderr or a caller's sink.

export class RequestLog {
  entries = [];
  #lastId = 0;
  #maxEntries;
  #logLine;

  /** `logLine`: a function taking one line, or null for no text log. */
  constructor({ maxEntries, logLine }) {
    this.#maxEntries = maxEntries;
    this.#logLine = logLine;
  }

  /** Ids count on across clear(), so an id never names two requests. */
  nextId() {
    return ++this.#lastId;
  }

  record(entry) {
    this.entries.push(entry);
    if (this.entries.length > this.#maxEntries) this.entries.splice(0, this.entries.length - this.#maxEntries);
    if (this.#logLine) this.#logLine(formatLogLine(entry));
  }

  clear() {
    this.entries.length = 0;
  }
}

/** `<time> <method> <path>?<query> <operation> -> <status> sig=ok|BAD [<error>] [fault=<action>] <ms>ms` */
function formatLogLine(entry) {
  const q = entry.query ? `?${entry.query}` : "";
  const sig = entry.signatureValid === true ? "sig=ok" : entry.signatureValid === false ? "sig=BAD" : "sig=-";
  return (
    `${entry.time} ${entry.method} ${entry.path}${q} ${entry.operation || "-"} -> ${entry.status} ${sig}` +
    `${entry.error ? ` ${entry.error}` : ""}${entry.fault ? ` fault=${entry.fault}` : ""} ${entry.durationMs}ms`
  );
}
