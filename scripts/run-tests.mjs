#!/usr/bin/env node
// Runs Jest in its ES-module mode, writes the JSON results to reports/, and closes with the
// one-line "N passed, N failed" summary that CI reads. Extra arguments go to Jest.
//
// With no arguments it then packs the package and runs examples/host-app's tests against the
// tarball (scripts/test-host-app.mjs); their counts join the summary line.
//
// Unless only the unit project is selected, it first brings up the real infrastructure the
// integration tests use (scripts/infra/up.sh: a Kafka broker, unless KAFKA_BROKERS is set),
// passes its addresses to Jest, and stops afterwards what it started (INFRA_KEEP=1 keeps it).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const resultsFile = 'reports/jest-results.json';
const args = process.argv.slice(2);
const unitOnly = args.join(' ').includes('--selectProjects unit');
mkdirSync('reports', { recursive: true });
rmSync(resultsFile, { force: true });

function run(command, commandArgs, env = process.env) {
  const result = spawnSync(command, commandArgs, { stdio: 'inherit', env });
  return result.status ?? 1;
}

// The end-to-end tests start the built service as a real process, so build first.
if (run('npm', ['run', '--silent', 'build']) !== 0) process.exit(1);

const env = { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules`.trim() };
if (!unitOnly) {
  if (run('bash', ['scripts/infra/up.sh']) !== 0) {
    console.error('Could not start the test infrastructure (see the [infra] lines above).');
    process.exit(1);
  }
  for (const line of readFileSync('.infra/env', 'utf8').split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match) env[match[1]] = match[2];
  }
}

// --forceExit: after the broker-outage tests a Kafka client can keep a reconnect timer alive
// past the last test; every result is written by then, and a run must not hang on it.
const jestStatus = run(process.execPath, ['node_modules/jest/bin/jest.js', '--json', `--outputFile=${resultsFile}`, '--forceExit', ...args], env);

if (!unitOnly && process.env.INFRA_KEEP !== '1') run('bash', ['scripts/infra/down.sh']);

// A full run also tests the example host platform against the packed tarball (README, Embedding).
let hostApp = { passed: 0, failed: 0, status: 0 };
if (args.length === 0) {
  const result = spawnSync(process.execPath, ['scripts/test-host-app.mjs', '--skip-build'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  process.stdout.write(result.stdout);
  const counts = /^HOST-APP (\d+) (\d+)$/m.exec(result.stdout);
  hostApp = { passed: Number(counts?.[1] ?? 0), failed: Number(counts?.[2] ?? 1), status: result.status ?? 1 };
}

if (!existsSync(resultsFile)) {
  console.error('Jest wrote no results file; no test ran.');
  process.exit(jestStatus || 1);
}
const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
const skipped = results.numPendingTests + results.numTodoTests;
console.log(`${results.numPassedTests + hostApp.passed} passed, ${results.numFailedTests + hostApp.failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
if (results.numTotalTests === 0) {
  console.error('No test ran.');
  process.exit(1);
}
process.exit(jestStatus || hostApp.status);
