/**
 * The one place that knows the Kafka client library (kafkajs, unmaintained since 2023): the rest
 * of the code uses these factories and re-exported types, so the client can be replaced here.
 */
import {
  CompressionCodecs,
  CompressionTypes,
  Kafka,
  logLevel,
  type KafkaConfig,
  type Producer,
  type SASLOptions,
} from 'kafkajs';
import type { ProducerCompression } from '../config/app-config';
import { lz4Codec, snappyCodec, zstdCodec, type BatchCodec } from './compression-codecs';
import { keyPartitioner } from './key-partitioner';
import { installRecordDecoder } from './record-decoder';
import { installRecordEncoder } from './record-encoder';
import {
  KAFKA_PLAINTEXT,
  type KafkaSasl,
  type KafkaSecurity,
  type KafkaTls,
} from './kafka-security';

export type {
  Admin,
  Batch,
  Consumer,
  EachBatchPayload,
  IHeaders,
  KafkaMessage,
  Message,
  Producer,
} from 'kafkajs';

/** kafkajs's codec shape: `compress` receives its Encoder, `decompress` the batch's bytes. */
function asKafkajsCodec(codec: BatchCodec) {
  return () => ({
    compress: (encoder: { buffer: Buffer }) => codec.compress(encoder.buffer),
    decompress: (data: Buffer) => Promise.resolve(codec.decompress(data)),
  });
}

// Once, at module load: Java producers write snappy, lz4 and zstd batches, and kafkajs (gzip only)
// would stop the consumer on the first one (KafkaJSNotImplemented).
CompressionCodecs[CompressionTypes.Snappy] = asKafkajsCodec(snappyCodec);
CompressionCodecs[CompressionTypes.LZ4] = asKafkajsCodec(lz4Codec);
CompressionCodecs[CompressionTypes.ZSTD] = asKafkajsCodec(zstdCodec);

/**
 * Once, at module load, before kafkajs's first fetch loads its batch decoder: records decoded
 * without 64-bit arithmetic where a double is exact (record-decoder.ts); the worker logs it.
 */
export const recordDecoderStatus = installRecordDecoder();

/**
 * Once, at module load, before kafkajs's first send loads its produce request: each produced
 * record written in one buffer of its size (record-encoder.ts); the worker logs it.
 */
export const recordEncoderStatus = installRecordEncoder();

export interface KafkaClientOptions {
  brokers: string[];
  clientId: string;
  /** TLS and SASL (the configuration's `kafka.security`); default anonymous plaintext. */
  security?: KafkaSecurity;
  /** Finite retries for tests and tools; services keep the default backoff. */
  retries?: number;
  /** How long one broker connection may take to open (TLS and SASL included); default 5000 ms. */
  connectionTimeoutMs?: number;
}

export function createKafka(options: KafkaClientOptions): Kafka {
  const security = options.security ?? KAFKA_PLAINTEXT;
  const config: KafkaConfig = {
    clientId: options.clientId,
    brokers: options.brokers,
    logLevel: logLevel.NOTHING,
    retry: { retries: options.retries ?? 8, initialRetryTime: 200, maxRetryTime: 5000 },
    // kafkajs's 1 s default is short for a TLS handshake plus a SCRAM exchange on a busy host.
    connectionTimeout: options.connectionTimeoutMs ?? 5000,
    ssl: kafkajsTls(security.tls),
    sasl: kafkajsSasl(security.sasl),
  };
  return new Kafka(config);
}

/** Node's TLS options; the host name is always checked (kafkajs passes it as the servername). */
function kafkajsTls(tls: KafkaTls | null): KafkaConfig['ssl'] {
  if (tls === null) return false;
  return {
    rejectUnauthorized: true,
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    ...(tls.cert === undefined ? {} : { cert: tls.cert }),
    ...(tls.key === undefined ? {} : { key: tls.key }),
    ...(tls.keyPassword === undefined ? {} : { passphrase: tls.keyPassword.reveal() }),
  };
}

function kafkajsSasl(sasl: KafkaSasl | null): SASLOptions | undefined {
  if (sasl === null) return undefined;
  const credentials = { username: sasl.username, password: sasl.password.reveal() };
  switch (sasl.mechanism) {
    case 'scram-sha-512':
      return { mechanism: 'scram-sha-512', ...credentials };
    case 'scram-sha-256':
      return { mechanism: 'scram-sha-256', ...credentials };
    case 'plain':
      return { mechanism: 'plain', ...credentials };
  }
}

const COMPRESSION_TYPES: Record<ProducerCompression, CompressionTypes> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};

export interface ProducerOptions {
  /** The codec of every batch this producer sends, unless a send names its own. Default none. */
  compression?: ProducerCompression;
}

/**
 * An idempotent producer with acks from all in-sync replicas, one request in flight, keyed
 * messages partitioned as the Java client partitions them (keyPartitioner), compressing
 * its batches with the given codec (kafkajs takes the codec per send; here it is per producer).
 */
export function createProducer(kafka: Kafka, options: ProducerOptions = {}): Producer {
  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    createPartitioner: keyPartitioner,
    retry: { retries: 8 },
  });
  const compression = COMPRESSION_TYPES[options.compression ?? 'none'];
  return {
    ...producer,
    send: (record) => producer.send({ compression, ...record }),
    sendBatch: (batch) => producer.sendBatch({ compression, ...batch }),
  };
}

export { CompressionTypes, Kafka };

/**
 * Creates the topics that do not exist yet (the broker never creates them implicitly);
 * returns the names created. Safe when another process creates the same topic at the same time.
 */
export async function ensureTopics(
  kafka: Kafka,
  topics: string[],
  numPartitions: number,
): Promise<string[]> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const existing = new Set(await admin.listTopics());
    const missing = topics.filter((t) => !existing.has(t));
    if (missing.length === 0) return [];
    await admin
      .createTopics({
        waitForLeaders: true,
        topics: missing.map((topic) => ({ topic, numPartitions })),
      })
      .catch((error: { type?: string }) => {
        if (error.type !== 'TOPIC_ALREADY_EXISTS') throw error;
      });
    return missing;
  } finally {
    await admin.disconnect();
  }
}
