import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { AdminUser } from '@internal/plugin-marketplace-common';
import { marketplaceApiRef } from '../../api';
import { mockMarketplaceApi } from '../../__fixtures__/marketplaceApi';
import { UsersPage } from './UsersPage';

// Dialogs with several steps each; typing is slow on a busy machine.
jest.setTimeout(20_000);

const lena: AdminUser = {
  userRef: 'user:default/lena.fischer',
  name: 'lena.fischer',
  displayName: 'Lena Fischer',
  email: 'lena.fischer@acme.io',
  inCatalog: true,
  groups: ['group:default/checkout-team'],
  role: 'consumer',
  groupRole: 'consumer',
  roleOverride: null,
  status: 'active',
  suspension: null,
  subscriptions: 2,
  activeKeys: 3,
  monthSpendMicros: 12_340_000,
  lastActiveAt: '2026-11-28T09:15:00.000Z',
};

const wei: AdminUser = {
  ...lena,
  userRef: 'user:default/wei.chen',
  name: 'wei.chen',
  displayName: 'Wei Chen',
  email: 'wei.chen@acme.io',
  role: 'admin',
  groupRole: 'provider',
  roleOverride: {
    role: 'admin',
    setBy: 'user:default/ada',
    setAt: '2026-11-27T10:00:00.000Z',
  },
  status: 'suspended',
  suspension: {
    reason: 'Shared his key in a public repo',
    suspendedBy: 'user:default/ada',
    suspendedAt: '2026-11-28T10:00:00.000Z',
  },
  subscriptions: 0,
  activeKeys: 0,
  monthSpendMicros: 0,
  lastActiveAt: null,
};

function page(items: AdminUser[]) {
  return { items, total: items.length, offset: 0, limit: 25 };
}

function render(api = mockMarketplaceApi(), path = '/admin/users') {
  return renderInTestApp(<UsersPage />, {
    apis: [[marketplaceApiRef, api]],
    initialRouteEntries: [path],
  });
}

function row(name: string) {
  return within(
    screen
      .getAllByTestId('user-row')
      .find(r => within(r).queryByText(name) !== null)!,
  );
}

