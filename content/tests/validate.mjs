#!/usr/bin/env node
// Validates the gd2sentinel Sentinel content (content/): compiles every query with Kusto.Language
// against the table schemas and the GuardDutyFindings function, and checks the Azure-Sentinel format
// of the analytics rules and hunting queries, the workbook and the parser's ARM definition.
// It checks the alerting structure of the GuardDuty rules (one owner per finding, new/escalated flags;
// lib/alerting.mjs) and runs the scenario model behind the README's scenario table (scenarios.mjs).
// Then it runs the same checks on the deliberately broken files in tests/negative/ and asserts that
// each of them FAILS for the expected reason, so a validator that passes everything cannot go unnoticed.
//
//   node content/tests/validate.mjs            (schemas from tests/fixtures/)
//   GD2SENTINEL_BIN=build/gd2sentinel node content/tests/validate.mjs   (schemas from the binary)
//
// Prints one line per checked item and ends with "N passed, N failed"; exits 1 on any failure.
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { compile, functionSymbol, globalsWith, tableSymbol } from './lib/kql.mjs';
import { fixtureDrift, loadSchemas } from './lib/schemas.mjs';
import { checkHunting, checkRule } from './lib/sentinel.mjs';
import {
  FUNCTION_NAME, checkArm, checkMitreLiterals, checkParserColumns, checkSeverityBands, readParser,
} from './lib/parser.mjs';
import { inspectWorkbook, walkItems } from './lib/workbook.mjs';
import { alertRuleOwners, checkAlertingStructure, checkOwnerCoverage } from './lib/alerting.mjs';
import { runScenarios } from './scenarios.mjs';

const TESTS = path.dirname(new URL(import.meta.url).pathname);
const CONTENT = path.resolve(TESTS, '..');
const rel = (f) => path.relative(CONTENT, f);

let passed = 0;
let failed = 0;
function report(ok, item, errors = []) {
  if (ok) passed += 1; else failed += 1;
  console.log(`${ok ? 'PASS' : 'FAIL'} ${item}`);
  if (!ok) for (const e of errors) console.log(`       ${e}`);
}

function listFiles(dir, exts) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).filter((f) => exts.some((e) => f.endsWith(e))).sort().map((f) => path.join(dir, f));
}

// ---- symbols: tables, the parser, Sentinel workspace functions --------------------------------------
const parserFile = path.join(CONTENT, 'parser', 'GuardDutyFindings.kql');
let schemas;
try {
  schemas = loadSchemas();
  report(true, `schemas: ${schemas.schemas.map((s) => `${s.table} (${s.columns.length} columns)`).join(', ')} from ${schemas.source}`);
} catch (e) {
  report(false, 'schemas', [e.message]);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(1);
}
if (process.env.GD2SENTINEL_BIN) {
  // Not a failure: the fixture is only the fallback for runs without the binary. Keep it in step.
  for (const note of fixtureDrift(schemas.schemas)) console.log(`NOTE tests/fixtures/gd2sentinel-schemas.json differs from the binary: ${note}`);
}
const tables = schemas.schemas.map((s) => tableSymbol(s.table, s.columns));
const parser = readParser(parserFile);
const sentinelFunctions = [
  // Sentinel's watchlist accessor (a workspace function, unknown to Kusto.Language's defaults).
  functionSymbol('_GetWatchlist', '(watchlistAlias:string)',
    '{ datatable(SearchKey:string, WatchlistItem:dynamic, _DTItemId:string, LastUpdatedTimeUTC:datetime)[] }'),
];
const parserSymbol = functionSymbol(FUNCTION_NAME, `(${parser.params})`, `{\n${parser.body}\n}`);
const globals = globalsWith([...tables, ...sentinelFunctions, parserSymbol]);

// ---- checkers, shared by the real content and the negative cases ------------------------------------
// Each returns [{aspect, errors}].
function checkKqlText(text) {
  const r = compile(text, globals);
  return [{ aspect: 'kql', errors: r.errors }];
}

function loadYaml(file) {
  const doc = YAML.parseDocument(readFileSync(file, 'utf8'), { uniqueKeys: true });
  if (doc.errors.length) return { errors: doc.errors.map((e) => `YAML: ${e.message}`) };
  return { value: doc.toJS() };
}

