import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  ProviderApproval,
  ServiceApproval,
} from '@internal/plugin-marketplace-common';
import { marketplaceApiRef } from '../../api';
import { mockMarketplaceApi } from '../../__fixtures__/marketplaceApi';
import { ApprovalsPage } from './ApprovalsPage';

const mountedRoutes = { '/catalog/:namespace/:kind/:name': entityRouteRef };

const pending: ServiceApproval = {
  serviceRef: 'modelservice:default/team-llama-70b',
  name: 'team-llama-70b',
  title: 'Team Llama 70B',
  owner: 'group:default/ai-platform-team',
  providerRef: 'provider:default/acme-ai-platform',
  source: 'portal',
  status: 'pending',
  reason: null,
  submittedAt: '2026-11-24T10:00:00.000Z',
  decidedBy: null,
  decidedAt: null,
  entity: null,
  endpoint: null,
  credential: null,
  changeRejected: false,
  approvedVersionServed: false,
};

const pendingProvider: ProviderApproval = {
  providerRef: 'provider:default/checkout-models',
  name: 'checkout-models',
  displayName: 'Checkout Models',
  owner: 'group:default/checkout-team',
  verification: 'verified',
  status: 'pending',
  reason: null,
  submittedAt: '2026-11-24T10:00:00.000Z',
  decidedBy: null,
  decidedAt: null,
};

function render(api = mockMarketplaceApi(), path = '/admin/approvals') {
  return renderInTestApp(<ApprovalsPage />, {
    mountedRoutes,
    apis: [[marketplaceApiRef, api]],
    initialRouteEntries: [path],
  });
}

