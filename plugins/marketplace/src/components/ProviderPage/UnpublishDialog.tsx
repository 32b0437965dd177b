import { useState } from 'react';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { ManagedService } from '@internal/plugin-marketplace-common';
import { ConfirmDialog } from '../shared/ConfirmDialog';
import { DAY_MS, isoDay } from '../shared/dates';

/** Asks when existing subscribers lose access, then unpublishes. */
export function UnpublishDialog(props: {
  service: ManagedService | undefined;
  busy: boolean;
  onConfirm: (sunsetAt: string) => void;
  onCancel: () => void;
}) {
  const { service, busy, onConfirm, onCancel } = props;
  const [sunset, setSunset] = useState(isoDay(Date.now() + 30 * DAY_MS));
  const ms = Date.parse(`${sunset}T00:00:00Z`);
  const invalid =
    Number.isNaN(ms) || ms <= Date.now() || ms > Date.now() + 365 * DAY_MS;
  return (
    <ConfirmDialog
      open={!!service}
      title={`Unpublish ${
        service?.entity.metadata.title ?? service?.name ?? ''
      }?`}
      confirmLabel="Unpublish"
      busy={busy}
      confirmDisabled={invalid}
      onCancel={onCancel}
      onConfirm={() => onConfirm(new Date(ms).toISOString())}
    >
      <Typography variant="body2" sx={{ mb: 2 }}>
        New subscriptions stop at once. Current subscribers are notified and
        keep access until the sunset date; after it the gateway answers 410
        Gone.
      </Typography>
      <TextField
        type="date"
        label="Sunset (UTC)"
        value={sunset}
        onChange={e => setSunset(e.target.value)}
        error={invalid}
        helperText={
          invalid ? 'A date after today, at most a year ahead' : undefined
        }
        InputLabelProps={{ shrink: true }}
        fullWidth
      />
    </ConfirmDialog>
  );
}
