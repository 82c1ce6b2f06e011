/**
 * The worker's scheduled housekeeping on the real PostgreSQL: both jobs are registered with the
 * scheduler, the outbox keeps exactly the rows inside the retention, and the calendar's coverage
 * warning is logged once per day in the calendar's zone while its gauges follow every check.
 */
import { Writable } from 'node:stream';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { SchedulerRegistry } from '@nestjs/schedule';
import { DATA_SOURCE, createDataSource } from '@hotline/persistence';
import {
  APP_CONFIG,
  CLOCK,
  HANDLING_RULES,
  IngestionMetrics,
  LOGGER,
  createLogger,
  loadConfig,
  loadHandlingRules,
} from '@hotline/platform';
import { createFreshDatabase, type FreshDatabase } from '@hotline/testing';
import type { DataSource } from 'typeorm';
import { MaintenanceJobs } from './maintenance.jobs';
import { MaintenanceModule } from './maintenance.module';

const config = loadConfig({}, { OUTBOX_RETENTION_DAYS: '7', CALENDAR_PROVISIONAL_YEARS: '0' });
const rules = loadHandlingRules(config.files, config.calendar);

describe('maintenance jobs', () => {
  let db: FreshDatabase;
  let dataSource: DataSource;
  let now: Date;
  const lines: string[] = [];
  const metrics = new IngestionMetrics(false);

  beforeAll(async () => {
    db = await createFreshDatabase('maintenance');
    dataSource = createDataSource({ url: db.url, poolSize: 2 });
    await dataSource.initialize();
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  /** The jobs inside a Nest application, as the worker runs them. */
  async function startJobs() {
    const logger = createLogger(
      'info',
      'worker',
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          lines.push(...chunk.toString('utf8').trim().split('\n'));
          done();
        },
      }),
    );
    @Module({
      providers: [
        { provide: DATA_SOURCE, useValue: dataSource },
        { provide: HANDLING_RULES, useValue: rules },
        { provide: APP_CONFIG, useValue: config },
        { provide: CLOCK, useValue: () => now },
        { provide: LOGGER, useValue: logger },
        { provide: IngestionMetrics, useValue: metrics },
      ],
      exports: [DATA_SOURCE, HANDLING_RULES, APP_CONFIG, CLOCK, LOGGER, IngestionMetrics],
    })
    class Tokens {}
    @Module({ imports: [{ module: Tokens, global: true }, MaintenanceModule] })
    class Root {}
    const app = await NestFactory.createApplicationContext(Root, { logger: false });
    await app.init();
    return app;
  }

  const gauge = async (name: 'calendarDaysLeft' | 'officialCalendarDaysLeft') =>
    (await metrics[name].get()).values[0]?.value;

  it('registers both jobs, prunes only what the retention allows, warns once a day', async () => {
    // 2026-12-20 10:00 in Beijing: the official data (and, with no provisional years, the whole
    // coverage) ends 2026-12-31, eleven days on.
    now = new Date('2026-12-20T10:00:00+08:00');
    const app = await startJobs();
    try {
      const jobs = app.get(SchedulerRegistry).getCronJobs();
      expect([...jobs.keys()].sort()).toEqual(['calendar-coverage', 'outbox-retention']);

      // Started: the gauges are set and the warning logged.
      expect(await gauge('calendarDaysLeft')).toBe(11);
      expect(await gauge('officialCalendarDaysLeft')).toBe(11);
      const warnings = () =>
        lines.filter((line) => line.includes('the working calendar ends soon'));
      expect(warnings()).toHaveLength(1);

      const jobsInstance = app.get(MaintenanceJobs);
      // Later the same day (in Beijing): gauges follow, no second warning.
      now = new Date('2026-12-20T23:30:00+08:00');
      jobsInstance.checkCalendarCoverage();
      expect(warnings()).toHaveLength(1);
      // 00:30 the next day in Beijing (still 12-20 in UTC): a new day, a new warning.
      now = new Date('2026-12-21T00:30:00+08:00');
      jobsInstance.checkCalendarCoverage();
      expect(warnings()).toHaveLength(2);
      expect(await gauge('calendarDaysLeft')).toBe(10);

      // Outbox retention, 7 days: published 8 days ago goes; 6 days ago and unpublished stay.
      const day = 86_400_000;
      await dataSource.query(
        `INSERT INTO outbox (topic, message_key, payload, created_at, published_at) VALUES
           ('t', 'old', '{}', $1, $1), ('t', 'recent', '{}', $2, $2), ('t', 'pending', '{}', $1, NULL)`,
        [new Date(now.getTime() - 8 * day), new Date(now.getTime() - 6 * day)],
      );
      await jobsInstance.pruneOutbox();
      const kept = await dataSource.query<{ message_key: string }[]>(
        `SELECT message_key FROM outbox ORDER BY message_key`,
      );
      expect(kept.map((row) => row.message_key)).toEqual(['pending', 'recent']);
    } finally {
      await app.close();
    }
  });
});
