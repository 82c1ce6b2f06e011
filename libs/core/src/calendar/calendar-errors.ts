/**
 * Errors thrown by the working calendar. Each carries a stable `code` that callers (the worker's
 * metrics, the API's exception filter) switch on; the message is for people.
 */

export const CALENDAR_ERROR_CODES = ['calendar_out_of_range', 'invalid_calendar_argument'] as const;
export type CalendarErrorCode = (typeof CALENDAR_ERROR_CODES)[number];

export abstract class CalendarError extends Error {
  abstract readonly code: CalendarErrorCode;
}

/**
 * An instant or day outside the calendar's coverage. The calendar never falls back to plain
 * weekdays: a year without holiday data must be noticed by an operator (domain.md §2).
 */
export class CalendarOutOfRangeError extends CalendarError {
  readonly code = 'calendar_out_of_range' as const;

  constructor(
    /** What fell outside: an RFC 3339 instant, a `YYYY-MM-DD` day, or a description. */
    readonly subject: string,
    readonly coverage: { fromOn: string; toOn: string },
  ) {
    super(
      `${subject} is outside the working calendar's coverage ${coverage.fromOn}…${coverage.toOn}; ` +
        'add the State Council holiday notice for that year to the calendar data',
    );
    this.name = 'CalendarOutOfRangeError';
  }
}

/** A malformed argument: an invalid Date, a negative or non-finite duration, a bad `YYYY-MM-DD`. */
export class InvalidCalendarArgumentError extends CalendarError {
  readonly code = 'invalid_calendar_argument' as const;

  constructor(message: string) {
    super(message);
    this.name = 'InvalidCalendarArgumentError';
  }
}
