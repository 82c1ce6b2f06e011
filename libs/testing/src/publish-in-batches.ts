/**
 * Publishes a stream the way a live bridge does: small batches back to back through one
 * connected producer, each acknowledged before the next is sent, no pauses. A worker reading the
 * topic meanwhile reaches its end again and again while the stream is still coming.
 */
import { testKafka, type RawMessage } from './kafka-test';

export interface PublishInBatchesOptions {
  /** Messages per produce request. */
  batchSize: number;
}

export interface PublishedStream {
  /** Produce requests sent. */
  batches: number;
  /** Wall-clock time from the first send to the last acknowledgement. */
  elapsedMs: number;
  /** The longest wait for one batch's acknowledgement: the stream never paused longer. */
  longestBatchMs: number;
}

export async function publishInBatches(
  topic: string,
  messages: readonly RawMessage[],
  options: PublishInBatchesOptions,
): Promise<PublishedStream> {
  if (!Number.isInteger(options.batchSize) || options.batchSize < 1) {
    throw new RangeError(`batchSize: a positive integer, got ${options.batchSize}`);
  }
  const kafka = testKafka('stream');
  const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 3 } });
  await producer.connect();
  const startedMs = Date.now();
  let batches = 0;
  let longestBatchMs = 0;
  try {
    for (let start = 0; start < messages.length; start += options.batchSize) {
      const sentMs = Date.now();
      await producer.send({
        topic,
        acks: -1,
        messages: messages.slice(start, start + options.batchSize),
      });
      longestBatchMs = Math.max(longestBatchMs, Date.now() - sentMs);
      batches += 1;
    }
  } finally {
    await producer.disconnect();
  }
  return { batches, elapsedMs: Date.now() - startedMs, longestBatchMs };
}
