// Azure-Sentinel analytics-rule and hunting-query format checks (REFERENCE §11.1, §11.2, §12.3).
// The rules mirror Azure-Sentinel's .script/tests/detectionTemplateSchemaValidation models; the data
// (tactic names, entity identifiers, technique → tactic table) is restated here, not copied.

export const TACTICS = [
  'InitialAccess', 'Execution', 'Persistence', 'PrivilegeEscalation', 'DefenseEvasion', 'CredentialAccess',
  'Discovery', 'LateralMovement', 'Collection', 'Exfiltration', 'CommandAndControl', 'Impact', 'PreAttack',
  'Reconnaissance', 'ResourceDevelopment', 'ImpairProcessControl', 'InhibitResponseFunction',
];

// MITRE ATT&CK (Enterprise) tactics of every technique the content uses, as Sentinel tactic names.
// Where Sentinel's own validator table (KillChainTechniquesHelper) adds a tactic, it is added here too,
// so content that passes here also passes there (e.g. T1595 → PreAttack and Reconnaissance).
// A technique missing from this table fails validation: add it with its tactics.
export const TECHNIQUE_TACTICS = {
  T1020: ['Exfiltration'],
  T1041: ['Exfiltration'],
  T1046: ['Discovery'],
  T1048: ['Exfiltration'],
  T1059: ['Execution'],
  T1070: ['DefenseEvasion'],
  T1071: ['CommandAndControl'],
  T1078: ['InitialAccess', 'Persistence', 'PrivilegeEscalation', 'DefenseEvasion'],
  T1087: ['Discovery'],
  T1090: ['CommandAndControl'],
  T1098: ['Persistence', 'PrivilegeEscalation'],
  T1110: ['CredentialAccess'],
  T1136: ['Persistence'],
  T1189: ['InitialAccess'],
  T1190: ['InitialAccess'],
  T1204: ['Execution'],
  T1485: ['Impact'],
  T1486: ['Impact'],
  T1496: ['Impact'],
  T1498: ['Impact'],
  T1526: ['Discovery'],
  T1530: ['Collection'],
  T1531: ['Impact'],
  T1537: ['Exfiltration'],
  T1548: ['PrivilegeEscalation', 'DefenseEvasion'],
  T1552: ['CredentialAccess'],
  T1562: ['DefenseEvasion'],
  T1565: ['Impact'],
  T1566: ['InitialAccess'],
  T1567: ['Exfiltration'],
  T1568: ['CommandAndControl'],
  T1571: ['CommandAndControl'],
  T1578: ['DefenseEvasion'],
  T1580: ['Discovery'],
  T1595: ['Reconnaissance', 'PreAttack'],
  T1609: ['Execution', 'Collection'],
  T1610: ['Execution', 'DefenseEvasion', 'Collection'],
  T1611: ['PrivilegeEscalation'],
  T1613: ['Discovery', 'CredentialAccess'],
};

export const TECHNIQUE_RE = /^T\d{4}(\.\d{3})?$/;

// Entity identifiers (EntityMappingIdentifiers.cs; Account also has CloudAppAccountId in current Sentinel).
// required: at least one of these identifier sets must be fully mapped.
export const ENTITIES = {
  Account: {
    ids: ['Name', 'FullName', 'NTDomain', 'DnsDomain', 'UPNSuffix', 'Sid', 'AadTenantId', 'AadUserId', 'PUID',
      'IsDomainJoined', 'DisplayName', 'ObjectGuid', 'CloudAppAccountId'],
    required: [['FullName'], ['Sid'], ['Name'], ['AadUserId'], ['PUID'], ['ObjectGuid']],
  },
  AzureResource: { ids: ['ResourceId'], required: [['ResourceId']] },
  CloudApplication: { ids: ['AppId', 'Name', 'InstanceName'], required: [['AppId'], ['Name']] },
  DNS: { ids: ['DomainName'], required: [['DomainName']] },
  File: { ids: ['Directory', 'Name'], required: [['Name']] },
  FileHash: { ids: ['Algorithm', 'Value'], required: [['Algorithm', 'Value']] },
  Host: {
    ids: ['DnsDomain', 'NTDomain', 'HostName', 'FullName', 'NetBiosName', 'AzureID', 'OMSAgentID', 'OSFamily',
      'OSVersion', 'IsDomainJoined'],
    required: [['FullName'], ['HostName'], ['NetBiosName'], ['AzureID'], ['OMSAgentID']],
  },
  IP: { ids: ['Address'], required: [['Address']] },
  Malware: { ids: ['Name', 'Category'], required: [['Name']] },
  Process: { ids: ['ProcessId', 'CommandLine', 'ElevationToken', 'CreationTimeUtc'], required: [['CommandLine'], ['ProcessId']] },
  SecurityGroup: { ids: ['DistinguishedName', 'SID', 'ObjectGuid'], required: [['DistinguishedName'], ['SID'], ['ObjectGuid']] },
  URL: { ids: ['Url'], required: [['Url']] },
  Mailbox: { ids: ['MailboxPrimaryAddress', 'DisplayName', 'Upn', 'ExternalDirectoryObjectId', 'RiskLevel'], required: [['MailboxPrimaryAddress']] },
  RegistryKey: { ids: ['Hive', 'Key'], required: [['Key'], ['Hive']] },
  RegistryValue: { ids: ['Name', 'Value', 'ValueType'], required: [['Name']] },
};

