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

test('the API tab speaks every protocol the service serves: snippets, agent settings and the playground', async ({
  page,
}) => {
  const claude = {
    name: 'helvetia-claude-3-5-haiku',
    title: 'Claude 3.5 Haiku (Helvetia Models, Swiss-hosted)',
  };
  await signInAs(page, 'wei.chen');
  await page.goto(`/catalog/default/modelservice/${claude.name}/api`);
  const main = page.getByRole('main');
  await expect(main.getByText(/Subscribe to start the free trial/)).toBeVisible(
    { timeout: 60_000 },
  );
  await main
    .getByRole('button', { name: /^Start Using/ })
    .first()
    .click();
  const offer = page.getByRole('dialog', {
    name: `Start using ${claude.title}`,
  });
  await offer.getByRole('button', { name: 'Subscribe' }).click();
  const credentials = page.getByRole('dialog', {
    name: `You are subscribed to ${claude.title}`,
  });
  // Start Using shows the snippets of every API the service serves.
  const apiTabs = credentials.getByRole('tablist', { name: 'API' });
  for (const api of [
    'Chat Completions',
    'Responses',
    'Anthropic Messages',
    'Coding agents',
  ]) {
    await expect(apiTabs.getByRole('tab', { name: api })).toBeVisible();
  }
  await apiTabs.getByRole('tab', { name: 'Anthropic Messages' }).click();
  await expect(credentials.getByText(/x-api-key/).first()).toBeVisible();
  // With the new key: the agent settings carry it.
  await credentials
    .getByRole('tablist', { name: 'API' })
    .getByRole('tab', { name: 'Coding agents' })
    .click();
  await expect(
    credentials
      .getByText(/ANTHROPIC_BASE_URL=.*\/api\/marketplace\/gateway"/)
      .first(),
  ).toBeVisible();
  await expect(
    credentials.getByText(/ANTHROPIC_API_KEY="mk_/).first(),
  ).toBeVisible();
  await screenshot(page, 'start-using-protocols');
  await credentials.getByRole('button', { name: 'Done' }).click();

  // The API tab's snippets: the Responses API in Python.
  const endpoint = page.getByRole('tablist', { name: 'API' }).first();
  await endpoint.getByRole('tab', { name: 'Responses' }).click();
  await page
    .getByRole('tablist', { name: 'Code snippets' })
    .first()
    .getByRole('tab', { name: 'Python' })
    .click();
  await expect(
    page.getByText(/client\.responses\.create\(/).first(),
  ).toBeVisible();

  // The playground sends through Anthropic Messages (passed through to the
  // Anthropic-native upstream), then through OpenAI Responses (translated).
  for (const api of ['Anthropic Messages', 'OpenAI Responses']) {
    await page.getByRole('combobox', { name: 'API' }).click();
    await page.getByRole('option', { name: api }).click();
    await page
      .getByRole('textbox', { name: 'Message', exact: true })
      .fill(`Say hello through ${api}.`);
    await page.getByLabel('Max tokens').fill('30');
    await sendTestRequest(page);
    const details = page
      .getByRole('definition')
      .filter({ hasText: /prompt \+ \d+ completion/ });
    await expect(details).toHaveText(
      /^\d+ prompt \+ 30 completion \(\d+ from the trial\)$/,
      { timeout: 30_000 },
    );
    await expect(page.getByRole('log', { name: 'Answer' })).not.toHaveText(
      /The answer appears here/,
    );
  }
  await screenshot(page, 'test-api-protocols');

  // An embedding service: Embeddings only, input price only.
  const embed = {
    name: 'acme-text-embedding-3-small',
    title: 'Text Embedding 3 Small (Acme AI Platform)',
  };
  await page.goto(`/catalog/default/modelservice/${embed.name}/api`);
  await main
    .getByRole('button', { name: /^Start Using/ })
    .first()
    .click();
  const embedOffer = page.getByRole('dialog', {
    name: `Start using ${embed.title}`,
  });
  await expect(
    embedOffer.getByText('None: embeddings are priced by input'),
  ).toBeVisible();
  await embedOffer.getByRole('button', { name: 'Subscribe' }).click();
  const embedCredentials = page.getByRole('dialog', {
    name: `You are subscribed to ${embed.title}`,
  });
  // Embeddings only: no API tabs, the embeddings snippet.
  await expect(
    embedCredentials.getByRole('tablist', { name: 'API' }),
  ).toHaveCount(0);
  await expect(
    embedCredentials.getByText(/\/embeddings/).first(),
  ).toBeVisible();
  await embedCredentials.getByRole('button', { name: 'Done' }).click();
  await page.getByLabel('Text to embed').fill('the marketplace gateway');
  await sendTestRequest(page);
  await expect(page.getByRole('log', { name: 'Answer' })).toContainText(
    'Vector 1: 256 dimensions',
    { timeout: 30_000 },
  );
  await expect(
    page.getByRole('definition').filter({ hasText: /prompt \+ 0 completion/ }),
  ).toHaveText(/^\d+ prompt \+ 0 completion \(\d+ from the trial\)$/);
  await screenshot(page, 'test-api-embeddings');
});
