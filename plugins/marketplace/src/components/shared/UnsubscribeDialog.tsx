import { ConfirmDialog } from './ConfirmDialog';

/** Confirms ending a subscription (its keys stop working at once). */
export function UnsubscribeDialog(props: {
  open: boolean;
  title: string;
  busy: boolean;
  onConfirm: () => void;
  onCancel: () => void;
}) {
  return (
    <ConfirmDialog
      open={props.open}
      title={`Unsubscribe from ${props.title}?`}
      confirmLabel="Unsubscribe"
      busy={props.busy}
      onConfirm={props.onConfirm}
      onCancel={props.onCancel}
    >
      Your API keys for this service are revoked immediately and requests made
      with them are rejected.
    </ConfirmDialog>
  );
}
