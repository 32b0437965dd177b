import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  estimateMonthlyCost,
  formatMicros,
  ModelServiceEntityV1alpha1,
} from '@internal/plugin-marketplace-common';
import { marketplaceApiRef, MarketplaceApi } from '../../api';
import { subscriptionsRouteRef } from '../../routes';
import { formatInteger } from '../../format';
import {
  fullModelService,
  minimalModelService,
} from '../../__fixtures__/entities';
import {
  ENDPOINT,
  issuedKey,
  mockMarketplaceApi,
} from '../../__fixtures__/marketplaceApi';
import { SHOW_ONCE_WARNING } from '../shared/SecretKeyBox';
import { StartUsingDialog } from './StartUsingDialog';

const mountedRoutes = {
  '/catalog/:namespace/:kind/:name': entityRouteRef,
  '/marketplace/subscriptions': subscriptionsRouteRef,
};

async function renderDialog(
  api: MarketplaceApi,
  entity: ModelServiceEntityV1alpha1 = fullModelService,
  onClose = jest.fn(),
) {
  renderInTestApp(<StartUsingDialog open entity={entity} onClose={onClose} />, {
    mountedRoutes,
    apis: [[marketplaceApiRef, api]],
  });
  // The teams are loaded before Subscribe is enabled.
  await waitFor(() =>
    expect(screen.getByRole('button', { name: 'Subscribe' })).toBeEnabled(),
  );
}

function expectEstimate(expected: ReturnType<typeof estimateMonthlyCost>) {
  expect(screen.getByTestId('estimate-total-tokens')).toHaveTextContent(
    formatInteger(expected.totalTokens),
  );
  expect(screen.getByTestId('estimate-trial-tokens')).toHaveTextContent(
    formatInteger(expected.trialTokens),
  );
  expect(screen.getByTestId('estimate-billable-tokens')).toHaveTextContent(
    formatInteger(expected.billableTokens),
  );
  expect(screen.getByTestId('estimate-cost')).toHaveTextContent(
    formatMicros(expected.costMicros),
  );
}

