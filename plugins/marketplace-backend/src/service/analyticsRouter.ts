import { InputError } from '@backstage/errors';
import {
  AnalyticsService,
  ProviderTeam,
  Statement,
} from '@internal/plugin-marketplace-common';
import express, { Response } from 'express';
import { ApiRequest, createApiRouter } from '../schema/openapi';
import { AnalyticsStore } from '../stores/analytics/AnalyticsStore';
import { csvFileName, statementCsv } from '../analytics/csv';
import { resolvePeriod } from '../lib/periods';
import { StatementStore } from '../stores/analytics/StatementStore';
import { usageExportCsv } from '../analytics/usageExport';
import { SubscriptionStore } from '../stores/SubscriptionStore';
import { UsageLedger } from '../stores/ledger/UsageLedger';
import { ServiceDirectory } from '../catalog/ServiceDirectory';
import { DirectoryService } from '../catalog/directoryService';
import { AuditLog } from '../stores/AuditLog';
import { Access, ownerRefOf } from './access';
import { ProviderTeams } from './analytics/ProviderTeams';
import { Statements } from './analytics/Statements';

export interface AnalyticsRouterOptions {
  access: Access;
  directory: ServiceDirectory;
  ledger: UsageLedger;
  subscriptions: SubscriptionStore;
  analytics: AnalyticsStore;
  statements: StatementStore;
  /** Where marking a payout paid is audited. */
  audit?: AuditLog;
  clock?: () => number;
}

/**
 * `from` and `to` are days that exist: the document's `format: date` checks
 * only the shape (its validator runs formats in fast mode), not 2026-02-30.
 */
function calendarDays<Q extends { from?: string; to?: string }>(query: Q): Q {
  for (const field of ['from', 'to'] as const) {
    const day = query[field];
    const ms = Date.parse(`${day}T00:00:00Z`);
    if (
      day !== undefined &&
      (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== day)
    ) {
      throw new InputError(
        `Invalid query field '${field}': is not a calendar date`,
      );
    }
  }
  return query;
}

function serviceInfo(s: DirectoryService): AnalyticsService {
  return {
    ref: s.ref,
    name: s.name,
    title: s.entity.metadata.title ?? s.name,
    owner: ownerRefOf(s.entity.spec.owner),
  };
}

/**
 * Provider analytics, payouts and the consumer side of billing, all read from
 * the usage rollups:
 *
 * - `GET /v1/provider/teams`, `GET /v1/provider/analytics`: the dashboard of
 *   the provider teams the caller may see (the resource permission
 *   `marketplace.service.manage`: owners see their own teams, admins all);
 * - `GET /v1/provider/payouts[/:month[/csv]]` and
 *   `POST /v1/admin/payouts/:month/paid` (admins, `marketplace.admin.payouts.manage`);
 * - `GET /v1/me/usage` and `GET /v1/statements[/:month[/csv]]`: a user's own
 *   usage, and the chargeback statements of the user or of a team they belong
 *   to (any team with `marketplace.admin.billing.read`).
 *
 * The statements, payouts and exports themselves are `Statements`
 * (`analytics/Statements.ts`); whose numbers a caller may see, `ProviderTeams`.
 */
