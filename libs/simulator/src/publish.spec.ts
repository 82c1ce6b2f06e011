import type { WorkOrderEvent } from '@hotline/core';
import { publishEvents, type PublishProgress, type WallClock } from './publish';

type Sent = { topic: string; messages: { key?: unknown; value: unknown }[] };

function fakeProducer() {
  const sent: Sent[] = [];
  return {
    sent,
    producer: {
      send: (record: Sent) => {
        sent.push(record);
        return Promise.resolve([]);
      },
    },
  };
}

/** A wall clock that only moves when the publisher sleeps. */
function fakeClock(): WallClock & { sleeps: number[] } {
  let now = 1_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: (ms) => {
      sleeps.push(ms);
      now += ms;
      return Promise.resolve();
    },
  };
}

function event(n: number, at: string): WorkOrderEvent {
  return {
    eventId: `e-${n}`,
    type: 'accepted',
    workOrderId: `TJ20240301${String(n % 3).padStart(5, '0')}`,
    occurredAt: at,
    sequence: n,
    data: {},
  };
}

/** Ten events an hour apart from 2024-03-01 08:00. */
const hourly = Array.from({ length: 10 }, (_, i) =>
  event(i, `2024-03-01T${String(8 + i).padStart(2, '0')}:00:00+08:00`),
);

describe('publishEvents', () => {
  it('sends every event keyed by its workOrderId, in batches, as fast as possible', async () => {
    const { producer, sent } = fakeProducer();
    const clock = fakeClock();
    const result = await publishEvents(hourly, { producer, topic: 't', batchSize: 4, clock });
    expect(sent.map((s) => s.messages.length)).toEqual([4, 4, 2]);
    expect(sent.every((s) => s.topic === 't')).toBe(true);
    const messages = sent.flatMap((s) => s.messages);
    expect(messages.map((m) => m.key)).toEqual(hourly.map((e) => e.workOrderId));
    expect(messages.map((m) => JSON.parse(String(m.value)) as unknown)).toEqual(hourly);
    expect(clock.sleeps).toEqual([]);
    expect(result).toMatchObject({ published: 10, batches: 3, done: true });
    expect(result.eventTime).toBe('2024-03-01T17:00:00+08:00');
  });

  it('paces live at `speed`: an hour of event time a second at 3600, sending what waits before sleeping', async () => {
    const { producer, sent } = fakeProducer();
    const clock = fakeClock();
    await publishEvents(hourly, { producer, topic: 't', batchSize: 100, speed: 3600, clock });
    expect(clock.sleeps).toEqual(Array.from({ length: 9 }, () => 1000));
    expect(sent.map((s) => s.messages.length)).toEqual(Array.from({ length: 10 }, () => 1));
  });

  it('reports progress after batches and once at the end', async () => {
    const { producer } = fakeProducer();
    const reports: PublishProgress[] = [];
    await publishEvents(hourly, {
      producer,
      topic: 't',
      batchSize: 3,
      clock: fakeClock(),
      progressEveryMs: 0,
      onProgress: (p) => reports.push(p),
    });
    expect(reports.map((r) => [r.published, r.done])).toEqual([
      [3, false],
      [6, false],
      [9, false],
      [10, false],
      [10, true],
    ]);
  });

  it('takes an async stream and stops when aborted', async () => {
    const { producer, sent } = fakeProducer();
    const controller = new AbortController();
    async function* source() {
      for (const e of hourly) {
        if (e.sequence === 5) controller.abort();
        yield await Promise.resolve(e);
      }
    }
    const result = await publishEvents(source(), {
      producer,
      topic: 't',
      batchSize: 2,
      clock: fakeClock(),
      signal: controller.signal,
    });
    expect(result.published).toBe(5);
    expect(sent.flatMap((s) => s.messages)).toHaveLength(5);
  });

  it('refuses a negative speed or an empty batch', async () => {
    const { producer } = fakeProducer();
    await expect(publishEvents([], { producer, topic: 't', speed: -1 })).rejects.toThrow(/speed/);
    await expect(publishEvents([], { producer, topic: 't', batchSize: 0 })).rejects.toThrow(
      /batchSize/,
    );
  });
});
