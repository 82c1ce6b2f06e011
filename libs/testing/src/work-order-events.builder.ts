/**
 * Builders for contract events in tests: readable scripts of one order's life with fixed instants.
 */
import type { EventType, WorkOrderEvent } from '@hotline/core';

let counter = 0;

/** A contract event; `at` is RFC 3339 with offset (defaults to +08:00 when given as local text). */
export function anEvent<T extends EventType>(
  type: T,
  workOrderId: string,
  at: string,
  data: Extract<WorkOrderEvent, { type: T }>['data'],
  options: { eventId?: string; sequence?: number } = {},
): Extract<WorkOrderEvent, { type: T }> {
  counter += 1;
  const occurredAt = /[+-]\d\d:\d\d$|Z$/.test(at) ? at : `${at}+08:00`;
  return {
    eventId: options.eventId ?? `${workOrderId}-${type}-${counter}`,
    type,
    workOrderId,
    occurredAt,
    ...(options.sequence === undefined ? {} : { sequence: options.sequence }),
    data,
  } as Extract<WorkOrderEvent, { type: T }>;
}

/** The ordinary life of an order: dispatched, accepted, replied, rated, closed. */
export function ordinaryOrder(
  workOrderId: string,
  unitId: string,
  day: string,
  result: 'satisfied' | 'dissatisfied' | 'basically_satisfied' = 'satisfied',
): WorkOrderEvent[] {
  return [
    anEvent(
      'dispatched',
      workOrderId,
      `${day}T09:00:00`,
      {
        unitId,
        unitName: `单位 ${unitId}`,
        category: 'complaint',
        urgency: 'normal',
        title: '夜间施工噪音扰民',
        citizen: { name: '张三', phone: '13812345678' },
        tags: [],
      },
      { sequence: 1 },
    ),
    anEvent('accepted', workOrderId, `${day}T10:00:00`, { by: 'liaison' }, { sequence: 2 }),
    anEvent(
      'replied',
      workOrderId,
      `${day}T16:00:00`,
      { reply: '已协调施工方停止夜间施工' },
      { sequence: 3 },
    ),
    anEvent(
      'callback',
      workOrderId,
      `${day}T18:00:00`,
      { result, resolved: result !== 'dissatisfied' },
      { sequence: 4 },
    ),
    anEvent('closed', workOrderId, `${day}T18:30:00`, {}, { sequence: 5 }),
  ];
}

let nextOffset = 0;

/**
 * Events as the worker's ingestion reads them from a partition (key `workOrderId`, JSON value,
 * offsets counting up across calls), for tests that drive IngestBatchService directly.
 */
export function asPartitionMessages(
  events: readonly WorkOrderEvent[],
  topic = 't',
  partition = 0,
): {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer;
  value: Buffer;
  headers: Record<string, never>;
}[] {
  return events.map((event) => ({
    topic,
    partition,
    offset: String(nextOffset++),
    key: Buffer.from(event.workOrderId),
    value: Buffer.from(JSON.stringify(event)),
    headers: {},
  }));
}
