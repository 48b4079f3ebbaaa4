#!/usr/bin/env node
// The scenario table of content/README.md ("What a SOC sees"), computed from a model of the content:
// how rows reach the tables (native TimeGenerated = updatedAt unless it is more than 2 days old, then the
// receive time), what GuardDutyFindings() makes of them (one version per content, versions in GuardDuty's
// order, IsNewFinding / Escalated, the AlertRule owner), what each GuardDuty rule then alerts on when it runs
// every hour over 14 days, and how Sentinel groups the alerts into incidents.
//
// The model restates the parser's logic in JavaScript. To keep the two in step it checks the parser text it
// depends on (the AlertRule branches, the escalation threshold, the version key and order), so a change to
// the parser that the model does not know about fails here instead of silently making the table wrong.
// The "before" column models the previous rules (1.0.0): every version first ingested in the last hour, the
// latest version by TimeGenerated, themed rules and the catch-all independent of each other.
//
//   node content/tests/scenarios.mjs      prints the table (markdown) and exits 1 if an expectation fails
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { alertRuleBranches } from './lib/alerting.mjs';

const HOUR = 3600e3;
const DAY = 24 * HOUR;
const T0 = Date.parse('2026-11-01T00:00:00Z');
const RUN_INTERVAL = HOUR;     // queryFrequency of every GuardDuty rule
const LOOKBACK = 14 * DAY;     // queryPeriod
const LATE_LIMIT = 2 * DAY;    // Azure Monitor: an older TimeGenerated is replaced by the receive time
const INCIDENT_LOOKBACK = 7 * DAY;
const OCCURRENCE_THRESHOLD = 100;

const band = (sev) => (sev >= 9 ? 4 : sev >= 7 ? 3 : sev >= 4 ? 2 : 1);

// ---- the finding-type facts the owner conditions read ---------------------------------------------------
function typeParts(type) {
  const purpose = type.split(':')[0];
  const m = /^[^:]*:([^/]*)\//.exec(type);
  return { purpose, affected: m ? m[1] : '' };
}

// The parser's AlertRule = case(...), branch by branch; `condition` is the parser's text (whitespace folded),
// compared with the parser so that the JavaScript below cannot drift from it unnoticed.
const OWNER_BRANCHES = [
  {
    owner: 'AttackSequence',
    condition: 'ThreatPurpose == "AttackSequence" or ResourceType == "AttackSequence"',
    test: (f) => typeParts(f.type).purpose === 'AttackSequence' || f.resourceType === 'AttackSequence',
  },
  {
    owner: 'InstanceCredentialExfiltration',
    condition: 'ActivityType has "InstanceCredentialExfiltration"',
    test: (f) => /\bInstanceCredentialExfiltration\b/i.test(f.type),
  },
  {
    owner: 'AnomalousIamPrivilegedPrincipal',
    condition: 'ResourceTypeAffected == "IAMUser" and ActivityType has_any ("AnomalousBehavior", "AdministrativePermissions", "RootCredentialUsage")',
    test: (f) => typeParts(f.type).affected === 'IAMUser' && /\b(AnomalousBehavior|AdministrativePermissions|RootCredentialUsage)\b/i.test(f.type),
  },
  {
    owner: 'CryptoMining',
    condition: 'ThreatPurpose == "CryptoCurrency" or ActivityType contains_cs "Bitcoin" or ActivityType contains_cs "CryptoMiner"',
    test: (f) => typeParts(f.type).purpose === 'CryptoCurrency' || f.type.includes('Bitcoin') || f.type.includes('CryptoMiner'),
  },
  {
    owner: 'KubernetesAndRuntime',
    condition: 'Severity >= 4.0 and (ResourceTypeAffected in ("Kubernetes", "Runtime", "EKS", "ECS", "Container") or ResourceType in ("EKSCluster", "ECSCluster", "Container") or FeatureName == "RuntimeMonitoring")',
    test: (f) => f.severity >= 4 && (['Kubernetes', 'Runtime', 'EKS', 'ECS', 'Container'].includes(typeParts(f.type).affected)
      || ['EKSCluster', 'ECSCluster', 'Container'].includes(f.resourceType) || f.featureName === 'RuntimeMonitoring'),
  },
  {
    owner: 'CommandAndControl',
    condition: 'ThreatPurpose in ("Backdoor", "Trojan") or ActivityType == "UnauthorizedAccess:EC2/MaliciousIPCaller.Custom" or ActivityType has "MaliciousDomainRequest" or ActivityType has "ReverseShell"',
    test: (f) => ['Backdoor', 'Trojan'].includes(typeParts(f.type).purpose) || f.type === 'UnauthorizedAccess:EC2/MaliciousIPCaller.Custom'
      || /\bMaliciousDomainRequest\b/i.test(f.type) || /\bReverseShell\b/i.test(f.type),
  },
  {
    owner: 'S3ExfiltrationOrMaliciousAccess',
    condition: '(ResourceTypeAffected == "S3" and ThreatPurpose in ("Exfiltration", "Impact", "UnauthorizedAccess", "Discovery", "PenTest", "Object")) or (ResourceType == "S3Bucket" and ThreatPurpose in ("Exfiltration", "Impact", "UnauthorizedAccess"))',
    test: (f) => {
      const { purpose, affected } = typeParts(f.type);
      return (affected === 'S3' && ['Exfiltration', 'Impact', 'UnauthorizedAccess', 'Discovery', 'PenTest', 'Object'].includes(purpose))
        || (f.resourceType === 'S3Bucket' && ['Exfiltration', 'Impact', 'UnauthorizedAccess'].includes(purpose));
    },
  },
];
const CATCH_ALL = 'HighOrCriticalFinding';
export const ownerOf = (f) => (OWNER_BRANCHES.find((b) => b.test(f)) || { owner: CATCH_ALL }).owner;

