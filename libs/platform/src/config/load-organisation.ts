import { readFileSync } from 'node:fs';
import {
  parseOrganisation,
  recipientsFor,
  type EscalationLevel,
  type Organisation,
} from '@hotline/core';
import { ConfigError } from './app-config';

/** Reads and validates the organisation file (units, 督查室, leadership); every problem at once. */
export function loadOrganisation(path: string): Organisation {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (error) {
    throw new ConfigError([`organisation ${path}: ${(error as Error).message}`]);
  }
  const parsed = parseOrganisation(json);
  if (!parsed.ok) throw new ConfigError(parsed.errors.map((e) => `organisation ${path}: ${e}`));
  return parsed.value;
}

/** Who is told at each level, memoised per (unit, level). */
export function recipientsResolver(
  org: Organisation,
): (unitId: string, level: EscalationLevel) => string[] {
  const cache = new Map<string, string[]>();
  return (unitId, level) => {
    const key = `${unitId}|${level}`;
    let found = cache.get(key);
    if (!found) {
      found = recipientsFor(org, unitId, level);
      cache.set(key, found);
    }
    return found;
  };
}
