import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { resolveDatabase } from '@hotline/persistence';
import { createLogger, loadConfig } from '@hotline/platform';
import { ApiModule } from './api.module';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'api');
  const database = await resolveDatabase(config.databaseUrl, config.databaseName, (line) =>
    logger.info(line),
  );
  const app = await NestFactory.create(ApiModule.forRoot(config, database.url), { logger: false });
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.listen(config.http.apiPort, config.http.host);
  logger.info({ port: config.http.apiPort, database: database.source }, 'api ready');
}

main().catch((error: unknown) => {
  createLogger('error', 'api').fatal({ err: error }, 'api failed to start');
  process.exit(1);
});
