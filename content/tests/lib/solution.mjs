// Structural checks of the Sentinel solution package (content/solution/Package) without Azure:
// resource types and api-versions from a table with sources, ARM expressions that name only declared
// parameters and variables, no unused parameter or variable, the createUiDefinition outputs, the
// content ids (unique, derived from the item, registered), the data connector card, the embedded
// ingestion templates, and every KQL query of the package compiled like the rest of content/.
// checkPackage returns [{aspect, errors}] so that the broken packages in tests/negative/solution/ can
// be asserted to fail for the expected reason.
import { analyze, compile, functionSymbol, globalsWith } from './kql.mjs';
import { inspectWorkbook } from './workbook.mjs';
import { itemDigest } from '../../solution/lib/registry.mjs';

const CONTENT_TEMPLATE = 'Microsoft.OperationalInsights/workspaces/providers/contentTemplates';
const CONTENT_PACKAGE = 'Microsoft.OperationalInsights/workspaces/providers/contentPackages';
const METADATA = 'Microsoft.OperationalInsights/workspaces/providers/metadata';
const DATA_CONNECTOR = 'Microsoft.OperationalInsights/workspaces/providers/dataConnectors';
const DEPLOYMENT = 'Microsoft.Resources/deployments';
const ABBREVIATIONS = { DataConnector: 'dc', Parser: 'pr', Workbook: 'wb', HuntingQuery: 'hq', AnalyticsRule: 'ar' };
const VERSION_RE = /^\d+\.\d+\.\d+$/;

const isExpression = (s) => typeof s === 'string' && s.startsWith('[') && !s.startsWith('[[');
/** The text of a literal the generator escaped ("[[..." is ARM's literal "[..."). */
const unescape = (s) => (typeof s === 'string' && s.startsWith('[[') ? s.slice(1) : s);

/** Every string of a value with a path, not descending into keys listed in skip. */
function strings(value, where, skip = () => false, out = []) {
  if (typeof value === 'string') out.push({ text: value, where });
  else if (Array.isArray(value)) value.forEach((v, i) => strings(v, `${where}[${i}]`, skip, out));
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) if (!skip(k, value)) strings(v, `${where}.${k}`, skip, out);
  }
  return out;
}

/** One template scope: its own strings (a nested inner-scope deployment's template is its own scope). */
function scopeStrings(template, where) {
  const nestedTemplate = (k, owner) => k === 'template' && owner.expressionEvaluationOptions?.scope === 'inner';
  return strings({ parameters: template.parameters, variables: template.variables, resources: template.resources, outputs: template.outputs },
    where, nestedTemplate);
}

function nestedDeployments(template) {
  return (template.resources || []).filter((r) => r.type === DEPLOYMENT && r.properties?.expressionEvaluationOptions?.scope === 'inner');
}

