import { Entity } from '@backstage/catalog-model';
import { MarketplaceEntitiesProcessor } from './MarketplaceEntitiesProcessor';

const location = { type: 'file', target: '/repo/examples/services.yaml' };

function service(): Entity {
  return {
    apiVersion: 'marketplace.acme.io/v1alpha1',
    kind: 'ModelService',
    metadata: { name: 'acme-gpt-4o', namespace: 'default' },
    spec: {
      owner: 'ai-platform-team',
      providedBy: 'acme-ai',
      lifecycle: 'active',
      family: 'gpt',
      pricing: {
        currency: 'USD',
        promptPer1kMicros: 2500,
        completionPer1kMicros: 10000,
      },
      contextWindow: 128000,
      maxOutputTokens: 16384,
      features: { streaming: true },
      apiCompatibility: ['openai'],
      endpoint: {
        baseUrl: 'http://localhost:7007/api/demo-upstream/v1',
        auth: { type: 'none' },
      },
      geographic: {
        country: 'US',
        region: 'north-america',
        dataCenters: ['us-east-1'],
      },
      compliance: [],
      availability: { schedule: '24/7' },
      sla: {
        latencyMs: { p50: 300, p95: 900, p99: 1500 },
        uptimePercent: 99.9,
        throughput: { requestsPerSecond: 10, tokensPerSecond: 1000 },
        rateLimits: { requestsPerMinute: 60, tokensPerMinute: 100000 },
      },
    },
  };
}

function provider(): Entity {
  return {
    apiVersion: 'marketplace.acme.io/v1alpha1',
    kind: 'Provider',
    metadata: { name: 'acme-ai', namespace: 'default' },
    spec: {
      owner: 'group:default/ai-platform-team',
      displayName: 'Acme AI',
      verification: { status: 'pending' },
      headquarters: { country: 'DE', region: 'europe' },
      compliance: ['GDPR'],
      contact: { email: 'ai@acme.io' },
    },
  };
}

