import { useCallback, useEffect, useMemo, useState } from 'react';
import { useSearchParams } from 'react-router-dom';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Checkbox from '@mui/material/Checkbox';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormGroup from '@mui/material/FormGroup';
import FormLabel from '@mui/material/FormLabel';
import Grid from '@mui/material/Grid';
import InputAdornment from '@mui/material/InputAdornment';
import MenuItem from '@mui/material/MenuItem';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import useAsync from 'react-use/esm/useAsync';
import {
  Content,
  ContentHeader,
  Link,
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
import {
  FinderCard,
  marketplaceApiRef,
  RecommendationsResponse,
} from '../../api';
import {
  FEATURE_LABELS,
  formatInteger,
  formatPercent,
  formatTokenCount,
  INPUT_ONLY_LABEL,
  isInputOnly,
  regionLabel,
} from '../../format';
import { Money } from '../shared/Money';
import { NO_DATA, useEntityPath } from '../MarketplacePage/ServiceResults';
import {
  comparedFromParams,
  DEFAULT_VOLUME,
  finderQueryFromParams,
  MAX_COMPARED,
  NumberParam,
  withParam,
} from './finderParams';
import { ChosenService } from './ChosenService';

const COMMIT_DELAY_MS = 400;

const CONTEXT_CHOICES = [
  { value: '', label: 'Any' },
  { value: '8192', label: '8K or more' },
  { value: '32768', label: '32K or more' },
  { value: '128000', label: '128K or more' },
  { value: '200000', label: '200K or more' },
  { value: '1000000', label: '1M or more' },
];

/**
 * A number field bound to one query parameter; it writes to the URL a moment
 * after the user stops typing, so every state of the page is a shareable link.
 */
function ParamNumberField(props: {
  label: string;
  param: NumberParam;
  params: URLSearchParams;
  onCommit: (param: NumberParam, value: string | undefined) => void;
  placeholder?: string;
  unit?: string;
  helperText?: string;
  toParam?: (text: string) => string | undefined;
  fromParam?: (value: string) => string;
}) {
  const { label, param, params, onCommit, placeholder, unit, helperText } =
    props;
  const toParam = props.toParam ?? ((t: string) => t);
  const fromParam = props.fromParam ?? ((v: string) => v);
  const urlValue = params.get(param) ?? '';
  const [text, setText] = useState(urlValue ? fromParam(urlValue) : '');
  const [invalid, setInvalid] = useState<string | undefined>();

  useEffect(() => {
    const handle = setTimeout(() => {
      const trimmed = text.trim();
      if (trimmed === '') {
        setInvalid(undefined);
        if (urlValue !== '') onCommit(param, undefined);
        return;
      }
      const value = toParam(trimmed);
      if (value === undefined || !(Number(value) >= 0)) {
        setInvalid('Enter a number of 0 or more');
        return;
      }
      setInvalid(undefined);
      if (value !== urlValue) onCommit(param, value);
    }, COMMIT_DELAY_MS);
    return () => clearTimeout(handle);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [text]);

  return (
    <TextField
      size="small"
      fullWidth
      label={label}
      value={text}
      placeholder={placeholder}
      onChange={e => setText(e.target.value)}
      error={invalid !== undefined}
      helperText={invalid ?? helperText}
      inputProps={{ inputMode: 'decimal', 'aria-label': label }}
      InputProps={
        unit
          ? {
              endAdornment: (
                <InputAdornment position="end">{unit}</InputAdornment>
              ),
            }
          : undefined
      }
    />
  );
}

function CheckboxGroup<T extends string>(props: {
  label: string;
  values: readonly T[];
  selected: readonly T[] | undefined;
  labelOf: (value: T) => string;
  onChange: (values: T[]) => void;
}) {
  const { label, values, selected = [], labelOf, onChange } = props;
  return (
    <Box component="fieldset" sx={{ border: 0, p: 0, m: 0 }}>
      <FormLabel component="legend" sx={{ typography: 'subtitle2' }}>
        {label}
      </FormLabel>
      <FormGroup>
        {values.map(v => (
          <FormControlLabel
            key={v}
            control={
              <Checkbox
                size="small"
                checked={selected.includes(v)}
                onChange={(_e, checked) =>
                  onChange(
                    checked ? [...selected, v] : selected.filter(x => x !== v),
                  )
                }
              />
            }
            label={labelOf(v)}
          />
        ))}
      </FormGroup>
    </Box>
  );
}

function measured(value: number | null, format: (v: number) => string) {
  return value === null ? (
    <Typography component="span" variant="body2" color="text.secondary">
      {NO_DATA}
    </Typography>
  ) : (
    format(value)
  );
}

const ms = (v: number) => `${formatInteger(Math.round(v))} ms`;
const tps = (v: number) => `${v.toLocaleString('en-US')} tokens/s`;
const rating = (card: FinderCard) =>
  card.metrics.rating === null
    ? measured(null, String)
    : `${card.metrics.rating.toFixed(1)} (${card.metrics.reviewCount ?? 0})`;

/** TTFT p95, throughput and uptime in one cell; says so when none was measured. */
function MeasuredSummary(props: { card: FinderCard }) {
  const { timeToFirstTokenP95Ms, tokensPerSecond, uptimePercent } =
    props.card.metrics;
  const parts = [
    timeToFirstTokenP95Ms === null
      ? null
      : `TTFT p95 ${ms(timeToFirstTokenP95Ms)}`,
    tokensPerSecond === null ? null : tps(tokensPerSecond),
    uptimePercent === null ? null : `uptime ${formatPercent(uptimePercent)}`,
  ].filter((p): p is string => p !== null);
  if (parts.length === 0) {
    return measured(null, String);
  }
  return (
    <>
      {parts.map(p => (
        <Typography key={p} variant="body2" display="block">
          {p}
        </Typography>
      ))}
    </>
  );
}

type Match = RecommendationsResponse['matches'][number];

function CompareTable(props: { matches: Match[]; names: string[] }) {
  const compared = props.names
    .map(n => props.matches.find(m => m.service.name === n))
    .filter((m): m is Match => m !== undefined);
  if (compared.length < 2) {
    return null;
  }
  const rows: { label: string; cell: (m: Match) => React.ReactNode }[] = [
    { label: 'Provider', cell: m => m.service.provider.name },
    {
      label: 'Expected monthly cost',
      cell: m => <Money micros={m.expectedMonthlyCostMicros} />,
    },
    {
      label: 'Prompt / 1K tokens',
      cell: m => <Money micros={m.service.pricing.promptPer1kMicros} />,
    },
    {
      label: 'Completion / 1K tokens',
      cell: m =>
        isInputOnly(m.service.features) ? (
          INPUT_ONLY_LABEL
        ) : (
          <Money micros={m.service.pricing.completionPer1kMicros} />
        ),
    },
    {
      label: 'Blended / 1K tokens (3:1)',
      cell: m => <Money micros={m.blendedPer1kMicros} />,
    },
    {
      label: 'Context window',
      cell: m => formatTokenCount(m.service.contextWindow),
    },
    {
      label: 'Time to first token p95 (measured)',
      cell: m => measured(m.service.metrics.timeToFirstTokenP95Ms, ms),
    },
    {
      label: 'Latency p95 (measured)',
      cell: m => measured(m.service.metrics.latencyP95Ms, ms),
    },
    {
      label: 'Throughput (measured)',
      cell: m => measured(m.service.metrics.tokensPerSecond, tps),
    },
    {
      label: 'Uptime 30 days (measured)',
      cell: m => measured(m.service.metrics.uptimePercent, formatPercent),
    },
    { label: 'Rating', cell: m => rating(m.service) },
    { label: 'Region', cell: m => regionLabel(m.service.region) },
    {
      label: 'Compliance',
      cell: m => m.service.compliance.join(', ') || 'none stated',
    },
  ];
  return (
    <Paper variant="outlined" sx={{ mt: 3 }}>
      <Typography variant="h6" component="h2" sx={{ px: 2, pt: 2 }}>
        Side by side
      </Typography>
      <TableContainer>
        <Table size="small" aria-label="Comparison">
          <TableHead>
            <TableRow>
              <TableCell />
              {compared.map(m => (
                <TableCell key={m.service.name} scope="col">
                  {m.service.title}
                </TableCell>
              ))}
            </TableRow>
          </TableHead>
          <TableBody>
            {rows.map(row => (
              <TableRow key={row.label}>
                <TableCell component="th" scope="row">
                  {row.label}
                </TableCell>
                {compared.map(m => (
                  <TableCell key={m.service.name}>{row.cell(m)}</TableCell>
                ))}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
    </Paper>
  );
}

function Matches(props: {
  response: RecommendationsResponse;
  compared: string[];
  chosen: string | undefined;
  onCompare: (names: string[]) => void;
  onChoose: (name: string) => void;
}) {
  const { response, compared, chosen, onCompare, onChoose } = props;
  const entityPath = useEntityPath();
  if (response.matches.length === 0) {
    return (
      <Paper variant="outlined" sx={{ p: 2 }}>
        <Typography role="status">
          No service meets every need. The list below says what each one misses:
          loosen the need that excludes most of them.
        </Typography>
      </Paper>
    );
  }
  return (
    <Paper variant="outlined">
      <TableContainer>
        <Table
          size="small"
          aria-label="Services that meet your needs"
          sx={{ '& th, & td': { whiteSpace: 'nowrap' } }}
        >
          <TableHead>
            <TableRow>
              <TableCell padding="checkbox">Compare</TableCell>
              <TableCell>Service</TableCell>
              <TableCell align="right">Per month</TableCell>
              <TableCell align="right">Blended / 1K</TableCell>
              <TableCell>Measured</TableCell>
              <TableCell />
            </TableRow>
          </TableHead>
          <TableBody>
            {response.matches.map(m => {
              const { service } = m;
              const isCompared = compared.includes(service.name);
              return (
                <TableRow
                  key={service.name}
                  data-testid="finder-match"
                  selected={chosen === service.name}
                >
                  <TableCell padding="checkbox">
                    <Checkbox
                      size="small"
                      checked={isCompared}
                      disabled={!isCompared && compared.length >= MAX_COMPARED}
                      inputProps={{
                        'aria-label': `Compare ${service.title}`,
                      }}
                      onChange={(_e, checked) =>
                        onCompare(
                          checked
                            ? [...compared, service.name]
                            : compared.filter(n => n !== service.name),
                        )
                      }
                    />
                  </TableCell>
                  <TableCell
                    sx={{ whiteSpace: 'normal !important', minWidth: 180 }}
                  >
                    <Link to={entityPath(service)}>{service.title}</Link>
                    <Typography variant="caption" display="block">
                      {service.provider.name} · {regionLabel(service.region)} ·{' '}
                      {formatTokenCount(service.contextWindow)} context ·{' '}
                      {service.metrics.rating === null
                        ? 'no rating yet'
                        : `rated ${rating(service)}`}
                    </Typography>
                  </TableCell>
                  <TableCell align="right" data-testid="expected-cost">
                    <Money micros={m.expectedMonthlyCostMicros} />
                  </TableCell>
                  <TableCell align="right">
                    <Money micros={m.blendedPer1kMicros} />
                  </TableCell>
                  <TableCell>
                    <MeasuredSummary card={service} />
                  </TableCell>
                  <TableCell>
                    <Button
                      size="small"
                      variant={chosen === service.name ? 'contained' : 'text'}
                      aria-label={`Choose ${service.title}`}
                      onClick={() => onChoose(service.name)}
                    >
                      Choose
                    </Button>
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      </TableContainer>
    </Paper>
  );
}

function Excluded(props: { response: RecommendationsResponse }) {
  const { excluded } = props.response;
  const entityPath = useEntityPath();
  if (excluded.length === 0) {
    return null;
  }
  return (
    <Box component="section" aria-labelledby="finder-excluded" sx={{ mt: 3 }}>
      <Typography variant="h6" component="h2" id="finder-excluded">
        {`Excluded (${excluded.length})`}
      </Typography>
      <Typography variant="body2" color="text.secondary" sx={{ mb: 1 }}>
        Every need a service misses. Measured needs (time to first token,
        uptime) exclude services we have not measured yet.
      </Typography>
      <Paper variant="outlined">
        <Table size="small" aria-label="Excluded services">
          <TableBody>
            {excluded.map(x => (
              <TableRow key={x.service.name} data-testid="finder-excluded">
                <TableCell sx={{ width: '30%' }}>
                  <Link to={entityPath(x.service)}>{x.service.title}</Link>
                  <Typography variant="caption" display="block">
                    {x.service.provider.name}
                  </Typography>
                </TableCell>
                <TableCell>
                  <Box component="ul" sx={{ m: 0, pl: 2 }}>
                    {x.reasons.map(r => (
                      <li key={r.need}>{r.message}</li>
                    ))}
                  </Box>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </Paper>
    </Box>
  );
}

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
