import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The rollup summed per month (P5): a month's statistics read its units × categories × measures
 * rows from `statistics_monthly` instead of summing ~31 times as many daily rows.
 *
 * Kept by statement-level triggers on `statistics_daily`, so every writer of the daily rollup
 * (the ingestion transaction, a recompute, a restatement) moves the month by the same difference
 * in the same transaction, and no writer has to know about it. Each trigger adds the statement's
 * new counts minus its old ones, grouped per month key and upserted in key order: the daily
 * upsert locks its rows in key order first, so two transactions cannot deadlock on the months.
 */
export class StatisticsMonthly1733700000000 implements MigrationInterface {
  name = 'StatisticsMonthly1733700000000';

  async up(q: QueryRunner): Promise<void> {
    // `month_on`: the month's first day (what the read reports as the rows' day).
    await q.query(`
      CREATE TABLE statistics_monthly (
        month_on date NOT NULL CHECK (extract(day FROM month_on) = 1),
        unit_id  text NOT NULL,
        category text NOT NULL,
        measure  text NOT NULL,
        count    bigint NOT NULL,
        PRIMARY KEY (month_on, unit_id, category, measure)
      )`);
    // Every ingestion transaction updates a handful of these rows in place.
    await q.query(
      `ALTER TABLE statistics_monthly SET (fillfactor = 80, autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.02)`,
    );
    // One function for the three triggers: PL/pgSQL plans a branch's statement when it first
    // runs, so a branch naming a transition table its trigger lacks is never planned.
    await q.query(`
      CREATE FUNCTION statistics_monthly_apply() RETURNS trigger LANGUAGE plpgsql AS $fn$
      BEGIN
        IF TG_OP = 'INSERT' THEN
          INSERT INTO statistics_monthly AS m (month_on, unit_id, category, measure, count)
          SELECT date_trunc('month', d.day_on)::date, d.unit_id, d.category, d.measure, sum(d.count)
            FROM daily_new d
           GROUP BY 1, 2, 3, 4
           ORDER BY 1, 2, 3, 4
          ON CONFLICT (month_on, unit_id, category, measure)
          DO UPDATE SET count = m.count + EXCLUDED.count;
        ELSIF TG_OP = 'UPDATE' THEN
          INSERT INTO statistics_monthly AS m (month_on, unit_id, category, measure, count)
          SELECT date_trunc('month', d.day_on)::date, d.unit_id, d.category, d.measure, sum(d.count)
            FROM (SELECT day_on, unit_id, category, measure, count FROM daily_new
                  UNION ALL
                  SELECT day_on, unit_id, category, measure, -count FROM daily_old) d
           GROUP BY 1, 2, 3, 4
          HAVING sum(d.count) <> 0
           ORDER BY 1, 2, 3, 4
          ON CONFLICT (month_on, unit_id, category, measure)
          DO UPDATE SET count = m.count + EXCLUDED.count;
        ELSE
          INSERT INTO statistics_monthly AS m (month_on, unit_id, category, measure, count)
          SELECT date_trunc('month', d.day_on)::date, d.unit_id, d.category, d.measure, -sum(d.count)
            FROM daily_old d
           GROUP BY 1, 2, 3, 4
          HAVING sum(d.count) <> 0
           ORDER BY 1, 2, 3, 4
          ON CONFLICT (month_on, unit_id, category, measure)
          DO UPDATE SET count = m.count + EXCLUDED.count;
        END IF;
        RETURN NULL;
      END
      $fn$`);
    // Transition tables allow one event per trigger. For INSERT … ON CONFLICT DO UPDATE the
    // inserted rows reach the INSERT trigger and the updated ones the UPDATE trigger.
    await q.query(`
      CREATE TRIGGER statistics_monthly_on_insert AFTER INSERT ON statistics_daily
      REFERENCING NEW TABLE AS daily_new
      FOR EACH STATEMENT EXECUTE FUNCTION statistics_monthly_apply()`);
    await q.query(`
      CREATE TRIGGER statistics_monthly_on_update AFTER UPDATE ON statistics_daily
      REFERENCING OLD TABLE AS daily_old NEW TABLE AS daily_new
      FOR EACH STATEMENT EXECUTE FUNCTION statistics_monthly_apply()`);
    await q.query(`
      CREATE TRIGGER statistics_monthly_on_delete AFTER DELETE ON statistics_daily
      REFERENCING OLD TABLE AS daily_old
      FOR EACH STATEMENT EXECUTE FUNCTION statistics_monthly_apply()`);
    // A month has a row for every key the daily rollup has in it (zero counts too), as the sum
    // of the days would. The months so far, read under a lock that lets no daily write in between (the triggers
    // count every write after it; this transaction commits the sum before any of them).
    await q.query(`LOCK TABLE statistics_daily IN SHARE MODE`);
    await q.query(`
      INSERT INTO statistics_monthly (month_on, unit_id, category, measure, count)
      SELECT date_trunc('month', day_on)::date, unit_id, category, measure, sum(count)
        FROM statistics_daily
       GROUP BY 1, 2, 3, 4`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TRIGGER statistics_monthly_on_delete ON statistics_daily`);
    await q.query(`DROP TRIGGER statistics_monthly_on_update ON statistics_daily`);
    await q.query(`DROP TRIGGER statistics_monthly_on_insert ON statistics_daily`);
    await q.query(`DROP FUNCTION statistics_monthly_apply()`);
    await q.query(`DROP TABLE statistics_monthly`);
  }
}
