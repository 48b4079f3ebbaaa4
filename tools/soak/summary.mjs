// The soak's summary: what was produced and what arrived per path, kills, injected faults,
// memory and descriptors per process, dead letters, then each check with its failures.

import path from "node:path";

const pad = (v, n) => String(v).padStart(n);
const padEnd = (v, n) => String(v).padEnd(n);

export function printSummary({ minutes, build, sanitized, seed, producer, shippers, checks, faults, faultRules, awsFaults, drainMs, limits, runMs }) {
  const out = [];
  const say = (line = "") => out.push(line);
  say();
  say(`=== gd2sentinel soak: ${minutes} min of production, ${Math.round(runMs / 1000)} s in all (drain ${Math.round(drainMs / 1000)} s), ` +
    `${path.basename(build)}${sanitized ? " (ASan+UBSan)" : ""}, seed ${seed} ===`);
  say();
  const arrivals = checks.find((c) => c.perPath)?.perPath ?? {};
  say("path     finding versions produced  arrived  missing  rows  duplicate rows");
  let total = { produced: 0, arrived: 0, missing: 0, rows: 0, duplicateRows: 0 };
  for (const [name, p] of Object.entries(arrivals)) {
    say(`${padEnd(name, 8)} ${pad(p.produced, 26)} ${pad(p.arrived, 8)} ${pad(p.missing.length, 8)} ${pad(p.rows, 5)} ${pad(p.duplicateRows, 15)}`);
    for (const k of Object.keys(total)) total[k] += k === "missing" ? p.missing.length : p[k];
  }
  say(`${padEnd("all", 8)} ${pad(total.produced, 26)} ${pad(total.arrived, 8)} ${pad(total.missing, 8)} ${pad(total.rows, 5)} ${pad(total.duplicateRows, 15)}`);
  const c = producer.counts;
  say(`  (${c.objects} export objects, ${c.notifications} S3 notifications, ${c.events} EventBridge finding events; ` +
    `${c.newVersionsOfAnId} new versions of an existing id, ${c.reExports} exact re-exports)`);
  say();
  say(`process  lives  SIGKILLs  judged lives  max RSS MiB  RSS at ≤${limits.freshAgeMs / 1000} s of age, early → late  fds after warm-up`);
  const resources = checks.find((x) => x.perProcess)?.perProcess ?? [];
  for (const s of shippers) {
    const r = resources.find((x) => x.name === s.name) ?? {};
    say(`${padEnd(s.name, 8)} ${pad(s.lives.length, 5)} ${pad(s.kills(), 9)} ${pad(r.judged, 13)} ${pad(r.rssMaxMiB?.toFixed(1), 12)} ` +
      `${pad(`${r.earlyPeakMiB?.toFixed(1)} → ${r.latePeakMiB?.toFixed(1)}`, 36)} ${pad(`${r.fdMin}–${r.fdMax}`, 18)}`);
  }
  for (const s of shippers)
    for (const life of s.lives.filter((l) => l.verdict))
      say(`  ${s.name} life ${life.n} (${life.verdict.seconds} s${life.terminated ? ", the last" : ""}): RSS peak ${(life.verdict.rssFirst / 1024).toFixed(1)} → ${(life.verdict.rssLast / 1024).toFixed(1)} MiB, median fds ${life.verdict.fdFirst} → ${life.verdict.fdLast} (first third → last third)`);
  say(`  (judged: lives of ${limits.minLifeMs / 1000} s or more, samples after ${limits.warmupMs / 1000} s; allowed growth max(${limits.slackMiB} MiB, ${limits.slackFraction * 100}%), ${limits.fdSlack} fds;`);
  say(`   across the run: the peak RSS of the first ${limits.freshAgeMs / 1000} s of each life, lives started in the run's first third against its last third)`);
  say();
  say("faults injected");
  (faults.faults ?? []).forEach((rule, i) => {
    const asked = faultRules[i] ?? {};  // the emulator does not echo rate and Retry-After
    const what = rule.kind === "reset" ? "reset" : rule.kind === "slow" ? `slow ${rule.delay_ms} ms` : `${rule.status}${asked.retry_after ? ` Retry-After ${asked.retry_after}` : ""}`;
    say(`  workspace ${padEnd(rule.endpoint, 15)} ${padEnd(what, 20)} rate ${pad(asked.rate ?? "", 4)}  ${pad(rule.injected, 6)}`);
  });
  const requests = faults.requests ?? {};
  if (Object.keys(requests).length) say(`  workspace requests: ${Object.entries(requests).filter(([, n]) => n).map(([k, n]) => `${k} ${n}`).join(", ")}`);
  for (const [kind, n] of [...awsFaults].sort()) say(`  aws ${padEnd(kind, 45)} ${pad(n, 6)}`);
  say();
  say("dead letters (planted input → times written)");
  for (const row of checks.find((x) => x.rows)?.rows ?? []) say(`  ${padEnd(row.process, 4)} ${padEnd(row.name, 55)} ${pad(row.count, 3)}`);
  const q = checks.find((x) => x.count !== undefined);
  if (q) say(`  SQS dead-letter queue: ${q.count} message(s)`);
  say();
  for (const check of checks) {
    say(`${check.ok ? "PASS" : "FAIL"}  ${check.name}`);
    for (const f of check.failures.slice(0, 20)) say(`      ${f}`);
    if (check.failures.length > 20) say(`      … and ${check.failures.length - 20} more`);
  }
  console.log(out.join("\n"));
}
