import { ProviderEntityV1alpha1 } from '../kinds/ProviderEntityV1alpha1';
import type { components } from '../schema/openapi.generated';

type Schemas = components['schemas'];

/**
 * Whether a provider is verified: the admins' decision, beside what the
 * provider claims in its entity (only a claim, never trusted).
 *
 * @public
 */
export type ProviderVerificationInfo = Schemas['ProviderVerificationInfo'];

/**
 * `GET /marketplace/providers/{id}`: a provider's profile, its live services
 * (as browse cards) and their aggregate measured quality.
 *
 * @public
 */
export type ProviderProfile = Omit<Schemas['ProviderProfile'], 'entity'> & {
  entity: ProviderEntityV1alpha1;
};

/**
 * Body of `PUT /marketplace/admin/providers/{id}/verification`.
 *
 * @public
 */
export type ProviderVerificationRequest =
  Schemas['ProviderVerificationRequest'];