// Connector ids (ValidConnectorIds.json) and the tables they bring, for the GuardDuty and CloudTrail content.
export const CONNECTORS = { AWSS3: ['AWSGuardDuty', 'AWSCloudTrail'], AWS: ['AWSCloudTrail'] };

const SEVERITIES = ['Informational', 'Low', 'Medium', 'High'];
const TRIGGER_OPERATORS = ['gt', 'lt', 'eq', 'ne'];
const AGGREGATION_KINDS = ['SingleAlert', 'AlertPerResult'];
const ALERT_PROPERTIES = ['AlertLink', 'ConfidenceLevel', 'ConfidenceScore', 'ExtendedLinks', 'ProductComponentName',
  'ProductName', 'ProviderName', 'RemediationSteps', 'SubTechniques', 'Techniques'];
const GUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const VERSION_RE = /^(\d+\.)(\d+\.)(\d+)$/;
const COLUMN_RE = /^[a-zA-Z_]+\w*$/;
const CUSTOM_KEY_RE = /^[a-zA-Z]+\w*$/;
const PLACEHOLDER_RE = /\{\{([^}]*)\}\}/g;

// Columns that the parser guarantees to hold exactly one valid Sentinel tactic name (or be empty).
// ThreatPurpose is not one of them (REFERENCE §11.6 defect 1).
export const TACTIC_COLUMNS = ['AlertTactic'];

const RULE_KEYS = ['id', 'name', 'description', 'severity', 'status', 'requiredDataConnectors', 'queryFrequency',
  'queryPeriod', 'triggerOperator', 'triggerThreshold', 'tactics', 'relevantTechniques', 'query', 'entityMappings',
  'customDetails', 'alertDetailsOverride', 'eventGroupingSettings', 'incidentConfiguration', 'version', 'kind',
  'tags', 'metadata', 'suppressionEnabled', 'suppressionDuration'];
const RULE_REQUIRED = ['id', 'name', 'description', 'severity', 'requiredDataConnectors', 'queryFrequency',
  'queryPeriod', 'triggerOperator', 'triggerThreshold', 'tactics', 'relevantTechniques', 'query', 'entityMappings',
  'customDetails', 'alertDetailsOverride', 'eventGroupingSettings', 'version', 'kind'];
const HUNTING_KEYS = ['id', 'name', 'description', 'requiredDataConnectors', 'tactics', 'relevantTechniques', 'query',
  'entityMappings', 'version', 'tags', 'metadata'];
const HUNTING_REQUIRED = ['id', 'name', 'description', 'requiredDataConnectors', 'tactics', 'relevantTechniques',
  'query', 'entityMappings', 'version'];

/** "5m" / "1h" / "14d" → minutes, or null. */
export function durationMinutes(value) {
  const m = /^(\d+)([mhd])$/.exec(String(value));
  if (!m) return null;
  return Number(m[1]) * { m: 1, h: 60, d: 1440 }[m[2]];
}

function checkTacticsAndTechniques(doc, errors) {
  const tactics = doc.tactics;
  const techniques = doc.relevantTechniques;
  if (!Array.isArray(tactics)) { errors.push('tactics must be a list'); return; }
  if (!Array.isArray(techniques)) { errors.push('relevantTechniques must be a list'); return; }
  if (tactics.length === 0) errors.push('tactics is empty');
  for (const t of tactics) if (!TACTICS.includes(t)) errors.push(`invalid tactic '${t}' (valid: ${TACTICS.join(', ')})`);
  for (const t of techniques) {
    if (!TECHNIQUE_RE.test(String(t))) { errors.push(`invalid technique id '${t}'`); continue; }
    const base = String(t).slice(0, 5);
    const needed = TECHNIQUE_TACTICS[base];
    if (!needed) { errors.push(`technique ${t} is not in the validator's technique→tactic table; add it`); continue; }
    for (const tactic of needed) {
      if (!tactics.includes(tactic)) errors.push(`technique ${t} needs tactic ${tactic} in tactics`);
    }
  }
}

