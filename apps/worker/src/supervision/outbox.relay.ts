/**
 * Publishes committed outbox rows to Kafka (the escalations topic), at least once: a row is marked
 * published only after the broker acknowledged it. Consumers de-duplicate by `escalationId`
 * and the message's `change`. Published rows are removed after OUTBOX_RETENTION_DAYS by the
 * maintenance jobs.
 */
import { relayOutboxBatch } from '@hotline/persistence';
import type { Producer } from '@hotline/platform';
import type { DataSource } from 'typeorm';

export class OutboxRelay {
  constructor(
    private readonly dataSource: DataSource,
    private readonly producer: Producer,
    private readonly options: { batchSize: number },
    private readonly onPublished: (count: number) => void = () => undefined,
  ) {}

  /** Publishes one batch; true when there may be more. */
  async step(): Promise<boolean> {
    const published = await relayOutboxBatch(
      this.dataSource,
      this.options.batchSize,
      async (messages) => {
        const byTopic = new Map<string, typeof messages>();
        for (const m of messages) {
          const list = byTopic.get(m.topic);
          if (list) list.push(m);
          else byTopic.set(m.topic, [m]);
        }
        await this.producer.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, list]) => ({
            topic,
            messages: list.map((m) => ({
              key: m.key,
              value: m.value,
              ...(m.headers ? { headers: m.headers } : {}),
            })),
          })),
        });
      },
    );
    this.onPublished(published);
    return published === this.options.batchSize;
  }
}