// ---- ARM: expressions, parameters, variables ---------------------------------------------------------
function checkScope(template, where) {
  const expressions = [];
  const usage = [];
  const declaredParameters = new Set(Object.keys(template.parameters || {}));
  const declaredVariables = new Set(Object.keys(template.variables || {}));
  const usedParameters = new Set();
  const usedVariables = new Set();
  for (const { text, where: at } of scopeStrings(template, where)) {
    if (!isExpression(text)) continue;
    let depth = 0;
    let quoted = false;
    for (const c of text.slice(1, -1)) {
      if (c === "'") quoted = !quoted;
      else if (!quoted && c === '(') depth += 1;
      else if (!quoted && c === ')') depth -= 1;
    }
    if (!text.endsWith(']') || depth !== 0 || quoted) expressions.push(`${at}: unbalanced expression ${text.slice(0, 120)}`);
    for (const m of text.matchAll(/parameters\('([^']*)'\)/g)) {
      usedParameters.add(m[1]);
      if (!declaredParameters.has(m[1])) expressions.push(`${at}: names undeclared parameter '${m[1]}'`);
    }
    for (const m of text.matchAll(/variables\('([^']*)'\)/g)) {
      usedVariables.add(m[1]);
      if (!declaredVariables.has(m[1])) expressions.push(`${at}: names undeclared variable '${m[1]}'`);
    }
  }
  for (const p of declaredParameters) if (!usedParameters.has(p)) usage.push(`${where}: parameter '${p}' is declared but never used`);
  for (const v of declaredVariables) if (!usedVariables.has(v)) usage.push(`${where}: variable '${v}' is declared but never used`);
  for (const d of nestedDeployments(template)) {
    const inner = d.properties.template;
    const passed = Object.keys(d.properties.parameters || {});
    const declared = inner.parameters || {};
    for (const p of passed) if (!declared[p]) usage.push(`${where} deployment ${d.name}: passes parameter '${p}' that the nested template does not declare`);
    for (const [p, def] of Object.entries(declared)) {
      if (def.defaultValue === undefined && !passed.includes(p)) usage.push(`${where} deployment ${d.name}: does not pass required parameter '${p}'`);
    }
    const sub = checkScope(inner, `${where} deployment ${d.name}`);
    expressions.push(...sub.expressions);
    usage.push(...sub.usage);
  }
  return { expressions, usage };
}

// ---- resource types and api-versions ------------------------------------------------------------------
function walkResources(template, where, scope, out = []) {
  (template.resources || []).forEach((r, i) => {
    const at = `${where}.resources[${i}]`;
    out.push({ resource: r, where: at, scope });
    if (r.type === CONTENT_TEMPLATE && r.properties?.mainTemplate) walkResources(r.properties.mainTemplate, `${at}.mainTemplate`, 'contentTemplate', out);
    if (r.type === DEPLOYMENT && r.properties?.template) walkResources(r.properties.template, `${at}.template`, 'deployment', out);
  });
  return out;
}

function checkApiVersions(mainTemplate, table) {
  const errors = [];
  for (const { resource: r, where, scope } of walkResources(mainTemplate, 'mainTemplate', 'deployment')) {
    const known = table.types[r.type];
    if (!known) { errors.push(`${where}: unknown resource type ${r.type} (not in tests/fixtures/arm-api-versions.json)`); continue; }
    if (!known.apiVersions.includes(r.apiVersion)) {
      errors.push(`${where}: ${r.type} api-version ${r.apiVersion} is not a known api-version (known: ${known.apiVersions.join(', ')})`);
    }
    if (known.scope === 'contentTemplate' && scope !== 'contentTemplate') errors.push(`${where}: ${r.type} is only valid inside a contentTemplate`);
  }
  return errors;
}

// ---- createUiDefinition ---------------------------------------------------------------------------------
function checkUi(mainTemplate, ui) {
  const errors = [];
  const outputs = ui?.parameters?.outputs || {};
  const parameters = mainTemplate.parameters || {};
  for (const o of Object.keys(outputs)) if (!parameters[o]) errors.push(`createUiDefinition output '${o}' is not a mainTemplate parameter`);
  for (const [p, def] of Object.entries(parameters)) {
    if (def.defaultValue === undefined && outputs[p] === undefined) errors.push(`mainTemplate parameter '${p}' has no default and createUiDefinition does not set it`);
  }
  // Outputs read elements by name: steps('step').element and basics('element').
  const names = (elements) => (elements || []).flatMap((e) => [e.name, ...names(e.elements)]);
  const steps = new Map((ui?.parameters?.steps || []).map((s) => [s.name, new Set(names(s.elements))]));
  const basics = new Set(names(ui?.parameters?.basics));
  for (const [o, value] of Object.entries(outputs)) {
    for (const m of String(value).matchAll(/steps\('([^']*)'\)\.([A-Za-z0-9_]+)/g)) {
      if (!steps.has(m[1])) errors.push(`createUiDefinition output '${o}' reads unknown step '${m[1]}'`);
      else if (!steps.get(m[1]).has(m[2])) errors.push(`createUiDefinition output '${o}' reads unknown element '${m[2]}' of step '${m[1]}'`);
    }
    for (const m of String(value).matchAll(/basics\('([^']*)'\)/g)) {
      if (!basics.has(m[1])) errors.push(`createUiDefinition output '${o}' reads unknown basics element '${m[1]}'`);
    }
  }
  return errors;
}

