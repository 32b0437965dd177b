import { Fragment, useState } from 'react';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import useAsync from 'react-use/esm/useAsync';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import {
  Statement,
  StatementStatus,
} from '@internal/plugin-marketplace-common';
import { formatDateTimeUtc, formatInteger } from '../../format';
import { RefLink } from './RefLink';
import { dataTableSx, tableContainerSx } from './tables';
import { Money } from './Money';
import { formatMonth } from './dates';

/** The name of a statement line's service: its ref without the kind. */
export function serviceNameOf(ref: string): string {
  return ref.slice(ref.indexOf('/') + 1);
}

const STATUS: Record<
  StatementStatus,
  { label: string; color: 'default' | 'info' | 'success' }
> = {
  open: { label: 'Open', color: 'info' },
  closed: { label: 'Closed', color: 'default' },
  paid: { label: 'Paid', color: 'success' },
};

export function StatusChip(props: { status: StatementStatus }) {
  const s = STATUS[props.status];
  return <Chip size="small" label={s.label} color={s.color} />;
}

function usd(micros: number) {
  return <Money micros={micros} />;
}

/** The lines of one statement, loaded when opened. */
function Lines(props: {
  load: () => Promise<Statement>;
  provider: boolean;
  columns: number;
  titleOf: (ref: string) => string;
}) {
  const lines = useAsync(props.load, []);
  let body;
  if (lines.loading) {
    body = <Progress />;
  } else if (lines.error) {
    body = <ResponseErrorPanel error={lines.error} />;
  } else if (!lines.value?.lines.length) {
    body = (
      <Typography variant="body2" color="text.secondary">
        No requests in this month.
      </Typography>
    );
  } else {
    body = (
      <Table size="small" sx={dataTableSx} aria-label="Statement lines">
        <TableHead>
          <TableRow>
            <TableCell>Service</TableCell>
            {!props.provider && <TableCell>User</TableCell>}
            {!props.provider && <TableCell>Billed to</TableCell>}
            <TableCell align="right">Requests</TableCell>
            <TableCell align="right">Prompt tokens</TableCell>
            <TableCell align="right">Completion tokens</TableCell>
            <TableCell align="right">Gross</TableCell>
            {props.provider && <TableCell align="right">Fee</TableCell>}
            {props.provider && <TableCell align="right">Net</TableCell>}
          </TableRow>
        </TableHead>
        <TableBody>
          {lines.value.lines.map(l => (
            <TableRow
              key={`${l.serviceRef}|${l.userRef}|${l.teamRef}`}
              data-testid="statement-line"
            >
              <TableCell>{props.titleOf(l.serviceRef)}</TableCell>
              {!props.provider && (
                <TableCell>
                  {l.userRef && (
                    <RefLink entityRef={l.userRef} defaultKind="User" />
                  )}
                </TableCell>
              )}
              {!props.provider && (
                <TableCell>
                  {l.teamRef ? (
                    <RefLink entityRef={l.teamRef} defaultKind="Group" />
                  ) : (
                    'Personal'
                  )}
                </TableCell>
              )}
              <TableCell align="right">{formatInteger(l.requests)}</TableCell>
              <TableCell align="right">
                {formatInteger(l.promptTokens)}
              </TableCell>
              <TableCell align="right">
                {formatInteger(l.completionTokens)}
              </TableCell>
              <TableCell align="right">{usd(l.grossMicros)}</TableCell>
              {props.provider && (
                <TableCell align="right">{usd(l.platformFeeMicros)}</TableCell>
              )}
              {props.provider && (
                <TableCell align="right">{usd(l.netMicros)}</TableCell>
              )}
            </TableRow>
          ))}
        </TableBody>
      </Table>
    );
  }
  const credits = lines.value?.slaCredits ?? [];
  return (
    <TableRow>
      <TableCell colSpan={props.columns} sx={{ bgcolor: 'action.hover' }}>
        {body}
        {credits.length > 0 && (
          <Stack spacing={0.5} sx={{ mt: 1.5 }} data-testid="sla-credits">
            <Typography variant="subtitle2" component="h4">
              SLA credits{' '}
              {props.provider
                ? '(deducted from the payout)'
                : '(given back to you)'}
            </Typography>
            {credits.map(c => (
              <Typography key={c.serviceRef} variant="body2">
                {props.titleOf(c.serviceRef)}: measured uptime{' '}
                {c.measuredUptimePercent} % against {c.committedUptimePercent} %
                committed ({formatInteger(c.upProbes + c.downProbes)} checks on{' '}
                {c.coverageDays} of {c.daysInMonth} days): {c.creditPercent} %
                credited, {usd(-c.creditMicros)}
              </Typography>
            ))}
          </Stack>
        )}
      </TableCell>
    </TableRow>
  );
}

