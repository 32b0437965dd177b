/**
 * Registers the service worker of packages/app/public/sw.js, which serves the
 * build's content-hashed files from Cache Storage (so Chromium keeps their V8
 * code cache between visits). Production build only: the development server's
 * files have no content hashes and must never be cached.
 *
 * The worker is registered per build (`sw.js?build=<hash of the runtime
 * script>`): a new build installs a new worker, which drops the old build's
 * cache. It is registered a few seconds after the page has loaded, when the
 * browser is idle: installing it compiles the ~2.8 MB entry files for their code
 * cache, which slowed the first visit's render by a third to a half when it ran
 * right at the load event (bench/portal, docs/performance.md).
 */
const REGISTER_AFTER_LOAD_MS = 3000;

export function registerServiceWorker() {
  if (
    process.env.NODE_ENV !== 'production' ||
    !('serviceWorker' in navigator)
  ) {
    return;
  }
  // The public path the app-backend wrote into index.html ("/" or "/base/").
  const publicPath =
    document
      .querySelector('meta[name="backstage-public-path"]')
      ?.getAttribute('content') ?? '/';
  const runtime = document.querySelector<HTMLScriptElement>(
    'script[src*="/static/runtime."]',
  );
  const build = runtime?.src.match(/runtime\.([0-9a-f]+)\.js$/)?.[1];
  if (!build) {
    return;
  }
  const register = () => {
    navigator.serviceWorker
      .register(`${publicPath}sw.js?build=${build}`, { scope: publicPath })
      .catch(() => {
        // No worker: the pages work as before, from the HTTP cache.
      });
  };
  const registerWhenIdle = () =>
    setTimeout(() => {
      if ('requestIdleCallback' in window) {
        window.requestIdleCallback(register, { timeout: 10_000 });
      } else {
        register();
      }
    }, REGISTER_AFTER_LOAD_MS);
  if (document.readyState === 'complete') {
    registerWhenIdle();
  } else {
    window.addEventListener('load', registerWhenIdle, { once: true });
  }
}
