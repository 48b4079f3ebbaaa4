// The content items of the solution, each turned into the resources that Azure-Sentinel's V3 packages
// deploy for its kind: the item itself and its metadata inside a contentTemplate (what Content hub
// installs), plus, for the data connector and the parser, the same resources at the top level so that
// the card and the function exist as soon as the package is deployed.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import {
  LOCATION, TRIGGER_OPERATORS, WORKSPACE, isoDuration, literal, quote, sentinelName, sentinelResourceId,
} from './arm.mjs';

/** Item kinds: the contentKind, the abbreviation used in ids and names, and the dependency kind. */
export const KINDS = {
  DataConnector: 'dc', Parser: 'pr', Workbook: 'wb', HuntingQuery: 'hq', AnalyticsRule: 'ar',
};

function metadata(solution, item, parentId, extra = {}) {
  return {
    type: 'Microsoft.OperationalInsights/workspaces/providers/metadata',
    apiVersion: '2023-04-01-preview',
    name: sentinelName(quote(`${item.kind}-${item.contentId}`)),
    properties: {
      parentId,
      contentId: literal(item.contentId),
      kind: item.kind,
      version: item.version,
      source: { kind: 'Solution', name: literal(solution.name), sourceId: "[variables('_solutionId')]" },
      author: literal(solution.author),
      support: literal(solution.support),
      ...extra,
    },
  };
}

// ---- data connector --------------------------------------------------------------------------------
export function dataConnectorItem(solution, contentDir) {
  const card = JSON.parse(readFileSync(path.join(contentDir, 'solution', 'connector.json'), 'utf8'));
  const { comment, id, ...ui } = card;
  const item = {
    kind: 'DataConnector', key: 'DataConnector/connector', contentId: id,
    version: solution.itemVersions.DataConnector, displayName: card.title, summary: card.descriptionMarkdown,
  };
  const connector = {
    name: sentinelName(quote(id)),
    apiVersion: '2021-03-01-preview',
    type: 'Microsoft.OperationalInsights/workspaces/providers/dataConnectors',
    location: LOCATION,
    kind: 'GenericUI',
    properties: { connectorUiConfig: { id: literal(id), ...literal(ui) } },
  };
  const parentId = `[${sentinelResourceId('dataConnectors', quote(id))}]`;
  item.resources = [connector, metadata(solution, item, parentId)];
  item.topLevel = [connector, { ...metadata(solution, item, parentId), dependsOn: [parentId] }];
  item.connectorUiConfig = connector.properties.connectorUiConfig;
  return item;
}

// ---- parser ----------------------------------------------------------------------------------------
/** The parser as the standalone template content/parser/GuardDutyFindings.json deploys it (one source). */
export function parserItem(solution, contentDir) {
  const standalone = JSON.parse(readFileSync(path.join(contentDir, 'parser', 'GuardDutyFindings.json'), 'utf8'));
  const search = standalone.resources.find((r) => r.type === 'Microsoft.OperationalInsights/workspaces/savedSearches');
  const savedSearchName = /'\/([^']+)'\)\]$/.exec(search.name)[1];
  const p = search.properties;
  const item = {
    kind: 'Parser', key: `Parser/${p.functionAlias}`, contentId: `${p.functionAlias}-Parser`,
    version: solution.itemVersions.Parser, displayName: p.functionAlias, summary: p.displayName,
  };
  const parentId = `[resourceId('Microsoft.OperationalInsights/workspaces/savedSearches', ${WORKSPACE}, ${quote(savedSearchName)})]`;
  const savedSearch = {
    type: 'Microsoft.OperationalInsights/workspaces/savedSearches',
    apiVersion: '2022-10-01',
    name: `[concat(${WORKSPACE}, '/', ${quote(savedSearchName)})]`,
    location: LOCATION,
    properties: literal({
      eTag: '*',
      displayName: p.displayName,
      category: p.category,
      functionAlias: p.functionAlias,
      functionParameters: p.functionParameters,
      query: p.query,
      version: 2,
      tags: [{ name: 'description', value: standalone.metadata.description }],
    }),
  };
  item.resources = [savedSearch, metadata(solution, item, parentId)];
  item.topLevel = [savedSearch, { ...metadata(solution, item, parentId), dependsOn: [parentId] }];
  return item;
}

