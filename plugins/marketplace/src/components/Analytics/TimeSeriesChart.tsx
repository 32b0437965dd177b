import { ReactNode, useState } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { useTheme } from '@mui/material/styles';
import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { AnalyticsGranularity } from '@internal/plugin-marketplace-common';
import { dataTableSx, tableContainerSx } from '../shared/tables';

const PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#7f7f7f',
  '#bcbd22',
  '#17becf',
];

/**
 * A chart's text alternative: per series its range over the shown buckets and
 * its latest value (screen readers read it as the chart's name).
 */
export function chartSummary(
  title: string,
  buckets: string[],
  granularity: AnalyticsGranularity,
  series: ChartSeries[],
  format: (value: number) => string,
): string {
  if (buckets.length === 0) {
    return `${title}: no data in this period.`;
  }
  const span = `${bucketLabel(buckets[0], granularity)} to ${bucketLabel(
    buckets[buckets.length - 1],
    granularity,
  )}`;
  const parts = series.map(s => {
    const values = s.values.filter((v): v is number => v !== null);
    if (values.length === 0) {
      return `${s.label}: no data`;
    }
    return `${s.label}: from ${format(Math.min(...values))} to ${format(
      Math.max(...values),
    )}, latest ${format(values[values.length - 1])}`;
  });
  return `${title}, ${span}. ${parts.join('; ')}.`;
}

/** The colour of the n-th series. */
export function seriesColor(index: number): string {
  return PALETTE[index % PALETTE.length];
}

const hourLabel = new Intl.DateTimeFormat('en-US', {
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  hourCycle: 'h23',
  timeZone: 'UTC',
});
const dayLabel = new Intl.DateTimeFormat('en-US', {
  month: 'short',
  day: 'numeric',
  timeZone: 'UTC',
});
const monthLabel = new Intl.DateTimeFormat('en-US', {
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});

/** The axis label of a bucket start (UTC). */
export function bucketLabel(
  iso: string,
  granularity: AnalyticsGranularity,
): string {
  const ms = Date.parse(iso);
  if (granularity === 'hour') {
    return `${hourLabel.format(ms)}h`;
  }
  return (granularity === 'month' ? monthLabel : dayLabel).format(ms);
}

export interface ChartSeries {
  key: string;
  label: string;
  /** One value per bucket; null where there is nothing to show (a gap). */
  values: Array<number | null>;
}

/**
 * A time-series chart (recharts) over the buckets of a range, in a card with a
 * title. Values are formatted for the axis and the tooltip with `format`.
 */