// ---- content items --------------------------------------------------------------------------------------
export function contentItems(mainTemplate) {
  return (mainTemplate.resources || []).filter((r) => r.type === CONTENT_TEMPLATE).map((r) => ({
    resource: r,
    kind: r.properties.contentKind,
    contentId: unescape(r.properties.contentId),
    version: r.properties.version,
  }));
}

const q = (s) => `'${String(s).replace(/'/g, "''")}'`;

function checkItems(mainTemplate) {
  const errors = [];
  const items = contentItems(mainTemplate);
  const seen = new Map();
  for (const it of items) {
    const label = `${it.kind} ${it.contentId}`;
    const p = it.resource.properties;
    if (seen.has(it.contentId)) errors.push(`contentId '${it.contentId}' is used by two items (${seen.get(it.contentId)} and ${it.kind})`);
    seen.set(it.contentId, it.kind);
    const abbreviation = ABBREVIATIONS[it.kind];
    if (!abbreviation) { errors.push(`${label}: unknown contentKind`); continue; }
    if (!VERSION_RE.test(it.version)) errors.push(`${label}: version '${it.version}' is not x.y.z`);
    const productId = `[concat(take(variables('_solutionId'), 50), '-', ${q(abbreviation)}, '-', uniqueString(concat(variables('_solutionId'), '-', ${q(it.kind)}, '-', ${q(it.contentId)}, '-', ${q(it.version)})))]`;
    if (p.contentProductId !== productId || p.id !== productId) errors.push(`${label}: contentProductId is not derived from its kind, contentId and version`);
    const specName = `[concat(parameters('workspace'), '/Microsoft.SecurityInsights/', concat(parameters('workspace'), '-', ${q(abbreviation)}, '-', uniquestring(${q(it.contentId)})))]`;
    if (it.resource.name !== specName) errors.push(`${label}: template spec name is not derived from its contentId`);
    if (p.mainTemplate?.contentVersion !== it.version) errors.push(`${label}: mainTemplate contentVersion ${p.mainTemplate?.contentVersion} differs from version ${it.version}`);
    const meta = (p.mainTemplate?.resources || []).filter((r) => r.type === METADATA);
    if (meta.length !== 1 || meta[0].properties.kind !== it.kind || unescape(meta[0].properties.contentId) !== it.contentId
      || meta[0].properties.version !== it.version) {
      errors.push(`${label}: needs exactly one metadata resource with kind ${it.kind}, contentId ${it.contentId}, version ${it.version}`);
    }
  }
  const packages = (mainTemplate.resources || []).filter((r) => r.type === CONTENT_PACKAGE);
  if (packages.length !== 1) return errors.concat([`expected one contentPackages resource, found ${packages.length}`]);
  const pkg = packages[0].properties;
  if (!VERSION_RE.test(pkg.version) || pkg.version !== mainTemplate.variables?._solutionVersion) {
    errors.push(`contentPackages version ${pkg.version} must be x.y.z and equal variable _solutionVersion (${mainTemplate.variables?._solutionVersion})`);
  }
  const key = (c) => `${c.kind} ${unescape(c.contentId)} ${c.version}`;
  const listed = new Set((pkg.dependencies?.criteria || []).map(key));
  const present = new Set(items.map(key));
  for (const k of present) if (!listed.has(k)) errors.push(`contentPackages dependencies lack ${k}`);
  for (const k of listed) if (!present.has(k)) errors.push(`contentPackages dependencies list ${k}, which the package does not contain`);
  return errors;
}

/**
 * The package against the release registry content/solution/ids.json ({items: {key: {contentId,
 * version, digest}}}): ids never change, every item is registered at its version, and an item whose
 * content changed has a new version.
 */
