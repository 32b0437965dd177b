import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { AuditEntry } from '@internal/plugin-marketplace-common';
import { marketplaceApiRef } from '../../api';
import { mockMarketplaceApi } from '../../__fixtures__/marketplaceApi';
import { AuditLogPage } from './AuditLogPage';

const mountedRoutes = { '/catalog/:namespace/:kind/:name': entityRouteRef };

const suspended: AuditEntry = {
  id: '7',
  at: '2026-11-29T10:00:00.000Z',
  actor: 'user:default/ada',
  action: 'user.suspended',
  targetType: 'user',
  target: 'user:default/lena.fischer',
  before: { status: 'active' },
  after: {
    status: 'suspended',
    reason: 'Leaked key',
    suspendedBy: 'user:default/ada',
    suspendedAt: '2026-11-29T10:00:00.000Z',
  },
};

const feeChanged: AuditEntry = {
  id: '6',
  at: '2026-11-28T08:00:00.000Z',
  actor: 'user:default/ada',
  action: 'platform.fee.changed',
  targetType: 'platform',
  target: 'platform-fee',
  before: { platformFeePercent: 10, source: 'config' },
  after: { platformFeePercent: 12.5, source: 'admin' },
};

function render(api = mockMarketplaceApi(), path = '/admin/audit') {
  return renderInTestApp(<AuditLogPage />, {
    mountedRoutes,
    apis: [[marketplaceApiRef, api]],
    initialRouteEntries: [path],
  });
}

describe('AuditLogPage', () => {
  it('shows who did what to what and when, with the change readable', async () => {
    const api = mockMarketplaceApi({
      listAuditLog: jest.fn().mockResolvedValue({
        items: [suspended, feeChanged],
        total: 2,
        offset: 0,
        limit: 50,
      }),
    });
    await render(api);
    const [first, second] = await screen.findAllByTestId('audit-row');
    const a = within(first);
    expect(a.getByText('Nov 29, 2026, 10:00 UTC')).toBeVisible();
    expect(a.getByText('User suspended')).toBeVisible();
    expect(a.getByRole('link', { name: /lena\.fischer/ })).toHaveAttribute(
      'href',
      '/catalog/default/user/lena.fischer',
    );
    const change = within(a.getByTestId('audit-change'));
    expect(change.getByText('status:')).toBeVisible();
    expect(change.getByText('active → suspended')).toBeVisible();
    expect(change.getByText('reason:')).toBeVisible();
    expect(change.getByText('— → Leaked key')).toBeVisible();
    // A <dl>'s groups hold only <dt> and <dd>, no text between them (axe:
    // definition-list, serious).
    const dl = a.getByTestId('audit-change').querySelector('dl')!;
    const groups = Array.from(dl.children).map(group =>
      Array.from(group.childNodes).map(n => n.nodeName),
    );
    expect(groups.length).toBeGreaterThan(0);
    for (const group of groups) {
      expect(group).toEqual(['DT', 'DD']);
    }

    const b = within(second);
    expect(b.getByText('Platform fee changed')).toBeVisible();
    expect(b.getByText('platform-fee')).toBeVisible();
    expect(b.getByText('10 → 12.5')).toBeVisible();
    expect(b.getByText('config → admin')).toBeVisible();
  });

  it('names entities in targets and states by link, never as raw refs', async () => {
    const paid: AuditEntry = {
      id: '5',
      at: '2026-11-27T08:00:00.000Z',
      actor: 'user:default/ada',
      action: 'payout.paid',
      targetType: 'payout',
      target: 'group:default/ai-platform-team/2026-10',
      before: { status: 'closed' },
      after: { status: 'paid', paidBy: 'user:default/ada' },
    };
    const rotated: AuditEntry = {
      id: '4',
      at: '2026-11-26T08:00:00.000Z',
      actor: 'user:default/ada',
      action: 'credential.rotated',
      targetType: 'credential',
      target: 'provider:default/acme-ai#acme_key',
      before: null,
      after: null,
    };
    const verified: AuditEntry = {
      id: '3',
      at: '2026-11-25T08:00:00.000Z',
      actor: 'user:default/ada',
      action: 'provider.verified',
      targetType: 'provider',
      target: 'provider:default/acme-ai',
      before: null,
      after: null,
    };
    const api = mockMarketplaceApi({
      listAuditLog: jest.fn().mockResolvedValue({
        items: [suspended, paid, rotated, verified],
        total: 4,
        offset: 0,
        limit: 50,
      }),
    });
    await render(api);
    const rows = await screen.findAllByTestId('audit-row');
    expect(
      screen.queryByText(/user:default\/|group:default\/|provider:default\//),
    ).toBeNull();
    // Who suspended, in the state after.
    const change = within(within(rows[0]).getByTestId('audit-change'));
    expect(change.getByRole('link', { name: /ada/ })).toHaveAttribute(
      'href',
      '/catalog/default/user/ada',
    );
    const p = within(rows[1]);
    expect(p.getByText(/Payout 2026-10 of/)).toBeVisible();
    expect(p.getByRole('link', { name: /ai-platform-team/ })).toHaveAttribute(
      'href',
      '/catalog/default/group/ai-platform-team',
    );
    const c = within(rows[2]);
    expect(c.getByText(/Credential acme_key of/)).toBeVisible();
    expect(c.getByRole('link', { name: /acme-ai/ })).toHaveAttribute(
      'href',
      '/catalog/default/provider/acme-ai',
    );
    expect(
      within(rows[3]).getByRole('link', { name: /acme-ai/ }),
    ).toHaveAttribute('href', '/catalog/default/provider/acme-ai');
  });

  it('filters by action, admin and target from the URL and the form', async () => {
    const api = mockMarketplaceApi();
    await render(
      api,
      `/admin/audit?target=${encodeURIComponent('user:default/lena.fischer')}`,
    );
    expect(await screen.findByText('No entries match')).toBeVisible();
    expect(api.listAuditLog).toHaveBeenLastCalledWith({
      action: undefined,
      actor: undefined,
      target: 'user:default/lena.fischer',
      offset: 0,
      limit: 50,
    });
    await userEvent.type(screen.getByRole('textbox', { name: 'Admin' }), 'ada');
    await waitFor(() =>
      expect(api.listAuditLog).toHaveBeenLastCalledWith(
        expect.objectContaining({
          actor: 'ada',
          target: 'user:default/lena.fischer',
        }),
      ),
    );
    await userEvent.click(screen.getByRole('combobox', { name: 'Action' }));
    await userEvent.click(
      await screen.findByRole('option', { name: 'User suspended' }),
    );
    await waitFor(() =>
      expect(api.listAuditLog).toHaveBeenLastCalledWith(
        expect.objectContaining({ action: ['user.suspended'] }),
      ),
    );
  });

  it('says when there is nothing yet', async () => {
    await render();
    expect(await screen.findByText('No admin actions yet')).toBeVisible();
  });

  it('tells non-admins they are not allowed', async () => {
    await render(
      mockMarketplaceApi({
        listAuditLog: jest.fn().mockRejectedValue(
          Object.assign(new Error('Only platform admins read the audit log'), {
            statusCode: 403,
          }),
        ),
      }),
    );
    expect(await screen.findByText('Not allowed')).toBeVisible();
    expect(screen.queryByRole('textbox', { name: 'Admin' })).toBeNull();
  });
});
