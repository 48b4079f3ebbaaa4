#!/usr/bin/env node
// Checks the monitoring files of deploy/monitoring/ against promtool and a running gd2sentinel:
//   a. the alert rules (gd2sentinel.rules.yaml): `promtool check rules`; every alert has a `for:`,
//      a severity (warning or critical), a summary, a description and a runbook_url naming a
//      heading of docs/deploy.md, whose table of alerts gives the same severity and for:;
//      `promtool test rules` on tests/gd2sentinel.rules.test.yaml, whose first test (a healthy
//      service) expects every alert silent and whose other tests make each alert fire;
//   b. a live scrape: the built gd2sentinel reads examples/ (files source) into the workspace
//      emulator's Logs Ingestion API, which answers 503 until told otherwise, so the run keeps
//      its records pending and its listener up; /metrics, once it shows the 503s, goes through
//      `promtool check metrics`, which must say nothing; then the fault is lifted and the run
//      must deliver what was pending and end with status 0;
//   c. names: every metric the rules and the dashboard's queries use is served (in the live
//      scrape, or for the SQS and GuardDuty API sources in docs/configuration.md's list; `up`
//      comes from Prometheus), and every family of the live scrape is in that list;
//   d. the Grafana dashboard (grafana-dashboard.json): a `datasource` variable and `job` and
//      `instance` variables, every panel and query on `${datasource}`, a unit on every panel,
//      unique ids, no two panels overlapping, and the findings by outcome, latency, retries, HTTP
//      statuses, queue fill and memory among its queries;
// then breaks in-memory copies (a rule on a metric that does not exist, an alert whose `for:`
// its unit test no longer matches, a misspelt dashboard metric, …) and asserts that the checks
// notice, so that they cannot pass vacuously.
//
//   GD2SENTINEL_BIN=build/dev/src/gd2sentinel \
//   WORKSPACE_EMULATOR=build/dev/tools/workspace-emulator/workspace-emulator \
//   PROMTOOL=promtool node deploy/tests/monitoring_test.mjs
//
// Prints PASS/FAIL per check and ends with "monitoring: N checks passed[, M failed]"; exits 1 on
// any failure.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import YAML from 'yaml';
import { check, mustFail, finish } from './checks.mjs';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const MONITORING = path.join(ROOT, 'deploy', 'monitoring');
const RULES = path.join(MONITORING, 'gd2sentinel.rules.yaml');
const RULE_TESTS = path.join(MONITORING, 'tests', 'gd2sentinel.rules.test.yaml');
const DASHBOARD = path.join(MONITORING, 'grafana-dashboard.json');
const DEPLOY_DOC = path.join(ROOT, 'docs', 'deploy.md');
const CONFIG_DOC = path.join(ROOT, 'docs', 'configuration.md');
const EMULATOR_CONFIG = path.join(ROOT, 'tools', 'workspace-emulator', 'config', 'guardduty-native.json');
const BIN = process.env.GD2SENTINEL_BIN ? path.resolve(process.env.GD2SENTINEL_BIN) : '';
const EMULATOR = process.env.WORKSPACE_EMULATOR ? path.resolve(process.env.WORKSPACE_EMULATOR) : '';
const PROMTOOL = process.env.PROMTOOL || 'promtool';

const tmp = mkdtempSync(path.join(os.tmpdir(), 'gd2s-monitoring-'));
const children = [];
process.on('exit', () => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  rmSync(tmp, { recursive: true, force: true });
});

// ---- promtool -------------------------------------------------------------------------------------
// Runs promtool; its complaints, or none when it exited 0.
function promtool(args, input) {
  const run = spawnSync(PROMTOOL, args, { input, encoding: 'utf8' });
  if (run.error) return [`${PROMTOOL}: ${run.error.message} (install Debian's prometheus package: scripts/setup)`];
  if (run.status === 0) return [];
  return [`promtool ${args.join(' ')} exited ${run.status ?? run.signal}:`,
    ...`${run.stdout}${run.stderr}`.trim().split('\n')];
}

// ---- PromQL: the metric names an expression selects -----------------------------------------------
const PROMQL_WORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on',
  'ignoring', 'group_left', 'group_right', 'inf', 'nan']);
