import { WATERMARK_MODES, type WatermarkMode } from '@hotline/core';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics of the worker, on their own registry (no global state between tests). */
export class IngestionMetrics {
  readonly registry = new Registry();
  readonly consumed = new Counter({
    name: 'hotline_events_consumed_total',
    help: 'Messages read from the input topic',
    registers: [this.registry],
  });
  readonly applied = new Counter({
    name: 'hotline_events_applied_total',
    help: 'Events appended to the event log for the first time',
    registers: [this.registry],
  });
  readonly duplicates = new Counter({
    name: 'hotline_events_duplicate_total',
    help: 'Events re-read: already in the event log with the same content (re-deliveries); counted apart from applied',
    registers: [this.registry],
  });
  readonly unknownUnits = new Counter({
    name: 'hotline_events_unknown_unit_total',
    help: 'Accepted dispatches to a unit the organisation file does not list (UNKNOWN_UNITS=accept)',
    registers: [this.registry],
  });
  readonly deadLetters = new Counter({
    name: 'hotline_dead_letters_total',
    help: 'Dead letters by outcome: forwarded (acknowledged by the broker), excerpted (of the forwarded: the original kept in PostgreSQL), parked (refused by the broker, kept in PostgreSQL until forwarded)',
    labelNames: ['outcome'] as const,
    registers: [this.registry],
  });
  readonly parkedDeadLetters = new Gauge({
    name: 'hotline_dead_letters_parked',
    help: 'Dead letters waiting in PostgreSQL for the broker to take them',
    registers: [this.registry],
  });
  readonly consumerRestarts = new Counter({
    name: 'hotline_consumer_restarts_total',
    help: 'Times the Kafka consumer crashed and was started again',
    registers: [this.registry],
  });
  readonly consumerStatus = new Gauge({
    name: 'hotline_consumer_status',
    help: '1 for the state the Kafka consumer is in (connecting, joining, joined, rebalancing, restarting, stopped), else 0',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  readonly brokerReachable = new Gauge({
    name: 'hotline_kafka_broker_reachable',
    help: '1 when the last probe of the broker (topic ends and group offsets) answered, 0 when it failed',
    registers: [this.registry],
  });
  readonly partitionLag = new Gauge({
    name: 'hotline_consumer_partition_lag',
    help: "Messages after the group's committed offset on each input partition (from the broker)",
    labelNames: ['partition'] as const,
    registers: [this.registry],
  });
  readonly unreadableBatches = new Counter({
    name: 'hotline_unreadable_batches_total',
    help: 'Record batches the worker could not decompress (its partition paused until they can be read)',
    registers: [this.registry],
  });
  readonly pausedPartitions = new Gauge({
    name: 'hotline_partitions_paused_unreadable',
    help: 'Input partitions paused on a record batch the worker cannot decompress',
    registers: [this.registry],
  });
  readonly rejected = new Counter({
    name: 'hotline_events_rejected_total',
    help: 'Messages sent to the dead-letter topic, by reason code',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly batchSeconds = new Histogram({
    name: 'hotline_ingest_batch_seconds',
    help: 'Time to apply one batch (database transaction and dead letters)',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly retries = new Counter({
    name: 'hotline_ingest_retries_total',
    help: 'Batches retried after a transient database failure',
    registers: [this.registry],
  });
  readonly deadlineErrors = new Counter({
    name: 'hotline_deadline_errors_total',
    help: "Orders with a deadline that could not be computed, by code (calendar_out_of_range: a stage beyond the calendar, import the year's holiday notice)",
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly calendarDaysLeft = new Gauge({
    name: 'hotline_calendar_coverage_days_left',
    help: 'Days until the working calendar ends, provisional years included (negative: today is not covered)',
    registers: [this.registry],
  });
  readonly officialCalendarDaysLeft = new Gauge({
    name: 'hotline_calendar_official_days_left',
    help: "Days until the calendar's official data (the imported State Council notices) ends; deadlines after it are provisional",
    registers: [this.registry],
  });
  readonly provisionalOpenOrders = new Gauge({
    name: 'hotline_deadlines_provisional_open_orders',
    help: 'Open orders whose deadlines rest on provisional calendar days (recomputed once the notice is imported)',
    registers: [this.registry],
  });
  readonly unavailableOpenOrders = new Gauge({
    name: 'hotline_deadlines_unavailable_open_orders',
    help: 'Open orders with a deadline the calendar could not compute (beyond its coverage)',
    registers: [this.registry],
  });
  readonly escalations = new Counter({
    name: 'hotline_escalation_changes_total',
    help: 'Escalations created, advanced and resolved (by ingestion and the sweeper)',
    labelNames: ['change'] as const,
    registers: [this.registry],
  });
  readonly sweepLatenessSeconds = new Histogram({
    name: 'hotline_escalation_lateness_seconds',
    help: 'Wall-clock delay from a due instant to its escalation being committed (live, caught-up partitions)',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
    registers: [this.registry],
  });
  readonly outboxPublished = new Counter({
    name: 'hotline_outbox_published_total',
    help: 'Escalation messages published to Kafka from the outbox',
    registers: [this.registry],
  });
  readonly lag = new Gauge({
    name: 'hotline_consumer_lag',
    help: "Messages behind the end of the input topic, summed over partitions: each partition's end minus the group's committed offset, from the broker",
    registers: [this.registry],
  });

  readonly watermarkLagSeconds = new Gauge({
    name: 'hotline_watermark_lag_seconds',
    help: "How far each input partition's effective event-time watermark is behind the wall clock",
    labelNames: ['partition'] as const,
    registers: [this.registry],
  });
  readonly watermarkMode = new Gauge({
    name: 'hotline_watermark_mode',
    help: "1 for the mode each input partition's watermark is in (none, event_time, live, idle), else 0",
    labelNames: ['partition', 'mode'] as const,
    registers: [this.registry],
  });

  constructor(withDefaults = true) {
    if (withDefaults) collectDefaultMetrics({ register: this.registry });
  }

  /** Each partition's effective watermark at `now`: its lag behind the wall clock and its mode. */
  recordWatermarks(
    watermarks: readonly { partition: number; at: Date | null; mode: WatermarkMode }[],
    now: Date,
  ): void {
    for (const { partition, at, mode } of watermarks) {
      const labels = { partition: String(partition) };
      if (at) this.watermarkLagSeconds.set(labels, (now.getTime() - at.getTime()) / 1000);
      else this.watermarkLagSeconds.remove(labels);
      for (const each of WATERMARK_MODES) {
        this.watermarkMode.set({ ...labels, mode: each }, each === mode ? 1 : 0);
      }
    }
  }
}
