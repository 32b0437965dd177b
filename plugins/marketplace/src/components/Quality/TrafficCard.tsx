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
          <Line
            type="monotone"
            dataKey="p50"
            name="p50"
            stroke={theme.palette.success.main}
            dot={data.length < 3}
            isAnimationActive={false}
          />
          <Line
            type="monotone"
            dataKey="p95"
            name="p95"
            stroke={theme.palette.warning.main}
            dot={data.length < 3}
            isAnimationActive={false}
          />
          <Line
            type="monotone"
            dataKey="p99"
            name="p99"
            stroke={theme.palette.error.main}
            dot={data.length < 3}
            isAnimationActive={false}
          />
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
              <Stat label="Requests" value={formatInteger(traffic.requests)} />
              <Stat
                label="Error rate"
                value={
                  traffic.errorRatePercent === null
                    ? null
                    : formatPercent(traffic.errorRatePercent)
                }
              />
              <Stat
                label="Time to first token p50"
                value={formatMs(traffic.latencyP50Ms)}
              />
              <Stat
                label="Time to first token p95"
                value={formatMs(traffic.latencyP95Ms)}
              />
              <Stat
                label="Time to first token p99"
                value={formatMs(traffic.latencyP99Ms)}
              />
              <Stat
                label="Total duration p50"
                value={formatMs(traffic.durationP50Ms)}
              />
              <Stat
                label="Total duration p95"
                value={formatMs(traffic.durationP95Ms)}
              />
              <Stat
                label="Output tokens/s p50"
                value={
                  traffic.tokensPerSecondP50 === null
                    ? null
                    : formatRate(traffic.tokensPerSecondP50)
                }
              />
              <Stat
                label="Output tokens/s p95"
                value={
                  traffic.tokensPerSecondP95 === null
                    ? null
                    : formatRate(traffic.tokensPerSecondP95)
                }
              />
              <Stat
                label="Requests/s"
                value={formatRate(traffic.requestsPerSecond)}
              />
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
