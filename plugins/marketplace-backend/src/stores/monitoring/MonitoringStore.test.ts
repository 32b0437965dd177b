import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ModelServiceEntityV1alpha1 } from '@internal/plugin-marketplace-common';
import { Knex } from 'knex';
import { connectDatabase } from '../migrate';
import { DirectoryService } from '../../catalog/directoryService';
import { bucketOf, representativeOf, sqlBucketExpression } from './histogram';
import { Monitoring } from '../../monitoring/Monitoring';
import { readMonitoringConfig } from '../../config';
import {
  MonitoringStore,
  ProbeRecord,
  DatabaseMonitoringStore,
} from './MonitoringStore';
import { HOUR_MS } from '../../lib/periods';
import { Prober } from '../../monitoring/Prober';
import {
  availabilityPercent,
  sumEntries,
  trafficOf,
} from '../../monitoring/quality';
import { ConfigReader } from '@backstage/config';
import { SecretResolver } from '../../gateway/secrets';

jest.setTimeout(60_000);

const A = 'modelservice:default/svc-a';
const B = 'modelservice:default/svc-b';
const MINUTE = 60_000;
// Friday 2026-11-27 10:30 UTC
const NOW = Date.UTC(2026, 10, 27, 10, 30);

let seq = 0;
/** A gateway ledger row as the gateway writes it. */
function ledgerRow(
  serviceRef: string,
  startedAt: number,
  fields: {
    status?: string;
    latency?: number | null;
    ttft?: number | null;
    completion?: number;
    finishedAt?: number;
    wait?: number;
  } = {},
) {
  seq++;
  const status = fields.status ?? 'ok';
  return {
    request_id: `req_${seq}`,
    subscription_id: 'sub-1',
    key_id: 'key-1',
    user_ref: 'user:default/lena',
    team_ref: null,
    service_ref: serviceRef,
    provider_ref: 'provider:default/acme',
    model: serviceRef.slice(serviceRef.indexOf('/') + 1),
    stream: fields.ttft !== undefined && fields.ttft !== null,
    status,
    http_status: status === 'ok' ? 200 : 502,
    error_code: status === 'ok' ? null : status,
    prompt_tokens: 10,
    completion_tokens: fields.completion ?? 0,
    trial_tokens: 0,
    token_source: 'upstream',
    cost_micros: 0,
    platform_fee_micros: 0,
    upstream_latency_ms: fields.latency === undefined ? 500 : fields.latency,
    ttft_ms: fields.ttft ?? null,
    wait_ms: fields.wait ?? null,
    started_at: startedAt,
    finished_at: fields.finishedAt ?? startedAt + (fields.latency ?? 500),
  };
}