function checkConnectors(doc, errors) {
  const rdc = doc.requiredDataConnectors;
  if (!Array.isArray(rdc) || rdc.length === 0) { errors.push('requiredDataConnectors must be a non-empty list'); return; }
  const dataTypes = new Set();
  for (const c of rdc) {
    if (!c || !CONNECTORS[c.connectorId]) { errors.push(`unknown connectorId '${c && c.connectorId}'`); continue; }
    if (!Array.isArray(c.dataTypes) || c.dataTypes.length === 0) { errors.push(`connector ${c.connectorId}: dataTypes empty`); continue; }
    for (const d of c.dataTypes) {
      if (!CONNECTORS[c.connectorId].includes(d)) errors.push(`connector ${c.connectorId} does not bring data type '${d}'`);
      dataTypes.add(d);
    }
  }
  const q = String(doc.query || '');
  if (/\b(GuardDutyFindings|AWSGuardDuty(_CL)?)\b/.test(q) && !dataTypes.has('AWSGuardDuty')) {
    errors.push('query reads GuardDuty data but requiredDataConnectors lacks dataType AWSGuardDuty');
  }
  if (/\bAWSCloudTrail\b/.test(q) && !dataTypes.has('AWSCloudTrail')) {
    errors.push('query reads AWSCloudTrail but requiredDataConnectors lacks dataType AWSCloudTrail');
  }
}

function checkColumn(name, what, columns, errors) {
  if (typeof name !== 'string' || !COLUMN_RE.test(name)) { errors.push(`${what}: invalid column name '${name}'`); return; }
  if (columns && !columns.some((c) => c.name === name)) errors.push(`${what}: column '${name}' is not in the query output`);
}

function checkEntityMappings(mappings, columns, errors, max) {
  if (!Array.isArray(mappings) || mappings.length < 1 || mappings.length > max) {
    errors.push(`entityMappings must have 1-${max} entries`); return;
  }
  for (const m of mappings) {
    const spec = ENTITIES[m && m.entityType];
    if (!spec) { errors.push(`unknown entityType '${m && m.entityType}'`); continue; }
    const fms = m.fieldMappings;
    if (!Array.isArray(fms) || fms.length < 1 || fms.length > 3) { errors.push(`${m.entityType}: fieldMappings must have 1-3 entries`); continue; }
    const used = new Set();
    for (const f of fms) {
      if (!spec.ids.includes(f.identifier)) errors.push(`${m.entityType}: invalid identifier '${f.identifier}' (valid: ${spec.ids.join(', ')})`);
      if (used.has(f.identifier)) errors.push(`${m.entityType}: identifier '${f.identifier}' mapped twice`);
      used.add(f.identifier);
      checkColumn(f.columnName, `${m.entityType}.${f.identifier}`, columns, errors);
    }
    if (!spec.required.some((set) => set.every((id) => used.has(id)))) {
      errors.push(`${m.entityType}: needs one of the identifier sets ${spec.required.map((s) => s.join('+')).join(' | ')}`);
    }
  }
}

function checkPlaceholders(text, what, max, columns, errors) {
  const found = [...String(text).matchAll(PLACEHOLDER_RE)].map((m) => m[1]);
  if (found.length > max) errors.push(`${what}: ${found.length} placeholders, at most ${max}`);
  for (const p of found) checkColumn(p, `${what} placeholder`, columns, errors);
}

