import { expect, Page, test } from '@playwright/test';
import { signInAs } from './helpers';

/*
 * The production build's service worker (packages/app/public/sw.js): a returning
 * visit gets the build's hashed files from Cache Storage, everything else
 * (index.html, the API) from the network, and a worker of another build leaves
 * no cache behind.
 */

/** The scriptURL of the page's active service worker, once there is one. */
async function activeWorker(page: Page): Promise<string> {
  return page.evaluate(() =>
    navigator.serviceWorker.ready.then(r => r.active?.scriptURL ?? ''),
  );
}

test('a returning visit loads the app from the service worker, the API from the network', async ({
  page,
}) => {
  await signInAs(page, 'lena.fischer');
  await page.goto('/marketplace');
  // Any card: which services the first page lists depends on the traffic of
  // the journeys before this one (the default order weighs usage and ratings).
  await expect(page.getByTestId('service-card').first()).toBeVisible({
    timeout: 60_000,
  });

  // Registered after the first load, per build (the hash of the runtime script).
  const runtime = await page
    .locator('script[src*="/static/runtime."]')
    .getAttribute('src');
  const build = runtime?.match(/runtime\.([0-9a-f]+)\.js$/)?.[1];
  expect(build).toBeTruthy();
  expect(await activeWorker(page)).toMatch(
    new RegExp(`/sw\\.js\\?build=${build}$`),
  );
  // The entry files were precached while it installed.
  const cached = await page.evaluate(async () => {
    const names = await caches.keys();
    const urls = [];
    for (const name of names) {
      const cache = await caches.open(name);
      urls.push(...(await cache.keys()).map(r => new URL(r.url).pathname));
    }
    return { names, urls };
  });
  expect(cached.names).toEqual([`marketplace-static-${build}`]);
  expect(cached.urls).toContain(runtime);

  // The next visit: every script from the worker, the page and the API not.
  const scripts: { url: string; fromSw: boolean }[] = [];
  const others: { url: string; fromSw: boolean }[] = [];
  page.on('response', response => {
    const entry = { url: response.url(), fromSw: response.fromServiceWorker() };
    if (response.request().resourceType() === 'script') {
      scripts.push(entry);
    } else if (
      response.request().resourceType() === 'document' ||
      new URL(response.url()).pathname.startsWith('/api/')
    ) {
      others.push(entry);
    }
  });
  await page.reload();
  await expect(page.getByTestId('service-card').first()).toBeVisible();
  expect(scripts.length).toBeGreaterThan(10);
  expect(scripts.filter(s => !s.fromSw)).toEqual([]);
  expect(
    others.some(o => new URL(o.url).pathname.endsWith('/marketplace/services')),
  ).toBe(true);
  expect(others.filter(o => o.fromSw)).toEqual([]);
});

test("a worker of another build replaces the old one and drops the old build's cache", async ({
  page,
}) => {
  await signInAs(page, 'lena.fischer');
  await page.goto('/marketplace');
  // Any card: which services the first page lists depends on the traffic of
  // the journeys before this one (the default order weighs usage and ratings).
  await expect(page.getByTestId('service-card').first()).toBeVisible({
    timeout: 60_000,
  });
  const first = await activeWorker(page);
  expect(first).toMatch(/\/sw\.js\?build=[0-9a-f]+$/);

  // What a new build does on its first load: register sw.js?build=<new hash>.
  const result = await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.register(
      '/sw.js?build=0123456789ab',
      { scope: '/' },
    );
    const worker = registration.installing ?? registration.waiting;
    if (worker) {
      await new Promise<void>(resolve => {
        worker.addEventListener('statechange', () => {
          if (worker.state === 'activated') resolve();
        });
      });
    }
    return {
      active: registration.active?.scriptURL ?? '',
      caches: await caches.keys(),
    };
  });
  expect(result.active).toMatch(/\/sw\.js\?build=0123456789ab$/);
  expect(result.caches).toEqual(['marketplace-static-0123456789ab']);

  // The app still loads, its files cached under the new worker.
  await page.reload();
  await expect(page.getByTestId('service-card').first()).toBeVisible();
});
