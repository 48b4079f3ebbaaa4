// startStandin(): one running stand-in. Builds the context object every part shares (settings,
// stores, fault rules, request log, fauxqs), starts fauxqs and the proxy on 127.0.0.1, and
// returns the handle tests and scripts use (README.md, "As a module").

import http from "node:http";
import { MAX_SKEW_MS } from "./auth.mjs";
import { resolveCredentials } from "./credentials.mjs";
import { FaultRules } from "./faults.mjs";
import { fauxqsControls, startFauxqsLoopback } from "./fauxqs.mjs";
import { GuardDutyStore } from "./guardduty.mjs";
import { loadInitConfig } from "./fauxqs-modules.mjs";
import { createRequestListener } from "./proxy.mjs";
import { RequestLog } from "./request-log.mjs";

export const DEFAULT_REGION = "us-east-1";

/**
 * Start fauxqs on 127.0.0.1 and the SigV4-checking proxy in front of it.
 *
 * @param {object} [options]
 * @param {number} [options.port=0]            proxy port (0 = ephemeral)
 * @param {number} [options.fauxqsPort=0]      fauxqs port (0 = ephemeral)
 * @param {string} [options.region]            the region requests are scoped to (queues, buckets)
 * @param {string[]} [options.regions]         more regions a signature may be scoped to (GuardDuty
 *                                             detectors live in one of them)
 * @param {Array}  [options.credentials]       [{accessKeyId, secretAccessKey, sessionToken?}]
 * @param {string} [options.credentialsFile]   JSON file with such a list
 * @param {number} [options.maxSkewMs]         allowed |x-amz-date - now| (default 15 min)
 * @param {Function} [options.now]             clock for the skew check (default Date.now)
 * @param {boolean} [options.fixListOrder=true] list S3 keys in UTF-8 binary order (see README)
 * @param {object|string} [options.init]       fauxqs init config (queues, buckets, …) or its path
 * @param {boolean|object} [options.messageSpies] enable fauxqs's message spy
 * @param {Function|boolean} [options.log]     per-request log line sink (true = stderr)
 * @param {number} [options.maxLogEntries=10000] size of the admin request log
 */
export async function startStandin(options = {}) {
  const region = options.region ?? DEFAULT_REGION;
  const regions = [...new Set([region, ...(options.regions ?? [])])];
  const guardduty = new GuardDutyStore();
  // Resolved before anything listens, so bad credentials leave nothing running.
  const credentials = resolveCredentials(options);
  const logLine =
    options.log === true
      ? (line) => process.stderr.write(line + "\n")
      : typeof options.log === "function"
        ? options.log
        : null;

  const fauxqs = await startFauxqsLoopback({
    port: options.fauxqsPort ?? 0,
    region,
    messageSpies: options.messageSpies,
    fixListOrder: options.fixListOrder ?? true,
  });

  // Everything the proxy, the checks and the admin API share; endpoint and fauxqsControls are
  // filled in once the proxy listens (no request arrives before that).
  const context = {
    region,
    regions,
    credentialsById: new Map(credentials.map((c) => [c.accessKeyId, c])),
    maxSkewMs: options.maxSkewMs ?? MAX_SKEW_MS,
    now: options.now ?? (() => Date.now()),
    guardduty,
    faultRules: new FaultRules(),
    requestLog: new RequestLog({ maxEntries: options.maxLogEntries ?? 10000, logLine }),
    fauxqs,
    fauxqsEndpoint: fauxqs.address,
    agent: new http.Agent({ keepAlive: true, maxSockets: 256 }),
    endpoint: undefined,
    fauxqsControls: undefined,
  };

  const server = http.createServer({ keepAliveTimeout: 65_000, requestTimeout: 0, headersTimeout: 60_000 });
  server.on("request", createRequestListener(context));
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, "127.0.0.1", () => {
      server.off("error", reject);
      resolve();
    });
  });
  const port = server.address().port;
  context.endpoint = `http://127.0.0.1:${port}`;
  context.fauxqsControls = fauxqsControls(fauxqs, { proxyPort: port, proxyHost: `127.0.0.1:${port}`, region });

  if (options.init) {
    const cfg = typeof options.init === "string" ? loadInitConfig(options.init) : options.init;
    context.fauxqsControls.setup(cfg);
  }

  let closed = false;
  const { faultRules, requestLog } = context;
  return {
    endpoint: context.endpoint,
    fauxqsEndpoint: fauxqs.address,
    region,
    regions,
    port,
    fauxqsPort: fauxqs.port,
    accessKeyIds: credentials.map((c) => c.accessKeyId),
    fauxqs: context.fauxqsControls,
    guardduty,
    addFault(rule) {
      return faultRules.add([rule])[0].id;
    },
    removeFault(id) {
      return faultRules.remove(id);
    },
    clearFaults() {
      faultRules.clear();
    },
    faults() {
      return faultRules.describe();
    },
    requests() {
      return requestLog.entries.map((e) => ({ ...e }));
    },
    clearRequests() {
      requestLog.clear();
    },
    async close() {
      if (closed) return;
      closed = true;
      server.closeAllConnections?.();
      await new Promise((r) => server.close(() => r()));
      context.agent.destroy();
      await fauxqs.app.close();
    },
  };
}
