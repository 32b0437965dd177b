import { expect, test } from '@playwright/test';
import { screenshot, sidebarLink, signInAs, sendTestRequest } from './helpers';

const SERVICE = {
  name: 'acme-claude-sonnet-4',
  title: 'Claude Sonnet 4 (Acme AI Platform)',
};

test('a consumer starts the trial from the API tab, tests the model (streamed and metered) and reviews it', async ({
  page,
}) => {
  await signInAs(page, 'lena.fischer');
  await page.goto(`/catalog/default/modelservice/${SERVICE.name}/api`);

  // Without a subscription the playground says why and offers Start Using.
  const card = page.getByRole('main');
  await expect(card.getByText(/Subscribe to start the free trial/)).toBeVisible(
    {
      timeout: 60_000,
    },
  );
  await card
    .getByRole('button', { name: /^Start Using/ })
    .first()
    .click();
  const offer = page.getByRole('dialog', {
    name: `Start using ${SERVICE.title}`,
  });
  await offer.getByRole('button', { name: 'Subscribe' }).click();
  const credentials = page.getByRole('dialog', {
    name: `You are subscribed to ${SERVICE.title}`,
  });
  await credentials.getByRole('button', { name: 'Done' }).click();

  // The playground: system prompt, message, streaming on.
  await page
    .getByLabel('Message')
    .fill('Explain rate limiting in one sentence.');
  await page.getByLabel('Max tokens').fill('40');
  await expect(page.getByLabel('Stream the answer')).toBeChecked();
  await sendTestRequest(page);

  const answer = page.getByRole('log', { name: 'Answer' });
  await expect(answer).not.toHaveText(/The answer appears here/, {
    timeout: 30_000,
  });
  const details = page
    .getByRole('definition')
    .filter({ hasText: /prompt \+ \d+ completion/ });
  await expect(details).toBeVisible({ timeout: 30_000 });
  // The numbers come from the ledger row of this request: 40 completion tokens, from the trial.
  await expect(details).toHaveText(
    /^\d+ prompt \+ 40 completion \(\d+ from the trial\)$/,
  );
  await expect(page.getByText('$0.00', { exact: true })).toBeVisible();
  await screenshot(page, 'test-api');

  // Having used it, the consumer may review it; the rating updates at once.
  await page.getByRole('link', { name: 'Reviews', exact: true }).click();
  await expect(page.getByTestId('rating-count')).toHaveText('No reviews yet');
  const form = page.getByRole('form', { name: 'Write a review' });
  // The fourth star (its label holds the star icon and the text "4 Stars").
  await form.locator('label').filter({ hasText: '4 Stars' }).click();
  await expect(form.getByRole('radio', { name: '4 Stars' })).toBeChecked();
  await form
    .getByRole('textbox', { name: /Title/ })
    .fill('Quick answers, fair price');
  await form
    .getByRole('textbox', { name: /Your experience/ })
    .fill('Streaming starts fast.\n<b>No HTML</b> here.');
  await form.getByRole('button', { name: 'Post review' }).click();
  await expect(page.getByTestId('rating-average')).toHaveText('4.0');
  await expect(page.getByTestId('rating-count')).toHaveText('1 review');
  const review = page.getByTestId('review').first();
  await expect(review).toContainText('Verified usage · 1 request');
  await expect(review).toContainText('<b>No HTML</b> here.');
  await screenshot(page, 'reviews');

  // Browse shows the new rating on the service's card.
  await sidebarLink(page, 'Marketplace').click();
  await page.getByLabel('Search services').fill(SERVICE.name);
  await expect(
    page.getByTestId('service-card').filter({ hasText: SERVICE.title }),
  ).toContainText('4 / 5 (1 review)');
});