/** An amount, with the SLA credit taken off it below when there is one. */
function WithCredit(props: { micros: number; credit: number; label: string }) {
  if (props.credit === 0) {
    return usd(props.micros);
  }
  return (
    <Stack alignItems="flex-end">
      {usd(props.micros)}
      <Typography variant="caption" color="success.main" noWrap>
        SLA credit {usd(-props.credit)}
      </Typography>
      <Typography variant="caption" color="text.secondary" noWrap>
        {props.label} {usd(props.micros - props.credit)}
      </Typography>
    </Stack>
  );
}

/**
 * Monthly statements, newest first: status, totals, a download per month, the
 * lines on demand; for provider payouts also the payment and, for admins, "Mark
 * paid" on closed months.
 */
export function StatementsTable(props: {
  label: string;
  statements: Statement[];
  provider: boolean;
  loadLines: (month: string) => Promise<Statement>;
  onDownload: (month: string) => void;
  onMarkPaid?: (statement: Statement) => void;
  titleOf: (ref: string) => string;
}) {
  const [open, setOpen] = useState<string>();
  const { provider } = props;
  const columns = provider ? 9 : 6;
  return (
    <TableContainer sx={tableContainerSx}>
      <Table size="small" sx={dataTableSx} aria-label={props.label}>
        <TableHead>
          <TableRow>
            <TableCell>Month</TableCell>
            <TableCell>Status</TableCell>
            <TableCell align="right">Requests</TableCell>
            <TableCell align="right">{provider ? 'Gross' : 'Spend'}</TableCell>
            {provider && <TableCell align="right">Platform fee</TableCell>}
            {provider && <TableCell align="right">Net payout</TableCell>}
            {provider && <TableCell>Payment</TableCell>}
            <TableCell align="right" colSpan={provider ? 2 : 2}>
              Actions
            </TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {props.statements.map(s => (
            <Fragment key={s.month}>
              <TableRow data-testid="statement-row">
                <TableCell>{formatMonth(s.month)}</TableCell>
                <TableCell>
                  <StatusChip status={s.status} />
                </TableCell>
                <TableCell align="right">
                  {formatInteger(s.totals.requests)}
                </TableCell>
                <TableCell align="right">
                  {provider ? (
                    usd(s.totals.grossMicros)
                  ) : (
                    <WithCredit
                      micros={s.totals.grossMicros}
                      credit={s.slaCreditMicros}
                      label="due"
                    />
                  )}
                </TableCell>
                {provider && (
                  <TableCell align="right">
                    {usd(s.totals.platformFeeMicros)}
                  </TableCell>
                )}
                {provider && (
                  <TableCell align="right">
                    <WithCredit
                      micros={s.totals.netMicros}
                      credit={s.slaCreditMicros}
                      label="payout"
                    />
                  </TableCell>
                )}
                {provider && (
                  <TableCell>
                    {s.payout ? (
                      <Stack>
                        <Typography variant="body2">
                          {usd(s.payout.netMicros)} on{' '}
                          {formatDateTimeUtc(s.payout.paidAt)}
                        </Typography>
                        <Typography variant="caption" color="text.secondary">
                          by {s.payout.paidBy}
                          {s.payout.reference
                            ? ` · ref ${s.payout.reference}`
                            : ''}
                        </Typography>
                        {s.unpaidNetMicros !== 0 && (
                          <Typography variant="caption" color="warning.main">
                            {usd(s.unpaidNetMicros)} settled after the payment
                          </Typography>
                        )}
                      </Stack>
                    ) : (
                      <Typography variant="body2" color="text.secondary">
                        {s.status === 'open'
                          ? 'Closes at the end of the month'
                          : 'Not paid yet'}
                      </Typography>
                    )}
                  </TableCell>
                )}
                <TableCell align="right" colSpan={2}>
                  <Stack direction="row" spacing={1} justifyContent="flex-end">
                    <Button
                      size="small"
                      onClick={() =>
                        setOpen(open === s.month ? undefined : s.month)
                      }
                      aria-expanded={open === s.month}
                      aria-label={`Details of ${formatMonth(s.month)}`}
                    >
                      {open === s.month ? 'Hide' : 'Details'}
                    </Button>
                    <Button
                      size="small"
                      onClick={() => props.onDownload(s.month)}
                      aria-label={`Download CSV of ${formatMonth(s.month)}`}
                    >
                      CSV
                    </Button>
                    {props.onMarkPaid && s.status === 'closed' && (
                      <Button
                        size="small"
                        variant="outlined"
                        onClick={() => props.onMarkPaid?.(s)}
                        aria-label={`Mark ${formatMonth(s.month)} paid`}
                      >
                        Mark paid
                      </Button>
                    )}
                  </Stack>
                </TableCell>
              </TableRow>
              {open === s.month && (
                <Lines
                  load={() => props.loadLines(s.month)}
                  provider={provider}
                  columns={columns}
                  titleOf={props.titleOf}
                />
              )}
            </Fragment>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}
