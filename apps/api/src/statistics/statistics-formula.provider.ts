import type { Provider } from '@nestjs/common';
import { APP_CONFIG, loadStatisticsFormula, type AppConfig } from '@hotline/platform';

/** The validated statistics formula (STATISTICS_FILE), loaded once at start-up. */
export const STATISTICS_FORMULA = Symbol('STATISTICS_FORMULA');

export const statisticsFormulaProvider: Provider = {
  provide: STATISTICS_FORMULA,
  inject: [APP_CONFIG],
  useFactory: (config: AppConfig) => loadStatisticsFormula(config.files),
};
