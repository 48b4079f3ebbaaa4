// The PASS/FAIL tally the deploy tests share: check() prints one line per check with its
// problems, mustFail() expects a problem in a deliberately broken copy, finish() prints the
// summary line and exits 1 when any check failed.
let passed = 0;
let failed = 0;

export function check(name, errors) {
  const list = (Array.isArray(errors) ? errors : [errors]).filter(Boolean);
  if (list.length === 0) passed += 1; else failed += 1;
  console.log(`${list.length ? 'FAIL' : 'PASS'} ${name}`);
  for (const e of list) console.log(`       ${e}`);
}

export function mustFail(name, errors) {
  const list = (Array.isArray(errors) ? errors : [errors]).filter(Boolean);
  check(`notices: ${name}`, list.length ? [] : ['the broken copy passed']);
}

export function finish(suite) {
  console.log(`${suite}: ${passed} checks passed${failed ? `, ${failed} failed` : ''}`);
  process.exit(failed ? 1 : 0);
}
