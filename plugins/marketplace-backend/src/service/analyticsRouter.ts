import { InputError, NotAllowedError } from '@backstage/errors';
import {
  ANALYTICS_GRANULARITIES,
  AnalyticsService,
  marketplaceBillingReadPermission,
  marketplacePayoutsManagePermission,
  ProviderTeam,
  Statement,
  USAGE_EXPORT_SCOPES,
} from '@internal/plugin-marketplace-common';
import express, { Response } from 'express';
import { ApiRequest, createApiRouter } from '../schema/openapi';
import { z } from 'zod';
import { AnalyticsStore } from '../stores/analytics/AnalyticsStore';
import { csvFileName, statementCsv } from '../analytics/csv';
import {
  dayOf,
  isoDate,
  isoMonth,
  monthOf,
  monthStart,
  resolvePeriod,
} from '../lib/periods';
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
import { nameParam, parse } from './parse';

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

const teamParam = z.string().min(1).max(255);
const analyticsQuery = z
  .object({
    from: isoDate.optional(),
    to: isoDate.optional(),
    granularity: z.enum(ANALYTICS_GRANULARITIES).default('day'),
    service: nameParam.optional(),
    team: teamParam.optional(),
  })
  .strict();
const usageQuery = z
  .object({
    from: isoDate.optional(),
    to: isoDate.optional(),
    granularity: z
      .enum(['day', 'month'], {
        message:
          "must be 'day' or 'month' (your usage is kept per day, not per hour)",
      })
      .default('day'),
    service: nameParam.optional(),
  })
  .strict();
const payoutsQuery = z.object({ team: teamParam }).strict();
const exportQuery = z
  .object({
    scope: z
      .enum(USAGE_EXPORT_SCOPES, {
        message: `must be one of ${USAGE_EXPORT_SCOPES.join(', ')}`,
      })
      .default('user'),
    user: z.string().min(1).max(255).optional(),
    team: teamParam.optional(),
    service: nameParam.optional(),
    from: isoDate.optional(),
    to: isoDate.optional(),
    format: z
      .enum(['json', 'csv'], { message: "must be 'json' or 'csv'" })
      .default('json'),
  })
  .strict();
const statementsQuery = z.object({ team: teamParam.optional() }).strict();
const paidBody = z
  .object({
    team: teamParam,
    reference: z
      .string()
      .trim()
      .min(1, 'must not be empty')
      .max(200, 'must be at most 200 characters')
      .refine(
        // eslint-disable-next-line no-control-regex
        s => !/[\u0000-\u001f\u007f]/.test(s),
        'must not contain control characters',
      )
      .nullable()
      .optional(),
  })
  .strict();

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
    const query = parse(analyticsQuery, req.query, 'query');
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
    const query = parse(payoutsQuery, req.query, 'query');
    const team = await providerTeams.team(me, query.team);
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
    const month = parse(isoMonth, req.params.month, "path parameter 'month'");
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
    const query = parse(payoutsQuery, req.query, 'query');
    const team = await providerTeams.team(me, query.team);
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
    const body = parse(paidBody, req.body ?? {}, 'body');
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
      reference: body.reference ?? null,
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
        reference: body.reference ?? null,
      },
    });
    res.json({ statement });
  });

  router.get('/v1/me/usage', async (req, res) => {
    const me = await access.caller(req);
    const query = parse(usageQuery, req.query, 'query');
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
    const query = parse(statementsQuery, req.query, 'query');
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
    const query = parse(exportQuery, req.query, 'query');
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