function checkAlertDetails(o, columns, errors) {
  if (!o || typeof o !== 'object') { errors.push('alertDetailsOverride must be a mapping'); return; }
  if (o.alertDisplayNameFormat !== undefined) {
    const s = String(o.alertDisplayNameFormat);
    if (s.length < 1 || s.length > 256) errors.push('alertDisplayNameFormat must be 1-256 characters');
    checkPlaceholders(s, 'alertDisplayNameFormat', 3, columns, errors);
  }
  if (o.alertDescriptionFormat !== undefined) {
    const s = String(o.alertDescriptionFormat);
    if (s.length < 1 || s.length > 5000) errors.push('alertDescriptionFormat must be 1-5000 characters');
    checkPlaceholders(s, 'alertDescriptionFormat', 3, columns, errors);
  }
  if (o.alertTacticsColumnName !== undefined) {
    if (!TACTIC_COLUMNS.includes(o.alertTacticsColumnName)) {
      errors.push(`alertTacticsColumnName '${o.alertTacticsColumnName}' is not a column guaranteed to hold a valid tactic (${TACTIC_COLUMNS.join(', ')})`);
    }
    checkColumn(o.alertTacticsColumnName, 'alertTacticsColumnName', columns, errors);
  }
  if (o.alertSeverityColumnName !== undefined) {
    checkColumn(o.alertSeverityColumnName, 'alertSeverityColumnName', columns, errors);
    const col = columns && columns.find((c) => c.name === o.alertSeverityColumnName);
    if (col && col.type !== 'string') errors.push(`alertSeverityColumnName '${col.name}' must be a string column (Informational/Low/Medium/High), is ${col.type}`);
  }
  for (const p of o.alertDynamicProperties || []) {
    if (!ALERT_PROPERTIES.includes(p.alertProperty)) errors.push(`alertDynamicProperties: unknown alertProperty '${p.alertProperty}'`);
    checkColumn(p.value, `alertDynamicProperties.${p.alertProperty}`, columns, errors);
  }
}

const ISO_DURATION_RE = /^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+S)?)?$/;
const MATCHING_METHODS = ['AllEntities', 'AnyAlert', 'Selected'];

function checkIncidentConfiguration(ic, customDetails, errors) {
  if (!ic || typeof ic.createIncident !== 'boolean') { errors.push('incidentConfiguration.createIncident must be true or false'); return; }
  const g = ic.groupingConfiguration;
  if (g === undefined) return;
  if (typeof g.enabled !== 'boolean') errors.push('groupingConfiguration.enabled must be true or false');
  if (!ISO_DURATION_RE.test(String(g.lookbackDuration))) errors.push(`groupingConfiguration.lookbackDuration '${g.lookbackDuration}' must be an ISO-8601 duration such as PT5H or P1D`);
  if (!MATCHING_METHODS.includes(g.matchingMethod)) errors.push(`groupingConfiguration.matchingMethod must be one of ${MATCHING_METHODS.join(', ')}`);
  for (const e of g.groupByEntities || []) if (!ENTITIES[e]) errors.push(`groupByEntities: unknown entity type '${e}'`);
  for (const a of g.groupByAlertDetails || []) if (!['DisplayName', 'Severity'].includes(a)) errors.push(`groupByAlertDetails: '${a}' must be DisplayName or Severity`);
  for (const k of g.groupByCustomDetails || []) {
    if (!customDetails || !(k in customDetails)) errors.push(`groupByCustomDetails: '${k}' is not a customDetails key`);
  }
  if (g.matchingMethod === 'Selected' && ![g.groupByEntities, g.groupByAlertDetails, g.groupByCustomDetails].some((l) => Array.isArray(l) && l.length)) {
    errors.push('groupingConfiguration with matchingMethod Selected needs something to group by');
  }
}

function checkCommon(doc, errors) {
  if (!GUID_RE.test(String(doc.id))) errors.push(`id '${doc.id}' is not a GUID`);
  if (typeof doc.name !== 'string' || doc.name.length === 0 || doc.name.length > 256) errors.push('name must be 1-256 characters');
  if (typeof doc.description !== 'string' || doc.description.trim().length === 0 || doc.description.length > 5000) {
    errors.push('description must be 1-5000 characters');
  }
  if (!VERSION_RE.test(String(doc.version)) || String(doc.version).length > 20) errors.push(`version '${doc.version}' must look like 1.0.0`);
  const q = doc.query;
  if (typeof q !== 'string' || q.length < 1 || q.length > 10000) errors.push('query must be 1-10000 characters');
  else if (/\b(search|union)\s+\*/.test(q)) errors.push('query must not use search * or union *');
  checkTacticsAndTechniques(doc, errors);
  checkConnectors(doc, errors);
}

function checkKeys(doc, allowed, required, errors) {
  for (const k of Object.keys(doc)) if (!allowed.includes(k)) errors.push(`unknown key '${k}'`);
  for (const k of required) if (doc[k] === undefined || doc[k] === null) errors.push(`missing required key '${k}'`);
}