describe('MarketplaceEntitiesProcessor', () => {
  const processor = new MarketplaceEntitiesProcessor();

  it('accepts valid ModelService and Provider entities', async () => {
    await expect(processor.validateEntityKind(service())).resolves.toBe(true);
    await expect(processor.validateEntityKind(provider())).resolves.toBe(true);
    await expect(
      processor.preProcessEntity(service(), location),
    ).resolves.toEqual(service());
  });

  it('leaves other kinds alone', async () => {
    const component: Entity = {
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'c' },
      spec: { owner: 'x', providedBy: 'y' },
    };
    await expect(processor.validateEntityKind(component)).resolves.toBe(false);
    await expect(processor.preProcessEntity(component, location)).resolves.toBe(
      component,
    );
    const emit = jest.fn();
    await processor.postProcessEntity(component, location, emit);
    expect(emit).not.toHaveBeenCalled();
  });

  it('names the file and the field of an invalid entity', async () => {
    const bad = service();
    (bad.spec as any).contextWindow = 'lots';
    await expect(processor.preProcessEntity(bad, location)).rejects.toThrow(
      'Invalid ModelService \'acme-gpt-4o\' in file:/repo/examples/services.yaml: ModelService spec.contextWindow must be an integer (a whole number), got "lots"',
    );
    await expect(processor.validateEntityKind(bad)).rejects.toThrow(
      /spec\.contextWindow/,
    );

    const badProvider = provider();
    delete (badProvider.spec as any).displayName;
    await expect(
      processor.preProcessEntity(badProvider, location),
    ).rejects.toThrow(
      /Invalid Provider 'acme-ai' in file:\/repo\/examples\/services\.yaml: Provider spec\.displayName is required/,
    );
  });

  it('names every problem of an entity at once', async () => {
    const bad = service() as any;
    delete bad.spec.owner;
    delete bad.spec.lifecycle;
    bad.spec.contextWindow = 'lots';
    bad.spec.geographic.country = 'Germany';
    await expect(processor.preProcessEntity(bad, location)).rejects.toThrow(
      'Invalid ModelService \'acme-gpt-4o\' in file:/repo/examples/services.yaml: ModelService spec.owner is required; spec.lifecycle is required; spec.contextWindow must be an integer (a whole number), got "lots"; spec.geographic.country must be a two-letter ISO 3166 country code in capitals, such as US or DE (got "Germany")',
    );
  });

  describe('references', () => {
    const teamFile = {
      type: 'url',
      target:
        'http://localhost:7007/api/demo-upstream/sample-team-repo/catalog-info.yaml',
    };
    const withSecret = () => {
      const s = service() as any;
      s.spec.endpoint.auth = { type: 'bearer', secretRef: 'TEAM_KEY' };
      return s as Entity;
    };

    function lookup(
      known: string[],
      options: {
        secrets?: string[];
        sameFile?: string[];
        owners?: Record<string, string>;
      } = {},
    ) {
      return {
        hasEntity: jest.fn(async (ref: string) => known.includes(ref)),
        entitiesAt: jest.fn(async () => options.sameFile ?? []),
        ownerOf: jest.fn(async (ref: string) => options.owners?.[ref]),
      };
    }

    it('accepts a team file whose references resolve', async () => {
      const references = lookup(
        ['group:default/ai-platform-team', 'provider:default/acme-ai'],
        { secrets: ['TEAM_KEY'] },
      );
      const p = new MarketplaceEntitiesProcessor({ references });
      await expect(
        p.preProcessEntity(withSecret(), teamFile),
      ).resolves.toBeDefined();
      expect(references.hasEntity).toHaveBeenCalledWith(
        'provider:default/acme-ai',
      );
      expect(references.entitiesAt).not.toHaveBeenCalled();
    });

    it('refuses a team file naming a provider, owner and credential that do not exist, with the schema problems', async () => {
      const p = new MarketplaceEntitiesProcessor({
        references: lookup([]),
        credentials: { get: async () => new Map() },
      });
      const bad = withSecret() as any;
      bad.spec.contextWindow = 'lots';
      await expect(p.preProcessEntity(bad, teamFile)).rejects.toThrow(
        `Invalid ModelService 'acme-gpt-4o' in url:${teamFile.target}: ModelService spec.contextWindow must be an integer (a whole number), got "lots"; spec.owner names group:default/ai-platform-team, but there is no such group in the catalog; spec.providedBy names provider:default/acme-ai, but there is no such Provider in the catalog; spec.endpoint.auth.secretRef names 'TEAM_KEY', but provider:default/acme-ai has no credential of that name. Add it on the provider's page (Upstream credentials), or ask the platform team to bind it to provider:default/acme-ai in marketplace.secrets`,
      );
    });

    it('refuses team X’s service naming ACME’s Provider (whose credentials it would get), naming the field', async () => {
      const known = [
        'group:default/ai-platform-team',
        'group:default/team-x',
        'provider:default/acme-ai',
      ];
      const owners = { 'provider:default/acme-ai': 'ai-platform-team' };
      const borrowed = withSecret() as any;
      borrowed.spec.owner = 'group:default/team-x';
      const p = new MarketplaceEntitiesProcessor({
        references: lookup(known, { owners }),
      });
      await expect(p.preProcessEntity(borrowed, teamFile)).rejects.toThrow(
        `Invalid ModelService 'acme-gpt-4o' in url:${teamFile.target}: ModelService spec.providedBy names provider:default/acme-ai, which belongs to group:default/ai-platform-team, not to group:default/team-x (spec.owner); a service may only name a Provider of its own team`,
      );
      // The Provider's own team may (owner refs compared as the catalog does).
      await expect(
        p.preProcessEntity(withSecret(), teamFile),
      ).resolves.toBeDefined();
    });

    it('accepts a reference to an entity of the same file', async () => {
      const references = lookup(['group:default/ai-platform-team'], {
        secrets: ['TEAM_KEY'],
        sameFile: [
          'Provider:default/acme-ai',
          'ModelService:default/acme-gpt-4o',
        ],
      });
      const p = new MarketplaceEntitiesProcessor({ references });
      await expect(
        p.preProcessEntity(withSecret(), teamFile),
      ).resolves.toBeDefined();
      expect(references.entitiesAt).toHaveBeenCalledWith(teamFile);
    });

    it('only warns for the files of the backend config, read in no guaranteed order, once it lasts', async () => {
      const logger = { warn: jest.fn() } as any;
      let now = 1_000_000;
      const p = new MarketplaceEntitiesProcessor({
        references: lookup([]),
        logger,
        clock: () => now,
      });
      // The first round: the Provider may simply not be processed yet.
      await expect(
        p.preProcessEntity(withSecret(), location),
      ).resolves.toBeDefined();
      expect(logger.warn).not.toHaveBeenCalled();
      now += 30_000;
      await p.preProcessEntity(withSecret(), location);
      expect(logger.warn).not.toHaveBeenCalled();
      // A round a minute later: still unresolved, so it is logged.
      now += 30_000;
      await expect(
        p.preProcessEntity(withSecret(), location),
      ).resolves.toBeDefined();
      expect(logger.warn).toHaveBeenCalledWith(
        expect.stringContaining(
          "ModelService 'acme-gpt-4o' in file:/repo/examples/services.yaml: ModelService spec.owner names group:default/ai-platform-team, but there is no such group",
        ),
      );
      // Resolved later: forgotten, and not logged.
      logger.warn.mockClear();
      const resolved = new MarketplaceEntitiesProcessor({
        references: lookup(
          ['group:default/ai-platform-team', 'provider:default/acme-ai'],
          { secrets: ['TEAM_KEY'] },
        ),
        logger,
      });
      await resolved.preProcessEntity(withSecret(), location);
      expect(logger.warn).not.toHaveBeenCalled();
    });
  });

  it('emits providedBy/provides and ownedBy/ownerOf for a service', async () => {
    const emit = jest.fn();
    await processor.postProcessEntity(service(), location, emit);
    const relations = emit.mock.calls.map(([r]) => [
      `${r.relation.source.kind}:${r.relation.source.namespace}/${r.relation.source.name}`,
      r.relation.type,
      `${r.relation.target.kind}:${r.relation.target.namespace}/${r.relation.target.name}`,
    ]);
    expect(relations).toEqual([
      [
        'ModelService:default/acme-gpt-4o',
        'ownedBy',
        'Group:default/ai-platform-team',
      ],
      [
        'Group:default/ai-platform-team',
        'ownerOf',
        'ModelService:default/acme-gpt-4o',
      ],
      [
        'ModelService:default/acme-gpt-4o',
        'providedBy',
        'Provider:default/acme-ai',
      ],
      [
        'Provider:default/acme-ai',
        'provides',
        'ModelService:default/acme-gpt-4o',
      ],
    ]);
  });

  it('emits ownership for a provider', async () => {
    const emit = jest.fn();
    await processor.postProcessEntity(provider(), location, emit);
    expect(emit.mock.calls.map(([r]) => r.relation.type)).toEqual([
      'ownedBy',
      'ownerOf',
    ]);
    expect(emit.mock.calls[0][0].relation.target).toEqual({
      kind: 'group',
      namespace: 'default',
      name: 'ai-platform-team',
    });
  });

  describe('the edit-url annotation', () => {
    it("points the About card's Edit at the portal's edit flow, unless the catalog knows the YAML's editor", async () => {
      const out = await processor.postProcessEntity(
        service(),
        location,
        jest.fn(),
      );
      expect(out.metadata.annotations?.['backstage.io/edit-url']).toBe(
        '/marketplace/provider?tab=services&edit=acme-gpt-4o',
      );
      const fromScm = service();
      fromScm.metadata.annotations = {
        'backstage.io/edit-url':
          'https://git.example/acme/edit/catalog-info.yaml',
      };
      const kept = await processor.postProcessEntity(
        fromScm,
        location,
        jest.fn(),
      );
      expect(kept.metadata.annotations?.['backstage.io/edit-url']).toBe(
        'https://git.example/acme/edit/catalog-info.yaml',
      );
    });
  });

  describe('the approval-status annotation', () => {
    const ANNOTATION = 'marketplace.acme.io/approval-status';

    it('copies the review state of a service from the marketplace', async () => {
      const get = jest.fn(async (ref: string) =>
        ref === 'modelservice:default/acme-gpt-4o' ? 'pending' : undefined,
      );
      const withStatus = new MarketplaceEntitiesProcessor({
        approvals: { get: get as any },
      });
      const out = await withStatus.postProcessEntity(
        service(),
        location,
        jest.fn(),
      );
      expect(out.metadata.annotations).toEqual({
        [ANNOTATION]: 'pending',
        'backstage.io/edit-url':
          '/marketplace/provider?tab=services&edit=acme-gpt-4o',
      });
      expect(get).toHaveBeenCalledWith('modelservice:default/acme-gpt-4o');
      // A Provider not reviewed yet: its claimed verification is kept aside.
      const p = await withStatus.postProcessEntity(
        provider(),
        location,
        jest.fn(),
      );
      expect(p.metadata.annotations).toEqual({
        'marketplace.acme.io/claimed-verification': 'pending',
      });
      expect((p.spec as any).verification).toEqual({ status: 'unverified' });
    });

    it("shows a Provider's verification only once an admin approved the Provider (issue 16)", async () => {
      const selfVerified = provider();
      (selfVerified.spec as any).verification = {
        status: 'verified',
        verifiedAt: '2026-01-01',
      };
      (selfVerified.spec as any).owner = 'user:default/lena.fischer';
      const states: Record<string, string | undefined> = {};
      const processor2 = new MarketplaceEntitiesProcessor({
        approvals: { get: async (ref: string) => states[ref] as any },
      });
      for (const state of [undefined, 'pending', 'rejected']) {
        states['provider:default/acme-ai'] = state;
        const out = await processor2.postProcessEntity(
          selfVerified,
          location,
          jest.fn(),
        );
        expect({ state, verification: (out.spec as any).verification }).toEqual(
          { state, verification: { status: 'unverified' } },
        );
        expect(out.metadata.annotations).toMatchObject({
          'marketplace.acme.io/claimed-verification': 'verified',
        });
      }
      states['provider:default/acme-ai'] = 'approved';
      const approved = await processor2.postProcessEntity(
        selfVerified,
        location,
        jest.fn(),
      );
      expect((approved.spec as any).verification).toEqual({
        status: 'verified',
        verifiedAt: '2026-01-01',
      });
      expect(approved.metadata.annotations).toEqual({
        'marketplace.acme.io/approval-status': 'approved',
      });
    });

    it('never keeps a status written in YAML', async () => {
      const selfApproved = service();
      selfApproved.metadata.annotations = {
        [ANNOTATION]: 'approved',
        'backstage.io/techdocs-ref': 'dir:.',
      };
      const unknown = new MarketplaceEntitiesProcessor({
        approvals: { get: async () => undefined },
      });
      const out = await unknown.postProcessEntity(
        selfApproved,
        location,
        jest.fn(),
      );
      expect(out.metadata.annotations).toEqual({
        'backstage.io/techdocs-ref': 'dir:.',
        'backstage.io/edit-url':
          '/marketplace/provider?tab=services&edit=acme-gpt-4o',
      });
      const rejected = new MarketplaceEntitiesProcessor({
        approvals: { get: async () => 'rejected' },
      });
      const out2 = await rejected.postProcessEntity(
        selfApproved,
        location,
        jest.fn(),
      );
      expect(out2.metadata.annotations?.[ANNOTATION]).toBe('rejected');
    });

    it('processes the entity without the annotation when the lookup fails', async () => {
      const failing = new MarketplaceEntitiesProcessor({
        approvals: {
          get: async () => {
            throw new Error('marketplace down');
          },
        },
      });
      const emit = jest.fn();
      const out = await failing.postProcessEntity(service(), location, emit);
      expect(out.metadata.annotations).toEqual({
        'backstage.io/edit-url':
          '/marketplace/provider?tab=services&edit=acme-gpt-4o',
      });
      expect(emit).toHaveBeenCalledTimes(4);
    });
  });

  describe('upstream credentials', () => {
    const bindings = new Map<string, string[] | null>([
      ['ACME_KEY', ['provider:default/acme-ai']],
      ['DEV_PLAIN', null],
    ]);
    const checking = new MarketplaceEntitiesProcessor({
      credentials: { get: async () => bindings },
    });
    function naming(secretRef: string, providedBy = 'acme-ai'): Entity {
      const e = service();
      (e.spec as any).providedBy = providedBy;
      (e.spec as any).endpoint.auth = { type: 'bearer', secretRef };
      return e;
    }

    it('accepts a credential bound to the service’s provider (or to every provider)', async () => {
      await expect(
        checking.preProcessEntity(naming('ACME_KEY'), location),
      ).resolves.toEqual(naming('ACME_KEY'));
      await expect(
        checking.preProcessEntity(
          naming('ACME_KEY', 'provider:default/Acme-AI'),
          location,
        ),
      ).resolves.toBeDefined();
      await expect(
        checking.preProcessEntity(naming('DEV_PLAIN', 'team-x'), location),
      ).resolves.toBeDefined();
    });

    it('refuses team X’s service naming ACME’s credential, naming the file and the field', async () => {
      await expect(
        checking.preProcessEntity(naming('ACME_KEY', 'team-x'), location),
      ).rejects.toThrow(
        "Invalid ModelService 'acme-gpt-4o' in file:/repo/examples/services.yaml: ModelService spec.endpoint.auth.secretRef names the credential 'ACME_KEY', which belongs to provider:default/acme-ai, not to provider:default/team-x",
      );
      await expect(
        checking.preProcessEntity(naming('NOBODY_HAS_IT', 'team-x'), location),
      ).rejects.toThrow(
        "spec.endpoint.auth.secretRef names 'NOBODY_HAS_IT', but provider:default/team-x has no credential of that name",
      );
    });

    it('lets services through while the bindings are unknown (the gateway checks again)', async () => {
      const unknown = new MarketplaceEntitiesProcessor({
        credentials: { get: async () => undefined },
      });
      await expect(
        unknown.preProcessEntity(naming('ACME_KEY', 'team-x'), location),
      ).resolves.toBeDefined();
    });
  });
});
