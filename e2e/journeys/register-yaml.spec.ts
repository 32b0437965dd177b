import { expect, test } from '@playwright/test';
import { BACKEND_URL, screenshot, signInAs } from './helpers';

/*
 * A team that describes its service in the catalog-info.yaml of its own
 * repository. The development backend serves examples/sample-team-repo/ as a
 * stand-in repository host (allowed in backend.reading.allow).
 */
const REPO = `${BACKEND_URL}/api/demo-upstream/sample-team-repo`;

test('a team registers its catalog-info.yaml: every mistake of an invalid file at once; a valid one waits for approval', async ({
  page,
}) => {
  test.setTimeout(240_000);
  await signInAs(page, 'samira.haddad');
  await page.goto('/catalog-import');
  const url = page.getByRole('textbox', { name: 'URL' });
  await expect(url).toBeVisible({ timeout: 60_000 });

  // An invalid file: refused with every problem, each naming its field.
  await url.fill(`${REPO}/invalid/catalog-info.yaml`);
  await page.getByRole('button', { name: 'Analyze' }).click();
  const error = page.getByText(/Invalid ModelService 'acme-draft-assistant'/);
  await expect(error).toBeVisible({ timeout: 60_000 });
  for (const problem of [
    'spec.owner is required',
    'spec.lifecycle is required',
    'spec.pricing.promptPer1kMicros must be an integer (a whole number), got 0.2',
    'spec.contextWindow must be an integer (a whole number), got "128k"',
    'spec.endpoint.baseUrl must be an http:// or https:// URL',
    'spec.geographic.country must be a two-letter ISO 3166 country code',
  ]) {
    await expect(error).toContainText(problem);
  }
  await expect(error).toContainText('invalid/catalog-info.yaml');
  await screenshot(page, 'register-yaml-invalid');

  // The valid file: previewed, imported, and waiting for an admin's approval.
  await url.fill(`${REPO}/catalog-info.yaml`);
  await page.getByRole('button', { name: 'Analyze' }).click();
  await expect(page.getByText('acme-support-assistant').first()).toBeVisible({
    timeout: 60_000,
  });
  await page.getByRole('button', { name: 'Import' }).click();
  await expect(
    page.getByRole('button', { name: 'Register another' }),
  ).toBeVisible({
    timeout: 60_000,
  });
  await screenshot(page, 'register-yaml-imported');

  await page.goto('/catalog/default/modelservice/acme-support-assistant');
  await expect(async () => {
    await page.reload();
    await expect(page.getByText('Pending approval').first()).toBeVisible({
      timeout: 5_000,
    });
  }).toPass({ timeout: 120_000 });
  await screenshot(page, 'register-yaml-pending');
});