function metricNames(expr) {
  const text = expr
    .replace(/\$__\w+|\$\{?\w+\}?/g, 'x')                   // Grafana's variables
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')                    // label values
    .replace(/\{[^}]*\}/g, ' ')                             // label matchers
    .replace(/\[[^\]]*\]/g, ' ')                            // ranges
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set();
  for (const m of text.matchAll(/(?<![\w:.])([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    if (m[2] || PROMQL_WORDS.has(m[1].toLowerCase())) continue;  // a function, or a keyword
    names.add(m[1]);
  }
  return names;
}

// ---- docs/configuration.md: the documented metric families ----------------------------------------
// Its [metrics] table names families in backticks, a shared prefix written once:
// "`gd2sentinel_sink_requests_total`, `_retries_total`" is gd2sentinel_sink_retries_total.
function documentedFamilies(markdown) {
  const names = new Set();
  for (const line of markdown.split('\n')) {
    const cell = line.match(/^\| (`(?:gd2sentinel|process)_[^|]*)\|/);
    if (!cell) continue;
    let base = null;
    for (const [, name] of cell[1].matchAll(/`([a-z0-9_:]+)`/g)) {
      if (name.startsWith('_') && base) names.add(base.split('_').slice(0, 2).join('_') + name);
      else if (!name.startsWith('_')) { names.add(name); base = name; }
    }
  }
  return names;
}

// ---- docs/deploy.md: heading anchors as GitHub makes them -----------------------------------------
function anchors(markdown) {
  const set = new Set();
  for (const [, heading] of markdown.matchAll(/^#{1,6}\s+(.+)$/gm))
    set.add(heading.trim().toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-'));
  return set;
}

// ---- the rules -------------------------------------------------------------------------------------
const alertsOf = (rules) => (rules.groups || []).flatMap((g) => g.rules || []).filter((r) => r.alert);

function ruleShapeErrors(rules, docAnchors) {
  const errors = [];
  const alerts = alertsOf(rules);
  if (alerts.length === 0) errors.push('no alert rules');
  for (const r of alerts) {
    if (!/^\d+[smh]$/.test(String(r.for || ''))) errors.push(`${r.alert}: no for:`);
    if (!['warning', 'critical'].includes(r.labels?.severity)) errors.push(`${r.alert}: severity ${r.labels?.severity}`);
    for (const key of ['summary', 'description', 'runbook_url'])
      if (!r.annotations?.[key]) errors.push(`${r.alert}: no ${key} annotation`);
    const url = r.annotations?.runbook_url || '';
    const m = url.match(/^docs\/deploy\.md#(.+)$/);
    if (!m) errors.push(`${r.alert}: runbook_url ${url} is not docs/deploy.md#…`);
    else if (!docAnchors.has(m[1])) errors.push(`${r.alert}: docs/deploy.md has no heading #${m[1]}`);
  }
  return errors;
}

// docs/deploy.md's table of alerts gives each alert's severity and for: as the rules do.
function alertTableErrors(rules, markdown) {
  const errors = [];
  for (const r of alertsOf(rules)) {
    const row = markdown.split('\n').find((l) => l.startsWith(`| [${r.alert}](`));
    const cells = row ? row.split(' | ').map((c) => c.trim()) : [];
    if (!row) errors.push(`docs/deploy.md's table of alerts has no row for ${r.alert}`);
    else if (cells[1] !== r.labels?.severity || cells[cells.length - 1] !== `${r.for} |`)
      errors.push(`docs/deploy.md says ${r.alert} is ${cells[1]} after ${cells[cells.length - 1]}; the rule: ${r.labels?.severity} after ${r.for}`);
  }
  return errors;
}

// Every alert is silent in the first (healthy) test and fires in another.
function ruleTestCoverageErrors(rules, tests) {
  const errors = [];
  const healthy = new Set();
  const fires = new Set();
  (tests.tests || []).forEach((t, i) => {
    for (const a of t.alert_rule_test || []) {
      if (i === 0 && (a.exp_alerts || []).length === 0) healthy.add(a.alertname);
      if (i === 0 && (a.exp_alerts || []).length > 0) errors.push(`the healthy test expects ${a.alertname} to fire`);
      if ((a.exp_alerts || []).length > 0) fires.add(a.alertname);
    }
  });
  for (const { alert } of alertsOf(rules)) {
    if (!healthy.has(alert)) errors.push(`the healthy test does not check that ${alert} stays silent`);
    if (!fires.has(alert)) errors.push(`no test makes ${alert} fire`);
  }
  return errors;
}

function promtoolTestRules(rulesText, testsDoc) {
  const dir = mkdtempSync(path.join(tmp, 'rules-'));
  writeFileSync(path.join(dir, 'rules.yaml'), rulesText);
  writeFileSync(path.join(dir, 'tests.yaml'), YAML.stringify({ ...testsDoc, rule_files: ['rules.yaml'] }));
  return promtool(['test', 'rules', path.join(dir, 'tests.yaml')]);
}

// ---- the dashboard ---------------------------------------------------------------------------------
const panelsOf = (dash) => (dash.panels || []).flatMap((p) => [p, ...(p.panels || [])]);
const queriesOf = (dash) => [
  ...panelsOf(dash).flatMap((p) => (p.targets || []).map((t) => ({ where: `panel "${p.title}"`, expr: t.expr || '' }))),
  ...(dash.templating?.list || []).filter((v) => v.type === 'query')
    .map((v) => ({ where: `variable ${v.name}`, expr: String(v.query?.query ?? v.query ?? '').replace(/^label_values\((.*),\s*\w+\)$/, '$1') })),
];
const DATASOURCE = '${datasource}';
const MUST_SHOW = ['gd2sentinel_records_read_total', 'gd2sentinel_records_sent_total',
  'gd2sentinel_records_filtered_total', 'gd2sentinel_records_deduplicated_total',
  'gd2sentinel_records_dead_lettered_total', 'gd2sentinel_records_pending',
  'gd2sentinel_checkpoint_lag_seconds', 'gd2sentinel_last_success_timestamp_seconds',
  'gd2sentinel_sink_retries_total', 'gd2sentinel_sink_http_responses_total',
  'gd2sentinel_queue_bytes', 'gd2sentinel_queue_capacity_bytes', 'process_resident_memory_bytes'];

function dashboardErrors(dash) {
  const errors = [];
  const vars = Object.fromEntries((dash.templating?.list || []).map((v) => [v.name, v]));
  if (vars.datasource?.type !== 'datasource' || vars.datasource?.query !== 'prometheus')
    errors.push('no datasource variable of type datasource for prometheus');
  for (const name of ['job', 'instance'])
    if (vars[name]?.type !== 'query' || vars[name]?.datasource?.uid !== DATASOURCE) errors.push(`no ${name} query variable on ${DATASOURCE}`);
  const ids = new Set();
  for (const p of panelsOf(dash)) {
    if (ids.has(p.id)) errors.push(`panel id ${p.id} is used twice`);
    ids.add(p.id);
    const g = p.gridPos || {};
    if (!(g.w > 0 && g.h > 0 && g.x >= 0 && g.x + g.w <= 24 && g.y >= 0)) errors.push(`panel "${p.title}": gridPos ${JSON.stringify(g)}`);
    if (p.type === 'row') continue;
    if (p.datasource?.uid !== DATASOURCE) errors.push(`panel "${p.title}": datasource is not ${DATASOURCE}`);
    if (!p.fieldConfig?.defaults?.unit) errors.push(`panel "${p.title}": no unit`);
    if (!(p.targets || []).length) errors.push(`panel "${p.title}": no query`);
    for (const t of p.targets || []) {
      if (t.datasource?.uid !== DATASOURCE) errors.push(`panel "${p.title}" query ${t.refId}: datasource is not ${DATASOURCE}`);
      if (!/job=~"\$job"/.test(t.expr) || !/instance=~"\$instance"/.test(t.expr))
        errors.push(`panel "${p.title}" query ${t.refId}: not filtered by $job and $instance`);
    }
  }
  const top = (dash.panels || []).map((p) => ({ title: p.title, ...p.gridPos }));
  top.forEach((a, i) => top.slice(i + 1).forEach((b) => {
    if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h)
      errors.push(`panels "${a.title}" and "${b.title}" overlap`);
  }));
  const used = new Set(queriesOf(dash).flatMap((q) => [...metricNames(q.expr)]));
  for (const name of MUST_SHOW) if (!used.has(name)) errors.push(`no panel shows ${name}`);
  return errors;
}

// Names used by the rules' expressions and the dashboard's queries that nothing serves.
function unservedErrors(rules, dash, served) {
  const errors = [];
  for (const r of alertsOf(rules))
    for (const name of metricNames(r.expr)) if (!served.has(name)) errors.push(`alert ${r.alert} uses ${name}, which is not served`);
  for (const q of queriesOf(dash))
    for (const name of metricNames(q.expr)) if (!served.has(name)) errors.push(`${q.where} uses ${name}, which is not served`);
  return errors;
}

// ---- a live gd2sentinel ------------------------------------------------------------------------------
// Resolves with the first line of `stream` (of `child`) that matches `pattern`; rejects when the
// child cannot start or ends first, or after `ms`.
function waitForLine(child, stream, pattern, ms, what) {
  return new Promise((resolve, reject) => {
    const lines = readline.createInterface({ input: stream });
    const fail = (why) => { clearTimeout(timer); lines.close(); reject(new Error(`no ${what}: ${why}`)); };
    const timer = setTimeout(() => fail(`not within ${ms} ms`), ms);
    child.on('error', (error) => fail(error.message));
    child.on('exit', (code, signal) => fail(`it ended with ${code ?? signal}`));
    lines.on('line', (line) => {
      const m = line.match(pattern);
      if (m) { clearTimeout(timer); lines.removeAllListeners('line'); child.removeAllListeners('exit'); resolve(m); }
    });
  });
}
// Polls `probe` (async, returns a value or null) until it returns a value, or throws after `ms`.
async function poll(probe, ms, what) {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const sample = (text, series) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? null : Number(line.slice(series.length + 1));
};
const exited = (child) => new Promise((resolve) => {
  if (child.exitCode !== null || child.signalCode !== null) resolve(child.exitCode ?? child.signalCode);
  else child.on('exit', (code, signal) => resolve(code ?? signal));
});

// Returns { text, errors }: the /metrics text taken while records are pending, and what went wrong.
async function liveScrape() {
  if (!BIN) return { text: '', errors: ['GD2SENTINEL_BIN is not set (the built gd2sentinel binary)'] };
  if (!EMULATOR) return { text: '', errors: ['WORKSPACE_EMULATOR is not set (the built workspace-emulator)'] };
  const errors = [];
  const emulatorConfig = JSON.parse(readFileSync(EMULATOR_CONFIG, 'utf8'));
  emulatorConfig.faults = [{ endpoint: 'logs_ingestion', status: 503 }];
  writeFileSync(path.join(tmp, 'emulator.json'), JSON.stringify(emulatorConfig));
  const emulator = spawn(EMULATOR, ['--config', path.join(tmp, 'emulator.json'),
    '--ca-out', path.join(tmp, 'ca.pem'), '--exit-with-stdin'], { stdio: ['pipe', 'pipe', 'inherit'] });
  children.push(emulator);
  let ready;
  try {
    [ready] = await waitForLine(emulator, emulator.stdout, /^\{.*"url".*\}$/, 30000, 'emulator ready line');
  } catch (error) {
    return { text: '', errors: [`workspace-emulator ${EMULATOR}: ${error.message}`] };
  }
  const { url, http_url: admin } = JSON.parse(ready);
  const app = emulatorConfig.tenants[0].applications[0];

  const config = path.join(tmp, 'gd2sentinel.toml');
  writeFileSync(config, [
    '[source.files]', `paths = ["${path.join(ROOT, 'examples', 'AWSLogs')}"]`,
    '[transform]', 'schema = "native"',
    '[sink.logs_ingestion]', `endpoint = "${url}"`,
    `dcr_immutable_id = "${emulatorConfig.dcrs[0].immutable_id}"`, 'stream = "Custom-GuardDutyFinding"',
    'max_retry_delay = "1s"',
    '[azure]', 'auth = "client_secret"', `tenant_id = "${emulatorConfig.tenants[0].id}"`,
    `client_id = "${app.client_id}"`, 'client_secret = "env:GD2S_MONITORING_SECRET"', `authority_host = "${url}"`,
    '[http]', `ca_file = "${path.join(tmp, 'ca.pem')}"`,
    '[dead_letter]', `path = "${path.join(tmp, 'dead-letters.jsonl')}"`,
    '[state]', `path = "${path.join(tmp, 'state.db')}"`,
    '[metrics]', 'listen = "127.0.0.1:0"',
    '',
  ].join('\n'), { mode: 0o600 });
  const run = spawn(BIN, ['run', '--config', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { PATH: process.env.PATH, HOME: tmp, GD2S_MONITORING_SECRET: app.secret },
  });
  children.push(run);
  let log = '';
  run.stderr.on('data', (d) => { log += d; });
  try {
    const [, base] = await waitForLine(run, run.stderr, /metrics: serving (http:\/\/127\.0\.0\.1:\d+)\/metrics/, 30000, 'metrics listener log line');
    const labels = '{source="files",sink="logs_ingestion"}';
    // Records wait, the sink has had its 503s, and the counters agree: every record read is
    // pending or settled without the sink (the queues are empty: reading is done).
    const text = await poll(async () => {
      const body = await (await fetch(`${base}/metrics`)).text();
      const value = (name) => sample(body, `gd2sentinel_records_${name}${labels}`);
      const pending = value('pending');
      const settled = value('filtered_total') + value('deduplicated_total') + value('dead_lettered_total');
      const queued = sample(body, 'gd2sentinel_queue_bytes{queue="records"}') + sample(body, 'gd2sentinel_queue_bytes{queue="rows"}');
      const refused = sample(body, 'gd2sentinel_sink_http_responses_total{sink="logs_ingestion",code="503"}');
      return pending > 0 && value('read_total') === pending + settled && value('sent_total') === 0 &&
        queued === 0 && refused >= 2 ? body : null;
    }, 30000, 'a scrape with pending records and the sink\'s 503s');
    const health = await fetch(`${base}/healthz`);
    if (health.status !== 200) errors.push(`/healthz answered ${health.status}`);
    // The workspace accepts again: the run delivers what was pending and ends by itself.
    const cleared = await fetch(`${admin}/_emulator/faults`, { method: 'DELETE' });
    if (!cleared.ok) errors.push(`DELETE /_emulator/faults answered ${cleared.status}`);
    const status = await Promise.race([exited(run),
      new Promise((resolve) => setTimeout(() => resolve('still running after 60 s'), 60000))]);
    if (status !== 0) errors.push(`gd2sentinel run ended with ${status} once the workspace accepted: ${log.slice(-2000)}`);
    const tables = await (await fetch(`${admin}/_emulator/tables`)).json();
    const pending = sample(text, `gd2sentinel_records_pending${labels}`);
    if (tables.AWSGuardDuty !== pending)
      errors.push(`the workspace holds ${JSON.stringify(tables)} rows, not the ${pending} records the scrape said were pending`);
    emulator.stdin.end();
    await exited(emulator);
    return { text, errors };
  } catch (error) {
    return { text: '', errors: [...errors, error.message, log.slice(-2000)] };
  }
}

// ---- the checks ------------------------------------------------------------------------------------
const rulesText = readFileSync(RULES, 'utf8');
const rules = YAML.parse(rulesText);
const ruleTests = YAML.parse(readFileSync(RULE_TESTS, 'utf8'));
const dashboard = JSON.parse(readFileSync(DASHBOARD, 'utf8'));
const deployDoc = readFileSync(DEPLOY_DOC, 'utf8');
const docAnchors = anchors(deployDoc);
const documented = documentedFamilies(readFileSync(CONFIG_DOC, 'utf8'));

check('promtool check rules', promtool(['check', 'rules', RULES]));
check('every alert has for:, severity, summary, description and a runbook in docs/deploy.md', ruleShapeErrors(rules, docAnchors));
check('docs/deploy.md\'s table of alerts: each alert with its severity and for:', alertTableErrors(rules, deployDoc));
check('promtool test rules (tests/gd2sentinel.rules.test.yaml)', promtool(['test', 'rules', RULE_TESTS]));
check('every alert silent on the healthy series and made to fire by a test', ruleTestCoverageErrors(rules, ruleTests));
check('the dashboard: variables, datasource, units, ids, what it shows', dashboardErrors(dashboard));

const { text: scrape, errors: liveErrors } = await liveScrape();
check('a live gd2sentinel: scraped while records wait, then delivers them and ends', liveErrors);
check('promtool check metrics on the live scrape says nothing', scrape ? (() => {
  const run = spawnSync(PROMTOOL, ['check', 'metrics'], { input: scrape, encoding: 'utf8' });
  const said = `${run.stdout || ''}${run.stderr || ''}`.trim();
  return run.status === 0 && !said ? [] : [`exit ${run.status}: ${said || run.error?.message}`];
})() : ['no scrape']);
const scraped = new Set([...scrape.matchAll(/^# TYPE (\S+) /gm)].map((m) => m[1]));
check('the live scrape has every family docs/configuration.md lists, but the SQS and GuardDuty API sources\'', !scrape ? ['no scrape'] : [
  ...[...documented].filter((n) => !scraped.has(n) && !/^gd2sentinel_(sqs|guardduty)_/.test(n)).map((n) => `${n} is documented, not served`),
  ...[...scraped].filter((n) => !documented.has(n)).map((n) => `${n} is served, not documented`),
]);
const served = new Set([...scraped, ...documented, 'up']);
check('every metric the rules and the dashboard use is served', unservedErrors(rules, dashboard, served));

// ---- broken copies ----------------------------------------------------------------------------------
{
  const broken = structuredClone(rules);
  alertsOf(broken)[0].expr = 'increase(gd2sentinel_records_shipped_total[5m]) > 0';
  mustFail('an alert on a metric nobody serves', unservedErrors(broken, dashboard, served));
}
{
  const broken = structuredClone(dashboard);
  panelsOf(broken).find((p) => p.targets?.length).targets[0].expr = 'rate(gd2sentinel_record_sent_total{job=~"$job", instance=~"$instance"}[5m])';
  mustFail('a misspelt metric in a dashboard query', unservedErrors(rules, broken, served));
}
{
  const broken = structuredClone(dashboard);
  const panel = panelsOf(broken).find((p) => p.type === 'timeseries');
  delete panel.fieldConfig.defaults.unit;
  panel.targets[0].datasource = { type: 'prometheus', uid: 'prometheus-prod' };
  broken.templating.list = broken.templating.list.filter((v) => v.name !== 'instance');
  const errors = dashboardErrors(broken);
  mustFail('a panel without a unit', errors.filter((e) => e.endsWith('no unit')));
  mustFail('a query on a fixed datasource', errors.filter((e) => e.includes('datasource is not')));
  mustFail('no instance variable', errors.filter((e) => e.startsWith('no instance')));
  broken.panels[2].gridPos = { ...broken.panels[1].gridPos };
  mustFail('two panels in one place', dashboardErrors(broken).filter((e) => e.endsWith('overlap')));
}
{
  const broken = structuredClone(rules);
  const alert = alertsOf(broken).find((r) => r.alert === 'Gd2sentinelNotShipping');
  delete alert.annotations.runbook_url;
  alertsOf(broken).find((r) => r.alert === 'Gd2sentinelDeadLetters').annotations.runbook_url = 'docs/deploy.md#no-such-section';
  delete alertsOf(broken).find((r) => r.alert === 'Gd2sentinelQueueStuck').for;
  const errors = ruleShapeErrors(broken, docAnchors);
  mustFail('an alert without a runbook', errors.filter((e) => e.startsWith('Gd2sentinelNotShipping')));
  mustFail('a runbook anchor docs/deploy.md lacks', errors.filter((e) => e.startsWith('Gd2sentinelDeadLetters')));
  mustFail('an alert without for:', errors.filter((e) => e.startsWith('Gd2sentinelQueueStuck')));
  alertsOf(broken).find((r) => r.alert === 'Gd2sentinelCheckpointLagHigh').for = '20m';
  mustFail('a for: the table of alerts does not say', alertTableErrors(broken, deployDoc));
}
{
  // The unit tests pin each alert's timing: a NotShipping that waits 30 minutes fails them.
  mustFail('an alert slower than its unit test', promtoolTestRules(
    rulesText.replace(/(alert: Gd2sentinelNotShipping[\s\S]*?for: )10m/, '$130m'), ruleTests));
  // … and its condition: one that ignores pending records fires on the quiet instance.
  mustFail('an alert that fires on a healthy series', promtoolTestRules(
    rulesText.replace('gd2sentinel_records_pending > 0\n          and\n', ''), ruleTests));
  const untested = structuredClone(ruleTests);
  untested.tests = untested.tests.filter((t) => !(t.alert_rule_test || []).some((a) => a.alertname === 'Gd2sentinelMemoryHigh' && a.exp_alerts?.length));
  mustFail('an alert no test makes fire', ruleTestCoverageErrors(rules, untested));
}

finish('monitoring');
