import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import { ReactElement } from 'react';
import { MarketplaceApi, marketplaceApiRef } from '../../api';
import {
  fullModelService,
  minimalModelService,
} from '../../__fixtures__/entities';
import {
  measuredQualityMetrics,
  mockMarketplaceApi,
} from '../../__fixtures__/marketplaceApi';
import {
  ModelServiceQuality,
  ModelServiceQualityContent,
} from './ModelServiceQualityContent';

// recharts' ResponsiveContainer watches its size; jsdom has no ResizeObserver.
class NoopResizeObserver {
  observe() {}
  unobserve() {}
  disconnect() {}
}
(globalThis as any).ResizeObserver ??= NoopResizeObserver;

function render(
  element: ReactElement,
  api: MarketplaceApi = mockMarketplaceApi(),
) {
  return renderInTestApp(element, { apis: [[marketplaceApiRef, api]] });
}

const NOW = new Date('2099-02-27T12:00:00Z');

function slaRow(metric: string) {
  const table = within(
    screen.getByRole('table', {
      name: 'Committed and measured service level',
    }),
  );
  return within(table.getByRole('rowheader', { name: metric }).closest('tr')!);
}

function card(title: string) {
  const heading = screen.getByText(title, {
    selector: '.MuiCardHeader-root *',
  });
  return within(heading.closest('.MuiCard-root') as HTMLElement);
}

