import pino, { type Logger } from 'pino';

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
  // A failed query carries its SQL and parameters (a resolution note may hold a phone number).
  'err.parameters',
  'err.query',
  'err.driverError.parameters',
];

export function createLogger(level: string, name: string): Logger {
  return pino({
    name,
    level,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  });
}

export type { Logger };
