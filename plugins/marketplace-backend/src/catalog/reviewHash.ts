import { ModelServiceEntityV1alpha1 } from '@internal/plugin-marketplace-common';
import { createHash } from 'crypto';

/** JSON with sorted keys: equal for equal values. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map(k => [k, v[k]]),
        )
      : v,
  );
}

/**
 * The hash of what an admin reviews of a service: its endpoint (URL, upstream
 * model, credential binding), prices and trial, owner and provider. An approval
 * holds for this hash only; any change sends the service back to review.
 */
export function reviewHash(
  entity: ModelServiceEntityV1alpha1,
  providerRef: string,
): string {
  const { spec } = entity;
  return createHash('sha256')
    .update(
      canonicalJson({
        endpoint: spec.endpoint ?? null,
        pricing: spec.pricing ?? null,
        trial: spec.trial ?? null,
        owner: spec.owner ?? null,
        provider: providerRef,
      }),
    )
    .digest('hex');
}
