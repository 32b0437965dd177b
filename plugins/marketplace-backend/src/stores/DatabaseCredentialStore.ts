import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  createCipheriv,
  createDecipheriv,
  createHash,
  randomBytes,
  randomUUID,
} from 'crypto';
import { Knex } from 'knex';
import { AuditLog } from './AuditLog';
import { num, numOrNull } from '../lib/numbers';
import { isUniqueViolation } from './SubscriptionStore';
import type { CredentialStore } from './CredentialStore';

/** A short hash of a credential's value: tells values apart, reveals nothing useful. */
export function fingerprintOf(value: string): string {
  return `sha256:${createHash('sha256')
    .update(value, 'utf8')
    .digest('hex')
    .slice(0, 12)}`;
}

interface EncryptionKey {
  id: string;
  key: Buffer;
}

/** AES-256-GCM with a list of keys: the first encrypts, any decrypts. */
export class CredentialCipher {
  private readonly keys: EncryptionKey[];

  constructor(keys: Buffer[]) {
    this.keys = keys.map(key => ({
      id: createHash('sha256').update(key).digest('hex').slice(0, 16),
      key,
    }));
  }

  get enabled(): boolean {
    return this.keys.length > 0;
  }

  get currentKeyId(): string | undefined {
    return this.keys[0]?.id;
  }

  encrypt(value: string) {
    const current = this.keys[0];
    if (!current) {
      throw new Error('no encryption key configured');
    }
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', current.key, iv);
    const ciphertext = Buffer.concat([
      cipher.update(value, 'utf8'),
      cipher.final(),
    ]);
    return {
      key_id: current.id,
      iv: iv.toString('base64'),
      auth_tag: cipher.getAuthTag().toString('base64'),
      ciphertext: ciphertext.toString('base64'),
    };
  }

  /** The value; throws when no configured key decrypts it. */
  decrypt(row: {
    key_id: string;
    iv: string;
    auth_tag: string;
    ciphertext: string;
  }): string {
    const entry = this.keys.find(k => k.id === row.key_id);
    if (!entry) {
      throw new Error(
        `it was encrypted with a key (id ${row.key_id}) that is not in marketplace.credentials.encryptionKeys`,
      );
    }
    const decipher = createDecipheriv(
      'aes-256-gcm',
      entry.key,
      Buffer.from(row.iv, 'base64'),
    );
    decipher.setAuthTag(Buffer.from(row.auth_tag, 'base64'));
    return Buffer.concat([
      decipher.update(Buffer.from(row.ciphertext, 'base64')),
      decipher.final(),
    ]).toString('utf8');
  }
}

interface CredentialRow {
  id: string;
  provider_ref: string;
  name: string;
  ciphertext: string;
  iv: string;
  auth_tag: string;
  key_id: string;
  fingerprint: string;
  version: number | string;
  created_by: string;
  created_at: number | string;
  updated_by: string;
  updated_at: number | string;
  last_used_at: number | string | null;
}

/** A stored credential without its value. */
export interface CredentialMeta {
  id: string;
  providerRef: string;
  name: string;
  fingerprint: string;
  version: number;
  createdBy: string;
  createdAt: number;
  updatedBy: string;
  updatedAt: number;
  lastUsedAt: number | null;
}

const META_COLUMNS = [
  'id',
  'provider_ref',
  'name',
  'fingerprint',
  'version',
  'created_by',
  'created_at',
  'updated_by',
  'updated_at',
  'last_used_at',
];

type MetaRow = Omit<CredentialRow, 'ciphertext' | 'iv' | 'auth_tag' | 'key_id'>;

function toMeta(row: MetaRow): CredentialMeta {
  return {
    id: row.id,
    providerRef: row.provider_ref,
    name: row.name,
    fingerprint: row.fingerprint,
    version: num(row.version),
    createdBy: row.created_by,
    createdAt: num(row.created_at),
    updatedBy: row.updated_by,
    updatedAt: num(row.updated_at),
    lastUsedAt: numOrNull(row.last_used_at),
  };
}

/** What the audit log records of a credential: never its value. */
function audited(m: CredentialMeta) {
  return {
    provider: m.providerRef,
    name: m.name,
    fingerprint: m.fingerprint,
    version: m.version,
  };
}

/** The audit log's target of a credential (lowercase, as the audit filter compares). */
export function auditTarget(providerRef: string, name: string): string {
  return `${providerRef}#${name}`.toLocaleLowerCase('en-US');
}

const TOUCH_EVERY_MS = 60_000;

/**
 * Upstream credentials providers manage in the portal: stored encrypted, never
 * returned, audited on every change. The gateway reads the current value on
 * every use (one indexed read, the decryption cached per version), so a
 * rotation takes effect on the next request on every instance.
 */
export class DatabaseCredentialStore implements CredentialStore {
  private readonly decrypted = new Map<string, string>();
  private readonly touched = new Map<string, number>();

