import { FieldExtensionComponentProps } from '@backstage/plugin-scaffolder-react';
import { createFormField } from '@backstage/plugin-scaffolder-react/alpha';
import { parseMicros } from '@internal/plugin-marketplace-common';

/** The checks across fields of one step of the publish template. */
export type CheckName = 'tiers' | 'latency' | 'output' | 'auth' | 'schedule';

function usd(value: unknown): number | undefined {
  try {
    return parseMicros(String(value ?? ''));
  } catch {
    return undefined;
  }
}

const n = (value: number) => value.toLocaleString('en-US');

/**
 * The problems that no single field shows, in plain words, all at once: the
 * same rules as the ModelService kind (latency percentiles in order, output
 * within the context window, a secret for authenticated upstreams, a time zone
 * for scheduled availability) and volume tiers that are discounts.
 */
export function consistencyProblems(
  check: CheckName,
  form: Record<string, any>,
): string[] {
  const problems: string[] = [];
  switch (check) {
    case 'tiers': {
      const prompt = usd(form.promptPer1k);
      const completion = usd(form.completionPer1k);
      const tiers: any[] = Array.isArray(form.tiers) ? form.tiers : [];
      tiers.forEach((tier, i) => {
        const label = `tier ${i + 1}`;
        const tierPrompt = usd(tier?.promptPer1k);
        const tierCompletion = usd(tier?.completionPer1k);
        if (
          prompt !== undefined &&
          tierPrompt !== undefined &&
          tierPrompt > prompt
        ) {
          problems.push(
            `${label}: its prompt price (${tier.promptPer1k}) is above the base prompt price (${form.promptPer1k}); a volume tier is a discount`,
          );
        }
        if (
          completion !== undefined &&
          tierCompletion !== undefined &&
          tierCompletion > completion
        ) {
          problems.push(
            `${label}: its completion price (${tier.completionPer1k}) is above the base completion price (${form.completionPer1k}); a volume tier is a discount`,
          );
        }
        const previous = tiers[i - 1]?.fromMonthlyTokens;
        if (
          i > 0 &&
          typeof previous === 'number' &&
          typeof tier?.fromMonthlyTokens === 'number' &&
          tier.fromMonthlyTokens <= previous
        ) {
          problems.push(
            `${label}: it must start at more tokens per month than tier ${i} (${n(
              previous,
            )})`,
          );
        }
      });
      break;
    }
    case 'latency': {
      const { latencyP50Ms: p50, latencyP95Ms: p95, latencyP99Ms: p99 } = form;
      if (typeof p50 === 'number' && typeof p95 === 'number' && p95 < p50) {
        problems.push(
          `p95 (${n(p95)} ms) must be at least p50 (${n(
            p50,
          )} ms): 95% of requests cannot be faster than half of them`,
        );
      }
      if (typeof p95 === 'number' && typeof p99 === 'number' && p99 < p95) {
        problems.push(`p99 (${n(p99)} ms) must be at least p95 (${n(p95)} ms)`);
      }
      break;
    }
    case 'output': {
      const { maxOutputTokens, contextWindow } = form;
      if (
        typeof maxOutputTokens === 'number' &&
        typeof contextWindow === 'number' &&
        maxOutputTokens > contextWindow
      ) {
        problems.push(
          `Max output tokens (${n(
            maxOutputTokens,
          )}) must not exceed the context window (${n(contextWindow)})`,
        );
      }
      break;
    }
    case 'auth': {
      if (form.authType && form.authType !== 'none' && !form.secretRef) {
        problems.push(
          'Secret name is needed for an upstream that takes a key: name the secret that holds it',
        );
      }
      if (form.authType === 'header' && !form.authHeader) {
        problems.push(
          'Header name is needed for "API key header", such as x-api-key',
        );
      }
      break;
    }
    case 'schedule': {
      if (form.schedule && form.schedule !== '24/7' && !form.timezone) {
        problems.push(
          'Time zone is needed when the service is not available 24/7, such as Europe/Berlin',
        );
      }
      if (
        form.schedule === 'custom' &&
        !(Array.isArray(form.customHours) && form.customHours.length)
      ) {
        problems.push('Custom hours are needed for "Custom hours"');
      }
      break;
    }
    default:
      break;
  }
  return problems;
}

function NoInput(_props: FieldExtensionComponentProps<string>) {
  return null;
}

/**
 * `ui:field: MarketplaceStepChecks` with `ui:options.checks: [...]`: renders
 * nothing; when moving on, reports every problem across the step's fields.
 */
export const MarketplaceStepChecks = createFormField({
  name: 'MarketplaceStepChecks',
  component: NoInput,
  validation: (
    _value: string,
    validation: { addError(message: string): void },
    context: { formData?: unknown; uiSchema?: any },
  ) => {
    const checks: CheckName[] = context.uiSchema?.['ui:options']?.checks ?? [];
    const form = (context.formData ?? {}) as Record<string, any>;
    for (const check of checks) {
      for (const problem of consistencyProblems(check, form)) {
        validation.addError(problem);
      }
    }
  },
});
