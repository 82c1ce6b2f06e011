import { Global, Inject, Module, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { createDataSource, migrate } from './data-source';

export const DATA_SOURCE = Symbol('DATA_SOURCE');

export interface PersistenceOptions {
  url: string;
  poolSize: number;
  migrateOnStart: boolean;
  applicationName: string;
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
      useFactory: async (): Promise<DataSource> => {
        const dataSource = createDataSource({
          url: options.url,
          poolSize: options.poolSize,
          applicationName: options.applicationName,
        });
        await dataSource.initialize();
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
