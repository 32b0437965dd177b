import { useState } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { toastApiRef, useApi } from '@backstage/frontend-plugin-api';
import { errorMessage, marketplaceApiRef } from '../../api';
import { formatDateTimeUtc } from '../../format';
import { PlatformFeeDialog } from './UserDialogs';

/** The platform fee, with a button to change it. */
export function PlatformFeeCard() {
  const api = useApi(marketplaceApiRef);
  const toastApi = useApi(toastApiRef);
  const [busy, setBusy] = useState(false);
  const settings = useAsyncRetry(() => api.getPlatformSettings(), [api]);
  const [editing, setEditing] = useState(false);
  if (settings.error) {
    // 403 or an outage: the users table says what matters.
    return null;
  }
  const value = settings.value;
  const save = async (percent: number) => {
    setBusy(true);
    try {
      await api.setPlatformFee(percent);
      toastApi.post({
        title: `The platform fee is ${percent}% for new requests`,
        status: 'success',
        timeout: 5000,
      });
      setEditing(false);
      settings.retry();
    } catch (e) {
      toastApi.post({
        title: `Could not change the platform fee: ${errorMessage(e)}`,
        status: 'danger',
      });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card variant="outlined" data-testid="platform-fee-card">
      <CardContent>
        <Stack direction="row" spacing={2} alignItems="center">
          <Box flexGrow={1}>
            <Typography variant="overline">Platform fee</Typography>
            <Typography variant="h5">
              {value ? `${value.platformFeePercent}%` : '…'}
            </Typography>
            <Typography variant="body2" color="text.secondary">
              {value?.platformFeeSource === 'admin'
                ? `Set by ${value.updatedBy} on ${formatDateTimeUtc(
                    value.updatedAt!,
                  )}`
                : 'From the configuration (marketplace.platformFeePercent)'}
            </Typography>
          </Box>
          <Button
            variant="outlined"
            disabled={!value}
            onClick={() => setEditing(true)}
          >
            Change fee
          </Button>
        </Stack>
      </CardContent>
      <PlatformFeeDialog
        open={editing}
        current={value?.platformFeePercent}
        busy={busy}
        onSave={save}
        onCancel={() => setEditing(false)}
      />
    </Card>
  );
}
