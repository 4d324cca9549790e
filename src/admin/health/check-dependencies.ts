import type { HealthIndicator, HealthResult } from '../../ports/health-indicator.port.js';

/** How long one dependency may take to answer before it counts as down. */
const CHECK_TIMEOUT_MS = 3000;

/**
 * Asks every dependency at once and gives each one's answer by name. A dependency that throws,
 * or does not answer in time, is down with the reason as its message: a check never fails.
 */
export async function checkDependencies(indicators: HealthIndicator[]): Promise<Record<string, HealthResult>> {
  const results = await Promise.all(indicators.map(async (indicator) => [indicator.name, await checkWithin(indicator)] as const));
  return Object.fromEntries(results);
}

async function checkWithin(indicator: HealthIndicator): Promise<HealthResult> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<HealthResult>((resolve) => {
    timer = setTimeout(() => resolve({ status: 'down', message: `no answer within ${CHECK_TIMEOUT_MS} ms` }), CHECK_TIMEOUT_MS);
  });
  try {
    return await Promise.race([indicator.check().catch((error: Error) => ({ status: 'down' as const, message: error.message })), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
