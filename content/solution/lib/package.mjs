// Assembles the solution package from content/: mainTemplate.json (every item as a contentTemplate,
// the contentPackage, and the optional ingestion deployment from content/azure/) and its
// createUiDefinition.json. Pure: reads files, returns objects; build.mjs writes them.
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import {
  LOCATION, WORKSPACE, contentProductId, literal, quote, sentinelName, sentinelResourceId, templateSpecName,
} from './arm.mjs';
import {
  KINDS, dataConnectorItem, huntingItem, parserItem, ruleItem, workbookItem,
} from './items.mjs';
import { itemDigest } from './registry.mjs';
import { createUiDefinition } from './ui.mjs';

const SCHEMA = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#';
export const INGESTION_SCHEMAS = ['native', 'legacy'];

function yamlFiles(dir) {
  return readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort().map((f) => path.join(dir, f));
}

/** Every content item, in package order: connector, parser, workbook, hunting queries, rules. */
export function collectItems(solution, contentDir) {
  const connector = dataConnectorItem(solution, contentDir);
  const parser = parserItem(solution, contentDir);
  return [
    connector,
    parser,
    workbookItem(solution, contentDir, connector.contentId, parser.contentId),
    ...yamlFiles(path.join(contentDir, 'hunting')).map((f) => huntingItem(solution, f, connector.contentId)),
    ...yamlFiles(path.join(contentDir, 'analytics')).map((f) => ruleItem(solution, f, connector.contentId)),
  ];
}

function contentTemplate(solution, item) {
  const abbreviation = KINDS[item.kind];
  const productId = contentProductId(abbreviation, item.kind, item.contentId, item.version);
  return {
    type: 'Microsoft.OperationalInsights/workspaces/providers/contentTemplates',
    apiVersion: '2023-04-01-preview',
    name: templateSpecName(abbreviation, item.contentId),
    location: LOCATION,
    dependsOn: [`[${sentinelResourceId('contentPackages', "variables('_solutionId')")}]`],
    properties: {
      description: literal(`${solution.name}: ${item.kind} ${item.key.split('/')[1]}, version ${item.version}`),
      mainTemplate: {
        $schema: SCHEMA,
        contentVersion: item.version,
        parameters: {},
        variables: {},
        resources: item.resources,
      },
      packageKind: 'Solution',
      packageVersion: "[variables('_solutionVersion')]",
      packageName: "[variables('_solutionName')]",
      packageId: "[variables('_solutionId')]",
      contentSchemaVersion: '3.0.0',
      contentId: literal(item.contentId),
      contentKind: item.kind,
      displayName: item.displayName.startsWith('[parameters(') ? item.displayName : literal(item.displayName),
      contentProductId: productId,
      id: productId,
      version: item.version,
    },
  };
}

