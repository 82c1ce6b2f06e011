/**
 * Publishes committed outbox rows to Kafka (the escalations topic), at least once: a row is marked
 * published only after the broker acknowledged it. Consumers de-duplicate by `escalationId`
 * and the message's `change`.
 */
import { relayOutboxBatch, pruneOutbox } from '@hotline/persistence';
import type { Producer } from '@hotline/platform';
import type { DataSource } from 'typeorm';

export class OutboxRelay {
  private lastPruneMs = 0;

  constructor(
    private readonly dataSource: DataSource,
    private readonly producer: Producer,
    private readonly options: { batchSize: number; retentionDays: number },
    private readonly onPublished: (count: number) => void = () => undefined,
  ) {}

  /** Publishes one batch; true when there may be more. */
  async step(now: Date): Promise<boolean> {
    const published = await relayOutboxBatch(
      this.dataSource,
      this.options.batchSize,
      async (messages) => {
        const byTopic = new Map<string, typeof messages>();
        for (const m of messages) byTopic.set(m.topic, [...(byTopic.get(m.topic) ?? []), m]);
        await this.producer.sendBatch({
          acks: -1,
          topicMessages: [...byTopic].map(([topic, list]) => ({
            topic,
            messages: list.map((m) => ({
              key: m.key,
              value: JSON.stringify(m.payload),
              ...(m.headers ? { headers: m.headers } : {}),
            })),
          })),
        });
      },
    );
    this.onPublished(published);
    if (now.getTime() - this.lastPruneMs > 3_600_000) {
      this.lastPruneMs = now.getTime();
      await pruneOutbox(
        this.dataSource,
        new Date(now.getTime() - this.options.retentionDays * 86_400_000),
      );
    }
    return published === this.options.batchSize;
  }
}
