import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { TZDate } from '@date-fns/tz';
import { differenceInCalendarDays } from 'date-fns';
import {
  parseCalendar,
  parseRuleProfile,
  type RuleProfile,
  type WorkingCalendar,
} from '@hotline/core';
import { ConfigError, type AppConfig } from './app-config';

/**
 * The calendar, the active rule profile (new orders are computed under it), and every profile
 * version in the active profile's folder: an order stays on the version it was first computed
 * under until an operator moves it (`npm run deadlines:recompute`).
 */
export interface HandlingRules {
  calendar: WorkingCalendar;
  profile: RuleProfile;
  profiles: ReadonlyMap<string, RuleProfile>;
}

export function profileRef(profile: Pick<RuleProfile, 'id' | 'version'>): string {
  return `${profile.id}@${profile.version}`;
}

/** The profile an order pinned to `id@version` is computed under; the active one for a new order. */
export function profileFor(
  rules: HandlingRules,
  pinned: { profileId: string | null; profileVersion: string | null } | undefined,
): RuleProfile | undefined {
  if (!pinned?.profileId || !pinned.profileVersion) return rules.profile;
  return rules.profiles.get(`${pinned.profileId}@${pinned.profileVersion}`);
}

function readJson(path: string, what: string, problems: string[]): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (error) {
    problems.push(`${what} ${path}: ${(error as Error).message}`);
    return undefined;
  }
}

/** CALENDAR_PROVISIONAL_YEARS's default: the calendar runs four years past its official data. */
export const DEFAULT_PROVISIONAL_YEARS = 4;

/**
 * Reads and validates the calendar (with its provisional years after the official data) and the
 * rule profiles; throws ConfigError listing every problem.
 */
export function loadHandlingRules(
  files: Pick<AppConfig['files'], 'calendar' | 'ruleProfile'>,
  calendarOptions: AppConfig['calendar'] = { provisionalYears: DEFAULT_PROVISIONAL_YEARS },
): HandlingRules {
  const problems: string[] = [];
  const calendarJson = readJson(files.calendar, 'calendar', problems);
  const calendar =
    calendarJson === undefined ? undefined : parseCalendar(calendarJson, calendarOptions);
  if (calendar && !calendar.ok) {
    problems.push(...calendar.errors.map((e) => `calendar ${files.calendar}: ${e}`));
  }

  const profiles = new Map<string, RuleProfile>();
  let active: RuleProfile | undefined;
  const folder = dirname(files.ruleProfile);
  let names: string[] = [];
  try {
    names = readdirSync(folder)
      .filter((name) => name.endsWith('.json'))
      .sort();
  } catch (error) {
    problems.push(`rule profiles ${folder}: ${(error as Error).message}`);
  }
  if (!names.includes(basename(files.ruleProfile))) {
    problems.push(`rule profile ${files.ruleProfile}: no such file`);
  }
  for (const name of names) {
    const path = join(folder, name);
    const json = readJson(path, 'rule profile', problems);
    if (json === undefined) continue;
    const parsed = parseRuleProfile(json);
    if (!parsed.ok) {
      problems.push(...parsed.errors.map((e) => `rule profile ${path}: ${e}`));
      continue;
    }
    const ref = profileRef(parsed.value);
    if (profiles.has(ref)) problems.push(`rule profile ${path}: ${ref} is defined twice`);
    profiles.set(ref, parsed.value);
    if (name === basename(files.ruleProfile)) active = parsed.value;
  }
  if (problems.length > 0 || !calendar?.ok || !active) throw new ConfigError(problems);
  return { calendar: calendar.value, profile: active, profiles };
}

/**
 * Days from today (in the calendar's zone) to the last day of the calendar's coverage,
 * provisional years included (0 on that day, negative once past it): deadlines cannot be
 * computed after it.
 */
export function calendarDaysLeft(calendar: WorkingCalendar, now: Date): number {
  return daysUntilEndOf(calendar, calendar.coverage.toOn, now);
}

/** Days from today to the last day of the official data: deadlines after it are provisional. */
export function officialCalendarDaysLeft(calendar: WorkingCalendar, now: Date): number {
  return daysUntilEndOf(calendar, calendar.officialCoverage.toOn, now);
}

/** Calendar days from today, in the calendar's zone, to `dayOn` (0 on the day itself). */
function daysUntilEndOf(calendar: WorkingCalendar, dayOn: string, now: Date): number {
  return differenceInCalendarDays(
    new TZDate(`${dayOn}T00:00:00`, calendar.timeZone),
    new TZDate(now, calendar.timeZone),
  );
}

/** What the calendar covers and how: for the worker's start-up warning and /health. */
export function describeCalendarCoverage(calendar: WorkingCalendar): string {
  const { officialCoverage, provisional } = calendar;
  return provisional === null
    ? `official data ends ${officialCoverage.toOn}; no provisional years (CALENDAR_PROVISIONAL_YEARS=0)`
    : `official data ends ${officialCoverage.toOn}; provisional from ${provisional.fromOn} to ${provisional.toOn} (statutory holidays, no make-up days)`;
}
