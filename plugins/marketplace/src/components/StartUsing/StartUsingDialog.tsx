import { useState } from 'react';
import Dialog from '@mui/material/Dialog';
import {
  ModelServiceEntityV1alpha1,
  SubscribeResponse,
} from '@internal/plugin-marketplace-common';
import { CredentialsPhase } from './CredentialsPhase';
import { OfferPhase } from './OfferPhase';

export type StartUsingDialogProps = {
  open: boolean;
  entity: ModelServiceEntityV1alpha1;
  onClose: () => void;
  /** Called once the subscription exists (the dialog then shows the key). */
  onSubscribed?: (response: SubscribeResponse) => void;
};

/**
 * "Start Using" a ModelService: first the offer (prices, trial, a monthly cost
 * calculator, billing team and spend cap), then, once subscribed, the API key
 * (shown once), the gateway endpoint and code snippets.
 */
export function StartUsingDialog(props: StartUsingDialogProps) {
  const { open, entity, onClose, onSubscribed } = props;
  const [issued, setIssued] = useState<SubscribeResponse>();

  const handleClose = (_event: unknown, reason?: string) => {
    // The key is shown only once: only "Done" closes the credentials phase.
    if (issued && (reason === 'backdropClick' || reason === 'escapeKeyDown')) {
      return;
    }
    onClose();
  };

  return (
    <Dialog
      open={open}
      onClose={handleClose}
      maxWidth="md"
      fullWidth
      scroll="paper"
      aria-labelledby="start-using-title"
      // Forget the secret once the dialog is gone.
      TransitionProps={{ onExited: () => setIssued(undefined) }}
    >
      {issued ? (
        <CredentialsPhase
          entity={entity}
          issued={issued}
          onDone={() => onClose()}
        />
      ) : (
        <OfferPhase
          entity={entity}
          onCancel={() => onClose()}
          onSubscribed={response => {
            setIssued(response);
            onSubscribed?.(response);
          }}
        />
      )}
    </Dialog>
  );
}
