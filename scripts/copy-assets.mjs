// Copies what tsc does not next to the compiled JavaScript: the Redis store's Lua scripts and
// the files under any assets/ folder (the dashboard's page, script and styles).
// Usage: node scripts/copy-assets.mjs <folder that mirrors src/>
import { cpSync, readdirSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

const target = process.argv[2];
if (!target) throw new Error('usage: node scripts/copy-assets.mjs <output folder mirroring src/>');
for (const entry of readdirSync('src', { recursive: true, withFileTypes: true })) {
  if (!entry.isFile()) continue;
  const source = join(entry.parentPath, entry.name);
  const isAsset = entry.name.endsWith('.lua') || source.split(sep).includes('assets');
  if (isAsset) cpSync(source, join(target, relative('src', source)));
}