function probe(
  serviceRef: string,
  probedAt: number,
  outcome: ProbeRecord['outcome'],
): ProbeRecord {
  return {
    serviceRef,
    probedAt,
    outcome,
    httpStatus: outcome === 'up' ? 200 : 503,
    errorKind: outcome === 'up' ? null : 'bad_status',
    latencyMs: 20,
  };
}

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'monitoring store on %p',
  databaseId => {
    let knex: Knex;
    let store: MonitoringStore;

    beforeEach(async () => {
      knex = await connectDatabase(
        mockServices.database({ knex: await databases.init(databaseId) }),
      );
      store = new DatabaseMonitoringStore(knex);
    });

    async function hourlyRows() {
      return (
        await knex('service_metrics_hourly').orderBy([
          'service_ref',
          'hour_start',
        ])
      ).map(({ updated_at, ...row }) => ({
        ...row,
        hour_start: Number(row.hour_start),
        requests: Number(row.requests),
        errors: Number(row.errors),
        latency_count: Number(row.latency_count),
        latency_sum_ms: Number(row.latency_sum_ms),
        ttft_count: Number(row.ttft_count),
        output_tokens: Number(row.output_tokens),
        generation_ms: Number(row.generation_ms),
        ok_requests: Number(row.ok_requests),
        wait_count: Number(row.wait_count),
        peak_in_flight: Number(row.peak_in_flight),
        peak_requests_per_minute: Number(row.peak_requests_per_minute),
      }));
    }

    it('buckets latencies in SQL exactly like in code', async () => {
      const values = [
        0, 1, 2, 3, 9, 10, 11, 99, 100, 101, 955, 956, 1051, 1052, 4_999,
        120_000, 3_599_999, 3_600_000, 9_999_999,
      ];
      const rows = values.map((v, i) =>
        ledgerRow(A, NOW - HOUR_MS + i, { latency: v }),
      );
      await knex('usage_ledger').insert(rows);
      const result = await knex('usage_ledger')
        .where({ service_ref: A })
        .select(
          'upstream_latency_ms',
          knex.raw(`${sqlBucketExpression('upstream_latency_ms')} AS bucket`),
        );
      expect(
        result
          .map(r => [Number(r.upstream_latency_ms), Number(r.bucket)])
          .sort((a, b) => a[0] - b[0]),
      ).toEqual(values.map(v => [v, bucketOf(v)]));
    });

    it('folds consecutive down checks into incidents, ignoring maintenance checks', async () => {
      const t = (m: number) => NOW - 60 * MINUTE + m * MINUTE;
      await store.recordProbes([
        probe(A, t(0), 'up'),
        probe(A, t(1), 'down'),
        probe(A, t(2), 'down'),
        probe(A, t(3), 'maintenance'),
        probe(A, t(4), 'down'),
        probe(A, t(5), 'up'),
        probe(B, t(5), 'down'),
      ]);
      // Later checks continue the open incident of B.
      await store.recordProbes([probe(B, t(6), 'down'), probe(A, t(6), 'up')]);
      expect(await store.listIncidents(A, 0)).toEqual([
        {
          serviceRef: A,
          startedAt: t(1),
          endedAt: t(5),
          lastDownAt: t(4),
          downProbes: 3,
          lastErrorKind: 'bad_status',
          lastHttpStatus: 503,
        },
      ]);
      expect(await store.listIncidents(B, 0)).toEqual([
        expect.objectContaining({
          startedAt: t(5),
          endedAt: null,
          downProbes: 2,
        }),
      ]);
      await store.recordProbes([probe(B, t(7), 'up'), probe(B, t(8), 'down')]);
      expect(
        (await store.listIncidents(B, 0)).map(i => [i.startedAt, i.endedAt]),
      ).toEqual([
        [t(8), null],
        [t(5), t(7)],
      ]);
      expect(await store.lastProbe(B)).toMatchObject({
        probedAt: t(8),
        outcome: 'down',
      });
    });

    it('rolls up probes and ledger rows per hour; a second run changes nothing', async () => {
      const h1 = Date.UTC(2026, 10, 27, 8);
      const h2 = Date.UTC(2026, 10, 27, 9);
      await knex('usage_ledger').insert([
        ledgerRow(A, h1 + 5 * MINUTE, { latency: 100, completion: 50 }),
        ledgerRow(A, h1 + 6 * MINUTE, {
          latency: 1000,
          ttft: 200,
          completion: 80,
        }),
        ledgerRow(A, h1 + 7 * MINUTE, {
          status: 'upstream_error',
          latency: 30,
        }),
        ledgerRow(A, h1 + 8 * MINUTE, { status: 'timeout', latency: null }),
        ledgerRow(A, h1 + 9 * MINUTE, { status: 'upstream_rejected' }),
        ledgerRow(A, h2 + 1 * MINUTE, { latency: 400, completion: 10 }),
        ledgerRow(B, h2 + 2 * MINUTE, { latency: 250, completion: 5 }),
      ]);
      await store.recordProbes([
        probe(A, h1 + MINUTE, 'up'),
        probe(A, h1 + 2 * MINUTE, 'down'),
        probe(A, h1 + 3 * MINUTE, 'maintenance'),
        probe(A, h2 + MINUTE, 'up'),
      ]);
      const options = {
        now: NOW,
        retentionMs: 90 * 86_400_000,
        lagMs: 5 * MINUTE,
      };
      expect(await store.rollup(options)).toEqual({ hours: 3 });
      const first = await hourlyRows();
      expect(first).toEqual([
        {
          service_ref: A,
          hour_start: h1,
          probes_up: 1,
          probes_down: 1,
          probes_maintenance: 1,
          requests: 5,
          errors: 2,
          latency_count: 2,
          latency_sum_ms: 1100,
          latency_hist: '49:1,73:1',
          ttft_count: 1,
          ttft_hist: '56:1',
          output_tokens: 130,
          generation_ms: 900,
          ok_requests: 2,
          // 50 tokens in 100 ms (not streamed: the whole duration) = 500/s;
          // 80 tokens in 800 ms after the first token = 100/s.
          tps_hist: `${bucketOf(100)}:1,${bucketOf(500)}:1`,
          wait_count: 0,
          wait_hist: '',
          peak_in_flight: 1,
          peak_requests_per_minute: 1,
        },
        expect.objectContaining({
          service_ref: A,
          hour_start: h2,
          probes_up: 1,
          requests: 1,
          latency_hist: '63:1',
        }),
        expect.objectContaining({
          service_ref: B,
          hour_start: h2,
          probes_up: 0,
          requests: 1,
          latency_sum_ms: 250,
        }),
      ]);
      // Again, same rows and time: recomputed to the same values.
      await store.rollup(options);
      expect(await hourlyRows()).toEqual(first);
      // Later, with nothing new: no hour is touched.
      expect(
        await store.rollup({ ...options, now: NOW + 30 * MINUTE }),
      ).toEqual({ hours: 0 });
      expect(await hourlyRows()).toEqual(first);
    });

    it('measures peaks in flight and per minute, wait times and failed requests per hour', async () => {
      const h1 = Date.UTC(2026, 10, 27, 8);
      await knex('usage_ledger').insert([
        // Three requests overlap at 08:05:02 (a fourth starts as one ends).
        ledgerRow(A, h1 + 5 * MINUTE, { latency: 3000, wait: 4 }),
        ledgerRow(A, h1 + 5 * MINUTE + 1000, { latency: 3000, wait: 40 }),
        ledgerRow(A, h1 + 5 * MINUTE + 2000, { latency: 500, wait: 400 }),
        ledgerRow(A, h1 + 5 * MINUTE + 3000, { latency: 100, wait: 4 }),
        // A failed request in another minute: in flight, not served.
        ledgerRow(A, h1 + 20 * MINUTE, {
          status: 'upstream_error',
          latency: 30,
          wait: 4,
        }),
        // A client error counts as neither up nor down.
        ledgerRow(A, h1 + 21 * MINUTE, { status: 'upstream_rejected' }),
      ]);
      await store.rollup({
        now: NOW,
        retentionMs: 90 * 86_400_000,
        lagMs: 5 * MINUTE,
      });
      const [row] = await hourlyRows();
      expect(row).toMatchObject({
        requests: 6,
        errors: 1,
        ok_requests: 4,
        peak_in_flight: 3,
        peak_requests_per_minute: 4,
        wait_count: 5,
      });
      const entries = await store.hoursOf(A, h1, h1 + HOUR_MS);
      const traffic = trafficOf(sumEntries(entries), HOUR_MS);
      expect(traffic.waitP50Ms).toBe(representativeOf(bucketOf(4)));
      expect(traffic.waitP95Ms).toBe(representativeOf(bucketOf(400)));
      expect(availabilityPercent(entries[0].aggregate)).toBe(80);
      // No reservation is open: nothing in flight now.
      expect((await store.inFlightNow()).get(A) ?? 0).toBe(0);
    });

    it('counts late ledger rows into hours already rolled up', async () => {
      const h1 = Date.UTC(2026, 10, 27, 8);
      await knex('usage_ledger').insert(
        ledgerRow(A, h1 + MINUTE, {
          latency: 100,
          finishedAt: h1 + 2 * MINUTE,
        }),
      );
      const options = { retentionMs: 90 * 86_400_000, lagMs: 5 * MINUTE };
      await store.rollup({ ...options, now: h1 + 70 * MINUTE });
      expect((await hourlyRows()).map(r => r.requests)).toEqual([1]);
      // A stream that started in hour 8 and was settled at 9:15 (or a
      // reservation settled as abandoned after a restart) lands late.
      await knex('usage_ledger').insert([
        ledgerRow(A, h1 + 50 * MINUTE, {
          latency: 1000,
          finishedAt: h1 + 75 * MINUTE,
        }),
        ledgerRow(A, h1 + 20 * MINUTE, {
          status: 'abandoned',
          latency: null,
          finishedAt: h1 + 68 * MINUTE, // written just before the last run ended
        }),
      ]);
      await store.rollup({ ...options, now: h1 + 80 * MINUTE });
      const rows = await hourlyRows();
      expect(rows).toEqual([
        expect.objectContaining({
          hour_start: h1,
          requests: 3,
          latency_count: 2,
          latency_sum_ms: 1100,
        }),
      ]);
    });

    it('reads exact windows: whole hours from rollups, the edges from raw rows', async () => {
      const from = NOW - 3 * HOUR_MS; // 07:30
      await knex('usage_ledger').insert([
        ledgerRow(A, from - MINUTE, { latency: 9000 }), // 07:29: outside
        ledgerRow(A, from + MINUTE, { latency: 100 }), // 07:31: head edge
        ledgerRow(A, Date.UTC(2026, 10, 27, 8, 10), { latency: 200 }),
        ledgerRow(A, Date.UTC(2026, 10, 27, 9, 59), { latency: 300 }),
        ledgerRow(A, NOW - MINUTE, { latency: 400 }), // 10:29: tail edge
      ]);
      await store.recordProbes([
        probe(A, from - MINUTE, 'down'),
        probe(A, from + MINUTE, 'up'),
        probe(A, NOW - MINUTE, 'up'),
      ]);
      await store.rollup({
        now: NOW,
        retentionMs: 90 * 86_400_000,
        lagMs: 5 * MINUTE,
      });
      // A row for the current hour that the rollup has not seen yet.
      await knex('usage_ledger').insert(
        ledgerRow(A, NOW - 30 * 1000, { latency: 500 }),
      );
      const entries = await store.hoursOf(A, from, NOW);
      expect(entries.map(e => new Date(e.hourStart).toISOString())).toEqual([
        '2026-11-27T07:00:00.000Z',
        '2026-11-27T08:00:00.000Z',
        '2026-11-27T09:00:00.000Z',
        '2026-11-27T10:00:00.000Z',
      ]);
      const total = entries.reduce(
        (sum, e) => ({
          requests: sum.requests + e.aggregate.requests,
          latency: sum.latency + e.aggregate.latencySumMs,
          up: sum.up + e.aggregate.probesUp,
          down: sum.down + e.aggregate.probesDown,
        }),
        { requests: 0, latency: 0, up: 0, down: 0 },
      );
      expect(total).toEqual({ requests: 5, latency: 1500, up: 2, down: 0 });
      // Within one hour: all raw.
      const short = await store.hoursOf(A, NOW - 10 * MINUTE, NOW);
      expect(short.map(e => e.aggregate.requests)).toEqual([2]);
    });

    it('deletes probes and rollups past the retention, never ledger rows', async () => {
      const old = NOW - 100 * 86_400_000;
      await knex('usage_ledger').insert([
        ledgerRow(A, old),
        ledgerRow(A, NOW - HOUR_MS),
      ]);
      await store.recordProbes([
        probe(A, old, 'down'),
        probe(A, old + MINUTE, 'up'),
        probe(A, NOW - HOUR_MS, 'up'),
      ]);
      await knex('service_metrics_hourly').insert({
        service_ref: A,
        hour_start: old - (old % HOUR_MS),
        updated_at: old,
      });
      await store.rollup({
        now: NOW,
        retentionMs: 90 * 86_400_000,
        lagMs: 5 * MINUTE,
      });
      await store.deleteOlderThan(NOW - 90 * 86_400_000);
      expect(Number((await knex('usage_ledger').count({ n: '*' }))[0].n)).toBe(
        2,
      );
      expect(
        (await knex('service_probes')).map(p => Number(p.probed_at)),
      ).toEqual([NOW - HOUR_MS]);
      expect(
        (await knex('service_metrics_hourly')).map(r => Number(r.hour_start)),
      ).toEqual([NOW - HOUR_MS - ((NOW - HOUR_MS) % HOUR_MS)]);
      expect(await store.listIncidents(A, 0)).toEqual([]);
    });

    describe('SLA breaches', () => {
      const notifications = { send: jest.fn() };
      let now: number;

      function directoryService(name: string): DirectoryService {
        const entity = {
          apiVersion: 'marketplace.acme.io/v1alpha1',
          kind: 'ModelService',
          metadata: { name, title: `Title ${name}` },
          spec: {
            owner: 'ai-platform-team',
            lifecycle: 'active',
            endpoint: {
              baseUrl: 'http://127.0.0.1:9/v1',
              auth: { type: 'none' },
            },
            availability: { schedule: '24/7' },
            sla: {
              latencyMs: { p50: 500, p95: 1000, p99: 3000 },
              uptimePercent: 99,
              throughput: { requestsPerSecond: 10, tokensPerSecond: 100 },
              rateLimits: { requestsPerMinute: 60, tokensPerMinute: 6000 },
            },
          },
        } as unknown as ModelServiceEntityV1alpha1;
        return {
          name,
          ref: `modelservice:default/${name}`,
          providerRef: 'provider:default/acme',
          entity,
          status: 'approved',
        };
      }

      function monitoring(services: DirectoryService[]) {
        return new Monitoring({
          store,
          prober: new Prober({
            secrets: new SecretResolver(new ConfigReader({}), {}),
            logger: mockServices.logger.mock(),
            timeoutMs: 1000,
            concurrency: 2,
            mode: 'models',
          }),
          directory: { list: () => services },
          notifications,
          logger: mockServices.logger.mock(),
          config: readMonitoringConfig(new ConfigReader({})),
          admins: async () => [
            'group:default/platform-admins',
            'user:default/priya.raman',
          ],
          clock: () => now,
        });
      }

      beforeEach(() => {
        notifications.send.mockReset();
        now = NOW;
      });

      async function checks(ref: string, up: number, down: number, at: number) {
        const list: ProbeRecord[] = [];
        for (let i = 0; i < up + down; i++) {
          list.push(probe(ref, at + i * 1000, i < up ? 'up' : 'down'));
        }
        await store.recordProbes(list);
      }

      it('moves from met to at risk to breached, recorded and notified once per window', async () => {
        const svc = directoryService('svc-a');
        const m = monitoring([svc]);
        const status = async () =>
          (await m.metricsOf(svc, '24h')).sla.find(r => r.metric === 'uptime')!
            .status;

        await checks(A, 100, 0, NOW - 2 * HOUR_MS);
        await m.maintain();
        expect(await status()).toBe('met');
        // 100 up of 101 counted: 99.01%, more than 90% of the allowed 1% used.
        now = NOW + MINUTE;
        await checks(A, 0, 1, now - 30_000);
        await m.maintain();
        expect(await status()).toBe('at_risk');
        expect(notifications.send).not.toHaveBeenCalled();

        now = NOW + 2 * MINUTE;
        await checks(A, 0, 2, now - 30_000);
        await m.maintain();
        expect(await status()).toBe('breached');
        expect(notifications.send).toHaveBeenCalledTimes(1);
        expect(notifications.send).toHaveBeenCalledWith({
          recipients: {
            type: 'entity',
            entityRef: [
              'group:default/ai-platform-team',
              'group:default/platform-admins',
              'user:default/priya.raman',
            ],
          },
          payload: expect.objectContaining({
            title: 'Title svc-a breached its uptime SLA',
            severity: 'high',
            topic: 'marketplace-sla-breach',
            link: '/catalog/default/modelservice/svc-a/quality',
          }),
        });
        // Still breached a minute later, and with worse numbers: no second record.
        now = NOW + 3 * MINUTE;
        await checks(A, 0, 5, now - 30_000);
        await m.maintain();
        expect(notifications.send).toHaveBeenCalledTimes(1);
        const breaches = await store.listBreaches(A);
        expect(breaches).toEqual([
          expect.objectContaining({
            metric: 'uptime',
            measured: 97.087, // 100 up of 103
            committed: 99,
            notifiedAt: NOW + 2 * MINUTE,
          }),
        ]);
        const metrics = await m.metricsOf(svc, '24h');
        expect(metrics.breaches).toEqual([
          expect.objectContaining({ metric: 'uptime', committed: 99 }),
        ]);
        // The next 30-day window records (and notifies) it again.
        now = breaches[0].windowStart + 30 * 86_400_000 + HOUR_MS;
        await checks(A, 0, 3, now - 30 * MINUTE);
        await m.maintain();
        expect(notifications.send).toHaveBeenCalledTimes(2);
        expect(await store.listBreaches(A)).toHaveLength(2);
      });

      it('records a latency breach once, and retries a notification that failed', async () => {
        const svc = directoryService('svc-b');
        const m = monitoring([svc]);
        // Latency targets are against the time to first token.
        const rows = Array.from({ length: 20 }, (_, i) =>
          ledgerRow(B, NOW - HOUR_MS + i * 1000, {
            latency: 9000,
            ttft: i < 18 ? 400 : 5000,
          }),
        );
        await knex('usage_ledger').insert(rows);
        // The first notification (p95) fails, the second (p99) goes out.
        notifications.send.mockRejectedValueOnce(new Error('offline'));
        await m.maintain();
        expect(notifications.send).toHaveBeenCalledTimes(2);
        const notified = async () =>
          Object.fromEntries(
            (await store.listBreaches(B)).map(b => [b.metric, b.notifiedAt]),
          );
        expect(await notified()).toEqual({
          latencyP95: null,
          latencyP99: NOW,
        });
        // The next run retries the one that failed, and only that one.
        now = NOW + MINUTE;
        await m.maintain();
        expect(notifications.send).toHaveBeenCalledTimes(3);
        expect(notifications.send.mock.calls[2][0].payload.title).toBe(
          'Title svc-b breached its p95 latency SLA',
        );
        expect(await notified()).toEqual({
          latencyP95: NOW + MINUTE,
          latencyP99: NOW,
        });
        now = NOW + 2 * MINUTE;
        await m.maintain();
        expect(notifications.send).toHaveBeenCalledTimes(3);
        // p95 (rank 19 of 20) is 5000 ms too: both breached, p50 met.
        expect((await store.listBreaches(B)).map(b => b.metric).sort()).toEqual(
          ['latencyP95', 'latencyP99'],
        );
        const sla = (await m.metricsOf(svc, '1h')).sla;
        // 20 successful requests and no probe: uptime from real traffic, too
        // few checks to judge its commitment yet.
        expect(sla.map(r => [r.metric, r.status])).toEqual([
          ['uptime', 'no_data'],
          ['latencyP50', 'met'],
          ['latencyP95', 'breached'],
          ['latencyP99', 'breached'],
        ]);
      });
    });
  },
);
