/*
 * The data set of bench/analytics (run.ts): users subscribed to services over
 * the period, and the ledger rows of their traffic, written through the
 * ledger's own write path. Deterministic: every run sees the same data.
 */
import {
  costMicros,
  platformFeeMicros,
  splitTrial,
} from '@internal/plugin-marketplace-common';
import {
  createSettlementWriter,
  SubscriptionStore,
} from '@internal/plugin-marketplace-backend/testUtils';
import { Knex } from 'knex';

export const DAY = 86_400_000;

/** Deterministic pseudo-random numbers (mulberry32), so every run sees the same data. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
/** The one random stream of the data set (the same data every run). */
const random = rng(7);
/** Lognormal with the given median. */
function lognormal(median: number, sigma: number) {
  const u = Math.max(1e-12, random());
  const v = random();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return median * Math.exp(sigma * z);
}
function pick<T>(items: T[], cumulative: number[]): T {
  const r = random() * cumulative[cumulative.length - 1];
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid] < r) lo = mid + 1;
    else hi = mid;
  }
  return items[lo];
}
function cumulate(weights: number[]) {
  let sum = 0;
  return weights.map(w => (sum += w));
}

interface Sub {
  id: string;
  keyId: string;
  userRef: string;
  teamRef: string | null;
  service: Svc;
  weight: number;
  firstDay: number;
  lastDay: number;
  trialLeft: number;
}
interface Svc {
  ref: string;
  name: string;
  owner: string;
  providerRef: string;
  prompt: number;
  completion: number;
  /** Price from the change on (a third of the services). */
  newPrompt: number;
  newCompletion: number;
  latency: number;
  trial: number;
}

/**
 * Subscribes the users of the consumer teams to the services of the provider
 * teams (real subscriptions and keys, through SubscriptionStore) over `days`.
 */
export async function seed(knex: Knex, now: number, days: number) {
  const subs = new SubscriptionStore(knex, () => now - days * DAY);
  const teams = Array.from(
    { length: 6 },
    (_, i) => `group:default/provider-team-${i + 1}`,
  );
  const services: Svc[] = Array.from({ length: 30 }, (_, i) => {
    const prompt = [150, 500, 1000, 2500, 3000, 5000, 15000][i % 7];
    const changes = i % 3 === 0;
    return {
      ref: `modelservice:default/bench-model-${i + 1}`,
      name: `bench-model-${i + 1}`,
      owner: teams[i % teams.length],
      providerRef: `provider:default/bench-provider-${(i % 6) + 1}`,
      prompt,
      completion: prompt * 4,
      newPrompt: changes ? Math.round(prompt * 1.2) : prompt,
      newCompletion: changes ? Math.round(prompt * 4 * 1.2) : prompt * 4,
      latency: 250 + (i % 5) * 150,
      trial: i % 4 === 0 ? 100_000 : 0,
    };
  });
  // Popularity: heavy-tailed over services and users.
  const serviceWeights = cumulate(services.map((_, i) => 1 / (i + 1) ** 0.9));
  const consumerTeams = Array.from(
    { length: 50 },
    (_, i) => `group:default/consumer-team-${i + 1}`,
  );
  const all: Sub[] = [];
  for (let u = 0; u < 800; u++) {
    const userRef = `user:default/bench-user-${u + 1}`;
    const team =
      random() < 0.33
        ? null
        : consumerTeams[Math.floor(random() * consumerTeams.length)];
    const userWeight = 1 / (u + 1) ** 0.8;
    // Users join over the period and some churn.
    const firstDay = Math.floor(random() ** 1.5 * days * 0.9);
    const lastDay =
      random() < 0.25
        ? firstDay + Math.floor(random() * (days - firstDay))
        : days - 1;
    const count = 1 + Math.floor(random() * 4);
    const chosen = new Set<Svc>();
    while (chosen.size < count) {
      chosen.add(pick(services, serviceWeights));
    }
    for (const service of chosen) {
      const { subscription, apiKey } = await subs.create({
        serviceRef: service.ref,
        userRef,
        teamRef: team,
        spendCapMicros: null,
        trialTokens: service.trial,
      });
      all.push({
        id: subscription.id,
        keyId: apiKey.id,
        userRef,
        teamRef: team,
        service,
        weight: userWeight * (0.5 + random()),
        firstDay,
        lastDay,
        trialLeft: service.trial,
      });
    }
  }
  return { services, teams, subs: all };
}

