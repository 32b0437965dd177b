import {
  MODEL_FEATURES,
  ModelServiceEntityV1alpha1,
} from '@internal/plugin-marketplace-common';

/** Where the "Publish LLM service" template's form lives. */
export const PUBLISH_TEMPLATE_PATH =
  '/create/templates/default/publish-llm-service';

/** USD per 1K tokens as the template's price fields take it: "0.0025". */
export function microsToUsd(micros: number): string {
  const whole = Math.floor(micros / 1_000_000);
  const frac = String(micros % 1_000_000)
    .padStart(6, '0')
    .replace(/0+$/, '');
  return frac ? `${whole}.${frac}` : String(whole);
}

/**
 * The answers of the publish template that describe a published service: the
 * inverse of what `marketplace:publish` builds, so that editing opens the same
 * six steps filled in, with the same validation. `editing` tells the template
 * (and its action) to update the service instead of publishing a new one.
 */
export function formDataFromEntity(
  entity: ModelServiceEntityV1alpha1,
): Record<string, unknown> {
  const { metadata, spec } = entity;
  const auth = spec.endpoint.auth;
  const av = spec.availability;
  const data: Record<string, unknown> = {
    editing: metadata.name,
    name: metadata.name,
    title: metadata.title,
    description: metadata.description,
    family: spec.family,
    baseModel: spec.baseModel,
    providedBy: spec.providedBy,
    owner: spec.owner,
    tags: metadata.tags ?? [],
    promptPer1k: microsToUsd(spec.pricing.promptPer1kMicros),
    completionPer1k: microsToUsd(spec.pricing.completionPer1kMicros),
    tiers: (spec.pricing.tiers ?? []).map(t => ({
      fromMonthlyTokens: t.fromMonthlyTokens,
      promptPer1k: microsToUsd(t.promptPer1kMicros),
      completionPer1k: microsToUsd(t.completionPer1kMicros),
    })),
    trialTokens: spec.trial?.tokens ?? 0,
    trialDurationDays: spec.trial?.durationDays ?? 0,
    trialLimitations: spec.trial?.limitations ?? [],
    endpointUrl: spec.endpoint.baseUrl,
    upstreamModel: spec.endpoint.upstreamModel,
    authType: auth.type,
    authHeader: auth.header,
    secretRef: auth.secretRef,
    contextWindow: spec.contextWindow,
    maxOutputTokens: spec.maxOutputTokens,
    features: MODEL_FEATURES.filter(f => spec.features[f] === true),
    apiCompatibility: spec.apiCompatibility,
    documentationUrl: spec.support?.documentationUrl,
    issuesUrl: spec.support?.issuesUrl,
    country: spec.geographic.country,
    region: spec.geographic.region,
    city: spec.geographic.city,
    dataCenters: spec.geographic.dataCenters,
    compliance: spec.compliance,
    schedule: av.schedule,
    timezone: av.timezone,
    customHours: av.customHours ?? [],
    weeklyMaintenance: av.weeklyMaintenance ?? [],
    maintenanceWindows: av.maintenanceWindows ?? [],
    latencyP50Ms: spec.sla.latencyMs.p50,
    latencyP95Ms: spec.sla.latencyMs.p95,
    latencyP99Ms: spec.sla.latencyMs.p99,
    uptimePercent: spec.sla.uptimePercent,
    requestsPerSecond: spec.sla.throughput.requestsPerSecond,
    tokensPerSecond: spec.sla.throughput.tokensPerSecond,
    requestsPerMinute: spec.sla.rateLimits.requestsPerMinute,
    tokensPerMinute: spec.sla.rateLimits.tokensPerMinute,
  };
  return Object.fromEntries(
    Object.entries(data).filter(([, v]) => v !== undefined && v !== null),
  );
}

/** The link that opens the publish template to edit a service. */
export function editServicePath(entity: ModelServiceEntityV1alpha1): string {
  return `${PUBLISH_TEMPLATE_PATH}?formData=${encodeURIComponent(
    JSON.stringify(formDataFromEntity(entity)),
  )}`;
}

/**
 * The answers an admin's approval holds for (the backend's review hash): where
 * the gateway sends requests and with which credential, the prices and trial,
 * the owner and the provider.
 */
export const REVIEWED_FIELDS = [
  'endpointUrl',
  'upstreamModel',
  'authType',
  'authHeader',
  'secretRef',
  'promptPer1k',
  'completionPer1k',
  'tiers',
  'trialTokens',
  'trialDurationDays',
  'trialLimitations',
  'owner',
  'providedBy',
];

/** Labels of the answers, for the list of changes. */
export const FIELD_LABELS: Record<string, string> = {
  title: 'Display title',
  description: 'Description',
  family: 'Model family',
  baseModel: 'Base model',
  providedBy: 'Provider',
  owner: 'Owning team',
  tags: 'Tags',
  promptPer1k: 'Prompt price per 1K tokens (USD)',
  completionPer1k: 'Completion price per 1K tokens (USD)',
  tiers: 'Volume tiers',
  trialTokens: 'Free trial tokens',
  trialDurationDays: 'Trial duration (days)',
  trialLimitations: 'Trial limitations',
  endpointUrl: 'Upstream endpoint URL',
  upstreamModel: 'Upstream model id',
  authType: 'Authentication method',
  authHeader: 'Header name',
  secretRef: 'Secret name',
  contextWindow: 'Context window (tokens)',
  maxOutputTokens: 'Max output tokens',
  features: 'Features',
  apiCompatibility: 'API compatibility',
  documentationUrl: 'Documentation URL',
  issuesUrl: 'Issue tracker URL',
  country: 'Country',
  region: 'Region',
  city: 'City',
  dataCenters: 'Data centers',
  compliance: 'Compliance',
  schedule: 'Availability',
  timezone: 'Time zone',
  customHours: 'Custom hours',
  weeklyMaintenance: 'Weekly maintenance',
  maintenanceWindows: 'Planned maintenance windows',
  latencyP50Ms: 'Time to first token p50 (ms)',
  latencyP95Ms: 'Time to first token p95 (ms)',
  latencyP99Ms: 'Time to first token p99 (ms)',
  uptimePercent: 'Uptime SLA (%)',
  requestsPerSecond: 'Throughput (requests/s)',
  tokensPerSecond: 'Throughput (tokens/s)',
  requestsPerMinute: 'Rate limit (requests/min)',
  tokensPerMinute: 'Rate limit (tokens/min)',
};

function normalise(value: unknown): string {
  if (value === undefined || value === null || value === '') {
    return '';
  }
  if (Array.isArray(value) && value.length === 0) {
    return '';
  }
  return JSON.stringify(value);
}

/** One answer that differs from the published service. */
export type FieldChange = {
  field: string;
  label: string;
  before: string;
  after: string;
};

function display(value: unknown): string {
  if (value === undefined || value === null || value === '') {
    return '—';
  }
  if (Array.isArray(value)) {
    return value.length
      ? value
          .map(v => (typeof v === 'object' ? JSON.stringify(v) : String(v)))
          .join(', ')
      : '—';
  }
  return String(value);
}

/** What an edit changes: the answers that differ from the published service. */
export function changesOf(
  before: Record<string, unknown>,
  after: Record<string, unknown>,
): FieldChange[] {
  return Object.keys(FIELD_LABELS)
    .filter(field => normalise(before[field]) !== normalise(after[field]))
    .map(field => ({
      field,
      label: FIELD_LABELS[field],
      before: display(before[field]),
      after: display(after[field]),
    }));
}
