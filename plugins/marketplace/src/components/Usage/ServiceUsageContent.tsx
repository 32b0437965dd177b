import Box from '@mui/material/Box';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import useAsync from 'react-use/esm/useAsync';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import { isModelServiceEntity } from '@internal/plugin-marketplace-common';
import { marketplaceApiRef } from '../../api';
import { SpendField, TrialField } from '../shared/SubscriptionFields';
import { ConsumerUsageSection } from './ConsumerUsageSection';

/**
 * The Usage tab of a ModelService: the signed-in user's own requests, tokens
 * and spend with this service per key over time, with the trial left and the
 * spend cap of their subscription.
 */
export function ServiceUsageContent() {
  const { entity } = useEntity();
  const api = useApi(marketplaceApiRef);
  const name = entity.metadata.name;
  const detail = useAsync(() => api.getService(name), [api, name]);
  if (!isModelServiceEntity(entity)) {
    return null;
  }
  let subscription;
  if (detail.loading) {
    subscription = <Progress />;
  } else if (detail.error) {
    subscription = <ResponseErrorPanel error={detail.error} />;
  } else if (detail.value?.subscription) {
    subscription = (
      <Box
        sx={{
          display: 'grid',
          gap: 2,
          gridTemplateColumns: { xs: '1fr', sm: 'repeat(2, minmax(0, 1fr))' },
        }}
      >
        <TrialField subscription={detail.value.subscription} />
        <SpendField subscription={detail.value.subscription} />
      </Box>
    );
  } else {
    subscription = (
      <Typography variant="body2" color="text.secondary">
        You have no active subscription to this service. Press Start Using on
        the Overview tab to subscribe
        {entity.spec.trial ? ' and start the free trial' : ''}; earlier usage
        stays below.
      </Typography>
    );
  }
  return (
    <Stack spacing={3}>
      <Card variant="outlined">
        <CardContent>
          <Stack spacing={1}>
            <Typography variant="h6" component="h2">
              Your subscription
            </Typography>
            {subscription}
          </Stack>
        </CardContent>
      </Card>
      <Card variant="outlined">
        <CardContent>
          <Stack spacing={1}>
            <Typography variant="h6" component="h2">
              Your usage of {entity.metadata.title ?? name}
            </Typography>
            <ConsumerUsageSection
              service={name}
              emptyHint="Call the service with your API key, or try it with Test API on the API tab: every request shows up here."
            />
          </Stack>
        </CardContent>
      </Card>
    </Stack>
  );
}
