/**
 * Publishes a stream of contract events to a Kafka topic, keyed by workOrderId (so an order's
 * events share a partition), in batches. Two paces:
 *
 * - `speed: 0`: as fast as the broker takes them, a year in seconds (event time still runs in
 *   the events: the engine judges in event time, so a fast replay escalates the same);
 * - `speed: N`: live, N seconds of event time per second of wall time (1 = real time, 3600 = an
 *   hour a second). The first event goes at once; each later one when its share of wall time
 *   has passed. A batch is sent early rather than held while the publisher waits.
 *
 * The producer is any `send` (the platform's createProducer in the CLI, a fake in tests), and the
 * wall clock is injected, so the pacing is testable without waiting.
 */
import type { WorkOrderEvent } from '@hotline/core';
import type { Message, Producer } from '@hotline/platform';

export interface PublishProgress {
  published: number;
  batches: number;
  /** occurredAt of the last published event. */
  eventTime: string | null;
  elapsedMs: number;
  eventsPerSecond: number;
  done: boolean;
}

export interface WallClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const SYSTEM_WALL_CLOCK: WallClock = {
  now: () => performance.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface PublishOptions {
  producer: Pick<Producer, 'send'>;
  topic: string;
  /** Messages per request; default 1000. */
  batchSize?: number;
  /** 0 (default): as fast as possible; N > 0: N× real time. */
  speed?: number;
  /** Called after a batch at most every `progressEveryMs` (default 1000), and once at the end. */
  onProgress?: (progress: PublishProgress) => void;
  progressEveryMs?: number;
  clock?: WallClock;
  /** Stops after the current batch. */
  signal?: AbortSignal;
}

export function toMessage(event: WorkOrderEvent): Message {
  return { key: event.workOrderId, value: JSON.stringify(event) };
}

/** Publishes every event; resolves with the final progress once the last batch is acknowledged. */
export async function publishEvents(
  events: Iterable<WorkOrderEvent> | AsyncIterable<WorkOrderEvent>,
  options: PublishOptions,
): Promise<PublishProgress> {
  const batchSize = options.batchSize ?? 1000;
  const speed = options.speed ?? 0;
  const clock = options.clock ?? SYSTEM_WALL_CLOCK;
  const progressEveryMs = options.progressEveryMs ?? 1000;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new RangeError(`batchSize: a positive integer, got ${batchSize}`);
  }
  if (!Number.isFinite(speed) || speed < 0) {
    throw new RangeError(`speed: 0 or a positive factor, got ${speed}`);
  }

  const startedAt = clock.now();
  let lastReportAt = -Infinity;
  let published = 0;
  let batches = 0;
  let eventTime: string | null = null;
  let batch: Message[] = [];
  let batchLastTime: string | null = null;
  let firstEventMs: number | null = null;

  const progress = (done: boolean): PublishProgress => {
    const elapsedMs = clock.now() - startedAt;
    return {
      published,
      batches,
      eventTime,
      elapsedMs,
      eventsPerSecond: elapsedMs > 0 ? (published / elapsedMs) * 1000 : 0,
      done,
    };
  };

  const flush = async () => {
    if (batch.length === 0) return;
    await options.producer.send({ topic: options.topic, messages: batch });
    published += batch.length;
    batches += 1;
    eventTime = batchLastTime;
    batch = [];
    if (options.onProgress && clock.now() - lastReportAt >= progressEveryMs) {
      lastReportAt = clock.now();
      options.onProgress(progress(false));
    }
  };

  for await (const event of events) {
    if (options.signal?.aborted) break;
    if (speed > 0) {
      const eventMs = Date.parse(event.occurredAt);
      firstEventMs ??= eventMs;
      const dueAt = startedAt + (eventMs - firstEventMs) / speed;
      const waitMs = dueAt - clock.now();
      if (waitMs > 0) {
        await flush();
        await clock.sleep(waitMs);
      }
    }
    batch.push(toMessage(event));
    batchLastTime = event.occurredAt;
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  const final = progress(true);
  options.onProgress?.(final);
  return final;
}
