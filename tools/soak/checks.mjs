// The soak's verdicts: what arrived against what was produced, the dead letters against the
// planted bad inputs, memory and file descriptors over each process's life, sanitizer reports.
// Each check returns {name, ok, detail, failures: [text]}.

import fs from "node:fs";

import { REPORT_PATTERNS } from "./shipper.mjs";

const MiB = 1024;  // samples are in KiB

// Rows of the workspace against the produced versions (id + updatedAt), per path.
export function checkArrivals(rows, expected, accounts) {
  const seen = new Map();  // "id|ms" -> row count
  for (const row of rows) {
    const key = `${row.Id}|${Date.parse(row.TimeGenerated)}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  const perPath = {};
  for (const name of Object.keys(accounts)) perPath[name] = { produced: 0, arrived: 0, missing: [], rows: 0, duplicateRows: 0 };
  for (const [key, version] of expected) {
    const p = perPath[version.path];
    p.produced++;
    const n = seen.get(key) ?? 0;
    if (n === 0) p.missing.push(version);
    else { p.arrived++; p.rows += n; p.duplicateRows += n - 1; }
  }
  const unexpected = [...seen.keys()].filter((key) => !expected.has(key));
  const failures = [];
  for (const [name, p] of Object.entries(perPath))
    if (p.missing.length)
      failures.push(`${name}: ${p.missing.length} of ${p.produced} finding versions never arrived, e.g. ` +
        p.missing.slice(0, 5).map((v) => `${v.id} updatedAt ${v.updatedAt}`).join(", "));
  if (unexpected.length)
    failures.push(`${unexpected.length} rows in the workspace are no version the soak produced, e.g. ${unexpected.slice(0, 5).join(", ")}`);
  return { name: "every finding version arrived", ok: failures.length === 0, perPath, unexpected, failures };
}

function readDeadLetters(file) {
  if (!fs.existsSync(file)) return { letters: [], broken: [] };
  const letters = [], broken = [];
  const text = fs.readFileSync(file, "utf8");
  text.split("\n").forEach((line, i) => {
    if (!line) return;
    try { letters.push({ ...JSON.parse(line), fileLine: i + 1 }); } catch { broken.push(`${file}:${i + 1}: ${line.slice(0, 120)}`); }
  });
  if (text.length && !text.endsWith("\n")) broken.push(`${file}: the last line has no newline`);
  return { letters, broken };
}

function matches(letter, plant) {
  if (letter.unit !== plant.unit) return false;
  if (plant.line !== undefined && letter.line !== plant.line) return false;
  if (!plant.stages.includes(letter.stage) || !plant.reason.test(letter.reason ?? "")) return false;
  if (plant.contains) {
    const original = letter.original ?? Buffer.from(letter.original_base64 ?? "", "base64").toString("latin1");
    if (!original.includes(plant.contains)) return false;
  }
  return true;
}

// Each process's dead letters are exactly its planted bad inputs: every planted one at least once
// (a kill between the dead letter and the commit may write it again), nothing else.
export function checkDeadLetters(files, planted) {
  const failures = [];
  const rows = [];
  for (const [process, file] of Object.entries(files)) {
    const { letters, broken } = readDeadLetters(file);
    for (const b of broken) failures.push(`unreadable dead-letter line ${b}`);
    const mine = planted.filter((p) => p.process === process);
    const hits = new Map(mine.map((p) => [p, 0]));
    for (const letter of letters) {
      const plant = mine.find((p) => matches(letter, p));
      if (plant) hits.set(plant, hits.get(plant) + 1);
      else failures.push(`${process}: dead letter that no planted input explains (${file}:${letter.fileLine}): stage ${letter.stage}, unit ${letter.unit}, line ${letter.line}, reason: ${String(letter.reason).slice(0, 200)}`);
    }
    for (const [plant, n] of hits) {
      rows.push({ process, name: plant.name, count: n, unit: plant.unit });
      if (n === 0) failures.push(`${process}: planted "${plant.name}" (${plant.unit}) is not in the dead letters`);
    }
  }
  return { name: "dead letters hold exactly the planted bad inputs", ok: failures.length === 0, rows, failures };
}

// The queue's own dead-letter queue (its redrive policy) holds exactly the messages no
// gd2sentinel reads: a good message there means its findings were given up.
export function checkQueueDeadLetters(bodies, planted) {
  const want = planted.filter((p) => p.sqsDeadLetterQueue).map((p) => p.body);
  const failures = [];
  for (const body of bodies)
    if (!want.includes(body)) failures.push(`the SQS dead-letter queue holds a message that deserved delivery: ${body.slice(0, 200)}`);
  for (const body of want)
    if (!bodies.includes(body)) failures.push(`the SQS dead-letter queue lacks the unknown-shape message ${body.slice(0, 120)}`);
  return { name: "SQS dead-letter queue holds only the unreadable messages", ok: failures.length === 0, count: bodies.length, failures };
}

const max = (xs) => xs.reduce((a, b) => Math.max(a, b), -Infinity);
const min = (xs) => xs.reduce((a, b) => Math.min(a, b), Infinity);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// Memory and descriptors. In every life that lasted at least `minLifeMs`, the samples after
// `warmupMs` are cut in thirds: the last third's peak RSS may exceed the first third's by at most
// max(slackMiB, slackFraction of it), and its median fd count by at most fdSlack. Across the run,
// the peak RSS of the lives that ended in its last third may exceed that of the lives that ended
// in its first third by the same allowance.
export function checkResources(shippers, limits, runStart, runEnd) {
  const failures = [];
  const perProcess = [];
  const allowance = (kib) => Math.max(limits.slackMiB * MiB, limits.slackFraction * kib);
  for (const shipper of shippers) {
    let judged = 0;
    const all = shipper.lives.flatMap((l) => l.samples);
    for (const life of shipper.lives) {
      const s = life.samples.filter((x) => x.t >= limits.warmupMs);
      const lived = (life.endedAt ?? Date.now()) - life.startedAt;
      if (lived < limits.minLifeMs || s.length < 9) continue;
      judged++;
      const third = Math.floor(s.length / 3);
      const first = s.slice(0, third), last = s.slice(s.length - third);
      const rssFirst = max(first.map((x) => x.rssKiB)), rssLast = max(last.map((x) => x.rssKiB));
      // Descriptors come and go in bursts (connections opened after resets and retries): a leak
      // raises the typical count, so the median of each third is compared, not the peak.
      const fdFirst = median(first.map((x) => x.fds)), fdLast = median(last.map((x) => x.fds));
      life.verdict = { rssFirst, rssLast, fdFirst, fdLast, seconds: Math.round(lived / 1000) };
      if (rssLast > rssFirst + allowance(rssFirst))
        failures.push(`${shipper.name} life ${life.n} (${Math.round(lived / 1000)} s): RSS grew from a peak of ${(rssFirst / MiB).toFixed(1)} MiB in its first third to ${(rssLast / MiB).toFixed(1)} MiB in its last`);
      if (fdLast > fdFirst + limits.fdSlack)
        failures.push(`${shipper.name} life ${life.n}: open fds grew from a median of ${fdFirst} in its first third to ${fdLast} in its last`);
    }
    // Across the run: what a fresh process grows to in its first seconds (state database,
    // dedupe window, caches) must not climb as the run goes on.
    const span = runEnd - runStart;
    const fresh = (lives) => max(lives.filter((l) => l.samples.some((x) => x.t >= limits.freshAgeMs - 1000))
      .flatMap((l) => l.samples.filter((x) => x.t <= limits.freshAgeMs).map((x) => x.rssKiB)));
    const earlyPeak = fresh(shipper.lives.filter((l) => l.startedAt - runStart < span / 3));
    const latePeak = fresh(shipper.lives.filter((l) => l.startedAt - runStart > (2 * span) / 3));
    if (Number.isFinite(earlyPeak) && Number.isFinite(latePeak) && latePeak > earlyPeak + allowance(earlyPeak))
      failures.push(`${shipper.name}: RSS in the first ${limits.freshAgeMs / 1000} s of a life rose from a peak of ${(earlyPeak / MiB).toFixed(1)} MiB (lives started in the run's first third) to ${(latePeak / MiB).toFixed(1)} MiB (last third)`);
    const warm = all.filter((x) => x.t >= limits.warmupMs);
    perProcess.push({
      name: shipper.name, lives: shipper.lives.length, judged, samples: all.length,
      rssMaxMiB: all.length ? max(all.map((x) => x.rssKiB)) / MiB : NaN,
      earlyPeakMiB: earlyPeak / MiB, latePeakMiB: latePeak / MiB,
      fdMin: warm.length ? min(warm.map((x) => x.fds)) : NaN, fdMax: warm.length ? max(warm.map((x) => x.fds)) : NaN,
    });
    if (judged === 0) failures.push(`${shipper.name}: no life lasted ${limits.minLifeMs / 1000} s, so memory and fds were not judged`);
  }
  return { name: "RSS and open fds flat", ok: failures.length === 0, perProcess, failures };
}

export function checkProcesses(shippers, otherLogs = []) {
  const failures = [];
  for (const log of otherLogs) {
    const text = fs.existsSync(log) ? fs.readFileSync(log, "utf8") : "";
    for (const pattern of REPORT_PATTERNS)
      if (pattern.test(text)) failures.push(`${log}: ${pattern.exec(text)[0]}`);
  }
  for (const s of shippers) {
    for (const u of s.unexpected)
      failures.push(`${s.name} life ${u.life} exited on its own (code ${u.exit.code}, signal ${u.exit.signal}); see ${u.log}`);
    const last = s.lives.at(-1);
    if (last?.stopTimedOut) failures.push(`${s.name} life ${last.n} did not stop within the grace period after SIGTERM; see ${last.log}`);
    else if (last?.terminated && last.exit?.code !== 0)
      failures.push(`${s.name} life ${last.n} exited with code ${last.exit?.code} (signal ${last.exit?.signal}) after SIGTERM; see ${last.log}`);
    for (const r of s.reports()) failures.push(`${s.name} life ${r.life}: ${r.line} (${r.log})`);
  }
  return { name: "no crash, no sanitizer report, clean stop", ok: failures.length === 0, failures };
}
