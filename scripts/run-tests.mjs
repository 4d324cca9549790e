#!/usr/bin/env node
// Runs Jest in its ES-module mode, writes the JSON results to reports/, and closes with the
// one-line "N passed, N failed" summary that CI reads. Extra arguments go to Jest.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';

const resultsFile = 'reports/jest-results.json';
mkdirSync('reports', { recursive: true });
rmSync(resultsFile, { force: true });

// The end-to-end tests start the built service as a real process, so build first.
const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

const jest = spawnSync(
  process.execPath,
  ['node_modules/jest/bin/jest.js', '--json', `--outputFile=${resultsFile}`, ...process.argv.slice(2)],
  { stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --experimental-vm-modules`.trim() } },
);

if (!existsSync(resultsFile)) {
  console.error('Jest wrote no results file; no test ran.');
  process.exit(jest.status || 1);
}
const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
const skipped = results.numPendingTests + results.numTodoTests;
console.log(`${results.numPassedTests} passed, ${results.numFailedTests} failed${skipped ? `, ${skipped} skipped` : ''}`);
if (results.numTotalTests === 0) {
  console.error('No test ran.');
  process.exit(1);
}
process.exit(jest.status ?? 1);