  constructor(
    private readonly db: Knex,
    private readonly cipher: CredentialCipher,
    private readonly audit: AuditLog,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Whether values can be stored (an encryption key is configured). */
  get enabled(): boolean {
    return this.cipher.enabled;
  }

  async list(providerRef?: string): Promise<CredentialMeta[]> {
    const query = this.db<CredentialRow>('provider_credentials')
      .select(META_COLUMNS)
      .orderBy([
        { column: 'provider_ref', order: 'asc' },
        { column: 'name', order: 'asc' },
      ]);
    if (providerRef) {
      query.where({ provider_ref: providerRef });
    }
    return ((await query) as unknown as MetaRow[]).map(toMeta);
  }

  async get(
    providerRef: string,
    name: string,
  ): Promise<CredentialMeta | undefined> {
    const row = (await this.db<CredentialRow>('provider_credentials')
      .select(META_COLUMNS)
      .where({ provider_ref: providerRef, name })
      .first()) as MetaRow | undefined;
    return row ? toMeta(row) : undefined;
  }

  async create(input: {
    providerRef: string;
    name: string;
    value: string;
    actor: string;
  }): Promise<CredentialMeta> {
    const now = this.clock();
    const row = {
      id: randomUUID(),
      provider_ref: input.providerRef,
      name: input.name,
      ...this.cipher.encrypt(input.value),
      fingerprint: fingerprintOf(input.value),
      version: 1,
      created_by: input.actor,
      created_at: now,
      updated_by: input.actor,
      updated_at: now,
      last_used_at: null,
    };
    try {
      return await this.db.transaction(async tx => {
        await tx('provider_credentials').insert(row);
        const meta = toMeta(row);
        await this.audit.record(
          {
            actor: input.actor,
            action: 'credential.created',
            targetType: 'credential',
            target: auditTarget(input.providerRef, input.name),
            before: null,
            after: audited(meta),
          },
          tx,
        );
        return meta;
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new ConflictError(
          `Invalid body field 'name': ${input.providerRef} already has a credential named '${input.name}'; rotate it instead`,
        );
      }
      throw error;
    }
  }

  /** Replaces the value; the next use on any instance reads the new one. */
  async rotate(input: {
    providerRef: string;
    name: string;
    value: string;
    actor: string;
  }): Promise<CredentialMeta> {
    return this.db.transaction(async tx => {
      const row = (await tx<CredentialRow>('provider_credentials')
        .select(META_COLUMNS)
        .where({ provider_ref: input.providerRef, name: input.name })
        .forUpdate()
        .first()) as MetaRow | undefined;
      if (!row) {
        throw new NotFoundError(
          `${input.providerRef} has no credential named '${input.name}'`,
        );
      }
      const before = toMeta(row);
      const changes = {
        ...this.cipher.encrypt(input.value),
        fingerprint: fingerprintOf(input.value),
        version: before.version + 1,
        updated_by: input.actor,
        updated_at: Math.max(this.clock(), before.updatedAt + 1),
      };
      await tx('provider_credentials')
        .where({ id: row.id, version: row.version })
        .update(changes);
      const after = toMeta({ ...row, ...changes });
      await this.audit.record(
        {
          actor: input.actor,
          action: 'credential.rotated',
          targetType: 'credential',
          target: auditTarget(input.providerRef, input.name),
          before: audited(before),
          after: audited(after),
        },
        tx,
      );
      return after;
    });
  }

  async delete(input: {
    providerRef: string;
    name: string;
    actor: string;
  }): Promise<CredentialMeta> {
    return this.db.transaction(async tx => {
      const row = (await tx<CredentialRow>('provider_credentials')
        .select(META_COLUMNS)
        .where({ provider_ref: input.providerRef, name: input.name })
        .first()) as MetaRow | undefined;
      if (!row) {
        throw new NotFoundError(
          `${input.providerRef} has no credential named '${input.name}'`,
        );
      }
      await tx('provider_credentials').where({ id: row.id }).del();
      await this.audit.record(
        {
          actor: input.actor,
          action: 'credential.deleted',
          targetType: 'credential',
          target: auditTarget(input.providerRef, input.name),
          before: audited(toMeta(row)),
          after: null,
        },
        tx,
      );
      return toMeta(row);
    });
  }

  /**
   * The current value of a provider's credential, for the gateway and the
   * prober; undefined when the provider has none by that name. Reads the row
   * on every call (rotation and deletion apply at once on every instance);
   * decrypts only when its version changed.
   */
  async resolve(
    providerRef: string,
    name: string,
  ): Promise<{ value: string; fingerprint: string } | undefined> {
    const row = await this.db<CredentialRow>('provider_credentials')
      .where({ provider_ref: providerRef, name })
      .first();
    if (!row) {
      return undefined;
    }
    const cacheKey = `${row.id}:${num(row.version)}:${row.key_id}`;
    let value = this.decrypted.get(cacheKey);
    if (value === undefined) {
      value = this.cipher.decrypt(row);
      if (this.decrypted.size > 10_000) {
        this.decrypted.clear();
      }
      this.decrypted.set(cacheKey, value);
    }
    const now = this.clock();
    if (now - (this.touched.get(row.id) ?? 0) > TOUCH_EVERY_MS) {
      this.touched.set(row.id, now);
      this.db('provider_credentials')
        .where({ id: row.id })
        .update({ last_used_at: now })
        .catch(() => undefined);
    }
    return { value, fingerprint: row.fingerprint };
  }

  /**
   * Re-encrypts every value not encrypted with the first configured key (after
   * a new key was put first). Returns how many rows it rewrote.
   */
  async reencrypt(): Promise<number> {
    const current = this.cipher.currentKeyId;
    if (!current) {
      return 0;
    }
    const stale = await this.db<CredentialRow>('provider_credentials').whereNot(
      { key_id: current },
    );
    let rewritten = 0;
    for (const row of stale) {
      const value = this.cipher.decrypt(row);
      // Same value, same version: only the encryption changes.
      rewritten += await this.db('provider_credentials')
        .where({ id: row.id, key_id: row.key_id })
        .update(this.cipher.encrypt(value));
    }
    return rewritten;
  }
}
