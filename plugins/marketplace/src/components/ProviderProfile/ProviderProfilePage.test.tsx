import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  mockMarketplaceApi,
  providerProfileResponse,
} from '../../__fixtures__/marketplaceApi';
import { MarketplaceApi, marketplaceApiRef } from '../../api';
import { ProviderProfileView } from './ProviderProfilePage';

const mountedRoutes = { '/catalog/:namespace/:kind/:name': entityRouteRef };

async function render(
  verified: boolean,
  isAdmin: boolean,
  api: MarketplaceApi,
) {
  const onChanged = jest.fn();
  await renderInTestApp(
    <ProviderProfileView
      response={providerProfileResponse(verified)}
      isAdmin={isAdmin}
      onChanged={onChanged}
    />,
    { mountedRoutes, apis: [[marketplaceApiRef, api]] },
  );
  return onChanged;
}

describe('ProviderProfileView', () => {
  it('shows the measured quality, the live services, and the claim apart from the decision', async () => {
    await render(false, false, mockMarketplaceApi());
    expect(
      screen.getByRole('heading', { name: 'Acme AI GmbH' }),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Not verified by the marketplace'),
    ).toBeInTheDocument();
    expect(
      screen.getByText('Claims verified on Jan 15, 2025'),
    ).toBeInTheDocument();
    for (const [label, value] of [
      ['Uptime', '99.95% over 3 days of data'],
      ['First token p95', '840 ms'],
      ['Output tokens/s p50', '120'],
      ['Requests (30d)', '12,345'],
      ['Active users (30d)', '42'],
      ['Tokens served', '25M'],
      ['Rating', '4.5 / 5 (12 reviews)'],
    ]) {
      expect(screen.getByLabelText(label)).toHaveTextContent(value);
    }
    const services = within(
      screen.getByRole('region', { name: 'Live services' }),
    );
    expect(services.getAllByTestId('service-card')).toHaveLength(1);
    // Only admins decide.
    expect(
      screen.queryByRole('button', { name: 'Verify provider' }),
    ).not.toBeInTheDocument();
  });

  it('lets an admin verify the provider, with a note', async () => {
    const api = mockMarketplaceApi({
      setProviderVerification: jest.fn().mockResolvedValue({}),
    });
    const onChanged = await render(false, true, api);
    await userEvent.click(
      screen.getByRole('button', { name: 'Verify provider' }),
    );
    const dialog = within(await screen.findByRole('dialog'));
    await userEvent.type(
      dialog.getByLabelText('Note (optional)'),
      'Contract reviewed',
    );
    await userEvent.click(dialog.getByRole('button', { name: 'Verify' }));
    expect(api.setProviderVerification).toHaveBeenCalledWith('acme-ai', {
      verified: true,
      note: 'Contract reviewed',
    });
    expect(onChanged).toHaveBeenCalled();
  });

  it('offers to withdraw a verification', async () => {
    await render(true, true, mockMarketplaceApi());
    expect(
      screen.getByText('Verified by the marketplace admins on Dec 1, 2026'),
    ).toBeInTheDocument();
    expect(screen.getByText('“Contract reviewed”')).toBeInTheDocument();
    expect(
      screen.getByRole('button', { name: 'Withdraw verification' }),
    ).toBeInTheDocument();
  });
});
