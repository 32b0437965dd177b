export { formatTrend, KpiTile } from './KpiTile';
export { RANGE_PRESETS } from './ranges';
export { type ChartSeries, TimeSeriesChart } from './TimeSeriesChart';
