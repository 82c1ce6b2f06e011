/**
 * The sweep: orders whose next due instant has passed their partition's event-time watermark are
 * claimed in batches (FOR UPDATE SKIP LOCKED: replicas share the work), re-decided by the pure
 * core, and their escalations, outbox messages and next due instants written in one transaction.
 * No timer per order: one indexed query finds what is due.
 */
import {
  applyEscalationChanges,
  claimDueOrders,
  loadEscalations,
  loadEvents,
  nextSweepAt,
  NO_CHANGES,
  planForIndexLookups,
  setNextDueAt,
  withTransaction,
  type AppliedChanges,
} from '@hotline/persistence';
import type { HandlingRules } from '@hotline/platform';
import type { DataSource } from 'typeorm';
import type { SupervisionSettings } from '../ingestion/ingest-batch.service';
import { pinnedProjectionRules, projectForSupervision } from '../ingestion/project-work-order';
import { superviseOrders } from './supervise-orders';

export interface SweepOutcome extends AppliedChanges {
  claimed: number;
  /** The due instants of the escalations created: the caller measures lateness after the commit. */
  firedAt: Date[];
  /**
   * With fewer claimed than the batch (nothing more due now): when to look again, at the earliest
   * (the next due instant as the watermark will reach it); null: nothing is scheduled.
   */
  lookAgainAt: Date | null;
  /** Wall-clock milliseconds spent in each step of the sweep (claim, load, decide, write, commit). */
  phaseMs: SweepPhases;
}

export type SweepPhase = 'claim' | 'load' | 'decide' | 'write' | 'commit';
export type SweepPhases = Partial<Record<SweepPhase, number>>;

/** Times consecutive steps: each `lap` charges the time since the previous one to a step. */
function stopwatch(phases: SweepPhases): (phase: SweepPhase) => void {
  let last = performance.now();
  return (phase) => {
    const now = performance.now();
    phases[phase] = (phases[phase] ?? 0) + now - last;
    last = now;
  };
}

/**
 * Sweep loops sharing the due orders (SKIP LOCKED): while one waits for PostgreSQL to write its
 * batch, the other decides the next, so a burst of deadlines keeps both the worker and the
 * database busy.
 */
export const SWEEP_LOOPS = 2;

/**
 * The shortest pause after a sweep that claimed nothing: an order due but not claimable (locked by
 * the other loop, or its partition's watermark held back) is not polled for in a tight loop.
 */
const EMPTY_SWEEP_PAUSE_MS = 5;

/**
 * What a sweep loop returns to its PeriodicTask: sweep again at once while batches come back
 * full, or when the next due order became decidable while this sweep ran; else in as many
 * milliseconds as it needs to (the task waits no longer than its idle pause); else false.
 */
export function sweepAgain(outcome: SweepOutcome, batchSize: number, now: Date): boolean | number {
  if (outcome.claimed >= batchSize) return true;
  if (outcome.lookAgainAt === null) return false;
  const waitMs = outcome.lookAgainAt.getTime() - now.getTime();
  if (outcome.claimed === 0) return Math.max(waitMs, EMPTY_SWEEP_PAUSE_MS);
  return waitMs > 0 ? waitMs : true;
}

export class DueInstantsSweeper {
  constructor(
    private readonly dataSource: DataSource,
    private readonly rules: HandlingRules,
    private readonly supervision: SupervisionSettings,
    private readonly eventsTopic: string,
    private readonly batchSize: number,
  ) {}

  async sweep(now: Date): Promise<SweepOutcome> {
    const phaseMs: SweepPhases = {};
    const lap = stopwatch(phaseMs);
    const outcome = await withTransaction(this.dataSource, async (runner) => {
      await planForIndexLookups(runner);
      const lookAgain = () =>
        nextSweepAt(runner, this.eventsTopic, now, this.supervision.watermark);
      const claimed = await claimDueOrders(
        runner,
        this.eventsTopic,
        now,
        this.batchSize,
        this.supervision.watermark,
      );
      if (claimed.length === 0) {
        return { claimed: 0, ...NO_CHANGES, firedAt: [], lookAgainAt: await lookAgain(), phaseMs };
      }
      lap('claim');
      const ids = claimed.map((c) => c.workOrderId);
      const eventsByOrder = await loadEvents(runner, ids);
      const existing = await loadEscalations(runner, ids, { lock: true });
      lap('load');
      const orders = claimed.map(({ workOrderId, watermarkAt, pinned }) => {
        const events = eventsByOrder.get(workOrderId) ?? [];
        const { state, deadlines } = projectForSupervision(
          workOrderId,
          events,
          pinnedProjectionRules(this.rules, pinned),
        );
        return { workOrderId, events, state, deadlines, watermark: watermarkAt };
      });
      const { changes, nextDueAt } = superviseOrders(
        orders,
        existing,
        this.rules.calendar,
        this.supervision.policy,
      );
      lap('decide');
      const applied = await applyEscalationChanges(runner, existing, changes, {
        recipients: this.supervision.recipients,
        topic: this.supervision.escalationsTopic,
        timeZone: this.rules.calendar.timeZone,
      });
      await setNextDueAt(
        runner,
        ids.map((workOrderId) => ({ workOrderId, nextDueAt: nextDueAt.get(workOrderId) ?? null })),
      );
      const firedAt = changes.filter((c) => c.change === 'created').map((c) => c.at);
      lap('write');
      const lookAgainAt = claimed.length < this.batchSize ? await lookAgain() : null;
      return { claimed: claimed.length, ...applied, firedAt, lookAgainAt, phaseMs };
    });
    if (outcome.claimed > 0) lap('commit');
    return outcome;
  }
}
