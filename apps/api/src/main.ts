import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { resolveDatabase } from '@hotline/persistence';
import { createLogger, loadConfig, requireJwtSecret } from '@hotline/platform';
import { ApiModule } from './api.module';
import { configureHttp } from './http/configure-http';

async function main(): Promise<void> {
  const config = loadConfig();
  requireJwtSecret(config); // before anything starts: the API cannot run without its token key
  const logger = createLogger(config.logLevel, 'api');
  const database = await resolveDatabase(config.databaseUrl, config.databaseName, (line) =>
    logger.info(line),
  );
  if (config.auth.usingDevelopmentSecret) {
    logger.warn(
      'JWT_SECRET is not set: using the public development secret (refused in production)',
    );
  }
  const app = await NestFactory.create<NestExpressApplication>(
    ApiModule.forRoot(config, database.url),
    { logger: false },
  );
  configureHttp(app, config, logger);
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.listen(config.http.apiPort, config.http.host);
  logger.info({ port: config.http.apiPort, database: database.source }, 'api ready');
}

main().catch((error: unknown) => {
  createLogger('error', 'api').fatal({ err: error }, 'api failed to start');
  process.exit(1);
});
