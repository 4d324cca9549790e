import type { Cluster, Redis } from 'ioredis';
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
    private readonly redis: Redis | Cluster,
    private readonly library: FunctionLibrary,
  ) {}

  /** Loads the library into the server, or into every master of a Cluster (each runs its own slots' calls; replicas get it from their master). */
  async load(): Promise<void> {
    const servers = this.redis.isCluster ? (this.redis as Cluster).nodes('master') : [this.redis as Redis];
    await Promise.all(servers.map((server) => this.loadInto(server)));
  }

  private async loadInto(server: Redis): Promise<void> {
    await server.call('FUNCTION', 'LOAD', 'REPLACE', this.library.source);
    for (const name of await this.loadedVersions(server)) {
      if (name !== this.library.name) await server.call('FUNCTION', 'DELETE', name).catch(() => undefined);
    }
  }

  /** Names of every version of the library a server holds. */
  async loadedVersions(server: Redis | Cluster = this.redis): Promise<string[]> {
    const listed = (await server.call('FUNCTION', 'LIST', 'LIBRARYNAME', `${LIBRARY_NAME_PREFIX}*`)) as ListedLibrary[];
    return listed
      .map((fields) => fields[fields.indexOf('library_name') + 1])
      .filter((name): name is string => typeof name === 'string' && name.startsWith(LIBRARY_NAME_PREFIX));
  }
}
