/**
 * P3/P4: escalation lateness, from a due instant to its escalation committed, with one million
 * open orders in the table; and a burst of 10,000 deadlines at the same instant. Beside them, the
 * naive way of finding what is due (a full scan instead of the partial index), in the same run.
 *
 *   npm run bench:escalation      (BENCH_OPEN_ORDERS=1000000, BENCH_RATE_SECONDS=20, BENCH_BURST=10000)
 */
import { writeResult } from './bench-result';
import { fillOpenOrders } from './fixtures';
import {
  DEFAULT_SUPERVISION_POLICY,
  DEFAULT_WATERMARK_POLICY,
  emptyPartitionClock,
  escalationKey,
  observeChunk,
  type WorkOrderEvent,
} from '@hotline/core';
import {
  appendEvents,
  confirmPartitionsRead,
  createDataSource,
  escalationIdOf,
  migrate,
  savePartitionClock,
  withTransaction,
} from '@hotline/persistence';
import {
  loadConfig,
  loadHandlingRules,
  loadOrganisation,
  recipientsResolver,
} from '@hotline/platform';
import { createFreshDatabase } from '@hotline/testing';
import type { DataSource } from 'typeorm';
import { DueInstantsSweeper } from '../apps/worker/src/supervision/due-instants.sweeper';
import { projectWorkOrder } from '../apps/worker/src/ingestion/project-work-order';
import { upsertWorkOrders } from '@hotline/persistence';

const OPEN_ORDERS = Number(process.env.BENCH_OPEN_ORDERS ?? 1_000_000);
const RATE_SECONDS = Number(process.env.BENCH_RATE_SECONDS ?? 20);
const RATE_PER_SECOND = 100;
const BURST = Number(process.env.BENCH_BURST ?? 10_000);
const TOPIC = 'bench.events';
const config = loadConfig();
const rules = loadHandlingRules(config.files);
// Orders claimed per sweep transaction (the worker's SWEEP_BATCH).
const SWEEP_BATCH = Number(process.env.BENCH_SWEEP_BATCH ?? config.supervision.sweepBatch);
const settings = {
  escalationsTopic: 'bench.escalations',
  policy: DEFAULT_SUPERVISION_POLICY,
  recipients: recipientsResolver(loadOrganisation(config.files.organisation)),
  // Lateness measured from the due instant itself: the live watermark is the wall clock.
  watermark: { ...DEFAULT_WATERMARK_POLICY, latenessMs: 0 },
};

