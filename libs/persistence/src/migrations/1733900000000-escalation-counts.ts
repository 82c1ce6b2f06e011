import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Escalations counted per day × unit × category × kind (P5): a month's statistics read a few
 * thousand counts instead of joining each of its escalations to its order for the category.
 *
 * Counts many transactions move at once (two sweep loops firing on the same day for the same
 * units, ingestion withdrawing) are not updated in place, which would hold their rows locked
 * from one writer's statement to its commit and queue the others behind it (or deadlock two
 * that take them in different orders). Writers append their changes to
 * `escalation_count_changes`, a heap without keys that nobody updates; `escalation_counts_fold()`
 * moves the committed changes into `escalation_counts_daily` and `escalation_counts_monthly`
 * (the worker runs it every second), and the read adds the changes not yet folded. Folding
 * changes no total. A whole month is read from the monthly counts (`fired_on` names a local day,
 * so its month is the calendar's).
 *
 * - `escalations.fired_on`: the day `fired_at` falls on in the calendar's zone, the day the
 *   rollup names instants by; written with `fired_at` by the product (escalation-store.ts).
 *   Rows written before this column (and rows written by hand without it) keep it null and are
 *   counted by the read from the rows themselves, through `escalations_uncounted_idx`.
 * - `escalation_counts_daily` plus `escalation_count_changes`: how many escalations with a
 *   `fired_on`, not withdrawn, fired on the day, credited to the unit the escalation names and to
 *   its order's current category (`''` when the order has none). Kept by triggers in the writing
 *   transaction, so every writer moves them and none has to know:
 *   - a statement-level trigger on inserts, one grouped upsert per statement (a sweep batch);
 *   - a row trigger on updates that change what is counted (withdrawn or not, `fired_on`, unit,
 *     kind), and on deletes: rare, so the level raises, acknowledgements and resolutions every
 *     escalation goes through cost nothing here;
 *   - a row trigger on `work_orders` when an order's category changes, moving its escalations'
 *     counts to the new category; and when its row goes away, taking them out of the counts
 *     (`fired_on` back to null: counted from the rows, joined to whatever order row has the id).
 *   A change of `fired_at` that does not write `fired_on` with it (a writer that predates the
 *   column, during a rolling upgrade; a hand edit) sets `fired_on` back to null, so the row is
 *   counted from itself rather than on a stale day.
 *   An escalation is written after its order's row, by a transaction that holds the order's row
 *   lock (the sweep claims orders FOR UPDATE, the ingestion locks the orders it applies): its
 *   category is the order's, and no change of category can pass it unseen. An order with
 *   escalations never comes back without them being uncounted: no insert of an order has to look
 *   for them.
 * - `escalation_counts_recount()` counts everything again from the rows, under a lock that keeps
 *   writers out: after a TRUNCATE (triggers run it) and for an operator after anything written
 *   around the triggers (a restore, escalations loaded before their orders).
 * A count that falls to zero stays as a zero row.
 */
export class EscalationCounts1733900000000 implements MigrationInterface {
  name = 'EscalationCounts1733900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE escalations ADD COLUMN fired_on date`);
    await q.query(
      `CREATE INDEX escalations_uncounted_idx ON escalations (fired_at) WHERE fired_on IS NULL`,
    );
    await q.query(`
      CREATE TABLE escalation_counts_daily (
        day_on   date   NOT NULL,
        unit_id  text   NOT NULL,
        category text   NOT NULL,
        kind     text   NOT NULL,
        count    bigint NOT NULL,
        PRIMARY KEY (day_on, unit_id, category, kind)
      )`);
    // Each fold updates the day's rows in place.
    await q.query(
      `ALTER TABLE escalation_counts_daily SET (fillfactor = 80, autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.02)`,
    );
    await q.query(`
      CREATE TABLE escalation_counts_monthly (
        month_on date   NOT NULL CHECK (extract(day FROM month_on) = 1),
        unit_id  text   NOT NULL,
        category text   NOT NULL,
        kind     text   NOT NULL,
        count    bigint NOT NULL,
        PRIMARY KEY (month_on, unit_id, category, kind)
      )`);
    await q.query(
      `ALTER TABLE escalation_counts_monthly SET (fillfactor = 80, autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.02)`,
    );
    await q.query(`
      CREATE TABLE escalation_count_changes (
        day_on   date   NOT NULL,
        unit_id  text   NOT NULL,
        category text   NOT NULL,
        kind     text   NOT NULL,
        delta    bigint NOT NULL
      )`);
    // Appended by every writer, emptied by every fold: vacuumed after a thousand dead rows.
    await q.query(
      `ALTER TABLE escalation_count_changes SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_insert_scale_factor = 0, autovacuum_vacuum_insert_threshold = 1000)`,
    );
    await q.query(`
      CREATE FUNCTION escalation_counts_add(date, text, text, text, bigint)
      RETURNS void LANGUAGE sql AS $fn$
        INSERT INTO escalation_count_changes (day_on, unit_id, category, kind, delta)
        VALUES ($1, $2, $3, $4, $5)
      $fn$`);
    // The committed changes into the counts, in key order; returns how many changes it moved.
    await q.query(`
      CREATE FUNCTION escalation_counts_fold() RETURNS bigint LANGUAGE sql AS $fn$
        WITH moved AS (
          DELETE FROM escalation_count_changes RETURNING day_on, unit_id, category, kind, delta
        ), folded AS (
          INSERT INTO escalation_counts_daily AS c (day_on, unit_id, category, kind, count)
          SELECT day_on, unit_id, category, kind, sum(delta)
            FROM moved
           GROUP BY 1, 2, 3, 4
          HAVING sum(delta) <> 0
           ORDER BY 1, 2, 3, 4
          ON CONFLICT ON CONSTRAINT escalation_counts_daily_pkey
          DO UPDATE SET count = c.count + EXCLUDED.count
          RETURNING 1
        ), months AS (
          INSERT INTO escalation_counts_monthly AS m (month_on, unit_id, category, kind, count)
          SELECT date_trunc('month', day_on)::date, unit_id, category, kind, sum(delta)
            FROM moved
           GROUP BY 1, 2, 3, 4
          HAVING sum(delta) <> 0
           ORDER BY 1, 2, 3, 4
          ON CONFLICT ON CONSTRAINT escalation_counts_monthly_pkey
          DO UPDATE SET count = m.count + EXCLUDED.count
          RETURNING 1
        )
        SELECT count(*) FROM moved
      $fn$`);
    await q.query(`
      CREATE FUNCTION escalation_counts_on_insert() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        INSERT INTO escalation_count_changes (day_on, unit_id, category, kind, delta)
        SELECT e.fired_on, e.unit_id, coalesce(w.category, ''), e.kind, count(*)
          FROM escalations_new e
          LEFT JOIN work_orders w ON w.work_order_id = e.work_order_id
         WHERE e.fired_on IS NOT NULL AND e.status <> 'withdrawn'
         GROUP BY 1, 2, 3, 4;
        RETURN NULL;
      END
      $fn$`);
    await q.query(`
      CREATE FUNCTION escalation_counts_on_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
      DECLARE
        order_category text;
      BEGIN
        SELECT coalesce(w.category, '') INTO order_category
          FROM work_orders w WHERE w.work_order_id = OLD.work_order_id;
        order_category := coalesce(order_category, '');
        IF OLD.fired_on IS NOT NULL AND OLD.status <> 'withdrawn' THEN
          PERFORM escalation_counts_add(OLD.fired_on, OLD.unit_id, order_category, OLD.kind, -1);
        END IF;
        IF TG_OP = 'UPDATE' AND NEW.fired_on IS NOT NULL AND NEW.status <> 'withdrawn' THEN
          PERFORM escalation_counts_add(NEW.fired_on, NEW.unit_id, order_category, NEW.kind, 1);
        END IF;
        RETURN NULL;
      END
      $fn$`);
    await q.query(`
      CREATE FUNCTION escalation_counts_undated() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        NEW.fired_on := NULL;
        RETURN NEW;
      END
      $fn$`);
    await q.query(`
      CREATE FUNCTION escalation_counts_recount() RETURNS void LANGUAGE plpgsql AS $fn$
      BEGIN
        LOCK TABLE work_orders, escalations IN SHARE MODE;
        DELETE FROM escalation_count_changes;
        DELETE FROM escalation_counts_daily;
        DELETE FROM escalation_counts_monthly;
        INSERT INTO escalation_counts_daily (day_on, unit_id, category, kind, count)
        SELECT e.fired_on, e.unit_id, coalesce(w.category, ''), e.kind, count(*)
          FROM escalations e
          LEFT JOIN work_orders w ON w.work_order_id = e.work_order_id
         WHERE e.fired_on IS NOT NULL AND e.status <> 'withdrawn'
         GROUP BY 1, 2, 3, 4;
        INSERT INTO escalation_counts_monthly (month_on, unit_id, category, kind, count)
        SELECT date_trunc('month', day_on)::date, unit_id, category, kind, sum(count)
          FROM escalation_counts_daily
         GROUP BY 1, 2, 3, 4;
      END
      $fn$`);
    await q.query(`
      CREATE FUNCTION escalation_counts_on_truncate() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        IF TG_TABLE_NAME = 'work_orders' THEN
          -- Every escalation lost its order: none is counted any more (as for a deleted order).
          UPDATE escalations SET fired_on = NULL WHERE fired_on IS NOT NULL;
        END IF;
        PERFORM escalation_counts_recount();
        RETURN NULL;
      END
      $fn$`);
    await q.query(`
      CREATE FUNCTION escalation_counts_on_order_change() RETURNS trigger LANGUAGE plpgsql AS $fn$
      DECLARE
        to_category text := '';
      BEGIN
        IF TG_OP = 'UPDATE' THEN
          to_category := coalesce(NEW.category, '');
        END IF;
        INSERT INTO escalation_count_changes (day_on, unit_id, category, kind, delta)
        SELECT e.fired_on, e.unit_id, m.category, e.kind, sum(m.sign)
          FROM escalations e,
               (VALUES (coalesce(OLD.category, ''), -1), (to_category, 1)) AS m(category, sign)
         WHERE e.work_order_id = OLD.work_order_id
           AND e.fired_on IS NOT NULL AND e.status <> 'withdrawn'
         GROUP BY 1, 2, 3, 4
        HAVING sum(m.sign) <> 0;
        -- Without its order, an escalation leaves the counts (the read counts it from its row,
        -- joined to whatever order row holds its id by then) until a backfill dates it again.
        IF TG_OP = 'DELETE' THEN
          UPDATE escalations SET fired_on = NULL
           WHERE work_order_id = OLD.work_order_id AND fired_on IS NOT NULL;
        END IF;
        RETURN NULL;
      END
      $fn$`);
    await q.query(`
      CREATE TRIGGER escalation_counts_on_insert AFTER INSERT ON escalations
      REFERENCING NEW TABLE AS escalations_new
      FOR EACH STATEMENT EXECUTE FUNCTION escalation_counts_on_insert()`);
    await q.query(`
      CREATE TRIGGER escalation_counts_undated BEFORE UPDATE OF fired_at ON escalations
      FOR EACH ROW
      WHEN (OLD.fired_at IS DISTINCT FROM NEW.fired_at AND NEW.fired_on IS NOT NULL
            AND OLD.fired_on IS NOT DISTINCT FROM NEW.fired_on)
      EXECUTE FUNCTION escalation_counts_undated()`);
    await q.query(`
      CREATE TRIGGER escalation_counts_on_update AFTER UPDATE ON escalations
      FOR EACH ROW
      WHEN ((OLD.status = 'withdrawn') IS DISTINCT FROM (NEW.status = 'withdrawn')
            OR OLD.fired_on IS DISTINCT FROM NEW.fired_on
            OR OLD.unit_id IS DISTINCT FROM NEW.unit_id
            OR OLD.kind IS DISTINCT FROM NEW.kind)
      EXECUTE FUNCTION escalation_counts_on_change()`);
    await q.query(`
      CREATE TRIGGER escalation_counts_on_delete AFTER DELETE ON escalations
      FOR EACH ROW EXECUTE FUNCTION escalation_counts_on_change()`);
    await q.query(`
      CREATE TRIGGER escalation_counts_on_category AFTER UPDATE OF category ON work_orders
      FOR EACH ROW WHEN (coalesce(OLD.category, '') <> coalesce(NEW.category, ''))
      EXECUTE FUNCTION escalation_counts_on_order_change()`);
    await q.query(`
      CREATE TRIGGER escalation_counts_on_order_delete AFTER DELETE ON work_orders
      FOR EACH ROW EXECUTE FUNCTION escalation_counts_on_order_change()`);
    for (const table of ['escalations', 'work_orders']) {
      await q.query(`
        CREATE TRIGGER escalation_counts_on_truncate AFTER TRUNCATE ON ${table}
        FOR EACH STATEMENT EXECUTE FUNCTION escalation_counts_on_truncate()`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER escalation_counts_on_truncate ON work_orders`);
    await q.query(`DROP TRIGGER escalation_counts_on_truncate ON escalations`);
    await q.query(`DROP TRIGGER escalation_counts_undated ON escalations`);
    await q.query(`DROP TRIGGER escalation_counts_on_order_delete ON work_orders`);
    await q.query(`DROP TRIGGER escalation_counts_on_category ON work_orders`);
    await q.query(`DROP TRIGGER escalation_counts_on_delete ON escalations`);
    await q.query(`DROP TRIGGER escalation_counts_on_update ON escalations`);
    await q.query(`DROP TRIGGER escalation_counts_on_insert ON escalations`);
    await q.query(`DROP FUNCTION escalation_counts_on_order_change()`);
    await q.query(`DROP FUNCTION escalation_counts_on_truncate()`);
    await q.query(`DROP FUNCTION escalation_counts_recount()`);
    await q.query(`DROP FUNCTION escalation_counts_undated()`);
    await q.query(`DROP FUNCTION escalation_counts_on_change()`);
    await q.query(`DROP FUNCTION escalation_counts_on_insert()`);
    await q.query(`DROP FUNCTION escalation_counts_fold()`);
    await q.query(`DROP FUNCTION escalation_counts_add(date, text, text, text, bigint)`);
    await q.query(`DROP TABLE escalation_count_changes`);
    await q.query(`DROP TABLE escalation_counts_monthly`);
    await q.query(`DROP TABLE escalation_counts_daily`);
    await q.query(`DROP INDEX escalations_uncounted_idx`);
    await q.query(`ALTER TABLE escalations DROP COLUMN fired_on`);
  }
}
