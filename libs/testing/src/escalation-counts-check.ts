import { escalationCountsDrift, type EscalationCountDrift } from '@hotline/persistence/statistics';
import type { Client } from 'pg';

/**
 * The escalation counts statistics read (migration 1733900000000) against the escalation rows
 * the product wrote: `drift` lists where the counts differ from a recount of the rows, `misdated`
 * how many rows lack the day of their firing in `timeZone` (the calendar's). Both empty when the
 * writes and the triggers agree.
 */
export async function escalationCountsCheck(
  sql: Client,
  timeZone: string,
): Promise<{ drift: EscalationCountDrift[]; misdated: number }> {
  const drift = await escalationCountsDrift({
    query: async (text: string, parameters?: unknown[]): Promise<unknown> =>
      (await sql.query(text, parameters)).rows as unknown,
  });
  const { rows } = await sql.query<{ misdated: number }>(
    `SELECT count(*)::int AS misdated FROM escalations
      WHERE fired_on IS DISTINCT FROM (fired_at AT TIME ZONE $1)::date`,
    [timeZone],
  );
  return { drift, misdated: rows[0]!.misdated };
}
