import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
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
});
