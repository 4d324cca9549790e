import type { INestApplication } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule } from '@nestjs/swagger';
import { documentedRoutesOnly } from './documented-routes.middleware.js';
import { allowedMethodsByPath, buildOpenApiDocument } from './openapi-document.js';
import { HttpExceptionFilter } from './http-exception.filter.js';

/** Largest accepted JSON body: a maximal script plus the other fields, with room for JSON escaping. */
export const MAX_BODY_BYTES = '2mb';

/**
 * What the standalone service adds around the module's own controllers (which carry their
 * validation and error shape themselves): the body limit, the error shape for what no controller
 * answers (unknown routes, bodies too large or malformed), only documented methods, and Swagger.
 * `main.ts` and the end-to-end tests share it, so tests see what users see. A host application
 * does not need it.
 */
export function configureHttpApp(app: INestApplication, version: string): void {
  const express = app as NestExpressApplication;
  express.useBodyParser('json', { limit: MAX_BODY_BYTES });
  app.useGlobalFilters(new HttpExceptionFilter());
  app.enableShutdownHooks();
  const document = buildOpenApiDocument(app, version);
  app.use(documentedRoutesOnly(allowedMethodsByPath(document)));
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs-json' });
}
