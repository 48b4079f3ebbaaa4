// Table schemas the content is compiled against.
// native/legacy: from `$GD2SENTINEL_BIN schema --name <n> --format json` when GD2SENTINEL_BIN is set
// (that is how ctest runs the validator), otherwise from the fixture tests/fixtures/gd2sentinel-schemas.json.
// AWSCloudTrail: fixture from REFERENCE.md Appendix.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { scalarTypeName } from './kql.mjs';

const FIXTURES = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures');

// Columns every Log Analytics table has; queries may reference them (REFERENCE §9.4).
const SYSTEM_COLUMNS = [
  { name: 'SourceSystem', type: 'string' },
  { name: 'TenantId', type: 'string' },
  { name: 'Type', type: 'string' },
  { name: '_BilledSize', type: 'real' },
  { name: '_IsBillable', type: 'string' },
  { name: '_ResourceId', type: 'string' },
  { name: '_SubscriptionId', type: 'string' },
];

function checkSchemaShape(schema, expectedName, origin) {
  if (!schema || typeof schema !== 'object') throw new Error(`${origin}: not a JSON object`);
  if (schema.name !== expectedName) throw new Error(`${origin}: name is '${schema.name}', expected '${expectedName}'`);
  if (typeof schema.table !== 'string' || !schema.table) throw new Error(`${origin}: missing 'table'`);
  if (!Array.isArray(schema.columns) || schema.columns.length === 0) throw new Error(`${origin}: missing 'columns'`);
  for (const c of schema.columns) {
    if (typeof c.name !== 'string' || typeof c.type !== 'string') throw new Error(`${origin}: bad column ${JSON.stringify(c)}`);
  }
  return schema;
}

function withSystemColumns(columns) {
  const names = new Set(columns.map((c) => c.name));
  return columns.concat(SYSTEM_COLUMNS.filter((c) => !names.has(c.name)));
}

/** Differences between the fixture and the given native/legacy schemas (for a drift note). */
export function fixtureDrift(schemas) {
  const fixture = JSON.parse(readFileSync(path.join(FIXTURES, 'gd2sentinel-schemas.json'), 'utf8'));
  const notes = [];
  for (const s of schemas.filter((x) => x.name === 'native' || x.name === 'legacy')) {
    const f = fixture.schemas.find((x) => x.name === s.name);
    const key = (c) => `${c.name}:${scalarTypeName(c.type)}`;
    const have = new Set(withSystemColumns(f.columns).map(key));
    const want = new Set(s.columns.map(key));
    const missing = [...want].filter((k) => !have.has(k));
    const extra = [...have].filter((k) => !want.has(k));
    if (f.table !== s.table) notes.push(`${s.name}: fixture table ${f.table}, binary ${s.table}`);
    if (missing.length) notes.push(`${s.name}: not in the fixture: ${missing.join(', ')}`);
    if (extra.length) notes.push(`${s.name}: only in the fixture: ${extra.join(', ')}`);
  }
  return notes;
}

/** Returns {source, schemas: [{name, table, columns}]} for native, legacy and cloudtrail. */
export function loadSchemas(env = process.env) {
  const result = [];
  let source;
  if (env.GD2SENTINEL_BIN) {
    source = `${env.GD2SENTINEL_BIN} schema --format json`;
    for (const name of ['native', 'legacy']) {
      const origin = `${env.GD2SENTINEL_BIN} schema --name ${name} --format json`;
      let out;
      try {
        out = execFileSync(env.GD2SENTINEL_BIN, ['schema', '--name', name, '--format', 'json'],
          { encoding: 'utf8', timeout: 60000, stdio: ['ignore', 'pipe', 'pipe'] });
      } catch (e) {
        throw new Error(`${origin} failed: ${e.message}`);
      }
      let parsed;
      try { parsed = JSON.parse(out); } catch (e) { throw new Error(`${origin}: output is not JSON: ${e.message}`); }
      result.push(checkSchemaShape(parsed, name, origin));
    }
  } else {
    const file = path.join(FIXTURES, 'gd2sentinel-schemas.json');
    source = `fixture ${path.relative(process.cwd(), file)} (GD2SENTINEL_BIN unset)`;
    const fixture = JSON.parse(readFileSync(file, 'utf8'));
    for (const name of ['native', 'legacy']) {
      result.push(checkSchemaShape(fixture.schemas.find((s) => s.name === name), name, file));
    }
  }
  const ctFile = path.join(FIXTURES, 'AWSCloudTrail.json');
  result.push(checkSchemaShape(JSON.parse(readFileSync(ctFile, 'utf8')), 'cloudtrail', ctFile));
  return { source, schemas: result.map((s) => ({ ...s, columns: withSystemColumns(s.columns) })) };
}
