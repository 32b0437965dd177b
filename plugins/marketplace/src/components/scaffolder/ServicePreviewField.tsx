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
  blendedPer1kMicros,
  isProviderEntity,
  MODEL_FAMILIES,
  MODEL_FEATURES,
  ModelFamily,
  ModelFeature,
  parseMicros,
  PROVIDER_KIND,
} from '@internal/plugin-marketplace-common';
import { marketplaceApiRef, ServiceCard } from '../../api';
import { ServiceCardView } from '../ServiceCards';
import {
  changesOf,
  REVIEWED_FIELDS,
  FieldChange,
  formDataFromEntity,
} from '../shared/editService';
import { editedService } from './fields';

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
    blendedPer1kMicros: blendedPer1kMicros({
      promptPer1kMicros: micros(form.promptPer1k) ?? 0,
      completionPer1kMicros: micros(form.completionPer1k) ?? 0,
    }),
    // Not listed yet: the preview card shows no listing date.
    createdAt: '',
    updatedAt: '',
    metrics: {
      uptimePercent: null,
      uptimeDays: null,
      latencyP95Ms: null,
      tokensPerSecond: null,
      lastProbeUp: null,
      rating: null,
      reviewCount: null,
      requests30d: 0,
      tokens30d: 0,
      tokensTotal: 0,
      activeUsers30d: 0,
    },
  };
}

/**
 * What saving an edit does, by the backend's rule: a change of the endpoint,
 * prices, owner or provider is reviewed again while the approved version stays
 * live.
 */
export function editOutcomeText(
  changes: FieldChange[],
  requireApproval: boolean,
  pending: boolean,
): string {
  if (!changes.length) {
    return 'Nothing changed yet: go back to a step to change it.';
  }
  const reviewed = changes.some(c => REVIEWED_FIELDS.includes(c.field));
  if (pending) {
    return 'The service is still waiting for approval; the admin reviews it with your changes.';
  }
  if (reviewed && requireApproval) {
    return 'The endpoint, prices, owner or provider changed, so your change goes back to review: until a platform admin approves it, browse, the gateway and your subscribers keep the approved version, its prices included.';
  }
  return 'Your changes go live as soon as you save them; subscribers keep their keys.';
}

/** The changes of an edit, as a list of before and after. */
function ChangeList(props: { changes: FieldChange[] }) {
  return (
    <Box
      component="dl"
      aria-label="What changes"
      sx={{
        m: 0,
        display: 'grid',
        gridTemplateColumns: 'minmax(10rem, max-content) 1fr',
        columnGap: 2,
        rowGap: 1,
      }}
    >
      {props.changes.map(c => (
        <Box key={c.field} sx={{ display: 'contents' }}>
          <Typography component="dt" variant="body2" fontWeight="bold">
            {c.label}
          </Typography>
          <Typography
            component="dd"
            variant="body2"
            sx={{ m: 0, overflowWrap: 'anywhere' }}
          >
            <Box component="del" sx={{ color: 'text.secondary' }}>
              {c.before}
            </Box>
            {' → '}
            <Box component="ins" sx={{ textDecoration: 'none' }}>
              {c.after}
            </Box>
          </Typography>
        </Box>
      ))}
    </Box>
  );
}

/** The diff shown when the form edits a published service. */
function EditSummary(props: {
  name: string;
  form: PublishFormData;
  requireApproval: boolean;
}) {
  const { name, form, requireApproval } = props;
  const api = useApi(marketplaceApiRef);
  const current = useAsync(
    async () => (await api.listManagedServices()).find(s => s.name === name),
    [api, name],
  );
  if (current.loading) {
    return null;
  }
  if (!current.value) {
    return (
      <Alert severity="error">
        {current.error
          ? `Could not load ${name}: ${current.error.message}`
          : `${name} is not among the services your teams manage.`}
      </Alert>
    );
  }
  const changes = changesOf(formDataFromEntity(current.value.entity), form);
  return (
    <Stack spacing={1} data-testid="edit-summary">
      <Typography variant="h6" component="h2">
        What changes
      </Typography>
      {changes.length > 0 && <ChangeList changes={changes} />}
      <Alert severity="info" data-testid="edit-outcome">
        {editOutcomeText(
          changes,
          requireApproval,
          current.value.publication.status === 'pending',
        )}
      </Alert>
    </Stack>
  );
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
  const editing = editedService(props.formContext);
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
    // The entity's verification is only a claim: the preview shows no badge.
    verified: false,
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
      {editing ? (
        <EditSummary
          name={editing}
          form={form}
          requireApproval={requireApproval}
        />
      ) : (
        <Alert
          severity={requireApproval ? 'info' : 'success'}
          data-testid="goes-live"
        >
          {goesLiveText(requireApproval)}
        </Alert>
      )}
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