export function createAnalyticsRouter(
  options: AnalyticsRouterOptions,
): express.Router {
  const { access, directory, ledger, analytics } = options;
  const now = () => (options.clock ?? Date.now)();
  const router = createApiRouter();
  const providerTeams = new ProviderTeams(options);
  const billing = new Statements({ ...options, providerTeams, now });
  router.get('/v1/provider/teams', async (req, res) => {
    const me = await access.caller(req);
    const view = await providerTeams.view(me);
    const teams: ProviderTeam[] = view.teams.map(ref => ({
      ref,
      serviceCount: view.servicesOf([ref]).length,
    }));
    res.json({ teams });
  });

  router.get('/v1/provider/analytics', async (req, res) => {
    const me = await access.caller(req);
    const query = calendarDays({
      ...req.query,
      granularity: req.query.granularity ?? 'day',
    });
    const period = resolvePeriod(query, now());
    const { teams, services } = await providerTeams.analyticsScope(me, query);
    await ledger.flush();
    const infos = services.map(serviceInfo);
    res.json(
      await analytics.providerAnalytics({
        services: infos,
        scope: infos.map(s => s.ref),
        teams,
        period,
        now: now(),
      }),
    );
  });

  router.get('/v1/provider/payouts', async (req, res) => {
    const me = await access.caller(req);
    res.json(await billing.providerList(me, req.query.team));
  });

  function sendCsv(res: Response, statement: Statement, name: string[]) {
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader(
      'Content-Disposition',
      `attachment; filename="${csvFileName(name)}"`,
    );
    // The portal's frontend runs on another origin in development: let it read the name.
    res.setHeader('Access-Control-Expose-Headers', 'Content-Disposition');
    res.send(statementCsv(statement, ref => billing.titleOf(ref)));
  }

  async function providerStatement(req: ApiRequest) {
    const me = await access.caller(req);
    return billing.provider(me, req.query.team, req.params.month);
  }

  router.get('/v1/provider/payouts/:month', async (req, res) => {
    res.json({ statement: await providerStatement(req) });
  });

  router.get('/v1/provider/payouts/:month/csv', async (req, res) => {
    const statement = await providerStatement(req);
    sendCsv(res, statement, ['payout', statement.ownerRef, statement.month]);
  });

  router.post('/v1/admin/payouts/:month/paid', async (req, res) => {
    const me = await access.caller(req);
    res.json({
      statement: await billing.markPaid(me, req.params.month, req.body),
    });
  });

  router.get('/v1/me/usage', async (req, res) => {
    const me = await access.caller(req);
    const query = calendarDays({
      ...req.query,
      granularity: req.query.granularity ?? 'day',
    });
    const period = resolvePeriod(query, now());
    let serviceRef: string | undefined;
    if (query.service) {
      serviceRef =
        (await directory.get(query.service))?.ref ??
        `modelservice:default/${query.service.toLocaleLowerCase('en-US')}`;
    }
    const keys = await options.subscriptions.listKeys({ userRef: me.userRef });
    await ledger.flush();
    res.json(
      await analytics.consumerUsage({
        userRef: me.userRef,
        serviceRef,
        period,
        keyPrefixes: new Map(keys.map(k => [k.id, k.prefix])),
        now: now(),
      }),
    );
  });

  router.get('/v1/statements', async (req, res) => {
    const me = await access.caller(req);
    res.json({ statements: await billing.consumerList(me, req.query.team) });
  });

  async function consumerStatement(req: ApiRequest) {
    const me = await access.caller(req);
    return billing.consumer(me, req.query.team, req.params.month);
  }

  router.get('/v1/statements/:month', async (req, res) => {
    res.json({ statement: await consumerStatement(req) });
  });

  router.get('/v1/statements/:month/csv', async (req, res) => {
    const statement = await consumerStatement(req);
    sendCsv(res, statement, ['statement', statement.ownerRef, statement.month]);
  });

  /**
   * `GET /v1/exports/usage`: usage per day and service of any period (default:
   * this month so far), as JSON or CSV, with the same sums as the statements.
   */
  router.get('/v1/exports/usage', async (req, res) => {
    const me = await access.caller(req);
    const query = calendarDays({
      ...req.query,
      scope: req.query.scope ?? 'user',
      format: req.query.format ?? 'json',
    });
    const { owner, data } = await billing.usageExport(me, query);
    if (query.format === 'json') {
      res.json(data);
      return;
    }
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader(
      'Content-Disposition',
      `attachment; filename="${csvFileName([
        'usage',
        owner.ref,
        data.from,
        data.to,
      ])}"`,
    );
    res.setHeader('Access-Control-Expose-Headers', 'Content-Disposition');
    res.send(usageExportCsv(data));
  });

  return router;
}
