import { Global, Inject, Module, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { APP_CONFIG, LOGGER, type AppConfig, type Logger } from '@hotline/platform';
import type { PostgresConnectionSettings } from '@hotline/platform/postgres';
import { migrate, openDataSource } from './data-source';

export const DATA_SOURCE = Symbol('DATA_SOURCE');

export interface PersistenceOptions {
  url: string;
  poolSize: number;
  migrateOnStart: boolean;
  applicationName: string;
  /** TLS and password; default the process configuration's `db.connection`. */
  connection?: PostgresConnectionSettings;
}

class DataSourceCloser implements OnApplicationShutdown {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}
  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}

/** The initialized (and, if asked, migrated) data source for a process role. */
@Global()
@Module({})
export class PersistenceModule {
  static forRoot(options: PersistenceOptions): {
    module: typeof PersistenceModule;
    providers: Provider[];
    exports: symbol[];
  } {
    const dataSourceProvider: Provider = {
      provide: DATA_SOURCE,
      // The configuration is global (PlatformModule): every role's pool gets its TLS settings
      // without each app passing them along.
      inject: [
        { token: APP_CONFIG, optional: true },
        { token: LOGGER, optional: true },
      ],
      useFactory: async (
        config: AppConfig | undefined,
        logger: Logger | undefined,
      ): Promise<DataSource> => {
        const dataSource = await openDataSource({
          url: options.url,
          connection: options.connection ?? config?.db.connection,
          poolSize: options.poolSize,
          applicationName: options.applicationName,
        }).catch((error: unknown) => {
          // Nest ends the process on a provider's failure without a word (abortOnError): say why.
          logger?.fatal({ err: error }, 'cannot open the database');
          throw error;
        });
        if (options.migrateOnStart) await migrate(dataSource);
        return dataSource;
      },
    };
    return {
      module: PersistenceModule,
      providers: [dataSourceProvider, DataSourceCloser],
      exports: [DATA_SOURCE],
    };
  }
}
