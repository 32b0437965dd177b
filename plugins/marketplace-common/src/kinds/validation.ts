import { Entity } from '@backstage/catalog-model';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import { MARKETPLACE_API_VERSION } from './constants';
import {
  EMAIL_PATTERN,
  HH_MM_PATTERN,
  ISO_COUNTRY_PATTERN,
  ISO_DATE_PATTERN,
  ISO_DATE_TIME_PATTERN,
  SECRET_REF_PATTERN,
  URL_PATTERN,
  UPSTREAM_URL_PATTERN,
  HTTP_HEADER_PATTERN,
} from './schemaParts';

/**
 * One thing wrong with an entity: the field as YAML authors write it
 * (`spec.pricing.tiers[0].promptPer1kMicros`) and what is wrong with it, in plain words.
 *
 * @public
 */
export type EntityProblem = {
  field: string;
  message: string;
};

/**
 * Thrown by the marketplace kinds' validators: every problem of the entity at once.
 * The message lists them all, e.g.
 * `ModelService spec.owner is required; spec.contextWindow must be an integer (a whole number), got "lots"`.
 *
 * @public
 */
export class EntityValidationError extends TypeError {
  readonly kind: string;
  readonly problems: EntityProblem[];

  constructor(kind: string, problems: EntityProblem[]) {
    super(formatEntityProblems(kind, problems));
    this.name = 'EntityValidationError';
    this.kind = kind;
    this.problems = problems;
  }
}

/**
 * One line naming every problem: `ModelService spec.owner is required; spec.lifecycle is required`.
 *
 * @public
 */
export function formatEntityProblems(
  kind: string,
  problems: EntityProblem[],
): string {
  return `${kind} ${problems
    .map(p => (p.field ? `${p.field} ${p.message}` : p.message))
    .join('; ')}`;
}

/**
 * The problems an error thrown by a marketplace validator carries; a foreign error
 * becomes one problem with its message.
 *
 * @public
 */
export function problemsOf(error: unknown): EntityProblem[] {
  const problems = (error as { problems?: unknown })?.problems;
  if (Array.isArray(problems)) {
    return problems as EntityProblem[];
  }
  // Not `instanceof Error`: the error may come from another realm (e.g. jest's sandbox).
  const message =
    typeof (error as { message?: unknown })?.message === 'string'
      ? (error as { message: string }).message
      : String(error);
  return [{ field: '', message }];
}

/**
 * The validator of a marketplace kind: false for an entity that is not of `kind`
 * and the marketplace's apiVersion (so that a processor can hand every entity to
 * every validator), the entity when it has no `problems`, and otherwise an
 * {@link EntityValidationError} naming every problem.
 */
export function validateKind<T extends Entity>(
  kind: string,
  data: unknown,
  problemsOfEntity: (data: unknown) => EntityProblem[],
): T | false {
  if (typeof data !== 'object' || data === null) {
    return false;
  }
  const claimed = data as { kind?: unknown; apiVersion?: unknown };
  if (claimed.kind !== kind || claimed.apiVersion !== MARKETPLACE_API_VERSION) {
    return false;
  }
  const problems = problemsOfEntity(data);
  if (problems.length) {
    throw new EntityValidationError(kind, problems);
  }
  return data as T;
}

/** Whether `entity` is of the marketplace's `kind` (by apiVersion and kind; not a validation). */
export function isMarketplaceEntityOfKind(
  entity: Entity | undefined,
  kind: string,
): boolean {
  return (
    !!entity &&
    entity.apiVersion === MARKETPLACE_API_VERSION &&
    entity.kind === kind
  );
}

/**
 * The catalog's entity envelope (apiVersion, kind, metadata), inlined so that one
 * schema document describes a whole entity: for ajv here, and for editors (the
 * JSON Schemas the backend serves).
 */
export const entityEnvelopeSchema = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata'],
  properties: {
    apiVersion: { type: 'string', minLength: 1 },
    kind: { type: 'string', minLength: 1 },
    metadata: {
      type: 'object',
      required: ['name'],
      properties: {
        name: {
          type: 'string',
          minLength: 1,
          description:
            'Unique name of the entity: letters, digits, "-", "_" and "." (at most 63). For a ModelService it is also the `model` clients send to the gateway.',
        },
        namespace: { type: 'string', minLength: 1 },
        title: {
          type: 'string',
          minLength: 1,
          description: 'Display name.',
        },
        description: { type: 'string' },
        labels: {
          type: 'object',
          additionalProperties: { type: 'string' },
        },
        annotations: {
          type: 'object',
          additionalProperties: { type: 'string' },
        },
        tags: { type: 'array', items: { type: 'string', minLength: 1 } },
        links: {
          type: 'array',
          items: {
            type: 'object',
            required: ['url'],
            properties: {
              url: { type: 'string', minLength: 1 },
              title: { type: 'string', minLength: 1 },
              icon: { type: 'string', minLength: 1 },
              type: { type: 'string', minLength: 1 },
            },
          },
        },
      },
    },
    spec: { type: 'object' },
    relations: { type: 'array' },
    status: { type: 'object' },
  },
} as const;

/**
 * A kind's schema as one self-contained JSON Schema document: the catalog's
 * `{ $ref: 'Entity' }` replaced by {@link entityEnvelopeSchema}.
 */
export function standaloneKindSchema(
  kindSchema: {
    $id: string;
    allOf: readonly object[];
    [key: string]: unknown;
  },
  title: string,
): Record<string, unknown> {
  const { $id: _id, allOf, ...rest } = kindSchema;
  return {
    ...rest,
    title,
    allOf: allOf.map(part =>
      (part as { $ref?: unknown }).$ref === 'Entity'
        ? entityEnvelopeSchema
        : part,
    ),
  };
}

