import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { ProviderCredential } from '@internal/plugin-marketplace-common';
import { marketplaceApiRef } from '../../api';
import { acmeProvider } from '../../__fixtures__/entities';
import { mockMarketplaceApi } from '../../__fixtures__/marketplaceApi';
import { ProviderCredentialsCard } from './ProviderCredentialsCard';

const stored: ProviderCredential = {
  name: 'ACME_UPSTREAM_KEY',
  providerRef: 'provider:default/acme-ai',
  fingerprint: 'sha256:3f1c9a07b2de',
  version: 2,
  createdBy: 'user:default/samira.haddad',
  createdAt: '2026-11-20T10:00:00.000Z',
  updatedBy: 'user:default/samira.haddad',
  updatedAt: '2026-11-24T10:00:00.000Z',
  lastUsedAt: '2026-11-25T08:30:00.000Z',
  usedBy: ['acme-gpt-4o'],
};

function render(api: ReturnType<typeof mockMarketplaceApi>) {
  return renderInTestApp(
    <EntityProvider entity={acmeProvider}>
      <ProviderCredentialsCard />
    </EntityProvider>,
    { apis: [[marketplaceApiRef, api]] },
  );
}

describe('ProviderCredentialsCard', () => {
  it('lists the credentials with fingerprint, last change, last use and users; never a value', async () => {
    const api = mockMarketplaceApi({
      listProviderCredentials: jest.fn().mockResolvedValue({
        credentials: [stored],
        configCredentials: [
          { name: 'DEMO_UPSTREAM_API_KEY', fingerprint: 'sha256:aaaaaaaaaaaa' },
        ],
        storageEnabled: true,
      }),
    });
    await render(api);
    const row = await screen.findByTestId('credential-row');
    expect(within(row).getByText('ACME_UPSTREAM_KEY')).toBeInTheDocument();
    expect(within(row).getByText('sha256:3f1c9a07b2de')).toBeInTheDocument();
    expect(within(row).getByText(/Rotated \(v2\) .* by/)).toBeInTheDocument();
    expect(within(row).getByText(/Used by: acme-gpt-4o/)).toBeInTheDocument();
    expect(screen.getByText('DEMO_UPSTREAM_API_KEY')).toBeInTheDocument();
    expect(api.listProviderCredentials).toHaveBeenCalledWith('acme-ai');
  });

  it('adds a credential through a password field, then reloads', async () => {
    const api = mockMarketplaceApi({
      addProviderCredential: jest.fn().mockResolvedValue(stored),
    });
    await render(api);
    await userEvent.click(
      await screen.findByRole('button', { name: 'Add credential' }),
    );
    const dialog = screen.getByRole('dialog');
    await userEvent.type(within(dialog).getByLabelText(/Name/), 'bad name');
    expect(
      within(dialog).getByText(/Letters, digits and _/),
    ).toBeInTheDocument();
    await userEvent.clear(within(dialog).getByLabelText(/Name/));
    await userEvent.type(within(dialog).getByLabelText(/Name/), 'NEW_KEY');
    const value = within(dialog).getByLabelText(/Value/);
    expect(value).toHaveAttribute('type', 'password');
    await userEvent.type(value, 'sk-new');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Add' }));
    await waitFor(() =>
      expect(api.addProviderCredential).toHaveBeenCalledWith(
        'acme-ai',
        'NEW_KEY',
        'sk-new',
      ),
    );
    await waitFor(() =>
      expect(api.listProviderCredentials).toHaveBeenCalledTimes(2),
    );
  });

  it('shows nothing to users who do not own the provider', async () => {
    const api = mockMarketplaceApi({
      listProviderCredentials: jest.fn().mockRejectedValue(
        Object.assign(new Error('Only members of ...'), {
          response: { status: 403 },
          statusCode: 403,
        }),
      ),
    });
    await render(api);
    await waitFor(() => expect(api.listProviderCredentials).toHaveBeenCalled());
    await waitFor(() =>
      expect(
        screen.queryByText('Upstream credentials'),
      ).not.toBeInTheDocument(),
    );
  });
});
