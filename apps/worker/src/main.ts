import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { resolveDatabase } from '@hotline/persistence';
import { checkKafkaConnection, createLogger, loadConfig } from '@hotline/platform';
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'worker');
  // The code is loaded: from here the port opens in moments, whatever the group join takes.
  logger.info('worker starting');
  // Before anything starts: a refused login or an untrusted certificate names its setting and
  // stops the worker, instead of a consumer retrying in the background.
  await checkKafkaConnection({
    brokers: config.kafka.brokers,
    clientId: `${config.kafka.clientId}-worker`,
    security: config.kafka.security,
  });
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
