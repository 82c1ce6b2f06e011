/**
 * computeDeadlines over one million synthetic orders (BENCH_ORDERS to change it): orders/s and
 * events/s of the pure core, nothing else. Orders are generated in batches outside the timed
 * section, from a seeded generator, so runs are comparable. Each order has a dispatch and a mix of
 * acceptance, suspension, extension, reply, rejection, rework, re-dispatch, callback and closing,
 * at instants spread over 2023–2025 so every holiday block is crossed.
 *
 *   npm run bench:deadlines
 */
import { writeResult } from './bench-result';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  CATEGORIES,
  URGENCIES,
  computeDeadlines,
  dueFromRule,
  matchRule,
  warningInstant,
  parseCalendar,
  parseRuleProfile,
  type WorkOrderEvent,
} from '@hotline/core';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 1_000_000);
/** Orders per generated batch: about what the worker's consumer hands over at once. */
const BATCH = Number(process.env.BENCH_BATCH ?? 1_000);
const MINUTE = 60_000;
const root = join(__dirname, '..');

function out(line: string): void {
  process.stdout.write(`${line}\n`);
}

function load<T>(
  path: string,
  parse: (json: unknown) => { ok: true; value: T } | { ok: false; errors: string[] },
): T {
  const parsed = parse(JSON.parse(readFileSync(join(root, path), 'utf8')));
  if (!parsed.ok) throw new Error(`${path}: ${parsed.errors.join('; ')}`);
  return parsed.value;
}

/** mulberry32: a small seeded generator, so every run benchmarks the same orders. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const FROM = Date.parse('2023-01-03T00:00:00+08:00');
const SPAN_MINUTES = (Date.parse('2025-11-30T00:00:00+08:00') - FROM) / MINUTE;

function iso(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().replace('Z', '+08:00');
}

function makeOrder(n: number, random: () => number): WorkOrderEvent[] {
  const id = `TJ${String(n).padStart(12, '0')}`;
  const events: WorkOrderEvent[] = [];
  let t = FROM + Math.floor(random() * SPAN_MINUTES) * MINUTE;
  let seq = 0;
  const push = (type: WorkOrderEvent['type'], data: object) => {
    seq += 1;
    events.push({
      eventId: `${id}-${seq}`,
      type,
      workOrderId: id,
      occurredAt: iso(t),
      sequence: seq,
      data,
    } as WorkOrderEvent);
  };
  const later = (maxMinutes: number) => {
    t += (1 + Math.floor(random() * maxMinutes)) * MINUTE;
  };
  const dispatch = () =>
    push('dispatched', {
      unitId: `unit-${Math.floor(random() * 24)}`,
      category: CATEGORIES[Math.floor(random() * CATEGORIES.length)],
      urgency: random() < 0.1 ? URGENCIES[Math.floor(random() * 3)] : 'normal',
    });

  dispatch();
  later(600);
  push('accepted', { by: 'liaison' });
  if (random() < 0.1) {
    later(2 * 1440);
    dispatch();
    later(600);
    push('accepted', {});
  }
  if (random() < 0.2) {
    later(3 * 1440);
    push('suspended', { reason: '等待鉴定' });
    later(4 * 1440);
    push('resumed', {});
  }
  if (random() < 0.2) {
    later(3 * 1440);
    push('extension_requested', { reason: '需协调', workdays: 3 });
    later(600);
    push('extension_approved', { workdays: 1 + Math.floor(random() * 6) });
  }
  later(8 * 1440);
  push('replied', { reply: '已处理' });
  if (random() < 0.1) {
    later(1440);
    push('reply_rejected', { reason: '答复不完整' });
    later(2 * 1440);
    push('replied', { reply: '已补充处理' });
  }
  later(2 * 1440);
  const dissatisfied = random() < 0.1;
  push('callback', { result: dissatisfied ? 'dissatisfied' : 'satisfied' });
  if (dissatisfied) {
    later(1440);
    push('reopened', { reason: '群众不满意' });
    later(5 * 1440);
    push('replied', { reply: '重办完成' });
    later(1440);
    push('callback', { result: 'basically_satisfied' });
  }
  later(1440);
  push('closed', {});
  // at-least-once delivery: some events arrive twice and out of order
  if (random() < 0.2) events.unshift(events[events.length - 1] as WorkOrderEvent);
  return events;
}

function main(): void {
  const calendar = load('config/calendars/cn-2023-2026.json', parseCalendar);
  const profile = load('config/rule-profiles/tianjin-default.json', parseRuleProfile);
  const random = generator(12345);

  // Warm up the JIT on a separate set so the measured run is steady-state.
  for (let i = 0; i < 20_000; i += 1) computeDeadlines(makeOrder(-i, random), profile, calendar);

  let orders = 0;
  let events = 0;
  let elapsedMs = 0;
  let checksum = 0;
  while (orders < ORDERS) {
    const size = Math.min(BATCH, ORDERS - orders);
    const batch: WorkOrderEvent[][] = [];
    for (let i = 0; i < size; i += 1) batch.push(makeOrder(orders + i, random));
    const started = performance.now();
    for (const order of batch) {
      const result = computeDeadlines(order, profile, calendar);
      checksum += result.complete?.dueAt?.getTime() ?? 0;
      events += order.length;
    }
    elapsedMs += performance.now() - started;
    orders += size;
  }
  const seconds = elapsedMs / 1000;

  // The clock alone: one deadline and its warning per stage start, over the same years.
  const starts = new Float64Array(1_000_000);
  for (let i = 0; i < starts.length; i += 1) {
    starts[i] = FROM + Math.floor(random() * SPAN_MINUTES) * MINUTE;
  }
  const rules = [
    matchRule(profile, 'complete', 'normal', 'complaint'),
    matchRule(profile, 'complete', 'normal', 'consultation'),
    matchRule(profile, 'accept', 'normal', 'help'),
    matchRule(profile, 'accept', 'life_safety', 'help'),
  ];
  const clockStarted = performance.now();
  for (let i = 0; i < starts.length; i += 1) {
    const rule = rules[i % rules.length] as (typeof rules)[number];
    const start = new Date(starts[i] as number);
    const due = dueFromRule(calendar, rule, start);
    checksum += warningInstant(calendar, rule, profile.warning, start, due).at.getTime() % 7;
  }
  const clockSeconds = (performance.now() - clockStarted) / 1000;

  out(
    `computeDeadlines: ${orders.toLocaleString('en-US')} orders, ${events.toLocaleString('en-US')} events`,
  );
  out(`  time      ${seconds.toFixed(2)} s (generation excluded)`);
  out(`  orders/s  ${Math.round(orders / seconds).toLocaleString('en-US')}`);
  out(`  events/s  ${Math.round(events / seconds).toLocaleString('en-US')}`);
  out(`  per order ${((elapsedMs * 1000) / orders).toFixed(2)} µs`);
  out(`deadline + warning on the rule's clock: ${starts.length.toLocaleString('en-US')} stages`);
  out(`  time      ${clockSeconds.toFixed(2)} s`);
  out(`  stages/s  ${Math.round(starts.length / clockSeconds).toLocaleString('en-US')}`);
  out(`  (checksum ${checksum % 1_000_003})`);
  out(
    `written ${writeResult('deadlines', {
      deadlines: {
        orders,
        events,
        ordersPerSecond: Math.round(orders / seconds),
        eventsPerSecond: Math.round(events / seconds),
        clockStagesPerSecond: Math.round(starts.length / clockSeconds),
      },
    })}`,
  );
}

main();
