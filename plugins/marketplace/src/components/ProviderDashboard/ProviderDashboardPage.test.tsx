import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  AnalyticsPoint,
  AnalyticsTotals,
  ProviderAnalytics,
  Statement,
} from '@internal/plugin-marketplace-common';
import { marketplaceApiRef } from '../../api';
import { mockMarketplaceApi } from '../../__fixtures__/marketplaceApi';
import { ProviderDashboardPage } from './ProviderDashboardPage';

const mountedRoutes = { '/catalog/:namespace/:kind/:name': entityRouteRef };
const TEAM = 'group:default/ai-platform-team';
const GPT = 'modelservice:default/northwind-gpt-4o';

beforeAll(() => {
  // recharts' ResponsiveContainer observes its size; jsdom has no layout.
  (global as any).ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
});

function totals(overrides: Partial<AnalyticsTotals> = {}): AnalyticsTotals {
  return {
    requests: 0,
    okRequests: 0,
    errorRequests: 0,
    rejectedRequests: 0,
    promptTokens: 0,
    completionTokens: 0,
    trialTokens: 0,
    grossMicros: 0,
    platformFeeMicros: 0,
    netMicros: 0,
    errorRate: null,
    averageLatencyMs: null,
    p95LatencyMs: null,
    averageRating: null,
    ratingCount: 0,
    ...overrides,
  };
}

function point(start: string, requests: number): AnalyticsPoint {
  return {
    start,
    requests,
    okRequests: requests,
    errorRequests: 0,
    promptTokens: requests * 100,
    completionTokens: requests * 50,
    grossMicros: requests * 1000,
    netMicros: requests * 900,
    averageLatencyMs: requests ? 200 : null,
    p95LatencyMs: requests ? 300 : null,
    ratingAverage: null,
    ratingCount: 0,
  };
}

function analytics(
  overrides: Partial<ProviderAnalytics> = {},
): ProviderAnalytics {
  const buckets = ['2026-11-24T00:00:00.000Z', '2026-11-25T00:00:00.000Z'];
  return {
    range: {
      from: '2026-11-24',
      to: '2026-11-25',
      granularity: 'day',
      days: 2,
      previousFrom: '2026-11-22',
      previousTo: '2026-11-23',
    },
    teams: [TEAM],
    services: [
      {
        ref: GPT,
        name: 'northwind-gpt-4o',
        title: 'GPT-4o (Northwind)',
        owner: TEAM,
      },
    ],
    buckets,
    totals: totals({
      requests: 1234,
      okRequests: 1200,
      errorRequests: 34,
      promptTokens: 100_000,
      completionTokens: 50_000,
      grossMicros: 12_345_678,
      platformFeeMicros: 1_234_568,
      netMicros: 11_111_110,
      errorRate: 0.0276,
      averageLatencyMs: 412.3,
      p95LatencyMs: 950,
      averageRating: 4.5,
      ratingCount: 2,
    }),
    previousTotals: totals({ requests: 617, grossMicros: 6_172_839 }),
    series: [
      {
        serviceRef: GPT,
        totals: totals({ requests: 1234, ratingCount: 2 }),
        points: buckets.map(b => point(b, 617)),
      },
    ],
    topUsers: [
      {
        ref: 'user:default/lena.fischer',
        requests: 1000,
        tokens: 120_000,
        grossMicros: 10_000_000,
        revenueShare: 0.81,
        previousRequests: 500,
        previousGrossMicros: 5_000_000,
        grossTrend: 1,
        requestsTrend: 1,
      },
    ],
    topTeams: [],
    retention: [
      {
        month: '2026-11',
        active: 3,
        retained: 1,
        new: 2,
        returning: 0,
        churned: 1,
        retentionRate: 0.5,
      },
    ],
    usageDiscrepancies: 0,
    routeTraffic: [],
    generatedAt: '2026-11-25T12:00:00.000Z',
    ...overrides,
  };
}

function statement(month: string, status: Statement['status']): Statement {
  return {
    month,
    kind: 'provider',
    ownerRef: TEAM,
    status,
    periodStart: `${month}-01`,
    periodEnd: `${month}-30`,
    totals: {
      requests: 10,
      promptTokens: 1000,
      completionTokens: 500,
      trialTokens: 0,
      grossMicros: 5_000_000,
      platformFeeMicros: 500_000,
      netMicros: 4_500_000,
    },
    lines: [],
    payout: null,
    unpaidNetMicros: 0,
    slaCredits: [],
    slaCreditMicros: 0,
  };
}

