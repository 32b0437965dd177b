import { ReactNode, useEffect, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import Button from '@mui/material/Button';
import LinearProgress from '@mui/material/LinearProgress';
import Grid from '@mui/material/Grid';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  isModelServiceEntity,
  MetricsWindow,
  ModelServiceEntityV1alpha1,
  ServiceQualityMetrics,
} from '@internal/plugin-marketplace-common';
import { marketplaceApiRef } from '../../api';
import { CapacityCard } from './CapacityCard';
import { IncidentsCard } from './IncidentsCard';
import { TrafficCard } from './TrafficCard';
import { UptimeCard } from './UptimeCard';
import { AvailabilityCard } from './AvailabilityCard';
import { InfrastructureCard } from './InfrastructureCard';
import { SlaCard } from './SlaCard';

/** The Quality tab of a ModelService: SLA vs measured, availability, geography. */
export function ModelServiceQualityContent() {
  const { entity } = useEntity();
  if (!isModelServiceEntity(entity)) {
    return null;
  }
  return <ModelServiceQuality entity={entity} now={new Date()} />;
}

export function ModelServiceQuality(props: {
  entity: ModelServiceEntityV1alpha1;
  now: Date;
}) {
  const { spec, metadata } = props.entity;
  const api = useApi(marketplaceApiRef);
  const [window, setWindow] = useState<MetricsWindow>('24h');
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.getServiceMetrics(metadata.name, { window }),
    [api, metadata.name, window],
  );
  // Keep showing the last answer while another window loads.
  const [metrics, setMetrics] = useState<ServiceQualityMetrics | undefined>();
  useEffect(() => {
    if (value) {
      setMetrics(value);
    }
  }, [value]);

  let measured: ReactNode = null;
  if (error) {
    measured = (
      <Grid item xs={12}>
        <ResponseErrorPanel error={error} />
        <Button sx={{ mt: 1 }} onClick={retry}>
          Try again
        </Button>
      </Grid>
    );
  } else if (!metrics) {
    measured = (
      <Grid item xs={12}>
        <Progress />
      </Grid>
    );
  } else {
    measured = (
      <>
        <Grid item xs={12} md={5}>
          <UptimeCard metrics={metrics} />
        </Grid>
        <Grid item xs={12} md={7}>
          <TrafficCard
            metrics={metrics}
            window={window}
            onWindowChange={setWindow}
          />
          {loading && <LinearProgress aria-label="Loading" />}
        </Grid>
        <Grid item xs={12}>
          <CapacityCard metrics={metrics} window={window} />
        </Grid>
        <Grid item xs={12}>
          <IncidentsCard metrics={metrics} now={props.now} />
        </Grid>
      </>
    );
  }

  return (
    <Grid container spacing={3} alignItems="stretch">
      <Grid item xs={12}>
        <SlaCard spec={spec} metrics={metrics} failed={!!error} />
      </Grid>
      {measured}
      <Grid item xs={12} md={6}>
        <AvailabilityCard
          spec={spec}
          now={props.now}
          lastProbe={metrics?.lastProbe}
        />
      </Grid>
      <Grid item xs={12} md={6}>
        <InfrastructureCard spec={spec} />
      </Grid>
    </Grid>
  );
}