// What each per-finding rule adds after `AlertRule == <own> and (IsNewFinding or Escalated)`.
const RULE_EXTRA_FILTER = {
  HighOrCriticalFinding: (f) => f.severity >= 7,
  AnomalousIamPrivilegedPrincipal: (f) => f.privileged || f.severity >= 7,
};

/** Differences between the model and the parser text; empty when the model is current. */
export function modelDrift(parserBody) {
  const errors = [];
  const parsed = alertRuleBranches(parserBody);
  const want = OWNER_BRANCHES.map((b) => `${b.owner} <= ${b.condition}`);
  const have = parsed.map((b) => `${b.owner} <= ${b.condition}`);
  if (JSON.stringify(want) !== JSON.stringify(have)) {
    errors.push(`the parser's AlertRule branches differ from the scenario model; update OWNER_BRANCHES in tests/scenarios.mjs:\n         parser: ${have.join('\n                 ')}\n         model:  ${want.join('\n                 ')}`);
  }
  const required = [
    [`let OccurrenceEscalationThreshold = ${OCCURRENCE_THRESHOLD};`, 'the occurrence threshold'],
    ['| summarize arg_min(IngestedAt, *) by Id, FindingCount, EventLastSeen, _Band, Archived', 'the version key'],
    ['| sort by Id asc, FindingCount asc, EventLastSeen asc, UpdatedAt asc, IngestedAt asc', 'the version order'],
    ['| extend _Known = IngestedAt <= ago(ArrivalWindow) and IngestedAt > ago(ArrivalWindow + Lookback)', 'known versions'],
    ['| extend _Arrived = IngestedAt > ago(ArrivalWindow)', 'arriving versions'],
    ['_Band > _KnownBand, "SeverityBand"', 'band escalation'],
    ['not(Archived) and _KnownArchivedRank == _KnownRank, "Unarchived"', 'un-archive escalation'],
  ];
  for (const [text, what] of required) if (!parserBody.includes(text)) errors.push(`${what} changed in the parser (expected \`${text}\`); update tests/scenarios.mjs`);
  return errors;
}

