import { InputError } from '@backstage/errors';
import express from 'express';
import { spec } from './generated/router';
import { fieldPath } from './nul';

/**
 * An error of the request validator (express-openapi-validator's `HttpError`):
 * a status and, for schema violations, ajv's errors with the path of the value
 * in the request (`/body/thresholds/0`, `/query/limit`, `/params/name`).
 */
interface ValidatorError extends Error {
  status: number;
  errors?: Array<{ path?: string; message?: string; errorCode?: string }>;
}

function isValidatorError(error: unknown): error is ValidatorError {
  return (
    error instanceof Error &&
    typeof (error as Partial<ValidatorError>).status === 'number' &&
    Array.isArray((error as Partial<ValidatorError>).errors)
  );
}

/** Where in the request, in the words the API's messages have always used. */
const PLACES: Record<string, string> = {
  body: 'body',
  query: 'query',
  params: 'path parameter',
  headers: 'header',
};

/** The field below the place, from the rest of the JSON pointer. */
function fieldName(pointer: string[]): string {
  return fieldPath(
    pointer
      .map(part => part.replaceAll('~1', '/').replaceAll('~0', '~'))
      .map(part => (/^\d+$/.test(part) ? Number(part) : part)),
  );
}

/** ajv's message, reworded where the field name already says it. */
function reason(message: string, keyword: string | undefined): string {
  if (keyword === 'required') {
    return 'is required';
  }
  if (keyword === 'additionalProperties') {
    return 'is not a known field';
  }
  const unknownQuery = /^Unknown query parameter '.*'$/.exec(message);
  if (unknownQuery) {
    return 'is not a known parameter';
  }
  return message;
}

const IN: Record<string, string> = {
  'path parameter': 'path',
  query: 'query',
  header: 'header',
};

type Parameter = {
  $ref?: string;
  in?: string;
  name?: string;
  schema?: Record<string, unknown>;
};

/**
 * The document's parameter a validator error is about, from the operation the
 * validator matched; headers arrive in lowercase, so names compare so.
 */
function parameterOf(
  req: express.Request,
  place: string,
  name: string,
): Parameter | undefined {
  const route = (req as { openapi?: { openApiRoute?: string } }).openapi
    ?.openApiRoute;
  const paths = spec.paths as Record<string, Record<string, any>>;
  const item = route ? paths[route] : undefined;
  if (!item || !IN[place]) {
    return undefined;
  }
  const resolve = (p: Parameter): Parameter =>
    p.$ref
      ? (spec.components.parameters as Record<string, Parameter>)[
          p.$ref.slice(p.$ref.lastIndexOf('/') + 1)
        ] ?? p
      : p;
  const parameters: Parameter[] = [
    ...(item.parameters ?? []),
    ...(item[req.method.toLocaleLowerCase('en-US')]?.parameters ?? []),
  ].map(resolve);
  return parameters.find(
    p =>
      p.in === IN[place] &&
      p.name?.toLocaleLowerCase('en-US') === name.toLocaleLowerCase('en-US'),
  );
}

/**
 * The message of one validator error in the API's own form, naming the field:
 * `Invalid body field 'spendCapMicros': must be >= 0`, `Invalid query field
 * 'limit': must be <= 100`, `Invalid path parameter 'name': must match ...`.
 */
export function validationMessage(
  error: ValidatorError,
  parameter: (
    place: string,
    name: string,
  ) => { name?: string; schema?: Record<string, unknown> } | undefined = () =>
    undefined,
): string {
  const first = error.errors?.[0];
  const pointer = (first?.path ?? '').split('/').filter(Boolean);
  const place = PLACES[pointer[0] ?? ''];
  const message = first?.message ?? error.message;
  if (!place) {
    return `Invalid request: ${message}`;
  }
  const field = fieldName(pointer.slice(1));
  const keyword = first?.errorCode?.replace(/\.openapi\.validation$/, '');
  const described = parameter(place, pointer[1] ?? '');
  // A parameter's own words for a value of the wrong shape (`x-invalid-message`
  // beside its `pattern` or `format` in the document).
  const invalidMessage = described?.schema?.['x-invalid-message'];
  const what =
    (keyword === 'pattern' || keyword === 'format') &&
    typeof invalidMessage === 'string'
      ? invalidMessage
      : reason(message, keyword);
  if (!field) {
    return `Invalid ${place}: ${what}`;
  }
  if (place === 'header') {
    return `Invalid header '${described?.name ?? field}': ${what}`;
  }
  return place === 'path parameter'
    ? `Invalid path parameter '${field}': ${what}`
    : `Invalid ${place} field '${field}': ${what}`;
}

/**
 * Replaces the error handler backend-openapi-utils puts right after the
 * request validator (it turns every error into an `InputError` carrying the
 * validator's message, `request/body/spendCapMicros must be >= 0`, and would
 * turn a 413 into a 400):
 *   - the validator's errors become a 400 naming the field in plain words;
 *   - any other error (a body over its limit, bad JSON) goes on as it is.
 */
export function translateValidationErrors(): express.ErrorRequestHandler {
  return (error, req, _res, next) => {
    if (!isValidatorError(error)) {
      next(error);
      return;
    }
    next(
      new InputError(
        validationMessage(error, (place, name) =>
          parameterOf(req, place, name),
        ),
      ),
    );
  };
}

/**
 * Puts {@link translateValidationErrors} in the place of the error handler of
 * a router from backend-openapi-utils' `createValidatedOpenApiRouter...()`:
 * the only four-argument handler in it, right after the validator.
 */
export function useOwnValidationErrors(router: object): void {
  const { stack } = router as {
    stack: Array<{ handle: Function; route?: unknown }>;
  };
  const handlers = stack.filter(
    layer => !layer.route && layer.handle.length === 4,
  );
  if (handlers.length !== 1) {
    throw new Error(
      `Expected one error handler in the validated OpenAPI router, found ${handlers.length}: has @backstage/backend-openapi-utils changed?`,
    );
  }
  handlers[0].handle = translateValidationErrors();
}
