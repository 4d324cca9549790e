/**
 * class-transformer keeps its `@Type` metadata in this module and ships its types elsewhere;
 * the compiled validity check (compiled-validity-check.ts) reads which class a nested field has.
 */
declare module 'class-transformer/cjs/storage.js' {
  import type { MetadataStorage } from 'class-transformer/types/MetadataStorage.js';

  export const defaultMetadataStorage: MetadataStorage;
}
