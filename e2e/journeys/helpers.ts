import { expect, Page } from '@playwright/test';
import path from 'node:path';
import fs from 'node:fs';

/** Signs in through the sample-user picker on the sign-in page. */
export async function signInAs(page: Page, userName: string) {
  await page.goto('/');
  await page
    .getByRole('list', { name: 'Sample users' })
    .getByText(userName, { exact: true })
    .click();
  await sidebarLink(page, 'Marketplace').waitFor();
}

/** Saves a full-page screenshot where scripts/e2e.sh asks for them. */
export async function screenshot(page: Page, name: string) {
  const dir = process.env.E2E_SCREENSHOT_DIR;
  if (!dir) {
    return;
  }
  fs.mkdirSync(dir, { recursive: true });
  await page.screenshot({
    path: path.join(dir, `${name}.png`),
    fullPage: true,
  });
}

/** A link in the sidebar. */
export function sidebarLink(page: Page, name: string) {
  return page
    .getByRole('navigation', { name: 'sidebar nav' })
    .getByRole('link', { name, exact: true });
}

/**
 * The browse card of a service on /marketplace, reloading until it is listed
 * (catalog ingestion may still be running right after the portal starts).
 */
export async function serviceCard(page: Page, title: RegExp) {
  const card = page
    .getByTestId('service-card')
    .filter({ hasText: title })
    .first();
  for (let attempt = 0; attempt < 45; attempt++) {
    // Not isVisible(): the grid renders its first six cards, then the rest a
    // moment later (ServiceCardGrid); a check in between missed later cards.
    if (
      await card.waitFor({ timeout: 3_000 }).then(
        () => true,
        () => false,
      )
    ) {
      return card;
    }
    await page.waitForTimeout(2_000);
    await page.reload();
    await page
      .getByTestId('service-card')
      .first()
      .waitFor({ timeout: 5_000 })
      .catch(() => undefined);
  }
  throw new Error(`No browse card for ${title}`);
}

/** The backend the journeys' portal runs (scripts/e2e.sh). */
export const BACKEND_URL =
  process.env.PLAYWRIGHT_BACKEND_URL ?? 'http://localhost:7007';

/** A Backstage token of a sample user, for calling the REST API directly. */
export async function apiTokenFor(user: string): Promise<string> {
  const res = await fetch(`${BACKEND_URL}/api/auth/sampleUsers/refresh`, {
    method: 'POST',
    headers: {
      'x-marketplace-sample-user': user,
      'x-requested-with': 'XMLHttpRequest',
    },
  });
  if (!res.ok) {
    throw new Error(`sign-in as ${user} failed: ${res.status}`);
  }
  return (await res.json()).backstageIdentity.token;
}

/**
 * Presses Send on the Test API playground until the answer starts. The demo
 * upstream fails a small share of requests on purpose (its per-model
 * `failureRate`, like a real provider): the playground then shows the
 * upstream error, and a user simply sends again. Up to three attempts.
 */
export async function sendTestRequest(page: Page) {
  const upstreamError = page
    .getByRole('alert')
    .filter({ hasText: /\(upstream_error\)|\(upstream_timeout\)/ });
  const send = page.getByRole('button', { name: 'Send' });
  for (let attempt = 1; attempt <= 3; attempt++) {
    // The answer of this attempt (not a previous one): the request must have
    // been answered, then the playground must have finished (the button reads
    // "Running…" until the stream ends), before its outcome is read.
    const response = page.waitForResponse(
      r =>
        r.request().method() === 'POST' &&
        /\/v1\/services\/[^/]+\/test$/.test(new URL(r.url()).pathname),
      { timeout: 30_000 },
    );
    await send.click();
    await response;
    await expect(send).toBeEnabled({ timeout: 60_000 });
    if (!(await upstreamError.isVisible())) {
      return;
    }
  }
}

/**
 * The words inside table cells that are broken across lines (a squeezed column
 * breaking "Llama" into "Ll a m a"). Empty when every cell breaks only between
 * words.
 */
export async function brokenWordsInTables(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const broken: string[] = [];
    for (const cell of Array.from(document.querySelectorAll('th, td'))) {
      const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const text = node.textContent ?? '';
        for (const match of Array.from(text.matchAll(/[^\s-]+-?/g))) {
          const range = document.createRange();
          range.setStart(node, match.index ?? 0);
          range.setEnd(node, (match.index ?? 0) + match[0].length);
          const lines = new Set(
            Array.from(range.getClientRects()).map(r => Math.round(r.top)),
          );
          if (lines.size > 1) {
            broken.push(match[0]);
          }
        }
      }
    }
    return broken;
  });
}

/** Pixels the page scrolls sideways (0 when nothing sticks out). */
export async function sidewaysOverflow(page: Page): Promise<number> {
  return page.evaluate(
    () => document.documentElement.scrollWidth - window.innerWidth,
  );
}
