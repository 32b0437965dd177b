import { useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import IconButton from '@mui/material/IconButton';
import Stack from '@mui/material/Stack';
import Tooltip from '@mui/material/Tooltip';
import ContentCopyIcon from '@mui/icons-material/ContentCopy';
import CheckIcon from '@mui/icons-material/Check';
import { toastApiRef, useApi } from '@backstage/frontend-plugin-api';

/** Shown next to every freshly issued key secret. */
export const SHOW_ONCE_WARNING =
  'This is the only time the key is shown. Store it now; you can rotate it later.';

/**
 * A freshly issued API key: the secret in a monospace box with a copy button,
 * and the warning that it is shown only once.
 */
export function SecretKeyBox(props: { secret: string }) {
  const { secret } = props;
  const toastApi = useApi(toastApiRef);
  const [copied, setCopied] = useState(false);

  const copy = async () => {
    try {
      await navigator.clipboard.writeText(secret);
      setCopied(true);
    } catch (e) {
      toastApi.post({
        title: `Could not copy the key: ${
          e instanceof Error ? e.message : String(e)
        }. Select it and copy it by hand.`,
        status: 'danger',
      });
    }
  };

  return (
    <Stack spacing={1}>
      <Alert severity="warning">{SHOW_ONCE_WARNING}</Alert>
      <Stack direction="row" alignItems="center" spacing={1}>
        <Box
          component="code"
          data-testid="api-key-secret"
          sx={{
            flex: 1,
            minWidth: 0,
            p: 1.5,
            borderRadius: 1,
            bgcolor: 'action.hover',
            fontFamily: 'monospace',
            fontSize: '0.9rem',
            wordBreak: 'break-all',
            userSelect: 'all',
          }}
        >
          {secret}
        </Box>
        <Tooltip title={copied ? 'Copied' : 'Copy API key'}>
          <IconButton aria-label="Copy API key" onClick={copy}>
            {copied ? <CheckIcon color="success" /> : <ContentCopyIcon />}
          </IconButton>
        </Tooltip>
      </Stack>
    </Stack>
  );
}
