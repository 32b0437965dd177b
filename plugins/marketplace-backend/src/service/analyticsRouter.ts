import { InputError, NotAllowedError } from '@backstage/errors';
import {
  AnalyticsService,
  marketplaceBillingReadPermission,
  marketplacePayoutsManagePermission,
  ProviderTeam,
  Statement,
} from '@internal/plugin-marketplace-common';
import express, { Response } from 'express';
import { ApiRequest, createApiRouter } from '../schema/openapi';
import { AnalyticsStore } from '../stores/analytics/AnalyticsStore';
import { csvFileName, statementCsv } from '../analytics/csv';
import { dayOf, monthOf, monthStart, resolvePeriod } from '../lib/periods';
import { StatementStore } from '../stores/analytics/StatementStore';
import { buildUsageExport, usageExportCsv } from '../analytics/usageExport';
import { SubscriptionStore } from '../stores/SubscriptionStore';
import { UsageLedger } from '../stores/ledger/UsageLedger';
import { ServiceDirectory } from '../catalog/ServiceDirectory';
import { DirectoryService } from '../catalog/directoryService';
import { AuditLog } from '../stores/AuditLog';
import { Access, ownerRefOf } from './access';
import { groupRef } from './analytics/entityRefs';
import { ProviderTeams } from './analytics/ProviderTeams';

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
 * A payment reference: trimmed, not empty, no control characters (not even a
 * line break: it goes into the statement's CSV). The document checks its
 * length; it cannot trim, and a pattern would answer with the expression.
 */
function paymentReference(raw: string | null | undefined): string | null {
  if (raw === null || raw === undefined) {
    return null;
  }
  const reference = raw.trim();
  if (!reference) {
    throw new InputError("Invalid body field 'reference': must not be empty");
  }
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(reference)) {
    throw new InputError(
      "Invalid body field 'reference': must not contain control characters",
    );
  }
  return reference;
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
 */
export function createAnalyticsRouter(
  options: AnalyticsRouterOptions,
): express.Router {
  const { access, directory, ledger, analytics, statements } = options;
  const now = () => (options.clock ?? Date.now)();
  const router = createApiRouter();
  const providerTeams = new ProviderTeams(options);
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
    const team = await providerTeams.team(me, req.query.team);
    await ledger.flush();
    res.json({
      statements: await statements.listProvider(
        team.ref,
        team.services.map(s => s.ref),
        now(),
      ),
      // Whether the caller may mark closed statements paid (the UI's button).
      canMarkPaid: await access.allowed(me, marketplacePayoutsManagePermission),
    });
  });

  /** A month in a path: `YYYY-MM`, not in the future. */
  function monthParam(req: ApiRequest): string {
    const month: string = req.params.month;
    if (month > monthOf(now())) {
      throw new InputError(
        `Invalid path parameter 'month': ${month} is in the future`,
      );
    }
    return month;
  }

  function titleOf(ref: string): string | null {
    const s = directory.getByRef(ref);
    return s ? s.entity.metadata.title ?? s.name : null;
  }

  function sendCsv(res: Response, statement: Statement, name: string[]) {
    res.setHeader('Content-Type', 'text/csv; charset=utf-8');
    res.setHeader(
      'Content-Disposition',
      `attachment; filename="${csvFileName(name)}"`,
    );
    // The portal's frontend runs on another origin in development: let it read the name.
    res.setHeader('Access-Control-Expose-Headers', 'Content-Disposition');
    res.send(statementCsv(statement, titleOf));
  }

  async function providerStatement(req: ApiRequest) {
    const me = await access.caller(req);
    const month = monthParam(req);
    const team = await providerTeams.team(me, req.query.team);
    await ledger.flush();
    return statements.getProvider(
      team.ref,
      team.services.map(s => s.ref),
      month,
      now(),
    );
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
    const month = monthParam(req);
    const body = req.body;
    const reference = paymentReference(body.reference);
    if (!(await access.allowed(me, marketplacePayoutsManagePermission))) {
      throw new NotAllowedError('Only platform admins may mark payouts paid');
    }
    const team = groupRef(body.team, "body field 'team'");
    const services = (await providerTeams.view(me)).servicesOf([team]);
    await ledger.flush();
    const statement = await statements.markPaid({
      teamRef: team,
      services: services.map(s => s.ref),
      month,
      paidBy: me.userRef,
      reference,
      now: now(),
    });
    await options.audit?.record({
      actor: me.userRef,
      action: 'payout.paid',
      targetType: 'payout',
      target: `${team}/${month}`,
      before: { status: 'closed' },
      after: {
        status: 'paid',
        netMicros: statement.payout?.netMicros ?? statement.totals.netMicros,
        reference,
      },
    });
    res.json({ statement });
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

  /** Whose statements: the caller's, or a team's they belong to (or any, for billing admins). */
  async function statementOwner(
    req: ApiRequest,
  ): Promise<{ kind: 'user' | 'team'; ref: string }> {
    const me = await access.caller(req);
    const query: { team?: string } = req.query;
    if (!query.team) {
      return { kind: 'user', ref: me.userRef };
    }
    const ref = groupRef(query.team, "query field 'team'");
    if (
      !me.ownership.includes(ref) &&
      !(await access.allowed(me, marketplaceBillingReadPermission))
    ) {
      throw new NotAllowedError(
        `You may only see the statements of teams you are a member of, not of ${ref}`,
      );
    }
    return { kind: 'team', ref };
  }

  router.get('/v1/statements', async (req, res) => {
    const owner = await statementOwner(req);
    await ledger.flush();
    res.json({
      statements: await statements.listConsumer(owner.kind, owner.ref, now()),
    });
  });

  async function consumerStatement(req: ApiRequest) {
    const owner = await statementOwner(req);
    const month = monthParam(req);
    await ledger.flush();
    return statements.getConsumer(owner.kind, owner.ref, month, now());
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
    const owner = await providerTeams.exportOwner(me, query);
    const period = resolvePeriod(
      {
        from:
          query.from ??
          (query.to ? undefined : dayOf(monthStart(monthOf(now())))),
        to: query.to,
        granularity: 'day',
      },
      now(),
    );
    await ledger.flush();
    const data = await buildUsageExport({
      analytics,
      owner,
      start: period.start,
      end: period.end,
      now: now(),
      titleOf,
    });
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
