import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CONTROL_ROOM, EDGE, SERVICE_NAMES } from '@streamplane/contracts';
import { describeWhenInstalled, findOnPath } from '@streamplane/testkit';
import { startChaosPlatform, type ChaosPlatform } from '../chaos/harness';

/**
 * The control room as a person sees it: `npm start`'s platform (the seven services, the edge and the
 * control room, on free ports), the page in Debian's headless Chromium, driven by playwright-core. The page
 * is found through the DOM contract the control room keeps (data-service/data-health, data-breaker/
 * data-state, #trace-search, #waterfall), never through its look. Screenshots go to test-output/.
 */

const OUTPUT = join(__dirname, '..', '..', 'test-output');
/** What the page may take to show a change: its poll (1 s) and a scrape or a health check behind it. */
const SHOWS_WITHIN_MS = 10_000;
/** Chromium on a closed network: no first-run work, no calls home (see the machine notes). */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const COMPONENTS = [...SERVICE_NAMES, EDGE.name];

describeWhenInstalled('chromium', 'apt-get install chromium', 'the control room in a browser', () => {
  let chaos: ChaosPlatform;
  let browser: Browser;
  let page: Page;

  const healthOf = (name: string) => page.getAttribute(`[data-service="${name}"]`, 'data-health');

  beforeAll(async () => {
    mkdirSync(OUTPUT, { recursive: true });
    chaos = await startChaosPlatform({}, 60, { withEdge: true, withControlRoom: true });
    browser = await chromium.launch({ executablePath: findOnPath('chromium'), args: CHROMIUM_ARGS });
    page = await browser.newPage({ viewport: { width: 1600, height: 1100 } });
    await page.goto(`http://${chaos.platform.address(CONTROL_ROOM.name)}/`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await chaos?.stop();
  }, 60_000);

  test('it shows every service and the edge SERVING, updating at least once a second', async () => {
    for (const name of COMPONENTS) {
      await page.waitForSelector(`[data-service="${name}"][data-health="SERVING"]`, { timeout: SHOWS_WITHIN_MS });
    }
    // The page's CSP forbids evaluating strings, so the change is watched from here.
    const first = await page.textContent('#updated-at');
    const seen: Array<string | null> = [];
    for (let polls = 0; polls < 25 && !seen.some((text) => text !== first); polls++) {
      await page.waitForTimeout(100);
      seen.push(await page.textContent('#updated-at'));
    }
    expect(seen.filter((text) => text !== first).length).toBeGreaterThan(0);
  });

  test('the trace of a call a person just made, found by its trace id, drawn across services', async () => {
    const traceId = 'c0ffee00'.repeat(4);
    const outcome = await chaos.calls.call(
      'subtitles',
      'ListTracks',
      { title_id: 'tt00010' },
      { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    );
    expect(outcome.code).toBe('OK');
    // Spans reach the control room in the services' next export batch (every second).
    await page.waitForSelector(`[data-trace-id="${traceId}"]`, { timeout: SHOWS_WITHIN_MS });
    await page.fill('#trace-search', traceId);
    await page.press('#trace-search', 'Enter');
    await page.waitForSelector('#waterfall [data-span-service="catalog"]', { timeout: SHOWS_WITHIN_MS });
    const services = await page.$$eval('#waterfall [data-span-service]', (rows) =>
      rows.map((row) => row.getAttribute('data-span-service')),
    );
    expect(new Set(services)).toEqual(new Set(['subtitles', 'catalog']));
  });

  test('a killed service turns red, and a breaker opened by its outage shows open', async () => {
    await chaos.platform.pause('billing', 'kill');
    await page.waitForSelector('[data-service="billing"][data-health="UNREACHABLE"]', { timeout: SHOWS_WITHIN_MS });
    expect(await healthOf('catalog')).toBe('SERVING');

    // Plays need billing's entitlement: they fail until playback-authorization's breaker opens.
    const recorder = await chaos.load(20, 4_000);
    expect(recorder.errors.UNAVAILABLE ?? 0).toBeGreaterThan(0);
    await page.waitForSelector('[data-breaker="billing/GetEntitlement"][data-state="open"]', {
      timeout: SHOWS_WITHIN_MS,
    });
    await page.screenshot({ path: join(OUTPUT, 'control-room.png'), fullPage: true });

    await chaos.platform.resume('billing');
    await page.waitForSelector('[data-service="billing"][data-health="SERVING"]', { timeout: SHOWS_WITHIN_MS });
  }, 60_000);

  test('an experiment or a monkey kill tells the page', async () => {
    const response = await fetch(`http://${chaos.platform.address(CONTROL_ROOM.name)}/api/chaos-events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ source: 'monkey', kind: 'killed', service: 'subtitles', text: 'killed subtitles' }),
    });
    expect(response.status).toBe(202);
    await page.waitForSelector('#chaos-events li:has-text("killed subtitles")', { timeout: SHOWS_WITHIN_MS });
  });
});