function checkYaml(file, formatCheck) {
  const y = loadYaml(file);
  if (y.errors) return [{ aspect: 'yaml', errors: y.errors }];
  const query = y.value && typeof y.value.query === 'string' ? y.value.query : '';
  const r = compile(query, globals);
  return [
    { aspect: 'kql', errors: query ? r.errors : ['no query'] },
    { aspect: 'format', errors: formatCheck(y.value, r.errors.length ? null : r.columns) },
  ];
}

// The parser's AlertRule values: each must be owned by exactly one per-finding rule (issue 17).
const owners = alertRuleOwners(parser.body);
const claimedOwners = new Map();   // owner -> file, filled by the real rules, checked for the negative cases
function checkRuleFile(file) {
  const results = checkYaml(file, checkRule);
  const y = loadYaml(file);
  if (y.errors) return results;
  const { errors, owner } = checkAlertingStructure(y.value, owners);
  if (owner && claimedOwners.has(owner) && claimedOwners.get(owner) !== rel(file)) {
    errors.push(`AlertRule "${owner}" is already claimed by ${claimedOwners.get(owner)}: one finding would raise two incidents`);
  }
  return results.concat([{ aspect: 'alerting', errors }]);
}
const checkHuntingFile = (file) => checkYaml(file, checkHunting);

function checkWorkbookFile(file, requirements = null) {
  let wb;
  try { wb = JSON.parse(readFileSync(file, 'utf8')); } catch (e) { return [{ aspect: 'json', errors: [e.message] }]; }
  const { errors, queries } = inspectWorkbook(wb);
  const out = [{ aspect: 'structure', errors }];
  for (const q of queries) {
    const e = q.unknown.map((n) => `unknown workbook parameter {${n}}`);
    out.push({ aspect: `kql ${q.where} "${q.title}"`, errors: e.concat(compile(q.text, globals).errors) });
  }
  if (requirements) out.push({ aspect: 'requirements', errors: requirements(wb, queries) });
  return out;
}

// Issue 8 item 4: what the GuardDuty workbook must contain.
function guardDutyWorkbookRequirements(wb, queries) {
  const errors = [];
  const texts = queries.map((q) => q.text);
  const json = JSON.stringify(wb);
  const classic = 'AWSGuardDuty_CL | where Severity > 2 | project TimeGenerated, Severity, type_s, title_s, resource_resourceType_s, service_resourceRole_s | limit 20';
  if (!texts.some((t) => t.includes(classic))) errors.push('the classic legacy query is not a panel');
  // Issue 17 item 7: the seed query both ways; the legacy group only where AWSGuardDuty_CL exists.
  if (!texts.some((t) => /^AWSGuardDuty \| where Severity > 2 \| project TimeGenerated, Severity, ActivityType, Title,/.test(t))) {
    errors.push('the classic query has no native (AWSGuardDuty) panel');
  }
  const legacyGroup = walkItems(wb.items).map((x) => x.item).find((it) => it.type === 12
    && (it.content.items || []).some((p) => p.type === 3 && p.content.query === classic));
  const cv = legacyGroup && legacyGroup.conditionalVisibility;
  const param = walkItems(wb.items).flatMap((x) => (x.item.type === 9 ? x.item.content.parameters : [])).find((pp) => cv && pp.name === cv.parameterName);
  if (!cv || cv.comparison !== 'isEqualTo' || !param || !/union isfuzzy=true/.test(param.query || '') || !/AWSGuardDuty_CL/.test(param.query || '')) {
    errors.push('the legacy group must be shown only when AWSGuardDuty_CL exists (conditionalVisibility on a parameter whose query checks the table with union isfuzzy=true)');
  }
  if (!texts.some((t) => /ingestion_time\(\)\s*-\s*TimeGenerated/.test(t))) errors.push('no ingestion-delay panel (ingestion_time() - TimeGenerated)');
  if (!texts.some((t) => t.includes('ConsoleLink'))) errors.push('no panel with console links');
  if (!json.includes('"visualization":"map"')) errors.push('no map panel');
  if (!json.includes('"visualization":"tiles"')) errors.push('no severity tiles');
  const params = queries.length ? json : '';
  for (const p of ['TimeRange', 'Accounts', 'Regions', 'Severities']) {
    if (!params.includes(`"name":"${p}"`)) errors.push(`parameter ${p} missing`);
  }
  return errors;
}

