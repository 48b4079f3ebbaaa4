// The GuardDutyFindings parser: its source file, its deployable ARM definition, and checks on its logic
// that can be made without a Kusto engine (MITRE table literals, severity bands).
import { readFileSync } from 'node:fs';
import { TACTICS, TECHNIQUE_RE, TECHNIQUE_TACTICS } from './sentinel.mjs';

export const FUNCTION_NAME = 'GuardDutyFindings';

/** Reads the .kql file: {params: "IncludeSample:bool = false, ...", body: text}. */
export function readParser(file) {
  const body = readFileSync(file, 'utf8');
  const m = /^\/\/\s*FunctionParameters:\s*(.*)$/m.exec(body);
  if (!m) throw new Error(`${file}: missing the '// FunctionParameters: ...' line`);
  return { params: m[1].trim(), body };
}

/** The ARM definition must deploy exactly the .kql file as function GuardDutyFindings. */
export function checkArm(armText, parser) {
  const errors = [];
  let arm;
  try { arm = JSON.parse(armText); } catch (e) { return [`not JSON: ${e.message}`]; }
  if (!String(arm.$schema || '').includes('deploymentTemplate.json')) errors.push('$schema is not an ARM deployment template');
  const res = (arm.resources || []).filter((r) => r.type === 'Microsoft.OperationalInsights/workspaces/savedSearches');
  if (res.length !== 1) return errors.concat([`expected one Microsoft.OperationalInsights/workspaces/savedSearches resource, found ${res.length}`]);
  const p = res[0].properties || {};
  if (p.functionAlias !== FUNCTION_NAME) errors.push(`functionAlias is '${p.functionAlias}', expected ${FUNCTION_NAME}`);
  if (p.functionParameters !== parser.params) errors.push(`functionParameters '${p.functionParameters}' differ from the .kql file ('${parser.params}')`);
  if (p.query !== parser.body) errors.push('query differs from GuardDutyFindings.kql: run node content/parser/build-arm.mjs');
  if (!res[0].apiVersion) errors.push('apiVersion missing');
  return errors;
}

/**
 * Checks every MITRE literal of the parser, dynamic({"ta": [...], "te": [...]}): tactics are valid
 * Sentinel names, technique ids are well-formed, and every tactic of every technique is listed.
 * Also checks that the parser's ValidTactics list equals the validator's tactic list.
 */
export function checkMitreLiterals(body) {
  const errors = [];
  const literals = [...body.matchAll(/dynamic\((\{\s*"ta"[^)]*\})\)/g)].map((m) => m[1]);
  if (literals.length < 10) errors.push(`found only ${literals.length} MITRE literals dynamic({"ta": ..., "te": ...})`);
  for (const lit of literals) {
    let v;
    try { v = JSON.parse(lit); } catch (e) { errors.push(`unparsable MITRE literal ${lit}`); continue; }
    for (const t of v.ta) if (!TACTICS.includes(t)) errors.push(`invalid tactic '${t}' in ${lit}`);
    for (const t of v.te) {
      if (!TECHNIQUE_RE.test(t)) { errors.push(`invalid technique '${t}' in ${lit}`); continue; }
      const needed = TECHNIQUE_TACTICS[t.slice(0, 5)];
      if (!needed) { errors.push(`technique ${t} is not in the validator's table (${lit})`); continue; }
      for (const tactic of needed) if (!v.ta.includes(tactic)) errors.push(`technique ${t} needs tactic ${tactic} in ${lit}`);
    }
    if (v.te.length > 0 && v.ta.length === 0) errors.push(`techniques without tactics in ${lit}`);
  }
  const vt = /let ValidTactics = dynamic\((\[[^\]]*\])\)/.exec(body);
  if (!vt) errors.push('missing let ValidTactics = dynamic([...])');
  else {
    const list = JSON.parse(vt[1]);
    const missing = TACTICS.filter((t) => !list.includes(t));
    const extra = list.filter((t) => !TACTICS.includes(t));
    if (missing.length || extra.length) errors.push(`ValidTactics differs from the Sentinel list (missing ${missing}, extra ${extra})`);
  }
  return errors;
}

/**
 * Evaluates the parser's severity case() expressions on the band boundaries (REFERENCE §12.1; §11.6
 * defect 2: 7 and 9 must not fall into "Unknown").
 */
