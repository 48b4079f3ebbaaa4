#!/usr/bin/env node
// Generates the Microsoft Sentinel solution package of gd2sentinel from content/ (never edit the
// package by hand): content/solution/Package/mainTemplate.json and createUiDefinition.json.
//
//   node content/solution/build.mjs                  write the package
//   node content/solution/build.mjs --register       also record the release in ids.json: new items, and
//                                                    new versions of changed items (never a new contentId)
//
// content/tests/solution-package.mjs fails when the committed package is not what this script writes,
// when a registered item's content id changed, when an item changed without a version bump, and when
// the registry does not record the package's versions.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildPackage, renderPackage } from './lib/package.mjs';
import { register } from './lib/registry.mjs';

const SOLUTION = path.dirname(new URL(import.meta.url).pathname);
const CONTENT = path.resolve(SOLUTION, '..');

const pkg = buildPackage(CONTENT);
for (const [name, text] of Object.entries(renderPackage(pkg))) {
  writeFileSync(path.join(SOLUTION, 'Package', name), text);
  console.log(`wrote content/solution/Package/${name}`);
}

if (process.argv.includes('--register')) {
  const file = path.join(SOLUTION, 'ids.json');
  const { registry, notes, errors } = register(JSON.parse(readFileSync(file, 'utf8')), pkg);
  for (const n of notes) console.log(n);
  if (errors.length) {
    for (const e of errors) console.error(`not registered: ${e}`);
    process.exit(1);
  }
  writeFileSync(file, `${JSON.stringify(registry, null, 2)}\n`);
  console.log(`content/solution/ids.json: ${notes.length} change(s)`);
}
