import { STATUS_CODES } from 'node:http';
import {
  Catch,
  HttpException,
  Inject,
  type ArgumentsHost,
  type ExceptionFilter,
} from '@nestjs/common';
import { LOGGER, type Logger } from '@hotline/platform';
import type { Request, Response } from 'express';
import { API_ERROR_STATUS, ApiError } from './api-error';

/** What every error response looks like (contract.md §3). */
export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
}

function messageOf(exception: HttpException): string {
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  const message = (response as { message?: unknown }).message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return typeof message === 'string' ? message : exception.message;
}

/** body-parser's error types, said without echoing the body back. */
const BODY_PARSER_MESSAGES: Record<string, string> = {
  'entity.parse.failed': 'the body is not valid JSON',
  'entity.too.large': 'the body is too large',
  'encoding.unsupported': 'unsupported body encoding',
  'charset.unsupported': 'unsupported body charset',
};

/** A client error raised below Nest (the JSON body parser): it carries its own 4xx status. */
function clientErrorStatus(exception: unknown): number | undefined {
  const status = (exception as { status?: unknown; statusCode?: unknown } | null)?.status;
  return typeof status === 'number' && status >= 400 && status < 500 ? status : undefined;
}

/**
 * The one place errors become responses: ApiError codes and Nest's own HTTP exceptions keep their
 * meaning, anything else is a 500 whose details go to the log, not to the caller.
 */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    let statusCode: number;
    let message: string;
    if (exception instanceof ApiError) {
      statusCode = API_ERROR_STATUS[exception.code];
      message = exception.message;
      if (exception.code === 'unauthenticated') {
        res.setHeader('WWW-Authenticate', 'Bearer realm="hotline", error="invalid_token"');
      }
    } else if (exception instanceof HttpException) {
      statusCode = exception.getStatus();
      message = messageOf(exception);
    } else if (clientErrorStatus(exception) !== undefined) {
      statusCode = clientErrorStatus(exception) ?? 400;
      message = BODY_PARSER_MESSAGES[(exception as { type?: string }).type ?? ''] ?? 'bad request';
    } else {
      statusCode = 500;
      message = 'internal error';
    }
    if (statusCode >= 500) {
      // The path only: queries and bodies may carry a citizen's data.
      this.logger.error({ err: exception, method: req.method, path: req.path }, 'request failed');
    }
    const body: ErrorBody = { statusCode, error: STATUS_CODES[statusCode] ?? 'Error', message };
    res.status(statusCode).json(body);
  }
}
