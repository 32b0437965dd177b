import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import fs from 'fs';
import path from 'path';
import request from 'supertest';
import { demoUpstreamPlugin } from './plugin';

const API_KEY = 'sk-demo-upstream-test';

function config(demoUpstream: object) {
  return mockServices.rootConfig.factory({
    data: { marketplace: { demoUpstream } },
  });
}

describe('demoUpstreamPlugin', () => {
  it('serves /v1 without a Backstage token, guarded by the upstream key', async () => {
    const { server } = await startTestBackend({
      features: [
        demoUpstreamPlugin,
        config({
          enabled: true,
          apiKey: API_KEY,
          defaults: { timeToFirstTokenMs: 0, tokensPerSecond: 1_000_000 },
          models: [{ id: 'gpt-4o', ownedBy: 'openai' }],
        }),
      ],
    });

    const models = await request(server)
      .get('/api/demo-upstream/v1/models')
      .set('Authorization', `Bearer ${API_KEY}`);
    expect(models.status).toBe(200);
    expect(models.body.data).toEqual([
      expect.objectContaining({ id: 'gpt-4o', owned_by: 'openai' }),
    ]);

    const unauthenticated = await request(server).get(
      '/api/demo-upstream/v1/models',
    );
    expect(unauthenticated.status).toBe(401);
    expect(unauthenticated.body.error.code).toBe('invalid_api_key');

    // Streams through the root router's compression middleware.
    const stream = await request(server)
      .post('/api/demo-upstream/v1/chat/completions')
      .set('Authorization', `Bearer ${API_KEY}`)
      .send({
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'Hello there' }],
        stream: true,
        stream_options: { include_usage: true },
      });
    expect(stream.status).toBe(200);
    expect(stream.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(stream.text).toContain('"object":"chat.completion.chunk"');
    expect(stream.text.endsWith('data: [DONE]\n\n')).toBe(true);
  });

  it('mounts only a 404 when disabled', async () => {
    const { server } = await startTestBackend({
      features: [demoUpstreamPlugin, config({ enabled: false })],
    });

    const res = await request(server)
      .get('/api/demo-upstream/v1/models')
      .set('Authorization', `Bearer ${API_KEY}`);
    expect(res.status).toBe(404);
  });

  describe('the sample team repository', () => {
    const repo = path.resolve(__dirname, '../../../examples/sample-team-repo');

    it('serves its YAML files without a token, and nothing else', async () => {
      const { server } = await startTestBackend({
        features: [
          demoUpstreamPlugin,
          config({ enabled: true, apiKey: API_KEY, sampleTeamRepo: repo }),
        ],
      });
      const file = await request(server).get(
        '/api/demo-upstream/sample-team-repo/catalog-info.yaml',
      );
      expect(file.status).toBe(200);
      expect(file.headers['content-type']).toMatch(/^text\/yaml/);
      expect(file.text).toBe(
        fs.readFileSync(path.join(repo, 'catalog-info.yaml'), 'utf8'),
      );
      const nested = await request(server).get(
        '/api/demo-upstream/sample-team-repo/invalid/catalog-info.yaml',
      );
      expect(nested.status).toBe(200);
      expect(nested.text).toContain('kind: ModelService');

      for (const outside of [
        '/api/demo-upstream/sample-team-repo/../services.yaml',
        '/api/demo-upstream/sample-team-repo/%2e%2e/services.yaml',
        '/api/demo-upstream/sample-team-repo/..%2f..%2fapp-config.yaml',
        '/api/demo-upstream/sample-team-repo/missing.yaml',
        '/api/demo-upstream/sample-team-repo/invalid',
      ]) {
        const res = await request(server).get(outside);
        expect({ outside, status: res.status }).toEqual({
          outside,
          status: 404,
        });
      }
      // A malformed escape is the caller's mistake, never a 500.
      const malformed = await request(server).get(
        '/api/demo-upstream/sample-team-repo/%E0%A4%A.yaml',
      );
      expect(malformed.status).toBe(400);
    });

    it('is not served when the simulator is disabled or no folder is set', async () => {
      for (const demoUpstream of [
        { enabled: false, sampleTeamRepo: repo },
        { enabled: true, apiKey: API_KEY },
      ]) {
        const { server } = await startTestBackend({
          features: [demoUpstreamPlugin, config(demoUpstream)],
        });
        const res = await request(server).get(
          '/api/demo-upstream/sample-team-repo/catalog-info.yaml',
        );
        expect(res.status).not.toBe(200);
      }
    });
  });
});
