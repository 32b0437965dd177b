import { EntityValidationError } from './validation';
import {
  isModelServiceEntity,
  modelServiceEntityV1alpha1Validator as validate,
} from './ModelServiceEntityV1alpha1';

function validService(): any {
  return {
    apiVersion: 'marketplace.acme.io/v1alpha1',
    kind: 'ModelService',
    metadata: { name: 'acme-gpt-4o', title: 'GPT-4o by Acme' },
    spec: {
      owner: 'group:default/acme-ai',
      providedBy: 'provider:default/acme-ai',
      lifecycle: 'active',
      family: 'gpt',
      baseModel: 'gpt-4o',
      pricing: {
        currency: 'USD',
        promptPer1kMicros: 2500,
        completionPer1kMicros: 10000,
        tiers: [
          {
            fromMonthlyTokens: 10_000_000,
            promptPer1kMicros: 2000,
            completionPer1kMicros: 8000,
          },
        ],
      },
      trial: { tokens: 100000, durationDays: 30, limitations: ['10 rpm'] },
      contextWindow: 128000,
      maxOutputTokens: 16384,
      features: {
        functionCalling: true,
        vision: true,
        streaming: true,
        jsonMode: true,
      },
      apiCompatibility: ['openai'],
      endpoint: {
        baseUrl: 'http://localhost:7007/api/demo-upstream/v1',
        upstreamModel: 'gpt-4o',
        auth: { type: 'bearer', secretRef: 'DEMO_UPSTREAM_API_KEY' },
      },
      geographic: {
        country: 'US',
        region: 'north-america',
        city: 'Ashburn',
        dataCenters: ['us-east-1'],
      },
      compliance: ['SOC2', 'GDPR'],
      availability: {
        schedule: '24/7',
        timezone: 'UTC',
        weeklyMaintenance: [{ days: ['sun'], start: '02:00', end: '03:00' }],
        maintenanceWindows: [
          {
            start: '2026-12-06T02:00:00Z',
            end: '2026-12-06T04:00:00Z',
            description: 'DB upgrade',
          },
        ],
      },
      sla: {
        latencyMs: { p50: 400, p95: 1200, p99: 2500 },
        uptimePercent: 99.9,
        throughput: { requestsPerSecond: 50, tokensPerSecond: 5000 },
        rateLimits: { requestsPerMinute: 600, tokensPerMinute: 200000 },
      },
      support: { documentationUrl: 'https://docs.acme.io/gpt-4o' },
    },
  };
}

function withSpec(mutate: (spec: any) => void) {
  const entity = validService();
  mutate(entity.spec);
  return entity;
}