// ---- rows in the workspace ----------------------------------------------------------------------------
/** A finding version as GuardDuty exports it. */
function version(base, at, changes = {}) {
  return { ...base, updatedAt: at, lastSeen: at - 10 * 60e3, ...changes };
}

/** The row a version becomes in a table when it is received at `received` (ms). */
function ingest(v, received, table = 'native') {
  const late = v.updatedAt < received - LATE_LIMIT;
  return {
    ...v,
    table,
    ingestedAt: received,
    // native: TimeGenerated = updatedAt, or the receive time when updatedAt is too old; legacy keeps updatedAt_t
    timeGenerated: table === 'native' && late ? received : v.updatedAt,
    orderTime: table === 'native' && late ? received : v.updatedAt,
  };
}

// ---- GuardDutyFindings() at time `now` ------------------------------------------------------------------
function parserAt(rows, now, { includeArchived = false } = {}) {
  const visible = rows.filter((r) => r.ingestedAt <= now && r.timeGenerated >= now - LOOKBACK);
  const byId = new Map();
  for (const r of visible) {
    // one version per (Id, count, lastSeen, band, archived), with its first ingestion
    const key = [r.id, r.count, r.lastSeen, band(r.severity), r.archived].join('|');
    const list = byId.get(r.id) || new Map();
    const prev = list.get(key);
    if (!prev || r.ingestedAt < prev.ingestedAt) list.set(key, r);
    byId.set(r.id, list);
  }
  const out = [];
  for (const [id, list] of byId) {
    const versions = [...list.values()].sort((a, b) => a.count - b.count || a.lastSeen - b.lastSeen
      || a.orderTime - b.orderTime || a.ingestedAt - b.ingestedAt);
    versions.forEach((v, i) => { v.rank = i + 1; });
    const known = versions.filter((v) => v.ingestedAt <= now - RUN_INTERVAL && v.ingestedAt > now - RUN_INTERVAL - LOOKBACK);
    const knownRank = Math.max(0, ...known.map((v) => v.rank));
    const knownBand = Math.max(0, ...known.map((v) => band(v.severity)));
    const knownArchivedRank = Math.max(0, ...known.filter((v) => v.archived).map((v) => v.rank));
    const knownMaxCount = Math.max(0, ...known.map((v) => v.count));
    const latest = versions[versions.length - 1];
    const arrived = latest.ingestedAt > now - RUN_INTERVAL;
    let reason = '';
    if (arrived && knownRank > 0) {
      if (band(latest.severity) > knownBand) reason = 'SeverityBand';
      else if (!latest.archived && knownArchivedRank === knownRank) reason = 'Unarchived';
      else if (latest.count >= OCCURRENCE_THRESHOLD && knownMaxCount < OCCURRENCE_THRESHOLD) reason = 'OccurrenceCount';
    }
    if (latest.archived && !includeArchived) continue;
    out.push({
      ...latest,
      id,
      isNew: arrived && knownRank === 0,
      escalated: reason !== '',
      reason,
      firstIngestedAt: Math.min(...versions.map((v) => v.ingestedAt)),
      alertRule: ownerOf(latest),
    });
  }
  return out;
}

// ---- the rules, run every hour ----------------------------------------------------------------------------
function perFindingAlerts(findings, now) {
  const alerts = [];
  for (const f of findings) {
    if (!(f.isNew || f.escalated)) continue;
    const extra = RULE_EXTRA_FILTER[f.alertRule];
    if (extra && !extra(f)) continue;
    alerts.push({ rule: f.alertRule, group: f.id, at: now, reason: f.isNew ? 'new' : f.reason });
  }
  return alerts;
}

function sampleStdev(values) {
  if (values.length < 2) return 0;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
}

