import type { CredentialMeta } from './DatabaseCredentialStore';

/**
 * Upstream credentials that providers store in the portal, encrypted at rest.
 */
export interface CredentialStore {
  /** Whether values can be stored (an encryption key is configured). */
  readonly enabled: boolean;
  list(providerRef?: string): Promise<CredentialMeta[]>;
  get(providerRef: string, name: string): Promise<CredentialMeta | undefined>;
  create(input: {
    providerRef: string;
    name: string;
    value: string;
    actor: string;
  }): Promise<CredentialMeta>;
  /** Replaces the value; the next use on any instance reads the new one. */
  rotate(input: {
    providerRef: string;
    name: string;
    value: string;
    actor: string;
  }): Promise<CredentialMeta>;
  delete(input: {
    providerRef: string;
    name: string;
    actor: string;
  }): Promise<CredentialMeta>;
  /**
   * The current value of a provider's credential, for the gateway and the
   * prober; undefined when the provider has none by that name. Reads the row
   * on every call (rotation and deletion apply at once on every instance);
   * decrypts only when its version changed.
   */
  resolve(
    providerRef: string,
    name: string,
  ): Promise<
    | {
        value: string;
        fingerprint: string;
      }
    | undefined
  >;
  /**
   * Re-encrypts every value not encrypted with the first configured key (after
   * a new key was put first). Returns how many rows it rewrote.
   */
  reencrypt(): Promise<number>;
}

export * from './DatabaseCredentialStore';
