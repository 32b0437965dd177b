import { MarketplaceRestClient } from '@internal/plugin-marketplace-common';
import { MarketplaceApi } from '../MarketplaceApi';

/**
 * Usage, analytics, payouts and statements of {@link MarketplaceApi}, and their
 * files (CSV, JSON).
 */
export type AnalyticsApi = Pick<
  MarketplaceApi,
  | 'listProviderTeams'
  | 'getProviderAnalytics'
  | 'listPayouts'
  | 'getPayout'
  | 'markPayoutPaid'
  | 'getMyUsage'
  | 'listStatements'
  | 'getStatement'
  | 'downloadStatementCsv'
  | 'exportUsage'
>;

/** The name the server gives the file, else one built the same way. */
function fileNameOf(response: Response, fallback: string): string {
  const disposition = response.headers.get('content-disposition') ?? '';
  return /filename="([^"]+)"/.exec(disposition)?.[1] ?? fallback;
}

/** An entity ref as a file name part: `group:default/a b` is `default-a-b`. */
function fileNamePart(ref: string): string {
  return ref.replace(/^[a-z]+:/i, '').replace(/[^A-Za-z0-9._-]+/g, '-');
}

export function createAnalyticsClient(
  rest: MarketplaceRestClient,
): AnalyticsApi {
  return {
    async listProviderTeams() {
      const body = await rest.request('get', '/v1/provider/teams');
      return body.teams;
    },

    async getProviderAnalytics(query) {
      return rest.request('get', '/v1/provider/analytics', { query });
    },

    async listPayouts(team) {
      return rest.request('get', '/v1/provider/payouts', { query: { team } });
    },

    async getPayout(team, month) {
      const body = await rest.request('get', '/v1/provider/payouts/{month}', {
        path: { month },
        query: { team },
      });
      return body.statement;
    },

    async markPayoutPaid(team, month, reference) {
      const body = await rest.request(
        'post',
        '/v1/admin/payouts/{month}/paid',
        { path: { month }, body: { team, reference } },
      );
      return body.statement;
    },

    async getMyUsage(query) {
      return rest.request('get', '/v1/me/usage', { query });
    },

    async listStatements(team) {
      const body = await rest.request('get', '/v1/statements', {
        query: { team },
      });
      return body.statements;
    },

    async getStatement(month, team) {
      const body = await rest.request('get', '/v1/statements/{month}', {
        path: { month },
        query: { team },
      });
      return body.statement;
    },

    async downloadStatementCsv({ kind, month, team }) {
      const response =
        kind === 'provider'
          ? await rest.fetch('get', '/v1/provider/payouts/{month}/csv', {
              path: { month },
              // Without a team the server answers 400 naming it.
              query: { team: team ?? '' },
            })
          : await rest.fetch('get', '/v1/statements/{month}/csv', {
              path: { month },
              query: { team },
            });
      const owner = team ? `-${fileNamePart(team)}` : '';
      const fileName = fileNameOf(
        response,
        `${kind === 'provider' ? 'payout' : 'statement'}${owner}-${month}.csv`,
      );
      return { fileName, blob: await response.blob() };
    },

    async exportUsage(query, format) {
      const response = await rest.fetch('get', '/v1/exports/usage', {
        query: { ...query, format },
      });
      const owner = fileNamePart(
        query.team ?? query.service ?? query.user ?? 'me',
      );
      const period = [query.from, query.to].filter(Boolean).join('-');
      const fileName = fileNameOf(
        response,
        `usage-${owner}${period ? `-${period}` : ''}.${format}`,
      );
      return { fileName, blob: await response.blob() };
    },
  };
}
