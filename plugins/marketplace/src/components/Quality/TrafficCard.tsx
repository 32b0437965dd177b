import Box from '@mui/material/Box';
import Stack from '@mui/material/Stack';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Typography from '@mui/material/Typography';
import { useTheme } from '@mui/material/styles';
import { InfoCard } from '@backstage/core-components';
import {
  METRICS_WINDOWS,
  MetricsWindow,
  ServiceQualityMetrics,
} from '@internal/plugin-marketplace-common';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip as ChartTooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { formatDate, formatInteger, formatPercent } from '../../format';
import { formatMs, NO_DATA_YET as NO_DATA } from '../shared/measures';
import { formatRate, Stat, WINDOW_LABELS } from './qualityLabels';

/** The chart's lines: the percentiles of time to first token, by colour. */
const PERCENTILE_LINES = [
  { key: 'p50', color: 'success' },
  { key: 'p95', color: 'warning' },
  { key: 'p99', color: 'error' },
] as const;

/** A measured value formatted, or null (shown as "no data") when unmeasured. */
function formatted(
  value: number | null,
  format: (value: number) => string,
): string | null {
  return value === null ? null : format(value);
}

/** The card's figures, in the order shown. */
function trafficFigures(
  traffic: ServiceQualityMetrics['traffic'],
): Array<{ label: string; value: string | null }> {
  return [
    { label: 'Requests', value: formatInteger(traffic.requests) },
    {
      label: 'Error rate',
      value: formatted(traffic.errorRatePercent, formatPercent),
    },
    {
      label: 'Time to first token p50',
      value: formatMs(traffic.latencyP50Ms),
    },
    {
      label: 'Time to first token p95',
      value: formatMs(traffic.latencyP95Ms),
    },
    {
      label: 'Time to first token p99',
      value: formatMs(traffic.latencyP99Ms),
    },
    { label: 'Total duration p50', value: formatMs(traffic.durationP50Ms) },
    { label: 'Total duration p95', value: formatMs(traffic.durationP95Ms) },
    {
      label: 'Output tokens/s p50',
      value: formatted(traffic.tokensPerSecondP50, formatRate),
    },
    {
      label: 'Output tokens/s p95',
      value: formatted(traffic.tokensPerSecondP95, formatRate),
    },
    { label: 'Requests/s', value: formatRate(traffic.requestsPerSecond) },
  ];
}

function LatencyChart(props: {
  points: ServiceQualityMetrics['latencyHistory'];
  step: 'hour' | 'day';
}) {
  const theme = useTheme();
  const data = props.points.map(p => ({
    label:
      props.step === 'hour'
        ? `${p.start.slice(11, 16)} UTC`
        : formatDate(p.start.slice(0, 10)),
    p50: p.p50Ms,
    p95: p.p95Ms,
    p99: p.p99Ms,
  }));
  return (
    <Box
      role="figure"
      aria-label="Time to first token percentiles over time"
      sx={{ width: '100%', height: 240 }}
    >
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 8, right: 16, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="label" fontSize={12} />
          <YAxis unit=" ms" fontSize={12} width={72} />
          <ChartTooltip />
          <Legend />
          {PERCENTILE_LINES.map(line => (
            <Line
              key={line.key}
              type="monotone"
              dataKey={line.key}
              name={line.key}
              stroke={theme.palette[line.color].main}
              dot={data.length < 3}
              isAnimationActive={false}
            />
          ))}
        </LineChart>
      </ResponsiveContainer>
    </Box>
  );
}

export function TrafficCard(props: {
  metrics: ServiceQualityMetrics;
  window: MetricsWindow;
  onWindowChange: (window: MetricsWindow) => void;
}) {
  const { traffic, latencyHistory } = props.metrics;
  const step = props.window === '1h' || props.window === '24h' ? 'hour' : 'day';
  return (
    <InfoCard
      title="Gateway traffic"
      subheader={`Measured on the requests through the marketplace gateway, ${
        WINDOW_LABELS[props.window]
      }. Latency is the time to first token: from sending the request upstream to the first token (streamed) or the answer's first byte (not streamed); total duration runs to the answer's end.`}
    >
      <Stack spacing={2}>
        <ToggleButtonGroup
          size="small"
          exclusive
          value={props.window}
          aria-label="Window"
          onChange={(_e, value: MetricsWindow | null) => {
            if (value) {
              props.onWindowChange(value);
            }
          }}
        >
          {METRICS_WINDOWS.map(w => (
            <ToggleButton key={w} value={w}>
              {w}
            </ToggleButton>
          ))}
        </ToggleButtonGroup>
        {traffic.requests === 0 ? (
          <Typography variant="body2" color="text.secondary">
            {NO_DATA}: no requests through the gateway in the{' '}
            {WINDOW_LABELS[props.window]}.
          </Typography>
        ) : (
          <>
            <Box
              sx={{
                display: 'grid',
                gridTemplateColumns: 'repeat(auto-fill, minmax(140px, 1fr))',
                gap: 2,
              }}
            >
              {trafficFigures(traffic).map(figure => (
                <Stat
                  key={figure.label}
                  label={figure.label}
                  value={figure.value}
                />
              ))}
            </Box>
            {latencyHistory.length > 0 ? (
              <LatencyChart points={latencyHistory} step={step} />
            ) : (
              <Typography variant="body2" color="text.secondary">
                No successful requests to chart.
              </Typography>
            )}
          </>
        )}
      </Stack>
    </InfoCard>
  );
}