// GuardDuty_FindingSpikeInAccount: new finding ids per hour (FirstIngestedAt), last complete hour against
// the mean + 3 standard deviations (at least 1) of the hours before it, at least 5.
function spikeAlerts(findings, now) {
  const spikeHour = Math.floor((now - HOUR) / HOUR) * HOUR;
  const seriesStart = Math.floor((now - LOOKBACK) / HOUR) * HOUR;
  const alerts = [];
  const accounts = new Set(findings.map((f) => f.accountId));
  for (const account of accounts) {
    const bins = new Array(Math.round((spikeHour - seriesStart) / HOUR) + 1).fill(0);
    for (const f of findings) {
      if (f.accountId !== account || f.firstIngestedAt < seriesStart || f.createdAt < seriesStart) continue;
      const i = Math.floor((f.firstIngestedAt - seriesStart) / HOUR);
      if (i >= 0 && i < bins.length) bins[i] += 1;
    }
    const current = bins[bins.length - 1];
    const baseline = bins.slice(0, -1);
    const mean = baseline.reduce((a, b) => a + b, 0) / baseline.length;
    if (current >= 5 && current >= mean + 3 * Math.max(sampleStdev(baseline), 1)) {
      alerts.push({ rule: 'FindingSpikeInAccount', group: account, at: now, reason: `${current} new` });
    }
  }
  return alerts;
}

// GuardDuty_MultipleFindingTypesOnResource: >= 3 types active within 24 hours, at least one new finding.
function multipleTypeAlerts(findings, now) {
  const byResource = new Map();
  for (const f of findings) {
    if (typeParts(f.type).purpose === 'AttackSequence' || !f.resourceKey || f.lastSeen <= now - DAY) continue;
    const list = byResource.get(f.resourceKey) || [];
    list.push(f);
    byResource.set(f.resourceKey, list);
  }
  const alerts = [];
  for (const [key, list] of byResource) {
    if (new Set(list.map((f) => f.type)).size >= 3 && list.some((f) => f.isNew)) {
      alerts.push({ rule: 'MultipleFindingTypesOnResource', group: key, at: now, reason: 'types' });
    }
  }
  return alerts;
}

// The previous rules (1.0.0), for the "before" column.
const OLD_THEMES = OWNER_BRANCHES.map((b) => ({ rule: b.owner, test: b.test }));
function previousRulesAlerts(rows, now) {
  const visible = rows.filter((r) => r.ingestedAt <= now && r.timeGenerated >= now - 2 * DAY);
  const versions = new Map();
  for (const r of visible) {
    const key = `${r.id}|${r.timeGenerated}`;
    const prev = versions.get(key);
    if (!prev || r.ingestedAt < prev.ingestedAt) versions.set(key, r);
  }
  const latest = new Map();
  for (const v of versions.values()) {
    const prev = latest.get(v.id);
    if (!prev || v.timeGenerated > prev.timeGenerated) latest.set(v.id, v);
  }
  const alerts = [];
  for (const f of latest.values()) {
    if (f.archived || f.ingestedAt <= now - RUN_INTERVAL) continue;
    if (f.severity >= 7) alerts.push({ rule: CATCH_ALL, group: f.id, at: now });
    for (const t of OLD_THEMES) {
      const k8sOld = t.rule === 'KubernetesAndRuntime';   // the old rule also excluded attack sequences
      if (t.rule === 'AnomalousIamPrivilegedPrincipal' && !f.privileged) continue;
      if (t.test(f) && !(k8sOld && typeParts(f.type).purpose === 'AttackSequence')) alerts.push({ rule: t.rule, group: f.id, at: now });
    }
  }
  return alerts;
}

/** Sentinel incident grouping: per rule and group key, within the lookback; closed incidents reopen. */
function incidentsOf(alerts) {
  const open = new Map();
  let count = 0;
  for (const a of [...alerts].sort((x, y) => x.at - y.at)) {
    const key = `${a.rule}|${a.group}`;
    const inc = open.get(key);
    if (inc && a.at - inc.createdAt <= INCIDENT_LOOKBACK) continue;
    open.set(key, { createdAt: a.at });
    count += 1;
  }
  return count;
}

