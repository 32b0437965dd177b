import { useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { toastApiRef, useApi } from '@backstage/frontend-plugin-api';
import { ApiKeyInfo, IssuedApiKey } from '@internal/plugin-marketplace-common';
import { errorMessage, marketplaceApiRef } from '../../api';
import { formatDateTimeUtc } from '../../format';
import { ConfirmDialog } from '../shared/ConfirmDialog';
import { NewKeyButton } from '../shared/NewKeyButton';
import { NewKeyDialog } from '../shared/NewKeyDialog';
import { dataTableSx } from '../shared/tables';

/** How a key is listed: its recognisable prefix, never the secret. */
export function maskedKey(prefix: string): string {
  return `${prefix}…`;
}

type PendingAction = { kind: 'rotate' | 'revoke'; key: ApiKeyInfo };

/**
 * The keys of one subscription with Rotate, Revoke and Create new key. A new
 * secret is shown once, in a dialog; closing it forgets the secret.
 */
export function KeysTable(props: {
  subscriptionId: string;
  keys: ApiKeyInfo[];
  /** No actions for cancelled subscriptions. */
  readOnly?: boolean;
  /** Called after a key changed, to reload the subscription. */
  onChanged: () => void;
}) {
  const { subscriptionId, keys, readOnly, onChanged } = props;
  const api = useApi(marketplaceApiRef);
  const toastApi = useApi(toastApiRef);
  const [pending, setPending] = useState<PendingAction>();
  const [busy, setBusy] = useState(false);
  const [rotated, setRotated] = useState<IssuedApiKey>();

  const confirm = async () => {
    if (!pending) {
      return;
    }
    setBusy(true);
    const label = maskedKey(pending.key.prefix);
    try {
      if (pending.kind === 'rotate') {
        const issued = await api.rotateKey(pending.key.id);
        setPending(undefined);
        // Reload once the new secret's dialog is closed, so nothing
        // re-renders it away.
        setRotated(issued);
      } else {
        await api.revokeKey(pending.key.id);
        setPending(undefined);
        toastApi.post({
          title: `Key ${label} revoked.`,
          status: 'success',
          timeout: 5000,
        });
        onChanged();
      }
    } catch (e) {
      toastApi.post({
        title: `Could not ${pending.kind} key ${label}: ${errorMessage(e)}`,
        status: 'danger',
      });
    } finally {
      setBusy(false);
    }
  };

  const sorted = [...keys].sort(
    (a, b) =>
      Number(!!a.revokedAt) - Number(!!b.revokedAt) ||
      Date.parse(b.createdAt) - Date.parse(a.createdAt),
  );
  const activeCount = keys.filter(k => !k.revokedAt).length;

  return (
    <>
      <Table size="small" sx={dataTableSx} aria-label="API keys">
        <TableHead>
          <TableRow>
            <TableCell>Key</TableCell>
            <TableCell>Created</TableCell>
            <TableCell>Last used</TableCell>
            <TableCell>Status</TableCell>
            {!readOnly && <TableCell align="right">Actions</TableCell>}
          </TableRow>
        </TableHead>
        <TableBody>
          {sorted.length === 0 && (
            <TableRow>
              <TableCell colSpan={readOnly ? 4 : 5}>No keys</TableCell>
            </TableRow>
          )}
          {sorted.map(key => (
            <TableRow key={key.id}>
              <TableCell>
                <Typography
                  component="code"
                  variant="body2"
                  sx={{ fontFamily: 'monospace' }}
                >
                  {maskedKey(key.prefix)}
                </Typography>
              </TableCell>
              <TableCell>{formatDateTimeUtc(key.createdAt)}</TableCell>
              <TableCell>
                {key.lastUsedAt ? formatDateTimeUtc(key.lastUsedAt) : 'Never'}
              </TableCell>
              <TableCell>
                {key.revokedAt ? (
                  <Chip
                    size="small"
                    variant="outlined"
                    label={`Revoked ${formatDateTimeUtc(key.revokedAt)}`}
                  />
                ) : (
                  <Chip
                    size="small"
                    variant="outlined"
                    color="success"
                    label="Active"
                  />
                )}
              </TableCell>
              {!readOnly && (
                <TableCell align="right">
                  {!key.revokedAt && (
                    <Stack
                      direction="row"
                      spacing={1}
                      justifyContent="flex-end"
                    >
                      <Button
                        size="small"
                        onClick={() => setPending({ kind: 'rotate', key })}
                        aria-label={`Rotate key ${maskedKey(key.prefix)}`}
                      >
                        Rotate
                      </Button>
                      <Button
                        size="small"
                        color="error"
                        onClick={() => setPending({ kind: 'revoke', key })}
                        aria-label={`Revoke key ${maskedKey(key.prefix)}`}
                      >
                        Revoke
                      </Button>
                    </Stack>
                  )}
                </TableCell>
              )}
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {!readOnly &&
        (activeCount === 0 ? (
          <Alert
            severity="warning"
            action={
              <NewKeyButton
                subscriptionId={subscriptionId}
                onCreated={onChanged}
                size="small"
              />
            }
          >
            Every key of this subscription is revoked, so no request can use it.
            Create a new key to continue; the subscription is still active.
          </Alert>
        ) : (
          <Box>
            <NewKeyButton
              subscriptionId={subscriptionId}
              onCreated={onChanged}
              size="small"
            />
          </Box>
        ))}

      <ConfirmDialog
        open={!!pending}
        title={
          pending?.kind === 'rotate'
            ? `Rotate key ${pending && maskedKey(pending.key.prefix)}?`
            : `Revoke key ${pending && maskedKey(pending.key.prefix)}?`
        }
        confirmLabel={pending?.kind === 'rotate' ? 'Rotate' : 'Revoke'}
        busy={busy}
        onConfirm={confirm}
        onCancel={() => setPending(undefined)}
      >
        {pending?.kind === 'rotate'
          ? 'You get a new key; this one stops working immediately. Update every place that uses it.'
          : 'Requests with this key are rejected from now on. This cannot be undone.'}
      </ConfirmDialog>

      <NewKeyDialog
        secret={rotated?.secret}
        titleId="rotated-key-title"
        onDone={() => {
          setRotated(undefined);
          onChanged();
        }}
      />
    </>
  );
}
