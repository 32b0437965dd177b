import type { components } from '../schema/openapi.generated';

type Schemas = components['schemas'];

/**
 * An upstream credential a provider manages in the portal. Its value is never
 * shown again after it was set: only a fingerprint to tell values apart.
 *
 * @public
 */
export type ProviderCredential = Schemas['ProviderCredential'];

/**
 * Answer of `GET /v1/providers/:id/credentials`.
 *
 * @public
 */
export type ProviderCredentialsResponse =
  Schemas['ProviderCredentialsResponse'];

/** Limits of credential names and values. @public */
export const CREDENTIAL_LIMITS = {
  namePattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$',
  valueMaxLength: 4096,
} as const;
