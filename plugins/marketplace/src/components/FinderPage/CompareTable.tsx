import Paper from '@mui/material/Paper';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import {
  formatPercent,
  formatTokenCount,
  INPUT_ONLY_LABEL,
  isInputOnly,
  regionLabel,
} from '../../format';
import { Money } from '../shared/Money';
import { Match, measured, ms, rating, tps } from './measuredFigures';

/** The compared services side by side, one column each. */
export function CompareTable(props: { matches: Match[]; names: string[] }) {
  const compared = props.names
    .map(n => props.matches.find(m => m.service.name === n))
    .filter((m): m is Match => m !== undefined);
  if (compared.length < 2) {
    return null;
  }
  const rows: { label: string; cell: (m: Match) => React.ReactNode }[] = [
    { label: 'Provider', cell: m => m.service.provider.name },
    {
      label: 'Expected monthly cost',
      cell: m => <Money micros={m.expectedMonthlyCostMicros} />,
    },
    {
      label: 'Prompt / 1K tokens',
      cell: m => <Money micros={m.service.pricing.promptPer1kMicros} />,
    },
    {
      label: 'Completion / 1K tokens',
      cell: m =>
        isInputOnly(m.service.features) ? (
          INPUT_ONLY_LABEL
        ) : (
          <Money micros={m.service.pricing.completionPer1kMicros} />
        ),
    },
    {
      label: 'Blended / 1K tokens (3:1)',
      cell: m => <Money micros={m.blendedPer1kMicros} />,
    },
    {
      label: 'Context window',
      cell: m => formatTokenCount(m.service.contextWindow),
    },
    {
      label: 'Time to first token p95 (measured)',
      cell: m => measured(m.service.metrics.timeToFirstTokenP95Ms, ms),
    },
    {
      label: 'Latency p95 (measured)',
      cell: m => measured(m.service.metrics.latencyP95Ms, ms),
    },
    {
      label: 'Throughput (measured)',
      cell: m => measured(m.service.metrics.tokensPerSecond, tps),
    },
    {
      label: 'Uptime 30 days (measured)',
      cell: m => measured(m.service.metrics.uptimePercent, formatPercent),
    },
    { label: 'Rating', cell: m => rating(m.service) },
    { label: 'Region', cell: m => regionLabel(m.service.region) },
    {
      label: 'Compliance',
      cell: m => m.service.compliance.join(', ') || 'none stated',
    },
  ];
  return (
    <Paper variant="outlined" sx={{ mt: 3 }}>
      <Typography variant="h6" component="h2" sx={{ px: 2, pt: 2 }}>
        Side by side
      </Typography>
      <TableContainer>
        <Table size="small" aria-label="Comparison">
          <TableHead>
            <TableRow>
              <TableCell />
              {compared.map(m => (
                <TableCell key={m.service.name} scope="col">
                  {m.service.title}
                </TableCell>
              ))}
            </TableRow>
          </TableHead>
          <TableBody>
            {rows.map(row => (
              <TableRow key={row.label}>
                <TableCell component="th" scope="row">
                  {row.label}
                </TableCell>
                {compared.map(m => (
                  <TableCell key={m.service.name}>{row.cell(m)}</TableCell>
                ))}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
    </Paper>
  );
}
