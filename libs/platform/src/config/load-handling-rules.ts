import { readFileSync } from 'node:fs';
import {
  parseCalendar,
  parseRuleProfile,
  type RuleProfile,
  type WorkingCalendar,
} from '@hotline/core';
import { ConfigError, type AppConfig } from './app-config';

export interface HandlingRules {
  calendar: WorkingCalendar;
  profile: RuleProfile;
}

function readJson(path: string, what: string, problems: string[]): unknown {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (error) {
    problems.push(`${what} ${path}: ${(error as Error).message}`);
    return undefined;
  }
}

/** Reads and validates the calendar and the rule profile; throws ConfigError listing every problem. */
export function loadHandlingRules(files: AppConfig['files']): HandlingRules {
  const problems: string[] = [];
  const calendarJson = readJson(files.calendar, 'calendar', problems);
  const profileJson = readJson(files.ruleProfile, 'rule profile', problems);
  const calendar = calendarJson === undefined ? undefined : parseCalendar(calendarJson);
  const profile = profileJson === undefined ? undefined : parseRuleProfile(profileJson);
  if (calendar && !calendar.ok)
    problems.push(...calendar.errors.map((e) => `calendar ${files.calendar}: ${e}`));
  if (profile && !profile.ok)
    problems.push(...profile.errors.map((e) => `rule profile ${files.ruleProfile}: ${e}`));
  if (!calendar?.ok || !profile?.ok) throw new ConfigError(problems);
  return { calendar: calendar.value, profile: profile.value };
}

/** Whole days from `now` to the end of the calendar's coverage (negative once past it). */
export function calendarDaysLeft(calendar: WorkingCalendar, now: Date): number {
  const end = Date.parse(`${calendar.coverage.toOn}T23:59:59Z`);
  return Math.floor((end - now.getTime()) / 86_400_000);
}