describe('UsersPage', () => {
  it('lists users with role, status chips, counts, spend and last request', async () => {
    const api = mockMarketplaceApi({
      listUsers: jest.fn().mockResolvedValue(page([lena, wei])),
    });
    await render(api);
    await screen.findByText('Lena Fischer');
    expect(api.listUsers).toHaveBeenCalledWith({
      q: undefined,
      role: undefined,
      status: undefined,
      sort: 'name',
      order: 'asc',
      offset: 0,
      limit: 25,
    });
    const l = row('Lena Fischer');
    expect(l.getByText('Consumer')).toBeInTheDocument();
    expect(l.getByText('Active')).toBeInTheDocument();
    expect(l.getByText('$12.34')).toBeInTheDocument();
    expect(l.getByText('Nov 28, 2026, 09:15 UTC')).toBeInTheDocument();
    expect(
      l.getByRole('button', { name: 'Suspend Lena Fischer' }),
    ).toBeVisible();

    const w = row('Wei Chen');
    expect(w.getByText('Admin')).toBeInTheDocument();
    expect(w.getByText(/set by an admin \(groups: Provider\)/)).toBeVisible();
    expect(w.getByText('Suspended')).toBeInTheDocument();
    expect(w.getByText('Shared his key in a public repo')).toBeVisible();
    expect(w.getByText('Never')).toBeInTheDocument();
    expect(w.getByRole('button', { name: 'Reinstate Wei Chen' })).toBeVisible();
    expect(
      w.getByRole('link', { name: 'Audit log of Wei Chen' }),
    ).toHaveAttribute(
      'href',
      `/admin/audit?target=${encodeURIComponent('user:default/wei.chen')}`,
    );
  });

  it('searches, filters and sorts through the API, keeping the state in the URL', async () => {
    const api = mockMarketplaceApi({
      listUsers: jest.fn().mockResolvedValue(page([lena])),
    });
    await render(api, '/admin/users?status=suspended&role=provider');
    await screen.findByText('Lena Fischer');
    expect(api.listUsers).toHaveBeenLastCalledWith(
      expect.objectContaining({ role: ['provider'], status: ['suspended'] }),
    );
    await userEvent.type(screen.getByRole('textbox', { name: 'Search' }), 'fi');
    await waitFor(() =>
      expect(api.listUsers).toHaveBeenLastCalledWith(
        expect.objectContaining({ q: 'fi', role: ['provider'] }),
      ),
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Spend this month' }),
    );
    await waitFor(() =>
      expect(api.listUsers).toHaveBeenLastCalledWith(
        expect.objectContaining({ sort: 'spend', order: 'asc' }),
      ),
    );
    await userEvent.click(
      screen.getByRole('button', { name: 'Spend this month' }),
    );
    await waitFor(() =>
      expect(api.listUsers).toHaveBeenLastCalledWith(
        expect.objectContaining({ sort: 'spend', order: 'desc' }),
      ),
    );
  });

  it('suspends only with a reason of at most 500 characters, after confirming', async () => {
    const api = mockMarketplaceApi({
      listUsers: jest.fn().mockResolvedValue(page([lena])),
      suspendUser: jest
        .fn()
        .mockResolvedValue({ ...lena, status: 'suspended' }),
    });
    await render(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Suspend Lena Fischer' }),
    );
    const dialog = within(
      await screen.findByRole('dialog', { name: 'Suspend Lena Fischer?' }),
    );
    const suspend = dialog.getByRole('button', { name: 'Suspend' });
    expect(suspend).toBeDisabled();
    const reason = dialog.getByRole('textbox', { name: /Reason/ });
    await userEvent.click(reason);
    await userEvent.paste('x'.repeat(501));
    expect(suspend).toBeDisabled();
    expect(dialog.getByText('At most 500 characters (501)')).toBeVisible();
    await userEvent.clear(reason);
    await userEvent.type(reason, '  Leaked key  ');
    await userEvent.click(suspend);
    expect(api.suspendUser).toHaveBeenCalledWith(
      'user:default/lena.fischer',
      'Leaked key',
    );
    await waitFor(() => expect(api.listUsers).toHaveBeenCalledTimes(2));
  });

  it('reinstates after confirming, showing who suspended them and why', async () => {
    const api = mockMarketplaceApi({
      listUsers: jest.fn().mockResolvedValue(page([wei])),
      reinstateUser: jest.fn().mockResolvedValue({ ...wei, status: 'active' }),
    });
    await render(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Reinstate Wei Chen' }),
    );
    const dialog = within(
      await screen.findByRole('dialog', { name: 'Reinstate Wei Chen?' }),
    );
    expect(dialog.getByText('Shared his key in a public repo')).toBeVisible();
    await userEvent.click(dialog.getByRole('button', { name: 'Reinstate' }));
    expect(api.reinstateUser).toHaveBeenCalledWith('user:default/wei.chen');
  });

  it('sets a role override after confirming', async () => {
    const api = mockMarketplaceApi({
      listUsers: jest.fn().mockResolvedValue(page([lena, wei])),
      setUserRole: jest.fn().mockResolvedValue(lena),
    });
    await render(api);
    await userEvent.click(
      await screen.findByRole('button', {
        name: 'Change role of Lena Fischer',
      }),
    );
    const dialog = within(
      await screen.findByRole('dialog', {
        name: 'Change the role of Lena Fischer?',
      }),
    );
    const confirm = dialog.getByRole('button', { name: 'Change role' });
    // Nothing chosen yet: nothing to change.
    expect(confirm).toBeDisabled();
    await userEvent.click(dialog.getByRole('radio', { name: /^Admin:/ }));
    await userEvent.click(confirm);
    expect(api.setUserRole).toHaveBeenCalledWith(
      'user:default/lena.fischer',
      'admin',
    );
    await waitFor(() => expect(api.listUsers).toHaveBeenCalledTimes(2));
  });

  it('removes a role override, back to the role of the groups', async () => {
    const api = mockMarketplaceApi({
      listUsers: jest.fn().mockResolvedValue(page([lena, wei])),
      setUserRole: jest.fn().mockResolvedValue(wei),
    });
    await render(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Change role of Wei Chen' }),
    );
    const dialog = within(
      await screen.findByRole('dialog', {
        name: 'Change the role of Wei Chen?',
      }),
    );
    await userEvent.click(
      dialog.getByRole('radio', { name: 'From their groups (Provider)' }),
    );
    await userEvent.click(dialog.getByRole('button', { name: 'Change role' }));
    expect(api.setUserRole).toHaveBeenCalledWith('user:default/wei.chen', null);
  });

  it('changes the platform fee, refusing more than 2 decimals', async () => {
    const api = mockMarketplaceApi({
      listUsers: jest.fn().mockResolvedValue(page([lena])),
      setPlatformFee: jest.fn().mockResolvedValue({}),
    });
    await render(api);
    const card = within(await screen.findByTestId('platform-fee-card'));
    expect(await card.findByText('10%')).toBeVisible();
    expect(card.getByText(/From the configuration/)).toBeVisible();
    await userEvent.click(card.getByRole('button', { name: 'Change fee' }));
    const dialog = within(
      await screen.findByRole('dialog', { name: 'Change the platform fee?' }),
    );
    const input = dialog.getByRole('textbox', { name: 'Platform fee (%)' });
    const save = dialog.getByRole('button', { name: 'Save' });
    await userEvent.clear(input);
    await userEvent.type(input, '12.345');
    expect(save).toBeDisabled();
    await userEvent.clear(input);
    await userEvent.type(input, '120');
    expect(save).toBeDisabled();
    await userEvent.clear(input);
    await userEvent.type(input, '12.5');
    await userEvent.click(save);
    expect(api.setPlatformFee).toHaveBeenCalledWith(12.5);
  });

  it('tells non-admins they are not allowed, never that loading failed', async () => {
    const forbidden = Object.assign(
      new Error('Only platform admins list users'),
      {
        statusCode: 403,
      },
    );
    await render(
      mockMarketplaceApi({
        listUsers: jest.fn().mockRejectedValue(forbidden),
        getPlatformSettings: jest.fn().mockRejectedValue(forbidden),
      }),
    );
    expect(await screen.findByText('Not allowed')).toBeVisible();
    expect(screen.getByText(/Only platform admins manage users/)).toBeVisible();
    expect(screen.queryByText(/Failed to load/i)).not.toBeInTheDocument();
    expect(screen.queryByTestId('platform-fee-card')).not.toBeInTheDocument();
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
  });

  it('shows an empty state for filters without results', async () => {
    await render(
      mockMarketplaceApi({
        listUsers: jest.fn().mockResolvedValue(page([])),
      }),
      '/admin/users?q=nobody',
    );
    expect(await screen.findByText('No users match')).toBeVisible();
  });

  it('shows a failure that is not a 403 as an error', async () => {
    await render(
      mockMarketplaceApi({
        listUsers: jest
          .fn()
          .mockRejectedValue(
            Object.assign(new Error('Backend down'), { statusCode: 503 }),
          ),
      }),
    );
    expect(await screen.findByText('Error: Backend down')).toBeVisible();
    expect(screen.queryByText('Not allowed')).not.toBeInTheDocument();
  });
});
