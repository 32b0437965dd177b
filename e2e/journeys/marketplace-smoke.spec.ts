import { expect, test } from '@playwright/test';
import { screenshot, serviceCard, sidebarLink, signInAs } from './helpers';

test('a consumer signs in, opens the marketplace and reads a service spec', async ({
  page,
}) => {
  await signInAs(page, 'guest');

  await sidebarLink(page, 'Marketplace').click();
  await expect(page).toHaveURL(/\/marketplace/);

  // The sample services from examples/services.yaml are listed as cards.
  const card = await serviceCard(page, /Claude Sonnet 4/);
  await expect(
    page
      .getByTestId('service-card')
      .filter({ hasText: /Llama 3\.3 70B/ })
      .first(),
  ).toBeVisible();
  await screenshot(page, 'marketplace');

  await card
    .getByRole('link', { name: /Claude Sonnet 4/ })
    .first()
    .click();
  await expect(page).toHaveURL(/\/catalog\/default\/modelservice\//);

  // The overview card holds the offer; the Quality tab the committed SLA.
  await expect(page.getByText('Context window').first()).toBeVisible();
  await expect(page.getByText('Max output tokens').first()).toBeVisible();
  await screenshot(page, 'smoke-service-overview');

  // The committed SLA is on the Quality tab, beside what was measured.
  await page
    .getByRole('navigation', { name: 'Content navigation' })
    .getByRole('link', { name: 'Quality' })
    .click();
  await expect(
    page.getByText(/Committed by the provider/i).first(),
  ).toBeVisible();
});
