/*
 * The portal's service worker (registered by packages/app/src/serviceWorker.ts in the
 * production build only, never by `yarn dev`).
 *
 * It serves the build's content-hashed files under /static/ cache-first from Cache
 * Storage, and nothing else: index.html, /api/*, the injected config and every other
 * request go to the network as without it (a static route when the browser has the
 * Static Routing API, so the worker is not even started for them).
 *
 * Why: Chromium keeps a full V8 code cache for scripts a service worker puts in Cache
 * Storage while it installs, so a returning visit skips compiling the ~2.8 MB entry
 * bundle. With the HTTP cache alone it compiled it again on every visit
 * (docs/performance.md, "Portal page speed").
 *
 * One cache per build: the page registers this file as `sw.js?build=<hash of the
 * build's runtime script>`, so a new build installs a new worker, which precaches the
 * new entry files and deletes the caches of older builds when it activates. Hashed
 * names never change content, so a cached file is never stale.
 *
 * Plain JavaScript: packages/app/public is copied into the build as it is.
 */
/* eslint-disable no-restricted-globals */
const build = new URL(self.location.href).searchParams.get('build') || 'none';
const CACHE = `marketplace-static-${build}`;
const scopePath = new URL(self.registration.scope).pathname;
const STATIC_PREFIX = `${scopePath}static/`;
/** A content-hashed build file: `<name>.<12 hex>.js`, `.chunk.js`, `.css`, `.svg`... */
const HASHED = /\.[0-9a-f]{8,}\.(?:chunk\.)?[a-z0-9]+$/;

function isHashedStatic(url) {
  return (
    url.origin === self.location.origin &&
    url.pathname.startsWith(STATIC_PREFIX) &&
    HASHED.test(url.pathname)
  );
}

/** The hashed files index.html loads before anything renders (scripts and styles). */
async function entryFiles() {
  const response = await fetch(self.registration.scope, { cache: 'no-store' });
  if (!response.ok) {
    return [];
  }
  const html = await response.text();
  const urls = new Set();
  for (const match of html.matchAll(/(?:src|href)="([^"]+)"/g)) {
    const url = new URL(match[1], self.registration.scope);
    if (isHashedStatic(url)) {
      urls.add(url.href);
    }
  }
  return [...urls];
}

self.addEventListener('install', event => {
  event.waitUntil(
    (async () => {
      if (event.addRoutes) {
        // Everything but /static/ bypasses this worker (no start-up cost on
        // navigations and API calls). Best effort: older browsers lack the API.
        try {
          await event.addRoutes([
            {
              condition: { urlPattern: `${STATIC_PREFIX}*` },
              source: 'fetch-event',
            },
            { condition: { urlPattern: `${scopePath}*` }, source: 'network' },
          ]);
        } catch {
          // The fetch handler below then lets those requests through untouched.
        }
      }
      // Precache the entry files now: Chromium produces their code cache as they
      // are put. Best effort too: a failure only means they are cached on use.
      try {
        const cache = await caches.open(CACHE);
        await cache.addAll(await entryFiles());
      } catch {
        // cached on first use instead
      }
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener('activate', event => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith('marketplace-static-') && name !== CACHE) {
          await caches.delete(name);
        }
      }
    })(),
  );
});

self.addEventListener('fetch', event => {
  const request = event.request;
  if (request.method !== 'GET' || !isHashedStatic(new URL(request.url))) {
    return; // the network, as without a service worker
  }
  event.respondWith(
    (async () => {
      const cache = await caches.open(CACHE);
      const hit = await cache.match(request, { ignoreVary: true });
      if (hit) {
        return hit;
      }
      const response = await fetch(request);
      if (response.ok) {
        event.waitUntil(cache.put(request, response.clone()));
      }
      return response;
    })(),
  );
});
