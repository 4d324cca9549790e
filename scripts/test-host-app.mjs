#!/usr/bin/env node
// Packs the package as a host would receive it (npm pack), installs the tarball into
// examples/host-app, and runs that platform's own tests against it (not against src/).
// Prints node's TAP output and ends with "HOST-APP <passed> <failed>" for run-tests.mjs.
// Usage: node scripts/test-host-app.mjs [--skip-build]   (skip when dist/ was just built)
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const example = 'examples/host-app';
const packDir = '.pack';
const skipBuild = process.argv.includes('--skip-build');

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], ...options });
  if (result.status !== 0) {
    process.stdout.write(result.stdout ?? '');
    console.error(`host-app: ${command} ${args.join(' ')} failed (exit ${result.status})`);
    console.log('HOST-APP 0 1');
    process.exit(1);
  }
  return result.stdout;
}

rmSync(packDir, { recursive: true, force: true });
mkdirSync(packDir);
// prepack builds; run-tests.mjs has just built, so it may skip that step.
const packed = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', packDir, ...(skipBuild ? ['--ignore-scripts'] : [])]));
// The example names a fixed file, so its package.json does not change with each version.
copyFileSync(join(packDir, packed[0].filename), join(packDir, 'execution-queue.tgz'));

rmSync(join(example, 'node_modules', 'execution-queue'), { recursive: true, force: true });
run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: example });
run('npm', ['run', '--silent', 'build'], { cwd: example });

const tests = spawnSync(process.execPath, ['--test', '--test-reporter=tap', 'dist/test/'], { cwd: example, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
process.stdout.write(tests.stdout);
const count = (name) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(tests.stdout)?.[1] ?? 0);
const failed = count('fail') + count('cancelled') + (tests.status !== 0 && count('fail') === 0 ? 1 : 0);
console.log(`HOST-APP ${count('pass')} ${failed}`);
process.exit(tests.status ?? 1);
