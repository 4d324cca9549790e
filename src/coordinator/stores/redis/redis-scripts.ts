import { readFileSync } from 'node:fs';

/** The Lua scripts of ./lua, one per atomic operation, each with the shared prelude in front. */
export const SCRIPT_NAMES = [
  'admit',
  'dispatch-next',
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
] as const;
export type ScriptName = (typeof SCRIPT_NAMES)[number];

/** The keys every script receives, in KEYS order (see lua/common.lua). */
export const KEY_NAMES = ['pending', 'exec', 'payload', 'active', 'leases', 'unconfirmed', 'usage', 'users', 'recent', 'counters', 'held', 'refusals'] as const;

function readLua(name: string): string {
  return readFileSync(new URL(`./lua/${name}.lua`, import.meta.url), 'utf8');
}

/** Script sources by name, read once: prelude + body, so the helpers exist in every script. */
export function loadScripts(): Record<ScriptName, string> {
  const prelude = readLua('common');
  return Object.fromEntries(SCRIPT_NAMES.map((name) => [name, `${prelude}\n${readLua(name)}`])) as Record<ScriptName, string>;
}