function runHourly(rows, from, to, options = {}) {
  const alerts = [];
  const before = [];
  for (let now = from; now <= to; now += RUN_INTERVAL) {
    const findings = parserAt(rows, now, options);
    alerts.push(...perFindingAlerts(findings, now), ...spikeAlerts(findings, now), ...multipleTypeAlerts(findings, now));
    before.push(...previousRulesAlerts(rows, now));
  }
  return { alerts, before };
}

// ---- the scenarios ----------------------------------------------------------------------------------------
function finding(id, type, severity, extra = {}) {
  return {
    id, type, severity, accountId: '111122223333', resourceType: 'Instance', featureName: '', archived: false,
    privileged: false, count: 1, createdAt: T0, resourceKey: `i-${id}`, ...extra,
  };
}

/** Versions exported every `every` ms from `start` for `n` exports, count + 1 each time. */
function recurring(base, start, every, n, changes = () => ({})) {
  const out = [];
  for (let i = 0; i < n; i += 1) {
    const at = start + i * every;
    out.push(version(base, at, { count: base.count + i, ...changes(i) }));
  }
  return out;
}

const EXPORT_DELAY = 5 * 60e3;   // a new finding reaches the workspace about 5 minutes after the export

export const SCENARIOS = [
  {
    name: 'Steady recurring finding, 14 days at the 6-hour export',
    describe: 'UnauthorizedAccess:EC2/TorClient (High, catch-all) first seen on day 0, then re-exported every 6 hours for 14 days (56 re-exports, count +1 each, same band)',
    expect: { alerts: 1, incidents: 1, sincePhase: 0 },
    build() {
      const f = finding('a1', 'UnauthorizedAccess:EC2/TorClient', 8);
      const rows = recurring(f, T0, 6 * HOUR, 57).map((v) => ingest(v, v.updatedAt + EXPORT_DELAY));
      return { rows, from: T0, to: T0 + 15 * DAY, phaseAt: T0 + HOUR };
    },
  },
  {
    name: 'Steady recurring finding, 14 days at the 15-minute export',
    describe: 'the same finding with findingPublishingFrequency FIFTEEN_MINUTES: 1,344 re-exports, count +1 each (it reaches 100 on day 2)',
    expect: { alerts: 2, incidents: 1, sincePhase: 1 },
    build() {
      const f = finding('a2', 'UnauthorizedAccess:EC2/TorClient', 8);
      const rows = recurring(f, T0, 15 * 60e3, 1345).map((v) => ingest(v, v.updatedAt + EXPORT_DELAY));
      return { rows, from: T0, to: T0 + 15 * DAY, phaseAt: T0 + HOUR };
    },
  },
  {
    name: 'Escalation Medium to High',
    describe: 'UnauthorizedAccess:EC2/RDPBruteForce (catch-all) exported at severity 5 four times, then at 8, then re-exported at 8 for a day',
    expect: { alerts: 1, incidents: 1, sincePhase: 1 },
    build() {
      const f = finding('b1', 'UnauthorizedAccess:EC2/RDPBruteForce', 5);
      const versions = recurring(f, T0, 6 * HOUR, 9, (i) => ({ severity: i < 4 ? 5 : 8 }));
      return { rows: versions.map((v) => ingest(v, v.updatedAt + EXPORT_DELAY)), from: T0, to: T0 + 4 * DAY, phaseAt: versions[4].updatedAt };
    },
  },
  {
    name: 'Burst of 20 new findings in one account',
    describe: 'an account with one steady recurring finding for 7 days, then 20 new Recon:EC2/PortProbeUnprotectedPort (Low) findings on 20 instances within one hour',
    expect: { alerts: 1, incidents: 1, sincePhase: 1 },
    build() {
      const steady = finding('c0', 'Recon:EC2/PortProbeUnprotectedPort', 2);
      const rows = recurring(steady, T0, 6 * HOUR, 40).map((v) => ingest(v, v.updatedAt + EXPORT_DELAY));
      const burstAt = T0 + 7 * DAY + 10 * 60e3;
      for (let i = 0; i < 20; i += 1) {
        const f = finding(`c${i + 1}`, 'Recon:EC2/PortProbeUnprotectedPort', 2, { createdAt: burstAt + i * 60e3 });
        rows.push(...recurring(f, burstAt + i * 60e3, 6 * HOUR, 12).map((v) => ingest(v, v.updatedAt + EXPORT_DELAY)));
      }
      return { rows, from: T0, to: T0 + 10 * DAY, phaseAt: burstAt };
    },
  },
  {
    name: '3-day-late backfill',
    describe: 'a High finding (catch-all) ingested normally for 3 days (12 versions), then the same exports read again 3 days after the last of them (a new state database, a backfill window): 12 rows, all more than 2 days old, so native TimeGenerated = receive time',
    expect: { alerts: 1, incidents: 1, sincePhase: 0 },
    build() {
      const f = finding('d1', 'UnauthorizedAccess:EC2/TorClient', 8);
      const versions = recurring(f, T0, 6 * HOUR, 12);
      const rows = versions.map((v) => ingest(v, v.updatedAt + EXPORT_DELAY));
      const replayAt = versions[versions.length - 1].updatedAt + 3 * DAY;
      rows.push(...versions.map((v, i) => ingest(v, replayAt + i * 60e3)));
      return { rows, from: T0, to: T0 + 8 * DAY, phaseAt: replayAt };
    },
  },
  {
    name: 'Dead-letter replay of an old version',
    describe: 'a High finding (catch-all) whose 3rd version was dead-lettered; versions 4-8 arrived; the dead letter is replayed on day 4 (native TimeGenerated = receive time); the finding was archived at version 8 (drop_archived = false)',
    expect: { alerts: 1, incidents: 1, sincePhase: 0 },
    build() {
      const f = finding('e1', 'UnauthorizedAccess:EC2/TorClient', 8);
      const versions = recurring(f, T0, 6 * HOUR, 8, (i) => ({ archived: i === 7 }));
      versions[7].count = versions[6].count;          // archiving changes the state, not the count
      versions[7].lastSeen = versions[6].lastSeen;
      const rows = versions.filter((_, i) => i !== 2).map((v) => ingest(v, v.updatedAt + EXPORT_DELAY));
      rows.push(ingest(versions[2], T0 + 4 * DAY));
      return { rows, from: T0, to: T0 + 6 * DAY, phaseAt: T0 + 4 * DAY, staysArchived: 'e1' };
    },
  },
  {
    name: 'One runtime reverse shell',
    describe: 'Execution:Runtime/ReverseShell (High, RuntimeMonitoring) on an EC2 instance, re-exported every 6 hours for 2 days',
    expect: { alerts: 1, incidents: 1, sincePhase: 1 },
    build() {
      const f = finding('f1', 'Execution:Runtime/ReverseShell', 8, { featureName: 'RuntimeMonitoring' });
      return { rows: recurring(f, T0, 6 * HOUR, 9).map((v) => ingest(v, v.updatedAt + EXPORT_DELAY)), from: T0, to: T0 + 3 * DAY, phaseAt: T0 - 1 };
    },
  },
  {
    name: 'Un-archived finding',
    describe: 'a High finding (catch-all) archived after its first export (shipped with drop_archived = false), un-archived on day 2',
    expect: { alerts: 2, incidents: 1, sincePhase: 1 },
    build() {
      const f = finding('g1', 'UnauthorizedAccess:EC2/TorClient', 8);
      const v1 = version(f, T0);
      const v2 = version(f, T0 + DAY, { lastSeen: v1.lastSeen, archived: true });
      const v3 = version(f, T0 + 2 * DAY, { lastSeen: v1.lastSeen, count: 2 });
      return { rows: [v1, v2, v3].map((v) => ingest(v, v.updatedAt + EXPORT_DELAY)), from: T0, to: T0 + 3 * DAY, phaseAt: v3.updatedAt };
    },
  },
  {
    name: 'Occurrence count crosses 100',
    describe: 'a Medium finding of the command-and-control rule re-exported every 6 hours with count growing by 10, from 5 to 115',
    expect: { alerts: 2, incidents: 1, sincePhase: 1 },
    build() {
      const f = finding('h1', 'Trojan:EC2/BlackholeTraffic', 5, { count: 5 });
      const versions = recurring(f, T0, 6 * HOUR, 12, (i) => ({ count: 5 + 10 * i }));
      return { rows: versions.map((v) => ingest(v, v.updatedAt + EXPORT_DELAY)), from: T0, to: T0 + 4 * DAY, phaseAt: versions[10].updatedAt };
    },
  },
  {
    name: 'Attack sequence',
    describe: 'AttackSequence:IAM/CompromisedCredentials (Critical) with its actor, endpoint and instance, re-exported twice as GuardDuty adds signals (same band)',
    expect: { alerts: 1, incidents: 1, sincePhase: 1 },
    build() {
      const f = finding('k1', 'AttackSequence:IAM/CompromisedCredentials', 9, { resourceType: 'AttackSequence', featureName: 'Correlation' });
      return { rows: recurring(f, T0, 6 * HOUR, 3).map((v) => ingest(v, v.updatedAt + EXPORT_DELAY)), from: T0, to: T0 + 2 * DAY, phaseAt: T0 - 1 };
    },
  },
];

