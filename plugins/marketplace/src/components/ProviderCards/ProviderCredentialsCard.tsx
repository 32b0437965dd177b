import { useState } from 'react';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import AddIcon from '@mui/icons-material/Add';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { EntityInfoCard, useEntity } from '@backstage/plugin-catalog-react';
import {
  CREDENTIAL_LIMITS,
  ProviderCredential,
} from '@internal/plugin-marketplace-common';
import { errorStatus, marketplaceApiRef } from '../../api';
import { formatDateTimeUtc } from '../../format';
import { ConfirmDialog } from '../shared/ConfirmDialog';
import { useToastedAction } from '../shared/useToastedAction';

const CARD_TITLE = 'Upstream credentials';
const NAME_PATTERN = new RegExp(CREDENTIAL_LIMITS.namePattern);

/** What is wrong with a value, in plain words; undefined when it is fine. */
function valueProblem(value: string): string | undefined {
  if (!value) {
    return undefined;
  }
  if (value.length > CREDENTIAL_LIMITS.valueMaxLength) {
    return `At most ${CREDENTIAL_LIMITS.valueMaxLength} characters`;
  }
  if (value.trim() !== value) {
    return 'Remove the spaces at the start or end';
  }
  // eslint-disable-next-line no-control-regex
  if (/[\x00-\x1f\x7f]/.test(value)) {
    return 'Remove the line breaks';
  }
  return undefined;
}

/**
 * Asks for a credential's value (and its name when adding one). The value field
 * is a password field and is cleared when the dialog closes: it is never shown
 * again.
 */
