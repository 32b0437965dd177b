import http from 'node:http';
import { AddressInfo } from 'node:net';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { createPublishAction } from './publish';
import { parse } from 'yaml';
import { modelServiceEntityV1alpha1Validator } from '@internal/plugin-marketplace-common';

/** The parameters the "Publish LLM service" template passes. */
const templateInput = {
  name: 'team-llama-70b',
  title: 'Team Llama 70B',
  description: 'Llama 3.1 70B for internal summarisation.',
  family: 'llama',
  baseModel: 'llama-3.1-70b-instruct',
  owner: 'group:default/ai-platform-team',
  providedBy: 'provider:default/acme-ai-platform',
  pricing: {
    promptPer1k: '0.0009',
    completionPer1k: 0.0012,
    tiers: [
      {
        fromMonthlyTokens: 10_000_000,
        promptPer1k: '0.0008',
        completionPer1k: '0.001',
      },
    ],
    trialTokens: 50_000,
    trialDurationDays: 14,
    trialLimitations: ['10 requests per minute'],
  },
  technical: {
    endpointUrl: 'https://llm.acme.example/v1',
    upstreamModel: 'llama-3.1-70b',
    authType: 'bearer',
    secretRef: 'TEAM_LLAMA_KEY',
    contextWindow: 128_000,
    maxOutputTokens: 8_192,
    features: ['functionCalling', 'streaming'],
    apiCompatibility: ['openai'],
    documentationUrl: 'https://docs.acme.example/llama',
  },
  infrastructure: {
    country: 'DE',
    region: 'europe',
    city: 'Frankfurt',
    dataCenters: ['fra-1'],
    compliance: ['GDPR'],
    schedule: 'business_hours',
    timezone: 'Europe/Berlin',
    weeklyMaintenance: [{ days: ['sun'], start: '02:00', end: '03:00' }],
  },
  performance: {
    latencyP50Ms: 300,
    latencyP95Ms: 800,
    latencyP99Ms: 1500,
    uptimePercent: 99.9,
    requestsPerSecond: 20,
    tokensPerSecond: 4000,
    requestsPerMinute: 600,
    tokensPerMinute: 500_000,
  },
  termsAccepted: true,
};

type Received = {
  headers: http.IncomingHttpHeaders;
  body: any;
  url?: string;
  method?: string;
};