function checkByName(file) {
  const base = path.basename(file);
  if (base.startsWith('rule-')) return checkRuleFile(file);
  if (base.startsWith('hunting-')) return checkHuntingFile(file);
  if (base.startsWith('workbook-')) return checkWorkbookFile(file);
  if (base.startsWith('query-')) return checkKqlText(readFileSync(file, 'utf8'));
  if (base.startsWith('parser-')) {
    // a broken variant of the parser: its MITRE table and severity bands
    const body = readFileSync(file, 'utf8');
    return [{ aspect: 'mitre', errors: checkMitreLiterals(body) }, { aspect: 'severity', errors: checkSeverityBands(body) }];
  }
  return [{ aspect: 'name', errors: [`cannot tell what ${base} is: name it rule-, hunting-, workbook-, query- or parser-`] }];
}

function reportAll(item, results) {
  for (const r of results) report(r.errors.length === 0, `${item}: ${r.aspect}`, r.errors);
}

// ---- the parser ------------------------------------------------------------------------------------
{
  const item = rel(parserFile);
  const r = compile(`let __parser = (${parser.params}) {\n${parser.body}\n};\n__parser()`, globals);
  report(r.errors.length === 0, `${item}: kql`, r.errors);
  const call = compile(`${FUNCTION_NAME}()`, globals);
  report(call.errors.length === 0, `${item}: callable as ${FUNCTION_NAME}()`, call.errors);
  report(true, `${item}: output has ${call.columns ? call.columns.length : 0} columns`);
  const colErrors = checkParserColumns(call.columns);
  report(colErrors.length === 0, `${item}: output column contract`, colErrors);
  const withArgs = compile(`${FUNCTION_NAME}(true, true) | take 1`, globals);
  report(withArgs.errors.length === 0, `${item}: parameters IncludeSample, IncludeArchived`, withArgs.errors);
  const mitre = checkMitreLiterals(parser.body);
  report(mitre.length === 0, `${item}: MITRE tactic/technique table`, mitre);
  const bands = checkSeverityBands(parser.body);
  report(bands.length === 0, `${item}: severity bands at 1, 3.9, 4, 6.9, 7, 8.9, 9, 10`, bands);
  const armFile = path.join(CONTENT, 'parser', 'GuardDutyFindings.json');
  const arm = existsSync(armFile) ? checkArm(readFileSync(armFile, 'utf8'), parser) : ['missing'];
  report(arm.length === 0, `${rel(armFile)}: deploys ${item} as function ${FUNCTION_NAME}`, arm);
}

// ---- analytics rules, hunting queries, workbooks ---------------------------------------------------
const ids = new Map();
function recordId(file) {
  const y = loadYaml(file);
  const id = y.value && String(y.value.id).toLowerCase();
  if (!id) return;
  if (ids.has(id)) report(false, `${rel(file)}: id unique`, [`id ${id} also used by ${ids.get(id)}`]);
  else ids.set(id, rel(file));
}

