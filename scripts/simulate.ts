/**
 * Seeded hotline traffic: a street's (or a city's) year of contract events, written as JSON lines
 * or published to the events topic.
 *
 *   npm run simulate -- --seed 7 --orders 11000 --year 2024                  publish, as fast as possible
 *   npm run simulate -- --seed 7 --orders 11000 --year 2024 --speed 3600     live, an hour a second
 *   npm run simulate -- --seed 7 --orders 11000 --out events.jsonl           a file (`-` for stdout)
 *   npm run simulate -- --orders 1000000 --units 400 --dry-run               generate and count only
 *
 * Options: --seed (7), --orders (11000), --year (2024), --units (the configured units; more adds
 * synthetic ones), --speed (0: as fast as possible; N: N× real time), --topic (EVENTS_TOPIC),
 * --batch (1000 messages a request), --out FILE, --dry-run. Brokers come from KAFKA_BROKERS, the
 * calendar, rule profile and units from CONFIG_DIR, as for the worker. Progress goes to stderr;
 * the last line says how fast events were generated (generation time only, not I/O).
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import type { WorkOrderEvent } from '@hotline/core';
import { createKafka, createProducer, ensureTopics, loadConfig } from '@hotline/platform';
import {
  loadSimulationData,
  publishEvents,
  SimulationTally,
  simulateStream,
} from '@hotline/simulator';

const { values } = parseArgs({
  options: {
    seed: { type: 'string', default: '7' },
    orders: { type: 'string', default: '11000' },
    year: { type: 'string', default: '2024' },
    units: { type: 'string' },
    speed: { type: 'string', default: '0' },
    topic: { type: 'string' },
    batch: { type: 'string', default: '1000' },
    out: { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
  },
  strict: true,
});

const say = (line: string) => process.stderr.write(`${line}\n`);
const status = (line: string) =>
  process.stderr.write(process.stderr.isTTY ? `\r${line.padEnd(100)}` : `${line}\n`);
const grouped = (n: number) => Math.round(n).toLocaleString('en-US');

function integer(name: string, text: string | undefined): number {
  const value = Number(text);
  if (text === undefined || text.trim() === '' || !Number.isSafeInteger(value)) {
    throw new Error(`--${name}: an integer, got ${JSON.stringify(text)}`);
  }
  return value;
}

/** Generation time, measured inside the generator so that writing and publishing do not count. */
class GenerationClock {
  ms = 0;
  *measure(source: Generator<WorkOrderEvent, void, undefined>): Generator<WorkOrderEvent> {
    for (;;) {
      const start = performance.now();
      const next = source.next();
      this.ms += performance.now() - start;
      if (next.done) return;
      yield next.value;
    }
  }
}

async function writeLines(events: Iterable<WorkOrderEvent>, path: string, onEvent: () => void) {
  const out = path === '-' ? process.stdout : createWriteStream(path);
  let chunk = '';
  let inChunk = 0;
  for (const event of events) {
    chunk += `${JSON.stringify(event)}\n`;
    onEvent();
    if (++inChunk === 1000) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
      inChunk = 0;
    }
  }
  if (chunk) out.write(chunk);
  if (out !== process.stdout) {
    out.end();
    await once(out, 'finish');
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  const seed = integer('seed', values.seed);
  const orders = integer('orders', values.orders);
  const year = integer('year', values.year);
  const units = values.units === undefined ? undefined : integer('units', values.units);
  const speed = Number(values.speed);
  if (!Number.isFinite(speed) || speed < 0) throw new Error(`--speed: 0 or a positive factor`);
  const topic = values.topic ?? config.kafka.topics.events;

  const data = loadSimulationData(config.files);
  const tally = new SimulationTally();
  const clock = new GenerationClock();
  const events = clock.measure(
    simulateStream({ ...data, seed, year, orders, ...(units === undefined ? {} : { units }) }),
  );
  const counted = (function* () {
    for (const event of events) {
      tally.add(event);
      yield event;
    }
  })();

  const startedAt = performance.now();
  let lastStatusAt = startedAt;
  const progress = (published: number | null) => {
    const now = performance.now();
    if (now - lastStatusAt < 1000) return;
    lastStatusAt = now;
    const s = tally.result();
    const rate = (s.events / (now - startedAt)) * 1000;
    status(
      `  ${s.lastAt?.slice(0, 10) ?? '…'}  ${grouped(s.orders)} orders  ${grouped(s.events)} events` +
        `${published === null ? '' : `  ${grouped(published)} published`}  ${grouped(rate)} events/s`,
    );
  };

  say(
    `simulating ${grouped(orders)} orders in ${year}, seed ${seed}` +
      `${units === undefined ? '' : `, ${units} units`}`,
  );
  if (values['dry-run']) {
    for (const _ of counted) progress(null);
  } else if (values.out !== undefined) {
    say(`  writing JSON lines to ${values.out === '-' ? 'stdout' : values.out}`);
    await writeLines(counted, values.out, () => progress(null));
  } else {
    say(
      `  publishing to ${topic} on ${config.kafka.brokers.join(',')}` +
        `${speed > 0 ? ` at ${speed}× real time` : ', as fast as possible'}`,
    );
    const kafka = createKafka({
      brokers: config.kafka.brokers,
      clientId: 'hotline-simulator',
      security: config.kafka.security,
    });
    if (config.kafka.createTopicsPartitions > 0) {
      await ensureTopics(kafka, [topic], config.kafka.createTopicsPartitions);
    }
    const producer = createProducer(kafka);
    await producer.connect();
    const controller = new AbortController();
    process.once('SIGINT', () => controller.abort());
    try {
      const result = await publishEvents(counted, {
        producer,
        topic,
        speed,
        batchSize: integer('batch', values.batch),
        signal: controller.signal,
        progressEveryMs: 1000,
        onProgress: (p) => progress(p.published),
      });
      if (process.stderr.isTTY) process.stderr.write('\n');
      say(
        `  published ${grouped(result.published)} events in ${(result.elapsedMs / 1000).toFixed(1)} s` +
          ` (${grouped(result.eventsPerSecond)} events/s)${controller.signal.aborted ? ', interrupted' : ''}`,
      );
    } finally {
      await producer.disconnect();
    }
  }
  if (process.stderr.isTTY && values.out !== undefined) process.stderr.write('\n');

  const s = tally.result();
  const seconds = clock.ms / 1000;
  say(
    `  generated ${grouped(s.events)} events for ${grouped(s.orders)} orders in ${seconds.toFixed(2)} s` +
      ` (${grouped(s.events / seconds)} events/s generated)`,
  );
  say(
    `  ${s.firstAt ?? '—'} … ${s.lastAt ?? '—'}; callbacks ${grouped(s.byType.callback)}, ` +
      `satisfaction share ${s.satisfactionShare === null ? '—' : (s.satisfactionShare * 100).toFixed(2) + '%'}, ` +
      `re-dispatches ${grouped(s.redispatches)}, reworks ${grouped(s.byType.reopened)}`,
  );
}

main().catch((error: unknown) => {
  say(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
