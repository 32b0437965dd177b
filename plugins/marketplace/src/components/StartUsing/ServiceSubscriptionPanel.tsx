import { useState } from 'react';
import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import LinearProgress from '@mui/material/LinearProgress';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import CheckCircleIcon from '@mui/icons-material/CheckCircle';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { Link } from '@backstage/core-components';
import {
  toastApiRef,
  useApi,
  useRouteRef,
} from '@backstage/frontend-plugin-api';
import {
  formatMicros,
  ModelServiceEntityV1alpha1,
} from '@internal/plugin-marketplace-common';
import { errorMessage, marketplaceApiRef } from '../../api';
import { subscriptionsRouteRef } from '../../routes';
import { formatDate, formatInteger, formatTokenCount } from '../../format';
import { UnsubscribeDialog } from '../shared/UnsubscribeDialog';
import { RefLink } from '../shared/RefLink';
import { deprecationReason, StartUsingButton } from './StartUsingButton';
import { serviceTitle } from './OfferSection';
import { isLive, PublicationBanner } from '../Publishing';
import { Money } from '../shared/Money';
import { RetirementNotice } from './RetirementNotice';
import { SubscriptionAllowance } from '../Budgets';
import { PriceChangeNotice } from '../PriceChanges';

/**
 * The top of the ModelService card: "Start Using" for services the user does not
 * subscribe to yet, else "Subscribed" with a link to My subscriptions and
 * "Unsubscribe".
 */
export function ServiceSubscriptionPanel(props: {
  entity: ModelServiceEntityV1alpha1;
}) {
  const { entity } = props;
  const name = entity.metadata.name;
  const title = serviceTitle(entity);
  const api = useApi(marketplaceApiRef);
  const toastApi = useApi(toastApiRef);
  const subscriptionsLink = useRouteRef(subscriptionsRouteRef);
  const detail = useAsyncRetry(() => api.getService(name), [api, name]);
  const [confirming, setConfirming] = useState(false);
  const [cancelling, setCancelling] = useState(false);

  const unsubscribe = async () => {
    setCancelling(true);
    try {
      await api.unsubscribe(name);
      toastApi.post({
        title: `Unsubscribed from ${title}. Its API keys are revoked.`,
        status: 'success',
        timeout: 5000,
      });
      setConfirming(false);
      detail.retry();
    } catch (e) {
      toastApi.post({
        title: `Could not unsubscribe from ${title}: ${errorMessage(e)}`,
        status: 'danger',
      });
    } finally {
      setCancelling(false);
    }
  };

  const subscription = detail.value?.subscription;
  const publication = detail.value?.publication;
  const { trial, pricing } = entity.spec;

  let body;
  if (detail.value && !subscription && !isLive(publication)) {
    // Pending, rejected or unpublished: nothing to subscribe to; say why.
    return <PublicationBanner publication={publication} />;
  } else if (detail.loading && !detail.value) {
    body = <LinearProgress aria-label="Loading your subscription" />;
  } else if (subscription) {
    body = (
      <Stack
        direction={{ xs: 'column', sm: 'row' }}
        spacing={2}
        alignItems={{ xs: 'flex-start', sm: 'center' }}
        justifyContent="space-between"
      >
        <Stack spacing={0.5}>
          <Stack direction="row" spacing={1} alignItems="center">
            <Chip
              icon={<CheckCircleIcon />}
              label="Subscribed"
              color="success"
              variant="outlined"
            />
            {subscriptionsLink && (
              <Link to={subscriptionsLink()}>My subscriptions</Link>
            )}
          </Stack>
          <Typography variant="body2" color="text.secondary">
            Since {formatDate(subscription.createdAt)} · billed to{' '}
            {subscription.teamRef ? (
              <RefLink entityRef={subscription.teamRef} defaultKind="Group" />
            ) : (
              'you personally'
            )}{' '}
            · <Money micros={subscription.monthSpendMicros} /> spent this month
          </Typography>
          <SubscriptionAllowance subscriptionId={subscription.id} />
        </Stack>
        <Button
          color="error"
          variant="outlined"
          onClick={() => setConfirming(true)}
        >
          Unsubscribe
        </Button>
      </Stack>
    );
  } else {
    body = (
      <Stack
        direction={{ xs: 'column', sm: 'row' }}
        spacing={2}
        alignItems={{ xs: 'flex-start', sm: 'center' }}
        justifyContent="space-between"
      >
        <Stack spacing={0.5}>
          <Typography variant="subtitle1" component="p">
            Use {title} from your code with an API key
          </Typography>
          <Typography variant="body2" color="text.secondary">
            {formatMicros(pricing.promptPer1kMicros)} prompt ·{' '}
            {formatMicros(pricing.completionPer1kMicros)} completion per 1K
            tokens
            {trial && trial.tokens > 0
              ? ` · free trial: ${formatInteger(
                  trial.tokens,
                )} tokens (${formatTokenCount(trial.tokens)})`
              : ''}
          </Typography>
          {detail.error && (
            <Alert severity="warning" sx={{ mt: 1 }}>
              Could not check your subscription: {errorMessage(detail.error)}
            </Alert>
          )}
          {entity.spec.lifecycle === 'deprecated' && (
            <Alert
              severity="warning"
              sx={{ mt: 1 }}
              data-testid="deprecation-notice"
            >
              {deprecationReason(entity)}{' '}
              {entity.spec.successor && (
                <RefLink
                  entityRef={`modelservice:default/${entity.spec.successor}`}
                  defaultKind="ModelService"
                />
              )}
            </Alert>
          )}
        </Stack>
        <StartUsingButton
          entity={entity}
          size="large"
          onClosed={() => detail.retry()}
        />
      </Stack>
    );
  }

  return (
    <Stack spacing={2}>
      {subscription && publication?.unpublishedAt ? (
        // A subscriber needs the countdown and the way out, not the owners' banner.
        <RetirementNotice
          publication={publication}
          subscription={subscription}
          onSwitched={() => detail.retry()}
        />
      ) : (
        <PublicationBanner publication={publication} />
      )}
      <PriceChangeNotice name={name} owned={detail.value?.owned ?? false} />
      <Box
        component="section"
        aria-label="Subscription"
        sx={{
          p: 2,
          borderRadius: 1,
          border: 1,
          borderColor: subscription ? 'success.main' : 'primary.main',
          bgcolor: 'action.hover',
        }}
      >
        {body}
        <UnsubscribeDialog
          open={confirming}
          title={title}
          busy={cancelling}
          onConfirm={unsubscribe}
          onCancel={() => setConfirming(false)}
        />
      </Box>
    </Stack>
  );
}
