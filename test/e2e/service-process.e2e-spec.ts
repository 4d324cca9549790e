import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { freePort, MAIN, startService } from '../builders/service-process.js';

/**
 * Starts the built service (`dist/main.js`, as `npm start` runs it) as a real process with the
 * embedded defaults, and checks what a newcomer would see.
 */
describe('the service process', () => {
  it('starts with embedded defaults, generates and logs an admin token once, and runs submissions to completion', async () => {
    const port = await freePort();
    const service = await startService({ PORT: String(port), SIMULATED_RUN_MS: '50' });
    try {
      const tokenLines = service.output().split('\n').filter((line) => line.includes('generated an admin token'));
      expect(tokenLines).toHaveLength(1);
      const token = /generated an admin token for this process: (\S+)/.exec(tokenLines[0]!)![1]!;
      const base = `http://127.0.0.1:${port}`;
      expect((await fetch(`${base}/api/v1/admin/queue`)).status).toBe(401);
      const headers = { Authorization: `Bearer ${token}`, 'content-type': 'application/json' };
      for (let i = 0; i < 3; i++) {
        const response = await fetch(`${base}/api/v1/executions`, {
          method: 'POST',
          headers,
          body: JSON.stringify({ user_id: 'newcomer', script: 'print(1)', language: 'python', language_version: '3.11' }),
        });
        expect(response.status).toBe(202);
      }
      let status: { queue_depth: number; active_count: number } | undefined;
      const deadline = Date.now() + 5000;
      do {
        await new Promise((resolve) => setTimeout(resolve, 50));
        status = (await (await fetch(`${base}/api/v1/admin/queue`, { headers })).json()) as typeof status;
      } while ((status!.queue_depth > 0 || status!.active_count > 0) && Date.now() < deadline);
      expect(status).toMatchObject({ queue_depth: 0, active_count: 0, max_active_executions: 10 });
      expect(service.output().split('\n').filter((line) => line.includes('generated an admin token'))).toHaveLength(1);
    } finally {
      await service.stop();
    }
  });

  it('writes one JSON object per line with LOG_FORMAT=json', async () => {
    const service = await startService({ PORT: String(await freePort()), LOG_FORMAT: 'json', ADMIN_TOKENS: 'a-configured-token-123456' });
    await service.stop();
    const lines = service.output().trim().split('\n');
    expect(lines.length).toBeGreaterThan(3);
    for (const line of lines) expect(JSON.parse(line)).toMatchObject({ time: expect.any(String), level: expect.any(String), msg: expect.any(String) });
    expect(service.output()).not.toContain('generated an admin token');
  });

  it.each([
    ['QUEUE_MAX_ACTIVE', 'lots', /QUEUE_MAX_ACTIVE: expected an integer from 1 to/],
    ['TRANSPORT', 'carrier-pigeon', /TRANSPORT: expected one of memory, kafka, got 'carrier-pigeon'/],
    ['K8S_NAMESPACE', 'default', /K8S_NAMESPACE: executions never run in the `default` namespace/],
    ['LOG_LEVEL', 'loud', /LOG_LEVEL: expected one of error, warn, info, debug, verbose/],
  ])('refuses to start when %s=%s, naming the variable', async (name, value, message) => {
    const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', [name]: value }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk) => (stderr += chunk));
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
  });
});
