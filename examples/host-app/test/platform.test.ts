import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { INestApplication } from '@nestjs/common';
import { ConfigError } from 'execution-queue';
import { createPlatform } from '../src/main.js';

const TOKEN = 'example-admin-token-0123456789';

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('a platform that embeds the queue from its package', () => {
  let app: INestApplication;
  let base: string;

  before(async () => {
    app = await createPlatform({ executionSlots: 1, runMs: 30, adminToken: TOKEN });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  after(async () => {
    await app.close();
  });

  it('grades scripts through the facade and learns each outcome from the hook', async () => {
    const ids: string[] = [];
    for (const student of ['ada', 'ada', 'bo']) {
      const response = await fetch(`${base}/gradings`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ student_id: student, script: 'print(42)' }) });
      assert.equal(response.status, 201);
      ids.push(((await response.json()) as { id: string }).id);
    }
    for (const id of ids) {
      await eventually(async () => ((await (await fetch(`${base}/gradings/${id}`)).json()) as { state: string }).state === 'completed', `${id} completed`);
    }
    assert.equal((await fetch(`${base}/gradings/unknown`)).status, 404);
  });

  it('keeps its own /health (terminus) with the queue as one indicator', async () => {
    const response = await fetch(`${base}/health`);
    assert.equal(response.status, 200);
    const body = (await response.json()) as { status: string; info: Record<string, { status: string; [detail: string]: unknown }> };
    assert.equal(body.status, 'ok');
    assert.equal(body.info.platform.status, 'up');
    assert.equal(body.info.execution_queue.status, 'up');
    assert.deepEqual(Object.keys(body.info.execution_queue).sort(), ['queue_state_store', 'status', 'transport']);
  });

  it('keeps its own /metrics, where the queue\u2019s metrics sit beside the platform\u2019s', async () => {
    const text = await (await fetch(`${base}/metrics`)).text();
    assert.match(text, /^platform_gradings_submitted_total 3$/m);
    assert.match(text, /^execution_queue_accepted_total\{priority="normal"\} 3$/m);
    assert.match(text, /^execution_queue_finished_total\{outcome="completed"\} 3$/m);
  });

  it('serves the queue\u2019s admin API under /queue-admin only, behind its token', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const status = await fetch(`${base}/queue-admin/api/v1/admin/queue`, { headers: auth });
    assert.equal(status.status, 200);
    assert.equal(((await status.json()) as { max_active_executions: number }).max_active_executions, 1);
    assert.equal((await fetch(`${base}/queue-admin/api/v1/admin/queue`)).status, 401);
    // The module's own probes and metrics were not asked for: the platform's routes are the only ones.
    assert.equal((await fetch(`${base}/queue-admin/health/ready`)).status, 404);
    assert.equal((await fetch(`${base}/queue-admin/metrics`)).status, 404);
    assert.equal((await fetch(`${base}/api/v1/admin/queue`, { headers: auth })).status, 404);
  });
});

describe('a platform whose settings give the queue a bad option', () => {
  it('fails to boot with the option named', async () => {
    await assert.rejects(createPlatform({ executionSlots: 0 }), (error: unknown) => {
      assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
      assert.match(error.message, /queue\.maxActiveExecutions/);
      return true;
    });
  });
});
