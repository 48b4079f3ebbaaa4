// createUiDefinition.json of the solution: the portal's form for "Deploy a custom template" and for
// Content hub. Basics pick the workspace; one step per kind of content lists what gets installed; the
// ingestion step optionally creates gd2sentinel's data collection rule and role (its fields are shown,
// and so validated, only when a schema is chosen). Its outputs are the mainTemplate's parameters.

const GUID_REGEX = '^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$';

function text(name, value) {
  return { name, type: 'Microsoft.Common.TextBlock', options: { text: value } };
}

function link(name, label, uri) {
  return { name, type: 'Microsoft.Common.TextBlock', options: { link: { label, uri } } };
}

function section(name, label, summary) {
  return { name, type: 'Microsoft.Common.Section', label, elements: [text(`${name}-text`, summary)] };
}

function listStep(name, label, intro, learnMore, items, prefix) {
  return {
    name,
    label,
    subLabel: { preValidation: `Review the ${label.toLowerCase()}`, postValidation: 'Done' },
    bladeTitle: label,
    elements: [
      text(`${name}-text`, intro),
      link(`${name}-link`, 'Learn more', learnMore),
      ...items.map((item, i) => section(`${prefix}${i + 1}`, item.displayName, item.summary)),
    ],
  };
}

function ingestionStep() {
  const enabled = "[not(equals(steps('ingestion').ingestionSchema, 'none'))]";
  return {
    name: 'ingestion',
    label: 'Data collection rule',
    subLabel: { preValidation: 'Choose whether to create it', postValidation: 'Done' },
    bladeTitle: "gd2sentinel's data collection rule",
    elements: [
      text('ingestion-text', "gd2sentinel sends findings through a data collection rule (DCR) on which its identity holds the Monitoring Metrics Publisher role. Create them here, or later from content/azure/ of the gd2sentinel source tree. The deployment's output gd2sentinelConfig holds the [transform] and [sink.logs_ingestion] sections of gd2sentinel's config file."),
      {
        name: 'ingestionSchema',
        type: 'Microsoft.Common.DropDown',
        label: 'Schema',
        defaultValue: 'Do not create the rule',
        toolTip: 'native writes to AWSGuardDuty (Microsoft\'s table); legacy creates and writes to AWSGuardDuty_CL (the columns of the Logstash-era pipeline)',
        constraints: {
          allowedValues: [
            { label: 'Do not create the rule', value: 'none' },
            { label: 'native (AWSGuardDuty)', value: 'native' },
            { label: 'legacy (AWSGuardDuty_CL)', value: 'legacy' },
          ],
          required: true,
        },
        visible: true,
      },
      {
        name: 'principalId',
        type: 'Microsoft.Common.TextBox',
        label: "Object id of gd2sentinel's identity",
        toolTip: 'The object id of the service principal (enterprise application) of its app registration, or of its managed identity; not the application id',
        constraints: { required: true, regex: GUID_REGEX, validationMessage: 'An object id is a GUID' },
        visible: enabled,
      },
      {
        name: 'principalType',
        type: 'Microsoft.Common.DropDown',
        label: 'Kind of identity',
        defaultValue: 'Service principal or managed identity',
        constraints: {
          allowedValues: [
            { label: 'Service principal or managed identity', value: 'ServicePrincipal' },
            { label: 'Group', value: 'Group' },
            { label: 'User', value: 'User' },
          ],
          required: true,
        },
        visible: enabled,
      },
      {
        name: 'dataCollectionRuleName',
        type: 'Microsoft.Common.TextBox',
        label: 'Name of the data collection rule',
        defaultValue: 'gd2sentinel-guardduty',
        constraints: { required: true, regex: '^[A-Za-z0-9][A-Za-z0-9_.-]{1,63}$', validationMessage: 'Letters, digits, _ . - (2 to 64 characters)' },
        visible: enabled,
      },
    ],
  };
}

