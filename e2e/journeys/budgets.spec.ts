import { expect, Page, test } from '@playwright/test';
import { apiTokenFor, BACKEND_URL, screenshot, signInAs } from './helpers';

/**
 * A user sets a tiny monthly budget on My subscriptions (the dialog names the
 * field it refuses), calls a paid service through the gateway until the hard
 * budget answers 402 naming it, and finds the budget alert in their
 * notifications. An owner announces a price change on the service page, which
 * then shows the coming price. An admin sees everyone's budgets.
 */

const API = `${BACKEND_URL}/api/marketplace`;
const SERVICE = 'acme-gpt-4-1'; // no trial: every call is paid
const PRICED = 'acme-gpt-4o-mini-checkout-ft'; // ai-platform-team (Samira's)

async function atWidths(page: Page, name: string) {
  for (const width of [1280, 1440, 1920]) {
    await page.setViewportSize({ width, height: 900 });
    await screenshot(page, `${name}-${width}`);
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

test('a budget alert appears in notifications; a hard budget answers 402 naming it', async ({
  page,
}) => {
  test.setTimeout(240_000);
  const user = 'priya.raman';
  const token = await apiTokenFor(user);
  const subscribed = await fetch(`${API}/v1/services/${SERVICE}/subscribe`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
    },
    body: '{}',
  });
  expect(subscribed.status).toBe(201);
  const key = (await subscribed.json()).apiKey.secret as string;

  // The budget, set in the UI.
  await signInAs(page, user);
  await page.goto('/marketplace/subscriptions');
  const card = page.getByTestId('budget-user');
  await expect(card).toContainText('No budget');
  await card.getByRole('button', { name: 'Set a budget' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Monthly amount (USD)').fill('0');
  await dialog.getByRole('button', { name: 'Save budget' }).click();
  await expect(dialog).toContainText(
    'Monthly amount: enter an amount in USD above 0',
  );
  await dialog.getByLabel('Alert thresholds (%)').fill('80, 50');
  await dialog.getByRole('button', { name: 'Save budget' }).click();
  await expect(dialog).toContainText('Alert thresholds: ');
  await screenshot(page, 'budget-dialog-errors');
  await dialog.getByLabel('Monthly amount (USD)').fill('0.001');
  await dialog.getByLabel('Alert thresholds (%)').fill('50, 80, 95, 100');
  await dialog.getByRole('button', { name: 'Save budget' }).click();
  await expect(dialog).toBeHidden();
  await expect(card).toContainText('$0.001');
  await expect(card).toContainText('Hard');

  // Calls through the gateway until the budget stops them.
  let refused: any;
  let ok = 0;
  for (let i = 0; i < 20 && !refused; i++) {
    const res = await fetch(`${API}/gateway/v1/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        model: SERVICE,
        messages: [{ role: 'user', content: `question ${i}` }],
        max_tokens: 40,
      }),
    });
    const body = await res.json();
    if (res.status === 402) {
      refused = body;
    } else if (res.status === 200) {
      ok += 1;
    }
  }
  expect(ok).toBeGreaterThan(0);
  const period = new Date().toISOString().slice(0, 7);
  expect(refused.error).toEqual({
    message: `The user budget of user:default/${user} for ${period} ($0.001) is used up. Raise it in the marketplace (My subscriptions) or wait for next month.`,
    type: 'insufficient_quota',
    code: 'budget_exceeded',
    param: 'user',
  });

  // The alert is in the notifications, with a link to the budgets.
  const alert = page.getByText(`Your monthly budget for ${period} is 50% used`);
  for (let attempt = 0; attempt < 20; attempt++) {
    await page.goto('/notifications');
    if (
      await alert
        .first()
        .isVisible({ timeout: 3_000 })
        .catch(() => false)
    ) {
      break;
    }
  }
  await expect(alert.first()).toBeVisible();
  await screenshot(page, 'budget-alert-notifications');

  // My subscriptions: the budget's spend, and what is left on the subscription.
  await page.goto('/marketplace/subscriptions');
  await expect(card).toContainText('sent this month: 50 %');
  await expect(
    page.getByTestId('subscription-budget-left').first(),
  ).toContainText('of $0.001');
  await card.scrollIntoViewIfNeeded();
  await atWidths(page, 'budgets-my-subscriptions');
});

test('an owner announces a price change; the service page shows the coming price', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await signInAs(page, 'samira.haddad');
  const notice = page.getByTestId('price-change-notice');
  for (let attempt = 0; attempt < 20; attempt++) {
    await page.goto(`/catalog/default/modelservice/${PRICED}`);
    if (await notice.isVisible({ timeout: 4_000 }).catch(() => false)) {
      break;
    }
  }
  await notice.getByRole('button', { name: 'Announce a price change' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.getByLabel('Prompt (USD per 1K tokens)').fill('0.0004');
  // Too soon for an increase: the server says so, naming the field.
  await dialog
    .getByLabel('Effective from (UTC day)')
    .fill(new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10));
  await dialog.getByRole('button', { name: 'Announce' }).click();
  await expect(dialog.getByTestId('price-error')).toContainText(
    "field 'effectiveAt'",
  );
  const day = new Date(Date.now() + 40 * 86_400_000).toISOString().slice(0, 10);
  await dialog.getByLabel('Effective from (UTC day)').fill(day);
  await dialog.getByRole('button', { name: 'Announce' }).click();
  await expect(dialog).toBeHidden();
  await expect(notice).toContainText('New price from');
  await expect(notice).toContainText('$0.0004 prompt');
  await atWidths(page, 'price-change-notice');
});

test("admins see everyone's budgets", async ({ page }) => {
  await signInAs(page, 'ada');
  await page.goto('/admin/budgets');
  await expect(
    page.getByRole('table', { name: 'Budgets' }).getByText(/priya/i).first(),
  ).toBeVisible();
  await atWidths(page, 'admin-budgets');
});
