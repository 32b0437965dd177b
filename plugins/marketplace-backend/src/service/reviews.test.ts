import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
import {
  MODEL_SERVICE_KIND,
  PROVIDER_KIND,
} from '@internal/plugin-marketplace-common';
import { randomUUID } from 'crypto';
import { Knex } from 'knex';
import request from 'supertest';
import { marketplacePlugin } from '../plugin';
import {
  ADMIN,
  ANONYMOUS,
  CONSUMER,
  loadExamples,
  OTHER,
  OWNER,
  permissionsFactory,
  sampleUserInfo,
} from '../__testUtils__/marketplaceTestBackend';

jest.setTimeout(120_000);

/*
 * Verified reviews through the whole plugin in a test backend with the real
 * permission policy, on SQLite and PostgreSQL 15: eligibility from the usage
 * ledger, one review per user, aggregate maths, helpful votes, owner replies,
 * admin moderation, validation.
 */

const GPT = 'northwind-gpt-4o'; // owned by ai-platform-team (OWNER's team)
const GPT_REF = `modelservice:default/${GPT}`;
const services = loadExamples('services.yaml').filter(
  e => e.kind === MODEL_SERVICE_KIND && e.metadata.name === GPT,
);
const providers = loadExamples('providers.yaml').filter(
  e => e.kind === PROVIDER_KIND,
);
const API = '/api/marketplace';
const REVIEWS = `/marketplace/services/${GPT}/reviews`;
const DANA = 'user:default/dana'; // a consumer who used the service too
const EVE = 'user:default/eve'; // another one

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())('reviews on %p', databaseId => {
  let knex: Knex;
  let backend: TestBackend;

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    backend = await startTestBackend({
      features: [
        marketplacePlugin,
        mockServices.database.factory({ knex }),
        createServiceFactory({
          service: catalogServiceRef,
          deps: {},
          factory: () =>
            catalogServiceMock({ entities: [...services, ...providers] }),
        }),
        createServiceFactory({
          service: notificationService,
          deps: {},
          factory: () => ({ send: jest.fn() }),
        }),
        mockServices.events.mock().factory,
        permissionsFactory,
        mockServices.rootConfig.factory({
          data: {
            marketplace: {
              publishing: { requireApproval: false },
              // As in app-config.yaml: the teams that own the sample services.
              roles: {
                providerGroups: [
                  'group:default/ai-platform-team',
                  'group:default/research-llm-team',
                ],
              },
            },
          },
        }),
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
        sampleUserInfo().factory,
      ],
    });
  });

  afterAll(async () => {
    await backend?.stop();
  });

  function call(
    method: 'get' | 'post' | 'put' | 'delete',
    url: string,
    user: string,
    body?: unknown,
  ) {
    let req = request(backend.server)[method](`${API}${url}`);
    if (user !== ANONYMOUS) {
      req = req.set('Authorization', mockCredentials.user.header(user));
    }
    return body === undefined ? req : req.send(body as object);
  }

  /** A metered request in the ledger, as the gateway writes it. */
  async function used(userRef: string, status = 'ok') {
    const now = Date.now();
    await knex('usage_ledger').insert({
      request_id: `req_${randomUUID()}`,
      subscription_id: randomUUID(),
      key_id: randomUUID(),
      user_ref: userRef,
      team_ref: null,
      service_ref: GPT_REF,
      provider_ref: 'provider:default/northwind-cloud-ai',
      model: GPT,
      stream: false,
      status,
      http_status: status === 'ok' ? 200 : 502,
      error_code: status === 'ok' ? null : 'upstream_error',
      prompt_tokens: 10,
      completion_tokens: 5,
      trial_tokens: 0,
      token_source: 'upstream',
      cost_micros: 0,
      platform_fee_micros: 0,
      upstream_latency_ms: 100,
      started_at: now,
      finished_at: now,
    });
  }

  async function review(
    user: string,
    body: object = { rating: 4, title: 'Solid', text: 'Works well.' },
  ) {
    return call('post', REVIEWS, user, body);
  }

  async function browseRating() {
    const res = await call(
      'get',
      `/marketplace/services?q=${GPT}&limit=5`,
      CONSUMER,
    );
    expect(res.status).toBe(200);
    return res.body.items.find((i: any) => i.name === GPT)?.metrics;
  }

  it('lets only users with a successful request review, and says why not', async () => {
    const before = await call('get', REVIEWS, CONSUMER);
    expect(before.status).toBe(200);
    expect(before.body.me).toMatchObject({
      canReview: false,
      reason: expect.stringContaining('make a successful request first'),
      review: null,
      canReply: false,
      canModerate: false,
    });
    expect((await review(CONSUMER)).status).toBe(403);

    await used(CONSUMER, 'upstream_error'); // a failed call does not count
    expect((await review(CONSUMER)).status).toBe(403);

    await used(CONSUMER);
    const created = await review(CONSUMER, {
      rating: 5,
      title: '  Fast and <b>cheap</b>  ',
      text: '<script>alert(1)</script>\nSecond line',
    });
    expect(created.status).toBe(201);
    expect(created.body.review).toMatchObject({
      rating: 5,
      // Trimmed, and stored as given: the frontend renders it as text.
      title: 'Fast and <b>cheap</b>',
      text: '<script>alert(1)</script>\nSecond line',
      verifiedRequests: 1,
      mine: true,
      userRef: CONSUMER,
      helpfulCount: 0,
      reply: null,
      hidden: null,
    });
    expect(created.body.summary).toEqual({
      average: 5,
      count: 1,
      distribution: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 1 },
    });
    expect(await count()).toBe(1);
  });

  it('does not let the team that offers the service review it', async () => {
    await used(OWNER);
    const mine = await call('get', REVIEWS, OWNER);
    expect(mine.body.me).toMatchObject({
      canReview: false,
      reason: expect.stringContaining('which offers the service'),
      canReply: true,
    });
    const refused = await review(OWNER, { rating: 5, title: 'Best ever' });
    expect(refused.status).toBe(403);
    expect(refused.body.error.message).toContain(
      'group:default/ai-platform-team',
    );
    expect(await count()).toBe(1);
  });

  async function count() {
    const [{ n }] = await knex('service_reviews')
      .where({ service_ref: GPT_REF })
      .count({ n: '*' });
    return Number(n);
  }

  it('keeps one review per user: posting again edits it', async () => {
    const edited = await review(CONSUMER, {
      rating: 3,
      title: 'Changed my mind',
      text: '',
    });
    expect(edited.status).toBe(200);
    expect(edited.body.review).toMatchObject({
      rating: 3,
      title: 'Changed my mind',
      text: '',
    });
    expect(await count()).toBe(1);
  });

  it('aggregates the ratings exactly and feeds them to browse at once', async () => {
    await used(DANA);
    await used(DANA);
    await used(EVE);
    expect((await review(DANA, { rating: 5, title: 'Great' })).status).toBe(
      201,
    );
    const third = await review(EVE, { rating: 2, title: 'Slow at night' });
    expect(third.status).toBe(201);
    // (3 + 5 + 2) / 3 = 3.333... -> 3.33
    expect(third.body.summary).toEqual({
      average: 3.33,
      count: 3,
      distribution: { '1': 0, '2': 1, '3': 1, '4': 0, '5': 1 },
    });
    expect(await browseRating()).toMatchObject({
      rating: 3.33,
      reviewCount: 3,
    });

    const list = await call('get', `${REVIEWS}?sort=rating-desc`, OWNER);
    expect(list.status).toBe(200);
    expect(list.body.total).toBe(3);
    expect(list.body.items.map((r: any) => r.rating)).toEqual([5, 3, 2]);
    expect(
      list.body.items.find((r: any) => r.userRef === DANA).verifiedRequests,
    ).toBe(2);
    expect(
      (await call('get', `${REVIEWS}?sort=rating-asc&limit=1&offset=1`, OWNER))
        .body.items[0].rating,
    ).toBe(3);
  });

  it('counts helpful votes once per user, never on one’s own review', async () => {
    const list = await call('get', REVIEWS, OWNER);
    const dana = list.body.items.find((r: any) => r.userRef === DANA);
    const helpful = `${REVIEWS}/${dana.id}/helpful`;
    expect(
      (await call('post', helpful, CONSUMER, {})).body.review,
    ).toMatchObject({ helpfulCount: 1, votedHelpful: true });
    // Idempotent.
    expect(
      (await call('post', helpful, CONSUMER, {})).body.review.helpfulCount,
    ).toBe(1);
    expect(
      (await call('post', helpful, EVE, {})).body.review.helpfulCount,
    ).toBe(2);
    expect(await call('post', helpful, DANA, {})).toMatchObject({
      status: 400,
      body: { error: { message: 'You cannot vote for your own review' } },
    });
    expect((await call('delete', helpful, EVE)).body.review).toMatchObject({
      helpfulCount: 1,
      votedHelpful: false,
    });
    const sorted = await call('get', `${REVIEWS}?sort=helpful`, OWNER);
    expect(sorted.body.items[0].userRef).toBe(DANA);
  });

  it('lets only the owning team reply', async () => {
    const list = await call('get', REVIEWS, OWNER);
    expect(list.body.me.canReply).toBe(true);
    const eve = list.body.items.find((r: any) => r.userRef === EVE);
    const reply = `${REVIEWS}/${eve.id}/reply`;
    for (const user of [OTHER, ADMIN, CONSUMER, EVE]) {
      expect((await call('put', reply, user, { text: 'Hi' })).status).toBe(403);
    }
    expect((await call('put', reply, ANONYMOUS, { text: 'Hi' })).status).toBe(
      401,
    );
    const answered = await call('put', reply, OWNER, {
      text: 'We added capacity at night.',
    });
    expect(answered.status).toBe(200);
    expect(answered.body.review.reply).toMatchObject({
      text: 'We added capacity at night.',
      userRef: OWNER,
    });
    expect(await call('put', reply, OWNER, { text: '' })).toMatchObject({
      status: 400,
      body: { error: { message: expect.stringContaining("field 'text'") } },
    });
    expect((await call('delete', reply, OWNER)).body.review.reply).toBeNull();
  });

  it('lets only admins hide a review; hidden ones leave the aggregate and the list', async () => {
    const list = await call('get', REVIEWS, ADMIN);
    expect(list.body.me.canModerate).toBe(true);
    const eve = list.body.items.find((r: any) => r.userRef === EVE);
    const hide = `${REVIEWS}/${eve.id}/hide`;
    for (const user of [OWNER, OTHER, CONSUMER, EVE]) {
      expect((await call('post', hide, user, { reason: 'x' })).status).toBe(
        403,
      );
    }
    expect(await call('post', hide, ADMIN, {})).toMatchObject({
      status: 400,
      body: { error: { message: expect.stringContaining("field 'reason'") } },
    });
    const hidden = await call('post', hide, ADMIN, { reason: 'Abusive' });
    expect(hidden.status).toBe(200);
    expect(hidden.body.summary).toMatchObject({ average: 4, count: 2 });
    expect(await browseRating()).toMatchObject({ rating: 4, reviewCount: 2 });

    // Others no longer see it; its author and admins do, marked hidden.
    const asConsumer = await call('get', REVIEWS, CONSUMER);
    expect(asConsumer.body.items.map((r: any) => r.userRef)).not.toContain(EVE);
    const asEve = await call('get', REVIEWS, EVE);
    expect(
      asEve.body.items.find((r: any) => r.userRef === EVE).hidden,
    ).toMatchObject({
      reason: 'Abusive',
      userRef: ADMIN,
    });
    expect(asEve.body.me.review.hidden).not.toBeNull();
    // Votes on hidden reviews are refused as if it did not exist.
    expect(
      (await call('post', `${REVIEWS}/${eve.id}/helpful`, CONSUMER, {})).status,
    ).toBe(404);

    const shown = await call('delete', hide, ADMIN);
    expect(shown.body.summary).toMatchObject({ count: 3 });
  });

  it('lets authors delete their own review only', async () => {
    const list = await call('get', REVIEWS, EVE);
    const mine = list.body.me.review;
    expect((await call('delete', `${REVIEWS}/${mine.id}`, DANA)).status).toBe(
      403,
    );
    expect((await call('delete', `${REVIEWS}/${mine.id}`, ADMIN)).status).toBe(
      403,
    );
    const deleted = await call('delete', `${REVIEWS}/${mine.id}`, EVE);
    expect(deleted.status).toBe(200);
    expect(deleted.body.summary).toMatchObject({ average: 4, count: 2 });
    expect(
      await knex('service_review_votes').where({ review_id: mine.id }),
    ).toEqual([]);
    expect((await call('delete', `${REVIEWS}/${mine.id}`, EVE)).status).toBe(
      404,
    );
  });

  it.each([
    ['no rating', { title: 'x' }, "field 'rating'"],
    ['a rating of 0', { rating: 0, title: 'x' }, "field 'rating'"],
    ['a rating of 6', { rating: 6, title: 'x' }, "field 'rating'"],
    ['half a star', { rating: 3.5, title: 'x' }, "field 'rating'"],
    ['a rating as text', { rating: '5', title: 'x' }, "field 'rating'"],
    ['an empty title', { rating: 4, title: '   ' }, "field 'title'"],
    [
      'a title of 121 characters',
      { rating: 4, title: 'x'.repeat(121) },
      "field 'title'",
    ],
    [
      'a text of 4001 characters',
      { rating: 4, title: 'x', text: 'y'.repeat(4001) },
      "field 'text'",
    ],
    ['control characters', { rating: 4, title: 'x\u0007' }, "field 'title'"],
    ['an unknown field', { rating: 4, title: 'x', stars: 5 }, 'stars'],
  ])(
    'rejects %s with a 400 naming the field, changing nothing',
    async (_c, body, field) => {
      const before = await call('get', REVIEWS, DANA);
      const res = await review(DANA, body);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(field);
      const after = await call('get', REVIEWS, DANA);
      expect(after.body.me.review).toEqual(before.body.me.review);
    },
  );

  it('answers 400 for bad queries and ids, 404 for unknown services, 401 without a user', async () => {
    expect(
      (await call('get', `${REVIEWS}?sort=best`, DANA)).body.error.message,
    ).toContain("field 'sort'");
    expect((await call('get', `${REVIEWS}?limit=1000`, DANA)).status).toBe(400);
    expect(
      (await call('post', `${REVIEWS}/not-a-uuid/helpful`, DANA, {})).body.error
        .message,
    ).toContain("path parameter 'reviewId'");
    expect(
      (await call('get', '/marketplace/services/no-such-model/reviews', DANA))
        .status,
    ).toBe(404);
    expect((await call('get', REVIEWS, ANONYMOUS)).status).toBe(401);
  });
});
