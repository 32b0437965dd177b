import { TypedRouter } from '@backstage/backend-openapi-utils';
import { Request } from 'express';
import Router from 'express-promise-router';
import {
  createOpenApiRouter as createGeneratedRouter,
  EndpointMap,
} from './generated/router';
import { jsonBodies } from './bodyLimits';
import { refuseNulCharacters } from './nul';
import { useOwnValidationErrors } from './validationErrors';

/** A router whose handlers are typed from the OpenAPI document. */
export type ApiRouter = TypedRouter<EndpointMap>;

/**
 * The routes of one area of the REST API (`service/*Router.ts`), typed from the
 * document. Mounted flat on the router from {@link createOpenApiRouter}, which
 * parses and validates every request before any of them sees it.
 */
export function createApiRouter(): ApiRouter {
  return Router() as unknown as ApiRouter;
}

/**
 * The REST API's root router, from the router generated from
 * src/schema/openapi.yaml. Before any handler sees a request it:
 *   - parses its JSON body once, with the limit of its route (bodyLimits.ts);
 *   - refuses NUL characters, which no field accepts (PostgreSQL cannot store
 *     them in text);
 *   - validates path, query and body against the document: a 400 naming the
 *     field in plain words (validationErrors.ts).
 * It serves the document at `/openapi.json`. Authentication stays with
 * Backstage's httpAuth (the document's security schemes are not checked here).
 */
export async function createOpenApiRouter(): Promise<ApiRouter> {
  const report = responseProblemReporter();
  const router = await createGeneratedRouter({
    middleware: [jsonBodies(), refuseNulCharacters()],
    validatorOptions: {
      validateRequests: true,
      validateSecurity: false,
      // In the tests only (src/setupTests.ts): the answers are checked too.
      validateResponses: report
        ? {
            onError: (error, _body, req) =>
              report(`${req.method} ${req.originalUrl}: ${error.message}`),
          }
        : false,
    },
  });
  useOwnValidationErrors(router);
  return router;
}

/**
 * Where the tests collect answers that differ from the document: set by
 * src/setupTests.ts, which fails the test that got such an answer. Unset in
 * the portal, where answers are not checked (it would cost every request).
 */
export const RESPONSE_PROBLEMS = Symbol.for(
  '@internal/plugin-marketplace-backend/openapi-response-problems',
);

function responseProblemReporter(): ((problem: string) => void) | undefined {
  const report = (globalThis as Record<symbol, unknown>)[RESPONSE_PROBLEMS];
  return typeof report === 'function'
    ? (report as (problem: string) => void)
    : undefined;
}

/**
 * Any request of the REST API, for helpers shared by several handlers (the
 * caller's identity, a path parameter); each handler's own `req` is typed from
 * the document.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type ApiRequest = Request<any, any, any, any>;
