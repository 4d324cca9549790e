import { readFileSync } from 'node:fs';
import { KubeConfig } from '@kubernetes/client-node';

/** A value `npm run infra:up` recorded (.infra/env), unless the environment gives it. */
export function infraValue(key: string): string | undefined {
  if (process.env[key]) return process.env[key];
  try {
    return readFileSync('.infra/env', 'utf8').split('\n').find((line) => line.startsWith(`${key}=`))?.slice(key.length + 1);
  } catch {
    return undefined;
  }
}

/** The test cluster of `npm run infra:up` (or the one KUBECONFIG names). */
export function benchKubeConfig(): KubeConfig {
  const path = infraValue('KUBECONFIG');
  if (!path) throw new Error('No cluster: run `npm run infra:up` first or set KUBECONFIG');
  const config = new KubeConfig();
  config.loadFromFile(path);
  return config;
}

/**
 * The image the test node runs a language in (RUNTIME_IMAGES, recorded by scripts/infra/node.sh),
 * so benchmark pods never ask a registry for an image.
 */
export function nodeRuntimeImage(language: string, version: string): string {
  const entry = infraValue('RUNTIME_IMAGES')?.split(',').find((item) => item.startsWith(`${language}=`));
  if (!entry) throw new Error(`RUNTIME_IMAGES names no ${language} image: run \`npm run infra:up\` first`);
  return entry.slice(language.length + 1).replace('{version}', version);
}
