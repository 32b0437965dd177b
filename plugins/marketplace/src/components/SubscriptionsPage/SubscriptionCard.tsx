import { useState } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Chip from '@mui/material/Chip';
import Divider from '@mui/material/Divider';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { parseEntityRef } from '@backstage/catalog-model';
import { toastApiRef, useApi } from '@backstage/frontend-plugin-api';
import { EntityRefLink } from '@backstage/plugin-catalog-react';
import {
  isRouteRef,
  MODEL_SERVICE_KIND,
  SubscriptionWithKeys,
} from '@internal/plugin-marketplace-common';
import { errorMessage, marketplaceApiRef } from '../../api';
import { BudgetLeftField } from '../Budgets';
import { formatDateTimeUtc } from '../../format';
import { UnsubscribeDialog } from '../shared/UnsubscribeDialog';
import { Field } from '../shared/Field';
import { RefLink } from '../shared/RefLink';
import { KeysTable } from './KeysTable';
import { RecentRequests } from './RecentRequests';
import { SpendField, TrialField } from '../shared/SubscriptionFields';

/** The service's name: the path parameter of `/v1/services/:name`. */
function serviceName(subscription: SubscriptionWithKeys): string {
  try {
    return parseEntityRef(subscription.serviceRef, {
      defaultKind: MODEL_SERVICE_KIND,
    }).name;
  } catch {
    return subscription.model;
  }
}

/**
 * One subscription: service, team, trial and spend, endpoint, keys (Rotate,
 * Revoke), "Unsubscribe" and its recent requests.
 */
export function SubscriptionCard(props: {
  subscription: SubscriptionWithKeys;
  /** Called after a change, to reload the subscriptions. */
  onChanged: () => void;
}) {
  const { subscription, onChanged } = props;
  const api = useApi(marketplaceApiRef);
  const toastApi = useApi(toastApiRef);
  const [confirming, setConfirming] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const active = subscription.status === 'active';
  const title = subscription.serviceTitle ?? subscription.model;
  const route = isRouteRef(subscription.serviceRef);
  const headingId = `subscription-${subscription.id}`;

  const unsubscribe = async () => {
    setCancelling(true);
    try {
      await (route
        ? api.unsubscribeRoute(subscription.model)
        : api.unsubscribe(serviceName(subscription)));
      setConfirming(false);
      toastApi.post({
        title: `Unsubscribed from ${title}. Its API keys are revoked.`,
        status: 'success',
        timeout: 5000,
      });
      onChanged();
    } catch (e) {
      toastApi.post({
        title: `Could not unsubscribe from ${title}: ${errorMessage(e)}`,
        status: 'danger',
      });
    } finally {
      setCancelling(false);
    }
  };

  return (
    <Card
      component="section"
      aria-labelledby={headingId}
      variant="outlined"
      data-subscription-id={subscription.id}
    >
      <CardContent>
        <Stack spacing={2}>
          <Stack
            direction="row"
            alignItems="flex-start"
            justifyContent="space-between"
            spacing={2}
          >
            <Box>
              <Typography variant="h6" component="h3" id={headingId}>
                {route ? (
                  title
                ) : (
                  <EntityRefLink
                    entityRef={subscription.serviceRef}
                    defaultKind={MODEL_SERVICE_KIND}
                    hideIcon
                  >
                    {title}
                  </EntityRefLink>
                )}
              </Typography>
              {route && (
                <Typography variant="body2" color="text.secondary">
                  Route: each request goes to one of its services and is billed
                  at that service's price.
                </Typography>
              )}
              <Typography variant="body2" color="text.secondary">
                Model{' '}
                <Box component="code" sx={{ fontFamily: 'monospace' }}>
                  {subscription.model}
                </Box>
              </Typography>
            </Box>
            <Stack direction="row" spacing={1} alignItems="center">
              <Chip
                size="small"
                label={subscription.status}
                color={active ? 'success' : 'default'}
                variant="outlined"
              />
              {active && (
                <Button
                  color="error"
                  variant="outlined"
                  size="small"
                  onClick={() => setConfirming(true)}
                >
                  Unsubscribe
                </Button>
              )}
            </Stack>
          </Stack>

          <Box
            sx={{
              display: 'grid',
              gap: 2,
              gridTemplateColumns: {
                xs: '1fr',
                sm: 'repeat(2, minmax(0, 1fr))',
                lg: 'repeat(5, minmax(0, 1fr))',
              },
            }}
          >
            <Field label="Billed to">
              {subscription.teamRef ? (
                <RefLink entityRef={subscription.teamRef} defaultKind="Group" />
              ) : (
                'Personal'
              )}
            </Field>
            <TrialField subscription={subscription} />
            <SpendField subscription={subscription} />
            {active && <BudgetLeftField subscriptionId={subscription.id} />}
            <Field label={active ? 'Subscribed' : 'Cancelled'}>
              {formatDateTimeUtc(
                active
                  ? subscription.createdAt
                  : subscription.cancelledAt ?? subscription.createdAt,
              )}
            </Field>
            <Box sx={{ gridColumn: '1 / -1' }}>
              <Field label="Endpoint (OpenAI-compatible base URL)">
                <Box
                  component="code"
                  sx={{ fontFamily: 'monospace', wordBreak: 'break-all' }}
                >
                  {subscription.endpoint.baseUrl}
                </Box>
              </Field>
            </Box>
          </Box>

          <Divider />
          <Stack spacing={1}>
            <Typography variant="subtitle1" component="h4">
              API keys
            </Typography>
            <KeysTable
              subscriptionId={subscription.id}
              keys={subscription.keys}
              readOnly={!active}
              onChanged={onChanged}
            />
          </Stack>

          <Divider />
          <RecentRequests
            subscriptionId={subscription.id}
            endpoint={subscription.endpoint}
          />
        </Stack>
      </CardContent>

      <UnsubscribeDialog
        open={confirming}
        title={title}
        busy={cancelling}
        onConfirm={unsubscribe}
        onCancel={() => setConfirming(false)}
      />
    </Card>
  );
}
