import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { randomBytes } from 'crypto';
import { Knex } from 'knex';
import { DatabaseAuditLog } from '../stores/AuditLog';
import {
  CredentialCipher,
  DatabaseCredentialStore,
} from '../stores/CredentialStore';
import { readEncryptionKeys } from '../config';
import { connectDatabase } from '../stores/migrate';
import { SecretResolver } from './secrets';

const ACME = 'provider:default/acme-ai-platform';
const TEAM_X = 'provider:default/team-x';

describe('SecretResolver', () => {
  const env = {
    NODE_ENV: 'development',
    MARKETPLACE_SECRET_TEAM_LLAMA: 'from-env',
    POSTGRES_PASSWORD: 'db-password',
    BACKEND_SECRET: 'session-secret',
  };
  const config = new ConfigReader({
    marketplace: {
      secrets: {
        ACME_KEY: { value: 'acme-secret', providers: ['acme-ai-platform'] },
        SHARED: {
          value: 'shared-secret',
          providers: [ACME, 'provider:default/Team-X'],
        },
        DEV_PLAIN: 'plain-secret',
      },
    },
  });

  it('gives a bound credential to its providers only, never its value to others', async () => {
    const secrets = new SecretResolver(config, { env });
    expect(await secrets.resolve('ACME_KEY', ACME)).toEqual({
      ok: true,
      value: 'acme-secret',
      fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{12}$/),
    });
    const refused = await secrets.resolve('ACME_KEY', TEAM_X);
    expect(refused).toMatchObject({ ok: false, reason: 'not_bound' });
    expect(JSON.stringify(refused)).not.toContain('acme-secret');
    expect((refused as { problem: string }).problem).toContain(TEAM_X);
    // Refs are compared in full lowercase form.
    expect(await secrets.resolve('SHARED', 'provider:default/team-x')).toEqual(
      expect.objectContaining({ ok: true, value: 'shared-secret' }),
    );
  });

  it('in development, plain strings and MARKETPLACE_SECRET_* variables serve every provider', async () => {
    const secrets = new SecretResolver(config, { env });
    expect(await secrets.resolve('DEV_PLAIN', TEAM_X)).toMatchObject({
      ok: true,
      value: 'plain-secret',
    });
    expect(
      await secrets.resolve('MARKETPLACE_SECRET_TEAM_LLAMA', TEAM_X),
    ).toMatchObject({ ok: true, value: 'from-env' });
    // A service naming any other variable gets nothing.
    for (const name of ['POSTGRES_PASSWORD', 'BACKEND_SECRET', 'MISSING']) {
      expect(await secrets.resolve(name, ACME)).toMatchObject({
        ok: false,
        reason: 'missing',
      });
    }
  });

  it('in production, unbound credentials serve nobody', async () => {
    const logger = mockServices.logger.mock();
    const secrets = new SecretResolver(config, {
      env: { ...env, NODE_ENV: 'production' },
      logger,
    });
    expect(await secrets.resolve('DEV_PLAIN', ACME)).toMatchObject({
      ok: false,
      reason: 'not_bound',
    });
    expect(
      await secrets.resolve('MARKETPLACE_SECRET_TEAM_LLAMA', ACME),
    ).toMatchObject({ ok: false, reason: 'missing' });
    expect(await secrets.resolve('ACME_KEY', ACME)).toMatchObject({
      ok: true,
    });
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('marketplace.secrets.DEV_PLAIN'),
    );
    expect(JSON.stringify(logger.warn.mock.calls)).not.toContain(
      'plain-secret',
    );
    expect((await secrets.bindings()).map(b => b.name).sort()).toEqual([
      'ACME_KEY',
      'SHARED',
    ]);
  });

  it('refuses a binding without providers', () => {
    expect(
      () =>
        new SecretResolver(
          new ConfigReader({
            marketplace: { secrets: { K: { value: 'v', providers: [] } } },
          }),
          { env },
        ),
    ).toThrow('marketplace.secrets.K.providers');
  });
});

