import { useState } from 'react';
import Button, { ButtonProps } from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import { toastApiRef, useApi } from '@backstage/frontend-plugin-api';
import { IssuedApiKey } from '@internal/plugin-marketplace-common';
import { errorMessage, marketplaceApiRef } from '../../api';
import { SecretKeyBox } from './SecretKeyBox';

/**
 * Issues a further API key for an active subscription (for example after its
 * last key was revoked) and shows the secret once, like the first key's.
 * Closing the dialog forgets the secret and calls `onCreated`.
 */
export function NewKeyButton(props: {
  subscriptionId: string;
  onCreated: () => void;
  variant?: ButtonProps['variant'];
  size?: ButtonProps['size'];
}) {
  const { subscriptionId, onCreated, variant = 'outlined', size } = props;
  const api = useApi(marketplaceApiRef);
  const toastApi = useApi(toastApiRef);
  const [busy, setBusy] = useState(false);
  const [issued, setIssued] = useState<IssuedApiKey>();

  const create = async () => {
    setBusy(true);
    try {
      setIssued(await api.createKey(subscriptionId));
    } catch (e) {
      toastApi.post({
        title: `Could not create a key: ${errorMessage(e)}`,
        status: 'danger',
      });
    } finally {
      setBusy(false);
    }
  };

  return (
    <>
      <Button variant={variant} size={size} onClick={create} disabled={busy}>
        {busy ? 'Creating…' : 'Create new key'}
      </Button>
      <Dialog
        open={!!issued}
        maxWidth="sm"
        fullWidth
        aria-labelledby="new-key-title"
        onClose={(_e, reason) => {
          // Only "Done" closes: the secret is not shown again.
          if (reason !== 'backdropClick' && reason !== 'escapeKeyDown') {
            setIssued(undefined);
          }
        }}
      >
        <DialogTitle id="new-key-title">Your new API key</DialogTitle>
        <DialogContent>
          {issued && <SecretKeyBox secret={issued.secret} />}
        </DialogContent>
        <DialogActions>
          <Button
            variant="contained"
            onClick={() => {
              setIssued(undefined);
              onCreated();
            }}
          >
            Done
          </Button>
        </DialogActions>
      </Dialog>
    </>
  );
}
