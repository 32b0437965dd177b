import { expect, test } from '@playwright/test';
import { screenshot, signInAs } from './helpers';

/**
 * The About card's Edit on a service page is never a dead button: for a
 * catalog YAML service of the user's team it says that the YAML in the
 * repository is the source of truth (the publish journey covers a portal
 * service, whose Edit opens the publish form filled in).
 */
test("the About card's Edit of a catalog YAML service says where to change it", async ({
  page,
}) => {
  await signInAs(page, 'samira.haddad');
  await page.goto('/catalog/default/modelservice/northwind-gpt-4o-mini');
  const edit = page.getByTitle('Edit Metadata');
  await expect(edit).toBeVisible({ timeout: 30_000 });
  await expect(edit).toBeEnabled();
  await edit.click();
  await expect(page).toHaveURL(
    /\/marketplace\/provider\?.*edit=northwind-gpt-4o-mini/,
  );
  const notice = page.getByTestId('edit-notice');
  await expect(notice).toContainText(
    'northwind-gpt-4o-mini is defined in catalog YAML: the YAML in your repository is the source of truth',
  );
  await screenshot(page, 'edit-yaml-service');
});
