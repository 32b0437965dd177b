import Alert from '@mui/material/Alert';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { Link, Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi, useRouteRef } from '@backstage/frontend-plugin-api';
import { FinderCard, marketplaceApiRef } from '../../api';
import { subscriptionsRouteRef } from '../../routes';
import { SnippetTabs } from '../shared/SnippetTabs';
import { StartUsingButton } from '../StartUsing';

/**
 * The chosen service: ready snippets for every API the gateway serves for it
 * (as Start Using shows them), and Start Using, or a link to the key when the
 * user already subscribed.
 */
export function ChosenService(props: { card: FinderCard }) {
  const { card } = props;
  const marketplaceApi = useApi(marketplaceApiRef);
  const subscriptionsLink = useRouteRef(subscriptionsRouteRef);
  const detail = useAsyncRetry(
    () => marketplaceApi.getService(card.name),
    [marketplaceApi, card.name],
  );
  return (
    <Paper
      variant="outlined"
      sx={{ p: 2, mt: 3 }}
      component="section"
      aria-labelledby="finder-chosen"
    >
      <Typography variant="h6" component="h2" id="finder-chosen">
        {`Use ${card.title}`}
      </Typography>
      {detail.loading && !detail.value && <Progress />}
      {detail.error && <ResponseErrorPanel error={detail.error} />}
      {detail.value && (
        <Stack spacing={2} sx={{ mt: 1 }}>
          {detail.value.subscription ? (
            <Alert severity="success">
              You are subscribed: use one of your keys from{' '}
              <Link to={subscriptionsLink?.() ?? '/marketplace/subscriptions'}>
                My subscriptions
              </Link>
              .
            </Alert>
          ) : (
            <Stack direction="row" spacing={2} alignItems="center">
              <StartUsingButton
                entity={detail.value.entity}
                onClosed={detail.retry}
              />
              <Typography variant="body2" color="text.secondary">
                {detail.value.entity.spec.endpoint?.protocol ===
                'openai-embeddings'
                  ? 'Subscribe to get a key; the snippets read it from OPENAI_API_KEY.'
                  : "Subscribe to get a key; the snippets read it from OPENAI_API_KEY (ANTHROPIC_API_KEY for Anthropic's SDK)."}
              </Typography>
            </Stack>
          )}
          <SnippetTabs
            input={{
              baseUrl: detail.value.endpoint.baseUrl,
              model: detail.value.endpoint.model,
            }}
            upstreamProtocol={detail.value.entity.spec.endpoint?.protocol}
          />
        </Stack>
      )}
    </Paper>
  );
}
