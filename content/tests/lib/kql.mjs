// KQL compilation with Kusto.Language (@kusto/language-service-next, pinned to 12.4.1 in package.json).
// The package is Kusto.Language transpiled by Bridge.NET: loading it defines the globals Bridge and Kusto.
// Overloaded constructors carry $ctorN suffixes that change between versions (REFERENCE §11.5).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
require('@kusto/language-service-next/bridge');
require('@kusto/language-service-next');

const { Bridge, Kusto } = globalThis;
const K = Kusto.Language;
const S = K.Symbols;

// Type names accepted in schema files; Kusto.Language's scalar names are on the right.
const TYPE_ALIASES = {
  string: 'string', datetime: 'datetime', date: 'datetime', int: 'int', long: 'long', real: 'real',
  double: 'real', bool: 'bool', boolean: 'bool', dynamic: 'dynamic', guid: 'guid', timespan: 'timespan',
  decimal: 'decimal',
};

export function scalarTypeName(type) {
  const name = TYPE_ALIASES[String(type).toLowerCase()];
  if (!name) throw new Error(`unknown column type '${type}'`);
  return name;
}

/** A table symbol from [{name, type}]. */
export function tableSymbol(tableName, columns) {
  const cols = columns.map((c) => new S.ColumnSymbol(c.name, S.ScalarTypes.GetSymbol(scalarTypeName(c.type))));
  return new S.TableSymbol.$ctor4(tableName, cols);
}

/** A user function symbol: params like "(a:bool = false)", body like "{ T | take 1 }". */
export function functionSymbol(name, params, body) {
  return new S.FunctionSymbol.$ctor16(name, params, body, null);
}

export function globalsWith(symbols) {
  const db = new S.DatabaseSymbol('sentinel', symbols);
  return K.GlobalState.Default.WithDatabase(db);
}

function lineCol(text, offset) {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const col = offset - before.lastIndexOf('\n');
  return `${line}:${col}`;
}

/**
 * Names and types only: {errors, columns} from ParseAndAnalyze, without the analyzers (lint) that
 * compile() adds. For text whose full compile() is done elsewhere in the same CI run.
 */
export function analyze(text, globals) {
  const code = K.KustoCode.ParseAndAnalyze(text, globals);
  const errors = Bridge.toArray(code.GetDiagnostics()).filter((d) => d.Severity === 'Error')
    .map((d) => `${d.Code} ${d.Message} (at ${lineCol(text, d.Start)})`);
  const rt = code.ResultType;
  const columns = rt && rt.Columns ? Bridge.toArray(rt.Columns).map((c) => ({ name: c.Name, type: c.Type ? c.Type.Name : '?' })) : null;
  return { errors, columns };
}

/**
 * Compiles a query. Returns {errors: [string], warnings: [string], columns: [{name, type}] | null}.
 * errors: compiler diagnostics of severity Error, plus analyzer diagnostics of severity Error/Warning
 * (e.g. KS501 isnull on strings, KS508 join without kind); analyzer suggestions are ignored.
 */
export function compile(text, globals) {
  const code = K.KustoCode.ParseAndAnalyze(text, globals);
  const errors = [];
  const warnings = [];
  for (const d of Bridge.toArray(code.GetDiagnostics())) {
    const msg = `${d.Code} ${d.Message} (at ${lineCol(text, d.Start)})`;
    if (d.Severity === 'Error') errors.push(msg); else warnings.push(msg);
  }
  if (errors.length === 0) {
    const script = K.Editor.CodeScript.From$1(text, globals);
    for (const block of Bridge.toArray(script.Blocks)) {
      const ct = new K.Utils.CancellationToken();
      for (const d of Bridge.toArray(block.Service.GetAnalyzerDiagnostics(true, ct))) {
        const msg = `${d.Code} ${d.Message} (at ${lineCol(text, block.Start + d.Start)})`;
        if (d.Severity === 'Error' || d.Severity === 'Warning') errors.push(`analyzer ${msg}`);
      }
    }
  }
  let columns = null;
  const rt = code.ResultType;
  if (rt && rt.Columns) {
    columns = Bridge.toArray(rt.Columns).map((c) => ({ name: c.Name, type: c.Type ? c.Type.Name : '?' }));
  }
  return { errors, warnings, columns };
}
