import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { createLogger, loadConfig } from '@hotline/platform';
import { WorkerModule } from './worker.module';

async function main(): Promise<void> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel, 'worker');
  const databaseUrl = config.databaseUrl ?? 'postgres://postgres@127.0.0.1:5432/hotline';
  const app = await NestFactory.create(WorkerModule.forRoot(config, databaseUrl), { logger: false });
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  await app.listen(config.http.workerPort, config.http.host);
  logger.info({ port: config.http.workerPort, topic: config.kafka.topics.events }, 'worker ready');
}

main().catch((error: unknown) => {
  createLogger('error', 'worker').fatal({ err: error }, 'worker failed to start');
  process.exit(1);
});
