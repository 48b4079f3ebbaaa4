// The release registry content/solution/ids.json: for every item its contentId (never to change once
// released), and the version and content digest last registered, so that a changed item without a
// version bump is caught (Content hub offers an update only when the version goes up).
import { createHash } from 'node:crypto';

/** Digest of one item as packaged: the mainTemplate of its contentTemplate. */
export function itemDigest(contentTemplate) {
  return `sha256:${createHash('sha256').update(JSON.stringify(contentTemplate.properties.mainTemplate)).digest('hex')}`;
}

/** Digest of the package's item list: every item's kind, contentId and version. */
export function itemsDigest(items) {
  const list = items.map((i) => `${i.kind} ${i.contentId} ${i.version}`).sort().join('\n');
  return `sha256:${createHash('sha256').update(list).digest('hex')}`;
}

/** x.y.z compared numerically: negative, 0 or positive. */
export function compareVersions(a, b) {
  const pa = String(a).split('.').map(Number);
  const pb = String(b).split('.').map(Number);
  for (let i = 0; i < 3; i += 1) if (pa[i] !== pb[i]) return pa[i] - pb[i];
  return 0;
}

/**
 * Records the package in the registry: new items, and new versions of known items with their digest.
 * Never changes a registered contentId; refuses to record content changed under the same version or a
 * version that goes down. Returns {registry, notes, errors}.
 */
export function register(registry, pkg) {
  const notes = [];
  const errors = [];
  const out = { ...registry, items: { ...registry.items } };
  for (const item of pkg.items) {
    const known = out.items[item.key];
    const entry = { contentId: item.contentId, version: item.version, digest: item.digest };
    if (!known) { out.items[item.key] = entry; notes.push(`registered ${item.key} = ${item.contentId} ${item.version}`); continue; }
    if (known.contentId !== item.contentId) errors.push(`${item.key}: contentId ${item.contentId} differs from the registered ${known.contentId}; a released id never changes`);
    else if (known.version === item.version && known.digest !== item.digest) errors.push(`${item.key}: changed without a version bump (still ${item.version})`);
    else if (compareVersions(item.version, known.version) < 0) errors.push(`${item.key}: version ${item.version} is lower than the registered ${known.version}`);
    else if (known.version !== item.version) { out.items[item.key] = entry; notes.push(`${item.key}: version ${known.version} -> ${item.version}`); }
  }
  const digest = itemsDigest(pkg.items);
  const solution = registry.solution || {};
  if (solution.itemsDigest !== digest) {
    if (solution.version === pkg.solution.version) errors.push(`items changed but solution.json version is still ${pkg.solution.version}: bump it`);
    else if (solution.version && compareVersions(pkg.solution.version, solution.version) < 0) errors.push(`solution version ${pkg.solution.version} is lower than the registered ${solution.version}`);
    else { out.solution = { version: pkg.solution.version, itemsDigest: digest }; notes.push(`solution ${solution.version || '(new)'} -> ${pkg.solution.version}`); }
  }
  return { registry: out, notes, errors };
}