describe('modelServiceEntityV1alpha1Validator', () => {
  it('accepts a complete valid service', () => {
    const entity = validService();
    expect(validate(entity)).toBe(entity);
    expect(isModelServiceEntity(entity)).toBe(true);
  });

  it('accepts the name of a successor and refuses anything else there', () => {
    const entity = withSpec(spec => {
      spec.lifecycle = 'deprecated';
      spec.successor = 'acme-gpt-5';
    });
    expect(validate(entity)).toBe(entity);
    expect(() =>
      validate(
        withSpec(spec => {
          spec.successor = 'Not A Name!';
        }),
      ),
    ).toThrow(/successor/);
  });

  it('accepts a service with only the required fields', () => {
    const entity = withSpec(spec => {
      delete spec.baseModel;
      delete spec.trial;
      delete spec.support;
      delete spec.pricing.tiers;
      delete spec.availability.timezone;
      delete spec.availability.weeklyMaintenance;
      delete spec.availability.maintenanceWindows;
      spec.endpoint.auth = { type: 'none' };
      spec.features = {};
      spec.compliance = [];
    });
    expect(validate(entity)).toBe(entity);
  });

  it('accepts each upstream protocol, and apiCompatibility only as far as the gateway serves it', () => {
    for (const protocol of [
      'openai-chat',
      'openai-responses',
      'anthropic-messages',
    ]) {
      const entity = withSpec(spec => {
        spec.endpoint.protocol = protocol;
        spec.apiCompatibility = ['openai', 'anthropic'];
      });
      expect(validate(entity)).toBe(entity);
      expect(() =>
        validate(
          withSpec(spec => {
            spec.endpoint.protocol = protocol;
            spec.apiCompatibility = ['openai', 'gemini'];
          }),
        ),
      ).toThrow(
        `spec.apiCompatibility[1] 'gemini' is not served by the marketplace gateway for an upstream speaking ${protocol} (it serves openai, anthropic)`,
      );
    }
    expect(() =>
      validate(
        withSpec(spec => {
          spec.endpoint.protocol = 'openai-embeddings';
          spec.apiCompatibility = ['openai', 'anthropic'];
        }),
      ),
    ).toThrow(/spec\.apiCompatibility\[1\] 'anthropic' is not served/);
    expect(() =>
      validate(
        withSpec(spec => {
          spec.endpoint.protocol = 'openai-realtime';
        }),
      ),
    ).toThrow(/spec\.endpoint\.protocol must be one of/);
  });

  it('ignores other kinds', () => {
    expect(
      validate({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'x' },
        spec: {},
      }),
    ).toBe(false);
    expect(validate(null)).toBe(false);
    expect(
      isModelServiceEntity({
        apiVersion: 'backstage.io/v1alpha1',
        kind: 'Component',
        metadata: { name: 'x' },
      }),
    ).toBe(false);
  });

  it.each<[string, (spec: any) => void, RegExp]>([
    [
      'wrong type of context window',
      s => (s.contextWindow = '128k'),
      /^ModelService spec\.contextWindow must be an integer \(a whole number\), got "128k"$/,
    ],
    [
      'context window not an integer',
      s => (s.contextWindow = 1.5),
      /spec\.contextWindow must be an integer/,
    ],
    [
      'context window zero',
      s => (s.contextWindow = 0),
      /spec\.contextWindow must be at least 1/,
    ],
    [
      'context window negative',
      s => (s.contextWindow = -8000),
      /spec\.contextWindow must be at least 1/,
    ],
    [
      'missing family',
      s => delete s.family,
      /^ModelService spec\.family is required$/,
    ],
    ['missing pricing', s => delete s.pricing, /spec\.pricing is required/],
    [
      'missing prompt price',
      s => delete s.pricing.promptPer1kMicros,
      /spec\.pricing\.promptPer1kMicros is required/,
    ],
    [
      'negative prompt price',
      s => (s.pricing.promptPer1kMicros = -1),
      /spec\.pricing\.promptPer1kMicros must be at least 0/,
    ],
    [
      'negative completion price',
      s => (s.pricing.completionPer1kMicros = -5),
      /spec\.pricing\.completionPer1kMicros must be at least 0/,
    ],
    [
      'negative tier price',
      s => (s.pricing.tiers[0].promptPer1kMicros = -2),
      /spec\.pricing\.tiers\[0\]\.promptPer1kMicros must be at least 0/,
    ],
    [
      'fractional micro price',
      s => (s.pricing.promptPer1kMicros = 0.5),
      /spec\.pricing\.promptPer1kMicros must be an integer/,
    ],
    [
      'unknown feature',
      s => (s.features.telepathy = true),
      /^ModelService spec\.features\.telepathy is not a known field \(the fields here are: functionCalling, vision, streaming, jsonMode, fineTuned, embeddings\)$/,
    ],
    [
      'feature not a boolean',
      s => (s.features.vision = 'yes'),
      /spec\.features\.vision must be true or false, got "yes"/,
    ],
    [
      'unknown family',
      s => (s.family = 'palm'),
      /spec\.family must be one of: gpt, claude, llama, gemini, mistral, embedding, other/,
    ],
    [
      'unknown api compatibility',
      s => (s.apiCompatibility = ['soap']),
      /spec\.apiCompatibility\[0\] must be one of/,
    ],
    [
      'unknown compliance',
      s => (s.compliance = ['SOC3']),
      /spec\.compliance\[0\] must be one of/,
    ],
    [
      'unknown region',
      s => (s.geographic.region = 'mars'),
      /spec\.geographic\.region must be one of/,
    ],
    [
      'lowercase country',
      s => (s.geographic.country = 'us'),
      /spec\.geographic\.country must be a two-letter ISO 3166 country code/,
    ],
    [
      'no data centers',
      s => (s.geographic.dataCenters = []),
      /spec\.geographic\.dataCenters must list at least 1 item/,
    ],
    [
      'bad endpoint url',
      s => (s.endpoint.baseUrl = 'ftp://x'),
      /spec\.endpoint\.baseUrl must be an http:\/\/ or https:\/\/ URL without a user name, password, query \(\?\) or fragment \(#\) \(got "ftp:\/\/x"\)/,
    ],
    [
      'endpoint url with a fragment (issue 16)',
      s => (s.endpoint.baseUrl = 'http://169.254.169.254/latest#'),
      /spec\.endpoint\.baseUrl must be an http:\/\/ or https:\/\/ URL without a user name, password, query \(\?\) or fragment \(#\)/,
    ],
    [
      'endpoint url with credentials (issue 16)',
      s => (s.endpoint.baseUrl = 'https://user:pw@api.example.com/v1'),
      /spec\.endpoint\.baseUrl must be an http:\/\/ or https:\/\/ URL without a user name/,
    ],
    [
      'endpoint url with a query (issue 16)',
      s => (s.endpoint.baseUrl = 'https://api.example.com/admin?x='),
      /spec\.endpoint\.baseUrl must be an http:\/\/ or https:\/\/ URL without/,
    ],
    [
      'credential in the host header (issue 16)',
      s =>
        (s.endpoint.auth = {
          type: 'header',
          header: 'Host',
          secretRef: 'KEY',
        }),
      /spec\.endpoint\.auth\.header must not be 'Host'/,
    ],
    [
      'credential in a hop-by-hop header (issue 16)',
      s =>
        (s.endpoint.auth = {
          type: 'header',
          header: 'transfer-encoding',
          secretRef: 'KEY',
        }),
      /spec\.endpoint\.auth\.header must not be 'transfer-encoding'/,
    ],
    [
      'uptime above 100',
      s => (s.sla.uptimePercent = 100.5),
      /spec\.sla\.uptimePercent must be at most 100/,
    ],
    [
      'unknown top-level field',
      s => (s.apiKey = 'sk-123'),
      /spec\.apiKey is not a known field/,
    ],
    [
      'unknown lifecycle',
      s => (s.lifecycle = 'production'),
      /spec\.lifecycle must be one of: active, maintenance, deprecated/,
    ],
    [
      'bad HH:MM',
      s => (s.availability.weeklyMaintenance[0].start = '2am'),
      /^ModelService spec\.availability\.weeklyMaintenance\[0\]\.start must be a time of day as HH:MM/,
    ],
    [
      'max output above context',
      s => (s.maxOutputTokens = 200000),
      /spec\.maxOutputTokens \(200000\) must not exceed spec\.contextWindow \(128000\)/,
    ],
    [
      'latency percentiles out of order',
      s => (s.sla.latencyMs.p95 = 100),
      /spec\.sla\.latencyMs must satisfy p50 <= p95 <= p99/,
    ],
    [
      'tiers not ascending',
      s =>
        s.pricing.tiers.push({
          fromMonthlyTokens: 5,
          promptPer1kMicros: 1,
          completionPer1kMicros: 1,
        }),
      /spec\.pricing\.tiers\[1\]\.fromMonthlyTokens must be greater/,
    ],
    [
      'bearer without secretRef',
      s => delete s.endpoint.auth.secretRef,
      /spec\.endpoint\.auth\.secretRef is required when spec\.endpoint\.auth\.type is 'bearer'/,
    ],
    [
      'header auth without header',
      s => (s.endpoint.auth.type = 'header'),
      /spec\.endpoint\.auth\.header is required/,
    ],
    [
      'business hours without timezone',
      s => {
        s.availability.schedule = 'business_hours';
        delete s.availability.timezone;
      },
      /spec\.availability\.timezone is required/,
    ],
    [
      'invalid timezone',
      s => (s.availability.timezone = 'Mars/Olympus'),
      /spec\.availability\.timezone 'Mars\/Olympus' is not an IANA time zone/,
    ],
    [
      'custom schedule without hours',
      s => (s.availability.schedule = 'custom'),
      /spec\.availability\.customHours is required/,
    ],
    [
      'maintenance window ends before start',
      s => (s.availability.maintenanceWindows[0].end = '2026-12-06T01:00:00Z'),
      /spec\.availability\.maintenanceWindows\[0\]\.end must be a date-time after start/,
    ],
    [
      'weekly maintenance ends before start',
      s => (s.availability.weeklyMaintenance[0].end = '01:00'),
      /spec\.availability\.weeklyMaintenance\[0\]\.end must be after start/,
    ],
  ])('rejects %s, naming the field', (_name, mutate, message) => {
    expect(() => validate(withSpec(mutate))).toThrow(message);
  });

  it('accepts only the default namespace (issue 16: namespace shadowing)', () => {
    const impostor = validService();
    impostor.metadata.namespace = 'aaa';
    expect(() => validate(impostor)).toThrow(
      /metadata\.namespace must be 'default' \(or left out\)/,
    );
    const plain = validService();
    plain.metadata.namespace = 'default';
    expect(validate(plain)).toBeTruthy();
  });

  it('accepts only http and https links (issue 16)', () => {
    const entity = validService();
    entity.metadata.links = [
      { url: 'https://docs.example.com', title: 'Docs' },
      // A script link, written in two pieces for the linter.
      { url: `${'javascript'}:alert(document.cookie)`, title: 'Click me' },
      { url: 'data:text/html,<script>alert(1)</script>', title: 'Data' },
    ];
    expect(() => validate(entity)).toThrow(
      /metadata\.links\[1\]\.url must be an http:\/\/ or https:\/\/ URL/,
    );
    expect(() => validate(entity)).toThrow(/metadata\.links\[2\]\.url/);
    entity.metadata.links = [{ url: 'https://docs.example.com' }];
    expect(validate(entity)).toBeTruthy();
  });

  it('names every problem at once, schema and rules alike', () => {
    const entity = withSpec(s => {
      delete s.owner;
      delete s.lifecycle;
      s.contextWindow = 'lots';
      s.pricing.currency = 'EUR';
      s.features.telepathy = true;
      s.sla.latencyMs.p95 = 100;
      delete s.endpoint.auth.secretRef;
    });
    let error: any;
    try {
      validate(entity);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(EntityValidationError);
    expect(error.problems).toEqual([
      { field: 'spec.owner', message: 'is required' },
      { field: 'spec.lifecycle', message: 'is required' },
      {
        field: 'spec.pricing.currency',
        message: 'must be one of: USD (got "EUR")',
      },
      {
        field: 'spec.contextWindow',
        message: 'must be an integer (a whole number), got "lots"',
      },
      {
        field: 'spec.features.telepathy',
        message:
          'is not a known field (the fields here are: functionCalling, vision, streaming, jsonMode, fineTuned, embeddings)',
      },
      {
        field: 'spec.sla.latencyMs',
        message: 'must satisfy p50 <= p95 <= p99 (got 400, 100, 2500)',
      },
      {
        field: 'spec.endpoint.auth.secretRef',
        message: "is required when spec.endpoint.auth.type is 'bearer'",
      },
    ]);
    expect(error.message).toBe(
      `ModelService ${error.problems
        .map((p: any) => `${p.field} ${p.message}`)
        .join('; ')}`,
    );
  });

  it('rejects a ModelService without spec', () => {
    const entity = validService();
    delete entity.spec;
    expect(() => validate(entity)).toThrow(/^ModelService spec is required$/);
  });

  it('rejects a ModelService with an unknown apiVersion', () => {
    const entity = { ...validService(), apiVersion: 'marketplace.acme.io/v9' };
    // wrong apiVersion alone is a soft mismatch: not ours to validate
    expect(validate(entity)).toBe(false);
  });
});
