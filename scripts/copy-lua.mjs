// Copies the Redis store's Lua scripts next to the compiled JavaScript (tsc copies only .ts output).
// Usage: node scripts/copy-lua.mjs <folder that mirrors src/>
import { cpSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

const target = process.argv[2];
if (!target) throw new Error('usage: node scripts/copy-lua.mjs <output folder mirroring src/>');
for (const entry of readdirSync('src', { recursive: true, withFileTypes: true })) {
  if (!entry.isFile() || !entry.name.endsWith('.lua')) continue;
  const source = join(entry.parentPath, entry.name);
  cpSync(source, join(target, relative('src', source)));
}
