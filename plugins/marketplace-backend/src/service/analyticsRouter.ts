import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  ANALYTICS_GRANULARITIES,
  AnalyticsService,
  marketplaceBillingReadPermission,
  marketplacePayoutsManagePermission,
  ProviderTeam,
  Statement,
} from '@internal/plugin-marketplace-common';
import express, { Request, Response } from 'express';
import Router from 'express-promise-router';
import { z } from 'zod';
import { AnalyticsStore } from '../analytics/AnalyticsStore';
import { csvFileName, statementCsv } from '../analytics/csv';
import {
  isoDate,
  isoMonth,
  monthOfMs,
  resolvePeriod,
} from '../analytics/periods';
import { StatementStore } from '../analytics/StatementStore';
import { SubscriptionStore } from '../database/SubscriptionStore';
import { UsageLedger } from '../database/UsageLedger';
import {
  DirectoryService,
  ServiceDirectory,
} from '../gateway/ServiceDirectory';
import { AuditLog } from '../database/AuditLog';
import { Access, Caller, ownerRefOf } from './access';
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

/** A group ref from a query or body field, in full lowercase form; 400 otherwise. */
function groupRef(value: string, field: string): string {
  let ref: string;
  try {
    ref = stringifyEntityRef(
      parseEntityRef(value, {
        defaultKind: 'group',
        defaultNamespace: 'default',
      }),
    ).toLocaleLowerCase('en-US');
  } catch (error) {
    throw new InputError(`Invalid ${field}: ${(error as Error).message}`);
  }
  if (!ref.startsWith('group:')) {
    throw new InputError(`Invalid ${field}: must be a group, got ${value}`);
  }
  return ref;
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
  const router = Router();
  router.use(express.json({ limit: '16kb' }));

  /** The provider teams the caller may see, and a check for one team. */
  async function providerView(me: Caller) {
    const decision = await access.manageDecision(me);
    if (decision.result === AuthorizeResult.DENY) {
      throw new NotAllowedError(
        'Provider analytics are for members of provider teams and admins',
      );
    }
    // IS_SERVICE_OWNER looks at the owner only: "may manage services owned by
    // the team" is "may see the team's numbers".
    const mayView = (team: string) =>
      access.canManage(decision, {
        ref: `group-services:${team}`,
        owner: team,
      });
    const all = directory.list();
    const owners = [
      ...new Set(all.map(s => ownerRefOf(s.entity.spec.owner))),
    ].filter(o => o !== '');
    return {
      mayView,
      teams: owners.filter(mayView).sort(),
      servicesOf: (teams: string[]) =>
        all
          .filter(s => teams.includes(ownerRefOf(s.entity.spec.owner)))
          .sort((a, b) => a.name.localeCompare(b.name)),
    };
  }

  async function providerTeam(me: Caller, team: string) {
    const view = await providerView(me);
    const ref = groupRef(team, "query field 'team'");
    if (!view.mayView(ref)) {
      throw new NotAllowedError(
        `You may only see the numbers of your own teams, not of ${ref}`,
      );
    }
    return { ref, services: view.servicesOf([ref]) };
  }

  router.get('/v1/provider/teams', async (req, res) => {
    const me = await access.caller(req);
    const view = await providerView(me);
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
    const view = await providerView(me);
    let teams = view.teams;
    if (query.team) {
      teams = [(await providerTeam(me, query.team)).ref];
    }
    let services = view.servicesOf(teams);
    if (query.service) {
      const s = await directory.get(query.service);
      if (!s) {
        throw new NotFoundError(`No model service named '${query.service}'`);
      }
      const owner = ownerRefOf(s.entity.spec.owner);
      if (!view.mayView(owner)) {
        throw new NotAllowedError(
          `${s.name} belongs to ${owner}: you may only see the numbers of your own teams`,
        );
      }
      if (query.team && owner !== teams[0]) {
        throw new InputError(
          `Invalid query field 'service': ${s.name} is not a service of ${teams[0]}`,
        );
      }
      services = [s];
      teams = [owner];
    }
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
    const team = await providerTeam(me, query.team);
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
  function monthParam(req: Request): string {
    const month = parse(isoMonth, req.params.month, "path parameter 'month'");
    if (month > monthOfMs(now())) {
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

  async function providerStatement(req: Request) {
    const me = await access.caller(req);
    const month = monthParam(req);
    const query = parse(payoutsQuery, req.query, 'query');
    const team = await providerTeam(me, query.team);
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
    const services = (await providerView(me)).servicesOf([team]);
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
    req: Request,
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

  async function consumerStatement(req: Request) {
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

  return router;
}
