import Alert from '@mui/material/Alert';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import useAsync from 'react-use/esm/useAsync';
import { parseEntityRef } from '@backstage/catalog-model';
import { configApiRef, useApi } from '@backstage/frontend-plugin-api';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import { createFormField } from '@backstage/plugin-scaffolder-react/alpha';
import {
  isProviderEntity,
  MODEL_FAMILIES,
  MODEL_FEATURES,
  ModelFamily,
  ModelFeature,
  parseMicros,
  PROVIDER_KIND,
} from '@internal/plugin-marketplace-common';
import { ServiceCard } from '../../api';
import { ServiceCardView } from '../MarketplacePage/ServiceResults';

/** The template's answers the card is built from (names as in template.yaml). */
export type PublishFormData = Record<string, unknown>;

function micros(value: unknown): number | null {
  try {
    return parseMicros(String(value ?? ''));
  } catch {
    return null;
  }
}

/**
 * The browse card of the service being published, built from the template's
 * answers: what browse shows for it once it is live (a new service has no
 * measurements yet, so those read "no data yet").
 */
export function previewCard(
  form: PublishFormData,
  provider: { name: string; verified: boolean },
): ServiceCard | undefined {
  const name = typeof form.name === 'string' ? form.name : '';
  if (!name) {
    return undefined;
  }
  const features = Array.isArray(form.features)
    ? MODEL_FEATURES.filter(f => (form.features as string[]).includes(f))
    : [];
  const trialTokens = Number(form.trialTokens ?? 0);
  const family = MODEL_FAMILIES.includes(form.family as ModelFamily)
    ? (form.family as ModelFamily)
    : 'other';
  return {
    name,
    ref: `modelservice:default/${name}`,
    title: (typeof form.title === 'string' && form.title.trim()) || name,
    description: typeof form.description === 'string' ? form.description : null,
    family,
    baseModel: typeof form.baseModel === 'string' ? form.baseModel : null,
    provider: {
      ref: String(form.providedBy ?? ''),
      name: provider.name,
      verified: provider.verified,
    },
    lifecycle: 'active',
    contextWindow: Number(form.contextWindow ?? 0),
    maxOutputTokens: Number(form.maxOutputTokens ?? 0),
    pricing: {
      currency: 'USD',
      promptPer1kMicros: micros(form.promptPer1k) ?? 0,
      completionPer1kMicros: micros(form.completionPer1k) ?? 0,
    } as ServiceCard['pricing'],
    trial:
      trialTokens > 0
        ? ({
            tokens: trialTokens,
            durationDays: Number(form.trialDurationDays) || undefined,
          } as ServiceCard['trial'])
        : null,
    features: features as ModelFeature[],
    region: form.region as ServiceCard['region'],
    country: String(form.country ?? ''),
    compliance: (Array.isArray(form.compliance)
      ? form.compliance
      : []) as ServiceCard['compliance'],
    firstSeenAt: new Date(0).toISOString(),
    metrics: {
      uptime30d: null,
      latencyP95Ms: null,
      rating: null,
      reviewCount: null,
      requests30d: 0,
      tokens30d: 0,
    },
  };
}

/** Whether a newly published service waits for an admin (the backend's rule). */
export function goesLiveText(requireApproval: boolean): string {
  return requireApproval
    ? 'Your service waits for a platform admin’s approval. It is not in browse and takes no requests until it is approved; you are notified either way.'
    : 'Your service goes live at once: it is in browse and takes subscriptions as soon as you publish.';
}

export function ServicePreview(props: FieldExtensionComponentProps<string>) {
  const form = ((props.formContext as { formData?: PublishFormData })
    ?.formData ?? {}) as PublishFormData;
  const catalogApi = useApi(catalogApiRef);
  const config = useApi(configApiRef);
  const requireApproval =
    config.getOptionalBoolean('marketplace.publishing.requireApproval') ?? true;
  const providerRef =
    typeof form.providedBy === 'string' ? form.providedBy : '';
  const { value: provider } = useAsync(async () => {
    if (!providerRef) {
      return undefined;
    }
    const entity = await catalogApi.getEntityByRef(
      parseEntityRef(providerRef, {
        defaultKind: PROVIDER_KIND,
        defaultNamespace: 'default',
      }),
    );
    return entity && isProviderEntity(entity) ? entity : undefined;
  }, [catalogApi, providerRef]);

  const card = previewCard(form, {
    name:
      provider?.spec.displayName ??
      (providerRef ? parseEntityRef(providerRef).name : ''),
    verified: provider?.spec.verification.status === 'verified',
  });

  return (
    <Stack spacing={2} sx={{ my: 2 }} data-testid="service-preview">
      <Typography variant="h6" component="h2">
        How browse will show your service
      </Typography>
      {card ? (
        <Box sx={{ maxWidth: 480 }}>
          <ServiceCardView
            card={card}
            actions={
              <>
                <Typography variant="body2" color="text.secondary">
                  Details
                </Typography>
                <Button size="small" variant="contained" disabled>
                  Start Using
                </Button>
              </>
            }
          />
        </Box>
      ) : (
        <Alert severity="info">
          Give the service a name in Basic info to see its card.
        </Alert>
      )}
      <Alert
        severity={requireApproval ? 'info' : 'success'}
        data-testid="goes-live"
      >
        {goesLiveText(requireApproval)}
      </Alert>
    </Stack>
  );
}

/**
 * `ui:field: MarketplaceServicePreview`: read-only, on the Review & publish step
 * of "Publish LLM service". Shows the service's browse card from the answers so
 * far and whether it goes live at once or waits for approval.
 */
export const MarketplaceServicePreview = createFormField({
  name: 'MarketplaceServicePreview',
  component: ServicePreview,
});
