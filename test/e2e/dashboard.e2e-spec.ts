/// <reference lib="dom" />
import { existsSync, mkdirSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { freePort, startService, type RunningService } from '../builders/service-process.js';

const TOKEN = 'dashboard-token-0123456789';
const SCREENSHOTS = 'reports/screenshots';

/** Debian's chromium, installed by scripts/infra/chromium.sh (CHROMIUM names it). */
function chromiumPath(): string {
  const path = process.env.CHROMIUM ?? '/usr/bin/chromium';
  if (!existsSync(path)) throw new Error(`No chromium at ${path}: run the tests through \`npm test\` (scripts/infra/chromium.sh installs it)`);
  return path;
}

/**
 * The dashboard in a real browser, against the built service as its own process. Executions
 * run for a minute and one at a time, so what is submitted stays pending where the page shows it.
 */
describe('the dashboard in a browser', () => {
  let service: RunningService;
  let base: string;
  let browser: Browser;
  let page: Page;

  const api = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${base}${path}`, { method, headers: { Authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
    return response.json() as Promise<Record<string, unknown>>;
  };
  const submit = (id: string, user: string) => api('POST', '/api/v1/executions', { execution_id: id, user_id: user, script: 'print(1)', language: 'python', language_version: '3.11' });
  const pendingIds = () => page.locator('#pending-rows tr').evaluateAll((rows) => rows.map((row) => (row as HTMLElement).dataset.executionId));

  beforeAll(async () => {
    const port = await freePort();
    service = await startService({ PORT: String(port), ADMIN_TOKENS: TOKEN, SIMULATED_RUN_MS: '60000', QUEUE_MAX_ACTIVE: '1', QUEUE_HOUSEKEEPING_SECONDS: '0' });
    base = `http://127.0.0.1:${port}`;
    browser = await chromium.launch({ executablePath: chromiumPath(), args: ['--no-sandbox', '--disable-dev-shm-usage'] });
    page = await browser.newPage({ viewport: { width: 1366, height: 900 } });
    // Every action asks to confirm; the test says yes.
    page.on('dialog', (dialog) => void dialog.accept(dialog.type() === 'prompt' ? '4' : undefined));
    mkdirSync(SCREENSHOTS, { recursive: true });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await service?.stop();
  });

  it('refuses a wrong token with a clear message', async () => {
    await page.goto(`${base}/dashboard`);
    await page.fill('#token', 'wrong-token-0123456789');
    await page.click('#sign-in-form button[type=submit]');
    await page.waitForSelector('#sign-in-error:has-text("The token was refused")');
    expect(await page.isVisible('#board')).toBe(false);
    await page.screenshot({ path: `${SCREENSHOTS}/dashboard-sign-in.png` });
  }, 30_000);

  it('shows counts that match the API, and a new submission within a second without a reload', async () => {
    await submit('dash-1', 'ann');
    await submit('dash-2', 'bob');
    await page.fill('#token', TOKEN);
    await page.click('#sign-in-form button[type=submit]');
    await page.waitForSelector('#connection:has-text("Live")');
    const status = await api('GET', '/api/v1/admin/queue');
    await page.waitForFunction((depth) => document.getElementById('queue-depth')?.textContent === String(depth), status.queue_depth);
    expect(await page.textContent('#active-count')).toBe(`${String(status.active_count)} / 1`);
    expect(await pendingIds()).toEqual(['dash-2']);
    // Nothing malformed reached this service; the panel says so rather than staying empty.
    expect(await page.textContent('#dead-letters')).toBe('None');

    const submittedAt = Date.now();
    await submit('dash-3', 'cat');
    await page.waitForSelector('#pending-rows tr[data-execution-id="dash-3"]', { timeout: 1000 });
    expect(Date.now() - submittedAt).toBeLessThan(1000);
    await page.screenshot({ path: `${SCREENSHOTS}/dashboard-live.png`, fullPage: true });
  }, 30_000);

  it('holds and resumes dispatching', async () => {
    await page.click('#toggle-hold');
    await page.waitForSelector('#held-state:has-text("Held")');
    expect((await api('GET', '/api/v1/admin/queue')).held).toBe(true);
    await page.click('#toggle-hold');
    await page.waitForSelector('#held-state:has-text("Running")');
    expect((await api('GET', '/api/v1/admin/queue')).held).toBe(false);
  }, 30_000);

  it('changes a priority and shows the new order, then cancels a pending execution', async () => {
    await submit('dash-4', 'dan');
    await page.waitForFunction(() => document.querySelectorAll('#pending-rows tr').length === 3);
    const row = page.locator('#pending-rows tr[data-execution-id="dash-4"]');
    await row.locator('select').selectOption('critical');
    await row.locator('button', { hasText: 'Move' }).click();
    await page.waitForFunction(() => (document.querySelector('#pending-rows tr') as HTMLElement | null)?.dataset.executionId === 'dash-4');
    expect(await pendingIds()).toEqual(['dash-4', 'dash-2', 'dash-3']);

    await page.locator('#pending-rows tr[data-execution-id="dash-3"] button', { hasText: 'Cancel' }).click();
    await page.waitForFunction(() => !document.querySelector('#pending-rows tr[data-execution-id="dash-3"]'));
    expect(await pendingIds()).toEqual(['dash-4', 'dash-2']);
    await page.screenshot({ path: `${SCREENSHOTS}/dashboard-after-actions.png`, fullPage: true });
  }, 30_000);

  it('says so when the service goes away, instead of showing stale figures as live', async () => {
    await service.stop();
    await page.waitForSelector('#connection:has-text("reconnecting"), #connection:has-text("retrying")', { timeout: 10_000 });
  }, 30_000);
});
