// Loopback-only binding, and the command-line program (ready line, logging, clean shutdown).
import { test } from "node:test";
import assert from "node:assert/strict";
import net from "node:net";
import os from "node:os";
import fs from "node:fs";
import path from "node:path";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startStandin, s3Client, httpRequest } from "../testing.mjs";
import { CreateBucketCommand, ListObjectsV2Command } from "@aws-sdk/client-s3";

const STANDIN = fileURLToPath(new URL("../standin.mjs", import.meta.url));

function nonLoopbackAddresses() {
  const out = [];
  for (const list of Object.values(os.networkInterfaces())) {
    for (const a of list ?? []) {
      if (!a.internal && !a.address.startsWith("127.") && a.address !== "::1") {
        out.push(a.family === "IPv6" && a.scopeid ? `${a.address}%${a.scopeid}` : a.address);
      }
    }
  }
  return out;
}

function tryConnect(host, port) {
  return new Promise((resolve) => {
    const sock = net.connect({ host, port });
    const done = (result) => {
      sock.destroy();
      resolve(result);
    };
    sock.setTimeout(1000, () => done("timeout"));
    sock.once("connect", () => done("connected"));
    sock.once("error", (e) => done(e.code));
  });
}

/** Listening TCP sockets for a port from /proc/net/tcp{,6}: their local addresses (hex). */
function listeningAddresses(port) {
  const out = [];
  for (const file of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text;
    try {
      text = fs.readFileSync(file, "utf8");
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      const cols = line.trim().split(/\s+/);
      if (cols.length < 4 || cols[3] !== "0A") continue; // 0A = LISTEN
      const [addr, p] = cols[1].split(":");
      if (parseInt(p, 16) === port) out.push(addr);
    }
  }
  return out;
}

test("fauxqs and the proxy listen on 127.0.0.1 only", async (t) => {
  const standin = await startStandin();
  try {
    assert.equal(new URL(standin.endpoint).hostname, "127.0.0.1");
    assert.equal(new URL(standin.fauxqsEndpoint).hostname, "127.0.0.1");
    if (fs.existsSync("/proc/net/tcp")) {
      for (const port of [standin.fauxqsPort, standin.port]) {
        assert.deepEqual(listeningAddresses(port), ["0100007F"], `port ${port} must be bound to 127.0.0.1 only`);
      }
    }
    const addrs = nonLoopbackAddresses();
    if (addrs.length === 0) t.diagnostic("no non-loopback interface on this machine; the /proc check above still applies");
    for (const addr of addrs) {
      for (const port of [standin.fauxqsPort, standin.port]) {
        const r = await tryConnect(addr, port);
        assert.notEqual(r, "connected", `${addr}:${port} must not accept connections`);
      }
    }
    // Loopback works.
    assert.equal(await tryConnect("127.0.0.1", standin.fauxqsPort), "connected");
  } finally {
    await standin.close();
  }
  // Closed means closed.
  assert.notEqual(await tryConnect("127.0.0.1", standin.port), "connected");
});

function runCli(args, env = {}) {
  const child = spawn(process.execPath, [STANDIN, ...args], { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c) => (stdout += c));
  child.stderr.on("data", (c) => (stderr += c));
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no ready line; stderr: ${stderr}`)), 15000);
    child.stdout.on("data", () => {
      const nl = stdout.indexOf("\n");
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(JSON.parse(stdout.slice(0, nl)));
      }
    });
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`exited ${code} before ready; stderr: ${stderr}`));
    });
  });
  const exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  return { child, ready, exited, output: () => ({ stdout, stderr }) };
}

test("the program prints one JSON line, logs requests to stderr and exits 0 on SIGTERM", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "standin-"));
  const credFile = path.join(dir, "creds.json");
  const creds = { accessKeyId: "AKIDFROMFILE00000000", secretAccessKey: "from/file/secret" };
  fs.writeFileSync(credFile, JSON.stringify([creds]));
  const cli = runCli(["--credentials", credFile, "--region", "eu-west-1", "--region", "us-west-2"]);
  try {
    const info = await cli.ready;
    assert.deepEqual(Object.keys(info).sort(), ["endpoint", "fauxqs", "region", "regions"]);
    assert.equal(info.region, "eu-west-1");
    assert.deepEqual(info.regions, ["eu-west-1", "us-west-2"], "a second --region is accepted too");
    assert.match(info.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
    assert.match(info.fauxqs, /^http:\/\/127\.0\.0\.1:\d+$/);
    const s3 = s3Client({ endpoint: info.endpoint, region: info.region }, creds);
    await s3.send(new CreateBucketCommand({ Bucket: "cli-bucket" }));
    await s3.send(new ListObjectsV2Command({ Bucket: "cli-bucket" }));
    const denied = await httpRequest(`${info.endpoint}/cli-bucket`);
    assert.equal(denied.status, 403);
    cli.child.kill("SIGTERM");
    const { code } = await cli.exited;
    assert.equal(code, 0);
    const { stdout, stderr } = cli.output();
    assert.equal(stdout.trim().split("\n").length, 1, "exactly one line on stdout");
    assert.match(stderr, /PUT \/cli-bucket\S* CreateBucket -> 200 sig=ok/);
    assert.match(stderr, /GET \/cli-bucket ListObjects -> 403 sig=BAD AccessDenied/);
    assert.equal(await tryConnect("127.0.0.1", Number(new URL(info.endpoint).port)), "ECONNREFUSED");
  } finally {
    cli.child.kill("SIGKILL");
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("the program exits 0 on SIGINT, and rejects bad arguments with exit code 2", async () => {
  const cli = runCli(["--quiet", "--port", "0"]);
  try {
    await cli.ready;
    cli.child.kill("SIGINT");
    assert.equal((await cli.exited).code, 0);
    assert.equal(cli.output().stderr, "");
  } finally {
    cli.child.kill("SIGKILL");
  }
  const bad = runCli(["--bogus"]);
  await assert.rejects(bad.ready);
  assert.equal((await bad.exited).code, 2);
});

test("credentials from $AWS_STANDIN_CREDENTIALS", async () => {
  const creds = { accessKeyId: "AKIDFROMENV000000000", secretAccessKey: "from/env/secret", sessionToken: "env-token" };
  const cli = runCli(["--quiet"], { AWS_STANDIN_CREDENTIALS: JSON.stringify([creds]) });
  try {
    const info = await cli.ready;
    const s3 = s3Client({ endpoint: info.endpoint, region: info.region }, creds);
    await s3.send(new CreateBucketCommand({ Bucket: "env-bucket" }));
    cli.child.kill("SIGTERM");
    assert.equal((await cli.exited).code, 0);
  } finally {
    cli.child.kill("SIGKILL");
  }
});
