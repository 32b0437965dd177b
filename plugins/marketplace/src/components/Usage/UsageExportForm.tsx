import { useState } from 'react';
import Button from '@mui/material/Button';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import DownloadIcon from '@mui/icons-material/Download';
import { toastApiRef, useApi } from '@backstage/frontend-plugin-api';
import { errorMessage, marketplaceApiRef, UsageExportQuery } from '../../api';
import { isoDay } from '../shared/dates';
import { saveFile } from '../shared/saveFile';

/** One "whose usage" choice of the form. */
export interface UsageExportOwner {
  label: string;
  query: Omit<UsageExportQuery, 'from' | 'to'>;
}

const MAX_DAYS = 400;

function firstOfMonth(now: number): string {
  return `${isoDay(now).slice(0, 7)}-01`;
}

/** Why a period cannot be exported, in the words of the form; undefined if it can. */
export function periodProblem(from: string, to: string): string | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(from)) {
    return 'Enter the first day as a date.';
  }
  if (!/^\d{4}-\d{2}-\d{2}$/.test(to)) {
    return 'Enter the last day as a date.';
  }
  const days =
    (Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) /
      86_400_000 +
    1;
  if (days < 1) {
    return 'The first day must not be after the last day.';
  }
  if (days > MAX_DAYS) {
    return `At most ${MAX_DAYS} days at once (this is ${days}).`;
  }
  return undefined;
}

/**
 * Downloads the usage of a period (`GET /v1/exports/usage`) as CSV or JSON:
 * per day and service, with the same sums as the statements.
 */
export function UsageExportForm(props: { owners: UsageExportOwner[] }) {
  const { owners } = props;
  const api = useApi(marketplaceApiRef);
  const toastApi = useApi(toastApiRef);
  const [owner, setOwner] = useState(0);
  const [from, setFrom] = useState(() => firstOfMonth(Date.now()));
  const [to, setTo] = useState(() => isoDay(Date.now()));
  const [busy, setBusy] = useState(false);
  const problem = periodProblem(from, to);
  const selected = owners[Math.min(owner, owners.length - 1)];

  const download = async (format: 'csv' | 'json') => {
    if (!selected || problem) {
      return;
    }
    setBusy(true);
    try {
      const file = await api.exportUsage(
        { ...selected.query, from, to },
        format,
      );
      saveFile(file.fileName, file.blob);
    } catch (e) {
      toastApi.post({
        title: `Could not export the usage: ${errorMessage(e)}`,
        status: 'danger',
      });
    } finally {
      setBusy(false);
    }
  };

  if (!selected) {
    return null;
  }
  return (
    <Stack
      component="form"
      aria-label="Export usage"
      spacing={1}
      onSubmit={e => {
        e.preventDefault();
        download('csv');
      }}
    >
      <Stack direction="row" spacing={2} useFlexGap flexWrap="wrap">
        {owners.length > 1 && (
          <TextField
            select
            size="small"
            label="Usage of"
            value={owner}
            onChange={e => setOwner(Number(e.target.value))}
            sx={{ minWidth: 240 }}
          >
            {owners.map((o, i) => (
              <MenuItem key={o.label} value={i}>
                {o.label}
              </MenuItem>
            ))}
          </TextField>
        )}
        <TextField
          size="small"
          type="date"
          label="From"
          value={from}
          onChange={e => setFrom(e.target.value)}
          InputLabelProps={{ shrink: true }}
          error={Boolean(problem)}
        />
        <TextField
          size="small"
          type="date"
          label="To"
          value={to}
          onChange={e => setTo(e.target.value)}
          InputLabelProps={{ shrink: true }}
          error={Boolean(problem)}
        />
        <Button
          type="submit"
          variant="outlined"
          startIcon={<DownloadIcon />}
          disabled={busy || Boolean(problem)}
        >
          Export CSV
        </Button>
        <Button
          variant="outlined"
          startIcon={<DownloadIcon />}
          disabled={busy || Boolean(problem)}
          onClick={() => download('json')}
        >
          Export JSON
        </Button>
      </Stack>
      <Typography
        variant="body2"
        color={problem ? 'error' : 'text.secondary'}
        role={problem ? 'alert' : undefined}
      >
        {problem ??
          `${selected.label}: per UTC day and service, the same sums as the statements (money in micro-USD and USD).`}
      </Typography>
    </Stack>
  );
}
