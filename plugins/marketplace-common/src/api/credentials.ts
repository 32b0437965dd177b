/**
 * An upstream credential a provider manages in the portal. Its value is never
 * shown again after it was set: only a fingerprint to tell values apart.
 *
 * @public
 */
export interface ProviderCredential {
  /** What services name in `spec.endpoint.auth.secretRef`. */
  name: string;
  /** The Provider it belongs to: only its services may use it. */
  providerRef: string;
  /** A short hash of the value (`sha256:` and 12 hex digits). */
  fingerprint: string;
  /** 1, plus one per rotation. */
  version: number;
  createdBy: string;
  createdAt: string;
  updatedBy: string;
  updatedAt: string;
  /** A recent use by the gateway or the health prober; null when never used. */
  lastUsedAt: string | null;
  /** Services of the provider that name it. */
  usedBy: string[];
}

/**
 * Answer of `GET /v1/providers/:id/credentials`.
 *
 * @public
 */
export interface ProviderCredentialsResponse {
  credentials: ProviderCredential[];
  /**
   * Names the platform team bound to this provider in the portal config
   * (`marketplace.secrets`): usable too, managed by the platform team.
   */
  configCredentials: Array<{ name: string; fingerprint: string | null }>;
  /** Whether the portal can store credentials (an encryption key is configured). */
  storageEnabled: boolean;
}

/**
 * The credential a service will use, as the approval queue shows it.
 *
 * @public
 */
export interface ServiceCredentialInfo {
  /** The name the service gives in `spec.endpoint.auth.secretRef`. */
  name: string;
  /** `provider`: managed by the provider in the portal; `config`: by the platform team. */
  source: 'provider' | 'config' | null;
  /** The Provider that owns it; null for a config secret usable by every provider (development only). */
  owner: string | null;
  fingerprint: string | null;
  /** Whether the service's provider may use it (else the gateway refuses to send it). */
  usable: boolean;
  /** Why it is not usable. */
  problem: string | null;
}

/**
 * Where a service sends requests, as the approval queue shows it.
 *
 * @public
 */
export interface ServiceEndpointInfo {
  /** Host (and port) of `spec.endpoint.baseUrl`. */
  host: string;
  /** The host at the last approval; null when never approved (or approved before hosts were recorded). */
  approvedHost: string | null;
  /** Whether the host changed since the last approval; null when there is nothing to compare with. */
  changedSinceApproval: boolean | null;
}

/** Limits of credential names and values. @public */
export const CREDENTIAL_LIMITS = {
  namePattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$',
  valueMaxLength: 4096,
} as const;
