/*
 * Times each query behind GET /v1/provider/analytics on a database kept by
 * `yarn bench:analytics --keep-db` (SQLite file path as the argument).
 */
import knexFactory from 'knex';
import {
  AnalyticsStore,
  resolvePeriod,
} from '@internal/plugin-marketplace-backend/testUtils';

async function main() {
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: process.argv[2] },
    useNullAsDefault: true,
  });
  const hasFirst = await knex.schema.hasTable('usage_customer_first');
  if (!hasFirst) {
    await knex.schema.createTable('usage_customer_first', t => {
      t.string('user_ref');
      t.string('service_ref');
      t.bigInteger('first_day');
      t.primary(['user_ref', 'service_ref']);
      t.index(['service_ref']);
    });
    await knex.raw(
      `INSERT INTO usage_customer_first SELECT user_ref, service_ref, MIN(day) FROM usage_customer_daily GROUP BY user_ref, service_ref`,
    );
  }
  const refs = [1, 7, 13, 19, 25].map(
    i => `modelservice:default/bench-model-${i}`,
  );
  const store: any = new AnalyticsStore(knex);
  const now = Date.now();
  const today = new Date(now).toISOString().slice(0, 10);
  const from = new Date(now - 29 * 86_400_000).toISOString().slice(0, 10);
  const period = resolvePeriod({ from, to: today, granularity: 'day' }, now);
  const t = async (name: string, fn: () => Promise<unknown>) => {
    await fn();
    const s: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = process.hrtime.bigint();
      await fn();
      s.push(Number(process.hrtime.bigint() - t0) / 1e6);
    }
    s.sort((a, b) => a - b);
    console.log(
      `${name}: p50 ${s[5].toFixed(1)} ms, min ${s[0].toFixed(1)} ms`,
    );
  };
  await t('serviceRows', () =>
    store.serviceRows(refs, period.previousStart, period.end, false),
  );
  await t('reviews', () => store.reviews(refs, period.end));
  await t('customers', () => store.customers(refs, period, 1));
  await t('retention', () => store.retention(refs, period));
  await t('all', () =>
    store.providerAnalytics({
      services: refs.map(r => ({ ref: r, name: r, title: r, owner: 'x' })),
      scope: refs,
      teams: ['x'],
      period,
      now,
    }),
  );
  await knex.destroy();
}
main();
