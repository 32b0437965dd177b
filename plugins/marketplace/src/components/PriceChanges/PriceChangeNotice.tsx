import { useState } from 'react';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogContentText from '@mui/material/DialogContentText';
import DialogTitle from '@mui/material/DialogTitle';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  formatMicros,
  ModelServicePricing,
  parseMicros,
} from '@internal/plugin-marketplace-common';
import { errorMessage, marketplaceApiRef } from '../../api';
import { formatDateTimeUtc } from '../../format';

function per1k(p: ModelServicePricing): string {
  return `${formatMicros(p.promptPer1kMicros)} prompt · ${formatMicros(
    p.completionPer1kMicros,
  )} completion per 1K tokens`;
}

function usd(micros: number): string {
  return formatMicros(micros).replace(/^\$/, '').replace(/,/g, '');
}

/** The first day (UTC, YYYY-MM-DD) an increase may take effect. */
function earliestDay(noticeDays: number): string {
  return new Date(Date.now() + (noticeDays + 1) * 86_400_000)
    .toISOString()
    .slice(0, 10);
}

/**
 * Announces a new price: prompt and completion per 1K tokens (volume tiers are
 * kept as they are) and the day it applies. An increase needs the notice
 * period; a decrease may apply at once (no date).
 */
function AnnounceDialog(props: {
  open: boolean;
  name: string;
  current: ModelServicePricing;
  noticeDays: number;
  onClose: () => void;
  onDone: () => void;
}) {
  const api = useApi(marketplaceApiRef);
  const [prompt, setPrompt] = useState(usd(props.current.promptPer1kMicros));
  const [completion, setCompletion] = useState(
    usd(props.current.completionPer1kMicros),
  );
  const [day, setDay] = useState(earliestDay(props.noticeDays));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [failure, setFailure] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  const submit = async () => {
    const next: Record<string, string> = {};
    const parse = (v: string, field: string) => {
      try {
        return parseMicros(v.replace(/^\$/, ''));
      } catch {
        next[field] = `${
          field === 'prompt' ? 'Prompt' : 'Completion'
        } price: enter USD per 1K tokens, 0 or more, at most 6 decimals`;
        return 0;
      }
    };
    const p = parse(prompt, 'prompt');
    const c = parse(completion, 'completion');
    if (day && Number.isNaN(Date.parse(`${day}T00:00:00Z`))) {
      next.day = 'Effective from: enter a date as YYYY-MM-DD';
    }
    setErrors(next);
    if (Object.keys(next).length > 0) {
      return;
    }
    setBusy(true);
    setFailure(undefined);
    try {
      await api.announcePriceChange(props.name, {
        pricing: {
          ...props.current,
          promptPer1kMicros: p,
          completionPer1kMicros: c,
        },
        ...(day ? { effectiveAt: `${day}T00:00:00Z` } : {}),
      });
      props.onDone();
    } catch (e) {
      setFailure(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Dialog
      open={props.open}
      onClose={busy ? undefined : props.onClose}
      aria-labelledby="announce-price-title"
      maxWidth="sm"
      fullWidth
    >
      <DialogTitle id="announce-price-title">
        Announce a price change
      </DialogTitle>
      <DialogContent>
        <DialogContentText sx={{ mb: 2 }}>
          Now: {per1k(props.current)}. Subscribers are notified at once. An
          increase applies at least {props.noticeDays} days after it is
          announced; a decrease may apply at once (leave the date empty). From
          that day every subscriber pays the new price.
        </DialogContentText>
        <Stack spacing={2}>
          <Stack direction={{ xs: 'column', sm: 'row' }} spacing={2}>
            <TextField
              label="Prompt (USD per 1K tokens)"
              value={prompt}
              onChange={e => setPrompt(e.target.value)}
              error={!!errors.prompt}
              helperText={errors.prompt}
              fullWidth
              inputProps={{ 'data-testid': 'price-prompt' }}
            />
            <TextField
              label="Completion (USD per 1K tokens)"
              value={completion}
              onChange={e => setCompletion(e.target.value)}
              error={!!errors.completion}
              helperText={errors.completion}
              fullWidth
              inputProps={{ 'data-testid': 'price-completion' }}
            />
          </Stack>
          <TextField
            label="Effective from (UTC day)"
            type="date"
            value={day}
            onChange={e => setDay(e.target.value)}
            error={!!errors.day}
            helperText={
              errors.day ??
              `Increases: ${earliestDay(props.noticeDays)} or later`
            }
            InputLabelProps={{ shrink: true }}
            inputProps={{ 'data-testid': 'price-day' }}
          />
          {failure && (
            <Alert severity="error" data-testid="price-error">
              {failure}
            </Alert>
          )}
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button onClick={props.onClose} disabled={busy}>
          Cancel
        </Button>
        <Button variant="contained" onClick={submit} disabled={busy}>
          Announce
        </Button>
      </DialogActions>
    </Dialog>
  );
}

/**
 * On a service's page: the coming price and its day, when one is announced;
 * for the service's owners, "Announce a price change".
 */
export function PriceChangeNotice(props: { name: string; owned: boolean }) {
  const api = useApi(marketplaceApiRef);
  const changes = useAsyncRetry(
    () => api.listPriceChanges(props.name),
    [api, props.name],
  );
  const [open, setOpen] = useState(false);
  const value = changes.value;
  if (!value) {
    return null;
  }
  const coming = value.items.find(c => c.status === 'scheduled');
  if (!coming && !props.owned) {
    return null;
  }
  return (
    <Alert
      severity={coming ? 'info' : 'success'}
      icon={coming ? undefined : false}
      data-testid="price-change-notice"
      action={
        props.owned && !coming ? (
          <Button size="small" onClick={() => setOpen(true)}>
            Announce a price change
          </Button>
        ) : undefined
      }
    >
      {coming ? (
        <>
          <strong>
            New price from {formatDateTimeUtc(coming.effectiveAt)}:
          </strong>{' '}
          {per1k(coming.pricing)} (now {per1k(value.current)}).
        </>
      ) : (
        <>Price now: {per1k(value.current)}.</>
      )}
      <AnnounceDialog
        key={String(open)}
        open={open}
        name={props.name}
        current={value.current}
        noticeDays={value.noticeDays}
        onClose={() => setOpen(false)}
        onDone={() => {
          setOpen(false);
          changes.retry();
        }}
      />
    </Alert>
  );
}
