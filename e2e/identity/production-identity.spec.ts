import { expect, Page, test } from '@playwright/test';

/*
 * Production sign-in: the portal runs with app-config.production.yaml and signs
 * users in through an OpenID Connect provider (e2e/identity/oidc-server.mjs, whose
 * development login form accepts any name and gives it the e-mail
 * `<name>@acme.io`). The backend resolves the e-mail to a catalog user.
 */

/** Signs in through the identity provider's popup as `name`. */
async function signInThroughIdp(page: Page, name: string) {
  await page.goto('/');
  await expect(
    page.getByText('Sign in with your company account'),
  ).toBeVisible();
  const popup = page.waitForEvent('popup');
  await page.getByRole('button', { name: 'Sign In' }).click();
  const idp = await popup;
  await idp.locator('input[name="login"]').fill(name);
  await idp.locator('input[name="password"]').fill('any password');
  await idp.locator('button[type="submit"]').click();
  await idp.waitForEvent('close', { timeout: 30_000 }).catch(() => undefined);
}

/** The user a Backstage token names (its `sub`). */
function subjectOf(authorization: string | undefined) {
  const token = authorization?.replace(/^Bearer /, '') ?? '';
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8') || '{}')
    .sub as string | undefined;
}

test('a catalog user signs in through the identity provider', async ({
  page,
}) => {
  // The catalog may still be reading the users right after the start: retry.
  let request;
  for (let attempt = 1; ; attempt++) {
    const apiCall = page.waitForRequest(
      r => r.url().includes('/api/') && !!r.headers().authorization,
      { timeout: 20_000 },
    );
    await signInThroughIdp(page, 'lena.fischer');
    request = await apiCall.catch(() => undefined);
    if (request || attempt === 5) break;
    await page.waitForTimeout(3_000);
  }
  expect(request, 'the portal called its API with a token').toBeTruthy();
  expect(subjectOf(request!.headers().authorization)).toBe(
    'user:default/lena.fischer',
  );
  await expect(
    page.getByRole('link', { name: 'Marketplace', exact: true }),
  ).toBeVisible();
  await expect(page.getByText('Sign in with your company account')).toHaveCount(
    0,
  );
  await page.screenshot({
    path: `${
      process.env.E2E_SCREENSHOT_DIR ?? 'test-results'
    }/identity-signed-in.png`,
  });
});

test('someone who is not a catalog user gets no access', async ({ page }) => {
  await signInThroughIdp(page, 'mallory');
  await expect(
    page.getByText(
      /unable to resolve user identity|not found|Failed to sign-in/i,
    ),
  ).toBeVisible();
  await expect(page.getByRole('button', { name: 'Sign In' })).toBeVisible();
  await expect(
    page.getByRole('link', { name: 'Marketplace', exact: true }),
  ).toHaveCount(0);
  await page.screenshot({
    path: `${
      process.env.E2E_SCREENSHOT_DIR ?? 'test-results'
    }/identity-unknown-user.png`,
  });
});

test('the development sign-in is refused with the production configuration', async ({
  request,
}) => {
  for (const provider of ['sampleUsers', 'guest']) {
    const res = await request.post(`/api/auth/${provider}/refresh`, {
      headers: {
        'x-requested-with': 'XMLHttpRequest',
        'x-marketplace-sample-user': 'ada',
      },
    });
    expect(res.status()).toBe(403);
    expect(await res.text()).not.toContain('backstageIdentity');
  }
});
