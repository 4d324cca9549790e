// Lints the Redis function library with luacheck, as Redis loads it: the generated prelude, the
// shared files and every function, assembled into one chunk by the built store (run `npm run
// build` first), so a name one file uses and another defines is checked too. Each finding is
// reported at its own file and line. Run from the project root. Installs Debian's lua-check when luacheck is missing.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

function hasLuacheck() {
  return spawnSync('sh', ['-c', 'command -v luacheck'], { stdio: 'ignore' }).status === 0;
}

if (!hasLuacheck()) {
  console.error('[lint-lua] luacheck not found: installing lua-check');
  const install = 'apt-get install -y -q lua-check > /dev/null 2>&1 || { apt-get update -q > /dev/null && apt-get install -y -q lua-check > /dev/null; }';
  execFileSync('sh', ['-c', install], { stdio: 'inherit' });
}

const { buildLibrary } = await import(pathToFileURL('dist/coordinator/stores/redis/redis-scripts.js').href);
const library = buildLibrary();
const dir = mkdtempSync(join(tmpdir(), 'eq-luacheck-'));
const file = join(dir, 'library.lua');
writeFileSync(file, library.source);

/** `library.lua:<line>` -> `<file>:<line in that file>`. */
function origin(line) {
  const part = library.parts.findLast((candidate) => candidate.firstLine <= line);
  return `${part.file}:${line - part.firstLine + 1}`;
}

const result = spawnSync('luacheck', ['--config', '.luacheckrc', '--codes', '--no-color', '--formatter', 'plain', file], { encoding: 'utf8' });
rmSync(dir, { recursive: true, force: true });
const findings = result.stdout.split('\n').filter((line) => line.startsWith(file));
for (const finding of findings) {
  const [, line, rest] = /^[^:]+:(\d+):(.*)$/.exec(finding);
  const where = origin(Number(line));
  console.error(`${where.includes('.lua:') ? 'src/coordinator/stores/redis/lua/' : ''}${where}:${rest}`);
}
if (result.status !== 0 || findings.length > 0) {
  if (findings.length === 0) console.error(result.stdout, result.stderr);
  console.error(`[lint-lua] luacheck found ${findings.length} problem(s) in the Redis function library`);
  process.exit(1);
}
console.log(`[lint-lua] Redis function library clean (${library.parts.length} parts, ${library.source.split('\n').length} lines)`);