export function createUiDefinition(solution, items) {
  const of = (kind) => items.filter((i) => i.kind === kind);
  const counts = ['DataConnector', 'Parser', 'Workbook', 'AnalyticsRule', 'HuntingQuery'].map((k) => of(k).length);
  const description = `${solution.description}\n\n**Data Connectors:** ${counts[0]}, **Parsers:** ${counts[1]}, **Workbooks:** ${counts[2]}, **Analytic Rules:** ${counts[3]}, **Hunting Queries:** ${counts[4]}`;
  const connector = of('DataConnector')[0];
  const parser = of('Parser')[0];
  const workbook = of('Workbook')[0];
  return {
    $schema: 'https://schema.management.azure.com/schemas/0.1.2-preview/CreateUIDefinition.MultiVm.json#',
    handler: 'Microsoft.Azure.CreateUIDef',
    version: '0.1.2-preview',
    parameters: {
      config: {
        isWizard: false,
        basics: {
          description,
          location: { metadata: { hidden: 'The region comes from the workspace' }, visible: false },
          resourceGroup: { allowExisting: true },
        },
      },
      basics: [
        {
          name: 'getLAWorkspace',
          type: 'Microsoft.Solutions.ArmApiControl',
          toolTip: 'Lists the workspaces of the selected resource group',
          condition: '[greater(length(resourceGroup().name), 0)]',
          request: {
            method: 'GET',
            path: "[concat(subscription().id, '/providers/Microsoft.OperationalInsights/workspaces?api-version=2020-08-01')]",
          },
        },
        {
          name: 'workspace',
          type: 'Microsoft.Common.DropDown',
          label: 'Workspace',
          placeholder: 'Select a workspace',
          toolTip: 'The Microsoft Sentinel workspace, in the selected resource group',
          constraints: {
            allowedValues: "[map(filter(basics('getLAWorkspace').value, (filter) => contains(toLower(filter.id), toLower(resourceGroup().name))), (item) => parse(concat('{\"label\":\"', item.name, '\",\"value\":\"', item.name, '\"}')))]",
            required: true,
          },
          visible: true,
        },
      ],
      steps: [
        {
          name: 'dataconnectors',
          label: 'Data Connectors',
          bladeTitle: 'Data Connectors',
          elements: [
            text('dataconnectors1-text', `This solution installs the data connector card "${connector.displayName}". It shows whether findings arrive in AWSGuardDuty and AWSGuardDuty_CL and how to set up gd2sentinel (ending with gd2sentinel check --config FILE).`),
            text('dataconnectors-parser-text', `It also installs the parser function ${parser.displayName}(): ${parser.summary}.`),
            link('dataconnectors-link', 'Learn more about connecting data sources', 'https://learn.microsoft.com/azure/sentinel/connect-data-sources'),
          ],
        },
        ingestionStep(),
        {
          name: 'workbooks',
          label: 'Workbooks',
          subLabel: { preValidation: 'Name the workbook', postValidation: 'Done' },
          bladeTitle: 'Workbooks',
          elements: [
            text('workbooks-text', `This solution installs a workbook template. ${workbook.summary}`),
            {
              name: 'workbookName',
              type: 'Microsoft.Common.TextBox',
              label: 'Workbook name',
              defaultValue: solution.name,
              constraints: { required: true },
              visible: true,
            },
          ],
        },
        listStep('analytics', 'Analytics', 'This solution installs the following analytics rule templates (disabled until you create rules from them).',
          'https://learn.microsoft.com/azure/sentinel/detect-threats-built-in', of('AnalyticsRule'), 'analytic'),
        listStep('huntingqueries', 'Hunting Queries', 'This solution installs the following hunting queries.',
          'https://learn.microsoft.com/azure/sentinel/hunting', of('HuntingQuery'), 'huntingquery'),
      ],
      outputs: {
        workspace: "[basics('workspace')]",
        'workspace-location': "[first(map(filter(basics('getLAWorkspace').value, (filter) => and(contains(toLower(filter.id), toLower(resourceGroup().name)), equals(filter.name, basics('workspace')))), (item) => item.location))]",
        'workbook-name': "[steps('workbooks').workbookName]",
        ingestionSchema: "[steps('ingestion').ingestionSchema]",
        principalId: "[steps('ingestion').principalId]",
        principalType: "[steps('ingestion').principalType]",
        dataCollectionRuleName: "[steps('ingestion').dataCollectionRuleName]",
      },
    },
  };
}
