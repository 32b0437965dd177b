import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import path from 'path';
import { connectDatabase } from './migrate';

jest.setTimeout(60_000);

const directory = path.resolve(__dirname, '../../migrations');
const name = '20261210210000_quality_measures.js';

function ledgerRow(id: string, fields: Record<string, unknown>) {
  return {
    request_id: id,
    subscription_id: 'sub-1',
    key_id: 'key-1',
    user_ref: 'user:default/lena',
    team_ref: null,
    service_ref: 'modelservice:default/svc',
    provider_ref: 'provider:default/acme',
    model: 'svc',
    status: 'ok',
    http_status: 200,
    error_code: null,
    prompt_tokens: 10,
    completion_tokens: 20,
    trial_tokens: 0,
    token_source: 'upstream',
    cost_micros: 0,
    platform_fee_micros: 0,
    started_at: 1_000,
    finished_at: 2_000,
    ...fields,
  };
}

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'the quality measures migration on %p',
  databaseId => {
    it('moves stored data to the new meanings: first byte of non-streamed answers, latency breaches, rollups', async () => {
      const knex = await connectDatabase(
        mockServices.database({ knex: await databases.init(databaseId) }),
      );
      await knex.migrate.down({ directory, name });
      await knex('usage_ledger').insert([
        // Not streamed: the first byte came with the finished answer.
        ledgerRow('plain', {
          stream: false,
          upstream_latency_ms: 900,
          ttft_ms: null,
        }),
        // Streamed: keeps its measured time to first token.
        ledgerRow('streamed', {
          stream: true,
          upstream_latency_ms: 900,
          ttft_ms: 120,
        }),
        // A failure has no first byte to speak of.
        ledgerRow('failed', {
          stream: false,
          status: 'upstream_error',
          http_status: 502,
          upstream_latency_ms: 30,
          ttft_ms: null,
        }),
      ]);
      await knex('sla_breaches').insert([
        {
          service_ref: 'modelservice:default/svc',
          metric: 'latencyP95',
          window_start: 0,
          measured: 5000,
          committed: 1000,
          detected_at: 1,
          notified_at: 1,
        },
        {
          service_ref: 'modelservice:default/svc',
          metric: 'uptime',
          window_start: 0,
          measured: 98,
          committed: 99.9,
          detected_at: 1,
          notified_at: 1,
        },
      ]);
      await knex('monitoring_state').insert({
        key: 'rollup_watermark',
        value: 5_000,
      });
      await knex('service_first_seen').insert({
        service_ref: 'modelservice:default/svc',
        first_seen_at: 700,
      });

      await knex.migrate.up({ directory, name });

      const ttft = Object.fromEntries(
        (await knex('usage_ledger').select('request_id', 'ttft_ms')).map(r => [
          r.request_id,
          r.ttft_ms === null ? null : Number(r.ttft_ms),
        ]),
      );
      expect(ttft).toEqual({ plain: 900, streamed: 120, failed: null });
      expect(
        (await knex('sla_breaches').select('metric')).map(r => r.metric),
      ).toEqual(['uptime']);
      // Every hour is recomputed with the new measures by the next rollup.
      expect(await knex('monitoring_state')).toEqual([]);
      const seen = await knex('service_first_seen').first();
      expect(Number(seen.updated_at)).toBe(700);
      expect(seen.spec_hash).toBeNull();
      await knex.destroy();
    });
  },
);
