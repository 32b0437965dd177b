import { expect, test } from '@playwright/test';
import {
  apiTokenFor,
  BACKEND_URL,
  screenshot,
  sidebarLink,
  signInAs,
} from './helpers';

/** A sample service with a large free trial, served by the demo upstream. */
const MODEL = 'research-llama-3-1-8b';
const REASON = 'Unusual traffic from a leaked key: rotate it and talk to us';

/** Lena subscribes through the REST API and gets a key (again, if she had one). */
async function lenasKey(): Promise<string> {
  const token = await apiTokenFor('lena.fischer');
  const url = `${BACKEND_URL}/api/marketplace/v1/services/${MODEL}/subscribe`;
  const headers = {
    authorization: `Bearer ${token}`,
    'content-type': 'application/json',
  };
  await fetch(url, { method: 'DELETE', headers });
  const res = await fetch(url, { method: 'POST', headers, body: '{}' });
  expect(res.status).toBe(201);
  return (await res.json()).apiKey.secret;
}

/**
 * One chat completion with the key, straight to the gateway; sent again when the
 * demo upstream fails it on purpose (502, not charged), as a client would.
 */
async function callGateway(key: string) {
  for (let attempt = 1; ; attempt++) {
    const result = await callGatewayOnce(key);
    if (result.status !== 502 || attempt === 3) {
      return result;
    }
  }
}

async function callGatewayOnce(key: string) {
  const res = await fetch(
    `${BACKEND_URL}/api/marketplace/gateway/v1/chat/completions`,
    {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        model: MODEL,
        messages: [{ role: 'user', content: 'Say hi' }],
        max_tokens: 5,
      }),
    },
  );
  return { status: res.status, body: await res.json() };
}

test('an admin suspends a user: her key gets 403 from the gateway with the reason; reinstating her restores it', async ({
  page,
}) => {
  const key = await lenasKey();
  expect((await callGateway(key)).status).toBe(200);

  await signInAs(page, 'ada');
  // The Admin group of the sidebar.
  for (const name of ['Users', 'Approvals', 'Audit log']) {
    await expect(sidebarLink(page, name)).toBeVisible();
  }
  await sidebarLink(page, 'Users').click();
  await expect(page).toHaveURL(/\/admin\/users/);
  await page.getByRole('textbox', { name: 'Search' }).fill('lena');
  const row = page.getByTestId('user-row').filter({ hasText: 'Lena Fischer' });
  await expect(row).toHaveCount(1);
  await expect(row.getByText('Active')).toBeVisible();
  await screenshot(page, 'admin-users');

  await row.getByRole('button', { name: 'Suspend Lena Fischer' }).click();
  const dialog = page.getByRole('dialog', { name: 'Suspend Lena Fischer?' });
  await dialog.getByRole('textbox', { name: /Reason/ }).fill(REASON);
  await screenshot(page, 'admin-suspend-dialog');
  await dialog.getByRole('button', { name: 'Suspend' }).click();
  await expect(dialog).toBeHidden();
  await expect(row.getByText('Suspended')).toBeVisible();
  await expect(row.getByText(REASON)).toBeVisible();

  // The very next request with the key that worked is refused, with the reason.
  const refused = await callGateway(key);
  expect(refused.status).toBe(403);
  expect(refused.body.error.code).toBe('user_suspended');
  expect(refused.body.error.message).toContain(REASON);

  // The audit log has it, before and after.
  await sidebarLink(page, 'Audit log').click();
  const entry = page
    .getByTestId('audit-row')
    .filter({ hasText: 'User suspended' })
    .first();
  await expect(entry).toContainText('lena.fischer');
  await expect(entry).toContainText('active → suspended');
  await screenshot(page, 'admin-audit-log');

  await sidebarLink(page, 'Users').click();
  await page.getByRole('textbox', { name: 'Search' }).fill('lena');
  await row.getByRole('button', { name: 'Reinstate Lena Fischer' }).click();
  await page
    .getByRole('dialog', { name: 'Reinstate Lena Fischer?' })
    .getByRole('button', { name: 'Reinstate' })
    .click();
  await expect(row.getByText('Active')).toBeVisible();
  expect((await callGateway(key)).status).toBe(200);
});