// ---- workbook --------------------------------------------------------------------------------------
export function workbookItem(solution, contentDir, connectorId, parserContentId) {
  const file = path.join(contentDir, 'workbooks', 'GuardDuty.json');
  const workbook = JSON.parse(readFileSync(file, 'utf8'));
  const contentId = `${workbook.fromTemplateId.replace(/^sentinel-/, '')}Workbook`;
  const summary = 'Findings by severity, tactic, type, resource and remote IP (with a map), the newest findings with links to the GuardDuty console, pipeline health (ingestion delay, last row per table, findings left out as samples or archived), and the classic queries on AWSGuardDuty and AWSGuardDuty_CL.';
  const item = {
    kind: 'Workbook', key: 'Workbook/GuardDuty', contentId,
    version: solution.itemVersions.Workbook, displayName: "[parameters('workbook-name')]", summary,
  };
  const parentId = `[resourceId('Microsoft.Insights/workbooks', ${quote(contentId)})]`;
  item.resources = [
    {
      type: 'Microsoft.Insights/workbooks',
      name: literal(contentId),
      location: LOCATION,
      kind: 'shared',
      apiVersion: '2021-08-01',
      metadata: { description: summary },
      properties: {
        displayName: "[parameters('workbook-name')]",
        serializedData: literal(JSON.stringify(workbook)),
        version: '1.0',
        sourceId: "[variables('workspaceResourceId')]",
        category: 'sentinel',
      },
    },
    metadata(solution, item, parentId, {
      description: summary,
      dependencies: {
        operator: 'AND',
        criteria: [
          { contentId: literal(connectorId), kind: 'DataConnector' },
          { contentId: literal(parserContentId), kind: 'Parser' },
        ],
      },
    }),
  ];
  item.topLevel = [];
  return item;
}

