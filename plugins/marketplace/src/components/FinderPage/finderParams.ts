import {
  COMPLIANCE_CERTIFICATIONS,
  GEO_REGIONS,
  MODEL_FEATURES,
} from '@internal/plugin-marketplace-common';
import { FinderQuery } from '../../api';

/** The finder's volume when the URL states none (the backend's defaults too). */
export const DEFAULT_VOLUME = {
  requestsPerMonth: 10_000,
  avgPromptTokens: 500,
  avgCompletionTokens: 200,
};

/** Services compared side by side at most. */
export const MAX_COMPARED = 4;

/** The numeric needs, by query parameter. */
export const NUMBER_PARAMS = [
  'minContext',
  'maxBlendedPer1kMicros',
  'maxTtftMs',
  'minUptime',
  'requestsPerMonth',
  'avgPromptTokens',
  'avgCompletionTokens',
] as const;
export type NumberParam = (typeof NUMBER_PARAMS)[number];

function list<T extends string>(
  params: URLSearchParams,
  key: string,
  allowed: readonly T[],
): T[] | undefined {
  const values = params
    .getAll(key)
    .flatMap(v => v.split(','))
    .filter((v): v is T => (allowed as readonly string[]).includes(v));
  return values.length ? [...new Set(values)] : undefined;
}

function number(params: URLSearchParams, key: string): number | undefined {
  const raw = params.get(key);
  if (raw === null || raw.trim() === '') {
    return undefined;
  }
  const value = Number(raw);
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

/**
 * The finder's needs from the page URL (shareable); unknown values are dropped
 * rather than sent, so an edited link still shows a result.
 */
export function finderQueryFromParams(params: URLSearchParams): FinderQuery {
  const query: FinderQuery = {
    feature: list(params, 'feature', MODEL_FEATURES),
    region: list(params, 'region', GEO_REGIONS),
    compliance: list(params, 'compliance', COMPLIANCE_CERTIFICATIONS),
  };
  for (const key of NUMBER_PARAMS) {
    const value = number(params, key);
    if (value !== undefined) {
      query[key] = key === 'minUptime' ? value : Math.floor(value);
    }
  }
  return query;
}

/** The services picked for the side-by-side comparison, from `compare=`. */
export function comparedFromParams(params: URLSearchParams): string[] {
  return [
    ...new Set(
      params
        .getAll('compare')
        .flatMap(v => v.split(','))
        .filter(Boolean),
    ),
  ].slice(0, MAX_COMPARED);
}

/** A copy of the params with `key` set to `value` (removed when empty). */
export function withParam(
  prev: URLSearchParams,
  key: string,
  value: string | string[] | undefined,
): URLSearchParams {
  const next = new URLSearchParams(prev);
  next.delete(key);
  const values = value === undefined ? [] : [value].flat();
  values.filter(v => v !== '').forEach(v => next.append(key, v));
  return next;
}
