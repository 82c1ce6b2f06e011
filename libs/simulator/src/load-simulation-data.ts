/**
 * The street's data a simulation needs (calendar, active rule profile, units), read with the
 * platform's validating loaders from the configured files: for the CLI and the tests.
 */
import { loadHandlingRules, loadOrganisation, type AppConfig } from '@hotline/platform';
import type { SimulationOptions } from './simulation-options';

export type SimulationData = Pick<SimulationOptions, 'calendar' | 'profile' | 'organisation'>;

export function loadSimulationData(
  files: Pick<AppConfig['files'], 'calendar' | 'ruleProfile' | 'organisation'>,
): SimulationData {
  const rules = loadHandlingRules(files);
  return {
    calendar: rules.calendar,
    profile: rules.profile,
    organisation: loadOrganisation(files.organisation),
  };
}
