import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import { ConsumerUsage, Statement } from '@internal/plugin-marketplace-common';
import { marketplaceApiRef } from '../../api';
import {
  emptyUsage,
  mockMarketplaceApi,
} from '../../__fixtures__/marketplaceApi';
import { ConsumerUsageSection } from './ConsumerUsageSection';
import { StatementsSection } from './StatementsSection';
import { periodProblem } from './UsageExportForm';

const mountedRoutes = { '/catalog/:namespace/:kind/:name': entityRouteRef };

beforeAll(() => {
  (global as any).ResizeObserver ??= class {
    observe() {}
    unobserve() {}
    disconnect() {}
  };
});

const point = (start: string, requests: number) => ({
  start,
  requests,
  okRequests: requests,
  errorRequests: 0,
  promptTokens: requests * 100,
  completionTokens: requests * 20,
  trialTokens: 0,
  costMicros: requests * 1500,
});

const usage: ConsumerUsage = {
  ...emptyUsage,
  buckets: ['2026-11-24T00:00:00.000Z', '2026-11-25T00:00:00.000Z'],
  totals: {
    ...point('2026-10-27T00:00:00.000Z', 3),
    errorRequests: 1,
    trialTokens: 250,
  },
  services: [
    {
      serviceRef: 'modelservice:default/acme-gpt-4o',
      keyId: null,
      keyPrefix: null,
      teamRef: null,
      totals: point('2026-10-27T00:00:00.000Z', 3),
      points: [
        point('2026-11-24T00:00:00.000Z', 1),
        point('2026-11-25T00:00:00.000Z', 2),
      ],
    },
  ],
  keys: [
    {
      serviceRef: 'modelservice:default/acme-gpt-4o',
      keyId: 'key-1',
      keyPrefix: 'mk_3fQ9a1',
      teamRef: 'group:default/checkout',
      totals: point('2026-10-27T00:00:00.000Z', 3),
      points: [
        point('2026-11-24T00:00:00.000Z', 1),
        point('2026-11-25T00:00:00.000Z', 2),
      ],
    },
  ],
};

describe('ConsumerUsageSection', () => {
  it('shows the user’s requests, tokens and spend per key', async () => {
    const api = mockMarketplaceApi({
      getMyUsage: jest.fn().mockResolvedValue(usage),
    });
    await renderInTestApp(
      <ConsumerUsageSection service="acme-gpt-4o" emptyHint="Try Test API" />,
      { mountedRoutes, apis: [[marketplaceApiRef, api]] },
    );
    const requests = await screen.findByTestId('usage-requests');
    expect(within(requests).getByTestId('kpi-value')).toHaveTextContent('3');
    expect(requests).toHaveTextContent('1 failed (not charged)');
    expect(screen.getByTestId('usage-spend')).toHaveTextContent('$0.0045');
    expect(screen.getByTestId('usage-trial')).toHaveTextContent('250');
    const [row] = screen.getAllByTestId('usage-key-row');
    expect(row).toHaveTextContent('mk_3fQ9a1…');
    expect(row).toHaveTextContent('checkout');
    expect(row).toHaveTextContent('$0.0045');
    expect(api.getMyUsage).toHaveBeenCalledWith(
      expect.objectContaining({ service: 'acme-gpt-4o', granularity: 'day' }),
    );
    expect(screen.getByText('Spend per key')).toBeInTheDocument();
  });

  it('explains an empty period', async () => {
    await renderInTestApp(
      <ConsumerUsageSection emptyHint="Try Test API on a service's API tab." />,
      { mountedRoutes, apis: [[marketplaceApiRef, mockMarketplaceApi()]] },
    );
    expect(
      await screen.findByText('No requests in this period'),
    ).toBeInTheDocument();
    expect(
      screen.getByText("Try Test API on a service's API tab."),
    ).toBeInTheDocument();
  });
});

