import fc from 'fast-check';
import {
  confirmRead,
  DEFAULT_WATERMARK_POLICY,
  effectiveWatermark,
  emptyPartitionClock,
  observeChunk,
  type ChunkObservation,
  type PartitionClock,
  type WatermarkPolicy,
} from './watermark-policy';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const policy = DEFAULT_WATERMARK_POLICY;
const LATE = policy.latenessMs;
const at = (local: string) => Date.parse(`${local}+08:00`);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function read(
  chunks: readonly ChunkObservation[],
  clock: PartitionClock = emptyPartitionClock(),
  rules: WatermarkPolicy = policy,
): PartitionClock {
  return chunks.reduce((c, chunk) => observeChunk(c, chunk, rules), clock);
}

/**
 * A stream read in chunks: `count` events `spacingMs` apart from `firstOccurredMs`, `perChunk` to
 * a chunk, one chunk every `everyMs` from `firstReceivedMs`; only the last chunk is caught up
 * unless `caughtUp` says every chunk is (a backlog read while it is being written).
 */
function stream(s: {
  firstOccurredMs: number;
  spacingMs: number;
  count: number;
  perChunk: number;
  firstReceivedMs: number;
  everyMs: number;
  caughtUp?: 'always' | 'at_the_end';
}): ChunkObservation[] {
  const chunks: ChunkObservation[] = [];
  for (let i = 0; i < s.count; i += s.perChunk) {
    const occurredMs: number[] = [];
    for (let j = i; j < Math.min(s.count, i + s.perChunk); j += 1) {
      occurredMs.push(s.firstOccurredMs + j * s.spacingMs);
    }
    const last = i + s.perChunk >= s.count;
    chunks.push({
      occurredMs,
      receivedMs: s.firstReceivedMs + chunks.length * s.everyMs,
      caughtUp: s.caughtUp === 'always' || last,
    });
  }
  return chunks;
}

/** Last year's March, 2,000 events ten minutes apart, read in June at 20 events every 2 seconds. */
const backfill = stream({
  firstOccurredMs: at('2024-03-01T08:00:00'),
  spacingMs: 10 * MINUTE,
  count: 2000,
  perChunk: 20,
  firstReceivedMs: at('2025-06-02T09:00:00'),
  everyMs: 2 * SECOND,
  caughtUp: 'always',
});
const backfillEnd = backfill[backfill.length - 1]!.receivedMs;
/** The median of the last 100 events (the 1,950th), less a minute of lateness. */
const backfillWatermark = at('2024-03-01T08:00:00') + 1949 * 10 * MINUTE - LATE;

/** A live day: one event every 5 minutes from 08:00 to 22:00, each received 2 seconds after. */
const liveDay = stream({
  firstOccurredMs: at('2025-06-02T08:00:00'),
  spacingMs: 5 * MINUTE,
  count: 14 * 12 + 1,
  perChunk: 1,
  firstReceivedMs: at('2025-06-02T08:00:02'),
  everyMs: 5 * MINUTE,
  caughtUp: 'always',
});

