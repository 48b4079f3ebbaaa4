// One gd2sentinel config (a source, its state and dead letters) run as a series of lives: each
// life is a process started with the same config, killed with SIGKILL at a random moment, and
// started again; the last one is stopped with SIGTERM once the backlog is drained. Every life's
// resident memory and open file descriptors are sampled once a second.

import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// Sanitizer and crash reports in a process's stderr that fail the soak.
export const REPORT_PATTERNS = [
  /ERROR: AddressSanitizer/, /ERROR: LeakSanitizer/, /runtime error:/, /WARNING: ThreadSanitizer/,
  /Segmentation fault|terminate called|Assertion .* failed/,
];

function readProc(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, "utf8");
    const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1]);
    const fds = fs.readdirSync(`/proc/${pid}/fd`).length;
    return Number.isFinite(rss) ? { rssKiB: rss, fds } : null;
  } catch {
    return null;  // gone between the kill and the exit event
  }
}

export class Shipper {
  constructor({ name, binary, config, env, work, random, killMinMs, killMaxMs, longLifeEvery, longLifeMs, metricsPort }) {
    Object.assign(this, { name, binary, config, env, work, random, killMinMs, killMaxMs, longLifeEvery, longLifeMs, metricsPort });
    this.lives = [];      // {n, pid, startedAt, endedAt, samples: [{t, rssKiB, fds}], log, exit, killed, terminated}
    this.current = null;
    this.killing = false;
    this.stopped = false;
    this.unexpected = []; // exits we did not cause
  }

  start() {
    const n = this.lives.length + 1;
    const log = path.join(this.work, `${this.name}-${String(n).padStart(3, "0")}.log`);
    const fd = fs.openSync(log, "w");
    const child = spawn(this.binary, ["run", "--config", this.config], { stdio: ["ignore", fd, fd], env: this.env });
    fs.closeSync(fd);
    const life = { n, pid: child.pid, startedAt: Date.now(), endedAt: null, samples: [], log, exit: null, killed: false, terminated: false, child };
    life.exited = new Promise((resolve) => child.once("exit", (code, signal) => {
      life.endedAt = Date.now();
      life.exit = { code, signal };
      resolve(life.exit);
    }));
    life.exited.then(() => this.onExit(life));
    this.lives.push(life);
    this.current = life;
    if (this.killing) this.scheduleKill(life);
  }

  onExit(life) {
    if (life.killed || life.terminated) return;
    this.unexpected.push({ life: life.n, exit: life.exit, log: life.log });
    if (!this.stopped) setTimeout(() => { if (!this.stopped && this.current === life) this.start(); }, 1000);
  }

  // Kills at random: a life lasts killMinMs..killMaxMs, every longLifeEvery-th a longLifeMs
  // range, so that leaks have time to show inside one process.
  startKilling() {
    this.killing = true;
    if (this.current) this.scheduleKill(this.current);
  }

  stopKilling() {
    this.killing = false;
    if (this.current?.timer) clearTimeout(this.current.timer);
  }

  scheduleKill(life) {
    const [lo, hi] = life.n % this.longLifeEvery === 0 ? this.longLifeMs : [this.killMinMs, this.killMaxMs];
    const after = lo + this.random() * (hi - lo);
    life.plannedMs = Math.round(after);
    life.timer = setTimeout(async () => {
      if (!this.killing || life.exit) return;
      life.killed = true;
      life.child.kill("SIGKILL");
      await life.exited;
      // Back at once, or after up to a second: restarts race with messages coming back too.
      // Back even when the killing stopped meanwhile: the drain needs a shipper running.
      await sleep(this.random() * 1000);
      if (!this.stopped) this.start();
    }, after);
  }

  sample() {
    const life = this.current;
    if (!life || life.exit) return;
    const s = readProc(life.pid);
    if (s) life.samples.push({ t: Date.now() - life.startedAt, ...s });
  }

  async metrics() {
    try {
      const response = await fetch(`http://127.0.0.1:${this.metricsPort}/metrics`, { signal: AbortSignal.timeout(2000) });
      if (!response.ok) return null;
      const values = {};
      for (const line of (await response.text()).split("\n")) {
        const m = /^([a-z_]+)(\{[^}]*\})? ([0-9.e+-]+|NaN)$/.exec(line);
        if (m) values[m[1] + (m[2] ?? "")] = Number(m[3]);
      }
      const sum = (name) => Object.entries(values).filter(([k]) => k === name || k.startsWith(name + "{")).reduce((a, [, v]) => a + v, 0);
      return { pending: sum("gd2sentinel_records_pending"), inFlight: sum("gd2sentinel_units_in_flight"), opened: sum("gd2sentinel_units_opened_total") };
    } catch {
      return null;
    }
  }

  // SIGTERM the last life; it must finish what it holds and exit 0 within the grace period.
  async stop(graceMs = 60000) {
    this.stopped = true;
    this.stopKilling();
    const life = this.current;
    if (!life || life.exit) return;
    life.terminated = true;
    life.child.kill("SIGTERM");
    const timeout = sleep(graceMs).then(() => "timeout");
    if ((await Promise.race([life.exited, timeout])) === "timeout") {
      life.stopTimedOut = true;
      life.child.kill("SIGKILL");
      await life.exited;
    }
  }

  // Sanitizer reports and crashes in any life's stderr.
  reports() {
    const found = [];
    for (const life of this.lives) {
      const text = fs.readFileSync(life.log, "utf8");
      for (const pattern of REPORT_PATTERNS) {
        const m = pattern.exec(text);
        if (m) {
          const line = text.slice(text.lastIndexOf("\n", m.index) + 1).split("\n")[0];
          found.push({ life: life.n, log: life.log, line });
        }
      }
    }
    return found;
  }

  kills() {
    return this.lives.filter((l) => l.killed).length;
  }
}
