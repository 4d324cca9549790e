import type { V1Pod } from '@kubernetes/client-node';
import { podStateOf } from './pod-status.js';

const pod = (status: V1Pod['status'], nodeName?: string): V1Pod => ({ spec: { containers: [], nodeName }, status });
const terminated = (exitCode: number, reason?: string, message?: string) => [
  { name: 'executor', image: 'i', imageID: '', ready: false, restartCount: 0, state: { terminated: { exitCode, reason, message } } },
];

describe('podStateOf', () => {
  it.each([
    ['no status yet', pod(undefined), { kind: 'pending' }],
    ['bound to a node', pod({ phase: 'Pending' }, 'node-a'), { kind: 'scheduled', nodeName: 'node-a' }],
    ['running', pod({ phase: 'Running' }, 'node-a'), { kind: 'running' }],
    ['succeeded', pod({ phase: 'Succeeded', containerStatuses: terminated(0) }), { kind: 'completed', exitCode: 0 }],
    ['failed with exit 2', pod({ phase: 'Failed', containerStatuses: terminated(2, 'Error') }), { kind: 'failed', exitCode: 2, errorType: 'script_error' }],
    ['OOMKilled', pod({ phase: 'Failed', containerStatuses: terminated(137, 'OOMKilled') }), { kind: 'failed', exitCode: 137, errorType: 'resource_limit' }],
    ['past its deadline', pod({ phase: 'Failed', reason: 'DeadlineExceeded' }), { kind: 'timeout' }],
    ['evicted', pod({ phase: 'Failed', reason: 'Evicted', message: 'node low on memory', containerStatuses: terminated(137) }), { kind: 'failed', errorType: 'system_error' }],
    ['failed before its container ran', pod({ phase: 'Failed' }), { kind: 'failed', exitCode: -1, errorType: 'system_error' }],
    ['killed for memory, as the entrypoint counted', pod({ phase: 'Failed', containerStatuses: terminated(137, 'Error', 'exit_code=137\noom_kills=1\n') }), { kind: 'failed', exitCode: 137, errorType: 'resource_limit' }],
    ['a container that never started', pod({ phase: 'Failed', containerStatuses: terminated(128, 'StartError', 'exec: no such file') }), { kind: 'failed', errorType: 'system_error', message: expect.stringContaining('StartError: exec: no such file') }],
    ['evicted for its volumes', pod({ phase: 'Failed', reason: 'Evicted', message: 'Usage of EmptyDir volume "output" exceeds the limit "64Mi".' }), { kind: 'failed', errorType: 'resource_limit' }],
  ] as const)('reads %s', (_name, input, expected) => {
    expect(podStateOf(input)).toMatchObject(expected);
  });

  it.each(['ErrImagePull', 'ImagePullBackOff', 'InvalidImageName', 'CreateContainerConfigError'])('treats a container waiting on %s as failed (system_error)', (reason) => {
    const state = podStateOf(pod({ phase: 'Pending', containerStatuses: [{ name: 'executor', image: 'i', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason } } }] }));
    expect(state).toMatchObject({ kind: 'failed', errorType: 'system_error', message: expect.stringContaining(reason) });
  });

  it('keeps waiting through ordinary waits such as ContainerCreating', () => {
    const waiting = [{ name: 'executor', image: 'i', imageID: '', ready: false, restartCount: 0, state: { waiting: { reason: 'ContainerCreating' } } }];
    expect(podStateOf(pod({ phase: 'Pending', containerStatuses: waiting }, 'node-a'))).toEqual({ kind: 'scheduled', nodeName: 'node-a' });
  });
});
