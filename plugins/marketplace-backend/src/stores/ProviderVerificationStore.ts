import type { ProviderVerification } from './DatabaseProviderVerificationStore';

/**
 * The admins' verification decisions on providers.
 */
export interface ProviderVerificationStore {
  /** Grows with every decision (the browse index rebuilds on a change). */
  readonly changes: number;
  list(): Promise<Map<string, ProviderVerification>>;
  get(providerRef: string): Promise<ProviderVerification | undefined>;
  /** Records a decision (audited); answers it. */
  decide(decision: {
    providerRef: string;
    verified: boolean;
    note: string | null;
    actor: string;
  }): Promise<ProviderVerification>;
}

export * from './DatabaseProviderVerificationStore';
