import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { marketplaceApiRef, RouteListItem } from '../../api';
import {
  mockMarketplaceApi,
  subscribeResponse,
} from '../../__fixtures__/marketplaceApi';
import { RoutesPanel } from './RoutesPanel';

const route: RouteListItem = {
  name: 'llama-3.3-70b-instruct',
  ref: 'route:default/llama-3.3-70b-instruct',
  title: 'llama-3.3-70b-instruct (any provider)',
  description: null,
  baseModel: 'llama-3.3-70b-instruct',
  policy: 'price',
  constraints: {},
  source: 'derived',
  subscribed: false,
  excluded: [],
  members: [
    {
      name: 'research-llama',
      ref: 'modelservice:default/research-llama',
      title: 'Llama (Research)',
      providerName: 'Acme Research',
      region: 'europe',
      blendedPer1kMicros: 363,
      promptPer1kMicros: 350,
      completionPer1kMicros: 400,
      timeToFirstTokenP95Ms: 320,
      tokensPerSecond: 61.5,
      uptime30d: 99.95,
      healthy: true,
    },
    {
      name: 'helvetia-llama',
      ref: 'modelservice:default/helvetia-llama',
      title: 'Llama (Helvetia)',
      providerName: 'Helvetia Models',
      region: 'europe',
      blendedPer1kMicros: 625,
      promptPer1kMicros: 600,
      completionPer1kMicros: 700,
      timeToFirstTokenP95Ms: null,
      tokensPerSecond: null,
      uptime30d: null,
      healthy: false,
    },
  ],
};

describe('RoutesPanel', () => {
  it('lists routes with their members and subscribes to one, showing the key once', async () => {
    const api = mockMarketplaceApi({
      listRoutes: jest.fn().mockResolvedValue([route]),
    });
    renderInTestApp(<RoutesPanel />, { apis: [[marketplaceApiRef, api]] });
    await userEvent.click(
      await screen.findByText(/Routes \(1\): one model name/),
    );
    const members = screen.getAllByTestId('route-member');
    expect(members).toHaveLength(2);
    expect(members[0]).toHaveTextContent('Llama (Research)');
    expect(members[0]).toHaveTextContent('320 ms');
    expect(members[0]).toHaveTextContent('healthy');
    expect(members[1]).toHaveTextContent('no data yet');
    expect(members[1]).toHaveTextContent('failing: tried last');

    await userEvent.click(
      screen.getByRole('button', {
        name: 'Start Using route llama-3.3-70b-instruct',
      }),
    );
    const dialog = screen.getByRole('dialog');
    expect(dialog).toHaveTextContent('cheapest healthy member');
    await userEvent.click(
      within(dialog).getByRole('button', { name: 'Subscribe' }),
    );
    expect(api.subscribeRoute).toHaveBeenCalledWith(
      'llama-3.3-70b-instruct',
      {},
    );
    expect(
      await within(screen.getByRole('dialog')).findByText(
        subscribeResponse.apiKey.secret,
      ),
    ).toBeInTheDocument();
  });

  it('shows nothing when there is no route', async () => {
    const api = mockMarketplaceApi();
    renderInTestApp(<RoutesPanel />, { apis: [[marketplaceApiRef, api]] });
    await new Promise(r => setTimeout(r, 50));
    expect(screen.queryByText(/Routes \(/)).toBeNull();
  });
});
