/**
 * Kafka's own Java clients, run from the local broker's classpath (scripts/kafka.sh lib, of the
 * KAFKA_VERSION in use): the console producer and consumer and a transactional producer, as the
 * hotline platforms' Java services write and read, and the broker's log dump, which shows the
 * codec each stored batch carries.
 */
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { ConfigResourceTypes } from 'kafkajs';
import { createKafka } from '@hotline/platform/kafka';
import { kafkaBrokers } from './kafka-test';
import { localKafka } from './local-kafka';

const TRANSACTIONAL_PRODUCER = resolve(__dirname, '..', 'java', 'TransactionalProducer.java');

/** The codec names of Kafka's `compression.type`. */
export type BatchCompression = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';

export interface KeyedLine {
  key: string;
  value: string;
}

/** Runs a Java main class (or a single-file source program) on the broker's classpath. */
function runJava(args: string[], input = ''): Promise<string> {
  // C1 only: these programs run for seconds, where the JIT's second tier never pays off.
  const child = spawn(
    'java',
    ['-XX:TieredStopAtLevel=1', '-cp', `${localKafka().lib}/*`, ...args],
    {
      stdio: ['pipe', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  child.stdin.end(input);
  return new Promise((done, fail) => {
    child.on('error', fail);
    child.on('exit', (code) =>
      code === 0 ? done(stdout) : fail(new Error(`java ${args[0]} exited ${code}:\n${stderr}`)),
    );
  });
}

const asInput = (lines: KeyedLine[]) =>
  lines.map(({ key, value }) => `${key}\t${value}\n`).join('');

/** Kafka's ConsoleProducer: one record per line, keyed, in batches of the given codec. */
export async function produceWithJavaConsoleProducer(
  topic: string,
  compression: BatchCompression,
  lines: KeyedLine[],
): Promise<void> {
  await runJava(
    [
      localKafka().tool('ConsoleProducer'),
      '--bootstrap-server',
      kafkaBrokers().join(','),
      '--topic',
      topic,
      '--compression-codec',
      compression,
      localKafka().propertyOption('producer'),
      'parse.key=true',
      localKafka().propertyOption('producer'),
      'key.separator=\t',
    ],
    asInput(lines),
  );
}

export interface JavaTransaction {
  outcome: 'commit' | 'abort';
  lines: KeyedLine[];
}

/** A transactional KafkaProducer: each transaction is committed or aborted, in order. */
export async function produceWithJavaTransactions(
  topic: string,
  compression: BatchCompression,
  transactions: JavaTransaction[],
): Promise<void> {
  const input = transactions.map((t) => `${asInput(t.lines)}${t.outcome}\n`).join('');
  await runJava(
    [TRANSACTIONAL_PRODUCER, kafkaBrokers().join(','), topic, `${topic}-tx`, compression],
    input,
  );
}

/**
 * Kafka's ConsoleConsumer reading a topic from the beginning (committed records only) until
 * `expected` records arrived, or `timeoutMs` passed without one. Values must be single-line.
 */
export async function consumeWithJavaConsoleConsumer(
  topic: string,
  expected: number,
  timeoutMs = 20_000,
): Promise<KeyedLine[]> {
  const output = await runJava([
    'org.apache.kafka.tools.consumer.ConsoleConsumer',
    '--bootstrap-server',
    kafkaBrokers().join(','),
    '--topic',
    topic,
    '--from-beginning',
    '--isolation-level',
    'read_committed',
    '--max-messages',
    String(expected),
    '--timeout-ms',
    String(timeoutMs),
    localKafka().propertyOption('consumer'),
    'print.key=true',
    localKafka().propertyOption('consumer'),
    'key.separator=\t',
  ]).catch((error: Error) => {
    // The consumer exits 1 on its timeout, having printed what it read: the caller counts.
    if (/TimeoutException/.test(error.message)) return '';
    throw error;
  });
  return output
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const tab = line.indexOf('\t');
      return { key: line.slice(0, tab), value: line.slice(tab + 1) };
    });
}

/** Where the broker keeps its partitions (its `log.dirs`), asked of the broker itself. */
async function brokerLogDirs(): Promise<string[]> {
  const admin = createKafka({ brokers: kafkaBrokers(), clientId: 'test-log-dirs' }).admin();
  await admin.connect();
  try {
    const { brokers } = await admin.describeCluster();
    const described = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [
        {
          type: ConfigResourceTypes.BROKER,
          name: String(brokers[0]!.nodeId),
          configNames: ['log.dirs'],
        },
      ],
    });
    const value = described.resources[0]?.configEntries[0]?.configValue;
    if (!value) throw new Error('the broker did not say where its log dirs are');
    return value.split(',');
  } finally {
    await admin.disconnect();
  }
}

export interface StoredBatch {
  codec: string;
  /** Written inside a transaction (committed or aborted). */
  transactional: boolean;
  /** A transaction marker (commit or abort), not records. */
  control: boolean;
}

/**
 * Every record batch stored in partition 0 of a topic, in log order, with its codec, as Kafka's
 * DumpLogSegments reads them from the broker's segment files.
 */
export async function storedBatches(topic: string): Promise<StoredBatch[]> {
  const dirs = (await brokerLogDirs()).map((dir) => join(dir, `${topic}-0`));
  const segments = dirs.flatMap((dir) => {
    try {
      return readdirSync(dir)
        .filter((file) => file.endsWith('.log'))
        .map((file) => join(dir, file));
    } catch {
      return [];
    }
  });
  if (segments.length === 0) {
    throw new Error(`no log segment of ${topic}-0 under ${dirs.join(', ')}: is the broker local?`);
  }
  const output = await runJava([
    localKafka().tool('DumpLogSegments'),
    '--files',
    segments.join(','),
  ]);
  return output
    .split('\n')
    .filter((line) => line.startsWith('baseOffset:'))
    .map((line) => ({
      codec: /compresscodec: (\w+)/.exec(line)?.[1]?.toLowerCase() ?? 'unknown',
      transactional: /isTransactional: true/.test(line),
      control: /isControl: true/.test(line),
    }));
}

/** The codec of each record batch (not transaction markers) in partition 0 of a topic. */
export async function storedBatchCodecs(topic: string): Promise<string[]> {
  return (await storedBatches(topic)).filter((b) => !b.control).map((b) => b.codec);
}
