/**
 * Kafka helpers for integration tests against the real local broker (scripts/kafka.sh): fresh
 * topics per test, raw produce, and a consume-everything reader with its own consumer group.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '@hotline/platform/config';
import { createKafka, type IHeaders, type Kafka } from '@hotline/platform/kafka';

const DEFAULT_BROKERS = '127.0.0.1:39092';

/** Brokers from KAFKA_BROKERS (comma-separated), default 127.0.0.1:39092. */
export function kafkaBrokers(): string[] {
  return (process.env.KAFKA_BROKERS || DEFAULT_BROKERS)
    .split(',')
    .map((broker) => broker.trim())
    .filter(Boolean);
}

/**
 * A client of the test broker, secured as the environment says (KAFKA_TLS*, KAFKA_SASL*), so the
 * suite runs against a secured cluster too. Each helper below also takes another broker's client.
 */
export function testKafka(role: string): Kafka {
  const { security } = loadConfig().kafka;
  return createKafka({ brokers: kafkaBrokers(), clientId: `test-${role}`, retries: 5, security });
}

function uniqueSuffix(): string {
  return `${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;
}

/**
 * Creates one topic per name, with a unique suffix (`<name>.<time>-<random>`), and waits for their
 * partition leaders. Returns the real names in the order given.
 */
export async function createFreshTopics(
  names: string[],
  partitions = 1,
  kafka: Kafka = testKafka('admin'),
): Promise<string[]> {
  const suffix = uniqueSuffix();
  const topics = names.map((name) => `${name}.${suffix}`);
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: topics.map((topic) => ({ topic, numPartitions: partitions, replicationFactor: 1 })),
      timeout: 15_000,
    });
    // kafkajs's own wait for leaders retries only "leader not available"; a loaded broker can
    // still answer "unknown topic or partition" for a moment after creating them.
    const deadline = Date.now() + 15_000;
    for (;;) {
      const ready = await admin.fetchTopicMetadata({ topics }).then(
        ({ topics: found }) =>
          found.length === topics.length &&
          found.every(
            (t) => t.partitions.length === partitions && t.partitions.every((p) => p.leader >= 0),
          ),
        () => false,
      );
      if (ready) break;
      if (Date.now() > deadline) throw new Error(`topics ${topics.join(', ')} have no leaders`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    await admin.disconnect();
  }
  return topics;
}

/** Deletes topics; ones that no longer exist are ignored. */
export async function deleteTopics(
  topics: string[],
  kafka: Kafka = testKafka('admin'),
): Promise<void> {
  if (topics.length === 0) return;
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const present = topics.filter((topic) => existing.has(topic));
    if (present.length > 0) await admin.deleteTopics({ topics: present, timeout: 15_000 });
  } finally {
    await admin.disconnect();
  }
}

export interface RawMessage {
  key: string | Buffer | null;
  value: string | Buffer | null;
  headers?: Record<string, string | Buffer>;
  /** Chosen by the key's hash when absent. */
  partition?: number;
}

/**
 * Produces messages as they are, acknowledged by all in-sync replicas. A plain (not idempotent)
 * producer with finite retries, so a broken broker fails the test instead of hanging it.
 */
export async function produceRaw(
  topic: string,
  messages: RawMessage[],
  kafka: Kafka = testKafka('producer'),
): Promise<void> {
  const producer = kafka.producer({
    allowAutoTopicCreation: false,
    retry: { retries: 3 },
  });
  await producer.connect();
  try {
    await producer.send({ topic, acks: -1, messages });
  } finally {
    await producer.disconnect();
  }
}

export interface ConsumedMessage {
  key: string | null;
  value: Buffer | null;
  /** UTF-8 decoded; a header repeated in one message keeps its last value. */
  headers: Record<string, string>;
  partition: number;
  offset: string;
  timestamp: string;
}

export interface ConsumeOptions {
  /** Resolve as soon as this many messages arrived. */
  expected: number;
  /** Give up after this long and return what arrived (assert on the count). Default 15 000 ms. */
  timeoutMs?: number;
}

/**
 * Reads a topic from the beginning with a new consumer group until `expected` messages arrived or
 * the timeout passed, then leaves the group. Messages come in per-partition offset order.
 */
export async function consumeAll(
  topic: string,
  options: ConsumeOptions,
  kafka: Kafka = testKafka('consumer'),
): Promise<ConsumedMessage[]> {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const consumer = kafka.consumer({
    groupId: `test-${topic}-${uniqueSuffix()}`,
    // The broker's minimum session timeout; short heartbeats and fetch waits keep tests quick.
    sessionTimeout: 6000,
    heartbeatInterval: 1000,
    maxWaitTimeInMs: 100,
    allowAutoTopicCreation: false,
  });
  const received: ConsumedMessage[] = [];
  let reachedExpected: () => void = () => undefined;
  const allArrived = new Promise<void>((resolve) => (reachedExpected = resolve));
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
  // run() resolves before the group is joined: the join event says the consumer owns partitions.
  const joined = new Promise<void>((resolve) =>
    consumer.on(consumer.events.GROUP_JOIN, () => resolve()),
  );
  try {
    await consumer.connect();
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    if (options.expected <= 0) reachedExpected();
    await consumer.run({
      eachMessage: ({ partition, message }) => {
        received.push({
          key: message.key ? message.key.toString('utf8') : null,
          value: message.value,
          headers: decodeHeaders(message.headers),
          partition,
          offset: message.offset,
          timestamp: message.timestamp,
        });
        if (received.length >= options.expected) reachedExpected();
        return Promise.resolve();
      },
    });
    await Promise.race([joined, timedOut]);
    await Promise.race([allArrived, timedOut]);
    return received.slice();
  } finally {
    clearTimeout(timer);
    await consumer.disconnect();
  }
}

function decodeHeaders(headers: IHeaders | undefined): Record<string, string> {
  const decoded: Record<string, string> = {};
  for (const [name, raw] of Object.entries(headers ?? {})) {
    const value = Array.isArray(raw) ? raw[raw.length - 1] : raw;
    if (value !== undefined) decoded[name] = value.toString();
  }
  return decoded;
}
