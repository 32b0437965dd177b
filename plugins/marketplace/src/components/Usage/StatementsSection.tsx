import { useState } from 'react';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import useAsync from 'react-use/esm/useAsync';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { toastApiRef, useApi } from '@backstage/frontend-plugin-api';
import { errorMessage, marketplaceApiRef } from '../../api';
import { saveFile } from '../shared/saveFile';
import { serviceNameOf, StatementsTable } from '../shared/StatementsTable';
import { UsageExportForm } from './UsageExportForm';

const ME = 'me';

/**
 * Monthly chargeback statements: the user's own (every request they made, and
 * who is charged for it) or a team's they belong to (every request charged to
 * it, per member and service), with the lines and a CSV per month.
 */
export function StatementsSection() {
  const api = useApi(marketplaceApiRef);
  const toastApi = useApi(toastApiRef);
  const me = useAsync(() => api.getMe(), [api]);
  // "me" or a group ref; MUI's select shows no label for an empty value.
  const [selected, setSelected] = useState(ME);
  const team = selected === ME ? '' : selected;
  const statements = useAsync(
    () => api.listStatements(team || undefined),
    [api, team],
  );

  const download = async (month: string) => {
    try {
      const file = await api.downloadStatementCsv({
        kind: 'consumer',
        month,
        team: team || undefined,
      });
      saveFile(file.fileName, file.blob);
    } catch (e) {
      toastApi.post({
        title: `Could not download the statement: ${errorMessage(e)}`,
        status: 'danger',
      });
    }
  };

  let body;
  if (statements.loading && !statements.value) {
    body = <Progress />;
  } else if (statements.error) {
    body = <ResponseErrorPanel error={statements.error} />;
  } else if (statements.value) {
    body = (
      <Stack spacing={1}>
        {statements.value.every(s => s.totals.requests === 0) && (
          <Typography variant="body2" color="text.secondary">
            {team
              ? 'Nothing was charged to this team yet: subscriptions billed to it appear here with their first request.'
              : 'No requests yet: subscribe to a service (Start Using) and call it, or try it with Test API.'}
          </Typography>
        )}
        <StatementsTable
          // Another owner's statements: details opened for the previous one
          // are closed, never shown with stale lines.
          key={selected}
          label="Statements"
          statements={statements.value}
          provider={false}
          loadLines={month => api.getStatement(month, team || undefined)}
          onDownload={download}
          titleOf={serviceNameOf}
        />
      </Stack>
    );
  }

  return (
    <Stack spacing={2}>
      <Stack direction="row" spacing={2} alignItems="center">
        <TextField
          select
          size="small"
          label="Statements of"
          value={selected}
          onChange={e => setSelected(e.target.value)}
          sx={{ minWidth: 260 }}
        >
          <MenuItem value={ME}>Me</MenuItem>
          {(me.value?.teams ?? []).map(t => (
            <MenuItem key={t.ref} value={t.ref}>
              {t.title} (team chargeback)
            </MenuItem>
          ))}
        </TextField>
        <Typography variant="body2" color="text.secondary">
          Per calendar month (UTC); open until the month ends.
        </Typography>
      </Stack>
      {body}
      <Typography variant="h6" component="h3">
        Export usage
      </Typography>
      <UsageExportForm
        owners={[
          { label: 'Me', query: { scope: 'user' } },
          ...(me.value?.teams ?? []).map(t => ({
            label: `${t.title} (billed to the team)`,
            query: { scope: 'team' as const, team: t.ref },
          })),
        ]}
      />
    </Stack>
  );
}
