import { Global, Module, type Provider } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { loadConfig, loadHandlingRules, type AppConfig, type HandlingRules } from './config';
import { createKafka } from './kafka';
import { createLogger, type Logger } from './logging';
import { createClock } from './clock';

export const APP_CONFIG = Symbol('APP_CONFIG');
export const LOGGER = Symbol('LOGGER');
export const KAFKA = Symbol('KAFKA');
/** The validated calendar and rule profile (HandlingRules). */
export const HANDLING_RULES = Symbol('HANDLING_RULES');
/** The process's Clock (the system clock unless CLOCK_START_AT is set). */
export const CLOCK = Symbol('CLOCK');

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
      {
        provide: HANDLING_RULES,
        useFactory: (): HandlingRules => loadHandlingRules(config.files, config.calendar),
      },
      { provide: CLOCK, useValue: createClock(config.clockStartAt) },
      { provide: LOGGER, useFactory: (): Logger => createLogger(config.logLevel, name) },
      {
        provide: KAFKA,
        useFactory: (): Kafka =>
          createKafka({
            brokers: config.kafka.brokers,
            clientId: `${config.kafka.clientId}-${name}`,
            security: config.kafka.security,
          }),
      },
    ];
    return {
      module: PlatformModule,
      providers,
      exports: [APP_CONFIG, LOGGER, KAFKA, HANDLING_RULES, CLOCK],
    };
  }
}
