import { useState } from 'react';
import Alert from '@mui/material/Alert';
import Button from '@mui/material/Button';
import CircularProgress from '@mui/material/CircularProgress';
import Dialog from '@mui/material/Dialog';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { Link } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { SubscribeResponse } from '@internal/plugin-marketplace-common';
import { errorMessage, marketplaceApiRef, RouteListItem } from '../../api';
import { subscriptionsRouteRef } from '../../routes';
import { SecretKeyBox } from '../shared/SecretKeyBox';
import { EndpointFields, SnippetTabs } from '../shared/SnippetTabs';
import { POLICY_LABELS, RouteMembersTable } from './RouteMembersTable';

/**
 * Start Using for a route: what the route does and costs, then one key for
 * all its members (shown once) with the endpoint and snippets.
 */
export function RouteStartUsingDialog(props: {
  route: RouteListItem;
  open: boolean;
  onClose: () => void;
  onSubscribed?: () => void;
}) {
  const { route, open, onClose, onSubscribed } = props;
  const api = useApi(marketplaceApiRef);
  const subscriptionsLink = useRouteRef(subscriptionsRouteRef);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [issued, setIssued] = useState<SubscribeResponse | undefined>();

  const subscribe = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setIssued(await api.subscribeRoute(route.name, {}));
      onSubscribed?.();
    } catch (e) {
      setError(errorMessage(e));
    } finally {
      setBusy(false);
    }
  };
  const close = () => {
    setIssued(undefined);
    setError(undefined);
    onClose();
  };

  return (
    <Dialog
      open={open}
      onClose={close}
      maxWidth="md"
      fullWidth
      aria-labelledby="route-start-using-title"
    >
      {issued ? (
        <>
          <DialogTitle id="route-start-using-title">
            You are subscribed to the route {route.name}
          </DialogTitle>
          <DialogContent dividers>
            <Stack spacing={3}>
              <SecretKeyBox secret={issued.apiKey.secret} />
              <EndpointFields
                baseUrl={issued.endpoint.baseUrl}
                model={issued.endpoint.model}
              />
              <SnippetTabs
                input={{
                  baseUrl: issued.endpoint.baseUrl,
                  apiKey: issued.apiKey.secret,
                  model: issued.endpoint.model,
                }}
              />
              <Typography variant="body2">
                Each answer names the service that served it in its{' '}
                <code>model</code> and the <code>x-marketplace-service</code>{' '}
                header. Requests, fallbacks and costs are in{' '}
                <Link
                  to={subscriptionsLink?.() ?? '/marketplace/subscriptions'}
                >
                  My subscriptions
                </Link>
                .
              </Typography>
            </Stack>
          </DialogContent>
          <DialogActions>
            <Button variant="contained" onClick={close}>
              Done
            </Button>
          </DialogActions>
        </>
      ) : (
        <>
          <DialogTitle id="route-start-using-title">
            Start using the route {route.name}
          </DialogTitle>
          <DialogContent dividers>
            <Stack spacing={2}>
              <Typography variant="body2">
                One key and one model name, <code>{route.name}</code>, for{' '}
                {route.members.length} services of{' '}
                {route.baseModel ?? 'the same model'}. Each request goes to the{' '}
                {POLICY_LABELS[route.policy]} healthy member; when a member
                fails before answering (connection error, timeout, 5xx or 429)
                the next one takes the request. You pay the price of the member
                that answered; failed attempts cost nothing. No free trial.
              </Typography>
              <RouteMembersTable route={route} />
              {error && <Alert severity="error">{error}</Alert>}
            </Stack>
          </DialogContent>
          <DialogActions>
            <Button onClick={close}>Cancel</Button>
            <Button
              variant="contained"
              onClick={subscribe}
              disabled={busy || route.members.length === 0}
              startIcon={busy ? <CircularProgress size={16} /> : undefined}
            >
              Subscribe
            </Button>
          </DialogActions>
        </>
      )}
    </Dialog>
  );
}
