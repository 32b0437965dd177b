import { Knex } from 'knex';
import { AuditLog } from './AuditLog';
import { num } from '../lib/numbers';
import type { ProviderVerificationStore } from './ProviderVerificationStore';

/** The admins' decision on a provider. */
export interface ProviderVerification {
  providerRef: string;
  verified: boolean;
  note: string | null;
  decidedBy: string;
  decidedAt: number;
}

function toVerification(row: any): ProviderVerification {
  return {
    providerRef: row.provider_ref,
    verified: Boolean(row.verified),
    note: row.note ?? null,
    decidedBy: row.decided_by,
    decidedAt: num(row.decided_at),
  };
}

/**
 * Whether a provider is verified is an admin decision, recorded here and in
 * the audit log (same transaction). The `verification` a Provider entity
 * declares is only its claim: nothing reads it as verified.
 */
export class DatabaseProviderVerificationStore
  implements ProviderVerificationStore
{
  private version = 0;

  constructor(
    private readonly db: Knex,
    private readonly audit: AuditLog,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Grows with every decision (the browse index rebuilds on a change). */
  get changes(): number {
    return this.version;
  }

  async list(): Promise<Map<string, ProviderVerification>> {
    const rows = await this.db('provider_verifications');
    return new Map(rows.map(r => [r.provider_ref, toVerification(r)]));
  }

  async get(providerRef: string): Promise<ProviderVerification | undefined> {
    const row = await this.db('provider_verifications')
      .where({ provider_ref: providerRef })
      .first();
    return row ? toVerification(row) : undefined;
  }

  /** Records a decision (audited); answers it. */
  async decide(decision: {
    providerRef: string;
    verified: boolean;
    note: string | null;
    actor: string;
  }): Promise<ProviderVerification> {
    const now = this.clock();
    const row = {
      provider_ref: decision.providerRef,
      verified: decision.verified,
      note: decision.note,
      decided_by: decision.actor,
      decided_at: now,
    };
    await this.db.transaction(async tx => {
      const before = await tx('provider_verifications')
        .where({ provider_ref: decision.providerRef })
        .first();
      await tx('provider_verifications')
        .insert(row)
        .onConflict('provider_ref')
        .merge();
      await this.audit.record(
        {
          actor: decision.actor,
          action: decision.verified
            ? 'provider.verified'
            : 'provider.unverified',
          targetType: 'provider',
          target: decision.providerRef,
          before: before
            ? { verified: Boolean(before.verified), note: before.note ?? null }
            : null,
          after: { verified: decision.verified, note: decision.note },
        },
        tx,
      );
    });
    this.version += 1;
    return toVerification(row);
  }
}
