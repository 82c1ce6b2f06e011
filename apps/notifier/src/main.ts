import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { resolveDatabase } from '@hotline/persistence';
import { checkKafkaConnection, createLogger, loadConfig } from '@hotline/platform';
import { NotifierModule } from './notifier.module';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'notifier');
  await checkKafkaConnection({
    brokers: config.kafka.brokers,
    clientId: `${config.kafka.clientId}-notifier`,
    security: config.kafka.security,
  });
  const database = await resolveDatabase(config.databaseUrl, config.databaseName, (line) =>
    logger.info(line),
  );
  const app = await NestFactory.create(NotifierModule.forRoot(config, database.url), {
    logger: false,
  });
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.listen(config.notifier.port, config.http.host);
  logger.info(
    {
      port: config.notifier.port,
      topic: config.kafka.topics.escalations,
      group: config.notifier.groupId,
      database: database.source,
    },
    'notifier ready',
  );
}

main().catch((error: unknown) => {
  createLogger('error', 'notifier').fatal({ err: error }, 'notifier failed to start');
  process.exit(1);
});
