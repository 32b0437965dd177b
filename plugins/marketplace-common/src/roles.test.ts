import { resolveMarketplaceRole } from './roles';

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
