import { useState } from 'react';
import Button, { ButtonProps } from '@mui/material/Button';
import { toastApiRef, useApi } from '@backstage/frontend-plugin-api';
import { IssuedApiKey } from '@internal/plugin-marketplace-common';
import { errorMessage, marketplaceApiRef } from '../../api';
import { NewKeyDialog } from './NewKeyDialog';

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
      <NewKeyDialog
        secret={issued?.secret}
        titleId="new-key-title"
        onDone={() => {
          setIssued(undefined);
          onCreated();
        }}
      />
    </>
  );
}
