import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * 超期未办结 at an instant without visiting every overdue order (P5): the open orders that will
 * stay overdue until their next event are counted ahead, by the day from which nothing but an
 * event can change that.
 *
 * An open order with a stage not done (the `pending` predicate of work_orders_pending_due_idx)
 * counts at instant T, in the stage the read would give it, as a function of T whose value can
 * only change at its own instants: receipt, the deadlines, acceptance, reply, the return. After
 * the last that matters, its `settles` instant, it is constant: overdue to accept when not
 * accepted and acceptance has a deadline, else overdue to complete when not replied and
 * completion has a deadline, else nothing; and nothing for an order back with the hotline.
 *
 * - `overdue_pending_totals`: per unit × category × excluded × stage, every such order whose
 *   constant is a stage (not back with the hotline, received, with a unit and a category);
 * - `overdue_pending_counts`: the same per UTC day of `settles`.
 * The orders settled before the UTC day of T then count as the totals minus the days from T's on:
 * a few days × units × categories rows. Statement-level triggers on `work_orders` append each
 * statement's new keys minus its old ones to `overdue_pending_changes` in the writing transaction,
 * and `overdue_pending_fold()` moves the committed changes into both tables (the worker runs it
 * every second; the read adds the changes not yet folded), so that concurrent ingestion
 * transactions, which all move the same few totals, never wait for each other's commit on them
 * (as escalation_count_changes, migration 1733900000000). The read counts the other orders from
 * their rows (statistics-reads.ts), found through two small ranges:
 * - those whose earliest pending deadline falls between the day's start and T
 *   (work_orders_pending_due_idx);
 * - those settling that day or later though a deadline passed before it, through
 *   `work_orders_settles_late_idx` (settles after the earliest pending deadline: an acceptance
 *   after the completion deadline, a return after a deadline, a receipt after one — rare).
 * `work_order_returned_at` reads the state's `returnedAt` (an ISO 8601 instant with its offset,
 * so the conversion does not depend on the session) and may be indexed. The read's spelling of
 * `settles`, the pending predicate and the earliest pending deadline must stay the same as here.
 */
const PENDING = `closed_at IS NULL AND (accepted_at IS NULL OR replied_at IS NULL)`;
const PENDING_DUE = `least(CASE WHEN accepted_at IS NULL THEN accept_due_at END,
                           CASE WHEN replied_at IS NULL THEN complete_due_at END)`;
/** When an order's count stops depending on the instant asked about. */
const SETTLES = `CASE WHEN status = 'returned'
                      THEN greatest(received_at, accept_due_at, accepted_at, complete_due_at,
                                    replied_at, work_order_returned_at(state))
                      WHEN accepted_at IS NULL AND accept_due_at IS NOT NULL
                      THEN greatest(received_at, accept_due_at)
                      ELSE greatest(received_at, accept_due_at, accepted_at, complete_due_at, replied_at) END`;
/** The stage a pending order counts in once settled (null: none). */
const SETTLED_STAGE = `CASE WHEN status = 'returned' OR received_at IS NULL OR unit_id IS NULL OR category IS NULL
                            THEN NULL
                            WHEN accepted_at IS NULL AND accept_due_at IS NOT NULL THEN 'accept'
                            WHEN complete_due_at IS NOT NULL AND replied_at IS NULL THEN 'complete' END`;

/** The keys of `rows`' settled orders, each with `sign`. */
const keysOf = (rows: string, sign: 1 | -1) => `
  SELECT (settles AT TIME ZONE 'UTC')::date AS settles_on, unit_id, category, excluded, stage,
         ${sign} AS n
    FROM (SELECT unit_id, category, excluded, ${SETTLES} AS settles, ${SETTLED_STAGE} AS stage
            FROM ${rows} WHERE ${PENDING}) AS k
   WHERE stage IS NOT NULL`;

