import { ReactNode, useState } from 'react';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import TextField from '@mui/material/TextField';

export type ReasonDialogProps = {
  open: boolean;
  /** Unique per page: labels the dialog. */
  id: string;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  confirmColor?: 'error' | 'warning';
  /** Longest accepted reason (trimmed), as the API enforces it. */
  maxLength: number;
  /** Under the field while the reason is valid, e.g. who sees it. */
  hint: string;
  busy: boolean;
  /** Gets the trimmed reason. */
  onConfirm: (reason: string) => void;
  onCancel: () => void;
};

/**
 * Asks for the reason of an admin action (reject, suspend, hide): required,
 * at most `maxLength` characters; the confirm button stays off until it is valid.
 */
export function ReasonDialog(props: ReasonDialogProps) {
  const { open, id, title, children, busy, maxLength, onConfirm, onCancel } =
    props;
  const [reason, setReason] = useState('');
  const trimmed = reason.trim();
  const tooLong = trimmed.length > maxLength;
  return (
    <Dialog
      open={open}
      onClose={busy ? undefined : onCancel}
      aria-labelledby={id}
      maxWidth="sm"
      fullWidth
      TransitionProps={{ onExited: () => setReason('') }}
    >
      <DialogTitle id={id}>{title}</DialogTitle>
      <DialogContent>
        <DialogContentText component="div" sx={{ mb: 2 }}>
          {children}
        </DialogContentText>
        <TextField
          label="Reason"
          value={reason}
          onChange={e => setReason(e.target.value)}
          multiline
          minRows={3}
          fullWidth
          required
          error={tooLong}
          helperText={
            tooLong
              ? `At most ${maxLength} characters (${trimmed.length})`
              : props.hint
          }
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={onCancel} disabled={busy}>
          Cancel
        </Button>
        <Button
          color={props.confirmColor ?? 'error'}
          variant="contained"
          disabled={busy || !trimmed || tooLong}
          onClick={() => onConfirm(trimmed)}
        >
          {props.confirmLabel}
        </Button>
      </DialogActions>
    </Dialog>
  );
}