/** Runs every scenario; returns [{name, summary, errors, result}]. */
export function runScenarios(parserBody) {
  const results = [];
  const drift = modelDrift(parserBody);
  results.push({ name: 'model', summary: 'the model matches the parser (AlertRule branches, version key and order, escalation)', errors: drift });
  for (const s of SCENARIOS) {
    const built = s.build();
    const { alerts, before } = runHourly(built.rows, built.from, built.to);
    const result = {
      alerts: alerts.length,
      incidents: incidentsOf(alerts),
      sincePhase: alerts.filter((a) => a.at > built.phaseAt).length,
      rules: [...new Set(alerts.map((a) => a.rule))],
      reasons: alerts.map((a) => a.reason),
      beforeAlerts: before.length,
      beforeIncidents: incidentsOf(before),
    };
    const errors = [];
    for (const [k, v] of Object.entries(s.expect)) {
      if (result[k] !== v) errors.push(`${k}: ${result[k]}, expected ${v} (alerts: ${JSON.stringify(alerts.map((a) => [a.rule, a.reason, new Date(a.at).toISOString()]))})`);
    }
    if (built.staysArchived) {
      const end = parserAt(built.rows, built.to);
      if (end.some((f) => f.id === built.staysArchived)) errors.push('the replay brought the archived finding back');
    }
    results.push({
      name: s.name,
      summary: `${result.alerts} alert(s), ${result.incidents} incident(s) [${result.rules.join(', ')}]; previous rules: ${result.beforeAlerts} alert(s), ${result.beforeIncidents} incident(s)`,
      errors,
      result,
      scenario: s,
    });
  }
  return results;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const body = readFileSync(new URL('../parser/GuardDutyFindings.kql', import.meta.url), 'utf8');
  const results = runScenarios(body);
  console.log('| Scenario | What arrives | Alerts | Of which from the re-exports, late rows or escalation | Incidents | Rule (reason) | Previous per-finding rules: alerts / incidents |');
  console.log('|---|---|---|---|---|---|---|');
  for (const r of results.filter((x) => x.scenario)) {
    const reasons = [...new Set(r.result.reasons)].join(', ');
    console.log(`| ${r.name} | ${r.scenario.describe} | ${r.result.alerts} | ${r.result.sincePhase} | ${r.result.incidents} | ${r.result.rules.join(', ') || '-'} (${reasons || '-'}) | ${r.result.beforeAlerts} / ${r.result.beforeIncidents} |`);
  }
  let failed = 0;
  for (const r of results) if (r.errors.length) { failed += 1; console.error(`FAIL ${r.name}\n  ${r.errors.join('\n  ')}`); }
  process.exit(failed ? 1 : 0);
}
