import type { Redis } from 'ioredis';
import { LIBRARY_NAME_PREFIX, type FunctionLibrary } from './redis-scripts.js';

type ListedLibrary = (string | unknown[])[];

/**
 * Loads this version's function library into a Redis that lacks it, and deletes the libraries
 * earlier versions left there. Every version loads its own library (see buildLibrary); without
 * the clean-up each deploy would add one for good, and all of them share one Lua interpreter
 * whose garbage collector walks them all: with six versions loaded the store's scripts took
 * about a tenth longer. A replica of an older version that is still running finds its library
 * gone on its next call and loads it again (one extra round trip), so a rolling update keeps
 * working; once it is over, only the current library remains.
 */
export class RedisLibraryLoader {
  constructor(
    private readonly redis: Redis,
    private readonly library: FunctionLibrary,
  ) {}

  async load(): Promise<void> {
    await this.redis.call('FUNCTION', 'LOAD', 'REPLACE', this.library.source);
    for (const name of await this.loadedVersions()) {
      if (name !== this.library.name) await this.redis.call('FUNCTION', 'DELETE', name).catch(() => undefined);
    }
  }

  /** Names of every version of the library Redis holds. */
  async loadedVersions(): Promise<string[]> {
    const listed = (await this.redis.call('FUNCTION', 'LIST', 'LIBRARYNAME', `${LIBRARY_NAME_PREFIX}*`)) as ListedLibrary[];
    return listed
      .map((fields) => fields[fields.indexOf('library_name') + 1])
      .filter((name): name is string => typeof name === 'string' && name.startsWith(LIBRARY_NAME_PREFIX));
  }
}
