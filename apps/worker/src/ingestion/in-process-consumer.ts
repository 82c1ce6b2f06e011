/**
 * The work-order consumer wired in the calling process as the worker wires it, with the
 * project's rules, formula and dead-letter settings: for integration tests that drive it on the
 * real broker and database.
 */
import { DEFAULT_SUPERVISION_POLICY, DEFAULT_WATERMARK_POLICY } from '@hotline/core';
import {
  loadConfig,
  loadHandlingRules,
  loadStatisticsFormula,
  type IngestionMetrics,
  type Logger,
} from '@hotline/platform';
import type { Kafka, Producer } from 'kafkajs';
import type { DataSource } from 'typeorm';
import { DeadLetterPublisher } from './dead-letter.publisher';
import { IngestBatchService } from './ingest-batch.service';
import { WorkOrderEventsConsumer, type ConsumerOptions } from './work-order-events.consumer';

export interface InProcessConsumer {
  kafka: Kafka;
  dataSource: DataSource;
  /** Connected; sends the dead letters. */
  producer: Producer;
  topics: { events: string; dlq: string };
  metrics: IngestionMetrics;
  logger: Logger;
  /** Over the defaults: group `<events>-worker`, 100 events a batch, one partition at a time. */
  options?: Partial<ConsumerOptions>;
}

export function inProcessConsumer(input: InProcessConsumer): WorkOrderEventsConsumer {
  const config = loadConfig();
  const { events, dlq } = input.topics;
  return new WorkOrderEventsConsumer(
    input.kafka,
    new IngestBatchService(
      input.dataSource,
      loadHandlingRules(config.files),
      {
        escalationsTopic: `${events}-escalations`,
        policy: DEFAULT_SUPERVISION_POLICY,
        recipients: () => [],
        watermark: DEFAULT_WATERMARK_POLICY,
      },
      loadStatisticsFormula(config.files),
    ),
    new DeadLetterPublisher(input.producer, dlq, input.dataSource, config.resilience.deadLetters),
    input.metrics,
    input.logger,
    {
      topic: events,
      groupId: `${events}-worker`,
      sessionTimeoutMs: 6000,
      maxBatchEvents: 100,
      partitionsConcurrently: 1,
      maxBytesPerPartition: config.ingest.maxBytesPerPartition,
      restartMaxMs: 2000,
      unreadableRetryMs: 30_000,
      ...input.options,
    },
  );
}
