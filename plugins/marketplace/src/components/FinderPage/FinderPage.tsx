import { useCallback, useMemo } from 'react';
import { useSearchParams } from 'react-router-dom';
import Grid from '@mui/material/Grid';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import useAsync from 'react-use/esm/useAsync';
import {
  Content,
  ContentHeader,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  COMPLIANCE_CERTIFICATIONS,
  GEO_REGIONS,
  MODEL_FEATURES,
  parseMicros,
} from '@internal/plugin-marketplace-common';
import { marketplaceApiRef } from '../../api';
import { FEATURE_LABELS, formatInteger, regionLabel } from '../../format';
import {
  comparedFromParams,
  DEFAULT_VOLUME,
  finderQueryFromParams,
  NumberParam,
  withParam,
} from './finderParams';
import { ChosenService } from './ChosenService';
import { CompareTable } from './CompareTable';
import { CheckboxGroup, ParamNumberField } from './FinderFields';
import { Excluded, Matches } from './FinderResults';

const CONTEXT_CHOICES = [
  { value: '', label: 'Any' },
  { value: '8192', label: '8K or more' },
  { value: '32768', label: '32K or more' },
  { value: '128000', label: '128K or more' },
  { value: '200000', label: '200K or more' },
  { value: '1000000', label: '1M or more' },
];

/**
 * The model finder at `/marketplace/finder`: the user states needs and a
 * monthly volume; services meeting every need are ranked by expected monthly
 * cost, excluded ones say why, up to four are compared side by side, and the
 * chosen one comes with a ready snippet. The whole state is in the URL.
 */
export function FinderPage() {
  const marketplaceApi = useApi(marketplaceApiRef);
  const [params, setParams] = useSearchParams();
  const query = useMemo(() => finderQueryFromParams(params), [params]);
  const queryKey = JSON.stringify(query);
  const compared = comparedFromParams(params);
  const chosen = params.get('choose') ?? undefined;

  const { value, loading, error } = useAsync(
    () => marketplaceApi.getRecommendations(query),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [marketplaceApi, queryKey],
  );

  const set = useCallback(
    (key: string, v: string | string[] | undefined) =>
      setParams(prev => withParam(prev, key, v), { replace: true }),
    [setParams],
  );
  const commit = useCallback(
    (param: NumberParam, v: string | undefined) => set(param, v),
    [set],
  );

  const chosenMatch = value?.matches.find(m => m.service.name === chosen);

  return (
    <Content>
      <ContentHeader
        title="Find a model for your needs"
        description="State what you need and how much you will use it: the services that meet every need, cheapest first at your volume. Copy the address to share it."
      />
      <Grid container spacing={3}>
        <Grid item xs={12} md={4} lg={3}>
          <Paper
            variant="outlined"
            sx={{ p: 2 }}
            component="form"
            aria-label="Needs"
            onSubmit={e => e.preventDefault()}
          >
            <Stack spacing={2}>
              <Typography variant="subtitle1" component="h2">
                Expected volume per month
              </Typography>
              <ParamNumberField
                label="Requests per month"
                param="requestsPerMonth"
                params={params}
                onCommit={commit}
                placeholder={formatInteger(DEFAULT_VOLUME.requestsPerMonth)}
              />
              <ParamNumberField
                label="Prompt tokens / request"
                param="avgPromptTokens"
                params={params}
                onCommit={commit}
                placeholder={String(DEFAULT_VOLUME.avgPromptTokens)}
              />
              <ParamNumberField
                label="Completion tokens / request"
                param="avgCompletionTokens"
                params={params}
                onCommit={commit}
                placeholder={String(DEFAULT_VOLUME.avgCompletionTokens)}
              />
              <Typography variant="subtitle1" component="h2">
                Needs
              </Typography>
              <TextField
                select
                size="small"
                label="Context window"
                value={params.get('minContext') ?? ''}
                onChange={e => set('minContext', e.target.value || undefined)}
              >
                {CONTEXT_CHOICES.map(c => (
                  <MenuItem key={c.value} value={c.value}>
                    {c.label}
                  </MenuItem>
                ))}
              </TextField>
              <CheckboxGroup
                label="Features"
                values={MODEL_FEATURES.filter(f => f !== 'fineTuned')}
                selected={query.feature}
                labelOf={f => FEATURE_LABELS[f]}
                onChange={v => set('feature', v)}
              />
              <ParamNumberField
                label="Max price / 1K"
                param="maxBlendedPer1kMicros"
                params={params}
                onCommit={commit}
                unit="USD"
                helperText="Blended: 3 prompt to 1 completion tokens"
                toParam={t => {
                  try {
                    return String(parseMicros(t.replace(/^\$/, '')));
                  } catch {
                    return undefined;
                  }
                }}
                fromParam={v => String(Number(v) / 1_000_000)}
              />
              <ParamNumberField
                label="Max TTFT"
                param="maxTtftMs"
                params={params}
                onCommit={commit}
                unit="ms"
                helperText="Measured p95 time to first token"
              />
              <ParamNumberField
                label="Min uptime"
                param="minUptime"
                params={params}
                onCommit={commit}
                unit="%"
                helperText="Measured over 30 days"
              />
              <CheckboxGroup
                label="Regions (any of)"
                values={GEO_REGIONS}
                selected={query.region}
                labelOf={regionLabel}
                onChange={v => set('region', v)}
              />
              <TextField
                select
                size="small"
                label="Compliance (all of)"
                SelectProps={{
                  multiple: true,
                  value: query.compliance ?? [],
                  onChange: e => {
                    const v = e.target.value;
                    set(
                      'compliance',
                      typeof v === 'string' ? [v] : [...(v as string[])],
                    );
                  },
                }}
              >
                {COMPLIANCE_CERTIFICATIONS.map(c => (
                  <MenuItem key={c} value={c}>
                    {c}
                  </MenuItem>
                ))}
              </TextField>
            </Stack>
          </Paper>
        </Grid>
        <Grid item xs={12} md={8} lg={9}>
          {loading && !value && <Progress />}
          {error && <ResponseErrorPanel error={error} />}
          {value && !error && (
            <>
              <Typography
                role="status"
                data-testid="finder-count"
                variant="body2"
                color="text.secondary"
                sx={{ mb: 1 }}
              >
                {`${value.matches.length} of ${
                  value.matches.length + value.excluded.length
                } services meet every need · ${formatInteger(
                  value.needs.requestsPerMonth,
                )} requests of ${formatInteger(
                  value.needs.avgPromptTokens,
                )} + ${formatInteger(
                  value.needs.avgCompletionTokens,
                )} tokens a month`}
              </Typography>
              <Matches
                response={value}
                compared={compared}
                chosen={chosen}
                onCompare={names => set('compare', names)}
                onChoose={name => set('choose', name)}
              />
              {chosenMatch && <ChosenService card={chosenMatch.service} />}
              <CompareTable matches={value.matches} names={compared} />
              <Excluded response={value} />
            </>
          )}
        </Grid>
      </Grid>
    </Content>
  );
}