/** Appends the summed difference of `keys` to the changes. */
const appendKeys = (keys: string) => `
  INSERT INTO overdue_pending_changes (settles_on, unit_id, category, excluded, stage, delta)
  SELECT settles_on, unit_id, category, excluded, stage, sum(n)
    FROM (${keys}) AS d
   GROUP BY 1, 2, 3, 4, 5
  HAVING sum(n) <> 0;`;

export class OverduePendingCounts1734000000000 implements MigrationInterface {
  name = 'OverduePendingCounts1734000000000';

  async up(q: QueryRunner): Promise<void> {
    // PARALLEL UNSAFE keeps the read that names it (a few small index ranges, ~3 ms) from
    // starting parallel workers, which costs more than the read: the planner cannot tell the
    // ranges at `now` are nearly empty.
    await q.query(`
      CREATE FUNCTION work_order_returned_at(state jsonb) RETURNS timestamptz
      LANGUAGE sql IMMUTABLE STRICT PARALLEL UNSAFE
      AS $fn$ SELECT (state->>'returnedAt')::timestamptz $fn$`);
    await q.query(`
      CREATE TABLE overdue_pending_counts (
        settles_on date    NOT NULL,
        unit_id    text    NOT NULL,
        category   text    NOT NULL,
        excluded   boolean NOT NULL,
        stage      text    NOT NULL CHECK (stage IN ('accept', 'complete')),
        count      bigint  NOT NULL,
        PRIMARY KEY (settles_on, unit_id, category, excluded, stage)
      )`);
    await q.query(`
      CREATE TABLE overdue_pending_totals (
        unit_id  text    NOT NULL,
        category text    NOT NULL,
        excluded boolean NOT NULL,
        stage    text    NOT NULL CHECK (stage IN ('accept', 'complete')),
        count    bigint  NOT NULL,
        PRIMARY KEY (unit_id, category, excluded, stage)
      )`);
    for (const table of ['overdue_pending_counts', 'overdue_pending_totals']) {
      await q.query(
        `ALTER TABLE ${table} SET (fillfactor = 80, autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.02)`,
      );
    }
    await q.query(`
      CREATE TABLE overdue_pending_changes (
        settles_on date    NOT NULL,
        unit_id    text    NOT NULL,
        category   text    NOT NULL,
        excluded   boolean NOT NULL,
        stage      text    NOT NULL,
        delta      bigint  NOT NULL
      )`);
    // Appended by every ingestion transaction, emptied by every fold.
    await q.query(
      `ALTER TABLE overdue_pending_changes SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 1000)`,
    );
    // The committed changes into the days and the totals, in key order; returns how many it moved.
    await q.query(`
      CREATE FUNCTION overdue_pending_fold() RETURNS bigint LANGUAGE sql AS $fn$
        WITH moved AS (
          DELETE FROM overdue_pending_changes
          RETURNING settles_on, unit_id, category, excluded, stage, delta
        ), days AS (
          INSERT INTO overdue_pending_counts AS c (settles_on, unit_id, category, excluded, stage, count)
          SELECT settles_on, unit_id, category, excluded, stage, sum(delta)
            FROM moved
           GROUP BY 1, 2, 3, 4, 5
          HAVING sum(delta) <> 0
           ORDER BY 1, 2, 3, 4, 5
          ON CONFLICT (settles_on, unit_id, category, excluded, stage)
          DO UPDATE SET count = c.count + EXCLUDED.count
          RETURNING 1
        ), totals AS (
          INSERT INTO overdue_pending_totals AS t (unit_id, category, excluded, stage, count)
          SELECT unit_id, category, excluded, stage, sum(delta)
            FROM moved
           GROUP BY 1, 2, 3, 4
          HAVING sum(delta) <> 0
           ORDER BY 1, 2, 3, 4
          ON CONFLICT (unit_id, category, excluded, stage)
          DO UPDATE SET count = t.count + EXCLUDED.count
          RETURNING 1
        )
        SELECT count(*) FROM moved
      $fn$`);
    await q.query(`
      CREATE INDEX work_orders_settles_late_idx ON work_orders ((${SETTLES}))
        WHERE ${PENDING} AND ${SETTLES} > ${PENDING_DUE}`);
    // One function for the three triggers: PL/pgSQL plans a branch's statements when it first
    // runs, so a branch naming a transition table its trigger lacks is never planned.
    await q.query(`
      CREATE FUNCTION overdue_pending_apply() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          ${appendKeys(keysOf('orders_new', 1))}
        ELSIF TG_OP = 'UPDATE' THEN
          ${appendKeys(`${keysOf('orders_new', 1)} UNION ALL ${keysOf('orders_old', -1)}`)}
        ELSE
          ${appendKeys(keysOf('orders_old', -1))}
        END IF;
        RETURN NULL;
      END
      $fn$`);
    await q.query(`
      CREATE TRIGGER overdue_pending_on_insert AFTER INSERT ON work_orders
      REFERENCING NEW TABLE AS orders_new
      FOR EACH STATEMENT EXECUTE FUNCTION overdue_pending_apply()`);
    await q.query(`
      CREATE TRIGGER overdue_pending_on_update AFTER UPDATE ON work_orders
      REFERENCING OLD TABLE AS orders_old NEW TABLE AS orders_new
      FOR EACH STATEMENT EXECUTE FUNCTION overdue_pending_apply()`);
    await q.query(`
      CREATE TRIGGER overdue_pending_on_delete AFTER DELETE ON work_orders
      REFERENCING OLD TABLE AS orders_old
      FOR EACH STATEMENT EXECUTE FUNCTION overdue_pending_apply()`);
    // A TRUNCATE deletes no row one by one: nothing is left to count.
    await q.query(`
      CREATE FUNCTION overdue_pending_on_truncate() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        DELETE FROM overdue_pending_changes;
        DELETE FROM overdue_pending_counts;
        DELETE FROM overdue_pending_totals;
        RETURN NULL;
      END
      $fn$`);
    await q.query(`
      CREATE TRIGGER overdue_pending_on_truncate AFTER TRUNCATE ON work_orders
      FOR EACH STATEMENT EXECUTE FUNCTION overdue_pending_on_truncate()`);
    // The orders so far, read under a lock that lets no write in between (the triggers count
    // every write after it; this transaction commits the counts before any of them).
    await q.query(`LOCK TABLE work_orders IN SHARE MODE`);
    await q.query(`
      INSERT INTO overdue_pending_counts (settles_on, unit_id, category, excluded, stage, count)
      SELECT settles_on, unit_id, category, excluded, stage, sum(n)
        FROM (${keysOf('work_orders', 1)}) AS k
       GROUP BY 1, 2, 3, 4, 5`);
    await q.query(`
      INSERT INTO overdue_pending_totals (unit_id, category, excluded, stage, count)
      SELECT unit_id, category, excluded, stage, sum(count)
        FROM overdue_pending_counts
       GROUP BY 1, 2, 3, 4`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER overdue_pending_on_truncate ON work_orders`);
    await q.query(`DROP FUNCTION overdue_pending_on_truncate()`);
    await q.query(`DROP TRIGGER overdue_pending_on_delete ON work_orders`);
    await q.query(`DROP TRIGGER overdue_pending_on_update ON work_orders`);
    await q.query(`DROP TRIGGER overdue_pending_on_insert ON work_orders`);
    await q.query(`DROP FUNCTION overdue_pending_apply()`);
    await q.query(`DROP FUNCTION overdue_pending_fold()`);
    await q.query(`DROP TABLE overdue_pending_changes`);
    await q.query(`DROP INDEX work_orders_settles_late_idx`);
    await q.query(`DROP TABLE overdue_pending_totals`);
    await q.query(`DROP TABLE overdue_pending_counts`);
    await q.query(`DROP FUNCTION work_order_returned_at(jsonb)`);
  }
}
