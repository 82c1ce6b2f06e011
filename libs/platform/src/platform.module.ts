import { Global, Module, type Provider } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { loadConfig, type AppConfig } from './config';
import { createKafka } from './kafka';
import { createLogger, type Logger } from './logging';

export const APP_CONFIG = Symbol('APP_CONFIG');
export const LOGGER = Symbol('LOGGER');
export const KAFKA = Symbol('KAFKA');

/** Config, logger and Kafka client for every process role. */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(
    config: AppConfig = loadConfig(),
    name = 'hotline',
  ): {
    module: typeof PlatformModule;
    providers: Provider[];
    exports: symbol[];
  } {
    const providers: Provider[] = [
      { provide: APP_CONFIG, useValue: config },
      { provide: LOGGER, useFactory: (): Logger => createLogger(config.logLevel, name) },
      {
        provide: KAFKA,
        useFactory: (): Kafka =>
          createKafka({
            brokers: config.kafka.brokers,
            clientId: `${config.kafka.clientId}-${name}`,
          }),
      },
    ];
    return { module: PlatformModule, providers, exports: [APP_CONFIG, LOGGER, KAFKA] };
  }
}
