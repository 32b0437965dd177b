import { useState } from 'react';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Tab from '@mui/material/Tab';
import TableCell from '@mui/material/TableCell';
import TableRow from '@mui/material/TableRow';
import Tabs from '@mui/material/Tabs';
import Typography from '@mui/material/Typography';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useSearchParams } from 'react-router-dom';
import { Content, ContentHeader } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  ApprovalStatus,
  ServiceApproval,
} from '@internal/plugin-marketplace-common';
import { marketplaceApiRef } from '../../api';
import { formatDateTimeUtc } from '../../format';
import { RefLink } from '../shared/RefLink';
import { ConfirmDialog } from '../shared/ConfirmDialog';
import { RejectDialog } from '../shared/RejectDialog';
import { useToastedAction } from '../shared/useToastedAction';
import { EndpointCredential } from './EndpointCredential';
import { ProviderApprovals } from './ProviderApprovals';
import { DataTable, TableStates } from '../shared/DataTable';

const STATUSES: { value: ApprovalStatus; label: string }[] = [
  { value: 'pending', label: 'Pending' },
  { value: 'approved', label: 'Approved' },
  { value: 'rejected', label: 'Rejected' },
];

function isStatus(value: string | null): value is ApprovalStatus {
  return STATUSES.some(s => s.value === value);
}

/** A change of a service whose approved version is live waits for review. */
function isChangeOfApproved(a: ServiceApproval): boolean {
  return a.status === 'pending' && a.approvedVersionServed;
}

function ApprovalRows(props: {
  approvals: ServiceApproval[];
  status: ApprovalStatus;
  onApprove: (a: ServiceApproval) => void;
  onReject: (a: ServiceApproval) => void;
}) {
  const { approvals, status, onApprove, onReject } = props;
  return (
    <DataTable
      label="Services to review"
      head={
        <>
          <TableCell>Service</TableCell>
          <TableCell>Provider</TableCell>
          <TableCell>Owner</TableCell>
          <TableCell>Endpoint and credential</TableCell>
          <TableCell>Source</TableCell>
          <TableCell>Submitted</TableCell>
          {status !== 'pending' && <TableCell>Decision</TableCell>}
          <TableCell align="right">Actions</TableCell>
        </>
      }
    >
      {approvals.map(a => (
        <TableRow key={a.serviceRef} data-testid="approval-row">
          <TableCell>
            <RefLink entityRef={a.serviceRef} defaultKind="ModelService" />
            <Typography variant="body2" color="text.secondary">
              {a.name}
            </Typography>
          </TableCell>
          <TableCell>
            <RefLink
              entityRef={a.providerRef ?? undefined}
              defaultKind="Provider"
            />
          </TableCell>
          <TableCell>
            <RefLink entityRef={a.owner ?? undefined} defaultKind="Group" />
          </TableCell>
          <TableCell>
            <EndpointCredential approval={a} />
          </TableCell>
          <TableCell>
            {a.source === 'portal' ? 'Published in the portal' : 'Catalog YAML'}
          </TableCell>
          <TableCell>{formatDateTimeUtc(a.submittedAt)}</TableCell>
          {status !== 'pending' && (
            <TableCell>
              {a.decidedBy ? (
                <RefLink entityRef={a.decidedBy} defaultKind="User" />
              ) : (
                '—'
              )}
              {a.decidedAt ? `, ${formatDateTimeUtc(a.decidedAt)}` : ''}
              {a.changeRejected && (
                <Typography variant="body2" color="warning.main">
                  Change rejected: the approved version stays live
                </Typography>
              )}
              {a.reason && (
                <Typography variant="body2" color="text.secondary">
                  {a.reason}
                </Typography>
              )}
            </TableCell>
          )}
          <TableCell align="right">
            <Stack direction="row" spacing={1} justifyContent="flex-end">
              {a.status !== 'approved' && (
                <Button
                  size="small"
                  variant="contained"
                  color="success"
                  onClick={() => onApprove(a)}
                  aria-label={`Approve ${a.name}`}
                >
                  Approve
                </Button>
              )}
              {a.status !== 'rejected' && (
                <Button
                  size="small"
                  variant="outlined"
                  color="error"
                  onClick={() => onReject(a)}
                  aria-label={`Reject ${a.name}`}
                >
                  Reject
                </Button>
              )}
            </Stack>
          </TableCell>
        </TableRow>
      ))}
    </DataTable>
  );
}

/**
 * `/admin/approvals`: the services and the Providers waiting for review (and
 * the decided ones), approve or reject with a reason. Admins only: the API
 * answers 403 to others, and the page says so.
 */
export function ApprovalsPage() {
  const api = useApi(marketplaceApiRef);
  const [params, setParams] = useSearchParams();
  const raw = params.get('status');
  const status: ApprovalStatus = isStatus(raw) ? raw : 'pending';
  const approvals = useAsyncRetry(
    () => api.listApprovals({ status }),
    [api, status],
  );
  const [approving, setApproving] = useState<ServiceApproval>();
  const [rejecting, setRejecting] = useState<ServiceApproval>();

  const { busy, run } = useToastedAction(() => {
    setApproving(undefined);
    setRejecting(undefined);
    approvals.retry();
  });

  return (
    <Content>
      <ContentHeader title="Approvals" />
      <Tabs
        value={status}
        onChange={(_e, value) => setParams({ status: value })}
        aria-label="Review status"
        sx={{ mb: 2 }}
      >
        {STATUSES.map(s => (
          <Tab key={s.value} value={s.value} label={s.label} />
        ))}
      </Tabs>
      <Typography variant="h5" component="h2" sx={{ mb: 1 }}>
        Services
      </Typography>
      <TableStates
        data={approvals}
        notAllowed="Only platform admins review services and providers. Ask one of them if a service or provider of yours waits for approval."
        isEmpty={value => !value.length}
        empty={
          status === 'pending'
            ? {
                title: 'Nothing to review',
                description:
                  'New services from the "Publish LLM service" template or catalog YAML appear here until you approve or reject them.',
              }
            : {
                title: `No ${status} services`,
                description: 'Decisions appear here.',
              }
        }
      >
        {value => (
          <ApprovalRows
            approvals={value}
            status={status}
            onApprove={setApproving}
            onReject={setRejecting}
          />
        )}
      </TableStates>
      <ProviderApprovals status={status} />
      <ConfirmDialog
        open={!!approving}
        title={`Approve ${approving?.title ?? approving?.name ?? ''}?`}
        confirmLabel="Approve"
        confirmColor="success"
        busy={busy}
        onCancel={() => setApproving(undefined)}
        onConfirm={() =>
          approving &&
          run(
            () => api.approveService(approving.name),
            `${approving.name} is live`,
            `Could not approve ${approving.name}`,
          )
        }
      >
        It goes live at once: in browse, subscribable and served by the gateway.
        Its owners are notified.
        {approving && <EndpointCredential approval={approving} />}
      </ConfirmDialog>
      <RejectDialog
        rejecting={rejecting}
        id="reject-title"
        title={`Reject ${rejecting?.title ?? rejecting?.name}?`}
        hint="What must change before it can go live"
        reject={(name, reason) => api.rejectService(name, reason)}
        busy={busy}
        run={run}
        onCancel={() => setRejecting(undefined)}
      >
        The owners see your reason on the service page and in a notification.{' '}
        {rejecting && isChangeOfApproved(rejecting)
          ? 'This rejects the change only: the approved version stays in browse and the gateway, and its subscribers keep it.'
          : 'The service stays out of browse and the gateway.'}
      </RejectDialog>
    </Content>
  );
}
