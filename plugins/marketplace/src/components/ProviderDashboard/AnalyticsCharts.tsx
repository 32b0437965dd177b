import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { ProviderAnalytics } from '@internal/plugin-marketplace-common';
import { formatInteger, formatTokenCount } from '../../format';
import { ChartSeries, TimeSeriesChart } from '../Analytics';
import { ms, usd } from './analyticsFormat';

/** The period's charts, one series per service with traffic. */
export function AnalyticsCharts(props: { data: ProviderAnalytics }) {
  const { data } = props;
  const titleOf = new Map(data.services.map(s => [s.ref, s.title]));
  const active = data.series.filter(s => s.totals.requests > 0);
  const by = (
    pick: (
      p: ProviderAnalytics['series'][number]['points'][number],
    ) => number | null,
    series = active,
  ): ChartSeries[] =>
    series.map(s => ({
      key: s.serviceRef,
      label: titleOf.get(s.serviceRef) ?? s.serviceRef,
      values: s.points.map(pick),
    }));
  const rated = data.series.filter(s => s.totals.ratingCount > 0);
  const common = {
    buckets: data.buckets,
    granularity: data.range.granularity,
  };
  return (
    <Box
      sx={{
        display: 'grid',
        gap: 2,
        gridTemplateColumns: { xs: '1fr', lg: 'repeat(2, minmax(0, 1fr))' },
      }}
    >
      <TimeSeriesChart
        {...common}
        title="Requests per service"
        kind="bar"
        stacked
        series={by(p => p.requests)}
        format={formatInteger}
      />
      <TimeSeriesChart
        {...common}
        title="Tokens per service"
        caption="Prompt + completion tokens"
        kind="area"
        stacked
        series={by(p => p.promptTokens + p.completionTokens)}
        format={formatTokenCount}
      />
      <TimeSeriesChart
        {...common}
        title="Net revenue per service"
        caption="What subscribers were charged, minus the platform fee"
        kind="bar"
        stacked
        series={by(p => p.netMicros)}
        format={v => usd(Math.round(v))}
      />
      <TimeSeriesChart
        {...common}
        title="Errors per service"
        caption="Requests the service failed (upstream errors and timeouts)"
        kind="bar"
        stacked
        series={by(p => p.errorRequests)}
        format={formatInteger}
      />
      <TimeSeriesChart
        {...common}
        title="Average latency per service"
        caption="Upstream time of successful requests; gaps where there were none"
        kind="line"
        series={by(p => p.averageLatencyMs)}
        format={v => ms(v)}
      />
      <TimeSeriesChart
        {...common}
        title="p95 latency per service"
        caption="Estimated from a latency histogram"
        kind="line"
        series={by(p => p.p95LatencyMs)}
        format={v => ms(v)}
      />
      {rated.length > 0 ? (
        <TimeSeriesChart
          {...common}
          title="Average rating per service"
          caption="Mean stars of the reviews written up to each point"
          kind="line"
          series={by(p => p.ratingAverage, rated)}
          format={v => v.toFixed(1)}
          yDomain={[0, 5]}
          decimals
        />
      ) : (
        <Box sx={{ p: 2 }}>
          <Typography variant="subtitle1">
            Average rating per service
          </Typography>
          <Typography variant="body2" color="text.secondary">
            No reviews of these services yet. Users who made a successful
            request can review a service on its Reviews tab.
          </Typography>
        </Box>
      )}
    </Box>
  );
}