describe('ModelServiceQualityContent', () => {
  it('shows the committed SLA beside measured values, which say "No data yet"', async () => {
    const api = mockMarketplaceApi();
    await render(
      <EntityProvider entity={fullModelService}>
        <ModelServiceQualityContent />
      </EntityProvider>,
      api,
    );
    expect(api.getServiceMetrics).toHaveBeenCalledWith('acme-gpt-4o', {
      window: '24h',
    });
    await screen.findByText('Gateway traffic');
    const table = within(
      await screen.findByRole('table', {
        name: 'Committed and measured service level',
      }),
    );
    const row = (metric: string) =>
      within(table.getByRole('rowheader', { name: metric }).closest('tr')!);
    expect(
      row('Time to first token p50').getByText('350 ms'),
    ).toBeInTheDocument();
    expect(
      row('Time to first token p95').getByText('900 ms'),
    ).toBeInTheDocument();
    expect(
      row('Time to first token p99').getByText('1,500 ms'),
    ).toBeInTheDocument();
    expect(row('Uptime (30 days)').getByText('99.95%')).toBeInTheDocument();
    expect(
      row('Throughput').getByText(
        '40 requests/s (2,400/min) · 12,000 tokens/s',
      ),
    ).toBeInTheDocument();
    expect(
      row('Rate limits').getByText('600 requests/min · 2,000,000 tokens/min'),
    ).toBeInTheDocument();
    // Never a placeholder number: every measured cell says there is no data.
    for (const metric of [
      'Time to first token p50',
      'Time to first token p95',
      'Time to first token p99',
      'Uptime (30 days)',
      'Uptime (7 days)',
      'Throughput',
    ]) {
      expect(row(metric).getByText('No data yet')).toBeInTheDocument();
    }
    expect(
      row('Time to first token p95').getByText('Not enough data'),
    ).toBeInTheDocument();
    const uptime = card('Uptime');
    expect(uptime.getAllByText('No data yet')).toHaveLength(2);
    expect(uptime.getByText(/Not checked yet/)).toBeInTheDocument();
    expect(
      card('Gateway traffic').getByText(
        'No data yet: no requests through the gateway in the last 24 hours.',
      ),
    ).toBeInTheDocument();
    expect(
      card('Incidents').getByText('No incidents in the last 30 days.'),
    ).toBeInTheDocument();
  });

  it('shows geography and compliance', async () => {
    await render(
      <ModelServiceQuality
        entity={fullModelService}
        now={new Date('2099-02-27T12:00:00Z')}
      />,
    );
    const geo = card('Geography and compliance');
    expect(geo.getByText('Germany (DE)')).toBeInTheDocument();
    expect(geo.getByText('Europe')).toBeInTheDocument();
    expect(geo.getByText('Frankfurt')).toBeInTheDocument();
    expect(geo.getByText('fra-1')).toBeInTheDocument();
    expect(geo.getByText('fra-2')).toBeInTheDocument();
    for (const c of ['GDPR', 'HIPAA', 'SOC2']) {
      expect(geo.getByText(c)).toBeInTheDocument();
    }
  });

  it('lists the schedule and the next maintenance windows, weekly ones expanded', async () => {
    // Friday 2099-02-27 12:00 UTC = 13:00 in Berlin: inside Mon–Fri 06:00–22:00.
    await render(
      <ModelServiceQuality
        entity={fullModelService}
        now={new Date('2099-02-27T12:00:00Z')}
      />,
    );
    const availability = card('Availability');
    expect(availability.getByText('Available now')).toBeInTheDocument();
    expect(availability.getByText('Custom schedule')).toBeInTheDocument();
    expect(availability.getByText('Europe/Berlin')).toBeInTheDocument();
    expect(availability.getByText('Mon–Fri 06:00–22:00')).toBeInTheDocument();
    expect(availability.getByText('Sun 02:00–04:00')).toBeInTheDocument();
    const windows = within(
      availability.getByRole('list', { name: 'Next maintenance windows' }),
    )
      .getAllByRole('listitem')
      .map(li => li.textContent);
    expect(windows).toEqual([
      // Sunday 02:00–04:00 Berlin (UTC+1) = 01:00–03:00 UTC
      'Mar 1, 2099, 01:00 UTC – Mar 1, 2099, 03:00 UTC: Cluster upgrade',
      'Mar 1, 2099, 01:00 UTC – Mar 1, 2099, 03:00 UTC (weekly)',
      'Mar 8, 2099, 01:00 UTC – Mar 8, 2099, 03:00 UTC (weekly)',
    ]);
    expect(
      screen.queryByText(/Past upgrade that must not be shown/),
    ).not.toBeInTheDocument();
  });

  it('says when a service is outside its hours or in maintenance', async () => {
    const { unmount } = await render(
      <ModelServiceQuality
        entity={fullModelService}
        // Saturday 23:30 Berlin: outside Mon–Fri hours.
        now={new Date('2099-02-28T22:30:00Z')}
      />,
    );
    expect(
      screen.getByText('Outside its service hours now'),
    ).toBeInTheDocument();
    unmount();

    await render(
      <ModelServiceQuality
        entity={{
          ...fullModelService,
          spec: {
            ...fullModelService.spec,
            availability: {
              schedule: '24/7',
              timezone: 'UTC',
              weeklyMaintenance: [
                { days: ['sat'], start: '22:00', end: '23:00' },
              ],
            },
          },
        }}
        now={new Date('2099-02-28T22:30:00Z')}
      />,
    );
    expect(screen.getByText('In maintenance now')).toBeInTheDocument();
  });

  it('says when nothing is declared', async () => {
    await render(
      <ModelServiceQuality
        entity={minimalModelService}
        now={new Date('2099-02-27T12:00:00Z')}
      />,
    );
    expect(screen.getByText('None scheduled')).toBeInTheDocument();
    expect(screen.getByText('None declared')).toBeInTheDocument();
    expect(screen.getByText('No recurring maintenance')).toBeInTheDocument();
    expect(screen.getByText('Around the clock')).toBeInTheDocument();
    expect(screen.getByText('24/7')).toBeInTheDocument();
  });

  it('shows measured values beside the commitments, with SLA status chips', async () => {
    const api = mockMarketplaceApi({
      getServiceMetrics: jest.fn().mockResolvedValue(measuredQualityMetrics()),
    });
    await render(
      <ModelServiceQuality entity={fullModelService} now={NOW} />,
      api,
    );
    await screen.findByText('Gateway traffic');
    const expected: Array<[string, string, string, string]> = [
      ['Time to first token p50', '350 ms', '312 ms', 'Met'],
      ['Time to first token p95', '900 ms', '871 ms', 'At risk'],
      ['Time to first token p99', '1,500 ms', '1,744 ms', 'Breached'],
      [
        'Uptime (30 days)',
        '99.95%',
        '99.861% over 30 days of data',
        'Breached',
      ],
    ];
    for (const [metric, committed, measured, status] of expected) {
      const row = slaRow(metric);
      expect(row.getByText(committed)).toBeInTheDocument();
      expect(row.getByText(measured)).toBeInTheDocument();
      expect(row.getByText(status)).toBeInTheDocument();
    }
    expect(
      slaRow('Uptime (7 days)').getByText('99.405% over 7 days of data'),
    ).toBeInTheDocument();
    expect(
      slaRow('Throughput').getByText(
        'Highest rate served 37 requests/min (30 days) · 84 output tokens/s per request (p50, 24h)',
      ),
    ).toBeInTheDocument();
    expect(screen.queryByText('No data yet')).not.toBeInTheDocument();
  });

  it('draws uptime bars per day, the traffic, the latency chart and the incidents', async () => {
    const api = mockMarketplaceApi({
      getServiceMetrics: jest.fn().mockResolvedValue(measuredQualityMetrics()),
    });
    await render(
      <ModelServiceQuality entity={fullModelService} now={NOW} />,
      api,
    );
    await screen.findByText('Gateway traffic');

    const uptime = card('Uptime');
    expect(uptime.getByLabelText('Last 7 days')).toHaveTextContent(
      '99.405% over 7 days of data',
    );
    expect(uptime.getByLabelText('Last 30 days')).toHaveTextContent(
      '99.861% over 30 days of data',
    );
    // Probes and real requests, each with what is behind it.
    expect(
      uptime.getByText('probes: 99.401% of 10,020 · requests: 99.5% of 300'),
    ).toBeInTheDocument();
    // The last check failed: not available now, whatever the schedule says.
    expect(uptime.getByLabelText('Available now')).toHaveTextContent('No');
    const bars = within(
      uptime.getByRole('list', { name: 'Uptime per day' }),
    ).getAllByRole('listitem');
    expect(bars).toHaveLength(30);
    expect(bars[28]).toHaveAccessibleName(
      'Feb 26, 2099: 95.833% up (1380 up, 60 down)',
    );
    expect(bars[20]).toHaveAccessibleName(
      'Feb 18, 2099: 100% up (1440 up, 0 down, 60 in maintenance)',
    );
    expect(
      uptime.getByText(/Last check Feb 27, 2099, 11:59 UTC/),
    ).toHaveTextContent('down (Timed out), 10,000 ms');

    const traffic = card('Gateway traffic');
    for (const [label, value] of [
      ['Requests', '1,234'],
      ['Error rate', '0.97%'],
      ['Time to first token p50', '312 ms'],
      ['Time to first token p95', '871 ms'],
      ['Total duration p50', '2,400 ms'],
      ['Total duration p95', '6,100 ms'],
      ['Output tokens/s p50', '84'],
      ['Output tokens/s p95', '131'],
    ]) {
      expect(traffic.getByLabelText(label)).toHaveTextContent(value);
    }
    expect(
      traffic.getByRole('figure', {
        name: 'Time to first token percentiles over time',
      }),
    ).toBeInTheDocument();

    const capacity = card('Capacity and queueing');
    for (const [label, value] of [
      ['In flight now', '2'],
      ['Peak in flight (busiest hour)', '9'],
      ['Wait p50', '3 ms'],
      ['Wait p95', '18 ms'],
      ['Highest rate served', '37 req/min'],
      ['Committed capacity', '2,400 req/min'],
    ]) {
      expect(capacity.getByLabelText(label)).toHaveTextContent(value);
    }

    const incidents = within(
      card('Incidents').getByRole('table', { name: 'Incidents' }),
    );
    const rows = incidents.getAllByRole('row').slice(1);
    expect(rows.map(r => r.textContent)).toEqual([
      'Feb 27, 2099, 11:58 UTCOngoing2 min2Timed out',
      'Feb 26, 2099, 03:00 UTCFeb 26, 2099, 04:00 UTC1 h60HTTP 503',
    ]);
    expect(
      within(
        card('Incidents').getByRole('list', { name: 'SLA breaches' }),
      ).getByText(
        'Time to first token p99: 1,744 ms measured, committed 1,500 ms (detected Feb 20, 2099, 08:00 UTC)',
      ),
    ).toBeInTheDocument();
  });

  it('asks again for another window', async () => {
    const api = mockMarketplaceApi({
      getServiceMetrics: jest.fn().mockResolvedValue(measuredQualityMetrics()),
    });
    await render(
      <ModelServiceQuality entity={fullModelService} now={NOW} />,
      api,
    );
    await screen.findByText('Gateway traffic');
    await userEvent.click(screen.getByRole('button', { name: '7d' }));
    await waitFor(() =>
      expect(api.getServiceMetrics).toHaveBeenLastCalledWith('acme-gpt-4o', {
        window: '7d',
      }),
    );
    expect(screen.getByRole('button', { name: '7d' })).toHaveAttribute(
      'aria-pressed',
      'true',
    );
  });

  it('shows loading, then an error with a retry', async () => {
    let fail: (e: Error) => void = () => {};
    const getServiceMetrics = jest
      .fn()
      .mockImplementationOnce(
        () => new Promise((_resolve, reject) => (fail = reject)),
      )
      .mockResolvedValue(measuredQualityMetrics());
    const api = mockMarketplaceApi({ getServiceMetrics });
    await render(
      <ModelServiceQuality entity={fullModelService} now={NOW} />,
      api,
    );
    expect(screen.getByTestId('progress')).toBeInTheDocument();
    expect(
      slaRow('Time to first token p50').getByText('Loading…'),
    ).toBeInTheDocument();

    fail(new Error('backend down'));
    expect(await screen.findByText('Error: backend down')).toBeInTheDocument();
    expect(
      slaRow('Time to first token p50').getByText('Unavailable'),
    ).toBeInTheDocument();
    expect(screen.queryByText('No data yet')).not.toBeInTheDocument();

    await userEvent.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('Gateway traffic')).toBeInTheDocument();
    expect(
      slaRow('Time to first token p50').getByText('312 ms'),
    ).toBeInTheDocument();
  });
});
