import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import {
  catalogEntityDeletePermission,
  catalogEntityReadPermission,
  catalogLocationDeletePermission,
} from '@backstage/plugin-catalog-common/alpha';
import { Entity } from '@backstage/catalog-model';
import { permissionRules } from '@backstage/plugin-catalog-backend/alpha';
import {
  AuthorizeResult,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import { createConditionAuthorizer } from '@backstage/plugin-permission-node';
import {
  marketplaceApprovalsManagePermission,
  marketplaceServiceManagePermission,
  marketplaceServicePublishPermission,
  marketplaceUsersManagePermission,
  marketplaceUsersReadPermission,
  MarketplaceRoleDirectory,
} from '@internal/plugin-marketplace-common';
import { MarketplacePermissionPolicy } from './MarketplacePermissionPolicy';

const memberships: Record<string, string[]> = {
  'user:default/ada': ['user:default/ada', 'group:default/platform-admins'],
  'user:default/pat': ['user:default/pat', 'group:default/ai-platform-team'],
  'user:default/guest': ['user:default/guest', 'group:default/checkout-team'],
  'user:default/wei': ['user:default/wei', 'group:default/research-llm-team'],
};

function policy(
  roles?: MarketplaceRoleDirectory,
  data: object = {
    marketplace: {
      roles: {
        adminGroups: ['group:default/platform-admins'],
        providerGroups: [
          'group:default/ai-platform-team',
          'group:default/research-llm-team',
        ],
      },
    },
  },
) {
  const userInfo = {
    async getUserInfo(credentials: any) {
      const ref = credentials.principal.userEntityRef;
      return {
        userEntityRef: ref,
        ownershipEntityRefs: memberships[ref] ?? [ref],
      };
    },
  };
  return MarketplacePermissionPolicy.fromConfig(
    mockServices.rootConfig({ data }),
    {
      userInfo,
      logger: mockServices.logger.mock(),
      roles: roles ? { get: async () => roles } : undefined,
    },
  );
}

function as(ref: string) {
  return {
    credentials: mockCredentials.user(ref),
    info: { userEntityRef: ref, ownershipEntityRefs: memberships[ref] ?? [] },
  };
}

describe('MarketplacePermissionPolicy', () => {
  it('lets admins do everything', async () => {
    for (const permission of [
      marketplaceUsersManagePermission,
      catalogLocationDeletePermission,
      marketplaceServicePublishPermission,
    ]) {
      await expect(
        policy().handle({ permission }, as('user:default/ada')),
      ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
    }
  });

  it('denies admin permissions to providers and consumers', async () => {
    for (const ref of ['user:default/pat', 'user:default/guest']) {
      await expect(
        policy().handle(
          { permission: marketplaceUsersReadPermission },
          as(ref),
        ),
      ).resolves.toEqual({ result: AuthorizeResult.DENY });
      await expect(
        policy().handle(
          { permission: marketplaceUsersManagePermission },
          as(ref),
        ),
      ).resolves.toEqual({ result: AuthorizeResult.DENY });
      await expect(
        policy().handle(
          { permission: catalogLocationDeletePermission },
          as(ref),
        ),
      ).resolves.toEqual({ result: AuthorizeResult.DENY });
    }
  });

  it('lets only providers publish', async () => {
    await expect(
      policy().handle(
        { permission: marketplaceServicePublishPermission },
        as('user:default/pat'),
      ),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
    await expect(
      policy().handle(
        { permission: marketplaceServicePublishPermission },
        as('user:default/guest'),
      ),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
  });

  it('lets owners delete their entities only', async () => {
    const decision = await policy().handle(
      { permission: catalogEntityDeletePermission },
      as('user:default/pat'),
    );
    expect(decision).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        resourceType: 'catalog-entity',
        params: {
          claims: ['user:default/pat', 'group:default/ai-platform-team'],
        },
      },
    });
  });

  it('denies everything without a user', async () => {
    for (const permission of [
      catalogEntityReadPermission,
      marketplaceServiceManagePermission,
      marketplaceServicePublishPermission,
    ]) {
      await expect(policy().handle({ permission })).resolves.toEqual({
        result: AuthorizeResult.DENY,
      });
    }
  });

  it('lets admins approve, and nobody else', async () => {
    await expect(
      policy().handle(
        { permission: marketplaceApprovalsManagePermission },
        as('user:default/ada'),
      ),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
    for (const ref of ['user:default/pat', 'user:default/guest']) {
      await expect(
        policy().handle(
          { permission: marketplaceApprovalsManagePermission },
          as(ref),
        ),
      ).resolves.toEqual({ result: AuthorizeResult.DENY });
    }
  });

  it('lets admins manage every service, providers their own, consumers none', async () => {
    await expect(
      policy().handle(
        { permission: marketplaceServiceManagePermission },
        as('user:default/ada'),
      ),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
    await expect(
      policy().handle(
        { permission: marketplaceServiceManagePermission },
        as('user:default/pat'),
      ),
    ).resolves.toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'marketplace',
      resourceType: 'marketplace-model-service',
      conditions: {
        rule: 'IS_SERVICE_OWNER',
        resourceType: 'marketplace-model-service',
        params: {
          claims: ['user:default/pat', 'group:default/ai-platform-team'],
        },
      },
    });
    await expect(
      policy().handle(
        { permission: marketplaceServiceManagePermission },
        as('user:default/guest'),
      ),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
  });

  describe('roles from the marketplace and config', () => {
    const ALLOW = { result: AuthorizeResult.ALLOW };
    const DENY = { result: AuthorizeResult.DENY };

    it('honours an admin role override for a consumer, and a demotion of an admin', async () => {
      const directory = {
        overrides: {
          'user:default/guest': 'admin' as const,
          'user:default/ada': 'consumer' as const,
        },
        providerGroups: [],
      };
      await expect(
        policy(directory).handle(
          { permission: marketplaceUsersReadPermission },
          as('user:default/guest'),
        ),
      ).resolves.toEqual(ALLOW);
      await expect(
        policy(directory).handle(
          { permission: marketplaceUsersReadPermission },
          as('user:default/ada'),
        ),
      ).resolves.toEqual(DENY);
      await expect(
        policy(directory).handle(
          { permission: marketplaceServicePublishPermission },
          as('user:default/ada'),
        ),
      ).resolves.toEqual(DENY);
    });

    it('grants admin by group only once the overrides are loaded (fails closed, issue 16)', async () => {
      // The marketplace backend is unreachable: an override demoting ada cannot be read.
      const unloaded = MarketplacePermissionPolicy.fromConfig(
        mockServices.rootConfig({
          data: {
            marketplace: {
              admins: { groups: ['group:default/platform-admins'] },
              roles: { providerGroups: ['group:default/ai-platform-team'] },
            },
          },
        }),
        {
          userInfo: {
            async getUserInfo(credentials: any) {
              const ref = credentials.principal.userEntityRef;
              return {
                userEntityRef: ref,
                ownershipEntityRefs: memberships[ref] ?? [ref],
              };
            },
          } as any,
          logger: mockServices.logger.mock(),
          roles: { get: async () => undefined },
        },
      );
      await expect(
        unloaded.handle(
          { permission: marketplaceUsersManagePermission },
          as('user:default/ada'),
        ),
      ).resolves.toEqual(DENY);
      await expect(
        unloaded.handle(
          { permission: catalogLocationDeletePermission },
          as('user:default/ada'),
        ),
      ).resolves.toEqual(DENY);
      // Config providers keep publishing meanwhile.
      await expect(
        unloaded.handle(
          { permission: marketplaceServicePublishPermission },
          as('user:default/pat'),
        ),
      ).resolves.toEqual(ALLOW);
      // Once loaded, the admin is an admin again.
      await expect(
        policy({ overrides: {}, providerGroups: [] }).handle(
          { permission: marketplaceUsersManagePermission },
          as('user:default/ada'),
        ),
      ).resolves.toEqual(ALLOW);
    });

    it('makes members of a group that owns a Provider providers', async () => {
      const noProviderGroups = {
        marketplace: { admins: { groups: ['group:default/platform-admins'] } },
      };
      await expect(
        policy(undefined, noProviderGroups).handle(
          { permission: marketplaceServicePublishPermission },
          as('user:default/guest'),
        ),
      ).resolves.toEqual(DENY);
      await expect(
        policy(
          { overrides: {}, providerGroups: ['group:default/checkout-team'] },
          noProviderGroups,
        ).handle(
          { permission: marketplaceServicePublishPermission },
          as('user:default/guest'),
        ),
      ).resolves.toEqual(ALLOW);
    });

    it('reads admins from marketplace.admins.groups', async () => {
      const config = {
        marketplace: {
          admins: { groups: ['group:default/research-llm-team'] },
        },
      };
      await expect(
        policy(undefined, config).handle(
          { permission: marketplaceUsersManagePermission },
          as('user:default/wei'),
        ),
      ).resolves.toEqual(ALLOW);
      await expect(
        policy(undefined, config).handle(
          { permission: marketplaceUsersManagePermission },
          as('user:default/ada'),
        ),
      ).resolves.toEqual(DENY);
    });
  });

  describe('reading the catalog', () => {
    // The catalog's own rules, applied in memory the way the catalog applies them.
    const authorize = createConditionAuthorizer(Object.values(permissionRules));

    function modelService(name: string, status?: string, owner?: string) {
      return {
        apiVersion: 'marketplace.acme.io/v1alpha1',
        kind: 'ModelService',
        metadata: {
          name,
          annotations: status
            ? { 'marketplace.acme.io/approval-status': status }
            : {},
        },
        spec: {},
        relations: owner
          ? [{ type: 'ownedBy', targetRef: owner }]
          : [{ type: 'ownedBy', targetRef: 'group:default/research-llm-team' }],
      } as Entity;
    }
    const component = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'checkout' },
      spec: {},
    } as Entity;

    async function decisionFor(ref: string): Promise<PolicyDecision> {
      return policy().handle(
        { permission: catalogEntityReadPermission },
        as(ref),
      );
    }

    it('shows admins everything', async () => {
      await expect(decisionFor('user:default/ada')).resolves.toEqual({
        result: AuthorizeResult.ALLOW,
      });
    });

    it('hides ModelServices under review from everyone but their owners', async () => {
      for (const ref of ['user:default/guest', 'user:default/pat']) {
        const decision = await decisionFor(ref);
        expect(decision.result).toBe(AuthorizeResult.CONDITIONAL);
        expect(authorize(decision, component)).toBe(true);
        expect(authorize(decision, modelService('live', 'approved'))).toBe(
          true,
        );
        expect(authorize(decision, modelService('new', 'pending'))).toBe(false);
        expect(authorize(decision, modelService('bad', 'rejected'))).toBe(
          false,
        );
        // No status known (yet): not public either.
        expect(authorize(decision, modelService('unknown'))).toBe(false);
      }
      const pat = await decisionFor('user:default/pat');
      expect(
        authorize(
          pat,
          modelService('mine', 'pending', 'group:default/ai-platform-team'),
        ),
      ).toBe(true);
      const wei = await decisionFor('user:default/wei');
      expect(authorize(wei, modelService('theirs', 'rejected'))).toBe(true);
    });
  });
});
