import {
  BackstageCredentials,
  BackstageUserPrincipal,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
// The real permission policy decides every request in the tests that use this.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import {
  fetchRoleDirectory,
  MarketplacePermissionPolicy,
  RoleDirectoryCache,
} from '@internal/plugin-permission-backend-module-marketplace-policy';
import fs from 'fs';
import { Knex } from 'knex';
import path from 'path';
import { parseAllDocuments } from 'yaml';
import { marketplacePlugin } from '../plugin';

/*
 * Shared by the tests that run the whole marketplace plugin in a test backend:
 * the sample entities, the sample users with their groups, and the permissions
 * service deciding with the real marketplace policy.
 */

const EXAMPLES_DIR = path.resolve(__dirname, '../../../../examples');
export function loadExamples(file: string): Entity[] {
  return parseAllDocuments(
    fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8'),
  )
    .map(doc => doc.toJS() as Entity)
    .filter(Boolean);
}

export const OWNER = 'user:default/samira.haddad'; // ai-platform-team (provider)
export const OTHER = 'user:default/wei.chen'; // research-llm-team (provider)
export const ADMIN = 'user:default/ada';
export const CONSUMER = 'user:default/lena.fischer';
export const OWNERSHIP: Record<string, string[]> = {
  [OWNER]: [OWNER, 'group:default/ai-platform-team'],
  [OTHER]: [OTHER, 'group:default/research-llm-team'],
  [ADMIN]: [ADMIN, 'group:default/platform-admins'],
  [CONSUMER]: [CONSUMER, 'group:default/checkout-team'],
};
export const ANONYMOUS = 'anonymous';

/**
 * Permissions decided by the marketplace's policy, as the permission backend
 * would: with the role overrides it reads from the marketplace plugin under test
 * (`GET /v1/internal/roles` over HTTP with a service token, not cached, so an
 * admin's change applies to the next request).
 */
export const permissionsFactory = createServiceFactory({
  service: coreServices.permissions,
  deps: {
    userInfo: coreServices.userInfo,
    discovery: coreServices.discovery,
    auth: coreServices.auth,
  },
  async factory({ userInfo, discovery, auth }) {
    const logger = mockServices.logger.mock();
    const policy = MarketplacePermissionPolicy.fromConfig(
      new ConfigReader({
        marketplace: {
          admins: { groups: ['group:default/platform-admins'] },
          roles: {
            providerGroups: [
              'group:default/ai-platform-team',
              'group:default/research-llm-team',
            ],
          },
        },
      }),
      {
        userInfo,
        logger,
        roles: new RoleDirectoryCache({
          fetch: () => fetchRoleDirectory({ discovery, auth }),
          logger,
          ttlMs: 0,
        }),
      },
    );
    const decide = async (
      permission: any,
      credentials: BackstageCredentials,
    ) => {
      if ((credentials.principal as { type: string }).type !== 'user') {
        return { result: AuthorizeResult.ALLOW } as const;
      }
      return policy.handle(
        { permission },
        { credentials, info: await userInfo.getUserInfo(credentials) },
      );
    };
    return {
      async authorize(requests: any[], { credentials }: any) {
        return Promise.all(
          requests.map(async r => {
            const d = await decide(r.permission, credentials);
            if (d.result === AuthorizeResult.CONDITIONAL) {
              throw new Error('authorize() got a conditional decision');
            }
            return d;
          }),
        );
      },
      async authorizeConditional(requests: any[], { credentials }: any) {
        return Promise.all(
          requests.map(r => decide(r.permission, credentials)),
        );
      },
    } as any;
  },
});

/** The user info service of the sample users (or of `ownership`). */
export function sampleUserInfo(
  ownership: Record<string, string[]> = OWNERSHIP,
) {
  return mockServices.userInfo.mock({
    getUserInfo: async (credentials: BackstageCredentials) => {
      const { principal } =
        credentials as BackstageCredentials<BackstageUserPrincipal>;
      return {
        userEntityRef: principal.userEntityRef,
        ownershipEntityRefs: ownership[principal.userEntityRef] ?? [
          principal.userEntityRef,
        ],
      };
    },
  });
}

/**
 * The marketplace config of the sample data, as in app-config.yaml: the teams
 * that own the sample services are provider teams, and the services are live
 * at once (no approvals) unless `marketplace` says otherwise.
 */
export function sampleConfig(marketplace: Record<string, unknown> = {}) {
  return mockServices.rootConfig.factory({
    data: {
      marketplace: {
        publishing: { requireApproval: false },
        roles: {
          providerGroups: [
            'group:default/ai-platform-team',
            'group:default/research-llm-team',
          ],
        },
        ...marketplace,
      },
    },
  });
}

/**
 * The whole marketplace plugin in a test backend on `knex`, with the catalog
 * holding `entities`, the sample config (`marketplace` on top of it), and
 * requests without a token unauthenticated (not the mock user); `features`
 * add to these (other service factories, other plugins).
 */
export function startMarketplaceTestBackend(options: {
  knex: Knex;
  entities: Entity[];
  marketplace?: Record<string, unknown>;
  features?: Parameters<typeof startTestBackend>[0]['features'];
}) {
  return startTestBackend({
    features: [
      marketplacePlugin,
      catalogServiceMock.factory({ entities: options.entities }),
      mockServices.database.factory({ knex: options.knex }),
      sampleConfig(options.marketplace),
      mockServices.httpAuth.factory({
        defaultCredentials: mockCredentials.none(),
      }),
      ...(options.features ?? []),
    ],
  });
}
