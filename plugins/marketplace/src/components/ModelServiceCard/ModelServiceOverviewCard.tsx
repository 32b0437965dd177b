import Box from '@mui/material/Box';
import Divider from '@mui/material/Divider';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import { EntityInfoCard, useEntity } from '@backstage/plugin-catalog-react';
import {
  formatMicros,
  isModelServiceEntity,
  ModelServiceEntityV1alpha1,
  ModelServiceSpec,
} from '@internal/plugin-marketplace-common';
import {
  apiCompatibilityLabel,
  authTypeLabel,
  familyLabel,
  formatDateTimeUtc,
  formatInteger,
  formatTokenCount,
} from '../../format';
import useAsync from 'react-use/esm/useAsync';
import { useApi } from '@backstage/frontend-plugin-api';
import { marketplaceApiRef } from '../../api';
import { Field } from '../shared/Field';
import { FullRow, Section } from '../shared/Section';
import { ChipList, FeatureChips, LifecycleChip } from '../shared/chips';
import { RefLink } from '../shared/RefLink';
import { VolumeTiersTable } from '../shared/VolumeTiersTable';
import { ServiceSubscriptionPanel } from '../StartUsing';
import { ContactValue, ExternalLink } from '../shared/ExternalLink';
import { ProviderSummary } from './ProviderSummary';
import { ServiceLinks } from './ServiceLinks';

const CARD_TITLE = 'Model service';

/**
 * Entity card for ModelService entities: every spec field, grouped. The upstream
 * endpoint URL and the secret reference are deliberately never rendered.
 */
export function ModelServiceOverviewCard() {
  const { entity } = useEntity();
  if (!isModelServiceEntity(entity)) {
    return (
      <EntityInfoCard title={CARD_TITLE}>
        <Typography variant="body2">
          This entity is not a ModelService.
        </Typography>
      </EntityInfoCard>
    );
  }
  return <ModelServiceOverview entity={entity} />;
}

export function ModelServiceOverview(props: {
  entity: ModelServiceEntityV1alpha1;
}) {
  const { entity } = props;
  const spec = entity.spec;
  const namespace = entity.metadata.namespace;
  return (
    <EntityInfoCard title={CARD_TITLE}>
      <ServiceSubscriptionPanel entity={entity} />
      <Box sx={{ mt: 2 }}>
        <ServiceLinks entity={entity} />
      </Box>
      <Stack spacing={2.5} divider={<Divider flexItem />} sx={{ mt: 2.5 }}>
        <BasicInfoSection entity={entity} namespace={namespace} />
        <UsageSection name={entity.metadata.name} />
        <PricingSection spec={spec} />
        <TechnicalSection spec={spec} />
        <SupportSection spec={spec} />
      </Stack>
    </EntityInfoCard>
  );
}

function BasicInfoSection(props: {
  entity: ModelServiceEntityV1alpha1;
  namespace?: string;
}) {
  const { entity, namespace } = props;
  const { spec, metadata } = entity;
  return (
    <Section title="Basic info">
      <Field label="Title">{metadata.title ?? metadata.name}</Field>
      <Field label="Family">{familyLabel(spec.family)}</Field>
      <Field label="Base model">{spec.baseModel}</Field>
      <Field label="Provider">
        <ProviderSummary
          providerRef={spec.providedBy}
          defaultNamespace={namespace}
        />
      </Field>
      <Field label="Owner">
        <RefLink
          entityRef={spec.owner}
          defaultKind="Group"
          defaultNamespace={namespace}
        />
      </Field>
      <Field label="Lifecycle">
        <LifecycleChip lifecycle={spec.lifecycle} />
      </Field>
      <FullRow>
        <Field label="Description">{metadata.description}</Field>
      </FullRow>
    </Section>
  );
}

/** What the service served, and when it was listed and last changed: all measured. */
function UsageSection(props: { name: string }) {
  const api = useApi(marketplaceApiRef);
  const { value, error } = useAsync(
    () => api.getServiceMetrics(props.name, { window: '24h' }),
    [api, props.name],
  );
  const show = (text: (m: NonNullable<typeof value>) => string | null) => {
    if (error) {
      return 'Unavailable';
    }
    return value ? text(value) : 'Loading…';
  };
  return (
    <Section title="Usage">
      <Field label="Requests (30 days)">
        {show(m => formatInteger(m.usage.requests30d))}
      </Field>
      <Field label="Active users (30 days)">
        {show(m => formatInteger(m.usage.activeUsers30d))}
      </Field>
      <Field label="Tokens served">
        {show(m => formatTokenCount(m.usage.totalTokens))}
      </Field>
      <Field label="Listed since">
        {show(m => (m.createdAt ? formatDateTimeUtc(m.createdAt) : null))}
      </Field>
      <Field label="Last updated">
        {show(m => (m.updatedAt ? formatDateTimeUtc(m.updatedAt) : null))}
      </Field>
    </Section>
  );
}

