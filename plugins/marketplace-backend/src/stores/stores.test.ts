import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ModelServicePricing } from '@internal/plugin-marketplace-common';
import { Knex } from 'knex';
import path from 'path';
import { expectLedgerInvariants } from '../__testUtils__/ledgerInvariants';
import { connectDatabase } from './migrate';
import {
  hashApiKey,
  KeyGrant,
  SubscriptionStore,
  DatabaseSubscriptionStore,
} from './SubscriptionStore';
import { UsageLedger, DatabaseUsageLedger } from './ledger/UsageLedger';
import { Reservation } from './ledger/ledgerTypes';

jest.setTimeout(60_000);

const SERVICE = 'modelservice:default/acme-gpt-4o';
const PROVIDER = 'provider:default/acme';
const pricing = {
  currency: 'USD' as const,
  promptPer1kMicros: 2000,
  completionPer1kMicros: 8000,
  tiers: [
    {
      fromMonthlyTokens: 1000,
      promptPer1kMicros: 1000,
      completionPer1kMicros: 4000,
    },
  ],
};

describe.each(
  TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] }).eachSupportedId(),
)('marketplace stores on %p', databaseId => {
  const databases = TestDatabases.create({ ids: [databaseId] });
  let knex: Knex;
  let now: number;
  const clock = () => now;
  let subs: SubscriptionStore;
  let ledger: UsageLedger;

  beforeEach(async () => {
    knex = await connectDatabase(
      mockServices.database({ knex: await databases.init(databaseId) }),
    );
    now = Date.UTC(2026, 10, 24, 12, 0, 0);
    subs = new DatabaseSubscriptionStore(knex, clock);
    ledger = new DatabaseUsageLedger(knex, {
      instanceId: 'test-1',
      platformFeeBasisPoints: 1000,
      clock,
      batchDelayMs: 1,
    });
  });

  afterEach(async () => {
    await ledger.flush();
    await expectLedgerInvariants(knex);
  });

  async function subscribe(
    options: {
      trialTokens?: number;
      spendCapMicros?: number | null;
      user?: string;
    } = {},
  ) {
    const created = await subs.create({
      serviceRef: SERVICE,
      userRef: options.user ?? 'user:default/lena',
      teamRef: 'group:default/checkout-team',
      spendCapMicros: options.spendCapMicros ?? null,
      trialTokens: options.trialTokens ?? 0,
      trialDurationDays: 14,
    });
    const grant = (await subs.findGrant(created.apiKey.secret))!;
    return { ...created, grant };
  }

  function reserveFor(
    grant: KeyGrant,
    requestId: string,
    promptTokens: number,
    maxCompletionTokens: number,
  ) {
    return ledger.reserve({
      requestId,
      grant,
      providerRef: PROVIDER,
      model: 'acme-gpt-4o',
      stream: false,
      pricing,
      promptTokens,
      maxCompletionTokens,
    });
  }

  function ok(
    reservation: Reservation,
    promptTokens: number,
    completionTokens: number,
  ) {
    return ledger.settle(reservation, {
      status: 'ok',
      httpStatus: 200,
      promptTokens,
      completionTokens,
      tokenSource: 'upstream',
      charge: true,
      upstreamLatencyMs: 12,
      finishedAt: now,
    });
  }

  it('stores only the hash of a key, finds it by the secret, and never twice-subscribes', async () => {
    const { subscription, apiKey, grant } = await subscribe({
      trialTokens: 500,
    });
    expect(apiKey.secret).toMatch(/^mk_[A-Za-z0-9_-]{43}$/);
    expect(apiKey.prefix).toBe(apiKey.secret.slice(0, 11));
    const rows = await knex('api_keys').select();
    expect(rows).toHaveLength(1);
    expect(rows[0].secret_hash).toBe(hashApiKey(apiKey.secret));
    expect(JSON.stringify(rows)).not.toContain(apiKey.secret);
    expect(grant).toMatchObject({
      subscriptionId: subscription.id,
      serviceRef: SERVICE,
      keyRevoked: false,
      subscriptionActive: true,
    });
    expect(subscription.trialTokensGranted).toBe(500);
    expect(subscription.trialExpiresAt).toBe(
      new Date(now + 14 * 86_400_000).toISOString(),
    );
    await expect(subs.findGrant(`${apiKey.secret}x`)).resolves.toBeUndefined();
    await expect(subs.findGrant('sk-not-ours')).resolves.toBeUndefined();
    await expect(subscribe()).rejects.toThrow(
      /already have an active subscription/,
    );
  });

  it('rotates and revokes keys, and cancelling revokes them all', async () => {
    const { apiKey, subscription } = await subscribe();
    const rotated = await subs.rotateKey('user:default/lena', apiKey.id);
    expect(rotated.secret).not.toBe(apiKey.secret);
    expect((await subs.findGrant(apiKey.secret))!.keyRevoked).toBe(true);
    expect((await subs.findGrant(rotated.secret))!.keyRevoked).toBe(false);
    await expect(
      subs.rotateKey('user:default/lena', apiKey.id),
    ).rejects.toThrow(/already revoked/);
    await expect(
      subs.revokeKey('user:default/other', rotated.id),
    ).rejects.toThrow(/No API key/);

    const cancelled = await subs.cancel('user:default/lena', SERVICE);
    expect(cancelled.status).toBe('cancelled');
    const grant = (await subs.findGrant(rotated.secret))!;
    expect(grant.keyRevoked).toBe(true);
    expect(grant.subscriptionActive).toBe(false);
    await expect(subs.cancel('user:default/lena', SERVICE)).rejects.toThrow(
      /no active subscription/,
    );
    // A new subscription is possible after cancelling.
    const again = await subscribe();
    expect(again.subscription.id).not.toBe(subscription.id);
    expect(await subs.listForUser('user:default/lena')).toHaveLength(2);
  });

  it('reserves, settles into exactly one ledger row, spends the trial first and bills the rest', async () => {
    const { grant, subscription } = await subscribe({ trialTokens: 100 });
    const r = await reserveFor(grant, 'req-1', 60, 100);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.reservation.trialTokens).toBe(100);
    // 60 + 100 = 160 worst case: 100 trial (60 prompt + 40 completion), 60 completion billed
    expect(r.reservation.costMicros).toBe(Math.ceil((60 * 8000) / 1000));
    expect(await ledger.countReservations()).toBe(1);

    await ok(r.reservation, 60, 90);
    const usage = (await ledger.getUsage('req-1'))!;
    expect(usage).toMatchObject({
      status: 'ok',
      promptTokens: 60,
      completionTokens: 90,
      trialTokens: 100,
      // 50 completion tokens billed at 8000/1K = 400 micros
      costMicros: 400,
      platformFeeMicros: 40,
      tokenSource: 'upstream',
    });
    expect(await ledger.countReservations()).toBe(0);
    const after = (await subs.get(subscription.id))!;
    expect(after.trialTokensUsed).toBe(100);
    expect(after.monthSpendMicros).toBe(400);
    expect(after.monthTokens).toBe(150);
    const raw = await knex('subscriptions')
      .where({ id: subscription.id })
      .first();
    expect(Number(raw.trial_tokens_reserved)).toBe(0);
    expect(Number(raw.reserved_micros)).toBe(0);
  });

  it('charges nothing for a failed request but still writes its row', async () => {
    const { grant, subscription } = await subscribe();
    const r = await reserveFor(grant, 'req-fail', 10, 10);
    if (!r.ok) throw new Error('not reserved');
    await ledger.settle(r.reservation, {
      status: 'upstream_error',
      httpStatus: 502,
      errorCode: 'upstream_500',
      promptTokens: 0,
      completionTokens: 0,
      tokenSource: 'tokenizer',
      charge: false,
      finishedAt: now,
    });
    expect(await ledger.getUsage('req-fail')).toMatchObject({
      status: 'upstream_error',
      costMicros: 0,
      httpStatus: 502,
    });
    expect((await subs.get(subscription.id))!.monthSpendMicros).toBe(0);
  });

  it('uses the volume tier reached before the request', async () => {
    const { grant } = await subscribe();
    const first = await reserveFor(grant, 'req-a', 1000, 0 + 1);
    if (!first.ok) throw new Error('not reserved');
    await ok(first.reservation, 1000, 0);
    expect((await ledger.getUsage('req-a'))!.costMicros).toBe(2000);
    const second = await reserveFor(grant, 'req-b', 1000, 1);
    if (!second.ok) throw new Error('not reserved');
    await ok(second.reservation, 1000, 0);
    expect((await ledger.getUsage('req-b'))!.costMicros).toBe(1000);
  });

  it('trial-only subscriptions shrink the completion budget, then refuse', async () => {
    const { grant } = await subscribe({ trialTokens: 50, spendCapMicros: 0 });
    const r = await reserveFor(grant, 'req-1', 20, 1000);
    if (!r.ok) throw new Error('not reserved');
    expect(r.reservation.maxCompletionTokens).toBe(30);
    expect(r.reservation.costMicros).toBe(0);
    await ok(r.reservation, 20, 30);
    await expect(reserveFor(grant, 'req-2', 1, 1)).resolves.toEqual({
      ok: false,
      reason: 'trial_exhausted',
    });
  });

  it('holds the monthly spend cap and reports it', async () => {
    // 1000 micros cap; each request worst case 10 prompt + 100 completion = 20 + 800 = 820
    const { grant } = await subscribe({ spendCapMicros: 1000 });
    const r1 = await reserveFor(grant, 'req-1', 10, 100);
    if (!r1.ok) throw new Error('not reserved');
    expect(r1.reservation.costMicros).toBe(820);
    // 180 left: the second request's completion budget shrinks to fit
    const r2 = await reserveFor(grant, 'req-2', 10, 100);
    if (!r2.ok) throw new Error('not reserved');
    expect(r2.reservation.maxCompletionTokens).toBe(20);
    expect(r2.reservation.costMicros).toBeLessThanOrEqual(180);
    // The subscription's budget (its cap) is named, with its amount.
    await expect(reserveFor(grant, 'req-3', 10, 100)).resolves.toEqual({
      ok: false,
      reason: 'budget_exceeded',
      budget: {
        scope: 'subscription',
        ref: grant.subscriptionId,
        period: '2026-11',
        amountMicros: 1000,
      },
    });
    await ok(r1.reservation, 10, 5);
    await ok(r2.reservation, 10, 5);
    // budget released: 1000 - 2 * (20 + 40) = 880 left
    const r4 = await reserveFor(grant, 'req-4', 10, 100);
    expect(r4.ok).toBe(true);
  });

  it('refuses revoked keys, cancelled subscriptions and suspended users atomically', async () => {
    const a = await subscribe({ user: 'user:default/a' });
    await subs.revokeKey('user:default/a', a.apiKey.id);
    await expect(reserveFor(a.grant, 'r1', 1, 1)).resolves.toEqual({
      ok: false,
      reason: 'key_revoked',
    });

    const b = await subscribe({ user: 'user:default/b' });
    await subs.cancel('user:default/b', SERVICE);
    await expect(reserveFor(b.grant, 'r2', 1, 1)).resolves.toEqual({
      ok: false,
      reason: 'subscription_inactive',
    });

    const c = await subscribe({ user: 'user:default/c' });
    await knex('user_suspensions').insert({
      user_ref: 'user:default/c',
      suspended_by: 'user:default/ada',
      suspended_at: now,
    });
    await expect(reserveFor(c.grant, 'r3', 1, 1)).resolves.toEqual({
      ok: false,
      reason: 'user_suspended',
      suspensionReason: null,
    });
  });

  it('resets the month counters in a new month', async () => {
    const { grant, subscription } = await subscribe();
    const r = await reserveFor(grant, 'r1', 100, 100);
    if (!r.ok) throw new Error('not reserved');
    await ok(r.reservation, 100, 100);
    expect((await subs.get(subscription.id))!.monthSpendMicros).toBe(1000);
    now = Date.UTC(2026, 11, 1, 0, 0, 1);
    expect((await subs.get(subscription.id))!.monthSpendMicros).toBe(0);
    const r2 = await reserveFor(grant, 'r2', 100, 100);
    if (!r2.ok) throw new Error('not reserved');
    await ok(r2.reservation, 100, 100);
    const after = (await subs.get(subscription.id))!;
    expect(after.month).toBe('2026-12');
    expect(after.monthSpendMicros).toBe(1000);
    expect(after.monthTokens).toBe(200);
  });

  it('settles what a dead process left behind as abandoned and free', async () => {
    const { grant, subscription } = await subscribe({ trialTokens: 1000 });
    const r = await reserveFor(grant, 'orphan', 100, 100);
    expect(r.ok).toBe(true);
    // "restart": a new ledger for the same instance id reconciles it
    const restarted = new DatabaseUsageLedger(knex, {
      instanceId: 'test-1',
      platformFeeBasisPoints: 1000,
      clock,
    });
    await expect(
      restarted.reconcile({ maxAgeMs: 3_600_000, ownLeftovers: true }),
    ).resolves.toBe(1);
    expect(await restarted.getUsage('orphan')).toMatchObject({
      status: 'abandoned',
      costMicros: 0,
      trialTokens: 0,
    });
    expect(await restarted.countReservations()).toBe(0);
    const raw = await knex('subscriptions')
      .where({ id: subscription.id })
      .first();
    expect(Number(raw.trial_tokens_reserved)).toBe(0);
    expect(Number(raw.trial_tokens_used)).toBe(0);
    // Another instance's fresh reservation is left alone until it is old.
    const other = new DatabaseUsageLedger(knex, {
      instanceId: 'test-2',
      platformFeeBasisPoints: 1000,
      clock,
    });
    const r2 = await other.reserve({
      requestId: 'other',
      grant,
      providerRef: PROVIDER,
      model: 'm',
      stream: true,
      pricing,
      promptTokens: 1,
      maxCompletionTokens: 1,
    });
    expect(r2.ok).toBe(true);
    await expect(restarted.reconcile({ maxAgeMs: 3_600_000 })).resolves.toBe(0);
    now += 3_600_001;
    await expect(restarted.reconcile({ maxAgeMs: 3_600_000 })).resolves.toBe(1);
  });

  it('the periodic sweep leaves requests in flight alone: they are billed once, in full', async () => {
    const { grant, subscription } = await subscribe({ trialTokens: 100 });
    const r = await reserveFor(grant, 'live-stream', 100, 500);
    if (!r.ok) throw new Error('not reserved');
    // The 5-minute sweep runs while the stream is still going.
    now += 60_000;
    await expect(ledger.reconcile({ maxAgeMs: 600_000 })).resolves.toBe(0);
    now += 60_000;
    await ok(r.reservation, 100, 400);
    await ledger.flush();
    expect(await ledger.getUsage('live-stream')).toMatchObject({
      status: 'ok',
      trialTokens: 100,
      costMicros: 3200, // 400 completion tokens at 8000 micros per 1k
    });
    const after = (await subs.get(subscription.id))!;
    expect(after.monthSpendMicros).toBe(3200);
    expect(after.trialTokensUsed).toBe(100);
    await expectLedgerInvariants(knex);
  });

  it('a settlement arriving after its reservation was swept changes no counters', async () => {
    const { grant, subscription } = await subscribe({ trialTokens: 100 });
    const r = await reserveFor(grant, 'late', 50, 100);
    if (!r.ok) throw new Error('not reserved');
    now += 3_600_001;
    const other = new DatabaseUsageLedger(knex, {
      instanceId: 'test-2',
      platformFeeBasisPoints: 1000,
      clock,
    });
    await expect(other.reconcile({ maxAgeMs: 3_600_000 })).resolves.toBe(1);
    await ok(r.reservation, 50, 100);
    await ledger.flush();
    expect(await ledger.getUsage('late')).toMatchObject({
      status: 'abandoned',
      costMicros: 0,
    });
    const raw = await knex('subscriptions')
      .where({ id: subscription.id })
      .first();
    expect(Number(raw.reserved_micros)).toBe(0);
    expect(Number(raw.trial_tokens_reserved)).toBe(0);
    expect(Number(raw.trial_tokens_used)).toBe(0);
    await expectLedgerInvariants(knex);
  });

  it('bounds the usage an upstream reports by what the request could produce', async () => {
    const cap = 1_000_000;
    const { grant, subscription } = await subscribe({ spendCapMicros: cap });
    const reserve = async (id: string) => {
      const r = await reserveFor(grant, id, 100, 200);
      if (!r.ok) throw new Error('not reserved');
      return r.reservation;
    };
    const huge = await reserve('huge');
    const negative = await reserve('negative');
    const overflow = await reserve('overflow');
    const honest = await reserve('honest');
    await Promise.all([
      ok(huge, 100, 50_000_000),
      ok(negative, -5, -1000),
      ok(overflow, 1e20, 1e30),
      ok(honest, 110, 150),
    ]);
    await ledger.flush();
    // Worst case of a reservation: 100 prompt + 200 completion tokens.
    const worst = Math.ceil((100 * 2000 + 200 * 8000) / 1000);
    expect(huge.costMicros).toBe(worst);
    expect(await ledger.getUsage('huge')).toMatchObject({
      completionTokens: 200,
      costMicros: worst,
      usageClamped: true,
    });
    const neg = (await ledger.getUsage('negative'))!;
    expect(neg.usageClamped).toBe(true);
    expect(neg.completionTokens).toBe(0);
    expect(neg.promptTokens).toBe(0);
    expect(neg.costMicros).toBeGreaterThanOrEqual(0);
    expect(await ledger.getUsage('overflow')).toMatchObject({
      completionTokens: 200,
      costMicros: worst,
      usageClamped: true,
    });
    // Within the tolerance of the counted prompt and the completion budget.
    expect(await ledger.getUsage('honest')).toMatchObject({
      promptTokens: 110,
      completionTokens: 150,
      costMicros: Math.ceil((110 * 2000 + 150 * 8000) / 1000),
      usageClamped: false,
    });
    const after = (await subs.get(subscription.id))!;
    expect(after.monthSpendMicros).toBeLessThanOrEqual(cap);
    expect(after.monthTokens).toBeLessThan(2000);
    await expectLedgerInvariants(knex);
  });

  it('settles a row that cannot be written on its own: the rest of its batch is written', async () => {
    const errors: Error[] = [];
    const batched = new DatabaseUsageLedger(knex, {
      instanceId: 'test-1',
      platformFeeBasisPoints: 1000,
      clock,
      batchDelayMs: 5,
      onError: e => errors.push(e),
    });
    const { grant } = await subscribe();
    const good = await batched.reserve({
      requestId: 'good',
      grant,
      providerRef: PROVIDER,
      model: 'acme-gpt-4o',
      stream: false,
      pricing,
      promptTokens: 10,
      maxCompletionTokens: 10,
    });
    if (!good.ok) throw new Error('not reserved');
    const settlement = {
      status: 'ok' as const,
      httpStatus: 200,
      promptTokens: 10,
      completionTokens: 10,
      tokenSource: 'upstream' as const,
      charge: true,
      finishedAt: now,
    };
    // A row the database refuses (provider_ref is NOT NULL), in the same batch.
    const bad = { ...good.reservation, requestId: 'bad', providerRef: null };
    void batched.settle(bad as unknown as Reservation, settlement);
    const written = batched.settle(good.reservation, settlement);
    await written;
    expect(await batched.getUsage('good')).toMatchObject({ status: 'ok' });
    expect(await batched.getUsage('bad')).toBeUndefined();
    expect(errors.length).toBeGreaterThan(0);
    batched.stop();
  });

  it('a price increase applies to new subscriptions only; a decrease to everyone at once', async () => {
    const flat = (prompt: number, completion: number) => ({
      currency: 'USD' as const,
      promptPer1kMicros: prompt,
      completionPer1kMicros: completion,
    });
    const created = await subs.create({
      serviceRef: SERVICE,
      userRef: 'user:default/lena',
      teamRef: null,
      spendCapMicros: null,
      trialTokens: 0,
      pricing: flat(2000, 8000),
    });
    const grant = (await subs.findGrant(created.apiKey.secret))!;
    const charge = async (id: string, current: ModelServicePricing) => {
      const r = await ledger.reserve({
        requestId: id,
        grant,
        providerRef: PROVIDER,
        model: 'acme-gpt-4o',
        stream: false,
        pricing: current,
        promptTokens: 100,
        maxCompletionTokens: 100,
      });
      if (!r.ok) throw new Error('not reserved');
      await ok(r.reservation, 100, 100);
      await ledger.flush();
      return (await ledger.getUsage(id))!.costMicros;
    };
    // The provider raised the price tenfold: this subscription keeps its price.
    expect(await charge('raised', flat(20000, 80000))).toBe(200 + 800);
    // A decrease applies at once.
    expect(await charge('lowered', flat(1000, 4000))).toBe(100 + 400);
    // Mixed: each kind of token at the lower of the two prices.
    expect(await charge('mixed', flat(1000, 80000))).toBe(100 + 800);
    // A new subscription pays the current price.
    await subs.cancel('user:default/lena', SERVICE);
    const again = await subs.create({
      serviceRef: SERVICE,
      userRef: 'user:default/lena',
      teamRef: null,
      spendCapMicros: null,
      trialTokens: 0,
      pricing: flat(20000, 80000),
    });
    const fresh = await ledger.reserve({
      requestId: 'new-sub',
      grant: (await subs.findGrant(again.apiKey.secret))!,
      providerRef: PROVIDER,
      model: 'acme-gpt-4o',
      stream: false,
      pricing: flat(20000, 80000),
      promptTokens: 100,
      maxCompletionTokens: 100,
    });
    if (!fresh.ok) throw new Error('not reserved');
    await ok(fresh.reservation, 100, 100);
    await ledger.flush();
    expect((await ledger.getUsage('new-sub'))!.costMicros).toBe(2000 + 8000);
  });

  it('grants a trial once per user: a new subscription continues the earlier trial', async () => {
    const first = await subscribe({ trialTokens: 1000, spendCapMicros: 0 });
    const r = await reserveFor(first.grant, 'trial-1', 100, 300);
    if (!r.ok) throw new Error('not reserved');
    await ok(r.reservation, 100, 300);
    await ledger.flush();
    expect((await subs.get(first.subscription.id))!.trialTokensUsed).toBe(400);
    await subs.cancel('user:default/lena', SERVICE);

    now += 86_400_000;
    const second = await subscribe({ trialTokens: 1000, spendCapMicros: 0 });
    expect(second.subscription.trialTokensGranted).toBe(600);
    expect(second.subscription.trialTokensUsed).toBe(0);
    // The trial keeps its first expiry (14 days from the first subscription).
    expect(second.subscription.trialExpiresAt).toBe(
      first.subscription.trialExpiresAt,
    );
    // Only the rest of the trial can be used.
    const big = await reserveFor(second.grant, 'trial-2', 100, 900);
    expect(big.ok && big.reservation.maxCompletionTokens).toBe(500);
    if (big.ok) await ok(big.reservation, 100, 500);
    await ledger.flush();
    await subs.cancel('user:default/lena', SERVICE);
    const third = await subscribe({ trialTokens: 1000, spendCapMicros: 0 });
    expect(third.subscription.trialTokensGranted).toBe(0);
    await expect(reserveFor(third.grant, 'trial-3', 10, 10)).resolves.toEqual({
      ok: false,
      reason: 'trial_exhausted',
    });
    // Another user gets the whole trial.
    const other = await subscribe({
      trialTokens: 1000,
      user: 'user:default/kenji',
    });
    expect(other.subscription.trialTokensGranted).toBe(1000);
  });

  it('the billing migration gives existing subscriptions the latest recorded price', async () => {
    const { subscription } = await subscribe();
    await knex('service_price_history').insert([
      {
        service_ref: SERVICE,
        prompt_per_1k_micros: 1000,
        completion_per_1k_micros: 3000,
        tiers_json: '[]',
        effective_from: 1,
      },
      {
        service_ref: SERVICE,
        prompt_per_1k_micros: 2000,
        completion_per_1k_micros: 8000,
        tiers_json: JSON.stringify(pricing.tiers),
        effective_from: 2,
      },
    ]);
    const directory = path.resolve(__dirname, '../../migrations');
    const name = '20261203000000_billing_integrity.js';
    await knex.migrate.down({ directory, name });
    await knex.migrate.up({ directory, name });
    const raw = await knex('subscriptions')
      .where({ id: subscription.id })
      .first();
    expect(JSON.parse(raw.pricing_json)).toEqual(pricing);
    const row = await knex('usage_ledger').columnInfo();
    expect(row.usage_clamped).toBeDefined();
  });

  it('writes a backlog larger than one statement can hold, in chunks', async () => {
    const { grant, subscription } = await subscribe();
    const reservations: Reservation[] = [];
    for (let i = 0; i < 1500; i++) {
      const r = await reserveFor(grant, `bulk-${i}`, 1, 1);
      if (!r.ok) throw new Error('not reserved');
      reservations.push(r.reservation);
    }
    const settled = reservations.map(r => ok(r, 1, 1));
    await ledger.flush();
    await Promise.all(settled);
    const [{ count }] = await knex('usage_ledger').count({ count: '*' });
    expect(Number(count)).toBe(1500);
    expect(await ledger.countReservations()).toBe(0);
    expect((await subs.get(subscription.id))!.monthTokens).toBe(3000);
  });

  it('never spends more than the trial under 200 concurrent requests', async () => {
    const N = 5000;
    const { grant, subscription } = await subscribe({
      trialTokens: N,
      spendCapMicros: 0,
    });
    const results = await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        const r = await reserveFor(grant, `c-${i}`, 30, 70);
        if (r.ok) {
          // the upstream honours the (possibly shrunk) completion budget
          await ok(r.reservation, 30, r.reservation.maxCompletionTokens);
        }
        return r.ok;
      }),
    );
    await ledger.flush();
    const admitted = results.filter(Boolean).length;
    const after = (await subs.get(subscription.id))!;
    const rows = await knex('usage_ledger').select();
    const spent = rows.reduce(
      (sum, row) =>
        sum + Number(row.prompt_tokens) + Number(row.completion_tokens),
      0,
    );
    expect(rows).toHaveLength(admitted);
    expect(spent).toBeLessThanOrEqual(N);
    expect(after.trialTokensUsed).toBe(spent);
    expect(admitted).toBe(N / 100);
    expect(rows.every(row => Number(row.cost_micros) === 0)).toBe(true);
  });
});