export function checkSeverityBands(body) {
  const errors = [];
  const evalCase = (column) => {
    const m = new RegExp(`${column} = case\\(([^)]*)\\)`).exec(body);
    if (!m) { errors.push(`no '${column} = case(...)' found`); return null; }
    const args = m[1].split(',').map((s) => s.trim());
    const branches = [];
    for (let i = 0; i + 1 < args.length; i += 2) {
      const c = /^Severity >= ([\d.]+)$/.exec(args[i]);
      if (!c) { errors.push(`${column}: unsupported condition '${args[i]}' (use Severity >= N)`); return null; }
      branches.push([Number(c[1]), JSON.parse(args[i + 1])]);
    }
    const fallback = JSON.parse(args[args.length - 1]);
    return (sev) => { for (const [min, label] of branches) if (sev >= min) return label; return fallback; };
  };
  const expectations = {
    SeverityLabel: [[1, 'Low'], [3.9, 'Low'], [4, 'Medium'], [6.9, 'Medium'], [7, 'High'], [8.9, 'High'], [9, 'Critical'], [10, 'Critical']],
    AlertSeverity: [[1, 'Low'], [3.9, 'Low'], [4, 'Medium'], [6.9, 'Medium'], [7, 'High'], [8.9, 'High'], [9, 'High'], [10, 'High']],
  };
  for (const [column, cases] of Object.entries(expectations)) {
    const f = evalCase(column);
    if (!f) continue;
    for (const [sev, want] of cases) {
      const got = f(sev);
      if (got !== want) errors.push(`${column}(${sev}) = ${got}, expected ${want}`);
    }
  }
  return errors;
}

// The parser's output contract: columns the rules, hunting queries, workbook and README rely on.
export const PARSER_COLUMNS = {
  TimeGenerated: 'datetime', UpdatedAt: 'datetime', TimeCreated: 'datetime', IngestedAt: 'datetime',
  Id: 'string', Arn: 'string', AccountId: 'string', Region: 'string', ActivityType: 'string', Title: 'string',
  Description: 'string', Severity: 'real', SeverityLabel: 'string', AlertSeverity: 'string', FindingCount: 'long',
  ThreatPurpose: 'string', ResourceTypeAffected: 'string', ResourceType: 'string', ResourceRole: 'string',
  Tactics: 'string', Techniques: 'string', AlertTactic: 'string', Archived: 'bool', IsSample: 'bool',
  ConsoleLink: 'string', InstanceId: 'string', AccessKeyId: 'string', PrincipalId: 'string', UserName: 'string',
  PrincipalName: 'string', BucketName: 'string', ClusterName: 'string', KubernetesUser: 'string',
  RemoteIp: 'string', RemoteIps: 'dynamic', RemoteCountry: 'string', LocalIp: 'string', Domain: 'string',
  ResourceKey: 'string', SourceTable: 'string',
  // issue 17: alert once per finding, one owner per finding, entities that pivot
  FirstIngestedAt: 'datetime', IsNewFinding: 'bool', Escalated: 'bool', EscalationReason: 'string',
  PreviousSeverity: 'real', AlertRule: 'string', AccountName: 'string', AccountUPNSuffix: 'string',
  SessionName: 'string', PrincipalAccountId: 'string', HostName: 'string', HostDnsDomain: 'string',
  SequenceActors: 'dynamic', SequenceEndpoints: 'dynamic', SequenceResources: 'dynamic',
};

export function checkParserColumns(columns) {
  const errors = [];
  if (!columns) return ['the parser has no tabular result'];
  for (const [name, type] of Object.entries(PARSER_COLUMNS)) {
    const c = columns.find((x) => x.name === name);
    if (!c) errors.push(`output column ${name} missing`);
    else if (c.type !== type) errors.push(`output column ${name} is ${c.type}, expected ${type}`);
  }
  // union of legs with different types yields suffixed duplicates such as Severity_real / Severity_long
  for (const c of columns) {
    if (/_(string|real|long|int|bool|datetime|dynamic)$/.test(c.name)) errors.push(`type conflict between union legs: ${c.name}`);
    if (c.name.startsWith('_')) errors.push(`internal column ${c.name} leaks into the output`);
  }
  return errors;
}