function pricePer1k(micros: number | undefined): string {
  return micros === undefined ? '' : `${formatMicros(micros)} / 1K tokens`;
}

function PricingSection(props: { spec: ModelServiceSpec }) {
  const { pricing, trial } = props.spec;
  const tiers = pricing?.tiers ?? [];
  return (
    <Section
      title="Pricing"
      caption={`Prices in ${pricing?.currency ?? 'USD'}`}
    >
      <Field label="Prompt">{pricePer1k(pricing?.promptPer1kMicros)}</Field>
      {props.spec.features?.embeddings ? (
        <Field label="Completion">None: embeddings are priced by input</Field>
      ) : (
        <Field label="Completion">
          {pricePer1k(pricing?.completionPer1kMicros)}
        </Field>
      )}
      <Field label="Currency">{pricing?.currency}</Field>
      <FullRow>
        <Field label="Volume tiers">
          {tiers.length === 0 || !pricing ? (
            'No volume tiers'
          ) : (
            <VolumeTiersTable pricing={pricing} />
          )}
        </Field>
      </FullRow>
      <Field label="Free trial tokens">
        {trial
          ? `${formatInteger(trial.tokens)} tokens (${formatTokenCount(
              trial.tokens,
            )})`
          : 'No free trial'}
      </Field>
      <Field label="Trial duration">
        {trial &&
          (trial.durationDays
            ? `${trial.durationDays} day${trial.durationDays === 1 ? '' : 's'}`
            : 'No time limit')}
      </Field>
      <Field label="How to activate the trial">
        {trial &&
          'Start Using subscribes you and starts the trial: no payment details, the first requests are free until the trial tokens are used up. Choose "trial only" to stop there instead of paying.'}
      </Field>
      <Field label="Trial limitations">
        {trial?.limitations?.length ? (
          <Box component="ul" sx={{ m: 0, pl: 2.5 }}>
            {trial.limitations.map(l => (
              <li key={l}>{l}</li>
            ))}
          </Box>
        ) : (
          trial && 'No limitations'
        )}
      </Field>
    </Section>
  );
}

function TechnicalSection(props: { spec: ModelServiceSpec }) {
  const { spec } = props;
  const auth = spec.endpoint?.auth;
  return (
    <Section title="Technical">
      <Field label="Context window">
        {spec.contextWindow !== undefined &&
          `${formatTokenCount(spec.contextWindow)} tokens (${formatInteger(
            spec.contextWindow,
          )})`}
      </Field>
      <Field label="Max output tokens">
        {spec.maxOutputTokens !== undefined &&
          `${formatTokenCount(spec.maxOutputTokens)} tokens (${formatInteger(
            spec.maxOutputTokens,
          )})`}
      </Field>
      <Field label="API compatibility">
        <ChipList
          items={(spec.apiCompatibility ?? []).map(apiCompatibilityLabel)}
          emptyText="—"
        />
      </Field>
      <FullRow>
        <Field label="Features">
          <FeatureChips features={spec.features ?? {}} />
        </Field>
      </FullRow>
      {/* The upstream base URL and secret reference are intentionally not shown. */}
      <Field label="Upstream model">
        {spec.endpoint?.upstreamModel ?? spec.baseModel}
      </Field>
      <Field label="Upstream authentication">
        {auth &&
          (auth.type === 'header' && auth.header
            ? `${authTypeLabel(auth.type)} (${auth.header})`
            : authTypeLabel(auth.type))}
      </Field>
    </Section>
  );
}

function SupportSection(props: { spec: ModelServiceSpec }) {
  const support = props.spec.support;
  return (
    <Section title="Support">
      <Field label="Documentation">
        {support?.documentationUrl && (
          <ExternalLink href={support.documentationUrl} />
        )}
      </Field>
      <Field label="Issues">
        {support?.issuesUrl && <ExternalLink href={support.issuesUrl} />}
      </Field>
      <Field label="Contact">
        {support?.contact && <ContactValue value={support.contact} />}
      </Field>
    </Section>
  );
}
