import { ReactNode, useRef, useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import FormControlLabel from '@mui/material/FormControlLabel';
import Grid from '@mui/material/Grid';
import Slider from '@mui/material/Slider';
import Stack from '@mui/material/Stack';
import Switch from '@mui/material/Switch';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  discoveryApiRef,
  fetchApiRef,
  useApi,
} from '@backstage/frontend-plugin-api';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import {
  ModelServiceEntityV1alpha1,
  UsageRecord,
} from '@internal/plugin-marketplace-common';
import { marketplaceApiRef } from '../../api';
import { StartUsingButton } from '../StartUsing';
import { NewKeyButton } from '../shared/NewKeyButton';
import MenuItem from '@mui/material/MenuItem';
import {
  fetchUsage,
  runTest,
  TEST_PROTOCOL_LABELS,
  testProtocolsOf,
  TestApiError,
  TestOutcome,
  TestProtocol,
} from './testApiClient';
import { Money } from '../shared/Money';

/** A label of the request details list. */
function Term(props: { children: ReactNode }) {
  return (
    <Typography component="dt" variant="body2" color="text.secondary">
      {props.children}
    </Typography>
  );
}

/** A value of the request details list. */
function Detail(props: { children: ReactNode; monospace?: boolean }) {
  return (
    <Typography
      component="dd"
      variant="body2"
      sx={{ m: 0, ...(props.monospace ? { fontFamily: 'monospace' } : {}) }}
    >
      {props.children}
    </Typography>
  );
}

/**
 * Test API: a small chat playground that calls the gateway on the signed-in user's
 * own subscription (trial or paid) through the backend, so no key is pasted. The
 * numbers shown after an answer come from the ledger row of that request.
 */