const out = (line = '') => process.stdout.write(`${line}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/**
 * Orders that become due at the given instants: a life-safety dispatch 15 minutes before, never
 * accepted, so `accept_overdue` falls exactly on the instant.
 */
async function addDueOrders(ds: DataSource, prefix: string, dueAt: Date[]): Promise<void> {
  for (let i = 0; i < dueAt.length; i += 2000) {
    const slice = dueAt.slice(i, i + 2000);
    await withTransaction(ds, async (runner) => {
      const events: WorkOrderEvent[] = slice.map((due, j) => ({
        eventId: `${prefix}-${i + j}`,
        type: 'dispatched',
        workOrderId: `${prefix}${String(i + j).padStart(7, '0')}`,
        occurredAt: new Date(due.getTime() - 15 * 60_000).toISOString(),
        sequence: 1,
        data: { unitId: 'teda-enforcement', category: 'help', urgency: 'life_safety' },
      }));
      await appendEvents(
        runner,
        events.map((event) => ({ event, topic: TOPIC, partition: 0, offset: '0' })),
      );
      const projections = events.map((event) =>
        projectWorkOrder(event.workOrderId, [event], {
          calendar: rules.calendar,
          profile: rules.profile,
        }),
      );
      await upsertWorkOrders(
        runner,
        projections.map(({ record }) => ({
          ...record,
          // Warnings are already past: the next instant the sweep looks at is the deadline itself.
          nextDueAt: record.acceptDueAt,
          sourcePartition: 0,
        })),
      );
      // The warnings as the worker fired them (same key, id and instants) and acknowledged.
      const warnings = projections.map(({ record, deadlines }) => {
        const key = escalationKey(record.workOrderId, 'accept_warning', 1, 0);
        return {
          id: escalationIdOf(key),
          key,
          order: record.workOrderId,
          due: deadlines?.accept?.dueAt,
          warned: deadlines?.accept?.warningAt,
        };
      });
      await runner.query(
        `INSERT INTO escalations (escalation_id, escalation_key, work_order_id, unit_id, kind, segment, round, level,
                                  status, reason, due_at, fired_at, level_changed_at, acknowledged_at, recipients)
         SELECT w.id, w.key, w.work_order_id, 'teda-enforcement', 'accept_warning', 1, 0, 1,
                'acknowledged', 'bench', w.due_at, w.fired_at, w.fired_at, w.fired_at, '[]'::jsonb
           FROM jsonb_to_recordset($1::jsonb)
             AS w(id uuid, key text, work_order_id text, due_at timestamptz, fired_at timestamptz)`,
        [
          JSON.stringify(
            warnings.map((w) => ({
              id: w.id,
              key: w.key,
              work_order_id: w.order,
              due_at: w.due,
              fired_at: w.warned,
            })),
          ),
        ],
      );
    });
  }
}

/** Runs the sweep loop until `done()`; records each overdue escalation's lateness at commit. */
async function sweepUntil(
  ds: DataSource,
  sweeper: DueInstantsSweeper,
  done: () => boolean,
  lateness: number[],
  idleMs: number,
  deadlineMs: number,
): Promise<void> {
  while (!done() && Date.now() < deadlineMs) {
    // As the worker's read confirmations do: the live partition has been read to its end.
    await confirmPartitionsRead(ds, TOPIC, [0], new Date());
    const outcome = await sweeper.sweep(new Date());
    const committed = Date.now();
    for (const firedAt of outcome.firedAt) {
      const late = committed - firedAt.getTime();
      if (late < 600_000) lateness.push(late);
    }
    if (outcome.claimed === 0) await sleep(idleMs);
  }
}

async function timeQuery(
  ds: DataSource,
  sql: string,
  params: unknown[],
  runs: number,
): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < runs; i += 1) {
    const start = process.hrtime.bigint();
    await ds.query(sql, params);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

async function main(): Promise<void> {
  const db = await createFreshDatabase('hotline_bench_esc');
  const ds = createDataSource({ url: db.url, poolSize: 4 });
  await ds.initialize();
  try {
    await migrate(ds);
    // A live partition: its one event was received as it happened, so the wall clock drives it.
    const liveSince = Date.now();
    await withTransaction(ds, (runner) =>
      savePartitionClock(
        runner,
        TOPIC,
        0,
        observeChunk(
          emptyPartitionClock(),
          { occurredMs: [liveSince], receivedMs: liveSince, caughtUp: true },
          settings.watermark,
        ),
      ),
    );
    const fillStart = Date.now();
    await fillOpenOrders(ds, OPEN_ORDERS);
    out(`filled ${OPEN_ORDERS} open orders in ${((Date.now() - fillStart) / 1000).toFixed(1)} s`);

    // Finding what is due: the sweep's indexed claim versus a full scan, same table, same instant.
    const findDue = `SELECT work_order_id FROM work_orders WHERE next_due_at IS NOT NULL AND next_due_at <= $1
                      ORDER BY next_due_at LIMIT 500`;
    const indexedMs = await timeQuery(ds, findDue, [new Date()], 21);
    await ds.query('SET enable_indexscan = off');
    await ds.query('SET enable_bitmapscan = off');
    const scanMs = await timeQuery(ds, findDue, [new Date()], 5);
    await ds.query('RESET enable_indexscan');
    await ds.query('RESET enable_bitmapscan');

    const sweeper = new DueInstantsSweeper(ds, rules, settings, TOPIC, SWEEP_BATCH);

    // P3: 100 deadlines a second for RATE_SECONDS seconds, starting in 3 seconds.
    const start = Date.now() + 3000;
    const rateDue = Array.from(
      { length: RATE_PER_SECOND * RATE_SECONDS },
      (_, i) => new Date(start + i * 10),
    );
    await addDueOrders(ds, 'RATE', rateDue);
    const rateLateness: number[] = [];
    const rateEnd = start + RATE_SECONDS * 1000 + 3000;
    await sweepUntil(
      ds,
      sweeper,
      () => rateLateness.length >= rateDue.length,
      rateLateness,
      20,
      rateEnd,
    );
    rateLateness.sort((a, b) => a - b);

    // P4: 10,000 deadlines at the same instant.
    const burstAt = new Date(Date.now() + 4000);
    await addDueOrders(
      ds,
      'BURST',
      Array.from({ length: BURST }, () => burstAt),
    );
    const burstLateness: number[] = [];
    await sleep(Math.max(0, burstAt.getTime() - Date.now()));
    await sweepUntil(
      ds,
      sweeper,
      () => burstLateness.length >= BURST,
      burstLateness,
      20,
      Date.now() + 60_000,
    );
    burstLateness.sort((a, b) => a - b);
    const burstAll = burstLateness[burstLateness.length - 1] ?? NaN;

    const results = {
      openOrders: OPEN_ORDERS,
      findDue: { indexedMs, fullScanMs: scanMs, ratio: scanMs / indexedMs },
      p3: {
        deadlines: rateDue.length,
        escalated: rateLateness.length,
        p50Ms: percentile(rateLateness, 50),
        p99Ms: percentile(rateLateness, 99),
        maxMs: rateLateness[rateLateness.length - 1],
        targetP99Ms: 1000,
      },
      p4: {
        deadlines: BURST,
        escalated: burstLateness.length,
        allEscalatedMs: burstAll,
        p50Ms: percentile(burstLateness, 50),
        targetMs: 3000,
      },
    };
    out('');
    out('| measure | figure | baseline | ratio | target |');
    out('|---|---:|---:|---:|---|');
    out(
      `| find due orders among ${OPEN_ORDERS} open (median) | ${indexedMs.toFixed(2)} ms (partial index) | ${scanMs.toFixed(1)} ms (full scan) | ${(scanMs / indexedMs).toFixed(0)}× | |`,
    );
    out(
      `| P3 lateness at ${RATE_PER_SECOND} deadlines/s (${rateLateness.length}/${rateDue.length}) | p50 ${results.p3.p50Ms} ms, p99 ${results.p3.p99Ms} ms | a full-scan poll alone takes ${scanMs.toFixed(0)} ms | | p99 ≤ 1,000 ms |`,
    );
    out(
      `| P4 ${BURST} deadlines at one instant (${burstLateness.length} escalated) | all within ${burstAll} ms (p50 ${results.p4.p50Ms} ms) | | | ≤ 3,000 ms |`,
    );
    out(`\nwritten ${writeResult('escalation', results)}`);
  } finally {
    await ds.destroy();
    await db.drop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${String((error as Error).stack ?? error)}\n`);
  process.exit(1);
});
