import { useCallback, useMemo, useState } from 'react';
import Box from '@mui/material/Box';
import useAsync from 'react-use/esm/useAsync';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  Content,
  ContentHeader,
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import {
  isModelServiceEntity,
  MARKETPLACE_API_VERSION,
  MODEL_SERVICE_KIND,
  ModelServiceEntityV1alpha1,
} from '@internal/plugin-marketplace-common';
import { marketplaceApiRef } from '../../api';
import { StartUsingDialog } from '../StartUsing';
import { ModelServicesTable } from './ModelServicesTable';

const EXAMPLE_YAML = `apiVersion: ${MARKETPLACE_API_VERSION}
kind: ${MODEL_SERVICE_KIND}
metadata:
  name: my-model-service
  title: My Model Service
spec:
  owner: group:default/my-team
  providedBy: provider:default/my-provider
  lifecycle: active
  family: gpt
  # pricing, contextWindow, features, endpoint, geographic,
  # compliance, availability and sla are required too:
  # see examples/services.yaml for a complete service.`;

function NoServices() {
  return (
    <EmptyState
      missing="data"
      title="No model services yet"
      description={`Model services are catalog entities of kind ${MODEL_SERVICE_KIND}. Add one by describing it in a YAML file like the one below and registering that file as a catalog location (for example under catalog.locations in app-config.yaml).`}
      action={
        <Box
          component="pre"
          sx={{
            p: 1.5,
            m: 0,
            borderRadius: 1,
            bgcolor: 'action.hover',
            fontSize: '0.8rem',
            overflowX: 'auto',
          }}
        >
          {EXAMPLE_YAML}
        </Box>
      }
    />
  );
}

/**
 * The marketplace landing page: every ModelService in the catalog in a
 * searchable, filterable table.
 */
export function MarketplacePage() {
  const catalogApi = useApi(catalogApiRef);
  const { value, loading, error } = useAsync(async () => {
    const response = await catalogApi.getEntities({
      filter: { kind: MODEL_SERVICE_KIND },
    });
    return response.items.filter(isModelServiceEntity);
  }, [catalogApi]);

  // Which services the user already subscribes to. Without it (e.g. the
  // backend is unreachable) every row simply offers "Start Using".
  const marketplaceApi = useApi(marketplaceApiRef);
  const subscribed = useAsyncRetry(async () => {
    const services = await marketplaceApi.listServices({
      scope: 'subscribed',
    });
    return new Set(
      services
        .filter(s => s.subscription?.status === 'active')
        .map(s => stringifyEntityRef(s.entity)),
    );
  }, [marketplaceApi]);
  const subscribedRefs = useMemo(
    () => subscribed.value ?? new Set<string>(),
    [subscribed.value],
  );

  const [dialogOpen, setDialogOpen] = useState(false);
  const [dialogEntity, setDialogEntity] =
    useState<ModelServiceEntityV1alpha1>();
  const startUsing = useCallback((entity: ModelServiceEntityV1alpha1) => {
    setDialogEntity(entity);
    setDialogOpen(true);
  }, []);

  let body;
  if (loading) {
    body = <Progress />;
  } else if (error) {
    body = <ResponseErrorPanel error={error} />;
  } else if (!value?.length) {
    body = <NoServices />;
  } else {
    body = (
      <ModelServicesTable
        entities={value}
        subscribedRefs={subscribedRefs}
        onStartUsing={startUsing}
      />
    );
  }

  return (
    <Content>
      <ContentHeader
        title="Model services"
        description="Compare the LLM APIs offered by internal teams and vendors. Prices are in USD per 1,000 tokens."
      />
      {body}
      {dialogEntity && (
        <StartUsingDialog
          open={dialogOpen}
          entity={dialogEntity}
          onClose={() => {
            setDialogOpen(false);
            subscribed.retry();
          }}
        />
      )}
    </Content>
  );
}
