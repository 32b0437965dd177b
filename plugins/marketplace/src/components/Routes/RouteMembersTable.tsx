import Chip from '@mui/material/Chip';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { RoutePolicy } from '@internal/plugin-marketplace-common';
import { RouteListItem } from '../../api';
import { formatInteger, formatPercent, regionLabel } from '../../format';
import { Money } from '../shared/Money';
import { NO_DATA } from '../shared/measures';

/** How each policy picks, completing "goes to the ... healthy member". */
export const POLICY_LABELS: Record<RoutePolicy, string> = {
  price: 'cheapest',
  latency: 'fastest (measured time to first token)',
  throughput: 'highest-throughput (measured tokens per second)',
  order: 'first listed',
};

function measured(value: number | null, format: (v: number) => string) {
  return value === null ? (
    <Typography component="span" variant="body2" color="text.secondary">
      {NO_DATA}
    </Typography>
  ) : (
    format(value)
  );
}

/** A route's members in the order the gateway tries them now. */
export function RouteMembersTable(props: { route: RouteListItem }) {
  const { route } = props;
  return (
    <Table
      size="small"
      aria-label={`Members of ${route.name}`}
      sx={{ '& th, & td': { whiteSpace: 'nowrap' } }}
    >
      <TableHead>
        <TableRow>
          <TableCell>#</TableCell>
          <TableCell>Service</TableCell>
          <TableCell align="right">Blended / 1K</TableCell>
          <TableCell align="right">TTFT p95</TableCell>
          <TableCell align="right">Throughput</TableCell>
          <TableCell align="right">Uptime 30d</TableCell>
          <TableCell>Health</TableCell>
        </TableRow>
      </TableHead>
      <TableBody>
        {route.members.map((m, i) => (
          <TableRow key={m.name} data-testid="route-member">
            <TableCell>{i + 1}</TableCell>
            <TableCell sx={{ whiteSpace: 'normal !important' }}>
              {m.title}
              <Typography variant="caption" display="block">
                {m.providerName} · {regionLabel(m.region)}
              </Typography>
            </TableCell>
            <TableCell align="right">
              <Money micros={m.blendedPer1kMicros} />
            </TableCell>
            <TableCell align="right">
              {measured(
                m.timeToFirstTokenP95Ms,
                v => `${formatInteger(Math.round(v))} ms`,
              )}
            </TableCell>
            <TableCell align="right">
              {measured(m.tokensPerSecond, v => `${v} tokens/s`)}
            </TableCell>
            <TableCell align="right">
              {measured(m.uptime30d, formatPercent)}
            </TableCell>
            <TableCell>
              <Chip
                size="small"
                variant="outlined"
                color={m.healthy ? 'success' : 'warning'}
                label={m.healthy ? 'healthy' : 'failing: tried last'}
              />
            </TableCell>
          </TableRow>
        ))}
      </TableBody>
    </Table>
  );
}
