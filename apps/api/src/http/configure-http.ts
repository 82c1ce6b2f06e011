import type { NestExpressApplication } from '@nestjs/platform-express';
import type { AppConfig, Logger } from '@hotline/platform';
import type { NextFunction, Request, Response } from 'express';
import helmet from 'helmet';
import { serveConsole } from '../console/serve-console';
import { accessLog } from './access-log';

/** Bodies are a note of at most 2,000 characters: a tight parser limit. */
export const MAX_JSON_BODY = '16kb';

/** Every response may carry a citizen's data or a supervisor's work: no cache keeps it. */
function noStore(_req: Request, res: Response, next: NextFunction): void {
  res.setHeader('Cache-Control', 'no-store');
  next();
}

/**
 * Hands body-parser's errors on as plain client errors (status and type kept): Nest would turn a
 * JSON SyntaxError into a BadRequestException carrying the parser's message, which quotes the
 * body back. ApiExceptionFilter words them (BODY_PARSER_MESSAGES).
 */
function plainParserErrors(error: unknown, _req: Request, _res: Response, next: NextFunction) {
  const { status, type } = (error ?? {}) as { status?: unknown; type?: unknown };
  if (error instanceof SyntaxError && typeof type === 'string') {
    next(Object.assign(new Error('body parser error'), { status, type }));
  } else {
    next(error);
  }
}

/**
 * The HTTP layer below Nest's routes, in the order a request meets it: the client address behind
 * API_TRUSTED_PROXIES reverse proxies, the access log (so a request refused below is logged
 * too), security headers (helmet: `nosniff`, `frame-ancestors 'none'`, HSTS, no
 * `X-Powered-By`, …), `Cache-Control: no-store`, the JSON body parser, the console's static
 * files at `/console`. Rate limits and tokens are
 * guards (api.module.ts); every error body is ApiExceptionFilter's.
 */
export function configureHttp(
  app: NestExpressApplication,
  config: AppConfig,
  logger: Logger,
): void {
  app.set('trust proxy', config.api.trustedProxies);
  app.disable('x-powered-by');
  if (config.api.accessLog) app.use(accessLog(logger));
  app.use(helmet());
  app.use(noStore);
  app.useBodyParser('json', { limit: MAX_JSON_BODY });
  app.use(plainParserErrors);
  serveConsole(app);
}
