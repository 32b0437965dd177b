import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { chartSummary, TimeSeriesChart } from './TimeSeriesChart';

// recharts' ResponsiveContainer watches its size; jsdom has no ResizeObserver.
(globalThis as any).ResizeObserver ??= class {
  observe() {}
  unobserve() {}
  disconnect() {}
};

const buckets = ['2026-11-30', '2026-12-01', '2026-12-02'];
const series = [
  { key: 'a', label: 'Claude Sonnet 4', values: [3, null, 12] },
  { key: 'b', label: 'GPT-4o', values: [null, null, null] },
];
const format = (v: number) => `${v} requests`;

describe('TimeSeriesChart', () => {
  it('names the chart with a summary of every series, for screen readers', async () => {
    render(
      <TimeSeriesChart
        title="Requests"
        buckets={buckets}
        granularity="day"
        series={series}
        kind="bar"
        format={format}
      />,
    );
    const chart = screen.getByRole('img', { name: /^Requests, / });
    expect(chart.getAttribute('aria-label')).toBe(
      chartSummary('Requests', buckets, 'day', series, format),
    );
    expect(chart.getAttribute('aria-label')).toMatch(
      /Claude Sonnet 4: from 3 requests to 12 requests, latest 12 requests; GPT-4o: no data\.$/,
    );
  });

  it('shows the same data as a table, and back as a chart', async () => {
    render(
      <TimeSeriesChart
        title="Requests"
        buckets={buckets}
        granularity="day"
        series={series}
        kind="line"
        format={format}
      />,
    );
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
    await userEvent.click(
      screen.getByRole('button', { name: 'Show Requests as a table' }),
    );
    const table = screen.getByRole('table', { name: 'Requests' });
    const rows = within(table).getAllByRole('row');
    expect(rows).toHaveLength(1 + buckets.length);
    expect(
      within(rows[0])
        .getAllByRole('columnheader')
        .map(c => c.textContent),
    ).toEqual(['Period', 'Claude Sonnet 4', 'GPT-4o']);
    expect(
      within(rows[1])
        .getAllByRole('cell')
        .slice(1)
        .map(c => c.textContent),
    ).toEqual(['3 requests', '–']);
    expect(
      within(rows[3])
        .getAllByRole('cell')
        .slice(1)
        .map(c => c.textContent),
    ).toEqual(['12 requests', '–']);
    expect(screen.queryByRole('img', { name: /^Requests/ })).toBeNull();

    await userEvent.click(
      screen.getByRole('button', { name: 'Show Requests as a chart' }),
    );
    expect(screen.queryByRole('table')).not.toBeInTheDocument();
    expect(screen.getByRole('img', { name: /^Requests, / })).toBeVisible();
  });

  it('says when a period has no buckets', () => {
    expect(chartSummary('Tokens', [], 'day', series, format)).toBe(
      'Tokens: no data in this period.',
    );
  });
});
