#!/usr/bin/env node
// Generates the Microsoft Sentinel solution package of gd2sentinel from content/ (never edit the
// package by hand): content/solution/Package/mainTemplate.json and createUiDefinition.json.
//
//   node content/solution/build.mjs                  write the package
//   node content/solution/build.mjs --register-new   also add new items to ids.json (the content id registry)
//
// content/tests/solution-package.mjs fails when the committed package is not what this script writes,
// and when a registered item's content id changed.
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { buildPackage, renderPackage } from './lib/package.mjs';

const SOLUTION = path.dirname(new URL(import.meta.url).pathname);
const CONTENT = path.resolve(SOLUTION, '..');

const pkg = buildPackage(CONTENT);
for (const [name, text] of Object.entries(renderPackage(pkg))) {
  writeFileSync(path.join(SOLUTION, 'Package', name), text);
  console.log(`wrote content/solution/Package/${name}`);
}

if (process.argv.includes('--register-new')) {
  const file = path.join(SOLUTION, 'ids.json');
  const registry = JSON.parse(readFileSync(file, 'utf8'));
  let added = 0;
  for (const item of pkg.items) {
    if (registry.items[item.key] === undefined) {
      registry.items[item.key] = item.contentId;
      added += 1;
      console.log(`registered ${item.key} = ${item.contentId}`);
    }
  }
  writeFileSync(file, `${JSON.stringify(registry, null, 2)}\n`);
  console.log(`ids.json: ${added} new item(s); registered ids are never changed here`);
}
