/**
 * Asks the broker every few seconds for the input topic's ends and the group's committed offsets:
 * the consumer lag comes from these (not from the last batch handled, which says nothing once the
 * consumer is stuck or caught up), and a probe that fails says the broker is unreachable within
 * seconds, long before the consumer's own retries give up. The outage is logged once when it
 * starts and once when it ends.
 */
import type { Admin, IngestionMetrics, Kafka, Logger } from '@hotline/platform';

export interface PartitionLag {
  partition: number;
  /** The partition's end (high watermark). */
  end: number;
  /** The group's committed offset (null: nothing committed yet, read from the start). */
  committed: number | null;
  lag: number;
}

export interface BrokerState {
  /** Null until the first probe has answered or failed. */
  reachable: boolean | null;
  /** When the current state (reachable or not) began. */
  since: Date | null;
  lastError: string | null;
  /** Summed over the partitions; null before the first answer. */
  lag: number | null;
  partitions: PartitionLag[];
}

export class BrokerProbe {
  private admin: Admin | null = null;
  private current: BrokerState = {
    reachable: null,
    since: null,
    lastError: null,
    lag: null,
    partitions: [],
  };

  constructor(
    private readonly kafka: Kafka,
    private readonly topic: string,
    private readonly groupId: string,
    private readonly metrics: IngestionMetrics,
    private readonly logger: Logger,
    private readonly clock: () => Date,
    private readonly timeoutMs: number,
  ) {}

  get state(): BrokerState {
    return this.current;
  }

  /** One probe; never throws and never reports more work (it runs at its own pace). */
  async step(): Promise<boolean> {
    try {
      const partitions = await withTimeout(this.read(), this.timeoutMs);
      this.answered(partitions);
    } catch (error) {
      if (isUnreachable(error)) this.failed(error);
      else this.answeredWithError(error);
    }
    return false;
  }

  /** The broker answered, with an error (the topic not created yet, the coordinator loading). */
  private answeredWithError(error: unknown): void {
    if (this.current.reachable === false) this.answered([]);
    this.current = {
      ...this.current,
      lastError: error instanceof Error ? error.message : String(error),
      lag: null,
      partitions: [],
    };
  }

  async stop(): Promise<void> {
    await this.dropAdmin();
  }

  private async read(): Promise<PartitionLag[]> {
    const admin = await this.connected();
    const ends = await admin.fetchTopicOffsets(this.topic);
    const [offsets] = await admin.fetchOffsets({ groupId: this.groupId, topics: [this.topic] });
    const committed = new Map(
      (offsets?.partitions ?? []).map((p) => [p.partition, Number(p.offset)]),
    );
    return ends.map((end) => {
      const high = Number(end.high);
      const at = committed.get(end.partition);
      const position = at === undefined || at < 0 ? Number(end.low) : at;
      return {
        partition: end.partition,
        end: high,
        committed: at === undefined || at < 0 ? null : at,
        lag: Math.max(0, high - position),
      };
    });
  }

  private answered(partitions: PartitionLag[]): void {
    const now = this.clock();
    if (this.current.reachable === false) {
      const downMs = now.getTime() - (this.current.since?.getTime() ?? now.getTime());
      this.logger.info({ downSeconds: Math.round(downMs / 1000) }, 'Kafka broker reachable again');
    }
    const lag = partitions.reduce((sum, p) => sum + p.lag, 0);
    this.current = {
      reachable: true,
      since: this.current.reachable === true ? this.current.since : now,
      lastError: null,
      lag,
      partitions,
    };
    this.metrics.brokerReachable.set(1);
    this.metrics.lag.set(lag);
    for (const p of partitions)
      this.metrics.partitionLag.set({ partition: String(p.partition) }, p.lag);
  }

  private failed(error: unknown): void {
    const now = this.clock();
    const message = error instanceof Error ? error.message : String(error);
    if (this.current.reachable !== false) {
      this.logger.error({ err: error }, 'Kafka broker unreachable');
    }
    this.current = {
      ...this.current,
      reachable: false,
      since: this.current.reachable === false ? this.current.since : now,
      lastError: message,
    };
    this.metrics.brokerReachable.set(0);
    // A fresh connection next time: the old one may hang on a broker that went away.
    void this.dropAdmin();
  }

  private async connected(): Promise<Admin> {
    if (this.admin) return this.admin;
    // No retries of its own: one failed probe is an answer, the next probe is the retry.
    const admin = this.kafka.admin({ retry: { retries: 0 } });
    this.admin = admin;
    await admin.connect();
    return admin;
  }

  private async dropAdmin(): Promise<void> {
    const admin = this.admin;
    this.admin = null;
    if (admin) await admin.disconnect().catch(() => undefined);
  }
}

const CONNECTION_ERRORS = new Set([
  'KafkaJSConnectionError',
  'KafkaJSConnectionClosedError',
  'KafkaJSRequestTimeoutError',
  'KafkaJSBrokerNotFound',
  'KafkaJSProbeTimeout',
]);

/** No answer at all: a connection refused, closed or timed out (not a broker's error answer). */
function isUnreachable(error: unknown): boolean {
  for (
    let e = error as { name?: unknown; cause?: unknown } | undefined, depth = 0;
    e && depth < 5;
    depth += 1
  ) {
    if (typeof e.name === 'string' && CONNECTION_ERRORS.has(e.name)) return true;
    const { message } = e as { message?: unknown };
    if (typeof message === 'string' && /Connection (error|timeout)|ECONNREFUSED/.test(message)) {
      return true;
    }
    e = e.cause as typeof e;
  }
  return false;
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`no answer from the broker within ${ms} ms`);
      error.name = 'KafkaJSProbeTimeout';
      reject(error);
    }, ms);
  });
  work.catch(() => undefined);
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
