import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Statistics (domain.md §5): the per-day rollup the ingestion transaction maintains by fact
 * differences, the facts each order currently contributes (so a change is a diff against what is
 * stored, not a recompute of the old state), closed months with their frozen figures, and the
 * restatements a late event causes in a closed month.
 */
export class Statistics1732700000000 implements MigrationInterface {
  name = 'Statistics1732700000000';

  async up(q: QueryRunner): Promise<void> {
    // One count per (day in the calendar's zone, unit, category, measure). A report is a range
    // scan of the primary key's leading column: a month is ~31 × units × categories × measures rows.
    await q.query(`
      CREATE TABLE statistics_daily (
        day_on   date NOT NULL,
        unit_id  text NOT NULL,
        category text NOT NULL,
        measure  text NOT NULL,
        count    bigint NOT NULL,
        PRIMARY KEY (day_on, unit_id, category, measure)
      )`);
    // Every ingestion transaction updates a handful of these rows in place.
    await q.query(
      `ALTER TABLE statistics_daily SET (fillfactor = 80, autovacuum_vacuum_scale_factor = 0.05, autovacuum_analyze_scale_factor = 0.02)`,
    );
    // The facts the rollup counts for the order, as [dayOn, unitId, category, measure] tuples
    // (compact: the row is hot). NULL: nothing counted yet.
    await q.query(`ALTER TABLE work_orders ADD COLUMN facts jsonb`);
    await q.query(`
      CREATE TABLE statistics_months (
        month     text PRIMARY KEY CHECK (month ~ '^[0-9]{4}-(0[1-9]|1[0-2])$'),
        closed_at timestamptz NOT NULL,
        closed_by text NOT NULL,
        figures   jsonb NOT NULL,
        formula   jsonb NOT NULL
      )`);
    await q.query(`
      CREATE TABLE statistics_restatements (
        id            bigserial PRIMARY KEY,
        month         text NOT NULL REFERENCES statistics_months (month),
        work_order_id text NOT NULL,
        measure       text NOT NULL,
        unit_id       text NOT NULL,
        category      text NOT NULL,
        delta         integer NOT NULL CHECK (delta <> 0),
        cause         text NOT NULL,
        at            timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(
      `CREATE INDEX statistics_restatements_month_idx ON statistics_restatements (month, id)`,
    );
    // Escalations by kind in a period are counted by fired_at.
    await q.query(`CREATE INDEX escalations_fired_idx ON escalations (fired_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP INDEX escalations_fired_idx`);
    await q.query(`DROP TABLE statistics_restatements`);
    await q.query(`DROP TABLE statistics_months`);
    await q.query(`ALTER TABLE work_orders DROP COLUMN facts`);
    await q.query(`DROP TABLE statistics_daily`);
  }
}
