#!/usr/bin/env node
// Checks the Microsoft Sentinel solution package (content/solution/Package) without Azure:
//  - the committed mainTemplate.json and createUiDefinition.json are what content/solution/build.mjs
//    generates from content/ now (never edited by hand, never stale);
//  - every item's content id is the one registered in content/solution/ids.json (ids are stable);
//  - the structural checks of lib/solution.mjs (types and api-versions, parameters, variables, UI
//    outputs, content ids, connector card, embedded ingestion templates, every KQL query compiled);
//  - each deliberately broken package in tests/negative/solution/ fails with its expected message.
//
//   node content/tests/solution-package.mjs                    (schemas from tests/fixtures/, or GD2SENTINEL_BIN)
//   node content/tests/solution-package.mjs --generated-only   (only: current with the generator, ids registered)
//
// Prints one line per check and ends with "N passed, N failed"; exits 1 on any failure.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { buildPackage, renderPackage } from '../solution/lib/package.mjs';
import { register } from '../solution/lib/registry.mjs';
import { functionSymbol, tableSymbol } from './lib/kql.mjs';
import { loadSchemas } from './lib/schemas.mjs';
import { readParser } from './lib/parser.mjs';
import { checkPackage } from './lib/solution.mjs';

const TESTS = path.dirname(new URL(import.meta.url).pathname);
const CONTENT = path.resolve(TESTS, '..');
const PACKAGE = path.join(CONTENT, 'solution', 'Package');
const readJson = (file) => JSON.parse(readFileSync(file, 'utf8'));

let passed = 0;
let failed = 0;
function report(ok, item, errors = []) {
  if (ok) passed += 1; else failed += 1;
  console.log(`${ok ? 'PASS' : 'FAIL'} ${item}`);
  if (!ok) for (const e of errors.slice(0, 20)) console.log(`       ${e}`);
  if (!ok && errors.length > 20) console.log(`       … and ${errors.length - 20} more`);
}

// ---- the committed package is the generator's output -------------------------------------------------
const generated = buildPackage(CONTENT);
for (const [name, text] of Object.entries(renderPackage(generated))) {
  let committed = '';
  try { committed = readFileSync(path.join(PACKAGE, name), 'utf8'); } catch { /* reported below */ }
  report(committed === text, `solution/Package/${name} is current with content/ and build.mjs`,
    ['it differs from what the generator writes now: run node content/solution/build.mjs and commit the result']);
}

// ---- the release registry: stable ids, versions bumped when content changes ---------------------------
const registry = readJson(path.join(CONTENT, 'solution', 'ids.json'));
{
  const errors = [];
  for (const item of generated.items) {
    const e = registry.items[item.key];
    if (e === undefined) errors.push(`${item.key} (contentId ${item.contentId}) is new: register it with node content/solution/build.mjs --register`);
    else if (e.contentId !== item.contentId) errors.push(`content id of ${item.key} changed from ${e.contentId} to ${item.contentId}: Content hub would see a different item; restore the id`);
  }
  for (const key of Object.keys(registry.items)) {
    if (!generated.items.some((i) => i.key === key)) errors.push(`registered ${key} is no longer generated: remove it from ids.json only if it was deleted on purpose`);
  }
  report(errors.length === 0, `content ids: ${generated.items.length} items keep the ids registered in solution/ids.json`, errors);
  const { errors: release } = register(registry, generated);
  const recorded = release.length === 0 && JSON.stringify(register(registry, generated).registry) === JSON.stringify(registry);
  report(recorded, 'versions: every changed item has a new version, and ids.json records this release',
    release.length ? release : ['ids.json does not record the package\'s versions: run node content/solution/build.mjs --register']);
}

