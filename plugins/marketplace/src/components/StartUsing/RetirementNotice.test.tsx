import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { ServicePublication } from '@internal/plugin-marketplace-common';
import { marketplaceApiRef } from '../../api';
import { fullModelService } from '../../__fixtures__/entities';
import {
  mockMarketplaceApi,
  subscription,
} from '../../__fixtures__/marketplaceApi';
import { RetirementNotice, timeUntil } from './RetirementNotice';

const DAY = 86_400_000;
const mountedRoutes = { '/catalog/:namespace/:kind/:name': entityRouteRef };

function retiring(
  overrides: Partial<ServicePublication> = {},
): ServicePublication {
  return {
    status: 'approved',
    reason: null,
    submittedAt: '2026-10-01T00:00:00.000Z',
    decidedBy: null,
    decidedAt: null,
    source: 'portal',
    unpublishedAt: new Date(Date.now() - DAY).toISOString(),
    sunsetAt: new Date(Date.now() + 12 * DAY + 3_600_000).toISOString(),
    successor: 'acme-gpt-4o',
    ...overrides,
  };
}

describe('RetirementNotice', () => {
  it('counts down to the sunset and switches to the successor with the same billing and limit', async () => {
    const api = mockMarketplaceApi();
    const onSwitched = jest.fn();
    await renderInTestApp(
      <RetirementNotice
        publication={retiring()}
        subscription={{
          ...subscription,
          teamRef: 'group:default/checkout',
          spendCapMicros: 5_000_000,
        }}
        onSwitched={onSwitched}
      />,
      {
        mountedRoutes,
        apis: [
          [marketplaceApiRef, api],
          [catalogApiRef, catalogApiMock({ entities: [fullModelService] })],
        ],
      },
    );
    const notice = screen.getByTestId('retirement-notice');
    expect(notice).toHaveTextContent('Retiring in 12 days');
    expect(notice).toHaveTextContent('Its successor is');
    await userEvent.click(
      within(notice).getByRole('button', { name: 'Switch to acme-gpt-4o' }),
    );
    await waitFor(() =>
      expect(api.subscribe).toHaveBeenCalledWith('acme-gpt-4o', {
        teamRef: 'group:default/checkout',
        spendCapMicros: 5_000_000,
      }),
    );
    // The new key, shown once, in the same dialog as Start Using's.
    const dialog = await screen.findByRole('dialog');
    expect(dialog).toHaveTextContent('You are subscribed to Acme GPT-4o');
    expect(dialog).toHaveTextContent('mk_3fQ9a1_s3cr3t-VALUE-only-shown-once');
    await userEvent.click(within(dialog).getByRole('button', { name: 'Done' }));
    expect(onSwitched).toHaveBeenCalled();
  });

  it('without a successor says to move on, and after the sunset says the key gets 410', async () => {
    await renderInTestApp(
      <RetirementNotice
        publication={retiring({
          successor: null,
          sunsetAt: new Date(Date.now() - 1000).toISOString(),
        })}
        subscription={subscription}
      />,
      {
        mountedRoutes,
        apis: [
          [marketplaceApiRef, mockMarketplaceApi()],
          [catalogApiRef, catalogApiMock()],
        ],
      },
    );
    const notice = screen.getByTestId('retirement-notice');
    expect(notice).toHaveTextContent('Retired: the gateway answers 410 Gone');
    expect(notice).toHaveTextContent('Move to another model');
    expect(within(notice).queryByRole('button')).not.toBeInTheDocument();
  });

  it('says how long until a time', () => {
    const now = Date.UTC(2026, 11, 1);
    const at = (ms: number) => new Date(now + ms).toISOString();
    expect(timeUntil(at(30 * DAY), now)).toBe('in 30 days');
    expect(timeUntil(at(DAY), now)).toBe('in 1 day');
    expect(timeUntil(at(5 * 3_600_000), now)).toBe('in 5 hours');
    expect(timeUntil(at(60_000), now)).toBe('in 1 hour');
    expect(timeUntil(at(-1), now)).toBe('now');
  });
});
