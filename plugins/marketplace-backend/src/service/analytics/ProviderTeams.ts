import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  marketplaceBillingReadPermission,
  UsageExportScope,
} from '@internal/plugin-marketplace-common';
import { UsageExportOwner } from '../../analytics/usageExport';
import { ServiceDirectory } from '../../catalog/ServiceDirectory';
import { DirectoryService } from '../../catalog/directoryService';
import { Access, Caller, ownerRefOf } from '../access';
import { groupRef, userRef } from './entityRefs';

/**
 * Which provider teams' numbers a caller may see: the resource permission
 * `marketplace.service.manage` (owners see their own teams, admins all), and
 * whose usage an export may be of.
 */
export class ProviderTeams {
  constructor(
    private readonly options: { access: Access; directory: ServiceDirectory },
  ) {}

  /** The provider teams the caller may see, and a check for one team. */
  async view(me: Caller) {
    const { access, directory } = this.options;
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

  /** One team the caller may see (from the `team` query field), with its services. */
  async team(me: Caller, team: string) {
    const view = await this.view(me);
    const ref = groupRef(team, "query field 'team'");
    if (!view.mayView(ref)) {
      throw new NotAllowedError(
        `You may only see the numbers of your own teams, not of ${ref}`,
      );
    }
    return { ref, services: view.servicesOf([ref]) };
  }

  /**
   * The teams and services of the provider dashboard: all the caller may see,
   * or one team, or one service (of that team, if both are given).
   */
  async analyticsScope(
    me: Caller,
    query: { team?: string; service?: string },
  ): Promise<{ teams: string[]; services: DirectoryService[] }> {
    const view = await this.view(me);
    let teams = view.teams;
    if (query.team) {
      teams = [(await this.team(me, query.team)).ref];
    }
    let services = view.servicesOf(teams);
    if (query.service) {
      const s = await this.options.directory.get(query.service);
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
    return { teams, services };
  }

  /**
   * Whose usage an export is of, checked: the caller's own (or any user's, for
   * billing admins), a team's they belong to, or a provider team's or one of
   * its services' (members of the owning team and admins).
   */
  async exportOwner(
    me: Caller,
    query: {
      scope: UsageExportScope;
      user?: string;
      team?: string;
      service?: string;
    },
  ): Promise<UsageExportOwner> {
    const { access } = this.options;
    // Cross-field rules the document cannot express: which fields each scope takes.
    const only = (fields: Array<'user' | 'team' | 'service'>) => {
      for (const field of ['user', 'team', 'service'] as const) {
        if (query[field] !== undefined && !fields.includes(field)) {
          throw new InputError(
            `Invalid query field '${field}': not used with scope '${query.scope}'`,
          );
        }
      }
    };
    const required = (field: 'team' | 'service'): string => {
      const value = query[field];
      if (value === undefined) {
        throw new InputError(
          `Missing query field '${field}': scope '${query.scope}' needs it`,
        );
      }
      return value;
    };
    switch (query.scope) {
      case 'user': {
        only(['user']);
        const ref = query.user
          ? userRef(query.user, "query field 'user'")
          : me.userRef;
        if (
          ref !== me.userRef &&
          !(await access.allowed(me, marketplaceBillingReadPermission))
        ) {
          throw new NotAllowedError(
            `You may only export your own usage, not that of ${ref}`,
          );
        }
        return { scope: 'user', ref };
      }
      case 'team': {
        only(['team']);
        const ref = groupRef(required('team'), "query field 'team'");
        if (
          !me.ownership.includes(ref) &&
          !(await access.allowed(me, marketplaceBillingReadPermission))
        ) {
          throw new NotAllowedError(
            `You may only export the usage of teams you are a member of, not of ${ref}`,
          );
        }
        return { scope: 'team', ref };
      }
      case 'provider': {
        only(['team']);
        const team = await this.team(me, required('team'));
        return {
          scope: 'provider',
          ref: team.ref,
          services: team.services.map(s => s.ref),
        };
      }
      default: {
        only(['service']);
        const name = required('service');
        const view = await this.view(me);
        const s = await this.options.directory.get(name);
        if (!s) {
          throw new NotFoundError(`No model service named '${name}'`);
        }
        const owner = ownerRefOf(s.entity.spec.owner);
        if (!view.mayView(owner)) {
          throw new NotAllowedError(
            `${s.name} belongs to ${owner}: you may only export the numbers of your own teams`,
          );
        }
        return { scope: 'service', ref: s.ref, services: [s.ref] };
      }
    }
  }
}
