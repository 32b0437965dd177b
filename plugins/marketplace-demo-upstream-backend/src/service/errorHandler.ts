import { LoggerService } from '@backstage/backend-plugin-api';
import { isError } from '@backstage/errors';
import { ErrorRequestHandler } from 'express';
import { OpenAiError, sendOpenAiError } from './errors';

/** The largest JSON body the demo upstream reads. */
export const BODY_LIMIT = '4mb';

/**
 * Turns errors, including those of the JSON body parser, into OpenAI error
 * responses. User input never results in a 500.
 */
export function errorHandler(logger: LoggerService): ErrorRequestHandler {
  return (error, _req, res, next) => {
    if (res.headersSent) {
      logger.warn(`Error after the response started: ${error}`);
      res.end();
      return;
    }
    if (error instanceof OpenAiError) {
      sendOpenAiError(res, error);
      return;
    }
    if (!isError(error)) {
      next(error);
      return;
    }

    const bodyError = error as Error & { type?: string; status?: number };
    switch (bodyError.type) {
      case 'entity.parse.failed':
        sendOpenAiError(
          res,
          new OpenAiError({
            status: 400,
            message:
              "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
            code: 'invalid_json',
          }),
        );
        return;
      case 'entity.too.large':
        sendOpenAiError(
          res,
          new OpenAiError({
            status: 413,
            message: `The request body is larger than ${BODY_LIMIT}.`,
            code: 'request_too_large',
          }),
        );
        return;
      default:
        break;
    }
    if (
      typeof bodyError.status === 'number' &&
      bodyError.status >= 400 &&
      bodyError.status < 500
    ) {
      sendOpenAiError(
        res,
        new OpenAiError({
          status: bodyError.status,
          message: bodyError.message,
          code: bodyError.type?.replace(/\./g, '_') ?? null,
        }),
      );
      return;
    }

    logger.error('Unexpected error in the demo upstream', error);
    sendOpenAiError(
      res,
      new OpenAiError({
        status: 500,
        message: 'The server had an error while processing your request.',
        type: 'server_error',
        code: 'internal_error',
      }),
    );
  };
}