describe('readEncryptionKeys', () => {
  it('takes 32-byte keys in base64 or hex and refuses others', () => {
    const key = randomBytes(32);
    expect(
      readEncryptionKeys(
        new ConfigReader({
          marketplace: {
            credentials: {
              encryptionKeys: [key.toString('base64'), key.toString('hex')],
            },
          },
        }),
      ),
    ).toEqual([key, key]);
    expect(() =>
      readEncryptionKeys(
        new ConfigReader({
          marketplace: { credentials: { encryptionKeys: ['short'] } },
        }),
      ),
    ).toThrow(
      'marketplace.credentials.encryptionKeys[0] must be 32 random bytes',
    );
  });
});

describe.each(
  TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] }).eachSupportedId(),
)('stored provider credentials on %p', databaseId => {
  const databases = TestDatabases.create({ ids: [databaseId] });
  let db: Knex;
  const oldKey = randomBytes(32);
  const newKey = randomBytes(32);

  beforeEach(async () => {
    db = await connectDatabase(
      mockServices.database({ knex: await databases.init(databaseId) }),
    );
  });

  /** One plugin instance: its own store (and caches) on the shared database. */
  function instance(keys: Buffer[]) {
    const store = new DatabaseCredentialStore(
      db,
      new CredentialCipher(keys),
      new DatabaseAuditLog(db),
    );
    return {
      store,
      secrets: new SecretResolver(new ConfigReader({}), {
        store,
        env: { NODE_ENV: 'production' },
      }),
    };
  }

  it('serve their own provider only; another provider naming one gets nothing', async () => {
    const a = instance([oldKey]);
    await a.store.create({
      providerRef: ACME,
      name: 'ACME_STORED',
      value: 'stored-secret',
      actor: 'user:default/samira',
    });
    expect(await a.secrets.resolve('ACME_STORED', ACME)).toMatchObject({
      ok: true,
      value: 'stored-secret',
    });
    const refused = await a.secrets.resolve('ACME_STORED', TEAM_X);
    expect(refused).toMatchObject({ ok: false, reason: 'not_bound' });
    expect(JSON.stringify(refused)).not.toContain('stored-secret');
    expect(await a.secrets.bindings()).toEqual([
      { name: 'ACME_STORED', providers: [ACME] },
    ]);
    const row = await db('provider_credentials').first();
    expect(JSON.stringify(row)).not.toContain('stored-secret');
  });

  it('a rotation on one instance applies to the next use on another', async () => {
    const a = instance([oldKey]);
    const b = instance([oldKey]);
    await a.store.create({
      providerRef: ACME,
      name: 'K',
      value: 'first',
      actor: 'user:default/samira',
    });
    expect(await b.secrets.resolve('K', ACME)).toMatchObject({
      value: 'first',
    });
    await a.store.rotate({
      providerRef: ACME,
      name: 'K',
      value: 'second',
      actor: 'user:default/samira',
    });
    expect(await b.secrets.resolve('K', ACME)).toMatchObject({
      value: 'second',
    });
    await a.store.delete({
      providerRef: ACME,
      name: 'K',
      actor: 'user:default/samira',
    });
    expect(await b.secrets.resolve('K', ACME)).toMatchObject({
      ok: false,
      reason: 'missing',
    });
  });

  it('key rotation: a new first key re-encrypts, then the old key can go', async () => {
    const before = instance([oldKey]);
    await before.store.create({
      providerRef: ACME,
      name: 'K',
      value: 'kept',
      actor: 'user:default/samira',
    });
    // Without the key that encrypted it, the value cannot be read.
    expect(await instance([newKey]).secrets.resolve('K', ACME)).toEqual({
      ok: false,
      reason: 'not_bound',
      problem: expect.stringContaining('cannot be decrypted'),
    });
    const during = instance([newKey, oldKey]);
    expect(await during.store.reencrypt()).toBe(1);
    expect(await during.store.reencrypt()).toBe(0);
    expect(await instance([newKey]).secrets.resolve('K', ACME)).toMatchObject({
      ok: true,
      value: 'kept',
    });
  });
});
