// ARM template helpers for the solution generator: literal strings, ISO 8601 durations, and the
// expressions that name the workspace and the solution's content (Azure-Sentinel's V3 package layout).

/**
 * ARM evaluates every string that starts with "[" as an expression, also deep inside a resource's
 * properties (a contentTemplate's mainTemplate included). Content text (queries, descriptions) is
 * made literal by doubling the leading "[" ("[[" is ARM's escape for a literal "[").
 */
export function literal(value) {
  if (typeof value === 'string') return value.startsWith('[') ? `[${value}` : value;
  if (Array.isArray(value)) return value.map(literal);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, literal(v)]));
  }
  return value;
}

/** Azure-Sentinel YAML durations ("5m", "1h", "14d") as ISO 8601 ("PT5M", "PT1H", "P14D"); ISO passes. */
export function isoDuration(value) {
  const text = String(value);
  if (/^P(T?\d+[DHMS])+$/.test(text)) return text;
  const m = /^(\d+)([mhd])$/.exec(text);
  if (!m) throw new Error(`duration '${text}' is neither 5m/1h/1d style nor ISO 8601`);
  return m[2] === 'd' ? `P${m[1]}D` : `PT${m[1]}${m[2].toUpperCase()}`;
}

/** YAML trigger operators → the SecurityInsights API's names. */
export const TRIGGER_OPERATORS = { gt: 'GreaterThan', lt: 'LessThan', eq: 'Equal', ne: 'NotEqual' };

export const WORKSPACE = "parameters('workspace')";
export const WORKSPACE_ID = `resourceId('Microsoft.OperationalInsights/workspaces', ${WORKSPACE})`;

/**
 * The workspace's region: the workspace-location parameter (the portal fills it from the chosen
 * workspace), else the workspace's own location, so that a CLI deployment needs only `workspace`.
 */
export const LOCATION = `[if(empty(parameters('workspace-location')), reference(${WORKSPACE_ID}, '2022-10-01', 'Full').location, parameters('workspace-location'))]`;

/** An ARM string literal inside an expression. */
export function quote(text) {
  return `'${String(text).replace(/'/g, "''")}'`;
}

/** workspace/Microsoft.SecurityInsights/<name>: the name of a Sentinel extension resource. */
export function sentinelName(nameExpression) {
  return `[concat(${WORKSPACE}, '/Microsoft.SecurityInsights/', ${nameExpression})]`;
}

/** The id of a Sentinel resource of the workspace, e.g. dataConnectors/<contentId>. */
export function sentinelResourceId(type, nameExpression) {
  return `extensionResourceId(${WORKSPACE_ID}, 'Microsoft.SecurityInsights/${type}', ${nameExpression})`;
}

/**
 * contentProductId of an item: Azure-Sentinel's rule, the first 50 characters of the solution id,
 * the kind's abbreviation and uniqueString(solution id, kind, content id, version). It changes with
 * the version (a new product of the same content); the contentId never does.
 */
export function contentProductId(abbreviation, kind, contentId, version) {
  return `[concat(take(variables('_solutionId'), 50), '-', ${quote(abbreviation)}, '-', uniqueString(concat(variables('_solutionId'), '-', ${quote(kind)}, '-', ${quote(contentId)}, '-', ${quote(version)})))]`;
}

/** The name of an item's contentTemplate (template spec): derived from its contentId only. */
export function templateSpecName(abbreviation, contentId) {
  return sentinelName(`concat(${WORKSPACE}, '-', ${quote(abbreviation)}, '-', uniquestring(${quote(contentId)}))`);
}