const rules = listFiles(path.join(CONTENT, 'analytics'), ['.yaml', '.yml']);
const hunting = listFiles(path.join(CONTENT, 'hunting'), ['.yaml', '.yml']);
const workbooks = listFiles(path.join(CONTENT, 'workbooks'), ['.json']);
const ruleOwners = [];
for (const f of rules) {
  const y = loadYaml(f);
  const { owner } = y.errors ? { owner: null } : checkAlertingStructure(y.value, owners);
  ruleOwners.push({ file: rel(f), stem: path.basename(f).replace(/\.ya?ml$/, ''), owner });
  if (owner && !claimedOwners.has(owner)) claimedOwners.set(owner, rel(f));
}
for (const f of rules) { reportAll(rel(f), checkRuleFile(f)); recordId(f); }
{
  const errors = owners.length ? checkOwnerCoverage(owners, ruleOwners) : ['no AlertRule = case(...) found in the parser'];
  report(errors.length === 0, `analytics: each of the parser's ${owners.length} AlertRule values has exactly one rule (${owners.join(', ')})`, errors);
}
for (const f of hunting) { reportAll(rel(f), checkHuntingFile(f)); recordId(f); }
for (const f of workbooks) {
  const req = path.basename(f) === 'GuardDuty.json' ? guardDutyWorkbookRequirements : null;
  reportAll(rel(f), checkWorkbookFile(f, req));
}
report(rules.length >= 12, `analytics: ${rules.length} rules (at least 12)`);
report(hunting.length >= 8, `hunting: ${hunting.length} queries (at least 8)`);
report(workbooks.some((f) => path.basename(f) === 'GuardDuty.json'), 'workbooks: GuardDuty.json present');
report(ids.size === rules.length + hunting.length, `ids: ${ids.size} unique GUIDs`);

// Issue 17 item 5: attack-sequence alerts carry the sequence's actor, endpoints and resources as entities.
{
  const f = rules.find((x) => path.basename(x) === 'GuardDuty_AttackSequence.yaml');
  const y = f ? loadYaml(f) : { errors: ['missing'] };
  const errors = [];
  if (y.errors) errors.push(...y.errors);
  else {
    const cols = (y.value.entityMappings || []).flatMap((m) => m.fieldMappings.map((fm) => `${m.entityType}.${fm.identifier}=${fm.columnName}`));
    for (const want of ['Account.Name=AccountName', 'Account.UPNSuffix=AccountUPNSuffix', 'IP.Address=EndpointIp', 'Host.HostName=HostName']) {
      if (!cols.includes(want)) errors.push(`entity mapping ${want} missing`);
    }
    for (const want of ['SequenceActors', 'SequenceEndpoints', 'SequenceResources']) {
      if (!Object.values(y.value.customDetails || {}).includes(want)) errors.push(`custom detail ${want} missing`);
    }
  }
  // the parser fills those columns from service.detection.sequence on both legs
  for (const want of ['_S.detection.sequence.actors', '_S.detection.sequence.endpoints', '_S.detection.sequence.resources',
    'service_detection_sequence_actors_s', 'service_detection_sequence_endpoints_s', 'service_detection_sequence_resources_s']) {
    if (!parser.body.includes(want)) errors.push(`the parser does not read ${want}`);
  }
  report(errors.length === 0, 'analytics/GuardDuty_AttackSequence.yaml: entities from the sequence\'s actors, endpoints and resources', errors);
}

// ---- scenarios: alerts and incidents of the README's scenario table, from a model of the parser -------
for (const r of runScenarios(parser.body)) report(r.errors.length === 0, `scenario ${r.name}: ${r.summary}`, r.errors);

// ---- negative cases: each must fail, for the stated reason -----------------------------------------
const negDir = path.join(TESTS, 'negative');
const expectations = JSON.parse(readFileSync(path.join(negDir, 'expectations.json'), 'utf8'));
const negatives = listFiles(negDir, ['.yaml', '.yml', '.json', '.kql']).filter((f) => path.basename(f) !== 'expectations.json');
for (const f of negatives) {
  const base = path.basename(f);
  const expected = expectations[base];
  if (!expected) { report(false, `negative/${base}: rejected`, ['no entry in negative/expectations.json']); continue; }
  const errors = checkByName(f).flatMap((r) => r.errors.map((e) => `${r.aspect}: ${e}`));
  const hit = errors.find((e) => e.includes(expected));
  report(Boolean(hit), `negative/${base}: rejected (${hit ? hit.split('\n')[0] : `expected "${expected}"`})`,
    hit ? [] : [`expected an error containing "${expected}"`, ...(errors.length ? errors : ['but it passed every check'])]);
}
for (const name of Object.keys(expectations)) {
  if (!negatives.some((f) => path.basename(f) === name)) report(false, `negative/${name}: present`, ['listed in expectations.json but missing']);
}
report(negatives.length >= 10, `negative: ${negatives.length} broken cases (at least 10)`);

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
