#!/usr/bin/env node
// Validates an OpenAPI document read from stdin against the OpenAPI 3 schema; exits 1 with the
// reasons when it is invalid. Used by the tests and usable by hand:
//   curl -s http://127.0.0.1:3000/docs-json | node scripts/validate-openapi.mjs
import SwaggerParser from '@apidevtools/swagger-parser';

let input = '';
for await (const chunk of process.stdin) input += chunk;
try {
  const api = await SwaggerParser.validate(JSON.parse(input));
  console.log(`valid OpenAPI ${api.openapi}: ${Object.keys(api.paths).length} paths`);
} catch (error) {
  console.error(`invalid OpenAPI document: ${error.message}`);
  process.exit(1);
}
