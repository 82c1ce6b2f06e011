/**
 * What a simulation is asked for. Everything that varies is a parameter: the seed, the year, the
 * volume, and the street's data (calendar, rule profile, units). Nothing reads a clock, a file or
 * the environment: the CLI and the tests load the data and pass it in.
 */
import type { RuleProfile, WorkingCalendar } from '@hotline/core';

export interface SimulationOptions {
  /** Any non-negative safe integer; the same seed replays the same events. */
  seed: number;
  /** The calendar year whose orders are dispatched (their later events may run into the next). */
  year: number;
  /** Orders dispatched over the year, exactly. */
  orders: number;
  calendar: WorkingCalendar;
  /** The handling limits the simulated units mostly meet (and sometimes miss). */
  profile: RuleProfile;
  /** The street's units (config/organisation.json). */
  organisation: { units: readonly { id: string; name: string }[] };
  /** How many units take orders: fewer than configured uses the first N; more adds synthetic ones. */
  units?: number;
}

export const MAX_ORDERS = 50_000_000;
export const MAX_UNITS = 100_000;

export class SimulationOptionsError extends Error {
  readonly code = 'simulation_options_invalid' as const;
  constructor(readonly problems: string[]) {
    super(`invalid simulation options:\n  - ${problems.join('\n  - ')}`);
    this.name = 'SimulationOptionsError';
  }
}

/** Every problem at once; throws SimulationOptionsError. */
export function checkSimulationOptions(options: SimulationOptions): void {
  const problems: string[] = [];
  if (!Number.isSafeInteger(options.seed) || options.seed < 0) {
    problems.push(`seed: a non-negative integer, got ${options.seed}`);
  }
  if (!Number.isInteger(options.orders) || options.orders < 0 || options.orders > MAX_ORDERS) {
    problems.push(`orders: an integer from 0 to ${MAX_ORDERS}, got ${options.orders}`);
  }
  const units = options.units ?? options.organisation.units.length;
  if (!Number.isInteger(units) || units < 1 || units > MAX_UNITS) {
    problems.push(`units: an integer from 1 to ${MAX_UNITS}, got ${units}`);
  }
  if (!Number.isInteger(options.year)) {
    problems.push(`year: an integer, got ${options.year}`);
  } else {
    const { fromOn, toOn } = options.calendar.coverage;
    if (`${options.year}-01-01` < fromOn || `${options.year}-12-31` > toOn) {
      problems.push(
        `year: ${options.year} is not covered by the calendar (${fromOn} … ${toOn}); add the year's holiday notice first`,
      );
    }
  }
  if (problems.length > 0) throw new SimulationOptionsError(problems);
}
