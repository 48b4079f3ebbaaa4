// Checks the Azure templates that `gd2sentinel azure-template` generates (issue 7):
//  - the committed copies under content/azure/ equal the generated output;
//  - every DCR data flow's transformKql compiles with Kusto.Language against its input stream's
//    declared columns, and its output columns and types equal the target table's: Microsoft's
//    AWSGuardDuty (an independent fixture) for native, the template's own _CL table for legacy;
//  - DCR and table rules from REFERENCE §9 (kind Direct, Custom- streams, transform length,
//    column names), the role assignment, the outputs, and ARM expressions that name only
//    declared parameters;
//  - the Bicep form says the same as the ARM form.
// Negative self-checks make sure the column comparison cannot pass vacuously.
import { execFileSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { compile, globalsWith, scalarTypeName, tableSymbol } from './lib/kql.mjs';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const BIN = process.env.GD2SENTINEL_BIN || path.join(ROOT, 'build', 'dev', 'src', 'gd2sentinel');
const COMMITTED = path.join(ROOT, 'content', 'azure');
const FIXTURE = path.join(ROOT, 'content', 'tests', 'fixtures', 'AWSGuardDuty.json');
const PUBLISHER_ROLE = '3913510d-42f4-4e42-8a64-420c390055eb';
const MAX_TRANSFORM = 15360;
const RESERVED = ['_ResourceId', 'id', '_SubscriptionId', 'TenantId', 'Type', 'UniqueId', 'Title'];

let checks = 0;
const failures = [];
function check(ok, message) {
  checks += 1;
  if (!ok) failures.push(message);
  return ok;
}

function generate(schema, format) {
  return execFileSync(BIN, ['azure-template', '--schema', schema, '--format', format],
    { encoding: 'utf8', timeout: 60000, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Differences between two column lists [{name, type}] by name and Kusto type; [] when equal. */
export function columnDifferences(actual, expected) {
  const key = (c) => `${c.name}:${scalarTypeName(c.type)}`;
  const have = new Set(actual.map(key));
  const want = new Set(expected.map(key));
  const out = [];
  for (const k of want) if (!have.has(k)) out.push(`missing ${k}`);
  for (const k of have) if (!want.has(k)) out.push(`unexpected ${k}`);
  if (actual.length !== have.size) out.push('duplicate output columns');
  return out;
}

function transformOutput(transform, inputColumns) {
  const globals = globalsWith([tableSymbol('source', inputColumns)]);
  return compile(transform, globals);
}

// Every ARM expression ("[…]", not "[[…") names only declared parameters and balances.
function checkExpressions(value, where, parameters) {
  if (typeof value === 'string') {
    if (!value.startsWith('[') || value.startsWith('[[')) return;
    check(value.endsWith(']'), `${where}: expression does not end with ]: ${value}`);
    let depth = 0;
    let quoted = false;
    for (const c of value.slice(1, -1)) {
      if (c === "'") quoted = !quoted;
      else if (!quoted && c === '(') depth += 1;
      else if (!quoted && c === ')') depth -= 1;
    }
    check(depth === 0 && !quoted, `${where}: unbalanced expression ${value}`);
    for (const m of value.matchAll(/parameters\('([^']*)'\)/g))
      check(parameters.has(m[1]), `${where}: names undeclared parameter ${m[1]}`);
    return;
  }
  if (Array.isArray(value)) value.forEach((v, i) => checkExpressions(v, `${where}[${i}]`, parameters));
  else if (value && typeof value === 'object')
    for (const [k, v] of Object.entries(value)) checkExpressions(v, `${where}.${k}`, parameters);
}

// Bicep single-quoted string → text.
function unescapeBicep(text) {
  return text.replace(/\\(.)/g, (_, c) => ({ n: '\n', r: '\r', t: '\t' }[c] ?? c));
}

function checkCustomTableColumns(table, where) {
  const columns = table.properties.schema.columns;
  check(columns.length <= 500, `${where}: ${columns.length} columns, a table holds at most 500`);
  check(columns.some((c) => c.name === 'TimeGenerated' && c.type === 'dateTime'),
    `${where}: no TimeGenerated dateTime column`);
  for (const c of columns) {
    check(/^[A-Za-z][A-Za-z0-9_]{0,44}$/.test(c.name),
      `${where}: column name ${c.name} is not a letter then up to 44 letters, digits or _`);
    check(!RESERVED.includes(c.name), `${where}: column name ${c.name} is reserved`);
    check(['string', 'int', 'long', 'real', 'boolean', 'dateTime', 'dynamic'].includes(c.type),
      `${where}: column ${c.name} has type ${c.type}, not one the Tables API takes`);
  }
}

function checkArm(schemaName, arm) {
  const where = `${schemaName} (arm)`;
  const parameters = new Set(Object.keys(arm.parameters ?? {}));
  checkExpressions(arm.resources, `${where} resources`, parameters);
  checkExpressions(arm.outputs, `${where} outputs`, parameters);

  const dcrs = arm.resources.filter((r) => r.type === 'Microsoft.Insights/dataCollectionRules');
  if (!check(dcrs.length === 1, `${where}: expected one data collection rule, found ${dcrs.length}`)) return;
  const dcr = dcrs[0];
  check(dcr.kind === 'Direct', `${where}: DCR kind is ${dcr.kind}, not Direct (no logsIngestion endpoint)`);
  check(dcr.apiVersion === '2023-03-11', `${where}: DCR apiVersion ${dcr.apiVersion}`);
  const declarations = dcr.properties.streamDeclarations;
  for (const name of Object.keys(declarations))
    check(name.startsWith('Custom-'), `${where}: stream ${name} does not begin with Custom-`);
  const flows = dcr.properties.dataFlows;
  check(flows.length >= 1 && flows.length <= 10, `${where}: ${flows.length} data flows`);
  const destinations = new Set(dcr.properties.destinations.logAnalytics.map((d) => d.name));

  for (const flow of flows) {
    const fwhere = `${where} flow ${flow.streams.join(',')} → ${flow.outputStream}`;
    check(flow.streams.length === 1, `${fwhere}: a flow with a transform must use a single stream`);
    check(flow.destinations.every((d) => destinations.has(d)), `${fwhere}: unknown destination`);
    check(flow.transformKql.length <= MAX_TRANSFORM,
      `${fwhere}: transformKql has ${flow.transformKql.length} characters, a DCR allows ${MAX_TRANSFORM}`);
    const input = declarations[flow.streams[0]];
    if (!check(input, `${fwhere}: stream not declared`)) continue;
    const result = transformOutput(flow.transformKql, input.columns);
    check(result.errors.length === 0, `${fwhere}: transformKql does not compile: ${result.errors.join('; ')}`);
    if (!check(result.columns, `${fwhere}: transformKql has no tabular result`)) continue;

    let target;
    if (flow.outputStream === 'Microsoft-AWSGuardDuty') {
      target = JSON.parse(readFileSync(FIXTURE, 'utf8')).columns;
    } else {
      check(flow.outputStream.startsWith('Custom-') && flow.outputStream.endsWith('_CL'),
        `${fwhere}: output stream is neither Microsoft-AWSGuardDuty nor Custom-…_CL`);
      const tableName = flow.outputStream.slice('Custom-'.length);
      const table = arm.resources.find((r) => r.type === 'Microsoft.OperationalInsights/workspaces/tables'
        && r.properties?.schema?.name === tableName);
      if (!check(table, `${fwhere}: the template does not create table ${tableName}`)) continue;
      checkCustomTableColumns(table, `${where} table ${tableName}`);
      check(dcr.dependsOn?.some((d) => d.includes('workspaces/tables') && d.includes(tableName)),
        `${where}: the DCR does not depend on table ${tableName}`);
      target = table.properties.schema.columns.map((c) => ({ name: c.name, type: c.type }));
    }
    const diff = columnDifferences(result.columns, target);
    check(diff.length === 0, `${fwhere}: output columns differ from the table: ${diff.join(', ')}`);
  }

  const roles = arm.resources.filter((r) => r.type === 'Microsoft.Authorization/roleAssignments');
  check(roles.length === 1 && roles[0].properties.roleDefinitionId.includes(PUBLISHER_ROLE)
    && roles[0].scope?.includes('Microsoft.Insights/dataCollectionRules')
    && roles[0].properties.principalId === "[parameters('principalId')]",
  `${where}: no Monitoring Metrics Publisher assignment on the DCR for principalId`);

  const outputs = arm.outputs ?? {};
  for (const name of ['logsIngestionEndpoint', 'dataCollectionRuleImmutableId', 'streamName', 'gd2sentinelConfig'])
    check(outputs[name]?.type === 'string', `${where}: output ${name} missing`);
  check(outputs.logsIngestionEndpoint?.value.includes('.endpoints.logsIngestion'), `${where}: endpoint output`);
  check(outputs.dataCollectionRuleImmutableId?.value.includes('.immutableId'), `${where}: immutable id output`);
  check(declarations[outputs.streamName?.value], `${where}: streamName output is not a declared stream`);
  check(outputs.gd2sentinelConfig?.value.includes(`schema = \\"${schemaName}\\"`.replace(/\\/g, ''))
    && outputs.gd2sentinelConfig.value.includes('[sink.logs_ingestion]'),
  `${where}: gd2sentinelConfig does not hold the [transform] and [sink.logs_ingestion] sections`);
  return { transforms: flows.map((f) => f.transformKql), parameters: [...parameters].sort(),
    types: arm.resources.map((r) => `${r.type}@${r.apiVersion}`).sort(), outputs: Object.keys(outputs).sort() };
}

function checkBicep(schemaName, bicep, fromArm) {
  const where = `${schemaName} (bicep)`;
  const transforms = [...bicep.matchAll(/^\s*transformKql: '((?:[^'\\]|\\.)*)'$/gm)].map((m) => unescapeBicep(m[1]));
  check(JSON.stringify(transforms) === JSON.stringify(fromArm.transforms), `${where}: transformKql differs from the ARM form`);
  const params = [...bicep.matchAll(/^param (\w+) /gm)].map((m) => m[1]).sort();
  check(JSON.stringify(params) === JSON.stringify(fromArm.parameters), `${where}: parameters ${params} differ from ${fromArm.parameters}`);
  const types = [...bicep.matchAll(/^resource \w+ '([^']+)'( existing)?/gm)].filter((m) => !m[2]).map((m) => m[1]).sort();
  check(JSON.stringify(types) === JSON.stringify(fromArm.types), `${where}: resources ${types} differ from ${fromArm.types}`);
  const outputs = [...bicep.matchAll(/^output (\w+) /gm)].map((m) => m[1]).sort();
  check(JSON.stringify(outputs) === JSON.stringify(fromArm.outputs), `${where}: outputs differ`);
}

function selfCheck() {
  // A transform that drops a column, and one that changes a type, must be caught.
  const input = [{ name: 'TimeGenerated', type: 'datetime' }, { name: 'Severity', type: 'int' }];
  const target = [{ name: 'TimeGenerated', type: 'datetime' }, { name: 'Severity', type: 'int' }];
  const dropped = transformOutput('source | project TimeGenerated', input);
  check(columnDifferences(dropped.columns, target).includes('missing Severity:int'), 'self-check: a dropped column went unnoticed');
  const retyped = transformOutput('source | project TimeGenerated, Severity = toreal(Severity)', input);
  check(columnDifferences(retyped.columns, target).length === 2, 'self-check: a changed type went unnoticed');
  const broken = transformOutput('source | project TimeGenerated, Sevrity', input);
  check(broken.errors.length > 0, 'self-check: a transform naming an unknown column compiled');
}

if (!existsSync(BIN)) {
  console.error(`azure-template: ${BIN} not found; build gd2sentinel or set GD2SENTINEL_BIN`);
  process.exit(1);
}
selfCheck();
for (const schemaName of ['native', 'legacy']) {
  const arm = generate(schemaName, 'arm');
  const bicep = generate(schemaName, 'bicep');
  for (const [format, text, file] of [['arm', arm, `gd2sentinel-${schemaName}.json`], ['bicep', bicep, `gd2sentinel-${schemaName}.bicep`]]) {
    const committed = path.join(COMMITTED, file);
    check(existsSync(committed) && readFileSync(committed, 'utf8') === text,
      `content/azure/${file} is not the generated output; refresh it with: `
      + `gd2sentinel azure-template --schema ${schemaName} --format ${format} > content/azure/${file}`);
  }
  let parsed;
  try { parsed = JSON.parse(arm); } catch (e) { check(false, `${schemaName}: ARM output is not JSON: ${e.message}`); continue; }
  const summary = checkArm(schemaName, parsed);
  if (summary) checkBicep(schemaName, bicep, summary);
}

if (failures.length) {
  for (const f of failures) console.error(`FAIL ${f}`);
  console.error(`azure-template: ${failures.length} of ${checks} checks failed`);
  process.exit(1);
}
console.log(`azure-template: ${checks} checks passed`);
