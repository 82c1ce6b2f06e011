import type { IHeaders, Producer } from '@hotline/platform';
import type { Rejection } from './ingest-batch.service';

/** Header names on dead-letter messages; the original key, value and headers are kept as they were. */
export const DLQ_HEADERS = {
  code: 'x-dlq-code',
  message: 'x-dlq-message',
  sourceTopic: 'x-dlq-source-topic',
  sourcePartition: 'x-dlq-source-partition',
  sourceOffset: 'x-dlq-source-offset',
  rejectedAt: 'x-dlq-rejected-at',
} as const;

const MAX_REASON_CHARS = 2000;

export class DeadLetterPublisher {
  constructor(
    private readonly producer: Producer,
    private readonly topic: string,
  ) {}

  /** Resolves once the broker has acknowledged every dead letter (acks from all replicas). */
  async publish(rejections: readonly Rejection[], rejectedAt: Date): Promise<void> {
    if (rejections.length === 0) return;
    await this.producer.send({
      topic: this.topic,
      acks: -1,
      messages: rejections.map(({ message, code, reason }) => {
        const headers: IHeaders = {};
        for (const [name, value] of Object.entries(message.headers)) {
          if (value !== undefined) headers[name] = value;
        }
        headers[DLQ_HEADERS.code] = code;
        headers[DLQ_HEADERS.message] = reason.slice(0, MAX_REASON_CHARS);
        headers[DLQ_HEADERS.sourceTopic] = message.topic;
        headers[DLQ_HEADERS.sourcePartition] = String(message.partition);
        headers[DLQ_HEADERS.sourceOffset] = message.offset;
        headers[DLQ_HEADERS.rejectedAt] = rejectedAt.toISOString();
        return { key: message.key, value: message.value, headers };
      }),
    });
  }
}