function escapeHtml(text) {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function countsLine(items, html) {
  const n = (kind) => items.filter((i) => i.kind === kind).length;
  const parts = [['Data Connectors', 'DataConnector'], ['Parsers', 'Parser'], ['Workbooks', 'Workbook'],
    ['Analytic Rules', 'AnalyticsRule'], ['Hunting Queries', 'HuntingQuery']];
  return parts.map(([label, kind]) => (html ? `<strong>${label}:</strong> ${n(kind)}` : `**${label}:** ${n(kind)}`)).join(', ');
}

function contentPackage(solution, items) {
  return {
    type: 'Microsoft.OperationalInsights/workspaces/providers/contentPackages',
    apiVersion: '2023-04-01-preview',
    name: sentinelName("variables('_solutionId')"),
    location: LOCATION,
    properties: {
      version: solution.version,
      kind: 'Solution',
      contentSchemaVersion: '3.0.0',
      displayName: literal(solution.name),
      publisherDisplayName: literal(solution.publisherDisplayName),
      descriptionHtml: literal(`<p>${escapeHtml(solution.description)}</p>\n<p>${countsLine(items, true)}</p>`),
      contentKind: 'Solution',
      contentProductId: "[variables('_solutioncontentProductId')]",
      id: "[variables('_solutioncontentProductId')]",
      contentId: "[variables('_solutionId')]",
      parentId: "[variables('_solutionId')]",
      source: { kind: 'Solution', name: literal(solution.name), sourceId: "[variables('_solutionId')]" },
      author: literal(solution.author),
      support: literal(solution.support),
      dependencies: {
        operator: 'AND',
        criteria: items.map((i) => ({ kind: i.kind, contentId: literal(i.contentId), version: i.version })),
      },
      firstPublishDate: solution.firstPublishDate,
      providers: literal(solution.providers),
      categories: literal(solution.categories),
    },
  };
}

/** The DCR, table and role of one schema: content/azure/gd2sentinel-<schema>.json as a nested deployment. */
function ingestionDeployment(contentDir, schema) {
  const template = JSON.parse(readFileSync(path.join(contentDir, 'azure', `gd2sentinel-${schema}.json`), 'utf8'));
  return {
    type: 'Microsoft.Resources/deployments',
    apiVersion: '2022-09-01',
    name: `gd2sentinel-ingestion-${schema}`,
    condition: `[equals(parameters('ingestionSchema'), ${quote(schema)})]`,
    properties: {
      mode: 'Incremental',
      expressionEvaluationOptions: { scope: 'inner' },
      parameters: {
        workspaceName: { value: `[${WORKSPACE}]` },
        dataCollectionRuleName: { value: "[parameters('dataCollectionRuleName')]" },
        principalId: { value: "[parameters('principalId')]" },
        principalType: { value: "[parameters('principalType')]" },
      },
      template,
    },
  };
}

/** An output of whichever ingestion deployment ran, '' when none did. */
function ingestionOutput(name) {
  const ref = (schema) => `reference(resourceId('Microsoft.Resources/deployments', 'gd2sentinel-ingestion-${schema}'), '2022-09-01').outputs.${name}.value`;
  return {
    type: 'string',
    value: `[if(equals(parameters('ingestionSchema'), 'native'), ${ref('native')}, if(equals(parameters('ingestionSchema'), 'legacy'), ${ref('legacy')}, ''))]`,
  };
}

function parameters(solution) {
  return {
    workspace: {
      type: 'string',
      metadata: { description: 'Name of the Log Analytics workspace with Microsoft Sentinel, in this resource group' },
    },
    'workspace-location': {
      type: 'string',
      defaultValue: '',
      metadata: { description: "Region of the workspace; empty takes the workspace's own (the portal fills it in)" },
    },
    'workbook-name': {
      type: 'string',
      defaultValue: literal(solution.name),
      minLength: 1,
      metadata: { description: 'Display name of the workbook' },
    },
    ingestionSchema: {
      type: 'string',
      defaultValue: 'none',
      allowedValues: ['none', ...INGESTION_SCHEMAS],
      metadata: { description: "Also create gd2sentinel's data collection rule and its role assignment: native (table AWSGuardDuty), legacy (creates AWSGuardDuty_CL), or none" },
    },
    principalId: {
      type: 'string',
      defaultValue: '',
      metadata: { description: "With ingestionSchema native or legacy: object id of gd2sentinel's identity (service principal or managed identity), given Monitoring Metrics Publisher on the rule" },
    },
    principalType: {
      type: 'string',
      defaultValue: 'ServicePrincipal',
      allowedValues: ['ServicePrincipal', 'Group', 'User'],
      metadata: { description: 'Kind of that identity' },
    },
    dataCollectionRuleName: {
      type: 'string',
      defaultValue: 'gd2sentinel-guardduty',
      metadata: { description: 'Name of the data collection rule to create' },
    },
  };
}

export function buildPackage(contentDir) {
  const solution = JSON.parse(readFileSync(path.join(contentDir, 'solution', 'solution.json'), 'utf8'));
  const items = collectItems(solution, contentDir);
  const resources = [];
  const digests = new Map();
  for (const item of items) {
    const template = contentTemplate(solution, item);
    digests.set(item.key, itemDigest(template));
    resources.push(template, ...item.topLevel);
  }
  resources.push(contentPackage(solution, items));
  for (const schema of INGESTION_SCHEMAS) resources.push(ingestionDeployment(contentDir, schema));
  const mainTemplate = {
    $schema: SCHEMA,
    contentVersion: '1.0.0.0',
    metadata: {
      author: literal(solution.author.name),
      comments: literal(`Solution template for ${solution.name} ${solution.version}. Generated by content/solution/build.mjs from content/; do not edit.`),
    },
    parameters: parameters(solution),
    variables: {
      _solutionName: literal(solution.name),
      _solutionVersion: solution.version,
      _solutionId: literal(solution.solutionId),
      _solutioncontentProductId: `[concat(take(variables('_solutionId'), 50), '-sl-', uniqueString(concat(variables('_solutionId'), '-Solution-', variables('_solutionId'), '-', variables('_solutionVersion'))))]`,
      workspaceResourceId: `[resourceId('Microsoft.OperationalInsights/workspaces', ${WORKSPACE})]`,
    },
    resources,
    outputs: {
      gd2sentinelConfig: ingestionOutput('gd2sentinelConfig'),
      logsIngestionEndpoint: ingestionOutput('logsIngestionEndpoint'),
      dataCollectionRuleImmutableId: ingestionOutput('dataCollectionRuleImmutableId'),
    },
  };
  return {
    solution,
    items: items.map(({ kind, key, contentId, version }) => ({ kind, key, contentId, version, digest: digests.get(key) })),
    mainTemplate,
    createUiDefinition: createUiDefinition(solution, items),
  };
}

/** The files as build.mjs writes them (2-space JSON, final newline). */
export function renderPackage(pkg) {
  return {
    'mainTemplate.json': `${JSON.stringify(pkg.mainTemplate, null, 2)}\n`,
    'createUiDefinition.json': `${JSON.stringify(pkg.createUiDefinition, null, 2)}\n`,
  };
}
