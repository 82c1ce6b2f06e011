import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '@hotline/platform';
import { pinoHttp, type HttpLogger } from 'pino-http';
import type { AuthenticatedRequest } from '../auth/authenticated-request';

/**
 * Query parameters whose values the access log writes: the routes' filters, pages and periods
 * (the `*.query.ts` schemas), none of which carries a token or a citizen's data. Any other
 * parameter is written by name only, its value `[redacted]`: a `?access_token=…` or a phone number
 * typed into a filter never reaches the log.
 */
export const API_QUERY_PARAMETERS = [
  'unitId',
  'status',
  'kind',
  'level',
  'overdue',
  'page',
  'pageSize',
  'reveal',
  'month',
  'from',
  'to',
  'groupBy',
] as const;
const LOGGED_QUERY_VALUES = new Set<string>(API_QUERY_PARAMETERS);
/** A value longer than this is cut: a log line stays a line. */
const MAX_VALUE_LENGTH = 64;
const MAX_PARAMETERS = 20;

/** `?a=1&token=x` → `{ a: '1', token: '[redacted]' }`; at most MAX_PARAMETERS names. */
export function loggedQuery(url: string): Record<string, string> | undefined {
  const at = url.indexOf('?');
  if (at < 0) return undefined;
  const query: Record<string, string> = {};
  let count = 0;
  for (const [name, value] of new URLSearchParams(url.slice(at + 1))) {
    if ((count += 1) > MAX_PARAMETERS) break;
    const key = name.slice(0, MAX_VALUE_LENGTH);
    query[key] = LOGGED_QUERY_VALUES.has(name) ? value.slice(0, MAX_VALUE_LENGTH) : '[redacted]';
  }
  return query;
}

function pathOf(url: string): string {
  const at = url.indexOf('?');
  return (at < 0 ? url : url.slice(0, at)).slice(0, 512);
}

/**
 * One line per request when its response is finished: id (also sent as `X-Request-Id`), method,
 * path, the query as loggedQuery keeps it, the client address, the status, the time taken and the
 * token's subject and role. No header and no body is written: the bearer token, cookies and
 * whatever a body holds stay out. 5xx lines are errors, 4xx warnings.
 */
export function accessLog(logger: Logger): HttpLogger<AuthenticatedRequest> {
  return pinoHttp<AuthenticatedRequest>({
    logger,
    wrapSerializers: false,
    genReqId: (_req: IncomingMessage, res: ServerResponse) => {
      const id = randomUUID();
      res.setHeader('X-Request-Id', id);
      return id;
    },
    serializers: {
      req: (req: AuthenticatedRequest) => ({
        id: req.id,
        method: req.method,
        path: pathOf(req.originalUrl || req.url),
        query: loggedQuery(req.originalUrl || req.url),
        remoteAddress: req.ip ?? req.socket?.remoteAddress,
      }),
      res: (res: ServerResponse) => ({ statusCode: res.statusCode }),
    },
    customProps: (req: AuthenticatedRequest) =>
      req.principal ? { subject: req.principal.subject, role: req.principal.role } : {},
    customLogLevel: (_req, res, error) =>
      error !== undefined || res.statusCode >= 500
        ? 'error'
        : res.statusCode >= 400
          ? 'warn'
          : 'info',
    customSuccessMessage: () => 'request',
    customErrorMessage: () => 'request failed',
    // The failing request's error is logged by ApiExceptionFilter; here the line only.
    customErrorObject: (_req, res, _error, value: Record<string, unknown>) => ({
      res,
      responseTime: value.responseTime,
    }),
  });
}
