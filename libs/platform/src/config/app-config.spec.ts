import { ConfigError, loadConfig } from './app-config';

/** The variables named by the ConfigError loadConfig throws for `env`; fails when it accepts it. */
function refusedNames(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as ConfigError).problems.map((p) => p.split(':')[0]!);
  }
  throw new Error('accepted');
}

describe('the watermark settings', () => {
  it('default to a minute of lateness, 100 events, live within 10 minutes, idle after 5', () => {
    expect(loadConfig({}).supervision.watermark).toEqual({
      latenessMs: 60_000,
      windowEvents: 100,
      liveWithinMs: 600_000,
      idleAfterMs: 300_000,
    });
  });

  it('are read from WATERMARK_*', () => {
    const config = loadConfig({
      WATERMARK_LATENESS_MS: '0',
      WATERMARK_WINDOW_EVENTS: '20',
      WATERMARK_LIVE_WITHIN_MS: '0',
      WATERMARK_IDLE_MS: '1500',
    });
    expect(config.supervision.watermark).toEqual({
      latenessMs: 0,
      windowEvents: 20,
      liveWithinMs: 0,
      idleAfterMs: 1500,
    });
  });

  it('list every invalid one at once', () => {
    expect(
      refusedNames({
        WATERMARK_LATENESS_MS: '-1',
        WATERMARK_WINDOW_EVENTS: '0',
        WATERMARK_LIVE_WITHIN_MS: 'soon',
        WATERMARK_IDLE_MS: '0',
      }),
    ).toEqual([
      'WATERMARK_LATENESS_MS',
      'WATERMARK_WINDOW_EVENTS',
      'WATERMARK_LIVE_WITHIN_MS',
      'WATERMARK_IDLE_MS',
    ]);
  });
});

describe('the ingestion settings', () => {
  it('default to 5,000 messages per transaction, 2 partitions at once, 4 MiB per partition', () => {
    expect(loadConfig({}).ingest).toEqual({
      maxBatchEvents: 5000,
      partitionsConcurrently: 2,
      maxBytesPerPartition: 4 * 1024 * 1024,
    });
  });

  it('are read from INGEST_*', () => {
    const config = loadConfig({
      INGEST_MAX_BATCH_EVENTS: '1000',
      INGEST_PARTITIONS_CONCURRENTLY: '3',
      INGEST_MAX_BYTES_PER_PARTITION: '1048576',
    });
    expect(config.ingest).toEqual({
      maxBatchEvents: 1000,
      partitionsConcurrently: 3,
      maxBytesPerPartition: 1_048_576,
    });
  });

  it('refuse a fetch above the 10 MiB a fetch brings in all', () => {
    expect(() =>
      loadConfig({ INGEST_MAX_BYTES_PER_PARTITION: String(10 * 1024 * 1024) }),
    ).not.toThrow();
    expect(refusedNames({ INGEST_MAX_BYTES_PER_PARTITION: String(10 * 1024 * 1024 + 1) })).toEqual([
      'INGEST_MAX_BYTES_PER_PARTITION',
    ]);
  });

  it('refuse a fetch smaller than 64 KiB and a count that is not a positive integer', () => {
    expect(
      refusedNames({ INGEST_MAX_BATCH_EVENTS: '0', INGEST_MAX_BYTES_PER_PARTITION: '65535' }),
    ).toEqual(['INGEST_MAX_BATCH_EVENTS', 'INGEST_MAX_BYTES_PER_PARTITION']);
  });
});

describe('the calendar and clock settings', () => {
  it('run the calendar four provisional years past its official data, on the system clock', () => {
    const config = loadConfig({});
    expect(config.calendar).toEqual({ provisionalYears: 4 });
    expect(config.clockStartAt).toBeUndefined();
  });

  it('are read from CALENDAR_PROVISIONAL_YEARS and CLOCK_START_AT', () => {
    const config = loadConfig({
      CALENDAR_PROVISIONAL_YEARS: '0',
      CLOCK_START_AT: '2027-01-08T09:00:00+08:00',
    });
    expect(config.calendar).toEqual({ provisionalYears: 0 });
    expect(config.clockStartAt).toEqual(new Date('2027-01-08T01:00:00Z'));
  });

  it('list every invalid one at once', () => {
    expect(refusedNames({ CALENDAR_PROVISIONAL_YEARS: '21', CLOCK_START_AT: 'new year' })).toEqual([
      'CALENDAR_PROVISIONAL_YEARS',
      'CLOCK_START_AT',
    ]);
  });
});

describe('the clock of a year-end drill', () => {
  it('starts where CLOCK_START_AT says, outside production', () => {
    expect(loadConfig({ CLOCK_START_AT: '2026-12-31T23:00:00+08:00' }).clockStartAt).toEqual(
      new Date('2026-12-31T15:00:00Z'),
    );
  });

  it('is refused with NODE_ENV=production', () => {
    expect(() =>
      loadConfig({
        NODE_ENV: 'production',
        JWT_SECRET: 'a-production-secret-of-at-least-32-characters',
        CLOCK_START_AT: '2026-12-31T23:00:00+08:00',
      }),
    ).toThrow(/CLOCK_START_AT: a shifted clock is for drills and tests only/);
  });
});
