import { Page } from '@playwright/test';
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