export function checkRegistry(mainTemplate, registry) {
  const errors = [];
  const kindOf = (key) => key.split('/')[0];
  const items = contentItems(mainTemplate);
  const byId = new Map(items.map((it) => [`${it.kind} ${it.contentId}`, it]));
  const registered = new Map(Object.entries(registry.items).map(([key, e]) => [`${kindOf(key)} ${e.contentId}`, { key, ...e }]));
  for (const [id, e] of registered) {
    if (!byId.has(id)) errors.push(`registered ${e.key} (contentId ${e.contentId}) is not in the package: a released content id must never change (remove the entry only when the item was deleted on purpose)`);
  }
  for (const it of items) {
    const e = registered.get(`${it.kind} ${it.contentId}`);
    if (!e) { errors.push(`${it.kind} contentId ${it.contentId} is not in content/solution/ids.json: register new items with node content/solution/build.mjs --register`); continue; }
    const digest = itemDigest(it.resource);
    if (e.version === it.version && e.digest !== digest) errors.push(`${e.key} changed since version ${e.version} was registered: bump its version, then node content/solution/build.mjs --register`);
    else if (e.version !== it.version) errors.push(`${e.key} is at version ${it.version}, the registry at ${e.version}: record the release with node content/solution/build.mjs --register`);
  }
  return errors;
}

// ---- data connector ---------------------------------------------------------------------------------------
function checkConnector(mainTemplate) {
  const errors = [];
  const top = (mainTemplate.resources || []).filter((r) => r.type === DATA_CONNECTOR);
  const item = contentItems(mainTemplate).find((it) => it.kind === 'DataConnector');
  if (top.length !== 1 || !item) return [`data connector: expected one top-level dataConnectors resource and one DataConnector contentTemplate, found ${top.length} and ${item ? 1 : 0}`];
  const inner = item.resource.properties.mainTemplate.resources.find((r) => r.type === DATA_CONNECTOR);
  if (JSON.stringify(inner) !== JSON.stringify(top[0])) errors.push('data connector: the top-level card differs from the one in its contentTemplate');
  if (top[0].kind !== 'GenericUI') errors.push(`data connector: kind ${top[0].kind}, expected GenericUI`);
  const ui = top[0].properties?.connectorUiConfig || {};
  if (unescape(ui.id) !== item.contentId) errors.push(`data connector: connectorUiConfig.id ${ui.id} differs from the contentId ${item.contentId}`);
  for (const field of ['title', 'publisher', 'descriptionMarkdown']) if (typeof ui[field] !== 'string' || !ui[field].trim()) errors.push(`data connector: ${field} missing`);
  for (const field of ['graphQueries', 'sampleQueries', 'dataTypes', 'connectivityCriterias', 'instructionSteps']) {
    if (!Array.isArray(ui[field]) || ui[field].length === 0) errors.push(`data connector: ${field} missing or empty`);
  }
  if (!ui.permissions?.resourceProvider?.length) errors.push('data connector: permissions.resourceProvider missing');
  const tables = (ui.dataTypes || []).map((d) => d.name).sort().join(', ');
  if (tables !== 'AWSGuardDuty, AWSGuardDuty_CL') errors.push(`data connector: dataTypes are ${tables || 'none'}, expected AWSGuardDuty, AWSGuardDuty_CL`);
  for (const d of ui.dataTypes || []) if (!d.lastDataReceivedQuery) errors.push(`data connector: dataType ${d.name} has no lastDataReceivedQuery`);
  for (const c of ui.connectivityCriterias || []) if (c.type !== 'IsConnectedQuery' || !c.value?.length) errors.push('data connector: connectivity criteria must be IsConnectedQuery with a query');
  const steps = JSON.stringify(ui.instructionSteps || []);
  if (!steps.includes('gd2sentinel check --config')) errors.push('data connector: the instruction steps do not point at gd2sentinel check --config FILE');
  if (!steps.includes('docs/setup.md')) errors.push('data connector: the instruction steps do not point at docs/setup.md');
  return errors;
}