async function fakeMarketplace(
  answer: (body: any) => { status: number; body: unknown },
) {
  const received: Received[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', c => (raw += c));
    req.on('end', () => {
      const body = JSON.parse(raw || '{}');
      received.push({
        headers: req.headers,
        body,
        url: req.url,
        method: req.method,
      });
      const { status, body: out } = answer(body);
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(out));
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    received,
    baseUrl: `http://127.0.0.1:${port}/api/marketplace`,
    close: () => new Promise(resolve => server.close(resolve)),
  };
}

function context(input: unknown, overrides: Record<string, unknown> = {}) {
  const outputs: Record<string, unknown> = {};
  const checkpoints = new Map<string, unknown>();
  const ctx: any = {
    input,
    logger: mockServices.logger.mock(),
    output: (name: string, value: unknown) => {
      outputs[name] = value;
    },
    checkpoint: async ({ key, fn }: { key: string; fn: () => unknown }) => {
      if (!checkpoints.has(key)) {
        checkpoints.set(key, await fn());
      }
      return checkpoints.get(key);
    },
    getInitiatorCredentials: async () =>
      mockCredentials.user('user:default/samira.haddad'),
    isDryRun: false,
    task: { id: 'task-1' },
    workspacePath: '/tmp',
    createTemporaryDirectory: async () => '/tmp',
    ...overrides,
  };
  return { ctx, outputs };
}

function action(baseUrl: string) {
  return createPublishAction({
    discovery: {
      getBaseUrl: async () => baseUrl,
      getExternalBaseUrl: async () => baseUrl,
    },
    auth: mockServices.auth(),
  });
}

describe('marketplace:publish', () => {
  it('publishes the ModelService the six steps describe, as the user who runs the template', async () => {
    const server = await fakeMarketplace(() => ({
      status: 201,
      body: {
        id: 'svc-1',
        entityRef: 'modelservice:default/team-llama-70b',
        status: 'pending',
      },
    }));
    try {
      const { ctx, outputs } = context(templateInput);
      await action(server.baseUrl).handler(ctx);

      expect(server.received).toHaveLength(1);
      const [request] = server.received;
      expect(request.url).toBe('/api/marketplace/v1/provider/services');
      // A token acting for the user, so the backend checks their group membership.
      expect(request.headers.authorization).toBe(
        `Bearer ${mockCredentials.service.token({
          onBehalfOf: mockCredentials.user('user:default/samira.haddad'),
          targetPluginId: 'marketplace',
        })}`,
      );
      expect(request.headers['idempotency-key']).toBe('scaffolder-task-1');
      const { entity } = request.body;
      expect(entity).toMatchObject({
        apiVersion: 'marketplace.acme.io/v1alpha1',
        kind: 'ModelService',
        metadata: {
          name: 'team-llama-70b',
          namespace: 'default',
          title: 'Team Llama 70B',
        },
        spec: {
          owner: 'group:default/ai-platform-team',
          providedBy: 'provider:default/acme-ai-platform',
          lifecycle: 'active',
          family: 'llama',
          pricing: {
            currency: 'USD',
            promptPer1kMicros: 900,
            completionPer1kMicros: 1200,
            tiers: [
              {
                fromMonthlyTokens: 10_000_000,
                promptPer1kMicros: 800,
                completionPer1kMicros: 1000,
              },
            ],
          },
          trial: {
            tokens: 50_000,
            durationDays: 14,
            limitations: ['10 requests per minute'],
          },
          features: {
            functionCalling: true,
            streaming: true,
            vision: false,
            jsonMode: false,
            fineTuned: false,
          },
          endpoint: {
            baseUrl: 'https://llm.acme.example/v1',
            upstreamModel: 'llama-3.1-70b',
            auth: { type: 'bearer', secretRef: 'TEAM_LLAMA_KEY' },
          },
          availability: {
            schedule: 'business_hours',
            timezone: 'Europe/Berlin',
          },
          sla: {
            latencyMs: { p50: 300, p95: 800, p99: 1500 },
            uptimePercent: 99.9,
          },
          support: { documentationUrl: 'https://docs.acme.example/llama' },
        },
      });
      expect(outputs).toEqual({
        id: 'svc-1',
        entityRef: 'modelservice:default/team-llama-70b',
        status: 'pending',
        changeInReview: false,
        yaml: expect.any(String),
      });
      // The same service as a team would commit it: the editor line first, then
      // the entity, valid for the kind's validator.
      const [firstLine, ...rest] = (outputs.yaml as string).split('\n');
      expect(firstLine).toBe(
        `# yaml-language-server: $schema=${server.baseUrl}/schemas/model-service.json`,
      );
      const committed = parse(rest.join('\n'));
      expect(committed).toEqual({
        ...entity,
        metadata: { ...entity.metadata, namespace: undefined },
      });
      expect(modelServiceEntityV1alpha1Validator(committed)).toBeTruthy();
    } finally {
      await server.close();
    }
  });

  it('says when an edit of a live service waits for review (issue 16)', async () => {
    const server = await fakeMarketplace(() => ({
      status: 200,
      body: {
        service: {
          id: 'svc-1',
          entityRef: 'modelservice:default/team-llama-70b',
          publication: { status: 'approved' },
          changeInReview: true,
        },
      },
    }));
    try {
      const { ctx, outputs } = context({
        ...templateInput,
        editing: 'team-llama-70b',
      });
      await action(server.baseUrl).handler(ctx);
      expect(outputs).toMatchObject({
        status: 'pending',
        changeInReview: true,
      });
    } finally {
      await server.close();
    }
  });

  it('updates the service being edited (PUT) and refuses a rename', async () => {
    const server = await fakeMarketplace(() => ({
      status: 200,
      body: {
        service: {
          id: 'svc-1',
          entityRef: 'modelservice:default/team-llama-70b',
          publication: { status: 'pending' },
        },
      },
    }));
    try {
      const { ctx, outputs } = context({
        ...templateInput,
        editing: 'team-llama-70b',
      });
      await action(server.baseUrl).handler(ctx);
      expect(server.received).toHaveLength(1);
      const [request] = server.received;
      expect(request.method).toBe('PUT');
      expect(request.url).toBe(
        '/api/marketplace/v1/provider/services/team-llama-70b',
      );
      expect(request.body.entity.metadata.name).toBe('team-llama-70b');
      expect(outputs).toEqual({
        id: 'svc-1',
        entityRef: 'modelservice:default/team-llama-70b',
        status: 'pending',
        changeInReview: false,
        yaml: expect.stringContaining('name: team-llama-70b'),
      });

      const renamed = context({ ...templateInput, editing: 'other-name' });
      await expect(action(server.baseUrl).handler(renamed.ctx)).rejects.toThrow(
        /cannot be renamed/,
      );
      expect(server.received).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it('does not publish twice when the task is retried (checkpoint)', async () => {
    const server = await fakeMarketplace(() => ({
      status: 201,
      body: { id: 'svc-1', entityRef: 'x', status: 'pending' },
    }));
    try {
      const { ctx } = context(templateInput);
      const publish = action(server.baseUrl);
      await publish.handler(ctx);
      await publish.handler(ctx);
      expect(server.received).toHaveLength(1);
    } finally {
      await server.close();
    }
  });

  it.each([
    [
      'latency targets out of order',
      { performance: { ...templateInput.performance, latencyP95Ms: 200 } },
      /spec\.sla\.latencyMs must satisfy p50 <= p95 <= p99/,
    ],
    [
      'a price with 7 decimals',
      { pricing: { ...templateInput.pricing, promptPer1k: '0.0000001' } },
      /pricing\.promptPer1k must be a USD amount with at most 6 decimals/,
    ],
    [
      'no time zone for business hours',
      {
        infrastructure: { ...templateInput.infrastructure, timezone: '' },
      },
      /spec\.availability\.timezone is required/,
    ],
  ])(
    'rejects %s with a message naming the field, without calling the backend',
    async (_case, change, message) => {
      const server = await fakeMarketplace(() => ({ status: 500, body: {} }));
      try {
        const { ctx } = context({ ...templateInput, ...change });
        await expect(action(server.baseUrl).handler(ctx)).rejects.toThrow(
          message,
        );
        expect(server.received).toHaveLength(0);
      } finally {
        await server.close();
      }
    },
  );

  it.each([
    [409, 'ConflictError', 'A service named team-llama-70b already exists'],
    [403, 'NotAllowedError', 'You are not a member of group:default/x'],
    [400, 'InputError', 'spec.contextWindow must be integer'],
    // Team X naming ACME's credential: the backend refuses it, the template says why.
    [
      400,
      'InputError',
      "Invalid body field 'entity.spec.endpoint.auth.secretRef': The credential 'ACME_UPSTREAM_KEY' belongs to provider:default/acme-ai-platform, not to provider:default/team-x: a service may only use its own provider's credentials.",
    ],
  ])(
    'turns a %i from the backend into a %s with its message',
    async (status, name, message) => {
      // Backstage's error body, as the spec's ErrorResponse describes it.
      const server = await fakeMarketplace(() => ({
        status,
        body: {
          error: { name: 'Error', message },
          response: { statusCode: status },
        },
      }));
      try {
        const { ctx } = context(templateInput);
        const error = await action(server.baseUrl)
          .handler(ctx)
          .catch((e: Error) => e);
        expect(error).toBeInstanceOf(Error);
        expect((error as Error).name).toBe(name);
        expect((error as Error).message).toBe(message);
      } finally {
        await server.close();
      }
    },
  );

  it('validates without publishing on a dry run', async () => {
    const server = await fakeMarketplace(() => ({ status: 500, body: {} }));
    try {
      const { ctx, outputs } = context(templateInput, { isDryRun: true });
      await action(server.baseUrl).handler(ctx);
      expect(server.received).toHaveLength(0);
      expect(outputs.entityRef).toBe('modelservice:default/team-llama-70b');
      expect(outputs.status).toBe('dry-run');
    } finally {
      await server.close();
    }
  });
});