export function TestApiPanel(props: { entity: ModelServiceEntityV1alpha1 }) {
  const { entity } = props;
  const name = entity.metadata.name;
  const api = useApi(marketplaceApiRef);
  const discoveryApi = useApi(discoveryApiRef);
  const fetchApi = useApi(fetchApiRef);
  const detail = useAsyncRetry(() => api.getService(name), [api, name]);

  const [system, setSystem] = useState('You are a helpful assistant.');
  const [prompt, setPrompt] = useState('');
  const [temperature, setTemperature] = useState(0.7);
  const [maxTokens, setMaxTokens] = useState(
    Math.min(256, entity.spec.maxOutputTokens),
  );
  const [stream, setStream] = useState(
    entity.spec.features.streaming !== false,
  );
  const protocols = testProtocolsOf(entity.spec.endpoint?.protocol);
  const [protocol, setProtocol] = useState<TestProtocol>(protocols[0]);
  const embeddings = protocol === 'embeddings';
  const [answer, setAnswer] = useState('');
  const [outcome, setOutcome] = useState<TestOutcome>();
  const [usage, setUsage] = useState<UsageRecord>();
  const [error, setError] = useState<TestApiError | Error>();
  const [running, setRunning] = useState(false);
  const abort = useRef<AbortController>();

  if (detail.loading) {
    return <Progress />;
  }
  if (detail.error) {
    return <ResponseErrorPanel error={detail.error} />;
  }
  const subscription = detail.value?.subscription ?? null;

  if (!subscription) {
    return (
      <InfoCard title="Test API">
        <Stack spacing={2} alignItems="flex-start">
          <Typography>
            The playground calls {entity.metadata.title ?? name} on your own
            subscription, so every test is metered like any request.{' '}
            {entity.spec.trial
              ? `Subscribe to start the free trial (${entity.spec.trial.tokens.toLocaleString(
                  'en-US',
                )} tokens) and test it here.`
              : 'You have no subscription to this service yet.'}
          </Typography>
          <StartUsingButton entity={entity} onClosed={detail.retry} />
        </Stack>
      </InfoCard>
    );
  }

  const maxTokensValid =
    Number.isInteger(maxTokens) &&
    maxTokens >= 1 &&
    maxTokens <= entity.spec.maxOutputTokens;

  const send = async () => {
    setRunning(true);
    setError(undefined);
    setAnswer('');
    setOutcome(undefined);
    setUsage(undefined);
    abort.current = new AbortController();
    try {
      const baseUrl = await discoveryApi.getBaseUrl('marketplace');
      const result = await runTest(
        (input, init) => fetchApi.fetch(input, init),
        baseUrl,
        name,
        {
          messages: [
            ...(system.trim()
              ? [{ role: 'system' as const, content: system }]
              : []),
            { role: 'user' as const, content: prompt },
          ],
          temperature,
          max_tokens: maxTokens,
          stream,
        },
        setAnswer,
        abort.current.signal,
        protocol,
      );
      setOutcome(result);
      if (result.requestId) {
        setUsage(
          await fetchUsage(
            (i, init) => fetchApi.fetch(i, init),
            baseUrl,
            result.requestId,
          ),
        );
      }
    } catch (e) {
      if ((e as Error).name !== 'AbortError') {
        setError(e as Error);
      }
    } finally {
      setRunning(false);
    }
  };

  return (
    <InfoCard
      title="Test API"
      subheader={`On your subscription to ${name}; every test is metered.`}
    >
      <Grid container spacing={3}>
        <Grid item xs={12} md={5}>
          <Stack spacing={2}>
            <TextField
              select
              label="API"
              value={protocol}
              onChange={e => setProtocol(e.target.value as TestProtocol)}
              helperText="The gateway route the test is sent through"
              inputProps={{ 'data-testid': 'test-api-protocol' }}
            >
              {protocols.map(p => (
                <MenuItem key={p} value={p}>
                  {TEST_PROTOCOL_LABELS[p]}
                </MenuItem>
              ))}
            </TextField>
            {!embeddings && (
              <TextField
                label="System prompt"
                value={system}
                onChange={e => setSystem(e.target.value)}
                multiline
                minRows={2}
              />
            )}
            <TextField
              label={embeddings ? 'Text to embed' : 'Message'}
              value={prompt}
              onChange={e => setPrompt(e.target.value)}
              multiline
              minRows={3}
              required
            />
            {!embeddings && (
              <>
                <Box>
                  <Typography id="temperature-label" variant="body2">
                    Temperature: {temperature.toFixed(1)}
                  </Typography>
                  <Slider
                    aria-labelledby="temperature-label"
                    min={0}
                    max={2}
                    step={0.1}
                    value={temperature}
                    onChange={(_e, v) => setTemperature(v as number)}
                  />
                </Box>
                <TextField
                  label="Max tokens"
                  type="number"
                  value={Number.isNaN(maxTokens) ? '' : maxTokens}
                  onChange={e => setMaxTokens(parseInt(e.target.value, 10))}
                  error={!maxTokensValid}
                  helperText={
                    maxTokensValid
                      ? `Up to ${entity.spec.maxOutputTokens.toLocaleString(
                          'en-US',
                        )} for this model`
                      : `Enter a whole number from 1 to ${entity.spec.maxOutputTokens.toLocaleString(
                          'en-US',
                        )}`
                  }
                />
                <FormControlLabel
                  control={
                    <Switch
                      checked={stream}
                      onChange={e => setStream(e.target.checked)}
                    />
                  }
                  label="Stream the answer"
                />
              </>
            )}
            <Stack direction="row" spacing={1}>
              <Button
                variant="contained"
                onClick={send}
                disabled={
                  running || !prompt.trim() || (!embeddings && !maxTokensValid)
                }
              >
                {running ? 'Running…' : 'Send'}
              </Button>
              {running && (
                <Button onClick={() => abort.current?.abort()}>Stop</Button>
              )}
            </Stack>
          </Stack>
        </Grid>
        <Grid item xs={12} md={7}>
          <Stack spacing={2}>
            {error && (
              <Alert
                severity="error"
                action={
                  error instanceof TestApiError &&
                  error.code === 'no_active_key' ? (
                    <NewKeyButton
                      subscriptionId={subscription.id}
                      onCreated={() => setError(undefined)}
                      size="small"
                    />
                  ) : undefined
                }
              >
                {error.message}
                {error instanceof TestApiError && error.code
                  ? ` (${error.code})`
                  : ''}
              </Alert>
            )}
            <Box
              aria-label="Answer"
              role="log"
              sx={{
                minHeight: 160,
                p: 2,
                borderRadius: 1,
                bgcolor: 'action.hover',
                whiteSpace: 'pre-wrap',
                fontFamily: 'monospace',
              }}
            >
              {answer || (
                <Typography color="text.secondary">
                  The answer appears here{stream ? ' as it streams' : ''}.
                </Typography>
              )}
            </Box>
            {outcome && (
              <Box
                component="dl"
                aria-label="Request details"
                sx={{
                  m: 0,
                  display: 'grid',
                  gridTemplateColumns: 'auto 1fr',
                  columnGap: 2,
                  rowGap: 0.5,
                }}
              >
                <Term>Request</Term>
                <Detail monospace>{outcome.requestId ?? '—'}</Detail>
                <Term>Tokens</Term>
                <Detail>
                  {usage
                    ? `${usage.promptTokens} prompt + ${
                        usage.completionTokens
                      } completion${
                        usage.trialTokens
                          ? ` (${usage.trialTokens} from the trial)`
                          : ''
                      }`
                    : `${outcome.promptTokens ?? '—'} prompt + ${
                        outcome.completionTokens ?? '—'
                      } completion`}
                </Detail>
                <Term>Cost</Term>
                <Detail>
                  {usage ? <Money micros={usage.costMicros} /> : '—'}
                </Detail>
                <Term>Latency</Term>
                <Detail>
                  {`${outcome.totalMs} ms in the browser`}
                  {usage?.upstreamLatencyMs !== null &&
                  usage?.upstreamLatencyMs !== undefined
                    ? `, ${usage.upstreamLatencyMs} ms upstream`
                    : ''}
                  {outcome.firstTokenMs !== null
                    ? `, first token after ${outcome.firstTokenMs} ms`
                    : ''}
                </Detail>
                <Term>Finish</Term>
                <Detail>{outcome.finishReason ?? '—'}</Detail>
              </Box>
            )}
          </Stack>
        </Grid>
      </Grid>
    </InfoCard>
  );
}
