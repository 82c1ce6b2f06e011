/**
 * Confirms, every few seconds, which partitions of the events topic the consumer group has
 * applied to their end: the group's committed offset (committed only after the database commit)
 * at the partition's high watermark, read after the instant it records. The watermark policy lets
 * the wall clock drive a partition only as far as its last confirmation, so a partition nobody
 * reads — the worker down, stuck, or busy with other partitions while messages wait — stops where
 * it was read instead of judging the unread backlog at the wall clock.
 */
import { confirmPartitionsRead } from '@hotline/persistence';
import type { Admin, Kafka } from '@hotline/platform';
import type { DataSource } from 'typeorm';

export class PartitionConfirmations {
  private admin: Admin | null = null;

  constructor(
    private readonly kafka: Kafka,
    private readonly dataSource: DataSource,
    private readonly topic: string,
    private readonly groupId: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  /** One confirmation round; never reports more work (it runs at its own pace). */
  async step(): Promise<boolean> {
    const admin = await this.connected();
    // Before reading the ends: everything on a partition at this instant is below its end.
    const at = this.clock();
    const ends = await admin.fetchTopicOffsets(this.topic);
    const [committed] = await admin.fetchOffsets({ groupId: this.groupId, topics: [this.topic] });
    const position = new Map(
      (committed?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]),
    );
    const read = ends
      .filter(
        (end) => Number(end.high) > 0 && (position.get(end.partition) ?? -1) >= Number(end.high),
      )
      .map((end) => end.partition);
    await confirmPartitionsRead(this.dataSource, this.topic, read, at);
    return false;
  }

  async stop(): Promise<void> {
    const admin = this.admin;
    this.admin = null;
    if (admin) await admin.disconnect();
  }

  private async connected(): Promise<Admin> {
    if (this.admin) return this.admin;
    const admin = this.kafka.admin();
    await admin.connect();
    this.admin = admin;
    return admin;
  }
}
