import { Module } from '@nestjs/common';
import { StatisticsController } from './statistics.controller';
import { statisticsFormulaProvider } from './statistics-formula.provider';

/** The statistics routes and the formula they report under (PlatformModule and PersistenceModule are global). */
@Module({ controllers: [StatisticsController], providers: [statisticsFormulaProvider] })
export class StatisticsModule {}
