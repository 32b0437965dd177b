import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
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
} from '../../__fixtures__/entities';
import { ModelServiceOverviewCard } from './ModelServiceOverviewCard';
import { marketplaceApiRef } from '../../api';
import {
  ENDPOINT,
  measuredQualityMetrics,
  mockMarketplaceApi,
  subscription,
} from '../../__fixtures__/marketplaceApi';
import { subscriptionsRouteRef } from '../../routes';

const mountedRoutes = { '/catalog/:namespace/:kind/:name': entityRouteRef };

function apis(marketplaceApi = mockMarketplaceApi()) {
  return [
    [marketplaceApiRef, marketplaceApi],
    [catalogApiRef, catalogApiMock({ entities: [acmeProvider] })],
  ] as const;
}

function section(name: string) {
  return within(screen.getByRole('region', { name }));
}

describe('ModelServiceOverviewCard', () => {
  it('renders every field of a full ModelService, grouped', async () => {
    await renderInTestApp(
      <EntityProvider entity={fullModelService}>
        <ModelServiceOverviewCard />
      </EntityProvider>,
      {
        mountedRoutes,
        apis: apis(
          mockMarketplaceApi({
            getServiceMetrics: jest
              .fn()
              .mockResolvedValue(measuredQualityMetrics()),
          }),
        ),
      },
    );

    expect(await screen.findByText('Model service')).toBeInTheDocument();

    // Usage: measured by the marketplace, not declared.
    const usage = section('Usage');
    expect(await usage.findByText('1,234')).toBeInTheDocument();
    expect(usage.getByText('42')).toBeInTheDocument();
    expect(usage.getByText('25M')).toBeInTheDocument();
    expect(usage.getByText('Jan 10, 2099, 09:00 UTC')).toBeInTheDocument();
    expect(usage.getByText('Feb 20, 2099, 09:00 UTC')).toBeInTheDocument();

    // Basic info
    const basic = section('Basic info');
    expect(basic.getByText('Acme GPT-4o')).toBeInTheDocument();
    expect(
      basic.getByText('General purpose multimodal model hosted in Frankfurt.'),
    ).toBeInTheDocument();
    expect(basic.getByText('GPT')).toBeInTheDocument();
    expect(basic.getByText('gpt-4o-2024-08-06')).toBeInTheDocument();
    expect(basic.getByRole('link', { name: /acme-ai/ })).toHaveAttribute(
      'href',
      '/catalog/default/provider/acme-ai',
    );
    expect(basic.getByRole('link', { name: /ml-platform/ })).toHaveAttribute(
      'href',
      '/catalog/default/group/ml-platform',
    );
    expect(basic.getByText('active')).toBeInTheDocument();
    // The provider's verification claim, read from its Provider entity.
    expect(
      await basic.findByText('Claims verified on Jan 15, 2025'),
    ).toBeInTheDocument();
    expect(basic.getByText('Berlin, Germany (DE)')).toBeInTheDocument();

    // Actions
    const actions = within(
      screen.getByRole('navigation', { name: 'Service actions' }),
    );
    expect(actions.getByRole('link', { name: 'Test API' })).toHaveAttribute(
      'href',
      '/catalog/default/modelservice/acme-gpt-4o/api',
    );
    expect(
      actions.getByRole('link', { name: 'View documentation' }),
    ).toHaveAttribute('href', 'https://docs.acme.example/gpt-4o');
    expect(actions.getByRole('link', { name: 'Report issue' })).toHaveAttribute(
      'href',
      'https://issues.acme.example/gpt-4o',
    );

    // Pricing
    const pricing = section('Pricing');
    expect(pricing.getByText('$0.0025 / 1K tokens')).toBeInTheDocument();
    expect(pricing.getByText('$0.01 / 1K tokens')).toBeInTheDocument();
    const tiers = within(
      pricing.getByRole('table', { name: 'Volume pricing tiers' }),
    );
    expect(tiers.getByText('10,000,000 (10M)')).toBeInTheDocument();
    expect(tiers.getByText('100,000,000 (100M)')).toBeInTheDocument();
    expect(tiers.getByText('$0.002')).toBeInTheDocument();
    expect(tiers.getByText('$0.008')).toBeInTheDocument();
    expect(tiers.getByText('$0.0015')).toBeInTheDocument();
    expect(tiers.getByText('$0.006')).toBeInTheDocument();
    expect(pricing.getByText('100,000 tokens (100K)')).toBeInTheDocument();
    expect(pricing.getByText('14 days')).toBeInTheDocument();
    expect(pricing.getByText('Max 10 requests per minute')).toBeInTheDocument();
    expect(pricing.getByText('No production traffic')).toBeInTheDocument();
    expect(pricing.getByText(/Start Using subscribes you/)).toBeInTheDocument();

    // Technical
    const technical = section('Technical');
    expect(technical.getByText('128K tokens (128,000)')).toBeInTheDocument();
    expect(technical.getByText('16K tokens (16,384)')).toBeInTheDocument();
    expect(technical.getByText('OpenAI')).toBeInTheDocument();
    expect(technical.getByText('Anthropic')).toBeInTheDocument();
    for (const [label, on] of [
      ['Function calling', true],
      ['Vision', true],
      ['Streaming', true],
      ['JSON mode', false],
      ['Fine-tuned', false],
    ] as const) {
      expect(
        technical.getByLabelText(
          `${label}: ${on ? 'supported' : 'not supported'}`,
        ),
      ).toBeInTheDocument();
    }
    expect(technical.getByText('gpt-4o-eu')).toBeInTheDocument();
    expect(
      technical.getByText('API key header (x-api-key)'),
    ).toBeInTheDocument();

    // Support
    const support = section('Support');
    expect(
      support.getByRole('link', { name: 'https://docs.acme.example/gpt-4o' }),
    ).toHaveAttribute('href', 'https://docs.acme.example/gpt-4o');
    expect(
      support.getByRole('link', { name: 'https://issues.acme.example/gpt-4o' }),
    ).toBeInTheDocument();
    expect(
      support.getByRole('link', { name: 'llm-support@acme.example' }),
    ).toHaveAttribute('href', 'mailto:llm-support@acme.example');
  });

  it('never renders the upstream base URL or the secret reference', async () => {
    const { container } = await renderInTestApp(
      <EntityProvider entity={fullModelService}>
        <ModelServiceOverviewCard />
      </EntityProvider>,
      { mountedRoutes, apis: apis() },
    );
    await screen.findByText('Model service');
    const html = container.innerHTML;
    expect(html).not.toContain('upstream.internal.example');
    expect(html).not.toContain('ACME_SUPER_SECRET_KEY');
    expect(html).not.toMatch(/secretRef|baseUrl/i);
  });

  it('renders a minimal ModelService with placeholders', async () => {
    await renderInTestApp(
      <EntityProvider entity={minimalModelService}>
        <ModelServiceOverviewCard />
      </EntityProvider>,
      { mountedRoutes, apis: apis() },
    );
    expect(await screen.findByText('internal-llama')).toBeInTheDocument();
    expect(screen.getByText('No free trial')).toBeInTheDocument();
    expect(screen.getByText('No volume tiers')).toBeInTheDocument();
    expect(screen.getByText('32K tokens (32,768)')).toBeInTheDocument();
    expect(screen.getByText('deprecated')).toBeInTheDocument();
    expect(section('Technical').getByText('None')).toBeInTheDocument(); // upstream auth
    // No documentation or issue links, and no reportIssueUrl configured.
    expect(
      screen.getByRole('button', { name: 'View documentation' }),
    ).toBeDisabled();
    expect(screen.getByRole('button', { name: 'Report issue' })).toBeDisabled();
    expect(screen.getByRole('link', { name: /internal-llm/ })).toHaveAttribute(
      'href',
      '/catalog/default/provider/internal-llm',
    );
  });

  describe('publication state', () => {
    const publication = {
      status: 'pending' as const,
      reason: null,
      submittedAt: '2026-11-24T10:00:00.000Z',
      decidedBy: null,
      decidedAt: null,
      source: 'portal' as const,
      unpublishedAt: null,
      sunsetAt: null,
    };
    function withPublication(p: object, subscribed = false) {
      return mockMarketplaceApi({
        getService: jest.fn().mockResolvedValue({
          entity: fullModelService,
          subscription: subscribed ? subscription : null,
          owned: true,
          endpoint: ENDPOINT,
          keys: [],
          publication: { ...publication, ...p },
        }),
      });
    }

    it('tells the owners a pending service waits for approval, with nothing to subscribe to', async () => {
      await renderInTestApp(
        <EntityProvider entity={fullModelService}>
          <ModelServiceOverviewCard />
        </EntityProvider>,
        { mountedRoutes, apis: apis(withPublication({})) },
      );
      expect(await screen.findByText('Pending approval')).toBeInTheDocument();
      expect(
        screen.getByText(/Submitted on Nov 24, 2026, 10:00 UTC/),
      ).toBeInTheDocument();
      expect(
        screen.queryByRole('button', { name: /Start Using/ }),
      ).not.toBeInTheDocument();
    });

    it('shows the admin’s reason for a rejection', async () => {
      await renderInTestApp(
        <EntityProvider entity={fullModelService}>
          <ModelServiceOverviewCard />
        </EntityProvider>,
        {
          mountedRoutes,
          apis: apis(
            withPublication({
              status: 'rejected',
              reason: 'p99 target missing',
              decidedBy: 'user:default/ada',
              decidedAt: '2026-11-24T12:00:00.000Z',
            }),
          ),
        },
      );
      expect(await screen.findByText('Rejected')).toBeInTheDocument();
      // Who rejected it: a link to the admin, not the raw ref.
      expect(screen.queryByText(/user:default\/ada/)).toBeNull();
      expect(screen.getByRole('link', { name: /ada/ })).toHaveAttribute(
        'href',
        '/catalog/default/user/ada',
      );
      expect(
        screen.getByText(/rejected this service on Nov 24, 2026, 12:00 UTC/),
      ).toBeInTheDocument();
      expect(screen.getByText(/p99 target missing/)).toBeInTheDocument();
    });

    it('tells subscribers of an unpublished service until when it is served', async () => {
      await renderInTestApp(
        <EntityProvider entity={fullModelService}>
          <ModelServiceOverviewCard />
        </EntityProvider>,
        {
          mountedRoutes,
          apis: apis(
            withPublication(
              {
                status: 'approved',
                unpublishedAt: '2026-11-24T12:00:00.000Z',
                sunsetAt: '2099-01-01T00:00:00.000Z',
              },
              true,
            ),
          ),
        },
      );
      // A subscriber gets the countdown, not the owners' banner.
      const notice = await screen.findByTestId('retirement-notice');
      expect(notice).toHaveTextContent(/Retiring in \d+ days/);
      expect(notice).toHaveTextContent(
        'Your subscription works until Jan 1, 2099, 00:00 UTC',
      );
      expect(screen.getByText('Subscribed')).toBeInTheDocument();
    });
  });

  describe('subscription panel', () => {
    const routes = {
      ...mountedRoutes,
      '/marketplace/subscriptions': subscriptionsRouteRef,
    };

    it('offers Start Using at the top when the user does not subscribe', async () => {
      const api = mockMarketplaceApi();
      await renderInTestApp(
        <EntityProvider entity={fullModelService}>
          <ModelServiceOverviewCard />
        </EntityProvider>,
        { mountedRoutes: routes, apis: apis(api) },
      );
      const panel = within(
        await screen.findByRole('region', { name: 'Subscription' }),
      );
      const button = await panel.findByRole('button', {
        name: 'Start Using Acme GPT-4o',
      });
      expect(api.getService).toHaveBeenCalledWith('acme-gpt-4o');
      expect(panel.getByText(/free trial: 100,000 tokens/)).toBeInTheDocument();
      await userEvent.click(button);
      expect(
        await screen.findByRole('dialog', { name: 'Start using Acme GPT-4o' }),
      ).toBeInTheDocument();
    });

    it('shows Subscribed, a link to My subscriptions and Unsubscribe', async () => {
      const api = mockMarketplaceApi({
        getService: jest.fn().mockResolvedValue({
          entity: fullModelService,
          subscription,
          owned: false,
          endpoint: ENDPOINT,
          keys: [],
        }),
      });
      await renderInTestApp(
        <EntityProvider entity={fullModelService}>
          <ModelServiceOverviewCard />
        </EntityProvider>,
        { mountedRoutes: routes, apis: apis(api) },
      );
      const panel = within(
        await screen.findByRole('region', { name: 'Subscription' }),
      );
      expect(await panel.findByText('Subscribed')).toBeInTheDocument();
      expect(
        panel.queryByRole('button', { name: /Start Using/ }),
      ).not.toBeInTheDocument();
      expect(
        panel.getByRole('link', { name: 'My subscriptions' }),
      ).toHaveAttribute('href', '/marketplace/subscriptions');
      // Rounded for reading; the exact amount is in its tooltip.
      expect(panel.getByText('$1.23')).toBeInTheDocument();
      expect(panel.getByText(/spent this month/)).toBeInTheDocument();

      await userEvent.click(panel.getByRole('button', { name: 'Unsubscribe' }));
      const confirm = within(
        await screen.findByRole('dialog', {
          name: 'Unsubscribe from Acme GPT-4o?',
        }),
      );
      await userEvent.click(
        confirm.getByRole('button', { name: 'Unsubscribe' }),
      );
      expect(api.unsubscribe).toHaveBeenCalledWith('acme-gpt-4o');
      await waitFor(() => expect(api.getService).toHaveBeenCalledTimes(2));
    });
  });
});
