// One visit of a page in headless Chromium, timed by the page's own clock.
import { Browser, BrowserContext } from 'playwright-core';
import { PageSpec } from './pages';

export interface Sample {
  /** Navigation start to the page's first meaningful element visible. */
  ms: number;
  /** Navigation start to DOMContentLoaded: the entry scripts fetched and run. */
  entryMs: number;
  /** Navigation start to the app shell's sidebar visible: the app's first signed-in render. */
  shellMs: number;
  jsBytes: number;
}

/**
 * Records when the app shell (Backstage's sidebar, a `nav`) is first visible,
 * polled on every animation frame like the page's own element.
 */
const SHELL_PROBE = `(() => {
  const look = () => {
    for (const el of document.querySelectorAll('nav')) {
      const r = el.getBoundingClientRect();
      if (r.width > 0 && r.height > 0) { window.__benchShellAt = performance.now(); return; }
    }
    requestAnimationFrame(look);
  };
  requestAnimationFrame(look);
})()`;

export const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

export async function newContext(
  browser: Browser,
  base: string,
  user: string,
  serviceWorkers: 'allow' | 'block' = 'allow',
): Promise<BrowserContext> {
  const context = await browser.newContext({
    baseURL: base,
    viewport: { width: 1440, height: 900 },
    serviceWorkers,
  });
  // A returning user: the sample-user picker remembers the choice in localStorage.
  await context.addInitScript(
    `window.localStorage.setItem('marketplace.sampleUser', ${JSON.stringify(
      user,
    )})`,
  );
  await context.addInitScript(SHELL_PROBE);
  return context;
}

export async function measure(
  context: BrowserContext,
  spec: PageSpec,
  waitForServiceWorker = false,
): Promise<Sample> {
  const page = await context.newPage();
  let jsBytes = 0;
  const pending: Promise<void>[] = [];
  page.on('requestfinished', request => {
    if (request.resourceType() !== 'script') return;
    pending.push(
      request
        .sizes()
        .then(sizes => {
          // -1 (or 0) when the script came from the HTTP cache.
          jsBytes += Math.max(0, sizes.responseBodySize);
        })
        .catch(() => undefined),
    );
  });
  await page.goto(spec.path, { waitUntil: 'commit' });
  const handle = await page.waitForFunction(
    `(${spec.ready}) ? performance.now() : false`,
    undefined,
    { polling: 'raf', timeout: 60_000 },
  );
  const ms = (await handle.jsonValue()) as number;
  const { entryMs, shellMs } = (await page.evaluate(`({
    entryMs: performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd,
    shellMs: window.__benchShellAt ?? NaN,
  })`)) as { entryMs: number; shellMs: number };
  if (waitForServiceWorker) {
    // Not part of the measured time. The development server registers none.
    await page
      .waitForFunction(
        `navigator.serviceWorker.getRegistration().then(r => !!r?.active)`,
        undefined,
        { polling: 200, timeout: 20_000 },
      )
      .catch(() => undefined);
  }
  await Promise.all(pending);
  await page.close();
  return { ms, entryMs, shellMs, jsBytes };
}

export interface Target {
  label: string;
  base: string;
  serviceWorkers: 'allow' | 'block';
}

export async function run(
  browser: Browser,
  target: Target,
  spec: PageSpec,
  runs: number,
) {
  const cold: Sample[] = [];
  const warm: Sample[] = [];
  const third: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    const context = await newContext(
      browser,
      target.base,
      spec.user,
      target.serviceWorkers,
    );
    // A returning user comes back after the service worker (registered at the
    // first visit's load event) has installed.
    cold.push(await measure(context, spec, target.serviceWorkers === 'allow'));
    warm.push(await measure(context, spec));
    third.push(await measure(context, spec));
    await context.close();
  }
  return {
    coldMs: median(cold.map(s => s.ms)),
    warmMs: median(warm.map(s => s.ms)),
    thirdMs: median(third.map(s => s.ms)),
    coldJs: median(cold.map(s => s.jsBytes)),
    warmJs: median(warm.map(s => s.jsBytes)),
    // Of the warm visit: where the page's own part starts.
    warmEntryMs: median(warm.map(s => s.entryMs)),
    warmShellMs: median(warm.map(s => s.shellMs)),
  };
}
