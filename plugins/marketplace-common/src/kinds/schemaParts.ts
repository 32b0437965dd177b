import { MARKETPLACE_API_VERSION } from './constants';

/** `HH:MM`, 24-hour clock; `24:00` allowed as an end of day. */
export const HH_MM_PATTERN = '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$';
/** ISO 3166-1 alpha-2 country code. */
export const ISO_COUNTRY_PATTERN = '^[A-Z]{2}$';
/** ISO 8601 date-time with seconds and an explicit offset or Z. */
export const ISO_DATE_TIME_PATTERN =
  '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})$';
/** ISO 8601 date. */
export const ISO_DATE_PATTERN = '^\\d{4}-\\d{2}-\\d{2}$';
/** An HTTP header name. */
export const HTTP_HEADER_PATTERN = '^[A-Za-z0-9-]+$';
/** An absolute http(s) URL. */
export const URL_PATTERN = '^https?://[^\\s/$.?#][^\\s]*$';
/**
 * The base URL of an upstream: http(s), no user name or password, no query and
 * no fragment (either would change the path the gateway appends), no backslash.
 */
export const UPSTREAM_URL_PATTERN =
  '^https?://[^\\s/?#@\\\\]+(/[^\\s?#\\\\]*)?$';
/**
 * Headers an upstream credential may not be sent in: the connection's own
 * (host, hop-by-hop, framing), cookies, proxy credentials and the headers the
 * gateway sets itself.
 */
export const DENIED_AUTH_HEADERS: ReadonlySet<string> = new Set([
  'host',
  'cookie',
  'set-cookie',
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
  'content-type',
  'content-encoding',
  'accept',
  'expect',
  'forwarded',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'x-real-ip',
  'x-request-id',
]);

/**
 * The one namespace of the marketplace kinds. ModelService names are the
 * `model` callers send and the key of approvals, so a second namespace would
 * let `other/northwind-gpt-4o` shadow `default/northwind-gpt-4o`.
 */
export const MARKETPLACE_NAMESPACE = 'default';

/** Problems of `metadata.namespace`: only the marketplace's one namespace. */
export function namespaceProblems(
  raw: unknown,
): Array<{ field: string; message: string }> {
  const metadata =
    raw && typeof raw === 'object' ? (raw as { metadata?: any }).metadata : {};
  const namespace = metadata?.namespace;
  return namespace === undefined || namespace === MARKETPLACE_NAMESPACE
    ? []
    : [
        {
          field: 'metadata.namespace',
          message: `must be '${MARKETPLACE_NAMESPACE}' (or left out): marketplace services and providers live in one namespace, their names are unique (got ${JSON.stringify(
            namespace,
          )})`,
        },
      ];
}

/**
 * Problems of `metadata.links`: only http and https links (a `javascript:` or
 * `data:` link would run in the portal when clicked).
 */
export function linkProblems(
  raw: unknown,
): Array<{ field: string; message: string }> {
  const metadata =
    raw && typeof raw === 'object' ? (raw as { metadata?: any }).metadata : {};
  const links = Array.isArray(metadata?.links) ? metadata.links : [];
  return links.flatMap((link: any, i: number) =>
    typeof link?.url === 'string' && !/^https?:\/\//i.test(link.url.trim())
      ? [
          {
            field: `metadata.links[${i}].url`,
            message: 'must be an http:// or https:// URL',
          },
        ]
      : [],
  );
}

/** Name of a config key / environment variable holding a secret. */
export const SECRET_REF_PATTERN = '^[A-Za-z_][A-Za-z0-9_]*$';
/** An e-mail address. */
export const EMAIL_PATTERN = '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$';

export const positiveInteger = { type: 'integer', minimum: 1 } as const;
export const nonNegativeInteger = { type: 'integer', minimum: 0 } as const;
export const entityRefSchema = { type: 'string', minLength: 1 } as const;

/**
 * The JSON Schema (draft-07) of a marketplace kind in the catalog's form: the
 * entity envelope by `$ref: 'Entity'`, then the kind's apiVersion, kind and `spec`.
 */
export function catalogKindSchema<
  const K extends string,
  const S extends Record<string, unknown>,
>(options: { $id: string; description: string; kind: K; spec: S }) {
  return {
    $schema: 'http://json-schema.org/draft-07/schema',
    $id: options.$id,
    description: options.description,
    allOf: [
      { $ref: 'Entity' },
      {
        type: 'object',
        required: ['spec'],
        properties: {
          apiVersion: { enum: [MARKETPLACE_API_VERSION] },
          kind: { enum: [options.kind] },
          spec: options.spec,
        },
      },
    ],
  } as const;
}
