import { readFileSync } from 'node:fs';
import { parseStatisticsFormula, type StatisticsFormula } from '@hotline/core';
import { ConfigError, type AppConfig } from './app-config';

/**
 * Reads and validates the statistics formula (STATISTICS_FILE, default `config/statistics.json`);
 * throws ConfigError listing every problem. Reports print the formula they used with the figures.
 */
export function loadStatisticsFormula(
  files: Pick<AppConfig['files'], 'statistics'>,
): StatisticsFormula {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(files.statistics, 'utf8'));
  } catch (error) {
    throw new ConfigError([`statistics formula ${files.statistics}: ${(error as Error).message}`]);
  }
  const parsed = parseStatisticsFormula(json);
  if (!parsed.ok) {
    throw new ConfigError(parsed.errors.map((e) => `statistics formula ${files.statistics}: ${e}`));
  }
  return parsed.value;
}