/** Writes `rowCount` ledger rows over `days` through the ledger's own write path. */
export async function writeLedger(
  knex: Knex,
  now: number,
  data: Awaited<ReturnType<typeof seed>>,
  rowCount: number,
  days: number,
) {
  const writer = createSettlementWriter(knex);
  const start = now - (now % DAY) - (days - 1) * DAY;
  // Growth over the period and a daily cycle (UTC).
  const dayWeights = Array.from({ length: days }, (_, d) => 0.5 + d / days);
  const hourWeights = cumulate(
    Array.from(
      { length: 24 },
      (_, h) => 0.3 + Math.sin((Math.PI * h) / 24) ** 2,
    ),
  );
  const hours = Array.from({ length: 24 }, (_, h) => h);
  const totalWeight = dayWeights.reduce((a, b) => a + b, 0);
  let written = 0;
  let id = 0;
  const began = Date.now();
  for (let d = 0; d < days; d++) {
    const n =
      d === days - 1
        ? rowCount - written
        : Math.round((rowCount * dayWeights[d]) / totalWeight);
    const active = data.subs.filter(s => s.firstDay <= d && s.lastDay >= d);
    const cumulative = cumulate(active.map(s => s.weight));
    const rows: Record<string, unknown>[] = [];
    for (let i = 0; i < n; i++) {
      const sub = pick(active, cumulative);
      const startedAt = Math.min(
        now - 1000,
        start +
          d * DAY +
          pick(hours, hourWeights) * 3_600_000 +
          Math.floor(random() * 3_600_000),
      );
      const r = random();
      const status =
        r < 0.015
          ? 'upstream_error'
          : r < 0.02
          ? 'timeout'
          : r < 0.025
          ? 'upstream_rejected'
          : r < 0.03
          ? 'client_closed'
          : 'ok';
      const prompt = Math.max(1, Math.round(lognormal(400, 0.9)));
      const completion =
        status === 'ok' || status === 'client_closed'
          ? Math.max(1, Math.round(lognormal(200, 0.8)))
          : 0;
      const charged = status === 'ok' || status === 'client_closed';
      const svc = sub.service;
      const changed = d >= days / 2;
      const prices = {
        promptPer1kMicros: changed ? svc.newPrompt : svc.prompt,
        completionPer1kMicros: changed ? svc.newCompletion : svc.completion,
      };
      let trialTokens = 0;
      let cost = 0;
      if (charged) {
        const split = splitTrial(prompt, completion, sub.trialLeft);
        sub.trialLeft -= split.trialTokens;
        trialTokens = split.trialTokens;
        cost = costMicros(
          split.billablePromptTokens,
          split.billableCompletionTokens,
          prices,
        );
      }
      const latency =
        status === 'ok'
          ? Math.round(lognormal(svc.latency, 0.5))
          : status === 'timeout'
          ? 120_000
          : Math.round(lognormal(svc.latency, 0.5));
      rows.push({
        request_id: `req_bench${(id++).toString(36).padStart(10, '0')}`,
        subscription_id: sub.id,
        key_id: sub.keyId,
        user_ref: sub.userRef,
        team_ref: sub.teamRef,
        service_ref: svc.ref,
        provider_ref: svc.providerRef,
        model: svc.name,
        stream: random() < 0.4,
        status,
        http_status:
          status === 'ok' ? 200 : status === 'upstream_rejected' ? 400 : 502,
        error_code: status === 'ok' ? null : status,
        prompt_tokens: prompt,
        completion_tokens: completion,
        trial_tokens: trialTokens,
        token_source: 'upstream',
        cost_micros: cost,
        platform_fee_micros: platformFeeMicros(cost, 1000),
        upstream_latency_ms: latency,
        ttft_ms: null,
        started_at: startedAt,
        finished_at: startedAt + latency,
      });
    }
    rows.sort((a, b) => Number(a.started_at) - Number(b.started_at));
    for (let i = 0; i < rows.length; i += 500) {
      await writer.write(rows.slice(i, i + 500).map(row => ({ row })));
    }
    written += n;
    if (d % 20 === 19 || d === days - 1) {
      const s = (Date.now() - began) / 1000;
      process.stdout.write(
        `  ${written.toLocaleString('en-US')} rows (${Math.round(
          written / s,
        ).toLocaleString('en-US')} rows/s)\n`,
      );
    }
  }
}
