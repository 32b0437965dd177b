import userEvent from '@testing-library/user-event';
import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { fullModelService } from '../../__fixtures__/entities';
import {
  activeKey,
  ENDPOINT,
  mockMarketplaceApi,
  revokedKey,
  subscription,
} from '../../__fixtures__/marketplaceApi';
import { marketplaceApiRef } from '../../api';
import { subscriptionsRouteRef } from '../../routes';
import { EndpointCard } from './TestApiEntityContent';
import {
  curlSnippet,
  javascriptSnippet,
  pythonSnippet,
} from '../shared/snippets';

describe('EndpointCard', () => {
  it('shows the gateway endpoint and snippets that read the key from OPENAI_API_KEY', async () => {
    await renderInTestApp(<EndpointCard entity={fullModelService} />, {
      apis: [[marketplaceApiRef, mockMarketplaceApi()]],
    });
    expect(await screen.findByTestId('endpoint-base-url')).toHaveTextContent(
      ENDPOINT.baseUrl,
    );
    expect(screen.getByTestId('endpoint-model')).toHaveTextContent(
      'acme-gpt-4o',
    );
    expect(screen.getByText(/Start Using subscribes you/)).toBeInTheDocument();
    expect(screen.getByTestId('curl-snippet').textContent).toBe(
      `curl ${ENDPOINT.baseUrl}/chat/completions \\
  -H "Authorization: Bearer $OPENAI_API_KEY" \\
  -H "Content-Type: application/json" \\
  -d '{"model":"acme-gpt-4o","messages":[{"role":"user","content":"Hello!"}]}'`,
    );
    expect(screen.getByRole('tab', { name: 'Python' })).toBeInTheDocument();
    expect(screen.getByRole('tab', { name: 'JavaScript' })).toBeInTheDocument();
  });

  it('tells a subscriber how many active keys they hold', async () => {
    const api = mockMarketplaceApi({
      getService: jest.fn().mockResolvedValue({
        entity: fullModelService,
        subscription,
        owned: false,
        endpoint: ENDPOINT,
        keys: [activeKey, revokedKey],
      }),
    });
    await renderInTestApp(<EndpointCard entity={fullModelService} />, {
      apis: [[marketplaceApiRef, api]],
      mountedRoutes: { '/marketplace/subscriptions': subscriptionsRouteRef },
    });
    expect(
      await screen.findByText(/hold 1 active API key\b/),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: 'My subscriptions' }),
    ).toHaveAttribute('href', '/marketplace/subscriptions');
  });

  it('offers a new key to a subscriber whose keys are all revoked', async () => {
    const api = mockMarketplaceApi({
      getService: jest.fn().mockResolvedValue({
        entity: fullModelService,
        subscription,
        owned: false,
        endpoint: ENDPOINT,
        keys: [revokedKey],
      }),
      createKey: jest
        .fn()
        .mockResolvedValue({ ...activeKey, secret: 'mk_fresh_secret' }),
    });
    await renderInTestApp(<EndpointCard entity={fullModelService} />, {
      apis: [[marketplaceApiRef, api]],
      mountedRoutes: { '/marketplace/subscriptions': subscriptionsRouteRef },
    });
    expect(
      await screen.findByText(/Every API key of your subscription is revoked/),
    ).toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', { name: 'Create new key' }),
    );
    expect(api.createKey).toHaveBeenCalledWith(subscription.id);
    expect(await screen.findByTestId('api-key-secret')).toHaveTextContent(
      'mk_fresh_secret',
    );
  });

  it('builds key-less Python and JavaScript snippets', () => {
    const input = { baseUrl: `${ENDPOINT.baseUrl}/`, model: 'm' };
    const python = pythonSnippet(input);
    expect(python).toContain(`base_url="${ENDPOINT.baseUrl}",\n)`);
    expect(python).not.toContain('api_key=');
    expect(python).toContain('OPENAI_API_KEY');
    const js = javascriptSnippet(input);
    expect(js).toContain(`baseURL: "${ENDPOINT.baseUrl}",\n});`);
    expect(js).not.toContain('apiKey:');
    expect(curlSnippet({ ...input, apiKey: 'mk_x$y' })).toContain(
      '-H "Authorization: Bearer mk_x\\$y"',
    );
  });
});