describe('StatementsSection', () => {
  it('lists the user’s and the team’s statements with their lines and CSV', async () => {
    const statement = (ownerRef: string): Statement => ({
      month: '2026-11',
      kind: ownerRef.startsWith('group:') ? 'team' : 'user',
      ownerRef,
      status: 'open',
      periodStart: '2026-11-01',
      periodEnd: '2026-11-30',
      totals: {
        requests: 2,
        promptTokens: 200,
        completionTokens: 40,
        trialTokens: 0,
        grossMicros: 3000,
        platformFeeMicros: 300,
        netMicros: 2700,
      },
      lines: [],
      payout: null,
      unpaidNetMicros: 0,
      slaCredits: [],
      slaCreditMicros: 0,
    });
    const api = mockMarketplaceApi({
      listStatements: jest
        .fn()
        .mockImplementation(async (team?: string) => [
          statement(team ?? 'user:default/lena.fischer'),
        ]),
      getStatement: jest.fn().mockResolvedValue({
        ...statement('user:default/lena.fischer'),
        lines: [
          {
            serviceRef: 'modelservice:default/acme-gpt-4o',
            userRef: 'user:default/lena.fischer',
            teamRef: null,
            requests: 2,
            promptTokens: 200,
            completionTokens: 40,
            trialTokens: 0,
            grossMicros: 3000,
            platformFeeMicros: 300,
            netMicros: 2700,
          },
        ],
      }),
      downloadStatementCsv: jest
        .fn()
        .mockResolvedValue({ fileName: 's.csv', blob: new Blob(['x']) }),
    });
    (URL as any).createObjectURL = jest.fn(() => 'blob:x');
    (URL as any).revokeObjectURL = jest.fn();
    await renderInTestApp(<StatementsSection />, {
      mountedRoutes,
      apis: [[marketplaceApiRef, api]],
    });
    const [row] = await screen.findAllByTestId('statement-row');
    expect(row).toHaveTextContent('November 2026');
    expect(row).toHaveTextContent('$0.003');
    await userEvent.click(
      within(row).getByRole('button', { name: 'Details of November 2026' }),
    );
    const [line] = await screen.findAllByTestId('statement-line');
    expect(line).toHaveTextContent('acme-gpt-4o');
    expect(line).toHaveTextContent('Personal');
    await userEvent.click(
      within(row).getByRole('button', {
        name: 'Download CSV of November 2026',
      }),
    );
    expect(api.downloadStatementCsv).toHaveBeenCalledWith({
      kind: 'consumer',
      month: '2026-11',
      team: undefined,
    });

    // The selector names whose statements these are.
    expect(screen.getByLabelText('Statements of')).toHaveTextContent('Me');

    // The team's chargeback: the details opened for "Me" do not stay.
    await userEvent.click(screen.getByLabelText('Statements of'));
    await userEvent.click(
      await screen.findByRole('option', { name: 'Checkout (team chargeback)' }),
    );
    await waitFor(() =>
      expect(api.listStatements).toHaveBeenCalledWith('group:default/checkout'),
    );
    await waitFor(() =>
      expect(screen.queryAllByTestId('statement-line')).toHaveLength(0),
    );
    const [teamRow] = await screen.findAllByTestId('statement-row');
    await userEvent.click(
      within(teamRow).getByRole('button', { name: 'Details of November 2026' }),
    );
    await waitFor(() =>
      expect(api.getStatement).toHaveBeenLastCalledWith(
        '2026-11',
        'group:default/checkout',
      ),
    );
  });
});