function CredentialDialog(props: {
  mode: 'add' | 'rotate';
  name?: string;
  busy: boolean;
  onSave: (name: string, value: string) => void;
  onCancel: () => void;
}) {
  const { mode, busy, onSave, onCancel } = props;
  const [name, setName] = useState(props.name ?? '');
  const [value, setValue] = useState('');
  const nameProblem =
    name && !NAME_PATTERN.test(name)
      ? 'Letters, digits and _; start with a letter or _ (at most 64)'
      : undefined;
  const problem = valueProblem(value);
  const valid = !!name && !nameProblem && !!value && !problem;
  return (
    <Dialog
      open
      onClose={busy ? undefined : onCancel}
      aria-labelledby="credential-dialog-title"
      maxWidth="sm"
      fullWidth
    >
      <DialogTitle id="credential-dialog-title">
        {mode === 'add' ? 'Add an upstream credential' : `Rotate ${name}`}
      </DialogTitle>
      <DialogContent>
        <DialogContentText component="div" sx={{ mb: 2 }}>
          {mode === 'add'
            ? 'Services of this provider name it in spec.endpoint.auth.secretRef. Only this provider’s services can use it.'
            : 'The gateway uses the new value from its next request on. The old value stops being sent at once.'}{' '}
          The value is stored encrypted and never shown again: the portal shows
          only its fingerprint.
        </DialogContentText>
        <Stack spacing={2}>
          {mode === 'add' && (
            <TextField
              label="Name"
              value={name}
              onChange={e => setName(e.target.value)}
              error={!!nameProblem}
              helperText={nameProblem ?? 'e.g. ACME_UPSTREAM_KEY'}
              required
              fullWidth
            />
          )}
          <TextField
            label="Value"
            type="password"
            autoComplete="new-password"
            value={value}
            onChange={e => setValue(e.target.value)}
            error={!!problem}
            helperText={problem ?? 'The API key of your upstream'}
            required
            fullWidth
          />
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={onCancel} disabled={busy}>
          Cancel
        </Button>
        <Button
          variant="contained"
          disabled={busy || !valid}
          onClick={() => onSave(name, value)}
        >
          {mode === 'add' ? 'Add' : 'Rotate'}
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/**
 * The provider's upstream credentials on its catalog page, for its owners (and
 * admins; others do not see the card): add, rotate and delete, write-only.
 */
export function ProviderCredentialsCard() {
  const { entity } = useEntity();
  const api = useApi(marketplaceApiRef);
  const provider = entity.metadata.name;
  const state = useAsyncRetry(
    () => api.listProviderCredentials(provider),
    [api, provider],
  );
  const [dialog, setDialog] = useState<
    { mode: 'add' } | { mode: 'rotate'; name: string }
  >();
  const [deleting, setDeleting] = useState<ProviderCredential>();

  const { busy, run } = useToastedAction(() => {
    setDialog(undefined);
    setDeleting(undefined);
    state.retry();
  });

  // Only owners and admins may see a provider's credentials.
  if (state.error && [403, 404].includes(errorStatus(state.error) ?? 0)) {
    return null;
  }

  let content;
  if (state.loading && !state.value) {
    content = <Progress />;
  } else if (state.error) {
    content = <ResponseErrorPanel error={state.error} />;
  } else if (state.value) {
    const { credentials, configCredentials, storageEnabled } = state.value;
    content = (
      <Stack spacing={2}>
        <Typography variant="body2" color="text.secondary">
          Only services of this provider can use these credentials. Values are
          write-only: after saving, the portal shows only a fingerprint.
        </Typography>
        {!storageEnabled && (
          <Alert severity="info">
            The platform team has not configured an encryption key
            (marketplace.credentials.encryptionKeys), so credentials cannot be
            stored in the portal yet.
          </Alert>
        )}
        {credentials.length > 0 ? (
          <Table size="small" aria-label="Upstream credentials">
            <TableHead>
              <TableRow>
                <TableCell>Credential</TableCell>
                <TableCell>Changes and use</TableCell>
                <TableCell align="right">Actions</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {credentials.map(c => (
                <TableRow key={c.name} data-testid="credential-row">
                  <TableCell sx={{ wordBreak: 'break-all' }}>
                    <Typography variant="body2" fontWeight="bold">
                      <code>{c.name}</code>
                    </Typography>
                    <Typography variant="body2" color="text.secondary">
                      <code>{c.fingerprint}</code>
                    </Typography>
                  </TableCell>
                  <TableCell>
                    <Typography variant="body2">
                      {c.version > 1 ? `Rotated (v${c.version})` : 'Added'}{' '}
                      {formatDateTimeUtc(c.updatedAt)} by {c.updatedBy}
                    </Typography>
                    <Typography variant="body2" color="text.secondary">
                      Last used:{' '}
                      {c.lastUsedAt ? formatDateTimeUtc(c.lastUsedAt) : 'never'}
                      {' · '}
                      Used by:{' '}
                      {c.usedBy.length ? c.usedBy.join(', ') : 'no service'}
                    </Typography>
                  </TableCell>
                  <TableCell align="right">
                    <Stack spacing={1} alignItems="flex-end">
                      <Button
                        size="small"
                        variant="outlined"
                        disabled={!storageEnabled}
                        sx={{ whiteSpace: 'nowrap' }}
                        onClick={() =>
                          setDialog({ mode: 'rotate', name: c.name })
                        }
                        aria-label={`Rotate ${c.name}`}
                      >
                        Rotate
                      </Button>
                      <Button
                        size="small"
                        variant="outlined"
                        color="error"
                        sx={{ whiteSpace: 'nowrap' }}
                        onClick={() => setDeleting(c)}
                        aria-label={`Delete ${c.name}`}
                      >
                        Delete
                      </Button>
                    </Stack>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        ) : (
          <Typography variant="body2">
            No credentials stored in the portal yet.
          </Typography>
        )}
        {configCredentials.length > 0 && (
          <Typography variant="body2" color="text.secondary">
            Managed by the platform team (portal config):{' '}
            {configCredentials.map((c, i) => (
              <span key={c.name}>
                {i > 0 ? ', ' : ''}
                <code>{c.name}</code>
                {c.fingerprint ? ` (${c.fingerprint})` : ' (no value set)'}
              </span>
            ))}
          </Typography>
        )}
        <div>
          <Button
            variant="contained"
            startIcon={<AddIcon />}
            disabled={!storageEnabled}
            onClick={() => setDialog({ mode: 'add' })}
          >
            Add credential
          </Button>
        </div>
      </Stack>
    );
  }

  return (
    <EntityInfoCard title={CARD_TITLE}>
      {content}
      {dialog && (
        <CredentialDialog
          mode={dialog.mode}
          name={dialog.mode === 'rotate' ? dialog.name : undefined}
          busy={busy}
          onCancel={() => setDialog(undefined)}
          onSave={(name, value) =>
            run(
              () =>
                dialog.mode === 'add'
                  ? api.addProviderCredential(provider, name, value)
                  : api.rotateProviderCredential(provider, name, value),
              dialog.mode === 'add'
                ? `${name} was added`
                : `${name} was rotated`,
              dialog.mode === 'add'
                ? `Could not add ${name}`
                : `Could not rotate ${name}`,
            )
          }
        />
      )}
      <ConfirmDialog
        open={!!deleting}
        title={`Delete ${deleting?.name ?? ''}?`}
        confirmLabel="Delete"
        busy={busy}
        onCancel={() => setDeleting(undefined)}
        onConfirm={() =>
          deleting &&
          run(
            () => api.deleteProviderCredential(provider, deleting.name),
            `${deleting.name} was deleted`,
            `Could not delete ${deleting.name}`,
          )
        }
      >
        {deleting?.usedBy.length
          ? `${deleting.usedBy.join(
              ', ',
            )} use it: the gateway stops calling their upstream at once (502) until you add it again.`
          : 'No service of this provider uses it.'}
      </ConfirmDialog>
    </EntityInfoCard>
  );
}
