import { mockServices } from '@backstage/backend-test-utils';
import { TeamMembership } from './TeamMembership';

describe('TeamMembership', () => {
  const TEAM = 'group:default/checkout-team';
  const USER = 'user:default/lena';

  function setup() {
    let groups: string[] | Error = [TEAM];
    const getEntityByRef = jest.fn(async () => {
      if (groups instanceof Error) {
        throw groups;
      }
      return {
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'User',
        metadata: { name: 'lena' },
        relations: groups.map(targetRef => ({ type: 'memberOf', targetRef })),
      };
    });
    let now = 0;
    const membership = new TeamMembership({
      catalog: { getEntityByRef } as any,
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
      ttlMs: 60_000,
      clock: () => now,
    });
    return {
      membership,
      getEntityByRef,
      setGroups: (g: string[] | Error) => {
        groups = g;
      },
      advance: (ms: number) => {
        now += ms;
      },
    };
  }

  it('caches a user’s memberships for the TTL, then reads them again', async () => {
    const { membership, getEntityByRef, setGroups, advance } = setup();
    await expect(membership.isMember(USER, TEAM)).resolves.toBe(true);
    setGroups([]);
    advance(59_999);
    await expect(membership.isMember(USER, TEAM)).resolves.toBe(true);
    expect(getEntityByRef).toHaveBeenCalledTimes(1);
    advance(1);
    await expect(membership.isMember(USER, TEAM)).resolves.toBe(false);
    expect(getEntityByRef).toHaveBeenCalledTimes(2);
  });

  it('keeps the last known memberships while the catalog cannot be read', async () => {
    const { membership, setGroups, advance } = setup();
    await expect(membership.isMember(USER, TEAM)).resolves.toBe(true);
    setGroups(new Error('catalog down'));
    advance(120_000);
    await expect(membership.isMember(USER, TEAM)).resolves.toBe(true);
    await expect(
      membership.isMember(USER, 'group:default/another'),
    ).resolves.toBe(false);
  });

  it('compares team refs case-insensitively', async () => {
    const { membership } = setup();
    await expect(
      membership.isMember(USER, 'group:default/Checkout-Team'),
    ).resolves.toBe(true);
  });
});
