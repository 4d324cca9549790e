import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { luaPrelude } from './lua-prelude.js';

/**
 * The shared Lua of ./lua/library, in the order the library defines it (each file may use what
 * the files before it define): the per-call state, the layout, then one file per concern, and
 * last the single calls the batched functions run for each call packed into theirs.
 */
const LIBRARY_FILES = [
  'call-state',
  'keys-and-meta',
  'encodings',
  'limits',
  'recent-ids',
  'usage',
  'active-set',
  'fair-clocks',
  'aging',
  'queue',
  'repairs',
  'scheduling',
  'write-back',
  'admit-one',
  'release-one',
] as const;

/** The Lua scripts of ./lua, one per registered function (each may use the library's helpers). */
export const SCRIPT_NAMES = [
  'admit',
  'schedule',
  'release',
  'reprioritize',
  'set-held',
  'confirm-dispatched',
  'renew-lease',
  'snapshot',
  'lookup',
  'pending-page',
  'active-page',
  'users-page',
  'user-usage',
  'set-weight',
  'user-weights',
  'order-check',
] as const;
export type ScriptName = (typeof SCRIPT_NAMES)[number];

function readLua(path: string): string {
  return readFileSync(new URL(`./lua/${path}.lua`, import.meta.url), 'utf8');
}

/** Where a part of the library's source came from: its first line there (1-based) and its file. */
export interface SourcePart {
  file: string;
  firstLine: number;
}

/** Function names are global in Redis: each build's library carries its own version tag. */
export interface FunctionLibrary {
  /** Library name: LIBRARY_NAME_PREFIX and the source's hash. */
  name: string;
  /** `FUNCTION LOAD` source: prelude, shared helpers, then one registered function per script file. */
  source: string;
  /** The parts of `source` in order, so a line of it can be traced to its file (see scripts/lint-lua.mjs). */
  parts: SourcePart[];
  functionName(script: ScriptName): string;
}

/** Every version of the library is named with this, then its tag. */
export const LIBRARY_NAME_PREFIX = 'execution_queue_';

/**
 * Builds the Redis function library (Redis 7+): the generated prelude (see lua-prelude.ts), the
 * library files once, then each script body wrapped as a function. The tag is a hash of the
 * source, so replicas of different versions never call each other's code and a new version
 * loads beside the old one.
 */
export function buildLibrary(): FunctionLibrary {
  const shared: [string, string][] = [['(generated prelude, lua-prelude.ts)', luaPrelude()], ...LIBRARY_FILES.map((name): [string, string] => [`library/${name}.lua`, readLua(`library/${name}`)])];
  const bodies = SCRIPT_NAMES.map((name) => [name, readLua(name)] as const);
  const tag = createHash('sha1')
    .update(shared.map(([, text]) => text).join('\n'))
    .update(bodies.map(([, body]) => body).join('\n'))
    .digest('hex')
    .slice(0, 12);
  const name = `${LIBRARY_NAME_PREFIX}${tag}`;
  const functionName = (script: ScriptName) => `${name}_${script.replaceAll('-', '_')}`;
  // Each body runs as a function of its own, so that whatever it returns from, write_back runs.
  const chunks: [string, string][] = [
    ['(library header)', `#!lua name=${name}`],
    ...shared,
    ...bodies.flatMap(([script, body]): [string, string][] => [
      ['(function wrapper)', `redis.register_function('${functionName(script)}', function(keys, args)\n  bind(keys, args)\n  local reply = (function()`],
      [`${script}.lua`, body],
      ['(function wrapper)', '  end)()\n  write_back()\n  return reply\nend)'],
    ]),
  ];
  const parts: SourcePart[] = [];
  let line = 1;
  for (const [file, text] of chunks) {
    parts.push({ file, firstLine: line });
    line += text.replace(/\n$/, '').split('\n').length;
  }
  return { name, source: chunks.map(([, text]) => text.replace(/\n$/, '')).join('\n'), parts, functionName };
}
