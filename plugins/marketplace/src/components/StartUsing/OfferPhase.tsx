import { FormEvent, useMemo, useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import useAsync from 'react-use/esm/useAsync';
import { Link } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import {
  formatMicros,
  ModelServiceEntityV1alpha1,
  ModelServiceTrial,
  SubscribeResponse,
} from '@internal/plugin-marketplace-common';
import { errorMessage, errorStatus, marketplaceApiRef } from '../../api';
import { subscriptionsRouteRef } from '../../routes';
import { formatInteger, formatTokenCount } from '../../format';
import { Field } from '../shared/Field';
import { VolumeTiersTable } from '../shared/VolumeTiersTable';
import {
  CostCalculator,
  DEFAULT_AVG_COMPLETION_TOKENS,
  DEFAULT_AVG_PROMPT_TOKENS,
  DEFAULT_REQUESTS_PER_MONTH,
} from './CostCalculator';
import { OfferSection, serviceTitle } from './OfferSection';
import { CapMode, parseCapDollars, SpendCapField } from './SpendCapField';

/**
 * Value of the "Personal" billing option, sent as `teamRef: null`. Not empty
 * (MUI shows an empty Select for ''), and never an entity ref (no colon).
 */
const PERSONAL = 'personal';

function PriceLine(props: { label: string; micros: number }) {
  return (
    <Field label={props.label}>{`${formatMicros(
      props.micros,
    )} / 1K tokens`}</Field>
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

/**
 * The offer of a service: prices, trial, a monthly cost calculator, billing
 * team and spend cap, and Subscribe.
 */
export function OfferPhase(props: {
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

                <SpendCapField
                  mode={capMode}
                  onModeChange={setCapMode}
                  text={capText}
                  onTextChange={setCapText}
                  onBlur={() => setCapTouched(true)}
                  error={capError}
                  hasTrial={hasTrial}
                />
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
