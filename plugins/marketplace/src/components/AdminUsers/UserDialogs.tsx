import { ReasonDialog } from '../shared/ReasonDialog';
import { useState } from 'react';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import FormControlLabel from '@mui/material/FormControlLabel';
import Radio from '@mui/material/Radio';
import RadioGroup from '@mui/material/RadioGroup';
import TextField from '@mui/material/TextField';
import {
  ADMIN_LIMITS,
  AdminUser,
  MarketplaceRole,
} from '@internal/plugin-marketplace-common';

export const ROLE_LABELS: Record<MarketplaceRole, string> = {
  consumer: 'Consumer',
  provider: 'Provider',
  admin: 'Admin',
};

const ROLE_HELP: Record<MarketplaceRole, string> = {
  consumer: 'subscribes to services and calls them',
  provider: 'also publishes services for their teams',
  admin: 'manages users, approvals and the platform',
};

/** The name to show for a user. */
export function userLabel(user: AdminUser | undefined): string {
  return user?.displayName ?? user?.name ?? '';
}

/**
 * Picks a role override for a user, or none (the role their groups give).
 * Confirming is disabled until the choice differs from the current one.
 */
export function ChangeRoleDialog(props: {
  user: AdminUser | undefined;
  busy: boolean;
  onChange: (role: MarketplaceRole | null) => void;
  onCancel: () => void;
}) {
  const { user, busy, onChange, onCancel } = props;
  const current = user?.roleOverride?.role ?? 'groups';
  const [choice, setChoice] = useState<string | undefined>();
  const selected = choice ?? current;
  return (
    <Dialog
      open={!!user}
      onClose={busy ? undefined : onCancel}
      aria-labelledby="change-role-title"
      maxWidth="xs"
      fullWidth
      TransitionProps={{ onExited: () => setChoice(undefined) }}
    >
      <DialogTitle id="change-role-title">
        Change the role of {userLabel(user)}?
      </DialogTitle>
      <DialogContent>
        <DialogContentText sx={{ mb: 1 }}>
          An override wins over the user's groups from their next request on.
          The change is recorded in the audit log.
        </DialogContentText>
        <RadioGroup
          aria-label="Role"
          value={selected}
          onChange={e => setChoice(e.target.value)}
        >
          <FormControlLabel
            value="groups"
            control={<Radio />}
            label={`From their groups (${
              user ? ROLE_LABELS[user.groupRole] : ''
            })`}
          />
          {(Object.keys(ROLE_LABELS) as MarketplaceRole[]).map(role => (
            <FormControlLabel
              key={role}
              value={role}
              control={<Radio />}
              label={`${ROLE_LABELS[role]}: ${ROLE_HELP[role]}`}
            />
          ))}
        </RadioGroup>
      </DialogContent>
      <DialogActions>
        <Button onClick={onCancel} disabled={busy}>
          Cancel
        </Button>
        <Button
          variant="contained"
          disabled={busy || selected === current}
          onClick={() =>
            onChange(
              selected === 'groups' ? null : (selected as MarketplaceRole),
            )
          }
        >
          Change role
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/** Asks for the reason of a suspension (1 to 500 characters; the user sees it). */
export function SuspendDialog(props: {
  user: AdminUser | undefined;
  busy: boolean;
  onSuspend: (reason: string) => void;
  onCancel: () => void;
}) {
  const { user, busy, onSuspend, onCancel } = props;
  return (
    <ReasonDialog
      open={!!user}
      id="suspend-title"
      title={`Suspend ${userLabel(user)}?`}
      confirmLabel="Suspend"
      maxLength={ADMIN_LIMITS.suspensionReasonMaxLength}
      hint="Shown to the user"
      busy={busy}
      onConfirm={onSuspend}
      onCancel={onCancel}
    >
      Every API key of {userLabel(user)} stops working on its next request (the
      gateway answers 403 with your reason), and they cannot subscribe until you
      reinstate them. They see the reason in the portal.
    </ReasonDialog>
  );
}

/** Asks for a new platform fee: 0 to 100 percent with at most 2 decimals. */
export function PlatformFeeDialog(props: {
  open: boolean;
  current: number | undefined;
  busy: boolean;
  onSave: (percent: number) => void;
  onCancel: () => void;
}) {
  const { open, current, busy, onSave, onCancel } = props;
  const [value, setValue] = useState<string | undefined>();
  const text = value ?? (current === undefined ? '' : String(current));
  const valid = /^\d{1,3}(\.\d{1,2})?$/.test(text.trim());
  const percent = Number(text);
  const ok = valid && percent >= 0 && percent <= 100;
  return (
    <Dialog
      open={open}
      onClose={busy ? undefined : onCancel}
      aria-labelledby="platform-fee-title"
      maxWidth="xs"
      fullWidth
      TransitionProps={{ onExited: () => setValue(undefined) }}
    >
      <DialogTitle id="platform-fee-title">
        Change the platform fee?
      </DialogTitle>
      <DialogContent>
        <DialogContentText sx={{ mb: 2 }}>
          The platform's share of every charged request. It applies to requests
          that start after the change; requests already metered keep their fee.
        </DialogContentText>
        <TextField
          label="Platform fee (%)"
          value={text}
          onChange={e => setValue(e.target.value)}
          inputProps={{ inputMode: 'decimal' }}
          fullWidth
          error={!ok}
          helperText={
            ok ? ' ' : 'A number from 0 to 100 with at most 2 decimals'
          }
        />
      </DialogContent>
      <DialogActions>
        <Button onClick={onCancel} disabled={busy}>
          Cancel
        </Button>
        <Button
          variant="contained"
          disabled={busy || !ok || percent === current}
          onClick={() => onSave(percent)}
        >
          Save
        </Button>
      </DialogActions>
    </Dialog>
  );
}
