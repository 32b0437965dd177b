import {
  isProviderEntity,
  providerEntityV1alpha1Validator as validate,
} from './ProviderEntityV1alpha1';

function validProvider(): any {
  return {
    apiVersion: 'marketplace.acme.io/v1alpha1',
    kind: 'Provider',
    metadata: { name: 'acme-ai' },
    spec: {
      owner: 'group:default/acme-ai',
      displayName: 'Acme AI',
      verification: { status: 'verified', verifiedAt: '2026-10-01' },
      headquarters: { country: 'US', region: 'north-america', city: 'Seattle' },
      compliance: ['SOC2'],
      contact: {
        email: 'ai@acme.io',
        url: 'https://acme.io/ai',
        chat: '#acme-ai',
      },
      website: 'https://acme.io',
    },
  };
}

describe('providerEntityV1alpha1Validator', () => {
  it('accepts a valid provider', () => {
    const p = validProvider();
    expect(validate(p)).toBe(p);
    expect(isProviderEntity(p)).toBe(true);
  });

  it('accepts only the default namespace (issue 16: namespace shadowing)', () => {
    const entity = validProvider();
    entity.metadata.namespace = 'aaa';
    expect(() => validate(entity)).toThrow(
      /metadata\.namespace must be 'default'/,
    );
  });

  it('accepts only http and https links (issue 16)', () => {
    const entity = validProvider();
    entity.metadata.links = [
      { url: `${'javascript'}:alert(1)`, title: 'Site' },
    ];
    expect(() => validate(entity)).toThrow(
      /metadata\.links\[0\]\.url must be an http:\/\/ or https:\/\/ URL/,
    );
  });

  it('ignores other kinds', () => {
    expect(
      validate({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Group',
        metadata: { name: 'g' },
        spec: {},
      }),
    ).toBe(false);
  });

  it.each<[string, (s: any) => void, RegExp]>([
    [
      'missing displayName',
      s => delete s.displayName,
      /^Provider spec\.displayName is required$/,
    ],
    [
      'wrong type of displayName',
      s => (s.displayName = 42),
      /spec\.displayName must be text, got 42/,
    ],
    [
      'unknown verification status',
      s => (s.verification.status = 'trusted'),
      /spec\.verification\.status must be one of: verified, pending, unverified/,
    ],
    [
      'verified without date',
      s => delete s.verification.verifiedAt,
      /spec\.verification\.verifiedAt is required when status is 'verified'/,
    ],
    [
      'bad email',
      s => (s.contact.email = 'nope'),
      /spec\.contact\.email must be an e-mail address/,
    ],
    [
      'unknown field',
      s => (s.secret = 'x'),
      /spec\.secret is not a known field/,
    ],
    [
      'unknown compliance',
      s => (s.compliance = ['ISO9001']),
      /spec\.compliance\[0\] must be one of/,
    ],
  ])('rejects %s, naming the field', (_n, mutate, message) => {
    const p = validProvider();
    mutate(p.spec);
    expect(() => validate(p)).toThrow(message);
  });
});
