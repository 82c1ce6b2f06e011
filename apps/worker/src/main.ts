import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { resolveDatabase } from '@hotline/persistence';
import { createLogger, loadConfig } from '@hotline/platform';
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'worker');
  const database = await resolveDatabase(config.databaseUrl, config.databaseName, (line) =>
    logger.info(line),
  );
  const app = await NestFactory.create(WorkerModule.forRoot(config, database.url), {
    logger: false,
  });
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.listen(config.http.workerPort, config.http.host);
  logger.info(
    { port: config.http.workerPort, topic: config.kafka.topics.events, database: database.source },
    'worker ready',
  );
}

main().catch((error: unknown) => {
  createLogger('error', 'worker').fatal({ err: error }, 'worker failed to start');
  process.exit(1);
});
