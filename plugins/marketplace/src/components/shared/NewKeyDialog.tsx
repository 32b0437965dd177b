import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import { SecretKeyBox } from './SecretKeyBox';

/**
 * Shows a newly issued (created or rotated) API key's secret once. Only "Done"
 * closes it, since the secret is not shown again; `onDone` then forgets it.
 */
export function NewKeyDialog(props: {
  /** The secret to show; the dialog is open while it is set. */
  secret: string | undefined;
  /** The id of the dialog's title, which labels it. */
  titleId: string;
  onDone: () => void;
}) {
  const { secret, titleId, onDone } = props;
  return (
    <Dialog
      open={!!secret}
      maxWidth="sm"
      fullWidth
      aria-labelledby={titleId}
      onClose={(_e, reason) => {
        // Only "Done" closes: the secret is not shown again.
        if (reason !== 'backdropClick' && reason !== 'escapeKeyDown') {
          onDone();
        }
      }}
    >
      <DialogTitle id={titleId}>Your new API key</DialogTitle>
      <DialogContent>
        {secret && <SecretKeyBox secret={secret} />}
      </DialogContent>
      <DialogActions>
        <Button variant="contained" onClick={onDone}>
          Done
        </Button>
      </DialogActions>
    </Dialog>
  );
}
