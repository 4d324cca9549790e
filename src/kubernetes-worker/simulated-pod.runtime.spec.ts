import { jest } from '@jest/globals';
import { RecordingPublisher } from '../../test/builders/recording-publisher.js';
import { WIRE_FIXTURES } from '../../test/fixtures/wire-events.fixtures.js';
import { CreatePodCommand, DeletePodCommand } from '../contracts/pod.events.js';
import { WireCodec } from '../contracts/wire-codec.js';
import { SimulatedPodRuntime, SIMULATED_STDOUT } from './simulated-pod.runtime.js';

const source = { serviceName: 'execution-queue', serviceVersion: '0.1.0', environment: 'test' as const };
const command = (id: string) => Object.assign(new CreatePodCommand(), { ...WIRE_FIXTURES.create_pod_command, execution_id: id });
const deletion = (id: string) => Object.assign(new DeletePodCommand(), { ...WIRE_FIXTURES.delete_pod_command, execution_id: id });

describe('SimulatedPodRuntime', () => {
  let publisher: RecordingPublisher;
  let runtime: SimulatedPodRuntime;

  beforeEach(() => {
    jest.useFakeTimers();
    publisher = new RecordingPublisher();
    runtime = new SimulatedPodRuntime(publisher, source, 'integr8scode', 1000);
  });

  afterEach(() => {
    runtime.onApplicationShutdown();
    jest.useRealTimers();
  });

  it('reports the pod created and running at once, and completion after the run time', async () => {
    await runtime.createPod(command('a'));
    expect(publisher.events.map((event) => event.event_type)).toEqual(['pod_created', 'pod_running']);
    expect(publisher.events[0]).toMatchObject({ pod_name: 'executor-a', namespace: 'integr8scode', metadata: { user_id: 'user-7' } });
    await jest.advanceTimersByTimeAsync(999);
    expect(publisher.ofType('execution_completed')).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(publisher.ofType('execution_completed')).toMatchObject([{ execution_id: 'a', exit_code: 0, stdout: SIMULATED_STDOUT, stderr: '' }]);
    const codec = new WireCodec();
    for (const event of publisher.events) {
      const wire = codec.encode(event);
      expect(codec.decode(wire.topic, wire.key, wire.value)).toMatchObject({ ok: true });
    }
  });

  it('ends a run early on delete, without a completion', async () => {
    await runtime.createPod(command('a'));
    await runtime.deletePod(deletion('a'));
    await jest.advanceTimersByTimeAsync(5000);
    expect(publisher.ofType('execution_completed')).toHaveLength(0);
    expect(runtime.runningCount).toBe(0);
  });

  it('ignores a repeated create for a running execution and a delete for an unknown one', async () => {
    await runtime.createPod(command('a'));
    await runtime.createPod(command('a'));
    await runtime.deletePod(deletion('zzz'));
    await jest.advanceTimersByTimeAsync(1000);
    expect(publisher.ofType('pod_created')).toHaveLength(1);
    expect(publisher.ofType('execution_completed')).toHaveLength(1);
  });

  it('ignores a repeated create while the finished "pod" would still exist, and runs it again after', async () => {
    runtime = new SimulatedPodRuntime(publisher, source, 'integr8scode', 1000, 60_000);
    await runtime.createPod(command('a'));
    await jest.advanceTimersByTimeAsync(1000);
    await jest.advanceTimersByTimeAsync(58_000);
    await runtime.createPod(command('a'));
    await jest.advanceTimersByTimeAsync(1000);
    expect(publisher.ofType('pod_created')).toHaveLength(1);
    expect(publisher.ofType('execution_completed')).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1500);
    await runtime.createPod(command('a'));
    await jest.advanceTimersByTimeAsync(1000);
    expect(publisher.ofType('pod_created')).toHaveLength(2);
    expect(publisher.ofType('execution_completed')).toHaveLength(2);
  });
});