// ---- ingestion: content/azure embedded verbatim --------------------------------------------------------
function checkIngestion(mainTemplate, azureTemplates) {
  const errors = [];
  for (const [schema, template] of Object.entries(azureTemplates)) {
    const name = `gd2sentinel-ingestion-${schema}`;
    const d = (mainTemplate.resources || []).find((r) => r.type === DEPLOYMENT && r.name === name);
    if (!d) { errors.push(`nested deployment ${name} missing`); continue; }
    if (JSON.stringify(d.properties?.template) !== JSON.stringify(template)) errors.push(`nested deployment ${name} does not embed content/azure/gd2sentinel-${schema}.json unchanged`);
    if (d.condition !== `[equals(parameters('ingestionSchema'), '${schema}')]`) errors.push(`nested deployment ${name}: condition must be ingestionSchema == '${schema}'`);
  }
  return errors;
}

// ---- KQL ------------------------------------------------------------------------------------------------
/** Every query of the package: [{where, text}] plus the parser {params, body} it declares. */
export function packageQueries(mainTemplate) {
  const queries = [];
  let parser = null;
  for (const it of contentItems(mainTemplate)) {
    const label = `${it.kind} ${it.contentId}`;
    for (const r of it.resource.properties.mainTemplate?.resources || []) {
      const p = r.properties || {};
      if (r.type === 'Microsoft.SecurityInsights/AlertRuleTemplates') queries.push({ where: `${label} query`, text: unescape(p.query) });
      else if (r.type === 'Microsoft.OperationalInsights/savedSearches') queries.push({ where: `${label} query`, text: unescape(p.query) });
      else if (r.type === 'Microsoft.OperationalInsights/workspaces/savedSearches' && p.functionAlias) {
        parser = { alias: unescape(p.functionAlias), params: unescape(p.functionParameters), body: unescape(p.query), where: label };
      } else if (r.type === 'Microsoft.Insights/workbooks') {
        let wb;
        try { wb = JSON.parse(unescape(p.serializedData)); } catch (e) { queries.push({ where: `${label} serializedData`, error: `not JSON: ${e.message}` }); continue; }
        const { errors, queries: panels } = inspectWorkbook(wb);
        for (const e of errors) queries.push({ where: `${label} workbook`, error: e });
        for (const panel of panels) queries.push({ where: `${label} ${panel.where}`, text: panel.text, unknown: panel.unknown });
      } else if (r.type === DATA_CONNECTOR) {
        const ui = p.connectorUiConfig || {};
        (ui.dataTypes || []).forEach((d) => queries.push({ where: `${label} lastDataReceivedQuery ${d.name}`, text: unescape(d.lastDataReceivedQuery) }));
        (ui.graphQueries || []).forEach((g) => queries.push({ where: `${label} graphQuery ${g.legend}`, text: `${unescape(g.baseQuery)}\n| summarize count() by bin(TimeGenerated, 1d)` }));
        (ui.sampleQueries || []).forEach((s) => queries.push({ where: `${label} sampleQuery "${s.description}"`, text: unescape(s.query) }));
        (ui.connectivityCriterias || []).forEach((c) => (c.value || []).forEach((v) => queries.push({ where: `${label} connectivity query`, text: unescape(v) })));
      }
    }
  }
  return { queries, parser };
}

/**
 * The parser: its body compiled, and the symbol the queries are compiled against. Kusto.Language
 * analyses a user function's body again at every call (seconds for this parser), so callers see a
 * function with the same parameters whose body is an empty datatable of the parser's output schema:
 * the same names and types, in a fraction of the time. A body identical to
 * content/parser/GuardDutyFindings.kql is analysed for names and types only, because content.validate
 * compiles that file with the analyzers; any other body gets the full compile here.
 */
