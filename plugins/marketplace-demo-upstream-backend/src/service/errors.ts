import { Response } from 'express';

/** The `type` values of the OpenAI error shape that the simulator uses. */
export type OpenAiErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'requests'
  | 'server_error';

/** The body of an OpenAI error response. */
export interface OpenAiErrorBody {
  error: {
    message: string;
    type: OpenAiErrorType;
    param: string | null;
    code: string | null;
  };
}

/**
 * An error that is answered with the OpenAI error shape and the given status.
 */
export class OpenAiError extends Error {
  readonly status: number;
  readonly type: OpenAiErrorType;
  readonly param: string | null;
  readonly code: string | null;

  constructor(options: {
    status: number;
    message: string;
    type?: OpenAiErrorType;
    param?: string | null;
    code?: string | null;
  }) {
    super(options.message);
    this.name = 'OpenAiError';
    this.status = options.status;
    this.type = options.type ?? 'invalid_request_error';
    this.param = options.param ?? null;
    this.code = options.code ?? null;
  }

  toJSON(): OpenAiErrorBody {
    return {
      error: {
        message: this.message,
        type: this.type,
        param: this.param,
        code: this.code,
      },
    };
  }
}

/** Writes an {@link OpenAiError} to the response. */
export function sendOpenAiError(res: Response, error: OpenAiError): void {
  res.status(error.status).json(error.toJSON());
}
