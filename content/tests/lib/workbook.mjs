// Azure Monitor workbook (Notebook/1.0) checks: structure, and every KQL query with its workbook
// parameters replaced by sample values so that it can be compiled (REFERENCE §11.3).

const GUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const VISUALIZATIONS = ['table', 'tiles', 'barchart', 'areachart', 'linechart', 'piechart', 'map', 'scatterchart',
  'timechart', 'categoricalbar', 'unstackedbar', 'graph', 'card'];

/** Every item of the workbook, groups (type 12) walked recursively, with a path for messages. */
export function walkItems(items, prefix = 'items') {
  const out = [];
  (items || []).forEach((item, i) => {
    const where = `${prefix}[${i}]${item && item.name ? ` '${item.name}'` : ''}`;
    out.push({ item, where });
    if (item && item.type === 12 && item.content) out.push(...walkItems(item.content.items, `${where}.items`));
  });
  return out;
}

/** Parameter name → substitution function(format) for compile-time sample values. */
function parameterValues(allItems) {
  const values = {};
  for (const { item } of allItems) {
    if (!item || item.type !== 9) continue;
    for (const p of item.content.parameters || []) {
      const quote = p.quote === undefined ? "'" : p.quote;
      if (p.type === 4) {
        values[p.name] = (fmt) => ({
          start: 'datetime(2024-01-01T00:00:00Z)',
          end: 'datetime(2024-01-02T00:00:00Z)',
          grain: '1h',
        }[fmt] || 'between (datetime(2024-01-01T00:00:00Z) .. datetime(2024-01-02T00:00:00Z))');
      } else if (p.type === 2) {
        let sample = p.multiSelect ? '*' : 'x';
        if (!p.multiSelect && p.jsonData) {
          const data = JSON.parse(p.jsonData);
          if (data.length) sample = String(data[0].value);
        }
        values[p.name] = () => `${quote}${sample}${quote}`;
      } else {
        values[p.name] = () => String(p.value === undefined ? 'x' : p.value);
      }
    }
  }
  return values;
}

/** Replaces {Param} and {Param:format}; returns {text, unknown: [names]}. */
export function substituteParameters(query, values) {
  const unknown = [];
  const text = query.replace(/\{([A-Za-z_]\w*)(?::(\w+))?\}/g, (all, name, fmt) => {
    if (!values[name]) { unknown.push(name); return all; }
    return values[name](fmt);
  });
  return { text, unknown };
}

/**
 * Structure errors of a workbook, and its queries ready to compile: [{where, title, text, unknown}].
 */
export function inspectWorkbook(wb) {
  const errors = [];
  const queries = [];
  if (!wb || wb.version !== 'Notebook/1.0') errors.push("version must be 'Notebook/1.0'");
  if (!Array.isArray(wb && wb.items) || wb.items.length === 0) { errors.push('items missing'); return { errors, queries }; }
  if (typeof wb.fromTemplateId !== 'string' || !wb.fromTemplateId.startsWith('sentinel-') || wb.fromTemplateId === 'sentinel-UserWorkbook') {
    errors.push("fromTemplateId must be 'sentinel-<Name>' and not sentinel-UserWorkbook");
  }
  if (/subscriptions\/[0-9a-fA-F-]{36}/.test(JSON.stringify(wb))) errors.push('workbook references a subscription id');
  const all = walkItems(wb.items);
  const values = parameterValues(all);
  const names = new Set();
  for (const { item, where } of all) {
    if (!item || typeof item.type !== 'number' || !item.content) { errors.push(`${where}: item needs type and content`); continue; }
    if (!item.name) errors.push(`${where}: item without name`);
    else if (names.has(item.name)) errors.push(`${where}: duplicate item name`);
    names.add(item.name);
    if (item.type === 3) {
      const c = item.content;
      if (c.version !== 'KqlItem/1.0') errors.push(`${where}: content.version must be KqlItem/1.0`);
      if (c.queryType !== 0 || c.resourceType !== 'microsoft.operationalinsights/workspaces') errors.push(`${where}: must be a Log Analytics query (queryType 0, workspace resourceType)`);
      if (c.visualization && !VISUALIZATIONS.includes(c.visualization)) errors.push(`${where}: unknown visualization ${c.visualization}`);
      if (c.timeContextFromParameter && !values[c.timeContextFromParameter]) errors.push(`${where}: timeContextFromParameter ${c.timeContextFromParameter} is not a parameter`);
      if (typeof c.query !== 'string' || !c.query.trim()) errors.push(`${where}: empty query`);
      else queries.push({ where, title: c.title || item.name, ...substituteParameters(c.query, values) });
    } else if (item.type === 9) {
      for (const p of item.content.parameters || []) {
        if (!GUID_RE.test(String(p.id))) errors.push(`${where}: parameter ${p.name} id is not a GUID`);
        if (p.query) queries.push({ where: `${where} parameter ${p.name}`, title: `parameter ${p.name}`, ...substituteParameters(p.query, values) });
      }
    }
  }
  return { errors, queries };
}
