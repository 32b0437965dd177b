import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import DialogActions from '@mui/material/DialogActions';
import DialogContent from '@mui/material/DialogContent';
import DialogTitle from '@mui/material/DialogTitle';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { Link } from '@backstage/core-components';
import { useRouteRef } from '@backstage/frontend-plugin-api';
import {
  ModelServiceEntityV1alpha1,
  SubscribeResponse,
} from '@internal/plugin-marketplace-common';
import { subscriptionsRouteRef } from '../../routes';
import { formatDateTimeUtc, formatInteger } from '../../format';
import { ExternalLink } from '../shared/ExternalLink';
import { SecretKeyBox } from '../shared/SecretKeyBox';
import { EndpointFields, SnippetTabs } from '../shared/SnippetTabs';
import { OfferSection, serviceTitle } from './OfferSection';

/**
 * After subscribing: the API key (shown once), the gateway endpoint, code
 * snippets and the next steps.
 */
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
