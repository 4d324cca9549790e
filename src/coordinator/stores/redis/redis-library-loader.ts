import type { Cluster, Redis } from 'ioredis';
import { LIBRARY_NAME_PREFIX, type FunctionLibrary } from './redis-scripts.js';

type ListedLibrary = (string | unknown[])[];

/**
 * Loads this version's function library into a Redis that lacks it; the first time, it also
 * deletes the libraries other versions left there. Every version loads its own library (see
 * buildLibrary); without the clean-up each deploy would add one for good, and all of them share
 * one Lua interpreter whose garbage collector walks them all: with six versions loaded the
 * store's scripts took measurably longer (docs/benchmarks.md, "Redis store").
 *
 * Only the first load cleans up. During a rolling update a replica of the older version finds
 * its library gone on its next call and loads it again; had that reload deleted the newer
 * library in turn, the two versions would take turns deleting each other under load, each
 * time failing the calls of the other that were in flight. So each process deletes other
 * versions only on its first successful load. A library an older replica reloaded stays until
 * a process of a later version first loads its own: at most the versions that overlapped in
 * one update, never one per deploy.
 */
export class RedisLibraryLoader {
  private cleanedUp = false;

  constructor(
    private readonly redis: Redis | Cluster,
    private readonly library: Pick<FunctionLibrary, 'name' | 'source'>,
  ) {}

  /** Loads the library into the server, or into every master of a Cluster (each runs its own slots' calls; replicas get it from their master). */
  async load(): Promise<void> {
    const servers = this.redis.isCluster ? (this.redis as Cluster).nodes('master') : [this.redis as Redis];
    const cleanUp = !this.cleanedUp;
    await Promise.all(servers.map((server) => this.loadInto(server, cleanUp)));
    this.cleanedUp = true;
  }

  private async loadInto(server: Redis, cleanUp: boolean): Promise<void> {
    await server.call('FUNCTION', 'LOAD', 'REPLACE', this.library.source);
    if (!cleanUp) return;
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
