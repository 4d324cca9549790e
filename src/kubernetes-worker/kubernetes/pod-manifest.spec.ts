import { configMapFor, ENTRYPOINT_SCRIPT, executionIdLabelValue, executionIdOf, podFor, toLabelValue } from './pod-manifest.js';

const settings = {
  namespace: 'integr8scode',
  defaults: { cpuLimit: '1000m', memoryLimit: '512Mi', cpuRequest: '100m', memoryRequest: '128Mi' },
  outputVolumeSize: '64Mi',
  tmpVolumeSize: '32Mi',
  shards: 8,
  outputLimitBytes: 4096,
};

const command = {
  execution_id: 'abc-1',
  script: "print('it''s')",
  language: 'python',
  language_version: '3.11',
  runtime_image: 'python:3.11-slim',
  runtime_command: ['python', "/scripts/it's.py"],
  runtime_filename: "it's.py",
  timeout_seconds: 0,
  cpu_limit: ' ',
  memory_limit: '256Mi',
  cpu_request: '',
  memory_request: '64Mi',
  saga_id: 'saga-1',
  metadata: { user_id: null, environment: 'test' },
} as never;

describe('pod manifest', () => {
  it.each([
    ['alice', 'alice'],
    ['Alice@Example.com', 'Alice-Example.com'],
    ['--weird--', 'weird'],
    ['@@@', 'unknown'],
    ['x'.repeat(80), 'x'.repeat(63)],
  ])('turns user %s into the label value %s', (input, expected) => {
    expect(toLabelValue(input)).toBe(expected);
  });

  it('falls back to the configured resources when the command leaves them empty, and never asks for a zero deadline', () => {
    const pod = podFor(command, settings);
    expect(pod.spec!.containers[0]!.resources).toEqual({ limits: { cpu: '1000m', memory: '256Mi' }, requests: { cpu: '100m', memory: '64Mi' } });
    expect(pod.spec!.activeDeadlineSeconds).toBe(1);
    expect(pod.metadata!.labels!['execution-queue/user']).toBe('unknown');
    expect(pod.spec!.volumes!.map((volume) => volume.emptyDir?.sizeLimit ?? volume.configMap?.name)).toEqual(['executor-abc-1', 'executor-abc-1', '64Mi', '32Mi']);
  });

  it('keeps label values of long execution ids within 63 characters, distinct, with the full id in an annotation', () => {
    const longId = `${'a'.repeat(45)}-${'b'.repeat(18)}`;
    const sibling = `${'a'.repeat(45)}-${'b'.repeat(17)}c`;
    expect(longId).toHaveLength(64);
    const pod = podFor({ ...(command as object), execution_id: longId } as never, settings);
    const label = pod.metadata!.labels!['execution-queue/execution-id']!;
    expect(label.length).toBeLessThanOrEqual(63);
    expect(label).toMatch(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/);
    expect(label).not.toBe(executionIdLabelValue(sibling));
    expect(executionIdOf(pod)).toBe(longId);
    expect(executionIdLabelValue('abc-1')).toBe('abc-1');
    expect(executionIdLabelValue('x'.repeat(63))).toBe('x'.repeat(63));
  });

  it('runs the runtime command, unquoted and unchanged, as the arguments of the entrypoint', () => {
    const pod = podFor(command, settings);
    const container = pod.spec!.containers[0]!;
    expect(container.command).toEqual(['/bin/sh', '/execution-queue/entrypoint.sh', 'python', "/scripts/it's.py"]);
    expect(container.env).toContainEqual({ name: 'EQ_OUTPUT_LIMIT', value: '4096' });
  });

  it('keeps the script and the entrypoint in one ConfigMap, mapped to the script name and to a folder of their own', () => {
    const configMap = configMapFor(command, settings);
    expect(configMap.data!.script).toBe("print('it''s')");
    expect(configMap.data!.entrypoint).toBe(ENTRYPOINT_SCRIPT);
    const volumes = podFor(command, settings).spec!.volumes!;
    expect(volumes.find((volume) => volume.name === 'scripts')!.configMap!.items).toEqual([{ key: 'script', path: "it's.py" }]);
    // A script named like the entrypoint cannot replace it: they are mounted apart.
    const clash = podFor({ ...(command as object), runtime_filename: 'entrypoint.sh' } as never, settings);
    expect(clash.spec!.containers[0]!.volumeMounts!.map((mount) => mount.mountPath)).toEqual(['/scripts', '/execution-queue', '/output', '/tmp']);
  });
});
