/**
 * Every problem of a ModelService entity: the JSON Schema's (`modelServiceSchema.ts`)
 * and the rules across fields that a schema cannot express.
 */
import { API_COMPATIBILITY_BY_UPSTREAM_PROTOCOL } from './constants';
import { modelServiceJsonSchema } from './modelServiceSchema';
import {
  DENIED_AUTH_HEADERS,
  HH_MM_PATTERN,
  linkProblems,
  namespaceProblems,
} from './schemaParts';
import { EntityProblem, schemaProblemsValidator } from './validation';

const schemaProblems = schemaProblemsValidator(modelServiceJsonSchema);

function isInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}

/**
 * The rules JSON Schema cannot express. Each rule looks only at fields of the
 * right shape, so that it can run beside the schema's own problems.
 */
function semanticProblems(raw: unknown): EntityProblem[] {
  const problems: EntityProblem[] = [];
  const spec = isObject(raw) && isObject(raw.spec) ? raw.spec : {};
  const add = (field: string, message: string) =>
    problems.push({ field, message });

  if (
    isInt(spec.maxOutputTokens) &&
    isInt(spec.contextWindow) &&
    spec.contextWindow >= 1 &&
    spec.maxOutputTokens > spec.contextWindow
  ) {
    add(
      'spec.maxOutputTokens',
      `(${spec.maxOutputTokens}) must not exceed spec.contextWindow (${spec.contextWindow})`,
    );
  }
  const latency = isObject(spec.sla) ? spec.sla.latencyMs : undefined;
  if (
    isObject(latency) &&
    isInt(latency.p50) &&
    isInt(latency.p95) &&
    isInt(latency.p99) &&
    !(latency.p50 <= latency.p95 && latency.p95 <= latency.p99)
  ) {
    add(
      'spec.sla.latencyMs',
      `must satisfy p50 <= p95 <= p99 (got ${latency.p50}, ${latency.p95}, ${latency.p99})`,
    );
  }
  const tiers = list(isObject(spec.pricing) ? spec.pricing.tiers : undefined);
  for (let i = 1; i < tiers.length; i++) {
    const [previous, tier] = [tiers[i - 1], tiers[i]];
    if (
      isInt(previous?.fromMonthlyTokens) &&
      isInt(tier?.fromMonthlyTokens) &&
      tier.fromMonthlyTokens <= previous.fromMonthlyTokens
    ) {
      add(
        `spec.pricing.tiers[${i}].fromMonthlyTokens`,
        "must be greater than the previous tier's",
      );
    }
  }
  // The catalog promises no API the gateway does not serve for the service.
  const protocol = isObject(spec.endpoint)
    ? spec.endpoint.protocol ?? 'openai-chat'
    : undefined;
  const served =
    typeof protocol === 'string' &&
    Object.prototype.hasOwnProperty.call(
      API_COMPATIBILITY_BY_UPSTREAM_PROTOCOL,
      protocol,
    )
      ? API_COMPATIBILITY_BY_UPSTREAM_PROTOCOL[
          protocol as keyof typeof API_COMPATIBILITY_BY_UPSTREAM_PROTOCOL
        ]
      : undefined;
  if (served) {
    list(spec.apiCompatibility).forEach((api, i) => {
      if (typeof api === 'string' && !served.includes(api as any)) {
        add(
          `spec.apiCompatibility[${i}]`,
          `'${api}' is not served by the marketplace gateway for an upstream speaking ${protocol} (it serves ${served.join(
            ', ',
          )})`,
        );
      }
    });
  }
  const auth = isObject(spec.endpoint) ? spec.endpoint.auth : undefined;
  if (isObject(auth) && typeof auth.type === 'string') {
    if (auth.type !== 'none' && auth.secretRef === undefined) {
      add(
        'spec.endpoint.auth.secretRef',
        `is required when spec.endpoint.auth.type is '${auth.type}'`,
      );
    }
    if (auth.type === 'header' && auth.header === undefined) {
      add(
        'spec.endpoint.auth.header',
        "is required when spec.endpoint.auth.type is 'header'",
      );
    }
    if (
      typeof auth.header === 'string' &&
      DENIED_AUTH_HEADERS.has(auth.header.toLocaleLowerCase('en-US'))
    ) {
      add(
        'spec.endpoint.auth.header',
        `must not be '${auth.header}': the credential cannot replace a connection, cookie, proxy or gateway header (use e.g. authorization or x-api-key)`,
      );
    }
  }
  problems.push(...linkProblems(raw), ...namespaceProblems(raw));
  const av = isObject(spec.availability) ? spec.availability : undefined;
  if (av) {
    if (
      typeof av.schedule === 'string' &&
      av.schedule !== '24/7' &&
      av.timezone === undefined
    ) {
      add(
        'spec.availability.timezone',
        `is required when spec.availability.schedule is '${av.schedule}'`,
      );
    }
    if (
      typeof av.timezone === 'string' &&
      av.timezone &&
      !isValidTimeZone(av.timezone)
    ) {
      add(
        'spec.availability.timezone',
        `'${av.timezone}' is not an IANA time zone (e.g. Europe/Berlin, UTC)`,
      );
    }
    if (av.schedule === 'custom' && !list(av.customHours).length) {
      add(
        'spec.availability.customHours',
        "is required when spec.availability.schedule is 'custom'",
      );
    }
    for (const field of ['customHours', 'weeklyMaintenance']) {
      for (const [i, h] of list(av[field]).entries()) {
        const hhmm = new RegExp(HH_MM_PATTERN);
        if (hhmm.test(h?.start) && hhmm.test(h?.end) && h.start >= h.end) {
          add(`spec.availability.${field}[${i}].end`, 'must be after start');
        }
      }
    }
    for (const [i, w] of list(av.maintenanceWindows).entries()) {
      if (typeof w?.start !== 'string' || typeof w?.end !== 'string') {
        continue;
      }
      const start = Date.parse(w.start);
      const end = Date.parse(w.end);
      if (Number.isNaN(start)) {
        add(
          `spec.availability.maintenanceWindows[${i}].start`,
          'is not a valid date-time',
        );
      } else if (Number.isNaN(end) || end <= start) {
        add(
          `spec.availability.maintenanceWindows[${i}].end`,
          'must be a date-time after start',
        );
      }
    }
  }
  return problems;
}

function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz }).format(0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Every problem of a ModelService entity at once (the schema's and the rules
 * beyond it); empty when it is valid.
 *
 * @public
 */
export function modelServiceEntityProblems(data: unknown): EntityProblem[] {
  return [...schemaProblems(data), ...semanticProblems(data)];
}
