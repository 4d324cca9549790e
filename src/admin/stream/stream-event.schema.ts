import type { ApiResponseSchemaHost } from '@nestjs/swagger';

type SchemaObject = ApiResponseSchemaHost['schema'];

/**
 * The OpenAPI schema of one Server-Sent Event of a stream, as a client parses it: its `event`
 * name and its `data` line, a JSON object described per event name.
 */
export function streamEventSchema(events: Record<string, string>): SchemaObject {
  return {
    type: 'object',
    required: ['event', 'data'],
    description: `One event of the stream; \`data\` is a JSON object: ${Object.entries(events)
      .map(([name, data]) => `\`${name}\`: ${data}`)
      .join('; ')}.`,
    properties: {
      event: { type: 'string', enum: Object.keys(events) },
      data: { type: 'string', description: 'A JSON object, as described for the event name', pattern: '^\\{[\\s\\S]*\\}$' },
    },
  };
}
