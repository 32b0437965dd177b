import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { MarketplaceApi, marketplaceApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import {
  activeKey,
  ENDPOINT,
  mockMarketplaceApi,
  revokedKey,
  subscriptionWithKeys,
  usageRecord,
} from '../../__fixtures__/marketplaceApi';
import { SHOW_ONCE_WARNING } from '../shared/SecretKeyBox';
import { SubscriptionsPage } from './SubscriptionsPage';

const mountedRoutes = {
  '/catalog/:namespace/:kind/:name': entityRouteRef,
  '/marketplace': rootRouteRef,
};

const NEW_SECRET = 'mk_n3wK3y_rotated-secret-value';

function renderPage(api: MarketplaceApi) {
  renderInTestApp(<SubscriptionsPage />, {
    mountedRoutes,
    apis: [[marketplaceApiRef, api]],
  });
}

async function subscriptionCard() {
  const heading = await screen.findByRole('heading', { name: 'Acme GPT-4o' });
  return within(heading.closest('section') as HTMLElement);
}

describe('SubscriptionsPage', () => {
  it('shows an active subscription: service, team, trial, spend, endpoint', async () => {
    const api = mockMarketplaceApi({
      listSubscriptions: jest.fn().mockResolvedValue([subscriptionWithKeys]),
    });
    renderPage(api);
    const card = await subscriptionCard();
    expect(api.listSubscriptions).toHaveBeenCalledWith({ status: 'active' });

    expect(card.getByRole('link', { name: 'Acme GPT-4o' })).toHaveAttribute(
      'href',
      '/catalog/default/modelservice/acme-gpt-4o',
    );
    expect(card.getAllByText('acme-gpt-4o').length).toBeGreaterThan(0);
    expect(card.getByRole('link', { name: /checkout/ })).toHaveAttribute(
      'href',
      '/catalog/default/group/checkout',
    );
    expect(card.getByText('active')).toBeInTheDocument();
    // 100,000 granted - 25,000 used
    expect(card.getByText('75,000 of 100,000 tokens')).toBeInTheDocument();
    expect(
      card.getByRole('progressbar', { name: 'Trial tokens left' }),
    ).toHaveAttribute('aria-valuenow', '75');
    expect(card.getByText(/Expires Jan 15, 2099/)).toBeInTheDocument();
    expect(card.getByText('Spend in November 2026')).toBeInTheDocument();
    // Rounded for reading; the exact amount is in the tooltip.
    expect(card.getByText('$1.23')).toBeInTheDocument();
    expect(card.getByText(/· no cap/)).toBeInTheDocument();
    expect(
      card.getByLabelText('$1.234567 (1,234,567 micro-USD)'),
    ).toBeVisible();
    expect(card.getByText(ENDPOINT.baseUrl)).toBeInTheDocument();
  });

  it('lists keys by prefix only', async () => {
    const api = mockMarketplaceApi({
      listSubscriptions: jest.fn().mockResolvedValue([subscriptionWithKeys]),
    });
    renderPage(api);
    const card = await subscriptionCard();
    const keys = within(card.getByRole('table', { name: 'API keys' }));
    const rows = keys.getAllByRole('row');
    expect(rows).toHaveLength(3); // header + 2 keys, active first
    expect(within(rows[1]).getByText(`${activeKey.prefix}…`)).toBeVisible();
    expect(within(rows[1]).getByText('Active')).toBeInTheDocument();
    expect(within(rows[1]).getByText('Nov 20, 2026, 08:30 UTC')).toBeVisible();
    expect(within(rows[2]).getByText(`${revokedKey.prefix}…`)).toBeVisible();
    expect(within(rows[2]).getByText('Never')).toBeInTheDocument();
    expect(
      within(rows[2]).getByText('Revoked Nov 1, 2026, 09:00 UTC'),
    ).toBeInTheDocument();
    // Only active keys can be rotated or revoked.
    expect(within(rows[2]).queryByRole('button')).not.toBeInTheDocument();
    expect(document.body.innerHTML).not.toMatch(/secret/i);
  });

  it('rotates a key and shows the new secret once', async () => {
    const user = userEvent.setup();
    const api = mockMarketplaceApi({
      listSubscriptions: jest.fn().mockResolvedValue([subscriptionWithKeys]),
      rotateKey: jest.fn().mockResolvedValue({
        ...activeKey,
        id: 'key-2',
        prefix: 'mk_n3wK3y',
        secret: NEW_SECRET,
      }),
    });
    renderPage(api);
    const card = await subscriptionCard();
    await user.click(
      card.getByRole('button', { name: `Rotate key ${activeKey.prefix}…` }),
    );
    const confirm = within(await screen.findByRole('dialog'));
    expect(confirm.getByText(/stops working immediately/)).toBeInTheDocument();
    await user.click(confirm.getByRole('button', { name: 'Rotate' }));
    expect(api.rotateKey).toHaveBeenCalledWith(activeKey.id);

    const dialog = within(
      await screen.findByRole('dialog', { name: 'Your new API key' }),
    );
    expect(dialog.getByText(SHOW_ONCE_WARNING)).toBeInTheDocument();
    expect(dialog.getByTestId('api-key-secret')).toHaveTextContent(NEW_SECRET);
    const writeText = jest
      .spyOn(navigator.clipboard, 'writeText')
      .mockResolvedValue(undefined);
    await user.click(dialog.getByRole('button', { name: 'Copy API key' }));
    expect(writeText).toHaveBeenCalledWith(NEW_SECRET);

    expect(api.listSubscriptions).toHaveBeenCalledTimes(1);
    await user.click(dialog.getByRole('button', { name: 'Done' }));
    await waitFor(() =>
      expect(screen.queryByText(NEW_SECRET)).not.toBeInTheDocument(),
    );
    // The list reloads to show the new key's prefix.
    await waitFor(() => expect(api.listSubscriptions).toHaveBeenCalledTimes(2));
  });

  it('offers a new key once every key is revoked, and shows its secret once', async () => {
    const user = userEvent.setup();
    const allRevoked = { ...subscriptionWithKeys, keys: [revokedKey] };
    const api = mockMarketplaceApi({
      listSubscriptions: jest.fn().mockResolvedValue([allRevoked]),
      createKey: jest.fn().mockResolvedValue({
        ...activeKey,
        id: 'key-3',
        prefix: 'mk_n3wK3y',
        secret: NEW_SECRET,
      }),
    });
    renderPage(api);
    const card = await subscriptionCard();
    expect(
      card.getByText(/Every key of this subscription is revoked/),
    ).toBeVisible();
    await user.click(card.getByRole('button', { name: 'Create new key' }));
    expect(api.createKey).toHaveBeenCalledWith(allRevoked.id);

    const dialog = within(
      await screen.findByRole('dialog', { name: 'Your new API key' }),
    );
    expect(dialog.getByText(SHOW_ONCE_WARNING)).toBeInTheDocument();
    expect(dialog.getByTestId('api-key-secret')).toHaveTextContent(NEW_SECRET);
    await user.click(dialog.getByRole('button', { name: 'Done' }));
    await waitFor(() =>
      expect(screen.queryByText(NEW_SECRET)).not.toBeInTheDocument(),
    );
    await waitFor(() => expect(api.listSubscriptions).toHaveBeenCalledTimes(2));
  });

  it('offers a further key next to active ones', async () => {
    const api = mockMarketplaceApi({
      listSubscriptions: jest.fn().mockResolvedValue([subscriptionWithKeys]),
    });
    renderPage(api);
    const card = await subscriptionCard();
    expect(card.getByRole('button', { name: 'Create new key' })).toBeVisible();
    expect(
      card.queryByText(/Every key of this subscription is revoked/),
    ).toBeNull();
  });

  it('revokes a key after confirmation', async () => {
    const user = userEvent.setup();
    const api = mockMarketplaceApi({
      listSubscriptions: jest.fn().mockResolvedValue([subscriptionWithKeys]),
      revokeKey: jest
        .fn()
        .mockResolvedValue({ ...activeKey, revokedAt: '2026-11-21T00:00:00Z' }),
    });
    renderPage(api);
    const card = await subscriptionCard();
    await user.click(
      card.getByRole('button', { name: `Revoke key ${activeKey.prefix}…` }),
    );
    const confirm = within(await screen.findByRole('dialog'));
    await user.click(confirm.getByRole('button', { name: 'Revoke' }));
    expect(api.revokeKey).toHaveBeenCalledWith(activeKey.id);
    await waitFor(() => expect(api.listSubscriptions).toHaveBeenCalledTimes(2));
  });

  it('unsubscribes after confirmation', async () => {
    const user = userEvent.setup();
    const api = mockMarketplaceApi({
      listSubscriptions: jest.fn().mockResolvedValue([subscriptionWithKeys]),
    });
    renderPage(api);
    const card = await subscriptionCard();
    await user.click(card.getByRole('button', { name: 'Unsubscribe' }));
    const confirm = within(
      await screen.findByRole('dialog', {
        name: 'Unsubscribe from Acme GPT-4o?',
      }),
    );
    await user.click(confirm.getByRole('button', { name: 'Unsubscribe' }));
    expect(api.unsubscribe).toHaveBeenCalledWith('acme-gpt-4o');
  });

  it('renders the recent requests from the usage API', async () => {
    const api = mockMarketplaceApi({
      listSubscriptions: jest.fn().mockResolvedValue([subscriptionWithKeys]),
      getUsage: jest.fn().mockResolvedValue([
        usageRecord,
        {
          ...usageRecord,
          requestId: 'req_failed9',
          status: 'upstream_error',
          httpStatus: 502,
          errorCode: 'upstream_error',
          promptTokens: 40,
          completionTokens: 0,
          trialTokens: 0,
          costMicros: 0,
          upstreamLatencyMs: null,
          timeToFirstTokenMs: null,
          stream: false,
        },
      ]),
    });
    renderPage(api);
    const card = await subscriptionCard();
    const table = within(
      await card.findByRole('table', { name: 'Recent requests' }),
    );
    expect(api.getUsage).toHaveBeenCalledWith('sub-1', { limit: 20 });
    const rows = table.getAllByRole('row');
    expect(rows).toHaveLength(3);
    const ok = within(rows[1]);
    expect(ok.getByText('Nov 20, 2026, 08:30:00 UTC')).toBeInTheDocument();
    expect(ok.getByText('req_abc123')).toBeInTheDocument();
    expect(ok.getByText('ok · 200')).toBeInTheDocument();
    expect(ok.getByText('1,200 / 345 (1,000 trial)')).toBeInTheDocument();
    expect(ok.getByText('$0.005')).toBeInTheDocument();
    expect(ok.getByText('812 ms')).toBeInTheDocument();
    expect(ok.getByText('230 ms')).toBeInTheDocument();
    expect(ok.getByText('Yes')).toBeInTheDocument();
    const failed = within(rows[2]);
    expect(failed.getByText('req_failed9')).toBeInTheDocument();
    expect(failed.getByText('upstream_error · 502')).toBeInTheDocument();
    expect(failed.getByText('40 / 0')).toBeInTheDocument();
    expect(failed.getByText('$0.00')).toBeInTheDocument();
    expect(failed.getAllByText('—')).toHaveLength(2);
    expect(failed.getByText('No')).toBeInTheDocument();
  });

  it('explains how to make a first request when there is no usage', async () => {
    const api = mockMarketplaceApi({
      listSubscriptions: jest.fn().mockResolvedValue([subscriptionWithKeys]),
    });
    renderPage(api);
    const card = await subscriptionCard();
    expect(await card.findByText('No requests yet')).toBeInTheDocument();
    expect(card.getByText(/use the snippet/)).toBeInTheDocument();
  });

  it('shows an empty state without subscriptions, and cancelled ones on demand', async () => {
    const user = userEvent.setup();
    const cancelled = {
      ...subscriptionWithKeys,
      id: 'sub-0',
      status: 'cancelled' as const,
      cancelledAt: '2026-11-10T12:00:00.000Z',
      keys: [revokedKey],
    };
    const api = mockMarketplaceApi({
      listSubscriptions: jest.fn(async options =>
        options?.status === 'cancelled' ? [cancelled] : [],
      ),
    });
    renderPage(api);
    expect(await screen.findByText('No subscriptions yet')).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'Browse the marketplace' }),
    ).toHaveAttribute('href', '/marketplace');
    expect(api.listSubscriptions).not.toHaveBeenCalledWith({
      status: 'cancelled',
    });

    await user.click(
      screen.getByRole('button', { name: 'Cancelled subscriptions' }),
    );
    const card = await subscriptionCard();
    expect(api.listSubscriptions).toHaveBeenCalledWith({
      status: 'cancelled',
    });
    expect(card.getByText('cancelled')).toBeInTheDocument();
    expect(
      card.queryByRole('button', { name: 'Unsubscribe' }),
    ).not.toBeInTheDocument();
    expect(card.queryByRole('button', { name: /Rotate/ })).toBeNull();
    expect(card.queryByRole('button', { name: 'Create new key' })).toBeNull();
  });

  it('shows API errors', async () => {
    const api = mockMarketplaceApi({
      listSubscriptions: jest
        .fn()
        .mockRejectedValue(new Error('marketplace is down')),
    });
    renderPage(api);
    expect(
      (await screen.findAllByText(/marketplace is down/)).length,
    ).toBeGreaterThan(0);
  });

  it('tells a suspended user why their keys stopped working', async () => {
    const api = mockMarketplaceApi({
      listSubscriptions: jest.fn().mockResolvedValue([subscriptionWithKeys]),
      getMe: jest.fn().mockResolvedValue({
        userRef: 'user:default/lena.fischer',
        teams: [],
        role: 'consumer',
        suspension: {
          reason: 'Unusual traffic from a leaked key',
          suspendedAt: '2026-11-29T10:00:00.000Z',
        },
      }),
    });
    renderPage(api);
    const notice = within(await screen.findByTestId('suspension-notice'));
    expect(
      notice.getByText('Your marketplace account is suspended'),
    ).toBeVisible();
    expect(notice.getByText('Unusual traffic from a leaked key')).toBeVisible();
    expect(notice.getByText(/Nov 29, 2026, 10:00 UTC/)).toBeVisible();
  });

  it('shows no notice to users who are not suspended', async () => {
    const api = mockMarketplaceApi({
      listSubscriptions: jest.fn().mockResolvedValue([subscriptionWithKeys]),
    });
    renderPage(api);
    await subscriptionCard();
    await waitFor(() => expect(api.getMe).toHaveBeenCalled());
    expect(screen.queryByTestId('suspension-notice')).toBeNull();
  });
});
