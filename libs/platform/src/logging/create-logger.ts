import pino, { type DestinationStream, type Logger } from 'pino';
import { maskPersonalNumbers } from '@hotline/core';

const CENSOR = '[redacted]';

/**
 * Paths the logger never writes in full: citizens' names and phone numbers (domain.md §6) wherever
 * an event, state or request carries them, and credentials.
 */
export const REDACTED_PATHS = [
  'citizen',
  '*.citizen',
  '*.*.citizen',
  'data.citizen',
  'event.data.citizen',
  'state.citizen',
  'phone',
  '*.phone',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["proxy-authorization"]',
  'res.headers["set-cookie"]',
];

/**
 * Fields of a database driver's error (node-postgres, TypeORM's QueryFailedError) that repeat the
 * data of the failing statement: PostgreSQL's `detail` ("Failing row contains (…)", "Key (…)=(…)"),
 * `where` (the context line, with values), `hint`, the statement and its parameters. Removed at any
 * depth of an error (its `cause`, `driverError`, a kafkajs wrapper's `originalError`), whatever key
 * the error is logged under.
 */
export const DRIVER_ERROR_FIELDS = [
  'detail',
  'where',
  'hint',
  'internalQuery',
  'query',
  'parameters',
  'values',
] as const;

/** Keys pino serializes as errors: the project logs `err`; anything else named so is treated alike. */
const ERROR_KEYS = ['err', 'error', 'cause', 'reason'] as const;

/** Nesting beyond this is not followed (an error graph is not walked forever). */
const MAX_DEPTH = 8;

/** PostgreSQL repeats a refused value in its message: `invalid input syntax for type uuid: "…"`. */
const QUOTED_VALUE = /: "(?:[^"\\]|\\.)*"/g;

function looksLikeDriverError(value: Record<string, unknown>): boolean {
  return (
    'severity' in value ||
    'driverError' in value ||
    value.name === 'QueryFailedError' ||
    value.type === 'QueryFailedError' ||
    value.type === 'DatabaseError'
  );
}

function scrub(value: unknown, depth: number): unknown {
  if (depth > MAX_DEPTH) return CENSOR;
  if (Array.isArray(value)) return value.map((item) => scrub(item, depth + 1));
  if (value === null || typeof value !== 'object') return value;
  const source = value as Record<string, unknown>;
  const driver = looksLikeDriverError(source);
  const out: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(source)) {
    if ((DRIVER_ERROR_FIELDS as readonly string[]).includes(key)) {
      out[key] = CENSOR;
    } else if (driver && (key === 'message' || key === 'stack') && typeof field === 'string') {
      out[key] = field.replace(QUOTED_VALUE, `: "${CENSOR}"`);
    } else {
      out[key] = scrub(field, depth + 1);
    }
  }
  return out;
}

/** pino's error serializer (with the `cause` chain), then every driver field removed at any depth. */
export function serializeError(error: unknown): unknown {
  const serialized: unknown =
    error instanceof Error ? pino.stdSerializers.errWithCause(error) : error;
  return scrub(serialized, 0);
}

/**
 * Personal data that can reach a log line in free text (an error message, a value echoed by a
 * library): the numbers of core's privacy rule (mobile, landline, identity card, bank card),
 * replaced whole. The last net under the structured redaction above, applied to every line written.
 */
export function maskFreeText(line: string): string {
  return maskPersonalNumbers(line, () => CENSOR);
}

/**
 * The process's logger. Personal data is removed three ways: known paths (REDACTED_PATHS), driver
 * error fields wherever an error is logged (serializeError), and phone and identity-card numbers in
 * any text (maskFreeText). `destination` is for tests; by default lines go to stdout.
 */
export function createLogger(level: string, name: string, destination?: DestinationStream): Logger {
  const serializers = Object.fromEntries(ERROR_KEYS.map((key) => [key, serializeError]));
  return pino(
    {
      name,
      level,
      redact: { paths: REDACTED_PATHS, censor: CENSOR },
      serializers,
      hooks: { streamWrite: maskFreeText },
    },
    destination,
  );
}

export type { Logger };