test('a consumer has no Admin group and is not allowed on /admin/users', async ({
  page,
}) => {
  await signInAs(page, 'lena.fischer');
  await expect(sidebarLink(page, 'My subscriptions')).toBeVisible();
  await expect(sidebarLink(page, 'Users')).toHaveCount(0);
  await expect(sidebarLink(page, 'Audit log')).toHaveCount(0);

  await page.goto('/admin/users');
  await expect(page.getByText('Not allowed')).toBeVisible();
  await expect(
    page.getByText(/Only platform admins manage users/),
  ).toBeVisible();
  await expect(page.getByText(/Failed to load/i)).toHaveCount(0);
  await screenshot(page, 'admin-users-not-allowed');
});

/** The stand-in repository host of the development backend (examples/sample-team-repo). */
const REPO = `${BACKEND_URL}/api/demo-upstream/sample-team-repo`;
const PROVIDER = 'partner-models';

test('a Provider a consumer registers, declaring itself verified, waits for an admin, who approves it and decides on verification (issue 16)', async ({
  page,
}) => {
  test.setTimeout(240_000);
  // Anyone may register catalog YAML: a consumer registers a Provider.
  const token = await apiTokenFor('lena.fischer');
  const registered = await fetch(`${BACKEND_URL}/api/catalog/locations`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      type: 'url',
      target: `${REPO}/provider/catalog-info.yaml`,
    }),
  });
  // 409: registered by an earlier run against the same portal.
  expect([201, 409]).toContain(registered.status);
  const admin = await apiTokenFor('ada');
  await expect(async () => {
    const res = await fetch(
      `${BACKEND_URL}/api/marketplace/v1/admin/provider-approvals?status=pending`,
      { headers: { authorization: `Bearer ${admin}` } },
    );
    expect(res.status).toBe(200);
    const names = (await res.json()).approvals.map((a: any) => a.name);
    expect(names).toContain(PROVIDER);
  }).toPass({ timeout: 120_000 });

  await signInAs(page, 'ada');
  await sidebarLink(page, 'Approvals').click();
  await expect(page).toHaveURL(/\/admin\/approvals/);
  await expect(
    page.getByRole('heading', { name: 'Providers', exact: true }),
  ).toBeVisible();
  const row = page
    .getByTestId('provider-approval-row')
    .filter({ hasText: PROVIDER });
  await expect(row).toHaveCount(1);
  // Owned by acme-corp, which has no direct members: approving it here makes
  // no user of the other journeys a provider. The team is named by its
  // display name, as a link to it (issue 17 item 11).
  await expect(
    row.getByRole('link', { name: 'Acme Corp', exact: true }),
  ).toHaveAttribute('href', '/catalog/default/group/acme-corp');
  // Its declared verification is shown as its own claim.
  await expect(row.getByText('Declares: verified')).toBeVisible();
  await expect(
    row.getByText('Self-declared: only an admin verifies'),
  ).toBeVisible();
  for (const width of [1280, 1440, 1920]) {
    await page.setViewportSize({ width, height: 900 });
    await screenshot(page, `admin-provider-approvals-${width}`);
  }
  await page.setViewportSize({ width: 1440, height: 900 });

  await row
    .getByRole('button', { name: `Approve provider ${PROVIDER}` })
    .click();
  const dialog = page.getByRole('dialog', {
    name: 'Approve provider Partner Models?',
  });
  await expect(dialog.getByText(/That is its own claim/)).toBeVisible();
  await dialog.getByRole('checkbox', { name: /Verify it too/ }).check();
  await screenshot(page, 'admin-provider-approve-dialog');
  await dialog.getByRole('button', { name: 'Approve' }).click();
  await expect(dialog).toBeHidden();
  await expect(row).toHaveCount(0);

  await page.getByRole('tab', { name: 'Approved' }).click();
  const approved = page
    .getByTestId('provider-approval-row')
    .filter({ hasText: PROVIDER });
  await expect(approved).toContainText('ada');
  await screenshot(page, 'admin-provider-approved');
  // The admin's decision, not the claim, makes it verified.
  await approved
    .getByRole('link', { name: 'Verification on its profile' })
    .click();
  await expect(page).toHaveURL(/\/marketplace\/providers\/partner-models/);
  await expect(
    page.getByText(/Verified by the marketplace admins/).first(),
  ).toBeVisible();
});