if (process.argv.includes('--generated-only')) {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

// ---- structural checks of the committed package --------------------------------------------------------
const schemas = loadSchemas();
const symbols = [
  ...schemas.schemas.map((s) => tableSymbol(s.table, s.columns)),
  functionSymbol('_GetWatchlist', '(watchlistAlias:string)',
    '{ datatable(SearchKey:string, WatchlistItem:dynamic, _DTItemId:string, LastUpdatedTimeUTC:datetime)[] }'),
];
const inputs = {
  mainTemplate: readJson(path.join(PACKAGE, 'mainTemplate.json')),
  createUiDefinition: readJson(path.join(PACKAGE, 'createUiDefinition.json')),
  registry,
  apiVersions: readJson(path.join(TESTS, 'fixtures', 'arm-api-versions.json')),
  azureTemplates: {
    native: readJson(path.join(CONTENT, 'azure', 'gd2sentinel-native.json')),
    legacy: readJson(path.join(CONTENT, 'azure', 'gd2sentinel-legacy.json')),
  },
  symbols,
  sourceParser: readParser(path.join(CONTENT, 'parser', 'GuardDutyFindings.kql')),
};
for (const r of checkPackage(inputs)) report(r.errors.length === 0, `solution/Package: ${r.aspect}`, r.errors);

// ---- broken packages: each must fail for its reason ---------------------------------------------------
/** Follows a selector path: keys, indexes, or {where: {dotted.path: value}} (first matching element). */
function select(root, steps, file) {
  let node = root;
  for (const step of steps) {
    if (step && typeof step === 'object') {
      const get = (o, p) => p.split('.').reduce((x, k) => (x == null ? x : x[k]), o);
      node = (node || []).find((el) => Object.entries(step.where).every(([p, v]) => get(el, p) === v));
    } else node = node == null ? node : node[step];
    if (node === undefined) throw new Error(`${file}: selector ${JSON.stringify(steps)} matches nothing`);
  }
  return node;
}

/** A broken copy of the committed package: edits {file, at, set, delete} or {file, replace: [from, to]}. */
function brokenInputs(spec, file) {
  const texts = {
    mainTemplate: JSON.stringify(inputs.mainTemplate),
    createUiDefinition: JSON.stringify(inputs.createUiDefinition),
  };
  for (const edit of spec.edits.filter((e) => e.replace)) {
    const target = edit.file || 'mainTemplate';
    const [from, to] = edit.replace;
    if (!texts[target].includes(from)) throw new Error(`${file}: '${from}' does not occur in ${target}`);
    texts[target] = texts[target].split(from).join(to);
  }
  const copy = { ...inputs, mainTemplate: JSON.parse(texts.mainTemplate), createUiDefinition: JSON.parse(texts.createUiDefinition) };
  for (const edit of spec.edits.filter((e) => !e.replace)) {
    const node = select(copy[edit.file || 'mainTemplate'], edit.at || [], file);
    Object.assign(node, edit.set || {});
    for (const k of edit.delete || []) delete node[k];
  }
  return copy;
}

const negDir = path.join(TESTS, 'negative', 'solution');
const expectations = readJson(path.join(negDir, 'expectations.json'));
const cases = readdirSync(negDir).filter((f) => f.endsWith('.json') && f !== 'expectations.json').sort();
for (const name of cases) {
  const expected = expectations[name];
  if (!expected) { report(false, `negative/solution/${name}: rejected`, ['no entry in negative/solution/expectations.json']); continue; }
  let errors;
  try {
    errors = checkPackage(brokenInputs(readJson(path.join(negDir, name)), name)).flatMap((r) => r.errors.map((e) => `${r.aspect}: ${e}`));
  } catch (e) {
    report(false, `negative/solution/${name}: rejected`, [e.message]);
    continue;
  }
  const hit = errors.find((e) => e.includes(expected));
  report(Boolean(hit), `negative/solution/${name}: rejected (${hit ? hit.slice(0, 160) : `expected "${expected}"`})`,
    hit ? [] : [`expected an error containing "${expected}"`, ...(errors.length ? errors : ['but it passed every check'])]);
}
for (const name of Object.keys(expectations)) {
  if (!cases.includes(name)) report(false, `negative/solution/${name}: present`, ['listed in expectations.json but missing']);
}

console.log(`${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
