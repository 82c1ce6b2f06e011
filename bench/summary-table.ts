/**
 * The benchmarks' one table: each figure beside its naive baseline from the same run, its target
 * (the project's performance targets, P1–P8, named here once) and whether it is met. With several
 * runs, each row is the run whose figure is the median, so the baseline beside it is that run's,
 * and the spread (lowest–highest over the runs) is shown next to it.
 */
export type Json = Record<string, unknown>;
/** One run of every benchmark: `bench-results/<name>.json` by name (`ingest`, `escalation`, …). */
export type Run = Record<string, Json | null>;

function valueAt(json: Json | null | undefined, path: string): unknown {
  let value: unknown = json;
  for (const key of path.split('.')) value = (value as Json | null | undefined)?.[key];
  return value;
}

export function at(json: Json | null | undefined, path: string): number | null {
  const value = valueAt(json, path);
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** A text or boolean field of a result, as shown in the table. */
function field(json: Json | null | undefined, path: string, otherwise: string): string {
  const value = valueAt(json, path);
  return typeof value === 'string' || typeof value === 'boolean' ? String(value) : otherwise;
}

const n = (value: number | null, digits = 0, unit = '') =>
  value === null
    ? '—'
    : `${value.toLocaleString('en-US', { maximumFractionDigits: digits })}${unit}`;

interface RowSpec {
  id: string;
  measure: string;
  /** The figure the median and the spread are taken over. */
  key: (run: Run) => number | null;
  unit: string;
  digits?: number;
  figure: (run: Run) => string;
  baseline: (run: Run) => string;
  ratio: (run: Run) => number | null;
  target: string;
  met: (run: Run) => boolean | null;
}

const ifAll = (values: (number | null)[], test: (...v: number[]) => boolean): boolean | null =>
  values.some((v) => v === null) ? null : test(...(values as number[]));

const ROWS: RowSpec[] = [
  {
    id: 'P1',
    measure: 'ingest, topic → PostgreSQL, first delivery',
    key: (r) => at(r['ingest'], 'p1.eventsPerSecond'),
    unit: ' events/s',
    figure: (r) => {
      const [worker, postgres] = [
        at(r['ingest'], 'p1.cpu.workerMicroseconds'),
        at(r['ingest'], 'p1.cpu.postgresMicroseconds'),
      ];
      const cpu =
        worker === null || postgres === null
          ? ''
          : `; CPU per event: worker ${n(worker)} µs, PostgreSQL ${n(postgres)} µs`;
      return `${n(at(r['ingest'], 'p1.eventsPerSecond'))} events/s, ${n(at(r['ingest'], 'p1.ratioToCeiling'), 2)} of the ceiling${cpu}`;
    },
    baseline: (r) => {
      const postgres = at(r['ingest'], 'p1.ceilingPostgresCpuMicroseconds');
      const cpu = postgres === null ? '' : ` (PostgreSQL ${n(postgres)} µs CPU per event)`;
      return `COPY ceiling ${n(at(r['ingest'], 'p1.ceilingEventsPerSecond'))} events/s${cpu}; TypeORM save per message ${n(at(r['ingest'], 'ormBaseline.eventsPerSecond'))} events/s`;
    },
    ratio: (r) => at(r['ingest'], 'p1.ratioToOrm'),
    target: '≥ 50% of the COPY ceiling, ≥ 50× the ORM',
    met: (r) =>
      ifAll(
        [at(r['ingest'], 'p1.ratioToCeiling'), at(r['ingest'], 'p1.ratioToOrm')],
        (ceiling, orm) => ceiling >= 0.5 && orm >= 50,
      ),
  },
  {
    id: 'P2',
    measure: 're-delivery of applied events',
    key: (r) => at(r['ingest'], 'p2.eventsPerSecond'),
    unit: ' events/s',
    figure: (r) =>
      `${n(at(r['ingest'], 'p2.eventsPerSecond'))} events/s, state changed: ${field(r['ingest'], 'p2.stateChanged', '—')}`,
    baseline: (r) => `${n(at(r['ingest'], 'ormBaseline.eventsPerSecond'))} events/s (the ORM)`,
    ratio: (r) => {
      const [p2, orm] = [
        at(r['ingest'], 'p2.eventsPerSecond'),
        at(r['ingest'], 'ormBaseline.eventsPerSecond'),
      ];
      return p2 !== null && orm ? p2 / orm : null;
    },
    target: '≥ 80,000/s, no state change',
    met: (r) =>
      ifAll(
        [at(r['ingest'], 'p2.eventsPerSecond')],
        (p2) =>
          p2 >= 80_000 && (r['ingest']?.['p2'] as Json | undefined)?.['stateChanged'] === false,
      ),
  },
  {
    id: 'P3',
    measure: 'escalation lateness p99, 1 M open, 100/s',
    key: (r) => at(r['escalation'], 'p3.p99Ms'),
    unit: ' ms',
    figure: (r) =>
      `p99 ${n(at(r['escalation'], 'p3.p99Ms'))} ms (p50 ${n(at(r['escalation'], 'p3.p50Ms'))} ms)`,
    baseline: (r) =>
      `finding due orders by full scan ${n(at(r['escalation'], 'findDue.fullScanMs'), 1)} ms vs ${n(at(r['escalation'], 'findDue.indexedMs'), 2)} ms indexed`,
    ratio: (r) => at(r['escalation'], 'findDue.ratio'),
    target: 'p99 ≤ 100 ms',
    met: (r) => ifAll([at(r['escalation'], 'p3.p99Ms')], (p99) => p99 <= 100),
  },
  {
    id: 'P4',
    measure: '10,000 deadlines at one instant, committed and on the topic',
    key: (r) => at(r['escalation'], 'p4.allEscalatedMs'),
    unit: ' ms',
    figure: (r) => `${n(at(r['escalation'], 'p4.allEscalatedMs'))} ms`,
    baseline: (r) => {
      const naive = at(r['escalation'], 'p4.naive.scaledToBurstMs');
      return naive === null
        ? ''
        : `${n(naive)} ms one escalation per transaction (${n(at(r['escalation'], 'p4.naive.deadlines'))} measured, scaled)`;
    },
    ratio: (r) => at(r['escalation'], 'p4.naive.ratio'),
    target: '≤ 1,000 ms',
    met: (r) => ifAll([at(r['escalation'], 'p4.allEscalatedMs')], (p4) => p4 <= 1000),
  },
  {
    id: 'P5',
    measure: "one month's statistics as served, 10 M orders (warm)",
    key: (r) => at(r['statistics'], 'p5.rollupMs'),
    unit: ' ms',
    digits: 1,
    figure: (r) =>
      `${n(at(r['statistics'], 'p5.rollupMs'), 1)} ms: rollup ${n(at(r['statistics'], 'p5.parts.rollupMs'), 1)}, escalations ${n(at(r['statistics'], 'p5.parts.escalationsMs'))}, overdue ${n(at(r['statistics'], 'p5.parts.overdueMs'))}`,
    baseline: (r) => `${n(at(r['statistics'], 'p5.fullScanMs'))} ms (full scan)`,
    ratio: (r) => at(r['statistics'], 'p5.ratio'),
    target: '≤ 20 ms, ≥ 25×',
    met: (r) =>
      ifAll(
        [at(r['statistics'], 'p5.rollupMs'), at(r['statistics'], 'p5.ratio')],
        (ms, ratio) => ms <= 20 && ratio >= 25,
      ),
  },
  {
    id: 'P6',
    measure: 'worker resident memory, 1 M open orders',
    key: (r) => at(r['memory'], 'p6.workerRssMb'),
    unit: ' MB',
    figure: (r) => `${n(at(r['memory'], 'p6.workerRssMb'))} MB`,
    baseline: (r) => `${n(at(r['memory'], 'p6.baselineRssMb'))} MB (a timer per order)`,
    ratio: (r) => {
      const [p6, base] = [at(r['memory'], 'p6.workerRssMb'), at(r['memory'], 'p6.baselineRssMb')];
      return p6 && base !== null ? base / p6 : null;
    },
    target: '≤ 256 MB',
    met: (r) => ifAll([at(r['memory'], 'p6.workerRssMb')], (mb) => mb <= 256),
  },
  {
    id: 'P7',
    measure: 'supervisor API at 50 requests/s (list, detail, escalations)',
    key: (r) => at(r['api'], 'p7.overall.p95Ms'),
    unit: ' ms',
    digits: 1,
    figure: (r) => `p95 ${n(at(r['api'], 'p7.overall.p95Ms'), 1)} ms`,
    baseline: (r) =>
      `${n(at(r['api'], 'p7.baseline.p95Ms'), 1)} ms (list without the read indexes)`,
    ratio: (r) => {
      const [p7, base] = [at(r['api'], 'p7.overall.p95Ms'), at(r['api'], 'p7.baseline.p95Ms')];
      return p7 && base !== null ? base / p7 : null;
    },
    target: 'p95 ≤ 20 ms',
    met: (r) => ifAll([at(r['api'], 'p7.overall.p95Ms')], (p95) => p95 <= 20),
  },
  {
    id: 'P8',
    measure: 'notice: escalation message → request at the channel, below its rate limit',
    key: (r) => at(r['notifications'], 'steady.latencyP99Ms'),
    unit: ' ms',
    figure: (r) =>
      `p99 ${n(at(r['notifications'], 'steady.latencyP99Ms'))} ms (p50 ${n(at(r['notifications'], 'steady.latencyP50Ms'))} ms) at ${n(at(r['notifications'], 'steady.perSecond'))}/s; a burst drains at ${n(at(r['notifications'], 'webhook.deliveriesPerSecond'))}/s`,
    baseline: (r) =>
      `robot's busiest minute: ${n(at(r['notifications'], 'robot.busiestMinuteRequests'))} requests (limit ${n(at(r['notifications'], 'robot.limitPerMinute'))})`,
    ratio: () => null,
    target: 'p99 ≤ 1,000 ms, within the rate limit',
    met: (r) =>
      ifAll(
        [
          at(r['notifications'], 'steady.latencyP99Ms'),
          at(r['notifications'], 'robot.busiestMinuteRequests'),
          at(r['notifications'], 'robot.limitPerMinute'),
        ],
        (p99, busiest, limit) => p99 <= 1000 && busiest <= limit,
      ),
  },
  {
    id: '—',
    measure: 'deadlines computed for 1 M orders',
    key: (r) => at(r['deadlines'], 'deadlines.ordersPerSecond'),
    unit: ' orders/s',
    figure: (r) => `${n(at(r['deadlines'], 'deadlines.ordersPerSecond'))} orders/s`,
    baseline: () => '',
    ratio: () => null,
    target: '',
    met: () => null,
  },
];

export interface SummaryRow {
  id: string;
  measure: string;
  figure: string;
  /** Lowest–highest of the figure over the runs (empty for one run). */
  spread: string;
  baseline: string;
  ratio: string;
  target: string;
  met: 'met' | 'MISSED' | '—';
}

function medianRun(runs: Run[], key: (run: Run) => number | null): Run | undefined {
  const measured = runs
    .map((run) => ({ run, value: key(run) }))
    .filter((m): m is { run: Run; value: number } => m.value !== null)
    .sort((a, b) => a.value - b.value);
  // The lower median for an even count: a figure that was measured, not an average of two.
  return measured[Math.floor((measured.length - 1) / 2)]?.run ?? runs[0];
}

/** The rows of the table over one or more runs of every benchmark. */
export function summaryRows(runs: Run[]): SummaryRow[] {
  return ROWS.map((spec) => {
    const run = medianRun(runs, spec.key) ?? {};
    const values = runs.map(spec.key).filter((v): v is number => v !== null);
    const met = spec.met(run);
    const ratio = spec.ratio(run);
    return {
      id: spec.id,
      measure: spec.measure,
      figure: spec.figure(run),
      spread:
        values.length > 1
          ? `${n(Math.min(...values), spec.digits ?? 0)}–${n(Math.max(...values), spec.digits ?? 0, spec.unit)}`
          : '',
      baseline: spec.baseline(run),
      ratio: ratio === null ? '' : `${n(ratio, 1)}×`,
      target: spec.target,
      met: met === null ? '—' : met ? 'met' : 'MISSED',
    };
  });
}

/** The table as Markdown (what `npm run bench` prints and writes into the README). */
export function summaryMarkdown(rows: SummaryRow[], runs: number): string {
  const header =
    runs > 1
      ? `| # | measure | figure (median of ${runs} runs) | spread | naive baseline, same run | ratio | target | |`
      : '| # | measure | figure | naive baseline, same run | ratio | target | |';
  const lines = [
    header,
    runs > 1 ? '|---|---|---|---|---|---:|---|---|' : '|---|---|---|---|---:|---|---|',
  ];
  for (const row of rows) {
    const cells = [row.id, row.measure, row.figure];
    if (runs > 1) cells.push(row.spread);
    cells.push(row.baseline, row.ratio, row.target, row.met);
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}
