import { useState } from 'react';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import Chip from '@mui/material/Chip';
import FormControlLabel from '@mui/material/FormControlLabel';
import Link from '@mui/material/Link';
import Stack from '@mui/material/Stack';
import TableCell from '@mui/material/TableCell';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  ApprovalStatus,
  ProviderApproval,
} from '@internal/plugin-marketplace-common';
import { marketplaceApiRef } from '../../api';
import { formatDateTimeUtc } from '../../format';
import { ConfirmDialog } from '../shared/ConfirmDialog';
import { RejectDialog } from '../shared/RejectDialog';
import { RefLink } from '../shared/RefLink';
import { DataTable, TableStates } from '../shared/DataTable';
import { useToastedAction } from '../shared/useToastedAction';

function profilePath(name: string): string {
  return `/marketplace/providers/${encodeURIComponent(name)}`;
}

function titleOf(a: ProviderApproval): string {
  return a.displayName ?? a.name;
}

/** What the Provider says about its verification: a claim, never a badge. */
function DeclaredVerification(props: { approval: ProviderApproval }) {
  const { verification } = props.approval;
  return (
    <Stack spacing={0.5} alignItems="flex-start">
      <Chip
        size="small"
        variant="outlined"
        label={
          verification
            ? `Declares: ${verification}`
            : 'Declares no verification'
        }
      />
      <Typography variant="caption" color="text.secondary">
        Self-declared: only an admin verifies
      </Typography>
    </Stack>
  );
}

function ProviderRows(props: {
  approvals: ProviderApproval[];
  status: ApprovalStatus;
  onApprove: (a: ProviderApproval) => void;
  onReject: (a: ProviderApproval) => void;
}) {
  const { approvals, status, onApprove, onReject } = props;
  return (
    <DataTable
      label="Providers to review"
      head={
        <>
          <TableCell>Provider</TableCell>
          <TableCell>Owner (becomes providers)</TableCell>
          <TableCell>Declared verification</TableCell>
          <TableCell>Submitted</TableCell>
          {status !== 'pending' && <TableCell>Decision</TableCell>}
          <TableCell align="right">Actions</TableCell>
        </>
      }
    >
      {approvals.map(a => (
        <TableRow key={a.providerRef} data-testid="provider-approval-row">
          <TableCell>
            <RefLink entityRef={a.providerRef} defaultKind="Provider" />
            <Typography variant="body2" color="text.secondary">
              {a.name}
            </Typography>
          </TableCell>
          <TableCell>
            <RefLink entityRef={a.owner ?? undefined} defaultKind="Group" />
          </TableCell>
          <TableCell>
            <DeclaredVerification approval={a} />
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
              {a.reason && (
                <Typography variant="body2" color="text.secondary">
                  {a.reason}
                </Typography>
              )}
              {a.status === 'approved' && (
                <Typography variant="body2">
                  <Link href={profilePath(a.name)}>
                    Verification on its profile
                  </Link>
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
                  aria-label={`Approve provider ${a.name}`}
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
                  aria-label={`Reject provider ${a.name}`}
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
 * The Providers waiting for review (issue 16): anyone may register a Provider
 * in the catalog, but its owners become providers only once an admin approves
 * it, and whether it is verified is the admins' decision, not its own claim.
 */
export function ProviderApprovals(props: { status: ApprovalStatus }) {
  const { status } = props;
  const api = useApi(marketplaceApiRef);
  const approvals = useAsyncRetry(
    () => api.listProviderApprovals({ status }),
    [api, status],
  );
  const [approving, setApproving] = useState<ProviderApproval>();
  const [verify, setVerify] = useState(false);
  const [rejecting, setRejecting] = useState<ProviderApproval>();
  const { busy, run } = useToastedAction(() => {
    setApproving(undefined);
    setRejecting(undefined);
    approvals.retry();
  });

  return (
    <section aria-labelledby="provider-approvals-title">
      <Typography
        id="provider-approvals-title"
        variant="h5"
        component="h2"
        sx={{ mt: 4, mb: 1 }}
      >
        Providers
      </Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
        Approving a Provider makes the members of its owning team providers:
        they may publish services under it.
      </Typography>
      <TableStates
        data={approvals}
        // The services' section above says why.
        notAllowed={null}
        isEmpty={value => !value.length}
        empty={
          status === 'pending'
            ? {
                title: 'No providers to review',
                description:
                  'Providers registered in the catalog by teams that are not providers yet appear here until you approve or reject them.',
              }
            : {
                title: `No ${status} providers`,
                description: 'Decisions appear here.',
              }
        }
      >
        {value => (
          <ProviderRows
            approvals={value}
            status={status}
            onApprove={a => {
              setVerify(false);
              setApproving(a);
            }}
            onReject={setRejecting}
          />
        )}
      </TableStates>
      <ConfirmDialog
        open={!!approving}
        title={`Approve provider ${approving ? titleOf(approving) : ''}?`}
        confirmLabel="Approve"
        confirmColor="success"
        busy={busy}
        onCancel={() => setApproving(undefined)}
        onConfirm={() =>
          approving &&
          run(
            async () => {
              await api.approveProvider(approving.name);
              if (verify) {
                await api.setProviderVerification(approving.name, {
                  verified: true,
                });
              }
            },
            verify
              ? `${approving.name} is approved and verified`
              : `${approving.name} is approved`,
            `Could not approve ${approving.name}`,
          )
        }
      >
        The members of{' '}
        {approving?.owner ? (
          <RefLink entityRef={approving.owner} defaultKind="Group" />
        ) : (
          'its owning team'
        )}{' '}
        become providers: they may publish services under it.
        {approving && (
          <Alert severity="info" sx={{ mt: 2 }}>
            It declares{' '}
            {approving.verification
              ? `“${approving.verification}”`
              : 'no verification'}
            . That is its own claim: its services get the verified badge only if
            you verify it.
          </Alert>
        )}
        <FormControlLabel
          sx={{ mt: 1 }}
          control={
            <Checkbox
              checked={verify}
              onChange={e => setVerify(e.target.checked)}
            />
          }
          label="Verify it too: I checked who runs this provider"
        />
      </ConfirmDialog>
      <RejectDialog
        rejecting={rejecting}
        id="reject-provider-title"
        title={`Reject provider ${rejecting ? titleOf(rejecting) : ''}?`}
        hint="Why its team cannot provide services"
        reject={(name, reason) => api.rejectProvider(name, reason)}
        busy={busy}
        run={run}
        onCancel={() => setRejecting(undefined)}
      >
        Its owning team does not become providers through it. Its owners see
        your reason.
      </RejectDialog>
    </section>
  );
}
