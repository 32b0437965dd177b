import { FormEvent, ReactNode, useMemo, useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import FormControl from '@mui/material/FormControl';
import FormControlLabel from '@mui/material/FormControlLabel';
import FormHelperText from '@mui/material/FormHelperText';
import FormLabel from '@mui/material/FormLabel';
import InputAdornment from '@mui/material/InputAdornment';
import MenuItem from '@mui/material/MenuItem';
import Radio from '@mui/material/Radio';
import RadioGroup from '@mui/material/RadioGroup';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import useAsync from 'react-use/esm/useAsync';
import { Link } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import {
  estimateMonthlyCost,
  formatMicros,
  ModelServiceEntityV1alpha1,
  ModelServicePricing,
  ModelServiceTrial,
  parseMicros,
  SubscribeResponse,
} from '@internal/plugin-marketplace-common';
import { errorMessage, errorStatus, marketplaceApiRef } from '../../api';
import { subscriptionsRouteRef } from '../../routes';
import {
  formatDateTimeUtc,
  formatInteger,
  formatTokenCount,
} from '../../format';
import { ExternalLink } from '../shared/ExternalLink';
import { Field } from '../shared/Field';
import { SecretKeyBox } from '../shared/SecretKeyBox';
import { VolumeTiersTable } from '../shared/VolumeTiersTable';
import { EndpointFields, SnippetTabs } from '../shared/SnippetTabs';

/** Calculator defaults: a small production workload. */
export const DEFAULT_REQUESTS_PER_MONTH = 10_000;
export const DEFAULT_AVG_PROMPT_TOKENS = 800;
export const DEFAULT_AVG_COMPLETION_TOKENS = 300;

/**
 * Value of the "Personal" billing option, sent as `teamRef: null`. Not empty
 * (MUI shows an empty Select for ''), and never an entity ref (no colon).
 */
const PERSONAL = 'personal';

type CapMode = 'none' | 'cap' | 'trial';

export type StartUsingDialogProps = {
  open: boolean;
  entity: ModelServiceEntityV1alpha1;
  onClose: () => void;
  /** Called once the subscription exists (the dialog then shows the key). */
  onSubscribed?: (response: SubscribeResponse) => void;
};

export function serviceTitle(entity: ModelServiceEntityV1alpha1): string {
  return entity.metadata.title ?? entity.metadata.name;
}

/**
 * "Start Using" a ModelService: first the offer (prices, trial, a monthly cost
 * calculator, billing team and spend cap), then, once subscribed, the API key
 * (shown once), the gateway endpoint and code snippets.
 */
export function StartUsingDialog(props: StartUsingDialogProps) {
  const { open, entity, onClose, onSubscribed } = props;
  const [issued, setIssued] = useState<SubscribeResponse>();

  const handleClose = (_event: unknown, reason?: string) => {
    // The key is shown only once: only "Done" closes the credentials phase.
    if (issued && (reason === 'backdropClick' || reason === 'escapeKeyDown')) {
      return;
    }
    onClose();
  };

  return (
    <Dialog
      open={open}
      onClose={handleClose}
      maxWidth="md"
      fullWidth
      scroll="paper"
      aria-labelledby="start-using-title"
      // Forget the secret once the dialog is gone.
      TransitionProps={{ onExited: () => setIssued(undefined) }}
    >
      {issued ? (
        <CredentialsPhase
          entity={entity}
          issued={issued}
          onDone={() => onClose()}
        />
      ) : (
        <OfferPhase
          entity={entity}
          onCancel={() => onClose()}
          onSubscribed={response => {
            setIssued(response);
            onSubscribed?.(response);
          }}
        />
      )}
    </Dialog>
  );
}

// ---------------------------------------------------------------- offer ----

function parseCount(value: string): { value?: number; error?: string } {
  const trimmed = value.trim();
  if (!/^\d+$/.test(trimmed)) {
    return { error: 'Enter a whole number (0 or more)' };
  }
  const n = Number(trimmed);
  if (!Number.isSafeInteger(n)) {
    return { error: 'This number is too large' };
  }
  return { value: n };
}

/** Parses the dollar amount of the spend cap into integer micro-USD, exactly. */
export function parseCapDollars(
  value: string,
  hasTrial: boolean,
): { micros?: number; error?: string } {
  const trimmed = value.trim().replace(/^\$\s*/, '');
  if (!trimmed) {
    return { error: 'Enter the monthly cap in dollars, e.g. 50 or 12.34' };
  }
  let micros: number;
  try {
    micros = parseMicros(trimmed);
  } catch {
    return {
      error:
        'Enter an amount in dollars like 50 or 12.34 (digits and at most 6 decimals)',
    };
  }
  if (micros <= 0) {
    return {
      error: hasTrial
        ? 'The cap must be more than $0. To use only the free trial, choose "Trial only".'
        : 'The cap must be more than $0',
    };
  }
  return { micros };
}

function PriceLine(props: { label: string; micros: number }) {
  return (
    <Field label={props.label}>{`${formatMicros(
      props.micros,
    )} / 1K tokens`}</Field>
  );
}

function OfferSection(props: { title: string; children: ReactNode }) {
  const id = `start-using-${props.title.toLowerCase().replace(/\W+/g, '-')}`;
  return (
    <Box component="section" aria-labelledby={id}>
      <Typography variant="subtitle1" component="h3" id={id} sx={{ mb: 1 }}>
        {props.title}
      </Typography>
      {props.children}
    </Box>
  );
}

function TrialOffer(props: { trial: ModelServiceTrial }) {
  const { trial } = props;
  return (
    <Stack spacing={0.5}>
      <Typography variant="body2">
        <strong>
          {formatInteger(trial.tokens)} free tokens (
          {formatTokenCount(trial.tokens)})
        </strong>{' '}
        (prompt + completion),{' '}
        {trial.durationDays
          ? `valid for ${trial.durationDays} day${
              trial.durationDays === 1 ? '' : 's'
            } after you first subscribe`
          : 'with no time limit'}
        . Trial tokens are used before anything is billed. The trial is granted
        once per person: subscribing again continues it where you left it.
      </Typography>
      {trial.limitations?.length ? (
        <>
          <Typography variant="body2">Limitations during the trial:</Typography>
          <Box component="ul" sx={{ m: 0, pl: 2.5 }}>
            {trial.limitations.map(l => (
              <Typography component="li" variant="body2" key={l}>
                {l}
              </Typography>
            ))}
          </Box>
        </>
      ) : null}
    </Stack>
  );
}

function EstimateValue(props: {
  label: string;
  testId: string;
  children: string;
}) {
  return (
    <Field label={props.label}>
      <span data-testid={props.testId}>{props.children}</span>
    </Field>
  );
}

function CostCalculator(props: {
  pricing: ModelServicePricing;
  trialTokens: number;
  values: { requests: string; prompt: string; completion: string };
  onChange: (values: {
    requests: string;
    prompt: string;
    completion: string;
  }) => void;
}) {
  const { pricing, trialTokens, values, onChange } = props;
  const requests = parseCount(values.requests);
  const prompt = parseCount(values.prompt);
  const completion = parseCount(values.completion);

  let estimate: ReturnType<typeof estimateMonthlyCost> | undefined;
  let tooLarge = false;
  if (
    requests.value !== undefined &&
    prompt.value !== undefined &&
    completion.value !== undefined
  ) {
    const total = requests.value * (prompt.value + completion.value);
    if (Number.isSafeInteger(total)) {
      estimate = estimateMonthlyCost(pricing, {
        requestsPerMonth: requests.value,
        avgPromptTokens: prompt.value,
        avgCompletionTokens: completion.value,
        trialTokens,
      });
      tooLarge = !Number.isSafeInteger(estimate.costMicros);
    } else {
      tooLarge = true;
    }
  }

  const input = (
    key: 'requests' | 'prompt' | 'completion',
    label: string,
    parsed: { error?: string },
  ) => (
    <TextField
      label={label}
      value={values[key]}
      onChange={e => onChange({ ...values, [key]: e.target.value })}
      error={!!parsed.error}
      helperText={parsed.error ?? ' '}
      size="small"
      inputProps={{ inputMode: 'numeric' }}
      fullWidth
    />
  );

  return (
    <Stack spacing={1.5}>
      <Box
        sx={{
          display: 'grid',
          gap: 2,
          gridTemplateColumns: { xs: '1fr', sm: 'repeat(3, minmax(0, 1fr))' },
        }}
      >
        {input('requests', 'Requests per month', requests)}
        {input('prompt', 'Average prompt tokens', prompt)}
        {input('completion', 'Average completion tokens', completion)}
      </Box>
      {estimate && !tooLarge ? (
        <Box
          role="group"
          aria-label="Monthly estimate"
          sx={{
            display: 'grid',
            gap: 2,
            gridTemplateColumns: {
              xs: 'repeat(2, minmax(0, 1fr))',
              sm: 'repeat(4, minmax(0, 1fr))',
            },
          }}
        >
          <EstimateValue label="Total tokens" testId="estimate-total-tokens">
            {formatInteger(estimate.totalTokens)}
          </EstimateValue>
          <EstimateValue
            label="Covered by the trial"
            testId="estimate-trial-tokens"
          >
            {formatInteger(estimate.trialTokens)}
          </EstimateValue>
          <EstimateValue
            label="Billable tokens"
            testId="estimate-billable-tokens"
          >
            {formatInteger(estimate.billableTokens)}
          </EstimateValue>
          <EstimateValue label="Estimated cost" testId="estimate-cost">
            {formatMicros(estimate.costMicros)}
          </EstimateValue>
        </Box>
      ) : (
        <Typography variant="body2" color="text.secondary">
          {tooLarge
            ? 'These numbers are too large to estimate.'
            : 'Fix the inputs above to see the estimate.'}
        </Typography>
      )}
      <Typography variant="caption" color="text.secondary">
        For one calendar month at the list prices above: requests are billed one
        by one,{' '}
        {trialTokens > 0 ? 'the free trial tokens are used first, ' : ''}
        and a volume tier applies once the month&apos;s tokens reach its
        threshold.
      </Typography>
    </Stack>
  );
}

function OfferPhase(props: {
  entity: ModelServiceEntityV1alpha1;
  onCancel: () => void;
  onSubscribed: (response: SubscribeResponse) => void;
}) {
  const { entity, onCancel, onSubscribed } = props;
  const api = useApi(marketplaceApiRef);
  const subscriptionsLink = useRouteRef(subscriptionsRouteRef);
  const { pricing, trial, lifecycle } = entity.spec;
  const title = serviceTitle(entity);
  const hasTrial = !!trial && trial.tokens > 0;

  const me = useAsync(() => api.getMe(), [api]);
  // Routes this service serves in: one key, fallback across providers.
  const routes = useAsync(async () => {
    const all = await api.listRoutes().catch(() => []);
    return all.filter(r =>
      r.members.some(m => m.name === entity.metadata.name),
    );
  }, [api, entity.metadata.name]);
  const [team, setTeam] = useState<string>();
  const teams = me.value?.teams ?? [];
  const selectedTeam = team ?? teams[0]?.ref ?? PERSONAL;

  const [calc, setCalc] = useState({
    requests: String(DEFAULT_REQUESTS_PER_MONTH),
    prompt: String(DEFAULT_AVG_PROMPT_TOKENS),
    completion: String(DEFAULT_AVG_COMPLETION_TOKENS),
  });

  const [capMode, setCapMode] = useState<CapMode>('none');
  const [capText, setCapText] = useState('');
  const [capTouched, setCapTouched] = useState(false);
  const cap = useMemo(
    () => parseCapDollars(capText, hasTrial),
    [capText, hasTrial],
  );
  const capError = capMode === 'cap' && capTouched ? cap.error : undefined;

  const [submitting, setSubmitting] = useState(false);
  const [submitError, setSubmitError] = useState<unknown>();

  const submit = async (event?: FormEvent) => {
    event?.preventDefault();
    setCapTouched(true);
    let spendCapMicros: number | null = null;
    if (capMode === 'trial') {
      spendCapMicros = 0;
    } else if (capMode === 'cap') {
      if (cap.micros === undefined) {
        return;
      }
      spendCapMicros = cap.micros;
    }
    setSubmitting(true);
    setSubmitError(undefined);
    try {
      const response = await api.subscribe(entity.metadata.name, {
        teamRef: selectedTeam === PERSONAL ? null : selectedTeam,
        spendCapMicros,
      });
      onSubscribed(response);
    } catch (e) {
      setSubmitError(e);
      setSubmitting(false);
    }
  };

  return (
    <>
      <DialogTitle id="start-using-title">Start using {title}</DialogTitle>
      <DialogContent dividers>
        <Box
          component="form"
          id="start-using-form"
          noValidate
          onSubmit={submit}
          aria-label={`Subscribe to ${title}`}
        >
          <Stack spacing={3}>
            {(routes.value ?? []).map(r => (
              <Alert severity="info" key={r.name} data-testid="route-notice">
                Also served through the route <code>{r.name}</code> with{' '}
                {r.members.length - 1} other provider
                {r.members.length === 2 ? '' : 's'}: one key, the{' '}
                {r.policy === 'price' ? 'cheapest' : r.policy} healthy member
                per request and fallback when one fails. Subscribe to it under
                Routes on the Marketplace page.
              </Alert>
            ))}
            {me.value?.suspension && (
              <Alert severity="error" data-testid="suspended-notice">
                Your marketplace account is suspended
                {me.value.suspension.reason
                  ? `: ${me.value.suspension.reason}`
                  : ''}
                . You cannot subscribe until a platform admin reinstates you.
              </Alert>
            )}
            {lifecycle === 'maintenance' && (
              <Alert severity="warning">
                This service is in maintenance: the gateway rejects its requests
                until it is back.
              </Alert>
            )}
            <OfferSection title="Price">
              <Stack spacing={1}>
                <Box
                  sx={{
                    display: 'grid',
                    gap: 2,
                    gridTemplateColumns: 'repeat(2, minmax(0, 1fr))',
                  }}
                >
                  <PriceLine
                    label="Prompt"
                    micros={pricing.promptPer1kMicros}
                  />
                  {entity.spec.features?.embeddings ? (
                    <Field label="Completion">
                      None: embeddings are priced by input
                    </Field>
                  ) : (
                    <PriceLine
                      label="Completion"
                      micros={pricing.completionPer1kMicros}
                    />
                  )}
                </Box>
                {pricing.tiers?.length ? (
                  <>
                    <Typography variant="body2" color="text.secondary">
                      Volume tiers: once a subscription has used a tier&apos;s
                      tokens in a calendar month, its prices apply to the rest
                      of that month.
                    </Typography>
                    <VolumeTiersTable pricing={pricing} />
                  </>
                ) : null}
              </Stack>
            </OfferSection>

            {hasTrial && trial && (
              <OfferSection title="Free trial">
                <TrialOffer trial={trial} />
              </OfferSection>
            )}

            <OfferSection title="Monthly cost calculator">
              <CostCalculator
                pricing={pricing}
                trialTokens={hasTrial && trial ? trial.tokens : 0}
                values={calc}
                onChange={setCalc}
              />
            </OfferSection>

            <OfferSection title="Billing">
              <Stack spacing={2}>
                {me.error && (
                  <Alert severity="warning">
                    Could not load the teams you can bill to:{' '}
                    {errorMessage(me.error)}. You can still subscribe
                    personally.
                  </Alert>
                )}
                <TextField
                  select
                  label="Bill to"
                  value={me.loading ? PERSONAL : selectedTeam}
                  onChange={e => setTeam(e.target.value)}
                  disabled={me.loading}
                  helperText={
                    me.loading
                      ? 'Loading your teams…'
                      : 'The team whose budget this usage is charged to'
                  }
                  size="small"
                  sx={{ maxWidth: 420 }}
                >
                  {teams.map(t => (
                    <MenuItem key={t.ref} value={t.ref}>
                      {t.title}
                    </MenuItem>
                  ))}
                  <MenuItem value={PERSONAL}>Personal</MenuItem>
                </TextField>

                <FormControl error={!!capError}>
                  <FormLabel id="spend-cap-label">Spend cap</FormLabel>
                  <RadioGroup
                    aria-labelledby="spend-cap-label"
                    value={capMode}
                    onChange={e => setCapMode(e.target.value as CapMode)}
                  >
                    <FormControlLabel
                      value="none"
                      control={<Radio />}
                      label="No cap"
                    />
                    <Stack direction="row" alignItems="center" spacing={1}>
                      <FormControlLabel
                        value="cap"
                        control={<Radio />}
                        label="Monthly cap of"
                        sx={{ mr: 0 }}
                      />
                      <TextField
                        value={capText}
                        onChange={e => {
                          setCapText(e.target.value);
                          setCapMode('cap');
                        }}
                        onFocus={() => setCapMode('cap')}
                        onBlur={() => setCapTouched(true)}
                        error={!!capError}
                        size="small"
                        placeholder="50.00"
                        inputProps={{
                          'aria-label': 'Monthly cap in US dollars',
                          inputMode: 'decimal',
                          'aria-describedby': capError
                            ? 'spend-cap-error'
                            : undefined,
                        }}
                        InputProps={{
                          startAdornment: (
                            <InputAdornment position="start">$</InputAdornment>
                          ),
                        }}
                        sx={{ width: 160 }}
                      />
                    </Stack>
                    {capError && (
                      <FormHelperText id="spend-cap-error" sx={{ ml: 4 }}>
                        {capError}
                      </FormHelperText>
                    )}
                    {hasTrial && (
                      <FormControlLabel
                        value="trial"
                        control={<Radio />}
                        label="Trial only (stop when the free tokens are used)"
                      />
                    )}
                  </RadioGroup>
                  {capMode === 'none' && (
                    <FormHelperText>
                      {hasTrial
                        ? 'Usage beyond the free trial is billed without a limit.'
                        : 'All usage is billed without a limit.'}
                    </FormHelperText>
                  )}
                </FormControl>
              </Stack>
            </OfferSection>

            {submitError !== undefined && (
              <Alert severity="error" role="alert">
                {errorStatus(submitError) === 409 ? (
                  <>
                    You already have an active subscription to {title}.{' '}
                    {subscriptionsLink && (
                      <Link to={subscriptionsLink()}>
                        Open My subscriptions
                      </Link>
                    )}
                  </>
                ) : (
                  <>Could not subscribe: {errorMessage(submitError)}</>
                )}
              </Alert>
            )}
          </Stack>
        </Box>
      </DialogContent>
      <DialogActions>
        <Button onClick={onCancel} disabled={submitting}>
          Cancel
        </Button>
        <Button
          type="submit"
          form="start-using-form"
          variant="contained"
          disabled={submitting || me.loading || !!me.value?.suspension}
          startIcon={
            submitting ? <CircularProgress size={16} color="inherit" /> : null
          }
        >
          Subscribe
        </Button>
      </DialogActions>
    </>
  );
}

// ---------------------------------------------------------- credentials ----

export function CredentialsPhase(props: {
  entity: ModelServiceEntityV1alpha1;
  issued: SubscribeResponse;
  onDone: () => void;
}) {
  const { entity, issued, onDone } = props;
  const subscriptionsLink = useRouteRef(subscriptionsRouteRef);
  const { subscription, apiKey, endpoint } = issued;
  const input = {
    baseUrl: endpoint.baseUrl,
    apiKey: apiKey.secret,
    model: endpoint.model,
  };
  const documentationUrl = entity.spec.support?.documentationUrl;
  const trialLeft =
    subscription.trialTokensGranted - subscription.trialTokensUsed;

  return (
    <>
      <DialogTitle id="start-using-title">
        You are subscribed to {serviceTitle(entity)}
      </DialogTitle>
      <DialogContent dividers>
        <Stack spacing={3}>
          <OfferSection title="Your API key">
            <SecretKeyBox secret={apiKey.secret} />
          </OfferSection>

          <OfferSection title="Endpoint">
            <EndpointFields baseUrl={endpoint.baseUrl} model={endpoint.model} />
            {trialLeft > 0 && (
              <Typography variant="body2" sx={{ mt: 1 }}>
                Your trial: {formatInteger(trialLeft)} free tokens
                {subscription.trialExpiresAt
                  ? ` until ${formatDateTimeUtc(subscription.trialExpiresAt)}`
                  : ''}
                .
              </Typography>
            )}
          </OfferSection>

          <OfferSection title="Try it">
            <SnippetTabs
              input={input}
              upstreamProtocol={entity.spec.endpoint?.protocol}
            />
          </OfferSection>

          <OfferSection title="Get started">
            <Box component="ol" sx={{ m: 0, pl: 3 }}>
              <Typography component="li" variant="body2" sx={{ mb: 1 }}>
                Store the key in your secret manager, or in the environment
                variable <code>OPENAI_API_KEY</code> that the OpenAI SDKs read.
                Never commit it.
              </Typography>
              <Typography component="li" variant="body2" sx={{ mb: 1 }}>
                Point your OpenAI SDK at the base URL{' '}
                <code>{endpoint.baseUrl}</code> and send{' '}
                <code>model: {endpoint.model}</code>.
              </Typography>
              <Typography component="li" variant="body2">
                Learn more:{' '}
                {documentationUrl && (
                  <>
                    <ExternalLink href={documentationUrl}>
                      View documentation
                    </ExternalLink>
                    {subscriptionsLink ? ' · ' : ''}
                  </>
                )}
                {subscriptionsLink && (
                  <Link to={subscriptionsLink()}>My subscriptions</Link>
                )}{' '}
                (requests, usage and keys).
              </Typography>
            </Box>
          </OfferSection>
        </Stack>
      </DialogContent>
      <DialogActions>
        <Button variant="contained" onClick={onDone}>
          Done
        </Button>
      </DialogActions>
    </>
  );
}