function analyzeParser(parser, baseSymbols, sourceParser) {
  const text = `let __parser = (${parser.params}) {\n${parser.body}\n};\n__parser()`;
  const same = sourceParser && sourceParser.params === parser.params && sourceParser.body === parser.body;
  const result = same ? analyze(text, globalsWith(baseSymbols)) : compile(text, globalsWith(baseSymbols));
  const errors = result.errors.map((e) => `${parser.where} function ${parser.alias}: ${e}`);
  let symbol = functionSymbol(parser.alias, `(${parser.params})`, `{\n${parser.body}\n}`);
  if (!result.errors.length && result.columns) {
    const schema = result.columns.map((c) => `['${c.name}']:${c.type}`).join(', ');
    symbol = functionSymbol(parser.alias, `(${parser.params})`, `{ datatable(${schema})[] }`);
  }
  return { errors, symbol };
}

// Compilation results by parser and query text: the broken packages differ from the real one in one
// place, so their other queries need not be compiled again. (The symbols are the same for one run.)
const compiled = new Map();

function checkKql(mainTemplate, baseSymbols, sourceParser) {
  const errors = [];
  const { queries, parser } = packageQueries(mainTemplate);
  const parserKey = parser ? `${parser.alias}(${parser.params})\n${parser.body}` : '';
  if (!compiled.has(parserKey)) {
    const entry = { errors: [], globals: null, results: new Map() };
    const symbols = [...baseSymbols];
    if (parser) {
      const analysed = analyzeParser(parser, baseSymbols, sourceParser);
      entry.errors = analysed.errors;
      symbols.push(analysed.symbol);
    }
    entry.globals = globalsWith(symbols);
    compiled.set(parserKey, entry);
  }
  const entry = compiled.get(parserKey);
  if (!parser) errors.push('no parser (a savedSearch with functionAlias) in the package');
  errors.push(...entry.errors);
  for (const query of queries) {
    if (query.error) { errors.push(`${query.where}: ${query.error}`); continue; }
    for (const n of query.unknown || []) errors.push(`${query.where}: unknown workbook parameter {${n}}`);
    if (typeof query.text !== 'string' || !query.text.trim()) { errors.push(`${query.where}: empty query`); continue; }
    if (!entry.results.has(query.text)) entry.results.set(query.text, compile(query.text, entry.globals).errors);
    for (const e of entry.results.get(query.text)) errors.push(`${query.where}: ${e}`);
  }
  return { errors, count: queries.length + (parser ? 1 : 0) };
}

/**
 * All checks of one package. inputs: {mainTemplate, createUiDefinition, registry, apiVersions,
 * azureTemplates: {native, legacy}, symbols: table and function symbols without the parser,
 * sourceParser: {params, body} of content/parser/GuardDutyFindings.kql}.
 */
export function checkPackage(inputs) {
  const { mainTemplate, createUiDefinition, registry, apiVersions, azureTemplates, symbols, sourceParser } = inputs;
  const arm = checkScope(mainTemplate, 'mainTemplate');
  const kql = checkKql(mainTemplate, symbols, sourceParser);
  return [
    { aspect: 'resource types and api-versions', errors: checkApiVersions(mainTemplate, apiVersions) },
    { aspect: 'expressions name declared parameters and variables', errors: arm.expressions },
    { aspect: 'every parameter and variable is used', errors: arm.usage },
    { aspect: 'createUiDefinition outputs are the parameters', errors: checkUi(mainTemplate, createUiDefinition) },
    { aspect: 'content items: unique ids, product ids, metadata, package dependencies', errors: checkItems(mainTemplate) },
    { aspect: 'content ids and versions match content/solution/ids.json', errors: checkRegistry(mainTemplate, registry) },
    { aspect: 'data connector card', errors: checkConnector(mainTemplate) },
    { aspect: 'ingestion deployments embed content/azure', errors: checkIngestion(mainTemplate, azureTemplates) },
    { aspect: `KQL: ${kql.count} queries compile`, errors: kql.errors },
  ];
}