export function TimeSeriesChart(props: {
  title: string;
  caption?: ReactNode;
  buckets: string[];
  granularity: AnalyticsGranularity;
  series: ChartSeries[];
  kind: 'bar' | 'line' | 'area';
  stacked?: boolean;
  format: (value: number) => string;
  height?: number;
  /**
   * The y axis' fixed range (e.g. [0, 5] for stars); by default from zero to
   * the data's maximum.
   */
  yDomain?: [number, number];
  /** Whether the values may have decimals (averages); counts and micro-units do not. */
  decimals?: boolean;
}) {
  const { buckets, granularity, series, kind, stacked, format } = props;
  const theme = useTheme();
  const [asTable, setAsTable] = useState(false);
  const data = buckets.map((b, i) => {
    const point: Record<string, string | number | null> = {
      label: bucketLabel(b, granularity),
    };
    for (const s of series) {
      point[s.key] = s.values[i];
    }
    return point;
  });
  const axis = { fontSize: 12, fill: theme.palette.text.secondary };
  const common = {
    data,
    margin: { top: 8, right: 16, bottom: 0, left: 8 },
  };
  const children = [
    <CartesianGrid key="grid" strokeDasharray="3 3" vertical={false} />,
    <XAxis key="x" dataKey="label" tick={axis} minTickGap={16} />,
    <YAxis
      key="y"
      tick={axis}
      tickFormatter={(v: number) => format(v)}
      width={72}
      // Counts and micro-units are whole: no "0.25 requests" ticks, and no
      // ticks between two micro-USD that all read "$0.00".
      allowDecimals={props.decimals ?? false}
      domain={props.yDomain ?? [0, 'auto']}
      {...(props.yDomain
        ? {
            ticks: Array.from(
              { length: props.yDomain[1] - props.yDomain[0] + 1 },
              (_, i) => props.yDomain![0] + i,
            ),
          }
        : {})}
    />,
    <Tooltip
      key="tooltip"
      formatter={(v: number) => format(v)}
      contentStyle={{ background: theme.palette.background.paper }}
    />,
    <Legend key="legend" />,
  ];
  let chart;
  if (kind === 'bar') {
    chart = (
      <BarChart {...common}>
        {children}
        {series.map((s, i) => (
          <Bar
            key={s.key}
            dataKey={s.key}
            name={s.label}
            fill={seriesColor(i)}
            stackId={stacked ? 'stack' : undefined}
            isAnimationActive={false}
          />
        ))}
      </BarChart>
    );
  } else if (kind === 'area') {
    chart = (
      <AreaChart {...common}>
        {children}
        {series.map((s, i) => (
          <Area
            key={s.key}
            dataKey={s.key}
            name={s.label}
            type="monotone"
            stroke={seriesColor(i)}
            fill={seriesColor(i)}
            fillOpacity={0.3}
            stackId={stacked ? 'stack' : undefined}
            isAnimationActive={false}
          />
        ))}
      </AreaChart>
    );
  } else {
    chart = (
      <LineChart {...common}>
        {children}
        {series.map((s, i) => (
          <Line
            key={s.key}
            dataKey={s.key}
            name={s.label}
            type="monotone"
            stroke={seriesColor(i)}
            dot={buckets.length <= 31}
            connectNulls={false}
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    );
  }
  return (
    <Card variant="outlined" component="figure" sx={{ m: 0 }}>
      <CardContent>
        <Stack direction="row" alignItems="flex-start" spacing={1}>
          <Box sx={{ flex: 1 }}>
            <Typography variant="subtitle1" component="figcaption">
              {props.title}
            </Typography>
            {props.caption && (
              <Typography
                variant="caption"
                color="text.secondary"
                component="p"
              >
                {props.caption}
              </Typography>
            )}
          </Box>
          <Button
            size="small"
            onClick={() => setAsTable(!asTable)}
            aria-pressed={asTable}
            aria-label={`Show ${props.title} as a ${
              asTable ? 'chart' : 'table'
            }`}
          >
            {asTable ? 'Chart' : 'Table'}
          </Button>
        </Stack>
        {asTable ? (
          <TableContainer sx={{ ...tableContainerSx, mt: 1, maxHeight: 320 }}>
            <Table size="small" sx={dataTableSx} aria-label={props.title}>
              <TableHead>
                <TableRow>
                  <TableCell>
                    {granularity === 'hour' ? 'Hour' : 'Period'}
                  </TableCell>
                  {series.map(s => (
                    <TableCell key={s.key} align="right">
                      {s.label}
                    </TableCell>
                  ))}
                </TableRow>
              </TableHead>
              <TableBody>
                {data.map((point, i) => (
                  <TableRow key={buckets[i]}>
                    <TableCell>{point.label}</TableCell>
                    {series.map(s => (
                      <TableCell key={s.key} align="right">
                        {s.values[i] === null ? '–' : format(s.values[i]!)}
                      </TableCell>
                    ))}
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </TableContainer>
        ) : (
          <Box
            sx={{ height: props.height ?? 260, mt: 1 }}
            role="img"
            aria-label={chartSummary(
              props.title,
              buckets,
              granularity,
              series,
              format,
            )}
          >
            <ResponsiveContainer width="100%" height="100%">
              {chart}
            </ResponsiveContainer>
          </Box>
        )}
      </CardContent>
    </Card>
  );
}
