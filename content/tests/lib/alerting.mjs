// The structure that keeps GuardDuty rules quiet by construction (issue 17): every finding is owned by one
// rule (the parser's AlertRule column), every per-finding rule alerts only on its own findings when they are
// new or escalated, and every correlation rule counts new findings, never raw versions.
// These checks read the query text; the behaviour behind them is modelled in tests/scenarios.mjs.

/** Splits the arguments of a KQL call at top-level commas (strings and brackets respected). */
export function splitArguments(text) {
  const args = [];
  let depth = 0;
  let quote = null;      // the quote character of the string being read
  let verbatim = false;  // @"..." strings have no backslash escapes
  let current = '';
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    current += c;
    if (quote) {
      if (c === '\\' && !verbatim) { current += text[i + 1] || ''; i += 1; } else if (c === quote) quote = null;
      continue;
    }
    if (c === '"' || c === "'") { quote = c; verbatim = text[i - 1] === '@'; continue; }
    if ('([{'.includes(c)) depth += 1;
    if (')]}'.includes(c)) depth -= 1;
    if (c === ',' && depth === 0) { args.push(current.slice(0, -1).trim()); current = ''; }
  }
  if (current.trim()) args.push(current.trim());
  return args;
}

// The arguments of the first call that starts with marker (e.g. "AlertRule = case("), or null.
function argumentsOfCall(body, marker) {
  const start = body.indexOf(marker);
  if (start < 0) return null;
  let depth = 0;
  let quote = null;
  for (let i = start + marker.length - 1; i < body.length; i += 1) {
    const c = body[i];
    if (quote) { if (c === quote) quote = null; continue; }
    if (c === '"') { quote = c; continue; }
    if (c === '(') depth += 1;
    if (c === ')') { depth -= 1; if (depth === 0) return splitArguments(body.slice(start + marker.length, i)); }
  }
  return null;
}

/** The values the parser's `AlertRule = case(...)` can take, in precedence order (default last). */
export function alertRuleOwners(parserBody) {
  const args = argumentsOfCall(parserBody, 'AlertRule = case(');
  if (!args || args.length < 3 || args.length % 2 === 0) return [];
  const values = [];
  for (let i = 1; i < args.length; i += 2) values.push(args[i]);
  values.push(args[args.length - 1]);
  return values.map((v) => (/^"(\w+)"$/.exec(v) || [])[1]).filter(Boolean);
}

/** The conditions of `AlertRule = case(...)`, paired with their owner, for the scenario model's checks. */
export function alertRuleBranches(parserBody) {
  const args = argumentsOfCall(parserBody, 'AlertRule = case(') || [];
  const branches = [];
  for (let i = 0; i + 1 < args.length; i += 2) branches.push({ condition: args[i].replace(/\s+/g, ' '), owner: args[i + 1].replace(/"/g, '') });
  return branches;
}

const DURATION_RE = /^(\d+)([mhd])$/;

function letValue(query, name) {
  const m = new RegExp(`let\\s+${name}\\s*=\\s*([^;]+);`).exec(query);
  return m ? m[1].trim() : null;
}

function resolveDuration(query, arg) {
  if (DURATION_RE.test(arg)) return arg;
  const v = letValue(query, arg);
  return v && DURATION_RE.test(v) ? v : null;
}

/** True for a rule that raises one alert per finding (it carries the finding id as FindingId). */
export function isPerFindingRule(doc) {
  return Boolean(doc && doc.customDetails && doc.customDetails.FindingId === 'Id');
}

export const FLAG_FILTER_RE = /\|\s*where\s+AlertRule\s*==\s*"(\w+)"\s+and\s+\(IsNewFinding\s+or\s+Escalated\)/g;

/**
 * Errors of a GuardDuty rule's alerting structure. owners: the parser's AlertRule values.
 * Returns {errors, owner} (owner: the AlertRule value a per-finding rule claims, or null).
 */
export function checkAlertingStructure(doc, owners) {
  const errors = [];
  const query = String((doc && doc.query) || '');
  if (!/\bGuardDutyFindings\s*\(/.test(query)) return { errors, owner: null };
  // Windowing on IngestedAt takes every new version of a finding: GuardDuty re-exports a recurring finding
  // every 6 hours (or 15 minutes), so each re-export would alert.
  if (/(?<!First)\bIngestedAt\b/.test(query)) {
    errors.push('windows on IngestedAt: every re-export of a finding is a new version and would alert; filter on IsNewFinding/Escalated (or count FirstIngestedAt)');
  }
  const args = argumentsOfCall(query, 'GuardDutyFindings(');
  if (!args || args.length < 4) {
    errors.push('calls GuardDutyFindings() without ArrivalWindow and Lookback: pass (IncludeSample, IncludeArchived, <queryFrequency>, <queryPeriod>)');
  } else {
    const window = resolveDuration(query, args[2]);
    const lookback = resolveDuration(query, args[3]);
    if (window !== String(doc.queryFrequency)) errors.push(`ArrivalWindow ${args[2]} (${window}) must equal queryFrequency ${doc.queryFrequency}, or versions between runs are missed or alerted twice`);
    if (lookback !== String(doc.queryPeriod)) errors.push(`Lookback ${args[3]} (${lookback}) must equal queryPeriod ${doc.queryPeriod}: the rule sees no older versions`);
  }
  let owner = null;
  if (isPerFindingRule(doc)) {
    const filters = [...query.matchAll(FLAG_FILTER_RE)];
    const mentions = (query.match(/\bAlertRule\b/g) || []).length;
    if (filters.length !== 1 || mentions !== 1) {
      errors.push('a per-finding rule must filter `| where AlertRule == "<its owner>" and (IsNewFinding or Escalated)` exactly once and use AlertRule nowhere else: otherwise a plain re-export alerts, or two rules alert on one finding');
    } else {
      owner = filters[0][1];
      if (!owners.includes(owner)) errors.push(`AlertRule "${owner}" is not a value of the parser's AlertRule (${owners.join(', ')})`);
    }
    const g = doc.incidentConfiguration && doc.incidentConfiguration.groupingConfiguration;
    if (!g || !(g.groupByCustomDetails || []).includes('FindingId')) errors.push('a per-finding rule must group its alerts into one incident per finding (groupByCustomDetails: FindingId)');
    if (g && g.reopenClosedIncident !== true) errors.push('a per-finding rule must set reopenClosedIncident: true (only escalations can alert again, and they belong to the finding\'s incident)');
  } else if (!/\bIsNewFinding\b|\bFirstIngestedAt\b/.test(query)) {
    errors.push('a correlation rule over GuardDutyFindings() must count new findings (IsNewFinding or FirstIngestedAt), not latest versions');
  }
  return { errors, owner };
}

/** Cross-file check: every owner has exactly one rule, named after it. ruleOwners: [{file, stem, owner}]. */
export function checkOwnerCoverage(owners, ruleOwners) {
  const errors = [];
  for (const o of owners) {
    const rules = ruleOwners.filter((r) => r.owner === o);
    if (rules.length === 0) errors.push(`AlertRule "${o}" has no rule: its findings would never alert`);
    if (rules.length > 1) errors.push(`AlertRule "${o}" is claimed by ${rules.map((r) => r.file).join(' and ')}: one finding would raise two incidents`);
  }
  for (const r of ruleOwners) {
    if (r.owner && r.stem !== `GuardDuty_${r.owner}`) errors.push(`${r.file} claims AlertRule "${r.owner}"; name the file GuardDuty_${r.owner}.yaml`);
  }
  return errors;
}