describe('ApprovalsPage', () => {
  it('shows where a service sends requests and with whose credential', async () => {
    const moved: ServiceApproval = {
      ...pending,
      providerRef: 'provider:default/team-x',
      endpoint: {
        host: 'llm.team-x.example',
        approvedHost: 'api.acme.example',
        changedSinceApproval: true,
      },
      credential: {
        name: 'ACME_UPSTREAM_KEY',
        source: 'config',
        owner: 'provider:default/acme-ai-platform',
        fingerprint: 'sha256:3f1c9a07b2de',
        usable: false,
        problem:
          "The credential 'ACME_UPSTREAM_KEY' belongs to provider:default/acme-ai-platform, not to provider:default/team-x",
      },
    };
    await render(
      mockMarketplaceApi({
        listApprovals: jest.fn().mockResolvedValue([moved]),
      }),
    );
    const cell = within(await screen.findByTestId('endpoint-credential'));
    expect(cell.getByText('llm.team-x.example')).toBeInTheDocument();
    expect(
      cell.getByText('Host changed since approval (was api.acme.example)'),
    ).toBeInTheDocument();
    expect(cell.getByText('ACME_UPSTREAM_KEY')).toBeInTheDocument();
    expect(
      cell.getByText(
        'sha256:3f1c9a07b2de · portal config · belongs to provider:default/acme-ai-platform',
      ),
    ).toBeInTheDocument();
    expect(cell.getByText('The gateway will refuse it')).toBeInTheDocument();
  });

  it('the review step (the approve dialog) shows the endpoint host, its change and the credential too', async () => {
    const reviewed: ServiceApproval = {
      ...pending,
      endpoint: {
        host: 'llm.team-x.example',
        approvedHost: 'api.team-x.example',
        changedSinceApproval: true,
      },
      credential: {
        name: 'TEAM_X_KEY',
        source: 'provider',
        owner: pending.providerRef,
        fingerprint: 'sha256:0a1b2c3d4e5f',
        usable: true,
        problem: null,
      },
    };
    await render(
      mockMarketplaceApi({
        listApprovals: jest.fn().mockResolvedValue([reviewed]),
      }),
    );
    const row = within(await screen.findByTestId('approval-row'));
    await userEvent.click(
      row.getByRole('button', { name: 'Approve team-llama-70b' }),
    );
    const dialog = within(
      await screen.findByRole('dialog', { name: 'Approve Team Llama 70B?' }),
    );
    const shown = within(dialog.getByTestId('endpoint-credential'));
    expect(shown.getByText('llm.team-x.example')).toBeInTheDocument();
    expect(
      shown.getByText('Host changed since approval (was api.team-x.example)'),
    ).toBeInTheDocument();
    expect(shown.getByText('TEAM_X_KEY')).toBeInTheDocument();
    expect(
      shown.getByText(
        "sha256:0a1b2c3d4e5f · stored by the provider · this provider's",
      ),
    ).toBeInTheDocument();
  });

  it('lists pending services and approves one after confirming', async () => {
    const api = mockMarketplaceApi({
      listApprovals: jest.fn().mockResolvedValue([pending]),
      approveService: jest
        .fn()
        .mockResolvedValue({ ...pending, status: 'approved' }),
    });
    await render(api);
    const row = within(await screen.findByTestId('approval-row'));
    expect(api.listApprovals).toHaveBeenCalledWith({ status: 'pending' });
    expect(row.getByRole('link', { name: /team-llama-70b/ })).toHaveAttribute(
      'href',
      '/catalog/default/modelservice/team-llama-70b',
    );
    expect(row.getByText('Published in the portal')).toBeInTheDocument();
    expect(row.getByText('Nov 24, 2026, 10:00 UTC')).toBeInTheDocument();

    await userEvent.click(
      row.getByRole('button', { name: 'Approve team-llama-70b' }),
    );
    const dialog = within(
      await screen.findByRole('dialog', { name: 'Approve Team Llama 70B?' }),
    );
    await userEvent.click(dialog.getByRole('button', { name: 'Approve' }));
    expect(api.approveService).toHaveBeenCalledWith('team-llama-70b');
    await waitFor(() => expect(api.listApprovals).toHaveBeenCalledTimes(2));
  });

  it('rejects only with a reason of at most 1,000 characters', async () => {
    const api = mockMarketplaceApi({
      listApprovals: jest.fn().mockResolvedValue([pending]),
      rejectService: jest
        .fn()
        .mockResolvedValue({ ...pending, status: 'rejected' }),
    });
    await render(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Reject team-llama-70b' }),
    );
    const dialog = within(
      await screen.findByRole('dialog', { name: 'Reject Team Llama 70B?' }),
    );
    const reject = dialog.getByRole('button', { name: 'Reject' });
    expect(reject).toBeDisabled();
    const reason = dialog.getByRole('textbox', { name: /Reason/ });
    await userEvent.click(reason);
    await userEvent.paste('x'.repeat(1001));
    expect(reject).toBeDisabled();
    expect(
      dialog.getByText('At most 1000 characters (1001)'),
    ).toBeInTheDocument();
    await userEvent.clear(reason);
    await userEvent.type(reason, '  The SLA p99 is below p95  ');
    await userEvent.click(reject);
    expect(api.rejectService).toHaveBeenCalledWith(
      'team-llama-70b',
      'The SLA p99 is below p95',
    );
  });

  it('says that rejecting a change of a live service rejects the change only', async () => {
    const api = mockMarketplaceApi({
      listApprovals: jest.fn().mockResolvedValue([
        pending,
        {
          ...pending,
          serviceRef: 'modelservice:default/live-one',
          name: 'live-one',
          title: 'Live One',
          approvedVersionServed: true,
        },
      ]),
    });
    await render(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Reject live-one' }),
    );
    const change = within(
      await screen.findByRole('dialog', { name: 'Reject Live One?' }),
    );
    expect(
      change.getByText(/This rejects the change only/),
    ).toBeInTheDocument();
    await userEvent.click(change.getByRole('button', { name: 'Cancel' }));
    await userEvent.click(
      await screen.findByRole('button', { name: 'Reject team-llama-70b' }),
    );
    const fresh = within(
      await screen.findByRole('dialog', { name: 'Reject Team Llama 70B?' }),
    );
    expect(
      fresh.getByText(/The service stays out of browse and the gateway/),
    ).toBeInTheDocument();
  });

  it('marks a rejected change among the approved services', async () => {
    const api = mockMarketplaceApi({
      listApprovals: jest.fn().mockResolvedValue([
        {
          ...pending,
          status: 'approved',
          changeRejected: true,
          approvedVersionServed: true,
          reason: 'The new endpoint is outside our network',
          decidedBy: 'user:default/ada',
          decidedAt: '2026-11-24T12:00:00.000Z',
        },
      ]),
    });
    await render(api, '/admin/approvals?status=approved');
    const row = within(await screen.findByTestId('approval-row'));
    expect(
      row.getByText('Change rejected: the approved version stays live'),
    ).toBeInTheDocument();
    expect(
      row.getByText('The new endpoint is outside our network'),
    ).toBeInTheDocument();
  });

  it('shows decided services with the decision, from the status in the URL', async () => {
    const api = mockMarketplaceApi({
      listApprovals: jest.fn().mockResolvedValue([
        {
          ...pending,
          status: 'rejected',
          reason: 'No data residency statement',
          decidedBy: 'user:default/ada',
          decidedAt: '2026-11-24T12:00:00.000Z',
        },
      ]),
    });
    await render(api, '/admin/approvals?status=rejected');
    const row = within(await screen.findByTestId('approval-row'));
    expect(api.listApprovals).toHaveBeenCalledWith({ status: 'rejected' });
    expect(row.getByText('No data residency statement')).toBeInTheDocument();
    // Who decided: a link to the user, not the raw ref.
    expect(row.getByRole('link', { name: /ada/ })).toHaveAttribute(
      'href',
      expect.stringContaining('/user/ada'),
    );
    expect(row.queryByText(/user:default\/ada/)).toBeNull();
    expect(
      row.queryByRole('button', { name: /Reject/ }),
    ).not.toBeInTheDocument();
    expect(
      row.getByRole('button', { name: 'Approve team-llama-70b' }),
    ).toBeInTheDocument();
  });

  it('tells non-admins they are not allowed', async () => {
    const forbidden = Object.assign(new Error('Admins only'), {
      statusCode: 403,
    });
    await render(
      mockMarketplaceApi({
        listApprovals: jest.fn().mockRejectedValue(forbidden),
      }),
    );
    expect(await screen.findByText('Not allowed')).toBeInTheDocument();
    expect(
      screen.getByText(/Only platform admins review services/),
    ).toBeInTheDocument();
  });

  it('says when there is nothing to review', async () => {
    await render();
    expect(await screen.findByText('Nothing to review')).toBeInTheDocument();
    expect(
      await screen.findByText('No providers to review'),
    ).toBeInTheDocument();
  });

  it('lists pending Providers with their owner and declared verification, and approves one, verifying it only when asked', async () => {
    const api = mockMarketplaceApi({
      listProviderApprovals: jest.fn().mockResolvedValue([pendingProvider]),
      approveProvider: jest
        .fn()
        .mockResolvedValue({ ...pendingProvider, status: 'approved' }),
      setProviderVerification: jest.fn().mockResolvedValue({}),
    });
    await render(api);
    const row = within(await screen.findByTestId('provider-approval-row'));
    expect(api.listProviderApprovals).toHaveBeenCalledWith({
      status: 'pending',
    });
    expect(row.getByRole('link', { name: /checkout-team/ })).toHaveAttribute(
      'href',
      expect.stringContaining('/group/checkout-team'),
    );
    // What it declares is shown as its claim, not as a verified badge.
    expect(row.getByText('Declares: verified')).toBeInTheDocument();
    expect(
      row.getByText('Self-declared: only an admin verifies'),
    ).toBeInTheDocument();

    await userEvent.click(
      row.getByRole('button', { name: 'Approve provider checkout-models' }),
    );
    const dialog = within(
      await screen.findByRole('dialog', {
        name: 'Approve provider Checkout Models?',
      }),
    );
    expect(dialog.getByText(/That is its own claim/)).toBeInTheDocument();
    await userEvent.click(dialog.getByRole('button', { name: 'Approve' }));
    await waitFor(() =>
      expect(api.approveProvider).toHaveBeenCalledWith('checkout-models'),
    );
    // Not verified: the admin did not tick it, whatever the Provider declares.
    expect(api.setProviderVerification).not.toHaveBeenCalled();

    const rowAgain = within(await screen.findByTestId('provider-approval-row'));
    await userEvent.click(
      await rowAgain.findByRole('button', {
        name: 'Approve provider checkout-models',
      }),
    );
    const again = within(
      await screen.findByRole('dialog', {
        name: 'Approve provider Checkout Models?',
      }),
    );
    await userEvent.click(
      again.getByRole('checkbox', { name: /Verify it too/ }),
    );
    await userEvent.click(again.getByRole('button', { name: 'Approve' }));
    await waitFor(() =>
      expect(api.setProviderVerification).toHaveBeenCalledWith(
        'checkout-models',
        { verified: true },
      ),
    );
  });

  it('rejects a Provider with a reason', async () => {
    const api = mockMarketplaceApi({
      listProviderApprovals: jest.fn().mockResolvedValue([pendingProvider]),
      rejectProvider: jest
        .fn()
        .mockResolvedValue({ ...pendingProvider, status: 'rejected' }),
    });
    await render(api);
    const row = within(await screen.findByTestId('provider-approval-row'));
    await userEvent.click(
      row.getByRole('button', { name: 'Reject provider checkout-models' }),
    );
    const dialog = within(
      await screen.findByRole('dialog', {
        name: 'Reject provider Checkout Models?',
      }),
    );
    await userEvent.type(dialog.getByRole('textbox'), 'Not a provider team');
    await userEvent.click(dialog.getByRole('button', { name: 'Reject' }));
    await waitFor(() =>
      expect(api.rejectProvider).toHaveBeenCalledWith(
        'checkout-models',
        'Not a provider team',
      ),
    );
  });
});
