import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

/**
 * Shared Lua of ./lua, in the order the library defines it: helpers every function may call, and
 * the single-call bodies of the functions that run a batch of calls (admit, release).
 */
const SHARED_FILES = ['common', 'admit-one', 'release-one'] as const;

/** The Lua scripts of ./lua, one per registered function (each may use the shared files). */
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

function readLua(name: string): string {
  return readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), 'utf8');
}

/** Function names are global in Redis: each build's library carries its own version tag. */
export interface FunctionLibrary {
  /** Library name: LIBRARY_NAME_PREFIX and the source's hash. */
  name: string;
  /** `FUNCTION LOAD` source: shared helpers, then one registered function per script file. */
  source: string;
  functionName(script: ScriptName): string;
}

/** Every version of the library is named with this, then its tag. */
export const LIBRARY_NAME_PREFIX = 'execution_queue_';

/**
 * Builds the Redis function library (Redis 7+): the shared files once, then each script body wrapped
 * as a function. The tag is a hash of the source, so replicas of different versions never call
 * each other's code and a new version loads beside the old one.
 */
export function buildLibrary(): FunctionLibrary {
  const shared = SHARED_FILES.map(readLua).join('\n');
  const bodies = SCRIPT_NAMES.map((name) => [name, readLua(name)] as const);
  const tag = createHash('sha1').update(shared).update(bodies.map(([, body]) => body).join('\n')).digest('hex').slice(0, 12);
  const name = `${LIBRARY_NAME_PREFIX}${tag}`;
  const functionName = (script: ScriptName) => `${name}_${script.replaceAll('-', '_')}`;
  // Each body runs as a function of its own, so that whatever it returns from, write_back runs.
  const registrations = bodies.map(
    ([name, body]) => `redis.register_function('${functionName(name)}', function(keys, args)\n  bind(keys, args)\n  local reply = (function()\n${body}\n  end)()\n  write_back()\n  return reply\nend)`,
  );
  return { name, source: [`#!lua name=${name}`, shared, ...registrations].join('\n'), functionName };
}
