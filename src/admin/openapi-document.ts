import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { LANGUAGE_RUNTIMES } from '../contracts/language-runtimes.js';

const SUBMIT_PATH = '/api/v1/executions';
const EXECUTION_PATH = '/api/v1/admin/executions/{id}';

/**
 * The OpenAPI document of the HTTP API: what the decorators say, plus what they cannot say,
 * so that the document describes exactly what the API accepts and answers (a schema-driven
 * fuzzer checks that in the tests).
 */
export function buildOpenApiDocument(app: INestApplication, version: string): OpenAPIObject {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Execution Queue')
      .setDescription('Queue, limits and dispatch of script executions; operator API.')
      .setVersion(version)
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'One of ADMIN_TOKENS' })
      .build(),
  );
  requireRuntimeForUnknownLanguages(document);
  forbidUnknownBodyFields(document);
  linkSubmissionToExecution(document);
  errorsAnswerJson(document);
  return document;
}

/**
 * Errors are JSON on every route, the event streams' too (the filter answers before a stream
 * starts); the decorators would give a stream route's errors its `text/event-stream` type.
 */
function errorsAnswerJson(document: OpenAPIObject): void {
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations as Record<string, { responses?: Record<string, { content?: Record<string, unknown> }> }>)) {
      for (const [status, response] of Object.entries(operation?.responses ?? {})) {
        const stream = response.content?.['text/event-stream'];
        if (Number(status) >= 400 && stream) response.content = { 'application/json': stream };
      }
    }
  }
}

/** A submission names a known language, or brings its own runtime (image, command, file name). */
function requireRuntimeForUnknownLanguages(document: OpenAPIObject): void {
  const schema = document.components?.schemas?.SubmitExecutionDto;
  if (!schema || '$ref' in schema) return;
  schema.anyOf = [
    { properties: { language: { type: 'string', enum: Object.keys(LANGUAGE_RUNTIMES) } } },
    { required: ['runtime_image', 'runtime_command', 'runtime_filename'] },
  ];
}

/**
 * Request bodies are validated with unknown fields refused (400 naming each): every schema a
 * route takes as its JSON body says so, found from the routes so that a new body cannot be missed.
 */
function forbidUnknownBodyFields(document: OpenAPIObject): void {
  for (const operations of Object.values(document.paths)) {
    for (const operation of Object.values(operations as Record<string, { requestBody?: unknown }>)) {
      const body = operation?.requestBody as { content?: Record<string, { schema?: { $ref?: string } }> } | undefined;
      const ref = body?.content?.['application/json']?.schema?.$ref;
      const schema = ref ? document.components?.schemas?.[ref.replace('#/components/schemas/', '')] : undefined;
      if (schema && !('$ref' in schema)) schema.additionalProperties = false;
    }
  }
}

/** The id a submission answers with is the one the execution routes take. */
function linkSubmissionToExecution(document: OpenAPIObject): void {
  const accepted = document.paths[SUBMIT_PATH]?.post?.responses?.['202'];
  const execution = document.paths[EXECUTION_PATH];
  if (!accepted || '$ref' in accepted || !execution) return;
  const parameters = { id: '$response.body#/execution_id' };
  const links: Record<string, { operationId: string; parameters: Record<string, string> }> = {};
  const byName = { GetExecution: execution.get, CancelExecution: execution.delete, ReprioritizeExecution: document.paths[`${EXECUTION_PATH}/priority`]?.put };
  for (const [name, operation] of Object.entries(byName)) {
    if (operation?.operationId) links[name] = { operationId: operation.operationId, parameters };
  }
  accepted.links = links;
}

/** Each documented path with the methods it answers, for the 405 answer to any other method. */
export function allowedMethodsByPath(document: OpenAPIObject): { pattern: RegExp; methods: string[] }[] {
  const methods = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head', 'trace'] as const;
  return Object.entries(document.paths).map(([path, item]) => {
    const allowed = methods.filter((method) => item[method]).map((method) => method.toUpperCase());
    if (allowed.includes('GET')) allowed.push('HEAD');
    const pattern = new RegExp(`^${path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`);
    return { pattern, methods: allowed };
  });
}
