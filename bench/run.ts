import { runAdminApiBenchmark } from './admin-api.bench.js';
import { runFairnessBenchmark } from './fairness.bench.js';
import { runFullPathBenchmark } from './full-path.bench.js';
import { runKafkaBenchmark } from './kafka-pipeline.bench.js';
import { runLiveStreamBenchmark } from './live-stream.bench.js';
import { runNodeBenchmark } from './node.bench.js';
import { runPodCreationBenchmark } from './pod-creation.bench.js';
import { runQueueCoreBenchmark } from './queue-core.bench.js';
import { runRedisInstructionsBenchmark } from './redis-instructions.bench.js';
import { runSchedulingStepBenchmark } from './scheduling-step.bench.js';
import { runStateStoreBenchmark } from './state-store.bench.js';

/** `npm run bench [-- <suite>]`; suites: `queue` (default), `step`, `fairness`, `stream`, `admin`, `kafka`, `e2e`, `store`, `pods` and `node` (the last six need `npm run infra:up`; `node` runs pods on its node), and `instructions` (Redis's instructions per cycle under valgrind: needs valgrind and redis-server). */
const suite = process.argv[2] ?? 'queue';
const suites: Record<string, () => void | Promise<void>> = {
  queue: () => runQueueCoreBenchmark(process.env.BENCH_SIZES?.split(',').map(Number)),
  step: () => runSchedulingStepBenchmark(process.env.BENCH_SIZES?.split(',').map(Number)),
  admin: runAdminApiBenchmark,
  kafka: runKafkaBenchmark,
  e2e: runFullPathBenchmark,
  store: runStateStoreBenchmark,
  pods: runPodCreationBenchmark,
  node: runNodeBenchmark,
  fairness: runFairnessBenchmark,
  instructions: runRedisInstructionsBenchmark,
  stream: runLiveStreamBenchmark,
};

const run = suites[suite];
if (!run) {
  console.error(`Unknown benchmark suite '${suite}'. Known: ${Object.keys(suites).join(', ')}`);
  process.exit(2);
}
await run();
