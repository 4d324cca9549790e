import { jest } from '@jest/globals';
import request from 'supertest';
import { loadConfig } from '../../src/config/load-config.js';
import type { AnyEvent } from '../../src/contracts/event-registry.js';
import { ClusterReader, NODE_LANGUAGES, runtimeImagesFromEnv, TEST_NAMESPACE, testKubeConfig } from '../builders/kubernetes-harness.js';
import { eventually, startStandaloneApp, TEST_TOKEN, type StandaloneApp } from '../builders/standalone-app.js';

jest.setTimeout(180_000);

type Terminal = Extract<AnyEvent, { event_type: 'execution_completed' | 'execution_failed' | 'execution_timeout' }>;
const TERMINAL_TYPES = ['execution_completed', 'execution_failed', 'execution_timeout'];

/**
 * User code really running: a submission through `POST /api/v1/executions` goes through the
 * coordinator to the worker, runs as a pod on the test node (kubelet, containerd, runc), and
 * comes back as its terminal event with the program's own output, exit code and figures.
 */
describe('executions on the real node, from the REST API to the terminal event', () => {
  let service: StandaloneApp;
  let cluster: ClusterReader;

  beforeAll(async () => {
    cluster = new ClusterReader(testKubeConfig());
    const defaults = loadConfig({});
    service = await startStandaloneApp({
      podRuntime: 'kubernetes',
      k8sNamespace: TEST_NAMESPACE,
      runtimeImages: runtimeImagesFromEnv(),
      queue: { ...defaults.queue, maxActiveExecutions: 8 },
      kubernetes: { ...defaults.kubernetes, finishedPodTtlSeconds: 1, shardLeaseGroup: `rest-${process.pid}` },
    });
  });
  afterAll(() => service?.close());

  async function submit(body: Record<string, unknown>): Promise<string> {
    const response = await request(service.app.getHttpServer())
      .post('/api/v1/executions')
      .set('Authorization', `Bearer ${TEST_TOKEN}`)
      .send({ user_id: 'node-tester', ...body });
    expect(response.status).toBe(202);
    return response.body.execution_id as string;
  }

  const terminalOf = (executionId: string) => service.tap.events.filter((event) => TERMINAL_TYPES.includes(event.event_type) && (event as Terminal).execution_id === executionId) as Terminal[];

  async function outcome(executionId: string, timeoutMs = 60_000): Promise<Terminal> {
    await eventually(() => terminalOf(executionId).length > 0, `the terminal event of ${executionId}`, timeoutMs);
    return terminalOf(executionId)[0]!;
  }

  async function run(language: keyof typeof NODE_LANGUAGES, script: string, extra: Record<string, unknown> = {}): Promise<Terminal> {
    return outcome(await submit({ language, language_version: NODE_LANGUAGES[language].version, script, ...extra }));
  }

  const PROGRAMS: Record<keyof typeof NODE_LANGUAGES, { apart: string; exit3: string }> = {
    python: { apart: 'import sys\nsys.stdout.write("out: h\\u00e9llo")\nsys.stderr.write("err: w\\u00f6rld\\n")\n', exit3: 'import sys\nprint("bye")\nsys.exit(3)\n' },
    node: { apart: 'process.stdout.write("out: h\\u00e9llo");\nprocess.stderr.write("err: w\\u00f6rld\\n");\n', exit3: 'console.log("bye");\nprocess.exit(3);\n' },
    ruby: { apart: '$stdout.write("out: h\\u00e9llo")\n$stderr.write("err: w\\u00f6rld\\n")\n', exit3: 'puts "bye"\nexit 3\n' },
    bash: { apart: "printf 'out: h\\xc3\\xa9llo'\nprintf 'err: w\\xc3\\xb6rld\\n' >&2\n", exit3: 'echo bye\nexit 3\n' },
  };

  it.each(Object.keys(PROGRAMS) as (keyof typeof NODE_LANGUAGES)[])('runs %s: stdout and stderr come back exact and apart, with the figures measured in the pod', async (language) => {
    const event = await run(language, PROGRAMS[language].apart);
    expect(event).toMatchObject({ event_type: 'execution_completed', exit_code: 0, stdout: 'out: héllo', stderr: 'err: wörld\n' });
    const usage = event.resource_usage!;
    expect(usage.clk_tck_hertz).toBe(100);
    expect(usage.execution_time_wall_seconds).toBeGreaterThan(0);
    expect(usage.execution_time_wall_seconds).toBeLessThan(30);
    expect(usage.cpu_time_jiffies).toBeGreaterThan(0);
    // An interpreter takes a few MiB at least; a container limit of 512 MiB at most.
    expect(usage.peak_memory_kb).toBeGreaterThan(1024);
    expect(usage.peak_memory_kb).toBeLessThan(512 * 1024);
  });

  it.each(Object.keys(PROGRAMS) as (keyof typeof NODE_LANGUAGES)[])('reports exit code 3 of %s as execution_failed (script_error) with its output', async (language) => {
    const event = await run(language, PROGRAMS[language].exit3);
    expect(event).toMatchObject({ event_type: 'execution_failed', exit_code: 3, error_type: 'script_error', stdout: 'bye\n', stderr: '' });
  });

  it('reports an endless loop past timeout_seconds as execution_timeout within seconds, with its output so far, and removes the pod', async () => {
    const started = Date.now();
    const id = await submit({ language: 'python', language_version: '3.11', timeout_seconds: 3, script: 'import time\nprint("started", flush=True)\nwhile True:\n    time.sleep(0.05)\n' });
    const event = await outcome(id, 30_000);
    const elapsed = (Date.now() - started) / 1000;
    expect(event).toMatchObject({ event_type: 'execution_timeout', timeout_seconds: 3, stdout: 'started\n' });
    expect(elapsed).toBeLessThan(3 + 10);
    await eventually(() => cluster.gone(id), 'the timed-out pod and its ConfigMap deleted', 30_000);
  });

  it('reports a program that allocates past its memory limit as execution_failed (resource_limit)', async () => {
    const event = await run('python', 'data = b"x" * (400 * 1024 * 1024)\nprint(len(data))\n', { memory_limit: '128Mi', memory_request: '64Mi' });
    expect(event).toMatchObject({ event_type: 'execution_failed', error_type: 'resource_limit' });
    expect((event as { error_message: string }).error_message).toMatch(/memory limit/);
    expect(event.resource_usage!.peak_memory_kb).toBeGreaterThan(100 * 1024);
  });

  it('runs the program locked down: no network, uid 1000, read-only root, writable /tmp', async () => {
    const api = new URL(testKubeConfig().getCurrentCluster()!.server);
    const script = [
      'import os, socket',
      'print("uid", os.getuid(), os.getgid())',
      'for path in ("/probe", "/tmp/probe"):',
      '    try:',
      '        open(path, "w").write("x")',
      '        print(path, "writable")',
      '    except OSError as error:',
      '        print(path, "refused")',
      'try:',
      `    socket.create_connection(("${api.hostname}", ${api.port}), timeout=3)`,
      '    print("network reachable")',
      'except OSError as error:',
      '    print("network refused")',
    ].join('\n');
    const event = await run('python', script);
    expect(event).toMatchObject({ event_type: 'execution_completed', stderr: '' });
    expect(event.stdout.split('\n')).toEqual(['uid 1000 1000', '/probe refused', '/tmp/probe writable', 'network refused', '']);
  });

  it('runs a 1 MB script', async () => {
    const script = `${`# ${'x'.repeat(97)}\n`.repeat(9_999)}print("big ok")\n`;
    expect(Buffer.byteLength(script)).toBeGreaterThan(999_000);
    const event = await run('python', script);
    expect(event).toMatchObject({ event_type: 'execution_completed', stdout: 'big ok\n' });
  });

  it('reports an image that is not on the node as execution_failed (system_error) naming the reason', async () => {
    const event = await run('python', 'print(1)', { runtime_image: 'localhost/execution-queue-runtime/missing:0', runtime_command: ['python', '/scripts/main.py'], runtime_filename: 'main.py' });
    expect(event).toMatchObject({ event_type: 'execution_failed', error_type: 'system_error', exit_code: -1 });
    expect((event as { error_message: string }).error_message).toMatch(/ErrImagePull|ImagePullBackOff/);
  });

  it('runs 50 executions submitted at once, each with its own output, never more than 8 pods at a time', async () => {
    const ids = await Promise.all(Array.from({ length: 50 }, (_, index) => submit({ language: 'bash', language_version: '5.2', script: `sleep 0.5\necho "run ${index}"\n` })));
    let most = 0;
    let watching = true;
    const sampler = (async () => {
      while (watching) {
        most = Math.max(most, (await cluster.runningPods()).length);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
    try {
      await eventually(() => ids.every((id) => terminalOf(id).length > 0), 'all 50 terminal events', 170_000);
    } finally {
      watching = false;
      await sampler;
    }
    const outputs = ids.map((id) => terminalOf(id));
    expect(outputs.map((events) => events.length)).toEqual(ids.map(() => 1));
    expect(outputs.map((events) => [events[0]!.event_type, events[0]!.stdout])).toEqual(ids.map((_, index) => ['execution_completed', `run ${index}\n`]));
    expect(most).toBeGreaterThan(1);
    expect(most).toBeLessThanOrEqual(8);
  });
});
