import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { jest } from '@jest/globals';
import { freePort, startService, type RunningService } from '../builders/service-process.js';

jest.setTimeout(600_000);

const TOKEN = 'schemathesis-token-0123456789';

/** The schemathesis CLI that scripts/infra/schemathesis.sh installed. */
function schemathesis(): string {
  const path = process.env.SCHEMATHESIS;
  if (!path) throw new Error('SCHEMATHESIS is not set: run the tests through `npm test` (scripts/infra/up.sh installs it)');
  return path;
}

/**
 * The OpenAPI document describes exactly what the API accepts and answers: schemathesis
 * generates requests from it (examples, coverage, fuzzing, and stateful runs that follow the
 * links from a submission to its execution's routes) against the built service, with every
 * check on, including unlisted methods and schema-violating input. No failure, no 5xx.
 */
describe('OpenAPI document against the running service (schemathesis)', () => {
  let service: RunningService;

  beforeAll(async () => {
    const port = await freePort();
    // Long simulated runs and two slots keep submitted executions pending, so the links from a
    // submission reach executions that exist.
    // A status frame every second, so a read of the admin stream sees more than its snapshot.
    service = await startService({ PORT: String(port), ADMIN_TOKENS: TOKEN, SIMULATED_RUN_MS: '600000', QUEUE_MAX_ACTIVE: '2', QUEUE_MAX_PER_USER: '100000', QUEUE_MAX_SIZE: '1000000', STREAM_STATUS_SECONDS: '1' });
    (service as RunningService & { port: number }).port = port;
  });
  afterAll(() => service?.stop());

  it('finds no mismatch and no server error with every check and every phase', async () => {
    const port = (service as RunningService & { port: number }).port;
    const child = spawn(
      schemathesis(),
      // One worker: Python 3.11's parser is not thread-safe, and hypothesis parses lambdas while generating.
      [
        '--config-file', 'test/schemathesis/schemathesis.toml',
        'run', `http://127.0.0.1:${port}/docs-json`,
        '--header', `Authorization: Bearer ${TOKEN}`,
        '--checks', 'all',
        '--phases', 'examples,coverage,fuzzing,stateful',
        '--max-examples', process.env.SCHEMATHESIS_EXAMPLES ?? '100',
        '--workers', '1',
        '--no-color',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk));
    const [code] = (await once(child, 'exit')) as [number | null];
    // On failure show the summary and the first failures (request bodies can be megabytes).
    const shown = output.split('\n').map((line) => (line.length > 400 ? `${line.slice(0, 400)}…` : line)).join('\n');
    expect({ code, summary: code === 0 ? 'ok' : shown.slice(-20_000) }).toEqual({ code: 0, summary: 'ok' });
    expect(output).toMatch(/No issues found/);
    expect(output).toMatch(/Stateful/);
  });
});
