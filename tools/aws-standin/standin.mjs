#!/usr/bin/env node
// Local stand-in for Amazon S3, Amazon SQS and the GuardDuty API, for gd2sentinel's tests, demo
// and benchmarks. This file is the entry point: the command line, and the module's public API
// (re-exported from the modules that implement it; README.md, "Files", lists them).
//
//   client --SigV4--> [ SigV4-checking proxy, 127.0.0.1 ] --unchanged--> [ fauxqs, 127.0.0.1 ]
//                                                \--> GuardDuty (in the proxy, guardduty.mjs)
//
// As a program:  node tools/aws-standin/standin.mjs [--port N] [--credentials FILE] [--region R]
//                     [--fauxqs-port N] [--init FILE] [--quiet]
// prints ONE JSON line on stdout when ready ({"endpoint":…,"fauxqs":…,"region":…,"regions":…}),
// logs requests to stderr, and exits on SIGTERM/SIGINT. Other programs parse that line.
//
// As a module:   import { startStandin } from "./standin.mjs";
//                const s = await startStandin({ credentials: [...] }); … await s.close();
//
// The default credentials are for local tests only and are documented in README.md.

import fs from "node:fs";
import { fileURLToPath } from "node:url";
import { startStandin } from "./start-standin.mjs";

export { startStandin, DEFAULT_REGION } from "./start-standin.mjs";
export { DEFAULT_CREDENTIALS, resolveCredentials } from "./credentials.mjs";
export { MAX_SKEW_MS, parseAuthorization } from "./auth.mjs";
export { FAULT_ACTIONS } from "./faults.mjs";
export { compareUtf8, s3UrlEncode } from "./s3.mjs";

function parseArgs(argv) {
  const opts = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    switch (a) {
      case "--port":
        opts.port = Number(val());
        break;
      case "--fauxqs-port":
        opts.fauxqsPort = Number(val());
        break;
      case "--credentials":
        opts.credentialsFile = val();
        break;
      case "--region": {
        // The first is the default; each further one is accepted too (GuardDuty detectors).
        const r = val();
        if (opts.region === undefined) opts.region = r;
        else (opts.regions ??= []).push(r);
        break;
      }
      case "--init":
        opts.init = val();
        break;
      case "--quiet":
        opts.quiet = true;
        break;
      case "-h":
      case "--help":
        opts.help = true;
        break;
      default:
        throw new Error(`unknown argument ${a}`);
    }
  }
  for (const k of ["port", "fauxqsPort"]) {
    if (opts[k] !== undefined && (!Number.isInteger(opts[k]) || opts[k] < 0 || opts[k] > 65535)) {
      throw new Error(`--${k === "port" ? "port" : "fauxqs-port"} must be a port number`);
    }
  }
  return opts;
}

async function main() {
  let opts;
  try {
    opts = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`standin: ${e.message}\n`);
    process.exit(2);
  }
  if (opts.help) {
    process.stdout.write(
      "usage: node tools/aws-standin/standin.mjs [--port N] [--fauxqs-port N] [--credentials FILE]\n" +
        "                                          [--region R]... [--init FILE] [--quiet]\n",
    );
    return;
  }
  let standin;
  try {
    standin = await startStandin({ ...opts, log: !opts.quiet });
  } catch (e) {
    process.stderr.write(`standin: ${e.message}\n`);
    process.exit(1);
  }
  let stopping = false;
  const stop = async (sig) => {
    if (stopping) return;
    stopping = true;
    if (!opts.quiet) process.stderr.write(`standin: ${sig}, shutting down\n`);
    const force = setTimeout(() => process.exit(1), 5000);
    force.unref();
    await standin.close();
    process.exit(0);
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  // Ready only once the signal handlers are in place.
  process.stdout.write(
    JSON.stringify({ endpoint: standin.endpoint, fauxqs: standin.fauxqsEndpoint, region: standin.region, regions: standin.regions }) + "\n",
  );
}

if (process.argv[1] && fs.realpathSync(process.argv[1]) === fs.realpathSync(fileURLToPath(import.meta.url))) {
  await main();
}
