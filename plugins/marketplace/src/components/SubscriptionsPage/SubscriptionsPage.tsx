import { useState } from 'react';
import Alert from '@mui/material/Alert';
import AlertTitle from '@mui/material/AlertTitle';
import Accordion from '@mui/material/Accordion';
import AccordionDetails from '@mui/material/AccordionDetails';
import AccordionSummary from '@mui/material/AccordionSummary';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import ExpandMoreIcon from '@mui/icons-material/ExpandMore';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { Link as RouterLink } from 'react-router-dom';
import {
  Content,
  ContentHeader,
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { SubscriptionWithKeys } from '@internal/plugin-marketplace-common';
import { marketplaceApiRef } from '../../api';
import { rootRouteRef } from '../../routes';
import { SubscriptionCard } from './SubscriptionCard';
import { formatDateTimeUtc } from '../../format';

/** Tells a suspended user why their keys stopped working. */
function SuspensionNotice() {
  const api = useApi(marketplaceApiRef);
  const me = useAsyncRetry(() => api.getMe(), [api]);
  const suspension = me.value?.suspension;
  if (!suspension) {
    return null;
  }
  return (
    <Alert severity="error" data-testid="suspension-notice">
      <AlertTitle>Your marketplace account is suspended</AlertTitle>
      Since {formatDateTimeUtc(suspension.suspendedAt)} your API keys do not
      work (the gateway answers 403) and you cannot subscribe. The platform
      admins gave this reason: <strong>{suspension.reason}</strong>. Contact
      them to be reinstated.
    </Alert>
  );
}
import { ConsumerUsageSection, StatementsSection } from '../Usage';
import { BudgetsSection } from '../Budgets';

function newestFirst(a: SubscriptionWithKeys, b: SubscriptionWithKeys): number {
  return Date.parse(b.createdAt) - Date.parse(a.createdAt);
}

function SubscriptionList(props: {
  subscriptions: SubscriptionWithKeys[];
  onChanged: () => void;
}) {
  return (
    <Stack spacing={2}>
      {[...props.subscriptions].sort(newestFirst).map(s => (
        <SubscriptionCard
          key={s.id}
          subscription={s}
          onChanged={props.onChanged}
        />
      ))}
    </Stack>
  );
}

/** Cancelled subscriptions, loaded when expanded. */
function CancelledSubscriptions(props: { reloadToken: number }) {
  const api = useApi(marketplaceApiRef);
  const [expanded, setExpanded] = useState(false);
  const cancelled = useAsyncRetry(
    async () =>
      expanded ? api.listSubscriptions({ status: 'cancelled' }) : undefined,
    [api, expanded, props.reloadToken],
  );

  let body;
  if (!expanded) {
    body = null;
  } else if (cancelled.loading && !cancelled.value) {
    body = <Progress />;
  } else if (cancelled.error) {
    body = <ResponseErrorPanel error={cancelled.error} />;
  } else if (!cancelled.value?.length) {
    body = (
      <Typography variant="body2" color="text.secondary">
        No cancelled subscriptions.
      </Typography>
    );
  } else {
    body = (
      <SubscriptionList
        subscriptions={cancelled.value}
        onChanged={() => cancelled.retry()}
      />
    );
  }

  return (
    <Accordion
      expanded={expanded}
      onChange={(_e, value) => setExpanded(value)}
      disableGutters
      variant="outlined"
    >
      <AccordionSummary expandIcon={<ExpandMoreIcon />}>
        <Typography>Cancelled subscriptions</Typography>
      </AccordionSummary>
      <AccordionDetails>{body}</AccordionDetails>
    </Accordion>
  );
}

/** The signed-in user's budgets (their ref from `GET /v1/me`). */
function MyBudgets(props: { reloadToken: number; onChanged: () => void }) {
  const api = useApi(marketplaceApiRef);
  const me = useAsyncRetry(() => api.getMe(), [api]);
  if (me.loading && !me.value) {
    return <Progress />;
  }
  if (me.error) {
    return <ResponseErrorPanel error={me.error} />;
  }
  return (
    <BudgetsSection
      userRef={me.value!.userRef}
      reloadToken={props.reloadToken}
      onChanged={props.onChanged}
    />
  );
}

/**
 * `/marketplace/subscriptions`: the signed-in user's subscriptions with their
 * keys, spend and recent requests. Active ones first; cancelled ones collapsed.
 */
export function SubscriptionsPage() {
  const api = useApi(marketplaceApiRef);
  const marketplaceLink = useRouteRef(rootRouteRef);
  const [reloadToken, setReloadToken] = useState(0);
  const active = useAsyncRetry(
    () => api.listSubscriptions({ status: 'active' }),
    [api, reloadToken],
  );
  const reload = () => setReloadToken(t => t + 1);

  let body;
  if (active.loading && !active.value) {
    body = <Progress />;
  } else if (active.error) {
    body = <ResponseErrorPanel error={active.error} />;
  } else if (!active.value?.length) {
    body = (
      <EmptyState
        missing="data"
        title="No subscriptions yet"
        description='Open a model service in the marketplace and click "Start Using" to get an API key.'
        action={
          marketplaceLink && (
            <Button
              variant="contained"
              component={RouterLink}
              to={marketplaceLink()}
            >
              Browse the marketplace
            </Button>
          )
        }
      />
    );
  } else {
    body = <SubscriptionList subscriptions={active.value} onChanged={reload} />;
  }

  return (
    <Content>
      <ContentHeader
        title="Subscriptions"
        description="Your model service subscriptions: API keys, trial, spend this month and the latest requests through the gateway; your usage over time and monthly statements."
      />
      <Stack spacing={3}>
        <SuspensionNotice />
        {body}
        <CancelledSubscriptions reloadToken={reloadToken} />
        <Stack
          component="section"
          aria-labelledby="budgets-heading"
          spacing={1}
        >
          <Typography variant="h5" component="h2" id="budgets-heading">
            Budgets
          </Typography>
          <Typography variant="body2" color="text.secondary">
            Monthly limits on what you, your teams and your subscriptions spend.
            Hard budgets stop paid requests once used up; every budget alerts
            you in your notifications at its thresholds.
          </Typography>
          <MyBudgets reloadToken={reloadToken} onChanged={reload} />
        </Stack>
        <Stack component="section" aria-labelledby="usage-heading" spacing={1}>
          <Typography variant="h5" component="h2" id="usage-heading">
            Usage
          </Typography>
          <ConsumerUsageSection emptyHint="Requests you make with your keys, or with Test API on a service's API tab, show up here at once." />
        </Stack>
        <Stack
          component="section"
          aria-labelledby="statements-heading"
          spacing={1}
        >
          <Typography variant="h5" component="h2" id="statements-heading">
            Statements
          </Typography>
          <StatementsSection />
        </Stack>
      </Stack>
    </Content>
  );
}
