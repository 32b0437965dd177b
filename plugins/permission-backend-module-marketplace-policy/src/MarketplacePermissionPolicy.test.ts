import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import {
  catalogEntityDeletePermission,
  catalogEntityReadPermission,
  catalogLocationDeletePermission,
} from '@backstage/plugin-catalog-common/alpha';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  marketplaceServicePublishPermission,
  marketplaceUsersManagePermission,
  marketplaceUsersReadPermission,
} from '@internal/plugin-marketplace-common';
import { MarketplacePermissionPolicy } from './MarketplacePermissionPolicy';

const memberships: Record<string, string[]> = {
  'user:default/ada': ['user:default/ada', 'group:default/platform-admins'],
  'user:default/pat': ['user:default/pat', 'group:default/ai-platform-team'],
  'user:default/guest': ['user:default/guest', 'group:default/checkout-team'],
};

function policy() {
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
    mockServices.rootConfig({
      data: {
        marketplace: {
          roles: {
            adminGroups: ['group:default/platform-admins'],
            providerGroups: ['group:default/ai-platform-team'],
          },
        },
      },
    }),
    { userInfo, logger: mockServices.logger.mock() },
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

  it('allows reading the catalog to everyone signed in, and nothing without a user', async () => {
    await expect(
      policy().handle(
        { permission: catalogEntityReadPermission },
        as('user:default/guest'),
      ),
    ).resolves.toEqual({ result: AuthorizeResult.ALLOW });
    await expect(
      policy().handle({ permission: catalogEntityReadPermission }),
    ).resolves.toEqual({ result: AuthorizeResult.DENY });
  });
});