let ajv: Ajv | undefined;

/**
 * Every problem the JSON Schema finds, in plain words (ajv with `allErrors`).
 * Compiled on first use, so that importing the kinds costs nothing.
 */
export function schemaProblemsValidator(
  schema: Record<string, unknown>,
): (data: unknown) => EntityProblem[] {
  let validate: ValidateFunction | undefined;
  return data => {
    if (!validate) {
      const { $schema: _draft, ...compilable } = schema;
      ajv ??= new Ajv({ allErrors: true, verbose: true, strict: false });
      validate = ajv.compile(compilable);
    }
    if (validate(data)) {
      return [];
    }
    const problems: EntityProblem[] = [];
    const seen = new Set<string>();
    for (const error of validate.errors ?? []) {
      const problem = describeAjvError(error);
      if (!problem) {
        continue;
      }
      const key = `${problem.field} ${problem.message}`;
      if (!seen.has(key)) {
        seen.add(key);
        problems.push(problem);
      }
    }
    return problems;
  };
}

const PATTERN_WORDS: Record<string, string> = {
  [URL_PATTERN]: 'must be an http:// or https:// URL',
  [UPSTREAM_URL_PATTERN]:
    'must be an http:// or https:// URL without a user name, password, query (?) or fragment (#)',
  [ISO_COUNTRY_PATTERN]:
    'must be a two-letter ISO 3166 country code in capitals, such as US or DE',
  [HH_MM_PATTERN]: 'must be a time of day as HH:MM (24-hour clock), e.g. 09:30',
  [ISO_DATE_TIME_PATTERN]:
    'must be an ISO 8601 date-time with an offset, e.g. 2027-01-31T02:00:00Z',
  [ISO_DATE_PATTERN]: 'must be a date as YYYY-MM-DD',
  [SECRET_REF_PATTERN]:
    'must be the name of a secret (letters, digits and _, not starting with a digit), never the credential itself',
  [EMAIL_PATTERN]: 'must be an e-mail address',
  [HTTP_HEADER_PATTERN]:
    'must be an HTTP header name (letters, digits and -), e.g. x-api-key',
};

const TYPE_WORDS: Record<string, string> = {
  integer: 'an integer (a whole number)',
  number: 'a number',
  string: 'text',
  boolean: 'true or false',
  object: 'a mapping of fields',
  array: 'a list',
  null: 'empty',
};

/** What a YAML author would call the value they wrote. */
function shown(value: unknown): string {
  if (value === null) {
    return 'null';
  }
  if (Array.isArray(value)) {
    return 'a list';
  }
  if (typeof value === 'object') {
    return 'a mapping';
  }
  const json = JSON.stringify(value);
  return json.length > 60 ? `${json.slice(0, 57)}...` : json;
}

function pointerToPath(pointer: string): string {
  let path = '';
  for (const raw of pointer.split('/').filter(Boolean)) {
    const part = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (/^\d+$/.test(part)) {
      path += `[${part}]`;
    } else {
      path += path ? `.${part}` : part;
    }
  }
  return path;
}

function child(path: string, name: string): string {
  return path ? `${path}.${name}` : name;
}

/**
 * Turns one ajv error into the field as YAML authors write it and a plain-words
 * message saying what is expected and what was given.
 */
export function describeAjvError(
  error: ErrorObject,
): EntityProblem | undefined {
  const field = pointerToPath(error.instancePath);
  const params = error.params as Record<string, any>;
  switch (error.keyword) {
    case 'required':
      return {
        field: child(field, params.missingProperty),
        message: 'is required',
      };
    case 'additionalProperties': {
      const known = Object.keys(
        (error.parentSchema as { properties?: object })?.properties ?? {},
      );
      return {
        field: child(field, params.additionalProperty),
        message: known.length
          ? `is not a known field (the fields here are: ${known.join(', ')})`
          : 'is not a known field',
      };
    }
    case 'type':
      return {
        field,
        message: `must be ${
          TYPE_WORDS[String(params.type)] ?? params.type
        }, got ${shown(error.data)}`,
      };
    case 'enum':
      return {
        field,
        message: `must be one of: ${(params.allowedValues as unknown[]).join(
          ', ',
        )} (got ${shown(error.data)})`,
      };
    case 'const':
      return {
        field,
        message: `must be ${shown(params.allowedValue)} (got ${shown(
          error.data,
        )})`,
      };
    case 'minimum':
      return {
        field,
        message: `must be at least ${params.limit} (got ${shown(error.data)})`,
      };
    case 'maximum':
      return {
        field,
        message: `must be at most ${params.limit} (got ${shown(error.data)})`,
      };
    case 'minLength':
      return {
        field,
        message:
          params.limit === 1
            ? 'must not be empty'
            : `must be at least ${params.limit} characters long`,
      };
    case 'minItems':
      return {
        field,
        message: `must list at least ${params.limit} item${
          params.limit === 1 ? '' : 's'
        }`,
      };
    case 'uniqueItems':
      return {
        field,
        message: `must not list the same value twice (items ${params.j} and ${params.i} are equal)`,
      };
    case 'pattern':
      return {
        field,
        message: `${
          PATTERN_WORDS[String(params.pattern)] ??
          `must match the pattern ${params.pattern}`
        } (got ${shown(error.data)})`,
      };
    // The composite keywords only repeat what their parts said.
    case 'allOf':
    case 'anyOf':
    case 'oneOf':
    case 'if':
      return undefined;
    default:
      return { field, message: error.message ?? 'is not valid' };
  }
}