describe('StartUsingDialog', () => {
  it('shows the offer: prices, tiers and the trial from the entity', async () => {
    await renderDialog(mockMarketplaceApi());
    expect(screen.getByText('Start using Acme GPT-4o')).toBeInTheDocument();
    expect(screen.getByText('$0.0025 / 1K tokens')).toBeInTheDocument();
    expect(screen.getByText('$0.01 / 1K tokens')).toBeInTheDocument();
    const tiers = within(
      screen.getByRole('table', { name: 'Volume pricing tiers' }),
    );
    expect(tiers.getByText('10,000,000 (10M)')).toBeInTheDocument();
    expect(tiers.getByText('$0.0015')).toBeInTheDocument();
    expect(
      screen.getByText(/100,000 free tokens \(100K\)/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/valid for 14 days after you first subscribe/),
    ).toBeInTheDocument();
    expect(
      screen.getByText(
        /granted once per person: subscribing again continues it/,
      ),
    ).toBeInTheDocument();
    expect(screen.getByText('No production traffic')).toBeInTheDocument();
    // The first team is the default billing target.
    expect(screen.getByRole('combobox', { name: 'Bill to' })).toHaveTextContent(
      'Checkout',
    );
  });

  it('computes the calculator with estimateMonthlyCost, including the trial', async () => {
    await renderDialog(mockMarketplaceApi());
    const { pricing } = fullModelService.spec;
    expectEstimate(
      estimateMonthlyCost(pricing, {
        requestsPerMonth: 10_000,
        avgPromptTokens: 800,
        avgCompletionTokens: 300,
        trialTokens: 100_000,
      }),
    );
    // 10,000 x 1,100 tokens = 11M: the 10M tier kicks in.
    expect(screen.getByTestId('estimate-total-tokens')).toHaveTextContent(
      '11,000,000',
    );
    expect(screen.getByTestId('estimate-trial-tokens')).toHaveTextContent(
      '100,000',
    );

    const requests = screen.getByLabelText('Requests per month');
    await userEvent.clear(requests);
    await userEvent.type(requests, '250');
    const prompt = screen.getByLabelText('Average prompt tokens');
    await userEvent.clear(prompt);
    await userEvent.type(prompt, '1500');
    const completion = screen.getByLabelText('Average completion tokens');
    await userEvent.clear(completion);
    await userEvent.type(completion, '499');
    expectEstimate(
      estimateMonthlyCost(pricing, {
        requestsPerMonth: 250,
        avgPromptTokens: 1500,
        avgCompletionTokens: 499,
        trialTokens: 100_000,
      }),
    );

    await userEvent.clear(completion);
    await userEvent.type(completion, '3.5');
    expect(
      screen.getByText('Enter a whole number (0 or more)'),
    ).toBeInTheDocument();
    expect(screen.queryByTestId('estimate-cost')).not.toBeInTheDocument();
  });

  it('says when the service also serves in a route, and not otherwise', async () => {
    const member = (name: string) => ({
      name,
      ref: `modelservice:default/${name}`,
      title: name,
      providerName: 'p',
      region: 'europe' as const,
      blendedPer1kMicros: 1,
      promptPer1kMicros: 1,
      completionPer1kMicros: 1,
      timeToFirstTokenP95Ms: null,
      tokensPerSecond: null,
      uptime30d: null,
      healthy: true,
    });
    const route = (name: string, members: string[]) => ({
      name,
      ref: `route:default/${name}`,
      title: name,
      description: null,
      baseModel: 'gpt-4o',
      policy: 'price' as const,
      constraints: {},
      source: 'derived' as const,
      subscribed: false,
      excluded: [],
      members: members.map(member),
    });
    await renderDialog(
      mockMarketplaceApi({
        listRoutes: jest
          .fn()
          .mockResolvedValue([
            route('gpt-4o', [fullModelService.metadata.name, 'other-gpt']),
            route('unrelated', ['a', 'b']),
          ]),
      }),
    );
    const notices = await screen.findAllByTestId('route-notice');
    expect(notices).toHaveLength(1);
    expect(notices[0]).toHaveTextContent(
      'Also served through the route gpt-4o with 1 other provider',
    );
  });

  it('estimates without a trial for services that have none', async () => {
    await renderDialog(mockMarketplaceApi(), minimalModelService);
    expectEstimate(
      estimateMonthlyCost(minimalModelService.spec.pricing, {
        requestsPerMonth: 10_000,
        avgPromptTokens: 800,
        avgCompletionTokens: 300,
        trialTokens: 0,
      }),
    );
    expect(screen.getByTestId('estimate-trial-tokens')).toHaveTextContent(
      /^0$/,
    );
    expect(
      screen.queryByRole('radio', { name: /Trial only/ }),
    ).not.toBeInTheDocument();
    expect(screen.queryByText(/free tokens/)).not.toBeInTheDocument();
  });

  it('subscribes with no cap and the default team', async () => {
    const api = mockMarketplaceApi();
    await renderDialog(api);
    await userEvent.click(screen.getByRole('button', { name: 'Subscribe' }));
    await screen.findByText(SHOW_ONCE_WARNING);
    expect(api.subscribe).toHaveBeenCalledWith('acme-gpt-4o', {
      teamRef: 'group:default/checkout',
      spendCapMicros: null,
    });
  });

  it('sends spendCapMicros 0 for "Trial only" and teamRef null for Personal', async () => {
    const api = mockMarketplaceApi();
    await renderDialog(api);
    await userEvent.click(
      screen.getByRole('radio', {
        name: 'Trial only (stop when the free tokens are used)',
      }),
    );
    await userEvent.click(screen.getByRole('combobox', { name: 'Bill to' }));
    await userEvent.click(
      within(screen.getByRole('listbox')).getByRole('option', {
        name: 'Personal',
      }),
    );
    await userEvent.click(screen.getByRole('button', { name: 'Subscribe' }));
    await screen.findByText(SHOW_ONCE_WARNING);
    expect(api.subscribe).toHaveBeenCalledTimes(1);
    expect(api.subscribe).toHaveBeenCalledWith('acme-gpt-4o', {
      teamRef: null,
      spendCapMicros: 0,
    });
  });

  it('sends a $12.34 monthly cap as 12340000 micros', async () => {
    const api = mockMarketplaceApi();
    await renderDialog(api);
    await userEvent.type(
      screen.getByLabelText('Monthly cap in US dollars'),
      '12.34',
    );
    expect(screen.getByRole('radio', { name: 'Monthly cap of' })).toBeChecked();
    await userEvent.click(screen.getByRole('button', { name: 'Subscribe' }));
    await screen.findByText(SHOW_ONCE_WARNING);
    expect(api.subscribe).toHaveBeenCalledWith('acme-gpt-4o', {
      teamRef: 'group:default/checkout',
      spendCapMicros: 12_340_000,
    });
  });

  it.each([
    ['12.3.4', /Enter an amount in dollars/],
    ['-5', /The cap must be more than \$0/],
    ['0', /The cap must be more than \$0/],
    ['', /Enter the monthly cap in dollars/],
  ])(
    'shows a field error for the cap %p and does not subscribe',
    async (value, message) => {
      const api = mockMarketplaceApi();
      await renderDialog(api);
      await userEvent.click(
        screen.getByRole('radio', { name: 'Monthly cap of' }),
      );
      const input = screen.getByLabelText('Monthly cap in US dollars');
      if (value) {
        await userEvent.type(input, value);
      }
      await userEvent.click(screen.getByRole('button', { name: 'Subscribe' }));
      expect(await screen.findByText(message)).toBeInTheDocument();
      expect(input).toHaveAttribute('aria-invalid', 'true');
      expect(api.subscribe).not.toHaveBeenCalled();
      expect(screen.queryByText(SHOW_ONCE_WARNING)).not.toBeInTheDocument();
    },
  );

  it('shows the key once with the endpoint, snippets and next steps', async () => {
    const user = userEvent.setup();
    const api = mockMarketplaceApi();
    await renderDialog(api);
    await user.click(screen.getByRole('button', { name: 'Subscribe' }));

    expect(await screen.findByText(SHOW_ONCE_WARNING)).toBeInTheDocument();
    expect(
      screen.getByText('You are subscribed to Acme GPT-4o'),
    ).toBeInTheDocument();
    expect(screen.getByTestId('api-key-secret')).toHaveTextContent(
      issuedKey.secret,
    );
    expect(screen.getByTestId('endpoint-base-url')).toHaveTextContent(
      ENDPOINT.baseUrl,
    );
    expect(screen.getByTestId('endpoint-model')).toHaveTextContent(
      ENDPOINT.model,
    );

    const writeText = jest
      .spyOn(navigator.clipboard, 'writeText')
      .mockResolvedValue(undefined);
    await user.click(screen.getByRole('button', { name: 'Copy API key' }));
    expect(writeText).toHaveBeenCalledWith(issuedKey.secret);

    // curl: the exact command, also in a plain element for scripts
    const curl = screen.getByTestId('curl-snippet').textContent ?? '';
    expect(curl).toBe(
      `curl ${ENDPOINT.baseUrl}/chat/completions \\\n` +
        `  -H "Authorization: Bearer ${issuedKey.secret}" \\\n` +
        `  -H "Content-Type: application/json" \\\n` +
        `  -d '{"model":"${ENDPOINT.model}","messages":[{"role":"user","content":"Hello!"}]}'`,
    );
    const curlPanel = screen.getByRole('tabpanel');
    expect(curlPanel).toHaveTextContent(`Bearer ${issuedKey.secret}`);
    expect(curlPanel).toHaveTextContent(`${ENDPOINT.baseUrl}/chat/completions`);

    await user.click(screen.getByRole('tab', { name: 'Python' }));
    const python = screen.getByRole('tabpanel').textContent ?? '';
    expect(python).toContain('from openai import OpenAI');
    expect(python).toContain(`base_url="${ENDPOINT.baseUrl}"`);
    expect(python).toContain(`api_key="${issuedKey.secret}"`);
    expect(python).toContain(`model="${ENDPOINT.model}"`);
    expect(python).toContain('client.chat.completions.create(');
    expect(python).toContain('print(');

    await user.click(screen.getByRole('tab', { name: 'JavaScript' }));
    const js = screen.getByRole('tabpanel').textContent ?? '';
    expect(js).toContain("import OpenAI from 'openai';");
    expect(js).toContain(`baseURL: "${ENDPOINT.baseUrl}"`);
    expect(js).toContain(`apiKey: "${issuedKey.secret}"`);
    expect(js).toContain(`model: "${ENDPOINT.model}"`);

    // Get started
    expect(screen.getAllByText('OPENAI_API_KEY').length).toBeGreaterThan(0);
    expect(
      screen.getByRole('link', { name: /View documentation/ }),
    ).toHaveAttribute('href', 'https://docs.acme.example/gpt-4o');
    expect(
      screen.getByRole('link', { name: 'My subscriptions' }),
    ).toHaveAttribute('href', '/marketplace/subscriptions');
    expect(screen.getByText(/75,000 free tokens/)).toBeInTheDocument();
  });

  it('closes only with Done once the key is shown', async () => {
    const onClose = jest.fn();
    await renderDialog(mockMarketplaceApi(), fullModelService, onClose);
    await userEvent.click(screen.getByRole('button', { name: 'Subscribe' }));
    await screen.findByText(SHOW_ONCE_WARNING);
    await userEvent.keyboard('{Escape}');
    expect(onClose).not.toHaveBeenCalled();
    await userEvent.click(screen.getByRole('button', { name: 'Done' }));
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('tells a suspended user up front that subscribing cannot work', async () => {
    const api = mockMarketplaceApi({
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
    renderInTestApp(
      <StartUsingDialog open entity={fullModelService} onClose={jest.fn()} />,
      {
        mountedRoutes,
        apis: [[marketplaceApiRef, api]],
      },
    );
    expect(await screen.findByTestId('suspended-notice')).toHaveTextContent(
      'Your marketplace account is suspended: Unusual traffic from a leaked key. You cannot subscribe until a platform admin reinstates you.',
    );
    expect(screen.getByRole('button', { name: 'Subscribe' })).toBeDisabled();
  });

  it('explains a 409: already subscribed', async () => {
    const conflict = Object.assign(new Error('Request failed with 409'), {
      statusCode: 409,
    });
    const api = mockMarketplaceApi({
      subscribe: jest.fn().mockRejectedValue(conflict),
    });
    await renderDialog(api);
    await userEvent.click(screen.getByRole('button', { name: 'Subscribe' }));
    expect(
      await screen.findByText(/You already have an active subscription/),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'Open My subscriptions' }),
    ).toHaveAttribute('href', '/marketplace/subscriptions');
    expect(screen.getByRole('button', { name: 'Subscribe' })).toBeEnabled();
  });

  it('shows other errors and still offers Personal when teams fail to load', async () => {
    const api = mockMarketplaceApi({
      getMe: jest.fn().mockRejectedValue(new Error('me is down')),
      subscribe: jest
        .fn()
        .mockRejectedValue(new Error('spendCapMicros: must be an integer')),
    });
    await renderDialog(api);
    expect(screen.getByText(/me is down/)).toBeInTheDocument();
    expect(screen.getByRole('combobox', { name: 'Bill to' })).toHaveTextContent(
      'Personal',
    );
    await userEvent.click(screen.getByRole('button', { name: 'Subscribe' }));
    expect(
      await screen.findByText(/Could not subscribe: spendCapMicros/),
    ).toBeInTheDocument();
    expect(api.subscribe).toHaveBeenCalledWith('acme-gpt-4o', {
      teamRef: null,
      spendCapMicros: null,
    });
  });
});
