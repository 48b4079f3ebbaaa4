// Writes GuardDutyFindings.json (ARM template: a saved function in a Log Analytics workspace) from
// GuardDutyFindings.kql. Run after every change to the .kql file; the validator checks they agree.
//   node content/parser/build-arm.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

const dir = path.dirname(new URL(import.meta.url).pathname);
const body = readFileSync(path.join(dir, 'GuardDutyFindings.kql'), 'utf8');
const m = /^\/\/\s*FunctionParameters:\s*(.*)$/m.exec(body);
if (!m) throw new Error('GuardDutyFindings.kql: missing the // FunctionParameters: line');

const template = {
  $schema: 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#',
  contentVersion: '1.0.0.0',
  metadata: {
    description: 'gd2sentinel: the GuardDutyFindings function (normalised Amazon GuardDuty findings from AWSGuardDuty and AWSGuardDuty_CL). Generated from content/parser/GuardDutyFindings.kql.',
  },
  parameters: {
    workspaceName: {
      type: 'string',
      metadata: { description: 'Name of the Log Analytics workspace (Microsoft Sentinel) that receives the findings.' },
    },
    location: {
      type: 'string',
      defaultValue: '[resourceGroup().location]',
      metadata: { description: 'Region of the workspace.' },
    },
  },
  resources: [
    {
      type: 'Microsoft.OperationalInsights/workspaces/savedSearches',
      apiVersion: '2020-08-01',
      name: "[concat(parameters('workspaceName'), '/gd2sentinel-GuardDutyFindings')]",
      location: "[parameters('location')]",
      properties: {
        etag: '*',
        displayName: 'GuardDutyFindings: normalised Amazon GuardDuty findings (gd2sentinel)',
        category: 'gd2sentinel',
        functionAlias: 'GuardDutyFindings',
        functionParameters: m[1].trim(),
        query: body,
        version: 2,
      },
    },
  ],
};

writeFileSync(path.join(dir, 'GuardDutyFindings.json'), `${JSON.stringify(template, null, 2)}\n`);
console.log('wrote content/parser/GuardDutyFindings.json');
