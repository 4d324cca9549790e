import { Injectable, UnauthorizedException, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AdminTokenRegistry } from './admin-token.registry.js';

/** Lets a request through only with `Authorization: Bearer <token>` naming a known token. */
@Injectable()
export class BearerTokenGuard implements CanActivate {
  constructor(private readonly tokens: AdminTokenRegistry) {}

  canActivate(context: ExecutionContext): boolean {
    const http = context.switchToHttp();
    const header = http.getRequest<Request>().headers.authorization ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (match && this.tokens.accepts(match[1]!)) return true;
    http.getResponse<Response>().setHeader('WWW-Authenticate', 'Bearer');
    // Deliberately says nothing about why: missing, malformed and wrong tokens look the same.
    throw new UnauthorizedException();
  }
}
