import { screen, within } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { EntityProvider } from '@backstage/plugin-catalog-react';
import {
  fullModelService,
  minimalModelService,
} from '../../__fixtures__/entities';
import {
  ModelServiceQuality,
  ModelServiceQualityContent,
} from './ModelServiceQualityContent';

function card(title: string) {
  const heading = screen.getByText(title, {
    selector: '.MuiCardHeader-root *',
  });
  return within(heading.closest('.MuiCard-root') as HTMLElement);
}

describe('ModelServiceQualityContent', () => {
  it('shows the committed SLA beside measured values, which say "No data yet"', async () => {
    await renderInTestApp(
      <EntityProvider entity={fullModelService}>
        <ModelServiceQualityContent />
      </EntityProvider>,
    );
    const table = within(
      await screen.findByRole('table', {
        name: 'Committed and measured service level',
      }),
    );
    const row = (metric: string) =>
      within(table.getByRole('rowheader', { name: metric }).closest('tr')!);
    expect(row('Latency p50').getByText('350 ms')).toBeInTheDocument();
    expect(row('Latency p95').getByText('900 ms')).toBeInTheDocument();
    expect(row('Latency p99').getByText('1500 ms')).toBeInTheDocument();
    expect(row('Uptime (30 days)').getByText('99.95%')).toBeInTheDocument();
    expect(
      row('Throughput').getByText('40 requests/s · 12,000 tokens/s'),
    ).toBeInTheDocument();
    expect(
      row('Rate limits').getByText('600 requests/min · 2,000,000 tokens/min'),
    ).toBeInTheDocument();
    // Never a placeholder number: every measured cell says there is no data.
    for (const metric of [
      'Latency p50',
      'Latency p95',
      'Latency p99',
      'Uptime (30 days)',
      'Throughput',
    ]) {
      expect(row(metric).getByText('No data yet')).toBeInTheDocument();
    }
  });

  it('shows geography and compliance', async () => {
    await renderInTestApp(
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
    await renderInTestApp(
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
    const { unmount } = await renderInTestApp(
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

    await renderInTestApp(
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
    await renderInTestApp(
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
});