describe('the event-time watermark of a partition', () => {
  it('stays on event time during a backfill whose chunks touch the end of the partition', () => {
    let clock = emptyPartitionClock();
    for (const chunk of backfill) {
      clock = observeChunk(clock, chunk, policy);
      const now = effectiveWatermark(clock, chunk.receivedMs, policy);
      expect(now.mode).toBe('event_time');
      // Trailing the backfill by half a window, a year behind the wall clock.
      expect(now.atMs).toBeLessThanOrEqual(Math.max(...chunk.occurredMs) - LATE);
      expect(now.atMs).toBeLessThan(chunk.receivedMs - 300 * DAY);
    }
    expect(iso(effectiveWatermark(clock, backfillEnd + MINUTE, policy).atMs)).toBe(
      iso(backfillWatermark),
    );
  });

  it.each`
    rule                                                                 | nowMs                                     | mode            | atMs
    ${'stays on event time until the partition has been idle 5 minutes'} | ${backfillEnd + policy.idleAfterMs - 1}   | ${'event_time'} | ${backfillWatermark}
    ${'hands over to the wall clock once it has been idle 5 minutes'}    | ${backfillEnd + policy.idleAfterMs}       | ${'idle'}       | ${backfillEnd + policy.idleAfterMs - LATE}
    ${'follows the wall clock from then on'}                             | ${backfillEnd + policy.idleAfterMs + DAY} | ${'idle'}       | ${backfillEnd + policy.idleAfterMs + DAY - LATE}
  `('after the backfill ends: $rule', ({ nowMs, mode, atMs }) => {
    // The worker confirms, every few seconds, that the group has applied the whole partition.
    const clock = confirmRead(read(backfill), nowMs as number);
    expect(effectiveWatermark(clock, nowMs as number, policy)).toEqual({ mode, atMs });
  });

  it.each`
    rule                                                                      | confirmedMs
    ${'nobody confirms it was read to its end (the worker is down or stuck)'} | ${null}
    ${'its messages wait while the worker is busy with other partitions'}     | ${backfillEnd + 1000}
  `('stays on event time after the last chunk when $rule', ({ confirmedMs }) => {
    const clock = read(backfill);
    const confirmed = confirmedMs === null ? clock : confirmRead(clock, confirmedMs as number);
    expect(effectiveWatermark(confirmed, backfillEnd + DAY, policy)).toEqual({
      mode: 'event_time',
      atMs: backfillWatermark,
    });
  });

  it('stays on event time after a backlog whose last chunk did not reach the end of the partition', () => {
    const stalled = read(backfill.map((chunk) => ({ ...chunk, caughtUp: false })));
    expect(effectiveWatermark(stalled, backfillEnd + 10 * DAY, policy)).toEqual({
      mode: 'event_time',
      atMs: backfillWatermark,
    });
  });

  it.each`
    event                                                   | aheadMs     | count
    ${'one event three days ahead of its neighbours'}       | ${3 * DAY}  | ${1}
    ${'an order retried late: five events a week ahead'}    | ${7 * DAY}  | ${5}
    ${'an export sorted by order: 49 events a month ahead'} | ${30 * DAY} | ${49}
  `('is not moved by $event', ({ aheadMs, count }) => {
    const steady = read(backfill);
    const last = backfill[backfill.length - 1]!;
    const normal = last.occurredMs[last.occurredMs.length - 1]! + 10 * MINUTE;
    const ahead = Array.from({ length: count as number }, () => normal + (aheadMs as number));
    const nextChunk = (occurredMs: number[]): ChunkObservation => ({
      occurredMs,
      receivedMs: last.receivedMs + 2 * SECOND,
      caughtUp: true,
    });
    const without = observeChunk(steady, nextChunk([normal]), policy);
    const withAhead = observeChunk(steady, nextChunk([normal, ...ahead]), policy);
    const moved =
      effectiveWatermark(withAhead, last.receivedMs + 3 * SECOND, policy).atMs! -
      effectiveWatermark(without, last.receivedMs + 3 * SECOND, policy).atMs!;
    // At most one neighbour's spacing per event ahead (the window slides), never days.
    expect(moved).toBeLessThanOrEqual((count as number) * 10 * MINUTE);
    expect(withAhead.watermarkMs).toBeLessThan(normal);
  });

  it('is not moved beyond the events read by any fewer than half a window of events ahead', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.tuple(fc.integer({ min: 100, max: 1999 }), fc.integer({ min: 1, max: 40 * DAY })),
          {
            maxLength: policy.windowEvents / 2 - 1,
          },
        ),
        (outliers) => {
          let clock = emptyPartitionClock();
          let latestNormal = Number.NEGATIVE_INFINITY;
          for (const [c, chunk] of backfill.entries()) {
            const occurredMs = [...chunk.occurredMs];
            latestNormal = Math.max(latestNormal, ...occurredMs);
            for (const [position, aheadMs] of outliers) {
              if (Math.floor(position / 20) === c) occurredMs.push(latestNormal + aheadMs);
            }
            clock = observeChunk(clock, { ...chunk, occurredMs }, policy);
            expect(clock.watermarkMs).toBeLessThanOrEqual(latestNormal - LATE);
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it.each`
    rule                                                  | nowMs
    ${'half an hour after the last event'}                | ${at('2025-06-02T22:30:00')}
    ${'at 03:00, hours without a message'}                | ${at('2025-06-03T03:00:00')}
    ${'at 07:59, before the first event of the next day'} | ${at('2025-06-03T07:59:00')}
  `('keeps the wall clock moving on a live partition at night: $rule', ({ nowMs }) => {
    const clock = confirmRead(read(liveDay), nowMs as number);
    expect(effectiveWatermark(clock, nowMs as number, policy)).toEqual({
      mode: 'live',
      atMs: (nowMs as number) - LATE,
    });
  });

  it('stops a live partition where it was last known read when the worker goes down at night', () => {
    const clock = confirmRead(read(liveDay), at('2025-06-02T22:30:00'));
    expect(effectiveWatermark(clock, at('2025-06-03T03:00:00'), policy)).toEqual({
      mode: 'live',
      atMs: at('2025-06-02T22:30:00') - LATE,
    });
  });

  it('is live from the first event of a live partition, as far as it was read', () => {
    const clock = read(liveDay.slice(0, 1));
    expect(effectiveWatermark(clock, at('2025-06-02T08:00:03'), policy)).toEqual({
      mode: 'live',
      atMs: at('2025-06-02T08:00:02') - LATE,
    });
  });

  it.each`
    rule                                                | chunks
    ${'never read anything'}                            | ${[]}
    ${'read only messages that were all dead-lettered'} | ${[{ occurredMs: [], receivedMs: at('2025-06-02T09:00:00'), caughtUp: true }]}
    ${'read nothing valid, caught up, for days'}        | ${[{ occurredMs: [], receivedMs: at('2025-06-02T09:00:00'), caughtUp: false }, { occurredMs: [], receivedMs: at('2025-06-02T09:01:00'), caughtUp: true }]}
  `('has no watermark for a partition that $rule', ({ chunks }) => {
    const clock = read(chunks as ChunkObservation[]);
    for (const nowMs of [at('2025-06-02T09:02:00'), at('2025-06-12T09:00:00')]) {
      expect(effectiveWatermark(clock, nowMs, policy)).toEqual({ mode: 'none', atMs: null });
    }
  });

  it('records only whether the end was reached for a chunk with no new valid event', () => {
    const clock = read([
      ...backfill,
      { occurredMs: [], receivedMs: backfillEnd + 9, caughtUp: false },
    ]);
    expect(clock).toMatchObject({
      lastReceivedMs: backfillEnd,
      caughtUp: false,
      watermarkMs: backfillWatermark,
    });
    expect(clock.recent).toHaveLength(policy.windowEvents);
  });

  it('goes idle after a backfill though a careless upstream keeps sending rejected messages', () => {
    let clock = read(backfill);
    for (let minute = 4; minute <= 24 * 60; minute += 4) {
      clock = observeChunk(
        clock,
        { occurredMs: [], receivedMs: backfillEnd + minute * MINUTE, caughtUp: true },
        policy,
      );
    }
    const now = backfillEnd + DAY;
    expect(effectiveWatermark(confirmRead(clock, now), now, policy)).toEqual({
      mode: 'idle',
      atMs: now - LATE,
    });
  });

  it('does not judge at the wall clock the messages a lagging live partition has not read yet', () => {
    // Live events read 9 minutes late, no chunk reaching the end, no confirmation since 08:00.
    const lagging = stream({
      firstOccurredMs: at('2025-06-02T08:00:00'),
      spacingMs: 10 * SECOND,
      count: 60,
      perChunk: 5,
      firstReceivedMs: at('2025-06-02T08:09:00'),
      everyMs: 10 * SECOND,
    }).map((chunk) => ({ ...chunk, caughtUp: false }));
    const clock = confirmRead(read(lagging), at('2025-06-02T08:00:00'));
    const seen = effectiveWatermark(clock, at('2025-06-02T08:20:00'), policy);
    expect(seen.mode).toBe('live');
    // The events read (up to 08:09:50) bound it, not the wall clock of 08:20.
    expect(seen.atMs).toBeLessThanOrEqual(at('2025-06-02T08:09:50'));
  });

  it('is not live while a worker reads hours of a live topic it had not read', () => {
    // Events of 06:00–09:00, one a minute, read from 09:00 at 20 a second.
    const backlog = stream({
      firstOccurredMs: at('2025-06-02T06:00:00'),
      spacingMs: MINUTE,
      count: 180,
      perChunk: 20,
      firstReceivedMs: at('2025-06-02T09:00:00'),
      everyMs: SECOND,
    });
    let clock = emptyPartitionClock();
    for (const chunk of backlog) {
      clock = observeChunk(clock, chunk, policy);
      const now = effectiveWatermark(clock, chunk.receivedMs, policy);
      expect(now.mode).toBe('event_time');
      expect(now.atMs).toBeLessThanOrEqual(Math.max(...chunk.occurredMs) - LATE);
    }
    // Caught up, live events follow: live once events read within 10 minutes are most of the window.
    const live = stream({
      firstOccurredMs: at('2025-06-02T09:00:10'),
      spacingMs: 10 * SECOND,
      count: 60,
      perChunk: 1,
      firstReceivedMs: at('2025-06-02T09:00:11'),
      everyMs: 10 * SECOND,
      caughtUp: 'always',
    });
    const modes = live.map((chunk) => {
      clock = observeChunk(clock, chunk, policy);
      return effectiveWatermark(clock, chunk.receivedMs, policy).mode;
    });
    // The backlog's last ten minutes were read within ten minutes of happening: they count as live.
    const from = modes.indexOf('live');
    expect(from).toBeGreaterThanOrEqual(40);
    expect(from).toBeLessThanOrEqual(50);
    expect(modes.slice(from).every((mode) => mode === 'live')).toBe(true);
  });

  it('holds, not live, while a worker catches up after an outage on a live topic', () => {
    // Live until 08:00; the worker is down until 11:00, then reads the three hours it missed.
    const before = read(liveDay.slice(0, 1), emptyPartitionClock());
    const missed = stream({
      firstOccurredMs: at('2025-06-02T08:01:00'),
      spacingMs: MINUTE,
      count: 180,
      perChunk: 20,
      firstReceivedMs: at('2025-06-02T11:00:00'),
      everyMs: SECOND,
    });
    let clock = before;
    let previous = Number.NEGATIVE_INFINITY;
    for (const chunk of missed) {
      clock = observeChunk(clock, chunk, policy);
      const seen = effectiveWatermark(clock, chunk.receivedMs + 500, policy);
      expect(seen.mode).toBe('event_time');
      // It follows the missed events, never the wall clock of the restart.
      expect(seen.atMs).toBeLessThanOrEqual(Math.max(...chunk.occurredMs) - LATE);
      expect(seen.atMs).toBeGreaterThanOrEqual(previous);
      previous = seen.atMs!;
    }
  });

  it.each`
    rule                                                             | occurredAheadMs
    ${'events a day after their receipt (clock skew)'}               | ${DAY}
    ${'events a minute after their receipt'}                         | ${MINUTE}
    ${'events as they are received, with no lateness left to trail'} | ${0}
  `('never exceeds the wall clock: $rule', ({ occurredAheadMs }) => {
    const rules = { ...policy, latenessMs: 0 };
    const receivedMs = at('2025-06-02T09:00:00');
    const clock = read(
      [{ occurredMs: [receivedMs + (occurredAheadMs as number)], receivedMs, caughtUp: true }],
      emptyPartitionClock(),
      rules,
    );
    expect(clock.watermarkMs).toBeLessThanOrEqual(receivedMs);
    for (const nowMs of [receivedMs, receivedMs + MINUTE, receivedMs + DAY]) {
      expect(effectiveWatermark(clock, nowMs, rules).atMs).toBeLessThanOrEqual(nowMs);
    }
  });
});

describe('a chunk that stops short of the end', () => {
  it('keeps the wall-clock instant a read to the end had reached', () => {
    const rules = { latenessMs: 0, windowEvents: 1, liveWithinMs: 1, idleAfterMs: 1 };
    const nowMs = at('2025-06-02T09:00:00');
    const live = observeChunk(
      emptyPartitionClock(),
      { occurredMs: [nowMs - 1], receivedMs: nowMs, caughtUp: true },
      rules,
    );
    expect(effectiveWatermark(live, nowMs, rules)).toEqual({ atMs: nowMs, mode: 'live' });
    const short = observeChunk(live, { occurredMs: [], receivedMs: nowMs, caughtUp: false }, rules);
    expect(effectiveWatermark(short, nowMs, rules).atMs).toBe(nowMs);
  });
});

describe('the watermark over any sequence of chunks', () => {
  const policies = fc.record({
    latenessMs: fc.integer({ min: 0, max: 10 * MINUTE }),
    windowEvents: fc.integer({ min: 1, max: 40 }),
    liveWithinMs: fc.integer({ min: 0, max: 2 * HOUR }),
    idleAfterMs: fc.integer({ min: 1, max: 2 * HOUR }),
  });
  const steps = fc.array(
    fc.oneof(
      fc.record({
        kind: fc.constant('chunk' as const),
        afterMs: fc.integer({ min: 0, max: 3 * HOUR }),
        // Events a year old to a day ahead of receipt (anything later is dead-lettered).
        offsetsMs: fc.array(fc.integer({ min: -400 * DAY, max: DAY }), { maxLength: 30 }),
        caughtUp: fc.boolean(),
      }),
      fc.record({
        kind: fc.constant('look' as const),
        afterMs: fc.integer({ min: 0, max: 12 * HOUR }),
      }),
      fc.record({
        kind: fc.constant('confirm' as const),
        afterMs: fc.integer({ min: 0, max: 12 * HOUR }),
      }),
    ),
    { maxLength: 60 },
  );

  it('never moves back, never passes the wall clock, never falls below the watermark reached', () => {
    fc.assert(
      fc.property(policies, steps, (rules, sequence) => {
        let nowMs = at('2025-06-02T09:00:00');
        let clock = emptyPartitionClock();
        let previous: number | null = null;
        let anyEvent = false;
        for (const step of sequence) {
          nowMs += step.afterMs;
          if (step.kind === 'chunk') {
            clock = observeChunk(
              clock,
              {
                occurredMs: step.offsetsMs.map((o) => nowMs + o),
                receivedMs: nowMs,
                caughtUp: step.caughtUp,
              },
              rules,
            );
            anyEvent ||= step.offsetsMs.length > 0;
          }
          if (step.kind === 'confirm') clock = confirmRead(clock, nowMs);
          const { atMs, mode } = effectiveWatermark(clock, nowMs, rules);
          expect(mode === 'none').toBe(!anyEvent);
          if (atMs === null) continue;
          expect(atMs).toBeLessThanOrEqual(nowMs);
          expect(atMs).toBeGreaterThanOrEqual(clock.watermarkMs!);
          if (previous !== null) expect(atMs).toBeGreaterThanOrEqual(previous);
          previous = atMs;
        }
      }),
      { numRuns: 500 },
    );
  });
});
