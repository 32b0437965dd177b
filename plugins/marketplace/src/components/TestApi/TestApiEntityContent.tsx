import Alert from '@mui/material/Alert';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  InfoCard,
  Link,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  isModelServiceEntity,
  ModelServiceEntityV1alpha1,
} from '@internal/plugin-marketplace-common';
import { marketplaceApiRef } from '../../api';
import { subscriptionsRouteRef } from '../../routes';
import { NewKeyButton } from '../shared/NewKeyButton';
import { EndpointFields, SnippetTabs } from '../shared/SnippetTabs';
import { TestApiPanel } from './TestApiPanel';

/** The API tab of a ModelService: endpoint, snippets and the Test API playground. */
export function TestApiEntityContent() {
  const { entity } = useEntity();
  if (!isModelServiceEntity(entity)) {
    return null;
  }
  return (
    <Stack spacing={3}>
      <EndpointCard entity={entity} />
      <TestApiPanel entity={entity} />
    </Stack>
  );
}

/**
 * Where to call the service: the gateway's OpenAI-compatible base URL, the
 * `model`, and snippets that read the key from `OPENAI_API_KEY`.
 */
export function EndpointCard(props: { entity: ModelServiceEntityV1alpha1 }) {
  const name = props.entity.metadata.name;
  const api = useApi(marketplaceApiRef);
  const subscriptionsLink = useRouteRef(subscriptionsRouteRef);
  const detail = useAsyncRetry(() => api.getService(name), [api, name]);

  let content;
  if (detail.loading) {
    content = <Progress />;
  } else if (detail.error || !detail.value) {
    content = <ResponseErrorPanel error={detail.error ?? new Error('')} />;
  } else {
    const { endpoint, subscription, keys } = detail.value;
    const activeKeys = keys.filter(k => !k.revokedAt).length;
    content = (
      <Stack spacing={2}>
        <EndpointFields baseUrl={endpoint.baseUrl} model={endpoint.model} />
        {subscription && activeKeys === 0 && (
          <Alert
            severity="warning"
            action={
              <NewKeyButton
                subscriptionId={subscription.id}
                onCreated={detail.retry}
                size="small"
              />
            }
          >
            Every API key of your subscription is revoked. Create a new key to
            call the service again; it is shown once.
          </Alert>
        )}
        {subscription ? (
          <Typography variant="body2">
            You subscribe to this service and hold {activeKeys} active API key
            {activeKeys === 1 ? '' : 's'}
            {subscriptionsLink && (
              <>
                {' '}
                (<Link to={subscriptionsLink()}>My subscriptions</Link>: rotate
                or revoke keys, see usage)
              </>
            )}
            . Put your key in <code>OPENAI_API_KEY</code> and run:
          </Typography>
        ) : (
          <Alert severity="info">
            Calls need an API key: Start Using subscribes you and shows a key
            once. Put it in <code>OPENAI_API_KEY</code> and run:
          </Alert>
        )}
        <SnippetTabs
          input={{ baseUrl: endpoint.baseUrl, model: endpoint.model }}
          upstreamProtocol={props.entity.spec.endpoint?.protocol}
        />
      </Stack>
    );
  }
  return (
    <InfoCard
      title="Endpoint"
      subheader="OpenAI-compatible: use the OpenAI SDK you already have"
    >
      {content}
    </InfoCard>
  );
}