// ---- hunting queries and analytics rules -----------------------------------------------------------
function readYaml(file) {
  const doc = YAML.parseDocument(readFileSync(file, 'utf8'), { uniqueKeys: true });
  if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0].message}`);
  return doc.toJS();
}

function oneLine(text) {
  return String(text).trim().replace(/\s*\n\s*/g, ' ');
}

/** MITRE ids as the SecurityInsights API takes them: parent techniques and sub-techniques apart. */
function splitTechniques(ids) {
  const techniques = [...new Set(ids.map((t) => t.slice(0, 5)))];
  const subTechniques = ids.filter((t) => t.includes('.'));
  return { techniques, subTechniques };
}

/** Adds this solution's connector to the connectors of a query that reads the GuardDuty tables. */
function withOwnConnector(connectors, connectorId) {
  const out = connectors.map((c) => ({ connectorId: c.connectorId, dataTypes: [...c.dataTypes] }));
  if (out.some((c) => c.dataTypes.includes('AWSGuardDuty'))) {
    out.push({ connectorId, dataTypes: ['AWSGuardDuty', 'AWSGuardDuty_CL'] });
  }
  return out;
}

const HUNTING_KEYS = ['id', 'name', 'description', 'requiredDataConnectors', 'tactics', 'relevantTechniques', 'query', 'entityMappings', 'version'];

export function huntingItem(solution, file, connectorId) {
  const y = readYaml(file);
  const unknown = Object.keys(y).filter((k) => !HUNTING_KEYS.includes(k));
  if (unknown.length) throw new Error(`${file}: the generator does not know how to package ${unknown.join(', ')}`);
  const stem = path.basename(file).replace(/\.ya?ml$/, '');
  const item = {
    kind: 'HuntingQuery', key: `HuntingQuery/${stem}`, contentId: y.id, version: y.version,
    displayName: y.name, summary: oneLine(y.description), file,
  };
  const parentId = `[resourceId('Microsoft.OperationalInsights/savedSearches', ${quote(y.id)})]`;
  item.resources = [
    {
      type: 'Microsoft.OperationalInsights/savedSearches',
      apiVersion: '2022-10-01',
      name: literal(y.id),
      location: LOCATION,
      properties: literal({
        eTag: '*',
        displayName: y.name,
        category: 'Hunting Queries',
        query: y.query,
        version: 2,
        tags: [
          { name: 'description', value: oneLine(y.description) },
          { name: 'tactics', value: y.tactics.join(',') },
          { name: 'techniques', value: y.relevantTechniques.join(',') },
        ],
      }),
    },
    metadata(solution, item, parentId, { description: literal(y.name) }),
  ];
  item.topLevel = [];
  return item;
}

// `tags` marks a rule for our own validator (PipelineHealth); alert rule templates have no such field.
const RULE_KEYS = ['id', 'name', 'description', 'severity', 'status', 'requiredDataConnectors', 'queryFrequency',
  'queryPeriod', 'triggerOperator', 'triggerThreshold', 'tactics', 'relevantTechniques', 'query', 'entityMappings',
  'customDetails', 'alertDetailsOverride', 'eventGroupingSettings', 'incidentConfiguration', 'version', 'kind', 'tags'];

function incidentConfiguration(config) {
  if (!config) return undefined;
  const grouping = config.groupingConfiguration;
  if (!grouping) return { ...config };
  return { ...config, groupingConfiguration: { ...grouping, lookbackDuration: isoDuration(grouping.lookbackDuration) } };
}

export function ruleItem(solution, file, connectorId) {
  const y = readYaml(file);
  const unknown = Object.keys(y).filter((k) => !RULE_KEYS.includes(k));
  if (unknown.length) throw new Error(`${file}: the generator does not know how to package ${unknown.join(', ')}`);
  if (y.kind !== 'Scheduled') throw new Error(`${file}: kind ${y.kind}: only Scheduled rules are packaged`);
  const operator = TRIGGER_OPERATORS[y.triggerOperator];
  if (!operator) throw new Error(`${file}: unknown triggerOperator ${y.triggerOperator}`);
  const stem = path.basename(file).replace(/\.ya?ml$/, '');
  const item = {
    kind: 'AnalyticsRule', key: `AnalyticsRule/${stem}`, contentId: y.id, version: y.version,
    displayName: y.name, summary: oneLine(y.description), file,
  };
  const { techniques, subTechniques } = splitTechniques(y.relevantTechniques);
  const properties = {
    description: y.description.trim(),
    displayName: y.name,
    enabled: false,
    query: y.query,
    queryFrequency: isoDuration(y.queryFrequency),
    queryPeriod: isoDuration(y.queryPeriod),
    severity: y.severity,
    suppressionDuration: 'PT1H',
    suppressionEnabled: false,
    triggerOperator: operator,
    triggerThreshold: y.triggerThreshold,
    status: y.status,
    requiredDataConnectors: withOwnConnector(y.requiredDataConnectors, connectorId),
    tactics: y.tactics,
    techniques,
    subTechniques,
    entityMappings: y.entityMappings,
    customDetails: y.customDetails,
    alertDetailsOverride: y.alertDetailsOverride,
    eventGroupingSettings: y.eventGroupingSettings,
    incidentConfiguration: incidentConfiguration(y.incidentConfiguration),
  };
  for (const k of Object.keys(properties)) if (properties[k] === undefined) delete properties[k];
  const parentId = `[resourceId('Microsoft.SecurityInsights/AlertRuleTemplates', ${quote(y.id)})]`;
  item.resources = [
    {
      type: 'Microsoft.SecurityInsights/AlertRuleTemplates',
      name: literal(y.id),
      apiVersion: '2023-02-01-preview',
      kind: 'Scheduled',
      location: LOCATION,
      properties: literal(properties),
    },
    metadata(solution, item, parentId, { description: literal(y.name) }),
  ];
  item.topLevel = [];
  return item;
}
