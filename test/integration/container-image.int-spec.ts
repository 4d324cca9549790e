import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { freePort } from '../builders/service-process.js';

jest.setTimeout(900_000);

/**
 * The service's container image, built from the Dockerfile as it is by `npm run image`
 * (scripts/image/build.sh: buildah, no daemon, no pull) and run with podman on this machine.
 */
const IMAGE = 'localhost/execution-queue:test';
const TOKEN = 'container-image-test-token-0123456789';
/** The grace period `podman stop` gives before it kills, as Kubernetes' default does. */
const GRACE_SECONDS = 30;

function podman(...args: string[]): string {
  return execFileSync('podman', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
}

/**
 * Starts the image in the background on the host's network. This machine's sandbox refuses to
 * raise a container process's limits, and podman asks for its defaults (far more open files and
 * processes than here), so the container gets lower ones; runc is the runtime the test node
 * installs (crun refuses this machine's mix of cgroup versions).
 */
function run(name: string, env: Record<string, string>): void {
  podman('rm', '--force', name);
  const envArgs = Object.entries(env).flatMap(([key, value]) => ['--env', `${key}=${value}`]);
  podman('--runtime', 'runc', 'run', '--detach', '--name', name, '--network', 'host', '--ulimit', 'nofile=4096:4096', '--ulimit', 'nproc=4096:4096', ...envArgs, IMAGE);
}

async function waitUntilReady(port: number, seconds: number): Promise<number> {
  const started = Date.now();
  while (Date.now() - started < seconds * 1000) {
    const ready = await fetch(`http://127.0.0.1:${port}/health/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) return Date.now() - started;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`not ready within ${seconds} s`);
}

async function call(port: number, method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`http://127.0.0.1:${port}${path}`, {
    method,
    headers: { Authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

async function queueStatus(port: number): Promise<{ queue_depth: number; active_count: number; held: boolean }> {
  return (await (await call(port, 'GET', '/api/v1/admin/queue')).json()) as { queue_depth: number; active_count: number; held: boolean };
}

describe('the container image', () => {
  const containers: string[] = [];

  beforeAll(() => {
    execFileSync('bash', ['scripts/image/build.sh'], { env: { ...process.env, IMAGE }, stdio: 'inherit' });
  });

  afterAll(() => {
    for (const name of containers) podman('rm', '--force', name);
  });

  it('runs as a non-root user on the embedded defaults, is ready within 10 s and passes its HEALTHCHECK', async () => {
    const port = await freePort();
    const name = `eq-image-defaults-${port}`;
    containers.push(name);
    run(name, { PORT: String(port) });
    const readyAfter = await waitUntilReady(port, 10);
    console.log(`ready ${readyAfter} ms after podman run returned`);
    expect(readyAfter).toBeLessThan(10_000);
    expect(podman('exec', name, 'id', '-u')).not.toBe('0');
    expect(podman('exec', name, 'id', '-un')).toBe('node');
    // Exits non-zero (and execFileSync throws) when the image's HEALTHCHECK fails.
    podman('healthcheck', 'run', name);
    const bytes = Number(podman('image', 'inspect', '--format', '{{.Size}}', IMAGE));
    console.log(`image ${IMAGE}: ${(bytes / 1024 / 1024).toFixed(0)} MiB`);
    expect(bytes).toBeLessThan(600 * 1024 * 1024);
  });

  it('stops on SIGTERM within the grace period, and a new container carries on with every execution (Redis store)', async () => {
    const port = await freePort();
    const prefix = `test-image-${Date.now()}:`;
    const env = { PORT: String(port), STATE_STORE: 'redis', REDIS_URL: process.env.REDIS_URL!, REDIS_KEY_PREFIX: prefix, ADMIN_TOKENS: TOKEN, SIMULATED_RUN_MS: '50' };
    const first = `eq-image-first-${port}`;
    const second = `eq-image-second-${port}`;
    containers.push(first, second);
    run(first, env);
    await waitUntilReady(port, 20);
    expect((await call(port, 'POST', '/api/v1/admin/queue/hold')).status).toBeLessThan(300);
    for (let i = 0; i < 20; i++) {
      const response = await call(port, 'POST', '/api/v1/executions', { user_id: `user-${i % 4}`, script: 'print(1)', language: 'python', language_version: '3.11' });
      expect(response.status).toBe(202);
    }
    expect(await queueStatus(port)).toMatchObject({ queue_depth: 20, held: true });

    const stopping = Date.now();
    podman('stop', '--time', String(GRACE_SECONDS), first);
    const stoppedAfter = Date.now() - stopping;
    console.log(`stopped ${stoppedAfter} ms after SIGTERM`);
    expect(stoppedAfter).toBeLessThan(GRACE_SECONDS * 1000);
    // 0: it shut down by itself; a container killed at the end of the grace period shows 137.
    expect(podman('inspect', '--format', '{{.State.ExitCode}}', first)).toBe('0');

    run(second, env);
    await waitUntilReady(port, 20);
    expect(await queueStatus(port)).toMatchObject({ queue_depth: 20, active_count: 0, held: true });
    expect((await call(port, 'POST', '/api/v1/admin/queue/resume')).status).toBeLessThan(300);
    const deadline = Date.now() + 20_000;
    let status = await queueStatus(port);
    while ((status.queue_depth > 0 || status.active_count > 0) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      status = await queueStatus(port);
    }
    expect(status).toMatchObject({ queue_depth: 0, active_count: 0, held: false });
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    const finished = metrics
      .split('\n')
      .filter((line) => line.startsWith('execution_queue_finished_total'))
      .reduce((sum, line) => sum + Number(line.split(' ').pop()), 0);
    expect(finished).toBe(20);
  });

  it('has a docker-compose.yml that the Compose schema accepts, and the check refuses a broken one', () => {
    // Validated only: no container engine for Compose runs on this machine.
    const check = (file?: string) => spawnSync('bash', ['scripts/image/compose-check.sh', ...(file ? [file] : [])], { encoding: 'utf8' });
    const valid = check();
    expect({ status: valid.status, stderr: valid.stderr }).toEqual({ status: 0, stderr: '' });
    const dir = mkdtempSync(join(tmpdir(), 'eq-compose-'));
    try {
      writeFileSync(join(dir, 'docker-compose.yml'), 'services:\n  execution-queue:\n    build: .\n    restart_policy: always\n');
      const broken = check(join(dir, 'docker-compose.yml'));
      expect(broken.status).not.toBe(0);
      expect(broken.stderr).toContain("Unsupported config option for services.execution-queue: 'restart_policy'");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
