import Box from '@mui/material/Box';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import {
  ProtocolTraffic,
  RetentionMonth,
  RouteTraffic,
  TopCustomer,
} from '@internal/plugin-marketplace-common';
import { formatInteger, formatTokenCount } from '../../format';
import { formatTrend } from '../Analytics';
import { formatMonth } from '../shared/dates';
import { RefLink } from '../shared/RefLink';
import { dataTableSx, tableContainerSx } from '../shared/tables';
import { pct, usd } from './analyticsFormat';

/** The top users or teams of the period. */
export function CustomersTable(props: {
  title: string;
  customers: TopCustomer[];
  kind: 'User' | 'Group';
  empty: string;
  days: number;
}) {
  return (
    <Box component="section" aria-label={props.title}>
      <Typography variant="h6" component="h3" sx={{ mb: 1 }}>
        {props.title}
      </Typography>
      {props.customers.length === 0 ? (
        <Typography variant="body2" color="text.secondary">
          {props.empty}
        </Typography>
      ) : (
        <TableContainer sx={tableContainerSx}>
          <Table size="small" sx={dataTableSx} aria-label={props.title}>
            <TableHead>
              <TableRow>
                <TableCell>{props.kind === 'User' ? 'User' : 'Team'}</TableCell>
                <TableCell align="right">Requests</TableCell>
                <TableCell align="right">Tokens</TableCell>
                <TableCell align="right">Gross</TableCell>
                <TableCell align="right">Share</TableCell>
                <TableCell align="right">
                  Trend vs previous {props.days} days
                </TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {props.customers.map(c => (
                <TableRow key={c.ref} data-testid="top-customer-row">
                  <TableCell>
                    <RefLink entityRef={c.ref} defaultKind={props.kind} />
                  </TableCell>
                  <TableCell align="right">
                    {formatInteger(c.requests)}
                  </TableCell>
                  <TableCell align="right">
                    {formatTokenCount(c.tokens)}
                  </TableCell>
                  <TableCell align="right">{usd(c.grossMicros)}</TableCell>
                  <TableCell align="right">{pct(c.revenueShare)}</TableCell>
                  <TableCell align="right">
                    {c.previousGrossMicros > 0 || c.grossMicros > 0
                      ? formatTrend(c.grossMicros, c.previousGrossMicros)
                      : formatTrend(c.requests, c.previousRequests)}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
    </Box>
  );
}

/** Requests that reached the team's services through routes (issue 24). */
const PROTOCOL_LABELS: Record<string, string> = {
  'openai-chat': 'OpenAI Chat Completions',
  'openai-responses': 'OpenAI Responses',
  'openai-completions': 'OpenAI Completions (legacy)',
  'openai-embeddings': 'OpenAI Embeddings',
  'anthropic-messages': 'Anthropic Messages',
  unknown: 'Unknown (never finished)',
};

/** The period's requests per protocol the clients spoke. */
export function ProtocolTrafficTable(props: { rows: ProtocolTraffic[] }) {
  return (
    <Box component="section" aria-label="Traffic by protocol">
      <Typography variant="h6" component="h3" sx={{ mb: 1 }}>
        Traffic by protocol
      </Typography>
      <TableContainer sx={tableContainerSx}>
        <Table size="small" sx={dataTableSx} aria-label="Traffic by protocol">
          <TableHead>
            <TableRow>
              <TableCell>Protocol</TableCell>
              <TableCell align="right">Requests</TableCell>
              <TableCell align="right">Answered</TableCell>
              <TableCell align="right">Input tokens</TableCell>
              <TableCell align="right">Output tokens</TableCell>
              <TableCell align="right">Gross</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {props.rows.map(r => (
              <TableRow key={r.protocol} data-testid="protocol-traffic-row">
                <TableCell>
                  {PROTOCOL_LABELS[r.protocol] ?? r.protocol}
                </TableCell>
                <TableCell align="right">{formatInteger(r.requests)}</TableCell>
                <TableCell align="right">
                  {formatInteger(r.okRequests)}
                </TableCell>
                <TableCell align="right">
                  {formatInteger(r.promptTokens)}
                </TableCell>
                <TableCell align="right">
                  {formatInteger(r.completionTokens)}
                </TableCell>
                <TableCell align="right">{usd(r.grossMicros)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
    </Box>
  );
}

export function RouteTrafficTable(props: { rows: RouteTraffic[] }) {
  const name = (ref: string) => ref.slice(ref.indexOf('/') + 1);
  return (
    <Box component="section" aria-label="Traffic through routes">
      <Typography variant="h6" component="h3" sx={{ mb: 1 }}>
        Traffic through routes
      </Typography>
      <TableContainer sx={tableContainerSx}>
        <Table
          size="small"
          sx={dataTableSx}
          aria-label="Traffic through routes"
        >
          <TableHead>
            <TableRow>
              <TableCell>Route</TableCell>
              <TableCell>Service</TableCell>
              <TableCell align="right">Requests</TableCell>
              <TableCell align="right">Answered</TableCell>
              <TableCell align="right">Gross</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {props.rows.map(r => (
              <TableRow
                key={`${r.routeRef}|${r.serviceRef}`}
                data-testid="route-traffic-row"
              >
                <TableCell>
                  <code>{name(r.routeRef)}</code>
                </TableCell>
                <TableCell>{name(r.serviceRef)}</TableCell>
                <TableCell align="right">{formatInteger(r.requests)}</TableCell>
                <TableCell align="right">
                  {formatInteger(r.okRequests)}
                </TableCell>
                <TableCell align="right">{usd(r.grossMicros)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
    </Box>
  );
}

export function Retention(props: { months: RetentionMonth[] }) {
  return (
    <Box component="section" aria-label="Customer retention">
      <Typography variant="h6" component="h3">
        Customer retention
      </Typography>
      <Typography variant="caption" color="text.secondary" component="p">
        Users with at least one request in the calendar month, against the month
        before.
      </Typography>
      <TableContainer sx={tableContainerSx}>
        <Table size="small" sx={dataTableSx} aria-label="Customer retention">
          <TableHead>
            <TableRow>
              <TableCell>Month</TableCell>
              <TableCell align="right">Active</TableCell>
              <TableCell align="right">Stayed</TableCell>
              <TableCell align="right">New</TableCell>
              <TableCell align="right">Returning</TableCell>
              <TableCell align="right">Churned</TableCell>
              <TableCell align="right">Retention</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {props.months.map(m => (
              <TableRow key={m.month} data-testid="retention-row">
                <TableCell>{formatMonth(m.month)}</TableCell>
                <TableCell align="right">{m.active}</TableCell>
                <TableCell align="right">{m.retained}</TableCell>
                <TableCell align="right">{m.new}</TableCell>
                <TableCell align="right">{m.returning}</TableCell>
                <TableCell align="right">{m.churned}</TableCell>
                <TableCell align="right">{pct(m.retentionRate)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
    </Box>
  );
}
