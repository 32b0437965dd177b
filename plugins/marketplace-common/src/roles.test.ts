import { readRoleGroups, resolveMarketplaceRole } from './roles';

describe('resolveMarketplaceRole', () => {
  const groups = {
    admin: ['group:default/platform-admins'],
    provider: [
      'group:default/ai-platform-team',
      'group:default/research-llm-team',
    ],
  };

  it('gives the highest role of all memberships', () => {
    expect(
      resolveMarketplaceRole(
        [
          'user:default/ada',
          'group:default/platform-admins',
          'group:default/ai-platform-team',
        ],
        groups,
      ),
    ).toBe('admin');
    expect(
      resolveMarketplaceRole(
        ['user:default/pat', 'group:default/Research-LLM-Team'],
        groups,
      ),
    ).toBe('provider');
    expect(
      resolveMarketplaceRole(
        ['user:default/guest', 'group:default/checkout-team'],
        groups,
      ),
    ).toBe('consumer');
    expect(resolveMarketplaceRole([], groups)).toBe('consumer');
  });
});

describe('resolveMarketplaceRole with an override', () => {
  const groups = {
    admin: ['group:default/platform-admins'],
    provider: ['group:default/ai-platform-team'],
  };

  it('lets the override win in both directions', () => {
    expect(
      resolveMarketplaceRole(
        ['user:default/ada', 'group:default/platform-admins'],
        groups,
        'consumer',
      ),
    ).toBe('consumer');
    expect(resolveMarketplaceRole(['user:default/lena'], groups, 'admin')).toBe(
      'admin',
    );
    expect(
      resolveMarketplaceRole(['user:default/lena'], groups, 'provider'),
    ).toBe('provider');
    expect(resolveMarketplaceRole(['user:default/lena'], groups, null)).toBe(
      'consumer',
    );
  });

  it('ignores an override that is not a role', () => {
    expect(
      resolveMarketplaceRole(
        ['user:default/ada', 'group:default/platform-admins'],
        groups,
        'root' as any,
      ),
    ).toBe('admin');
  });
});

describe('readRoleGroups', () => {
  const config = (data: Record<string, string[]>) => ({
    getOptionalStringArray: (key: string) => data[key],
  });

  it('reads marketplace.admins.groups and normalizes the refs', () => {
    const warn = jest.fn();
    expect(
      readRoleGroups(
        config({
          'marketplace.admins.groups': ['Platform-Admins', 'group:ops'],
          'marketplace.roles.providerGroups': ['default/ai-platform-team'],
        }),
        warn,
      ),
    ).toEqual({
      admin: ['group:default/platform-admins', 'group:default/ops'],
      provider: ['group:default/ai-platform-team'],
    });
    expect(warn).not.toHaveBeenCalled();
  });

  it('keeps the deprecated marketplace.roles.adminGroups working, with a warning', () => {
    const warn = jest.fn();
    expect(
      readRoleGroups(
        config({ 'marketplace.roles.adminGroups': ['group:default/admins'] }),
        warn,
      ).admin,
    ).toEqual(['group:default/admins']);
    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining('rename it to marketplace.admins.groups'),
    );
  });

  it('prefers the new key when both are set', () => {
    const warn = jest.fn();
    expect(
      readRoleGroups(
        config({
          'marketplace.admins.groups': ['group:default/new-admins'],
          'marketplace.roles.adminGroups': ['group:default/old-admins'],
        }),
        warn,
      ).admin,
    ).toEqual(['group:default/new-admins']);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('ignored'));
  });

  it('defaults to platform-admins and no provider groups', () => {
    expect(readRoleGroups(config({}))).toEqual({
      admin: ['group:default/platform-admins'],
      provider: [],
    });
  });
});
