import { screen, within } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import {
  catalogApiRef,
  EntityProvider,
  entityRouteRef,
} from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import {
  acmeProvider,
  fullModelService,
  minimalModelService,
  withRelations,
} from '../../__fixtures__/entities';
import {
  mockMarketplaceApi,
  providerProfileResponse,
} from '../../__fixtures__/marketplaceApi';
import { marketplaceApiRef } from '../../api';
import { ProviderDetailsCard } from './ProviderDetailsCard';
import { ProviderServicesCard } from './ProviderServicesCard';

const mountedRoutes = { '/catalog/:namespace/:kind/:name': entityRouteRef };
const profileApi = (verified: boolean) =>
  mockMarketplaceApi({
    getProviderProfile: jest
      .fn()
      .mockResolvedValue(providerProfileResponse(verified)),
  });

describe('ProviderDetailsCard', () => {
  it('renders verification, headquarters, compliance, contact and owner', async () => {
    await renderInTestApp(
      <EntityProvider entity={acmeProvider}>
        <ProviderDetailsCard />
      </EntityProvider>,
      { mountedRoutes, apis: [[marketplaceApiRef, profileApi(false)]] },
    );
    expect(await screen.findByText('Acme AI GmbH')).toBeInTheDocument();
    // The entity's "verified" is only its claim; the admins have not decided.
    expect(
      screen.getByText('Claims verified on Jan 15, 2025'),
    ).toBeInTheDocument();
    expect(
      await screen.findByText('Not verified by the marketplace'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', {
        name: 'Services, measured quality and usage',
      }),
    ).toHaveAttribute('href', '/marketplace/providers/acme-ai');
    expect(screen.getByText('Berlin, Germany (DE)')).toBeInTheDocument();
    expect(screen.getByText('Europe')).toBeInTheDocument();
    expect(screen.getByText('GDPR')).toBeInTheDocument();
    expect(screen.getByText('ISO27001')).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'partners@acme.example' }),
    ).toHaveAttribute('href', 'mailto:partners@acme.example');
    expect(
      screen.getByRole('link', { name: 'https://acme.example/contact' }),
    ).toBeInTheDocument();
    expect(screen.getByText('#acme-ai-support')).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'https://acme.example' }),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: /vendor-management/ }),
    ).toHaveAttribute('href', '/catalog/default/group/vendor-management');
  });

  it('shows pending verification', async () => {
    await renderInTestApp(
      <EntityProvider
        entity={{
          ...acmeProvider,
          spec: { ...acmeProvider.spec, verification: { status: 'pending' } },
        }}
      >
        <ProviderDetailsCard />
      </EntityProvider>,
      { mountedRoutes, apis: [[marketplaceApiRef, profileApi(true)]] },
    );
    expect(
      await screen.findByText('Claims verification pending'),
    ).toBeInTheDocument();
    // The admins' decision is what counts.
    expect(
      await screen.findByText(
        'Verified by the marketplace admins on Dec 1, 2026',
      ),
    ).toBeInTheDocument();
  });
});

describe('ProviderServicesCard', () => {
  it('lists the services that have a providedBy relation to the provider', async () => {
    const otherProviderService = withRelations(
      {
        ...minimalModelService,
        metadata: { name: 'someone-elses', namespace: 'default' },
      },
      [{ type: 'providedBy', targetRef: 'provider:default/other' }],
    );
    const catalogApi = catalogApiMock({
      entities: [
        acmeProvider,
        withRelations(fullModelService, [
          { type: 'providedBy', targetRef: 'provider:default/acme-ai' },
        ]),
        withRelations(minimalModelService, [
          { type: 'providedBy', targetRef: 'provider:default/acme-ai' },
        ]),
        otherProviderService,
      ],
    });

    await renderInTestApp(
      <EntityProvider entity={acmeProvider}>
        <ProviderServicesCard />
      </EntityProvider>,
      { mountedRoutes, apis: [[catalogApiRef, catalogApi]] },
    );

    const table = within(
      await screen.findByRole('table', { name: 'Model services offered' }),
    );
    expect(table.getByRole('link', { name: /Acme GPT-4o/ })).toHaveAttribute(
      'href',
      '/catalog/default/modelservice/acme-gpt-4o',
    );
    expect(table.getByRole('link', { name: /internal-llama/ })).toHaveAttribute(
      'href',
      '/catalog/default/modelservice/internal-llama',
    );
    expect(table.queryByText(/someone-elses/)).not.toBeInTheDocument();
    expect(table.getByText('$0.0025')).toBeInTheDocument();
    expect(table.getByText('128K')).toBeInTheDocument();
    expect(table.getAllByRole('row')).toHaveLength(3);
  });

  it('explains when the provider offers nothing yet', async () => {
    await renderInTestApp(
      <EntityProvider entity={acmeProvider}>
        <ProviderServicesCard />
      </EntityProvider>,
      {
        mountedRoutes,
        apis: [[catalogApiRef, catalogApiMock({ entities: [acmeProvider] })]],
      },
    );
    expect(
      await screen.findByText(/does not offer any model services yet/),
    ).toBeInTheDocument();
  });
});
