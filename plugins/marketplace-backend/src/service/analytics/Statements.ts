import { InputError, NotAllowedError } from '@backstage/errors';
import {
  marketplaceBillingReadPermission,
  marketplacePayoutsManagePermission,
  Statement,
  UsageExport,
  UsageExportScope,
} from '@internal/plugin-marketplace-common';
import {
  buildUsageExport,
  UsageExportOwner,
} from '../../analytics/usageExport';
import { ServiceDirectory } from '../../catalog/ServiceDirectory';
import { dayOf, monthOf, monthStart, resolvePeriod } from '../../lib/periods';
import { AnalyticsStore } from '../../stores/analytics/AnalyticsStore';
import { StatementStore } from '../../stores/analytics/StatementStore';
import { AuditLog } from '../../stores/AuditLog';
import { UsageLedger } from '../../stores/ledger/UsageLedger';
import { Access, Caller } from '../access';
import { groupRef } from './entityRefs';
import { ProviderTeams } from './ProviderTeams';

export interface StatementsOptions {
  access: Access;
  directory: ServiceDirectory;
  ledger: Pick<UsageLedger, 'flush'>;
  analytics: AnalyticsStore;
  statements: StatementStore;
  providerTeams: ProviderTeams;
  /** Where marking a payout paid is audited. */
  audit?: AuditLog;
  now: () => number;
}

/** Whose consumer statements: a user's or a team's. */
export type StatementOwner = { kind: 'user' | 'team'; ref: string };

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
 * Monthly statements (provider payouts and consumer chargeback), marking a
 * payout paid, and usage exports. Every read flushes the ledger first, so a
 * statement includes the calls answered just before it was asked for.
 */
export class Statements {
  constructor(private readonly options: StatementsOptions) {}

  /** A month of a path: not in the future. */
  private pastMonth(month: string): string {
    if (month > monthOf(this.options.now())) {
      throw new InputError(
        `Invalid path parameter 'month': ${month} is in the future`,
      );
    }
    return month;
  }

  /** A provider team's payout statements, and whether the caller may mark them paid. */
  async providerList(me: Caller, team: string) {
    const { access, ledger, statements, providerTeams, now } = this.options;
    const t = await providerTeams.team(me, team);
    await ledger.flush();
    return {
      statements: await statements.listProvider(
        t.ref,
        t.services.map(s => s.ref),
        now(),
      ),
      // Whether the caller may mark closed statements paid (the UI's button).
      canMarkPaid: await access.allowed(me, marketplacePayoutsManagePermission),
    };
  }

  /** One month's payout statement of a provider team. */
  async provider(me: Caller, team: string, month: string): Promise<Statement> {
    const { ledger, statements, providerTeams, now } = this.options;
    const m = this.pastMonth(month);
    const t = await providerTeams.team(me, team);
    await ledger.flush();
    return statements.getProvider(
      t.ref,
      t.services.map(s => s.ref),
      m,
      now(),
    );
  }

  /** Marks a closed payout statement paid (admins), audited. */
  async markPaid(
    me: Caller,
    month: string,
    body: { team: string; reference?: string | null },
  ): Promise<Statement> {
    const { access, ledger, statements, providerTeams, audit, now } =
      this.options;
    const m = this.pastMonth(month);
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
      month: m,
      paidBy: me.userRef,
      reference,
      now: now(),
    });
    await audit?.record({
      actor: me.userRef,
      action: 'payout.paid',
      targetType: 'payout',
      target: `${team}/${m}`,
      before: { status: 'closed' },
      after: {
        status: 'paid',
        netMicros: statement.payout?.netMicros ?? statement.totals.netMicros,
        reference,
      },
    });
    return statement;
  }

  /** Whose statements: the caller's, or a team's they belong to (or any, for billing admins). */
  async consumerOwner(me: Caller, team?: string): Promise<StatementOwner> {
    if (!team) {
      return { kind: 'user', ref: me.userRef };
    }
    const ref = groupRef(team, "query field 'team'");
    if (
      !me.ownership.includes(ref) &&
      !(await this.options.access.allowed(me, marketplaceBillingReadPermission))
    ) {
      throw new NotAllowedError(
        `You may only see the statements of teams you are a member of, not of ${ref}`,
      );
    }
    return { kind: 'team', ref };
  }

  /** The consumer statements of the caller or of one of their teams. */
  async consumerList(me: Caller, team?: string): Promise<Statement[]> {
    const owner = await this.consumerOwner(me, team);
    await this.options.ledger.flush();
    return this.options.statements.listConsumer(
      owner.kind,
      owner.ref,
      this.options.now(),
    );
  }

  /** One month's consumer statement. */
  async consumer(
    me: Caller,
    team: string | undefined,
    month: string,
  ): Promise<Statement> {
    const owner = await this.consumerOwner(me, team);
    const m = this.pastMonth(month);
    await this.options.ledger.flush();
    return this.options.statements.getConsumer(
      owner.kind,
      owner.ref,
      m,
      this.options.now(),
    );
  }

  /**
   * Usage per day and service of any period (default: this month so far),
   * with the same sums as the statements.
   */
  async usageExport(
    me: Caller,
    query: {
      scope: UsageExportScope;
      user?: string;
      team?: string;
      service?: string;
      from?: string;
      to?: string;
    },
  ): Promise<{ owner: UsageExportOwner; data: UsageExport }> {
    const { analytics, ledger, providerTeams, now } = this.options;
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
      titleOf: ref => this.titleOf(ref),
    });
    return { owner, data };
  }

  /** A service's title for CSV lines, or null when the catalog no longer has it. */
  titleOf(ref: string): string | null {
    const s = this.options.directory.getByRef(ref);
    return s ? s.entity.metadata.title ?? s.name : null;
  }
}
