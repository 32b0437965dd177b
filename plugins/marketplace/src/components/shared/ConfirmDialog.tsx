import { ReactNode } from 'react';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';

export type ConfirmDialogProps = {
  open: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  /** Disables the buttons while the action runs. */
  busy?: boolean;
  /** Disables only the confirm button (e.g. while an input is invalid). */
  confirmDisabled?: boolean;
  /** `error` (the default) for destructive actions. */
  confirmColor?: 'error' | 'primary' | 'success';
  onConfirm: () => void;
  onCancel: () => void;
};

/** A yes/no question before an action (a destructive one unless said otherwise). */
export function ConfirmDialog(props: ConfirmDialogProps) {
  const { open, title, children, confirmLabel, busy, onConfirm, onCancel } =
    props;
  const confirmColor = props.confirmColor ?? 'error';
  return (
    <Dialog
      open={open}
      onClose={busy ? undefined : onCancel}
      aria-labelledby="marketplace-confirm-title"
      maxWidth="xs"
      fullWidth
    >
      <DialogTitle id="marketplace-confirm-title">{title}</DialogTitle>
      <DialogContent>
        <DialogContentText component="div">{children}</DialogContentText>
      </DialogContent>
      <DialogActions>
        <Button onClick={onCancel} disabled={busy}>
          Cancel
        </Button>
        <Button
          onClick={onConfirm}
          color={confirmColor}
          variant="contained"
          disabled={busy || props.confirmDisabled}
        >
          {confirmLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