describe('usage export', () => {
  it('exports the user’s or a team’s usage of a period, and refuses a period that cannot be', async () => {
    const api = mockMarketplaceApi({
      exportUsage: jest
        .fn()
        .mockResolvedValue({ fileName: 'u.csv', blob: new Blob(['x']) }),
    });
    (URL as any).createObjectURL = jest.fn(() => 'blob:x');
    (URL as any).revokeObjectURL = jest.fn();
    await renderInTestApp(<StatementsSection />, {
      mountedRoutes,
      apis: [[marketplaceApiRef, api]],
    });
    const form = await screen.findByRole('form', { name: 'Export usage' });
    const from = within(form).getByLabelText('From');
    const to = within(form).getByLabelText('To');
    await userEvent.clear(from);
    await userEvent.type(from, '2026-10-01');
    await userEvent.clear(to);
    await userEvent.type(to, '2026-11-30');
    await userEvent.click(
      within(form).getByRole('button', { name: 'Export CSV' }),
    );
    expect(api.exportUsage).toHaveBeenLastCalledWith(
      { scope: 'user', from: '2026-10-01', to: '2026-11-30' },
      'csv',
    );
    expect(URL.createObjectURL).toHaveBeenCalled();

    // A team the user belongs to, as JSON.
    await userEvent.click(within(form).getByLabelText('Usage of'));
    await userEvent.click(
      await screen.findByRole('option', {
        name: 'Checkout (billed to the team)',
      }),
    );
    await userEvent.click(
      within(form).getByRole('button', { name: 'Export JSON' }),
    );
    expect(api.exportUsage).toHaveBeenLastCalledWith(
      {
        scope: 'team',
        team: 'group:default/checkout',
        from: '2026-10-01',
        to: '2026-11-30',
      },
      'json',
    );

    // The last day before the first: said, and nothing is asked of the server.
    await userEvent.clear(to);
    await userEvent.type(to, '2026-09-30');
    expect(within(form).getByRole('alert')).toHaveTextContent(
      'The first day must not be after the last day.',
    );
    expect(
      within(form).getByRole('button', { name: 'Export CSV' }),
    ).toBeDisabled();
    expect(api.exportUsage).toHaveBeenCalledTimes(2);
  });

  it('says why a period cannot be exported', () => {
    expect(periodProblem('2026-11-01', '2026-11-01')).toBeUndefined();
    expect(periodProblem('2026-11-02', '2026-11-01')).toContain('after');
    expect(periodProblem('2025-01-01', '2026-11-01')).toContain('At most 400');
    expect(periodProblem('', '2026-11-01')).toContain('first day');
  });
});

describe('SLA credits on statements', () => {
  it('shows the credit on the month and why in its details', async () => {
    const credit = {
      serviceRef: 'modelservice:default/acme-gpt-4o',
      committedUptimePercent: 99.9,
      measuredUptimePercent: 90,
      upProbes: 90,
      downProbes: 10,
      coverageDays: 10,
      daysInMonth: 30,
      creditPercent: 25,
      creditMicros: 500_000,
    };
    const closed: Statement = {
      month: '2026-11',
      kind: 'user',
      ownerRef: 'user:default/lena.fischer',
      status: 'closed',
      periodStart: '2026-11-01',
      periodEnd: '2026-11-30',
      totals: {
        requests: 4,
        promptTokens: 400,
        completionTokens: 80,
        trialTokens: 0,
        grossMicros: 2_000_000,
        platformFeeMicros: 200_000,
        netMicros: 1_800_000,
      },
      lines: [],
      payout: null,
      unpaidNetMicros: 0,
      slaCredits: [],
      slaCreditMicros: 500_000,
    };
    const api = mockMarketplaceApi({
      listStatements: jest.fn().mockResolvedValue([closed]),
      getStatement: jest.fn().mockResolvedValue({
        ...closed,
        slaCredits: [credit],
        lines: [
          {
            serviceRef: credit.serviceRef,
            userRef: 'user:default/lena.fischer',
            teamRef: null,
            requests: 4,
            promptTokens: 400,
            completionTokens: 80,
            trialTokens: 0,
            grossMicros: 2_000_000,
            platformFeeMicros: 200_000,
            netMicros: 1_800_000,
          },
        ],
      }),
    });
    await renderInTestApp(<StatementsSection />, {
      mountedRoutes,
      apis: [[marketplaceApiRef, api]],
    });
    const [row] = await screen.findAllByTestId('statement-row');
    expect(row).toHaveTextContent('SLA credit -$0.50');
    expect(row).toHaveTextContent('due $1.50');
    await userEvent.click(
      within(row).getByRole('button', { name: 'Details of November 2026' }),
    );
    const credits = await screen.findByTestId('sla-credits');
    expect(credits).toHaveTextContent('given back to you');
    expect(credits).toHaveTextContent(
      'measured uptime 90 % against 99.9 % committed (100 checks on 10 of 30 days): 25 % credited, -$0.50',
    );
  });
});
