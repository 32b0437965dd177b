import fs from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import { parse } from 'yaml';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import authBackend from '@backstage/plugin-auth-backend';
import guestProvider from '@backstage/plugin-auth-backend-module-guest-provider';
import { authModuleSampleUsersProvider } from './authModuleSampleUsersProvider';
import { authModuleDevelopmentSignInGuard } from './developmentSignIn';

jest.setTimeout(60_000);

const repoRoot = path.resolve(__dirname, '../../../..');
const readYaml = (file: string) =>
  parse(fs.readFileSync(path.join(repoRoot, file), 'utf8'));

/** The repository's config files as the backend loads them, later ones winning. */
function configOf(...files: string[]) {
  const merged: Record<string, any> = {
    backend: { baseUrl: 'http://localhost:7007' },
    app: { baseUrl: 'http://localhost:7007' },
  };
  for (const file of files) {
    const data = readYaml(file);
    // Only what sign-in depends on; the other sections need env substitution.
    merged.auth = {
      ...merged.auth,
      ...data.auth,
      providers: { ...merged.auth?.providers, ...data.auth?.providers },
    };
  }
  return merged;
}

const users = ['guest', 'ada'].map(name => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name, namespace: 'default' },
  spec: { memberOf: [] },
}));

async function startAuth(data: Record<string, any>) {
  const { server } = await startTestBackend({
    features: [
      mockServices.rootConfig.factory({ data }),
      catalogServiceMock.factory({ entities: users }),
      authBackend,
      guestProvider,
      authModuleSampleUsersProvider,
      authModuleDevelopmentSignInGuard,
    ],
  });
  return server;
}

const signIn = (server: any, provider: string) =>
  request(server)
    .post(`/api/auth/${provider}/refresh`)
    .set('x-requested-with', 'XMLHttpRequest')
    .set('x-marketplace-sample-user', 'ada');

describe('development sign-in (guest, sample users)', () => {
  const nodeEnv = process.env.NODE_ENV;
  // As `yarn start` runs the backend: NODE_ENV alone must not decide.
  beforeEach(() => {
    process.env.NODE_ENV = 'development';
  });
  afterEach(() => {
    process.env.NODE_ENV = nodeEnv;
  });

  it('signs in as a sample user and as guest with the development configuration', async () => {
    const server = await startAuth(
      configOf('app-config.yaml', 'app-config.development.yaml'),
    );
    const sample = await signIn(server, 'sampleUsers');
    expect(sample.status).toBe(200);
    expect(sample.body.backstageIdentity.identity.userEntityRef).toBe(
      'user:default/ada',
    );
    const guest = await signIn(server, 'guest');
    expect(guest.status).toBe(200);
    expect(guest.body.backstageIdentity.identity.userEntityRef).toBe(
      'user:default/guest',
    );
  });

  it('refuses both with the production configuration, even when the development file is loaded too', async () => {
    const production = readYaml('app-config.production.yaml');
    expect(production.auth.environment).toBe('production');
    expect(production.auth.providers?.guest).toBeUndefined();
    expect(production.auth.providers?.sampleUsers).toBeUndefined();

    const server = await startAuth(
      configOf(
        'app-config.yaml',
        'app-config.development.yaml',
        'app-config.production.yaml',
      ),
    );
    for (const provider of ['sampleUsers', 'guest']) {
      const res = await signIn(server, provider);
      expect(res.status).toBe(403);
      expect(res.body.error.message).toContain('development only');
      expect(JSON.stringify(res.body)).not.toContain('backstageIdentity');
      const start = await request(server).get(`/api/auth/${provider}/start`);
      expect(start.status).toBe(403);
    }
  });

  it('app-config.yaml alone enables no development sign-in', () => {
    expect(readYaml('app-config.yaml').auth.providers).toBeUndefined();
  });
});
