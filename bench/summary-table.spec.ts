import { summaryMarkdown, summaryRows, type Run } from './summary-table';

const ingestRun = (
  firstPerSecond: number,
  ceiling: number,
  orm: number,
  redelivery: number,
): Run => ({
  ingest: {
    p1: {
      eventsPerSecond: firstPerSecond,
      ceilingEventsPerSecond: ceiling,
      ratioToCeiling: firstPerSecond / ceiling,
      ratioToOrm: firstPerSecond / orm,
    },
    p2: { eventsPerSecond: redelivery, stateChanged: false },
    ormBaseline: { eventsPerSecond: orm },
  },
});

describe('the benchmark table', () => {
  it('shows the median run of each figure with the baseline of that same run, and the spread', () => {
    const runs = [
      ingestRun(21_000, 40_000, 300, 90_000),
      ingestRun(15_000, 36_000, 200, 70_000),
      ingestRun(18_000, 30_000, 250, 85_000),
    ];
    const [p1, p2] = summaryRows(runs);
    // Median first delivery: 18,000 (the third run), beside the third run's ceiling and ORM.
    expect(p1).toMatchObject({
      id: 'P1',
      figure: '18,000 events/s, 0.6 of the ceiling',
      spread: '15,000–21,000 events/s',
      ratio: '72×',
      met: 'met',
    });
    expect(p1!.baseline).toContain('COPY ceiling 30,000 events/s');
    expect(p1!.baseline).toContain('TypeORM save per message 250 events/s');
    // Median re-delivery: 85,000 (the third run again), which meets 80,000.
    expect(p2).toMatchObject({ figure: '85,000 events/s, state changed: false', met: 'met' });
  });

  it('shows the CPU per event of the median run beside P1, and of its ceiling, when measured', () => {
    const measured = ingestRun(12_000, 50_000, 160, 70_000);
    const p1 = measured['ingest']!['p1'] as Record<string, unknown>;
    p1['cpu'] = { workerMicroseconds: 98.6, postgresMicroseconds: 47.2 };
    p1['ceilingPostgresCpuMicroseconds'] = 35.4;
    const [row] = summaryRows([measured]);
    expect(row!.figure).toBe(
      '12,000 events/s, 0.24 of the ceiling; CPU per event: worker 99 µs, PostgreSQL 47 µs',
    );
    expect(row!.baseline).toBe(
      'COPY ceiling 50,000 events/s (PostgreSQL 35 µs CPU per event); TypeORM save per message 160 events/s',
    );
  });

  it.each([
    ['below half the ceiling', ingestRun(14_000, 30_000, 250, 90_000), 'MISSED'],
    ['under 50× the ORM', ingestRun(20_000, 30_000, 500, 90_000), 'MISSED'],
    ['at half the ceiling and 50× the ORM', ingestRun(15_000, 30_000, 300, 90_000), 'met'],
  ])('judges P1 %s', (_, run, verdict) => {
    expect(summaryRows([run])[0]!.met).toBe(verdict);
  });

  it('says a figure that was not measured is unknown, not met', () => {
    const rows = summaryRows([{}]);
    expect(rows.every((row) => row.met === '—')).toBe(true);
    expect(rows.find((row) => row.id === 'P4')!.figure).toBe('— ms');
  });

  it('adds the spread column only for several runs', () => {
    const one = summaryMarkdown(summaryRows([ingestRun(1, 2, 1, 1)]), 1).split('\n');
    const three = summaryMarkdown(summaryRows([{}, {}, {}]), 3).split('\n');
    expect(one[0]!.split('|').length).toBe(three[0]!.split('|').length - 1);
    expect(three[0]).toContain('median of 3 runs');
  });
});
