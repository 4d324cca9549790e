import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ExecutionQueueOptions } from '../../config/execution-queue.options.js';
import { MODULE_OPTIONS_TOKEN } from '../../execution-queue.module-definition.js';

/**
 * The bearer tokens accepted on `/api/v1`. Tokens are kept as SHA-256 digests and compared
 * with `timingSafeEqual`, so the comparison time does not depend on where a guess differs.
 * Without configured tokens one is generated and logged once, so standalone mode is usable
 * but never open.
 */
@Injectable()
export class AdminTokenRegistry {
  private readonly logger = new Logger('AdminAuth');
  private readonly digests: Buffer[];

  constructor(@Inject(MODULE_OPTIONS_TOKEN) options: ExecutionQueueOptions) {
    let tokens = options.adminTokens;
    if (tokens.length === 0) {
      const generated = randomBytes(24).toString('base64url');
      this.logger.warn(`ADMIN_TOKENS is not set; generated an admin token for this process: ${generated}`);
      tokens = [generated];
    }
    this.digests = tokens.map(digest);
  }

  accepts(candidate: string): boolean {
    const candidateDigest = digest(candidate);
    let matched = false;
    for (const known of this.digests) matched = timingSafeEqual(known, candidateDigest) || matched;
    return matched;
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
