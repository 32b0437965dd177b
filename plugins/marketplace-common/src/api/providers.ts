import { ProviderEntityV1alpha1 } from '../kinds/ProviderEntityV1alpha1';

/**
 * Whether a provider is verified: the admins' decision, beside what the
 * provider claims in its entity (only a claim, never trusted).
 *
 * @public
 */
export interface ProviderVerificationInfo {
  /** The admins' decision; false until an admin verifies the provider. */
  verified: boolean;
  /** What the Provider entity declares (`spec.verification.status`): a claim. */
  claimed: string;
  /** The date the entity claims it was verified, if any. */
  claimedAt: string | null;
  decidedBy: string | null;
  decidedAt: string | null;
  note: string | null;
}

/**
 * Quality measured across a provider's live services over the last 30 days.
 *
 * @public
 */
export interface ProviderQuality {
  /** Live services, and those with measurements. */
  services: number;
  measuredServices: number;
  /** Successful checks / all checks (probes and requests) of all its services. */
  uptimePercent: number | null;
  /** Days of data behind the uptime (at most 30). */
  uptimeDays: number;
  /** p95 time to first token over all its successful requests. */
  latencyP95Ms: number | null;
  /** Median output tokens per second over all its successful requests. */
  tokensPerSecondP50: number | null;
  requests30d: number;
  totalTokens: number;
  /** Distinct users of any of its services in the last 30 days. */
  activeUsers30d: number;
  /** Average of the visible reviews of all its services. */
  rating: number | null;
  reviewCount: number;
}

/**
 * `GET /marketplace/providers/{id}`: a provider's profile, its live services
 * (as browse cards) and their aggregate measured quality.
 *
 * @public
 */
export interface ProviderProfile {
  ref: string;
  entity: ProviderEntityV1alpha1;
  verification: ProviderVerificationInfo;
  quality: ProviderQuality;
}

/**
 * Body of `PUT /marketplace/admin/providers/{id}/verification`.
 *
 * @public
 */
export interface ProviderVerificationRequest {
  verified: boolean;
  /** Why (shown on the profile and kept in the audit log); at most 500 characters. */
  note?: string | null;
}