/** Format errors of an analytics rule. columns: the query's output columns (null if it did not compile). */
export function checkRule(doc, columns) {
  const errors = [];
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return ['not a YAML mapping'];
  checkKeys(doc, RULE_KEYS, RULE_REQUIRED, errors);
  checkCommon(doc, errors);
  if (!['Scheduled', 'NRT'].includes(doc.kind)) errors.push(`kind '${doc.kind}' must be Scheduled or NRT`);
  if (!SEVERITIES.includes(doc.severity)) errors.push(`severity '${doc.severity}' must be one of ${SEVERITIES.join(', ')}`);
  if (doc.kind === 'Scheduled') {
    const f = durationMinutes(doc.queryFrequency);
    const p = durationMinutes(doc.queryPeriod);
    if (f === null) errors.push(`queryFrequency '${doc.queryFrequency}' must look like 5m, 1h or 1d`);
    if (p === null) errors.push(`queryPeriod '${doc.queryPeriod}' must look like 5m, 1h or 1d`);
    if (f !== null && (f < 5 || f > 14 * 1440)) errors.push(`queryFrequency ${doc.queryFrequency} outside 5m-14d`);
    if (p !== null && (p < 5 || p > 14 * 1440)) errors.push(`queryPeriod ${doc.queryPeriod} outside 5m-14d`);
    if (f !== null && p !== null && p < f) errors.push(`queryPeriod ${doc.queryPeriod} is shorter than queryFrequency ${doc.queryFrequency}`);
    if (f !== null && p !== null && p >= 2 * 1440 && f < 60) errors.push('queryPeriod >= 2d needs queryFrequency >= 1h');
    if (!TRIGGER_OPERATORS.includes(doc.triggerOperator)) errors.push(`triggerOperator '${doc.triggerOperator}' must be one of ${TRIGGER_OPERATORS.join(', ')}`);
    if (!Number.isInteger(doc.triggerThreshold) || doc.triggerThreshold < 0 || doc.triggerThreshold > 10000) {
      errors.push('triggerThreshold must be an integer 0-10000');
    }
  }
  checkEntityMappings(doc.entityMappings, columns, errors, 5);
  const cd = doc.customDetails;
  if (cd !== undefined) {
    if (!cd || typeof cd !== 'object' || Array.isArray(cd)) errors.push('customDetails must be a mapping');
    else {
      const keys = Object.keys(cd);
      if (keys.length < 1 || keys.length > 20) errors.push('customDetails must have 1-20 keys');
      for (const k of keys) {
        if (!CUSTOM_KEY_RE.test(k) || k.length > 20) errors.push(`customDetails key '${k}' must match ^[a-zA-Z]+\\w*$ and be at most 20 characters`);
        checkColumn(cd[k], `customDetails.${k}`, columns, errors);
      }
    }
  }
  if (doc.alertDetailsOverride !== undefined) checkAlertDetails(doc.alertDetailsOverride, columns, errors);
  const eg = doc.eventGroupingSettings;
  if (eg !== undefined && (!eg || !AGGREGATION_KINDS.includes(eg.aggregationKind))) {
    errors.push(`eventGroupingSettings.aggregationKind must be one of ${AGGREGATION_KINDS.join(', ')}`);
  }
  if (doc.incidentConfiguration !== undefined) checkIncidentConfiguration(doc.incidentConfiguration, doc.customDetails, errors);
  // gd2sentinel policy: GuardDuty rules go through the parser, which drops sample and archived
  // findings and keeps the latest version of each finding (REFERENCE §11.6 defect 4).
  // A pipeline-health rule (tag PipelineHealth) counts every arriving row, so it reads the tables on purpose;
  // it must not call the parser or alert on findings.
  const pipelineHealth = Array.isArray(doc.tags) && doc.tags.includes('PipelineHealth');
  if (pipelineHealth && /\bGuardDutyFindings\s*\(/.test(String(doc.query || ''))) {
    errors.push('a PipelineHealth rule reads the tables, not GuardDutyFindings()');
  }
  if (!pipelineHealth && /\bAWSGuardDuty(_CL)?\b/.test(String(doc.query || ''))) {
    errors.push('rule reads AWSGuardDuty/AWSGuardDuty_CL directly; use GuardDutyFindings() (sample/archived hygiene, latest version per Id)');
  }
  return errors;
}

/** Format errors of a hunting query. */
export function checkHunting(doc, columns) {
  const errors = [];
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return ['not a YAML mapping'];
  checkKeys(doc, HUNTING_KEYS, HUNTING_REQUIRED, errors);
  checkCommon(doc, errors);
  checkEntityMappings(doc.entityMappings, columns, errors, 10);
  return errors;
}