describe('ProviderDashboardPage', () => {
  it('shows the team’s KPIs, top customers and retention from the API', async () => {
    const api = mockMarketplaceApi({
      listProviderTeams: jest
        .fn()
        .mockResolvedValue([{ ref: TEAM, serviceCount: 1 }]),
      getProviderAnalytics: jest
        .fn()
        .mockResolvedValue(analytics({ usageDiscrepancies: 3 })),
    });
    await renderInTestApp(<ProviderDashboardPage />, {
      mountedRoutes,
      apis: [[marketplaceApiRef, api]],
    });
    const requests = await screen.findByTestId('kpi-requests');
    expect(within(requests).getByTestId('kpi-value')).toHaveTextContent(
      '1,234',
    );
    expect(requests).toHaveTextContent('+100% vs previous 2 days');
    expect(
      within(screen.getByTestId('kpi-gross')).getByTestId('kpi-value'),
    ).toHaveTextContent('$12.35');
    expect(
      within(screen.getByTestId('kpi-net')).getByTestId('kpi-value'),
    ).toHaveTextContent('$11.11');
    expect(
      within(screen.getByTestId('kpi-error-rate')).getByTestId('kpi-value'),
    ).toHaveTextContent('2.8%');
    expect(screen.getByTestId('kpi-p95')).toHaveTextContent('950 ms');
    expect(screen.getByTestId('kpi-rating')).toHaveTextContent('4.5 / 5');
    // Requests whose upstream reported usage out of bounds (billed at the bound).
    const discrepancies = screen.getByTestId('kpi-usage-discrepancies');
    expect(within(discrepancies).getByTestId('kpi-value')).toHaveTextContent(
      '3',
    );
    expect(discrepancies).toHaveTextContent('billed at the bound');
    expect(api.getProviderAnalytics).toHaveBeenCalledWith(
      expect.objectContaining({ team: TEAM, granularity: 'day' }),
    );

    const [lena] = screen.getAllByTestId('top-customer-row');
    expect(lena).toHaveTextContent('lena.fischer');
    expect(lena).toHaveTextContent('$10.00');
    expect(lena).toHaveTextContent('81%');
    expect(lena).toHaveTextContent('+100%');
    expect(
      screen.getByText(
        'Nobody billed a team in this period: all usage was personal.',
      ),
    ).toBeInTheDocument();
    const [november] = screen.getAllByTestId('retention-row');
    expect(november).toHaveTextContent('November 2026');
    expect(november).toHaveTextContent('50%');
    expect(screen.getByText('Requests per service')).toBeInTheDocument();
  });

  it('explains an empty period and points to Test API', async () => {
    const api = mockMarketplaceApi({
      listProviderTeams: jest
        .fn()
        .mockResolvedValue([{ ref: TEAM, serviceCount: 1 }]),
      getProviderAnalytics: jest.fn().mockResolvedValue(
        analytics({
          totals: totals(),
          previousTotals: totals(),
          topUsers: [],
          series: [],
        }),
      ),
    });
    await renderInTestApp(<ProviderDashboardPage />, {
      mountedRoutes,
      apis: [[marketplaceApiRef, api]],
    });
    expect(
      await screen.findByText('No traffic yet in this period'),
    ).toBeInTheDocument();
    expect(
      screen.getByRole('link', { name: /Try Test API on GPT-4o/ }),
    ).toHaveAttribute(
      'href',
      '/catalog/default/modelservice/northwind-gpt-4o/api',
    );
    expect(screen.queryByText('Requests per service')).not.toBeInTheDocument();
  });

  it('tells consumers what the page is for', async () => {
    const api = mockMarketplaceApi({
      listProviderTeams: jest
        .fn()
        .mockRejectedValue(
          Object.assign(new Error('Forbidden'), { statusCode: 403 }),
        ),
    });
    await renderInTestApp(<ProviderDashboardPage />, {
      mountedRoutes,
      apis: [[marketplaceApiRef, api]],
    });
    expect(
      await screen.findByText('The provider dashboard is for provider teams'),
    ).toBeInTheDocument();
    expect(api.getProviderAnalytics).not.toHaveBeenCalled();
  });

  it('explains itself to consumers without calling provider APIs, and hides Publish', async () => {
    const api = mockMarketplaceApi({
      getMe: jest.fn().mockResolvedValue({
        userRef: 'user:default/lena.fischer',
        teams: [],
        role: 'consumer',
        suspension: null,
      }),
    });
    await renderInTestApp(<ProviderDashboardPage />, {
      mountedRoutes,
      apis: [[marketplaceApiRef, api]],
    });
    expect(
      await screen.findByText('The provider dashboard is for provider teams'),
    ).toBeInTheDocument();
    expect(
      screen.getByText(/ask a platform admin to add your team to a provider/),
    ).toBeInTheDocument();
    expect(
      screen.queryByRole('link', { name: /Publish a service/ }),
    ).toBeNull();
    expect(api.listProviderTeams).not.toHaveBeenCalled();
    expect(api.listManagedServices).not.toHaveBeenCalled();
    expect(api.getProviderAnalytics).not.toHaveBeenCalled();
  });

  it('lists payouts with CSV downloads; admins mark closed months paid', async () => {
    const paid = {
      ...statement('2026-10', 'paid'),
      payout: {
        paidAt: '2026-11-02T10:00:00.000Z',
        paidBy: 'user:default/ada',
        reference: 'TX-1',
        netMicros: 4_500_000,
        grossMicros: 5_000_000,
        platformFeeMicros: 500_000,
      },
    };
    const api = mockMarketplaceApi({
      listProviderTeams: jest
        .fn()
        .mockResolvedValue([{ ref: TEAM, serviceCount: 1 }]),
      getProviderAnalytics: jest.fn().mockResolvedValue(analytics()),
      listPayouts: jest.fn().mockResolvedValue({
        statements: [
          statement('2026-12', 'open'),
          statement('2026-11', 'closed'),
          paid,
        ],
        canMarkPaid: true,
      }),
      markPayoutPaid: jest
        .fn()
        .mockResolvedValue({ ...statement('2026-11', 'paid') }),
      downloadStatementCsv: jest.fn().mockResolvedValue({
        fileName: 'payout.csv',
        blob: new Blob(['x']),
      }),
    });
    (URL as any).createObjectURL = jest.fn(() => 'blob:x');
    (URL as any).revokeObjectURL = jest.fn();
    await renderInTestApp(<ProviderDashboardPage />, {
      mountedRoutes,
      apis: [[marketplaceApiRef, api]],
    });
    await userEvent.click(await screen.findByRole('tab', { name: 'Payouts' }));
    const rows = await screen.findAllByTestId('statement-row');
    expect(rows).toHaveLength(3);
    expect(rows[0]).toHaveTextContent('December 2026');
    expect(rows[0]).toHaveTextContent('Open');
    expect(rows[0]).toHaveTextContent('$4.50');
    expect(rows[2]).toHaveTextContent('Paid');
    expect(rows[2]).toHaveTextContent('ref TX-1');
    // Only the closed month can be marked paid.
    expect(
      within(rows[0]).queryByRole('button', { name: /Mark/ }),
    ).not.toBeInTheDocument();
    expect(
      within(rows[2]).queryByRole('button', { name: /Mark/ }),
    ).not.toBeInTheDocument();

    await userEvent.click(
      within(rows[1]).getByRole('button', {
        name: 'Download CSV of November 2026',
      }),
    );
    expect(api.downloadStatementCsv).toHaveBeenCalledWith({
      kind: 'provider',
      month: '2026-11',
      team: TEAM,
    });

    await userEvent.click(
      within(rows[1]).getByRole('button', { name: 'Mark November 2026 paid' }),
    );
    const dialog = within(await screen.findByRole('dialog'));
    expect(dialog.getByText(/Records a payout of \$4.50/)).toBeInTheDocument();
    await userEvent.type(
      dialog.getByLabelText('Payment reference (optional)'),
      'TX-2',
    );
    await userEvent.click(dialog.getByRole('button', { name: 'Mark paid' }));
    expect(api.markPayoutPaid).toHaveBeenCalledWith(TEAM, '2026-11', 'TX-2');
    await waitFor(() => expect(api.listPayouts).toHaveBeenCalledTimes(2));
  });

  it('hides Mark paid from providers', async () => {
    const api = mockMarketplaceApi({
      listProviderTeams: jest
        .fn()
        .mockResolvedValue([{ ref: TEAM, serviceCount: 1 }]),
      getProviderAnalytics: jest.fn().mockResolvedValue(analytics()),
      listPayouts: jest.fn().mockResolvedValue({
        statements: [statement('2026-11', 'closed')],
        canMarkPaid: false,
      }),
    });
    await renderInTestApp(<ProviderDashboardPage />, {
      mountedRoutes,
      apis: [[marketplaceApiRef, api]],
    });
    await userEvent.click(await screen.findByRole('tab', { name: 'Payouts' }));
    const [row] = await screen.findAllByTestId('statement-row');
    expect(row).toHaveTextContent('Not paid yet');
    expect(
      within(row).queryByRole('button', { name: /Mark/ }),
    ).not.toBeInTheDocument();
  });

  it('keeps the services table as a tab', async () => {
    const api = mockMarketplaceApi({
      listProviderTeams: jest.fn().mockResolvedValue([]),
    });
    await renderInTestApp(<ProviderDashboardPage />, {
      mountedRoutes,
      apis: [[marketplaceApiRef, api]],
    });
    expect(
      await screen.findByText(
        'Your teams offer no services yet',
        {},
        { timeout: 5000 },
      ),
    ).toBeInTheDocument();
    await userEvent.click(screen.getByRole('tab', { name: 'Services' }));
    expect(
      await screen.findByText('Your teams publish no services yet'),
    ).toBeInTheDocument();
    expect(api.listManagedServices).toHaveBeenCalled();
  });
});
